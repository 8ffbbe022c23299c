/* dialog.h: modal questions in a box centred on the widget's rectangle: a
 * confirmation (yes only on its own key, no by default) and a choice of one
 * among N (a resolution code). Read the answer once a key gave WIDGET_QUIT. */
#ifndef VIGIE_WIDGETS_DIALOG_H
#define VIGIE_WIDGETS_DIALOG_H

#include "widgets/widget.h"

/* Widest box: a message wider than this wraps, so a line stays readable. */
#define DIALOG_WIDTH_MAX 72
/* Lines of message kept after wrapping; a confirmation is a sentence. */
#define DIALOG_LINES_MAX 12

enum dialog_answer {
    DIALOG_PENDING,   /* still open */
    DIALOG_YES,       /* confirmation: the yes key */
    DIALOG_NO,        /* confirmation: n, Esc, Enter */
    DIALOG_CHOSEN,    /* choice: see dialog_choice */
    DIALOG_CANCELLED, /* choice: Esc */
};

struct dialog_style {
    attr_t frame; /* border and background */
    attr_t title;
    attr_t text;
    attr_t key;      /* key names in the hint line */
    attr_t selected; /* the highlighted choice */
};

struct dialog;

/* A confirmation. message names the object ("Disarm site BANQUE X - Agence
 * Opéra?"), may hold '\n' and is wrapped; yes_key (a letter, either case
 * accepted) is the only key that answers yes; yes_label and no_label name
 * the outcomes ("Disarm", "Cancel"; NULL for the defaults). Strings are
 * copied. NULL when memory is short. */
struct dialog *dialog_confirm_new(WINDOW *win, const struct charset *charset,
                                  const struct dialog_style *style, const char *title,
                                  const char *message, wchar_t yes_key, const char *yes_label,
                                  const char *no_label);

/* A choice among count items (copied), starting on initial. Up/Down,
 * PgUp/PgDn, Home/End move, Enter or a digit 1-9 chooses, Esc cancels. */
struct dialog *dialog_choice_new(WINDOW *win, const struct charset *charset,
                                 const struct dialog_style *style, const char *title,
                                 const char *const *items, size_t count, size_t initial);

void dialog_free(struct dialog *dialog);
struct widget *dialog_widget(struct dialog *dialog);

enum dialog_answer dialog_answer(const struct dialog *dialog);
/* The item chosen, or highlighted while pending. */
size_t dialog_choice(const struct dialog *dialog);

/* The box inside the widget's rectangle (window coordinates), for a
 * caller that gives the dialog a window of its own. */
void dialog_box(struct dialog *dialog, int *y, int *x, int *height, int *width);

void dialog_draw(struct dialog *dialog);
int dialog_handle_key(struct dialog *dialog, struct widget_key key);

#endif
