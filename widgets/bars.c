/* bars.c: header, status bar and banner. Texts are copied into bounded
 * buffers and compared on each set, so a clock that did not change, or a
 * message set again, costs nothing on the wire. */
#include "widgets/bars.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "widgets/cells.h"

/* Copies text into a BARS_TEXT_MAX buffer; true if it changed. */
static bool copy_text(char *buffer, const char *text)
{
    char copy[BARS_TEXT_MAX];
    snprintf(copy, sizeof copy, "%s", text ? text : "");
    if (strcmp(copy, buffer) == 0)
        return false;
    memcpy(buffer, copy, sizeof copy);
    return true;
}

static int utf8_width(const struct charset *charset, const char *text)
{
    wchar_t wide[CELLS_RUN_MAX];
    size_t count = cells_decode(charset, text, strlen(text), wide, CELLS_RUN_MAX);
    return cells_width(charset, wide, count);
}

/* ---- header ---- */

struct header_bar {
    struct widget base;
    attr_t attr;
    char text[3][BARS_TEXT_MAX];
};

void header_bar_set(struct header_bar *bar, enum header_segment segment, const char *text)
{
    if (copy_text(bar->text[segment], text))
        bar->base.dirty = true;
}

static void header_draw_op(struct widget *widget)
{
    struct header_bar *bar = (struct header_bar *)widget;
    if (!widget->dirty || widget->height <= 0 || widget->width <= 0)
        return;
    const struct charset *charset = widget->charset;
    int width = widget->width, y = widget->y, x = widget->x;
    int left = utf8_width(charset, bar->text[HEADER_LEFT]);
    int center = utf8_width(charset, bar->text[HEADER_CENTER]);
    int right = utf8_width(charset, bar->text[HEADER_RIGHT]);
    right = right < width / 2 ? right : width / 2;
    left = left < width - right - (right > 0) ? left : width - right - (right > 0);
    int gap_start = left + (left > 0), gap_end = width - right - (right > 0);
    int center_x = (width - center) / 2;
    if (center_x < gap_start || center_x + center > gap_end) /* off the middle, or cut */
        center_x =
            gap_start + (center < gap_end - gap_start ? (gap_end - gap_start - center) / 2 : 0);
    cells_fill(widget->win, y, x, width, bar->attr);
    cells_put(widget->win, y, x, left, bar->text[HEADER_LEFT], CELLS_LEFT, bar->attr, charset);
    if (gap_end > center_x)
        cells_put(widget->win, y, x + center_x,
                  gap_end - center_x < center ? gap_end - center_x : center,
                  bar->text[HEADER_CENTER], CELLS_LEFT, bar->attr, charset);
    cells_put(widget->win, y, x + width - right, right, bar->text[HEADER_RIGHT], CELLS_LEFT,
              bar->attr, charset);
    widget->dirty = false;
}

void header_bar_draw(struct header_bar *bar)
{
    header_draw_op(&bar->base);
}

static void plain_free_op(struct widget *widget)
{
    free(widget);
}

static const struct widget_ops header_ops = {.draw = header_draw_op, .free = plain_free_op};

struct header_bar *header_bar_new(WINDOW *win, const struct charset *charset, attr_t attr)
{
    struct header_bar *bar = calloc(1, sizeof *bar);
    if (!bar)
        return NULL;
    widget_init(&bar->base, &header_ops, win, charset);
    bar->base.height = 1;
    bar->attr = attr;
    return bar;
}

void header_bar_free(struct header_bar *bar)
{
    free(bar);
}

struct widget *header_bar_widget(struct header_bar *bar)
{
    return &bar->base;
}

/* ---- status bar ---- */

struct status_bar {
    struct widget base;
    struct status_style style;
    enum status_level level;
    char message[BARS_TEXT_MAX];
    char *keys[BARS_HINTS_MAX], *labels[BARS_HINTS_MAX];
    size_t hint_count;
};

void status_bar_set_message(struct status_bar *bar, enum status_level level, const char *text)
{
    bool changed = copy_text(bar->message, text);
    if (changed || (bar->message[0] && level != bar->level))
        bar->base.dirty = true;
    bar->level = level;
}

static void free_hints(struct status_bar *bar)
{
    for (size_t i = 0; i < bar->hint_count; i++) {
        free(bar->keys[i]);
        free(bar->labels[i]);
    }
    bar->hint_count = 0;
}

int status_bar_set_hints(struct status_bar *bar, const struct status_hint *hints, size_t count)
{
    free_hints(bar);
    bar->base.dirty = true;
    for (size_t i = 0; i < count && i < BARS_HINTS_MAX; i++) {
        bar->keys[i] = strdup(hints[i].key ? hints[i].key : "");
        bar->labels[i] = strdup(hints[i].label ? hints[i].label : "");
        bar->hint_count = i + 1;
        if (!bar->keys[i] || !bar->labels[i]) {
            free_hints(bar);
            return -1;
        }
    }
    return 0;
}

static int hint_width(const struct status_bar *bar, size_t i)
{
    return utf8_width(bar->base.charset, bar->keys[i]) + 1 +
           utf8_width(bar->base.charset, bar->labels[i]);
}

static void status_draw_op(struct widget *widget)
{
    struct status_bar *bar = (struct status_bar *)widget;
    if (!widget->dirty || widget->height <= 0 || widget->width <= 0)
        return;
    const struct charset *charset = widget->charset;
    const attr_t levels[] = {bar->style.info, bar->style.warn, bar->style.error};
    int width = widget->width, y = widget->y, x = widget->x;
    int message = bar->message[0] ? utf8_width(charset, bar->message) + 2 : 0;
    message = message < width ? message : width;
    size_t shown = bar->hint_count;
    int hints = 0;
    for (size_t i = 0; i < shown; i++)
        hints += hint_width(bar, i) + (i > 0 ? 2 : 0);
    while (shown > 0 && message + hints + 2 > width) {
        shown--;
        hints -= hint_width(bar, shown) + (shown > 0 ? 2 : 0);
    }
    cells_fill(widget->win, y, x, width, bar->style.bar);
    if (message > 0) {
        cells_fill(widget->win, y, x, message, levels[bar->level]);
        cells_put(widget->win, y, x + 1, message - 2 > 0 ? message - 2 : message - 1, bar->message,
                  CELLS_LEFT, levels[bar->level], charset);
    }
    int at = x + width - hints - 1, limit = x + width;
    for (size_t i = 0; i < shown; i++) {
        if (i > 0)
            cells_put_piece(widget->win, y, &at, limit, "  ", bar->style.bar, charset);
        cells_put_piece(widget->win, y, &at, limit, bar->keys[i], bar->style.key, charset);
        cells_put_piece(widget->win, y, &at, limit, " ", bar->style.bar, charset);
        cells_put_piece(widget->win, y, &at, limit, bar->labels[i], bar->style.bar, charset);
    }
    widget->dirty = false;
}

void status_bar_draw(struct status_bar *bar)
{
    status_draw_op(&bar->base);
}

void status_bar_free(struct status_bar *bar)
{
    if (!bar)
        return;
    free_hints(bar);
    free(bar);
}

static void status_free_op(struct widget *widget)
{
    status_bar_free((struct status_bar *)widget);
}

static const struct widget_ops status_ops = {.draw = status_draw_op, .free = status_free_op};

struct status_bar *status_bar_new(WINDOW *win, const struct charset *charset,
                                  const struct status_style *style)
{
    struct status_bar *bar = calloc(1, sizeof *bar);
    if (!bar)
        return NULL;
    widget_init(&bar->base, &status_ops, win, charset);
    bar->base.y = bar->base.height > 0 ? bar->base.height - 1 : 0;
    bar->base.height = 1;
    if (style)
        bar->style = *style;
    return bar;
}

struct widget *status_bar_widget(struct status_bar *bar)
{
    return &bar->base;
}

/* ---- banner ---- */

struct banner {
    struct widget base;
    attr_t attr;
    char lines[BANNER_LINES_MAX][BARS_TEXT_MAX];
    int count;
};

void banner_set(struct banner *banner, const char *text, attr_t attr)
{
    int count = 0;
    bool changed = attr != banner->attr;
    for (const char *line = text ? text : ""; line && count < BANNER_LINES_MAX; count++) {
        const char *end = strchr(line, '\n');
        char copy[BARS_TEXT_MAX];
        size_t length = end ? (size_t)(end - line) : strlen(line);
        length = length < sizeof copy - 1 ? length : sizeof copy - 1;
        memcpy(copy, line, length);
        copy[length] = '\0';
        changed |= copy_text(banner->lines[count], copy);
        line = end ? end + 1 : NULL;
    }
    changed |= count != banner->count;
    banner->count = count;
    banner->attr = attr;
    if (changed)
        banner->base.dirty = true;
}

void banner_clear(struct banner *banner)
{
    if (banner->count > 0)
        banner->base.dirty = true;
    banner->count = 0;
}

int banner_lines(const struct banner *banner)
{
    return banner->count;
}

static void banner_draw_op(struct widget *widget)
{
    struct banner *banner = (struct banner *)widget;
    if (!widget->dirty || banner->count == 0 || widget->width <= 0)
        return;
    for (int row = 0; row < widget->height; row++) {
        const char *text = row < banner->count ? banner->lines[row] : "";
        cells_put(widget->win, widget->y + row, widget->x, widget->width, text, CELLS_CENTER,
                  banner->attr, widget->charset);
    }
    widget->dirty = false;
}

void banner_draw(struct banner *banner)
{
    banner_draw_op(&banner->base);
}

static const struct widget_ops banner_ops = {.draw = banner_draw_op, .free = plain_free_op};

struct banner *banner_new(WINDOW *win, const struct charset *charset)
{
    struct banner *banner = calloc(1, sizeof *banner);
    if (!banner)
        return NULL;
    widget_init(&banner->base, &banner_ops, win, charset);
    banner->base.height = 0;
    return banner;
}

void banner_free(struct banner *banner)
{
    free(banner);
}

struct widget *banner_widget(struct banner *banner)
{
    return &banner->base;
}
