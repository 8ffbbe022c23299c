/* dialog.c: both dialogs share one box: title on the border, a body (the
 * wrapped message, or the list of items), a hint line naming the keys. The
 * box is laid out again at each draw from the widget's rectangle. */
#include "widgets/dialog.h"

#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "common/i18n.h"
#include "widgets/cells.h"

enum dialog_kind { DIALOG_CONFIRM, DIALOG_CHOICE };

struct dialog_row {
    const wchar_t *text;
    size_t length;
};

struct dialog {
    struct widget base; /* first: a struct widget * is a struct dialog * */
    enum dialog_kind kind;
    struct dialog_style style;
    enum dialog_answer answer;
    char *title, *yes_label, *no_label;
    wchar_t yes_key;
    wchar_t *message; /* decoded; '\n' kept as line breaks */
    size_t message_length;
    char **items;
    size_t count, choice, first;
    /* layout, from dialog_box */
    int box_y, box_x, box_height, box_width;
    struct dialog_row rows[DIALOG_LINES_MAX];
    size_t row_count;
};

static int text_width(const struct dialog *dialog, const char *utf8)
{
    wchar_t text[CELLS_RUN_MAX];
    size_t count = cells_decode(dialog->base.charset, utf8, strlen(utf8), text, CELLS_RUN_MAX);
    return cells_width(dialog->base.charset, text, count);
}

static int hint_width(const struct dialog *dialog)
{
    if (dialog->kind == DIALOG_CHOICE)
        return text_width(dialog, _("Enter")) + text_width(dialog, _("choose")) +
               text_width(dialog, _("Esc")) + text_width(dialog, _("cancel")) + 5;
    return 1 + text_width(dialog, dialog->yes_label) + text_width(dialog, _("n/Esc")) +
           text_width(dialog, dialog->no_label) + 5;
}

/* The message split at its line breaks and wrapped at width. */
static void wrap_message(struct dialog *dialog, int width)
{
    const struct charset *charset = dialog->base.charset;
    dialog->row_count = 0;
    size_t start = 0;
    while (start <= dialog->message_length && dialog->row_count < DIALOG_LINES_MAX) {
        size_t stop = start;
        while (stop < dialog->message_length && dialog->message[stop] != L'\n')
            stop++;
        size_t done = start;
        do {
            size_t consumed = 0;
            size_t length =
                cells_wrap(charset, dialog->message + done, stop - done, width, &consumed);
            dialog->rows[dialog->row_count++] = (struct dialog_row){dialog->message + done, length};
            done += consumed;
        } while (done < stop && dialog->row_count < DIALOG_LINES_MAX);
        start = stop + 1;
    }
}

static int widest_body(const struct dialog *dialog)
{
    int widest = 0;
    if (dialog->kind == DIALOG_CHOICE) {
        for (size_t i = 0; i < dialog->count; i++) {
            int width = text_width(dialog, dialog->items[i]) + 2;
            widest = width > widest ? width : widest;
        }
        return widest;
    }
    const struct charset *charset = dialog->base.charset;
    for (size_t start = 0, i = 0; i <= dialog->message_length; i++) {
        if (i == dialog->message_length || dialog->message[i] == L'\n') {
            int width = cells_width(charset, dialog->message + start, i - start);
            widest = width > widest ? width : widest;
            start = i + 1;
        }
    }
    return widest;
}

void dialog_box(struct dialog *dialog, int *y, int *x, int *height, int *width)
{
    const struct widget *base = &dialog->base;
    /* A column of the screen stays visible on each side: an overlay. */
    int room = base->width - 2 < DIALOG_WIDTH_MAX ? base->width - 2 : DIALOG_WIDTH_MAX;
    int inner = widest_body(dialog);
    int title = text_width(dialog, dialog->title) + 4, hint = hint_width(dialog);
    inner = inner > title ? inner : title;
    inner = inner > hint ? inner : hint;
    inner = inner < room - 4 ? inner : room - 4; /* borders and a margin on each side */
    inner = inner > 1 ? inner : 1;
    int body;
    if (dialog->kind == DIALOG_CONFIRM) {
        wrap_message(dialog, inner);
        body = (int)dialog->row_count + 1; /* a blank line before the hint */
    } else {
        body = (int)dialog->count;
    }
    int most = base->height - 3 > 1 ? base->height - 3 : 1; /* borders and hint */
    dialog->box_height = (body < most ? body : most) + 3;
    dialog->box_width = inner + 4;
    dialog->box_y = base->y + (base->height - dialog->box_height) / 2;
    dialog->box_x = base->x + (base->width - dialog->box_width) / 2;
    *y = dialog->box_y, *x = dialog->box_x;
    *height = dialog->box_height, *width = dialog->box_width;
}

static void draw_hint(struct dialog *dialog, int y, int x, int limit)
{
    const struct dialog_style *style = &dialog->style;
    const struct charset *charset = dialog->base.charset;
    if (dialog->kind == DIALOG_CHOICE) {
        cells_put_piece(dialog->base.win, y, &x, limit, _("Enter"), style->key, charset);
        cells_put_piece(dialog->base.win, y, &x, limit, " ", style->text, charset);
        cells_put_piece(dialog->base.win, y, &x, limit, _("choose"), style->text, charset);
        cells_put_piece(dialog->base.win, y, &x, limit, "   ", style->text, charset);
        cells_put_piece(dialog->base.win, y, &x, limit, _("Esc"), style->key, charset);
        cells_put_piece(dialog->base.win, y, &x, limit, " ", style->text, charset);
        cells_put_piece(dialog->base.win, y, &x, limit, _("cancel"), style->text, charset);
        return;
    }
    char key[8];
    cells_encode_utf8(&dialog->yes_key, 1, key, sizeof key);
    cells_put_piece(dialog->base.win, y, &x, limit, key, style->key, charset);
    cells_put_piece(dialog->base.win, y, &x, limit, " ", style->text, charset);
    cells_put_piece(dialog->base.win, y, &x, limit, dialog->yes_label, style->text, charset);
    cells_put_piece(dialog->base.win, y, &x, limit, "   ", style->text, charset);
    cells_put_piece(dialog->base.win, y, &x, limit, _("n/Esc"), style->key, charset);
    cells_put_piece(dialog->base.win, y, &x, limit, " ", style->text, charset);
    cells_put_piece(dialog->base.win, y, &x, limit, dialog->no_label, style->text, charset);
}

static void draw_items(struct dialog *dialog, int y, int x, int width, int rows)
{
    if (dialog->choice < dialog->first)
        dialog->first = dialog->choice;
    else if (dialog->choice >= dialog->first + (size_t)rows)
        dialog->first = dialog->choice - (size_t)rows + 1;
    for (int row = 0; row < rows && dialog->first + (size_t)row < dialog->count; row++) {
        size_t item = dialog->first + (size_t)row;
        attr_t attr = item == dialog->choice ? dialog->style.selected : dialog->style.text;
        char digit[3] = {item < 9 ? (char)('1' + item) : ' ', ' ', '\0'};
        int at = x;
        cells_put_piece(dialog->base.win, y + row, &at, x + width, digit, dialog->style.key,
                        dialog->base.charset);
        cells_put(dialog->base.win, y + row, at, x + width - at, dialog->items[item], CELLS_LEFT,
                  attr, dialog->base.charset);
    }
}

static void dialog_draw_op(struct widget *widget)
{
    struct dialog *dialog = (struct dialog *)widget;
    if (!widget->dirty || widget->width < 6 || widget->height < 4)
        return;
    int y, x, height, width;
    dialog_box(dialog, &y, &x, &height, &width);
    cells_frame(widget->win, y, x, height, width, dialog->style.frame, dialog->title,
                dialog->style.title, widget->charset);
    int rows = height - 3, inner = width - 4;
    if (dialog->kind == DIALOG_CHOICE) {
        draw_items(dialog, y + 1, x + 2, inner, rows);
    } else {
        for (int row = 0; row < rows - 1 && row < (int)dialog->row_count; row++)
            cells_put_wide(widget->win, y + 1 + row, x + 2, inner, dialog->rows[row].text,
                           dialog->rows[row].length, CELLS_LEFT, dialog->style.text,
                           widget->charset);
    }
    draw_hint(dialog, y + height - 2, x + 2, x + 2 + inner);
    widget->dirty = false;
}

void dialog_draw(struct dialog *dialog)
{
    dialog_draw_op(&dialog->base);
}

static int answer(struct dialog *dialog, enum dialog_answer value)
{
    dialog->answer = value;
    return WIDGET_HANDLED | WIDGET_QUIT;
}

static int choice_key(struct dialog *dialog, struct widget_key key)
{
    size_t page = dialog->box_height > 4 ? (size_t)dialog->box_height - 4 : 1;
    size_t last = dialog->count - 1, before = dialog->choice;
    if (widget_key_is_enter(key))
        return answer(dialog, DIALOG_CHOSEN);
    if (widget_key_is(key, WIDGET_ESCAPE))
        return answer(dialog, DIALOG_CANCELLED);
    if (!key.function && key.code >= L'1' && key.code <= L'9') {
        if ((size_t)(key.code - L'1') >= dialog->count)
            return WIDGET_HANDLED;
        dialog->choice = (size_t)(key.code - L'1');
        dialog->base.dirty = true;
        return answer(dialog, DIALOG_CHOSEN) | WIDGET_REDRAW;
    }
    if (widget_key_is_function(key, KEY_UP) && dialog->choice > 0)
        dialog->choice--;
    else if (widget_key_is_function(key, KEY_DOWN) && dialog->choice < last)
        dialog->choice++;
    else if (widget_key_is_function(key, KEY_PPAGE))
        dialog->choice = dialog->choice > page ? dialog->choice - page : 0;
    else if (widget_key_is_function(key, KEY_NPAGE))
        dialog->choice = dialog->choice + page < last ? dialog->choice + page : last;
    else if (widget_key_is_function(key, KEY_HOME))
        dialog->choice = 0;
    else if (widget_key_is_function(key, KEY_END))
        dialog->choice = last;
    if (dialog->choice == before)
        return WIDGET_HANDLED; /* modal: every key stops here */
    dialog->base.dirty = true;
    return WIDGET_HANDLED | WIDGET_REDRAW;
}

int dialog_handle_key(struct dialog *dialog, struct widget_key key)
{
    if (dialog->answer != DIALOG_PENDING)
        return WIDGET_IGNORED;
    if (dialog->kind == DIALOG_CHOICE)
        return choice_key(dialog, key);
    if (!key.function && towlower(key.code) == towlower((wint_t)dialog->yes_key))
        return answer(dialog, DIALOG_YES);
    if (widget_key_is(key, WIDGET_ESCAPE) || widget_key_is_enter(key) || widget_key_is(key, L'n') ||
        widget_key_is(key, L'N'))
        return answer(dialog, DIALOG_NO);
    return WIDGET_HANDLED;
}

enum dialog_answer dialog_answer(const struct dialog *dialog)
{
    return dialog->answer;
}

size_t dialog_choice(const struct dialog *dialog)
{
    return dialog->choice;
}

struct widget *dialog_widget(struct dialog *dialog)
{
    return &dialog->base;
}

void dialog_free(struct dialog *dialog)
{
    if (!dialog)
        return;
    for (size_t i = 0; dialog->items && i < dialog->count; i++)
        free(dialog->items[i]);
    free(dialog->items);
    free(dialog->message);
    free(dialog->title);
    free(dialog->yes_label);
    free(dialog->no_label);
    free(dialog);
}

static void dialog_free_op(struct widget *widget)
{
    dialog_free((struct dialog *)widget);
}

static int dialog_key_op(struct widget *widget, struct widget_key key)
{
    return dialog_handle_key((struct dialog *)widget, key);
}

static const struct widget_ops dialog_ops = {
    .draw = dialog_draw_op,
    .handle_key = dialog_key_op,
    .free = dialog_free_op,
};

static struct dialog *dialog_new(WINDOW *win, const struct charset *charset,
                                 const struct dialog_style *style, enum dialog_kind kind,
                                 const char *title)
{
    struct dialog *dialog = calloc(1, sizeof *dialog);
    if (!dialog)
        return NULL;
    widget_init(&dialog->base, &dialog_ops, win, charset);
    dialog->kind = kind;
    if (style)
        dialog->style = *style;
    dialog->title = strdup(title ? title : "");
    if (!dialog->title) {
        free(dialog);
        return NULL;
    }
    return dialog;
}

struct dialog *dialog_confirm_new(WINDOW *win, const struct charset *charset,
                                  const struct dialog_style *style, const char *title,
                                  const char *message, wchar_t yes_key, const char *yes_label,
                                  const char *no_label)
{
    struct dialog *dialog = dialog_new(win, charset, style, DIALOG_CONFIRM, title);
    if (!dialog)
        return NULL;
    dialog->yes_key = yes_key;
    dialog->yes_label = strdup(yes_label ? yes_label : _("Yes"));
    dialog->no_label = strdup(no_label ? no_label : _("No"));
    message = message ? message : "";
    size_t length = strlen(message);
    /* ascii folding writes at most 3 characters for 2 bytes */
    size_t capacity = length * 3 / 2 + 1;
    dialog->message = malloc(capacity * sizeof *dialog->message);
    if (!dialog->yes_label || !dialog->no_label || !dialog->message) {
        dialog_free(dialog);
        return NULL;
    }
    /* Line by line: the decoder turns control characters into spaces, and
     * '\n' must stay. */
    for (size_t start = 0; start <= length;) {
        const char *end = memchr(message + start, '\n', length - start);
        size_t stop = end ? (size_t)(end - message) : length;
        wchar_t *out = dialog->message + dialog->message_length;
        dialog->message_length += cells_decode(dialog->base.charset, message + start, stop - start,
                                               out, capacity - dialog->message_length);
        if (end && dialog->message_length < capacity)
            dialog->message[dialog->message_length++] = L'\n';
        start = stop + 1;
    }
    return dialog;
}

struct dialog *dialog_choice_new(WINDOW *win, const struct charset *charset,
                                 const struct dialog_style *style, const char *title,
                                 const char *const *items, size_t count, size_t initial)
{
    if (count == 0)
        return NULL;
    struct dialog *dialog = dialog_new(win, charset, style, DIALOG_CHOICE, title);
    if (!dialog)
        return NULL;
    dialog->items = calloc(count, sizeof *dialog->items);
    if (!dialog->items) {
        dialog_free(dialog);
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        dialog->items[i] = strdup(items[i] ? items[i] : "");
        if (!dialog->items[i]) {
            dialog->count = i;
            dialog_free(dialog);
            return NULL;
        }
    }
    dialog->count = count;
    dialog->choice = initial < count ? initial : 0;
    return dialog;
}
