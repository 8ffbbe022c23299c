/* canvas.c: the cells of a braille canvas and the shapes drawn on them.
 * Lines are clipped to the picture before they are walked (Bresenham);
 * circles are walked along the picture's rows and columns rather than
 * around their own circumference, which keeps them closed and bounds the
 * work by the picture's size, whatever the radius. */
#include "widgets/canvas.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "widgets/cells.h"

/* The bit of each dot of a cell, by [dx][dy] (Unicode's braille order:
 * dots 1-2-3-7 down the left, 4-5-6-8 down the right). */
static const uint8_t dot_bits[CANVAS_DOTS_ACROSS][CANVAS_DOTS_DOWN] = {
    {0x01, 0x02, 0x04, 0x40},
    {0x08, 0x10, 0x20, 0x80},
};
/* The dots of a cell's upper and lower halves, for the ASCII stand-ins. */
#define UPPER_DOTS 0x1B
#define LOWER_DOTS 0xE4

struct canvas_cell {
    uint8_t dots;
    wchar_t glyph; /* a marker or a letter of a label, over the dots; 0: none */
    char ascii;    /* a marker's stand-in in ASCII mode; 0: the glyph folded */
    attr_t attr;
};

struct canvas {
    struct widget base;
    attr_t background;
    int columns, lines; /* of the cells array, the rectangle cut to the bounds */
    struct canvas_cell *cells;
};

static struct canvas_cell *cell_at(const struct canvas *canvas, int column, int line)
{
    if (column < 0 || line < 0 || column >= canvas->columns || line >= canvas->lines)
        return NULL;
    return &canvas->cells[(size_t)line * (size_t)canvas->columns + (size_t)column];
}

/* The cell holding dot (x, y); NULL outside the picture. */
static struct canvas_cell *cell_of_dot(const struct canvas *canvas, int x, int y)
{
    if (x < 0 || y < 0)
        return NULL;
    return cell_at(canvas, x / CANVAS_DOTS_ACROSS, y / CANVAS_DOTS_DOWN);
}

static void canvas_resize_cells(struct widget *widget)
{
    struct canvas *canvas = (struct canvas *)widget;
    int columns = widget->width < CANVAS_COLUMNS_MAX ? widget->width : CANVAS_COLUMNS_MAX;
    int lines = widget->height < CANVAS_LINES_MAX ? widget->height : CANVAS_LINES_MAX;
    size_t count = (size_t)columns * (size_t)lines;
    struct canvas_cell *cells = count ? calloc(count, sizeof *cells) : NULL;
    free(canvas->cells);
    canvas->cells = cells;
    /* Out of memory: an empty picture rather than a crash. */
    canvas->columns = cells ? columns : 0;
    canvas->lines = cells ? lines : 0;
}

static wchar_t cell_char(const struct canvas *canvas, const struct canvas_cell *cell)
{
    bool ascii = canvas->base.charset->kind == CHARSET_ASCII;
    if (cell->glyph) {
        if (!ascii || cell->glyph < 0x80)
            return cell->glyph;
        if (cell->ascii)
            return (wchar_t)cell->ascii;
        wchar_t folded[CHARSET_FOLD_MAX];
        return charset_fold(canvas->base.charset, cell->glyph, folded) ? folded[0] : L'?';
    }
    if (!cell->dots)
        return L' ';
    if (!ascii)
        return (wchar_t)(CANVAS_BRAILLE_BASE + cell->dots);
    bool upper = cell->dots & UPPER_DOTS, lower = cell->dots & LOWER_DOTS;
    return upper && lower ? L':' : upper ? L'\'' : L'.';
}

wchar_t canvas_cell(const struct canvas *canvas, int column, int line)
{
    const struct canvas_cell *cell = cell_at(canvas, column, line);
    return cell ? cell_char(canvas, cell) : L' ';
}

static void canvas_widget_draw(struct widget *widget)
{
    struct canvas *canvas = (struct canvas *)widget;
    if (!widget->dirty)
        return;
    for (int line = 0; line < widget->height; line++) {
        for (int column = 0; column < widget->width; column++) {
            const struct canvas_cell *cell = cell_at(canvas, column, line);
            wchar_t shown[2] = {cell ? cell_char(canvas, cell) : L' ', L'\0'};
            attr_t attr = cell && (cell->dots || cell->glyph) ? cell->attr : canvas->background;
            wattrset(widget->win, (int)attr);
            /* The window's last cell makes this return ERR once written. */
            (void)mvwaddnwstr(widget->win, widget->y + line, widget->x + column, shown, 1);
        }
    }
    widget->dirty = false;
}

static void canvas_widget_free(struct widget *widget)
{
    struct canvas *canvas = (struct canvas *)widget;
    free(canvas->cells);
    free(canvas);
}

static const struct widget_ops canvas_ops = {
    .draw = canvas_widget_draw,
    .handle_key = NULL,
    .resize = canvas_resize_cells,
    .free = canvas_widget_free,
};

struct canvas *canvas_new(WINDOW *win, const struct charset *charset, attr_t background)
{
    struct canvas *canvas = calloc(1, sizeof *canvas);
    if (!canvas)
        return NULL;
    widget_init(&canvas->base, &canvas_ops, win, charset);
    canvas->background = background;
    canvas_resize_cells(&canvas->base);
    if (canvas->base.width > 0 && canvas->base.height > 0 && !canvas->cells) {
        free(canvas);
        return NULL;
    }
    return canvas;
}

void canvas_free(struct canvas *canvas)
{
    if (canvas)
        canvas_widget_free(&canvas->base);
}

struct widget *canvas_widget(struct canvas *canvas)
{
    return &canvas->base;
}

int canvas_width(const struct canvas *canvas)
{
    return canvas->columns * CANVAS_DOTS_ACROSS;
}

int canvas_height(const struct canvas *canvas)
{
    return canvas->lines * CANVAS_DOTS_DOWN;
}

void canvas_clear(struct canvas *canvas)
{
    if (canvas->cells)
        memset(canvas->cells, 0,
               (size_t)canvas->columns * (size_t)canvas->lines * sizeof canvas->cells[0]);
    canvas->base.dirty = true;
}

void canvas_set(struct canvas *canvas, int x, int y, attr_t attr)
{
    struct canvas_cell *cell = cell_of_dot(canvas, x, y);
    if (!cell)
        return;
    cell->dots |= dot_bits[x % CANVAS_DOTS_ACROSS][y % CANVAS_DOTS_DOWN];
    if (!cell->glyph) /* a marker keeps its own colour */
        cell->attr = attr;
    canvas->base.dirty = true;
}

void canvas_unset(struct canvas *canvas, int x, int y)
{
    struct canvas_cell *cell = cell_of_dot(canvas, x, y);
    if (!cell)
        return;
    cell->dots &= (uint8_t)~dot_bits[x % CANVAS_DOTS_ACROSS][y % CANVAS_DOTS_DOWN];
    canvas->base.dirty = true;
}

bool canvas_get(const struct canvas *canvas, int x, int y)
{
    const struct canvas_cell *cell = cell_of_dot(canvas, x, y);
    return cell && (cell->dots & dot_bits[x % CANVAS_DOTS_ACROSS][y % CANVAS_DOTS_DOWN]);
}

/* ---- lines ---- */

enum { OUT_LEFT = 1, OUT_RIGHT = 2, OUT_TOP = 4, OUT_BOTTOM = 8 };

static int outcode(double x, double y, double right, double bottom)
{
    return (x < 0       ? OUT_LEFT
            : x > right ? OUT_RIGHT
                        : 0) |
           (y < 0        ? OUT_TOP
            : y > bottom ? OUT_BOTTOM
                         : 0);
}

/* Cohen-Sutherland: cuts the segment to the picture; false when none of it
 * is inside. */
static bool clip_line(double *x0, double *y0, double *x1, double *y1, double right, double bottom)
{
    int code0 = outcode(*x0, *y0, right, bottom), code1 = outcode(*x1, *y1, right, bottom);
    while (code0 | code1) {
        if (code0 & code1)
            return false;
        int out = code0 ? code0 : code1;
        double x, y;
        if (out & OUT_TOP) {
            x = *x0 + (*x1 - *x0) * (0 - *y0) / (*y1 - *y0), y = 0;
        } else if (out & OUT_BOTTOM) {
            x = *x0 + (*x1 - *x0) * (bottom - *y0) / (*y1 - *y0), y = bottom;
        } else if (out & OUT_LEFT) {
            y = *y0 + (*y1 - *y0) * (0 - *x0) / (*x1 - *x0), x = 0;
        } else {
            y = *y0 + (*y1 - *y0) * (right - *x0) / (*x1 - *x0), x = right;
        }
        if (out == code0) {
            *x0 = x, *y0 = y;
            code0 = outcode(*x0, *y0, right, bottom);
        } else {
            *x1 = x, *y1 = y;
            code1 = outcode(*x1, *y1, right, bottom);
        }
    }
    return true;
}

void canvas_line(struct canvas *canvas, int x0, int y0, int x1, int y1, attr_t attr)
{
    double ax = x0, ay = y0, bx = x1, by = y1;
    int width = canvas_width(canvas), height = canvas_height(canvas);
    if (width == 0 || height == 0 || !clip_line(&ax, &ay, &bx, &by, width - 1, height - 1))
        return;
    int x = (int)lround(ax), y = (int)lround(ay), end_x = (int)lround(bx), end_y = (int)lround(by);
    int dx = abs(end_x - x), dy = -abs(end_y - y);
    int step_x = x < end_x ? 1 : -1, step_y = y < end_y ? 1 : -1;
    int error = dx + dy;
    for (;;) {
        canvas_set(canvas, x, y, attr);
        if (x == end_x && y == end_y)
            return;
        int twice = 2 * error;
        if (twice >= dy) {
            error += dy;
            x += step_x;
        }
        if (twice <= dx) {
            error += dx;
            y += step_y;
        }
    }
}

/* ---- circles ---- */

void canvas_circle(struct canvas *canvas, int cx, int cy, long radius, attr_t attr)
{
    int width = canvas_width(canvas), height = canvas_height(canvas);
    if (radius < 0 || width == 0 || height == 0)
        return;
    double r = (double)radius, squared = r * r;
    /* Rows: the two crossings of each row, for the steep parts. */
    double top = fmax(0.0, cy - r), bottom = fmin(height - 1.0, cy + r);
    for (int y = (int)ceil(top); y <= (int)floor(bottom); y++) {
        double across = sqrt(fmax(0.0, squared - (double)(y - cy) * (y - cy)));
        double left = cx - across, right = cx + across;
        if (left >= 0 && left < width)
            canvas_set(canvas, (int)lround(left), y, attr);
        if (right >= 0 && right < width)
            canvas_set(canvas, (int)lround(right), y, attr);
    }
    /* Columns: the two crossings of each column, for the flat parts. */
    double first = fmax(0.0, cx - r), last = fmin(width - 1.0, cx + r);
    for (int x = (int)ceil(first); x <= (int)floor(last); x++) {
        double down = sqrt(fmax(0.0, squared - (double)(x - cx) * (x - cx)));
        double upper = cy - down, lower = cy + down;
        if (upper >= 0 && upper < height)
            canvas_set(canvas, x, (int)lround(upper), attr);
        if (lower >= 0 && lower < height)
            canvas_set(canvas, x, (int)lround(lower), attr);
    }
}

/* ---- markers and labels ---- */

void canvas_mark(struct canvas *canvas, int x, int y, wchar_t glyph, char ascii, attr_t attr)
{
    struct canvas_cell *cell = cell_of_dot(canvas, x, y);
    if (!cell || !glyph)
        return;
    cell->glyph = glyph;
    cell->ascii = ascii;
    cell->attr = attr;
    canvas->base.dirty = true;
}

int canvas_text(struct canvas *canvas, int x, int y, const char *utf8, attr_t attr)
{
    if (!utf8 || x < 0 || y < 0)
        return 0;
    wchar_t text[CANVAS_COLUMNS_MAX];
    size_t count = cells_decode(canvas->base.charset, utf8, strlen(utf8), text, CANVAS_COLUMNS_MAX);
    int column = x / CANVAS_DOTS_ACROSS, line = y / CANVAS_DOTS_DOWN, written = 0;
    for (size_t i = 0; i < count; i++) {
        int width = cells_char_width(canvas->base.charset, text[i]);
        if (width == 0)
            continue; /* a combining accent: the letter shows */
        struct canvas_cell *cell = cell_at(canvas, column, line);
        if (!cell)
            break;
        cell->glyph = width == 1 ? text[i] : L'?';
        cell->ascii = 0;
        cell->attr = attr;
        column++;
        written++;
    }
    if (written)
        canvas->base.dirty = true;
    return written;
}

void canvas_draw(struct canvas *canvas)
{
    widget_draw(&canvas->base);
}
