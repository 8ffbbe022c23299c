/* SIA DC-09 durability and supervision. Panels report in a burst over
 * several connections, vigied is killed with SIGKILL in the middle of it
 * and restarted on the same database: every event that was acknowledged
 * is an alarm exactly once, and the panels' retransmissions of what was
 * left unanswered are stored once (never twice, even when the store had
 * committed them just before the kill). A supervised account that goes
 * silent raises one communication-failure alarm; when it reports again
 * the alarm stays open with a "restored" entry for the operator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/harness.h"

#define PASSWORD "night-shift-42"
/* The burst: one panel (account) per connection, one frame in flight on
 * each, as panels do. Event i of a panel has seq i and zone i, so that
 * (account, zone) names one event; Contact ID zones stop at 999. */
#define BURST_PANELS     8
#define BURST_EVENTS_MAX 999
/* vigied is killed each time this many more events were acknowledged... */
#define BURST_KILL_AFTER 400
/* ...which must happen within this bound. */
#define BURST_TIMEOUT_MS 20000
/* Wide enough that a link test sent 1.2 s after the account is added
 * arrives in time even under sanitizers on a loaded machine. */
#define SUPERVISION_S    3

struct story {
    struct world *world;
    const char *alice;
};

static struct world *template;
static int64_t template_site;
static const char *const accounts[BURST_PANELS] = {"D001", "D002", "D003", "D004",
                                                   "D005", "D006", "D007", "D008"};

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    if (!template || !world_add_user(template, "alice", "operator", PASSWORD))
        return -1;
    template_site = world_add_site(template, "Centre commercial Part-Dieu", "Lyon");
    char site[24];
    snprintf(site, sizeof site, "%lld", (long long)template_site);
    world_enable_dc09(template);
    for (int i = 0; i < BURST_PANELS; i++)
        if (world_account(template, NULL, 0, "add", accounts[i], "--site", site, NULL) != 0)
            return -1;
    return template_site > 0 ? 0 : -1;
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

/* One panel of the burst: what it sent, and what was acknowledged. */
struct burst_panel {
    struct panel *panel;
    int sent;      /* events 1..sent went out */
    int in_flight; /* the event waiting for its answer, 0 when none */
    bool acked[BURST_EVENTS_MAX + 1];
};

static size_t event_frame(int panel, int event, uint8_t *frame)
{
    return panel_frame_cid(accounts[panel], (unsigned)event, "1130", event, NULL, 0, frame);
}

static bool send_next(struct burst_panel *p, int index)
{
    if (p->sent >= BURST_EVENTS_MAX)
        return true; /* this panel is done */
    uint8_t frame[DC09_FRAME_MAX];
    size_t length = event_frame(index, p->sent + 1, frame);
    if (length == 0 || !panel_send(p->panel, frame, length))
        return false;
    p->in_flight = ++p->sent;
    return true;
}

/* Reads the answers waiting on a panel, sending the next event after each
 * ACK when `go_on`; false when the connection was closed. */
static bool take_answers(struct burst_panel *p, int index, int *acked, int timeout_ms, bool go_on)
{
    for (;;) {
        struct dc09_frame answer;
        enum panel_answer got = panel_read(p->panel, NULL, &answer, timeout_ms);
        if (got == PANEL_NO_ANSWER)
            return true;
        if (got == PANEL_CLOSED)
            return false;
        if (got == PANEL_ACK && p->in_flight && answer.seq == (unsigned)p->in_flight) {
            p->acked[p->in_flight] = true;
            p->in_flight = 0;
            ++*acked;
            if (go_on && !send_next(p, index))
                return false;
        }
        timeout_ms = 0;
    }
}

/* Runs the burst until `target` ACKs in all (counted in *acked), waits
 * `pause_ms`, then kills vigied, with a frame in flight on every
 * connection. */
static void run_burst_and_kill(struct story *story, struct burst_panel *panels, int *acked,
                               int target, int pause_ms)
{
    for (int i = 0; i < BURST_PANELS; i++) {
        panels[i].panel = panel_connect(story->world, false);
        assert_non_null(panels[i].panel);
        assert_true(send_next(&panels[i], i));
    }
    int64_t deadline = harness_now_ms() + BURST_TIMEOUT_MS;
    while (*acked < target && harness_now_ms() < deadline) {
        struct pollfd fds[BURST_PANELS];
        for (int i = 0; i < BURST_PANELS; i++)
            fds[i] = (struct pollfd){panel_fd(panels[i].panel), POLLIN, 0};
        if (poll(fds, BURST_PANELS, 100) <= 0)
            continue;
        for (int i = 0; i < BURST_PANELS; i++)
            if (fds[i].revents)
                assert_true(take_answers(&panels[i], i, acked, 0, true));
    }
    assert_true(*acked >= target);
    if (pause_ms > 0)
        harness_sleep_ms(pause_ms);
    world_kill(story->world);
    /* ACKs already on their way before the kill count as given: a panel
     * that read them will never send those events again. */
    for (int i = 0; i < BURST_PANELS; i++) {
        take_answers(&panels[i], i, acked, 200, false);
        panel_close(panels[i].panel);
    }
}

/* How many alarms each (panel, zone) has in the store, from the API. */
static void count_alarms(struct story *story, int counts[BURST_PANELS][BURST_EVENTS_MAX + 1],
                         int *total)
{
    memset(counts, 0, sizeof(int) * BURST_PANELS * (BURST_EVENTS_MAX + 1));
    *total = 0;
    cJSON *alarms = alarms_of(story->world, story->alice, NULL, "1130");
    assert_non_null(alarms);
    const cJSON *alarm;
    cJSON_ArrayForEach(alarm, alarms)
    {
        const char *account = json_string(alarm, "account");
        int64_t zone = json_int(alarm, "zone");
        for (int i = 0; account && i < BURST_PANELS; i++)
            if (strcmp(account, accounts[i]) == 0 && zone >= 1 && zone <= BURST_EVENTS_MAX)
                counts[i][zone]++;
        ++*total;
    }
}

/* After a restart: every ACKed event is stored once, the one in flight
 * at most once, nothing else; then the panels send again what was never
 * answered, and each is stored once. */
static void check_and_retransmit(struct story *story, struct burst_panel *panels, int *acked)
{
    static int counts[BURST_PANELS][BURST_EVENTS_MAX + 1];
    int total = 0, in_flight = 0, committed_unanswered = 0;
    int64_t retransmissions = world_metric(story->world, "vigie_dc09_retransmissions_total");
    count_alarms(story, counts, &total);
    for (int i = 0; i < BURST_PANELS; i++) {
        for (int e = 1; e <= BURST_EVENTS_MAX; e++) {
            if (panels[i].acked[e])
                assert_int_equal(counts[i][e], 1); /* none lost, none doubled */
            else if (e == panels[i].in_flight)
                assert_in_range(counts[i][e], 0, 1);
            else
                assert_int_equal(counts[i][e], 0);
        }
        in_flight += panels[i].in_flight != 0;
        if (panels[i].in_flight)
            committed_unanswered += counts[i][panels[i].in_flight];
    }
    assert_int_equal(total, *acked + committed_unanswered);
    printf("# burst killed: %d events ACKed so far, %d in flight at the kill (%d of them "
           "committed but unanswered)\n",
           *acked, in_flight, committed_unanswered);

    for (int i = 0; i < BURST_PANELS; i++) {
        if (!panels[i].in_flight)
            continue;
        uint8_t frame[DC09_FRAME_MAX];
        size_t length = event_frame(i, panels[i].in_flight, frame);
        struct panel *panel = panel_connect(story->world, false);
        struct dc09_frame answer;
        assert_int_equal(panel_exchange(panel, frame, length, NULL, &answer), PANEL_ACK);
        assert_int_equal(answer.seq, panels[i].in_flight);
        panel_close(panel);
        panels[i].acked[panels[i].in_flight] = true;
        panels[i].in_flight = 0;
        ++*acked;
    }
    count_alarms(story, counts, &total);
    for (int i = 0; i < BURST_PANELS; i++)
        for (int e = 1; e <= BURST_EVENTS_MAX; e++)
            assert_int_equal(counts[i][e], panels[i].acked[e]);
    assert_int_equal(total, *acked);
    assert_int_equal(world_metric(story->world, "vigie_dc09_retransmissions_total"),
                     retransmissions + committed_unanswered);
}

static void test_every_acknowledged_event_survives_a_kill_during_a_burst(void **state)
{
    struct story *story = *state;
    static struct burst_panel panels[BURST_PANELS];
    memset(panels, 0, sizeof panels);
    int acked = 0;
    /* Killed twice: the instant the next frames leave the panels (they
     * are lost and must be sent again), and a few milliseconds later,
     * with some of them in the middle of a commit. */
    const int pauses_ms[] = {0, 3};
    for (int round = 0; round < 2; round++) {
        run_burst_and_kill(story, panels, &acked, (round + 1) * BURST_KILL_AFTER, pauses_ms[round]);
        assert_true(world_start(story->world));
        story->alice = login(story->world, "alice", PASSWORD);
        assert_non_null(story->alice);
        check_and_retransmit(story, panels, &acked);
    }
}

static int64_t last_seen(struct story *story, const char *account)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COALESCE(last_seen_at, 0) FROM panels WHERE account = '%s'",
             account);
    return world_sql_int(story->world, NULL, sql);
}

static const cJSON *timeline_entry(const cJSON *alarm, const char *kind)
{
    const cJSON *entry;
    cJSON_ArrayForEach(entry, json_get(alarm, "timeline"))
    {
        const char *its_kind = json_string(entry, "kind");
        if (its_kind && strcmp(its_kind, kind) == 0)
            return entry;
    }
    return NULL;
}

static void test_a_silent_supervised_account_raises_one_communication_failure(void **state)
{
    struct story *story = *state;
    char site[24], interval[8], to[32], output[512];
    snprintf(site, sizeof site, "%lld", (long long)template_site);
    snprintf(interval, sizeof interval, "%d", SUPERVISION_S);
    snprintf(to, sizeof to, "127.0.0.1:%u", story->world->dc09_port);
    assert_int_equal(world_account(story->world, output, sizeof output, "add", "5A5A", "--site",
                                   site, "--supervision", interval, NULL),
                     0);
    int64_t added = last_seen(story, "5A5A");
    assert_true(added > 0);
    /* A link test a little later moves the account's last sign of life. */
    harness_sleep_ms(1200);
    int64_t heard_at = harness_now_ms();
    assert_int_equal(world_sim(story->world, output, sizeof output, "dc09", "--to", to, "--account",
                               "5A5A", "--null", "--seq", "1", NULL),
                     0);
    assert_true(last_seen(story, "5A5A") >= added + 1000);
    /* A link test is no alarm. */
    assert_int_equal(cJSON_GetArraySize(alarms_of(story->world, story->alice, "5A5A", NULL)), 0);

    /* Then silence: one alarm once the interval has passed. */
    cJSON *failures = alarms_wait(story->world, story->alice, "5A5A", "SUPERVISION", 1,
                                  (SUPERVISION_S + 3) * 1000);
    assert_non_null(failures);
    int64_t raised_after = harness_now_ms() - heard_at;
    printf("# communication failure raised %lld ms after the last link test (interval %d s)\n",
           (long long)raised_after, SUPERVISION_S);
    assert_true(raised_after >= SUPERVISION_S * 1000);
    const cJSON *failure = cJSON_GetArrayItem(failures, 0);
    int64_t id = json_int(failure, "id");
    assert_string_equal(json_string(failure, "class"), "communication-failure");
    assert_string_equal(json_string(failure, "source"), "system");
    assert_int_equal(json_int(failure, "site_id"), template_site);
    assert_string_equal(json_string(failure, "state"), "new");
    /* Still silent a while later: still one alarm, not one a second. */
    harness_sleep_ms(1500);
    assert_int_equal(
        cJSON_GetArraySize(alarms_of(story->world, story->alice, "5A5A", "SUPERVISION")), 1);

    /* The panel reports again: the alarm stays for the operator, who
     * reads in its timeline that the link is back, and sees it change. */
    struct sse_client *stream = sse_open(story->world, story->alice, NULL);
    assert_int_equal(sse_status(stream), 200);
    struct panel *panel = panel_connect(story->world, false);
    assert_non_null(panel);
    uint8_t frame[DC09_FRAME_MAX];
    size_t length = panel_frame_null("5A5A", 2, NULL, frame);
    assert_int_equal(panel_exchange(panel, frame, length, NULL, NULL), PANEL_ACK);
    assert_true(sse_wait(stream, "alarm", 1, 1000));
    assert_int_equal(json_int(sse_get(stream, "alarm", 0)->json, "id"), id);
    cJSON *detail = alarm_get(story->world, story->alice, id);
    assert_non_null(detail);
    assert_string_equal(json_string(detail, "state"), "new");
    assert_non_null(timeline_entry(detail, "restored"));
    failures = alarms_of(story->world, story->alice, "5A5A", "SUPERVISION");
    assert_int_equal(cJSON_GetArraySize(failures), 1);
    long status = 0;
    cJSON *queue = NULL;
    assert_true(
        http_request(story->world, "GET", "/v1/alarms", story->alice, NULL, &status, &queue));
    assert_int_equal(status, 200);
    bool listed = false;
    const cJSON *alarm;
    cJSON_ArrayForEach(alarm, json_get(queue, "alarms"))
    {
        listed = listed || json_int(alarm, "id") == id;
    }
    assert_true(listed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_every_acknowledged_event_survives_a_kill_during_a_burst, world_up, world_down),
        cmocka_unit_test_setup_teardown(
            test_a_silent_supervised_account_raises_one_communication_failure, world_up,
            world_down),
    };
    return cmocka_run_group_tests_name("dc09 durability", tests, template_up, template_down);
}
