/* help.c: the overlay is a frame around three columns sized to the widest
 * key and action (bounded), descriptions cut with an ellipsis; the last
 * inner line names the keys that close it. */
#include "widgets/help.h"

#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "widgets/cells.h"

struct help {
    struct widget base; /* first: a struct widget * is a struct help * */
    struct help_style style;
    char *title;
    const struct help_entry *entries;
    size_t count, top;
};

/* Rows of entries inside the frame: borders and the closing hint aside. */
static size_t visible_rows(const struct help *help)
{
    return help->base.height > 3 ? (size_t)help->base.height - 3 : 0;
}

static size_t last_top(const struct help *help)
{
    size_t rows = visible_rows(help);
    return help->count > rows ? help->count - rows : 0;
}

static int column_width(const struct help *help, bool keys, int most)
{
    int widest = 0;
    for (size_t i = 0; i < help->count; i++) {
        const char *text = keys ? help->entries[i].key : help->entries[i].action;
        if (!help->entries[i].key || !text)
            continue; /* headings span the line */
        wchar_t wide[CELLS_RUN_MAX];
        size_t count = cells_decode(help->base.charset, text, strlen(text), wide, CELLS_RUN_MAX);
        int width = cells_width(help->base.charset, wide, count);
        widest = width > widest ? width : widest;
    }
    return widest < most ? widest : most;
}

static void draw_entry(struct help *help, int y, int x, int width, const struct help_entry *entry,
                       int key_width, int action_width)
{
    WINDOW *win = help->base.win;
    const struct charset *charset = help->base.charset;
    if (!entry->key) {
        cells_put(win, y, x, width, entry->action, CELLS_LEFT, help->style.heading, charset);
        return;
    }
    int at = x, end = x + width;
    cells_put(win, y, at, key_width < end - at ? key_width : end - at, entry->key, CELLS_LEFT,
              help->style.key, charset);
    at += key_width + 2;
    if (at < end)
        cells_put(win, y, at, action_width < end - at ? action_width : end - at, entry->action,
                  CELLS_LEFT, help->style.text, charset);
    at += action_width + 2;
    if (at < end)
        cells_put(win, y, at, end - at, entry->description, CELLS_LEFT, help->style.text, charset);
}

static void help_draw_op(struct widget *widget)
{
    struct help *help = (struct help *)widget;
    if (!widget->dirty || widget->height < 4 || widget->width < 8)
        return;
    const struct charset *charset = widget->charset;
    if (help->top > last_top(help))
        help->top = last_top(help);
    cells_frame(widget->win, widget->y, widget->x, widget->height, widget->width, help->style.frame,
                help->title, help->style.title, charset);
    int inner = widget->width - 4, x = widget->x + 2;
    int key_width = column_width(help, true, HELP_KEY_WIDTH_MAX);
    int action_width = column_width(help, false, HELP_ACTION_WIDTH_MAX);
    size_t rows = visible_rows(help);
    for (size_t row = 0; row < rows && help->top + row < help->count; row++)
        draw_entry(help, widget->y + 1 + (int)row, x, inner, &help->entries[help->top + row],
                   key_width, action_width);
    int bottom = widget->y + widget->height - 2;
    int at = x;
    cells_put_piece(widget->win, bottom, &at, x + inner, _("?, q, Esc"), help->style.key, charset);
    cells_put_piece(widget->win, bottom, &at, x + inner, " ", help->style.frame, charset);
    cells_put_piece(widget->win, bottom, &at, x + inner, _("close"), help->style.frame, charset);
    int right = widget->x + widget->width - 1;
    if (help->top > 0)
        cells_put_wide(widget->win, widget->y + 1, right, 1, &charset->more_above, 1, CELLS_LEFT,
                       help->style.frame, charset);
    if (help->top < last_top(help))
        cells_put_wide(widget->win, bottom - 1, right, 1, &charset->more_below, 1, CELLS_LEFT,
                       help->style.frame, charset);
    widget->dirty = false;
}

void help_draw(struct help *help)
{
    help_draw_op(&help->base);
}

size_t help_top(const struct help *help)
{
    return help->top;
}

int help_handle_key(struct help *help, struct widget_key key)
{
    if (widget_key_is(key, L'?') || widget_key_is(key, L'q') || widget_key_is(key, WIDGET_ESCAPE))
        return WIDGET_HANDLED | WIDGET_QUIT;
    size_t page = visible_rows(help) > 1 ? visible_rows(help) - 1 : 1, top = help->top;
    if (widget_key_is_function(key, KEY_UP))
        top = top > 0 ? top - 1 : 0;
    else if (widget_key_is_function(key, KEY_DOWN))
        top++;
    else if (widget_key_is_function(key, KEY_PPAGE))
        top = top > page ? top - page : 0;
    else if (widget_key_is_function(key, KEY_NPAGE) || widget_key_is(key, L' '))
        top += page;
    else if (widget_key_is_function(key, KEY_HOME))
        top = 0;
    else if (widget_key_is_function(key, KEY_END))
        top = last_top(help);
    else
        return WIDGET_HANDLED; /* an overlay keeps its keys */
    top = top < last_top(help) ? top : last_top(help);
    if (top == help->top)
        return WIDGET_HANDLED;
    help->top = top;
    help->base.dirty = true;
    return WIDGET_HANDLED | WIDGET_REDRAW;
}

static int help_key_op(struct widget *widget, struct widget_key key)
{
    return help_handle_key((struct help *)widget, key);
}

void help_free(struct help *help)
{
    if (!help)
        return;
    free(help->title);
    free(help);
}

static void help_free_op(struct widget *widget)
{
    help_free((struct help *)widget);
}

static const struct widget_ops help_ops = {
    .draw = help_draw_op,
    .handle_key = help_key_op,
    .free = help_free_op,
};

struct widget *help_widget(struct help *help)
{
    return &help->base;
}

struct help *help_new(WINDOW *win, const struct charset *charset, const struct help_style *style,
                      const char *title, const struct help_entry *entries, size_t count)
{
    struct help *help = calloc(1, sizeof *help);
    if (!help)
        return NULL;
    help->title = strdup(title ? title : "");
    if (!help->title) {
        free(help);
        return NULL;
    }
    widget_init(&help->base, &help_ops, win, charset);
    if (style)
        help->style = *style;
    help->entries = entries;
    help->count = entries ? count : 0;
    return help;
}
