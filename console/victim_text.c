/* victim_text.c: the victim's file and the alarm's position as the texts
 * of the victim screen. Empty fields are left out rather than shown as
 * "-": under stress, every line on screen should say something. */
#include "console/victim_text.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/i18n.h"

/* Width of the labels column, as on the alarm detail. */
#define VICTIM_LABEL_WIDTH 13

struct text {
    char *data;
    size_t length, capacity;
    bool failed;
};

static void text_append(struct text *text, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void text_append(struct text *text, const char *format, ...)
{
    if (text->failed)
        return;
    va_list args;
    va_start(args, format);
    int needed = vsnprintf(NULL, 0, format, args);
    va_end(args);
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
    va_start(args, format);
    vsnprintf(text->data + text->length, text->capacity - text->length, format, args);
    va_end(args);
    text->length += (size_t)needed;
}

static char *text_take(struct text *text)
{
    if (text->failed || !text->data) {
        free(text->data);
        return NULL;
    }
    return text->data;
}

static const char *string_of(const cJSON *object, const char *name)
{
    const char *value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(object, name));
    return value ? value : "";
}

/* "Label        value"; nothing when the value is empty. */
static void field(struct text *text, const char *label, const char *value)
{
    if (value && value[0])
        text_append(text, "%-*s%s\n", VICTIM_LABEL_WIDTH, label, value);
}

/* A timestamp in local time, "MM-DD hh:mm:ss" (or "hh:mm:ss" without
 * the day); "-" when absent. */
static void time_of(const char *rfc3339, bool with_day, char *out, size_t size)
{
    int64_t ms;
    struct tm local;
    if (!rfc3339 || !clock_parse_rfc3339(rfc3339, &ms)) {
        snprintf(out, size, "-");
        return;
    }
    time_t when = (time_t)(ms / 1000);
    if (!localtime_r(&when, &local) ||
        strftime(out, size, with_day ? "%m-%d %H:%M:%S" : "%H:%M:%S", &local) == 0)
        snprintf(out, size, "%s", rfc3339);
}

static void identity(struct text *text, const cJSON *victim)
{
    text_append(text, _("Victim's file %s  (confidential: every opening is recorded)\n\n"),
                string_of(victim, "reference"));
    char name[256];
    const char *born = string_of(victim, "birth_date");
    snprintf(name, sizeof name, born[0] ? _("%s, born %s") : "%s", string_of(victim, "full_name"),
             born);
    field(text, _("Name"), name);
    field(text, _("Call back"), string_of(victim, "phone"));
}

static void aggressor(struct text *text, const cJSON *victim)
{
    const cJSON *who = cJSON_GetObjectItemCaseSensitive(victim, "aggressor");
    field(text, _("Aggressor"), string_of(who, "name"));
    field(text, _("Description"), string_of(who, "description"));
    field(text, _("Vehicle"), string_of(who, "vehicle"));
    field(text, _("Plate"), string_of(who, "plate"));
}

static void protection_order(struct text *text, const cJSON *victim)
{
    const cJSON *order = cJSON_GetObjectItemCaseSensitive(victim, "protection_order");
    field(text, _("Prohibition"), string_of(order, "prohibition"));
    char line[512] = "";
    const char *court = string_of(order, "court"), *date = string_of(order, "date");
    const char *expiry = string_of(order, "expiry");
    if (court[0] || date[0] || expiry[0])
        snprintf(line, sizeof line, _("%s, %s, until %s"), court[0] ? court : "?",
                 date[0] ? date : "?", expiry[0] ? expiry : "?");
    field(text, _("Order"), line);
}

static void addresses(struct text *text, const cJSON *victim)
{
    const cJSON *where = cJSON_GetObjectItemCaseSensitive(victim, "addresses");
    field(text, _("Home"), string_of(where, "home"));
    field(text, _("Other place"), string_of(where, "other"));
}

static void contacts(struct text *text, const cJSON *victim)
{
    const char *label = _("Contacts");
    const cJSON *contact;
    cJSON_ArrayForEach(contact, cJSON_GetObjectItemCaseSensitive(victim, "emergency_contacts"))
    {
        char line[384];
        const char *relation = string_of(contact, "relation");
        snprintf(line, sizeof line, relation[0] ? "%s (%s)  %s" : "%s%s  %s",
                 string_of(contact, "name"), relation, string_of(contact, "phone"));
        field(text, label, line);
        label = "";
    }
}

static void rest(struct text *text, const cJSON *victim)
{
    field(text, _("Association"), string_of(victim, "association"));
    field(text, _("Notes"), string_of(victim, "notes"));
    const char *label = _("Devices");
    const cJSON *device;
    cJSON_ArrayForEach(device, cJSON_GetObjectItemCaseSensitive(victim, "devices"))
    {
        char line[256], tested[32];
        time_of(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(device, "last_test_at")),
                true, tested, sizeof tested);
        snprintf(line, sizeof line, _("%s (%s), last test %s"), string_of(device, "device_uid"),
                 string_of(device, "kind"), tested);
        field(text, label, line);
        label = "";
    }
}

char *victim_file_format(const cJSON *victim)
{
    struct text text = {0};
    identity(&text, victim);
    aggressor(&text, victim);
    protection_order(&text, victim);
    addresses(&text, victim);
    contacts(&text, victim);
    rest(&text, victim);
    return text_take(&text);
}

/* ---- position and track ---- */

static void number_text(const cJSON *object, const char *name, const char *format, char *out,
                        size_t size)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    if (cJSON_IsNumber(item))
        snprintf(out, size, format, item->valuedouble);
    else
        snprintf(out, size, "-");
}

/* "48.85340, 2.34880  +/- 12 m (gps)" */
static void fix_text(const cJSON *position, char *out, size_t size)
{
    char lat[32], lon[32], accuracy[32];
    number_text(position, "lat", "%.5f", lat, sizeof lat);
    number_text(position, "lon", "%.5f", lon, sizeof lon);
    number_text(position, "accuracy_m", "%.0f", accuracy, sizeof accuracy);
    snprintf(out, size, _("%s, %s  +/- %s m (%s)"), lat, lon, accuracy,
             string_of(position, "source"));
}

static void last_position(struct text *text, const cJSON *alarm)
{
    const cJSON *position = cJSON_GetObjectItemCaseSensitive(alarm, "position");
    char line[256], fix[32], battery[32];
    if (!cJSON_IsObject(position)) {
        field(text, _("Position"), _("none received"));
    } else {
        fix_text(position, line, sizeof line);
        field(text, _("Position"), line);
        time_of(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(position, "fix_at")), true,
                fix, sizeof fix);
        field(text, _("Fix"), fix);
    }
    number_text(alarm, "battery", "%.0f %%", battery, sizeof battery);
    field(text, _("Battery"), strcmp(battery, "-") == 0 ? _("unknown") : battery);
}

static void track_points(struct text *text, const cJSON *track)
{
    const cJSON *points = cJSON_GetObjectItemCaseSensitive(track, "positions");
    int count = cJSON_GetArraySize(points);
    text_append(text,
                ngettext("Track: %d point, newest first\n", "Track: %d points, newest first\n",
                         (unsigned long)count),
                count);
    const cJSON *point;
    int shown = 0;
    cJSON_ArrayForEach(point, points)
    {
        if (shown++ == VICTIM_TRACK_SHOWN)
            break;
        char when[32], fix[256], battery[32];
        time_of(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(point, "captured_at")), false,
                when, sizeof when);
        fix_text(point, fix, sizeof fix);
        number_text(point, "battery", "%.0f%%", battery, sizeof battery);
        text_append(text, "  %s  %s  %s\n", when, fix, strcmp(battery, "-") ? battery : "");
    }
}

char *victim_position_format(const cJSON *alarm, const cJSON *track)
{
    struct text text = {0};
    if (!alarm) {
        text_append(&text, "%s\n", _("Loading the position..."));
        return text_take(&text);
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(alarm, "id");
    text_append(&text, _("Alarm %.0f  %s  %s  (live)\n"), cJSON_GetNumberValue(id),
                string_of(alarm, "class"), string_of(alarm, "state"));
    last_position(&text, alarm);
    if (track)
        track_points(&text, track);
    return text_take(&text);
}
