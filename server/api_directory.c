/* api_directory.c: the reference data an operator opens beside an alarm:
 * GET /v1/sites/{id}, GET /v1/victims/{id} (every read audited, or
 * refused) and GET /v1/procedures?site=ID&class=CLASS. */
#include "server/api.h"
#include "server/store_directory.h"
#include "common/i18n.h"

#include <stdint.h>

void api_sites_get(struct api_request *request, struct api_response *response)
{
    int64_t id;
    if (!api_param_id(request, 0, &id, response))
        return;
    cJSON *site = NULL;
    struct store_error error = {{0}};
    int status = store_site_json(request->api->store, id, &site, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    api_panel_add_to_site(request, site, id);
    api_json(response, MHD_HTTP_OK, site);
}

/* A victim's file is confidential: it leaves the server only once the
 * read is in the audit log. An unknown id discloses nothing, so it is
 * answered 404 without an audit row. */
void api_victims_get(struct api_request *request, struct api_response *response)
{
    int64_t id;
    if (!api_param_id(request, 0, &id, response))
        return;
    cJSON *file = NULL;
    struct store_error error = {{0}};
    int status = store_victim_json(request->api->store, id, &file, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    status = store_audit_record(request->api->store, &request->actor, "victim.read", "victim", id,
                                NULL, &error);
    if (status != STORE_OK) {
        cJSON_Delete(file);
        api_error(response, MHD_HTTP_SERVICE_UNAVAILABLE, "audit_unavailable",
                  _("the read of a victim's file cannot be audited, so it is refused: %s"),
                  error.message);
        return;
    }
    api_json(response, MHD_HTTP_OK, file);
}

void api_procedures_list(struct api_request *request, struct api_response *response)
{
    const char *site_text = api_query(request, "site");
    const char *alarm_class = api_query(request, "class");
    if (!site_text || !alarm_class) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "missing_parameter",
                  _("the parameters \"site\" and \"class\" are required"));
        return;
    }
    int64_t site_id;
    if (!api_query_int(request, "site", 1, INT64_MAX, 0, &site_id, response))
        return;
    if (!alarm_class_is_known(alarm_class)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_class", _("unknown alarm class \"%s\""),
                  alarm_class);
        return;
    }
    cJSON *procedures = NULL;
    struct store_error error = {{0}};
    int status =
        store_procedures_json(request->api->store, site_id, alarm_class, &procedures, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    api_json(response, MHD_HTTP_OK, procedures);
}
