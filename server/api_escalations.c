/* api_escalations.c: escalating an alarm to the emergency services over
 * HTTP: POST /v1/alarms/{id}/escalations (an operator: the agency and a
 * line of text; the server writes the documents and queues them),
 * GET /v1/alarms/{id}/escalations (each escalation with its delivery
 * state; with ?draft=true also the document an escalation would send now,
 * for the console's dialog), and the "escalations" section of the alarm's
 * detail. An escalation's state sums up its messages: delivered as soon as
 * one gateway took it (with that gateway's reference), failed when every
 * message failed (then the number to phone), else sending or queued. */
#include "server/api.h"
#include "server/outbox.h"
#include "server/store_escalations.h"
#include "server/store_outbox.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(CAP_AGENCY_COUNT == CONFIG_AGENCIES, "one settings block per agency");

/* The CAP sender: the setting, else vigie@NODE with what CAP forbids
 * replaced. */
static void sender_of(const struct server_config *config, char *out, size_t size)
{
    if (config->escalation_sender[0])
        snprintf(out, size, "%s", config->escalation_sender);
    else
        snprintf(out, size, "vigie@%s", config->node_name);
    cap_identifier_clean(out);
}

static void add_time_or_null(cJSON *object, const char *name, int64_t ms)
{
    if (ms <= 0) {
        cJSON_AddNullToObject(object, name);
        return;
    }
    char text[CLOCK_RFC3339_SIZE];
    clock_format_rfc3339(ms, text);
    cJSON_AddStringToObject(object, name, text);
}

static void add_text_or_null(cJSON *object, const char *name, const char *text)
{
    if (text && text[0])
        cJSON_AddStringToObject(object, name, text);
    else
        cJSON_AddNullToObject(object, name);
}

/* ---- an escalation as JSON ---- */

struct summary {
    cJSON *deliveries;
    int count, delivered, failed, sending, attempts;
    char reference[OUTBOX_REFERENCE_SIZE];
    char last_error[OUTBOX_ERROR_SIZE];
    int64_t delivered_at, updated_at, error_at, next_attempt_at;
};

static void add_delivery(void *context, const struct store_outbox_row *row)
{
    struct summary *s = context;
    cJSON *item = cJSON_CreateObject();
    cJSON_AddNumberToObject(item, "id", (double)row->id);
    cJSON_AddStringToObject(item, "format", row->format);
    cJSON_AddStringToObject(item, "channel", row->channel);
    cJSON_AddStringToObject(item, "recipient", row->recipient);
    cJSON_AddStringToObject(item, "state", outbox_state_name(row->state));
    cJSON_AddNumberToObject(item, "attempts", row->attempts);
    cJSON_AddNumberToObject(item, "max_attempts", row->max_attempts);
    add_text_or_null(item, "reference", row->reference);
    add_text_or_null(item, "last_error", row->last_error);
    add_time_or_null(item, "next_attempt_at",
                     row->state == OUTBOX_QUEUED ? row->next_attempt_at : 0);
    add_time_or_null(item, "deadline_at", row->deadline_at);
    add_time_or_null(item, "last_attempt_at", row->last_attempt_at);
    add_time_or_null(item, "delivered_at", row->delivered_at);
    add_time_or_null(item, "updated_at", row->updated_at);
    cJSON_AddItemToArray(s->deliveries, item);
    s->count++;
    s->attempts += row->attempts;
    if (row->updated_at > s->updated_at)
        s->updated_at = row->updated_at;
    if (row->state == OUTBOX_DELIVERED && s->delivered++ == 0) {
        snprintf(s->reference, sizeof s->reference, "%s", row->reference);
        s->delivered_at = row->delivered_at;
    }
    if (row->state == OUTBOX_FAILED)
        s->failed++;
    if (row->state == OUTBOX_SENDING)
        s->sending++;
    if (row->state == OUTBOX_QUEUED &&
        (s->next_attempt_at == 0 || row->next_attempt_at < s->next_attempt_at))
        s->next_attempt_at = row->next_attempt_at;
    if (row->state != OUTBOX_DELIVERED && row->last_error[0] && row->updated_at >= s->error_at) {
        snprintf(s->last_error, sizeof s->last_error, "%s", row->last_error);
        s->error_at = row->updated_at;
    }
}

/* Escalations of one alarm shown at most: police, then an ambulance, a
 * retry or two; more means something loops, and the oldest are shown. */
#define ESCALATIONS_SHOWN_MAX 64

/* The escalations are copied first and their messages read after, so
 * that one request never holds two of the store's read connections. */
struct escalation_list {
    struct store_escalation *items;
    size_t count;
};

static void collect_escalation(void *context, const struct store_escalation *e)
{
    struct escalation_list *list = context;
    if (list->items && list->count < ESCALATIONS_SHOWN_MAX)
        list->items[list->count++] = *e;
}

static cJSON *escalation_json(struct api_request *request, const struct store_escalation *e,
                              struct store_error *error, int *status)
{
    struct summary s = {.deliveries = cJSON_CreateArray()};
    *status = store_outbox_list(request->api->store, ESCALATION_OUTBOX_KIND, e->id, add_delivery,
                                &s, error);
    if (*status != STORE_OK) {
        cJSON_Delete(s.deliveries);
        return NULL;
    }
    const char *state = s.delivered                          ? "delivered"
                        : s.count > 0 && s.failed == s.count ? "failed"
                        : s.sending                          ? "sending"
                                                             : "queued";
    const struct server_config *config = request->api->config;
    cJSON *item = cJSON_CreateObject();
    cJSON_AddNumberToObject(item, "id", (double)e->id);
    cJSON_AddStringToObject(item, "agency", cap_agency_name(e->agency));
    cJSON_AddStringToObject(item, "state", state);
    cJSON_AddNumberToObject(item, "attempts", s.attempts);
    add_text_or_null(item, "reference", s.reference);
    add_text_or_null(item, "last_error", s.delivered ? "" : s.last_error);
    add_text_or_null(item, "fallback_phone",
                     strcmp(state, "failed") == 0 ? config->agencies[e->agency].phone : "");
    cJSON_AddStringToObject(item, "identifier", e->identifier);
    if (e->updates_id > 0)
        cJSON_AddNumberToObject(item, "updates_id", (double)e->updates_id);
    else
        cJSON_AddNullToObject(item, "updates_id");
    add_text_or_null(item, "text", e->text);
    cJSON_AddStringToObject(item, "by", e->username);
    add_time_or_null(item, "created_at", e->created_at);
    add_time_or_null(item, "updated_at", s.updated_at);
    add_time_or_null(item, "delivered_at", s.delivered_at);
    add_time_or_null(item, "next_attempt_at", s.delivered ? 0 : s.next_attempt_at);
    cJSON_AddItemToObject(item, "deliveries", s.deliveries);
    return item;
}

static cJSON *escalations_json(struct api_request *request, int64_t alarm_id,
                               struct store_error *error, int *status)
{
    struct escalation_list list = {calloc(ESCALATIONS_SHOWN_MAX, sizeof *list.items), 0};
    if (!list.items) {
        snprintf(error->message, sizeof error->message, "out of memory");
        *status = STORE_ERROR;
        return NULL;
    }
    *status =
        store_escalations_list(request->api->store, alarm_id, collect_escalation, &list, error);
    cJSON *array = *status == STORE_OK ? cJSON_CreateArray() : NULL;
    for (size_t i = 0; array && i < list.count; i++) {
        cJSON *item = escalation_json(request, &list.items[i], error, status);
        if (!item) {
            cJSON_Delete(array);
            array = NULL;
            break;
        }
        cJSON_AddItemToArray(array, item);
    }
    free(list.items);
    return array;
}

bool api_escalations_add_to_alarm(struct api_request *request, cJSON *alarm, int64_t alarm_id)
{
    struct store_error error = {{0}};
    int status;
    cJSON *array = escalations_json(request, alarm_id, &error, &status);
    if (!array)
        return false;
    cJSON_AddItemToObject(alarm, "escalations", array);
    return true;
}

/* ---- the agencies and the draft ---- */

static cJSON *agencies_json(const struct server_config *config)
{
    cJSON *array = cJSON_CreateArray();
    for (int i = 0; i < CAP_AGENCY_COUNT; i++) {
        const struct config_agency *agency = &config->agencies[i];
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "agency", cap_agency_name((enum cap_agency)i));
        cJSON_AddBoolToObject(item, "configured", agency->cap_urls[0] || agency->json_urls[0]);
        cJSON_AddBoolToObject(item, "cap", agency->cap_urls[0] != '\0');
        cJSON_AddBoolToObject(item, "json", agency->json_urls[0] != '\0');
        add_text_or_null(item, "phone", agency->phone);
        cJSON_AddItemToArray(array, item);
    }
    return array;
}

static enum cap_language language_of(const struct server_config *config)
{
    return strcmp(config->event_labels, "fr") == 0 ? CAP_LANGUAGE_FRENCH : CAP_LANGUAGE_ENGLISH;
}

/* The JSON document an escalation would send now ("draft" for its
 * identifier). It holds the victim's details, so its read is audited as
 * a read of her file; false (with the response filled) when refused. */
static bool add_draft(struct api_request *request, struct api_response *response, cJSON *body,
                      int64_t alarm_id)
{
    struct cap_facts *facts = calloc(1, sizeof *facts);
    struct store_error error = {{0}};
    int status =
        facts ? store_escalation_facts(request->api->store, alarm_id, facts, &error) : STORE_ERROR;
    if (status != STORE_OK) {
        free(facts);
        api_store_error(response, status, &error);
        return false;
    }
    if (facts->victim_id > 0 &&
        store_audit_record(request->api->store, &request->actor, "victim.read", "victim",
                           facts->victim_id, "{\"via\":\"escalation-draft\"}",
                           &error) != STORE_OK) {
        free(facts);
        api_error(response, MHD_HTTP_SERVICE_UNAVAILABLE, "audit_unavailable",
                  _("the read of a victim's file cannot be audited, so it is refused: %s"),
                  error.message);
        return false;
    }
    snprintf(facts->identifier, sizeof facts->identifier, "draft");
    sender_of(request->api->config, facts->sender, sizeof facts->sender);
    snprintf(facts->contact, sizeof facts->contact, "%s", request->api->config->escalation_contact);
    facts->language = language_of(request->api->config);
    facts->sent_ms = clock_now_ms();
    facts->utc_offset_minutes =
        escalation_utc_offset(request->api->config->centre_timezone, facts->sent_ms);
    snprintf(facts->operator_name, sizeof facts->operator_name, "%s", request->actor.username);
    char *text = cap_write_json(facts);
    free(facts);
    cJSON *draft = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!draft) {
        api_error(response, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                  _("the escalation's document cannot be written"));
        return false;
    }
    cJSON_AddItemToObject(body, "draft", draft);
    return true;
}

/* ---- handlers ---- */

void api_escalations_list(struct api_request *request, struct api_response *response)
{
    int64_t id;
    if (!api_param_id(request, 0, &id, response))
        return;
    const char *draft = api_query(request, "draft");
    bool want_draft = draft && (strcmp(draft, "true") == 0 || strcmp(draft, "1") == 0);
    if (draft && !want_draft && strcmp(draft, "false") != 0 && strcmp(draft, "0") != 0) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                  _("draft must be true or false"));
        return;
    }
    struct alarm *alarm = malloc(sizeof *alarm);
    struct store_error error = {{0}};
    int status = alarm ? store_alarm_get(request->api->store, id, alarm, &error) : STORE_ERROR;
    free(alarm);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    cJSON *escalations = escalations_json(request, id, &error, &status);
    if (!escalations) {
        api_store_error(response, status, &error);
        return;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddNumberToObject(body, "alarm_id", (double)id);
    cJSON_AddItemToObject(body, "escalations", escalations);
    cJSON_AddItemToObject(body, "agencies", agencies_json(request->api->config));
    if (want_draft && !add_draft(request, response, body, id)) {
        cJSON_Delete(body);
        return;
    }
    api_json(response, MHD_HTTP_OK, body);
}

void api_escalation_policy(const struct server_config *config, enum cap_agency agency,
                           char sender[CAP_SENDER_SIZE], struct escalation_policy *out)
{
    sender_of(config, sender, CAP_SENDER_SIZE);
    *out = (struct escalation_policy){
        .sender = sender,
        .contact = config->escalation_contact,
        .language = language_of(config),
        .cap_urls = config->agencies[agency].cap_urls,
        .json_urls = config->agencies[agency].json_urls,
        .phone = config->agencies[agency].phone,
        .timezone = config->centre_timezone,
        .max_attempts = config->escalation_attempts_max,
        .deadline_ms = (int64_t)config->escalation_deadline_s * 1000,
    };
}

void api_escalations_create(struct api_request *request, struct api_response *response)
{
    int64_t id;
    if (!api_param_id(request, 0, &id, response))
        return;
    static const char *const fields[] = {"agency", "text", NULL};
    cJSON *body = api_body_object(request, response, fields);
    if (!body)
        return;
    const char *agency_name = NULL, *text = NULL;
    enum cap_agency agency;
    if (!api_field_string(body, "agency", true, 32, &agency_name, response) ||
        !api_field_string(body, "text", false, CAP_OPERATOR_TEXT_MAX, &text, response)) {
        cJSON_Delete(body);
        return;
    }
    if (!cap_agency_parse(agency_name, &agency)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_agency",
                  _("agency must be police, gendarmerie, fire or medical, not \"%s\""),
                  agency_name);
        cJSON_Delete(body);
        return;
    }
    char sender[CAP_SENDER_SIZE];
    struct escalation_policy policy;
    api_escalation_policy(request->api->config, agency, sender, &policy);
    struct escalation_request escalation = {.alarm_id = id, .agency = agency, .text = text};
    struct store_error error = {{0}};
    int status = store_escalation_create(request->api->store, &request->actor, &escalation, &policy,
                                         NULL, &error);
    cJSON_Delete(body);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    outbox_wake(request->api->outbox);
    api_alarms_get(request, response);
    if (response->status == MHD_HTTP_OK)
        response->status = MHD_HTTP_CREATED;
}
