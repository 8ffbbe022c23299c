/* api_sites_validation.c: POST /v1/sites/{id}/validation {"validated":
 * true|false}: a site validated for mass alerts (its agents may be
 * targeted) or withdrawn, with who did it and when, audited. Only an
 * administrator validates, as he vets agents (see api_agents.c). */
#include "server/api.h"
#include "server/store_agents_admin.h"
#include "common/clock.h"
#include "common/i18n.h"

void api_sites_validation(struct api_request *request, struct api_response *response)
{
    static const char *const fields[] = {"validated", NULL};
    int64_t id = 0;
    if (!api_param_id(request, 0, &id, response))
        return;
    cJSON *body = api_body_object(request, response, fields);
    if (!body)
        return;
    cJSON *validated = cJSON_GetObjectItemCaseSensitive(body, "validated");
    if (!cJSON_IsBool(validated)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "missing_field",
                  _("the field \"%s\" must be true or false"), "validated");
        cJSON_Delete(body);
        return;
    }
    struct store_site_validation site;
    struct store_error error = {{0}};
    int status = store_site_validate(request->api->store, &request->actor, id,
                                     cJSON_IsTrue(validated), &site, &error);
    cJSON_Delete(body);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    cJSON *answer = cJSON_CreateObject();
    cJSON_AddNumberToObject(answer, "site_id", (double)site.site_id);
    cJSON_AddStringToObject(answer, "name", site.site_name);
    cJSON_AddBoolToObject(answer, "validated", site.validated);
    if (site.validated) {
        char at[CLOCK_RFC3339_SIZE];
        clock_format_rfc3339(site.validated_at, at);
        cJSON_AddStringToObject(answer, "validated_by", site.validated_by);
        cJSON_AddStringToObject(answer, "validated_at", at);
    } else {
        cJSON_AddNullToObject(answer, "validated_by");
        cJSON_AddNullToObject(answer, "validated_at");
    }
    api_json(response, MHD_HTTP_OK, answer);
}
