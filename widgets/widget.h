/* widget.h: the small base every widget shares: a rectangle of a caller's
 * WINDOW, a dirty flag and four operations. Widgets draw into the window
 * and never refresh it: the loop calls wnoutrefresh and doupdate once. */
#ifndef VIGIE_WIDGETS_WIDGET_H
#define VIGIE_WIDGETS_WIDGET_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "widgets/charset.h"

/* What a key handler did; the loop acts on the flags. */
enum widget_result {
    WIDGET_IGNORED = 0,      /* not a key of this widget: offer it elsewhere */
    WIDGET_HANDLED = 1 << 0, /* consumed */
    WIDGET_REDRAW = 1 << 1,  /* something changed: call widget_draw */
    WIDGET_QUIT = 1 << 2,    /* the widget is done (answered, accepted, closed) */
};

/* One key as wget_wch gives it: a character, or a KEY_* code when
 * function is true (the two ranges overlap, hence the flag). */
struct widget_key {
    bool function;
    wint_t code;
};

#define WIDGET_CTRL(letter) ((wint_t)((letter)&0x1F))
#define WIDGET_ESCAPE       ((wint_t)27)

struct widget;

struct widget_ops {
    /* Paints what is dirty, nothing else, and clears the dirty state. */
    void (*draw)(struct widget *widget);
    /* Returns a mask of enum widget_result. */
    int (*handle_key)(struct widget *widget, struct widget_key key);
    /* Called after the rectangle changed; the base is already updated.
     * May be NULL. */
    void (*resize)(struct widget *widget);
    /* Frees the widget itself. */
    void (*free)(struct widget *widget);
};

struct widget {
    const struct widget_ops *ops;
    WINDOW *win;
    const struct charset *charset;
    int y, x, height, width;
    bool dirty; /* everything must be repainted */
};

/* Sets up the base of a widget (called by each widget's constructor). */
void widget_init(struct widget *widget, const struct widget_ops *ops, WINDOW *win,
                 const struct charset *charset);

void widget_draw(struct widget *widget);
int widget_handle_key(struct widget *widget, struct widget_key key);
/* Moves the widget to a new rectangle of its window and marks it dirty. */
void widget_resize(struct widget *widget, int y, int x, int height, int width);
/* Changes the window drawn into (after the caller recreated its windows). */
void widget_set_window(struct widget *widget, WINDOW *win);
/* Marks the whole widget for repainting (after an overlay closed). */
void widget_invalidate(struct widget *widget);
/* Frees any widget; NULL is allowed. */
void widget_free(struct widget *widget);

struct widget_key widget_key_char(wint_t character);
struct widget_key widget_key_function(int key_code);
bool widget_key_is(struct widget_key key, wint_t character);
bool widget_key_is_function(struct widget_key key, int key_code);
/* Enter, Return or keypad Enter. */
bool widget_key_is_enter(struct widget_key key);
/* Backspace in any of its spellings: KEY_BACKSPACE, DEL, Ctrl-H. */
bool widget_key_is_backspace(struct widget_key key);

/* Reads one key with wget_wch; returns ERR when none came (timeout, EOF). */
int widget_key_read(WINDOW *win, struct widget_key *key);

#endif
