/* screen_detail_escalations.c: the escalations of the alarm on the detail
 * screen (see screen_detail_escalations.h). A failed escalation is said in
 * the failure colour with the number to phone: the operator must not
 * believe help is on its way when it is not. */
#include "console/screen_detail_escalations.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/i18n.h"
#include "console/ui.h"
#include "widgets/cells.h"

static const char *string_of(const cJSON *object, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsString(item) && item->valuestring ? item->valuestring : "";
}

static int int_of(const cJSON *object, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsNumber(item) ? item->valueint : 0;
}

const char *escalation_agency_label(const char *agency)
{
    if (strcmp(agency, "police") == 0)
        return _("Police");
    if (strcmp(agency, "gendarmerie") == 0)
        return _("Gendarmerie");
    if (strcmp(agency, "fire") == 0)
        return _("Fire brigade");
    if (strcmp(agency, "medical") == 0)
        return _("Medical (SAMU)");
    return agency;
}

/* One line for one escalation, and its colour. */
static enum theme_slot escalation_line(const cJSON *e, char *out, size_t size)
{
    const char *agency = escalation_agency_label(string_of(e, "agency"));
    const char *state = string_of(e, "state");
    const char *error = string_of(e, "last_error");
    if (strcmp(state, "delivered") == 0) {
        snprintf(out, size, _("%s: delivered, reference %s"), agency,
                 string_of(e, "reference")[0] ? string_of(e, "reference") : _("(none given)"));
        return THEME_SLOT_DELIVERY_OK;
    }
    if (strcmp(state, "failed") == 0) {
        const char *phone = string_of(e, "fallback_phone");
        if (phone[0])
            snprintf(out, size, _("%s NOT reached: the escalation failed. PHONE %s NOW (%s)"),
                     agency, phone, error);
        else
            snprintf(out, size, _("%s NOT reached: the escalation failed. PHONE THEM NOW (%s)"),
                     agency, error);
        return THEME_SLOT_DELIVERY_FAILED;
    }
    int attempts = int_of(e, "attempts");
    if (strcmp(state, "sending") == 0)
        snprintf(out, size, _("%s: sending (attempt %d)"), agency, attempts > 0 ? attempts : 1);
    else if (error[0])
        snprintf(out, size, _("%s: queued, not delivered yet (%d attempt(s): %s)"), agency,
                 attempts, error);
    else
        snprintf(out, size, _("%s: queued, not delivered yet"), agency);
    return THEME_SLOT_STATUS_WARNING;
}

bool detail_escalations_update(struct detail_escalations *lines, const cJSON *alarm)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(alarm, "escalations");
    int total = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
    size_t before = lines->count;
    lines->count = 0;
    /* The latest ones, oldest of them first. */
    int first = total > DETAIL_ESCALATION_ROWS_MAX ? total - DETAIL_ESCALATION_ROWS_MAX : 0;
    for (int i = first; i < total; i++) {
        size_t row = lines->count++;
        lines->slot[row] =
            escalation_line(cJSON_GetArrayItem(list, i), lines->text[row], sizeof lines->text[row]);
    }
    lines->dirty = true;
    return lines->count != before;
}

void detail_escalations_draw(struct detail_escalations *lines, struct ui *ui, int y, int x,
                             int width)
{
    if (!lines->dirty)
        return;
    for (size_t i = 0; i < lines->count; i++)
        cells_put(ui_window(ui), y + (int)i, x, width, lines->text[i], CELLS_LEFT,
                  ui_attr(ui, lines->slot[i]), ui_charset(ui));
    lines->dirty = false;
}

/* ---- the section of the text ---- */

static void local_time(const char *rfc3339, char *out, size_t size)
{
    int64_t ms;
    time_t when;
    struct tm local;
    if (!rfc3339[0] || !clock_parse_rfc3339(rfc3339, &ms)) {
        snprintf(out, size, "-");
        return;
    }
    when = (time_t)(ms / 1000);
    if (!localtime_r(&when, &local) || strftime(out, size, "%m-%d %H:%M:%S", &local) == 0)
        snprintf(out, size, "%s", rfc3339);
}

static bool append(char **text, size_t *length, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static bool append(char **text, size_t *length, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char line[1024];
    int written = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (written < 0)
        return false;
    size_t add = strlen(line);
    char *grown = realloc(*text, *length + add + 1);
    if (!grown)
        return false;
    memcpy(grown + *length, line, add + 1);
    *text = grown;
    *length += add;
    return true;
}

char *screen_detail_escalations_format(const cJSON *alarm, int64_t now_ms)
{
    (void)now_ms;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(alarm, "escalations");
    char *text = calloc(1, 1);
    size_t length = 0;
    int total = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
    bool ok = text != NULL;
    if (ok && total > 0)
        ok = append(&text, &length, _("\nEscalations (%d)\n"), total);
    const cJSON *e, *delivery;
    cJSON_ArrayForEach(e, list)
    {
        char when[32], line[DETAIL_ESCALATION_ROW_SIZE];
        local_time(string_of(e, "created_at"), when, sizeof when);
        escalation_line(e, line, sizeof line);
        ok = ok && append(&text, &length, "  %s  %s\n", when, line);
        ok = ok && append(&text, &length, _("      by %s, alert %s%s%s%s\n"), string_of(e, "by"),
                          string_of(e, "identifier"), string_of(e, "text")[0] ? ": \"" : "",
                          string_of(e, "text"), string_of(e, "text")[0] ? "\"" : "");
        cJSON_ArrayForEach(delivery, cJSON_GetObjectItemCaseSensitive(e, "deliveries"))
        {
            const char *error = string_of(delivery, "last_error");
            ok = ok && append(&text, &length, _("      %s to %s: %s, %d attempt(s)%s%s\n"),
                              string_of(delivery, "format"), string_of(delivery, "recipient"),
                              string_of(delivery, "state"), int_of(delivery, "attempts"),
                              error[0] ? _(", last error: ") : "", error);
        }
    }
    if (!ok) {
        free(text);
        return NULL;
    }
    return text;
}
