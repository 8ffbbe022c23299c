/* Unit tests of the text view: a victim's file wrapped at the window's
 * width, scrolled, and searched with n/N, read back from a headless
 * ncurses screen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "widgets/cells.h"
#include "widgets/textview.h"

struct world {
    SCREEN *screen;
    FILE *out, *in;
    WINDOW *win;
    struct textview *view;
};

static const struct textview_style style = {
    .text = A_NORMAL, .match = A_UNDERLINE, .current_match = A_REVERSE, .marker = A_BOLD};

static const char victim_file[] = "Victim: Jeanne DUPOND, 12 rue des Lilas, 75011 Paris.\n"
                                  "Protection order: the aggressor may not come within 500 m.\n"
                                  "\n"
                                  "Aggressor: Marc DUPOND, about 40, grey Peugeot 308 AB-123-CD.\n"
                                  "Emergency contacts: her sister at the Opéra district.";

static void world_open(struct world *world, const char *locale, int lines, int cols)
{
    char number[16];
    setenv("TERM", "xterm-256color", 1);
    snprintf(number, sizeof number, "%d", lines);
    setenv("LINES", number, 1);
    snprintf(number, sizeof number, "%d", cols);
    setenv("COLUMNS", number, 1);
    assert_non_null(setlocale(LC_ALL, locale));
    world->out = tmpfile();
    world->in = fopen("/dev/null", "r");
    assert_non_null(world->out);
    assert_non_null(world->in);
    world->screen = newterm("xterm-256color", world->out, world->in);
    assert_non_null(world->screen);
    set_term(world->screen);
    world->win = newwin(lines, cols, 0, 0);
    assert_non_null(world->win);
    enum charset_kind kind = strcmp(locale, "C") == 0 ? CHARSET_ASCII : CHARSET_UNICODE;
    world->view = textview_new(world->win, charset_get(kind), &style);
    assert_non_null(world->view);
}

static int world_setup(void **state)
{
    *state = calloc(1, sizeof(struct world));
    return *state ? 0 : -1;
}

static int world_teardown(void **state)
{
    struct world *world = *state;
    textview_free(world->view);
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
    free(world);
    return 0;
}

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

static struct widget_key key(int code)
{
    return widget_key_function(code);
}

static void test_text_wraps_at_word_boundaries(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 6, 31);
    assert_int_equal(textview_set_text(world->view, victim_file), 0);
    textview_draw(world->view);
    /* 30 columns of text, the last one kept for the arrows. */
    assert_string_equal(screen_line(world->win, 0), "Victim: Jeanne DUPOND, 12 rue");
    assert_string_equal(screen_line(world->win, 1), "des Lilas, 75011 Paris.");
    assert_string_equal(screen_line(world->win, 2), "Protection order: the");
    assert_string_equal(screen_line(world->win, 3), "aggressor may not come within");
    assert_string_equal(screen_line(world->win, 4), "500 m.");
    assert_string_equal(screen_line(world->win, 5), "                              ↓");
    assert_int_equal(attr_at(world->win, 5, 30), A_BOLD);
    assert_int_equal(textview_line_count(world->view), 11);
}

static void test_a_word_wider_than_the_line_is_cut(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 4, 11);
    textview_set_text(world->view, "ABCDEFGHIJKLMNOP Q");
    textview_draw(world->view);
    assert_string_equal(screen_line(world->win, 0), "ABCDEFGHIJ");
    assert_string_equal(screen_line(world->win, 1), "KLMNOP Q");
}

static void test_scrolling_by_line_page_and_end(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 6, 31);
    textview_set_text(world->view, victim_file);
    textview_draw(world->view);
    assert_int_equal(textview_handle_key(world->view, key(KEY_UP)), WIDGET_HANDLED);
    assert_int_equal(textview_handle_key(world->view, key(KEY_DOWN)),
                     WIDGET_HANDLED | WIDGET_REDRAW);
    textview_draw(world->view);
    assert_string_equal(screen_line(world->win, 0), "des Lilas, 75011 Paris.       ↑");
    textview_handle_key(world->view, key(KEY_END));
    textview_draw(world->view);
    assert_int_equal(textview_top(world->view), 11 - 6);
    assert_string_equal(screen_line(world->win, 5), "at the Opéra district.");
    textview_handle_key(world->view, key(KEY_PPAGE));
    assert_int_equal(textview_top(world->view), 0);
    textview_handle_key(world->view, widget_key_char(L' '));
    assert_int_equal(textview_top(world->view), 5);
    textview_handle_key(world->view, key(KEY_HOME));
    assert_int_equal(textview_top(world->view), 0);
    assert_int_equal(textview_handle_key(world->view, widget_key_char(L'x')), WIDGET_IGNORED);
}

static void test_search_highlights_matches_and_n_steps_through_them(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 6, 31);
    textview_set_text(world->view, victim_file);
    assert_int_equal(textview_search(world->view, "dupond"), 2);
    textview_draw(world->view);
    /* "Victim: Jeanne DUPOND": the current match in reverse video. */
    assert_int_equal(attr_at(world->win, 0, 14), A_NORMAL);
    for (int x = 15; x < 21; x++)
        assert_int_equal(attr_at(world->win, 0, x), A_REVERSE);
    assert_int_equal(attr_at(world->win, 0, 21), A_NORMAL);
    assert_int_equal(textview_handle_key(world->view, widget_key_char(L'n')),
                     WIDGET_HANDLED | WIDGET_REDRAW);
    assert_int_equal(textview_current_match(world->view), 1);
    textview_draw(world->view);
    /* The second match, on the 7th line, was brought on screen. */
    assert_true(textview_top(world->view) > 0);
    size_t line = 6 - textview_top(world->view);
    assert_string_equal(screen_line(world->win, (int)line), "Aggressor: Marc DUPOND, about");
    assert_int_equal(attr_at(world->win, (int)line, 16), A_REVERSE);
    textview_handle_key(world->view, widget_key_char(L'n')); /* wraps around */
    assert_int_equal(textview_current_match(world->view), 0);
    textview_handle_key(world->view, widget_key_char(L'N'));
    assert_int_equal(textview_current_match(world->view), 1);
    textview_scroll_to(world->view, 0);
    textview_search(world->view, "paris");
    textview_draw(world->view);
    assert_int_equal(attr_at(world->win, 1, 17), A_REVERSE);
}

static void test_every_match_is_marked_not_only_the_current(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 3, 41);
    textview_set_text(world->view, "fire, fire alarm, FIRE");
    assert_int_equal(textview_search(world->view, "fire"), 3);
    textview_draw(world->view);
    assert_int_equal(attr_at(world->win, 0, 0), A_REVERSE);
    assert_int_equal(attr_at(world->win, 0, 6), A_UNDERLINE);
    assert_int_equal(attr_at(world->win, 0, 18), A_UNDERLINE);
    assert_int_equal(attr_at(world->win, 0, 4), A_NORMAL);
}

static void test_search_that_finds_nothing(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 6, 31);
    textview_set_text(world->view, victim_file);
    assert_int_equal(textview_search(world->view, "hold-up"), 0);
    assert_false(textview_search_next(world->view, false));
    assert_int_equal(textview_handle_key(world->view, widget_key_char(L'n')), WIDGET_HANDLED);
    assert_int_equal(textview_search(world->view, ""), 0);
}

static void test_resize_rewraps_and_keeps_the_text_on_top(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 6, 31);
    textview_set_text(world->view, victim_file);
    textview_scroll_to(world->view, 2); /* "Protection order: the" */
    textview_draw(world->view);
    wresize(world->win, 6, 21);
    widget_resize(textview_widget(world->view), 0, 0, 6, 21);
    textview_draw(world->view);
    assert_string_equal(screen_line(world->win, 0), "Protection order:   ↑");
    assert_string_equal(screen_line(world->win, 1), "the aggressor may");
}

static void test_ascii_mode_folds_accents_and_finds_them(void **state)
{
    struct world *world = *state;
    world_open(world, "C", 6, 31);
    textview_set_text(world->view, "Agence Opéra – « porte » …");
    assert_int_equal(textview_search(world->view, "opera"), 1);
    textview_draw(world->view);
    assert_string_equal(screen_line(world->win, 0), "Agence Opera - \" porte \" ...");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define TEST(name) cmocka_unit_test_setup_teardown(name, world_setup, world_teardown)
        TEST(test_text_wraps_at_word_boundaries),
        TEST(test_a_word_wider_than_the_line_is_cut),
        TEST(test_scrolling_by_line_page_and_end),
        TEST(test_search_highlights_matches_and_n_steps_through_them),
        TEST(test_every_match_is_marked_not_only_the_current),
        TEST(test_search_that_finds_nothing),
        TEST(test_resize_rewraps_and_keeps_the_text_on_top),
        TEST(test_ascii_mode_folds_accents_and_finds_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
