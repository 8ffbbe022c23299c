/* api_system.c: the event stream, health, metrics and the list of
 * resolution codes: what consoles and supervision systems poll. */
#include "server/api.h"
#include "server/metrics.h"
#include "server/stream.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void api_stream(struct api_request *request, struct api_response *response)
{
    const char *last_id =
        MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND, "Last-Event-ID");
    if (!last_id || !*last_id)
        last_id = api_query(request, "last_event_id");
    int64_t resume_after = -1;
    if (last_id && *last_id) {
        char *end = NULL;
        errno = 0;
        long long value = strtoll(last_id, &end, 10);
        if (errno || *end != '\0' || value < 0) {
            api_error(response, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                      _("Last-Event-ID must be a sequence number"));
            return;
        }
        resume_after = value;
    }
    response->raw = stream_hub_response(request->api->hub, request->connection, resume_after,
                                        request->session.id);
    if (!response->raw) {
        api_error(response, MHD_HTTP_SERVICE_UNAVAILABLE, "no_memory",
                  _("cannot open a stream now"));
        return;
    }
    response->status = MHD_HTTP_OK;
}

void api_health(struct api_request *request, struct api_response *response)
{
    struct store_error error = {{0}};
    bool store_ok = store_ping(request->api->store, &error) == STORE_OK;
    char now[CLOCK_RFC3339_SIZE];
    clock_format_rfc3339(clock_now_ms(), now);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "status", store_ok ? "ok" : "degraded");
    cJSON_AddStringToObject(body, "node", request->api->config->node_name);
    cJSON_AddStringToObject(body, "version", VIGIE_VERSION);
    cJSON_AddStringToObject(body, "time", now);
    cJSON_AddBoolToObject(body, "store_reachable", store_ok);
    if (!store_ok)
        cJSON_AddStringToObject(body, "store_error", error.message);
    cJSON_AddNumberToObject(body, "last_sequence",
                            (double)store_last_sequence(request->api->store));
    cJSON_AddNumberToObject(body, "stream_clients",
                            (double)stream_hub_client_count(request->api->hub));
    api_json(response, store_ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, body);
}

void api_metrics(struct api_request *request, struct api_response *response)
{
    struct metrics_gauges gauges = {0};
    int64_t total = 0;
    struct store_error error = {{0}};
    gauges.store_up =
        store_alarm_counts(request->api->store, &gauges.alarms_open, &total, &error) == STORE_OK;
    gauges.stream_clients = (int64_t)stream_hub_client_count(request->api->hub);
    gauges.last_sequence = store_last_sequence(request->api->store);
    store_commit_stats(request->api->store, &gauges.store_commits, &gauges.store_jobs);
    char *text = metrics_render(request->api->metrics, &gauges);
    if (!text) {
        api_error(response, MHD_HTTP_SERVICE_UNAVAILABLE, "no_memory", _("out of memory"));
        return;
    }
    response->raw = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!response->raw) {
        free(text);
        api_error(response, MHD_HTTP_SERVICE_UNAVAILABLE, "no_memory", _("out of memory"));
        return;
    }
    MHD_add_response_header(response->raw, "Content-Type", "text/plain; version=0.0.4");
    response->status = MHD_HTTP_OK;
}

static void add_resolution(void *context, const struct store_resolution *entry)
{
    cJSON *item = cJSON_CreateObject();
    cJSON_AddStringToObject(item, "code", entry->code);
    cJSON_AddStringToObject(item, "label", entry->label);
    cJSON_AddItemToArray(context, item);
}

void api_resolutions_list(struct api_request *request, struct api_response *response)
{
    cJSON *list = cJSON_CreateArray();
    struct store_error error = {{0}};
    int status = store_resolutions_list(request->api->store, add_resolution, list, &error);
    if (status != STORE_OK) {
        cJSON_Delete(list);
        api_store_error(response, status, &error);
        return;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "resolutions", list);
    api_json(response, MHD_HTTP_OK, body);
}
