/* A mass alert to thousands of agents is answered as soon as its
 * selection is frozen, and its recipients' messages are written
 * afterwards, a chunk at a time, while alarms keep being recorded: the
 * operator gets the alert's number at once and watches "written" climb to
 * the recipients' count; every agent ends with exactly one message; a
 * kill -9 in the middle of the writing resumes at the next start with
 * nobody missing and nobody twice; a cancel in the middle writes and
 * sends no more; an alarm recorded during the writing is stored and
 * visible at once. Through a real Kannel on loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/harness.h"
#include "tests/lib/harness_agents.h"
#include "tests/lib/harness_kannel.h"

#define PASSWORD "night-shift-42"
/* More than two chunks of the fan-out (MASSALERT_FANOUT_CHUNK, 2,000). */
#define AGENTS  3000
#define WAIT_MS 120000

struct story {
    struct world *world;
    struct kannel *kannel;
    const char *operator;
    const char *supervisor;
};

static struct world *template;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    return template && world_add_user(template, "night-op", "operator", PASSWORD) &&
                   world_add_user(template, "chief", "supervisor", PASSWORD) &&
                   world_import_agents(template, AGENTS) &&
                   world_add_site(template, "Opéra", "Paris")
               ? 0
               : -1;
}

static int template_down(void **state)
{
    (void)state;
    return world_destroy(template) ? 0 : -1;
}

static int story_up_rate(void **state, const char *rate)
{
    struct story *story = calloc(1, sizeof *story);
    *state = story;
    if (!story || !(story->world = world_clone(template)))
        return -1;
    world_set(story->world, rate);
    world_set(story->world, "outbox_concurrency=64");
    if (!(story->kannel = kannel_start(story->world)) || !world_start(story->world))
        return -1;
    story->operator= login(story->world, "night-op", PASSWORD);
    story->supervisor = login(story->world, "chief", PASSWORD);
    return story->operator&& story->supervisor ? 0 : - 1;
}

static int story_up_fast(void **state)
{
    return story_up_rate(state, "sms_rate=0");
}

static int story_up_slow(void **state)
{
    return story_up_rate(state, "sms_rate=20");
}

static int story_down(void **state)
{
    struct story *story = *state;
    bool clean = story ? world_destroy(story->world) : true;
    free(story);
    return clean ? 0 : -1;
}

/* Sends to every agent by SMS; the answer. */
static cJSON *send_alert(struct story *story)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"area\":{\"circle\":{\"lat\":%.4f,\"lon\":%.4f,\"radius_m\":2000}},"
             "\"channels\":[\"sms\"],\"message\":\"STAY ON SITE\"}",
             AGENTS_CENTRE_LAT, AGENTS_CENTRE_LON);
    long status = 0;
    cJSON *answer = NULL;
    assert_true(http_request(story->world, "POST", "/v1/massalerts", story->operator, body, &status,
                             &answer));
    if (status != 201)
        fail_msg("%ld %s", status, answer ? cJSON_PrintUnformatted(answer) : "");
    assert_int_equal(json_int(answer, "recipients"), AGENTS);
    assert_int_equal(json_int(answer, "deliveries.sms"), AGENTS);
    return answer;
}

static cJSON *alert_get(struct story *story, int64_t id)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/massalerts/%lld", (long long)id);
    long status = 0;
    cJSON *answer = NULL;
    assert_true(http_request(story->world, "GET", path, story->supervisor, NULL, &status, &answer));
    assert_int_equal(status, 200);
    return answer;
}

/* Waits until every recipient is written and nothing is queued. */
static cJSON *alert_wait_settled(struct story *story, int64_t id)
{
    int64_t deadline = harness_now_ms() + WAIT_MS;
    cJSON *alert;
    do {
        alert = alert_get(story, id);
        if (json_int(alert, "written") == json_int(alert, "recipients") &&
            json_int(alert, "counts.sms.queued") == 0)
            return alert;
        harness_sleep_ms(200);
    } while (harness_now_ms() < deadline);
    fail_msg("not settled: written %lld of %lld, %s", (long long)json_int(alert, "written"),
             (long long)json_int(alert, "recipients"),
             cJSON_PrintUnformatted(json_get(alert, "counts")));
    return NULL;
}

/* Waits until the fan-out has written more than `at_least` recipients;
 * how many it has. */
static int64_t alert_wait_written(struct story *story, int64_t id, int64_t at_least)
{
    int64_t deadline = harness_now_ms() + WAIT_MS, written;
    do {
        written = json_int(alert_get(story, id), "written");
        if (written > at_least)
            return written;
        harness_sleep_ms(2);
    } while (harness_now_ms() < deadline);
    fail_msg("the fan-out is stuck at %lld of %d", (long long)written, AGENTS);
    return 0;
}

/* An SMS count of the alert (0 while none of its messages is written). */
static int64_t count_of(const cJSON *alert, const char *name)
{
    char path[64];
    snprintf(path, sizeof path, "counts.sms.%s", name);
    int64_t n = json_int(alert, path);
    return n == INT64_MIN ? 0 : n;
}

static int64_t sql_count(struct story *story, const char *format, int64_t id)
{
    char sql[512];
    snprintf(sql, sizeof sql, format, (long long)id);
    return world_sql_int(story->world, NULL, sql);
}

#define ROWS_OF_ALERT                                                                              \
    "SELECT COUNT(*) FROM outbox o JOIN massalert_recipients r ON r.id = o.owner_id"               \
    " WHERE o.kind = 'massalert' AND r.alert_id = %lld"

/* Every agent has one recipient row and one SMS, no more. */
static void assert_each_agent_once(struct story *story, int64_t id, int64_t expected)
{
    assert_int_equal(sql_count(story, ROWS_OF_ALERT, id), expected);
    assert_int_equal(sql_count(story,
                               "SELECT COUNT(DISTINCT agent_id) FROM massalert_recipients"
                               " WHERE alert_id = %lld",
                               id),
                     expected);
    assert_int_equal(
        sql_count(story, "SELECT COUNT(*) FROM massalert_recipients WHERE alert_id = %lld", id),
        expected);
    assert_int_equal(sql_count(story,
                               "SELECT COUNT(DISTINCT o.recipient) FROM outbox o"
                               " JOIN massalert_recipients r ON r.id = o.owner_id"
                               " WHERE o.kind = 'massalert' AND r.alert_id = %lld",
                               id),
                     expected);
}

/* How many numbers the SMS centre got 0 times, and how many more than once. */
static void tally_centre(struct kannel *kannel, int *missing, int *doubled, size_t *lines)
{
    static int times[AGENTS + 1];
    memset(times, 0, sizeof times);
    const char *text = kannel_received(kannel, lines);
    for (const char *line = text; *line;) {
        const char *number = strstr(line, " +336100");
        const char *end = strchr(line, '\n');
        if (number && (!end || number < end)) {
            int i = atoi(number + strlen(" +336100"));
            if (i >= 1 && i <= AGENTS)
                times[i]++;
        }
        if (!end)
            break;
        line = end + 1;
    }
    *missing = *doubled = 0;
    for (int i = 1; i <= AGENTS; i++) {
        *missing += times[i] == 0;
        *doubled += times[i] > 1 ? times[i] - 1 : 0;
    }
}

static void
test_the_send_is_answered_before_its_fan_out_ends_and_each_agent_has_one_sms(void **state)
{
    struct story *story = *state;
    struct sse_client *stream = sse_open(story->world, story->supervisor, NULL);
    assert_int_equal(sse_status(stream), 200);
    int64_t id = json_int(send_alert(story), "id");

    /* The send's own event: every recipient counted, few written yet. */
    assert_true(sse_wait(stream, "massalert", 1, WAIT_MS));
    const struct sse_event *first = sse_get(stream, "massalert", 0);
    assert_int_equal(json_int(first->json, "id"), id);
    assert_string_equal(json_string(first->json, "state"), "sending");
    assert_int_equal(json_int(first->json, "recipients"), AGENTS);
    assert_int_equal(json_int(first->json, "written"), 0);

    /* The messages go at 20 a second: the fan-out is over long before. */
    alert_wait_written(story, id, AGENTS - 1);
    cJSON *alert = alert_get(story, id);
    assert_int_equal(json_int(alert, "recipients"), AGENTS);
    assert_int_equal(count_of(alert, "queued") + count_of(alert, "sent") +
                         count_of(alert, "delivered") + count_of(alert, "failed"),
                     AGENTS);
    assert_each_agent_once(story, id, AGENTS);
    assert_int_equal(
        sql_count(story, "SELECT COUNT(*) FROM massalert_fanout WHERE alert_id = %lld", id), 0);
    /* Written in several jobs, each a chunk: "written" climbed on the
     * stream, never down. */
    assert_true(sse_wait(stream, "massalert", 2, WAIT_MS));
    int64_t previous = 0;
    size_t climbs = 0;
    for (size_t i = 0; i < sse_count(stream, "massalert"); i++) {
        const struct sse_event *event = sse_get(stream, "massalert", i);
        int64_t written = json_int(event->json, "written");
        assert_true(written >= previous);
        climbs += written > previous && written < AGENTS;
        previous = written;
    }
    fprintf(stderr, "# %zu events showed the fan-out part-way\n", climbs);
    sse_close(stream);
}

static void test_a_kill_during_the_fan_out_resumes_it_with_nobody_missing_or_twice(void **state)
{
    struct story *story = *state;
    int64_t id = json_int(send_alert(story), "id");
    /* Killed once a chunk is written: the restart resumes part-way. */
    alert_wait_written(story, id, 0);
    world_kill(story->world);
    int64_t written = sql_count(story, "SELECT fanout_cursor FROM massalerts WHERE id = %lld", id);
    if (written >= AGENTS)
        fail_msg("the fan-out ended before the kill: nothing to resume");
    /* The cursor and the rows were committed together. */
    assert_int_equal(
        sql_count(story, "SELECT COUNT(*) FROM massalert_recipients WHERE alert_id = %lld", id),
        written);
    assert_int_equal(sql_count(story, ROWS_OF_ALERT, id), written);
    assert_true(world_restart(story->world));
    story->operator= login(story->world, "night-op", PASSWORD);
    story->supervisor = login(story->world, "chief", PASSWORD);

    cJSON *alert = alert_wait_settled(story, id);
    assert_int_equal(json_int(alert, "written"), AGENTS);
    assert_int_equal(json_int(alert, "counts.sms.failed"), 0);
    assert_each_agent_once(story, id, AGENTS);
    assert_non_null(strstr(world_log(story->world), "fan-out resumed at recipient"));
    assert_true(kannel_wait_received(story->kannel, AGENTS, WAIT_MS));
    harness_sleep_ms(1000);
    int missing = 0, doubled = 0;
    size_t lines = 0;
    tally_centre(story->kannel, &missing, &doubled, &lines);
    fprintf(stderr, "# killed with %lld of %d written; %zu SMS at the centre\n", (long long)written,
            AGENTS, lines);
    assert_int_equal(missing, 0);
    /* Only what was under way at the kill can come twice (Kannel's
     * sendsms has no key); its delivery report arrives during the grace
     * vigied gives such messages, so none does here. */
    assert_int_equal(doubled, 0);
    /* Done once the fan-out is over and nothing is left to send. */
    assert_string_equal(json_string(alert_get(story, id), "state"), "done");
    assert_int_equal(
        sql_count(story, "SELECT COUNT(*) FROM massalert_fanout WHERE alert_id = %lld", id), 0);
}

static void test_a_cancel_during_the_fan_out_writes_and_sends_no_more(void **state)
{
    struct story *story = *state;
    int64_t id = json_int(send_alert(story), "id");
    char path[64];
    snprintf(path, sizeof path, "/v1/massalerts/%lld/cancel", (long long)id);
    long status = 0;
    cJSON *answer = NULL;
    assert_true(http_request(story->world, "POST", path, story->operator, NULL, &status, &answer));
    assert_int_equal(status, 200);
    int64_t not_sent = json_int(answer, "not_sent");
    int64_t written = sql_count(story, "SELECT fanout_cursor FROM massalerts WHERE id = %lld", id);
    if (written >= AGENTS)
        fail_msg("the fan-out ended before the cancel: nothing to stop");
    int64_t rows = sql_count(story, ROWS_OF_ALERT, id);
    assert_int_equal(rows, written);

    /* Nothing more is written; what had not left stays. */
    harness_sleep_ms(2000);
    cJSON *alert = alert_get(story, id);
    assert_string_equal(json_string(alert, "state"), "cancelled");
    assert_int_equal(json_int(alert, "recipients"), AGENTS);
    assert_int_equal(json_int(alert, "written"), written);
    assert_int_equal(sql_count(story, ROWS_OF_ALERT, id), rows);
    assert_int_equal(
        sql_count(story, "SELECT COUNT(*) FROM massalert_fanout WHERE alert_id = %lld", id), 0);
    int64_t left = count_of(alert, "sent") + count_of(alert, "delivered");
    assert_int_equal(count_of(alert, "queued"), 0);
    assert_int_equal(left + not_sent, AGENTS);
    assert_int_equal(count_of(alert, "failed"), not_sent - (AGENTS - written));
    size_t received = 0;
    kannel_received(story->kannel, &received);
    assert_int_equal((int64_t)received, left);
    fprintf(stderr, "# cancelled with %lld of %d written: %lld not sent, %lld sent\n",
            (long long)written, AGENTS, (long long)not_sent, (long long)left);
}

static void test_an_alarm_recorded_during_the_fan_out_is_stored_and_visible(void **state)
{
    struct story *story = *state;
    int64_t site =
        world_sql_int(story->world, NULL, "SELECT MAX(id) FROM sites WHERE name = 'Opéra'");
    assert_true(site > 0);
    int64_t id = json_int(send_alert(story), "id");
    int64_t alarm = alarm_create(story->world, story->operator, site, "burglary", 2);
    assert_true(alarm > 0);
    /* Answered (so on disk) while the fan-out was still writing. */
    int64_t written = json_int(alert_get(story, id), "written");
    if (written >= AGENTS)
        fail_msg("the fan-out ended before the alarm was answered: nothing shown");
    cJSON *detail = alarm_get(story->world, story->supervisor, alarm);
    assert_non_null(detail);
    assert_int_equal(json_int(detail, "id"), alarm);
    assert_string_equal(json_string(detail, "class"), "burglary");
    fprintf(stderr, "# alarm %lld answered with %lld of %d recipients written\n", (long long)alarm,
            (long long)written, AGENTS);
    alert_wait_written(story, id, AGENTS - 1);
    assert_each_agent_once(story, id, AGENTS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_the_send_is_answered_before_its_fan_out_ends_and_each_agent_has_one_sms,
            story_up_slow, story_down),
        cmocka_unit_test_setup_teardown(
            test_a_kill_during_the_fan_out_resumes_it_with_nobody_missing_or_twice, story_up_fast,
            story_down),
        cmocka_unit_test_setup_teardown(test_a_cancel_during_the_fan_out_writes_and_sends_no_more,
                                        story_up_slow, story_down),
        cmocka_unit_test_setup_teardown(
            test_an_alarm_recorded_during_the_fan_out_is_stored_and_visible, story_up_slow,
            story_down),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, template_up, template_down);
}
