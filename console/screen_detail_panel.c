/* screen_detail_panel.c: the site's panel in an alarm's detail. The
 * operator reads first what the site is now ("disarmed since 04:57:04,
 * 12s ago"), then what was asked of its panel and what became of it,
 * newest first, in the words of the centre, not of the protocol. */
#include "console/screen_detail_panel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/i18n.h"
#include "console/screen_alarms.h"

/* The labels column of the detail screen. */
#define PANEL_LABEL_WIDTH 13
/* A section is a dozen lines: this bounds it with room to spare. */
#define PANEL_TEXT_MAX 4096

struct panel_text {
    char data[PANEL_TEXT_MAX];
    size_t length;
};

static void add(struct panel_text *text, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void add(struct panel_text *text, const char *format, ...)
{
    if (text->length >= sizeof text->data - 1)
        return;
    va_list args;
    va_start(args, format);
    int written =
        vsnprintf(text->data + text->length, sizeof text->data - text->length, format, args);
    va_end(args);
    if (written > 0)
        text->length += (size_t)written < sizeof text->data - text->length
                            ? (size_t)written
                            : sizeof text->data - text->length - 1;
}

static const char *string_of(const cJSON *object, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsString(item) && item->valuestring ? item->valuestring : "";
}

/* The time of day of an RFC 3339 time in local time; "" when absent. */
static void clock_of(const char *rfc3339, char *out, size_t size)
{
    int64_t ms;
    struct tm local;
    out[0] = '\0';
    if (!rfc3339[0] || !clock_parse_rfc3339(rfc3339, &ms))
        return;
    time_t when = (time_t)(ms / 1000);
    if (!localtime_r(&when, &local) || strftime(out, size, "%H:%M:%S", &local) == 0)
        snprintf(out, size, "%s", rfc3339);
}

static const char *state_words(const char *arm_state)
{
    if (strcmp(arm_state, "armed") == 0)
        return _("armed away");
    if (strcmp(arm_state, "armed-stay") == 0)
        return _("armed stay");
    if (strcmp(arm_state, "disarmed") == 0)
        return _("disarmed");
    return _("unknown");
}

static const char *command_state_words(const char *state)
{
    if (strcmp(state, "pending") == 0)
        return _("pending");
    if (strcmp(state, "confirmed") == 0)
        return _("confirmed");
    if (strcmp(state, "refused") == 0)
        return _("refused");
    if (strcmp(state, "timed-out") == 0)
        return _("timed out");
    if (strcmp(state, "failed") == 0)
        return _("failed");
    return state;
}

static void arm_state_line(struct panel_text *text, const cJSON *panel, int64_t now_ms)
{
    const char *state = string_of(panel, "arm_state");
    const char *since = string_of(panel, "arm_since");
    int64_t since_ms = 0;
    char when[32], age[32];
    clock_of(since, when, sizeof when);
    if (since[0] && clock_parse_rfc3339(since, &since_ms)) {
        alarm_format_age(now_ms - since_ms, age, sizeof age);
        add(text, _("%-*s%s since %s (%s ago)\n"), PANEL_LABEL_WIDTH, _("Panel"),
            state_words(state), when, age);
    } else {
        add(text, "%-*s%s\n", PANEL_LABEL_WIDTH, _("Panel"), state_words(state));
    }
    const cJSON *link = cJSON_GetObjectItemCaseSensitive(panel, "link");
    if (cJSON_IsObject(link))
        add(text, _("%-*s%s at %s, partition %d\n"), PANEL_LABEL_WIDTH, "",
            string_of(link, "title")[0] ? string_of(link, "title") : string_of(link, "protocol"),
            string_of(link, "address"),
            (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(link, "partition")));
    else
        add(text, "%-*s%s\n", PANEL_LABEL_WIDTH, "",
            _("no panel connection: the centre cannot arm or disarm this site"));
}

/* "04:57:03 disarm by alice: confirmed (panel 04:57:03: 655 ...; DC-09
 * 04:57:04, alarm 2)" */
static void command_line(struct panel_text *text, const cJSON *command, int64_t now_ms)
{
    char asked[32], answered[32], reported[32];
    clock_of(string_of(command, "requested_at"), asked, sizeof asked);
    clock_of(string_of(command, "answered_at"), answered, sizeof answered);
    clock_of(string_of(command, "reported_at"), reported, sizeof reported);
    const char *state = string_of(command, "state");
    char what[48];
    const cJSON *zone = cJSON_GetObjectItemCaseSensitive(command, "zone");
    if (cJSON_IsNumber(zone))
        snprintf(what, sizeof what, "%s %d", string_of(command, "command"), zone->valueint);
    else
        snprintf(what, sizeof what, "%s", string_of(command, "command"));
    add(text, _("  %s  %s by %s: %s"), asked, what, string_of(command, "requested_by"),
        command_state_words(state));
    if (strcmp(state, "pending") == 0) {
        int64_t asked_ms = 0;
        char age[32];
        if (clock_parse_rfc3339(string_of(command, "requested_at"), &asked_ms)) {
            alarm_format_age(now_ms - asked_ms, age, sizeof age);
            add(text, _(" (sent %s ago, waiting for the panel)"), age);
        }
    }
    add(text, "\n");
    if (answered[0])
        add(text, _("      panel %s: %s\n"), answered, string_of(command, "answer"));
    if (reported[0])
        add(text, _("      DC-09 report %s (alarm %d)\n"), reported,
            (int)cJSON_GetNumberValue(
                cJSON_GetObjectItemCaseSensitive(command, "report_alarm_id")));
    if (string_of(command, "message")[0])
        add(text, "      %s\n", string_of(command, "message"));
}

char *screen_detail_panel_format(const cJSON *alarm, int64_t now_ms)
{
    const cJSON *panel = cJSON_GetObjectItemCaseSensitive(alarm, "panel");
    if (!cJSON_IsObject(panel))
        return strdup("");
    struct panel_text *text = calloc(1, sizeof *text);
    if (!text)
        return NULL;
    add(text, "\n");
    arm_state_line(text, panel, now_ms);
    const cJSON *commands = cJSON_GetObjectItemCaseSensitive(panel, "commands");
    if (cJSON_GetArraySize(commands) > 0) {
        add(text, "%s", _("Panel commands (newest first)\n"));
        const cJSON *command;
        cJSON_ArrayForEach(command, commands) command_line(text, command, now_ms);
    }
    char *out = strdup(text->data);
    free(text);
    return out;
}
