/* lineedit.c: the line is kept as wide characters (one per cursor step) and
 * encoded to UTF-8 on demand. Wide characters (CJK) and combining marks
 * move the cursor by character, not by cell. */
#include "widgets/lineedit.h"

#include <stdlib.h>
#include <string.h>

#include "widgets/cells.h"

struct lineedit_history {
    char **entries; /* newest first */
    size_t count, capacity;
};

struct lineedit {
    struct widget base; /* first: a struct widget * is a struct lineedit * */
    struct lineedit_style style;
    char *prompt;
    wchar_t text[LINEEDIT_MAX];
    size_t length, cursor, offset; /* offset: first character shown */
    enum lineedit_state state;
    struct lineedit_history *history;
    long age; /* history entry shown; -1: the line being typed */
    wchar_t draft[LINEEDIT_MAX];
    size_t draft_length;
    lineedit_complete_fn complete;
    void *complete_context;
    char utf8[LINEEDIT_UTF8_MAX];
    int cursor_x;
};

struct lineedit_history *lineedit_history_new(size_t capacity)
{
    struct lineedit_history *history = calloc(1, sizeof *history);
    if (!history)
        return NULL;
    history->capacity =
        capacity < 1 ? 1 : (capacity > LINEEDIT_HISTORY_MAX ? LINEEDIT_HISTORY_MAX : capacity);
    history->entries = calloc(history->capacity, sizeof *history->entries);
    if (!history->entries) {
        free(history);
        return NULL;
    }
    return history;
}

void lineedit_history_free(struct lineedit_history *history)
{
    if (!history)
        return;
    for (size_t i = 0; i < history->count; i++)
        free(history->entries[i]);
    free(history->entries);
    free(history);
}

int lineedit_history_add(struct lineedit_history *history, const char *utf8)
{
    if (!utf8 || !*utf8 || (history->count > 0 && strcmp(history->entries[0], utf8) == 0))
        return 0;
    char *copy = strdup(utf8);
    if (!copy)
        return -1;
    if (history->count == history->capacity)
        free(history->entries[--history->count]);
    memmove(history->entries + 1, history->entries, history->count * sizeof *history->entries);
    history->entries[0] = copy;
    history->count++;
    return 0;
}

size_t lineedit_history_count(const struct lineedit_history *history)
{
    return history->count;
}

const char *lineedit_history_get(const struct lineedit_history *history, size_t age)
{
    return age < history->count ? history->entries[age] : NULL;
}

static void load(struct lineedit *editor, const char *utf8)
{
    editor->length =
        cells_decode(editor->base.charset, utf8, strlen(utf8), editor->text, LINEEDIT_MAX);
    editor->cursor = editor->length;
    editor->base.dirty = true;
}

void lineedit_set_text(struct lineedit *editor, const char *utf8)
{
    load(editor, utf8 ? utf8 : "");
    editor->offset = 0;
    editor->age = -1;
    editor->state = LINEEDIT_EDITING;
}

const char *lineedit_text(struct lineedit *editor)
{
    cells_encode_utf8(editor->text, editor->length, editor->utf8, sizeof editor->utf8);
    return editor->utf8;
}

size_t lineedit_cursor(const struct lineedit *editor)
{
    return editor->cursor;
}

enum lineedit_state lineedit_state(const struct lineedit *editor)
{
    return editor->state;
}

void lineedit_set_history(struct lineedit *editor, struct lineedit_history *history)
{
    editor->history = history;
    editor->age = -1;
}

void lineedit_set_completion(struct lineedit *editor, lineedit_complete_fn complete, void *context)
{
    editor->complete = complete;
    editor->complete_context = context;
}

static bool insertable(const struct lineedit *editor, wint_t c)
{
    if (c < 0x20 || (c >= 0x7F && c < 0xA0) || c > 0x10FFFF)
        return false;
    /* Under LANG=C a byte above 127 is half a character we cannot know. */
    return editor->base.charset->kind == CHARSET_UNICODE || c < 0x80;
}

static void insert_char(struct lineedit *editor, wchar_t c)
{
    if (editor->length >= LINEEDIT_MAX)
        return;
    memmove(editor->text + editor->cursor + 1, editor->text + editor->cursor,
            (editor->length - editor->cursor) * sizeof *editor->text);
    editor->text[editor->cursor++] = c;
    editor->length++;
}

/* Removes the characters [from, to). */
static void remove_range(struct lineedit *editor, size_t from, size_t to)
{
    memmove(editor->text + from, editor->text + to, (editor->length - to) * sizeof *editor->text);
    editor->length -= to - from;
    editor->cursor = from;
}

static size_t word_start(const struct lineedit *editor)
{
    size_t at = editor->cursor;
    while (at > 0 && editor->text[at - 1] == L' ')
        at--;
    while (at > 0 && editor->text[at - 1] != L' ')
        at--;
    return at;
}

static void recall(struct lineedit *editor, int direction)
{
    if (!editor->history || editor->history->count == 0)
        return;
    long age = editor->age + direction;
    if (age >= (long)editor->history->count)
        return;
    if (editor->age < 0) {
        memcpy(editor->draft, editor->text, editor->length * sizeof *editor->text);
        editor->draft_length = editor->length;
    }
    editor->age = age < 0 ? -1 : age;
    if (age < 0) {
        memcpy(editor->text, editor->draft, editor->draft_length * sizeof *editor->text);
        editor->length = editor->cursor = editor->draft_length;
    } else {
        load(editor, editor->history->entries[age]);
    }
}

static void run_completion(struct lineedit *editor)
{
    if (!editor->complete)
        return;
    const char *text = lineedit_text(editor);
    char before[LINEEDIT_UTF8_MAX], out[LINEEDIT_UTF8_MAX];
    size_t cursor = cells_encode_utf8(editor->text, editor->cursor, before, sizeof before);
    size_t out_cursor = 0;
    out[0] = '\0';
    if (!editor->complete(editor->complete_context, text, cursor, out, sizeof out, &out_cursor))
        return;
    out[sizeof out - 1] = '\0';
    if (out_cursor > strlen(out))
        out_cursor = strlen(out);
    load(editor, out);
    wchar_t prefix[LINEEDIT_MAX];
    editor->cursor = cells_decode(editor->base.charset, out, out_cursor, prefix, LINEEDIT_MAX);
}

static int finish(struct lineedit *editor, enum lineedit_state state)
{
    editor->state = state;
    if (state == LINEEDIT_ACCEPTED && editor->history)
        lineedit_history_add(editor->history, lineedit_text(editor));
    editor->age = -1;
    return WIDGET_HANDLED | WIDGET_REDRAW | WIDGET_QUIT;
}

static bool edit_function_key(struct lineedit *editor, int code)
{
    switch (code) {
    case KEY_LEFT:
        editor->cursor -= editor->cursor > 0;
        break;
    case KEY_RIGHT:
        editor->cursor += editor->cursor < editor->length;
        break;
    case KEY_HOME:
        editor->cursor = 0;
        break;
    case KEY_END:
        editor->cursor = editor->length;
        break;
    case KEY_DC:
        if (editor->cursor < editor->length)
            remove_range(editor, editor->cursor, editor->cursor + 1);
        break;
    case KEY_UP:
        recall(editor, 1);
        break;
    case KEY_DOWN:
        recall(editor, -1);
        break;
    default:
        return false;
    }
    return true;
}

static bool edit_control_key(struct lineedit *editor, wint_t code)
{
    if (code == WIDGET_CTRL('a'))
        editor->cursor = 0;
    else if (code == WIDGET_CTRL('e'))
        editor->cursor = editor->length;
    else if (code == WIDGET_CTRL('b'))
        return edit_function_key(editor, KEY_LEFT);
    else if (code == WIDGET_CTRL('f'))
        return edit_function_key(editor, KEY_RIGHT);
    else if (code == WIDGET_CTRL('p'))
        recall(editor, 1);
    else if (code == WIDGET_CTRL('n'))
        recall(editor, -1);
    else if (code == WIDGET_CTRL('u'))
        remove_range(editor, 0, editor->cursor);
    else if (code == WIDGET_CTRL('k'))
        remove_range(editor, editor->cursor, editor->length);
    else if (code == WIDGET_CTRL('w'))
        remove_range(editor, word_start(editor), editor->cursor);
    else if (code == L'\t')
        run_completion(editor);
    else
        return false;
    return true;
}

int lineedit_handle_key(struct lineedit *editor, struct widget_key key)
{
    if (widget_key_is_enter(key))
        return finish(editor, LINEEDIT_ACCEPTED);
    if (widget_key_is(key, WIDGET_ESCAPE) || widget_key_is(key, WIDGET_CTRL('g')))
        return finish(editor, LINEEDIT_CANCELLED);
    editor->state = LINEEDIT_EDITING;
    if (widget_key_is_backspace(key)) {
        if (editor->cursor > 0)
            remove_range(editor, editor->cursor - 1, editor->cursor);
    } else if (key.function) {
        if (!edit_function_key(editor, (int)key.code))
            return WIDGET_IGNORED;
    } else if (insertable(editor, key.code)) {
        insert_char(editor, (wchar_t)key.code);
    } else if (!edit_control_key(editor, key.code)) {
        return WIDGET_IGNORED;
    }
    editor->base.dirty = true;
    return WIDGET_HANDLED | WIDGET_REDRAW;
}

/* Scrolls sideways so that the cursor shows, with a column for it at the
 * end and never under the left marker. */
static void keep_cursor_shown(struct lineedit *editor, int room)
{
    const struct charset *charset = editor->base.charset;
    if (cells_width(charset, editor->text, editor->length) + 1 <= room) {
        editor->offset = 0;
        return;
    }
    if (editor->cursor < editor->offset)
        editor->offset = editor->cursor;
    while (editor->offset < editor->cursor &&
           cells_width(charset, editor->text + editor->offset, editor->cursor - editor->offset) +
                   1 >
               room)
        editor->offset++;
    if (editor->offset > 0 && editor->offset == editor->cursor)
        editor->offset--;
}

static void lineedit_draw_op(struct widget *widget)
{
    struct lineedit *editor = (struct lineedit *)widget;
    if (!widget->dirty || widget->width <= 0 || widget->height <= 0)
        return;
    const struct charset *charset = widget->charset;
    wchar_t prompt[CELLS_RUN_MAX];
    size_t prompt_length =
        cells_decode(charset, editor->prompt, strlen(editor->prompt), prompt, CELLS_RUN_MAX);
    int prompt_width = cells_width(charset, prompt, prompt_length);
    if (prompt_width > widget->width / 2)
        prompt_width = widget->width / 2;
    cells_put_wide(widget->win, widget->y, widget->x, prompt_width, prompt, prompt_length,
                   CELLS_LEFT, editor->style.prompt, charset);
    int room = widget->width - prompt_width, x = widget->x + prompt_width;
    keep_cursor_shown(editor, room);
    const wchar_t *shown = editor->text + editor->offset;
    size_t count = editor->length - editor->offset;
    int used;
    size_t fit = cells_fit(charset, shown, count, room, &used);
    cells_put_wide(widget->win, widget->y, x, used, shown, fit, CELLS_LEFT, editor->style.text,
                   charset);
    cells_fill(widget->win, widget->y, x + used, room - used, editor->style.text);
    if (editor->offset > 0)
        cells_put_wide(widget->win, widget->y, x, 1, &charset->ellipsis, 1, CELLS_LEFT,
                       editor->style.marker, charset);
    if (fit < count && room > 0)
        cells_put_wide(widget->win, widget->y, x + room - 1, 1, &charset->ellipsis, 1, CELLS_LEFT,
                       editor->style.marker, charset);
    editor->cursor_x = x + cells_width(charset, shown, editor->cursor - editor->offset);
    wmove(widget->win, widget->y, editor->cursor_x);
    widget->dirty = false;
}

void lineedit_draw(struct lineedit *editor)
{
    lineedit_draw_op(&editor->base);
}

void lineedit_cursor_position(struct lineedit *editor, int *y, int *x)
{
    *y = editor->base.y;
    *x = editor->cursor_x;
}

static int lineedit_key_op(struct widget *widget, struct widget_key key)
{
    return lineedit_handle_key((struct lineedit *)widget, key);
}

void lineedit_free(struct lineedit *editor)
{
    if (!editor)
        return;
    free(editor->prompt);
    free(editor);
}

static void lineedit_free_op(struct widget *widget)
{
    lineedit_free((struct lineedit *)widget);
}

static const struct widget_ops lineedit_ops = {
    .draw = lineedit_draw_op,
    .handle_key = lineedit_key_op,
    .free = lineedit_free_op,
};

struct widget *lineedit_widget(struct lineedit *editor)
{
    return &editor->base;
}

struct lineedit *lineedit_new(WINDOW *win, const struct charset *charset,
                              const struct lineedit_style *style, const char *prompt)
{
    struct lineedit *editor = calloc(1, sizeof *editor);
    if (!editor)
        return NULL;
    editor->prompt = strdup(prompt ? prompt : "");
    if (!editor->prompt) {
        free(editor);
        return NULL;
    }
    widget_init(&editor->base, &lineedit_ops, win, charset);
    editor->base.height = 1;
    if (style)
        editor->style = *style;
    editor->age = -1;
    return editor;
}
