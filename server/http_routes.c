/* http_routes.c: API v1 routes. Adding an endpoint is one row here, a
 * handler in api_<resource>.c and its entry in api/openapi.yaml. */
#include "server/http_routes.h"

#include <stdio.h>
#include <string.h>

static const struct route routes[] = {
    {"POST", "/v1/sessions", api_sessions_create, ACCESS_PUBLIC},
    {"DELETE", "/v1/sessions/current", api_sessions_delete, ACCESS_READ},
    {"POST", "/v1/sessions/current/heartbeat", api_sessions_heartbeat, ACCESS_READ},
    {"GET", "/v1/alarms", api_alarms_list, ACCESS_READ},
    {"POST", "/v1/alarms", api_alarms_create, ACCESS_OPERATE},
    {"GET", "/v1/alarms/{id}", api_alarms_get, ACCESS_READ},
    {"POST", "/v1/alarms/{id}/claim", api_alarms_claim, ACCESS_OPERATE},
    {"POST", "/v1/alarms/{id}/release", api_alarms_release, ACCESS_OPERATE},
    {"POST", "/v1/alarms/{id}/ack", api_alarms_ack, ACCESS_OPERATE},
    {"POST", "/v1/alarms/{id}/notes", api_alarms_note, ACCESS_OPERATE},
    {"POST", "/v1/alarms/{id}/close", api_alarms_close, ACCESS_OPERATE},
    {"GET", "/v1/resolutions", api_resolutions_list, ACCESS_READ},
    {"GET", "/v1/alarms/{id}/procedure", api_alarm_procedure_get, ACCESS_READ},
    {"POST", "/v1/alarms/{id}/procedure/steps/{step}", api_alarm_procedure_step, ACCESS_OPERATE},
    {"GET", "/v1/alarms/{id}/track", api_alarm_track, ACCESS_READ},
    {"POST", "/v1/alarms/{id}/escalations", api_escalations_create, ACCESS_OPERATE},
    {"GET", "/v1/alarms/{id}/escalations", api_escalations_list, ACCESS_READ},
    {"GET", "/v1/sites/{id}", api_sites_get, ACCESS_READ},
    {"GET", "/v1/sites/{id}/panel", api_site_panel_get, ACCESS_READ},
    {"POST", "/v1/sites/{id}/panel/commands", api_site_panel_command, ACCESS_OPERATE},
    {"GET", "/v1/victims/{id}", api_victims_get, ACCESS_READ},
    {"GET", "/v1/procedures", api_procedures_list, ACCESS_READ},
    {"GET", "/v1/places", api_places_list, ACCESS_READ},
    /* A dry run for any role; sending is refused to supervisors. */
    {"POST", "/v1/massalerts", api_massalerts_create, ACCESS_READ},
    {"GET", "/v1/massalerts", api_massalerts_list, ACCESS_READ},
    {"GET", "/v1/massalerts/{id}", api_massalerts_get, ACCESS_READ},
    {"GET", "/v1/massalerts/{id}/recipients", api_massalerts_recipients, ACCESS_READ},
    {"POST", "/v1/massalerts/{id}/cancel", api_massalerts_cancel, ACCESS_OPERATE},
    {"GET", "/v1/massalerts/{id}/report.csv", api_massalerts_report_csv, ACCESS_READ},
    {"GET", "/v1/massalerts/{id}/report.cap", api_massalerts_report_cap, ACCESS_READ},
    {"POST", "/v1/massalerts/{id}/replies/{reply}/relay", api_massalerts_relay, ACCESS_OPERATE},
    {"GET", "/v1/massalert-templates", api_massalert_templates_list, ACCESS_READ},
    {"GET", "/v1/connectors/kannel/dlr", api_kannel_dlr, ACCESS_PUBLIC},
    {"GET", "/v1/connectors/kannel/mo", api_kannel_mo, ACCESS_PUBLIC},
    {"POST", "/v1/connectors/mail/reply", api_mail_reply, ACCESS_PUBLIC},
    /* The agents' registry: every role reads it; administrators change it
     * (it decides who receives what the police share, like /v1/users). */
    {"GET", "/v1/agents", api_agents_list, ACCESS_READ},
    {"POST", "/v1/agents", api_agents_create, ACCESS_ADMIN},
    {"GET", "/v1/agents/{id}", api_agents_get, ACCESS_READ},
    {"PUT", "/v1/agents/{id}", api_agents_update, ACCESS_ADMIN},
    {"DELETE", "/v1/agents/{id}", api_agents_delete, ACCESS_ADMIN},
    {"POST", "/v1/agents/{id}/vetting", api_agents_vetting, ACCESS_ADMIN},
    {"POST", "/v1/sites/{id}/validation", api_sites_validation, ACCESS_ADMIN},
    {"POST", "/v1/agents/{id}/push-subscription", api_agents_push_subscribe, ACCESS_OPERATE},
    {"DELETE", "/v1/agents/{id}/push-subscription", api_agents_push_unsubscribe, ACCESS_OPERATE},
    {"GET", "/v1/users", api_users_list, ACCESS_ADMIN},
    {"POST", "/v1/users", api_users_create, ACCESS_ADMIN},
    {"POST", "/v1/users/{name}/disable", api_users_disable, ACCESS_ADMIN},
    {"POST", "/v1/users/{name}/enable", api_users_enable, ACCESS_ADMIN},
    {"POST", "/v1/ingest/device", api_ingest_device, ACCESS_DEVICE},
    /* Mass-alert reply pages: no session, the link's token is the key. */
    {"GET", "/r/sw.js", api_reply_page_worker, ACCESS_PUBLIC}, /* before /r/{token} */
    {"GET", "/r/{token}", api_reply_page_get, ACCESS_PUBLIC},
    {"POST", "/r/{token}/received", api_reply_page_received, ACCESS_PUBLIC},
    {"POST", "/r/{token}/seen", api_reply_page_seen, ACCESS_PUBLIC},
    {"POST", "/r/{token}/delivered", api_reply_page_delivered, ACCESS_PUBLIC},
    {"POST", "/r/{token}/push-subscription", api_reply_page_push_subscription, ACCESS_PUBLIC},
    {"GET", "/v1/stream", api_stream, ACCESS_READ},
    {"GET", "/v1/health", api_health, ACCESS_PUBLIC},
    {"GET", "/metrics", api_metrics, ACCESS_PUBLIC},
};

/* Matches PATH against PATTERN segment by segment; {x} takes a segment. */
static bool pattern_matches(const char *pattern, const char *path, struct api_request *request)
{
    int param = 0;
    while (*pattern && *path) {
        if (*pattern != '/' || *path != '/')
            return false;
        pattern++;
        path++;
        const char *pattern_end = strchrnul(pattern, '/');
        const char *path_end = strchrnul(path, '/');
        size_t pattern_length = (size_t)(pattern_end - pattern);
        size_t path_length = (size_t)(path_end - path);
        if (pattern[0] == '{') {
            if (path_length == 0 || path_length >= sizeof request->param_storage[0] ||
                param >= API_PARAMS_MAX)
                return false;
            memcpy(request->param_storage[param], path, path_length);
            request->param_storage[param][path_length] = '\0';
            request->params[param] = request->param_storage[param];
            param++;
        } else if (pattern_length != path_length || memcmp(pattern, path, path_length) != 0) {
            return false;
        }
        pattern = pattern_end;
        path = path_end;
    }
    return *pattern == '\0' && *path == '\0';
}

enum route_match http_routes_find(struct api_request *request, const struct route **out,
                                  char *allow, size_t allow_size)
{
    bool path_known = false;
    allow[0] = '\0';
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (!pattern_matches(routes[i].pattern, request->path, request))
            continue;
        bool head_of_get =
            strcmp(request->method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0;
        if (strcmp(routes[i].method, request->method) == 0 || head_of_get) {
            *out = &routes[i];
            return ROUTE_FOUND;
        }
        size_t used = strlen(allow);
        snprintf(allow + used, allow_size - used, "%s%s", path_known ? ", " : "", routes[i].method);
        path_known = true;
    }
    return path_known ? ROUTE_WRONG_METHOD : ROUTE_NO_PATH;
}
