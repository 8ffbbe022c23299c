/* vt_screen.c: the terminal the bench reads the console on. A grid of
 * characters kept up to date from the bytes the console writes, reduced to
 * what ncurses sends for TERM=xterm-256color (terminfo's cup, hpa, vpa,
 * el, ed, ech, ich, dch, il, dl, csr, ind, ri, rep, insert mode, UTF-8
 * text); colours and attributes are read and dropped. The bench only looks
 * at the screen, it never asks the console for it, so the timings are not
 * disturbed. Sequences it does not know are counted and reported, and the
 * screen is compared with the console's own :save-display at the end.
 * Included by bench_console.c. */

/* The largest terminal the bench drives (200x50), with room. */
#define VT_LINES_MAX   64
#define VT_COLUMNS_MAX 256
/* Parameters of one CSI sequence: SGR with 256 colours uses 5 or so. */
#define VT_PARAMS_MAX 16
/* The right half of a double-width character. */
#define VT_WIDE_TAIL 0xFFFFFFFFu

enum vt_state { VT_GROUND, VT_ESCAPE, VT_CSI, VT_OSC, VT_OSC_ESCAPE, VT_CHARSET };

struct vt_screen {
    int lines, columns;
    int y, x, saved_y, saved_x;
    bool wrap_pending; /* xenl: the cursor sits past the last column */
    bool insert_mode;
    int top, bottom; /* the scroll region, inclusive */
    uint32_t last_char;
    uint32_t cells[VT_LINES_MAX][VT_COLUMNS_MAX];
    enum vt_state state;
    int params[VT_PARAMS_MAX];
    int param_count;
    bool private_mode, has_intermediate;
    uint32_t utf8_code;
    int utf8_left;
    unsigned long unknown; /* sequences not understood */
};

static void vt_clear_cells(struct vt_screen *vt, int y, int from, int to)
{
    for (int x = from; x < to && x < VT_COLUMNS_MAX; x++)
        vt->cells[y][x] = ' ';
}

static void vt_clear_lines(struct vt_screen *vt, int from, int to)
{
    for (int y = from; y < to; y++)
        vt_clear_cells(vt, y, 0, vt->columns);
}

static void vt_resize(struct vt_screen *vt, int lines, int columns)
{
    vt->lines = lines < VT_LINES_MAX ? lines : VT_LINES_MAX;
    vt->columns = columns < VT_COLUMNS_MAX ? columns : VT_COLUMNS_MAX;
    vt->top = 0;
    vt->bottom = vt->lines - 1;
    vt->y = vt->y < vt->lines ? vt->y : vt->lines - 1;
    vt->x = vt->x < vt->columns ? vt->x : vt->columns - 1;
    vt->wrap_pending = false;
}

static void vt_init(struct vt_screen *vt, int lines, int columns)
{
    memset(vt, 0, sizeof *vt);
    vt_resize(vt, lines, columns);
    vt_clear_lines(vt, 0, VT_LINES_MAX);
}

/* Moves lines [top, bottom] up by n (n < 0: down), blanking what enters. */
static void vt_scroll(struct vt_screen *vt, int top, int bottom, int n)
{
    int height = bottom - top + 1;
    if (n == 0 || height <= 0)
        return;
    if (n >= height || -n >= height) {
        vt_clear_lines(vt, top, bottom + 1);
        return;
    }
    size_t row = sizeof vt->cells[0];
    if (n > 0) {
        memmove(vt->cells[top], vt->cells[top + n], (size_t)(height - n) * row);
        vt_clear_lines(vt, bottom - n + 1, bottom + 1);
    } else {
        memmove(vt->cells[top - n], vt->cells[top], (size_t)(height + n) * row);
        vt_clear_lines(vt, top, top - n);
    }
}

static void vt_line_feed(struct vt_screen *vt)
{
    if (vt->y == vt->bottom)
        vt_scroll(vt, vt->top, vt->bottom, 1);
    else if (vt->y < vt->lines - 1)
        vt->y++;
}

static void vt_move(struct vt_screen *vt, int y, int x)
{
    vt->y = y < 0 ? 0 : (y >= vt->lines ? vt->lines - 1 : y);
    vt->x = x < 0 ? 0 : (x >= vt->columns ? vt->columns - 1 : x);
    vt->wrap_pending = false;
}

static void vt_put(struct vt_screen *vt, uint32_t code)
{
    int width = code < 0x80 ? 1 : wcwidth((wchar_t)code);
    if (width <= 0)
        return; /* combining marks: the bench reads base characters */
    if (vt->wrap_pending) {
        vt->x = 0;
        vt_line_feed(vt);
        vt->wrap_pending = false;
    }
    if (vt->x + width > vt->columns)
        return;
    uint32_t *line = vt->cells[vt->y];
    if (vt->insert_mode)
        memmove(line + vt->x + width, line + vt->x,
                (size_t)(vt->columns - vt->x - width) * sizeof *line);
    line[vt->x] = code;
    if (width == 2)
        line[vt->x + 1] = VT_WIDE_TAIL;
    vt->last_char = code;
    if (vt->x + width >= vt->columns) {
        vt->x = vt->columns - 1;
        vt->wrap_pending = true;
    } else {
        vt->x += width;
    }
}

static int vt_param(const struct vt_screen *vt, int index, int absent)
{
    return index < vt->param_count && vt->params[index] > 0 ? vt->params[index] : absent;
}

static void vt_erase(struct vt_screen *vt, char final, int mode)
{
    if (final == 'K') {
        int from = mode == 0 ? vt->x : 0, to = mode == 1 ? vt->x + 1 : vt->columns;
        vt_clear_cells(vt, vt->y, from, to);
        return;
    }
    if (mode == 0) { /* ED: from the cursor to the end */
        vt_clear_cells(vt, vt->y, vt->x, vt->columns);
        vt_clear_lines(vt, vt->y + 1, vt->lines);
    } else if (mode == 1) {
        vt_clear_lines(vt, 0, vt->y);
        vt_clear_cells(vt, vt->y, 0, vt->x + 1);
    } else {
        vt_clear_lines(vt, 0, vt->lines);
    }
}

/* Characters inserted (n > 0) or deleted (n < 0) at the cursor. */
static void vt_shift_line(struct vt_screen *vt, int n)
{
    uint32_t *line = vt->cells[vt->y];
    int x = vt->x, count = vt->columns - x;
    int shift = n > 0 ? n : -n;
    if (shift > count)
        shift = count;
    if (n > 0) {
        memmove(line + x + shift, line + x, (size_t)(count - shift) * sizeof *line);
        vt_clear_cells(vt, vt->y, x, x + shift);
    } else {
        memmove(line + x, line + x + shift, (size_t)(count - shift) * sizeof *line);
        vt_clear_cells(vt, vt->y, vt->columns - shift, vt->columns);
    }
}

static void vt_set_mode(struct vt_screen *vt, bool on)
{
    for (int i = 0; i < vt->param_count; i++) {
        if (!vt->private_mode && vt->params[i] == 4)
            vt->insert_mode = on;
        else if (vt->private_mode && vt->params[i] == 1049 && on)
            vt_clear_lines(vt, 0, vt->lines); /* the alternate screen starts blank */
    }
}

static void vt_csi(struct vt_screen *vt, char final)
{
    int n = vt_param(vt, 0, 1);
    if (vt->has_intermediate) /* soft reset (\E[!p) and the like */
        return;
    switch (final) {
    case 'H':
    case 'f':
        vt_move(vt, vt_param(vt, 0, 1) - 1, vt_param(vt, 1, 1) - 1);
        break;
    case 'A':
        vt_move(vt, vt->y - n, vt->x);
        break;
    case 'B':
        vt_move(vt, vt->y + n, vt->x);
        break;
    case 'C':
        vt_move(vt, vt->y, vt->x + n);
        break;
    case 'D':
        vt_move(vt, vt->y, vt->x - n);
        break;
    case 'G':
    case '`':
        vt_move(vt, vt->y, n - 1);
        break;
    case 'd':
        vt_move(vt, n - 1, vt->x);
        break;
    case 'J':
    case 'K':
        vt_erase(vt, final, vt->param_count ? vt->params[0] : 0);
        break;
    case 'X':
        vt_clear_cells(vt, vt->y, vt->x, vt->x + n);
        break;
    case '@':
        vt_shift_line(vt, n);
        break;
    case 'P':
        vt_shift_line(vt, -n);
        break;
    case 'L':
    case 'M':
        if (vt->y >= vt->top && vt->y <= vt->bottom)
            vt_scroll(vt, vt->y, vt->bottom, final == 'L' ? -n : n);
        vt->x = 0;
        break;
    case 'S':
        vt_scroll(vt, vt->top, vt->bottom, n);
        break;
    case 'T':
        vt_scroll(vt, vt->top, vt->bottom, -n);
        break;
    case 'b':
        for (int i = 0; i < n && i < VT_COLUMNS_MAX * VT_LINES_MAX; i++)
            vt_put(vt, vt->last_char);
        break;
    case 'r':
        vt->top = vt_param(vt, 0, 1) - 1;
        vt->bottom = vt_param(vt, 1, vt->lines) - 1;
        if (vt->top < 0 || vt->bottom >= vt->lines || vt->top >= vt->bottom) {
            vt->top = 0;
            vt->bottom = vt->lines - 1;
        }
        vt_move(vt, 0, 0);
        break;
    case 'h':
    case 'l':
        vt_set_mode(vt, final == 'h');
        break;
    case 'm': /* attributes and colours: not part of the text */
    case 't': /* window title stack */
    case 'c':
    case 'n':
    case 'g':
        break;
    default:
        vt->unknown++;
        break;
    }
}

static void vt_escape(struct vt_screen *vt, unsigned char c)
{
    vt->state = VT_GROUND;
    switch (c) {
    case '[':
        vt->state = VT_CSI;
        vt->param_count = 0;
        vt->private_mode = vt->has_intermediate = false;
        memset(vt->params, 0, sizeof vt->params);
        break;
    case ']':
        vt->state = VT_OSC;
        break;
    case '(':
    case ')':
    case '*':
    case '+':
        vt->state = VT_CHARSET;
        break;
    case '7':
        vt->saved_y = vt->y;
        vt->saved_x = vt->x;
        break;
    case '8':
        vt_move(vt, vt->saved_y, vt->saved_x);
        break;
    case 'M': /* reverse index */
        if (vt->y == vt->top)
            vt_scroll(vt, vt->top, vt->bottom, -1);
        else if (vt->y > 0)
            vt->y--;
        break;
    case 'D':
        vt_line_feed(vt);
        break;
    case 'E':
        vt->x = 0;
        vt_line_feed(vt);
        break;
    case 'c':
        vt_init(vt, vt->lines, vt->columns);
        break;
    case '=':
    case '>':
    case 'H':
    case '\\':
        break;
    default:
        vt->unknown++;
        break;
    }
}

static void vt_control(struct vt_screen *vt, unsigned char c)
{
    switch (c) {
    case '\r':
        vt->x = 0;
        vt->wrap_pending = false;
        break;
    case '\n':
    case '\v':
    case '\f':
        vt_line_feed(vt);
        vt->wrap_pending = false;
        break;
    case '\b':
        vt_move(vt, vt->y, vt->x - 1);
        break;
    case '\t':
        vt_move(vt, vt->y, (vt->x / 8 + 1) * 8);
        break;
    case 0x1B:
        vt->state = VT_ESCAPE;
        break;
    default: /* BEL, SO, SI: no text */
        break;
    }
}

static void vt_csi_byte(struct vt_screen *vt, unsigned char c)
{
    if (c >= '0' && c <= '9') {
        if (vt->param_count == 0)
            vt->param_count = 1;
        int *param = &vt->params[vt->param_count - 1];
        if (*param < 100000)
            *param = *param * 10 + (c - '0');
    } else if (c == ';') {
        if (vt->param_count == 0)
            vt->param_count = 1;
        if (vt->param_count < VT_PARAMS_MAX)
            vt->param_count++;
    } else if (c == '?' || c == '>' || c == '<' || c == '=') {
        vt->private_mode = true;
    } else if (c >= 0x20 && c <= 0x2F) {
        vt->has_intermediate = true;
    } else if (c >= 0x40 && c <= 0x7E) {
        vt->state = VT_GROUND;
        if (vt->private_mode && c != 'h' && c != 'l')
            return; /* private queries and settings: no text */
        vt_csi(vt, (char)c);
    }
}

static void vt_text_byte(struct vt_screen *vt, unsigned char c)
{
    if (vt->utf8_left > 0 && (c & 0xC0) == 0x80) {
        vt->utf8_code = (vt->utf8_code << 6) | (c & 0x3F);
        if (--vt->utf8_left == 0)
            vt_put(vt, vt->utf8_code);
        return;
    }
    vt->utf8_left = 0;
    if (c < 0x20 || c == 0x7F) {
        vt_control(vt, c);
    } else if (c < 0x80) {
        vt_put(vt, c);
    } else if ((c & 0xE0) == 0xC0) {
        vt->utf8_code = c & 0x1F;
        vt->utf8_left = 1;
    } else if ((c & 0xF0) == 0xE0) {
        vt->utf8_code = c & 0x0F;
        vt->utf8_left = 2;
    } else if ((c & 0xF8) == 0xF0) {
        vt->utf8_code = c & 0x07;
        vt->utf8_left = 3;
    }
}

static void vt_feed(struct vt_screen *vt, const unsigned char *bytes, size_t length)
{
    for (size_t i = 0; i < length; i++) {
        unsigned char c = bytes[i];
        switch (vt->state) {
        case VT_GROUND:
            vt_text_byte(vt, c);
            break;
        case VT_ESCAPE:
            vt_escape(vt, c);
            break;
        case VT_CSI:
            if (c == 0x1B)
                vt->state = VT_ESCAPE;
            else if (c >= 0x20)
                vt_csi_byte(vt, c);
            else
                vt_control(vt, c); /* controls act inside a sequence too */
            break;
        case VT_OSC: /* a title or a notification: ends at BEL or ST */
            if (c == 0x07)
                vt->state = VT_GROUND;
            else if (c == 0x1B)
                vt->state = VT_OSC_ESCAPE;
            break;
        case VT_OSC_ESCAPE:
            vt->state = c == '\\' ? VT_GROUND : VT_OSC;
            break;
        case VT_CHARSET:
            vt->state = VT_GROUND;
            break;
        }
    }
}

/* Line y as UTF-8 without its trailing blanks, as :save-display writes it. */
static void vt_line_text(const struct vt_screen *vt, int y, char *out, size_t size)
{
    size_t used = 0, kept = 0;
    for (int x = 0; x < vt->columns && y >= 0 && y < vt->lines; x++) {
        uint32_t code = vt->cells[y][x];
        if (code == VT_WIDE_TAIL)
            continue;
        char bytes[8];
        mbstate_t state;
        memset(&state, 0, sizeof state);
        size_t length = wcrtomb(bytes, (wchar_t)code, &state);
        if (length == (size_t)-1) {
            bytes[0] = '?';
            length = 1;
        }
        if (used + length + 1 > size)
            break;
        memcpy(out + used, bytes, length);
        used += length;
        if (code != ' ')
            kept = used;
    }
    if (size > 0)
        out[kept < size ? kept : size - 1] = '\0';
}

/* The first line holding text, or -1. */
static int vt_find_line(const struct vt_screen *vt, const char *text)
{
    char line[VT_COLUMNS_MAX * 4 + 1];
    for (int y = 0; y < vt->lines; y++) {
        vt_line_text(vt, y, line, sizeof line);
        if (strstr(line, text))
            return y;
    }
    return -1;
}
