/* Protection phones: a victim presses SOS and the operator's queue and
 * stream have the alarm at once, with her file, position and battery; the
 * phone keeps sending positions to the same alarm's track; a stranger's
 * token or a forged AML message gets nothing stored; 24 hours later (2 s
 * here) the technical data is gone but the alarm and its audit are not,
 * and a console resuming from before is told to reload; a phone that
 * missed its test shows up as a technical alarm until it tests again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/lib/harness.h"
#include "tests/lib/harness_devices.h"

#define PASSWORD "night-shift-42"
/* The AML identity of TGD-0002 in these tests. */
#define AML_NUMBER "+33612345678"
#define AML_KEY    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
/* "Within milliseconds", with room for a sanitizer build on a busy host. */
#define STREAM_WITHIN_MS 1000
#define WAIT_MS          8000

struct story {
    struct world *world;
    const char *operator;
};

static struct world *template;
static struct demo_tokens *tokens;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    if (!template || !(tokens = world_load_demo(template)))
        return -1;
    return world_add_user(template, "night-op", "operator", PASSWORD) &&
                   world_sql(template, NULL,
                             "UPDATE devices SET msisdn = '" AML_NUMBER "', aml_key_hex = '" AML_KEY
                             "' WHERE device_uid = 'TGD-0002'")
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

/* A copy of the template, `sql` run on it and `setting` given, started. */
static int world_up_with(void **state, const char *sql, const char *setting)
{
    struct story *story = calloc(1, sizeof *story);
    *state = story;
    if (!story)
        return -1;
    struct world *world = story->world = world_clone(template);
    if (world && (!sql || world_sql(world, NULL, sql)) && (!setting || world_set(world, setting)) &&
        world_start(world) && (story->operator= login(world, "night-op", PASSWORD)))
        return 0;
    world_down(state);
    return -1;
}

static int world_up(void **state)
{
    return world_up_with(state, NULL, NULL);
}

static int world_up_short_retention(void **state)
{
    return world_up_with(state, NULL, "technical_data_seconds=2");
}

/* TGD-0003 was last tested 16 days ago and must test every minute. */
static int world_up_overdue(void **state)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE devices SET test_interval_s = 60, last_test_at = %lld"
             " WHERE device_uid = 'TGD-0003'",
             (long long)time(NULL) * 1000 - 16LL * 86400 * 1000);
    return world_up_with(state, sql, NULL);
}

static int64_t device_column(struct world *world, const char *column, const char *uid)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT %s FROM devices WHERE device_uid = '%s'", column, uid);
    return world_sql_int(world, NULL, sql);
}

static const char sos_json[] =
    "{\"device_id\":\"TGD-0001\",\"trigger\":\"sos\",\"battery\":64,"
    "\"position\":{\"lat\":48.8566,\"lon\":2.3522,\"accuracy_m\":12,\"source\":\"gps\","
    "\"fix_time\":\"2025-03-14T09:26:50Z\"}}";

static int64_t send_sos(struct story *story)
{
    struct http_reply reply;
    assert_true(device_send(story->world, demo_token(tokens, "TGD-0001"), sos_json, &reply));
    assert_int_equal(reply.status, 201);
    assert_false(cJSON_IsTrue(json_get(reply.json, "tracking")));
    return json_int(reply.json, "alarm_id");
}

static void test_an_sos_reaches_the_queue_and_the_stream_at_once(void **state)
{
    struct story *story = *state;
    struct sse_client *stream = sse_open(story->world, story->operator, NULL);
    assert_int_equal(sse_status(stream), 200);
    int64_t sent_ms = harness_now_ms();
    int64_t id = send_sos(story);
    assert_true(sse_wait(stream, "alarm", 1, WAIT_MS));
    const struct sse_event *event = sse_get(stream, "alarm", 0);
    assert_int_equal(json_int(event->json, "id"), id);
    assert_true(event->received_ms - sent_ms < STREAM_WITHIN_MS);
    cJSON *alarm = alarm_get(story->world, story->operator, id);
    assert_non_null(alarm);
    assert_int_equal(json_int(alarm, "victim_id"),
                     device_column(story->world, "victim_id", "TGD-0001"));
    assert_int_equal(json_int(alarm, "priority"), 1);
    assert_string_equal(json_string(alarm, "class"), "panic");
    assert_string_equal(json_string(alarm, "source"), "device");
    assert_int_equal(json_int(alarm, "battery"), 64);
    assert_true(json_get(alarm, "position.lat")->valuedouble == 48.8566);
    assert_true(json_get(alarm, "position.lon")->valuedouble == 2.3522);
    assert_string_equal(json_string(alarm, "position.source"), "gps");
    assert_string_equal(json_string(alarm, "position.fix_at"), "2025-03-14T09:26:50.000Z");
    long status = 0;
    cJSON *queue = NULL;
    assert_true(
        http_request(story->world, "GET", "/v1/alarms", story->operator, NULL, &status, &queue));
    assert_int_equal(json_int(queue, "alarms.0.id"), id);
    assert_true(cJSON_IsTrue(json_get(queue, "alarms.0.has_position")));
}

static void test_positions_follow_the_track_of_the_same_alarm(void **state)
{
    struct story *story = *state;
    struct sse_client *stream = sse_open(story->world, story->operator, NULL);
    assert_int_equal(sse_status(stream), 200);
    char output[2048];
    int status =
        world_sim(story->world, output, sizeof output, "phone", "--server", story->world->base_url,
                  "--device", "TGD-0001", "--token", demo_token(tokens, "TGD-0001"), "--lat",
                  "48.8566", "--lon", "2.3522", "--battery", "55", "--follow", "--count", "4",
                  "--interval", "0.1", NULL);
    if (status != 0)
        fail_msg("vigie-sim phone exited %d: %s", status, output);
    int64_t id = 0;
    assert_int_equal(sscanf(output, "201 alarm %lld", (long long *)&id), 1);
    assert_non_null(strstr(output, "tracking"));
    assert_int_equal(world_sql_int(story->world, NULL, "SELECT COUNT(*) FROM alarms"), 1);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM positions WHERE alarm_id = %lld",
             (long long)id);
    assert_int_equal(world_sql_int(story->world, NULL, sql), 4);
    /* Creation, its first position, three more: five changes, live. */
    assert_true(sse_wait(stream, "alarm", 5, WAIT_MS));
    for (size_t i = 0; i < sse_count(stream, "alarm"); i++) {
        const struct sse_event *event = sse_get(stream, "alarm", i);
        assert_int_equal(json_int(event->json, "id"), id);
        /* The stream names the track; the coordinates stay in the store. */
        assert_null(strstr(event->data, "48.85"));
        assert_null(strstr(event->data, "\"lat\""));
        assert_null(strstr(event->data, "battery"));
    }
    cJSON *alarm = alarm_get(story->world, story->operator, id);
    double lat = json_get(alarm, "position.lat")->valuedouble;
    assert_true(lat > 48.85668 && lat < 48.85670); /* the fourth point, 3 steps north */
    assert_int_equal(json_int(alarm, "battery"), 55);
}

static long refused(struct story *story, const char *token, const char *json, const char *code)
{
    struct http_reply reply;
    assert_true(device_send(story->world, token, json, &reply));
    assert_string_equal(json_string(reply.json, "error.code"), code);
    return reply.status;
}

static void test_a_wrong_token_stores_nothing(void **state)
{
    struct story *story = *state;
    const char *stranger = "0000000000000000000000000000000000000000000000000000000000000000";
    assert_int_equal(refused(story, stranger, sos_json, "unauthorized"), 401);
    assert_int_equal(refused(story, NULL, sos_json, "unauthorized"), 401);
    assert_int_equal(refused(story, story->operator, sos_json, "unauthorized"), 401);
    /* TGD-0002's token may not speak for TGD-0001. */
    assert_int_equal(refused(story, demo_token(tokens, "TGD-0002"), sos_json, "device_mismatch"),
                     403);
    assert_int_equal(refused(story, demo_token(tokens, "TGD-0001"),
                             "{\"device_id\":\"TGD-0001\",\"trigger\":\"sos\","
                             "\"position\":{\"lat\":91,\"lon\":2,\"accuracy_m\":5,"
                             "\"source\":\"gps\"}}",
                             "out_of_range"),
                     400);
    assert_int_equal(refused(story, demo_token(tokens, "TGD-0001"),
                             "{\"device_id\":\"TGD-0001\",\"trigger\":\"sos\",\"colour\":1}",
                             "unknown_field"),
                     400);
    assert_int_equal(world_sql_int(story->world, NULL, "SELECT COUNT(*) FROM alarms"), 0);
    struct http_reply reply;
    assert_true(http_send(story->world, "GET", "/metrics", NULL, NULL, 0, false, &reply));
    assert_non_null(strstr(reply.body, "vigie_device_refused_total{reason=\"token\"} 3"));
    assert_non_null(strstr(reply.body, "vigie_device_refused_total{reason=\"device_mismatch\"} 1"));
}

static const char aml_pairs[] =
    "v=1&emergency_number=112&device_number=%2B33612345678&time=1741944410000"
    "&location_latitude=45.7578&location_longitude=4.832&location_time=1741944410000"
    "&location_accuracy=1500&location_source=cell&location_confidence=0.68";

static void test_an_aml_message_with_its_hmac_raises_an_alarm(void **state)
{
    struct story *story = *state;
    struct http_reply reply;
    assert_true(aml_send(story->world, aml_pairs, AML_KEY, &reply));
    assert_int_equal(reply.status, 201);
    int64_t id = json_int(reply.json, "alarm_id");
    cJSON *alarm = alarm_get(story->world, story->operator, id);
    assert_string_equal(json_string(alarm, "source"), "aml");
    assert_string_equal(json_string(alarm, "event_code"), "AML");
    assert_int_equal(json_int(alarm, "priority"), 1);
    assert_int_equal(json_int(alarm, "victim_id"),
                     device_column(story->world, "victim_id", "TGD-0002"));
    assert_true(json_get(alarm, "position.accuracy_m")->valuedouble == 1500);
    assert_string_equal(json_string(alarm, "position.source"), "cell");
    /* The same message again is answered again and stored once. */
    assert_true(aml_send(story->world, aml_pairs, AML_KEY, &reply));
    assert_int_equal(reply.status, 200);
    assert_true(cJSON_IsTrue(json_get(reply.json, "duplicate")));
    /* The simulator's AML, signed the same way, goes to the same track. */
    char output[1024];
    int status = world_sim(story->world, output, sizeof output, "phone", "--aml", "--server",
                           story->world->base_url, "--msisdn", AML_NUMBER, "--key", AML_KEY,
                           "--lat", "45.7579", "--lon", "4.8321", "--source", "gps", NULL);
    if (status != 0)
        fail_msg("vigie-sim phone --aml exited %d: %s", status, output);
    char expected[64];
    snprintf(expected, sizeof expected, "201 alarm %lld tracking", (long long)id);
    assert_non_null(strstr(output, expected));
    assert_int_equal(world_sql_int(story->world, NULL, "SELECT COUNT(*) FROM alarms"), 1);
}

static void test_a_forged_aml_message_stores_nothing(void **state)
{
    struct story *story = *state;
    struct http_reply reply;
    const char *wrong = "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    assert_true(aml_send(story->world, aml_pairs, wrong, &reply));
    assert_int_equal(reply.status, 401);
    assert_string_equal(json_string(reply.json, "error.code"), "bad_hmac");
    /* A number no device has gets the very same answer. */
    assert_true(aml_send(story->world, "device_number=%2B33700000000&location_latitude=1", AML_KEY,
                         &reply));
    assert_int_equal(reply.status, 401);
    assert_string_equal(json_string(reply.json, "error.code"), "bad_hmac");
    assert_true(aml_send(story->world, "device_number=%2B33612345678", NULL, &reply));
    assert_int_equal(reply.status, 400);
    assert_string_equal(json_string(reply.json, "error.code"), "bad_aml");
    assert_int_equal(world_sql_int(story->world, NULL, "SELECT COUNT(*) FROM alarms"), 0);
    assert_int_equal(world_sql_int(story->world, NULL, "SELECT COUNT(*) FROM positions"), 0);
    assert_int_equal(world_sql_int(story->world, NULL, "SELECT COUNT(*) FROM aml_receipts"), 0);
    assert_true(http_send(story->world, "GET", "/metrics", NULL, NULL, 0, false, &reply));
    assert_non_null(strstr(reply.body, "vigie_device_refused_total{reason=\"hmac\"} 2"));
}

/* Polls GET /v1/alarms/ID until its position is gone; the detail, or NULL. */
static cJSON *wait_for_purge(struct story *story, int64_t id)
{
    for (int64_t deadline = harness_now_ms() + WAIT_MS; harness_now_ms() < deadline;) {
        cJSON *alarm = alarm_get(story->world, story->operator, id);
        if (alarm && json_is_null(alarm, "position"))
            return alarm;
        harness_sleep_ms(200);
    }
    return NULL;
}

static void test_the_purge_erases_technical_data_and_keeps_the_alarm(void **state)
{
    struct story *story = *state;
    struct sse_client *live = sse_open(story->world, story->operator, NULL);
    assert_int_equal(sse_status(live), 200);
    int64_t id = send_sos(story);
    assert_int_equal(alarm_act(story->world, story->operator, id, "claim", NULL, NULL), 200);
    cJSON *before = alarm_get(story->world, story->operator, id);
    assert_false(json_is_null(before, "position"));
    char resume_from[32];
    snprintf(resume_from, sizeof resume_from, "%lld", (long long)json_int(before, "sequence"));
    cJSON *alarm = wait_for_purge(story, id);
    assert_non_null(alarm);
    assert_true(json_is_null(alarm, "battery"));
    assert_false(cJSON_IsTrue(json_get(alarm, "has_position")));
    assert_string_equal(json_string(alarm, "raw"), "[redacted at purge]");
    assert_string_equal(json_string(alarm, "state"), "claimed");
    assert_string_equal(json_string(alarm, "label"), "SOS from protection phone TGD-0001");
    assert_int_equal(world_sql_int(story->world, NULL, "SELECT COUNT(*) FROM positions"), 0);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM audit WHERE object_type = 'alarm' AND object_id = %lld",
             (long long)id);
    assert_int_equal(world_sql_int(story->world, NULL, sql), 2); /* device.alarm, claim */
    char output[1024];
    assert_int_equal(world_run(story->world, NULL, output, sizeof output, "audit", "verify", "--db",
                               story->world->db, NULL),
                     0);
    /* A console online during the purge hears it, then the alarm's change;
     * one that was still a few events behind when the history was trimmed
     * is told to resync instead: either way it stops showing the data. */
    bool heard = sse_wait(live, "purge", 1, WAIT_MS);
    if (!heard) {
        assert_true(sse_wait(live, "resync", 1, WAIT_MS));
    } else {
        assert_int_equal(json_int(sse_get(live, "purge", 0)->json, "alarms"), 1);
        assert_true(sse_wait(live, "alarm", 4, WAIT_MS)); /* created, position, claim, purge */
        const struct sse_event *last = sse_get(live, "alarm", 3);
        assert_true(last->id > sse_get(live, "purge", 0)->id);
        assert_false(cJSON_IsTrue(json_get(last->json, "has_position")));
    }
    /* A console that saw the alarm before the purge must reload. */
    struct sse_client *stream = sse_open(story->world, story->operator, resume_from);
    assert_int_equal(sse_status(stream), 200);
    assert_true(sse_wait(stream, "resync", 1, WAIT_MS));
    assert_int_equal(sse_count(stream, "alarm"), 0);
}

static void test_an_overdue_phone_shows_until_it_tests_again(void **state)
{
    struct story *story = *state;
    int64_t device = device_column(story->world, "id", "TGD-0003");
    int64_t overdue = 0;
    for (int64_t deadline = harness_now_ms() + WAIT_MS; !overdue && harness_now_ms() < deadline;
         harness_sleep_ms(200)) {
        long status = 0;
        cJSON *queue = NULL;
        http_request(story->world, "GET", "/v1/alarms", story->operator, NULL, &status, &queue);
        for (int i = 0; i < json_count(queue, "alarms"); i++) {
            char path[32];
            snprintf(path, sizeof path, "alarms.%d", i);
            const cJSON *alarm = json_get(queue, path);
            if (json_int(alarm, "device_id") == device &&
                strcmp(json_string(alarm, "class"), "technical") == 0)
                overdue = json_int(alarm, "id");
        }
    }
    assert_true(overdue > 0);
    cJSON *alarm = alarm_get(story->world, story->operator, overdue);
    assert_int_equal(json_int(alarm, "priority"), 4);
    assert_string_equal(json_string(alarm, "label"),
                        "Protection phone TGD-0003 not tested for 16 days");
    assert_int_equal(device_column(story->world, "overdue_alarm_id", "TGD-0003"), overdue);
    harness_sleep_ms(2500); /* more checks pass: still one */
    assert_int_equal(world_sql_int(story->world, NULL,
                                   "SELECT COUNT(*) FROM alarms WHERE event_code = 'TEST-OVERDUE'"),
                     1);
    struct http_reply reply;
    assert_true(device_send(story->world, demo_token(tokens, "TGD-0003"),
                            "{\"device_id\":\"TGD-0003\",\"trigger\":\"test\",\"battery\":97}",
                            &reply));
    assert_int_equal(reply.status, 201);
    cJSON *test = alarm_get(story->world, story->operator, json_int(reply.json, "alarm_id"));
    assert_string_equal(json_string(test, "state"), "closed");
    assert_string_equal(json_string(test, "resolution"), "test");
    assert_int_equal(world_sql_int(story->world, NULL,
                                   "SELECT COUNT(*) FROM devices WHERE device_uid = 'TGD-0003'"
                                   " AND overdue_alarm_id IS NULL AND last_test_at IS NOT NULL"),
                     1);
    alarm = alarm_get(story->world, story->operator, overdue);
    assert_string_equal(json_string(alarm, "state"), "new"); /* the operator closes it */
    int entries = json_count(alarm, "timeline");
    char path[32];
    snprintf(path, sizeof path, "timeline.%d.kind", entries - 1);
    assert_string_equal(json_string(alarm, path), "restored");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_an_sos_reaches_the_queue_and_the_stream_at_once,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(test_positions_follow_the_track_of_the_same_alarm, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_a_wrong_token_stores_nothing, world_up, world_down),
        cmocka_unit_test_setup_teardown(test_an_aml_message_with_its_hmac_raises_an_alarm, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_a_forged_aml_message_stores_nothing, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_the_purge_erases_technical_data_and_keeps_the_alarm,
                                        world_up_short_retention, world_down),
        cmocka_unit_test_setup_teardown(test_an_overdue_phone_shows_until_it_tests_again,
                                        world_up_overdue, world_down),
    };
    return cmocka_run_group_tests(tests, template_up, template_down);
}
