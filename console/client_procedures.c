/* client_procedures.c: marking a step of an alarm's checklist. */
#include "console/client_procedures.h"
#include "console/client_internal.h"

#include <stdio.h>
#include <stdlib.h>

/* As for the other actions: only on a live link. */
static bool link_live(const struct client *client)
{
    return client && client->link == CLIENT_LINK_LIVE && client->phase == CLIENT_PHASE_STREAM &&
           client->token[0];
}

int client_procedure_mark(struct client *client, int64_t alarm_id, int64_t step_id,
                          const char *state, const char *note)
{
    if (!link_live(client) || alarm_id <= 0 || step_id <= 0 || !state)
        return -1;
    cJSON *body = cJSON_CreateObject();
    bool ok = body && cJSON_AddStringToObject(body, "state", state) &&
              (!note || !note[0] || cJSON_AddStringToObject(body, "note", note));
    char *text = ok ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    if (!text)
        return -1;
    char path[CLIENT_PATH_SIZE];
    snprintf(path, sizeof path, "/v1/alarms/%lld/procedure/steps/%lld", (long long)alarm_id,
             (long long)step_id);
    struct client_request *request =
        client_request_new(client, CLIENT_REQUEST_DOCUMENT, path, text);
    free(text);
    if (!request)
        return -1;
    request->alarm_id = alarm_id;
    int id = request->id;
    return client_request_submit(client, request) ? id : -1;
}
