/* screen_massalert_monitor_draw.c: what the monitor shows: the alert (its
 * state, area and message), the counts per channel as a table, and the
 * replies (newest first) or a page of the recipients. Redrawn whole when
 * something changed: a table of a dozen lines costs nothing. */
#include "console/screen_massalert_monitor.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/i18n.h"
#include "console/ui.h"
#include "widgets/cells.h"

/* Columns of the counts table: the channel's name, then each number. */
#define MONITOR_LABEL_WIDTH  10
#define MONITOR_NUMBER_WIDTH 10
/* Columns of a recipient's name, site and distance. */
#define MONITOR_NAME_WIDTH     20
#define MONITOR_SITE_WIDTH     22
#define MONITOR_DISTANCE_WIDTH 7
/* Lines under the replies for the selected one's text in full. */
#define MONITOR_REPLY_LINES 2

static const char *const count_keys[] = {"queued", "sent", "delivered", "failed", "replied"};
#define COUNT_COLUMNS (sizeof count_keys / sizeof count_keys[0])

const char *monitor_state_label(const char *state)
{
    if (strcmp(state, "sending") == 0)
        return _("sending");
    if (strcmp(state, "cancelled") == 0)
        return _("cancelled");
    if (strcmp(state, "done") == 0)
        return _("done");
    return state[0] ? state : _("loading...");
}

static double alert_radius(const cJSON *alert)
{
    const cJSON *circle =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(alert, "area"), "circle");
    return massalert_json_number(circle, "radius_m", 0);
}

void monitor_alert_line(const cJSON *alert, char *out, size_t size)
{
    char radius[32];
    massalert_format_radius(alert_radius(alert), radius, sizeof radius);
    snprintf(out, size, _("%lld  %s  %s around %s"),
             (long long)massalert_json_number(alert, "id", 0),
             monitor_state_label(massalert_json_text(alert, "state")), radius,
             massalert_json_text(alert, "centre_label"));
}

const cJSON *monitor_selected_reply(const struct monitor_screen *screen)
{
    if (screen->mode != MONITOR_REPLIES)
        return NULL;
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(screen->alert, "replies"),
                              screen->selected);
}

struct painter {
    struct monitor_screen *screen;
    WINDOW *win;
    const struct charset *charset;
};

static void put(const struct painter *painter, int row, enum theme_slot slot, const char *format,
                ...) __attribute__((format(printf, 4, 5)));

static void put(const struct painter *painter, int row, enum theme_slot slot, const char *format,
                ...)
{
    struct monitor_screen *screen = painter->screen;
    if (row < 0 || row >= screen->height)
        return;
    char text[512];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    cells_put(painter->win, screen->y + row, screen->x, screen->width, text, CELLS_LEFT,
              ui_attr(screen->base.ui, slot), painter->charset);
}

static const char *channel_label(const char *channel)
{
    if (strcmp(channel, "sms") == 0)
        return _("SMS");
    if (strcmp(channel, "email") == 0)
        return _("e-mail");
    if (strcmp(channel, "voice") == 0)
        return _("voice");
    if (strcmp(channel, "push") == 0)
        return _("push");
    if (strcmp(channel, "web") == 0)
        return _("web page");
    return strcmp(channel, "total") == 0 ? _("total") : channel;
}

static void count_row(const struct painter *painter, int row, const char *channel,
                      const cJSON *counts, enum theme_slot slot)
{
    char text[256];
    int used = snprintf(text, sizeof text, "%-*s", MONITOR_LABEL_WIDTH, channel_label(channel));
    for (size_t i = 0; i < COUNT_COLUMNS && used > 0 && (size_t)used < sizeof text; i++)
        used += snprintf(text + used, sizeof text - (size_t)used, "%*.0f", MONITOR_NUMBER_WIDTH,
                         massalert_json_number(counts, count_keys[i], 0));
    put(painter, row, slot, "%s", text);
}

static void counts_table(const struct painter *painter)
{
    const cJSON *alert = painter->screen->alert;
    const cJSON *counts = cJSON_GetObjectItemCaseSensitive(alert, "counts");
    char header[256];
    int used = snprintf(header, sizeof header, "%-*s", MONITOR_LABEL_WIDTH, "");
    const char *titles[COUNT_COLUMNS] = {_("queued"), _("sent"), _("delivered"), _("failed"),
                                         _("replied")};
    for (size_t i = 0; i < COUNT_COLUMNS && used > 0 && (size_t)used < sizeof header; i++)
        used += snprintf(header + used, sizeof header - (size_t)used, "%*s", MONITOR_NUMBER_WIDTH,
                         titles[i]);
    put(painter, 2, THEME_SLOT_LABEL, "%s", header);
    int row = 3;
    const cJSON *channel;
    cJSON_ArrayForEach(channel, cJSON_GetObjectItemCaseSensitive(alert, "channels"))
    {
        if (!cJSON_IsString(channel) || row > 6)
            continue;
        count_row(painter, row++, channel->valuestring,
                  cJSON_GetObjectItemCaseSensitive(counts, channel->valuestring), THEME_SLOT_TEXT);
    }
    count_row(painter, 7, "total", cJSON_GetObjectItemCaseSensitive(counts, "total"),
              THEME_SLOT_LABEL);
}

/* A time of the API (epoch milliseconds, or RFC 3339 text) as HH:MM:SS. */
static void clock_text(const cJSON *when, char out[16])
{
    int64_t ms = 0;
    out[0] = '\0';
    if (cJSON_IsNumber(when))
        ms = (int64_t)when->valuedouble;
    else if (!cJSON_IsString(when) || !clock_parse_rfc3339(when->valuestring, &ms))
        return;
    time_t seconds = (time_t)(ms / 1000);
    struct tm local;
    localtime_r(&seconds, &local);
    strftime(out, 16, "%H:%M:%S", &local);
}

static void reply_row(const struct painter *painter, int row, const cJSON *reply, bool selected)
{
    char at[16], distance[32], relayed[48] = "";
    clock_text(cJSON_GetObjectItemCaseSensitive(reply, "at"), at);
    map_format_distance(massalert_json_number(reply, "distance_m", 0), distance, sizeof distance);
    double alarm = massalert_json_number(reply, "relayed_alarm_id", 0);
    if (alarm > 0)
        snprintf(relayed, sizeof relayed, _("[relayed: alarm %.0f] "), alarm);
    const char *text = massalert_json_text(reply, "text");
    put(painter, row, selected ? THEME_SLOT_ROW_SELECTED : THEME_SLOT_ROW,
        "%s %s, %s, %s (%s): %s%s", at,
        massalert_json_text(cJSON_GetObjectItemCaseSensitive(reply, "agent"), "name"),
        massalert_json_text(cJSON_GetObjectItemCaseSensitive(reply, "site"), "name"), distance,
        channel_label(massalert_json_text(reply, "channel")), relayed,
        text[0]                                                       ? text
        : strcmp(massalert_json_text(reply, "kind"), "received") == 0 ? _("received")
                                                                      : "");
}

/* The selected reply's text in full under the list, over two lines: a
 * sighting is read whole before it is relayed. */
static void reply_in_full(const struct painter *painter, int row, const cJSON *reply)
{
    const char *text = massalert_json_text(reply, "text");
    int width = painter->screen->width;
    size_t cut = 0, columns = 0;
    while (text[cut] && (int)columns < width) {
        cut++;
        while (((unsigned char)text[cut] & 0xC0) == 0x80)
            cut++;
        columns++;
    }
    put(painter, row, THEME_SLOT_TEXT, "%.*s", (int)cut, text);
    put(painter, row + 1, THEME_SLOT_TEXT, "%s", text + cut);
}

static void replies(const struct painter *painter)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(painter->screen->alert, "replies");
    int count = cJSON_GetArraySize(list);
    int rows = painter->screen->list_rows - MONITOR_REPLY_LINES;
    rows = rows < 1 ? 1 : rows;
    const cJSON *selected = cJSON_GetArrayItem(list, painter->screen->selected);
    if (selected && painter->screen->list_rows > MONITOR_REPLY_LINES)
        reply_in_full(painter, MONITOR_LIST_TOP + rows, selected);
    put(painter, MONITOR_LIST_TOP - 1, THEME_SLOT_LABEL, _("Replies: %d   (Tab: the recipients)"),
        count);
    if (count == 0)
        put(painter, MONITOR_LIST_TOP, THEME_SLOT_TEXT, "%s", _("No reply yet"));
    int first = painter->screen->selected >= rows ? painter->screen->selected - rows + 1 : 0;
    for (int i = 0; i < rows && first + i < count; i++)
        reply_row(painter, MONITOR_LIST_TOP + i, cJSON_GetArrayItem(list, first + i),
                  first + i == painter->screen->selected);
}

/* A recipient: name, site and distance in columns (measured in cells,
 * not bytes: names have accents), then the status on each channel. */
static void recipient_row(const struct painter *painter, int row, const cJSON *recipient,
                          bool selected)
{
    struct monitor_screen *screen = painter->screen;
    if (row < 0 || row >= screen->height)
        return;
    attr_t attr = ui_attr(screen->base.ui, selected ? THEME_SLOT_ROW_SELECTED : THEME_SLOT_ROW);
    char distance[32], states[256] = "";
    map_format_distance(massalert_json_number(recipient, "distance_m", 0), distance,
                        sizeof distance);
    size_t used = 0;
    const cJSON *state;
    cJSON_ArrayForEach(state, cJSON_GetObjectItemCaseSensitive(recipient, "channels"))
    {
        if (used < sizeof states && cJSON_IsString(state))
            used += (size_t)snprintf(states + used, sizeof states - used, " %s:%s",
                                     channel_label(state->string), state->valuestring);
    }
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(recipient, "replied")) &&
        used < sizeof states)
        snprintf(states + used, sizeof states - used, "%s", _("  replied"));
    static const int widths[] = {MONITOR_NAME_WIDTH, MONITOR_SITE_WIDTH, MONITOR_DISTANCE_WIDTH};
    const char *cells[] = {
        massalert_json_text(cJSON_GetObjectItemCaseSensitive(recipient, "agent"), "name"),
        massalert_json_text(cJSON_GetObjectItemCaseSensitive(recipient, "site"), "name"),
        distance,
    };
    int x = screen->x, right = screen->x + screen->width, y = screen->y + row;
    for (size_t i = 0; i < sizeof widths / sizeof widths[0] && x < right; i++) {
        int width = widths[i] < right - x ? widths[i] : right - x;
        cells_put(painter->win, y, x, width, cells[i], i == 2 ? CELLS_RIGHT : CELLS_LEFT, attr,
                  painter->charset);
        x += width;
        if (x < right)
            cells_put(painter->win, y, x++, 1, " ", CELLS_LEFT, attr, painter->charset);
    }
    if (x < right)
        cells_put(painter->win, y, x, right - x, states, CELLS_LEFT, attr, painter->charset);
}

static void recipients(const struct painter *painter)
{
    const struct monitor_screen *screen = painter->screen;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(screen->recipients, "recipients");
    int count = cJSON_GetArraySize(list);
    double total = massalert_json_number(screen->recipients, "total", 0);
    put(painter, MONITOR_LIST_TOP - 1, THEME_SLOT_LABEL,
        _("Recipients %d-%d of %.0f   (Tab: the replies)"),
        count ? screen->recipients_offset + 1 : 0, screen->recipients_offset + count, total);
    if (!screen->recipients)
        put(painter, MONITOR_LIST_TOP, THEME_SLOT_TEXT, "%s", _("Loading the recipients..."));
    for (int i = 0; i < screen->list_rows && i < count; i++)
        recipient_row(painter, MONITOR_LIST_TOP + i, cJSON_GetArrayItem(list, i),
                      i == screen->selected);
}

void monitor_draw(struct screen *base)
{
    struct monitor_screen *screen = (struct monitor_screen *)base;
    if (!screen->dirty || screen->height <= 0)
        return;
    struct ui *ui = base->ui;
    struct painter painter = {screen, ui_window(ui), ui_charset(ui)};
    for (int row = 0; row < screen->height; row++)
        cells_fill(painter.win, screen->y + row, screen->x, screen->width,
                   ui_attr(ui, THEME_SLOT_TEXT));
    screen->dirty = false;
    if (screen->alert_id <= 0 || !screen->alert) {
        put(&painter, 0, THEME_SLOT_LABEL, "%s",
            screen->alert_id <= 0 ? _("MASS ALERTS: choose one in the list (A shows it again)")
                                  : _("Loading the mass alert..."));
        return;
    }
    char line[256];
    monitor_alert_line(screen->alert, line, sizeof line);
    put(&painter, 0, THEME_SLOT_LABEL, _("MASS ALERT %s"), line);
    put(&painter, 1, THEME_SLOT_TEXT, "\"%s\"", massalert_json_text(screen->alert, "message"));
    counts_table(&painter);
    if (screen->mode == MONITOR_REPLIES)
        replies(&painter);
    else
        recipients(&painter);
    put(&painter, screen->height - 1, THEME_SLOT_BORDER, "%s",
        ui_read_only(ui) ? _("j k select  Tab list  w report  (read-only)  q back")
                         : _("j k select  Tab list  R relay  X cancel  w report  q back"));
}
