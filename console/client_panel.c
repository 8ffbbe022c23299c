/* client_panel.c: the panel command request, made with the client's own
 * request machinery (client_internal.h) like every other action. */
#include "console/client_panel.h"
#include "console/client_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* As every action: only on a live link, so that an operator never waits
 * for a command that went to a backend that may be gone. */
static bool can_command(const struct client *client, int64_t site_id)
{
    return client && site_id > 0 && client->link == CLIENT_LINK_LIVE &&
           client->phase == CLIENT_PHASE_STREAM && client->token[0];
}

int client_panel_command(struct client *client, int64_t site_id, int64_t alarm_id,
                         const char *command, int zone)
{
    if (!can_command(client, site_id) || !command)
        return -1;
    cJSON *body = cJSON_CreateObject();
    bool ok = body && cJSON_AddStringToObject(body, "command", command) &&
              (zone <= 0 || cJSON_AddNumberToObject(body, "zone", zone)) &&
              (alarm_id <= 0 || cJSON_AddNumberToObject(body, "alarm_id", (double)alarm_id));
    char *text = ok ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    if (!text)
        return -1;
    char path[CLIENT_PATH_SIZE];
    snprintf(path, sizeof path, "/v1/sites/%lld/panel/commands", (long long)site_id);
    struct client_request *request = client_request_new(client, CLIENT_REQUEST_ACTION, path, text);
    free(text);
    if (!request)
        return -1;
    request->alarm_id = alarm_id;
    int id = request->id;
    return client_request_submit(client, request) ? id : -1;
}
