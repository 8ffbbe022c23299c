/* Roles: a supervisor watches everything and changes nothing; an operator
 * works alarms but does not manage accounts; an administrator does. */
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

struct story {
    struct world *world;
    int64_t site, alarm;
    const char *alice, *sam, *ada; /* operator, supervisor, admin */
};

/* Accounts and a site made once; each test runs on its own copy. */
static struct world *template;
static int64_t template_site;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    return template && world_add_user(template, "alice", "operator", PASSWORD) &&
                   world_add_user(template, "sam", "supervisor", PASSWORD) &&
                   world_add_user(template, "ada", "admin", PASSWORD) &&
                   (template_site = world_add_site(template, "Parking Perrache", "Lyon")) > 0
               ? 0
               : -1;
}

static int template_down(void **state)
{
    (void)state;
    return world_destroy(template) ? 0 : -1;
}

static int world_down(void **state)
{
    struct story *story = *state;
    bool clean = story ? world_destroy(story->world) : true;
    free(story);
    *state = NULL;
    return clean ? 0 : -1;
}

static int world_up(void **state)
{
    struct story *story = calloc(1, sizeof *story);
    *state = story;
    if (!story)
        return -1;
    struct world *world = story->world = world_clone(template);
    story->site = template_site;
    if (world && world_start(world) && (story->alice = login(world, "alice", PASSWORD)) &&
        (story->sam = login(world, "sam", PASSWORD)) &&
        (story->ada = login(world, "ada", PASSWORD)) &&
        (story->alarm = alarm_create(world, story->alice, story->site, "fire", 1)) > 0)
        return 0;
    world_down(state); /* cmocka runs no teardown after a failed setup */
    return -1;
}

static void free_text(void *text)
{
    free(text);
}

/* Everything a change could touch, as one text: the queue, the alarm with
 * its timeline, and the accounts. */
static const char *snapshot(struct story *story)
{
    long status = 0;
    cJSON *alarms = NULL, *users = NULL;
    http_request(story->world, "GET", "/v1/alarms?state=all", story->ada, NULL, &status, &alarms);
    http_request(story->world, "GET", "/v1/users", story->ada, NULL, &status, &users);
    cJSON *detail = alarm_get(story->world, story->ada, story->alarm);
    char *a = cJSON_PrintUnformatted(alarms), *b = cJSON_PrintUnformatted(detail),
         *c = cJSON_PrintUnformatted(users);
    char *text = NULL;
    if (a && b && c && asprintf(&text, "%s\n%s\n%s", a, b, c) < 0)
        text = NULL;
    free(a);
    free(b);
    free(c);
    return world_keep(story->world, text, free_text);
}

static void test_a_supervisor_is_refused_every_change_and_nothing_changes(void **state)
{
    struct story *story = *state;
    char alarm_path[5][64], body[128];
    static const char *const actions[] = {"claim", "release", "ack", "notes", "close"};
    for (int i = 0; i < 5; i++)
        snprintf(alarm_path[i], sizeof alarm_path[i], "/v1/alarms/%lld/%s", (long long)story->alarm,
                 actions[i]);
    snprintf(body, sizeof body, "{\"class\":\"panic\",\"priority\":1,\"site_id\":%lld}",
             (long long)story->site);
    const struct {
        const char *path, *body;
    } changes[] = {
        {"/v1/alarms", body},
        {alarm_path[0], ""},
        {alarm_path[1], ""},
        {alarm_path[2], ""},
        {alarm_path[3], "{\"text\":\"seen from the supervisor desk\"}"},
        {alarm_path[4], "{\"resolution\":\"false-alarm\"}"},
        {"/v1/users", "{\"username\":\"eve\",\"role\":\"admin\",\"password\":\"" PASSWORD "\"}"},
        {"/v1/users/alice/disable", ""},
        {"/v1/users/alice/enable", ""},
    };
    const char *before = snapshot(story);
    assert_non_null(before);
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        long status = 0;
        cJSON *json = NULL;
        assert_true(http_request(story->world, "POST", changes[i].path, story->sam, changes[i].body,
                                 &status, &json));
        if (status != 403)
            fprintf(stderr, "# POST %s answered %ld\n", changes[i].path, status);
        assert_int_equal(status, 403);
        assert_string_equal(json_string(json, "error.code"), "forbidden");
        assert_non_null(json_string(json, "error.message"));
        assert_string_equal(snapshot(story), before);
    }
    assert_non_null(login(story->world, "alice", PASSWORD));
    assert_null(login(story->world, "eve", PASSWORD));
}

static void test_a_supervisor_sees_the_queue_the_alarm_the_resolutions_and_the_stream(void **state)
{
    struct story *story = *state;
    long status = 0;
    cJSON *json = NULL;
    http_request(story->world, "GET", "/v1/alarms", story->sam, NULL, &status, &json);
    assert_int_equal(status, 200);
    assert_int_equal(json_count(json, "alarms"), 1);
    assert_int_equal(json_int(json, "alarms.0.id"), story->alarm);
    cJSON *detail = alarm_get(story->world, story->sam, story->alarm);
    assert_non_null(detail);
    assert_string_equal(json_string(detail, "timeline.0.kind"), "created");
    http_request(story->world, "GET", "/v1/resolutions", story->sam, NULL, &status, &json);
    assert_int_equal(status, 200);
    assert_true(json_count(json, "resolutions") > 0);

    struct sse_client *stream = sse_open(story->world, story->sam, NULL);
    assert_int_equal(sse_status(stream), 200);
    int64_t id = alarm_create(story->world, story->alice, story->site, "duress", 1);
    assert_true(sse_wait(stream, "alarm", 1, 5000));
    assert_int_equal(json_int(sse_get(stream, "alarm", 0)->json, "id"), id);
    /* Logging out is not a change to the centre: a supervisor may. */
    http_request(story->world, "DELETE", "/v1/sessions/current", story->sam, NULL, &status, NULL);
    assert_int_equal(status, 200);
}

static void test_an_operator_cannot_manage_accounts(void **state)
{
    struct story *story = *state;
    const char *before = snapshot(story);
    long status = 0;
    cJSON *json = NULL;
    http_request(story->world, "GET", "/v1/users", story->alice, NULL, &status, &json);
    assert_int_equal(status, 403);
    assert_string_equal(json_string(json, "error.code"), "forbidden");
    http_request(story->world, "POST", "/v1/users", story->alice,
                 "{\"username\":\"mallory\",\"role\":\"admin\",\"password\":\"" PASSWORD "\"}",
                 &status, &json);
    assert_int_equal(status, 403);
    http_request(story->world, "POST", "/v1/users/sam/disable", story->alice, "", &status, &json);
    assert_int_equal(status, 403);
    http_request(story->world, "GET", "/v1/users", story->sam, NULL, &status, &json);
    assert_int_equal(status, 403);
    assert_string_equal(snapshot(story), before);
    assert_null(login(story->world, "mallory", PASSWORD));
}

static const cJSON *find_user(const cJSON *users, const char *name)
{
    const cJSON *user;
    cJSON_ArrayForEach(user, json_get(users, "users"))
    {
        const char *username = json_string(user, "username");
        if (username && strcmp(username, name) == 0)
            return user;
    }
    return NULL;
}

static void test_an_administrator_creates_an_account_that_can_log_in(void **state)
{
    struct story *story = *state;
    long status = 0;
    cJSON *json = NULL;
    http_request(story->world, "POST", "/v1/users", story->ada,
                 "{\"username\":\"olivia\",\"display_name\":\"Olivia Night\","
                 "\"role\":\"operator\",\"password\":\"" PASSWORD "\"}",
                 &status, &json);
    assert_int_equal(status, 201);
    assert_string_equal(json_string(json, "username"), "olivia");
    assert_string_equal(json_string(json, "role"), "operator");
    http_request(story->world, "POST", "/v1/sessions", NULL,
                 "{\"username\":\"olivia\",\"password\":\"" PASSWORD "\"}", &status, &json);
    assert_int_equal(status, 201);
    assert_string_equal(json_string(json, "role"), "operator");
    assert_string_equal(json_string(json, "display_name"), "Olivia Night");
    const char *olivia = json_string(json, "token");
    assert_int_equal(alarm_act(story->world, olivia, story->alarm, "claim", NULL, NULL), 200);

    http_request(story->world, "GET", "/v1/users", story->ada, NULL, &status, &json);
    assert_int_equal(status, 200);
    const cJSON *listed = find_user(json, "olivia");
    assert_non_null(listed);
    assert_string_equal(json_string(listed, "display_name"), "Olivia Night");
    assert_null(json_get(listed, "password_hash"));

    http_request(story->world, "POST", "/v1/users", story->ada,
                 "{\"username\":\"olivia\",\"role\":\"operator\",\"password\":\"" PASSWORD "\"}",
                 &status, &json);
    assert_int_equal(status, 409);
    http_request(story->world, "POST", "/v1/users", story->ada,
                 "{\"username\":\"oscar\",\"role\":\"boss\",\"password\":\"" PASSWORD "\"}",
                 &status, &json);
    assert_int_equal(status, 400);
    http_request(story->world, "POST", "/v1/users/olivia/disable", story->ada, "", &status, &json);
    assert_int_equal(status, 200);
    assert_null(login(story->world, "olivia", PASSWORD));
    http_request(story->world, "GET", "/v1/alarms", olivia, NULL, &status, NULL);
    assert_int_equal(status, 401);
    http_request(story->world, "POST", "/v1/users/ada/disable", story->ada, "", &status, &json);
    assert_int_equal(status, 409);
    http_request(story->world, "POST", "/v1/users/nobody/disable", story->ada, "", &status, &json);
    assert_int_equal(status, 404);
}

static void test_accounts_added_on_the_command_line_appear_in_the_user_list(void **state)
{
    struct story *story = *state;
    assert_true(world_add_user(story->world, "carl", "supervisor", PASSWORD));
    long status = 0;
    cJSON *json = NULL;
    http_request(story->world, "GET", "/v1/users", story->ada, NULL, &status, &json);
    assert_int_equal(status, 200);
    static const char *const expected[][2] = {
        {"alice", "operator"}, {"sam", "supervisor"}, {"ada", "admin"}, {"carl", "supervisor"}};
    for (int i = 0; i < 4; i++) {
        const cJSON *user = find_user(json, expected[i][0]);
        assert_non_null(user);
        assert_string_equal(json_string(user, "role"), expected[i][1]);
        assert_false(cJSON_IsTrue(json_get(user, "disabled")));
    }
    assert_int_equal(json_count(json, "users"), 4);
    assert_non_null(login(story->world, "carl", PASSWORD));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_a_supervisor_is_refused_every_change_and_nothing_changes, world_up, world_down),
        cmocka_unit_test_setup_teardown(
            test_a_supervisor_sees_the_queue_the_alarm_the_resolutions_and_the_stream, world_up,
            world_down),
        cmocka_unit_test_setup_teardown(test_an_operator_cannot_manage_accounts, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_an_administrator_creates_an_account_that_can_log_in,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(
            test_accounts_added_on_the_command_line_appear_in_the_user_list, world_up, world_down),
    };
    return cmocka_run_group_tests_name("roles", tests, template_up, template_down);
}
