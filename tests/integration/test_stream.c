/* The event stream: a console sees changes live, hears a heartbeat, and
 * after a dropped link, a restart or a crash resumes exactly where it
 * left off: every missed event once, in order, or a resync when the
 * server cannot tell it what it missed. */
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
/* Bound of a wait for events that are already committed. */
#define EVENT_WAIT_MS 5000

struct story {
    struct world *world;
    int64_t site;
    const char *alice;
};

/* An account and a site made once; each test runs on its own copy. */
static struct world *template;
static int64_t template_site;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    return template && world_add_user(template, "alice", "operator", PASSWORD) &&
                   (template_site = world_add_site(template, "Mairie du 2e", "Lyon")) > 0
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

static int world_up_with(void **state, const char *setting)
{
    struct story *story = calloc(1, sizeof *story);
    *state = story;
    if (!story)
        return -1;
    struct world *world = story->world = world_clone(template);
    story->site = template_site;
    if (world && (!setting || world_set(world, setting)) && world_start(world) &&
        (story->alice = login(world, "alice", PASSWORD)))
        return 0;
    world_down(state); /* cmocka runs no teardown after a failed setup */
    return -1;
}

static int world_up(void **state)
{
    return world_up_with(state, NULL);
}

static int world_up_short_retention(void **state)
{
    return world_up_with(state, "event_retention=10");
}

/* A server notices a console that left at its next heartbeats; a faster
 * beat keeps the test short. */
static int world_up_fast_heartbeat(void **state)
{
    return world_up_with(state, "heartbeat_ms=300");
}

/* COUNT changes to alarms: new alarms, each then claimed. */
static bool make_changes(struct story *story, int count)
{
    int64_t pending = -1;
    for (int i = 0; i < count; i++) {
        if (pending > 0) {
            if (alarm_act(story->world, story->alice, pending, "claim", NULL, NULL) != 200)
                return false;
            pending = -1;
        } else if ((pending = alarm_create(story->world, story->alice, story->site, "burglary",
                                           3)) <= 0) {
            return false;
        }
    }
    return true;
}

/* Time given to a duplicate or a stray event to show up. */
#define SETTLE_MS 300

/* The stream's alarm events are exactly FIRST, FIRST+1, ... (COUNT of
 * them), each carrying the alarm whose sequence is its id. Call it once
 * the events had time to settle. */
static void assert_alarm_ids_settled(struct sse_client *stream, int64_t first, size_t count)
{
    assert_int_equal(sse_count(stream, "alarm"), count);
    for (size_t i = 0; i < count; i++) {
        const struct sse_event *event = sse_get(stream, "alarm", i);
        assert_int_equal(event->id, first + (int64_t)i);
        assert_int_equal(json_int(event->json, "sequence"), event->id);
    }
}

static void assert_alarm_ids(struct sse_client *stream, int64_t first, size_t count)
{
    assert_true(sse_wait(stream, "alarm", count, EVENT_WAIT_MS));
    harness_sleep_ms(SETTLE_MS);
    assert_alarm_ids_settled(stream, first, count);
}

static void test_changes_arrive_live_in_order_with_increasing_ids(void **state)
{
    struct story *story = *state;
    struct sse_client *stream = sse_open(story->world, story->alice, NULL);
    assert_int_equal(sse_status(stream), 200);
    int64_t fire = alarm_create(story->world, story->alice, story->site, "fire", 1);
    int64_t panic = alarm_create(story->world, story->alice, story->site, "panic", 1);
    assert_int_equal(alarm_act(story->world, story->alice, fire, "claim", NULL, NULL), 200);
    assert_alarm_ids(stream, 1, 3);
    assert_int_equal(json_int(sse_get(stream, "alarm", 0)->json, "id"), fire);
    assert_string_equal(json_string(sse_get(stream, "alarm", 0)->json, "state"), "new");
    assert_int_equal(json_int(sse_get(stream, "alarm", 1)->json, "id"), panic);
    assert_int_equal(json_int(sse_get(stream, "alarm", 2)->json, "id"), fire);
    assert_string_equal(json_string(sse_get(stream, "alarm", 2)->json, "state"), "claimed");
    assert_string_equal(json_string(sse_get(stream, "alarm", 2)->json, "claim.username"), "alice");
}

static void test_a_heartbeat_comes_every_two_seconds_with_node_and_last_sequence(void **state)
{
    struct story *story = *state;
    assert_true(make_changes(story, 2));
    struct sse_client *stream = sse_open(story->world, story->alice, NULL);
    assert_int_equal(sse_status(stream), 200);
    assert_true(sse_wait(stream, "heartbeat", 1, 1000));
    assert_true(sse_wait(stream, "heartbeat", 2, 2600));
    const struct sse_event *first = sse_get(stream, "heartbeat", 0);
    const struct sse_event *second = sse_get(stream, "heartbeat", 1);
    assert_true(second->received_ms - first->received_ms <= 2500);
    assert_int_equal(second->id, -1); /* a heartbeat does not move the resume point */
    assert_string_equal(json_string(second->json, "node"), story->world->node_name);
    assert_int_equal(json_int(second->json, "last_sequence"), 2);
    assert_non_null(json_string(second->json, "time"));
    assert_int_equal(sse_count(stream, "alarm"), 0);
}

static void test_a_console_that_reconnects_gets_every_missed_event_exactly_once(void **state)
{
    struct story *story = *state;
    struct sse_client *stream = sse_open(story->world, story->alice, NULL);
    assert_true(make_changes(story, 3));
    assert_true(sse_wait(stream, "alarm", 3, EVENT_WAIT_MS));
    int64_t last_seen = sse_last_id(stream);
    assert_int_equal(last_seen, 3);
    sse_close(stream);

    assert_true(make_changes(story, 20));
    char resume[32];
    snprintf(resume, sizeof resume, "%lld", (long long)last_seen);
    stream = sse_open(story->world, story->alice, resume);
    assert_int_equal(sse_status(stream), 200);
    assert_alarm_ids(stream, last_seen + 1, 20);
    /* And it is live again after the catch-up. */
    assert_true(make_changes(story, 1));
    assert_true(sse_wait(stream, "alarm", 21, EVENT_WAIT_MS));
    assert_int_equal(sse_get(stream, "alarm", 20)->id, last_seen + 21);
    assert_int_equal(sse_count(stream, "resync"), 0);
}

static void test_a_last_event_id_the_server_never_sent_gets_a_resync(void **state)
{
    struct story *story = *state;
    assert_true(make_changes(story, 2));
    struct sse_client *stream = sse_open(story->world, story->alice, "999");
    assert_int_equal(sse_status(stream), 200);
    assert_true(sse_wait(stream, "resync", 1, EVENT_WAIT_MS));
    const struct sse_event *resync = sse_get(stream, "resync", 0);
    assert_int_equal(json_int(resync->json, "last_sequence"), 2);
    assert_non_null(json_string(resync->json, "reason"));
    assert_int_equal(sse_count(stream, "alarm"), 0);
    assert_true(make_changes(story, 1));
    assert_true(sse_wait(stream, "alarm", 1, EVENT_WAIT_MS));
    assert_int_equal(sse_get(stream, "alarm", 0)->id, 3);

    struct sse_client *garbage = sse_open(story->world, story->alice, "yesterday");
    assert_int_equal(sse_status(garbage), 400);
}

/* Whether a stream resumed after `last_id` starts with a resync. */
static bool resume_gets_resync(struct story *story, const char *last_id)
{
    struct sse_client *stream = sse_open(story->world, story->alice, last_id);
    bool resync = false;
    if (sse_status(stream) == 200) {
        sse_wait(stream, "resync", 1, 800);
        resync = sse_count(stream, "resync") > 0 &&
                 (sse_count(stream, "alarm") == 0 || sse_get(stream, "alarm", 0)->received_ms >
                                                         sse_get(stream, "resync", 0)->received_ms);
    }
    sse_close(stream);
    return resync;
}

static void test_a_console_too_far_behind_the_kept_events_gets_a_resync(void **state)
{
    struct story *story = *state;
    assert_true(make_changes(story, 50));
    /* Old events are trimmed by housekeeping: give it a few seconds. */
    int64_t deadline = harness_now_ms() + 6000;
    bool resync = false;
    while (!resync && harness_now_ms() < deadline) {
        resync = resume_gets_resync(story, "1");
        if (!resync)
            harness_sleep_ms(200);
    }
    assert_true(resync);
    /* A console that is only a little behind still gets what it missed. */
    struct sse_client *stream = sse_open(story->world, story->alice, "45");
    assert_alarm_ids(stream, 46, 5);
    assert_int_equal(sse_count(stream, "resync"), 0);
}

static void test_twenty_consoles_watch_the_stream_at_once(void **state)
{
    struct story *story = *state;
    enum { CONSOLES = 20 };
    struct sse_client *streams[CONSOLES];
    for (int i = 0; i < CONSOLES; i++) {
        streams[i] = sse_open(story->world, story->alice, NULL);
        assert_int_equal(sse_status(streams[i]), 200);
    }
    long status = 0;
    cJSON *health = NULL;
    http_request(story->world, "GET", "/v1/health", NULL, NULL, &status, &health);
    assert_int_equal(status, 200);
    assert_int_equal(json_int(health, "stream_clients"), CONSOLES);
    assert_true(make_changes(story, 6));
    for (int i = 0; i < CONSOLES; i++)
        assert_true(sse_wait(streams[i], "alarm", 6, EVENT_WAIT_MS));
    harness_sleep_ms(SETTLE_MS);
    for (int i = 0; i < CONSOLES; i++)
        assert_alarm_ids_settled(streams[i], 1, 6);
    for (int i = 0; i < CONSOLES / 2; i++)
        sse_close(streams[i]);
    /* The server notices the consoles that left. */
    int64_t deadline = harness_now_ms() + EVENT_WAIT_MS, clients = -1;
    while (harness_now_ms() < deadline) {
        http_request(story->world, "GET", "/v1/health", NULL, NULL, &status, &health);
        if ((clients = json_int(health, "stream_clients")) == CONSOLES / 2)
            break;
        harness_sleep_ms(50);
    }
    assert_int_equal(clients, CONSOLES / 2);
}

static void test_after_a_restart_the_console_resumes_from_its_last_id(void **state)
{
    struct story *story = *state;
    struct sse_client *stream = sse_open(story->world, story->alice, NULL);
    assert_true(make_changes(story, 4));
    assert_true(sse_wait(stream, "alarm", 4, EVENT_WAIT_MS));
    int64_t last_seen = sse_last_id(stream);
    assert_int_equal(world_stop(story->world), 0);
    /* The console learns at once that its server went away. */
    assert_true(sse_wait_ended(stream, EVENT_WAIT_MS));
    sse_close(stream);

    assert_true(world_start(story->world));
    const char *token = login(story->world, "alice", PASSWORD);
    assert_non_null(token);
    story->alice = token;
    assert_true(make_changes(story, 5));
    char resume[32];
    snprintf(resume, sizeof resume, "%lld", (long long)last_seen);
    stream = sse_open(story->world, token, resume);
    assert_int_equal(sse_status(stream), 200);
    assert_alarm_ids(stream, last_seen + 1, 5);
    assert_int_equal(sse_count(stream, "resync"), 0);
}

static void test_after_a_crash_nothing_acknowledged_is_lost_from_the_stream(void **state)
{
    struct story *story = *state;
    struct sse_client *stream = sse_open(story->world, story->alice, NULL);
    assert_true(make_changes(story, 3));
    assert_true(sse_wait(stream, "alarm", 3, EVENT_WAIT_MS));
    int64_t last_seen = sse_last_id(stream);
    sse_close(stream);
    /* Changes the console did not see, then kill -9. */
    assert_true(make_changes(story, 6));
    world_kill(story->world);

    assert_true(world_start(story->world));
    story->alice = login(story->world, "alice", PASSWORD);
    assert_non_null(story->alice);
    assert_true(make_changes(story, 4));
    char resume[32];
    snprintf(resume, sizeof resume, "%lld", (long long)last_seen);
    stream = sse_open(story->world, story->alice, resume);
    assert_int_equal(sse_status(stream), 200);
    assert_alarm_ids(stream, last_seen + 1, 10);
    long status = 0;
    cJSON *list = NULL;
    http_request(story->world, "GET", "/v1/alarms", story->alice, NULL, &status, &list);
    assert_int_equal(json_int(list, "last_sequence"), last_seen + 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_changes_arrive_live_in_order_with_increasing_ids,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(
            test_a_heartbeat_comes_every_two_seconds_with_node_and_last_sequence, world_up,
            world_down),
        cmocka_unit_test_setup_teardown(
            test_a_console_that_reconnects_gets_every_missed_event_exactly_once, world_up,
            world_down),
        cmocka_unit_test_setup_teardown(test_a_last_event_id_the_server_never_sent_gets_a_resync,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(test_a_console_too_far_behind_the_kept_events_gets_a_resync,
                                        world_up_short_retention, world_down),
        cmocka_unit_test_setup_teardown(test_twenty_consoles_watch_the_stream_at_once,
                                        world_up_fast_heartbeat, world_down),
        cmocka_unit_test_setup_teardown(test_after_a_restart_the_console_resumes_from_its_last_id,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(
            test_after_a_crash_nothing_acknowledged_is_lost_from_the_stream, world_up, world_down),
    };
    return cmocka_run_group_tests_name("stream", tests, template_up, template_down);
}
