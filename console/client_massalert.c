/* client_massalert.c: the mass alert requests, made with the client's own
 * request machinery (client_internal.h). */
#include "console/client_massalert.h"
#include "console/client_internal.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const channel_names[MASSALERT_CHANNEL_COUNT] = {"sms", "email", "voice", "push"};

const char *client_massalert_channel_name(enum client_massalert_channel channel)
{
    return channel >= 0 && channel < MASSALERT_CHANNEL_COUNT ? channel_names[channel] : "";
}

/* As every action: only on a live link, so that an operator never waits
 * for an alert that went to a backend that may be gone. */
static bool link_live(const struct client *client)
{
    return client && client->link == CLIENT_LINK_LIVE && client->phase == CLIENT_PHASE_STREAM &&
           client->token[0];
}

static int submit(struct client *client, const char *path, cJSON *body)
{
    char *json = body ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    if (!json)
        return -1;
    struct client_request *request =
        client_request_new(client, CLIENT_REQUEST_DOCUMENT, path, json);
    free(json);
    if (!request)
        return -1;
    int id = request->id;
    return client_request_submit(client, request) ? id : -1;
}

/* The dry run's body (the API refuses fields it does not know there). */
static cJSON *area_body(const struct client_massalert_body *body)
{
    cJSON *json = cJSON_CreateObject();
    cJSON *circle = cJSON_AddObjectToObject(cJSON_AddObjectToObject(json, "area"), "circle");
    cJSON_AddNumberToObject(circle, "lat", body->centre.lat);
    cJSON_AddNumberToObject(circle, "lon", body->centre.lon);
    cJSON_AddNumberToObject(circle, "radius_m", body->radius_m);
    cJSON *channels = cJSON_AddArrayToObject(json, "channels");
    for (int c = 0; c < MASSALERT_CHANNEL_COUNT; c++)
        if (body->channels & MASSALERT_CHANNEL(c))
            cJSON_AddItemToArray(channels, cJSON_CreateString(channel_names[c]));
    if (body->message && body->message[0])
        cJSON_AddStringToObject(json, "message", body->message);
    return json;
}

int client_massalert_dry_run(struct client *client, const struct client_massalert_body *body)
{
    if (!link_live(client) || !body)
        return -1;
    cJSON *json = area_body(body);
    cJSON_AddBoolToObject(json, "dry_run", true);
    return submit(client, "/v1/massalerts", json);
}

int client_massalert_send(struct client *client, const struct client_massalert_body *body)
{
    if (!link_live(client) || !body || !body->message || !body->message[0])
        return -1;
    cJSON *json = area_body(body);
    if (body->template_id && body->template_id[0])
        cJSON_AddStringToObject(json, "template", body->template_id);
    if (body->language && body->language[0])
        cJSON_AddStringToObject(json, "language", body->language);
    cJSON *centre = cJSON_AddObjectToObject(json, "centre");
    if (body->centre_label && body->centre_label[0])
        cJSON_AddStringToObject(centre, "label", body->centre_label);
    if (body->alarm_id > 0)
        cJSON_AddNumberToObject(centre, "alarm_id", (double)body->alarm_id);
    return submit(client, "/v1/massalerts", json);
}

int client_massalert_cancel(struct client *client, int64_t alert_id)
{
    if (!link_live(client) || alert_id <= 0)
        return -1;
    char path[CLIENT_PATH_SIZE];
    snprintf(path, sizeof path, "/v1/massalerts/%lld/cancel", (long long)alert_id);
    return submit(client, path, cJSON_CreateObject());
}

int client_massalert_relay(struct client *client, int64_t alert_id, int64_t reply_id,
                           int64_t alarm_id, bool to_services)
{
    if (!link_live(client) || alert_id <= 0 || reply_id <= 0 || alarm_id <= 0)
        return -1;
    char path[CLIENT_PATH_SIZE];
    snprintf(path, sizeof path, "/v1/massalerts/%lld/replies/%lld/relay", (long long)alert_id,
             (long long)reply_id);
    cJSON *json = cJSON_CreateObject();
    cJSON_AddNumberToObject(json, "alarm_id", (double)alarm_id);
    if (to_services)
        cJSON_AddTrueToObject(json, "escalations");
    return submit(client, path, json);
}

static size_t report_write(char *data, size_t size, size_t count, void *closure)
{
    return fwrite(data, size, count, closure) * size;
}

int client_massalert_report(struct client *client, int64_t alert_id, FILE *file)
{
    if (!link_live(client) || alert_id <= 0 || !file)
        return -1;
    char path[CLIENT_PATH_SIZE];
    snprintf(path, sizeof path, "/v1/massalerts/%lld/report.csv", (long long)alert_id);
    struct client_request *request =
        client_request_new(client, CLIENT_REQUEST_DOCUMENT, path, NULL);
    if (!request)
        return -1;
    /* Into the file, not the JSON buffer: a report of 100,000 recipients
     * is megabytes that the console never needs to hold. */
    curl_easy_setopt(request->easy, CURLOPT_WRITEFUNCTION, report_write);
    curl_easy_setopt(request->easy, CURLOPT_WRITEDATA, file);
    int id = request->id;
    return client_request_submit(client, request) ? id : -1;
}
