/* api_massalert_send.c: POST /v1/massalerts without "dry_run": the agents
 * the dry run would count are selected again (the same rules, at send
 * time), the alert is written with that selection frozen, and the answer
 * comes at once; its recipients and one message per recipient and
 * channel follow, a chunk per store job (store_massalert_fanout.h), and
 * the outbox's worker sends them as they land. */
#include "server/api_massalerts.h"
#include "server/outbox.h"
#include "server/store_massalerts.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The selected agents, grown as the audience is read. */
struct picks {
    struct massalert_pick *items;
    size_t count, capacity;
    int64_t excluded[MASSALERT_VERDICTS];
    bool out_of_memory;
};

static void keep_pick(void *context, const struct massalert_agent *agent)
{
    struct picks *picks = context;
    if (agent->verdict != MASSALERT_SELECTED) {
        picks->excluded[agent->verdict]++;
        return;
    }
    if (picks->count == picks->capacity) {
        size_t capacity = picks->capacity ? picks->capacity * 2 : 256;
        struct massalert_pick *grown = realloc(picks->items, capacity * sizeof *grown);
        if (!grown) {
            picks->out_of_memory = true;
            return;
        }
        picks->items = grown;
        picks->capacity = capacity;
    }
    picks->items[picks->count++] = (struct massalert_pick){agent->agent_id, agent->site_id,
                                                           agent->distance_m, agent->reachable};
}

/* "centre": {"label": "...", "alarm_id": N}, both optional. */
static bool parse_centre(cJSON *body, const char **label, int64_t *alarm_id,
                         struct api_response *response)
{
    *label = NULL;
    *alarm_id = 0;
    cJSON *centre = cJSON_GetObjectItemCaseSensitive(body, "centre");
    if (!centre || cJSON_IsNull(centre))
        return true;
    if (!cJSON_IsObject(centre)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_centre",
                  _("centre must be {\"label\": \"...\", \"alarm_id\": N}"));
        return false;
    }
    return api_field_string(centre, "label", false, MASSALERT_LABEL_MAX, label, response) &&
           api_field_int(centre, "alarm_id", false, 1, INT64_MAX, alarm_id, response);
}

static cJSON *created_json(const struct store_massalert_created *created, unsigned channels,
                           const struct picks *picks)
{
    cJSON *answer = cJSON_CreateObject();
    cJSON_AddNumberToObject(answer, "id", (double)created->id);
    cJSON_AddNumberToObject(answer, "recipients", (double)created->recipients);
    cJSON *deliveries = cJSON_AddObjectToObject(answer, "deliveries");
    for (int c = 0; c < MASSALERT_CHANNELS; c++)
        if (channels & MASSALERT_CHANNEL_BIT(c))
            cJSON_AddNumberToObject(deliveries, massalert_channel_name((enum massalert_channel)c),
                                    (double)created->deliveries[c]);
    cJSON *excluded = cJSON_AddObjectToObject(answer, "excluded");
    for (int v = MASSALERT_NOT_VETTED; v < MASSALERT_VERDICTS; v++)
        cJSON_AddNumberToObject(excluded, massalert_verdict_name((enum massalert_verdict)v),
                                (double)picks->excluded[v]);
    return answer;
}

void api_massalerts_send(struct api_request *request, struct api_response *response, cJSON *body,
                         const struct massalert_area *area, unsigned channels, const char *message)
{
    const char *template_name = NULL, *language = NULL, *label = NULL;
    int64_t alarm_id = 0, expires_in_s = MASSALERT_EXPIRY_DEFAULT_S;
    if (!message || !message[strspn(message, " \t\r\n")]) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_message",
                  _("the message is empty: say what the agents must do"));
        return;
    }
    if (!api_field_string(body, "template", false, MASSALERT_TEMPLATE_MAX, &template_name,
                          response) ||
        !api_field_string(body, "language", false, 8, &language, response) ||
        !parse_centre(body, &label, &alarm_id, response) ||
        !api_field_int(body, "expires_in_s", false, 60, MASSALERT_EXPIRY_MAX_S, &expires_in_s,
                       response))
        return;
    struct api_context *api = request->api;
    struct picks picks = {0};
    struct store_error error = {{0}};
    int status = store_massalert_audience(api->store, area, channels, clock_now_ms(), keep_pick,
                                          &picks, &error);
    if (status == STORE_OK && picks.out_of_memory) {
        snprintf(error.message, sizeof error.message, "out of memory");
        status = STORE_ERROR;
    }
    if (status == STORE_OK && picks.count == 0) {
        api_error(response, 422, "no_recipients",
                  _("no vetted agent on duty is reachable in this circle: nothing was sent"));
        free(picks.items);
        return;
    }
    struct store_massalert_new alert = {
        .area = *area,
        .channels = channels,
        .message = message,
        .template_name = template_name,
        .language = language,
        .centre_label = label,
        .alarm_id = alarm_id,
        .expires_in_ms = expires_in_s * 1000,
        .public_url = api->config->public_url,
        .picks = picks.items,
        .pick_count = picks.count,
    };
    memcpy(alert.excluded, picks.excluded, sizeof alert.excluded);
    struct store_massalert_created created = {0};
    if (status == STORE_OK)
        status = store_massalert_create(api->store, &request->actor, &alert, &created, &error);
    if (status == STORE_OK) {
        outbox_wake(api->outbox);
        api_json(response, MHD_HTTP_CREATED, created_json(&created, channels, &picks));
    } else {
        api_store_error(response, status, &error);
    }
    free(picks.items);
}
