/* Unit tests of the action table and the keymap: the built-in default
 * keymap loads cleanly and is the installed file, an operator's file
 * overrides it, bad lines are FILE:LINE warnings and are skipped, keys are
 * spelled the same both ways, the ? help comes from the active keymap, and
 * vigie-keys(5) documents every action with its default keys. Run from the
 * repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/actions.h"
#include "console/keymap.h"

#define KEYS_MAN_PAGE "man/vigie-keys.5"

static struct keymap keymap;
static struct config_file_warnings warnings;

static void load_defaults(void)
{
    keymap_init(&keymap);
    config_file_warnings_init(&warnings);
    assert_int_equal(keymap_load_defaults(&keymap, &warnings), 0);
    assert_int_equal(warnings.count, 0);
}

static int key(const char *text)
{
    int parsed = KEYMAP_KEY_NONE;
    assert_true(keymap_key_parse(text, &parsed));
    return parsed;
}

static enum action on(enum action_screen screen, const char *key_text)
{
    return keymap_action(&keymap, screen, key(key_text));
}

static char *read_whole(const char *path)
{
    char *text = NULL;
    struct config_file_warnings none;
    config_file_warnings_init(&none);
    assert_int_equal(config_file_read(path, &text, &none), CONFIG_FILE_READ);
    return text;
}

static void test_action_table_is_well_formed(void **state)
{
    (void)state;
    for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
        const struct action_info *info = action_info((enum action)a);
        assert_non_null(info);
        assert_true(strlen(info->name) > 0 && strlen(info->name) < ACTION_NAME_SIZE);
        assert_int_equal(strspn(info->name, "abcdefghijklmnopqrstuvwxyz-"), strlen(info->name));
        assert_true(strlen(info->help) > 10);
        assert_true(info->screens != 0);
        assert_int_equal(action_from_name(info->name), a);
        for (int b = a + 1; b < ACTION_COUNT; b++)
            assert_string_not_equal(info->name, action_name((enum action)b));
    }
    assert_null(action_info(ACTION_NONE));
    assert_string_equal(action_name(ACTION_NONE), "");
    assert_int_equal(action_from_name("no-such-action"), ACTION_NONE);
    for (int s = 0; s < ACTION_SCREEN_COUNT; s++) {
        enum action_screen screen;
        assert_true(action_screen_from_name(action_screen_name((enum action_screen)s), &screen));
        assert_int_equal(screen, s);
    }
}

static void test_mutating_actions_are_the_ones_read_only_refuses(void **state)
{
    (void)state;
    static const char *const mutating[] = {
        "claim",     "release",   "acknowledge", "note",         "close",      "escalate",
        "arm-away",  "arm-stay",  "disarm",      "bypass-zone",  "check-step", "send-alert",
        "skip-step", "fail-step", "relay-reply", "cancel-alert",
    };
    size_t count = 0;
    for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
        bool listed = false;
        for (size_t i = 0; i < sizeof mutating / sizeof mutating[0]; i++)
            listed |= strcmp(mutating[i], action_name((enum action)a)) == 0;
        assert_int_equal(action_mutates((enum action)a), listed);
        count += listed;
    }
    assert_int_equal(count, sizeof mutating / sizeof mutating[0]);
}

static void test_applicability(void **state)
{
    (void)state;
    assert_true(action_applies(ACTION_QUIT, ACTION_SCREEN_GLOBAL));
    assert_true(action_applies(ACTION_QUIT, ACTION_SCREEN_MAP));
    assert_false(action_applies(ACTION_CLAIM, ACTION_SCREEN_GLOBAL));
    assert_true(action_applies(ACTION_CLAIM, ACTION_SCREEN_QUEUE));
    assert_false(action_applies(ACTION_CLAIM, ACTION_SCREEN_HELP));
    assert_true(action_applies(ACTION_DISARM, ACTION_SCREEN_DETAIL));
    assert_false(action_applies(ACTION_DISARM, ACTION_SCREEN_QUEUE));
    assert_false(action_applies(ACTION_MOVE_DOWN, ACTION_SCREEN_MAP));
    assert_false(action_applies(ACTION_NONE, ACTION_SCREEN_QUEUE));
}

static void test_completion_for_the_command_line(void **state)
{
    (void)state;
    enum action matches[ACTION_COUNT];
    char common[ACTION_NAME_SIZE];
    assert_int_equal(action_complete("cl", ACTION_SCREEN_QUEUE, matches, ACTION_COUNT, common), 3);
    assert_int_equal(matches[0], ACTION_CLAIM);
    assert_int_equal(matches[1], ACTION_CLOSE);
    assert_int_equal(matches[2], ACTION_CLOSED);
    assert_string_equal(common, "cl");
    assert_int_equal(action_complete("q", ACTION_SCREEN_QUEUE, matches, ACTION_COUNT, common), 1);
    assert_string_equal(common, "quit");
    /* arm-* only on the detail screen, where the site is shown. */
    assert_int_equal(action_complete("arm", ACTION_SCREEN_QUEUE, matches, ACTION_COUNT, common), 0);
    assert_string_equal(common, "arm");
    assert_int_equal(action_complete("arm", ACTION_SCREEN_DETAIL, matches, 1, common), 2);
    assert_int_equal(matches[0], ACTION_ARM_AWAY);
    assert_string_equal(common, "arm-");
    size_t all = action_complete("", ACTION_SCREEN_HELP, matches, ACTION_COUNT, NULL);
    assert_true(all > 10);
    for (size_t i = 1; i < all; i++)
        assert_true(strcmp(action_name(matches[i - 1]), action_name(matches[i])) < 0);
}

static void test_default_keymap_loads_without_warnings_and_is_the_installed_file(void **state)
{
    (void)state;
    load_defaults();
    char *file = read_whole("keymaps/default.keys");
    /* A mismatch means console/gen_default_keys.c was not regenerated. */
    assert_string_equal(keymap_default_text(), file);
    free(file);
}

static void test_default_bindings(void **state)
{
    (void)state;
    load_defaults();
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "c"), ACTION_CLAIM);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "a"), ACTION_ACKNOWLEDGE);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "n"), ACTION_NOTE);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "x"), ACTION_CLOSE);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "r"), ACTION_RELEASE);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "<Enter>"), ACTION_OPEN);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "q"), ACTION_QUIT);
    assert_int_equal(on(ACTION_SCREEN_DETAIL, "q"), ACTION_BACK);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "?"), ACTION_HELP);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "/"), ACTION_FILTER);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, ":"), ACTION_COMMAND_LINE);
    assert_int_equal(on(ACTION_SCREEN_VICTIM, "c"), ACTION_CLAIM);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "j"), ACTION_MOVE_DOWN);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "<Down>"), ACTION_MOVE_DOWN);
    assert_int_equal(on(ACTION_SCREEN_MAP, "j"), ACTION_PAN_DOWN);
    assert_int_equal(on(ACTION_SCREEN_MAP, "+"), ACTION_ZOOM_IN);
    assert_int_equal(on(ACTION_SCREEN_PROCEDURES, "<Space>"), ACTION_CHECK_STEP);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "<Space>"), ACTION_PAGE_DOWN);
    /* A global binding whose action means nothing here does nothing. */
    assert_int_equal(on(ACTION_SCREEN_HELP, "c"), ACTION_NONE);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "+"), ACTION_NONE);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "<F12>"), ACTION_NONE);
}

static void test_panel_commands_are_guarded(void **state)
{
    (void)state;
    load_defaults();
    assert_int_equal(on(ACTION_SCREEN_DETAIL, "L"), ACTION_ARM_AWAY);
    assert_int_equal(on(ACTION_SCREEN_DETAIL, "H"), ACTION_ARM_STAY);
    assert_int_equal(on(ACTION_SCREEN_DETAIL, "D"), ACTION_DISARM);
    assert_int_equal(on(ACTION_SCREEN_DETAIL, "B"), ACTION_BYPASS_ZONE);
    assert_int_equal(on(ACTION_SCREEN_MASSALERT, "<C-x>"), ACTION_SEND_ALERT);
    /* No single unshifted key, on any screen, arms, disarms or sends. */
    for (int s = 0; s < ACTION_SCREEN_COUNT; s++) {
        for (int c = 'a'; c <= 'z'; c++) {
            enum action action = keymap_action(&keymap, (enum action_screen)s, c);
            assert_true(action != ACTION_ARM_AWAY && action != ACTION_ARM_STAY &&
                        action != ACTION_DISARM && action != ACTION_BYPASS_ZONE &&
                        action != ACTION_SEND_ALERT);
        }
        for (const char *c = "LHDB"; *c != '\0'; c++)
            if (s != ACTION_SCREEN_DETAIL)
                assert_int_equal(keymap_action(&keymap, (enum action_screen)s, *c), ACTION_NONE);
    }
    /* Their lower-case letters do nothing where they are bound. */
    for (const char *c = "lhdb"; *c != '\0'; c++)
        assert_int_equal(keymap_action(&keymap, ACTION_SCREEN_DETAIL, *c), ACTION_NONE);
}

static bool is_one_key(int k)
{
    /* A character, or a single named key: no modifier to hold. */
    return (k > ' ' && k < 0x7F) || k == '\n' || k == 27 || k == ' ';
}

static void test_frequent_actions_are_one_key_away(void **state)
{
    (void)state;
    load_defaults();
    static const enum action frequent[] = {
        ACTION_CLAIM,      ACTION_ACKNOWLEDGE, ACTION_NOTE,        ACTION_CLOSE,
        ACTION_RELEASE,    ACTION_OPEN,        ACTION_FILTER,      ACTION_COMMAND_LINE,
        ACTION_HELP,       ACTION_QUIT,        ACTION_VICTIM_FILE, ACTION_MAP,
        ACTION_PROCEDURES, ACTION_ESCALATE,    ACTION_MOVE_DOWN,   ACTION_MOVE_UP,
    };
    for (size_t i = 0; i < sizeof frequent / sizeof frequent[0]; i++) {
        bool found = false;
        for (int k = 0; k < 0x80 && !found; k++)
            found = is_one_key(k) && keymap_action(&keymap, ACTION_SCREEN_QUEUE, k) == frequent[i];
        if (!found)
            fail_msg("%s has no one-key binding on the queue", action_name(frequent[i]));
    }
}

static void test_user_file_overrides_the_defaults(void **state)
{
    (void)state;
    load_defaults();
    const char *user = "# my keys\n"
                       "bind global c note   # c writes a note\n"
                       "bind queue <F9> claim\n"
                       "bind queue # filter\n"
                       "bind map <C-k> zoom-in\n";
    assert_int_equal(keymap_parse(&keymap, user, "keys", &warnings), 0);
    assert_int_equal(warnings.count, 0);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "c"), ACTION_NOTE);
    assert_int_equal(on(ACTION_SCREEN_DETAIL, "c"), ACTION_NOTE);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "<F9>"), ACTION_CLAIM);
    assert_int_equal(on(ACTION_SCREEN_DETAIL, "<F9>"), ACTION_NONE);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "#"), ACTION_FILTER);
    assert_int_equal(on(ACTION_SCREEN_MAP, "<C-k>"), ACTION_ZOOM_IN);
    /* The screen's own binding still beats the user's global one. */
    assert_int_equal(keymap_parse(&keymap, "bind global q help\n", "keys", &warnings), 0);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "q"), ACTION_QUIT);
    assert_int_equal(on(ACTION_SCREEN_DETAIL, "q"), ACTION_HELP);
}

static void test_unbind(void **state)
{
    (void)state;
    load_defaults();
    assert_int_equal(
        keymap_parse(&keymap, "unbind queue q\nunbind global <Esc>\n", "keys", &warnings), 0);
    /* Unbound on the queue: the global "back" does not show through. */
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "q"), ACTION_NONE);
    assert_int_equal(on(ACTION_SCREEN_DETAIL, "q"), ACTION_BACK);
    assert_int_equal(on(ACTION_SCREEN_DETAIL, "<Esc>"), ACTION_NONE);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "Q"), ACTION_QUIT);
    /* And bound again. */
    assert_int_equal(keymap_parse(&keymap, "bind queue q quit\n", "keys", &warnings), 0);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "q"), ACTION_QUIT);
    assert_int_equal(warnings.count, 0);
}

static void test_bad_lines_are_warned_with_file_and_line_and_skipped(void **state)
{
    (void)state;
    load_defaults();
    const char *user = "bind queue c acknowledge\n"    /* 1: fine */
                       "bind queue c no-such-action\n" /* 2 */
                       "bind kitchen c claim\n"        /* 3 */
                       "bind queue <Nope> claim\n"     /* 4 */
                       "\n"                            /* 5 */
                       "bind queue z zoom-in\n"        /* 6: not on the queue */
                       "bind queue z\n"                /* 7 */
                       "bind queue z claim extra\n"    /* 8 */
                       "rebind queue z claim\n"        /* 9 */
                       "unbind queue\n"                /* 10 */
                       "bind queue ab claim\n"         /* 11 */
                       "bind queue <F13> claim\n"      /* 12 */
                       "\tbind detail <PgDn> last\n";  /* 13: fine, leading blank */
    assert_int_equal(keymap_parse(&keymap, user, "/home/op/.config/vigie/keys", &warnings), 10);
    assert_int_equal(warnings.count, 10);
    static const char *const expected[] = {
        "/home/op/.config/vigie/keys:2: unknown action 'no-such-action'",
        "/home/op/.config/vigie/keys:3: unknown screen 'kitchen'",
        "/home/op/.config/vigie/keys:4: bad key '<Nope>'",
        "/home/op/.config/vigie/keys:6: action 'zoom-in' does not apply to screen 'queue'",
        "/home/op/.config/vigie/keys:7: expected 'bind SCREEN KEY ACTION'",
        "/home/op/.config/vigie/keys:8: expected 'bind SCREEN KEY ACTION'",
        "/home/op/.config/vigie/keys:9: unknown command 'rebind'",
        "/home/op/.config/vigie/keys:10: expected 'unbind SCREEN KEY'",
        "/home/op/.config/vigie/keys:11: bad key 'ab'",
        "/home/op/.config/vigie/keys:12: bad key '<F13>'",
    };
    for (size_t i = 0; i < 10; i++) {
        if (strncmp(warnings.text[i], expected[i], strlen(expected[i])) != 0)
            fail_msg("warning %zu: got \"%s\", expected \"%s...\"", i, warnings.text[i],
                     expected[i]);
    }
    /* The good lines around them were applied; the bad changed nothing. */
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "c"), ACTION_ACKNOWLEDGE);
    assert_int_equal(on(ACTION_SCREEN_DETAIL, "<PgDn>"), ACTION_LAST);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "z"), ACTION_NONE);
}

static void test_files_missing_unreadable_and_overlong_lines(void **state)
{
    (void)state;
    load_defaults();
    assert_int_equal(keymap_load_file(&keymap, "/nonexistent/vigie/keys", &warnings),
                     CONFIG_FILE_MISSING);
    assert_int_equal(warnings.count, 0);
    assert_int_equal(keymap_load_file(&keymap, "keymaps", &warnings), CONFIG_FILE_ERROR);
    assert_int_equal(warnings.count, 1);
    assert_non_null(strstr(warnings.text[0], "keymaps: "));

    char *text = malloc(CONFIG_FILE_LINE_MAX + 64);
    assert_non_null(text);
    strcpy(text, "bind queue c note\n# ");
    size_t used = strlen(text);
    memset(text + used, 'x', CONFIG_FILE_LINE_MAX);
    strcpy(text + used + CONFIG_FILE_LINE_MAX, "\nbind queue a close");
    config_file_warnings_init(&warnings);
    assert_int_equal(keymap_parse(&keymap, text, "long", &warnings), 1);
    free(text);
    assert_int_equal(warnings.count, 1);
    assert_non_null(strstr(warnings.text[0], "long:2: line longer than"));
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "c"), ACTION_NOTE);
    assert_int_equal(on(ACTION_SCREEN_QUEUE, "a"), ACTION_CLOSE);
}

static void test_a_full_screen_refuses_more_bindings(void **state)
{
    (void)state;
    keymap_init(&keymap);
    config_file_warnings_init(&warnings);
    for (int k = 0; k < KEYMAP_BINDINGS_MAX; k++)
        assert_true(keymap_bind(&keymap, ACTION_SCREEN_QUEUE, 0x100 + k, ACTION_CLAIM));
    assert_false(keymap_bind(&keymap, ACTION_SCREEN_QUEUE, 'c', ACTION_CLAIM));
    /* Rebinding a key already there still works. */
    assert_true(keymap_bind(&keymap, ACTION_SCREEN_QUEUE, 0x100, ACTION_NOTE));
    assert_int_equal(keymap_parse(&keymap, "bind queue c claim\n", "full", &warnings), 1);
    assert_non_null(strstr(warnings.text[0], "full:1: more than"));
}

static void test_key_spellings(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int key;
    } keys[] = {
        {"a", 'a'},
        {"A", 'A'},
        {"?", '?'},
        {"/", '/'},
        {":", ':'},
        {"<", '<'},
        {">", '>'},
        {"#", '#'},
        {"\xc3\xa9", 0xE9}, /* é, for AZERTY keyboards */
        {"<Enter>", '\n'},
        {"<Return>", '\n'},
        {"<enter>", '\n'},
        {"<Esc>", 27},
        {"<Tab>", '\t'},
        {"<Space>", ' '},
        {"<Up>", KEYMAP_CODE(KEY_UP)},
        {"<Down>", KEYMAP_CODE(KEY_DOWN)},
        {"<Left>", KEYMAP_CODE(KEY_LEFT)},
        {"<Right>", KEYMAP_CODE(KEY_RIGHT)},
        {"<PgUp>", KEYMAP_CODE(KEY_PPAGE)},
        {"<PgDn>", KEYMAP_CODE(KEY_NPAGE)},
        {"<Home>", KEYMAP_CODE(KEY_HOME)},
        {"<End>", KEYMAP_CODE(KEY_END)},
        {"<F1>", KEYMAP_CODE(KEY_F(1))},
        {"<F12>", KEYMAP_CODE(KEY_F(12))},
        {"<C-x>", 24},
        {"<C-X>", 24},
        {"<c-a>", 1},
        {"<C-m>", '\n'}, /* Ctrl-M is Enter */
        {"<C-[>", 27},
        {"<Backspace>", KEYMAP_CODE(KEY_BACKSPACE)},
        {"<Delete>", KEYMAP_CODE(KEY_DC)},
        {"<S-Tab>", KEYMAP_CODE(KEY_BTAB)},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        int parsed = KEYMAP_KEY_NONE;
        if (!keymap_key_parse(keys[i].text, &parsed) || parsed != keys[i].key)
            fail_msg("'%s' parsed as %d, expected %d", keys[i].text, parsed, keys[i].key);
    }
    static const char *const bad[] = {
        "",   "ab",   "<F13>", "<F0>", "<F01>",     "<C-1>",        "<C-ab>", "<Nope>",
        "<>", "\x01", "\x7f",  "\xc3", "\xc3\xa9x", "\xed\xa0\x80", "<C->",   "\xc2\x85",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int parsed;
        if (keymap_key_parse(bad[i], &parsed))
            fail_msg("'%s' should not parse", bad[i]);
    }
}

static void test_describe_is_the_inverse_of_parse(void **state)
{
    (void)state;
    char text[KEYMAP_KEY_TEXT_SIZE];
    keymap_describe_key('\n', text);
    assert_string_equal(text, "<Enter>");
    keymap_describe_key(24, text);
    assert_string_equal(text, "<C-x>");
    keymap_describe_key(0, text);
    assert_string_equal(text, "<C-@>");
    keymap_describe_key(0x1F, text);
    assert_string_equal(text, "<C-_>");
    keymap_describe_key(KEYMAP_CODE(KEY_F(5)), text);
    assert_string_equal(text, "<F5>");
    keymap_describe_key(KEYMAP_CODE(KEY_NPAGE), text);
    assert_string_equal(text, "<PgDn>");
    keymap_describe_key(0xE9, text);
    assert_string_equal(text, "\xc3\xa9");
    keymap_describe_key(0x1F600, text);
    assert_string_equal(text, "\xf0\x9f\x98\x80");
    keymap_describe_key(' ', text);
    assert_string_equal(text, "<Space>");
    int samples[] = {'c',
                     'Q',
                     '?',
                     1,
                     26,
                     27,
                     0x1C,
                     KEYMAP_CODE(KEY_UP),
                     KEYMAP_CODE(KEY_DC),
                     KEYMAP_CODE(KEY_F(12)),
                     0x20AC};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        keymap_describe_key(samples[i], text);
        assert_int_equal(key(text), samples[i]);
    }
    /* Every key of the default keymap, too. */
    load_defaults();
    for (int s = 0; s < ACTION_SCREEN_COUNT; s++) {
        for (size_t i = 0; i < keymap.screens[s].count; i++) {
            keymap_describe_key(keymap.screens[s].bindings[i].key, text);
            assert_int_equal(key(text), keymap.screens[s].bindings[i].key);
        }
    }
}

static void test_keys_from_terminal_input(void **state)
{
    (void)state;
    assert_int_equal(keymap_key_from_input(OK, 'c'), 'c');
    assert_int_equal(keymap_key_from_input(OK, '\r'), '\n');
    assert_int_equal(keymap_key_from_input(OK, '\n'), '\n');
    assert_int_equal(keymap_key_from_input(KEY_CODE_YES, KEY_ENTER), '\n');
    assert_int_equal(keymap_key_from_input(OK, 127), KEYMAP_CODE(KEY_BACKSPACE));
    assert_int_equal(keymap_key_from_input(KEY_CODE_YES, KEY_UP), KEYMAP_CODE(KEY_UP));
    /* U+0103 is a letter, not KEY_UP, although both are 259. */
    assert_int_equal(keymap_key_from_input(OK, 0x103), 0x103);
    assert_int_not_equal(keymap_key_from_input(OK, KEY_UP),
                         keymap_key_from_input(KEY_CODE_YES, KEY_UP));
    assert_int_equal(keymap_key_from_input(ERR, 0), KEYMAP_KEY_NONE);
}

struct collected {
    struct keymap_help_row rows[ACTION_COUNT];
    size_t count;
};

static void collect(const struct keymap_help_row *row, void *data)
{
    struct collected *collected = data;
    assert_true(collected->count < ACTION_COUNT);
    collected->rows[collected->count++] = *row;
}

static const struct keymap_help_row *row_of(const struct collected *rows, enum action action)
{
    for (size_t i = 0; i < rows->count; i++)
        if (rows->rows[i].action == action)
            return &rows->rows[i];
    return NULL;
}

static void test_help_comes_from_the_active_keymap(void **state)
{
    (void)state;
    load_defaults();
    struct collected rows = {.count = 0};
    keymap_help_rows(&keymap, ACTION_SCREEN_QUEUE, collect, &rows);
    const struct keymap_help_row *claim = row_of(&rows, ACTION_CLAIM);
    assert_non_null(claim);
    assert_string_equal(claim->keys, "c");
    assert_string_equal(claim->name, "claim");
    assert_int_equal(claim->section, ACTION_SCREEN_QUEUE);
    assert_true(claim->mutates);
    assert_string_equal(row_of(&rows, ACTION_QUIT)->keys, "q, Q");
    assert_int_equal(row_of(&rows, ACTION_QUIT)->section, ACTION_SCREEN_GLOBAL);
    assert_string_equal(row_of(&rows, ACTION_MOVE_DOWN)->keys, "j, <Down>");
    assert_string_equal(row_of(&rows, ACTION_SAVE_DISPLAY)->keys, "");
    assert_null(row_of(&rows, ACTION_ZOOM_IN));
    assert_null(row_of(&rows, ACTION_DISARM));
    /* The screen's own actions first, then the global ones. */
    bool in_global = false;
    for (size_t i = 0; i < rows.count; i++) {
        if (rows.rows[i].section == ACTION_SCREEN_GLOBAL)
            in_global = true;
        else
            assert_false(in_global);
        assert_true(strlen(rows.rows[i].help) > 0);
    }

    /* On the map, j pans: the shadowed global "move-down" is not listed. */
    struct collected map = {.count = 0};
    keymap_help_rows(&keymap, ACTION_SCREEN_MAP, collect, &map);
    assert_string_equal(row_of(&map, ACTION_PAN_DOWN)->keys, "j, <Down>");
    assert_null(row_of(&map, ACTION_MOVE_DOWN));
    assert_string_equal(row_of(&map, ACTION_QUIT)->keys, "Q");

    /* After the operator's file, the help shows the operator's keys. */
    keymap_parse(&keymap, "bind global <F9> claim\nbind queue c note\n", "keys", &warnings);
    struct collected mine = {.count = 0};
    keymap_help_rows(&keymap, ACTION_SCREEN_QUEUE, collect, &mine);
    assert_string_equal(row_of(&mine, ACTION_CLAIM)->keys, "<F9>");
    assert_string_equal(row_of(&mine, ACTION_NOTE)->keys, "c, n");
}

/* The text of the man page entry ".TP / .B NAME" up to the next entry. */
static char *man_entry(const char *page, const char *name)
{
    /* Names are written with \- so that a reader copies a real '-'. */
    char heading[64] = "\n.B ";
    size_t used = strlen(heading);
    for (const char *c = name; *c != '\0' && used + 4 < sizeof heading; c++) {
        if (*c == '-')
            heading[used++] = '\\';
        heading[used++] = *c;
    }
    heading[used++] = '\n';
    heading[used] = '\0';
    const char *section = strstr(page, "\n.SH ACTIONS\n");
    assert_non_null(section);
    const char *start = strstr(section, heading);
    if (start == NULL)
        return NULL;
    start += strlen(heading);
    const char *end = start;
    while (*end != '\0' && strncmp(end, "\n.TP", 4) != 0 && strncmp(end, "\n.SH", 4) != 0 &&
           strncmp(end, "\n.SS", 4) != 0)
        end++;
    return strndup(start, (size_t)(end - start));
}

/* A key as the man page writes it: \fB<key>\fR, with roff's escapes. */
static void man_key(int k, char *out, size_t size)
{
    char text[KEYMAP_KEY_TEXT_SIZE];
    keymap_describe_key(k, text);
    size_t used = (size_t)snprintf(out, size, "\\fB");
    for (const char *c = text; *c != '\0' && used + 4 < size; c++) {
        if (*c == '-')
            used += (size_t)snprintf(out + used, size - used, "\\-");
        else if (*c == '\\')
            used += (size_t)snprintf(out + used, size - used, "\\e");
        else
            out[used++] = *c;
    }
    snprintf(out + used, size - used, "\\fR");
}

static void test_man_page_documents_every_action_and_its_default_keys(void **state)
{
    (void)state;
    load_defaults();
    char *page = read_whole(KEYS_MAN_PAGE);
    char *screens = strstr(page, "\n.SH SCREENS\n");
    assert_non_null(screens);
    char *screens_end = strstr(screens + 1, "\n.SH ");
    assert_non_null(screens_end);
    *screens_end = '\0';
    for (int s = 0; s < ACTION_SCREEN_COUNT; s++) {
        char entry[64];
        snprintf(entry, sizeof entry, "\n.B %s\n", action_screen_name((enum action_screen)s));
        if (strstr(screens, entry) == NULL)
            fail_msg("%s does not document the screen %s", KEYS_MAN_PAGE,
                     action_screen_name((enum action_screen)s));
    }
    *screens_end = '\n';
    for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
        const char *name = action_name((enum action)a);
        char *entry = man_entry(page, name);
        if (entry == NULL)
            fail_msg("%s does not document the action %s", KEYS_MAN_PAGE, name);
        bool bound = false;
        for (int s = 0; s < ACTION_SCREEN_COUNT; s++) {
            for (size_t i = 0; i < keymap.screens[s].count; i++) {
                if ((int)keymap.screens[s].bindings[i].action != a)
                    continue;
                bound = true;
                char spelled[64];
                man_key(keymap.screens[s].bindings[i].key, spelled, sizeof spelled);
                if (strstr(entry, spelled) == NULL)
                    fail_msg("%s: the entry of %s does not give its default key %s", KEYS_MAN_PAGE,
                             name, spelled);
            }
        }
        if (!bound && strstr(entry, "Unbound") == NULL)
            fail_msg("%s has no default key and %s does not say it is unbound", name,
                     KEYS_MAN_PAGE);
        if (bound && strstr(entry, "Unbound") != NULL)
            fail_msg("%s says %s is unbound, but default.keys binds it", KEYS_MAN_PAGE, name);
        free(entry);
    }
    free(page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_action_table_is_well_formed),
        cmocka_unit_test(test_mutating_actions_are_the_ones_read_only_refuses),
        cmocka_unit_test(test_applicability),
        cmocka_unit_test(test_completion_for_the_command_line),
        cmocka_unit_test(test_default_keymap_loads_without_warnings_and_is_the_installed_file),
        cmocka_unit_test(test_default_bindings),
        cmocka_unit_test(test_panel_commands_are_guarded),
        cmocka_unit_test(test_frequent_actions_are_one_key_away),
        cmocka_unit_test(test_user_file_overrides_the_defaults),
        cmocka_unit_test(test_unbind),
        cmocka_unit_test(test_bad_lines_are_warned_with_file_and_line_and_skipped),
        cmocka_unit_test(test_files_missing_unreadable_and_overlong_lines),
        cmocka_unit_test(test_a_full_screen_refuses_more_bindings),
        cmocka_unit_test(test_key_spellings),
        cmocka_unit_test(test_describe_is_the_inverse_of_parse),
        cmocka_unit_test(test_keys_from_terminal_input),
        cmocka_unit_test(test_help_comes_from_the_active_keymap),
        cmocka_unit_test(test_man_page_documents_every_action_and_its_default_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
