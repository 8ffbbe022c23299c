/* textview.c: the text is decoded once into wide characters; wrapping keeps
 * only (start, length) spans per screen line, redone when the width
 * changes. Matches never cross a line break of the original text. */
#include "widgets/textview.h"

#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "widgets/cells.h"

struct span {
    size_t start, length;
};

struct spans {
    struct span *items;
    size_t count, capacity;
};

struct textview {
    struct widget base; /* first: a struct widget * is a struct textview * */
    struct textview_style style;
    wchar_t *chars;
    struct spans lines;   /* the text's own lines */
    struct spans rows;    /* lines on screen, after wrapping */
    struct spans matches; /* sorted, not overlapping */
    int wrapped_width;    /* width rows were made for; -1: to redo */
    size_t top, current;
    wchar_t pattern[TEXTVIEW_PATTERN_MAX];
    size_t pattern_length;
};

static bool spans_push(struct spans *spans, size_t start, size_t length)
{
    if (spans->count == spans->capacity) {
        size_t capacity = spans->capacity ? spans->capacity * 2 : 64;
        struct span *grown = realloc(spans->items, capacity * sizeof *grown);
        if (!grown)
            return false;
        spans->items = grown;
        spans->capacity = capacity;
    }
    spans->items[spans->count++] = (struct span){start, length};
    return true;
}

/* One column stays free for the more-above and more-below arrows. */
static int text_width(const struct textview *view)
{
    return view->base.width > 1 ? view->base.width - 1 : 1;
}

static void wrap_rows(struct textview *view)
{
    int width = text_width(view);
    if (view->wrapped_width == width)
        return;
    view->rows.count = 0;
    view->wrapped_width = width;
    for (size_t i = 0; i < view->lines.count; i++) {
        const struct span *line = &view->lines.items[i];
        size_t done = 0;
        do {
            size_t consumed = 0;
            size_t length = cells_wrap(view->base.charset, view->chars + line->start + done,
                                       line->length - done, width, &consumed);
            if (!spans_push(&view->rows, line->start + done, length))
                return; /* memory is short: the text shows cut */
            done += consumed;
        } while (done < line->length);
    }
}

static size_t last_top(struct textview *view)
{
    wrap_rows(view);
    size_t height = (size_t)(view->base.height > 0 ? view->base.height : 0);
    return view->rows.count > height ? view->rows.count - height : 0;
}

void textview_scroll_to(struct textview *view, size_t line)
{
    size_t top = line < last_top(view) ? line : last_top(view);
    if (top != view->top) {
        view->top = top;
        view->base.dirty = true;
    }
}

void textview_scroll(struct textview *view, long lines)
{
    if (lines < 0)
        textview_scroll_to(view, (size_t)-lines > view->top ? 0 : view->top - (size_t)-lines);
    else
        textview_scroll_to(view, view->top + (size_t)lines);
}

/* The screen line that shows the character at offset. */
static size_t row_of(struct textview *view, size_t offset)
{
    wrap_rows(view);
    size_t low = 0, high = view->rows.count;
    while (high - low > 1) {
        size_t middle = (low + high) / 2;
        if (view->rows.items[middle].start <= offset)
            low = middle;
        else
            high = middle;
    }
    return low;
}

static void show_current_match(struct textview *view)
{
    if (view->matches.count == 0)
        return;
    size_t row = row_of(view, view->matches.items[view->current].start);
    size_t height = (size_t)(view->base.height > 0 ? view->base.height : 1);
    if (row < view->top || row >= view->top + height)
        textview_scroll_to(view, row > height / 3 ? row - height / 3 : 0);
    view->base.dirty = true;
}

static bool same_letter(wchar_t a, wchar_t b)
{
    return a == b || towlower((wint_t)a) == towlower((wint_t)b);
}

static void find_matches(struct textview *view)
{
    view->matches.count = 0;
    view->current = 0;
    size_t length = view->pattern_length;
    if (length == 0)
        return;
    for (size_t i = 0; i < view->lines.count; i++) {
        const wchar_t *text = view->chars + view->lines.items[i].start;
        size_t count = view->lines.items[i].length;
        for (size_t at = 0; at + length <= count;) {
            size_t k = 0;
            while (k < length && same_letter(text[at + k], view->pattern[k]))
                k++;
            if (k < length) {
                at++;
                continue;
            }
            if (!spans_push(&view->matches, view->lines.items[i].start + at, length))
                return;
            at += length;
        }
    }
}

size_t textview_search(struct textview *view, const char *pattern)
{
    view->pattern_length =
        cells_decode(view->base.charset, pattern ? pattern : "", pattern ? strlen(pattern) : 0,
                     view->pattern, TEXTVIEW_PATTERN_MAX);
    find_matches(view);
    view->base.dirty = true;
    for (size_t i = 0; i < view->matches.count; i++) {
        if (row_of(view, view->matches.items[i].start) >= view->top) {
            view->current = i;
            break;
        }
    }
    show_current_match(view);
    return view->matches.count;
}

bool textview_search_next(struct textview *view, bool backward)
{
    size_t count = view->matches.count;
    if (count == 0)
        return false;
    view->current = backward ? (view->current + count - 1) % count : (view->current + 1) % count;
    show_current_match(view);
    return true;
}

size_t textview_match_count(const struct textview *view)
{
    return view->matches.count;
}

size_t textview_current_match(const struct textview *view)
{
    return view->current;
}

int textview_set_text(struct textview *view, const char *utf8)
{
    utf8 = utf8 ? utf8 : "";
    size_t length = strnlen(utf8, TEXTVIEW_TEXT_MAX);
    /* ascii folding writes at most 3 characters for 2 bytes (U+00A9 "(c)") */
    wchar_t *chars = malloc((length * 3 / 2 + 2) * sizeof *chars);
    struct spans lines = {0};
    if (!chars)
        return -1;
    size_t used = 0, start = 0;
    while (start <= length) {
        const char *end = memchr(utf8 + start, '\n', length - start);
        size_t stop = end ? (size_t)(end - utf8) : length;
        size_t count = cells_decode(view->base.charset, utf8 + start, stop - start, chars + used,
                                    length * 3 / 2 + 1 - used);
        if (!spans_push(&lines, used, count)) {
            free(chars);
            free(lines.items);
            return -1;
        }
        used += count;
        start = stop + 1;
    }
    free(view->chars);
    free(view->lines.items);
    view->chars = chars;
    view->lines = lines;
    view->wrapped_width = -1;
    view->top = 0;
    find_matches(view);
    view->base.dirty = true;
    return 0;
}

size_t textview_line_count(const struct textview *view)
{
    wrap_rows((struct textview *)view);
    return view->rows.count;
}

size_t textview_top(const struct textview *view)
{
    return view->top;
}

/* First match that ends after offset. */
static size_t match_after(const struct textview *view, size_t offset)
{
    size_t low = 0, high = view->matches.count;
    while (low < high) {
        size_t middle = (low + high) / 2;
        const struct span *match = &view->matches.items[middle];
        if (match->start + match->length <= offset)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

static void draw_row(struct textview *view, int y, const struct span *row)
{
    const struct charset *charset = view->base.charset;
    size_t position = row->start, end = row->start + row->length;
    size_t m = match_after(view, position);
    int x = 0;
    while (position < end) {
        const struct span *match = m < view->matches.count ? &view->matches.items[m] : NULL;
        size_t stop = end;
        attr_t attr = view->style.text;
        if (match && match->start <= position) {
            stop = match->start + match->length < end ? match->start + match->length : end;
            attr = m == view->current ? view->style.current_match : view->style.match;
            m++;
        } else if (match && match->start < end) {
            stop = match->start;
        }
        int width = cells_width(charset, view->chars + position, stop - position);
        cells_put_wide(view->base.win, y, view->base.x + x, width, view->chars + position,
                       stop - position, CELLS_LEFT, attr, charset);
        x += width;
        position = stop;
    }
    cells_fill(view->base.win, y, view->base.x + x, view->base.width - x, view->style.text);
}

static void textview_draw_op(struct widget *widget)
{
    struct textview *view = (struct textview *)widget;
    wrap_rows(view);
    if (!widget->dirty || widget->width <= 0)
        return;
    if (view->top > last_top(view))
        view->top = last_top(view);
    for (int i = 0; i < widget->height; i++) {
        size_t row = view->top + (size_t)i;
        if (row < view->rows.count)
            draw_row(view, widget->y + i, &view->rows.items[row]);
        else
            cells_fill(widget->win, widget->y + i, widget->x, widget->width, view->style.text);
    }
    int right = widget->x + widget->width - 1;
    if (view->top > 0)
        cells_put_wide(widget->win, widget->y, right, 1, &widget->charset->more_above, 1,
                       CELLS_LEFT, view->style.marker, widget->charset);
    if (view->top + (size_t)widget->height < view->rows.count)
        cells_put_wide(widget->win, widget->y + widget->height - 1, right, 1,
                       &widget->charset->more_below, 1, CELLS_LEFT, view->style.marker,
                       widget->charset);
    widget->dirty = false;
}

void textview_draw(struct textview *view)
{
    textview_draw_op(&view->base);
}

int textview_handle_key(struct textview *view, struct widget_key key)
{
    size_t top = view->top, current = view->current;
    long page = view->base.height > 2 ? view->base.height - 1 : 1;
    if (widget_key_is_function(key, KEY_UP))
        textview_scroll(view, -1);
    else if (widget_key_is_function(key, KEY_DOWN))
        textview_scroll(view, 1);
    else if (widget_key_is_function(key, KEY_PPAGE))
        textview_scroll(view, -page);
    else if (widget_key_is_function(key, KEY_NPAGE) || widget_key_is(key, L' '))
        textview_scroll(view, page);
    else if (widget_key_is_function(key, KEY_HOME))
        textview_scroll_to(view, 0);
    else if (widget_key_is_function(key, KEY_END))
        textview_scroll_to(view, last_top(view));
    else if (widget_key_is(key, L'n') || widget_key_is(key, L'N'))
        textview_search_next(view, key.code == L'N');
    else
        return WIDGET_IGNORED;
    bool changed = top != view->top || current != view->current;
    return WIDGET_HANDLED | (changed ? WIDGET_REDRAW : 0);
}

static int textview_key_op(struct widget *widget, struct widget_key key)
{
    return textview_handle_key((struct textview *)widget, key);
}

static void textview_resize_op(struct widget *widget)
{
    struct textview *view = (struct textview *)widget;
    size_t first = view->rows.count ? view->rows.items[view->top].start : 0;
    wrap_rows(view);
    textview_scroll_to(view, row_of(view, first)); /* the same text stays on top */
}

void textview_free(struct textview *view)
{
    if (!view)
        return;
    free(view->chars);
    free(view->lines.items);
    free(view->rows.items);
    free(view->matches.items);
    free(view);
}

static void textview_free_op(struct widget *widget)
{
    textview_free((struct textview *)widget);
}

static const struct widget_ops textview_ops = {
    .draw = textview_draw_op,
    .handle_key = textview_key_op,
    .resize = textview_resize_op,
    .free = textview_free_op,
};

struct widget *textview_widget(struct textview *view)
{
    return &view->base;
}

struct textview *textview_new(WINDOW *win, const struct charset *charset,
                              const struct textview_style *style)
{
    struct textview *view = calloc(1, sizeof *view);
    if (!view)
        return NULL;
    widget_init(&view->base, &textview_ops, win, charset);
    if (style)
        view->style = *style;
    view->wrapped_width = -1;
    if (textview_set_text(view, "") != 0) {
        free(view);
        return NULL;
    }
    return view;
}
