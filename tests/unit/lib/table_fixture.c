/* table_fixture.c: see table_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/lib/table_fixture.h"

const struct table_style table_fixture_style = {
    .header = A_BOLD, .row = A_NORMAL, .selected = A_REVERSE, .flash = A_UNDERLINE};

const struct table_column table_fixture_columns[COLUMN_COUNT] = {
    {.title = "ID", .min_width = 6, .align = TABLE_ALIGN_RIGHT, .sortable = true},
    {.title = "Name", .min_width = 10, .flex = 1, .sortable = true},
    {.title = "Value", .min_width = 7, .align = TABLE_ALIGN_RIGHT, .sortable = true},
    {.title = "Age", .min_width = 6, .align = TABLE_ALIGN_RIGHT, .live = true},
};

size_t rows_count(void *context)
{
    return ((struct rows *)context)->count;
}

uint64_t rows_id(void *context, size_t row)
{
    return ((struct rows *)context)->ids[row];
}

void rows_cell(void *context, size_t row, size_t column, char *buffer, size_t size)
{
    struct rows *rows = context;
    rows->calls[column]++;
    switch (column) {
    case COLUMN_ID:
        snprintf(buffer, size, "%llu", (unsigned long long)rows->ids[row]);
        break;
    case COLUMN_NAME:
        if (rows->text)
            snprintf(buffer, size, "%s", rows->text);
        else
            snprintf(buffer, size, "Site %06ld", rows->values[row]);
        break;
    case COLUMN_VALUE:
        snprintf(buffer, size, "%ld", rows->values[row]);
        break;
    default:
        snprintf(buffer, size, "%us", rows->now + (unsigned)(row % 7));
        break;
    }
}

int rows_compare(void *context, size_t a, size_t b, size_t column)
{
    struct rows *rows = context;
    rows->compares++;
    if (column == COLUMN_ID)
        return rows->ids[a] < rows->ids[b] ? -1 : rows->ids[a] > rows->ids[b];
    return rows->values[a] < rows->values[b] ? -1 : rows->values[a] > rows->values[b];
}

bool keep_even_ids(void *context, size_t row)
{
    return ((struct rows *)context)->ids[row] % 2 == 0;
}

void rows_fill(struct rows *rows, size_t count)
{
    rows->capacity = count + count / 2 + 16; /* room for arrivals */
    rows->ids = calloc(rows->capacity, sizeof *rows->ids);
    rows->values = calloc(rows->capacity, sizeof *rows->values);
    assert_non_null(rows->ids);
    assert_non_null(rows->values);
    rows->count = count;
    for (size_t i = 0; i < count; i++) {
        rows->ids[i] = i;
        rows->values[i] = (long)((i * 7919) % count); /* a permutation */
    }
}

void rows_insert(struct rows *rows, size_t at, uint64_t id, long value)
{
    assert_true(rows->count < rows->capacity);
    memmove(rows->ids + at + 1, rows->ids + at, (rows->count - at) * sizeof *rows->ids);
    memmove(rows->values + at + 1, rows->values + at, (rows->count - at) * sizeof *rows->values);
    rows->ids[at] = id;
    rows->values[at] = value;
    rows->count++;
}

void rows_remove(struct rows *rows, size_t at)
{
    memmove(rows->ids + at, rows->ids + at + 1, (rows->count - at - 1) * sizeof *rows->ids);
    memmove(rows->values + at, rows->values + at + 1,
            (rows->count - at - 1) * sizeof *rows->values);
    rows->count--;
}

/* A terminal of lines x cols that writes to a temporary file. */
void world_open(struct world *world, const char *locale, int lines, int cols, size_t row_count)
{
    char number[16];
    setenv("TERM", "xterm-256color", 1);
    snprintf(number, sizeof number, "%d", lines);
    setenv("LINES", number, 1);
    snprintf(number, sizeof number, "%d", cols);
    setenv("COLUMNS", number, 1);
    assert_non_null(setlocale(LC_ALL, locale));
    world->charset = charset_get(strcmp(locale, "C") == 0 ? CHARSET_ASCII : CHARSET_UNICODE);
    world->out = tmpfile();
    world->in = fopen("/dev/null", "r");
    assert_non_null(world->out);
    assert_non_null(world->in);
    world->screen = newterm("xterm-256color", world->out, world->in);
    assert_non_null(world->screen);
    set_term(world->screen);
    world->win = newwin(lines, cols, 0, 0);
    assert_non_null(world->win);
    rows_fill(&world->rows, row_count);
    struct table_source source = {
        .context = &world->rows,
        .row_count = rows_count,
        .row_id = rows_id,
        .cell_text = rows_cell,
        .compare = rows_compare,
    };
    world->table = table_new(world->win, world->charset, table_fixture_columns, COLUMN_COUNT,
                             &source, &table_fixture_style);
    assert_non_null(world->table);
}

int world_setup(void **state)
{
    *state = calloc(1, sizeof(struct world));
    return *state ? 0 : -1;
}

int world_teardown(void **state)
{
    struct world *world = *state;
    table_free(world->table);
    if (world->win)
        delwin(world->win);
    if (world->screen) {
        endwin();
        delscreen(world->screen);
    }
    if (world->out)
        fclose(world->out);
    if (world->in)
        fclose(world->in);
    free(world->rows.ids);
    free(world->rows.values);
    free(world);
    return 0;
}

/* What the user sees on line y, as UTF-8, trailing blanks removed. */
const char *screen_line(WINDOW *win, int y)
{
    static char text[4096];
    wchar_t wide[1024];
    int n = mvwinnwstr(win, y, 0, wide, 1023);
    assert_true(n >= 0);
    cells_encode_utf8(wide, (size_t)n, text, sizeof text);
    size_t length = strlen(text);
    while (length > 0 && text[length - 1] == ' ')
        text[--length] = '\0';
    return text;
}

attr_t attr_at(WINDOW *win, int y, int x)
{
    cchar_t cell;
    wchar_t text[CCHARW_MAX + 1];
    attr_t attr;
    short pair;
    assert_int_equal(mvwin_wch(win, y, x, &cell), OK);
    assert_int_equal(getcchar(&cell, text, &attr, &pair, NULL), OK);
    return attr;
}

void clear_calls(struct rows *rows)
{
    memset(rows->calls, 0, sizeof rows->calls);
}

size_t all_calls(const struct rows *rows)
{
    size_t total = 0;
    for (size_t i = 0; i < COLUMN_COUNT; i++)
        total += rows->calls[i];
    return total;
}

struct widget_key key(int code)
{
    return widget_key_function(code);
}
