/* Alarms: an operator records an alarm by hand, the queue lists it, two
 * operators reach for the same alarm, one works it to its close, and the
 * timeline says who did what. */
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
    int64_t site;
    const char *alice, *bob;
};

/* Accounts and a site made once; each test runs on its own copy. */
static struct world *template;
static int64_t template_site;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    return template && world_add_user(template, "alice", "operator", PASSWORD) &&
                   world_add_user(template, "bob", "operator", PASSWORD) &&
                   (template_site = world_add_site(template, "Agence Bellecour", "Lyon")) > 0
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
        (story->bob = login(world, "bob", PASSWORD)))
        return 0;
    world_down(state); /* cmocka runs no teardown after a failed setup */
    return -1;
}

static cJSON *list(struct story *story, const char *query)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/alarms%s", query);
    long status = 0;
    cJSON *json = NULL;
    http_request(story->world, "GET", path, story->alice, NULL, &status, &json);
    return status == 200 ? json : NULL;
}

/* The ids of a list answer, in order, as "1,2,3". */
static const char *ids_of(const cJSON *answer)
{
    static char text[512];
    text[0] = '\0';
    const cJSON *alarm;
    cJSON_ArrayForEach(alarm, json_get(answer, "alarms"))
    {
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used, "%s%lld", used ? "," : "",
                 (long long)json_int(alarm, "id"));
    }
    return text;
}

static void test_an_alarm_recorded_by_hand_is_answered_with_what_was_recorded(void **state)
{
    struct story *story = *state;
    char body[512];
    snprintf(body, sizeof body,
             "{\"class\":\"burglary\",\"priority\":2,\"site_id\":%lld,\"zone\":3,"
             "\"label\":\"Intrusion zone 3\",\"event_code\":\"E130\","
             "\"note\":\"the guard phoned it in\"}",
             (long long)story->site);
    long status = 0;
    cJSON *created = NULL;
    assert_true(
        http_request(story->world, "POST", "/v1/alarms", story->alice, body, &status, &created));
    assert_int_equal(status, 201);
    int64_t id = json_int(created, "id");
    assert_true(id > 0);
    assert_string_equal(json_string(created, "class"), "burglary");
    assert_int_equal(json_int(created, "priority"), 2);
    assert_int_equal(json_int(created, "site_id"), story->site);
    assert_int_equal(json_int(created, "zone"), 3);
    assert_string_equal(json_string(created, "label"), "Intrusion zone 3");
    assert_string_equal(json_string(created, "event_code"), "E130");
    assert_string_equal(json_string(created, "source"), "manual");
    assert_string_equal(json_string(created, "subject"), "Agence Bellecour");
    assert_string_equal(json_string(created, "state"), "new");
    assert_true(json_is_null(created, "claim"));
    assert_int_equal(json_count(created, "timeline"), 1);
    assert_string_equal(json_string(created, "timeline.0.kind"), "created");
    assert_string_equal(json_string(created, "timeline.0.by"), "alice");
    assert_string_equal(json_string(created, "timeline.0.text"), "the guard phoned it in");

    cJSON *read = alarm_get(story->world, story->bob, id);
    assert_non_null(read);
    assert_int_equal(json_int(read, "sequence"), json_int(created, "sequence"));
    assert_string_equal(json_string(read, "label"), "Intrusion zone 3");
}

static void test_the_queue_lists_open_closed_and_all_alarms(void **state)
{
    struct story *story = *state;
    int64_t fire = alarm_create(story->world, story->alice, story->site, "fire", 1);
    int64_t panic = alarm_create(story->world, story->alice, story->site, "panic", 1);
    int64_t test = alarm_create(story->world, story->alice, story->site, "technical", 5);
    assert_true(fire > 0 && panic > 0 && test > 0);
    assert_int_equal(
        alarm_act(story->world, story->alice, test, "close", "{\"resolution\":\"test\"}", NULL),
        200);
    char expected[64];
    snprintf(expected, sizeof expected, "%lld,%lld", (long long)fire, (long long)panic);
    assert_string_equal(ids_of(list(story, "")), expected);
    assert_string_equal(ids_of(list(story, "?state=open")), expected);
    snprintf(expected, sizeof expected, "%lld", (long long)test);
    assert_string_equal(ids_of(list(story, "?state=closed")), expected);
    snprintf(expected, sizeof expected, "%lld,%lld,%lld", (long long)fire, (long long)panic,
             (long long)test);
    assert_string_equal(ids_of(list(story, "?state=all")), expected);
    long status = 0;
    http_request(story->world, "GET", "/v1/alarms?state=pending", story->alice, NULL, &status,
                 NULL);
    assert_int_equal(status, 400);
}

static void test_since_returns_only_the_alarms_changed_after_a_sequence(void **state)
{
    struct story *story = *state;
    int64_t first = alarm_create(story->world, story->alice, story->site, "fire", 1);
    int64_t second = alarm_create(story->world, story->alice, story->site, "burglary", 3);
    cJSON *before = list(story, "");
    assert_non_null(before);
    int64_t mark = json_int(before, "last_sequence");
    assert_int_equal(mark, json_int(alarm_get(story->world, story->alice, second), "sequence"));

    int64_t third = alarm_create(story->world, story->alice, story->site, "panic", 1);
    assert_int_equal(alarm_act(story->world, story->bob, first, "claim", NULL, NULL), 200);
    char query[64], expected[64];
    snprintf(query, sizeof query, "?since=%lld", (long long)mark);
    cJSON *after = list(story, query);
    snprintf(expected, sizeof expected, "%lld,%lld", (long long)third, (long long)first);
    assert_string_equal(ids_of(after), expected);
    int64_t claimed_sequence = json_int(alarm_get(story->world, story->alice, first), "sequence");
    assert_true(claimed_sequence > mark);
    assert_int_equal(json_int(after, "last_sequence"), claimed_sequence);
    assert_int_equal(json_int(after, "alarms.1.sequence"), claimed_sequence);

    snprintf(query, sizeof query, "?since=%lld", (long long)claimed_sequence);
    cJSON *nothing = list(story, query);
    assert_int_equal(json_count(nothing, "alarms"), 0);
    assert_int_equal(json_int(nothing, "last_sequence"), claimed_sequence);
    (void)second;
}

/* The console's first screen: the open alarms by priority, the longest
 * waiting first, whatever order they changed in. */
static void test_the_queues_head_comes_by_priority_then_waiting_time(void **state)
{
    struct story *story = *state;
    int64_t burglary = alarm_create(story->world, story->alice, story->site, "burglary", 3);
    int64_t fire = alarm_create(story->world, story->alice, story->site, "fire", 1);
    int64_t fault = alarm_create(story->world, story->alice, story->site, "technical", 5);
    int64_t panic = alarm_create(story->world, story->alice, story->site, "panic", 1);
    int64_t closed = alarm_create(story->world, story->alice, story->site, "panic", 1);
    assert_true(burglary > 0 && fire > 0 && fault > 0 && panic > 0 && closed > 0);
    assert_int_equal(
        alarm_act(story->world, story->alice, closed, "close", "{\"resolution\":\"test\"}", NULL),
        200);
    /* A later change moves the burglary to the end of the sequence order,
     * not in the queue's. */
    assert_int_equal(alarm_act(story->world, story->bob, burglary, "claim", NULL, NULL), 200);
    char expected[96];
    snprintf(expected, sizeof expected, "%lld,%lld,%lld,%lld", (long long)fire, (long long)panic,
             (long long)burglary, (long long)fault);
    cJSON *head = list(story, "?order=queue");
    assert_string_equal(ids_of(head), expected);
    assert_true(cJSON_IsFalse(json_get(head, "more")));
    snprintf(expected, sizeof expected, "%lld,%lld", (long long)fire, (long long)panic);
    head = list(story, "?state=open&order=queue&limit=2");
    assert_string_equal(ids_of(head), expected);
    assert_true(cJSON_IsFalse(json_get(head, "more"))); /* a head, not a page */
    static const char *const refused[] = {"?order=queue&state=all", "?order=queue&since=3",
                                          "?order=priority"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        char path[64];
        snprintf(path, sizeof path, "/v1/alarms%s", refused[i]);
        long status = 0;
        cJSON *json = NULL;
        http_request(story->world, "GET", path, story->alice, NULL, &status, &json);
        assert_int_equal(status, 400);
        assert_string_equal(json_string(json, "error.code"), "bad_parameter");
    }
}

static void assert_refused_naming(struct story *story, int64_t id, const char *action,
                                  const char *body, const char *holder)
{
    cJSON *json = NULL;
    assert_int_equal(alarm_act(story->world, story->bob, id, action, body, &json), 409);
    assert_string_equal(json_string(json, "error.code"), "conflict");
    const char *message = json_string(json, "error.message");
    assert_non_null(message);
    assert_non_null(strstr(message, holder));
}

static void test_an_alarm_claimed_by_alice_refuses_bob_and_names_her(void **state)
{
    struct story *story = *state;
    int64_t id = alarm_create(story->world, story->alice, story->site, "duress", 1);
    cJSON *claimed = NULL;
    assert_int_equal(alarm_act(story->world, story->alice, id, "claim", NULL, &claimed), 200);
    assert_string_equal(json_string(claimed, "state"), "claimed");
    assert_string_equal(json_string(claimed, "claim.username"), "alice");
    int64_t sequence = json_int(claimed, "sequence");

    assert_refused_naming(story, id, "claim", NULL, "alice");
    assert_refused_naming(story, id, "ack", NULL, "alice");
    assert_refused_naming(story, id, "close", "{\"resolution\":\"false-alarm\"}", "alice");
    assert_refused_naming(story, id, "notes", "{\"text\":\"mine now\"}", "alice");
    assert_refused_naming(story, id, "release", NULL, "alice");
    cJSON *after = alarm_get(story->world, story->bob, id);
    assert_string_equal(json_string(after, "state"), "claimed");
    assert_string_equal(json_string(after, "claim.username"), "alice");
    assert_int_equal(json_int(after, "sequence"), sequence);
    assert_int_equal(json_count(after, "timeline"), 2);

    cJSON *released = NULL;
    assert_int_equal(alarm_act(story->world, story->alice, id, "release", NULL, &released), 200);
    assert_string_equal(json_string(released, "state"), "new");
    assert_true(json_is_null(released, "claim"));
    cJSON *taken = NULL;
    assert_int_equal(alarm_act(story->world, story->bob, id, "claim", NULL, &taken), 200);
    assert_string_equal(json_string(taken, "claim.username"), "bob");
}

static void test_an_alarm_worked_to_its_close_has_a_timeline_of_who_did_what(void **state)
{
    struct story *story = *state;
    int64_t id = alarm_create(story->world, story->alice, story->site, "burglary", 2);
    assert_int_equal(alarm_act(story->world, story->alice, id, "claim", NULL, NULL), 200);
    assert_int_equal(alarm_act(story->world, story->alice, id, "notes",
                               "{\"text\":\"keyholder Martin called, on his way\"}", NULL),
                     200);
    cJSON *acked = NULL;
    assert_int_equal(alarm_act(story->world, story->alice, id, "ack", NULL, &acked), 200);
    assert_string_equal(json_string(acked, "state"), "acknowledged");
    cJSON *closed = NULL;
    assert_int_equal(alarm_act(story->world, story->alice, id, "close",
                               "{\"resolution\":\"keyholder-attended\",\"text\":\"door shut\"}",
                               &closed),
                     200);
    assert_string_equal(json_string(closed, "state"), "closed");
    assert_string_equal(json_string(closed, "resolution"), "keyholder-attended");
    assert_non_null(json_string(closed, "closed_at"));
    assert_true(json_is_null(closed, "claim"));

    static const char *const kinds[] = {"created", "claimed", "note", "acknowledged", "closed"};
    assert_int_equal(json_count(closed, "timeline"), 5);
    for (int i = 0; i < 5; i++) {
        char path[32];
        snprintf(path, sizeof path, "timeline.%d.kind", i);
        assert_string_equal(json_string(closed, path), kinds[i]);
        snprintf(path, sizeof path, "timeline.%d.by", i);
        assert_string_equal(json_string(closed, path), "alice");
    }
    assert_string_equal(json_string(closed, "timeline.2.text"),
                        "keyholder Martin called, on his way");
    assert_string_equal(json_string(closed, "timeline.4.text"), "keyholder-attended: door shut");

    char expected[32];
    snprintf(expected, sizeof expected, "%lld", (long long)id);
    assert_string_equal(ids_of(list(story, "?state=open")), "");
    assert_string_equal(ids_of(list(story, "?state=closed")), expected);
    /* A closed alarm takes no more action. */
    assert_int_equal(alarm_act(story->world, story->alice, id, "claim", NULL, NULL), 409);
    assert_int_equal(
        alarm_act(story->world, story->alice, id, "notes", "{\"text\":\"late\"}", NULL), 409);
}

static void test_closing_needs_a_resolution_from_the_servers_list(void **state)
{
    struct story *story = *state;
    long status = 0;
    cJSON *resolutions = NULL;
    http_request(story->world, "GET", "/v1/resolutions", story->bob, NULL, &status, &resolutions);
    assert_int_equal(status, 200);
    assert_true(json_count(resolutions, "resolutions") >= 5);
    assert_string_equal(json_string(resolutions, "resolutions.0.code"), "false-alarm");
    assert_non_null(json_string(resolutions, "resolutions.0.label"));

    int64_t id = alarm_create(story->world, story->alice, story->site, "fire", 1);
    cJSON *json = NULL;
    assert_int_equal(alarm_act(story->world, story->alice, id, "close",
                               "{\"resolution\":\"it-went-away\"}", &json),
                     422);
    assert_non_null(json_string(json, "error.code"));
    assert_int_equal(alarm_act(story->world, story->alice, id, "close", "{}", &json), 400);
    assert_string_equal(json_string(json, "error.code"), "missing_field");
    assert_string_equal(json_string(alarm_get(story->world, story->alice, id), "state"), "new");

    char body[96];
    snprintf(body, sizeof body, "{\"resolution\":\"%s\"}",
             json_string(resolutions, "resolutions.1.code"));
    assert_int_equal(alarm_act(story->world, story->alice, id, "close", body, &json), 200);
    assert_string_equal(json_string(json, "resolution"),
                        json_string(resolutions, "resolutions.1.code"));
}

static void assert_answer(struct story *story, const char *method, const char *path,
                          long expected_status, const char *expected_allow)
{
    struct http_reply reply;
    assert_true(http_send(story->world, method, path, story->alice, NULL, 0, false, &reply));
    assert_int_equal(reply.status, expected_status);
    assert_non_null(strstr(reply.content_type, "application/json"));
    assert_non_null(json_string(reply.json, "error.code"));
    assert_non_null(json_string(reply.json, "error.message"));
    if (expected_allow)
        assert_string_equal(reply.allow, expected_allow);
}

static void test_unknown_alarms_wrong_methods_and_unknown_paths_get_json_errors(void **state)
{
    struct story *story = *state;
    int64_t id = alarm_create(story->world, story->alice, story->site, "fire", 1);
    assert_true(id > 0);
    assert_answer(story, "GET", "/v1/alarms/999999", 404, NULL);
    assert_answer(story, "GET", "/v1/alarms/abc", 404, NULL);
    assert_answer(story, "GET", "/v1/alarms/0", 404, NULL);
    assert_answer(story, "GET", "/v1/alarms/-4", 404, NULL);
    assert_answer(story, "GET", "/v1/alarms/1x", 404, NULL);
    assert_answer(story, "POST", "/v1/alarms/999999/claim", 404, NULL);
    assert_answer(story, "DELETE", "/v1/alarms", 405, "GET, POST");
    assert_answer(story, "PUT", "/v1/alarms/1", 405, "GET");
    assert_answer(story, "GET", "/v1/alarms/1/claim", 405, "POST");
    assert_answer(story, "GET", "/v1/nothing-here", 404, NULL);
    assert_answer(story, "GET", "/v2/alarms", 404, NULL);
    /* None of that touched the alarm. */
    cJSON *alarm = alarm_get(story->world, story->alice, id);
    assert_string_equal(json_string(alarm, "state"), "new");
    assert_int_equal(json_count(alarm, "timeline"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_an_alarm_recorded_by_hand_is_answered_with_what_was_recorded, world_up,
            world_down),
        cmocka_unit_test_setup_teardown(test_the_queue_lists_open_closed_and_all_alarms, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_the_queues_head_comes_by_priority_then_waiting_time,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(test_since_returns_only_the_alarms_changed_after_a_sequence,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(test_an_alarm_claimed_by_alice_refuses_bob_and_names_her,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(
            test_an_alarm_worked_to_its_close_has_a_timeline_of_who_did_what, world_up, world_down),
        cmocka_unit_test_setup_teardown(test_closing_needs_a_resolution_from_the_servers_list,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(
            test_unknown_alarms_wrong_methods_and_unknown_paths_get_json_errors, world_up,
            world_down),
    };
    return cmocka_run_group_tests_name("alarms", tests, template_up, template_down);
}
