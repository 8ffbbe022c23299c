/* The voice channel of a mass alert, against a real telephone: baresip
 * on loopback answers as the agents' phones and records what it hears.
 * An operator sends an alert by voice; the agent's phone rings, the
 * message is spoken (the recording holds speech), the agent presses 1
 * and the operator sees the call delivered and the agent's "received"
 * reply. Several agents are called, never more at once than voice_calls;
 * a number the network does not know fails at once, without retries; a
 * phone nobody picks up is called again; a stop of vigied in the middle
 * of a call calls again at the next start. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/harness.h"
#include "tests/lib/sip_ua.h"

#define PASSWORD "night-shift-42"
/* A call speaks the message twice and the prompt: about 15 s for the
 * alert below; a sanitizer build and a loaded machine add to it. */
#define CALL_TIMEOUT_MS   60000
#define STATUS_TIMEOUT_MS 30000
/* Below this RMS amplitude (0..1) a recording is silence: espeak-ng's
 * speech through G.711 measures about 0.05. */
#define SPEECH_RMS_MIN 0.01

/* Three groups of agents far apart, one circle each: Opéra in Paris (one
 * agent who acknowledges), La Défense (four agents, for the bound on
 * calls at once), Versailles (a number no phone answers to). */
static const char registry[] =
    "agent_id,name,site_id,site_name,site_validated,lat,lon,phone,email,vetted,duty\n"
    "V1,Alice Ack,S1,Galeries,yes,48.8710,2.3320,06 11 11 11 11,,yes,24/7\n"
    "V2,Bruno Busy,S2,Tour Ouest,yes,48.8920,2.2380,06 22 22 22 22,,yes,24/7\n"
    "V3,Chloe Call,S2,Tour Ouest,yes,48.8922,2.2382,06 33 33 33 33,,yes,24/7\n"
    "V4,David Dial,S2,Tour Ouest,yes,48.8924,2.2384,06 44 44 44 44,,yes,24/7\n"
    "V5,Emma Echo,S2,Tour Ouest,yes,48.8926,2.2386,06 55 55 55 55,,yes,24/7\n"
    "V6,Felix Faux,S3,Chateau,yes,48.8049,2.1204,06 66 66 66 66,,yes,24/7\n";

static const char alert_message[] =
    "NE QUITTEZ PAS VOTRE SITE. Homme d'environ 30 ans, blouson noir, pantalon blanc.";

static struct world *template;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    if (!template || !world_add_user(template, "night-op", "operator", PASSWORD))
        return -1;
    char path[600], output[4096];
    snprintf(path, sizeof path, "%s/registry.csv", template->dir);
    FILE *file = fopen(path, "w");
    if (!file || fputs(registry, file) < 0 || fclose(file) != 0)
        return -1;
    int status = world_run(template, NULL, output, sizeof output, "agents", "import", path, "--db",
                           template->db, NULL);
    if (status != 0)
        fprintf(stderr, "agents import: %s\n", output);
    return status == 0 ? 0 : -1;
}

static int template_down(void **state)
{
    (void)state;
    return world_destroy(template) ? 0 : -1;
}

struct story {
    struct world *world;
    struct sip_ua *phones;
    const char *operator;
};

/* A world whose vigied calls through the phones of `numbers`. */
static struct story *story_begin(void **state, const char *const *answering, int answering_count,
                                 const char *const *ringing, int ringing_count, int voice_calls)
{
    struct story *story = calloc(1, sizeof *story);
    *state = story;
    assert_non_null(story);
    story->world = world_clone(template);
    assert_non_null(story->world);
    story->phones =
        sip_ua_start(story->world->dir, answering, answering_count, ringing, ringing_count);
    assert_non_null(story->phones);
    char setting[128];
    snprintf(setting, sizeof setting, "sip_uri=sip:%%s@127.0.0.1:%u", sip_ua_port(story->phones));
    assert_true(world_set(story->world, setting));
    assert_true(world_set(story->world, "sip_listen=127.0.0.1"));
    snprintf(setting, sizeof setting, "voice_calls=%d", voice_calls);
    assert_true(world_set(story->world, setting));
    assert_true(world_set(story->world, "voice_key_wait_seconds=2"));
    assert_true(world_set(story->world, "voice_ring_timeout_seconds=5"));
    assert_true(world_set(story->world, "outbox_backoff_first_ms=500"));
    assert_true(world_start(story->world));
    story->operator= login(story->world, "night-op", PASSWORD);
    assert_non_null(story->operator);
    return story;
}

static int story_end(void **state)
{
    struct story *story = *state;
    if (!story)
        return 0;
    bool clean = sip_ua_stop(story->phones);
    clean = world_destroy(story->world) && clean;
    free(story);
    return clean ? 0 : -1;
}

/* Sends the alert by voice to the circle around (lat, lon); its id. */
static int64_t send_alert(struct story *story, double lat, double lon, int expected_recipients)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"area\":{\"circle\":{\"lat\":%.4f,\"lon\":%.4f,\"radius_m\":800}},"
             "\"message\":\"%s\",\"channels\":[\"voice\"],\"language\":\"fr\"}",
             lat, lon, alert_message);
    long status = 0;
    cJSON *answer = NULL;
    assert_true(http_request(story->world, "POST", "/v1/massalerts", story->operator, body, &status,
                             &answer));
    if (status != 201)
        fail_msg("send: status %ld: %s", status, answer ? cJSON_PrintUnformatted(answer) : "");
    assert_int_equal(json_int(answer, "recipients"), expected_recipients);
    assert_int_equal(json_int(answer, "deliveries.voice"), expected_recipients);
    return json_int(answer, "id");
}

/* Waits until the alert's voice counts reach `field` >= `value`. */
static cJSON *wait_count(struct story *story, int64_t id, const char *field, int64_t value)
{
    char path[64], count_path[64];
    snprintf(path, sizeof path, "/v1/massalerts/%lld", (long long)id);
    snprintf(count_path, sizeof count_path, "counts.voice.%s", field);
    int64_t deadline = harness_now_ms() + STATUS_TIMEOUT_MS;
    cJSON *alert = NULL;
    while (harness_now_ms() < deadline) {
        long status = 0;
        assert_true(
            http_request(story->world, "GET", path, story->operator, NULL, &status, &alert));
        assert_int_equal(status, 200);
        if (json_int(alert, count_path) >= value)
            return alert;
        harness_sleep_ms(200);
    }
    fail_msg("the alert's voice %s never reached %lld: %s", field, (long long)value,
             alert ? cJSON_PrintUnformatted(alert) : "");
    return NULL;
}

static void test_the_agent_hears_the_message_and_presses_1(void **state)
{
    const char *numbers[] = {"+33611111111"};
    struct story *story = story_begin(state, numbers, 1, NULL, 0, 2);
    int64_t id = send_alert(story, 48.8708, 2.3318, 1);

    /* The phone rings and answers; the agent listens a few seconds, then
     * presses 1. */
    assert_true(sip_ua_wait_established(story->phones, CALL_TIMEOUT_MS));
    harness_sleep_ms(4000);
    assert_true(sip_ua_press(story->phones, '1'));
    assert_true(sip_ua_wait_closed(story->phones, 1, CALL_TIMEOUT_MS));

    /* What the phone recorded is speech, not silence. */
    double seconds = 0, rms = 0;
    assert_true(sip_ua_recording(story->phones, &seconds, &rms));
    if (seconds < 3.0 || rms < SPEECH_RMS_MIN)
        fail_msg("the recording is %.2f s at RMS %.4f: no speech", seconds, rms);

    /* The operator sees the call delivered and the agent's reply. */
    cJSON *alert = wait_count(story, id, "replied", 1);
    alert = wait_count(story, id, "delivered", 1);
    assert_int_equal(json_int(alert, "counts.voice.failed"), 0);
    assert_int_equal(json_count(alert, "replies"), 1);
    assert_string_equal(json_string(alert, "replies.0.channel"), "voice");
    assert_string_equal(json_string(alert, "replies.0.kind"), "received");
    assert_string_equal(json_string(alert, "replies.0.agent.name"), "Alice Ack");
    /* The outbox row: delivered, its reference the call's SIP Call-ID. */
    assert_int_equal(world_sql_int(story->world, NULL,
                                   "SELECT COUNT(*) FROM outbox WHERE channel = 'voice'"
                                   " AND state = 'delivered' AND confirm_state = 'delivered'"
                                   " AND length(reference) > 0"),
                     1);
}

static void test_no_more_calls_at_once_than_voice_calls(void **state)
{
    const char *numbers[] = {"+33622222222", "+33633333333", "+33644444444", "+33655555555"};
    struct story *story = story_begin(state, numbers, 4, NULL, 0, 2);
    int64_t id = send_alert(story, 48.8922, 2.2382, 4);

    /* Every phone is called once and hears the message to its end. */
    assert_true(sip_ua_wait_closed(story->phones, 4, 4 * CALL_TIMEOUT_MS));
    assert_int_equal(sip_ua_calls_total(story->phones), 4);
    /* Two at once (voice_calls), never three. */
    assert_int_equal(sip_ua_calls_max(story->phones), 2);
    cJSON *alert = wait_count(story, id, "delivered", 4);
    assert_int_equal(json_int(alert, "counts.voice.failed"), 0);
    assert_int_equal(json_int(alert, "counts.voice.replied"), 0);
}

static void test_a_number_nobody_answers_to_fails_without_retries(void **state)
{
    /* The phones know +33611111111 only: +33666666666 gets "404 Not Found". */
    const char *numbers[] = {"+33611111111"};
    struct story *story = story_begin(state, numbers, 1, NULL, 0, 2);
    int64_t id = send_alert(story, 48.8049, 2.1204, 1);
    cJSON *alert = wait_count(story, id, "failed", 1);
    assert_int_equal(json_int(alert, "counts.voice.delivered"), 0);
    assert_int_equal(sip_ua_calls_total(story->phones), 0);
    assert_int_equal(world_sql_int(story->world, NULL,
                                   "SELECT attempts FROM outbox WHERE channel = 'voice'"
                                   " AND state = 'failed' AND last_error LIKE '404%'"),
                     1);
}

static void test_a_phone_that_rings_unanswered_is_called_again(void **state)
{
    /* Felix's phone rings and nobody picks up (5 s ring timeout). */
    const char *ringing[] = {"+33666666666"};
    struct story *story = story_begin(state, NULL, 0, ringing, 1, 2);
    send_alert(story, 48.8049, 2.1204, 1);
    assert_true(sip_ua_wait_rings(story->phones, 2, CALL_TIMEOUT_MS));
    assert_int_equal(sip_ua_calls_total(story->phones), 0);
    /* Retried with the outbox's backoff: not failed, and it says why. */
    assert_int_equal(world_sql_int(story->world, NULL,
                                   "SELECT COUNT(*) FROM outbox WHERE channel = 'voice'"
                                   " AND state IN('queued','sending') AND attempts >= 2"
                                   " AND last_error = 'no answer in 5 s'"),
                     1);
}

static void test_a_stop_during_a_call_calls_again_at_the_next_start(void **state)
{
    const char *numbers[] = {"+33611111111"};
    struct story *story = story_begin(state, numbers, 1, NULL, 0, 2);
    int64_t id = send_alert(story, 48.8708, 2.3318, 1);
    assert_true(sip_ua_wait_established(story->phones, CALL_TIMEOUT_MS));
    /* vigied stops in the middle of the message: it hangs up, and the
     * message, not heard to its end, waits for the next start. */
    assert_int_equal(world_stop(story->world), 0);
    assert_true(sip_ua_wait_closed(story->phones, 1, CALL_TIMEOUT_MS));
    assert_int_equal(world_sql_int(story->world, NULL,
                                   "SELECT COUNT(*) FROM outbox WHERE channel = 'voice'"
                                   " AND state = 'queued' AND last_error LIKE 'interrupted%'"),
                     1);
    assert_true(world_start(story->world));
    story->operator= login(story->world, "night-op", PASSWORD);
    assert_non_null(story->operator);
    /* Called again, heard to the end this time, delivered once. */
    assert_true(sip_ua_wait_established(story->phones, CALL_TIMEOUT_MS));
    assert_true(sip_ua_wait_closed(story->phones, 2, CALL_TIMEOUT_MS));
    cJSON *alert = wait_count(story, id, "delivered", 1);
    assert_int_equal(json_int(alert, "counts.voice.failed"), 0);
    assert_int_equal(sip_ua_calls_total(story->phones), 2);
    /* Two calls reached the phone; on a starved host an attempt after the
     * restart may fail before ringing (and count), so at least two. */
    assert_true(world_sql_int(story->world, NULL,
                              "SELECT attempts FROM outbox WHERE channel = 'voice'"
                              " AND state = 'delivered'") >= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_the_agent_hears_the_message_and_presses_1, story_end),
        cmocka_unit_test_teardown(test_no_more_calls_at_once_than_voice_calls, story_end),
        cmocka_unit_test_teardown(test_a_number_nobody_answers_to_fails_without_retries, story_end),
        cmocka_unit_test_teardown(test_a_phone_that_rings_unanswered_is_called_again, story_end),
        cmocka_unit_test_teardown(test_a_stop_during_a_call_calls_again_at_the_next_start,
                                  story_end),
    };
    return cmocka_run_group_tests(tests, template_up, template_down);
}
