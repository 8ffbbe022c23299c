/* api_massalert_status.c: a mass alert after it was sent: the list, one
 * alert with its counts per channel and its replies, its recipients page
 * by page, cancelling what is not yet sent, and relaying a reply into an
 * alarm. */
#include "server/api.h"
#include "server/outbox.h"
#include "server/store_escalations.h"
#include "server/store_massalerts.h"
#include "common/i18n.h"

/* The list shows the latest alerts; older ones are in the report. */
#define MASSALERT_LIST_MAX 100

void api_massalerts_list(struct api_request *request, struct api_response *response)
{
    int64_t limit = 0;
    if (!api_query_int(request, "limit", 1, MASSALERT_LIST_MAX, 50, &limit, response))
        return;
    cJSON *list = NULL;
    struct store_error error = {{0}};
    int status = store_massalerts_list_json(request->api->store, (int)limit, &list, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    cJSON *answer = cJSON_CreateObject();
    cJSON_AddItemToObject(answer, "massalerts", list);
    api_json(response, MHD_HTTP_OK, answer);
}

void api_massalerts_get(struct api_request *request, struct api_response *response)
{
    int64_t id = 0;
    if (!api_param_id(request, 0, &id, response))
        return;
    cJSON *alert = NULL;
    struct store_error error = {{0}};
    int status = store_massalert_json(request->api->store, id, &alert, &error);
    if (status == STORE_OK)
        api_json(response, MHD_HTTP_OK, alert);
    else
        api_store_error(response, status, &error);
}

void api_massalerts_recipients(struct api_request *request, struct api_response *response)
{
    int64_t id = 0, offset = 0, limit = 0;
    if (!api_param_id(request, 0, &id, response) ||
        !api_query_int(request, "offset", 0, INT32_MAX, 0, &offset, response) ||
        !api_query_int(request, "limit", 1, MASSALERT_PAGE_MAX, 100, &limit, response))
        return;
    cJSON *page = NULL;
    struct store_error error = {{0}};
    int status =
        store_massalert_recipients_json(request->api->store, id, offset, limit, &page, &error);
    if (status == STORE_OK)
        api_json(response, MHD_HTTP_OK, page);
    else
        api_store_error(response, status, &error);
}

void api_massalerts_cancel(struct api_request *request, struct api_response *response)
{
    int64_t id = 0, not_sent = 0;
    if (!api_param_id(request, 0, &id, response))
        return;
    struct store_error error = {{0}};
    int status =
        store_massalert_cancel(request->api->store, &request->actor, id, &not_sent, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    cJSON *answer = cJSON_CreateObject();
    cJSON_AddStringToObject(answer, "state", "cancelled");
    cJSON_AddNumberToObject(answer, "not_sent", (double)not_sent);
    api_json(response, MHD_HTTP_OK, answer);
}

void api_massalerts_relay(struct api_request *request, struct api_response *response)
{
    static const char *const allowed[] = {"alarm_id", "escalations", NULL};
    int64_t id = 0, reply = 0, alarm_id = 0;
    if (!api_param_id(request, 0, &id, response) || !api_param_id(request, 1, &reply, response))
        return;
    cJSON *body = api_body_object(request, response, allowed);
    if (!body)
        return;
    bool ok = api_field_int(body, "alarm_id", true, 1, INT64_MAX, &alarm_id, response);
    const cJSON *escalations = cJSON_GetObjectItemCaseSensitive(body, "escalations");
    if (ok && escalations && !cJSON_IsBool(escalations)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "wrong_type",
                  _("escalations must be true or false"));
        ok = false;
    }
    bool to_services = cJSON_IsTrue(escalations);
    cJSON_Delete(body);
    if (!ok)
        return;
    /* To the services: each agency's settings, should the alarm have been
     * escalated to it. */
    char sender[CAP_SENDER_SIZE];
    struct escalation_policy policies[CAP_AGENCY_COUNT];
    for (int a = 0; to_services && a < CAP_AGENCY_COUNT; a++)
        api_escalation_policy(request->api->config, (enum cap_agency)a, sender, &policies[a]);
    struct store_massalert_relay relay = {id, reply, alarm_id, to_services ? policies : NULL};
    struct store_error error = {{0}};
    int updates = 0;
    int status =
        store_massalert_relay(request->api->store, &request->actor, &relay, &updates, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    if (updates > 0)
        outbox_wake(request->api->outbox);
    cJSON *answer = cJSON_CreateObject();
    cJSON_AddNumberToObject(answer, "reply_id", (double)reply);
    cJSON_AddNumberToObject(answer, "alarm_id", (double)alarm_id);
    cJSON_AddNumberToObject(answer, "escalation_updates", updates);
    api_json(response, MHD_HTTP_OK, answer);
}
