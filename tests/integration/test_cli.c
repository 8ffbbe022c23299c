/* The command line: an administrator asks for help, mistypes a command,
 * forgets an option, pipes a password, points at a database that does not
 * exist, or writes a bad line in the config file; each gets a clear
 * answer and the documented exit status (0 ok, 1 failed, 2 usage). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/harness.h"

#define PASSWORD "night-shift-42"

/* An empty database made once; each test runs on its own copy. */
static struct world *template;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    return template ? 0 : -1;
}

static int template_down(void **state)
{
    (void)state;
    return world_destroy(template) ? 0 : -1;
}

static int world_up(void **state)
{
    *state = world_clone(template);
    return *state ? 0 : -1;
}

static int world_down(void **state)
{
    return world_destroy(*state) ? 0 : -1;
}

static void test_help_and_version_answer_and_exit_zero(void **state)
{
    struct world *world = *state;
    char output[4096];
    assert_int_equal(world_run(world, NULL, output, sizeof output, "--help", NULL), 0);
    assert_non_null(strstr(output, "usage: vigied"));
    assert_non_null(strstr(output, "user add"));
    assert_non_null(strstr(output, "audit verify"));
    assert_int_equal(world_run(world, NULL, output, sizeof output, "--version", NULL), 0);
    assert_non_null(strstr(output, "vigied "));
    assert_true(strspn(output + strlen("vigied "), "0123456789.") >= 5);
}

static void test_an_unknown_command_exits_with_status_2(void **state)
{
    struct world *world = *state;
    char output[4096];
    assert_int_equal(
        world_run(world, NULL, output, sizeof output, "frobnicate", "--db", world->db, NULL), 2);
    assert_non_null(strstr(output, "frobnicate"));
    assert_non_null(strstr(output, "usage"));
    assert_int_equal(
        world_run(world, NULL, output, sizeof output, "audit", "repair", "--db", world->db, NULL),
        2);
    assert_int_equal(world_run(world, NULL, output, sizeof output, "--db", world->db, "--set",
                               "colour=blue", NULL),
                     2);
    assert_non_null(strstr(output, "colour"));
}

static void test_user_add_without_a_role_exits_with_status_2_and_adds_nobody(void **state)
{
    struct world *world = *state;
    char output[4096];
    assert_int_equal(world_run(world, PASSWORD "\n", output, sizeof output, "user", "add", "dora",
                               "--db", world->db, NULL),
                     2);
    assert_non_null(strstr(output, "--role"));
    assert_int_equal(world_run(world, PASSWORD "\n", output, sizeof output, "user", "add", "dora",
                               "--role", "boss", "--db", world->db, NULL),
                     2);
    assert_int_equal(world_sql_int(world, NULL, "SELECT COUNT(*) FROM users"), 0);
}

static void test_a_password_piped_on_stdin_is_the_one_that_logs_in(void **state)
{
    struct world *world = *state;
    char output[4096];
    assert_int_equal(world_run(world, "piped-password-9\n", output, sizeof output, "user", "add",
                               "dora", "--role", "supervisor", "--display-name", "Dora Day", "--db",
                               world->db, "--set", "argon2_memory_kib=8", "--set",
                               "argon2_iterations=1", NULL),
                     0);
    assert_non_null(strstr(output, "dora"));
    assert_int_equal(
        world_run(world, NULL, output, sizeof output, "user", "list", "--db", world->db, NULL), 0);
    assert_non_null(strstr(output, "dora"));
    assert_non_null(strstr(output, "supervisor"));
    assert_non_null(strstr(output, "Dora Day"));
    /* No password at all is refused, and adds nobody. */
    assert_int_equal(world_run(world, "", output, sizeof output, "user", "add", "eric", "--role",
                               "operator", "--db", world->db, NULL),
                     1);
    assert_int_equal(world_sql_int(world, NULL, "SELECT COUNT(*) FROM users"), 1);

    assert_true(world_start(world));
    long status = 0;
    cJSON *json = NULL;
    http_request(world, "POST", "/v1/sessions", NULL,
                 "{\"username\":\"dora\",\"password\":\"piped-password-9\"}", &status, &json);
    assert_int_equal(status, 201);
    assert_string_equal(json_string(json, "role"), "supervisor");
    http_request(world, "POST", "/v1/sessions", NULL,
                 "{\"username\":\"dora\",\"password\":\"piped-password-9\\n\"}", &status, &json);
    assert_int_equal(status, 401);
}

static void test_a_missing_database_is_reported_with_the_command_that_creates_it(void **state)
{
    struct world *world = *state;
    char output[4096];
    int status = world_run(world, NULL, output, sizeof output, "--db", "/nonexistent/x.db",
                           "--listen", "127.0.0.1:0", NULL);
    assert_int_equal(status, 1);
    assert_non_null(strstr(output, "/nonexistent/x.db"));
    assert_non_null(strstr(output, "vigied init"));
    status = world_run(world, NULL, output, sizeof output, "user", "list", "--db",
                       "/nonexistent/x.db", NULL);
    assert_int_equal(status, 1);
    assert_non_null(strstr(output, "vigied init"));
}

static void test_a_bad_config_line_is_reported_with_its_file_and_line(void **state)
{
    struct world *world = *state;
    char path[WORLD_PATH_MAX], expected[WORLD_PATH_MAX + 16], output[4096];
    snprintf(path, sizeof path, "%s/vigied.conf", world->dir);
    static const struct {
        const char *text;
        int line;
    } files[] = {
        {"# night shift\nclaim_lease_seconds = 30\nthis line has no equals sign\n", 3},
        {"heartbeat_ms = 2000\ncolour = blue\n", 2},
        {"\n\n\n\nheartbeat_ms = 5\n", 5},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        FILE *file = fopen(path, "w");
        assert_non_null(file);
        fputs(files[i].text, file);
        fclose(file);
        snprintf(expected, sizeof expected, "%s:%d:", path, files[i].line);
        assert_int_equal(world_run(world, NULL, output, sizeof output, "--config", path, "--db",
                                   world->db, "--listen", "127.0.0.1:0", NULL),
                         2);
        assert_non_null(strstr(output, expected));
    }
    /* The other commands read the same file the same way. */
    assert_int_equal(world_run(world, NULL, output, sizeof output, "user", "list", "--config", path,
                               "--db", world->db, NULL),
                     2);
    assert_non_null(strstr(output, expected));
    /* A good file is taken. */
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs("# comment\n  claim_lease_seconds = 45  \n\nnode_name = lyon-1\n", file);
    fclose(file);
    assert_int_equal(world_run(world, NULL, output, sizeof output, "user", "list", "--config", path,
                               "--db", world->db, NULL),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_help_and_version_answer_and_exit_zero, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_an_unknown_command_exits_with_status_2, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(
            test_user_add_without_a_role_exits_with_status_2_and_adds_nobody, world_up, world_down),
        cmocka_unit_test_setup_teardown(test_a_password_piped_on_stdin_is_the_one_that_logs_in,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(
            test_a_missing_database_is_reported_with_the_command_that_creates_it, world_up,
            world_down),
        cmocka_unit_test_setup_teardown(test_a_bad_config_line_is_reported_with_its_file_and_line,
                                        world_up, world_down),
    };
    return cmocka_run_group_tests_name("cli", tests, template_up, template_down);
}
