/* canvas.h: a drawing surface of dots, shown with braille characters: each
 * terminal cell holds 2x4 dots (U+2800..U+28FF), so a 48x20 rectangle is a
 * 96x80 dot picture whose dots are about square on a terminal whose cells
 * are twice as high as wide. Dots, lines, circle outlines, marker glyphs and
 * text labels are placed in dot coordinates (x to the right, y down from
 * the top-left dot); whatever falls outside is clipped. In ASCII mode
 * (LANG=C) a cell shows one character for its dots instead ('.', '\'' or
 * ':' by which half holds them), and markers their ASCII stand-in. The
 * canvas knows nothing of what it draws (maps, alarms). */
#ifndef VIGIE_WIDGETS_CANVAS_H
#define VIGIE_WIDGETS_CANVAS_H

#include "widgets/widget.h"

/* Dots of one cell. */
#define CANVAS_DOTS_ACROSS 2
#define CANVAS_DOTS_DOWN   4
/* The largest rectangle a canvas covers: a 512x256 terminal is beyond any
 * screen; a bigger one is drawn cut. */
#define CANVAS_COLUMNS_MAX 512
#define CANVAS_LINES_MAX   256

/* The first braille pattern, empty: dots are bits added to it. */
#define CANVAS_BRAILLE_BASE 0x2800

struct canvas;

/* Fills the window to begin with; background is the attribute of empty
 * cells. NULL when memory is short. */
struct canvas *canvas_new(WINDOW *win, const struct charset *charset, attr_t background);
void canvas_free(struct canvas *canvas);
struct widget *canvas_widget(struct canvas *canvas);

/* The picture's size in dots (2 per column, 4 per line of the rectangle). */
int canvas_width(const struct canvas *canvas);
int canvas_height(const struct canvas *canvas);

/* Empties every cell (dots, markers and text). */
void canvas_clear(struct canvas *canvas);

/* One dot; attr colours its cell (the last one set wins). */
void canvas_set(struct canvas *canvas, int x, int y, attr_t attr);
void canvas_unset(struct canvas *canvas, int x, int y);
bool canvas_get(const struct canvas *canvas, int x, int y);

/* A straight line of dots from (x0, y0) to (x1, y1), both ends included;
 * clipped first, so far-away ends cost nothing. */
void canvas_line(struct canvas *canvas, int x0, int y0, int x1, int y1, attr_t attr);

/* The outline of a circle of radius dots around (cx, cy): closed (every dot
 * touches the next), drawn only where it crosses the picture, so a circle
 * far larger than the screen costs no more than the screen. */
void canvas_circle(struct canvas *canvas, int cx, int cy, long radius, attr_t attr);

/* A marker: the cell holding dot (x, y) shows glyph (unicode) or ascii
 * (ASCII mode) over its dots. */
void canvas_mark(struct canvas *canvas, int x, int y, wchar_t glyph, char ascii, attr_t attr);

/* A label: UTF-8 text from the cell holding dot (x, y) to the right, one
 * character a cell, cut at the edge (wide characters become the charset's
 * stand-in). Returns the number of cells written. */
int canvas_text(struct canvas *canvas, int x, int y, const char *utf8, attr_t attr);

/* The character a cell of the rectangle shows now (for tests and for
 * :save-display); L' ' for an empty or outside cell. */
wchar_t canvas_cell(const struct canvas *canvas, int column, int line);

void canvas_draw(struct canvas *canvas);

#endif
