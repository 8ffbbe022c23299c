/* Unit tests of the braille canvas: each dot lands on the right bit of the
 * right braille character, under LANG=C the same picture is drawn with
 * plain ASCII, shapes and labels are cut at the edges (a huge circle costs
 * nothing), a circle's outline is closed, and the canvas paints its own
 * rectangle of the window with the colours it was given. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "widgets/canvas.h"
#include "widgets/cells.h"

struct world {
    SCREEN *screen;
    FILE *out, *in;
    WINDOW *win;
    struct canvas *canvas;
};

static void world_open(struct world *world, const char *locale, int lines, int columns)
{
    setenv("TERM", "xterm-256color", 1);
    assert_non_null(setlocale(LC_ALL, locale));
    world->out = tmpfile();
    world->in = fopen("/dev/null", "r");
    assert_non_null(world->out);
    assert_non_null(world->in);
    world->screen = newterm("xterm-256color", world->out, world->in);
    assert_non_null(world->screen);
    set_term(world->screen);
    world->win = newwin(lines, columns, 0, 0);
    assert_non_null(world->win);
    enum charset_kind kind = strcmp(locale, "C") == 0 ? CHARSET_ASCII : CHARSET_UNICODE;
    world->canvas = canvas_new(world->win, charset_get(kind), A_NORMAL);
    assert_non_null(world->canvas);
}

static int world_setup(void **state)
{
    *state = calloc(1, sizeof(struct world));
    return *state ? 0 : -1;
}

static int world_teardown(void **state)
{
    struct world *world = *state;
    canvas_free(world->canvas);
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

/* A line of the window as UTF-8, trailing blanks removed. */
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

static void test_dots_become_braille_code_points(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 10, 20);
    assert_int_equal(canvas_width(world->canvas), 40);
    assert_int_equal(canvas_height(world->canvas), 40);
    assert_int_equal(canvas_cell(world->canvas, 0, 0), L' ');
    canvas_set(world->canvas, 0, 0, A_NORMAL); /* dot 1 */
    assert_int_equal(canvas_cell(world->canvas, 0, 0), 0x2801);
    canvas_set(world->canvas, 1, 3, A_NORMAL); /* dot 8 */
    assert_int_equal(canvas_cell(world->canvas, 0, 0), 0x2881);
    /* Every dot of cell (1, 1): the full pattern. */
    for (int x = 2; x < 4; x++)
        for (int y = 4; y < 8; y++)
            canvas_set(world->canvas, x, y, A_NORMAL);
    assert_int_equal(canvas_cell(world->canvas, 1, 1), 0x28FF);
    /* The order of the others: 2, 3, 7 down the left, 4, 5, 6 down the right. */
    static const struct {
        int x, y;
        wchar_t code;
    } dots[] = {{4, 1, 0x2802}, {4, 2, 0x2804}, {4, 3, 0x2840},
                {5, 0, 0x2808}, {5, 1, 0x2810}, {5, 2, 0x2820}};
    for (size_t i = 0; i < sizeof dots / sizeof dots[0]; i++) {
        canvas_clear(world->canvas);
        canvas_set(world->canvas, dots[i].x, dots[i].y, A_NORMAL);
        assert_int_equal(canvas_cell(world->canvas, 2, 0), dots[i].code);
        assert_true(canvas_get(world->canvas, dots[i].x, dots[i].y));
        canvas_unset(world->canvas, dots[i].x, dots[i].y);
        assert_int_equal(canvas_cell(world->canvas, 2, 0), L' ');
    }
    /* A horizontal line of 8 dots along the top fills dots 1 and 4 of four cells. */
    canvas_clear(world->canvas);
    canvas_line(world->canvas, 0, 0, 7, 0, A_NORMAL);
    canvas_draw(world->canvas);
    assert_string_equal(screen_line(world->win, 0), "\u2809\u2809\u2809\u2809");
}

static void test_markers_and_labels_cover_the_dots(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 6, 30);
    canvas_line(world->canvas, 0, 1, 59, 1, A_NORMAL);
    canvas_mark(world->canvas, 10, 1, L'\u25CF', '+', A_BOLD);
    canvas_text(world->canvas, 14, 1, "Créteil", A_NORMAL);
    canvas_draw(world->canvas);
    assert_string_equal(screen_line(world->win, 0), "\u2812\u2812\u2812\u2812\u2812\u25CF"
                                                    "\u2812Créteil\u2812\u2812\u2812\u2812\u2812"
                                                    "\u2812\u2812\u2812\u2812\u2812\u2812\u2812"
                                                    "\u2812\u2812\u2812\u2812");
}

static void test_ascii_fallback_under_lang_c(void **state)
{
    struct world *world = *state;
    world_open(world, "C", 6, 12);
    canvas_set(world->canvas, 0, 0, A_NORMAL); /* upper half */
    canvas_set(world->canvas, 2, 3, A_NORMAL); /* lower half */
    canvas_set(world->canvas, 4, 1, A_NORMAL); /* both */
    canvas_set(world->canvas, 5, 2, A_NORMAL);
    canvas_mark(world->canvas, 6, 0, L'\u25CF', '+', A_NORMAL);
    canvas_mark(world->canvas, 8, 0, L'\u2191', 0, A_NORMAL); /* folded: '^' */
    canvas_text(world->canvas, 0, 4, "Créteil œuvre", A_NORMAL);
    canvas_draw(world->canvas);
    assert_string_equal(screen_line(world->win, 0), "'.:+^");
    assert_string_equal(screen_line(world->win, 1), "Creteil oeuv");
    /* A circle in ASCII is still a ring of '.', '\'' and ':'. */
    canvas_clear(world->canvas);
    canvas_circle(world->canvas, 12, 12, 8, A_NORMAL);
    canvas_draw(world->canvas);
    for (int line = 0; line < 6; line++) {
        const char *text = screen_line(world->win, line);
        for (const char *c = text; *c; c++)
            assert_non_null(strchr(" .':", *c));
    }
    assert_int_equal(canvas_cell(world->canvas, 6, 3), L' '); /* the middle stays empty */
    assert_true(canvas_cell(world->canvas, 6, 1) != L' ');    /* the top of the ring */
}

static void test_shapes_are_clipped_at_the_edges(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 5, 10); /* 20 x 20 dots */
    canvas_set(world->canvas, -1, 0, A_NORMAL);
    canvas_set(world->canvas, 0, -1, A_NORMAL);
    canvas_set(world->canvas, 20, 0, A_NORMAL);
    canvas_set(world->canvas, 0, 20, A_NORMAL);
    canvas_mark(world->canvas, 25, 3, L'X', 'X', A_NORMAL);
    for (int column = 0; column < 10; column++)
        for (int line = 0; line < 5; line++)
            assert_int_equal(canvas_cell(world->canvas, column, line), L' ');
    /* A diagonal from far outside to far outside crosses corner to corner. */
    canvas_line(world->canvas, -1000, -1000, 100000, 100000, A_NORMAL);
    for (int i = 0; i < 20; i++)
        assert_true(canvas_get(world->canvas, i, i));
    assert_false(canvas_get(world->canvas, 1, 0));
    /* A line entirely outside draws nothing. */
    canvas_clear(world->canvas);
    canvas_line(world->canvas, -50, 5, -5, 15, A_NORMAL);
    canvas_line(world->canvas, 0, 25, 19, 40, A_NORMAL);
    for (int x = 0; x < 20; x++)
        for (int y = 0; y < 20; y++)
            assert_false(canvas_get(world->canvas, x, y));
    /* A label is cut at the right edge. */
    assert_int_equal(canvas_text(world->canvas, 14, 0, "Commissariat", A_NORMAL), 3);
    canvas_draw(world->canvas);
    assert_string_equal(screen_line(world->win, 0), "       Com");
    /* A circle of a billion dots around a far centre crosses the picture as
     * an almost straight arc, in no more time than the picture takes. */
    canvas_clear(world->canvas);
    canvas_circle(world->canvas, 10, 1000000010, 1000000000, A_NORMAL);
    for (int x = 0; x < 20; x++)
        assert_true(canvas_get(world->canvas, x, 10));
    /* One enclosing the whole picture shows nothing. */
    canvas_clear(world->canvas);
    canvas_circle(world->canvas, 10, 10, 5000000, A_NORMAL);
    for (int x = 0; x < 20; x++)
        for (int y = 0; y < 20; y++)
            assert_false(canvas_get(world->canvas, x, y));
}

/* Fills from (x, y) through the four neighbours of every empty dot; true
 * when the fill reached the picture's edge. */
static bool leaks_to_the_edge(struct canvas *canvas, int x, int y)
{
    int width = canvas_width(canvas), height = canvas_height(canvas);
    char *seen = calloc((size_t)width * (size_t)height, 1);
    int *stack = malloc(sizeof *stack * 2 * (size_t)width * (size_t)height * 4);
    assert_non_null(seen);
    assert_non_null(stack);
    size_t depth = 0;
    bool leaked = false;
    stack[depth++] = x, stack[depth++] = y;
    while (depth > 0 && !leaked) {
        int py = stack[--depth], px = stack[--depth];
        if (px < 0 || py < 0 || px >= width || py >= height)
            continue;
        if (seen[py * width + px] || canvas_get(canvas, px, py))
            continue;
        seen[py * width + px] = 1;
        if (px == 0 || py == 0 || px == width - 1 || py == height - 1)
            leaked = true;
        int next[4][2] = {{px + 1, py}, {px - 1, py}, {px, py + 1}, {px, py - 1}};
        for (int i = 0; i < 4; i++)
            stack[depth++] = next[i][0], stack[depth++] = next[i][1];
    }
    free(seen);
    free(stack);
    return leaked;
}

static void test_a_circle_is_closed(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 48); /* 96 x 96 dots */
    for (long radius = 1; radius <= 46; radius++) {
        canvas_clear(world->canvas);
        canvas_circle(world->canvas, 47, 47, radius, A_NORMAL);
        if (leaks_to_the_edge(world->canvas, 47, 47))
            fail_msg("the circle of radius %ld has a gap", radius);
        /* Every dot of the outline is at the radius, within a dot. */
        for (int x = 0; x < 96; x++)
            for (int y = 0; y < 96; y++)
                if (canvas_get(world->canvas, x, y)) {
                    double distance = hypot(x - 47, y - 47);
                    assert_true(distance > radius - 1.0 && distance < radius + 1.0);
                }
    }
    /* Radius 0 is the centre dot alone. */
    canvas_clear(world->canvas);
    canvas_circle(world->canvas, 5, 5, 0, A_NORMAL);
    assert_true(canvas_get(world->canvas, 5, 5));
    assert_false(canvas_get(world->canvas, 6, 5));
    /* Cut by the right edge: the arc inside is drawn, and it leaves the
     * picture at the two rows where the circle crosses the edge. */
    canvas_clear(world->canvas);
    canvas_circle(world->canvas, 90, 47, 30, A_NORMAL);
    assert_true(canvas_get(world->canvas, 60, 47));
    int crossings = 0;
    for (int y = 0; y < 96; y++)
        crossings += canvas_get(world->canvas, 95, y);
    assert_int_equal(crossings, 2);
    assert_true(canvas_get(world->canvas, 95, 17) && canvas_get(world->canvas, 95, 77));
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

static void test_draws_its_rectangle_in_its_colours(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 10, 40);
    widget_resize(canvas_widget(world->canvas), 2, 5, 3, 10);
    assert_int_equal(canvas_width(world->canvas), 20);
    assert_int_equal(canvas_height(world->canvas), 12);
    mvwaddstr(world->win, 0, 0, "header stays");
    canvas_set(world->canvas, 0, 0, A_BOLD);
    canvas_mark(world->canvas, 19, 11, L'P', 'P', A_UNDERLINE);
    canvas_draw(world->canvas);
    assert_string_equal(screen_line(world->win, 0), "header stays");
    assert_string_equal(screen_line(world->win, 2), "     \u2801");
    assert_string_equal(screen_line(world->win, 4), "              P");
    assert_int_equal(attr_at(world->win, 2, 5), A_BOLD);
    assert_int_equal(attr_at(world->win, 4, 14), A_UNDERLINE);
    assert_int_equal(attr_at(world->win, 3, 6), A_NORMAL);
    /* Nothing changed: nothing painted again. */
    wnoutrefresh(world->win);
    canvas_draw(world->canvas);
    assert_false(is_linetouched(world->win, 2));
    canvas_set(world->canvas, 2, 4, A_NORMAL);
    canvas_draw(world->canvas);
    assert_true(is_linetouched(world->win, 3));
    assert_string_equal(screen_line(world->win, 3), "      \u2801");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define TEST(name) cmocka_unit_test_setup_teardown(name, world_setup, world_teardown)
        TEST(test_dots_become_braille_code_points),
        TEST(test_markers_and_labels_cover_the_dots),
        TEST(test_ascii_fallback_under_lang_c),
        TEST(test_shapes_are_clipped_at_the_edges),
        TEST(test_a_circle_is_closed),
        TEST(test_draws_its_rectangle_in_its_colours),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
