/* lineedit.h: a one-line editor for prompts (filter, search, comment):
 * UTF-8 text, cursor keys, the readline kills (Ctrl-A/E/U/K/W), a bounded
 * history on Up/Down and a completion hook on Tab. Scrolls sideways. */
#ifndef VIGIE_WIDGETS_LINEEDIT_H
#define VIGIE_WIDGETS_LINEEDIT_H

#include "widgets/widget.h"

/* Characters of one line: a filter, a search or a short comment; longer
 * text belongs in a form. */
#define LINEEDIT_MAX 1024
/* Bytes of the text as UTF-8, terminator included. */
#define LINEEDIT_UTF8_MAX (LINEEDIT_MAX * 4 + 1)
/* Entries a history keeps: an operator's shift of filters and searches. */
#define LINEEDIT_HISTORY_MAX 100

/* Past lines, newest first; one history per purpose, shared by the editors
 * of that purpose and outliving them. */
struct lineedit_history;

/* capacity is bounded by LINEEDIT_HISTORY_MAX; NULL when memory is short. */
struct lineedit_history *lineedit_history_new(size_t capacity);
void lineedit_history_free(struct lineedit_history *history);
/* Adds a line unless empty or equal to the newest; the oldest goes when
 * full. Returns -1 when memory is short. */
int lineedit_history_add(struct lineedit_history *history, const char *utf8);
size_t lineedit_history_count(const struct lineedit_history *history);
/* age 0 is the newest; NULL past the oldest. */
const char *lineedit_history_get(const struct lineedit_history *history, size_t age);

enum lineedit_state { LINEEDIT_EDITING, LINEEDIT_ACCEPTED, LINEEDIT_CANCELLED };

/* Tab: given the text and the cursor (a byte offset), writes the completed
 * text into out and the new cursor (byte offset) into *out_cursor; returns
 * false to leave the line as it is. */
typedef bool (*lineedit_complete_fn)(void *context, const char *text, size_t cursor, char *out,
                                     size_t out_size, size_t *out_cursor);

struct lineedit_style {
    attr_t prompt;
    attr_t text;
    attr_t marker; /* the arrows telling text is hidden left or right */
};

struct lineedit;

/* One line: the first line of the window to begin with. The prompt is
 * copied. NULL when memory is short. */
struct lineedit *lineedit_new(WINDOW *win, const struct charset *charset,
                              const struct lineedit_style *style, const char *prompt);
void lineedit_free(struct lineedit *editor);
struct widget *lineedit_widget(struct lineedit *editor);

void lineedit_set_history(struct lineedit *editor, struct lineedit_history *history);
void lineedit_set_completion(struct lineedit *editor, lineedit_complete_fn complete, void *context);

/* Replaces the text (cut at LINEEDIT_MAX), cursor at the end, editing. */
void lineedit_set_text(struct lineedit *editor, const char *utf8);
/* The text as UTF-8, valid until the next change. */
const char *lineedit_text(struct lineedit *editor);
/* Cursor in characters from the start. */
size_t lineedit_cursor(const struct lineedit *editor);
enum lineedit_state lineedit_state(const struct lineedit *editor);

/* Where the terminal cursor belongs (window coordinates): the loop moves
 * it there after drawing everything else. */
void lineedit_cursor_position(struct lineedit *editor, int *y, int *x);

void lineedit_draw(struct lineedit *editor);
/* Characters insert; Enter accepts and Esc or Ctrl-G cancels, both with
 * WIDGET_QUIT; Left/Right, Home/End, Ctrl-A/E, Backspace, Delete, Ctrl-U
 * (kill to start), Ctrl-K (kill to end), Ctrl-W (kill word), Up/Down
 * (history), Tab (completion). */
int lineedit_handle_key(struct lineedit *editor, struct widget_key key);

#endif
