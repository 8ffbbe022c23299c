/* Unit tests of the table widget, read back from a headless ncurses screen
 * the way an operator would see it: 100,000 rows scroll without being
 * copied, sorting, a selection that follows its row, filters, ellipses,
 * ascii mode, and repaints that touch only what changed. Rows added,
 * removed and updated one at a time keep the order a full sort gives, at
 * the cost of a binary search; a filter walks the sorted order and sorts
 * nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static const struct table_style style = {
    .header = A_BOLD, .row = A_NORMAL, .selected = A_REVERSE, .flash = A_UNDERLINE};

static const struct table_column columns[COLUMN_COUNT] = {
    {.title = "ID", .min_width = 6, .align = TABLE_ALIGN_RIGHT, .sortable = true},
    {.title = "Name", .min_width = 10, .flex = 1, .sortable = true},
    {.title = "Value", .min_width = 7, .align = TABLE_ALIGN_RIGHT, .sortable = true},
    {.title = "Age", .min_width = 6, .align = TABLE_ALIGN_RIGHT, .live = true},
};

static size_t rows_count(void *context)
{
    return ((struct rows *)context)->count;
}

static uint64_t rows_id(void *context, size_t row)
{
    return ((struct rows *)context)->ids[row];
}

static void rows_cell(void *context, size_t row, size_t column, char *buffer, size_t size)
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

static int rows_compare(void *context, size_t a, size_t b, size_t column)
{
    struct rows *rows = context;
    rows->compares++;
    if (column == COLUMN_ID)
        return rows->ids[a] < rows->ids[b] ? -1 : rows->ids[a] > rows->ids[b];
    return rows->values[a] < rows->values[b] ? -1 : rows->values[a] > rows->values[b];
}

static bool keep_even_ids(void *context, size_t row)
{
    return ((struct rows *)context)->ids[row] % 2 == 0;
}

static void rows_fill(struct rows *rows, size_t count)
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

static void rows_insert(struct rows *rows, size_t at, uint64_t id, long value)
{
    assert_true(rows->count < rows->capacity);
    memmove(rows->ids + at + 1, rows->ids + at, (rows->count - at) * sizeof *rows->ids);
    memmove(rows->values + at + 1, rows->values + at, (rows->count - at) * sizeof *rows->values);
    rows->ids[at] = id;
    rows->values[at] = value;
    rows->count++;
}

static void rows_remove(struct rows *rows, size_t at)
{
    memmove(rows->ids + at, rows->ids + at + 1, (rows->count - at - 1) * sizeof *rows->ids);
    memmove(rows->values + at, rows->values + at + 1,
            (rows->count - at - 1) * sizeof *rows->values);
    rows->count--;
}

/* A terminal of lines x cols that writes to a temporary file. */
static void world_open(struct world *world, const char *locale, int lines, int cols,
                       size_t row_count)
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
    world->table = table_new(world->win, world->charset, columns, COLUMN_COUNT, &source, &style);
    assert_non_null(world->table);
}

static int world_setup(void **state)
{
    *state = calloc(1, sizeof(struct world));
    return *state ? 0 : -1;
}

static int world_teardown(void **state)
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
static const char *screen_line(WINDOW *win, int y)
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

static attr_t attr_at(WINDOW *win, int y, int x)
{
    cchar_t cell;
    wchar_t text[CCHARW_MAX + 1];
    attr_t attr;
    short pair;
    assert_int_equal(mvwin_wch(win, y, x, &cell), OK);
    assert_int_equal(getcchar(&cell, text, &attr, &pair, NULL), OK);
    return attr;
}

static void clear_calls(struct rows *rows)
{
    memset(rows->calls, 0, sizeof rows->calls);
}

static size_t all_calls(const struct rows *rows)
{
    size_t total = 0;
    for (size_t i = 0; i < COLUMN_COUNT; i++)
        total += rows->calls[i];
    return total;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static struct widget_key key(int code)
{
    return widget_key_function(code);
}

static void test_first_page_formats_only_visible_rows(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, BIG_TABLE);
    table_draw(world->table);
    /* 80 columns: 6 + 1 + 58 (the flex column) + 1 + 7 + 1 + 6. */
    assert_string_equal(screen_line(world->win, 0), "    ID Name                              "
                                                    "                           Value    Age");
    assert_string_equal(screen_line(world->win, 1), "     0 Site 000000                       "
                                                    "                               0     0s");
    assert_string_equal(screen_line(world->win, 23), "    22 Site 074218                       "
                                                     "                           74218     1s");
    assert_int_equal(all_calls(&world->rows), 23 * COLUMN_COUNT);
    assert_int_equal(table_visible_count(world->table), BIG_TABLE);
    assert_int_equal(attr_at(world->win, 1, 0), A_REVERSE);
    assert_int_equal(attr_at(world->win, 2, 0), A_NORMAL);
    assert_int_equal(attr_at(world->win, 0, 0), A_BOLD);
}

static void test_end_shows_the_last_rows_and_home_the_first(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, BIG_TABLE);
    table_draw(world->table);
    int result = table_handle_key(world->table, key(KEY_END));
    assert_int_equal(result, WIDGET_HANDLED | WIDGET_REDRAW);
    table_draw(world->table);
    assert_int_equal(table_selected_position(world->table), BIG_TABLE - 1);
    assert_non_null(strstr(screen_line(world->win, 23), " 99999 Site"));
    assert_non_null(strstr(screen_line(world->win, 1), " 99977 Site"));
    assert_int_equal(attr_at(world->win, 23, 0), A_REVERSE);
    assert_int_equal(table_handle_key(world->table, key(KEY_DOWN)), WIDGET_HANDLED);
    table_handle_key(world->table, key(KEY_HOME));
    table_draw(world->table);
    assert_non_null(strstr(screen_line(world->win, 1), "     0 Site"));
    assert_int_equal(table_handle_key(world->table, key(KEY_UP)), WIDGET_HANDLED);
    assert_int_equal(table_handle_key(world->table, widget_key_char(L'x')), WIDGET_IGNORED);
}

static void test_page_down_keeps_the_selection_on_its_screen_line(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, BIG_TABLE);
    table_select_move(world->table, 3);
    table_handle_key(world->table, key(KEY_NPAGE));
    table_draw(world->table);
    /* A page is 23 lines; one stays in view for context. */
    assert_int_equal(table_selected_position(world->table), 3 + 22);
    assert_non_null(strstr(screen_line(world->win, 1), "    22 Site"));
    assert_int_equal(attr_at(world->win, 4, 0), A_REVERSE);
    table_handle_key(world->table, key(KEY_PPAGE));
    table_draw(world->table);
    assert_int_equal(table_selected_position(world->table), 3);
    assert_non_null(strstr(screen_line(world->win, 1), "     0 Site"));
}

static void test_sorting_reverses_and_marks_the_column(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, BIG_TABLE);
    assert_int_equal(table_sort(world->table, COLUMN_AGE, false), -1);
    assert_int_equal(table_sort(world->table, COLUMN_ID, true), 0);
    table_select_first(world->table);
    table_draw(world->table);
    assert_string_equal(screen_line(world->win, 0), "   ID▼ Name                              "
                                                    "                           Value    Age");
    assert_non_null(strstr(screen_line(world->win, 1), " 99999 Site"));
    assert_non_null(strstr(screen_line(world->win, 2), " 99998 Site"));
    assert_int_equal(table_sort(world->table, COLUMN_VALUE, false), 0);
    table_select_first(world->table);
    table_draw(world->table);
    assert_non_null(strstr(screen_line(world->win, 0), " Value▲"));
    assert_non_null(strstr(screen_line(world->win, 1), "Site 000000"));
    assert_non_null(strstr(screen_line(world->win, 2), "Site 000001"));
    size_t column;
    bool descending;
    assert_true(table_sort_column(world->table, &column, &descending));
    assert_int_equal(column, COLUMN_VALUE);
    assert_false(descending);
}

static void test_selection_follows_its_row_through_inserts_and_sorts(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, BIG_TABLE);
    table_select_move(world->table, 50); /* scrolled: row 50 on the last line */
    table_draw(world->table);
    uint64_t id;
    assert_true(table_selected(world->table, NULL, &id));
    assert_int_equal(id, 50);
    assert_non_null(strstr(screen_line(world->win, 23), "    50 Site"));
    for (int i = 0; i < 3; i++)
        rows_insert(&world->rows, 0, 1000000 + (uint64_t)i, -1);
    table_rows_changed(world->table);
    table_draw(world->table);
    assert_true(table_selected(world->table, NULL, &id));
    assert_int_equal(id, 50);
    assert_int_equal(table_selected_position(world->table), 53);
    /* Still on the last line of the screen: the view did not jump. */
    assert_int_equal(attr_at(world->win, 23, 0), A_REVERSE);
    assert_non_null(strstr(screen_line(world->win, 23), "    50 Site"));
    table_sort(world->table, COLUMN_ID, true);
    table_draw(world->table);
    assert_true(table_selected(world->table, NULL, &id));
    assert_int_equal(id, 50);
    /* Now near the end: the last page shows it, still selected. */
    assert_int_equal(table_selected_position(world->table), world->rows.count - 51);
    assert_non_null(strstr(screen_line(world->win, 23), "    50 Site"));
    assert_int_equal(attr_at(world->win, 23, 0), A_REVERSE);
    assert_true(table_select_id(world->table, 99990));
    assert_false(table_select_id(world->table, 424242424));
}

static void test_a_view_at_the_head_shows_rows_arriving_on_top(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, BIG_TABLE);
    table_select_move(world->table, 5);
    table_draw(world->table);
    rows_insert(&world->rows, 0, 999999, -1);
    table_rows_changed(world->table);
    table_draw(world->table);
    uint64_t id;
    assert_true(table_selected(world->table, NULL, &id));
    assert_int_equal(id, 5);
    assert_non_null(strstr(screen_line(world->win, 1), "999999 Site"));
    assert_non_null(strstr(screen_line(world->win, 7), "     5 Site"));
    assert_int_equal(attr_at(world->win, 7, 0), A_REVERSE);
}

static void test_removed_selected_row_gives_its_place_to_the_next(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, 100);
    table_select_move(world->table, 10);
    rows_remove(&world->rows, 10);
    table_rows_changed(world->table);
    uint64_t id;
    assert_true(table_selected(world->table, NULL, &id));
    assert_int_equal(id, 11);
    assert_int_equal(table_selected_position(world->table), 10);
}

static void test_filter_hides_rows(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, BIG_TABLE);
    table_select_move(world->table, 3);
    table_set_filter(world->table, keep_even_ids, &world->rows);
    table_draw(world->table);
    assert_int_equal(table_visible_count(world->table), BIG_TABLE / 2);
    assert_non_null(strstr(screen_line(world->win, 1), "     0 Site"));
    assert_non_null(strstr(screen_line(world->win, 2), "     2 Site"));
    assert_non_null(strstr(screen_line(world->win, 3), "     4 Site"));
    uint64_t id;
    assert_true(table_selected(world->table, NULL, &id));
    assert_int_equal(id % 2, 0);
    table_set_filter(world->table, NULL, NULL);
    assert_int_equal(table_visible_count(world->table), BIG_TABLE);
}

static void test_empty_table_says_so(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 10, 40, 0);
    table_set_empty_text(world->table, "No alarm waiting");
    table_draw(world->table);
    assert_string_equal(screen_line(world->win, 1), "No alarm waiting");
    assert_false(table_selected(world->table, NULL, NULL));
    assert_int_equal(table_handle_key(world->table, key(KEY_DOWN)), WIDGET_HANDLED);
    table_tick(world->table);
    table_draw(world->table);
}

static void test_narrow_column_ends_with_an_ellipsis(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 10, 32, 3);
    world->rows.text = "BANQUE X - Agence Opéra";
    table_draw(world->table);
    /* 32 columns: 6 + 1 + 10 + 1 + 7 + 1 + 6, no room to flex. */
    assert_string_equal(screen_line(world->win, 1), "     0 BANQUE X …       0     0s");
    world->rows.text = "日本語のテキスト";
    table_widget(world->table)->dirty = true;
    table_draw(world->table);
    assert_string_equal(screen_line(world->win, 1), "     0 日本語の…        0     0s");
    world->rows.text = "Opéra";
    wresize(world->win, 10, 16);
    widget_resize(table_widget(world->table), 0, 0, 10, 16);
    table_draw(world->table);
    assert_string_equal(screen_line(world->win, 0), "    ID Name");
    assert_string_equal(screen_line(world->win, 1), "     0 Opéra");
}

static void test_ascii_mode_never_sends_a_byte_above_127(void **state)
{
    struct world *world = *state;
    world_open(world, "C", 10, 32, 3);
    world->rows.text = "BANQUE X – Agence Opéra… 日本";
    table_sort(world->table, COLUMN_ID, true);
    table_draw(world->table);
    assert_string_equal(screen_line(world->win, 0), "   IDv Name         Value    Age");
    assert_string_equal(screen_line(world->win, 1), "     2 BANQUE X ~       1     2s");
    wnoutrefresh(world->win);
    doupdate();
    world->rows.text = "Opéra – Œuvre…";
    widget_invalidate(table_widget(world->table));
    table_draw(world->table);
    assert_string_equal(screen_line(world->win, 1), "     2 Opera - O~       1     2s");
    wnoutrefresh(world->win);
    doupdate();
    fflush(world->out);
    rewind(world->out);
    int c;
    size_t bytes = 0;
    while ((c = fgetc(world->out)) != EOF) {
        bytes++;
        assert_true(c < 0x80);
    }
    assert_true(bytes > 100);
}

static void test_moved_selection_repaints_two_lines(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, BIG_TABLE);
    table_draw(world->table);
    wnoutrefresh(world->win);
    doupdate();
    clear_calls(&world->rows);
    table_handle_key(world->table, key(KEY_DOWN));
    table_draw(world->table);
    for (int y = 0; y < 24; y++)
        assert_int_equal(is_linetouched(world->win, y), y == 1 || y == 2);
    assert_int_equal(all_calls(&world->rows), 2 * COLUMN_COUNT);
    assert_int_equal(attr_at(world->win, 2, 0), A_REVERSE);
    assert_int_equal(attr_at(world->win, 1, 0), A_NORMAL);
    wnoutrefresh(world->win);
    doupdate();
    table_draw(world->table); /* nothing dirty: nothing touched */
    for (int y = 0; y < 24; y++)
        assert_false(is_linetouched(world->win, y));
}

static void test_tick_reformats_only_live_cells_on_screen(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, BIG_TABLE);
    table_draw(world->table);
    wnoutrefresh(world->win);
    doupdate();
    clear_calls(&world->rows);
    world->rows.now = 60;
    table_tick(world->table);
    table_draw(world->table);
    assert_int_equal(world->rows.calls[COLUMN_AGE], 23);
    assert_int_equal(all_calls(&world->rows), 23);
    assert_false(is_linetouched(world->win, 0));
    assert_non_null(strstr(screen_line(world->win, 1), "    60s"));
}

static void test_flash_lasts_the_given_ticks(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, 100);
    table_draw(world->table);
    wnoutrefresh(world->win);
    doupdate();
    table_flash(world->table, 4, 2);
    table_flash(world->table, 500, 2); /* not on screen: harmless */
    table_draw(world->table);
    assert_int_equal(attr_at(world->win, 5, 0), A_UNDERLINE);
    assert_true(is_linetouched(world->win, 5));
    assert_false(is_linetouched(world->win, 4));
    table_tick(world->table);
    table_draw(world->table);
    assert_int_equal(attr_at(world->win, 5, 0), A_UNDERLINE);
    table_tick(world->table);
    table_draw(world->table);
    assert_int_equal(attr_at(world->win, 5, 0), A_NORMAL);
    for (uint64_t id = 0; id < TABLE_FLASH_MAX + 5; id++)
        table_flash(world->table, id, 3 + (unsigned)id);
    table_draw(world->table);
    assert_int_equal(attr_at(world->win, 2, 0), A_NORMAL); /* id 1 gave way */
    assert_int_equal(attr_at(world->win, 10, 0), A_UNDERLINE);
}

static void test_timing_of_a_big_screen(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 50, 200, BIG_TABLE);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    table_draw(world->table);
    wnoutrefresh(world->win);
    doupdate();
    double first = seconds_since(&start);
    clock_gettime(CLOCK_MONOTONIC, &start);
    table_widget(world->table)->dirty = true;
    table_draw(world->table);
    wnoutrefresh(world->win);
    doupdate();
    double again = seconds_since(&start);
    clock_gettime(CLOCK_MONOTONIC, &start);
    table_sort(world->table, COLUMN_VALUE, true);
    table_draw(world->table);
    double sort = seconds_since(&start);
    struct table_source by_text = {.context = &world->rows,
                                   .row_count = rows_count,
                                   .row_id = rows_id,
                                   .cell_text = rows_cell};
    struct table *text_table =
        table_new(world->win, world->charset, columns, COLUMN_COUNT, &by_text, &style);
    assert_non_null(text_table);
    table_sort(text_table, COLUMN_NAME, true);
    clock_gettime(CLOCK_MONOTONIC, &start);
    table_draw(text_table);
    double text_sort = seconds_since(&start);
    table_free(text_table);
    clock_gettime(CLOCK_MONOTONIC, &start);
    rows_insert(&world->rows, 0, 7777777, 5);
    table_rows_changed(world->table);
    table_draw(world->table);
    double insert = seconds_since(&start);
    clock_gettime(CLOCK_MONOTONIC, &start);
    rows_insert(&world->rows, world->rows.count, 7777778, 6);
    table_row_added(world->table, world->rows.count - 1);
    table_draw(world->table);
    double added = seconds_since(&start);
    printf("# 200x50, %d rows: first draw %.2f ms, full repaint %.2f ms, re-sort by a "
           "compare callback and draw %.2f ms, sort by cell text and draw %.2f ms, insert "
           "(rebuild, re-sort, find selection) and draw %.2f ms, one row added (binary "
           "search) and draw %.3f ms\n",
           BIG_TABLE, first * 1e3, again * 1e3, sort * 1e3, text_sort * 1e3, insert * 1e3,
           added * 1e3);
    fflush(stdout);
}

/* ---- rows one at a time ---- */

/* Values with many ties (a tenth as many values as rows). */
static long tied_value(uint64_t id)
{
    return (long)((id * 2654435761u) % 97);
}

static bool rows_key(void *context, size_t row, size_t column, uint64_t *key)
{
    struct rows *rows = context;
    if (column != COLUMN_VALUE || rows->values[row] < 0)
        return false;
    *key = (uint64_t)rows->values[row];
    return true;
}

static void rows_append(struct rows *rows, uint64_t id, long value)
{
    rows_insert(rows, rows->count, id, value);
}

/* The removal of an unordered array: the last row takes the hole. */
static void rows_swap_remove(struct rows *rows, size_t at)
{
    rows->ids[at] = rows->ids[rows->count - 1];
    rows->values[at] = rows->values[rows->count - 1];
    rows->count--;
}

static size_t rows_find(const struct rows *rows, uint64_t id)
{
    for (size_t i = 0; i < rows->count; i++)
        if (rows->ids[i] == id)
            return i;
    fail_msg("no row has id %llu", (unsigned long long)id);
    return 0;
}

/* The ids in the order the table shows them, read by moving the
 * selection from the first row to the last. */
static size_t shown_ids(struct table *table, uint64_t *ids, size_t max)
{
    size_t count = table_visible_count(table);
    assert_true(count <= max);
    table_select_first(table);
    for (size_t i = 0; i < count; i++) {
        size_t row;
        assert_true(table_selected(table, &row, &ids[i]));
        table_select_move(table, 1);
    }
    return count;
}

/* What a table built from scratch over the same rows shows. */
static size_t rebuilt_ids(struct world *world, size_t column, bool descending, table_filter_fn keep,
                          uint64_t *ids, size_t max)
{
    struct table_source source = {.context = &world->rows,
                                  .row_count = rows_count,
                                  .row_id = rows_id,
                                  .cell_text = rows_cell,
                                  .compare = rows_compare};
    struct table *fresh =
        table_new(world->win, world->charset, columns, COLUMN_COUNT, &source, &style);
    assert_non_null(fresh);
    table_sort(fresh, column, descending);
    table_set_filter(fresh, keep, &world->rows);
    size_t count = shown_ids(fresh, ids, max);
    table_free(fresh);
    return count;
}

static void assert_same_order(struct world *world, table_filter_fn keep, bool descending)
{
    enum { MAX = 4096 };
    static uint64_t shown[MAX], expected[MAX];
    uint64_t selected = 0;
    bool had = table_selected(world->table, NULL, &selected);
    size_t count = shown_ids(world->table, shown, MAX);
    assert_int_equal(count, rebuilt_ids(world, COLUMN_VALUE, descending, keep, expected, MAX));
    for (size_t i = 0; i < count; i++) {
        if (shown[i] != expected[i])
            fail_msg("row %zu: id %llu shown, %llu expected", i, (unsigned long long)shown[i],
                     (unsigned long long)expected[i]);
        size_t row = rows_find(&world->rows, shown[i]);
        assert_int_equal(world->rows.ids[row], shown[i]);
    }
    if (had)
        table_select_id(world->table, selected);
}

static void test_rows_added_one_at_a_time_take_their_place_by_binary_search(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, 0);
    free(world->rows.ids);
    free(world->rows.values);
    rows_fill(&world->rows, 2000);
    for (size_t i = 0; i < world->rows.count; i++)
        world->rows.values[i] = tied_value(i);
    world->rows.count = 1000;
    table_rows_changed(world->table);
    table_sort(world->table, COLUMN_VALUE, false);
    table_draw(world->table);
    for (uint64_t id = 1000; id < 2000; id++) {
        world->rows.compares = 0;
        rows_append(&world->rows, id, tied_value(id));
        table_row_added(world->table, world->rows.count - 1);
        /* log2(2000) is 11: a search, never a sort of every row */
        assert_true(world->rows.compares <= 12);
    }
    assert_int_equal(table_visible_count(world->table), 2000);
    assert_same_order(world, NULL, false);
    /* One that comes first in the order, not last in the source. */
    rows_insert(&world->rows, 5, 5000, -1);
    table_row_added(world->table, 5);
    table_select_first(world->table);
    table_draw(world->table);
    assert_non_null(strstr(screen_line(world->win, 1), "  5000 Site"));
    assert_same_order(world, NULL, false);
}

static void test_rows_removed_one_at_a_time_leave_the_order_right(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, 0);
    free(world->rows.ids);
    free(world->rows.values);
    rows_fill(&world->rows, 2000);
    for (size_t i = 0; i < world->rows.count; i++)
        world->rows.values[i] = tied_value(i);
    table_rows_changed(world->table);
    table_sort(world->table, COLUMN_VALUE, true);
    table_draw(world->table);
    /* An unordered array: the last row takes the hole of each. */
    for (uint64_t id = 0; id < 2000; id += 3) {
        size_t at = rows_find(&world->rows, id);
        rows_swap_remove(&world->rows, at);
        assert_int_equal(table_row_removed(world->table, id, TABLE_RENUMBER_LAST_MOVES), at);
    }
    assert_same_order(world, NULL, true);
    /* An ordered array: the rows after it move down. */
    for (uint64_t id = 1; id < 2000; id += 3) {
        size_t at = rows_find(&world->rows, id);
        rows_remove(&world->rows, at);
        assert_int_equal(table_row_removed(world->table, id, TABLE_RENUMBER_SHIFT), at);
    }
    assert_same_order(world, NULL, true);
    assert_int_equal(table_row_removed(world->table, 424242, TABLE_RENUMBER_SHIFT), TABLE_NO_ROW);
    assert_same_order(world, NULL, true);
}

static void test_an_updated_row_moves_and_the_selection_follows_it(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, 500);
    table_sort(world->table, COLUMN_VALUE, false);
    table_select_move(world->table, 30); /* scrolled: the selection on the last line */
    table_draw(world->table);
    uint64_t id;
    assert_true(table_selected(world->table, NULL, &id));
    /* It goes to the head of the order: the view follows it there. */
    world->rows.values[rows_find(&world->rows, id)] = -5;
    table_row_updated(world->table, id);
    table_draw(world->table);
    uint64_t now;
    assert_true(table_selected(world->table, NULL, &now));
    assert_int_equal(now, id);
    assert_int_equal(table_selected_position(world->table), 0);
    assert_int_equal(attr_at(world->win, 1, 0), A_REVERSE);
    /* Another row moves behind it: the selection stays. */
    world->rows.values[rows_find(&world->rows, 400)] = -1;
    table_row_updated(world->table, 400);
    table_draw(world->table);
    assert_true(table_selected(world->table, NULL, &now));
    assert_int_equal(now, id);
    assert_non_null(strstr(screen_line(world->win, 2), "   400 Site"));
    assert_same_order(world, NULL, false);
}

static void test_a_filter_walks_the_sorted_order_and_sorts_nothing(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, BIG_TABLE);
    table_sort(world->table, COLUMN_VALUE, false);
    table_draw(world->table);
    world->rows.compares = 0;
    table_set_filter(world->table, keep_even_ids, &world->rows);
    table_draw(world->table);
    assert_int_equal(world->rows.compares, 0);
    assert_int_equal(table_visible_count(world->table), BIG_TABLE / 2);
    table_set_filter(world->table, NULL, NULL);
    table_draw(world->table);
    assert_int_equal(world->rows.compares, 0);
    assert_int_equal(table_visible_count(world->table), BIG_TABLE);
}

static void test_rows_that_change_under_a_filter_are_shown_as_it_says(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, 0);
    free(world->rows.ids);
    free(world->rows.values);
    rows_fill(&world->rows, 1500);
    for (size_t i = 0; i < world->rows.count; i++)
        world->rows.values[i] = tied_value(i);
    table_rows_changed(world->table);
    table_sort(world->table, COLUMN_VALUE, false);
    table_set_filter(world->table, keep_even_ids, &world->rows);
    table_draw(world->table);
    for (uint64_t id = 2000; id < 2100; id++) {
        rows_append(&world->rows, id, tied_value(id));
        table_row_added(world->table, world->rows.count - 1);
    }
    assert_same_order(world, keep_even_ids, false);
    /* An id that turns odd leaves the filtered rows; one that turns even
     * comes in at its place. */
    for (uint64_t id = 0; id < 60; id += 2) {
        size_t at = rows_find(&world->rows, id);
        world->rows.ids[at] = id + 100001;
        table_row_removed(world->table, id, TABLE_RENUMBER_SHIFT);
        table_row_added(world->table, at);
        world->rows.values[at] = 3;
        table_row_updated(world->table, id + 100001);
    }
    for (uint64_t id = 1; id < 60; id += 2) {
        size_t at = rows_find(&world->rows, id);
        world->rows.values[at] = 50;
        table_row_updated(world->table, id);
    }
    assert_same_order(world, keep_even_ids, false);
    for (uint64_t id = 2001; id < 2100; id += 2) {
        size_t at = rows_find(&world->rows, id);
        rows_swap_remove(&world->rows, at);
        table_row_removed(world->table, id, TABLE_RENUMBER_LAST_MOVES);
    }
    assert_same_order(world, keep_even_ids, false);
}

static void test_an_arrival_off_screen_repaints_nothing(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, 1000);
    table_sort(world->table, COLUMN_VALUE, false);
    table_select_move(world->table, 500); /* scrolled to the middle */
    table_draw(world->table);
    wnoutrefresh(world->win);
    doupdate();
    char before[4096];
    snprintf(before, sizeof before, "%s", screen_line(world->win, 23));
    /* One that sorts above the screen, one below: the lines show the same
     * rows, and the selection keeps its line. */
    rows_append(&world->rows, 5000, -1);
    table_row_added(world->table, world->rows.count - 1);
    rows_append(&world->rows, 5001, 999999);
    table_row_added(world->table, world->rows.count - 1);
    table_draw(world->table);
    for (int y = 0; y < 24; y++)
        assert_false(is_linetouched(world->win, y));
    assert_string_equal(screen_line(world->win, 23), before);
    assert_int_equal(table_selected_position(world->table), 501);
    /* One that sorts on the screen moves its lines. */
    rows_append(&world->rows, 5002, 490);
    table_row_added(world->table, world->rows.count - 1);
    table_draw(world->table);
    assert_true(is_linetouched(world->win, 12));
}

static void test_keys_sort_as_compare_does(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80, 0);
    free(world->rows.ids);
    free(world->rows.values);
    rows_fill(&world->rows, 3000);
    for (size_t i = 0; i < world->rows.count; i++)
        world->rows.values[i] = tied_value(i);
    table_free(world->table);
    struct table_source source = {.context = &world->rows,
                                  .row_count = rows_count,
                                  .row_id = rows_id,
                                  .cell_text = rows_cell,
                                  .compare = rows_compare,
                                  .sort_key = rows_key};
    world->table = table_new(world->win, world->charset, columns, COLUMN_COUNT, &source, &style);
    assert_non_null(world->table);
    for (int descending = 0; descending < 2; descending++) {
        table_sort(world->table, COLUMN_VALUE, descending);
        world->rows.compares = 0;
        table_draw(world->table);
        /* Only the ties (97 values over 3000 rows) were compared. */
        assert_true(world->rows.compares < 3000 * 6);
        assert_same_order(world, NULL, descending);
    }
    /* A row without a key: compare sorts them all, the same. */
    world->rows.values[17] = -3;
    table_rows_changed(world->table);
    assert_same_order(world, NULL, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define TEST(name) cmocka_unit_test_setup_teardown(name, world_setup, world_teardown)
        TEST(test_first_page_formats_only_visible_rows),
        TEST(test_end_shows_the_last_rows_and_home_the_first),
        TEST(test_page_down_keeps_the_selection_on_its_screen_line),
        TEST(test_sorting_reverses_and_marks_the_column),
        TEST(test_selection_follows_its_row_through_inserts_and_sorts),
        TEST(test_a_view_at_the_head_shows_rows_arriving_on_top),
        TEST(test_removed_selected_row_gives_its_place_to_the_next),
        TEST(test_filter_hides_rows),
        TEST(test_empty_table_says_so),
        TEST(test_narrow_column_ends_with_an_ellipsis),
        TEST(test_ascii_mode_never_sends_a_byte_above_127),
        TEST(test_moved_selection_repaints_two_lines),
        TEST(test_tick_reformats_only_live_cells_on_screen),
        TEST(test_flash_lasts_the_given_ticks),
        TEST(test_rows_added_one_at_a_time_take_their_place_by_binary_search),
        TEST(test_rows_removed_one_at_a_time_leave_the_order_right),
        TEST(test_an_updated_row_moves_and_the_selection_follows_it),
        TEST(test_a_filter_walks_the_sorted_order_and_sorts_nothing),
        TEST(test_rows_that_change_under_a_filter_are_shown_as_it_says),
        TEST(test_an_arrival_off_screen_repaints_nothing),
        TEST(test_keys_sort_as_compare_does),
        TEST(test_timing_of_a_big_screen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
