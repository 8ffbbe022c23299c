/* textview.h: a read-only text (a victim's file, a procedure, a log) wrapped
 * at the widget's width, scrolled by line or page, searched with matches
 * highlighted and n/N to step between them. */
#ifndef VIGIE_WIDGETS_TEXTVIEW_H
#define VIGIE_WIDGETS_TEXTVIEW_H

#include "widgets/widget.h"

/* Bytes of text one view takes: a file or a procedure is a few KiB; 1 MiB
 * bounds a runaway log. Longer text is cut. */
#define TEXTVIEW_TEXT_MAX (1024 * 1024)
/* Characters of a search pattern: what fits on the prompt line. */
#define TEXTVIEW_PATTERN_MAX 256

struct textview_style {
    attr_t text;
    attr_t match;         /* every match of the search */
    attr_t current_match; /* the one n/N moved to */
    attr_t marker;        /* the more-above/more-below arrows */
};

struct textview;

/* Fills the window; an empty text to begin with. NULL when memory is short. */
struct textview *textview_new(WINDOW *win, const struct charset *charset,
                              const struct textview_style *style);
void textview_free(struct textview *view);
struct widget *textview_widget(struct textview *view);

/* Replaces the text (UTF-8, lines split on '\n'; copied) and scrolls to the
 * top; a search in force is run again. Returns -1 when memory is short,
 * leaving the old text. */
int textview_set_text(struct textview *view, const char *utf8);

/* Lines after wrapping, and the first one shown. */
size_t textview_line_count(const struct textview *view);
size_t textview_top(const struct textview *view);
void textview_scroll(struct textview *view, long lines);
void textview_scroll_to(struct textview *view, size_t line);

/* Looks for pattern (case-insensitive; "" clears the search) and moves to
 * the first match at or below the top line, wrapping around. Returns the
 * number of matches. */
size_t textview_search(struct textview *view, const char *pattern);
/* Moves to the next (or previous) match, wrapping around; false when the
 * search found nothing. */
bool textview_search_next(struct textview *view, bool backward);
/* Which match is current (0-based) and how many there are, for a "3/7". */
size_t textview_match_count(const struct textview *view);
size_t textview_current_match(const struct textview *view);

void textview_draw(struct textview *view);
/* Up/Down, PgUp/PgDn/space, Home/End, n/N. */
int textview_handle_key(struct textview *view, struct widget_key key);

#endif
