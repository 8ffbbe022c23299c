/* Unit tests of the console's settings: the file's "key = value" lines,
 * FILE:LINE warnings for bad ones (the setting keeps its value), options
 * that override the file, where the files are looked for (XDG, HOME,
 * VIGIE_CONFIG, VIGIE_DATADIR), and the shared line reader. Each test that
 * touches files makes its own temporary directory. */
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

static struct console_config config;
static struct config_file_warnings warnings;
static char directory[64];

static int make_directory(void **state)
{
    (void)state;
    snprintf(directory, sizeof directory, "/tmp/vigie-config-test.XXXXXX");
    if (mkdtemp(directory) == NULL)
        return -1;
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("VIGIE_CONFIG");
    unsetenv("VIGIE_DATADIR");
    setenv("HOME", directory, 1);
    console_config_defaults(&config);
    config_file_warnings_init(&warnings);
    return 0;
}

static int remove_directory(void **state)
{
    (void)state;
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", directory);
    return system(command) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *text)
{
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs(text, file);
    assert_int_equal(fclose(file), 0);
}

static void make_dirs(const char *relative)
{
    char path[CONSOLE_CONFIG_PATH_SIZE];
    snprintf(path, sizeof path, "%s/%s", directory, relative);
    for (char *slash = path + strlen(directory) + 1; (slash = strchr(slash, '/')) != NULL;
         slash++) {
        *slash = '\0';
        mkdir(path, 0700);
        *slash = '/';
    }
    mkdir(path, 0700);
}

static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(config.server_count, 0);
    assert_string_equal(config.user, "");
    assert_string_equal(config.theme, "");
    assert_string_equal(config.keys, "");
    assert_false(config.read_only);
    assert_true(config.bell);
    assert_true(config.notifications);
    assert_int_equal(config.charset, CONSOLE_CONFIG_CHARSET_AUTO);
    assert_string_equal(config.fallback_instructions, "");
}

static void test_a_complete_file(void **state)
{
    (void)state;
    const char *text =
        "# Centre de Lyon, poste 4\n"
        "server = https://vigie-a.example:8443, https://vigie-b.example:8443,http://10.0.0.3\n"
        "user   = dupont\n"
        "\n"
        "theme = high-contrast\n"
        "keys = ~/vigie/my.keys\n"
        "read-only = yes\n"
        "fallback-instructions = Call the backup centre: 01 23 45 67 89\\nThen log on paper.\n"
        "bell = no\n"
        "notifications = off\n"
        "charset = ascii\r\n";
    assert_int_equal(console_config_parse(&config, text, "config", &warnings), 0);
    assert_int_equal(warnings.count, 0);
    assert_int_equal(config.server_count, 3);
    assert_string_equal(config.servers[0], "https://vigie-a.example:8443");
    assert_string_equal(config.servers[1], "https://vigie-b.example:8443");
    assert_string_equal(config.servers[2], "http://10.0.0.3");
    assert_string_equal(config.user, "dupont");
    assert_string_equal(config.theme, "high-contrast");
    char keys[CONSOLE_CONFIG_PATH_SIZE];
    snprintf(keys, sizeof keys, "%s/vigie/my.keys", directory);
    assert_string_equal(config.keys, keys);
    assert_true(config.read_only);
    assert_string_equal(config.fallback_instructions,
                        "Call the backup centre: 01 23 45 67 89\nThen log on paper.");
    assert_false(config.bell);
    assert_false(config.notifications);
    assert_int_equal(config.charset, CONSOLE_CONFIG_CHARSET_ASCII);
}

static void test_bad_lines_are_warned_and_keep_the_previous_value(void **state)
{
    (void)state;
    const char *text = "server = https://a.example\n"           /* 1: fine */
                       "user = dupont\n"                        /* 2: fine */
                       "server = ftp://a.example\n"             /* 3 */
                       "server = https://a.example, nota url\n" /* 4 */
                       "user = jean dupont\n"                   /* 5 */
                       "bell = maybe\n"                         /* 6 */
                       "charset = ebcdic\n"                     /* 7 */
                       "colour = red\n"                         /* 8 */
                       "just some words\n"                      /* 9 */
                       "fallback-instructions = C:\\Windows\n"  /* 10 */
                       "password = hunter2\n"                   /* 11 */
                       "theme = my theme\n"                     /* 12 */
                       "server = ,  ,\n"                        /* 13 */
                       "read-only = true\n";                    /* 14: fine */
    assert_int_equal(console_config_parse(&config, text, "/etc/vigie/config", &warnings), 11);
    assert_int_equal(warnings.count, 11);
    static const char *const expected[] = {
        "/etc/vigie/config:3: 'ftp://a.example' is not an http:// or https:// URL",
        "/etc/vigie/config:4: 'nota url' is not an http:// or https:// URL",
        "/etc/vigie/config:5: the user name cannot hold blanks",
        "/etc/vigie/config:6: 'maybe' is not yes or no",
        "/etc/vigie/config:7: 'ebcdic' is not a charset",
        "/etc/vigie/config:8: unknown setting 'colour'",
        "/etc/vigie/config:9: expected 'setting = value'",
        "/etc/vigie/config:10: only \\n (new line) and \\\\ (backslash)",
        "/etc/vigie/config:11: 'password' is never read from a file",
        "/etc/vigie/config:12: 'my theme' is neither a theme name",
        "/etc/vigie/config:13: no server URL given",
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        if (strncmp(warnings.text[i], expected[i], strlen(expected[i])) != 0)
            fail_msg("warning %zu: got \"%s\", expected \"%s...\"", i, warnings.text[i],
                     expected[i]);
    /* A secret is never echoed back in a warning. */
    for (size_t i = 0; i < warnings.count; i++)
        assert_null(strstr(warnings.text[i], "hunter2"));
    assert_int_equal(config.server_count, 1);
    assert_string_equal(config.servers[0], "https://a.example");
    assert_string_equal(config.user, "dupont");
    assert_true(config.bell);
    assert_int_equal(config.charset, CONSOLE_CONFIG_CHARSET_AUTO);
    assert_string_equal(config.theme, "");
    assert_true(config.read_only);
}

static void test_bounds(void **state)
{
    (void)state;
    char error[256];
    assert_false(
        console_config_set(&config, "server",
                           "http://1,http://2,http://3,http://4,http://5,http://6,http://7,"
                           "http://8,http://9",
                           error, sizeof error));
    assert_string_equal(error, "more than 8 servers");
    char value[CONSOLE_CONFIG_INSTRUCTIONS_SIZE + 8];
    memset(value, 'x', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    assert_false(console_config_set(&config, "fallback-instructions", value, error, sizeof error));
    assert_string_equal(config.fallback_instructions, "");
    value[CONSOLE_CONFIG_INSTRUCTIONS_SIZE - 1] = '\0';
    assert_true(console_config_set(&config, "fallback-instructions", value, error, sizeof error));
    value[CONSOLE_CONFIG_USER_SIZE] = '\0';
    assert_false(console_config_set(&config, "user", value, error, sizeof error));
    char url[CONSOLE_CONFIG_URL_SIZE + 16] = "https://";
    memset(url + 8, 'a', CONSOLE_CONFIG_URL_SIZE);
    url[CONSOLE_CONFIG_URL_SIZE + 8] = '\0';
    assert_false(console_config_set(&config, "server", url, error, sizeof error));
    assert_non_null(strstr(error, "longer than 255"));
    assert_int_equal(config.server_count, 0);
}

static void test_options_override_the_file_and_quotes_keep_blanks(void **state)
{
    (void)state;
    console_config_parse(&config,
                         "user = dupont\ntheme = light\nfallback-instructions = \"  Call 112  \"\n",
                         "config", &warnings);
    assert_string_equal(config.fallback_instructions, "  Call 112  ");
    /* vigie --user martin --server URL: the options come after the file. */
    char error[256];
    assert_true(console_config_set(&config, "user", "martin", error, sizeof error));
    assert_true(
        console_config_set(&config, "server", "https://backup.example", error, sizeof error));
    assert_string_equal(config.user, "martin");
    assert_int_equal(config.server_count, 1);
    assert_string_equal(config.theme, "light");
    assert_true(console_config_set(&config, "theme", "/opt/themes/x.theme", error, sizeof error));
    assert_string_equal(config.theme, "/opt/themes/x.theme");
    assert_true(
        console_config_set(&config, "fallback-instructions", "a\\\\b", error, sizeof error));
    assert_string_equal(config.fallback_instructions, "a\\b");
}

static void test_where_the_files_are(void **state)
{
    (void)state;
    char path[CONSOLE_CONFIG_PATH_SIZE], expected[CONSOLE_CONFIG_PATH_SIZE];
    /* No XDG_CONFIG_HOME: ~/.config. */
    assert_true(console_config_file_path(path));
    snprintf(expected, sizeof expected, "%s/.config/vigie/config", directory);
    assert_string_equal(path, expected);
    /* A relative XDG_CONFIG_HOME is ignored, as the specification says. */
    setenv("XDG_CONFIG_HOME", "relative/dir", 1);
    assert_true(console_config_keys_path(&config, path));
    snprintf(expected, sizeof expected, "%s/.config/vigie/keys", directory);
    assert_string_equal(path, expected);
    setenv("XDG_CONFIG_HOME", "/srv/xdg", 1);
    assert_true(console_config_keys_path(&config, path));
    assert_string_equal(path, "/srv/xdg/vigie/keys");
    assert_true(console_config_file_path(path));
    assert_string_equal(path, "/srv/xdg/vigie/config");
    /* The environment override of the settings file. */
    setenv("VIGIE_CONFIG", "/etc/vigie/console.conf", 1);
    assert_true(console_config_file_path(path));
    assert_string_equal(path, "/etc/vigie/console.conf");
    /* The keys setting. */
    char error[64];
    assert_true(console_config_set(&config, "keys", "/etc/vigie/centre.keys", error, sizeof error));
    assert_true(console_config_keys_path(&config, path));
    assert_string_equal(path, "/etc/vigie/centre.keys");
    /* Neither XDG_CONFIG_HOME nor HOME. */
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("VIGIE_CONFIG");
    unsetenv("HOME");
    assert_false(console_config_file_path(path));
    setenv("HOME", directory, 1);
}

static void test_finding_a_theme(void **state)
{
    (void)state;
    char xdg[CONSOLE_CONFIG_PATH_SIZE], path[CONSOLE_CONFIG_PATH_SIZE],
        expected[CONSOLE_CONFIG_PATH_SIZE];
    snprintf(xdg, sizeof xdg, "%s/xdg", directory);
    setenv("XDG_CONFIG_HOME", xdg, 1);
    make_dirs("xdg/vigie/themes");
    make_dirs("share/themes");
    setenv("VIGIE_DATADIR", "", 1);
    assert_false(console_config_find_theme("night", path));

    char data[CONSOLE_CONFIG_PATH_SIZE];
    snprintf(data, sizeof data, "%s/share", directory);
    setenv("VIGIE_DATADIR", data, 1);
    snprintf(expected, sizeof expected, "%s/share/themes/night.theme", directory);
    write_file(expected, "color row red default\n");
    assert_true(console_config_find_theme("night", path));
    assert_string_equal(path, expected);
    /* The operator's own copy wins over the installed one. */
    snprintf(expected, sizeof expected, "%s/xdg/vigie/themes/night.theme", directory);
    write_file(expected, "color row green default\n");
    assert_true(console_config_find_theme("night", path));
    assert_string_equal(path, expected);
    /* A path is taken as it is, if it exists. */
    assert_true(console_config_find_theme(expected, path));
    assert_string_equal(path, expected);
    assert_false(console_config_find_theme("/nonexistent/night.theme", path));
    assert_false(console_config_find_theme(".hidden", path));
    assert_false(console_config_find_theme("", path));
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("VIGIE_DATADIR");
}

static void test_loading_files(void **state)
{
    (void)state;
    char path[CONSOLE_CONFIG_PATH_SIZE];
    snprintf(path, sizeof path, "%s/config", directory);
    assert_int_equal(console_config_load(&config, path, &warnings), CONFIG_FILE_MISSING);
    assert_int_equal(warnings.count, 0);
    write_file(path, "user = dupont\nbell = no\nserver: http://x\n");
    assert_int_equal(console_config_load(&config, path, &warnings), CONFIG_FILE_READ);
    assert_string_equal(config.user, "dupont");
    assert_false(config.bell);
    assert_int_equal(warnings.count, 1);
    char expected[CONSOLE_CONFIG_PATH_SIZE + 8];
    snprintf(expected, sizeof expected, "%s:3: ", path);
    assert_memory_equal(warnings.text[0], expected, strlen(expected));
    /* A directory, and a file too big to be settings. */
    config_file_warnings_init(&warnings);
    assert_int_equal(console_config_load(&config, directory, &warnings), CONFIG_FILE_ERROR);
    assert_int_equal(warnings.count, 1);
    FILE *big = fopen(path, "w");
    assert_non_null(big);
    for (int i = 0; i <= CONFIG_FILE_MAX / 16; i++)
        fputs("# padding line\n\n", big);
    assert_int_equal(fclose(big), 0);
    assert_int_equal(console_config_load(&config, path, &warnings), CONFIG_FILE_ERROR);
    assert_int_equal(warnings.count, 2);
    assert_non_null(strstr(warnings.text[1], "larger than"));
    /* A binary file. */
    big = fopen(path, "w");
    assert_non_null(big);
    fwrite("user = x\0\1\2", 1, 11, big);
    assert_int_equal(fclose(big), 0);
    assert_int_equal(console_config_load(&config, path, &warnings), CONFIG_FILE_ERROR);
    assert_int_equal(warnings.count, 3);
    assert_string_equal(config.user, "dupont");
}

static void test_warnings_are_bounded(void **state)
{
    (void)state;
    char text[64 * 16] = "";
    for (int i = 0; i < CONFIG_FILE_WARNINGS_MAX + 8; i++)
        strcat(text, "nonsense\n");
    assert_int_equal(console_config_parse(&config, text, "c", &warnings),
                     CONFIG_FILE_WARNINGS_MAX + 8);
    assert_int_equal(warnings.count, CONFIG_FILE_WARNINGS_MAX);
    assert_int_equal(warnings.dropped, 8);
    assert_int_equal(config_file_warnings_total(&warnings), CONFIG_FILE_WARNINGS_MAX + 8);
    assert_string_equal(warnings.text[CONFIG_FILE_WARNINGS_MAX - 1],
                        "c:32: expected 'setting = value'; line skipped");
    /* A very long file name is cut, not overflowed. */
    config_file_warnings_init(&warnings);
    char name[CONFIG_FILE_WARNING_SIZE * 2];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    config_file_warn(&warnings, name, 7, "%s", "message");
    assert_int_equal(strlen(warnings.text[0]), CONFIG_FILE_WARNING_SIZE - 1);
    config_file_warn(NULL, "x", 1, "%s", "ignored without a list");
}

static void test_line_reader_and_words(void **state)
{
    (void)state;
    struct config_file_lines lines;
    struct config_file_line line;
    config_file_lines_init(&lines, "one\r\n\ntwo\nthree", "f");
    assert_true(config_file_lines_next(&lines, &line, &warnings));
    assert_string_equal(line.text, "one");
    assert_int_equal(line.number, 1);
    assert_true(config_file_lines_next(&lines, &line, &warnings));
    assert_string_equal(line.text, "");
    assert_true(config_file_lines_next(&lines, &line, &warnings));
    assert_int_equal(line.number, 3);
    assert_true(config_file_lines_next(&lines, &line, &warnings));
    assert_string_equal(line.text, "three");
    assert_int_equal(line.number, 4);
    assert_false(config_file_lines_next(&lines, &line, &warnings));

    char text[] = "  bind\tqueue  c   claim   # and a comment  ";
    char *words[5];
    assert_int_equal(config_file_split_words(text, words, 5), 5);
    assert_string_equal(words[0], "bind");
    assert_string_equal(words[1], "queue");
    assert_string_equal(words[3], "claim");
    assert_string_equal(words[4], "# and a comment");
    char few[] = "a b";
    assert_int_equal(config_file_split_words(few, words, 5), 2);
    char none[] = "   ";
    assert_int_equal(config_file_split_words(none, words, 5), 0);
    assert_true(config_file_line_is_blank("   # x"));
    assert_true(config_file_line_is_blank(""));
    assert_false(config_file_line_is_blank(" x # y"));
}

int main(void)
{
#define TEST(name) cmocka_unit_test_setup_teardown(name, make_directory, remove_directory)
    const struct CMUnitTest tests[] = {
        TEST(test_defaults),
        TEST(test_a_complete_file),
        TEST(test_bad_lines_are_warned_and_keep_the_previous_value),
        TEST(test_bounds),
        TEST(test_options_override_the_file_and_quotes_keep_blanks),
        TEST(test_where_the_files_are),
        TEST(test_finding_a_theme),
        TEST(test_loading_files),
        TEST(test_warnings_are_bounded),
        TEST(test_line_reader_and_words),
    };
#undef TEST
    return cmocka_run_group_tests(tests, NULL, NULL);
}
