/* ui_internal.h: the ui's state, shared by its files: ui.c (terminal,
 * layout, drawing, screens), ui_loop.c (poll, signals, keys, ticks, client
 * callbacks), ui_bars.c (header, banner, status hints) and ui_overlay.c
 * (prompt and dialogs). Nothing else includes it. */
#ifndef VIGIE_CONSOLE_UI_INTERNAL_H
#define VIGIE_CONSOLE_UI_INTERNAL_H

#include "console/ui.h"

#include "console/actions_run.h"
#include "console/notify.h"

/* Screens one can go back through: queue, detail, help and a few more. */
#define UI_BACK_MAX 8
/* An info message fades after this long, a warning after a minute;
 * errors stay until the next message, so that nothing alarming goes
 * unseen. */
#define UI_STATUS_FADE_MS      10000
#define UI_STATUS_FADE_WARN_MS 60000
/* The tick of live ages, the heartbeat age and the banner's counter. */
#define UI_TICK_MS 1000
/* Bytes of the status message. */
#define UI_STATUS_MAX BARS_TEXT_MAX

enum ui_overlay_kind { UI_OVERLAY_NONE, UI_OVERLAY_PROMPT, UI_OVERLAY_DIALOG };

struct ui_overlay {
    enum ui_overlay_kind kind;
    struct lineedit *editor;
    ui_prompt_done_fn *prompt_done;
    ui_prompt_changed_fn *prompt_changed;
    struct dialog *dialog;
    ui_dialog_done_fn *dialog_done;
    void *context;
};

struct ui {
    const struct console_config *config;
    const struct keymap *keymap;
    const struct config_file_warnings *warnings;
    struct client *client;
    struct model *model;
    bool running; /* the terminal is set up: callbacks may draw */
    bool read_only;
    SCREEN *terminal;
    struct theme theme;
    int depth;
    const struct charset *charset;
    int lines, columns;
    bool too_small;

    struct header_bar *header;
    struct status_bar *status;
    struct banner *banner;
    struct screen *screens[SCREEN_COUNT];
    enum screen_id current;
    enum screen_id back[UI_BACK_MAX];
    size_t back_count;
    struct ui_overlay overlay;
    struct actions_run *runner;
    struct notify *notify;

    int signal_fd;
    bool quit;
    int exit_status;
    int64_t now_ms;         /* server clock, at the last tick or event */
    int64_t next_tick_mono; /* monotonic */
    int64_t status_fade_mono;
    bool relayout; /* the body's rectangle must be computed again */
    bool repaint;  /* every part must be painted again */
    bool hints_stale;
    int body_y, body_height;
    size_t alerts; /* waiting for the next update */
    /* A new model (a reload, the queue's head at start): drawn at once,
     * not at the next news frame. */
    bool reloaded;
    char alert_title[NOTIFY_TEXT_MAX], alert_body[NOTIFY_TEXT_MAX];
    char status_text[UI_STATUS_MAX];
    enum status_level status_level;
    bool status_pinned; /* a theme warning: "Live" does not replace it (seen nowhere else) */
};

/* ui.c */
void ui_layout(struct ui *ui);
void ui_draw(struct ui *ui);
void ui_check_size(struct ui *ui);
void ui_refresh_clock(struct ui *ui);
/* Rings and notifies what ui_alert collected; after ui_draw. */
void ui_alerts_flush(struct ui *ui);

/* ui_loop.c */
int ui_loop(struct ui *ui);
int ui_signals_open(char *error, size_t error_size);
void ui_signals_close(int fd);

/* ui_bars.c */
/* Header texts, the banner (lines may change: relayout) and the hints. */
void ui_bars_update(struct ui *ui);
void ui_bars_draw(struct ui *ui);

/* ui_overlay.c */
/* Keys go to the overlay first; true when it took the key. */
bool ui_overlay_key(struct ui *ui, struct widget_key key);
void ui_overlay_layout(struct ui *ui);
void ui_overlay_draw(struct ui *ui);
/* Lines the overlay takes at the bottom (the prompt: 1). */
int ui_overlay_lines(const struct ui *ui);
void ui_overlay_close(struct ui *ui);

#endif
