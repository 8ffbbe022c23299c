/* Claim leases: an alarm claimed by a console that went silent returns to
 * the queue by itself; a console that is alive (its stream open, or its
 * heartbeat requests) keeps what it holds. Leases are 2 s here. */
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
/* The lease under test, and how long a live console is watched: more
 * than two leases. */
#define LEASE_MS 2000
#define WATCH_MS 5000

struct story {
    struct world *world;
    int64_t site, alarm;
    const char *alice, *bob;
};

static struct world *template;
static int64_t template_site;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    return template && world_add_user(template, "alice", "operator", PASSWORD) &&
                   world_add_user(template, "bob", "operator", PASSWORD) &&
                   world_add_user(template, "carol", "operator", PASSWORD) &&
                   world_add_user(template, "dave", "operator", PASSWORD) &&
                   (template_site = world_add_site(template, "Chantier Confluence", "Lyon")) > 0 &&
                   world_set(template, "claim_lease_seconds=2") &&
                   /* Well under the lease, as in production (2 s for 30 s). */
                   world_set(template, "heartbeat_ms=500")
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
        (story->bob = login(world, "bob", PASSWORD)) &&
        (story->alarm = alarm_create(world, story->bob, story->site, "burglary", 2)) > 0)
        return 0;
    world_down(state); /* cmocka runs no teardown after a failed setup */
    return -1;
}

/* The alarm as bob sees it: alice's own requests are not what is tested. */
static cJSON *seen_by_bob(struct story *story)
{
    return alarm_get(story->world, story->bob, story->alarm);
}

static void test_a_claim_with_no_sign_of_life_goes_back_to_the_queue(void **state)
{
    struct story *story = *state;
    cJSON *claimed = NULL;
    int64_t start = harness_now_ms();
    assert_int_equal(alarm_act(story->world, story->alice, story->alarm, "claim", NULL, &claimed),
                     200);
    assert_non_null(json_string(claimed, "claim.expires_at"));
    harness_sleep_ms(LEASE_MS / 2);
    assert_string_equal(json_string(seen_by_bob(story), "state"), "claimed");

    cJSON *alarm = NULL;
    int64_t elapsed = 0;
    while ((elapsed = harness_now_ms() - start) < LEASE_MS + 3000) {
        alarm = seen_by_bob(story);
        const char *state_name = json_string(alarm, "state");
        if (state_name && strcmp(state_name, "new") == 0)
            break;
        harness_sleep_ms(100);
    }
    assert_string_equal(json_string(alarm, "state"), "new");
    assert_true(elapsed >= LEASE_MS - 100);
    assert_true(json_is_null(alarm, "claim"));
    int entries = json_count(alarm, "timeline");
    assert_int_equal(entries, 3);
    char path[32];
    snprintf(path, sizeof path, "timeline.%d.kind", entries - 1);
    assert_string_equal(json_string(alarm, path), "expired");
    snprintf(path, sizeof path, "timeline.%d.by", entries - 1);
    assert_string_equal(json_string(alarm, path), "system");
    snprintf(path, sizeof path, "timeline.%d.text", entries - 1);
    assert_non_null(strstr(json_string(alarm, path), "alice"));
    /* Back in the queue: a colleague takes it. */
    cJSON *taken = NULL;
    assert_int_equal(alarm_act(story->world, story->bob, story->alarm, "claim", NULL, &taken), 200);
    assert_string_equal(json_string(taken, "claim.username"), "bob");
}

static int64_t claim_new_alarm(struct story *story, const char *token)
{
    int64_t id = alarm_create(story->world, story->bob, story->site, "panic", 1);
    return id > 0 && alarm_act(story->world, token, id, "claim", NULL, NULL) == 200 ? id : -1;
}

static void assert_held_by(struct story *story, int64_t id, const char *holder)
{
    cJSON *alarm = alarm_get(story->world, story->bob, id);
    assert_string_equal(json_string(alarm, "state"), "claimed");
    assert_string_equal(json_string(alarm, "claim.username"), holder);
    cJSON *json = NULL;
    assert_int_equal(alarm_act(story->world, story->bob, id, "claim", NULL, &json), 409);
    assert_non_null(strstr(json_string(json, "error.message"), holder));
}

/* Three consoles hold an alarm each for more than two leases: alice keeps
 * her stream open, carol sends heartbeat requests, dave is silent. */
static void test_a_live_console_keeps_its_claim_by_its_stream_or_its_heartbeats(void **state)
{
    struct story *story = *state;
    const char *carol = login(story->world, "carol", PASSWORD);
    const char *dave = login(story->world, "dave", PASSWORD);
    assert_non_null(carol);
    assert_non_null(dave);
    struct sse_client *stream = sse_open(story->world, story->alice, NULL);
    assert_int_equal(sse_status(stream), 200);
    int64_t by_stream = claim_new_alarm(story, story->alice);
    int64_t by_heartbeat = claim_new_alarm(story, carol);
    int64_t silent = claim_new_alarm(story, dave);
    assert_true(by_stream > 0 && by_heartbeat > 0 && silent > 0);

    int64_t end = harness_now_ms() + WATCH_MS;
    while (harness_now_ms() < end) {
        long status = 0;
        http_request(story->world, "POST", "/v1/sessions/current/heartbeat", carol, NULL, &status,
                     NULL);
        assert_int_equal(status, 200);
        harness_sleep_ms(LEASE_MS / 4);
    }
    assert_true(sse_count(stream, "heartbeat") >= WATCH_MS / 500 - 2);
    assert_held_by(story, by_stream, "alice");
    assert_held_by(story, by_heartbeat, "carol");
    cJSON *lost = alarm_get(story->world, story->bob, silent);
    assert_string_equal(json_string(lost, "state"), "new");
    assert_true(json_is_null(lost, "claim"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_claim_with_no_sign_of_life_goes_back_to_the_queue,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(
            test_a_live_console_keeps_its_claim_by_its_stream_or_its_heartbeats, world_up,
            world_down),
    };
    return cmocka_run_group_tests_name("lease", tests, template_up, template_down);
}
