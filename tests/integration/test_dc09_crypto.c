/* SIA DC-09 encryption: a panel with an AES key of each size (128, 192,
 * 256 bits) is read and answered with an encrypted "*ACK" that only its
 * key opens; a panel that encrypts when the centre has no key for it, or
 * with the wrong key, gets DUH, a log line, a counter and one technical
 * alarm for the administrator; a frame stamped outside the account's
 * window gets a NAK carrying the receiver's time, and widening the window
 * with `vigied account set` lets it in without a restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/harness.h"

#define PASSWORD      "night-shift-42"
#define KEY_128       "000102030405060708090A0B0C0D0E0F"
#define KEY_192       "8E73B0F7DA0E6452C810F32B809079E562F8EAD2522C6B7B"
#define KEY_256       "603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4"
#define KEY_WRONG_128 "2B7E151628AED2A6ABF7158809CF4F3C"
/* How far a receiver's timestamp may be from ours: both read the same
 * clock, so this is only the time an answer takes. */
#define CLOCK_SLACK_MS 5000
/* Accounts are reloaded by a running vigied every two seconds. */
#define ACCOUNT_RELOAD_WAIT_MS 5000

struct story {
    struct world *world;
    const char *alice;
};

static struct world *template;
static int64_t template_site;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    if (!template || !world_add_user(template, "alice", "operator", PASSWORD))
        return -1;
    template_site = world_add_site(template, "Pharmacie des Brotteaux", "Lyon");
    char site[24];
    snprintf(site, sizeof site, "%lld", (long long)template_site);
    world_enable_dc09(template);
    return template_site > 0 &&
                   world_account(template, NULL, 0, "add", "A128", "--site", site, "--key", KEY_128,
                                 NULL) == 0 &&
                   world_account(template, NULL, 0, "add", "A192", "--site", site, "--key", KEY_192,
                                 NULL) == 0 &&
                   world_account(template, NULL, 0, "add", "A256", "--site", site, "--key", KEY_256,
                                 NULL) == 0 &&
                   world_account(template, NULL, 0, "add", "4444", "--site", site, NULL) == 0
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

static int64_t distance(int64_t a, int64_t b)
{
    return a > b ? a - b : b - a;
}

/* An encrypted Contact ID burglary from `account`, answered with an ACK
 * that is itself encrypted with the account's key. */
static void round_trip(struct story *story, const char *account, const char *hex, unsigned seq,
                       int zone)
{
    struct dc09_key key = harness_key(hex);
    assert_int_equal(key.len, strlen(hex) / 2);
    uint8_t frame[DC09_FRAME_MAX];
    size_t length = panel_frame_cid(account, seq, "1130", zone, &key, 0, frame);
    assert_true(length > 0);
    /* What goes on the wire is ciphertext: no event code in clear. */
    assert_null(memmem(frame, length, "1130", 4));
    struct panel *panel = panel_connect(story->world, false);
    assert_non_null(panel);
    struct dc09_frame answer;
    assert_int_equal(panel_exchange(panel, frame, length, &key, &answer), PANEL_ACK);
    assert_true(answer.encrypted);
    assert_int_equal(answer.seq, seq);
    assert_string_equal(answer.account, account);
    assert_true(answer.has_timestamp);
    assert_true(distance(answer.timestamp_ms, harness_wall_ms()) < CLOCK_SLACK_MS);
    size_t raw_length = 0;
    const uint8_t *raw = panel_last_raw(panel, &raw_length);
    assert_non_null(memmem(raw, raw_length, "\"*ACK\"", 6));
    struct dc09_frame unread;
    assert_int_equal(dc09_frame_parse(raw, raw_length, NULL, &unread, NULL), DC09_NEED_KEY);
    panel_close(panel);

    /* Decrypted, it is an alarm like any other. */
    cJSON *alarms = alarms_of(story->world, story->alice, account, "1130");
    assert_int_equal(cJSON_GetArraySize(alarms), 1);
    const cJSON *alarm = cJSON_GetArrayItem(alarms, 0);
    assert_string_equal(json_string(alarm, "class"), "burglary");
    assert_int_equal(json_int(alarm, "zone"), zone);
    assert_int_equal(json_int(alarm, "site_id"), template_site);
}

static void test_each_key_size_decrypts_and_is_answered_encrypted(void **state)
{
    struct story *story = *state;
    round_trip(story, "A128", KEY_128, 1, 11);
    round_trip(story, "A192", KEY_192, 2, 12);
    round_trip(story, "A256", KEY_256, 3, 13);

    /* The simulator reads the encrypted ACK with its key (exit 0). */
    char to[32], output[512];
    snprintf(to, sizeof to, "127.0.0.1:%u", story->world->dc09_port);
    assert_int_equal(world_sim(story->world, output, sizeof output, "dc09", "--to", to, "--account",
                               "A256", "--key", KEY_256, "--code", "1121", "--zone", "4", "--seq",
                               "9", NULL),
                     0);
    cJSON *duress = alarms_of(story->world, story->alice, "A256", "1121");
    assert_int_equal(cJSON_GetArraySize(duress), 1);
    assert_int_equal(json_int(cJSON_GetArrayItem(duress, 0), "priority"), 1);
    assert_int_equal(world_metric(story->world, "vigie_dc09_ack_total"), 4);
    assert_int_equal(world_metric(story->world, "vigie_dc09_duh_total"), 0);
}

/* Polls SQL until it counts `expected` (the raw frames are kept by a job
 * queued after the answer). */
static bool sql_count_reaches(struct world *world, const char *sql, int64_t expected)
{
    int64_t deadline = harness_now_ms() + PANEL_ANSWER_TIMEOUT_MS;
    while (world_sql_int(world, NULL, sql) != expected) {
        if (harness_now_ms() >= deadline)
            return false;
        harness_sleep_ms(25);
    }
    return true;
}

static void
test_an_encrypted_frame_from_an_account_without_a_key_gets_duh_and_one_notice(void **state)
{
    struct story *story = *state;
    struct dc09_key key = harness_key(KEY_128);
    struct panel *panel = panel_connect(story->world, false);
    assert_non_null(panel);
    for (unsigned seq = 1; seq <= 3; seq++) {
        uint8_t frame[DC09_FRAME_MAX];
        size_t length = panel_frame_cid("4444", seq, "1130", 1, &key, 0, frame);
        struct dc09_frame answer;
        assert_int_equal(panel_exchange(panel, frame, length, NULL, &answer), PANEL_DUH);
        assert_false(answer.encrypted);
        assert_int_equal(answer.seq, seq);
        assert_string_equal(answer.account, "4444");
    }
    /* One technical alarm says the key is missing, however many frames. */
    cJSON *notices =
        alarms_wait(story->world, story->alice, "4444", "KEY-MISSING", 1, PANEL_ANSWER_TIMEOUT_MS);
    assert_non_null(notices);
    assert_true(sql_count_reaches(story->world,
                                  "SELECT COUNT(*) FROM raw_frames WHERE account = '4444'"
                                  " AND reason = 'KEY-MISSING'",
                                  3));
    notices = alarms_of(story->world, story->alice, "4444", "KEY-MISSING");
    assert_int_equal(cJSON_GetArraySize(notices), 1);
    const cJSON *notice = cJSON_GetArrayItem(notices, 0);
    assert_string_equal(json_string(notice, "class"), "technical");
    assert_string_equal(json_string(notice, "source"), "system");
    assert_string_equal(json_string(notice, "state"), "new");
    assert_int_equal(json_int(notice, "site_id"), template_site);
    /* The raw frame is kept for the administrator. */
    cJSON *detail = alarm_get(story->world, story->alice, json_int(notice, "id"));
    assert_non_null(strstr(json_string(detail, "raw"), "\"*ADM-CID\"0001"));
    /* And the event it hid is no alarm: nobody could read it. */
    assert_int_equal(cJSON_GetArraySize(alarms_of(story->world, story->alice, "4444", "1130")), 0);
    assert_int_equal(world_metric(story->world, "vigie_dc09_duh_total"), 3);
    assert_int_equal(world_metric(story->world, "vigie_dc09_bad_frames_total"), 3);
    assert_int_equal(world_metric(story->world, "vigie_dc09_ack_total"), 0);
    assert_non_null(strstr(world_log(story->world), "need_key"));

    /* An account the centre does not know at all: DUH as well. */
    uint8_t frame[DC09_FRAME_MAX];
    size_t length = panel_frame_cid("7E7E", 5, "1130", 1, &key, 0, frame);
    struct panel *stranger = panel_connect(story->world, false);
    assert_int_equal(panel_exchange(stranger, frame, length, NULL, NULL), PANEL_DUH);
    notices =
        alarms_wait(story->world, story->alice, "7E7E", "KEY-MISSING", 1, PANEL_ANSWER_TIMEOUT_MS);
    assert_non_null(notices);
    assert_string_equal(json_string(cJSON_GetArrayItem(notices, 0), "flags.0"), "unknown-account");
}

static void test_a_frame_encrypted_with_the_wrong_key_gets_duh(void **state)
{
    struct story *story = *state;
    struct dc09_key wrong = harness_key(KEY_WRONG_128);
    struct dc09_key longer = harness_key(KEY_256);
    uint8_t frame[DC09_FRAME_MAX];
    struct panel *panel = panel_connect(story->world, false);
    assert_non_null(panel);
    size_t length = panel_frame_cid("A128", 21, "1130", 1, &wrong, 0, frame);
    struct dc09_frame answer;
    assert_int_equal(panel_exchange(panel, frame, length, NULL, &answer), PANEL_DUH);
    assert_int_equal(answer.seq, 21);
    assert_string_equal(answer.account, "A128");
    length = panel_frame_cid("A128", 22, "1130", 1, &longer, 0, frame);
    assert_int_equal(panel_exchange(panel, frame, length, NULL, &answer), PANEL_DUH);
    assert_int_equal(answer.seq, 22);

    cJSON *notices =
        alarms_wait(story->world, story->alice, "A128", "KEY-MISMATCH", 1, PANEL_ANSWER_TIMEOUT_MS);
    assert_non_null(notices);
    assert_int_equal(cJSON_GetArraySize(alarms_of(story->world, story->alice, "A128", "1130")), 0);
    assert_int_equal(world_metric(story->world, "vigie_dc09_duh_total"), 2);
    assert_non_null(strstr(world_log(story->world), "bad_decrypt frame"));

    /* The same connection still serves the right key. */
    struct dc09_key right = harness_key(KEY_128);
    length = panel_frame_cid("A128", 23, "1130", 1, &right, 0, frame);
    assert_int_equal(panel_exchange(panel, frame, length, &right, &answer), PANEL_ACK);
    assert_int_equal(answer.seq, 23);
}

/* Sends a frame stamped `offset_ms` from now on a new connection. */
static enum panel_answer send_stamped(struct story *story, const char *hex, int64_t offset_ms,
                                      unsigned seq, struct dc09_frame *answer)
{
    struct dc09_key key = harness_key(hex);
    uint8_t frame[DC09_FRAME_MAX];
    size_t length =
        panel_frame_cid("A128", seq, "1130", 6, &key, harness_wall_ms() + offset_ms, frame);
    struct panel *panel = panel_connect(story->world, false);
    if (!panel || length == 0)
        return PANEL_CLOSED;
    enum panel_answer result = panel_exchange(panel, frame, length, &key, answer);
    panel_close(panel);
    return result;
}

static void test_a_stale_timestamp_gets_a_nak_with_the_receivers_time(void **state)
{
    struct story *story = *state;
    struct dc09_frame answer;
    assert_int_equal(send_stamped(story, KEY_128, -10 * 60 * 1000, 31, &answer), PANEL_NAK);
    /* DC-09 5.5.3.2: "NAK"0000R0L0A0[]_timestamp, never encrypted. */
    assert_false(answer.encrypted);
    assert_int_equal(answer.seq, 0);
    assert_string_equal(answer.account, ""); /* "A0": no account */
    assert_true(answer.has_timestamp);
    assert_true(distance(answer.timestamp_ms, harness_wall_ms()) < CLOCK_SLACK_MS);
    /* From the future, past the window's 20 s: refused too. */
    assert_int_equal(send_stamped(story, KEY_128, 10 * 60 * 1000, 32, &answer), PANEL_NAK);
    /* Within the window: accepted. */
    assert_int_equal(send_stamped(story, KEY_128, -30 * 1000, 33, &answer), PANEL_ACK);

    cJSON *alarms = alarms_of(story->world, story->alice, "A128", NULL);
    assert_int_equal(cJSON_GetArraySize(alarms), 1);
    assert_int_equal(world_metric(story->world, "vigie_dc09_nak_total"), 2);
    assert_int_equal(world_metric(story->world, "vigie_dc09_bad_frames_total"), 2);
    assert_non_null(strstr(world_log(story->world), "bad_timestamp"));
}

static void test_a_window_widened_with_the_cli_lets_an_old_stamp_in(void **state)
{
    struct story *story = *state;
    struct dc09_frame answer;
    assert_int_equal(send_stamped(story, KEY_128, -10 * 60 * 1000, 41, &answer), PANEL_NAK);
    char output[512];
    assert_int_equal(world_account(story->world, output, sizeof output, "set", "A128", "--window",
                                   "-900,+20", NULL),
                     0);
    /* The running receiver picks the change up without a restart. */
    int64_t deadline = harness_now_ms() + ACCOUNT_RELOAD_WAIT_MS;
    enum panel_answer result = PANEL_NAK;
    while (result == PANEL_NAK && harness_now_ms() < deadline) {
        harness_sleep_ms(200);
        result = send_stamped(story, KEY_128, -10 * 60 * 1000, 41, &answer);
    }
    assert_int_equal(result, PANEL_ACK);
    assert_int_equal(answer.seq, 41);
    /* Twenty minutes is still too old, and the future side is unchanged. */
    assert_int_equal(send_stamped(story, KEY_128, -20 * 60 * 1000, 42, &answer), PANEL_NAK);
    assert_int_equal(send_stamped(story, KEY_128, 60 * 1000, 43, &answer), PANEL_NAK);
    assert_int_equal(cJSON_GetArraySize(alarms_of(story->world, story->alice, "A128", NULL)), 1);
    assert_int_equal(world_account(story->world, output, sizeof output, "list", NULL), 0);
    assert_non_null(strstr(output, "window -900,+20"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_each_key_size_decrypts_and_is_answered_encrypted,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(
            test_an_encrypted_frame_from_an_account_without_a_key_gets_duh_and_one_notice, world_up,
            world_down),
        cmocka_unit_test_setup_teardown(test_a_frame_encrypted_with_the_wrong_key_gets_duh,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(test_a_stale_timestamp_gets_a_nak_with_the_receivers_time,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(test_a_window_widened_with_the_cli_lets_an_old_stamp_in,
                                        world_up, world_down),
    };
    return cmocka_run_group_tests_name("dc09 crypto", tests, template_up, template_down);
}
