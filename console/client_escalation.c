/* client_escalation.c: the escalation request, made with the client's own
 * request machinery (client_internal.h). */
#include "console/client_escalation.h"
#include "console/client_internal.h"

#include <stdio.h>
#include <stdlib.h>

/* As every action: only on a live link, so that an operator never waits
 * for an escalation that went to a backend that may be gone; she phones. */
static bool can_escalate(const struct client *client, int64_t alarm_id)
{
    return client && alarm_id > 0 && client->link == CLIENT_LINK_LIVE &&
           client->phase == CLIENT_PHASE_STREAM && client->token[0];
}

int client_escalate(struct client *client, int64_t alarm_id, const char *agency, const char *text)
{
    if (!can_escalate(client, alarm_id) || !agency)
        return -1;
    cJSON *body = cJSON_CreateObject();
    bool ok = body && cJSON_AddStringToObject(body, "agency", agency) &&
              (!text || !text[0] || cJSON_AddStringToObject(body, "text", text));
    char *json = ok ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    if (!json)
        return -1;
    char path[CLIENT_PATH_SIZE];
    snprintf(path, sizeof path, "/v1/alarms/%lld/escalations", (long long)alarm_id);
    struct client_request *request =
        client_request_new(client, CLIENT_REQUEST_DOCUMENT, path, json);
    free(json);
    if (!request)
        return -1;
    request->alarm_id = alarm_id;
    int id = request->id;
    return client_request_submit(client, request) ? id : -1;
}
