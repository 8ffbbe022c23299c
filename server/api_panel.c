/* api_panel.c: remote arm/disarm over HTTP. GET /v1/sites/{id}/panel
 * reads a site's panel (arm state, how it is reached without its
 * secrets, recent commands); POST /v1/sites/{id}/panel/commands records
 * a command (audited) and hands it to the tracker, answering 202 at once:
 * the outcome follows in the panel document and, for a command sent from
 * an alarm, in that alarm's detail and stream events. The same panel
 * section is added to an alarm's detail and to a site's file. */
#include "server/api.h"
#include "server/panel_commands.h"
#include "server/store_panel_commands.h"
#include "common/i18n.h"
#include "common/log.h"

#include <stdint.h>

/* Commands shown with an alarm or a site file: the last few tell the
 * operator what is under way; the panel document has more. */
#define API_PANEL_SECTION_COMMANDS 5

void api_site_panel_get(struct api_request *request, struct api_response *response)
{
    int64_t id;
    if (!api_param_id(request, 0, &id, response))
        return;
    cJSON *panel = NULL;
    struct store_error error = {{0}};
    int status =
        store_site_panel_json(request->api->store, id, PANEL_COMMANDS_RECENT_MAX, &panel, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    api_json(response, MHD_HTTP_OK, panel);
}

/* The body: {"command": "...", "zone": N (bypass only), "alarm_id": N}. */
static bool read_command(struct api_request *request, struct api_response *response,
                         struct panel_command_new *command)
{
    static const char *const fields[] = {"command", "zone", "alarm_id", NULL};
    cJSON *body = api_body_object(request, response, fields);
    if (!body)
        return false;
    const char *name = NULL;
    int64_t zone = 0, alarm_id = 0;
    bool ok = api_field_string(body, "command", true, 32, &name, response);
    if (ok && !panel_command_parse(name, &command->kind)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_command",
                  _("command must be arm-away, arm-stay, disarm or bypass-zone, not \"%s\""), name);
        ok = false;
    }
    bool bypass = ok && command->kind == PANEL_COMMAND_BYPASS_ZONE;
    ok = ok && api_field_int(body, "zone", bypass, 1, PANEL_ZONE_MAX, &zone, response) &&
         api_field_int(body, "alarm_id", false, 1, INT64_MAX, &alarm_id, response);
    if (ok && !bypass && cJSON_GetObjectItemCaseSensitive(body, "zone")) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_command", "%s",
                  _("a zone is given only with bypass-zone"));
        ok = false;
    }
    cJSON_Delete(body);
    command->zone = (int)zone;
    command->alarm_id = alarm_id;
    return ok;
}

/* The new command as the panel document lists it. */
static cJSON *command_json(cJSON *panel, int64_t command_id)
{
    cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(panel, "commands"))
    {
        if ((int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(item, "id")) ==
            command_id)
            return cJSON_DetachItemViaPointer(cJSON_GetObjectItemCaseSensitive(panel, "commands"),
                                              item);
    }
    return NULL;
}

void api_site_panel_command(struct api_request *request, struct api_response *response)
{
    struct panel_command_new command = {0};
    if (!api_param_id(request, 0, &command.site_id, response) ||
        !read_command(request, response, &command))
        return;
    struct store *store = request->api->store;
    struct store_error error = {{0}};
    cJSON *panel = NULL;
    int status = store_site_panel_json(store, command.site_id, 1, &panel, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    bool linked = cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(panel, "link"));
    cJSON_Delete(panel);
    if (!linked) {
        api_error(response, MHD_HTTP_CONFLICT, "no_panel_link",
                  _("site %lld has no panel connection: its panel cannot be commanded from the "
                    "centre (an administrator sets one with vigied panel set)"),
                  (long long)command.site_id);
        return;
    }
    if (!request->api->panel) {
        api_error(response, MHD_HTTP_SERVICE_UNAVAILABLE, "panel_unavailable", "%s",
                  _("the panel command tracker is not running: nothing was sent"));
        return;
    }
    int64_t id = 0;
    status = store_panel_command_create(store, &request->actor, &command, &id, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    if (!panel_commands_submit(request->api->panel, id)) {
        struct panel_command_end end = {"failed", NULL, _("the command tracker is busy"),
                                        PANEL_STATE_UNKNOWN};
        store_panel_command_finish(store, id, &end, &error);
        api_error(response, MHD_HTTP_SERVICE_UNAVAILABLE, "panel_unavailable", "%s",
                  _("too many panel commands in flight: nothing was sent, try again"));
        return;
    }
    log_info("panel", "command %lld: %s for site %lld by %s", (long long)id,
             panel_command_name(command.kind), (long long)command.site_id, request->actor.username);
    status =
        store_site_panel_json(store, command.site_id, PANEL_COMMANDS_RECENT_MAX, &panel, &error);
    cJSON *created = status == STORE_OK ? command_json(panel, id) : NULL;
    cJSON_Delete(panel);
    if (!created) {
        api_store_error(response, status == STORE_OK ? STORE_ERROR : status, &error);
        return;
    }
    api_json(response, MHD_HTTP_ACCEPTED, created);
}

static void add_section(struct api_request *request, cJSON *document, int64_t site_id)
{
    cJSON *panel = NULL;
    struct store_error error = {{0}};
    if (site_id <= 0 ||
        store_site_panel_json(request->api->store, site_id, API_PANEL_SECTION_COMMANDS, &panel,
                              &error) != STORE_OK) {
        cJSON_AddNullToObject(document, "panel");
        return;
    }
    cJSON_AddItemToObject(document, "panel", panel);
}

void api_panel_add_to_alarm(struct api_request *request, cJSON *alarm, int64_t site_id)
{
    add_section(request, alarm, site_id);
}

void api_panel_add_to_site(struct api_request *request, cJSON *site, int64_t site_id)
{
    add_section(request, site, site_id);
}
