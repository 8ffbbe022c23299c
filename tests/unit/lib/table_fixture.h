/* table_fixture.h: what the table widget's unit tests share: a caller's
 * model of rows (ids, values, a live age column) with counters of the
 * cells it formatted and the comparisons it made, and a headless ncurses
 * terminal of a given size that writes to a temporary file, holding one
 * table over those rows. The tests read the screen back as an operator
 * would see it (screen_line, attr_at). */
#ifndef VIGIE_TABLE_FIXTURE_H
#define VIGIE_TABLE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "widgets/table.h"

#define BIG_TABLE 100000

enum { COLUMN_ID, COLUMN_NAME, COLUMN_VALUE, COLUMN_AGE, COLUMN_COUNT };

/* The caller's model: rows live here, the table only indexes them. */
struct rows {
    size_t count, capacity;
    uint64_t *ids;
    long *values;
    const char *text; /* when set, the name of every row */
    unsigned now;     /* ticks, for the live age column */
    size_t calls[COLUMN_COUNT];
    size_t compares; /* calls of rows_compare */
};

struct world {
    SCREEN *screen;
    FILE *out, *in;
    WINDOW *win;
    const struct charset *charset;
    struct rows rows;
    struct table *table;
};

extern const struct table_style table_fixture_style;
extern const struct table_column table_fixture_columns[COLUMN_COUNT];

/* The source callbacks over struct rows. */
size_t rows_count(void *context);
uint64_t rows_id(void *context, size_t row);
void rows_cell(void *context, size_t row, size_t column, char *buffer, size_t size);
int rows_compare(void *context, size_t a, size_t b, size_t column);
bool keep_even_ids(void *context, size_t row);

/* count rows, ids 0.. in order, values a permutation; room for arrivals. */
void rows_fill(struct rows *rows, size_t count);
void rows_insert(struct rows *rows, size_t at, uint64_t id, long value);
void rows_remove(struct rows *rows, size_t at);

/* A terminal of lines x cols in `locale` ("C" draws ASCII), a table of
 * row_count rows over it. */
void world_open(struct world *world, const char *locale, int lines, int cols, size_t row_count);
/* cmocka set-up and tear-down of a struct world. */
int world_setup(void **state);
int world_teardown(void **state);

/* What the user sees on line y, as UTF-8, trailing blanks removed (a
 * static buffer). */
const char *screen_line(WINDOW *win, int y);
attr_t attr_at(WINDOW *win, int y, int x);

void clear_calls(struct rows *rows);
size_t all_calls(const struct rows *rows);
struct widget_key key(int code);

#endif
