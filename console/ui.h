/* ui.h: the console's terminal and its one event loop. ui owns the curses
 * screen, the bars around every screen (header, lost-backend banner,
 * status line), the prompt and dialog overlays and the screens; it polls
 * the terminal, the client's sockets and a signalfd, ticks once a second
 * for live ages, and redraws only what is dirty. main.c makes a ui before
 * the client (the client's callbacks point at it) and runs it after the
 * login. Screens use the services below; nothing here talks to the
 * network except through client.h. */
#ifndef VIGIE_CONSOLE_UI_H
#define VIGIE_CONSOLE_UI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "console/actions.h"
#include "console/client.h"
#include "console/config.h"
#include "console/keymap.h"
#include "console/model.h"
#include "console/screen.h"
#include "console/theme.h"
#include "widgets/bars.h"
#include "widgets/dialog.h"
#include "widgets/lineedit.h"
#include "widgets/widget.h"

/* The smallest terminal that shows the whole queue's columns and a page
 * of rows: the classic 80x24 of a remote shift. */
#define UI_MIN_COLUMNS 80
#define UI_MIN_LINES   24

/* Exit statuses, as vigie(1) documents them. */
enum ui_exit {
    UI_EXIT_OK = 0,           /* the operator quit (or SIGTERM, SIGHUP) */
    UI_EXIT_CANNOT_START = 1, /* no terminal, login refused, no server answered */
    UI_EXIT_USAGE = 2,        /* a bad option or setting */
};

struct ui;

/* ---- for main.c ---- */

/* Keeps config, keymap and the warnings to show (all outliving the ui). */
struct ui *ui_new(const struct console_config *config, const struct keymap *keymap,
                  const struct config_file_warnings *warnings);
void ui_free(struct ui *ui);
/* The callbacks to give client_start; they do nothing before ui_run. */
struct client_callbacks ui_client_callbacks(struct ui *ui);
/* Sets the terminal up, runs until the operator quits, puts the terminal
 * back. Returns an enum ui_exit; error gets a sentence when it is not 0. */
int ui_run(struct ui *ui, struct client *client, struct model *model, char *error,
           size_t error_size);

/* ---- for screens and actions_run.c ---- */

WINDOW *ui_window(struct ui *ui);
const struct charset *ui_charset(struct ui *ui);
attr_t ui_attr(struct ui *ui, enum theme_slot slot);
struct client *ui_client(struct ui *ui);
const struct model *ui_model(struct ui *ui);
const struct keymap *ui_keymap(struct ui *ui);
/* Read-only: --read-only, the setting, or a supervisor's role. */
bool ui_read_only(struct ui *ui);
/* The user name this console is logged in as. */
const char *ui_username(struct ui *ui);
/* Now in the server's clock (epoch ms), taken at the last tick or event,
 * so that every age on one screen is computed from the same instant. */
int64_t ui_now_ms(struct ui *ui);

/* The status line's message, until the next one (info messages fade
 * after a while). */
void ui_status(struct ui *ui, enum status_level level, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
void ui_status_clear(struct ui *ui);

/* Shows screen id (entering it with alarm_id); the current one goes on
 * the back stack, unless it is the same screen. */
void ui_open_screen(struct ui *ui, enum screen_id id, int64_t alarm_id);
/* Back to the previous screen; false on the queue (nothing to go back to). */
bool ui_back(struct ui *ui);
enum screen_id ui_current_screen_id(struct ui *ui);
struct screen *ui_screen(struct ui *ui, enum screen_id id);
/* Clears the terminal and repaints everything (Ctrl-L, after a suspend). */
void ui_repaint_all(struct ui *ui);
/* Runs an action as if its key had been pressed on the current screen:
 * read-only check, the screen, then actions_run. */
void ui_run_action(struct ui *ui, enum action action, const char *argument);
/* Ends the loop with status. */
void ui_quit(struct ui *ui, int status);
/* Rings the bell and notifies (priority-1 arrivals). */
void ui_alert(struct ui *ui, const char *title, const char *body);
/* Writes the terminal's current text to path, one line per row, trailing
 * blanks removed. */
bool ui_save_display(struct ui *ui, const char *path, char *error, size_t error_size);
/* The first key bound to action on the current screen, as a keymap file
 * spells it; "" when unbound. */
void ui_key_for_action(struct ui *ui, enum action_screen screen, enum action action,
                       char out[KEYMAP_KEY_TEXT_SIZE]);

/* ---- overlays: one at a time, they take the keys until they close ---- */

/* Called when the prompt is accepted (Enter) or cancelled (Esc). */
typedef void ui_prompt_done_fn(struct ui *ui, void *context, bool accepted, const char *text);
/* Called after each edit, for live filters. May be NULL. */
typedef void ui_prompt_changed_fn(struct ui *ui, void *context, const char *text);

struct ui_prompt_spec {
    const char *prompt;  /* ":", "/", "Note: " (copied) */
    const char *initial; /* NULL: empty */
    ui_prompt_done_fn *done;
    ui_prompt_changed_fn *changed;
    lineedit_complete_fn complete; /* NULL: Tab does nothing */
    struct lineedit_history *history;
    void *context;
};

/* Opens the prompt on the bottom line (the status line moves up one).
 * False when another overlay is open or memory is short. */
bool ui_prompt(struct ui *ui, const struct ui_prompt_spec *spec);

/* Called once with the answer (and the choice of a choice dialog). */
typedef void ui_dialog_done_fn(struct ui *ui, void *context, enum dialog_answer answer,
                               size_t choice);

bool ui_confirm(struct ui *ui, const char *title, const char *message, wchar_t yes_key,
                const char *yes_label, const char *no_label, ui_dialog_done_fn *done,
                void *context);
bool ui_choose(struct ui *ui, const char *title, const char *const *items, size_t count,
               ui_dialog_done_fn *done, void *context);

#endif
