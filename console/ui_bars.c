/* ui_bars.c: what the bars around every screen say. The header: who is
 * logged in (and READ-ONLY), the open alarms by priority, the link state
 * with the backend node and the age of its last heartbeat. The banner: a
 * full-width red block while the backend is lost, with the time it was
 * lost, that the data may be stale, and the centre's fallback
 * instructions. The status line: the last message, or the screen's own
 * summary, and the keys of its frequent actions. */
#include "console/ui_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/i18n.h"
#include "widgets/cells.h"

/* Priorities an alarm can have (the API's 1..5). */
#define UI_PRIORITIES MODEL_PRIORITIES
/* Bytes of the banner's text before wrapping: the sentence and the
 * fallback instructions. */
#define UI_BANNER_TEXT_MAX (CONSOLE_CONFIG_INSTRUCTIONS_SIZE + 256)

static const char *role_name(enum client_role role)
{
    switch (role) {
    case CLIENT_ROLE_SUPERVISOR:
        return _("supervisor");
    case CLIENT_ROLE_ADMIN:
        return _("admin");
    case CLIENT_ROLE_OPERATOR:
        break;
    }
    return _("operator");
}

static const char *link_name(enum client_link link)
{
    switch (link) {
    case CLIENT_LINK_LIVE:
        return _("LIVE");
    case CLIENT_LINK_LOST:
        return _("LOST");
    case CLIENT_LINK_CONNECTING:
        break;
    }
    return _("CONNECTING");
}

static void header_left(struct ui *ui, char *out, size_t size)
{
    snprintf(out, size, "Vigie  %s (%s)%s%s", ui_username(ui), role_name(client_role(ui->client)),
             ui->read_only ? "  " : "", ui->read_only ? _("READ-ONLY") : "");
}

/* The model keeps the counts: no walk over 100,000 alarms per pass. */
static void header_center(struct ui *ui, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int p = 0; p < UI_PRIORITIES && used < size; p++) {
        int written = snprintf(out + used, size - used, "%sP%d:%zu", p ? " " : "", p + 1,
                               model_open_count_priority(ui->model, p + 1));
        if (written < 0)
            break;
        used += (size_t)written;
    }
}

static void header_right(struct ui *ui, char *out, size_t size)
{
    enum client_link link = client_link_state(ui->client);
    const char *node = client_node_name(ui->client);
    int64_t heartbeat = client_last_heartbeat_ms(ui->client);
    char age[32];
    if (heartbeat > 0) {
        int64_t seconds = (clock_monotonic_ms() - heartbeat) / 1000;
        snprintf(age, sizeof age, _("hb %llds"), (long long)(seconds < 0 ? 0 : seconds));
    } else {
        snprintf(age, sizeof age, "%s", _("hb -"));
    }
    snprintf(out, size, "%s%s%s  %s", link_name(link), node && node[0] ? "  " : "",
             node ? node : "", age);
}

/* Wraps text at width into at most BANNER_LINES_MAX lines joined by '\n';
 * a '\n' in text always breaks (it is split on before decoding, which
 * would turn it into a blank). */
static void wrap_banner(const struct charset *charset, const char *text, int width, char *out,
                        size_t size)
{
    static wchar_t wide[UI_BANNER_TEXT_MAX];
    size_t used = 0, lines = 0;
    out[0] = '\0';
    for (const char *start = text; start && lines < BANNER_LINES_MAX;) {
        const char *end = strchr(start, '\n');
        size_t bytes = end ? (size_t)(end - start) : strlen(start);
        size_t count = cells_decode(charset, start, bytes, wide, UI_BANNER_TEXT_MAX);
        size_t done = 0;
        do {
            size_t consumed = 0;
            size_t length = cells_wrap(charset, wide + done, count - done, width, &consumed);
            if (lines > 0 && used + 1 < size)
                out[used++] = '\n';
            used += cells_encode_utf8(wide + done, length, out + used, size - used);
            lines++;
            done += consumed ? consumed : 1;
        } while (done < count && lines < BANNER_LINES_MAX);
        start = end ? end + 1 : NULL;
    }
    out[used < size ? used : size - 1] = '\0';
}

static void update_banner(struct ui *ui)
{
    enum client_link link = client_link_state(ui->client);
    int64_t since = client_lost_since_ms(ui->client);
    int before = banner_lines(ui->banner);
    char text[UI_BANNER_TEXT_MAX];
    if (link == CLIENT_LINK_LOST || (link == CLIENT_LINK_CONNECTING && since > 0)) {
        char clock[16] = "--:--:--";
        int64_t seconds = 0;
        if (since > 0) {
            time_t when = (time_t)(since / 1000);
            struct tm local;
            if (localtime_r(&when, &local))
                strftime(clock, sizeof clock, "%H:%M:%S", &local);
            seconds = (clock_now_ms() - since) / 1000;
        }
        const char *fallback = ui->config->fallback_instructions;
        snprintf(text, sizeof text, _("BACKEND LOST since %s (%lld s) - data may be stale%s%s"),
                 clock, (long long)(seconds < 0 ? 0 : seconds), fallback[0] ? " - " : "", fallback);
        char wrapped[UI_BANNER_TEXT_MAX];
        wrap_banner(ui->charset, text, ui->columns, wrapped, sizeof wrapped);
        banner_set(ui->banner, wrapped, ui_attr(ui, THEME_SLOT_BANNER_LOST));
    } else if (link == CLIENT_LINK_CONNECTING) {
        const char *url = client_server_url(ui->client);
        snprintf(text, sizeof text, _("CONNECTING to %s - no live data yet"), url ? url : "");
        banner_set(ui->banner, text, ui_attr(ui, THEME_SLOT_BANNER_STALE));
    } else {
        banner_clear(ui->banner);
    }
    if (banner_lines(ui->banner) != before)
        ui->relayout = true;
}

/* Short names of the frequent actions, for the hints. */
static const char *hint_label(enum action action)
{
    switch (action) {
    case ACTION_HELP:
        return _("help");
    case ACTION_OPEN:
        return _("open");
    case ACTION_CLAIM:
        return _("claim");
    case ACTION_RELEASE:
        return _("release");
    case ACTION_ACKNOWLEDGE:
        return _("ack");
    case ACTION_NOTE:
        return _("note");
    case ACTION_CLOSE:
        return _("close");
    case ACTION_FILTER:
        return _("filter");
    case ACTION_BACK:
        return _("back");
    case ACTION_QUIT:
        return _("quit");
    case ACTION_COMMAND_LINE:
        return _("command");
    default:
        return action_name(action);
    }
}

/* "<Enter>" is shown as "Enter" in the hints. */
static void strip_brackets(char *key)
{
    size_t length = strlen(key);
    if (length > 2 && key[0] == '<' && key[length - 1] == '>') {
        memmove(key, key + 1, length - 2);
        key[length - 2] = '\0';
    }
}

static void update_hints(struct ui *ui)
{
    struct screen *screen = ui->screens[ui->current];
    char keys[BARS_HINTS_MAX][KEYMAP_KEY_TEXT_SIZE];
    struct status_hint hints[BARS_HINTS_MAX];
    size_t count = 0;
    for (const enum action *action = screen->ops->hints;
         action && *action != ACTION_NONE && count < BARS_HINTS_MAX; action++) {
        if (ui->read_only && action_mutates(*action))
            continue;
        ui_key_for_action(ui, screen->ops->keys, *action, keys[count]);
        if (!keys[count][0])
            continue;
        strip_brackets(keys[count]);
        hints[count] = (struct status_hint){keys[count], hint_label(*action)};
        count++;
    }
    status_bar_set_hints(ui->status, hints, count);
}

static void update_status(struct ui *ui)
{
    if (ui->status_text[0]) {
        status_bar_set_message(ui->status, ui->status_level, ui->status_text);
        return;
    }
    struct screen *screen = ui->screens[ui->current];
    char text[UI_STATUS_MAX] = "";
    if (screen->ops->status)
        screen->ops->status(screen, text, sizeof text);
    status_bar_set_message(ui->status, STATUS_INFO, text);
}

void ui_bars_update(struct ui *ui)
{
    char text[BARS_TEXT_MAX];
    header_left(ui, text, sizeof text);
    header_bar_set(ui->header, HEADER_LEFT, text);
    header_center(ui, text, sizeof text);
    header_bar_set(ui->header, HEADER_CENTER, text);
    header_right(ui, text, sizeof text);
    header_bar_set(ui->header, HEADER_RIGHT, text);
    update_banner(ui);
    if (ui->hints_stale) {
        update_hints(ui);
        ui->hints_stale = false;
    }
    update_status(ui);
}

/* The header is one attribute; the READ-ONLY marker and a lost link are
 * painted over it in their own slots so that they stand out. */
static void paint_marker(struct ui *ui, const char *marker, bool right, enum theme_slot slot)
{
    char text[BARS_TEXT_MAX];
    if (right)
        header_right(ui, text, sizeof text);
    else
        header_left(ui, text, sizeof text);
    const char *at = strstr(text, marker);
    if (!at)
        return;
    wchar_t wide[CELLS_RUN_MAX];
    size_t before = cells_decode(ui->charset, text, (size_t)(at - text), wide, CELLS_RUN_MAX);
    int x = cells_width(ui->charset, wide, before);
    size_t whole = cells_decode(ui->charset, text, strlen(text), wide, CELLS_RUN_MAX);
    int width = cells_width(ui->charset, wide, whole);
    if (right) {
        int right_width = width < ui->columns / 2 ? width : ui->columns / 2;
        if (width > right_width)
            return; /* cut: the marker may not be where we think */
        x += ui->columns - right_width;
    }
    size_t length = cells_decode(ui->charset, marker, strlen(marker), wide, CELLS_RUN_MAX);
    int marker_width = cells_width(ui->charset, wide, length);
    if (x + marker_width <= ui->columns)
        cells_put(stdscr, 0, x, marker_width, marker, CELLS_LEFT, ui_attr(ui, slot), ui->charset);
}

void ui_bars_draw(struct ui *ui)
{
    bool header_dirty = header_bar_widget(ui->header)->dirty;
    header_bar_draw(ui->header);
    if (header_dirty && ui->read_only)
        paint_marker(ui, _("READ-ONLY"), false, THEME_SLOT_READONLY_MARKER);
    if (header_dirty && client_link_state(ui->client) != CLIENT_LINK_LIVE)
        paint_marker(ui, link_name(client_link_state(ui->client)), true, THEME_SLOT_STATUS_ERROR);
    banner_draw(ui->banner);
}
