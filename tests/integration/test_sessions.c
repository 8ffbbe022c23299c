/* Sessions: an operator logs in for a shift, logs out, is disabled by an
 * administrator; a request without a valid token is refused the same
 * way whatever is wrong with it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tests/lib/harness.h"

#define PASSWORD "night-shift-42"

/* Accounts made once; each test runs on its own copy. */
static struct world *template;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    return template && world_add_user(template, "alice", "operator", PASSWORD) &&
                   world_add_user(template, "bob", "operator", PASSWORD)
               ? 0
               : -1;
}

static int template_down(void **state)
{
    (void)state;
    return world_destroy(template) ? 0 : -1;
}

static int world_up(void **state)
{
    struct world *world = world_clone(template);
    *state = world;
    if (world && world_start(world))
        return 0;
    world_destroy(world); /* cmocka runs no teardown after a failed setup */
    *state = NULL;
    return -1;
}

static int world_down(void **state)
{
    return world_destroy(*state) ? 0 : -1;
}

static time_t parse_utc(const char *text)
{
    struct tm tm = {0};
    if (!text || sscanf(text, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                        &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

static long status_of(struct world *world, const char *method, const char *path, const char *token)
{
    long status = 0;
    http_request(world, method, path, token, NULL, &status, NULL);
    return status;
}

static void test_an_operator_logs_in_for_a_twelve_hour_shift(void **state)
{
    struct world *world = *state;
    long status = 0;
    cJSON *json = NULL;
    assert_true(http_request(world, "POST", "/v1/sessions", NULL,
                             "{\"username\":\"alice\",\"password\":\"" PASSWORD "\"}", &status,
                             &json));
    assert_int_equal(status, 201);
    const char *token = json_string(json, "token");
    assert_non_null(token);
    assert_int_equal(strlen(token), 64);
    assert_string_equal(json_string(json, "username"), "alice");
    assert_string_equal(json_string(json, "role"), "operator");
    time_t expiry = parse_utc(json_string(json, "expires_at"));
    time_t now = time(NULL);
    assert_true(expiry > now + 11 * 3600);
    assert_true(expiry < now + 13 * 3600);
    assert_int_equal(status_of(world, "GET", "/v1/alarms", token), 200);
}

static void test_a_wrong_password_and_an_unknown_user_get_the_same_refusal(void **state)
{
    struct world *world = *state;
    long wrong_status = 0, unknown_status = 0;
    cJSON *wrong = NULL, *unknown = NULL;
    http_request(world, "POST", "/v1/sessions", NULL,
                 "{\"username\":\"alice\",\"password\":\"not-her-password\"}", &wrong_status,
                 &wrong);
    http_request(world, "POST", "/v1/sessions", NULL,
                 "{\"username\":\"mallory\",\"password\":\"" PASSWORD "\"}", &unknown_status,
                 &unknown);
    assert_int_equal(wrong_status, 401);
    assert_int_equal(unknown_status, 401);
    assert_non_null(json_string(wrong, "error.code"));
    assert_string_equal(json_string(wrong, "error.code"), json_string(unknown, "error.code"));
    assert_string_equal(json_string(wrong, "error.message"), json_string(unknown, "error.message"));
    assert_null(json_get(wrong, "token"));
    assert_null(json_get(unknown, "token"));
}

static void test_a_disabled_operator_cannot_log_in_and_loses_the_open_session(void **state)
{
    struct world *world = *state;
    const char *token = login(world, "alice", PASSWORD);
    assert_non_null(token);
    assert_int_equal(status_of(world, "GET", "/v1/alarms", token), 200);

    char output[1024];
    assert_int_equal(world_run(world, NULL, output, sizeof output, "user", "disable", "alice",
                               "--db", world->db, NULL),
                     0);
    assert_int_equal(status_of(world, "GET", "/v1/alarms", token), 401);
    long status = 0;
    cJSON *json = NULL;
    http_request(world, "POST", "/v1/sessions", NULL,
                 "{\"username\":\"alice\",\"password\":\"" PASSWORD "\"}", &status, &json);
    assert_int_equal(status, 401);
    assert_string_equal(json_string(json, "error.code"), "bad_credentials");

    /* The rest of the centre keeps working beside the administrator's
     * command: bob logs in, which writes a session and an audit row. */
    const char *bob = login(world, "bob", PASSWORD);
    assert_non_null(bob);
    assert_int_equal(status_of(world, "GET", "/v1/alarms", bob), 200);

    assert_int_equal(world_run(world, NULL, output, sizeof output, "user", "enable", "alice",
                               "--db", world->db, NULL),
                     0);
    const char *again = login(world, "alice", PASSWORD);
    assert_non_null(again);
    assert_int_equal(status_of(world, "GET", "/v1/alarms", again), 200);
    /* Enabling does not revive the session that was cut. */
    assert_int_equal(status_of(world, "GET", "/v1/alarms", token), 401);
}

static void test_logout_makes_the_token_useless(void **state)
{
    struct world *world = *state;
    const char *token = login(world, "alice", PASSWORD);
    const char *other = login(world, "alice", PASSWORD);
    assert_non_null(token);
    assert_non_null(other);
    assert_int_equal(status_of(world, "DELETE", "/v1/sessions/current", token), 200);
    assert_int_equal(status_of(world, "GET", "/v1/alarms", token), 401);
    assert_int_equal(status_of(world, "POST", "/v1/sessions/current/heartbeat", token), 401);
    assert_int_equal(status_of(world, "DELETE", "/v1/sessions/current", token), 401);
    /* Her session on the other workstation is not affected. */
    assert_int_equal(status_of(world, "GET", "/v1/alarms", other), 200);
}

static void assert_refused(struct world *world, const char *authorization)
{
    struct http_reply reply;
    assert_true(http_send(world, "GET", "/v1/alarms", authorization, NULL, 0, false, &reply));
    assert_int_equal(reply.status, 401);
    assert_non_null(strstr(reply.content_type, "application/json"));
    assert_string_equal(json_string(reply.json, "error.code"), "unauthorized");
    const char *message = json_string(reply.json, "error.message");
    assert_non_null(message);
    assert_true(strlen(message) > 0);
    assert_non_null(strstr(reply.www_authenticate, "Bearer"));
}

static void test_requests_without_a_valid_token_are_refused_with_a_json_error(void **state)
{
    struct world *world = *state;
    const char *token = login(world, "alice", PASSWORD);
    assert_non_null(token);
    char forged[80];
    snprintf(forged, sizeof forged, "%s", token);
    forged[0] = forged[0] == 'a' ? 'b' : 'a';
    char long_token[400];
    memset(long_token, 'f', sizeof long_token - 1);
    long_token[sizeof long_token - 1] = '\0';

    assert_refused(world, NULL);
    assert_refused(world, "garbage");
    assert_refused(world, forged);
    assert_refused(world, long_token);
    assert_refused(world, "Bearer ");
    assert_refused(world, "Basic YWxpY2U6bmlnaHQtc2hpZnQtNDI=");
    /* The real token still works after all that. */
    assert_int_equal(status_of(world, "GET", "/v1/alarms", token), 200);
}

static void test_the_heartbeat_endpoint_says_which_node_answers(void **state)
{
    struct world *world = *state;
    const char *token = login(world, "bob", PASSWORD);
    assert_non_null(token);
    long status = 0;
    cJSON *json = NULL;
    assert_true(
        http_request(world, "POST", "/v1/sessions/current/heartbeat", token, NULL, &status, &json));
    assert_int_equal(status, 200);
    assert_string_equal(json_string(json, "node"), world->node_name);
    time_t when = parse_utc(json_string(json, "time"));
    assert_true(when > time(NULL) - 60 && when < time(NULL) + 60);
    assert_int_equal(status_of(world, "POST", "/v1/sessions/current/heartbeat", NULL), 401);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_an_operator_logs_in_for_a_twelve_hour_shift, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(
            test_a_wrong_password_and_an_unknown_user_get_the_same_refusal, world_up, world_down),
        cmocka_unit_test_setup_teardown(
            test_a_disabled_operator_cannot_log_in_and_loses_the_open_session, world_up,
            world_down),
        cmocka_unit_test_setup_teardown(test_logout_makes_the_token_useless, world_up, world_down),
        cmocka_unit_test_setup_teardown(
            test_requests_without_a_valid_token_are_refused_with_a_json_error, world_up,
            world_down),
        cmocka_unit_test_setup_teardown(test_the_heartbeat_endpoint_says_which_node_answers,
                                        world_up, world_down),
    };
    return cmocka_run_group_tests_name("sessions", tests, template_up, template_down);
}
