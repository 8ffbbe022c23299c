/* SIA DC-09 bad input: what a broken, hostile or merely slow sender gets.
 * A frame with a wrong CRC gets no answer (and bad frames in a row close
 * the connection), a wrong length a NAK, garbage before a frame is
 * skipped, an endless line closes the connection with memory bounded, a
 * frame begun and never finished is closed after the partial timeout, and
 * a flood from one source leaves another panel's ACK as quick as ever.
 * Each leaves a log line and a counter in /metrics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tests/lib/harness.h"

#define PASSWORD "night-shift-42"
/* Bad frames in a row before the connection is closed (kept low). */
#define BAD_FRAMES_MAX 3
/* "No answer" is waited for this long: an answer comes in milliseconds. */
#define SILENCE_MS 1000
/* Another panel's ACK while the receiver is busy: the bound. */
#define OTHER_PANEL_ACK_MS 1000
/* The endless line, and how much memory vigied may hold meanwhile. */
#define ENDLESS_LINE_BYTES (10 * 1024 * 1024)
#define RSS_LIMIT_KIB      (200 * 1024)
/* The flood: vigie-sim load flat out on this many connections. */
#define FLOOD_CONNECTIONS "20"
#define FLOOD_SECONDS     "3"

struct story {
    struct world *world;
    const char *alice;
};

static struct world *template;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    if (!template || !world_add_user(template, "alice", "operator", PASSWORD))
        return -1;
    int64_t site = world_add_site(template, "Tabac de la Gare", "Lyon");
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)site);
    world_enable_dc09(template);
    world_set(template, "dc09_bad_frames_max=3");
    world_set(template, "dc09_partial_timeout_s=1");
    return site > 0 && world_account(template, NULL, 0, "add", "1234", "--site", id, NULL) == 0 &&
                   world_account(template, NULL, 0, "add", "5678", "--site", id, NULL) == 0
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

static size_t burglary(unsigned seq, int zone, uint8_t *frame)
{
    size_t length = panel_frame_cid("1234", seq, "1130", zone, NULL, 0, frame);
    assert_true(length > 0);
    return length;
}

/* The frame with one of its CRC digits changed (LF, then 4 digits). */
static size_t wrong_crc(unsigned seq, uint8_t *frame)
{
    size_t length = burglary(seq, 1, frame);
    frame[1] = frame[1] == '0' ? '1' : '0';
    return length;
}

static int alarm_count(struct story *story)
{
    cJSON *alarms = alarms_of(story->world, story->alice, NULL, NULL);
    return alarms ? cJSON_GetArraySize(alarms) : -1;
}

static void test_a_frame_with_a_wrong_crc_gets_no_answer(void **state)
{
    struct story *story = *state;
    struct panel *panel = panel_connect(story->world, false);
    assert_non_null(panel);
    uint8_t frame[DC09_FRAME_MAX];
    size_t length = wrong_crc(1, frame);
    assert_true(panel_send(panel, frame, length));
    assert_int_equal(panel_read(panel, NULL, NULL, SILENCE_MS), PANEL_NO_ANSWER);
    /* Ignored, not fatal: the panel's next frame is read and answered. */
    length = burglary(2, 2, frame);
    struct dc09_frame answer;
    assert_int_equal(panel_exchange(panel, frame, length, NULL, &answer), PANEL_ACK);
    assert_int_equal(answer.seq, 2);
    cJSON *alarms = alarms_of(story->world, story->alice, "1234", NULL);
    assert_int_equal(cJSON_GetArraySize(alarms), 1);
    assert_int_equal(json_int(cJSON_GetArrayItem(alarms, 0), "zone"), 2);
    assert_int_equal(world_metric(story->world, "vigie_dc09_bad_crc_total"), 1);
    assert_int_equal(world_metric(story->world, "vigie_dc09_nak_total"), 0);
    assert_non_null(strstr(world_log(story->world), "bad_crc frame"));
}

static void test_bad_frames_in_a_row_close_the_connection(void **state)
{
    struct story *story = *state;
    struct panel *panel = panel_connect(story->world, false);
    assert_non_null(panel);
    uint8_t frame[DC09_FRAME_MAX];
    /* Two bad, one good: the count starts again. */
    for (unsigned seq = 1; seq < BAD_FRAMES_MAX; seq++)
        assert_true(panel_send(panel, frame, wrong_crc(seq, frame)));
    size_t length = burglary(10, 1, frame);
    assert_int_equal(panel_exchange(panel, frame, length, NULL, NULL), PANEL_ACK);
    for (unsigned seq = 11; seq < 11 + BAD_FRAMES_MAX - 1; seq++)
        assert_true(panel_send(panel, frame, wrong_crc(seq, frame)));
    assert_int_equal(panel_read(panel, NULL, NULL, SILENCE_MS / 2), PANEL_NO_ANSWER);
    assert_int_equal(world_metric(story->world, "vigie_dc09_closed_bad_total"), 0);
    /* The third in a row closes it. */
    assert_true(panel_send(panel, frame, wrong_crc(20, frame)));
    assert_true(panel_wait_closed(panel, PANEL_ANSWER_TIMEOUT_MS));
    assert_int_equal(world_metric(story->world, "vigie_dc09_closed_bad_total"), 1);
    assert_int_equal(world_metric(story->world, "vigie_dc09_bad_crc_total"),
                     2 * BAD_FRAMES_MAX - 1);
    assert_non_null(strstr(world_log(story->world), "too many bad frames in a row"));
    /* Other panels are not concerned. */
    struct panel *other = panel_connect(story->world, false);
    assert_non_null(other);
    length = burglary(21, 2, frame);
    assert_int_equal(panel_exchange(other, frame, length, NULL, NULL), PANEL_ACK);
}

static void test_a_frame_with_a_wrong_length_gets_a_nak(void **state)
{
    struct story *story = *state;
    struct panel *panel = panel_connect(story->world, false);
    assert_non_null(panel);
    uint8_t frame[DC09_FRAME_MAX];
    size_t length = burglary(3, 1, frame);
    /* LF, 4 CRC digits, then "0LLL": the CRC does not cover the length. */
    memcpy(frame + 6, "0FF", 3);
    struct dc09_frame answer;
    assert_int_equal(panel_exchange(panel, frame, length, NULL, &answer), PANEL_NAK);
    assert_true(answer.has_timestamp);
    assert_int_equal(alarm_count(story), 0);
    assert_int_equal(world_metric(story->world, "vigie_dc09_nak_total"), 1);
    assert_int_equal(world_metric(story->world, "vigie_dc09_bad_frames_total"), 1);
    assert_non_null(strstr(world_log(story->world), "bad_length frame"));
}

static void test_garbage_before_a_frame_is_skipped_and_the_frame_acknowledged(void **state)
{
    struct story *story = *state;
    struct panel *panel = panel_connect(story->world, false);
    assert_non_null(panel);
    static const char garbage[] = "GET / HTTP/1.0\r\n\r\n\x01\x02\xff\n\n\nABCD0";
    uint8_t bytes[sizeof garbage + DC09_FRAME_MAX];
    memcpy(bytes, garbage, sizeof garbage - 1);
    size_t length = burglary(4, 7, bytes + sizeof garbage - 1);
    struct dc09_frame answer;
    assert_int_equal(panel_exchange(panel, bytes, sizeof garbage - 1 + length, NULL, &answer),
                     PANEL_ACK);
    assert_int_equal(answer.seq, 4);
    assert_int_equal(alarm_count(story), 1);
    assert_true(world_metric(story->world, "vigie_dc09_garbage_bytes_total") >=
                (int64_t)sizeof garbage - 1);
}

/* Sends up to `total` bytes of `fill` (after `head`) as fast as the
 * receiver takes them, until it closes the connection or the bound
 * passes. Returns the bytes it took. */
static size_t send_endless(struct panel *panel, const char *head, size_t total, int bound_ms)
{
    static uint8_t chunk[64 * 1024];
    memset(chunk, 'A', sizeof chunk);
    int fd = panel_fd(panel);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    size_t sent = 0;
    if (head && send(fd, head, strlen(head), MSG_NOSIGNAL) > 0)
        sent = strlen(head);
    int64_t deadline = harness_now_ms() + bound_ms;
    while (sent < total && harness_now_ms() < deadline) {
        size_t take = total - sent < sizeof chunk ? total - sent : sizeof chunk;
        ssize_t n = send(fd, chunk, take, MSG_NOSIGNAL);
        if (n > 0) {
            sent += (size_t)n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            break; /* EPIPE or ECONNRESET: closed by the receiver */
        struct pollfd wait_for = {fd, POLLOUT, 0};
        poll(&wait_for, 1, 50);
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return sent;
}

static void endless_line(struct story *story, const char *head)
{
    struct panel *panel = panel_connect(story->world, false);
    assert_non_null(panel);
    int64_t started = harness_now_ms();
    size_t sent = send_endless(panel, head, ENDLESS_LINE_BYTES, 5000);
    assert_true(panel_wait_closed(panel, 2000));
    int64_t closed_after = harness_now_ms() - started;
    printf("# endless line%s: %zu bytes taken, closed after %lld ms, vigied RSS %lld KiB\n",
           head ? " (a frame's header first)" : "", sent, (long long)closed_after,
           (long long)world_rss_kib(story->world));
    /* Closed long before 10 MB went through. */
    assert_true(sent < ENDLESS_LINE_BYTES);
    assert_true(closed_after < 3000);
    assert_true(world_rss_kib(story->world) < RSS_LIMIT_KIB);
}

static void test_an_endless_line_closes_the_connection_with_memory_bounded(void **state)
{
    struct story *story = *state;
    endless_line(story, "\n12340030\"ADM-CID\"0001L0#1234[");
    endless_line(story, NULL);
    assert_int_equal(alarm_count(story), 0);
    assert_true(world_metric(story->world, "vigie_dc09_closed_bad_total") >= 2);
    assert_non_null(strstr(world_log(story->world), "too_long frame"));
    /* vigied still serves. */
    struct panel *panel = panel_connect(story->world, false);
    assert_non_null(panel);
    uint8_t frame[DC09_FRAME_MAX];
    size_t length = burglary(5, 1, frame);
    assert_int_equal(panel_exchange(panel, frame, length, NULL, NULL), PANEL_ACK);
}

static void test_a_slow_sender_is_closed_while_another_panel_is_served(void **state)
{
    struct story *story = *state;
    struct panel *slow = panel_connect(story->world, false);
    struct panel *other = panel_connect(story->world, false);
    assert_non_null(slow);
    assert_non_null(other);
    uint8_t frame[DC09_FRAME_MAX];
    size_t length = burglary(6, 1, frame);
    assert_true(panel_send(slow, frame, length / 2));
    int64_t started = harness_now_ms();
    int64_t closed_after = -1;
    /* Meanwhile another panel reports every 200 ms and is answered. */
    for (unsigned seq = 100; seq < 115; seq++) {
        uint8_t event[DC09_FRAME_MAX];
        size_t event_length = panel_frame_cid("5678", seq, "1130", (int)seq, NULL, 0, event);
        int64_t sent_at = harness_now_ms();
        assert_true(panel_send(other, event, event_length));
        assert_int_equal(panel_read(other, NULL, NULL, OTHER_PANEL_ACK_MS), PANEL_ACK);
        assert_true(harness_now_ms() - sent_at < OTHER_PANEL_ACK_MS);
        if (closed_after < 0 && panel_wait_closed(slow, 200))
            closed_after = harness_now_ms() - started;
    }
    if (closed_after < 0 && panel_wait_closed(slow, 2000))
        closed_after = harness_now_ms() - started;
    printf("# slow sender closed after %lld ms (partial timeout 1 s)\n", (long long)closed_after);
    /* Not before the timeout, and within a tick of the 1 s timer after. */
    assert_true(closed_after >= 900);
    assert_true(closed_after <= 3000);
    assert_int_equal(world_metric(story->world, "vigie_dc09_closed_slow_total"), 1);
    assert_non_null(strstr(world_log(story->world), "a frame begun and never finished"));
    assert_int_equal(cJSON_GetArraySize(alarms_of(story->world, story->alice, "5678", NULL)), 15);
    assert_int_equal(cJSON_GetArraySize(alarms_of(story->world, story->alice, "1234", NULL)), 0);
}

/* The figures vigie-sim printed: its two summary lines, joined. */
static void print_flood_report(const char *path)
{
    FILE *file = fopen(path, "r");
    char line[256];
    while (file && fgets(line, sizeof line, file)) {
        line[strcspn(line, "\n")] = '\0';
        printf("# flood (vigie-sim load): %s\n", line);
    }
    if (file)
        fclose(file);
}

static void test_a_flood_from_one_source_does_not_delay_another_panel(void **state)
{
    struct story *story = *state;
    char to[32], report[WORLD_PATH_MAX + 16];
    snprintf(to, sizeof to, "127.0.0.1:%u", story->world->dc09_port);
    snprintf(report, sizeof report, "%s/flood.txt", story->world->dir);
    pid_t flood = world_sim_start(story->world, report, "load", "--dc09", to, "--rate", "0",
                                  "--seconds", FLOOD_SECONDS, "--connections", FLOOD_CONNECTIONS,
                                  "--account-base", "F0000", NULL);
    assert_true(flood > 0);
    /* Let the flood reach full rate, then report from another panel. */
    harness_sleep_ms(800);
    struct panel *panel = panel_connect(story->world, false);
    assert_non_null(panel);
    int64_t worst = 0;
    for (unsigned seq = 1; seq <= 6; seq++) {
        uint8_t frame[DC09_FRAME_MAX];
        size_t length = panel_frame_cid("5678", seq, "1121", (int)seq, NULL, 0, frame);
        int64_t sent_at = harness_now_ms();
        struct dc09_frame answer;
        assert_int_equal(panel_exchange(panel, frame, length, NULL, &answer), PANEL_ACK);
        assert_int_equal(answer.seq, seq);
        int64_t took = harness_now_ms() - sent_at;
        worst = took > worst ? took : worst;
        harness_sleep_ms(250);
    }
    int64_t flood_acks_meanwhile = world_metric(story->world, "vigie_dc09_ack_total");
    printf("# the other panel's slowest ACK during the flood: %lld ms\n", (long long)worst);
    assert_true(worst < OTHER_PANEL_ACK_MS);
    assert_int_equal(world_sim_wait(story->world, flood, 20000), 0);
    print_flood_report(report);
    /* The flood was real: many more ACKs than the other panel's six. */
    assert_true(flood_acks_meanwhile > 200);
    cJSON *duress = alarms_of(story->world, story->alice, "5678", "1121");
    assert_int_equal(cJSON_GetArraySize(duress), 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_frame_with_a_wrong_crc_gets_no_answer, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_bad_frames_in_a_row_close_the_connection, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_a_frame_with_a_wrong_length_gets_a_nak, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(
            test_garbage_before_a_frame_is_skipped_and_the_frame_acknowledged, world_up,
            world_down),
        cmocka_unit_test_setup_teardown(
            test_an_endless_line_closes_the_connection_with_memory_bounded, world_up, world_down),
        cmocka_unit_test_setup_teardown(test_a_slow_sender_is_closed_while_another_panel_is_served,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(test_a_flood_from_one_source_does_not_delay_another_panel,
                                        world_up, world_down),
    };
    return cmocka_run_group_tests_name("dc09 bad input", tests, template_up, template_down);
}
