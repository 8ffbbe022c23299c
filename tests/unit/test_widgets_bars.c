/* Unit tests of the header, the status bar and the banner: what an 80x24
 * operator sees, what a narrow screen gives up first, and that a text set
 * again unchanged does not repaint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "widgets/bars.h"
#include "widgets/cells.h"

struct world {
    SCREEN *screen;
    FILE *out, *in;
    WINDOW *win;
    const struct charset *charset;
    struct header_bar *header;
    struct status_bar *status;
    struct banner *banner;
};

static const struct status_style status_style = {
    .bar = A_NORMAL, .info = A_BOLD, .warn = A_UNDERLINE, .error = A_REVERSE, .key = A_DIM};

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
    world->charset = charset_get(kind);
    world->header = header_bar_new(world->win, world->charset, A_BOLD);
    world->status = status_bar_new(world->win, world->charset, &status_style);
    world->banner = banner_new(world->win, world->charset);
    assert_non_null(world->header);
    assert_non_null(world->status);
    assert_non_null(world->banner);
}

static int world_setup(void **state)
{
    *state = calloc(1, sizeof(struct world));
    return *state ? 0 : -1;
}

static int world_teardown(void **state)
{
    struct world *world = *state;
    widget_free(header_bar_widget(world->header));
    widget_free(status_bar_widget(world->status));
    widget_free(banner_widget(world->banner));
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

static void test_header_places_three_segments(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80);
    header_bar_set(world->header, HEADER_LEFT, "Vigie · Queue");
    header_bar_set(world->header, HEADER_CENTER, "12 waiting, 2 P1");
    header_bar_set(world->header, HEADER_RIGHT, "node-2  14:03:07");
    header_bar_draw(world->header);
    assert_string_equal(screen_line(world->win, 0), "Vigie · Queue                   12 waiti"
                                                    "ng, 2 P1                node-2  14:03:07");
    assert_int_equal(attr_at(world->win, 0, 40), A_BOLD);
}

static void test_narrow_header_cuts_the_centre_first(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 40);
    header_bar_set(world->header, HEADER_LEFT, "Vigie · Queue");
    header_bar_set(world->header, HEADER_CENTER, "12 waiting, 2 P1");
    header_bar_set(world->header, HEADER_RIGHT, "node-2  14:03:07");
    header_bar_draw(world->header);
    assert_string_equal(screen_line(world->win, 0), "Vigie · Queue 12 waiti… node-2  14:03:07");
}

static void test_unchanged_text_does_not_repaint(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80);
    header_bar_set(world->header, HEADER_RIGHT, "14:03:07");
    header_bar_draw(world->header);
    wnoutrefresh(world->win);
    header_bar_set(world->header, HEADER_RIGHT, "14:03:07");
    header_bar_draw(world->header);
    assert_false(is_linetouched(world->win, 0));
    header_bar_set(world->header, HEADER_RIGHT, "14:03:08");
    header_bar_draw(world->header);
    assert_true(is_linetouched(world->win, 0));
    assert_string_equal(screen_line(world->win, 0), "                                        "
                                                    "                                14:03:08");
}

static const struct status_hint hints[] = {
    {"?", "Help"}, {"a", "Ack"}, {"/", "Filter"}, {"q", "Quit"}};

static void test_status_bar_shows_message_and_hints(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80);
    assert_int_equal(status_bar_set_hints(world->status, hints, 4), 0);
    status_bar_set_message(world->status, STATUS_ERROR, "Disarm refused: panel offline");
    status_bar_draw(world->status);
    assert_string_equal(screen_line(world->win, 23), " Disarm refused: panel offline          "
                                                     "        ? Help  a Ack  / Filter  q Quit");
    assert_int_equal(attr_at(world->win, 23, 0), A_REVERSE);
    assert_int_equal(attr_at(world->win, 23, 30), A_REVERSE);
    assert_int_equal(attr_at(world->win, 23, 31), A_NORMAL);
    assert_int_equal(attr_at(world->win, 23, 48), A_DIM); /* "?" */
    assert_int_equal(attr_at(world->win, 23, 50), A_NORMAL);
    assert_int_equal(attr_at(world->win, 23, 56), A_DIM); /* "a" */
    status_bar_set_message(world->status, STATUS_INFO, NULL);
    status_bar_draw(world->status);
    assert_string_equal(screen_line(world->win, 23), "                                        "
                                                     "        ? Help  a Ack  / Filter  q Quit");
}

static void test_a_long_message_pushes_hints_out(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 40);
    status_bar_set_hints(world->status, hints, 4);
    status_bar_set_message(world->status, STATUS_WARN, "Backend node-1 slow");
    status_bar_draw(world->status);
    assert_string_equal(screen_line(world->win, 23), " Backend node-1 slow      ? Help  a Ack");
    status_bar_set_message(world->status, STATUS_WARN,
                           "Backend node-1 did not answer for 30 s, trying node-2");
    status_bar_draw(world->status);
    assert_string_equal(screen_line(world->win, 23), " Backend node-1 did not answer for 30 …");
}

static void test_banner_fills_its_lines(void **state)
{
    struct world *world = *state;
    world_open(world, "C", 24, 40);
    assert_int_equal(banner_lines(world->banner), 0);
    banner_set(world->banner, "BACKEND LOST – since 14:03:07\nReconnecting to node-2…", A_REVERSE);
    assert_int_equal(banner_lines(world->banner), 2);
    widget_resize(banner_widget(world->banner), 1, 0, 2, 40);
    banner_draw(world->banner);
    assert_string_equal(screen_line(world->win, 1), "     BACKEND LOST - since 14:03:07");
    assert_string_equal(screen_line(world->win, 2), "       Reconnecting to node-2...");
    assert_int_equal(attr_at(world->win, 1, 0), A_REVERSE);
    assert_int_equal(attr_at(world->win, 2, 39), A_REVERSE);
    wnoutrefresh(world->win);
    banner_set(world->banner, "BACKEND LOST – since 14:03:07\nReconnecting to node-2…", A_REVERSE);
    banner_draw(world->banner);
    assert_false(is_linetouched(world->win, 1));
    banner_clear(world->banner);
    assert_int_equal(banner_lines(world->banner), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define TEST(name) cmocka_unit_test_setup_teardown(name, world_setup, world_teardown)
        TEST(test_header_places_three_segments),    TEST(test_narrow_header_cuts_the_centre_first),
        TEST(test_unchanged_text_does_not_repaint), TEST(test_status_bar_shows_message_and_hints),
        TEST(test_a_long_message_pushes_hints_out), TEST(test_banner_fills_its_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
