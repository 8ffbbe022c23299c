/* SIA DC-09 ingest, the happy paths: a panel reports over TCP or UDP, in
 * Contact ID or SIA, and the receiver acknowledges each frame only once
 * its alarm is stored; the operator then finds that alarm in the queue
 * (right class, priority, label, zone and site) and on the live stream.
 * Retransmissions are acknowledged again and stored once, unknown
 * accounts and unknown codes still make alarms, restores and tests are
 * recorded closed, and openings and closings move the site's arm state,
 * an opening outside the site's hours being an early-open alarm. */
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

#define PASSWORD "night-shift-42"
/* "Within milliseconds" as a console sees it: one second on a loaded
 * sanitizer build is already a hundred times the usual. */
#define STREAM_WAIT_MS 1000

struct story {
    struct world *world;
    const char *alice;
};

/* Two sites, each with its panel, made once; each test runs on a copy. */
static struct world *template;
static int64_t jeweller, warehouse; /* site ids: account 1234, account 2345 */

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    if (!template || !world_add_user(template, "alice", "operator", PASSWORD))
        return -1;
    jeweller = world_add_site(template, "Bijouterie Lumière", "Lyon");
    warehouse = world_add_site(template, "Entrepôt Nord", "Villeurbanne");
    char site[2][24];
    snprintf(site[0], sizeof site[0], "%lld", (long long)jeweller);
    snprintf(site[1], sizeof site[1], "%lld", (long long)warehouse);
    world_enable_dc09(template);
    /* The early-open test needs the schedule read to the minute. */
    world_set(template, "early_open_grace_minutes=0");
    return jeweller > 0 && warehouse > 0 &&
                   world_account(template, NULL, 0, "add", "1234", "--site", site[0], NULL) == 0 &&
                   world_account(template, NULL, 0, "add", "2345", "--site", site[1], NULL) == 0
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
    story->world = world_clone(template);
    if (story->world && world_start(story->world) &&
        (story->alice = login(story->world, "alice", PASSWORD)))
        return 0;
    world_down(state);
    return -1;
}

/* The open queue as the console lists it (GET /v1/alarms). */
static const cJSON *queue(struct story *story)
{
    long status = 0;
    cJSON *json = NULL;
    http_request(story->world, "GET", "/v1/alarms", story->alice, NULL, &status, &json);
    return status == 200 ? json_get(json, "alarms") : NULL;
}

static const cJSON *find_by_code(const cJSON *alarms, const char *account, const char *code)
{
    const cJSON *alarm;
    cJSON_ArrayForEach(alarm, alarms)
    {
        const char *its_account = json_string(alarm, "account");
        const char *its_code = json_string(alarm, "event_code");
        if (its_account && its_code && strcmp(its_account, account) == 0 &&
            strcmp(its_code, code) == 0)
            return alarm;
    }
    return NULL;
}

static bool has_flag(const cJSON *alarm, const char *flag)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, json_get(alarm, "flags"))
    {
        if (cJSON_IsString(item) && strcmp(item->valuestring, flag) == 0)
            return true;
    }
    return false;
}

/* Sends one frame on a new connection and expects an ACK echoing it. */
static void send_acked(struct story *story, const uint8_t *frame, size_t length,
                       const char *account, unsigned seq)
{
    assert_true(length > 0);
    struct panel *panel = panel_connect(story->world, false);
    assert_non_null(panel);
    struct dc09_frame answer;
    assert_int_equal(panel_exchange(panel, frame, length, NULL, &answer), PANEL_ACK);
    assert_int_equal(answer.seq, seq);
    assert_string_equal(answer.account, account);
    panel_close(panel);
}

static void
test_a_contact_id_burglary_is_acknowledged_and_becomes_an_alarm_of_its_site(void **state)
{
    struct story *story = *state;
    struct sse_client *stream = sse_open(story->world, story->alice, NULL);
    assert_int_equal(sse_status(stream), 200);
    uint8_t frame[DC09_FRAME_MAX];
    size_t length = panel_frame_cid("1234", 17, "1130", 3, NULL, 0, frame);
    int64_t sent_at = harness_now_ms();
    send_acked(story, frame, length, "1234", 17);

    /* The ACK came after the commit: the alarm is already listed. */
    const cJSON *alarms = queue(story);
    assert_int_equal(cJSON_GetArraySize(alarms), 1);
    const cJSON *alarm = find_by_code(alarms, "1234", "1130");
    assert_non_null(alarm);
    assert_string_equal(json_string(alarm, "source"), "dc09");
    assert_string_equal(json_string(alarm, "class"), "burglary");
    assert_int_equal(json_int(alarm, "priority"), 2);
    assert_string_equal(json_string(alarm, "label"), "Burglary");
    assert_int_equal(json_int(alarm, "zone"), 3);
    assert_int_equal(json_int(alarm, "site_id"), jeweller);
    assert_string_equal(json_string(alarm, "subject"), "Bijouterie Lumière");
    assert_string_equal(json_string(alarm, "state"), "new");
    assert_int_equal(json_count(alarm, "flags"), 0);
    cJSON *detail = alarm_get(story->world, story->alice, json_int(alarm, "id"));
    assert_non_null(detail);
    assert_non_null(
        strstr(json_string(detail, "raw"), "\"ADM-CID\"0017L0#1234[#1234|1130 01 003]"));

    /* And on the console's stream, at once. */
    assert_true(sse_wait(stream, "alarm", 1, STREAM_WAIT_MS));
    const struct sse_event *event = sse_get(stream, "alarm", 0);
    assert_string_equal(json_string(event->json, "event_code"), "1130");
    assert_int_equal(json_int(event->json, "id"), json_int(alarm, "id"));
    assert_true(event->received_ms - sent_at < STREAM_WAIT_MS);

    assert_int_equal(world_metric(story->world, "vigie_dc09_frames_total"), 1);
    assert_int_equal(world_metric(story->world, "vigie_dc09_ack_total"), 1);
    assert_int_equal(world_metric(story->world, "vigie_alarms_received_total{source=\"dc09\"}"), 1);
}

static void test_sia_events_become_alarms_with_their_class_and_zone(void **state)
{
    struct story *story = *state;
    uint8_t frame[DC09_FRAME_MAX];
    send_acked(story, frame, panel_frame_sia("2345", 1, "BA", 5, NULL, 0, frame), "2345", 1);
    send_acked(story, frame, panel_frame_sia("2345", 2, "FA", 12, NULL, 0, frame), "2345", 2);
    const cJSON *alarms = queue(story);
    assert_int_equal(cJSON_GetArraySize(alarms), 2);
    const cJSON *burglary = find_by_code(alarms, "2345", "BA");
    assert_non_null(burglary);
    assert_string_equal(json_string(burglary, "class"), "burglary");
    assert_int_equal(json_int(burglary, "priority"), 2);
    assert_string_equal(json_string(burglary, "label"), "Burglary");
    assert_int_equal(json_int(burglary, "zone"), 5);
    assert_int_equal(json_int(burglary, "site_id"), warehouse);
    const cJSON *fire = find_by_code(alarms, "2345", "FA");
    assert_non_null(fire);
    assert_string_equal(json_string(fire, "class"), "fire");
    assert_int_equal(json_int(fire, "priority"), 1);
    assert_int_equal(json_int(fire, "zone"), 12);
}

static void test_duress_and_panic_are_priority_one(void **state)
{
    struct story *story = *state;
    uint8_t frame[DC09_FRAME_MAX];
    send_acked(story, frame, panel_frame_cid("1234", 1, "1121", 7, NULL, 0, frame), "1234", 1);
    send_acked(story, frame, panel_frame_cid("1234", 2, "1120", 8, NULL, 0, frame), "1234", 2);
    send_acked(story, frame, panel_frame_sia("1234", 3, "HA", 9, NULL, 0, frame), "1234", 3);
    const cJSON *alarms = queue(story);
    const cJSON *duress = find_by_code(alarms, "1234", "1121");
    const cJSON *panic = find_by_code(alarms, "1234", "1120");
    const cJSON *hold_up = find_by_code(alarms, "1234", "HA");
    assert_non_null(duress);
    assert_non_null(panic);
    assert_non_null(hold_up);
    assert_string_equal(json_string(duress, "class"), "duress");
    assert_int_equal(json_int(duress, "priority"), 1);
    assert_string_equal(json_string(duress, "label"), "Duress (code entered under threat)");
    assert_string_equal(json_string(panic, "class"), "panic");
    assert_int_equal(json_int(panic, "priority"), 1);
    assert_string_equal(json_string(hold_up, "class"), "duress");
    assert_int_equal(json_int(hold_up, "priority"), 1);
    assert_int_equal(json_int(hold_up, "zone"), 9);
}

static void test_an_unknown_code_becomes_an_alarm_of_class_unknown(void **state)
{
    struct story *story = *state;
    uint8_t frame[DC09_FRAME_MAX];
    /* 777 is manufacturer-defined (absent from events.tsv); ZX is no SIA code. */
    send_acked(story, frame, panel_frame_cid("1234", 5, "1777", 4, NULL, 0, frame), "1234", 5);
    send_acked(story, frame, panel_frame_sia("1234", 6, "ZX", 2, NULL, 0, frame), "1234", 6);
    const cJSON *alarms = queue(story);
    const cJSON *cid = find_by_code(alarms, "1234", "1777");
    const cJSON *sia = find_by_code(alarms, "1234", "ZX");
    assert_non_null(cid);
    assert_non_null(sia);
    assert_string_equal(json_string(cid, "class"), "unknown");
    assert_int_equal(json_int(cid, "priority"), 2);
    assert_int_equal(json_int(cid, "zone"), 4);
    assert_string_equal(json_string(cid, "state"), "new");
    assert_string_equal(json_string(sia, "class"), "unknown");
    assert_int_equal(json_int(sia, "priority"), 2);
}

static void
test_two_frames_in_one_segment_and_one_split_frame_are_acknowledged_in_order(void **state)
{
    struct story *story = *state;
    struct panel *panel = panel_connect(story->world, false);
    assert_non_null(panel);
    uint8_t both[2 * DC09_FRAME_MAX];
    size_t first = panel_frame_cid("1234", 11, "1130", 1, NULL, 0, both);
    size_t second = panel_frame_cid("1234", 12, "1131", 2, NULL, 0, both + first);
    assert_true(first > 0 && second > 0);
    assert_true(panel_send(panel, both, first + second));
    struct dc09_frame answer;
    assert_int_equal(panel_read(panel, NULL, &answer, PANEL_ANSWER_TIMEOUT_MS), PANEL_ACK);
    assert_int_equal(answer.seq, 11);
    assert_int_equal(panel_read(panel, NULL, &answer, PANEL_ANSWER_TIMEOUT_MS), PANEL_ACK);
    assert_int_equal(answer.seq, 12);

    /* One frame in five segments, 30 ms apart; then one byte at a time. */
    uint8_t frame[DC09_FRAME_MAX];
    size_t length = panel_frame_cid("1234", 13, "1132", 3, NULL, 0, frame);
    assert_true(panel_send_pieces(panel, frame, length, 5, 30));
    assert_int_equal(panel_read(panel, NULL, &answer, PANEL_ANSWER_TIMEOUT_MS), PANEL_ACK);
    assert_int_equal(answer.seq, 13);
    length = panel_frame_cid("1234", 14, "1134", 4, NULL, 0, frame);
    assert_true(panel_send_pieces(panel, frame, length, length, 1));
    assert_int_equal(panel_read(panel, NULL, &answer, PANEL_ANSWER_TIMEOUT_MS), PANEL_ACK);
    assert_int_equal(answer.seq, 14);

    const cJSON *alarms = queue(story);
    assert_int_equal(cJSON_GetArraySize(alarms), 4);
    assert_int_equal(json_int(find_by_code(alarms, "1234", "1130"), "zone"), 1);
    assert_int_equal(json_int(find_by_code(alarms, "1234", "1131"), "zone"), 2);
    assert_int_equal(json_int(find_by_code(alarms, "1234", "1132"), "zone"), 3);
    assert_int_equal(json_int(find_by_code(alarms, "1234", "1134"), "zone"), 4);
}

static void test_a_datagram_over_udp_is_acknowledged(void **state)
{
    struct story *story = *state;
    struct panel *panel = panel_connect(story->world, true);
    assert_non_null(panel);
    uint8_t frame[DC09_FRAME_MAX];
    size_t length = panel_frame_sia("2345", 31, "BA", 6, NULL, 0, frame);
    struct dc09_frame answer;
    assert_int_equal(panel_exchange(panel, frame, length, NULL, &answer), PANEL_ACK);
    assert_int_equal(answer.seq, 31);
    assert_string_equal(answer.account, "2345");
    const cJSON *alarm = find_by_code(queue(story), "2345", "BA");
    assert_non_null(alarm);
    assert_int_equal(json_int(alarm, "zone"), 6);

    /* The simulator over UDP too. */
    char port[16], to[32], output[512];
    snprintf(port, sizeof port, "%u", story->world->dc09_port);
    snprintf(to, sizeof to, "127.0.0.1:%s", port);
    assert_int_equal(world_sim(story->world, output, sizeof output, "dc09", "--to", to, "--account",
                               "2345", "--code", "1130", "--zone", "8", "--seq", "32", "--udp",
                               NULL),
                     0);
    assert_non_null(find_by_code(queue(story), "2345", "1130"));
}

static void test_a_retransmission_is_acknowledged_again_and_stored_once(void **state)
{
    struct story *story = *state;
    char to[32], output[512];
    snprintf(to, sizeof to, "127.0.0.1:%u", story->world->dc09_port);
    /* The panel sends, misses the ACK, and sends the same event again a
     * moment later (its timestamp may differ: the content does not). */
    for (int attempt = 0; attempt < 3; attempt++) {
        assert_int_equal(world_sim(story->world, output, sizeof output, "dc09", "--to", to,
                                   "--account", "1234", "--code", "1130", "--zone", "3", "--seq",
                                   "42", NULL),
                         0);
        assert_non_null(strstr(output, "ACK 1234 seq 0042"));
        if (attempt == 1)
            harness_sleep_ms(1100); /* a new second on the panel's clock */
    }
    cJSON *alarms = alarms_of(story->world, story->alice, "1234", NULL);
    assert_int_equal(cJSON_GetArraySize(alarms), 1);
    assert_int_equal(world_metric(story->world, "vigie_dc09_retransmissions_total"), 2);
    assert_int_equal(world_metric(story->world, "vigie_dc09_ack_total"), 3);

    /* The same sequence number with other content is a new event. */
    uint8_t frame[DC09_FRAME_MAX];
    send_acked(story, frame, panel_frame_cid("1234", 42, "1130", 4, NULL, 0, frame), "1234", 42);
    alarms = alarms_of(story->world, story->alice, "1234", NULL);
    assert_int_equal(cJSON_GetArraySize(alarms), 2);
    assert_int_equal(world_metric(story->world, "vigie_dc09_retransmissions_total"), 2);
}

/* The retransmission window outlives vigied: its receipts are durable
 * with their alarms and read back at start, so that a panel whose ACK was
 * lost in a crash, and that sends again to the restarted centre, is
 * acknowledged without a second alarm. */
static void test_a_retransmission_after_a_crash_is_acknowledged_and_stored_once(void **state)
{
    struct story *story = *state;
    char to[32], output[512];
    snprintf(to, sizeof to, "127.0.0.1:%u", story->world->dc09_port);
    assert_int_equal(world_sim(story->world, output, sizeof output, "dc09", "--to", to, "--account",
                               "1234", "--code", "1130", "--zone", "5", "--seq", "77", NULL),
                     0);
    assert_non_null(strstr(output, "ACK 1234 seq 0077"));
    world_kill(story->world); /* kill -9: no clean stop, nothing flushed at exit */
    assert_true(world_start(story->world));
    snprintf(to, sizeof to, "127.0.0.1:%u", story->world->dc09_port);
    assert_int_equal(world_sim(story->world, output, sizeof output, "dc09", "--to", to, "--account",
                               "1234", "--code", "1130", "--zone", "5", "--seq", "77", NULL),
                     0);
    assert_non_null(strstr(output, "ACK 1234 seq 0077"));
    cJSON *alarms = alarms_of(story->world, story->alice, "1234", NULL);
    assert_int_equal(cJSON_GetArraySize(alarms), 1);
    assert_int_equal(world_metric(story->world, "vigie_dc09_retransmissions_total"), 1);
    /* Another event with the same sequence is still a new alarm. */
    assert_int_equal(world_sim(story->world, output, sizeof output, "dc09", "--to", to, "--account",
                               "1234", "--code", "1130", "--zone", "6", "--seq", "77", NULL),
                     0);
    alarms = alarms_of(story->world, story->alice, "1234", NULL);
    assert_int_equal(cJSON_GetArraySize(alarms), 2);
    assert_int_equal(world_metric(story->world, "vigie_dc09_retransmissions_total"), 1);
}

static void test_an_unknown_account_is_acknowledged_and_flagged(void **state)
{
    struct story *story = *state;
    uint8_t frame[DC09_FRAME_MAX];
    send_acked(story, frame, panel_frame_cid("9F9F", 3, "1130", 1, NULL, 0, frame), "9F9F", 3);
    /* Even what would be recorded closed for a known account needs an
     * operator when nobody knows whose panel it is. */
    send_acked(story, frame, panel_frame_sia("9F9F", 4, "BR", 1, NULL, 0, frame), "9F9F", 4);
    const cJSON *alarms = queue(story);
    const cJSON *alarm = find_by_code(alarms, "9F9F", "1130");
    assert_non_null(alarm);
    assert_true(has_flag(alarm, "unknown-account"));
    assert_true(json_is_null(alarm, "site_id"));
    assert_string_equal(json_string(alarm, "class"), "burglary");
    const cJSON *restore = find_by_code(alarms, "9F9F", "BR");
    assert_non_null(restore);
    assert_true(has_flag(restore, "unknown-account"));
    assert_string_equal(json_string(restore, "state"), "new");
    assert_int_equal(world_metric(story->world, "vigie_dc09_unknown_account_total"), 2);
}

static void test_restores_and_tests_are_recorded_closed(void **state)
{
    struct story *story = *state;
    uint8_t frame[DC09_FRAME_MAX];
    send_acked(story, frame, panel_frame_cid("1234", 1, "1130", 2, NULL, 0, frame), "1234", 1);
    send_acked(story, frame, panel_frame_cid("1234", 2, "3130", 2, NULL, 0, frame), "1234", 2);
    send_acked(story, frame, panel_frame_cid("1234", 3, "1602", 0, NULL, 0, frame), "1234", 3);
    send_acked(story, frame, panel_frame_sia("1234", 4, "BR", 2, NULL, 0, frame), "1234", 4);
    send_acked(story, frame, panel_frame_sia("1234", 5, "RP", 0, NULL, 0, frame), "1234", 5);

    /* The queue holds the burglary only: a restore closes nothing. */
    const cJSON *open = queue(story);
    assert_int_equal(cJSON_GetArraySize(open), 1);
    assert_non_null(find_by_code(open, "1234", "1130"));
    const cJSON *all = alarms_of(story->world, story->alice, "1234", NULL);
    assert_int_equal(cJSON_GetArraySize(all), 5);
    const char *closed_codes[] = {"3130", "1602", "BR", "RP"};
    for (size_t i = 0; i < 4; i++) {
        const cJSON *alarm = find_by_code(all, "1234", closed_codes[i]);
        assert_non_null(alarm);
        assert_string_equal(json_string(alarm, "state"), "closed");
        assert_string_equal(json_string(alarm, "resolution"), "no-action-needed");
    }
    assert_string_equal(json_string(find_by_code(all, "1234", "1130"), "state"), "new");
}

/* "Mo-Su HH:MM-HH:MM" from `from` to `to` minutes after the current UTC
 * minute (negative: before); the site is put in UTC. */
static void schedule_around_now(struct story *story, int64_t site, int from, int to)
{
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    int minute = utc.tm_hour * 60 + utc.tm_min;
    int start = ((minute + from) % 1440 + 1440) % 1440;
    int end = ((minute + to) % 1440 + 1440) % 1440;
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE sites SET timezone = 'UTC', schedule = 'Mo-Su %02d:%02d-%02d:%02d'"
             " WHERE id = %lld",
             start / 60, start % 60, end / 60, end % 60, (long long)site);
    assert_true(world_sql(story->world, NULL, sql));
}

static const char *arm_state(struct story *story, int64_t site)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/sites/%lld", (long long)site);
    long status = 0;
    cJSON *json = NULL;
    http_request(story->world, "GET", path, story->alice, NULL, &status, &json);
    return status == 200 ? json_string(json, "arm_state") : NULL;
}

static void test_open_and_close_set_the_sites_arm_state(void **state)
{
    struct story *story = *state;
    /* Open from two hours ago to two hours from now. */
    schedule_around_now(story, warehouse, -120, 120);
    struct sse_client *stream = sse_open(story->world, story->alice, NULL);
    assert_int_equal(sse_status(stream), 200);
    uint8_t frame[DC09_FRAME_MAX];
    /* Contact ID 401 with qualifier 3: armed by a user. */
    send_acked(story, frame, panel_frame_cid("2345", 1, "3401", 5, NULL, 0, frame), "2345", 1);
    assert_string_equal(arm_state(story, warehouse), "armed");
    assert_true(sse_wait(stream, "site", 1, STREAM_WAIT_MS));
    const struct sse_event *site_event = sse_get(stream, "site", 0);
    assert_int_equal(json_int(site_event->json, "site_id"), warehouse);
    assert_string_equal(json_string(site_event->json, "arm_state"), "armed");

    /* Qualifier 1: disarmed by a user, within the opening hours. */
    send_acked(story, frame, panel_frame_cid("2345", 2, "1401", 5, NULL, 0, frame), "2345", 2);
    assert_string_equal(arm_state(story, warehouse), "disarmed");
    assert_true(sse_wait(stream, "site", 2, STREAM_WAIT_MS));
    assert_string_equal(json_string(sse_get(stream, "site", 1)->json, "arm_state"), "disarmed");

    /* SIA CL and OP do the same. */
    send_acked(story, frame, panel_frame_sia("2345", 3, "CL", 5, NULL, 0, frame), "2345", 3);
    assert_string_equal(arm_state(story, warehouse), "armed");
    send_acked(story, frame, panel_frame_sia("2345", 4, "OP", 5, NULL, 0, frame), "2345", 4);
    assert_string_equal(arm_state(story, warehouse), "disarmed");

    /* Scheduled openings and closings need nobody: recorded closed. */
    assert_int_equal(cJSON_GetArraySize(queue(story)), 0);
    const cJSON *all = alarms_of(story->world, story->alice, "2345", NULL);
    assert_int_equal(cJSON_GetArraySize(all), 4);
    const cJSON *alarm;
    cJSON_ArrayForEach(alarm, all)
    {
        assert_string_equal(json_string(alarm, "state"), "closed");
        assert_false(has_flag(alarm, "early-open"));
    }
    /* The other site did not move. */
    assert_string_equal(arm_state(story, jeweller), "unknown");
}

static void test_an_open_outside_the_schedule_is_an_early_open_alarm(void **state)
{
    struct story *story = *state;
    /* Open from three to four hours from now: closed now, grace 0. */
    schedule_around_now(story, warehouse, 180, 240);
    struct sse_client *stream = sse_open(story->world, story->alice, NULL);
    assert_int_equal(sse_status(stream), 200);
    uint8_t frame[DC09_FRAME_MAX];
    send_acked(story, frame, panel_frame_cid("2345", 7, "3401", 2, NULL, 0, frame), "2345", 7);
    send_acked(story, frame, panel_frame_sia("2345", 8, "OP", 2, NULL, 0, frame), "2345", 8);
    assert_string_equal(arm_state(story, warehouse), "disarmed");

    const cJSON *open = queue(story);
    assert_int_equal(cJSON_GetArraySize(open), 1);
    const cJSON *alarm = find_by_code(open, "2345", "OP");
    assert_non_null(alarm);
    assert_true(has_flag(alarm, "early-open"));
    assert_false(has_flag(alarm, "unknown-account"));
    assert_string_equal(json_string(alarm, "state"), "new");
    assert_true(json_int(alarm, "priority") <= 2);
    assert_int_equal(json_int(alarm, "site_id"), warehouse);
    /* The arm that came first is no alarm: only the disarm is early. */
    const cJSON *arm =
        find_by_code(alarms_of(story->world, story->alice, "2345", NULL), "2345", "3401");
    assert_string_equal(json_string(arm, "state"), "closed");

    assert_true(sse_wait(stream, "alarm", 2, STREAM_WAIT_MS));
    const struct sse_event *event = sse_get(stream, "alarm", 1);
    assert_string_equal(json_string(event->json, "event_code"), "OP");
    assert_string_equal(json_string(event->json, "flags.0"), "early-open");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_a_contact_id_burglary_is_acknowledged_and_becomes_an_alarm_of_its_site, world_up,
            world_down),
        cmocka_unit_test_setup_teardown(test_sia_events_become_alarms_with_their_class_and_zone,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(test_duress_and_panic_are_priority_one, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_an_unknown_code_becomes_an_alarm_of_class_unknown,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(
            test_two_frames_in_one_segment_and_one_split_frame_are_acknowledged_in_order, world_up,
            world_down),
        cmocka_unit_test_setup_teardown(test_a_datagram_over_udp_is_acknowledged, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_a_retransmission_is_acknowledged_again_and_stored_once,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(
            test_a_retransmission_after_a_crash_is_acknowledged_and_stored_once, world_up,
            world_down),
        cmocka_unit_test_setup_teardown(test_an_unknown_account_is_acknowledged_and_flagged,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(test_restores_and_tests_are_recorded_closed, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_open_and_close_set_the_sites_arm_state, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_an_open_outside_the_schedule_is_an_early_open_alarm,
                                        world_up, world_down),
    };
    return cmocka_run_group_tests_name("dc09 ingest", tests, template_up, template_down);
}
