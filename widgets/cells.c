/* cells.c: UTF-8 decoding, cell widths, wrapping and fixed-width painting.
 * The decoder is our own so that LANG=C still reads the UTF-8 the backend
 * sends; widths come from wcwidth, so unicode mode needs a UTF-8 locale. */
#include "widgets/cells.h"

#include <string.h>

static const wchar_t replacement = 0xFFFD;

/* Decodes one UTF-8 sequence at text (len > 0 bytes available). Returns the
 * bytes used; *code gets the character, U+FFFD for a bad sequence, or -1
 * when a valid start is cut short by the end of the buffer. */
static size_t utf8_next(const unsigned char *text, size_t len, long *code)
{
    unsigned char lead = text[0];
    size_t need;
    long value, minimum;
    if (lead < 0x80) {
        *code = lead;
        return 1;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
        need = 1, value = lead & 0x1F, minimum = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 2, value = lead & 0x0F, minimum = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 3, value = lead & 0x07, minimum = 0x10000;
    } else {
        *code = replacement;
        return 1;
    }
    for (size_t i = 1; i <= need; i++) {
        if (i >= len) {
            *code = -1;
            return len;
        }
        if ((text[i] & 0xC0) != 0x80) {
            *code = replacement;
            return i;
        }
        value = (value << 6) | (text[i] & 0x3F);
    }
    bool surrogate = value >= 0xD800 && value <= 0xDFFF;
    *code = (value < minimum || value > 0x10FFFF || surrogate) ? replacement : value;
    return need + 1;
}

/* In unicode mode a character the locale cannot measure would confuse the
 * terminal's idea of the cursor; show a replacement instead. */
static wchar_t printable(const struct charset *charset, wchar_t c)
{
    if (c < 0x7F || charset->kind == CHARSET_ASCII || wcwidth(c) >= 0)
        return c;
    return wcwidth(replacement) == 1 ? replacement : L'?';
}

size_t cells_decode(const struct charset *charset, const char *utf8, size_t len, wchar_t *out,
                    size_t out_max)
{
    const unsigned char *bytes = (const unsigned char *)utf8;
    size_t used = 0, count = 0;
    while (used < len && count < out_max) {
        long code;
        used += utf8_next(bytes + used, len - used, &code);
        if (code < 0)
            break; /* a sequence cut by the caller's buffer: drop it */
        wchar_t folded[CHARSET_FOLD_MAX];
        size_t n = charset_fold(charset, (wchar_t)code, folded);
        for (size_t i = 0; i < n && count < out_max; i++) {
            wchar_t c = printable(charset, folded[i]);
            if (count == 0 && cells_char_width(charset, c) == 0)
                continue; /* a combining mark with nothing to combine with */
            out[count++] = c;
        }
    }
    return count;
}

int cells_char_width(const struct charset *charset, wchar_t c)
{
    if (charset->kind == CHARSET_ASCII || (c >= 0x20 && c < 0x7F))
        return 1; /* the common case, without wcwidth's table lookup */
    int width = wcwidth(c);
    return width < 0 ? 1 : (width > 2 ? 2 : width);
}

int cells_width(const struct charset *charset, const wchar_t *text, size_t count)
{
    int width = 0;
    for (size_t i = 0; i < count; i++)
        width += cells_char_width(charset, text[i]);
    return width;
}

size_t cells_fit(const struct charset *charset, const wchar_t *text, size_t count, int max_width,
                 int *used)
{
    int width = 0;
    size_t n = 0;
    while (n < count) {
        int w = cells_char_width(charset, text[n]);
        if (width + w > max_width)
            break;
        width += w;
        n++;
    }
    if (used)
        *used = width;
    return n;
}

size_t cells_wrap(const struct charset *charset, const wchar_t *text, size_t count, int width,
                  size_t *consumed)
{
    size_t fit = cells_fit(charset, text, count, width > 0 ? width : 1, NULL);
    if (fit == 0 && count > 0)
        fit = 1; /* a wide character on a one-column line: draw it cut */
    if (fit >= count) {
        *consumed = count;
        return count;
    }
    size_t space = fit;
    while (space > 0 && text[space] != L' ')
        space--;
    size_t length = fit;
    if (space > 0 && text[space] == L' ') {
        length = space;
        while (length > 0 && text[length - 1] == L' ')
            length--;
    } else {
        space = fit; /* one word wider than the line: cut it */
    }
    size_t next = space;
    while (next < count && text[next] == L' ')
        next++;
    *consumed = next > 0 ? next : 1;
    return length;
}

void cells_fill(WINDOW *win, int y, int x, int width, attr_t attr)
{
    if (width <= 0 || y < 0 || y >= getmaxy(win) || x < 0 || x >= getmaxx(win))
        return;
    if (width > getmaxx(win) - x)
        width = getmaxx(win) - x;
    wattrset(win, (int)attr);
    mvwhline(win, y, x, ' ', width);
}

void cells_put_wide(WINDOW *win, int y, int x, int width, const wchar_t *text, size_t count,
                    enum cells_align align, attr_t attr, const struct charset *charset)
{
    if (width <= 0 || y < 0 || y >= getmaxy(win) || x < 0 || x >= getmaxx(win))
        return;
    if (width > getmaxx(win) - x)
        width = getmaxx(win) - x;
    if (width > CELLS_RUN_MAX)
        width = CELLS_RUN_MAX;
    int used;
    size_t n = cells_fit(charset, text, count, width, &used);
    bool cut = n < count;
    if (cut)
        n = cells_fit(charset, text, count, width - 1, &used);
    int text_width = used + (cut ? 1 : 0);
    int pad = align == CELLS_RIGHT ? width - text_width
                                   : (align == CELLS_CENTER ? (width - text_width) / 2 : 0);
    wchar_t run[CELLS_RUN_MAX + 1];
    size_t length = 0;
    for (int i = 0; i < pad; i++)
        run[length++] = L' ';
    for (size_t i = 0; i < n && length < CELLS_RUN_MAX; i++)
        run[length++] = text[i];
    if (cut && length < CELLS_RUN_MAX)
        run[length++] = charset->ellipsis;
    for (int i = pad + text_width; i < width && length < CELLS_RUN_MAX; i++)
        run[length++] = L' ';
    run[length] = 0;
    wattrset(win, (int)attr);
    /* The last cell of the window's last line makes waddnwstr return ERR
     * after it was written: nothing to act on. */
    (void)mvwaddnwstr(win, y, x, run, (int)length);
}

void cells_put(WINDOW *win, int y, int x, int width, const char *utf8, enum cells_align align,
               attr_t attr, const struct charset *charset)
{
    wchar_t text[CELLS_RUN_MAX];
    size_t count = utf8 ? cells_decode(charset, utf8, strlen(utf8), text, CELLS_RUN_MAX) : 0;
    cells_put_wide(win, y, x, width, text, count, align, attr, charset);
}

void cells_frame(WINDOW *win, int y, int x, int height, int width, attr_t attr, const char *title,
                 attr_t title_attr, const struct charset *charset)
{
    if (height < 2 || width < 2)
        return;
    wchar_t line[CELLS_RUN_MAX];
    int inner = width - 2 < CELLS_RUN_MAX - 2 ? width - 2 : CELLS_RUN_MAX - 2;
    for (int row = 0; row < height; row++) {
        bool top = row == 0, bottom = row == height - 1;
        wchar_t fill = top || bottom ? charset->horizontal : L' ';
        line[0] = top ? charset->top_left : (bottom ? charset->bottom_left : charset->vertical);
        for (int i = 1; i <= inner; i++)
            line[i] = fill;
        line[inner + 1] =
            top ? charset->top_right : (bottom ? charset->bottom_right : charset->vertical);
        cells_put_wide(win, y + row, x, inner + 2, line, (size_t)inner + 2, CELLS_LEFT, attr,
                       charset);
    }
    if (title && *title && width > 6) {
        int at = x + 2;
        cells_put_piece(win, y, &at, x + width - 2, " ", title_attr, charset);
        cells_put_piece(win, y, &at, x + width - 3, title, title_attr, charset);
        cells_put_piece(win, y, &at, x + width - 2, " ", title_attr, charset);
    }
}

void cells_put_piece(WINDOW *win, int y, int *x, int limit, const char *utf8, attr_t attr,
                     const struct charset *charset)
{
    wchar_t text[CELLS_RUN_MAX];
    size_t count = cells_decode(charset, utf8, strlen(utf8), text, CELLS_RUN_MAX);
    int width = cells_width(charset, text, count);
    if (width > limit - *x)
        width = limit - *x;
    if (width <= 0)
        return;
    cells_put_wide(win, y, *x, width, text, count, CELLS_LEFT, attr, charset);
    *x += width;
}

size_t cells_encode_utf8(const wchar_t *text, size_t count, char *out, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return 0;
    for (size_t i = 0; i < count; i++) {
        unsigned long c = (unsigned long)text[i];
        unsigned char bytes[4];
        size_t n;
        if (c < 0x80) {
            bytes[0] = (unsigned char)c, n = 1;
        } else if (c < 0x800) {
            bytes[0] = (unsigned char)(0xC0 | (c >> 6));
            bytes[1] = (unsigned char)(0x80 | (c & 0x3F)), n = 2;
        } else if (c < 0x10000) {
            bytes[0] = (unsigned char)(0xE0 | (c >> 12));
            bytes[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            bytes[2] = (unsigned char)(0x80 | (c & 0x3F)), n = 3;
        } else {
            bytes[0] = (unsigned char)(0xF0 | (c >> 18));
            bytes[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
            bytes[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            bytes[3] = (unsigned char)(0x80 | (c & 0x3F)), n = 4;
        }
        if (used + n + 1 > size)
            break;
        memcpy(out + used, bytes, n);
        used += n;
    }
    out[used] = '\0';
    return used;
}
