/* widget.c: the dispatch of the widget base and the key helpers. Nothing
 * here draws; each widget's ops do. */
#include "widgets/widget.h"

void widget_init(struct widget *widget, const struct widget_ops *ops, WINDOW *win,
                 const struct charset *charset)
{
    widget->ops = ops;
    widget->win = win;
    widget->charset = charset ? charset : charset_get(CHARSET_ASCII);
    widget->y = 0;
    widget->x = 0;
    widget->height = win ? getmaxy(win) : 0;
    widget->width = win ? getmaxx(win) : 0;
    widget->dirty = true;
}

void widget_draw(struct widget *widget)
{
    if (widget && widget->win && widget->ops->draw)
        widget->ops->draw(widget);
}

int widget_handle_key(struct widget *widget, struct widget_key key)
{
    if (!widget || !widget->ops->handle_key)
        return WIDGET_IGNORED;
    return widget->ops->handle_key(widget, key);
}

void widget_resize(struct widget *widget, int y, int x, int height, int width)
{
    widget->y = y;
    widget->x = x;
    widget->height = height > 0 ? height : 0;
    widget->width = width > 0 ? width : 0;
    widget->dirty = true;
    if (widget->ops->resize)
        widget->ops->resize(widget);
}

void widget_set_window(struct widget *widget, WINDOW *win)
{
    widget->win = win;
    widget->dirty = true;
}

void widget_invalidate(struct widget *widget)
{
    widget->dirty = true;
}

void widget_free(struct widget *widget)
{
    if (widget && widget->ops->free)
        widget->ops->free(widget);
}

struct widget_key widget_key_char(wint_t character)
{
    return (struct widget_key){.function = false, .code = character};
}

struct widget_key widget_key_function(int key_code)
{
    return (struct widget_key){.function = true, .code = (wint_t)key_code};
}

bool widget_key_is(struct widget_key key, wint_t character)
{
    return !key.function && key.code == character;
}

bool widget_key_is_function(struct widget_key key, int key_code)
{
    return key.function && key.code == (wint_t)key_code;
}

bool widget_key_is_enter(struct widget_key key)
{
    return widget_key_is(key, L'\n') || widget_key_is(key, L'\r') ||
           widget_key_is_function(key, KEY_ENTER);
}

bool widget_key_is_backspace(struct widget_key key)
{
    return widget_key_is_function(key, KEY_BACKSPACE) || widget_key_is(key, 0x7F) ||
           widget_key_is(key, WIDGET_CTRL('h'));
}

int widget_key_read(WINDOW *win, struct widget_key *key)
{
    wint_t code = 0;
    int status = wget_wch(win, &code);
    if (status == ERR)
        return ERR;
    key->function = status == KEY_CODE_YES;
    key->code = code;
    return OK;
}
