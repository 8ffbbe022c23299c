/* Unit tests of the table widget's order kept row by row: rows added,
 * removed and updated one at a time keep the order a full sort gives, at
 * the cost of a binary search; a filter walks the sorted order and sorts
 * nothing; an arrival off screen repaints nothing. Read back from a
 * headless ncurses screen (tests/unit/lib/table_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/lib/table_fixture.h"
#include "widgets/table.h"

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
    struct table *fresh = table_new(world->win, world->charset, table_fixture_columns, COLUMN_COUNT,
                                    &source, &table_fixture_style);
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
    world->table = table_new(world->win, world->charset, table_fixture_columns, COLUMN_COUNT,
                             &source, &table_fixture_style);
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
        TEST(test_rows_added_one_at_a_time_take_their_place_by_binary_search),
        TEST(test_rows_removed_one_at_a_time_leave_the_order_right),
        TEST(test_an_updated_row_moves_and_the_selection_follows_it),
        TEST(test_a_filter_walks_the_sorted_order_and_sorts_nothing),
        TEST(test_rows_that_change_under_a_filter_are_shown_as_it_says),
        TEST(test_an_arrival_off_screen_repaints_nothing),
        TEST(test_keys_sort_as_compare_does),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
