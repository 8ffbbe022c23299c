/* ui.c: the terminal (set up with newterm, put back however the loop
 * ends), the layout of the bars around the current screen, the drawing
 * pass that paints only what is dirty and flushes once, the screens'
 * back stack, and the services screens use. Below 80x24 the console only
 * says how big the terminal is and waits for a resize. */
#include "console/ui_internal.h"

#include <errno.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"
#include "widgets/cells.h"

/* Milliseconds curses waits after Esc for the rest of a key's sequence:
 * short enough for Esc to feel immediate, long enough for a slow link. */
#define UI_ESCAPE_DELAY_MS 150

struct ui *ui_new(const struct console_config *config, const struct keymap *keymap,
                  const struct config_file_warnings *warnings)
{
    struct ui *ui = calloc(1, sizeof *ui);
    if (!ui)
        return NULL;
    ui->config = config;
    ui->keymap = keymap;
    ui->warnings = warnings;
    ui->signal_fd = -1;
    ui->current = SCREEN_QUEUE;
    return ui;
}

void ui_free(struct ui *ui)
{
    free(ui);
}

/* ---- services ---- */

WINDOW *ui_window(struct ui *ui)
{
    (void)ui;
    return stdscr;
}

const struct charset *ui_charset(struct ui *ui)
{
    return ui->charset;
}

attr_t ui_attr(struct ui *ui, enum theme_slot slot)
{
    return theme_attr(&ui->theme, slot);
}

struct client *ui_client(struct ui *ui)
{
    return ui->client;
}

const struct model *ui_model(struct ui *ui)
{
    return ui->model;
}

const struct keymap *ui_keymap(struct ui *ui)
{
    return ui->keymap;
}

bool ui_read_only(struct ui *ui)
{
    return ui->read_only;
}

const char *ui_username(struct ui *ui)
{
    const char *name = ui->client ? client_username(ui->client) : NULL;
    return name ? name : ui->config->user;
}

int64_t ui_now_ms(struct ui *ui)
{
    return ui->now_ms;
}

void ui_refresh_clock(struct ui *ui)
{
    ui->now_ms = clock_now_ms() + (ui->client ? client_clock_offset_ms(ui->client) : 0);
}

void ui_status(struct ui *ui, enum status_level level, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(ui->status_text, sizeof ui->status_text, format, args);
    va_end(args);
    ui->status_level = level;
    ui->status_pinned = false;
    int64_t fade = level == STATUS_INFO   ? UI_STATUS_FADE_MS
                   : level == STATUS_WARN ? UI_STATUS_FADE_WARN_MS
                                          : 0;
    ui->status_fade_mono = fade ? clock_monotonic_ms() + fade : 0;
    if (level != STATUS_INFO)
        log_info("ui", "status: %s", ui->status_text);
    ui->hints_stale = true;
}

void ui_status_clear(struct ui *ui)
{
    ui->status_text[0] = '\0';
    ui->status_fade_mono = 0;
    ui->hints_stale = true;
}

void ui_key_for_action(struct ui *ui, enum action_screen screen, enum action action,
                       char out[KEYMAP_KEY_TEXT_SIZE])
{
    out[0] = '\0';
    const enum action_screen sections[] = {screen, ACTION_SCREEN_GLOBAL};
    for (size_t s = 0; s < 2; s++) {
        const struct keymap_bindings *own = &ui->keymap->screens[sections[s]];
        for (size_t i = 0; i < own->count; i++) {
            int key = own->bindings[i].key;
            if (own->bindings[i].action == action &&
                keymap_action(ui->keymap, screen, key) == action) {
                keymap_describe_key(key, out);
                return;
            }
        }
    }
}

/* ---- screens ---- */

enum screen_id ui_current_screen_id(struct ui *ui)
{
    return ui->current;
}

struct screen *ui_screen(struct ui *ui, enum screen_id id)
{
    return id < SCREEN_COUNT ? ui->screens[id] : NULL;
}

static void enter_screen(struct ui *ui, enum screen_id id, enum screen_id from, int64_t alarm_id)
{
    struct screen *screen = ui->screens[id];
    ui->current = id;
    if (screen->ops->enter)
        screen->ops->enter(screen, from, alarm_id);
    ui->relayout = true;
    ui->hints_stale = true;
}

void ui_open_screen(struct ui *ui, enum screen_id id, int64_t alarm_id)
{
    if (id >= SCREEN_COUNT || !ui->screens[id])
        return;
    enum screen_id from = ui->current;
    if (id != from) {
        if (ui->back_count == UI_BACK_MAX) { /* the oldest step is forgotten */
            memmove(ui->back, ui->back + 1, (UI_BACK_MAX - 1) * sizeof ui->back[0]);
            ui->back_count--;
        }
        ui->back[ui->back_count++] = from;
        if (ui->screens[from]->ops->leave)
            ui->screens[from]->ops->leave(ui->screens[from]);
    }
    /* The queue is the root: going to it forgets the way there. */
    if (id == SCREEN_QUEUE)
        ui->back_count = 0;
    enter_screen(ui, id, from, alarm_id);
}

bool ui_back(struct ui *ui)
{
    if (ui->back_count == 0)
        return false;
    enum screen_id from = ui->current, to = ui->back[--ui->back_count];
    if (ui->screens[from]->ops->leave)
        ui->screens[from]->ops->leave(ui->screens[from]);
    enter_screen(ui, to, from, 0);
    return true;
}

void ui_repaint_all(struct ui *ui)
{
    ui->repaint = true;
    ui->relayout = true;
    if (ui->running)
        clearok(curscr, TRUE);
}

void ui_quit(struct ui *ui, int status)
{
    ui->quit = true;
    ui->exit_status = status;
}

void ui_alert(struct ui *ui, const char *title, const char *body)
{
    /* Delivered by the loop after the next screen update (ui_alerts_flush),
     * so that the sequences land between two updates, never inside one;
     * several arrivals in one pass ring once. */
    if (ui->alerts++ == 0) {
        snprintf(ui->alert_title, sizeof ui->alert_title, "%s", title);
        snprintf(ui->alert_body, sizeof ui->alert_body, "%s", body);
    }
}

void ui_alerts_flush(struct ui *ui)
{
    if (ui->alerts == 0)
        return;
    if (ui->alerts > 1)
        snprintf(ui->alert_body, sizeof ui->alert_body, _("%zu new priority-1 alarms"), ui->alerts);
    notify_alert(ui->notify, ui->alert_title, ui->alert_body);
    ui->alerts = 0;
}

void ui_run_action(struct ui *ui, enum action action, const char *argument)
{
    struct screen *screen = ui->screens[ui->current];
    if (action == ACTION_NONE || !screen)
        return;
    if (!action_applies(action, screen->ops->keys)) {
        ui_status(ui, STATUS_WARN, _("%s does not apply on this screen"), action_name(action));
        return;
    }
    if (ui->read_only && action_mutates(action)) {
        ui_status(ui, STATUS_WARN, _("Read-only console: %s is not allowed here; nothing was sent"),
                  action_name(action));
        return;
    }
    int result = screen->ops->handle_action(screen, action, argument);
    if (result & WIDGET_HANDLED)
        return;
    actions_run(ui->runner, action, argument);
}

/* ---- layout and drawing ---- */

void ui_check_size(struct ui *ui)
{
    getmaxyx(stdscr, ui->lines, ui->columns);
    bool small = ui->lines < UI_MIN_LINES || ui->columns < UI_MIN_COLUMNS;
    if (small != ui->too_small)
        log_info("ui", "terminal %dx%d%s", ui->columns, ui->lines, small ? " (too small)" : "");
    ui->too_small = small;
    ui_repaint_all(ui);
}

void ui_layout(struct ui *ui)
{
    int banner = banner_lines(ui->banner);
    int prompt = ui_overlay_lines(ui);
    int width = ui->columns;
    widget_resize(header_bar_widget(ui->header), 0, 0, 1, width);
    widget_resize(banner_widget(ui->banner), 1, 0, banner, width);
    ui->body_y = 1 + banner;
    ui->body_height = ui->lines - ui->body_y - 1 - prompt;
    if (ui->body_height < 0)
        ui->body_height = 0;
    widget_resize(status_bar_widget(ui->status), ui->lines - 1 - prompt, 0, 1, width);
    ui_overlay_layout(ui);
    struct screen *screen = ui->screens[ui->current];
    screen->ops->layout(screen, ui->body_y, 0, ui->body_height, width);
    ui->relayout = false;
    ui->repaint = true;
}

static void draw_too_small(struct ui *ui)
{
    if (!ui->repaint)
        return;
    erase();
    char text[BARS_TEXT_MAX];
    snprintf(text, sizeof text, _("Terminal too small (%dx%d): needs at least %dx%d"), ui->columns,
             ui->lines, UI_MIN_COLUMNS, UI_MIN_LINES);
    cells_put(stdscr, ui->lines / 2, 0, ui->columns, text, CELLS_CENTER,
              ui_attr(ui, THEME_SLOT_STATUS_WARNING), ui->charset);
    curs_set(0);
    ui->repaint = false;
}

void ui_draw(struct ui *ui)
{
    if (!ui->running)
        return;
    if (ui->too_small) {
        draw_too_small(ui);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    ui_bars_update(ui);
    if (ui->relayout)
        ui_layout(ui);
    struct screen *screen = ui->screens[ui->current];
    if (ui->repaint) {
        erase();
        widget_invalidate(header_bar_widget(ui->header));
        widget_invalidate(banner_widget(ui->banner));
        widget_invalidate(status_bar_widget(ui->status));
        if (screen->ops->invalidate)
            screen->ops->invalidate(screen);
        ui->repaint = false;
    }
    ui_bars_draw(ui);
    screen->ops->draw(screen);
    status_bar_draw(ui->status);
    ui_overlay_draw(ui); /* last: on top, and it places the cursor */
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---- :save-display ---- */

static size_t cell_text(int y, int x, char *out, size_t size, int *width)
{
    cchar_t cell;
    wchar_t wide[CCHARW_MAX + 1] = {0};
    attr_t attrs;
    short pair;
    *width = 1;
    if (mvwin_wch(stdscr, y, x, &cell) == ERR ||
        getcchar(&cell, wide, &attrs, &pair, NULL) == ERR || wide[0] == L'\0') {
        snprintf(out, size, " ");
        return 1;
    }
    int columns = wcwidth(wide[0]);
    *width = columns > 1 ? columns : 1;
    size_t count = wcslen(wide);
    return cells_encode_utf8(wide, count, out, size);
}

bool ui_save_display(struct ui *ui, const char *path, char *error, size_t error_size)
{
    ui_draw(ui); /* the screen as it is now, without the prompt just closed */
    FILE *file = fopen(path, "w");
    if (!file) {
        snprintf(error, error_size, "%s: %s", path, strerror(errno));
        return false;
    }
    /* 8 bytes a cell: a character and a combining accent or two. */
    size_t capacity = (size_t)ui->columns * 8 + 2;
    char *line = malloc(capacity);
    if (!line) {
        fclose(file);
        snprintf(error, error_size, "%s", _("not enough memory"));
        return false;
    }
    for (int y = 0; y < ui->lines; y++) {
        size_t used = 0, kept = 0;
        for (int x = 0; x < ui->columns;) {
            int width;
            char cell[64];
            size_t length = cell_text(y, x, cell, sizeof cell, &width);
            if (used + length + 2 > capacity)
                break;
            memcpy(line + used, cell, length);
            used += length;
            if (!(length == 1 && cell[0] == ' '))
                kept = used; /* trailing blanks are left out */
            x += width;
        }
        line[kept++] = '\n';
        fwrite(line, 1, kept, file);
    }
    free(line);
    bool ok = fflush(file) == 0 && !ferror(file);
    if (fclose(file) != 0)
        ok = false;
    if (!ok)
        snprintf(error, error_size, "%s: %s", path, strerror(errno));
    return ok;
}

/* ---- the run ---- */

static bool open_terminal(struct ui *ui, char *error, size_t error_size)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(error, error_size, "%s", _("vigie needs a terminal on its input and output"));
        return false;
    }
    const char *term = getenv("TERM");
    ui->terminal = newterm(NULL, stdout, stdin);
    if (!ui->terminal) {
        snprintf(error, error_size, _("cannot drive this terminal (TERM=%s)"), term ? term : "");
        return false;
    }
    set_term(ui->terminal);
    cbreak(); /* Ctrl-C stays a signal, handled by the loop */
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(UI_ESCAPE_DELAY_MS);
    curs_set(0);
    return true;
}

/* Theme warnings go to the log here, and to the status line with the
 * other start-up warnings (show_warnings). */
static void choose_look(struct ui *ui, struct config_file_warnings *warnings)
{
    enum charset_kind kind;
    if (ui->config->charset == CONSOLE_CONFIG_CHARSET_UNICODE)
        kind = CHARSET_UNICODE;
    else if (ui->config->charset == CONSOLE_CONFIG_CHARSET_ASCII)
        kind = CHARSET_ASCII;
    else
        kind = charset_kind_for_codeset(nl_langinfo(CODESET));
    ui->charset = charset_get(kind);
    ui->depth = theme_terminal_depth();
    config_file_warnings_init(warnings);
    theme_load(&ui->theme, ui->config->theme, ui->depth, warnings);
    theme_apply(&ui->theme, ui->depth);
    for (size_t i = 0; i < warnings->count; i++)
        log_warn("theme", "%s", warnings->text[i]);
    bkgdset(' ' | ui_attr(ui, THEME_SLOT_TEXT));
    log_info("ui", "terminal %s, %d colours, charset %s", termname(), ui->depth,
             kind == CHARSET_UNICODE ? "unicode" : "ascii");
}

static bool make_widgets(struct ui *ui)
{
    struct status_style style = {
        .bar = ui_attr(ui, THEME_SLOT_STATUS),
        .info = ui_attr(ui, THEME_SLOT_STATUS),
        .warn = ui_attr(ui, THEME_SLOT_STATUS_WARNING),
        .error = ui_attr(ui, THEME_SLOT_STATUS_ERROR),
        .key = ui_attr(ui, THEME_SLOT_STATUS_KEY),
    };
    ui->header = header_bar_new(stdscr, ui->charset, ui_attr(ui, THEME_SLOT_HEADER));
    ui->status = status_bar_new(stdscr, ui->charset, &style);
    ui->banner = banner_new(stdscr, ui->charset);
    ui->runner = actions_run_new(ui);
    ui->notify = notify_new(ui->config->notifications, ui->config->bell, STDOUT_FILENO);
    static const char *const channels[] = {"none", "desktop", "terminal"};
    log_info("ui", "priority-1 notifications: %s", channels[notify_channel(ui->notify)]);
    if (!ui->header || !ui->status || !ui->banner || !ui->runner)
        return false;
    for (int id = 0; id < SCREEN_COUNT; id++) {
        ui->screens[id] = screen_table[id]->create(ui);
        if (!ui->screens[id])
            return false;
    }
    return true;
}

static void free_widgets(struct ui *ui)
{
    ui_overlay_close(ui);
    for (int id = 0; id < SCREEN_COUNT; id++) {
        if (ui->screens[id] && ui->screens[id]->ops->destroy)
            ui->screens[id]->ops->destroy(ui->screens[id]);
        ui->screens[id] = NULL;
    }
    actions_run_free(ui->runner);
    notify_free(ui->notify);
    header_bar_free(ui->header);
    status_bar_free(ui->status);
    banner_free(ui->banner);
    ui->runner = NULL;
    ui->notify = NULL;
    ui->header = NULL;
    ui->status = NULL;
    ui->banner = NULL;
}

/* The start-up warnings as one message: the first, and how many more the
 * log has. The settings' and keymap's were printed before the screen
 * opened; the theme's, read with the terminal, were not: one of those
 * comes first, and stays when the link goes live. */
static void show_warnings(struct ui *ui, const struct config_file_warnings *theme)
{
    size_t settings = ui->warnings ? config_file_warnings_total(ui->warnings) : 0;
    size_t total = settings + config_file_warnings_total(theme);
    if (total == 0)
        return;
    const char *first = theme->count                          ? theme->text[0]
                        : ui->warnings && ui->warnings->count ? ui->warnings->text[0]
                                                              : "";
    if (total == 1)
        ui_status(ui, STATUS_WARN, "%s", first);
    else
        ui_status(ui, STATUS_WARN,
                  P_("%s (and %zu more warning in the log)",
                     "%s (and %zu more warnings in the log)", total - 1),
                  first, total - 1);
    ui->status_pinned = theme->count > 0;
}

int ui_run(struct ui *ui, struct client *client, struct model *model, char *error,
           size_t error_size)
{
    ui->client = client;
    ui->model = model;
    ui->read_only = ui->config->read_only || client_role(client) == CLIENT_ROLE_SUPERVISOR;
    ui->signal_fd = ui_signals_open(error, error_size);
    if (ui->signal_fd < 0)
        return UI_EXIT_CANNOT_START;
    if (!open_terminal(ui, error, error_size)) {
        ui_signals_close(ui->signal_fd);
        return UI_EXIT_CANNOT_START;
    }
    struct config_file_warnings theme_warnings;
    choose_look(ui, &theme_warnings);
    int status = UI_EXIT_CANNOT_START;
    if (make_widgets(ui)) {
        show_warnings(ui, &theme_warnings);
        ui_refresh_clock(ui);
        ui->running = true;
        enter_screen(ui, SCREEN_QUEUE, SCREEN_QUEUE, 0);
        ui_check_size(ui);
        status = ui_loop(ui);
        ui->running = false;
    } else {
        snprintf(error, error_size, "%s", _("not enough memory for the screens"));
    }
    free_widgets(ui);
    endwin();
    delscreen(ui->terminal);
    ui->terminal = NULL;
    ui_signals_close(ui->signal_fd);
    ui->signal_fd = -1;
    return status;
}
