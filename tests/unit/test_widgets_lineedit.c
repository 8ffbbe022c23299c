/* Unit tests of the line editor: UTF-8 typed through a real terminal input,
 * the readline kills, history, completion, and what the prompt line shows
 * when the text is wider than the screen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "widgets/cells.h"
#include "widgets/lineedit.h"

struct world {
    SCREEN *screen;
    FILE *out, *in;
    int keyboard; /* write end of the terminal's input */
    WINDOW *win;
    struct lineedit *editor;
    struct lineedit_history *history;
};

static const struct lineedit_style style = {
    .prompt = A_BOLD, .text = A_NORMAL, .marker = A_REVERSE};

/* A terminal of one 30-column line whose keyboard is a pipe. */
static void world_open(struct world *world, const char *locale, int cols)
{
    char number[16];
    int fds[2];
    setenv("TERM", "xterm-256color", 1);
    setenv("LINES", "3", 1);
    snprintf(number, sizeof number, "%d", cols);
    setenv("COLUMNS", number, 1);
    setenv("ESCDELAY", "10", 1);
    assert_non_null(setlocale(LC_ALL, locale));
    assert_int_equal(pipe(fds), 0);
    world->keyboard = fds[1];
    world->in = fdopen(fds[0], "r");
    world->out = tmpfile();
    assert_non_null(world->out);
    assert_non_null(world->in);
    world->screen = newterm("xterm-256color", world->out, world->in);
    assert_non_null(world->screen);
    set_term(world->screen);
    world->win = newwin(3, cols, 0, 0);
    assert_non_null(world->win);
    keypad(world->win, TRUE);
    enum charset_kind kind = strcmp(locale, "C") == 0 ? CHARSET_ASCII : CHARSET_UNICODE;
    world->editor = lineedit_new(world->win, charset_get(kind), &style, "Filter: ");
    assert_non_null(world->editor);
    world->history = lineedit_history_new(LINEEDIT_HISTORY_MAX);
    assert_non_null(world->history);
    lineedit_set_history(world->editor, world->history);
}

static int world_setup(void **state)
{
    struct world *world = calloc(1, sizeof *world);
    if (!world)
        return -1;
    world->keyboard = -1;
    *state = world;
    return 0;
}

static int world_teardown(void **state)
{
    struct world *world = *state;
    lineedit_free(world->editor);
    lineedit_history_free(world->history);
    if (world->win)
        delwin(world->win);
    if (world->screen) {
        endwin();
        delscreen(world->screen);
    }
    if (world->keyboard >= 0)
        close(world->keyboard);
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

/* Sends bytes as the terminal would and feeds the editor every key read. */
static int type_bytes(struct world *world, const char *bytes)
{
    size_t length = strlen(bytes);
    assert_int_equal(write(world->keyboard, bytes, length), (ssize_t)length);
    int result = 0;
    struct widget_key key;
    wtimeout(world->win, 50);
    while (widget_key_read(world->win, &key) == OK)
        result = lineedit_handle_key(world->editor, key);
    return result;
}

static void press(struct world *world, wint_t character)
{
    lineedit_handle_key(world->editor, widget_key_char(character));
}

static void press_key(struct world *world, int code)
{
    lineedit_handle_key(world->editor, widget_key_function(code));
}

static void test_utf8_typed_on_the_terminal_is_one_character(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 30);
    type_bytes(world, "Op\xc3\xa9ra");
    assert_string_equal(lineedit_text(world->editor), "Opéra");
    assert_int_equal(lineedit_cursor(world->editor), 5);
    type_bytes(world, "\x7f\x7f"); /* Backspace twice: "ra" goes, not half of "é" */
    assert_string_equal(lineedit_text(world->editor), "Opé");
    type_bytes(world, "\x1bOD"); /* Left, as xterm sends it */
    assert_int_equal(lineedit_cursor(world->editor), 2);
    lineedit_draw(world->editor);
    assert_string_equal(screen_line(world->win, 0), "Filter: Opé");
    int y, x;
    lineedit_cursor_position(world->editor, &y, &x);
    assert_int_equal(y, 0);
    assert_int_equal(x, 10);
}

static void test_ctrl_w_u_k_a_e(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 30);
    type_bytes(world, "site BANQUE \xc3\xa9t\xc3\xa9");
    type_bytes(world, "\x17"); /* Ctrl-W: the last word, "été" */
    assert_string_equal(lineedit_text(world->editor), "site BANQUE ");
    type_bytes(world, "\x17"); /* the spaces before it go with the next word */
    assert_string_equal(lineedit_text(world->editor), "site ");
    type_bytes(world, "X \x01"); /* Ctrl-A */
    assert_int_equal(lineedit_cursor(world->editor), 0);
    press(world, WIDGET_CTRL('e'));
    assert_int_equal(lineedit_cursor(world->editor), 7);
    press_key(world, KEY_LEFT);
    press_key(world, KEY_LEFT);
    press(world, WIDGET_CTRL('k'));
    assert_string_equal(lineedit_text(world->editor), "site ");
    press_key(world, KEY_LEFT);
    press(world, WIDGET_CTRL('u'));
    assert_string_equal(lineedit_text(world->editor), " ");
    assert_int_equal(lineedit_cursor(world->editor), 0);
    press_key(world, KEY_DC);
    assert_string_equal(lineedit_text(world->editor), "");
    press_key(world, KEY_DC);
    press_key(world, KEY_BACKSPACE);
    press(world, WIDGET_CTRL('w'));
    assert_string_equal(lineedit_text(world->editor), "");
}

static void test_enter_accepts_and_escape_cancels(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 30);
    type_bytes(world, "fire");
    assert_int_equal(lineedit_state(world->editor), LINEEDIT_EDITING);
    int result = lineedit_handle_key(world->editor, widget_key_char(L'\r'));
    assert_true(result & WIDGET_QUIT);
    assert_int_equal(lineedit_state(world->editor), LINEEDIT_ACCEPTED);
    lineedit_set_text(world->editor, "other");
    result = lineedit_handle_key(world->editor, widget_key_char(WIDGET_ESCAPE));
    assert_true(result & WIDGET_QUIT);
    assert_int_equal(lineedit_state(world->editor), LINEEDIT_CANCELLED);
    assert_int_equal(lineedit_history_count(world->history), 1);
    assert_int_equal(lineedit_handle_key(world->editor, widget_key_function(KEY_F(5))),
                     WIDGET_IGNORED);
}

static void accept(struct world *world, const char *text)
{
    lineedit_set_text(world->editor, text);
    lineedit_handle_key(world->editor, widget_key_char(L'\n'));
}

static void test_history_recalls_newest_first_and_restores_the_draft(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 30);
    accept(world, "first");
    accept(world, "second");
    accept(world, "second"); /* a repeat is not kept twice */
    lineedit_set_text(world->editor, "dra");
    press_key(world, KEY_UP);
    assert_string_equal(lineedit_text(world->editor), "second");
    press_key(world, KEY_UP);
    assert_string_equal(lineedit_text(world->editor), "first");
    press_key(world, KEY_UP);
    assert_string_equal(lineedit_text(world->editor), "first");
    press_key(world, KEY_DOWN);
    assert_string_equal(lineedit_text(world->editor), "second");
    press_key(world, KEY_DOWN);
    assert_string_equal(lineedit_text(world->editor), "dra");
    press_key(world, KEY_DOWN);
    assert_string_equal(lineedit_text(world->editor), "dra");
}

static void test_history_is_bounded(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 30);
    char text[32];
    for (int i = 0; i < 150; i++) {
        snprintf(text, sizeof text, "search %d", i);
        assert_int_equal(lineedit_history_add(world->history, text), 0);
    }
    assert_int_equal(lineedit_history_count(world->history), LINEEDIT_HISTORY_MAX);
    assert_string_equal(lineedit_history_get(world->history, 0), "search 149");
    assert_string_equal(lineedit_history_get(world->history, 99), "search 50");
    assert_null(lineedit_history_get(world->history, 100));
    struct lineedit_history *small = lineedit_history_new(100000);
    assert_non_null(small);
    for (int i = 0; i < 300; i++) {
        snprintf(text, sizeof text, "%d", i);
        lineedit_history_add(small, text);
    }
    assert_int_equal(lineedit_history_count(small), LINEEDIT_HISTORY_MAX);
    lineedit_history_free(small);
}

/* Completes a site name after "site ". */
static bool complete_site(void *context, const char *text, size_t cursor, char *out,
                          size_t out_size, size_t *out_cursor)
{
    int *calls = context;
    (*calls)++;
    if (cursor != strlen(text) || strcmp(text, "site BAN") != 0)
        return false;
    snprintf(out, out_size, "site BANQUE X - Agence Opéra");
    *out_cursor = strlen(out);
    return true;
}

static void test_tab_calls_the_completion_hook(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 30);
    int calls = 0;
    press(world, L'\t'); /* no hook: nothing happens */
    lineedit_set_completion(world->editor, complete_site, &calls);
    type_bytes(world, "site BAN\t");
    assert_int_equal(calls, 1);
    assert_string_equal(lineedit_text(world->editor), "site BANQUE X - Agence Opéra");
    assert_int_equal(lineedit_cursor(world->editor), 28);
    press(world, L'\t');
    assert_int_equal(calls, 2);
    assert_string_equal(lineedit_text(world->editor), "site BANQUE X - Agence Opéra");
}

static void test_long_text_scrolls_sideways_with_markers(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 20);
    lineedit_set_text(world->editor, "0123456789abcdefghij");
    lineedit_draw(world->editor);
    /* 12 columns after the prompt: the cursor at the end needs one. */
    assert_string_equal(screen_line(world->win, 0), "Filter: …abcdefghij");
    int y, x;
    lineedit_cursor_position(world->editor, &y, &x);
    assert_int_equal(x, 19);
    press(world, WIDGET_CTRL('a'));
    lineedit_draw(world->editor);
    assert_string_equal(screen_line(world->win, 0), "Filter: 0123456789a…");
    lineedit_cursor_position(world->editor, &y, &x);
    assert_int_equal(x, 8);
}

static void test_wide_characters_take_two_columns(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 30);
    type_bytes(world, "\xe6\x97\xa5\xe6\x9c\xac"); /* 日本 */
    lineedit_draw(world->editor);
    int y, x;
    lineedit_cursor_position(world->editor, &y, &x);
    assert_int_equal(x, 8 + 4);
    assert_string_equal(screen_line(world->win, 0), "Filter: 日本");
}

static void test_ascii_mode_takes_ascii_only(void **state)
{
    struct world *world = *state;
    world_open(world, "C", 30);
    press(world, L'a');
    assert_int_equal(lineedit_handle_key(world->editor, widget_key_char(0xE9)), WIDGET_IGNORED);
    assert_string_equal(lineedit_text(world->editor), "a");
    lineedit_set_text(world->editor, "Opéra");
    assert_string_equal(lineedit_text(world->editor), "Opera");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define TEST(name) cmocka_unit_test_setup_teardown(name, world_setup, world_teardown)
        TEST(test_utf8_typed_on_the_terminal_is_one_character),
        TEST(test_ctrl_w_u_k_a_e),
        TEST(test_enter_accepts_and_escape_cancels),
        TEST(test_history_recalls_newest_first_and_restores_the_draft),
        TEST(test_history_is_bounded),
        TEST(test_tab_calls_the_completion_hook),
        TEST(test_long_text_scrolls_sideways_with_markers),
        TEST(test_wide_characters_take_two_columns),
        TEST(test_ascii_mode_takes_ascii_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
