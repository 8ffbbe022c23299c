/* screen_detail_text.c: an alarm in full (GET /v1/alarms/{id}) as the text
 * the detail screen shows: the summary fields with labels, the technical
 * data, the timeline oldest first, the raw message with its control bytes
 * made visible, and any field this console does not know yet, so that
 * nothing the API gives is hidden. */
#include "console/screen_detail.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/i18n.h"
#include "console/alarm_marker.h"
#include "console/screen_alarms.h"
#include "console/screen_detail_escalations.h"
#include "console/screen_detail_panel.h"

/* Width of the labels column. */
#define DETAIL_LABEL_WIDTH 13

struct text {
    char *data;
    size_t length, capacity;
    bool failed;
};

static void text_vappend(struct text *text, const char *format, va_list args)
{
    if (text->failed)
        return;
    va_list copy;
    va_copy(copy, args);
    int needed = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    if (needed < 0) {
        text->failed = true;
        return;
    }
    if (text->length + (size_t)needed + 1 > text->capacity) {
        size_t capacity = (text->capacity + (size_t)needed + 1) * 2;
        char *grown = realloc(text->data, capacity);
        if (!grown) {
            text->failed = true;
            return;
        }
        text->data = grown;
        text->capacity = capacity;
    }
    vsnprintf(text->data + text->length, text->capacity - text->length, format, args);
    text->length += (size_t)needed;
}

static void text_append(struct text *text, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void text_append(struct text *text, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    text_vappend(text, format, args);
    va_end(args);
}

/* "Label        value\n"; nothing when value is empty. */
static void line(struct text *text, const char *label, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void line(struct text *text, const char *label, const char *format, ...)
{
    char value[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(value, sizeof value, format, args);
    va_end(args);
    if (value[0])
        text_append(text, "%-*s%s\n", DETAIL_LABEL_WIDTH, label, value);
}

static const char *string_of(const cJSON *object, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsString(item) && item->valuestring ? item->valuestring : "";
}

/* A number, or "-" when null or absent. */
static void number_of(const cJSON *object, const char *name, char *out, size_t size)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    if (cJSON_IsNumber(item))
        snprintf(out, size, "%.15g", item->valuedouble);
    else
        snprintf(out, size, "-");
}

/* A timestamp in local time; format_short gives the time of day only. */
static void time_of(const char *rfc3339, bool short_form, char *out, size_t size)
{
    int64_t ms;
    struct tm local;
    time_t when;
    if (!rfc3339[0] || !clock_parse_rfc3339(rfc3339, &ms)) {
        snprintf(out, size, "%s", rfc3339[0] ? rfc3339 : "-");
        return;
    }
    when = (time_t)(ms / 1000);
    if (!localtime_r(&when, &local) ||
        strftime(out, size, short_form ? "%m-%d %H:%M:%S" : "%Y-%m-%d %H:%M:%S", &local) == 0)
        snprintf(out, size, "%s", rfc3339);
}

/* A duress or an early open says so first, in words (alarm_marker.h). */
static void marker_line(struct text *text, const cJSON *alarm)
{
    char marker[256];
    if (alarm_marker_detail_line(alarm, marker, sizeof marker))
        text_append(text, "%s\n", marker);
}

static void summary(struct text *text, const cJSON *alarm, int64_t now_ms)
{
    char id[32], priority[32], zone[32], site[32], device[32], victim[32], sequence[32];
    number_of(alarm, "id", id, sizeof id);
    number_of(alarm, "priority", priority, sizeof priority);
    number_of(alarm, "zone", zone, sizeof zone);
    number_of(alarm, "site_id", site, sizeof site);
    number_of(alarm, "device_id", device, sizeof device);
    number_of(alarm, "victim_id", victim, sizeof victim);
    number_of(alarm, "sequence", sequence, sizeof sequence);
    text_append(text, _("Alarm %s   priority %s   %s   %s\n\n"), id, priority,
                string_of(alarm, "class"), string_of(alarm, "state"));
    marker_line(text, alarm);
    const cJSON *claim = cJSON_GetObjectItemCaseSensitive(alarm, "claim");
    if (cJSON_IsObject(claim)) {
        char until[64];
        time_of(string_of(claim, "expires_at"), false, until, sizeof until);
        line(text, _("Handled by"), _("%s (%s), lease until %s"), string_of(claim, "display_name"),
             string_of(claim, "username"), until);
    }
    char received[64], age[32];
    int64_t received_ms = 0;
    time_of(string_of(alarm, "received_at"), false, received, sizeof received);
    if (clock_parse_rfc3339(string_of(alarm, "received_at"), &received_ms))
        alarm_format_age(now_ms - received_ms, age, sizeof age);
    else
        snprintf(age, sizeof age, "-");
    line(text, _("Received"), _("%s  (%s ago)"), received, age);
    line(text, _("Site/person"), "%s", string_of(alarm, "subject"));
    line(text, _("Place"), "%s", string_of(alarm, "place"));
    line(text, _("Label"), "%s", string_of(alarm, "label"));
    line(text, _("Source"), _("%s   account %s   event %s   zone %s"), string_of(alarm, "source"),
         string_of(alarm, "account")[0] ? string_of(alarm, "account") : "-",
         string_of(alarm, "event_code")[0] ? string_of(alarm, "event_code") : "-", zone);
    line(text, _("Ids"), _("site %s   device %s   victim %s   sequence %s"), site, device, victim,
         sequence);
    const cJSON *flags = cJSON_GetObjectItemCaseSensitive(alarm, "flags");
    const cJSON *flag;
    char list[256] = "";
    cJSON_ArrayForEach(flag, flags)
    {
        if (cJSON_IsString(flag))
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? ", " : "",
                     flag->valuestring);
    }
    line(text, _("Flags"), "%s", list);
    if (string_of(alarm, "resolution")[0]) {
        char closed[64];
        time_of(string_of(alarm, "closed_at"), false, closed, sizeof closed);
        line(text, _("Closed"), _("%s, %s"), string_of(alarm, "resolution"), closed);
    }
}

static void technical(struct text *text, const cJSON *alarm)
{
    char battery[32];
    number_of(alarm, "battery", battery, sizeof battery);
    if (strcmp(battery, "-") != 0)
        line(text, _("Battery"), "%s %%", battery);
    const cJSON *position = cJSON_GetObjectItemCaseSensitive(alarm, "position");
    if (cJSON_IsObject(position)) {
        char lat[32], lon[32], accuracy[32], fix[64];
        number_of(position, "lat", lat, sizeof lat);
        number_of(position, "lon", lon, sizeof lon);
        number_of(position, "accuracy_m", accuracy, sizeof accuracy);
        time_of(string_of(position, "fix_at"), false, fix, sizeof fix);
        line(text, _("Position"), _("%s, %s  +/- %s m  (%s, fix %s)"), lat, lon, accuracy,
             string_of(position, "source"), fix);
    } else {
        const cJSON *has = cJSON_GetObjectItemCaseSensitive(alarm, "has_position");
        line(text, _("Position"), "%s", cJSON_IsTrue(has) ? _("stored") : _("none"));
    }
}

static void timeline(struct text *text, const cJSON *alarm)
{
    const cJSON *entries = cJSON_GetObjectItemCaseSensitive(alarm, "timeline");
    text_append(text, _("\nTimeline (%d)\n"),
                cJSON_IsArray(entries) ? cJSON_GetArraySize(entries) : 0);
    const cJSON *entry;
    cJSON_ArrayForEach(entry, entries)
    {
        char when[64];
        time_of(string_of(entry, "time"), true, when, sizeof when);
        const char *note = string_of(entry, "text");
        text_append(text, "  %s  %-12s %-10s %s\n", when, string_of(entry, "kind"),
                    string_of(entry, "by"), note);
    }
}

/* Control bytes of a raw frame become \n, \r or \xNN; the rest is kept. */
static void raw_message(struct text *text, const cJSON *alarm)
{
    const char *message = string_of(alarm, "raw");
    text_append(text, "%s", _("\nRaw message\n"));
    if (!message[0]) {
        text_append(text, "  %s\n", _("(none)"));
        return;
    }
    text_append(text, "  ");
    for (const unsigned char *c = (const unsigned char *)message; *c; c++) {
        if (*c == '\n')
            text_append(text, "\\n");
        else if (*c == '\r')
            text_append(text, "\\r");
        else if (*c < 0x20 || *c == 0x7F)
            text_append(text, "\\x%02X", *c);
        else
            text_append(text, "%c", *c);
    }
    text_append(text, "\n");
}

static bool known_field(const char *name)
{
    static const char *const known[] = {
        "id",        "sequence", "source",       "account",    "site_id", "device_id",
        "victim_id", "subject",  "place",        "event_code", "class",   "label",
        "priority",  "zone",     "received_at",  "state",      "claim",   "resolution",
        "closed_at", "flags",    "has_position", "raw",        "battery", "position",
        "timeline",  "panel",    "escalations",
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(name, known[i]) == 0)
            return true;
    return false;
}

static void other_fields(struct text *text, const cJSON *alarm)
{
    bool heading = false;
    const cJSON *item;
    cJSON_ArrayForEach(item, alarm)
    {
        if (!item->string || known_field(item->string))
            continue;
        if (!heading)
            text_append(text, "%s", _("\nOther fields\n"));
        heading = true;
        char *value = cJSON_PrintUnformatted(item);
        text_append(text, "  %s: %s\n", item->string, value ? value : "?");
        free(value);
    }
}

char *screen_detail_format(const cJSON *alarm, int64_t now_ms)
{
    struct text text = {0};
    summary(&text, alarm, now_ms);
    technical(&text, alarm);
    timeline(&text, alarm);
    raw_message(&text, alarm);
    char *panel = screen_detail_panel_format(alarm, now_ms);
    text_append(&text, "%s", panel ? panel : "");
    free(panel);
    char *escalations = screen_detail_escalations_format(alarm, now_ms);
    text_append(&text, "%s", escalations ? escalations : "");
    free(escalations);
    other_fields(&text, alarm);
    if (text.failed || !text.data) {
        free(text.data);
        return NULL;
    }
    return text.data;
}
