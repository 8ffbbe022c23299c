/* alarm.c: alarm states and the rules of operator actions. A claim is a
 * lease: once it has expired the alarm belongs to nobody, even before the
 * lease reaper has written that down. */
#include "server/alarm.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <string.h>

static const char *const state_names[] = {
    [ALARM_STATE_NEW] = "new",
    [ALARM_STATE_CLAIMED] = "claimed",
    [ALARM_STATE_ACKNOWLEDGED] = "acknowledged",
    [ALARM_STATE_ESCALATED] = "escalated",
    [ALARM_STATE_CLOSED] = "closed",
};

const char *const alarm_class_names[] = {
    "burglary",
    "fire",
    "duress",
    "panic",
    "medical",
    "technical",
    "communication-failure",
    "low-battery",
    "open-close",
    "unknown",
    NULL,
};

const char *alarm_state_name(enum alarm_state state)
{
    return state_names[state];
}

bool alarm_state_parse(const char *text, enum alarm_state *out)
{
    for (size_t i = 0; i < sizeof state_names / sizeof state_names[0]; i++) {
        if (strcmp(text, state_names[i]) == 0) {
            *out = (enum alarm_state)i;
            return true;
        }
    }
    return false;
}

bool alarm_class_is_known(const char *name)
{
    for (size_t i = 0; alarm_class_names[i]; i++)
        if (strcmp(name, alarm_class_names[i]) == 0)
            return true;
    return false;
}

static bool claim_is_live(const struct alarm *alarm, int64_t now_ms)
{
    return alarm->claim.user_id != 0 && alarm->claim.expires_at > now_ms;
}

enum alarm_verdict alarm_action_check(const struct alarm *alarm, enum alarm_action action,
                                      int64_t user_id, int64_t now_ms)
{
    if (alarm->state == ALARM_STATE_CLOSED)
        return ALARM_REFUSED_CLOSED;
    bool held_by_other = claim_is_live(alarm, now_ms) && alarm->claim.user_id != user_id;
    switch (action) {
    case ALARM_ACTION_CLAIM:
    case ALARM_ACTION_NOTE:
    case ALARM_ACTION_CLOSE:
        return held_by_other ? ALARM_REFUSED_HELD : ALARM_ALLOWED;
    case ALARM_ACTION_ACK:
        if (held_by_other)
            return ALARM_REFUSED_HELD;
        return alarm->state == ALARM_STATE_NEW || alarm->state == ALARM_STATE_CLAIMED
                   ? ALARM_ALLOWED
                   : ALARM_REFUSED_WRONG_STATE;
    case ALARM_ACTION_RELEASE:
        if (held_by_other)
            return ALARM_REFUSED_HELD;
        return alarm->claim.user_id == user_id ? ALARM_ALLOWED : ALARM_REFUSED_NOT_HELD;
    }
    return ALARM_REFUSED_WRONG_STATE;
}

enum alarm_state alarm_state_after(const struct alarm *alarm, enum alarm_action action)
{
    switch (action) {
    case ALARM_ACTION_CLAIM:
        return alarm->state == ALARM_STATE_NEW ? ALARM_STATE_CLAIMED : alarm->state;
    case ALARM_ACTION_RELEASE:
        return alarm->state == ALARM_STATE_CLAIMED ? ALARM_STATE_NEW : alarm->state;
    case ALARM_ACTION_ACK:
        return ALARM_STATE_ACKNOWLEDGED;
    case ALARM_ACTION_NOTE:
        return alarm->state;
    case ALARM_ACTION_CLOSE:
        return ALARM_STATE_CLOSED;
    }
    return alarm->state;
}

const char *alarm_verdict_message(enum alarm_verdict verdict)
{
    switch (verdict) {
    case ALARM_ALLOWED:
        return "";
    case ALARM_REFUSED_CLOSED:
        return _("this alarm is closed");
    case ALARM_REFUSED_HELD:
        return _("another operator is handling this alarm");
    case ALARM_REFUSED_NOT_HELD:
        return _("you are not handling this alarm");
    case ALARM_REFUSED_WRONG_STATE:
        return _("this alarm is already acknowledged or escalated");
    }
    return "";
}

static void add_time(cJSON *object, const char *name, int64_t ms)
{
    if (ms <= 0) {
        cJSON_AddNullToObject(object, name);
        return;
    }
    char text[CLOCK_RFC3339_SIZE];
    clock_format_rfc3339(ms, text);
    cJSON_AddStringToObject(object, name, text);
}

static void add_id(cJSON *object, const char *name, int64_t id)
{
    if (id > 0)
        cJSON_AddNumberToObject(object, name, (double)id);
    else
        cJSON_AddNullToObject(object, name);
}

static void add_text_or_null(cJSON *object, const char *name, const char *text)
{
    if (text[0])
        cJSON_AddStringToObject(object, name, text);
    else
        cJSON_AddNullToObject(object, name);
}

static cJSON *claim_json(const struct alarm_claim *claim)
{
    if (claim->user_id == 0)
        return cJSON_CreateNull();
    cJSON *object = cJSON_CreateObject();
    cJSON_AddStringToObject(object, "username", claim->username);
    cJSON_AddStringToObject(object, "display_name", claim->display_name);
    add_time(object, "expires_at", claim->expires_at);
    return object;
}

cJSON *alarm_summary_json(const struct alarm *alarm)
{
    cJSON *object = cJSON_CreateObject();
    cJSON_AddNumberToObject(object, "id", (double)alarm->id);
    cJSON_AddNumberToObject(object, "sequence", (double)alarm->seq);
    cJSON_AddStringToObject(object, "source", alarm->source);
    add_text_or_null(object, "account", alarm->account);
    add_id(object, "site_id", alarm->site_id);
    add_id(object, "device_id", alarm->device_id);
    add_id(object, "victim_id", alarm->victim_id);
    cJSON_AddStringToObject(object, "subject", alarm->subject);
    cJSON_AddStringToObject(object, "place", alarm->place);
    add_text_or_null(object, "event_code", alarm->event_code);
    cJSON_AddStringToObject(object, "class", alarm->class_name);
    cJSON_AddStringToObject(object, "label", alarm->label);
    cJSON_AddNumberToObject(object, "priority", alarm->priority);
    if (alarm->zone >= 0)
        cJSON_AddNumberToObject(object, "zone", alarm->zone);
    else
        cJSON_AddNullToObject(object, "zone");
    add_time(object, "received_at", alarm->received_at);
    cJSON_AddStringToObject(object, "state", alarm_state_name(alarm->state));
    cJSON_AddItemToObject(object, "claim", claim_json(&alarm->claim));
    add_text_or_null(object, "resolution", alarm->resolution);
    add_time(object, "closed_at", alarm->closed_at);
    cJSON *flags = cJSON_AddArrayToObject(object, "flags");
    if (alarm->flags & ALARM_FLAG_UNKNOWN_ACCOUNT)
        cJSON_AddItemToArray(flags, cJSON_CreateString("unknown-account"));
    if (alarm->flags & ALARM_FLAG_EARLY_OPEN)
        cJSON_AddItemToArray(flags, cJSON_CreateString("early-open"));
    cJSON_AddBoolToObject(object, "has_position", alarm->position.present);
    return object;
}

cJSON *alarm_detail_json(const struct alarm *alarm)
{
    cJSON *object = alarm_summary_json(alarm);
    add_text_or_null(object, "raw", alarm->raw);
    if (alarm->position.battery >= 0)
        cJSON_AddNumberToObject(object, "battery", alarm->position.battery);
    else
        cJSON_AddNullToObject(object, "battery");
    if (!alarm->position.present) {
        cJSON_AddNullToObject(object, "position");
        return object;
    }
    cJSON *position = cJSON_AddObjectToObject(object, "position");
    cJSON_AddNumberToObject(position, "lat", alarm->position.lat);
    cJSON_AddNumberToObject(position, "lon", alarm->position.lon);
    cJSON_AddNumberToObject(position, "accuracy_m", alarm->position.accuracy_m);
    cJSON_AddStringToObject(position, "source", alarm->position.source);
    add_time(position, "fix_at", alarm->position.fix_at);
    return object;
}
