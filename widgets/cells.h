/* cells.h: UTF-8 text turned into terminal cells: decoded without the
 * locale's help, folded for the charset, measured with wcwidth, cut with an
 * ellipsis and painted at a fixed width. Every widget draws text through it. */
#ifndef VIGIE_WIDGETS_CELLS_H
#define VIGIE_WIDGETS_CELLS_H

#include "widgets/widget.h"

/* Wide characters one drawn run may hold: more than the widest terminal
 * line a console would use (a 300-column screen, with ascii folding that
 * can triple a character). Longer text is cut. */
#define CELLS_RUN_MAX 1024

enum cells_align { CELLS_LEFT, CELLS_RIGHT, CELLS_CENTER };

/* Decodes len bytes of UTF-8 (invalid bytes become U+FFFD, or '?' in ascii
 * mode) into at most out_max wide characters shown as the charset can
 * show them. Returns the number written. */
size_t cells_decode(const struct charset *charset, const char *utf8, size_t len, wchar_t *out,
                    size_t out_max);

/* Columns one decoded character takes: 0 (combining), 1 or 2. */
int cells_char_width(const struct charset *charset, wchar_t c);

/* Columns a decoded run takes. */
int cells_width(const struct charset *charset, const wchar_t *text, size_t count);

/* How many characters of text fit in max_width columns; *used gets their
 * width (may be NULL). */
size_t cells_fit(const struct charset *charset, const wchar_t *text, size_t count, int max_width,
                 int *used);

/* The first visual line of text wrapped at width: returns how many
 * characters to draw (at most width columns) and sets *consumed to where the
 * next line starts (past the spaces of the break). Breaks at the last space
 * that fits, or mid-word for a word wider than the line. *consumed is at
 * least 1 for a non-empty text, so a loop always advances. */
size_t cells_wrap(const struct charset *charset, const wchar_t *text, size_t count, int width,
                  size_t *consumed);

/* Paints exactly width columns at (y, x) with attr: the text aligned,
 * padded with spaces, cut with the charset's ellipsis when it is wider. */
void cells_put_wide(WINDOW *win, int y, int x, int width, const wchar_t *text, size_t count,
                    enum cells_align align, attr_t attr, const struct charset *charset);

/* The same for a UTF-8 string. */
void cells_put(WINDOW *win, int y, int x, int width, const char *utf8, enum cells_align align,
               attr_t attr, const struct charset *charset);

/* Paints width blank columns with attr. */
void cells_fill(WINDOW *win, int y, int x, int width, attr_t attr);

/* Paints a box of height x width at (y, x): the charset's border in attr,
 * the inside blank, and the title (may be NULL) on the top border. */
void cells_frame(WINDOW *win, int y, int x, int height, int width, attr_t attr, const char *title,
                 attr_t title_attr, const struct charset *charset);

/* Paints text at (y, *x) in its own width, no further than limit (a
 * column), and moves *x past it: a piece of a line built left to right. */
void cells_put_piece(WINDOW *win, int y, int *x, int limit, const char *utf8, attr_t attr,
                     const struct charset *charset);

/* Encodes wide characters as UTF-8 into out (always terminated when size
 * > 0; a character that does not fit whole is left out). Returns the
 * number of bytes written, the terminator excluded. */
size_t cells_encode_utf8(const wchar_t *text, size_t count, char *out, size_t size);

#endif
