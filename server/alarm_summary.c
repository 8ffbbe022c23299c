/* alarm_summary.c: the summary JSON of alarm_summary_json, field for field
 * and byte for byte (tests/unit/test_alarm_summary.c compares the two). */
#include "server/alarm_summary.h"
#include "server/text_fast.h"
#include "common/clock.h"

#include <stdio.h>
#include <string.h>

struct writer {
    char *out;
    size_t size, length;
    bool full;
};

static void put(struct writer *w, const char *text, size_t length)
{
    if (w->full || w->length + length >= w->size) {
        w->full = true;
        return;
    }
    memcpy(w->out + w->length, text, length);
    w->length += length;
}

#define PUT_LITERAL(w, literal) put((w), (literal), sizeof(literal) - 1)

/* A JSON string as cJSON writes it: quote, backslash and control
 * characters escaped, every other byte as it is. */
static void put_string(struct writer *w, const char *text)
{
    PUT_LITERAL(w, "\"");
    const char *run = text;
    for (const char *p = text; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(w, run, (size_t)(p - run));
        run = p + 1;
        char escape[8];
        switch (c) {
        case '"':
            PUT_LITERAL(w, "\\\"");
            break;
        case '\\':
            PUT_LITERAL(w, "\\\\");
            break;
        case '\b':
            PUT_LITERAL(w, "\\b");
            break;
        case '\f':
            PUT_LITERAL(w, "\\f");
            break;
        case '\n':
            PUT_LITERAL(w, "\\n");
            break;
        case '\r':
            PUT_LITERAL(w, "\\r");
            break;
        case '\t':
            PUT_LITERAL(w, "\\t");
            break;
        default:
            snprintf(escape, sizeof escape, "\\u%04x", c);
            put(w, escape, 6);
            break;
        }
    }
    put(w, run, strlen(run));
    PUT_LITERAL(w, "\"");
}

static void put_integer(struct writer *w, int64_t value)
{
    char text[24];
    put(w, text, text_integer(text, value));
}

/* clock_format_rfc3339's "YYYY-MM-DDTHH:MM:SS.mmmZ" from the days since
 * 1970 (H. Hinnant's civil_from_days), without gmtime's lock and printf:
 * one or two per summary. Years past 9999 go the slow way. */
static void put_rfc3339(struct writer *w, int64_t ms)
{
    int64_t seconds = ms / 1000, days = seconds / 86400, z = days + 719468;
    int64_t era = z / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);
    int64_t rest = seconds % 86400;
    char text[CLOCK_RFC3339_SIZE];
    if (year > 9999) {
        clock_format_rfc3339(ms, text);
        put_string(w, text);
        return;
    }
    memcpy(text, "\"0000-00-00T00:00:00.000Z\"", 26);
    text_digits(text + 1, (unsigned)year, 4);
    text_digits(text + 6, (unsigned)month, 2);
    text_digits(text + 9, (unsigned)day, 2);
    text_digits(text + 12, (unsigned)(rest / 3600), 2);
    text_digits(text + 15, (unsigned)(rest / 60 % 60), 2);
    text_digits(text + 18, (unsigned)(rest % 60), 2);
    text_digits(text + 21, (unsigned)(ms % 1000), 3);
    put(w, text, 26);
}

static void put_text_or_null(struct writer *w, const char *text)
{
    if (text[0])
        put_string(w, text);
    else
        PUT_LITERAL(w, "null");
}

static void put_id(struct writer *w, int64_t id)
{
    if (id > 0)
        put_integer(w, id);
    else
        PUT_LITERAL(w, "null");
}

static void put_time(struct writer *w, int64_t ms)
{
    if (ms <= 0) {
        PUT_LITERAL(w, "null");
        return;
    }
    put_rfc3339(w, ms);
}

static void put_claim(struct writer *w, const struct alarm_claim *claim)
{
    if (claim->user_id == 0) {
        PUT_LITERAL(w, "null");
        return;
    }
    PUT_LITERAL(w, "{\"username\":");
    put_string(w, claim->username);
    PUT_LITERAL(w, ",\"display_name\":");
    put_string(w, claim->display_name);
    PUT_LITERAL(w, ",\"expires_at\":");
    put_time(w, claim->expires_at);
    PUT_LITERAL(w, "}");
}

size_t alarm_summary_write(const struct alarm *a, char *out, size_t size)
{
    struct writer w = {out, size, 0, false};
    PUT_LITERAL(&w, "{\"id\":");
    put_integer(&w, a->id);
    PUT_LITERAL(&w, ",\"sequence\":");
    put_integer(&w, a->seq);
    PUT_LITERAL(&w, ",\"source\":");
    put_string(&w, a->source);
    PUT_LITERAL(&w, ",\"account\":");
    put_text_or_null(&w, a->account);
    PUT_LITERAL(&w, ",\"site_id\":");
    put_id(&w, a->site_id);
    PUT_LITERAL(&w, ",\"device_id\":");
    put_id(&w, a->device_id);
    PUT_LITERAL(&w, ",\"victim_id\":");
    put_id(&w, a->victim_id);
    PUT_LITERAL(&w, ",\"subject\":");
    put_string(&w, a->subject);
    PUT_LITERAL(&w, ",\"place\":");
    put_string(&w, a->place);
    PUT_LITERAL(&w, ",\"event_code\":");
    put_text_or_null(&w, a->event_code);
    PUT_LITERAL(&w, ",\"class\":");
    put_string(&w, a->class_name);
    PUT_LITERAL(&w, ",\"label\":");
    put_string(&w, a->label);
    PUT_LITERAL(&w, ",\"priority\":");
    put_integer(&w, a->priority);
    PUT_LITERAL(&w, ",\"zone\":");
    if (a->zone >= 0)
        put_integer(&w, a->zone);
    else
        PUT_LITERAL(&w, "null");
    PUT_LITERAL(&w, ",\"received_at\":");
    put_time(&w, a->received_at);
    PUT_LITERAL(&w, ",\"state\":");
    put_string(&w, alarm_state_name(a->state));
    PUT_LITERAL(&w, ",\"claim\":");
    put_claim(&w, &a->claim);
    PUT_LITERAL(&w, ",\"resolution\":");
    put_text_or_null(&w, a->resolution);
    PUT_LITERAL(&w, ",\"closed_at\":");
    put_time(&w, a->closed_at);
    PUT_LITERAL(&w, ",\"flags\":[");
    bool first = true;
    if (a->flags & ALARM_FLAG_UNKNOWN_ACCOUNT) {
        PUT_LITERAL(&w, "\"unknown-account\"");
        first = false;
    }
    if (a->flags & ALARM_FLAG_EARLY_OPEN) {
        if (!first)
            PUT_LITERAL(&w, ",");
        PUT_LITERAL(&w, "\"early-open\"");
    }
    PUT_LITERAL(&w, "],\"has_position\":");
    if (a->position.present)
        PUT_LITERAL(&w, "true}");
    else
        PUT_LITERAL(&w, "false}");
    if (w.full)
        return 0;
    out[w.length] = '\0';
    return w.length;
}
