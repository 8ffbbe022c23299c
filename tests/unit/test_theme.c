/* Unit tests of themes: every shipped theme parses cleanly, names every
 * slot and is the file that is installed; bad lines are FILE:LINE
 * warnings; colours degrade from 256 to 16, 8 and none while the rows an
 * operator must tell apart stay distinguishable; NO_COLOR gives attributes
 * only; user themes layer on the default. No terminal is needed. Run from
 * the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "console/config.h"
#include "console/theme.h"

#define THEME_MAN_PAGE "man/vigie-theme.5"

static const char *const shipped[] = {"dark", "light", "high-contrast", "monochrome"};
static const char *const coloured[] = {"dark", "light", "high-contrast"};
static const int depths[] = {256, 16, 8};

static struct config_file_warnings warnings;

static char *read_whole(const char *path)
{
    char *text = NULL;
    struct config_file_warnings none;
    config_file_warnings_init(&none);
    assert_int_equal(config_file_read(path, &text, &none), CONFIG_FILE_READ);
    return text;
}

static bool same_style(struct theme_style a, struct theme_style b)
{
    return a.fg == b.fg && a.bg == b.bg && a.attrs == b.attrs;
}

static struct theme_style resolved(const struct theme *theme, enum theme_slot slot, int depth)
{
    return theme_resolve(theme, slot, depth);
}

static void test_every_shipped_theme_parses_names_every_slot_and_is_installed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
        const char *text = theme_builtin_text(shipped[i]);
        assert_non_null(text);
        char path[64];
        snprintf(path, sizeof path, "themes/%s.theme", shipped[i]);
        char *file = read_whole(path);
        /* A mismatch means console/gen_theme_*.c was not regenerated. */
        assert_string_equal(text, file);
        free(file);

        struct theme theme;
        theme_init(&theme);
        for (int slot = 0; slot < THEME_SLOT_COUNT; slot++)
            theme.styles[slot].fg = -2; /* "not named" */
        config_file_warnings_init(&warnings);
        assert_int_equal(theme_parse(&theme, text, path, &warnings), 0);
        assert_int_equal(warnings.count, 0);
        for (int slot = 0; slot < THEME_SLOT_COUNT; slot++)
            if (theme.styles[slot].fg == -2)
                fail_msg("%s does not name the slot %s", path,
                         theme_slot_name((enum theme_slot)slot));
    }
    assert_null(theme_builtin_text("no-such-theme"));
}

static void test_slot_names(void **state)
{
    (void)state;
    for (int slot = 0; slot < THEME_SLOT_COUNT; slot++) {
        enum theme_slot found;
        assert_true(theme_slot_from_name(theme_slot_name((enum theme_slot)slot), &found));
        assert_int_equal(found, slot);
    }
    enum theme_slot found;
    assert_false(theme_slot_from_name("row-p4", &found));
    assert_string_equal(theme_slot_name(THEME_SLOT_ROW_SELECTED), "row-selected");
    assert_string_equal(theme_slot_name(THEME_SLOT_COUNT), "");
}

static void test_theme_lines(void **state)
{
    (void)state;
    struct theme theme;
    theme_init(&theme);
    config_file_warnings_init(&warnings);
    const char *text = "# a comment\n"
                       "\n"
                       "color row-p1 brightred default bold underline # loud\n"
                       "colour header 17 231\n"
                       "color  row-selected  black  bright-cyan  reverse\n"
                       "color match default default normal\n";
    assert_int_equal(theme_parse(&theme, text, "mine.theme", &warnings), 0);
    assert_int_equal(warnings.count, 0);
    struct theme_style p1 = theme.styles[THEME_SLOT_ROW_P1];
    assert_int_equal(p1.fg, 9);
    assert_int_equal(p1.bg, THEME_COLOR_DEFAULT);
    assert_int_equal(p1.attrs, A_BOLD | A_UNDERLINE);
    assert_int_equal(theme.styles[THEME_SLOT_HEADER].fg, 17);
    assert_int_equal(theme.styles[THEME_SLOT_HEADER].bg, 231);
    assert_int_equal(theme.styles[THEME_SLOT_ROW_SELECTED].bg, 14);
    assert_int_equal(theme.styles[THEME_SLOT_ROW_SELECTED].attrs, A_REVERSE);
    assert_int_equal(theme.styles[THEME_SLOT_MATCH].attrs, A_NORMAL);
}

static void test_bad_lines_are_warned_with_file_and_line_and_skipped(void **state)
{
    (void)state;
    struct theme theme;
    theme_init(&theme);
    config_file_warnings_init(&warnings);
    const char *text = "color row-p1 red default bold\n"  /* 1: fine */
                       "color row-p9 red default\n"       /* 2 */
                       "color row-p2 purple default\n"    /* 3 */
                       "color row-p2 red 256\n"           /* 4 */
                       "color row-p2 red -1\n"            /* 5 */
                       "color row-p2 red default shiny\n" /* 6 */
                       "color row-p2 red\n"               /* 7 */
                       "paint row-p2 red default\n"       /* 8 */
                       "color row-p2 # red default\n"     /* 9 */
                       "color row-p3 green default\n";    /* 10: fine */
    assert_int_equal(theme_parse(&theme, text, "/etc/x.theme", &warnings), 8);
    static const char *const expected[] = {
        "/etc/x.theme:2: unknown colour slot 'row-p9'",
        "/etc/x.theme:3: bad colour 'purple'",
        "/etc/x.theme:4: bad colour '256'",
        "/etc/x.theme:5: bad colour '-1'",
        "/etc/x.theme:6: unknown attribute 'shiny'",
        "/etc/x.theme:7: expected 'color SLOT",
        "/etc/x.theme:8: unknown command 'paint'",
        "/etc/x.theme:9: expected 'color SLOT",
    };
    assert_int_equal(warnings.count, 8);
    for (size_t i = 0; i < 8; i++)
        if (strncmp(warnings.text[i], expected[i], strlen(expected[i])) != 0)
            fail_msg("warning %zu: got \"%s\"", i, warnings.text[i]);
    assert_int_equal(theme.styles[THEME_SLOT_ROW_P1].fg, 1);
    assert_int_equal(theme.styles[THEME_SLOT_ROW_P3].fg, 2);
    /* The bad lines changed nothing: not even the half they got right. */
    assert_int_equal(theme.styles[THEME_SLOT_ROW_P2].fg, THEME_COLOR_DEFAULT);
    assert_int_equal(theme.styles[THEME_SLOT_ROW_P2].attrs, A_NORMAL);
}

static void test_color_depth_of_a_terminal(void **state)
{
    (void)state;
    assert_int_equal(theme_color_depth(256, NULL), 256);
    assert_int_equal(theme_color_depth(16777216, NULL), 256);
    assert_int_equal(theme_color_depth(88, NULL), 16);
    assert_int_equal(theme_color_depth(16, NULL), 16);
    assert_int_equal(theme_color_depth(8, NULL), 8);
    assert_int_equal(theme_color_depth(2, NULL), 0);
    assert_int_equal(theme_color_depth(0, NULL), 0);
    assert_int_equal(theme_color_depth(-1, NULL), 0);
    /* NO_COLOR: "when present and not an empty string". */
    assert_int_equal(theme_color_depth(256, "1"), 0);
    assert_int_equal(theme_color_depth(256, ""), 256);
}

static void test_colors_reduce_to_the_nearest(void **state)
{
    (void)state;
    bool bright;
    assert_int_equal(theme_color_reduce(42, 256, &bright), 42);
    assert_false(bright);
    assert_int_equal(theme_color_reduce(9, 16, &bright), 9);
    assert_int_equal(theme_color_reduce(196, 16, NULL), 9);   /* ff0000: bright red */
    assert_int_equal(theme_color_reduce(196, 8, &bright), 1); /* red, made bold */
    assert_true(bright);
    assert_int_equal(theme_color_reduce(15, 8, &bright), 7);
    assert_true(bright);
    assert_int_equal(theme_color_reduce(8, 8, &bright), 7); /* grey is light, not black */
    assert_false(bright);
    assert_int_equal(theme_color_reduce(21, 16, NULL), 4);   /* 0000ff */
    assert_int_equal(theme_color_reduce(46, 8, NULL), 2);    /* 00ff00 */
    assert_int_equal(theme_color_reduce(226, 8, NULL), 3);   /* ffff00 */
    assert_int_equal(theme_color_reduce(232, 8, NULL), 0);   /* darkest grey */
    assert_int_equal(theme_color_reduce(255, 16, NULL), 7);  /* eeeeee, nearer e5e5e5 */
    assert_int_equal(theme_color_reduce(231, 16, NULL), 15); /* ffffff */
    assert_int_equal(theme_color_reduce(244, 16, NULL), 8);  /* 808080: grey */
    assert_int_equal(theme_color_reduce(244, 8, NULL), 7);   /* a grey stays grey */
    assert_int_equal(theme_color_reduce(231, 8, NULL), 7);   /* white of the cube */
    assert_int_equal(theme_color_reduce(THEME_COLOR_DEFAULT, 8, NULL), THEME_COLOR_DEFAULT);
    assert_int_equal(theme_color_reduce(42, 0, NULL), THEME_COLOR_DEFAULT);
    /* Every colour lands inside the smaller palette. */
    for (short color = 0; color < 256; color++) {
        assert_true(theme_color_reduce(color, 16, NULL) < 16);
        assert_true(theme_color_reduce(color, 8, NULL) < 8);
    }
}

static void assert_apart(const struct theme *theme, enum theme_slot a, enum theme_slot b, int depth,
                         const char *name)
{
    if (same_style(resolved(theme, a, depth), resolved(theme, b, depth)))
        fail_msg("%s at %d colours: %s looks like %s", name, depth, theme_slot_name(a),
                 theme_slot_name(b));
}

/* What an operator must tell apart at a glance. */
static void assert_rows_distinguishable(const struct theme *theme, int depth, const char *name)
{
    static const enum theme_slot rows[] = {
        THEME_SLOT_ROW_SELECTED,
        THEME_SLOT_ROW_P1,
        THEME_SLOT_ROW_FLASH,
        THEME_SLOT_ROW_CLOSED,
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        assert_apart(theme, rows[i], THEME_SLOT_ROW, depth, name);
        for (size_t j = i + 1; j < sizeof rows / sizeof rows[0]; j++)
            assert_apart(theme, rows[i], rows[j], depth, name);
    }
    assert_apart(theme, THEME_SLOT_ROW_P1, THEME_SLOT_ROW_P2, depth, name);
    assert_apart(theme, THEME_SLOT_ROW_P2, THEME_SLOT_ROW_P3, depth, name);
    assert_apart(theme, THEME_SLOT_ROW_P1, THEME_SLOT_ROW_P3, depth, name);
    assert_apart(theme, THEME_SLOT_BANNER_LOST, THEME_SLOT_TEXT, depth, name);
    assert_apart(theme, THEME_SLOT_BANNER_STALE, THEME_SLOT_TEXT, depth, name);
    assert_apart(theme, THEME_SLOT_BANNER_LOST, THEME_SLOT_BANNER_STALE, depth, name);
    assert_apart(theme, THEME_SLOT_CLAIMED_BY_ME, THEME_SLOT_CLAIMED_BY_OTHER, depth, name);
    assert_apart(theme, THEME_SLOT_STATUS_WARNING, THEME_SLOT_STATUS, depth, name);
    assert_apart(theme, THEME_SLOT_STATUS_ERROR, THEME_SLOT_STATUS, depth, name);
    assert_apart(theme, THEME_SLOT_STATUS_WARNING, THEME_SLOT_STATUS_ERROR, depth, name);
    assert_apart(theme, THEME_SLOT_DIALOG_SELECTED, THEME_SLOT_DIALOG, depth, name);
}

static void test_degradation_keeps_rows_distinguishable(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof coloured / sizeof coloured[0]; i++) {
        for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++) {
            struct theme theme;
            config_file_warnings_init(&warnings);
            assert_true(theme_load(&theme, coloured[i], depths[d], &warnings));
            assert_int_equal(warnings.count, 0);
            assert_rows_distinguishable(&theme, depths[d], coloured[i]);
            /* No slot's text vanishes into its own background. */
            for (int slot = 0; slot < THEME_SLOT_COUNT; slot++) {
                struct theme_style style = resolved(&theme, (enum theme_slot)slot, depths[d]);
                if (style.fg >= 0 && style.fg == style.bg)
                    fail_msg("%s at %d colours: %s is %d on %d", coloured[i], depths[d],
                             theme_slot_name((enum theme_slot)slot), style.fg, style.bg);
                assert_true(style.fg < depths[d] && style.bg < depths[d]);
            }
        }
    }
}

static void test_no_colour_uses_the_monochrome_attributes(void **state)
{
    (void)state;
    /* NO_COLOR, or a terminal without colours: whatever theme is chosen. */
    int depth = theme_color_depth(256, "1");
    for (size_t i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
        struct theme theme;
        config_file_warnings_init(&warnings);
        assert_true(theme_load(&theme, shipped[i], depth, &warnings));
        assert_int_equal(warnings.count, 0);
        for (int slot = 0; slot < THEME_SLOT_COUNT; slot++) {
            struct theme_style style = resolved(&theme, (enum theme_slot)slot, depth);
            assert_int_equal(style.fg, THEME_COLOR_DEFAULT);
            assert_int_equal(style.bg, THEME_COLOR_DEFAULT);
        }
        assert_rows_distinguishable(&theme, depth, shipped[i]);
        assert_true(resolved(&theme, THEME_SLOT_ROW_SELECTED, depth).attrs & A_REVERSE);
        assert_true(resolved(&theme, THEME_SLOT_ROW_P1, depth).attrs & A_BOLD);
        assert_true(resolved(&theme, THEME_SLOT_ROW_FLASH, depth).attrs & A_BLINK);
    }
    /* The monochrome theme also works as such on a colour terminal. */
    struct theme mono;
    assert_true(theme_load(&mono, "monochrome", 256, &warnings));
    assert_rows_distinguishable(&mono, 256, "monochrome");
}

static void test_colours_that_meet_do_not_hide_the_text(void **state)
{
    (void)state;
    struct theme theme;
    theme_init(&theme);
    config_file_warnings_init(&warnings);
    theme_parse(&theme, "color row 236 234\ncolor match 230 229\n", "t", &warnings);
    assert_int_equal(warnings.count, 0);
    struct theme_style row = resolved(&theme, THEME_SLOT_ROW, 8);
    assert_int_equal(row.bg, COLOR_BLACK);
    assert_int_equal(row.fg, COLOR_WHITE);
    struct theme_style match = resolved(&theme, THEME_SLOT_MATCH, 8);
    assert_int_equal(match.bg, COLOR_WHITE);
    assert_int_equal(match.fg, COLOR_BLACK);
    /* At 256 colours they are kept as written. */
    assert_int_equal(resolved(&theme, THEME_SLOT_ROW, 256).fg, 236);
}

/* A temporary XDG_CONFIG_HOME holding vigie/themes/. */
static char xdg[64];

static void write_file(const char *path, const char *text)
{
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs(text, file);
    assert_int_equal(fclose(file), 0);
}

static int make_xdg(void **state)
{
    (void)state;
    snprintf(xdg, sizeof xdg, "/tmp/vigie-theme-test.XXXXXX");
    if (mkdtemp(xdg) == NULL)
        return -1;
    char path[CONSOLE_CONFIG_PATH_SIZE];
    snprintf(path, sizeof path, "%s/vigie", xdg);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/vigie/themes", xdg);
    mkdir(path, 0700);
    setenv("XDG_CONFIG_HOME", xdg, 1);
    setenv("VIGIE_DATADIR", "/nonexistent", 1);
    return 0;
}

static int remove_xdg(void **state)
{
    (void)state;
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", xdg);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("VIGIE_DATADIR");
    return system(command) == 0 ? 0 : -1;
}

static void test_user_themes_layer_on_the_default(void **state)
{
    (void)state;
    char path[CONSOLE_CONFIG_PATH_SIZE];
    snprintf(path, sizeof path, "%s/vigie/themes/mine.theme", xdg);
    write_file(path, "color row-p1 green default\n");
    struct theme theme, dark;
    config_file_warnings_init(&warnings);
    assert_true(theme_load(&dark, "dark", 256, &warnings));
    assert_true(theme_load(&theme, "mine", 256, &warnings));
    assert_int_equal(warnings.count, 0);
    assert_int_equal(theme.styles[THEME_SLOT_ROW_P1].fg, COLOR_GREEN);
    assert_true(
        same_style(theme.styles[THEME_SLOT_ROW_SELECTED], dark.styles[THEME_SLOT_ROW_SELECTED]));

    /* An XDG file named like a built-in theme retouches it. */
    snprintf(path, sizeof path, "%s/vigie/themes/light.theme", xdg);
    write_file(path, "color header black white\n");
    struct theme light;
    assert_true(theme_load(&light, "light", 256, &warnings));
    assert_int_equal(light.styles[THEME_SLOT_HEADER].bg, COLOR_WHITE);
    assert_int_equal(light.styles[THEME_SLOT_ROW_P2].fg, COLOR_MAGENTA); /* light's own */

    /* A path, with a bad line: warned with the path and the line. */
    snprintf(path, sizeof path, "%s/elsewhere.theme", xdg);
    write_file(path, "color row-p1 yellow default\ncolor nope red red\n");
    assert_true(theme_load(&theme, path, 16, &warnings));
    assert_int_equal(theme.styles[THEME_SLOT_ROW_P1].fg, COLOR_YELLOW);
    assert_int_equal(warnings.count, 1);
    char expected[CONSOLE_CONFIG_PATH_SIZE + 8];
    snprintf(expected, sizeof expected, "%s:2: ", path);
    assert_memory_equal(warnings.text[0], expected, strlen(expected));
}

static void test_an_unknown_theme_falls_back_to_the_default(void **state)
{
    (void)state;
    struct theme theme, dark;
    config_file_warnings_init(&warnings);
    assert_true(theme_load(&dark, NULL, 256, &warnings));
    assert_false(theme_load(&theme, "solarized", 256, &warnings));
    assert_int_equal(warnings.count, 1);
    assert_non_null(strstr(warnings.text[0], "solarized"));
    assert_false(theme_load(&theme, "/nonexistent/x.theme", 256, &warnings));
    assert_int_equal(warnings.count, 2);
    for (int slot = 0; slot < THEME_SLOT_COUNT; slot++)
        assert_true(same_style(theme.styles[slot], dark.styles[slot]));
}

static void test_man_page_documents_every_slot(void **state)
{
    (void)state;
    char *page = read_whole(THEME_MAN_PAGE);
    for (int slot = 0; slot < THEME_SLOT_COUNT; slot++) {
        char entry[64] = "\n.B ";
        size_t used = strlen(entry);
        for (const char *c = theme_slot_name((enum theme_slot)slot); *c != '\0'; c++) {
            if (*c == '-')
                entry[used++] = '\\';
            entry[used++] = *c;
        }
        entry[used++] = '\n';
        entry[used] = '\0';
        if (strstr(page, entry) == NULL)
            fail_msg("%s does not document the slot %s", THEME_MAN_PAGE,
                     theme_slot_name((enum theme_slot)slot));
    }
    static const char *const shipped_in_roff[] = {"\n.B dark\n", "\n.B light\n",
                                                  "\n.B high\\-contrast\n", "\n.B monochrome\n"};
    for (size_t i = 0; i < sizeof shipped_in_roff / sizeof shipped_in_roff[0]; i++)
        assert_non_null(strstr(page, shipped_in_roff[i]));
    free(page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_shipped_theme_parses_names_every_slot_and_is_installed),
        cmocka_unit_test(test_slot_names),
        cmocka_unit_test(test_theme_lines),
        cmocka_unit_test(test_bad_lines_are_warned_with_file_and_line_and_skipped),
        cmocka_unit_test(test_color_depth_of_a_terminal),
        cmocka_unit_test(test_colors_reduce_to_the_nearest),
        cmocka_unit_test(test_degradation_keeps_rows_distinguishable),
        cmocka_unit_test(test_no_colour_uses_the_monochrome_attributes),
        cmocka_unit_test(test_colours_that_meet_do_not_hide_the_text),
        cmocka_unit_test_setup_teardown(test_user_themes_layer_on_the_default, make_xdg,
                                        remove_xdg),
        cmocka_unit_test_setup_teardown(test_an_unknown_theme_falls_back_to_the_default, make_xdg,
                                        remove_xdg),
        cmocka_unit_test(test_man_page_documents_every_slot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
