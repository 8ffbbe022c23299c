/* screen.h: a screen of the console is a struct of callbacks in a file of
 * its own (as tig's views are), and screen.c lists them in one table.
 * Screens read the model and draw; keys reach them as named actions from
 * the keymap, never as keys; they reach the server only through client.h.
 * The console creates every screen once at start and keeps it, so a
 * screen keeps its selection and filter between visits. */
#ifndef VIGIE_CONSOLE_SCREEN_H
#define VIGIE_CONSOLE_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "console/actions.h"
#include "console/model.h"

enum screen_id {
    SCREEN_QUEUE,             /* the open alarms: the main screen */
    SCREEN_CLOSED,            /* the closed alarms */
    SCREEN_DETAIL,            /* one alarm in full */
    SCREEN_HELP,              /* the keys of the screen it was opened from */
    SCREEN_VICTIM,            /* a protection phone's victim file, position and track */
    SCREEN_PROCEDURES,        /* the alarm's procedure as a checklist */
    SCREEN_MAP,               /* the alarm's position and what is around it */
    SCREEN_ESCALATE,          /* escalating the alarm to police, fire or medical */
    SCREEN_MASSALERT,         /* composing a mass alert: the circle, the counts, the message */
    SCREEN_MASSALERT_MONITOR, /* a mass alert sent: deliveries, replies, report */
    SCREEN_COUNT
};

struct ui;
struct screen;

/* Every callback but create, destroy, layout, draw and handle_action may
 * be NULL. */
struct screen_ops {
    const char *name;        /* "queue": the log and :save-display name it */
    enum action_screen keys; /* the keymap section its keys come from */
    struct screen *(*create)(struct ui *ui);
    void (*destroy)(struct screen *screen);
    /* Now shown, coming from screen from, about alarm_id (0: none). */
    void (*enter)(struct screen *screen, enum screen_id from, int64_t alarm_id);
    /* Another screen replaces it; it stays alive. */
    void (*leave)(struct screen *screen);
    /* Its rectangle changed (resize, a banner, a prompt); all of it repaints. */
    void (*layout)(struct screen *screen, int y, int x, int height, int width);
    /* Everything must be painted again (after an overlay closed). */
    void (*invalidate)(struct screen *screen);
    /* Paints what is dirty, nothing else. */
    void (*draw)(struct screen *screen);
    /* Returns enum widget_result flags; WIDGET_IGNORED hands the action to
     * the console (actions_run.c). argument: the rest of a ":" command. */
    int (*handle_action)(struct screen *screen, enum action action, const char *argument);
    /* Model events reach every screen, shown or not. */
    void (*alarm_changed)(struct screen *screen, const struct console_alarm *alarm,
                          enum model_change change);
    void (*model_reloaded)(struct screen *screen);
    /* An answer to a client_get; true if the screen had asked for it. */
    bool (*document_loaded)(struct screen *screen, int request_id, int http_status,
                            const cJSON *body);
    /* Once a second, for every screen: live ages, flashes. */
    void (*tick)(struct screen *screen);
    /* The alarm that claim, note, close... act on; false when none. */
    bool (*selected_alarm)(struct screen *screen, int64_t *alarm_id);
    /* What the status line says when no message is shown ("3/12 open"). */
    void (*status)(struct screen *screen, char *out, size_t size);
    /* Actions whose keys the status bar shows, ACTION_NONE-terminated. */
    const enum action *hints;
};

/* The part every screen starts with. */
struct screen {
    const struct screen_ops *ops;
    struct ui *ui;
};

extern const struct screen_ops screen_queue_ops;
extern const struct screen_ops screen_closed_ops;
extern const struct screen_ops screen_detail_ops;
extern const struct screen_ops screen_help_ops;
extern const struct screen_ops screen_victim_ops;
extern const struct screen_ops screen_procedures_ops;
extern const struct screen_ops screen_map_ops;
extern const struct screen_ops screen_escalate_ops;
extern const struct screen_ops screen_massalert_ops;
extern const struct screen_ops screen_massalert_monitor_ops;

/* The screens, indexed by enum screen_id: adding a screen is adding a file
 * and a row here. */
extern const struct screen_ops *const screen_table[SCREEN_COUNT];

#endif
