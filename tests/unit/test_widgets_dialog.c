/* Unit tests of the modal widgets: the confirmation that says yes only on
 * its key, the choice of a resolution code, and the help overlay, read back
 * from a headless ncurses screen. */
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
#include "widgets/dialog.h"
#include "widgets/help.h"

struct world {
    SCREEN *screen;
    FILE *out, *in;
    WINDOW *win;
    const struct charset *charset;
    struct dialog *dialog;
    struct help *help;
};

static const struct dialog_style dialog_style = {.frame = A_NORMAL,
                                                 .title = A_BOLD,
                                                 .text = A_NORMAL,
                                                 .key = A_UNDERLINE,
                                                 .selected = A_REVERSE};

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
}

static int world_setup(void **state)
{
    *state = calloc(1, sizeof(struct world));
    return *state ? 0 : -1;
}

static int world_teardown(void **state)
{
    struct world *world = *state;
    dialog_free(world->dialog);
    help_free(world->help);
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

static struct dialog *disarm_dialog(struct world *world)
{
    dialog_free(world->dialog);
    world->dialog =
        dialog_confirm_new(world->win, world->charset, &dialog_style, "Disarm",
                           "Disarm site BANQUE X - Agence Opéra?", L'y', "Disarm", "Cancel");
    assert_non_null(world->dialog);
    return world->dialog;
}

static void test_confirm_names_the_object_in_a_centred_box(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80);
    struct dialog *dialog = disarm_dialog(world);
    dialog_draw(dialog);
    int y, x, height, width;
    dialog_box(dialog, &y, &x, &height, &width);
    assert_int_equal(height, 5);
    assert_int_equal(width, 40);
    assert_int_equal(y, 9);
    assert_int_equal(x, 20);
    assert_string_equal(screen_line(world->win, 9),
                        "                    ┌─ Disarm ─────────────────────────────┐");
    assert_string_equal(screen_line(world->win, 10),
                        "                    │ Disarm site BANQUE X - Agence Opéra? │");
    assert_string_equal(screen_line(world->win, 11),
                        "                    │                                      │");
    assert_string_equal(screen_line(world->win, 12),
                        "                    │ y Disarm   n/Esc Cancel              │");
    assert_string_equal(screen_line(world->win, 13),
                        "                    └──────────────────────────────────────┘");
    assert_int_equal(attr_at(world->win, 12, 22), A_UNDERLINE);
    assert_int_equal(attr_at(world->win, 9, 23), A_BOLD);
    assert_string_equal(screen_line(world->win, 8), "");
}

static void test_confirm_says_yes_only_for_the_yes_key(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80);
    const struct widget_key ignored[] = {
        widget_key_char(L'x'), widget_key_char(L' '),         widget_key_char(L'o'),
        widget_key_char(L'1'), widget_key_function(KEY_F(1)), widget_key_function(KEY_DOWN),
        widget_key_char(0xFF), widget_key_function(L'y'), /* KEY code 121 is not 'y' */
    };
    struct dialog *dialog = disarm_dialog(world);
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) {
        assert_int_equal(dialog_handle_key(dialog, ignored[i]), WIDGET_HANDLED);
        assert_int_equal(dialog_answer(dialog), DIALOG_PENDING);
    }
    const struct widget_key no[] = {widget_key_char(L'n'),          widget_key_char(L'N'),
                                    widget_key_char(WIDGET_ESCAPE), widget_key_char(L'\n'),
                                    widget_key_char(L'\r'),         widget_key_function(KEY_ENTER)};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        dialog = disarm_dialog(world);
        assert_int_equal(dialog_handle_key(dialog, no[i]), WIDGET_HANDLED | WIDGET_QUIT);
        assert_int_equal(dialog_answer(dialog), DIALOG_NO);
        assert_int_equal(dialog_handle_key(dialog, widget_key_char(L'y')), WIDGET_IGNORED);
        assert_int_equal(dialog_answer(dialog), DIALOG_NO);
    }
    dialog = disarm_dialog(world);
    assert_int_equal(dialog_handle_key(dialog, widget_key_char(L'y')),
                     WIDGET_HANDLED | WIDGET_QUIT);
    assert_int_equal(dialog_answer(dialog), DIALOG_YES);
    dialog = disarm_dialog(world);
    dialog_handle_key(dialog, widget_key_char(L'Y'));
    assert_int_equal(dialog_answer(dialog), DIALOG_YES);
}

static void test_a_long_message_wraps_inside_a_small_screen(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 10, 30);
    world->dialog = dialog_confirm_new(world->win, world->charset, &dialog_style, "Disarm",
                                       "Disarm site BANQUE X - Agence Opéra?\nThe keyholder "
                                       "will be told.",
                                       L'y', NULL, NULL);
    assert_non_null(world->dialog);
    dialog_draw(world->dialog);
    assert_string_equal(screen_line(world->win, 1), " ┌─ Disarm ─────────────────┐");
    assert_string_equal(screen_line(world->win, 2), " │ Disarm site BANQUE X -   │");
    assert_string_equal(screen_line(world->win, 3), " │ Agence Opéra?            │");
    assert_string_equal(screen_line(world->win, 4), " │ The keyholder will be    │");
    assert_string_equal(screen_line(world->win, 5), " │ told.                    │");
    assert_string_equal(screen_line(world->win, 7), " │ y Yes   n/Esc No         │");
}

static const char *const codes[] = {
    "False alarm - user error", "False alarm - technical",    "Real intrusion - police sent",
    "Fire - fire brigade sent", "Duress - hold-up procedure", "Test",
};

static void test_choice_picks_one_with_arrows_or_digits(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 24, 80);
    world->dialog =
        dialog_choice_new(world->win, world->charset, &dialog_style, "Resolution", codes, 6, 0);
    assert_non_null(world->dialog);
    dialog_draw(world->dialog);
    int y, x, height, width;
    dialog_box(world->dialog, &y, &x, &height, &width);
    assert_int_equal(height, 9);
    assert_string_equal(screen_line(world->win, y + 1) + x, "│ 1 False alarm - user error     │");
    assert_string_equal(screen_line(world->win, y + 7) + x, "│ Enter choose   Esc cancel      │");
    assert_int_equal(attr_at(world->win, y + 1, x + 4), A_REVERSE);
    assert_int_equal(dialog_handle_key(world->dialog, widget_key_function(KEY_UP)), WIDGET_HANDLED);
    assert_int_equal(dialog_handle_key(world->dialog, widget_key_function(KEY_DOWN)),
                     WIDGET_HANDLED | WIDGET_REDRAW);
    dialog_handle_key(world->dialog, widget_key_function(KEY_DOWN));
    dialog_draw(world->dialog);
    assert_int_equal(attr_at(world->win, y + 1, x + 4), A_NORMAL);
    assert_int_equal(attr_at(world->win, y + 3, x + 4), A_REVERSE);
    assert_int_equal(dialog_handle_key(world->dialog, widget_key_char(L'\n')),
                     WIDGET_HANDLED | WIDGET_QUIT);
    assert_int_equal(dialog_answer(world->dialog), DIALOG_CHOSEN);
    assert_int_equal(dialog_choice(world->dialog), 2);
    dialog_free(world->dialog);
    world->dialog =
        dialog_choice_new(world->win, world->charset, &dialog_style, "Resolution", codes, 6, 0);
    assert_int_equal(dialog_handle_key(world->dialog, widget_key_char(L'9')), WIDGET_HANDLED);
    dialog_handle_key(world->dialog, widget_key_char(L'5'));
    assert_int_equal(dialog_answer(world->dialog), DIALOG_CHOSEN);
    assert_int_equal(dialog_choice(world->dialog), 4);
    dialog_free(world->dialog);
    world->dialog =
        dialog_choice_new(world->win, world->charset, &dialog_style, "Resolution", codes, 6, 3);
    dialog_handle_key(world->dialog, widget_key_char(WIDGET_ESCAPE));
    assert_int_equal(dialog_answer(world->dialog), DIALOG_CANCELLED);
}

static void test_choice_scrolls_when_the_screen_is_short(void **state)
{
    struct world *world = *state;
    world_open(world, "C", 7, 40);
    world->dialog =
        dialog_choice_new(world->win, world->charset, &dialog_style, "Resolution", codes, 6, 0);
    dialog_handle_key(world->dialog, widget_key_function(KEY_END));
    dialog_draw(world->dialog);
    assert_string_equal(screen_line(world->win, 0), "   +- Resolution -------------------+");
    assert_string_equal(screen_line(world->win, 1), "   | 3 Real intrusion - police sent |");
    assert_string_equal(screen_line(world->win, 4), "   | 6 Test                         |");
    assert_string_equal(screen_line(world->win, 5), "   | Enter choose   Esc cancel      |");
    assert_string_equal(screen_line(world->win, 6), "   +--------------------------------+");
}

static const struct help_entry entries[] = {
    {NULL, "Queue", NULL},
    {"Enter", "open", "Open the selected alarm"},
    {"a", "acknowledge", "Take the alarm: the sender is told it is handled"},
    {"/", "filter", "Filter the queue by a regular expression"},
    {NULL, "Alarm", NULL},
    {"d", "disarm", "Disarm the site's panel (asks first)"},
    {"r", "resolve", "Close the alarm with a resolution code"},
    {"?", "help", "This screen"},
};

static const struct help_style help_style = {
    .frame = A_NORMAL, .title = A_BOLD, .heading = A_BOLD, .key = A_UNDERLINE, .text = A_NORMAL};

static void test_help_lists_keys_actions_and_descriptions(void **state)
{
    struct world *world = *state;
    world_open(world, "C.UTF-8", 8, 60);
    world->help = help_new(world->win, world->charset, &help_style, "Help", entries, 8);
    assert_non_null(world->help);
    help_draw(world->help);
    assert_string_equal(screen_line(world->win, 0),
                        "┌─ Help ───────────────────────────────────────────────────┐");
    assert_string_equal(screen_line(world->win, 1),
                        "│ Queue                                                    │");
    assert_string_equal(screen_line(world->win, 2),
                        "│ Enter  open         Open the selected alarm              │");
    assert_string_equal(screen_line(world->win, 3),
                        "│ a      acknowledge  Take the alarm: the sender is told … │");
    assert_string_equal(screen_line(world->win, 5),
                        "│ Alarm                                                    ↓");
    assert_string_equal(screen_line(world->win, 6),
                        "│ ?, q, Esc close                                          │");
    assert_int_equal(attr_at(world->win, 2, 2), A_UNDERLINE);
    assert_int_equal(attr_at(world->win, 1, 2), A_BOLD);
    assert_int_equal(help_handle_key(world->help, widget_key_function(KEY_END)),
                     WIDGET_HANDLED | WIDGET_REDRAW);
    help_draw(world->help);
    assert_int_equal(help_top(world->help), 3);
    assert_string_equal(screen_line(world->win, 5),
                        "│ ?      help         This screen                          │");
    assert_int_equal(help_handle_key(world->help, widget_key_char(L'x')), WIDGET_HANDLED);
    assert_int_equal(help_handle_key(world->help, widget_key_char(L'?')),
                     WIDGET_HANDLED | WIDGET_QUIT);
    assert_int_equal(help_handle_key(world->help, widget_key_char(L'q')),
                     WIDGET_HANDLED | WIDGET_QUIT);
    assert_int_equal(help_handle_key(world->help, widget_key_char(WIDGET_ESCAPE)),
                     WIDGET_HANDLED | WIDGET_QUIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define TEST(name) cmocka_unit_test_setup_teardown(name, world_setup, world_teardown)
        TEST(test_confirm_names_the_object_in_a_centred_box),
        TEST(test_confirm_says_yes_only_for_the_yes_key),
        TEST(test_a_long_message_wraps_inside_a_small_screen),
        TEST(test_choice_picks_one_with_arrows_or_digits),
        TEST(test_choice_scrolls_when_the_screen_is_short),
        TEST(test_help_lists_keys_actions_and_descriptions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
