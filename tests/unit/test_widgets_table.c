/* Unit tests of the table widget, read back from a headless ncurses screen
 * the way an operator would see it: 100,000 rows scroll without being
 * copied, sorting, a selection that follows its row, filters, ellipses,
 * ascii mode, and repaints that touch only what changed. The order kept
 * row by row is test_widgets_table_order.c's. */
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
