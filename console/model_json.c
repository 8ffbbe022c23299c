/* model_json.c: an alarm summary as the API gives it (a list item, an
 * "alarm" event's data, an action's answer) read into a struct
 * console_alarm: every field checked for its type, texts cut at the
 * server's bounds on a character boundary and interned. */
#include "console/model.h"

#include <string.h>

#include "common/clock.h"
#include "console/model_strings.h"

/* Ids and sequences are JSON numbers below 2^53 (the API says so). */
#define MODEL_NUMBER_MAX 9007199254740992.0

/* The pool's copy of at most size - 1 bytes of text, not cutting a UTF-8
 * character: the server bounds its fields like ours, but a longer one must
 * not cost the alarm. NULL when memory is short. */
static const char *intern_text(const char *text, size_t size)
{
    size_t length = strlen(text);
    if (length >= size) {
        length = size - 1;
        while (length > 0 && ((unsigned char)text[length] & 0xC0) == 0x80)
            length--;
    }
    return model_strings_intern(text, length);
}

/* The members of a summary, found in one pass over its keys: looking each
 * field up by name compared every name with every key, 250 string
 * comparisons an alarm. The first of two equal keys counts, as with
 * cJSON_GetObjectItemCaseSensitive. */
enum summary_member {
    MEMBER_ID,
    MEMBER_SEQUENCE,
    MEMBER_SOURCE,
    MEMBER_ACCOUNT,
    MEMBER_SITE_ID,
    MEMBER_DEVICE_ID,
    MEMBER_VICTIM_ID,
    MEMBER_SUBJECT,
    MEMBER_PLACE,
    MEMBER_EVENT_CODE,
    MEMBER_CLASS,
    MEMBER_LABEL,
    MEMBER_PRIORITY,
    MEMBER_ZONE,
    MEMBER_RECEIVED_AT,
    MEMBER_STATE,
    MEMBER_CLAIM,
    MEMBER_RESOLUTION,
    MEMBER_CLOSED_AT,
    MEMBER_FLAGS,
    MEMBER_HAS_POSITION,
    MEMBER_COUNT
};

static const char *const member_names[MEMBER_COUNT] = {
    [MEMBER_ID] = "id",
    [MEMBER_SEQUENCE] = "sequence",
    [MEMBER_SOURCE] = "source",
    [MEMBER_ACCOUNT] = "account",
    [MEMBER_SITE_ID] = "site_id",
    [MEMBER_DEVICE_ID] = "device_id",
    [MEMBER_VICTIM_ID] = "victim_id",
    [MEMBER_SUBJECT] = "subject",
    [MEMBER_PLACE] = "place",
    [MEMBER_EVENT_CODE] = "event_code",
    [MEMBER_CLASS] = "class",
    [MEMBER_LABEL] = "label",
    [MEMBER_PRIORITY] = "priority",
    [MEMBER_ZONE] = "zone",
    [MEMBER_RECEIVED_AT] = "received_at",
    [MEMBER_STATE] = "state",
    [MEMBER_CLAIM] = "claim",
    [MEMBER_RESOLUTION] = "resolution",
    [MEMBER_CLOSED_AT] = "closed_at",
    [MEMBER_FLAGS] = "flags",
    [MEMBER_HAS_POSITION] = "has_position",
};

struct summary {
    const cJSON *members[MEMBER_COUNT]; /* NULL when absent */
};

static void summary_read(const cJSON *json, struct summary *summary)
{
    memset(summary, 0, sizeof *summary);
    for (const cJSON *item = json->child; item; item = item->next) {
        const char *key = item->string;
        if (!key)
            continue;
        for (int i = 0; i < MEMBER_COUNT; i++) {
            if (member_names[i][0] == key[0] && strcmp(member_names[i], key) == 0) {
                if (!summary->members[i])
                    summary->members[i] = item;
                break;
            }
        }
    }
}

static bool take_string(const cJSON *item, bool nullable, size_t size, const char **out)
{
    *out = "";
    if (nullable && cJSON_IsNull(item))
        return true;
    if (!cJSON_IsString(item) || !item->valuestring)
        return false;
    return (*out = intern_text(item->valuestring, size)) != NULL;
}

static bool take_text(const struct summary *summary, enum summary_member member, bool nullable,
                      size_t size, const char **out)
{
    return take_string(summary->members[member], nullable, size, out);
}

static bool take_number(const struct summary *summary, enum summary_member member, bool nullable,
                        int64_t absent, int64_t *out)
{
    const cJSON *item = summary->members[member];
    *out = absent;
    if (nullable && cJSON_IsNull(item))
        return true;
    if (!cJSON_IsNumber(item))
        return false;
    double value = item->valuedouble;
    /* The range first: converting a huge double to an integer is undefined. */
    if (!(value >= -MODEL_NUMBER_MAX && value <= MODEL_NUMBER_MAX) ||
        value != (double)(int64_t)value)
        return false;
    *out = (int64_t)value;
    return true;
}

static bool take_time(const struct summary *summary, enum summary_member member, int64_t *out)
{
    const cJSON *item = summary->members[member];
    *out = 0;
    if (cJSON_IsNull(item))
        return true;
    return cJSON_IsString(item) && item->valuestring && clock_parse_rfc3339(item->valuestring, out);
}

static bool take_claim(const struct summary *summary, struct console_alarm *out)
{
    const cJSON *claim = summary->members[MEMBER_CLAIM];
    out->claim_user = "";
    out->claim_name = "";
    if (cJSON_IsNull(claim))
        return true;
    return cJSON_IsObject(claim) &&
           take_string(cJSON_GetObjectItemCaseSensitive(claim, "username"), false,
                       MODEL_USERNAME_MAX, &out->claim_user) &&
           take_string(cJSON_GetObjectItemCaseSensitive(claim, "display_name"), false,
                       MODEL_NAME_MAX, &out->claim_name);
}

/* Unknown flags are ignored: later versions of the API may add some. */
static bool take_flags(const struct summary *summary, unsigned *out)
{
    const cJSON *flags = summary->members[MEMBER_FLAGS];
    *out = 0;
    if (!cJSON_IsArray(flags))
        return false;
    const cJSON *flag;
    cJSON_ArrayForEach(flag, flags)
    {
        if (!cJSON_IsString(flag))
            return false;
        if (strcmp(flag->valuestring, "unknown-account") == 0)
            *out |= MODEL_FLAG_UNKNOWN_ACCOUNT;
        else if (strcmp(flag->valuestring, "early-open") == 0)
            *out |= MODEL_FLAG_EARLY_OPEN;
    }
    return true;
}

static bool take_numbers(const struct summary *summary, struct console_alarm *out)
{
    int64_t priority, zone;
    bool ok = take_number(summary, MEMBER_ID, false, 0, &out->id) && out->id > 0 &&
              take_number(summary, MEMBER_SEQUENCE, false, 0, &out->seq) && out->seq >= 0 &&
              take_number(summary, MEMBER_SITE_ID, true, 0, &out->site_id) &&
              take_number(summary, MEMBER_DEVICE_ID, true, 0, &out->device_id) &&
              take_number(summary, MEMBER_VICTIM_ID, true, 0, &out->victim_id) &&
              take_number(summary, MEMBER_PRIORITY, false, 0, &priority) &&
              take_number(summary, MEMBER_ZONE, true, -1, &zone);
    if (!ok)
        return false;
    /* Out of range is not worth losing an alarm over: clamp it. */
    out->priority = priority < 1 ? 1 : priority > 5 ? 5 : (int)priority;
    out->zone = zone < -1 ? -1 : zone > 9999 ? 9999 : (int)zone;
    return true;
}

/* Every text "" before reading: a struct is never left with NULL texts. */
static void alarm_blank(struct console_alarm *out)
{
    memset(out, 0, sizeof *out);
    out->source = out->account = out->subject = out->place = out->event_code = "";
    out->class_name = out->label = out->state = out->claim_user = out->claim_name = "";
    out->resolution = "";
}

bool model_alarm_from_json(const cJSON *json, struct console_alarm *out)
{
    alarm_blank(out);
    if (!cJSON_IsObject(json))
        return false;
    struct summary summary;
    summary_read(json, &summary);
    const cJSON *position = summary.members[MEMBER_HAS_POSITION];
    bool ok =
        take_numbers(&summary, out) &&
        take_text(&summary, MEMBER_SOURCE, false, MODEL_SOURCE_MAX, &out->source) &&
        take_text(&summary, MEMBER_ACCOUNT, true, MODEL_ACCOUNT_MAX, &out->account) &&
        take_text(&summary, MEMBER_SUBJECT, false, MODEL_NAME_MAX, &out->subject) &&
        take_text(&summary, MEMBER_PLACE, false, MODEL_PLACE_MAX, &out->place) &&
        take_text(&summary, MEMBER_EVENT_CODE, true, MODEL_CODE_MAX, &out->event_code) &&
        take_text(&summary, MEMBER_CLASS, false, MODEL_CLASS_MAX, &out->class_name) &&
        take_text(&summary, MEMBER_LABEL, false, MODEL_LABEL_MAX, &out->label) &&
        take_time(&summary, MEMBER_RECEIVED_AT, &out->received_at) &&
        take_text(&summary, MEMBER_STATE, false, MODEL_STATE_MAX, &out->state) &&
        out->state[0] != '\0' && take_claim(&summary, out) &&
        take_text(&summary, MEMBER_RESOLUTION, true, MODEL_RESOLUTION_MAX, &out->resolution) &&
        take_time(&summary, MEMBER_CLOSED_AT, &out->closed_at) &&
        take_flags(&summary, &out->flags) && cJSON_IsBool(position);
    if (!ok) {
        alarm_blank(out);
        return false;
    }
    out->has_position = cJSON_IsTrue(position);
    return true;
}
