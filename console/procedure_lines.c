/* procedure_lines.c: the checklist document turned into screen lines. */
#include "console/procedure_lines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/i18n.h"
#include "console/alarm_marker.h"
#include "widgets/cells.h"

/* Bytes of one unwrapped line before it is cut (a step's note is 500). */
#define PROCEDURE_TEXT_MAX 1024

static const char *string_of(const cJSON *object, const char *name)
{
    const char *value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(object, name));
    return value ? value : "";
}

static void add_line(struct procedure_lines *out, int step, bool first, enum theme_slot slot,
                     const char *text)
{
    if (out->failed || out->count >= PROCEDURE_LINES_MAX)
        return;
    if (out->count == out->capacity) {
        size_t capacity = out->capacity ? out->capacity * 2 : 64;
        struct procedure_line *grown = realloc(out->lines, capacity * sizeof *grown);
        if (!grown) {
            out->failed = true;
            return;
        }
        out->lines = grown;
        out->capacity = capacity;
    }
    char *copy = strdup(text);
    if (!copy) {
        out->failed = true;
        return;
    }
    out->lines[out->count++] = (struct procedure_line){step, first, slot, copy};
}

/* Adds text wrapped at `width`: the first line at column 0 (it carries
 * its own prefix), the next ones after `indent` spaces. */
static void add_wrapped(struct procedure_lines *out, int step, bool first, enum theme_slot slot,
                        int indent, const char *text, int width, const struct charset *charset)
{
    wchar_t wide[CELLS_RUN_MAX];
    size_t count = cells_decode(charset, text, strlen(text), wide, CELLS_RUN_MAX);
    size_t at = 0;
    bool head = true;
    char line[PROCEDURE_TEXT_MAX];
    do {
        int margin = head ? 0 : indent;
        int room = width - margin > 10 ? width - margin : 10;
        size_t consumed = 0;
        size_t take = cells_wrap(charset, wide + at, count - at, room, &consumed);
        snprintf(line, sizeof line, "%*s", margin, "");
        cells_encode_utf8(wide + at, take, line + margin, sizeof line - (size_t)margin);
        add_line(out, step, first && head, slot, line);
        at += consumed ? consumed : count - at;
        head = false;
    } while (at < count);
}

static void local_time(const char *rfc3339, char *out, size_t size)
{
    int64_t ms;
    struct tm local;
    snprintf(out, size, "%s", rfc3339);
    if (!clock_parse_rfc3339(rfc3339, &ms))
        return;
    time_t when = (time_t)(ms / 1000);
    if (localtime_r(&when, &local))
        strftime(out, size, "%H:%M:%S", &local);
}

static const char *scope_text(const char *scope)
{
    if (strcmp(scope, "site") == 0)
        return _("the site's plan");
    if (strcmp(scope, "client") == 0)
        return _("the client's plan");
    if (strcmp(scope, "default") == 0)
        return _("the client's default plan");
    return _("no plan");
}

/* "the client's plan for burglary, then ..." */
static void plans_text(const cJSON *procedure, char *out, size_t size)
{
    const cJSON *plan;
    size_t used = 0;
    out[0] = '\0';
    cJSON_ArrayForEach(plan, cJSON_GetObjectItemCaseSensitive(procedure, "plans"))
    {
        int written =
            snprintf(out + used, size - used, used ? _(", then %s for %s") : _("%s for %s"),
                     scope_text(string_of(plan, "scope")), string_of(plan, "class"));
        if (written < 0 || (size_t)written >= size - used)
            break;
        used += (size_t)written;
    }
}

static void header(struct procedure_lines *out, const cJSON *procedure,
                   const struct console_alarm *alarm, int width, const struct charset *charset)
{
    char text[PROCEDURE_TEXT_MAX], plans[512];
    const cJSON *site = cJSON_GetObjectItemCaseSensitive(procedure, "site");
    const cJSON *client = cJSON_GetObjectItemCaseSensitive(procedure, "client");
    const char *subject = alarm && alarm->subject[0] ? alarm->subject : string_of(site, "name");
    snprintf(text, sizeof text, _("Procedure of alarm %.0f (%s): %s%s%s"),
             cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(procedure, "alarm_id")),
             string_of(procedure, "class"), subject, string_of(client, "name")[0] ? ", " : "",
             string_of(client, "name"));
    add_wrapped(out, -1, false, THEME_SLOT_LABEL, 2, text, width, charset);
    plans_text(procedure, plans, sizeof plans);
    if (alarm && alarm->claim_name[0])
        snprintf(text, sizeof text, _("%s, handled by %s; %s"), alarm->state, alarm->claim_name,
                 plans);
    else if (alarm)
        snprintf(text, sizeof text, _("%s, nobody handles it; %s"), alarm->state, plans);
    else
        snprintf(text, sizeof text, "%s", plans);
    add_wrapped(out, -1, false, THEME_SLOT_LABEL, 2, text, width, charset);
}

/* The marker of a possible hold-up and what it means here; or, for an
 * ordinary alarm, the numbers the plan may ask for. */
static void warning(struct procedure_lines *out, const cJSON *procedure, int width,
                    const struct charset *charset)
{
    char text[PROCEDURE_TEXT_MAX];
    enum alarm_marker_kind marker = alarm_marker_parse(string_of(procedure, "marker"));
    if (marker != ALARM_MARKER_NONE) {
        snprintf(text, sizeof text,
                 _("%s: possible hold-up: do NOT call the site. The duress "
                   "plan comes first."),
                 alarm_marker_word(marker));
        add_wrapped(out, -1, false, THEME_SLOT_ALARM_MARKER, 2, text, width, charset);
        int hidden =
            (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(procedure, "hidden_steps"));
        if (hidden > 0) {
            snprintf(text, sizeof text,
                     ngettext("%d step that calls the site is left out.",
                              "%d steps that call the site are left out.", (unsigned long)hidden),
                     hidden);
            add_wrapped(out, -1, false, THEME_SLOT_ALARM_MARKER, 2, text, width, charset);
        }
        return;
    }
    const cJSON *site = cJSON_GetObjectItemCaseSensitive(procedure, "site");
    const cJSON *client = cJSON_GetObjectItemCaseSensitive(procedure, "client");
    const char *site_phone = string_of(site, "phone"), *client_phone = string_of(client, "phone");
    if (site_phone[0] && client_phone[0])
        snprintf(text, sizeof text, _("Site phone %s   client phone %s"), site_phone, client_phone);
    else if (site_phone[0] || client_phone[0])
        snprintf(text, sizeof text, site_phone[0] ? _("Site phone %s") : _("Client phone %s"),
                 site_phone[0] ? site_phone : client_phone);
    else
        return;
    add_wrapped(out, -1, false, THEME_SLOT_TEXT, 2, text, width, charset);
}

static enum theme_slot state_slot(const char *state, const char *kind)
{
    if (strcmp(state, "done") == 0)
        return THEME_SLOT_STEP_DONE;
    if (strcmp(state, "skipped") == 0)
        return THEME_SLOT_STEP_SKIPPED;
    if (strcmp(state, "failed") == 0)
        return THEME_SLOT_STEP_FAILED;
    return strcmp(kind, "do-not-call-site") == 0 ? THEME_SLOT_ALARM_MARKER
                                                 : THEME_SLOT_STEP_PENDING;
}

static const char *state_box(const char *state)
{
    if (strcmp(state, "done") == 0)
        return "[x]";
    if (strcmp(state, "skipped") == 0)
        return "[-]";
    if (strcmp(state, "failed") == 0)
        return "[!]";
    return "[ ]";
}

static const char *state_word(const char *state)
{
    if (strcmp(state, "done") == 0)
        return _("done");
    if (strcmp(state, "skipped") == 0)
        return _("skipped");
    if (strcmp(state, "failed") == 0)
        return _("failed");
    return _("to do");
}

static void call_list(struct procedure_lines *out, int index, const cJSON *step, int width,
                      const struct charset *charset)
{
    char text[PROCEDURE_TEXT_MAX];
    const cJSON *keyholders = cJSON_GetObjectItemCaseSensitive(step, "keyholders");
    if (cJSON_GetArraySize(keyholders) == 0) {
        snprintf(text, sizeof text, "%*s%s", PROCEDURE_INDENT, "",
                 _("(no call list for this alarm)"));
        add_wrapped(out, index, false, THEME_SLOT_TEXT, PROCEDURE_INDENT, text, width, charset);
        return;
    }
    const cJSON *person;
    cJSON_ArrayForEach(person, keyholders)
    {
        snprintf(text, sizeof text, "%*s%.0f. %s  %s  %s", PROCEDURE_INDENT, "",
                 cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(person, "position")),
                 string_of(person, "name"), string_of(person, "phone"),
                 string_of(person, "availability"));
        add_wrapped(out, index, false, THEME_SLOT_TEXT, PROCEDURE_INDENT + 3, text, width, charset);
    }
}

static void step_lines(struct procedure_lines *out, int index, const cJSON *step, int width,
                       const struct charset *charset)
{
    char text[PROCEDURE_TEXT_MAX];
    const char *state = string_of(step, "state"), *kind = string_of(step, "kind");
    enum theme_slot slot = state_slot(state, kind);
    snprintf(text, sizeof text, "%s %.0f. %s", state_box(state),
             cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(step, "number")),
             string_of(step, "action"));
    add_wrapped(out, index, true, slot, PROCEDURE_INDENT, text, width, charset);
    if (string_of(step, "detail")[0]) {
        snprintf(text, sizeof text, "%*s%s", PROCEDURE_INDENT, "", string_of(step, "detail"));
        add_wrapped(out, index, false, THEME_SLOT_TEXT, PROCEDURE_INDENT, text, width, charset);
    }
    if (strcmp(kind, "call-keyholder") == 0)
        call_list(out, index, step, width, charset);
    if (strcmp(state, "pending") != 0 && state[0]) {
        char when[CLOCK_RFC3339_SIZE];
        local_time(string_of(step, "at"), when, sizeof when);
        const char *name =
            string_of(step, "by_name")[0] ? string_of(step, "by_name") : string_of(step, "by");
        const char *note = string_of(step, "note");
        char said[PROCEDURE_TEXT_MAX / 2];
        snprintf(said, sizeof said, _("%s at %s by %s"), state_word(state), when, name);
        snprintf(text, sizeof text, "%*s%s%s%s", PROCEDURE_INDENT, "", said, note[0] ? ": " : "",
                 note);
        add_wrapped(out, index, false, slot, PROCEDURE_INDENT, text, width, charset);
    }
}

void procedure_lines_free(struct procedure_lines *lines)
{
    for (size_t i = 0; i < lines->count; i++)
        free(lines->lines[i].text);
    free(lines->lines);
    *lines = (struct procedure_lines){0};
}

void procedure_lines_build(struct procedure_lines *out, const cJSON *procedure,
                           const struct console_alarm *alarm, int width,
                           const struct charset *charset)
{
    procedure_lines_free(out);
    if (width < 1)
        width = 1;
    header(out, procedure, alarm, width, charset);
    warning(out, procedure, width, charset);
    add_line(out, -1, false, THEME_SLOT_TEXT, "");
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(procedure, "steps");
    const cJSON *step;
    int index = 0;
    cJSON_ArrayForEach(step, steps)
    {
        step_lines(out, index++, step, width, charset);
    }
    out->steps = index;
    if (index == 0)
        add_wrapped(out, -1, false, THEME_SLOT_TEXT, 0,
                    _("No plan applies to this alarm: follow the centre's general instructions."),
                    width, charset);
}

bool procedure_lines_span(const struct procedure_lines *lines, int step, size_t *first,
                          size_t *last)
{
    bool found = false;
    for (size_t i = 0; i < lines->count; i++) {
        if (lines->lines[i].step != step)
            continue;
        if (!found)
            *first = i;
        *last = i;
        found = true;
    }
    return found;
}
