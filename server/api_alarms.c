/* api_alarms.c: the alarm queue over HTTP: list, read, record by hand, and
 * the operator actions. Handlers validate and translate; the rules of
 * actions are in alarm.c and are applied by the store. */
#include "server/api.h"
#include "server/alarm_summary.h"
#include "server/metrics.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A list answer holds at most this many alarms; clients page with since. */
#define ALARMS_LIST_MAX     5000
#define ALARMS_LIST_DEFAULT 1000

/* The list's JSON, written summary by summary into one growing buffer:
 * a page of 5,000 alarms is ~2 MB, and building it as a cJSON tree first
 * cost most of the time to serve it (a console that starts reads 100,000
 * alarms, 20 pages, before it may say LIVE). */
struct list_text {
    char *text;
    size_t length, capacity;
    int count;
    bool failed;
};

static bool list_reserve(struct list_text *list, size_t more)
{
    if (list->length + more <= list->capacity)
        return true;
    size_t capacity = list->capacity ? list->capacity : 64 * 1024;
    while (capacity < list->length + more)
        capacity *= 2;
    char *text = realloc(list->text, capacity);
    if (!text)
        return false;
    list->text = text;
    list->capacity = capacity;
    return true;
}

static void list_append(struct list_text *list, const char *text, size_t length)
{
    if (list->failed || !list_reserve(list, length)) {
        list->failed = true;
        return;
    }
    memcpy(list->text + list->length, text, length);
    list->length += length;
}

static void add_summary(void *context, const struct alarm *alarm)
{
    struct list_text *list = context;
    if (list->failed || !list_reserve(list, ALARM_SUMMARY_MAX + 1)) {
        list->failed = true;
        return;
    }
    if (list->count > 0)
        list->text[list->length++] = ',';
    size_t written =
        alarm_summary_write(alarm, list->text + list->length, list->capacity - list->length);
    if (written == 0) {
        list->failed = true;
        return;
    }
    list->length += written;
    list->count++;
}

void api_alarms_list(struct api_request *request, struct api_response *response)
{
    struct store_alarm_query query = {.state = STORE_ALARMS_OPEN};
    const char *state = api_query(request, "state");
    if (state && strcmp(state, "open") != 0) {
        if (strcmp(state, "closed") == 0)
            query.state = STORE_ALARMS_CLOSED;
        else if (strcmp(state, "all") == 0)
            query.state = STORE_ALARMS_ALL;
        else {
            api_error(response, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                      _("state must be open, closed or all"));
            return;
        }
    }
    int64_t since, limit;
    if (!api_query_int(request, "since", 0, INT64_MAX, 0, &since, response) ||
        !api_query_int(request, "limit", 1, ALARMS_LIST_MAX, ALARMS_LIST_DEFAULT, &limit, response))
        return;
    query.since_seq = since;
    query.limit = (int)limit;
    const char *order = api_query(request, "order");
    if (order && strcmp(order, "sequence") != 0) {
        if (strcmp(order, "queue") != 0 || query.state != STORE_ALARMS_OPEN || since != 0) {
            api_error(response, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                      _("order must be sequence, or queue for the open alarms without since"));
            return;
        }
        query.queue_order = true;
    }
    struct list_text list = {0};
    static const char head[] = "{\"alarms\":[";
    list_append(&list, head, sizeof head - 1);
    int64_t last_sequence = 0;
    struct store_error error = {{0}};
    int status =
        store_alarms_list(request->api->store, &query, add_summary, &list, &last_sequence, &error);
    if (status != STORE_OK) {
        free(list.text);
        api_store_error(response, status, &error);
        return;
    }
    /* A full page may have more after it: the client asks again with
     * since = the last alarm's sequence. */
    char tail[96];
    int tail_length = snprintf(tail, sizeof tail, "],\"last_sequence\":%lld,\"more\":%s}",
                               (long long)last_sequence,
                               !query.queue_order && list.count == query.limit ? "true" : "false");
    list_append(&list, tail, (size_t)tail_length);
    if (list.failed) {
        free(list.text);
        api_error(response, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", _("out of memory"));
        return;
    }
    api_json_text(response, MHD_HTTP_OK, list.text, list.length);
}

static void add_timeline_entry(void *context, const struct store_timeline_entry *entry)
{
    char when[CLOCK_RFC3339_SIZE];
    clock_format_rfc3339(entry->ts, when);
    cJSON *item = cJSON_CreateObject();
    cJSON_AddNumberToObject(item, "id", (double)entry->id);
    cJSON_AddStringToObject(item, "time", when);
    cJSON_AddStringToObject(item, "kind", entry->kind);
    cJSON_AddStringToObject(item, "by", entry->username);
    cJSON_AddStringToObject(item, "text", entry->text);
    cJSON_AddItemToArray(context, item);
}

void api_alarms_get(struct api_request *request, struct api_response *response)
{
    int64_t id;
    if (!api_param_id(request, 0, &id, response))
        return;
    struct alarm *alarm = malloc(sizeof *alarm);
    if (!alarm) {
        api_error(response, MHD_HTTP_SERVICE_UNAVAILABLE, "no_memory", _("out of memory"));
        return;
    }
    struct store_error error = {{0}};
    int status = store_alarm_get(request->api->store, id, alarm, &error);
    if (status != STORE_OK) {
        free(alarm);
        api_store_error(response, status, &error);
        return;
    }
    cJSON *body = alarm_detail_json(alarm);
    api_panel_add_to_alarm(request, body, alarm->site_id);
    api_escalations_add_to_alarm(request, body, id); /* absent when it cannot be read */
    free(alarm);
    cJSON *timeline = cJSON_AddArrayToObject(body, "timeline");
    status = store_alarm_timeline(request->api->store, id, add_timeline_entry, timeline, &error);
    if (status != STORE_OK) {
        cJSON_Delete(body);
        api_store_error(response, status, &error);
        return;
    }
    api_json(response, MHD_HTTP_OK, body);
}

void api_alarms_create(struct api_request *request, struct api_response *response)
{
    static const char *const fields[] = {"class", "priority", "site_id",    "victim_id", "zone",
                                         "label", "note",     "event_code", NULL};
    cJSON *body = api_body_object(request, response, fields);
    if (!body)
        return;
    const char *class_name, *label, *note, *code;
    int64_t priority = 0, site_id = 0, victim_id = 0, zone = -1;
    bool ok = api_field_string(body, "class", true, ALARM_CLASS_MAX - 1, &class_name, response) &&
              api_field_int(body, "priority", true, 1, 5, &priority, response) &&
              api_field_int(body, "site_id", false, 1, INT64_MAX, &site_id, response) &&
              api_field_int(body, "victim_id", false, 1, INT64_MAX, &victim_id, response) &&
              api_field_int(body, "zone", false, 0, 9999, &zone, response) &&
              api_field_string(body, "label", false, ALARM_LABEL_MAX - 1, &label, response) &&
              api_field_string(body, "note", false, ALARM_NOTE_MAX, &note, response) &&
              api_field_string(body, "event_code", false, ALARM_CODE_MAX - 1, &code, response);
    if (ok && !alarm_class_is_known(class_name)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_class", _("unknown alarm class \"%s\""),
                  class_name);
        ok = false;
    }
    if (ok && site_id == 0 && victim_id == 0) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "missing_field",
                  _("an alarm needs a site_id or a victim_id"));
        ok = false;
    }
    if (!ok) {
        cJSON_Delete(body);
        return;
    }
    struct alarm_new alarm = {
        .source = "manual",
        .site_id = site_id,
        .victim_id = victim_id,
        .event_code = code,
        .class_name = class_name,
        .label = label,
        .priority = (int)priority,
        .zone = (int)zone,
        .note = note,
    };
    int64_t id = 0;
    struct store_error error = {{0}};
    int status = store_alarm_create(request->api->store, &request->actor, &alarm, &id, &error);
    cJSON_Delete(body);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    metrics_add(request->api->metrics, METRICS_ALARMS_RECEIVED_MANUAL, 1);
    request->params[0] = request->param_storage[0];
    snprintf(request->param_storage[0], sizeof request->param_storage[0], "%lld", (long long)id);
    api_alarms_get(request, response);
    if (response->status == MHD_HTTP_OK)
        response->status = MHD_HTTP_CREATED;
}

/* The body of an action: optional for claim/release/ack, a note for
 * notes, a resolution (and optional note) for close. */
static void alarm_action(struct api_request *request, struct api_response *response,
                         enum alarm_action action)
{
    int64_t id;
    if (!api_param_id(request, 0, &id, response))
        return;
    static const char *const close_fields[] = {"text", "resolution", NULL};
    static const char *const other_fields[] = {"text", NULL};
    const char *const *fields = action == ALARM_ACTION_CLOSE ? close_fields : other_fields;
    cJSON *body = NULL;
    const char *text = NULL, *resolution = NULL;
    bool needs_body = action == ALARM_ACTION_NOTE || action == ALARM_ACTION_CLOSE;
    if (needs_body || request->body_size > 0) {
        body = api_body_object(request, response, fields);
        if (!body)
            return;
        if (!api_field_string(body, "text", action == ALARM_ACTION_NOTE, ALARM_NOTE_MAX, &text,
                              response) ||
            !api_field_string(body, "resolution", action == ALARM_ACTION_CLOSE,
                              ALARM_RESOLUTION_MAX - 1, &resolution, response)) {
            cJSON_Delete(body);
            return;
        }
    }
    struct store_error error = {{0}};
    int status =
        store_alarm_act(request->api->store, &request->actor, id, action, resolution, text, &error);
    cJSON_Delete(body);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    api_alarms_get(request, response);
}

void api_alarms_claim(struct api_request *request, struct api_response *response)
{
    alarm_action(request, response, ALARM_ACTION_CLAIM);
}

void api_alarms_release(struct api_request *request, struct api_response *response)
{
    alarm_action(request, response, ALARM_ACTION_RELEASE);
}

void api_alarms_ack(struct api_request *request, struct api_response *response)
{
    alarm_action(request, response, ALARM_ACTION_ACK);
}

void api_alarms_note(struct api_request *request, struct api_response *response)
{
    alarm_action(request, response, ALARM_ACTION_NOTE);
}

void api_alarms_close(struct api_request *request, struct api_response *response)
{
    alarm_action(request, response, ALARM_ACTION_CLOSE);
}
