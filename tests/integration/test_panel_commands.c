/* Remote arm/disarm, end to end: a real vigied, a real `vigie-sim panel`
 * speaking the EnvisaLink TPI on one side and SIA DC-09 on the other.
 * The operator disarms a site from an alarm and sees the command pending,
 * confirmed by the panel's answer, then by the DC-09 opening that
 * follows; a panel that refuses, one that stays silent (timed out), one
 * that cannot be reached; a supervisor refused; an unknown site; a site
 * without a panel connection; and the secrets never leave the server. */
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
/* The panel's TPI password and the centre's user code: secrets that must
 * never appear in an API answer or the server's log. */
#define TPI_PASSWORD "s3cr3t"
#define USER_CODE    "975319"
/* Short, so that the silent panel's test is quick; the default is 30 s. */
#define COMMAND_TIMEOUT_S 3
/* A command's outcome comes within the time-out; a DC-09 report within a
 * second or two after: generous for a sanitizer build. */
#define OUTCOME_WAIT_MS 15000

struct story {
    struct world *world;
    const char *alice, *sam;
    char sim_log[WORLD_PATH_MAX];
};

static struct world *template;
static int64_t bank, warehouse; /* bank: account 1234, linked; warehouse: 2345, not */

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    if (!template || !world_add_user(template, "alice", "operator", PASSWORD) ||
        !world_add_user(template, "sam", "supervisor", PASSWORD))
        return -1;
    bank = world_add_site(template, "Banque Lumière - Agence Opéra", "Paris");
    warehouse = world_add_site(template, "Entrepôt Nord", "Villeurbanne");
    char site[2][24];
    snprintf(site[0], sizeof site[0], "%lld", (long long)bank);
    snprintf(site[1], sizeof site[1], "%lld", (long long)warehouse);
    world_enable_dc09(template);
    char timeout[64];
    snprintf(timeout, sizeof timeout, "panel_command_timeout_s=%d", COMMAND_TIMEOUT_S);
    world_set(template, timeout);
    return bank > 0 && warehouse > 0 &&
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
        (story->alice = login(story->world, "alice", PASSWORD)) &&
        (story->sam = login(story->world, "sam", PASSWORD)))
        return 0;
    world_down(state);
    return -1;
}

/* ---- the simulated panel ---- */

/* Starts `vigie-sim panel` answering the TPI on a free port and reporting
 * to the world's DC-09 receiver as account 1234, with `options` (a
 * NULL-terminated list of up to 4 more arguments); returns its address. */
static void start_panel(struct story *story, const char *state_name, const char *const *options,
                        char *address, size_t size)
{
    char dc09[64];
    snprintf(dc09, sizeof dc09, "127.0.0.1:%u", story->world->dc09_port);
    snprintf(story->sim_log, sizeof story->sim_log, "%s/panel.log", story->world->dir);
    const char *more[5] = {NULL};
    for (int i = 0; options && options[i] && i < 4; i++)
        more[i] = options[i];
    pid_t pid =
        world_sim_start(story->world, story->sim_log, "panel", "--listen", "127.0.0.1:0", "--to",
                        dc09, "--account", "1234", "--password", TPI_PASSWORD, "--code", USER_CODE,
                        "--state", state_name, "--seconds", "120", "--answer-delay", "300",
                        "--report-delay", "1000", more[0], more[1], more[2], more[3], NULL);
    assert_true(pid > 0);
    int64_t deadline = harness_now_ms() + OUTCOME_WAIT_MS;
    address[0] = '\0';
    while (!address[0] && harness_now_ms() < deadline) {
        FILE *log = fopen(story->sim_log, "r");
        char line[256];
        while (log && fgets(line, sizeof line, log))
            if (sscanf(line, "tpi: listening on %63s", address) == 1)
                break;
        if (log)
            fclose(log);
        if (!address[0])
            harness_sleep_ms(20);
    }
    assert_true(address[0] != '\0');
    (void)size;
}

/* `vigied panel set 1234` with the secrets on standard input. */
static void link_panel(struct story *story, const char *address)
{
    char output[512];
    int status =
        world_run(story->world, TPI_PASSWORD "\n" USER_CODE "\n", output, sizeof output, "panel",
                  "set", "1234", "--protocol", "tpi", "--address", address, "--password-file", "-",
                  "--code-file", "-", "--db", story->world->db, NULL);
    if (status != 0)
        fprintf(stderr, "# vigied panel set: %s\n", output);
    assert_int_equal(status, 0);
}

static void panel_ready(struct story *story, const char *state_name, const char *const *options)
{
    char address[64];
    start_panel(story, state_name, options, address, sizeof address);
    link_panel(story, address);
}

/* ---- the API as the console uses it ---- */

static long send_command(struct story *story, const char *token, int64_t site, const char *body,
                         cJSON **json)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/sites/%lld/panel/commands", (long long)site);
    long status = 0;
    http_request(story->world, "POST", path, token, body, &status, json);
    return status;
}

static cJSON *panel_of(struct story *story, int64_t site)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/sites/%lld/panel", (long long)site);
    long status = 0;
    cJSON *json = NULL;
    http_request(story->world, "GET", path, story->alice, NULL, &status, &json);
    assert_int_equal(status, 200);
    return json;
}

/* The site's newest command once `field` is set (not null), or NULL. */
static const cJSON *wait_command(struct story *story, int64_t site, const char *field,
                                 int timeout_ms)
{
    int64_t deadline = harness_now_ms() + timeout_ms;
    do {
        const cJSON *command = json_get(panel_of(story, site), "commands.0");
        if (command && !json_is_null(command, field))
            return command;
        harness_sleep_ms(50);
    } while (harness_now_ms() < deadline);
    return NULL;
}

static int64_t new_alarm(struct story *story, int64_t site)
{
    int64_t id = alarm_create(story->world, story->alice, site, "burglary", 2);
    assert_true(id > 0);
    return id;
}

/* Stream events about alarm `id` so far. */
static size_t events_of_alarm(struct sse_client *stream, int64_t id)
{
    size_t count = 0;
    for (size_t i = 0; i < sse_count(stream, "alarm"); i++)
        if (json_int(sse_get(stream, "alarm", i)->json, "id") == id)
            count++;
    return count;
}

static int count_timeline(const cJSON *alarm, const char *kind, const char *text)
{
    int count = 0;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, json_get(alarm, "timeline"))
    {
        const char *its_kind = json_string(entry, "kind");
        const char *its_text = json_string(entry, "text");
        if (its_kind && strcmp(its_kind, kind) == 0 && its_text && strstr(its_text, text))
            count++;
    }
    return count;
}

/* ---- stories ---- */

static void test_disarm_confirmed_by_the_panel_then_by_its_dc09_opening(void **state)
{
    struct story *story = *state;
    panel_ready(story, "armed", NULL);
    int64_t alarm = new_alarm(story, bank);
    struct sse_client *stream = sse_open(story->world, story->alice, NULL);
    assert_int_equal(sse_status(stream), 200);

    char body[96];
    snprintf(body, sizeof body, "{\"command\":\"disarm\",\"alarm_id\":%lld}", (long long)alarm);
    cJSON *created = NULL;
    assert_int_equal(send_command(story, story->alice, bank, body, &created), 202);
    assert_string_equal(json_string(created, "state"), "pending");
    assert_string_equal(json_string(created, "command"), "disarm");
    assert_string_equal(json_string(created, "requested_by"), "alice");
    int64_t id = json_int(created, "id");

    /* The panel answers first (655), then reports its opening (1401). */
    const cJSON *answered = wait_command(story, bank, "answered_at", OUTCOME_WAIT_MS);
    assert_non_null(answered);
    assert_int_equal(json_int(answered, "id"), id);
    assert_string_equal(json_string(answered, "state"), "confirmed");
    assert_non_null(strstr(json_string(answered, "answer"), "655"));
    const cJSON *reported = wait_command(story, bank, "reported_at", OUTCOME_WAIT_MS);
    assert_non_null(reported);
    assert_string_equal(json_string(reported, "state"), "confirmed");
    assert_true(
        strcmp(json_string(reported, "answered_at"), json_string(reported, "reported_at")) <= 0);
    int64_t report = json_int(reported, "report_alarm_id");
    cJSON *opening = alarm_get(story->world, story->alice, report);
    assert_non_null(opening);
    assert_string_equal(json_string(opening, "event_code"), "1401");
    assert_int_equal(json_int(opening, "site_id"), bank);

    /* The site and the alarm say so, with since when. */
    cJSON *panel = panel_of(story, bank);
    assert_string_equal(json_string(panel, "arm_state"), "disarmed");
    assert_non_null(json_string(panel, "arm_since"));
    cJSON *detail = alarm_get(story->world, story->alice, alarm);
    assert_string_equal(json_string(detail, "panel.arm_state"), "disarmed");
    assert_string_equal(json_string(detail, "panel.commands.0.state"), "confirmed");
    assert_int_equal(count_timeline(detail, "panel", "sent to the panel"), 1);
    assert_int_equal(count_timeline(detail, "panel", "confirmed by the panel:"), 1);
    assert_int_equal(count_timeline(detail, "panel", "DC-09 report"), 1);
    /* Consoles heard each change of the alarm live: the command sent,
     * answered, reported. */
    int64_t deadline = harness_now_ms() + OUTCOME_WAIT_MS;
    while (events_of_alarm(stream, alarm) < 3 && harness_now_ms() < deadline)
        harness_sleep_ms(20);
    assert_int_equal(events_of_alarm(stream, alarm), 3);

    /* Audited: the request by alice, the answer, the report. */
    assert_int_equal(
        world_sql_int(
            story->world, NULL,
            "SELECT COUNT(*) FROM audit WHERE action = 'panel.command' AND actor = 'alice'"),
        1);
    assert_int_equal(world_sql_int(story->world, NULL,
                                   "SELECT COUNT(*) FROM audit WHERE action IN"
                                   " ('panel.command.confirmed', 'panel.command.reported')"),
                     2);
}

static void test_arm_stay_sets_the_site_armed_stay(void **state)
{
    struct story *story = *state;
    panel_ready(story, "disarmed", NULL);
    cJSON *created = NULL;
    assert_int_equal(
        send_command(story, story->alice, bank, "{\"command\":\"arm-stay\"}", &created), 202);
    const cJSON *reported = wait_command(story, bank, "reported_at", OUTCOME_WAIT_MS);
    assert_non_null(reported);
    assert_string_equal(json_string(reported, "state"), "confirmed");
    assert_non_null(strstr(json_string(reported, "answer"), "armed stay"));
    /* The DC-09 closing was 3441 (stay): the site is armed stay. */
    assert_string_equal(json_string(panel_of(story, bank), "arm_state"), "armed-stay");
    long status = 0;
    cJSON *site = NULL;
    char path[64];
    snprintf(path, sizeof path, "/v1/sites/%lld", (long long)bank);
    http_request(story->world, "GET", path, story->alice, NULL, &status, &site);
    assert_int_equal(status, 200);
    assert_string_equal(json_string(site, "arm_state"), "armed-stay");
    assert_string_equal(json_string(site, "panel.arm_state"), "armed-stay");
}

static void test_bypass_of_the_alarms_zone(void **state)
{
    struct story *story = *state;
    panel_ready(story, "disarmed", NULL);
    cJSON *created = NULL;
    assert_int_equal(
        send_command(story, story->alice, bank, "{\"command\":\"bypass-zone\"}", &created), 400);
    assert_string_equal(json_string(created, "error.code"), "missing_field");
    assert_int_equal(send_command(story, story->alice, bank,
                                  "{\"command\":\"bypass-zone\",\"zone\":5}", &created),
                     202);
    assert_int_equal(json_int(created, "zone"), 5);
    const cJSON *reported = wait_command(story, bank, "reported_at", OUTCOME_WAIT_MS);
    assert_non_null(reported);
    assert_string_equal(json_string(reported, "state"), "confirmed");
    cJSON *event = alarm_get(story->world, story->alice, json_int(reported, "report_alarm_id"));
    assert_string_equal(json_string(event, "event_code"), "1570");
    assert_int_equal(json_int(event, "zone"), 5);
}

static void test_a_refusing_panel_leaves_the_site_as_it_was(void **state)
{
    struct story *story = *state;
    static const char *const refuse[] = {"--refuse", NULL};
    panel_ready(story, "armed", refuse);
    int64_t alarm = new_alarm(story, bank);
    char body[96];
    snprintf(body, sizeof body, "{\"command\":\"disarm\",\"alarm_id\":%lld}", (long long)alarm);
    cJSON *created = NULL;
    assert_int_equal(send_command(story, story->alice, bank, body, &created), 202);
    const cJSON *ended = wait_command(story, bank, "finished_at", OUTCOME_WAIT_MS);
    assert_non_null(ended);
    assert_string_equal(json_string(ended, "state"), "refused");
    assert_non_null(strstr(json_string(ended, "answer"), "670"));
    assert_string_equal(json_string(panel_of(story, bank), "arm_state"), "unknown");
    cJSON *detail = alarm_get(story->world, story->alice, alarm);
    assert_int_equal(count_timeline(detail, "panel", "refused by the panel"), 1);
    /* A refused command is over: the next one may go. */
    assert_int_equal(send_command(story, story->alice, bank, body, &created), 202);
}

static void test_a_silent_panel_times_out(void **state)
{
    struct story *story = *state;
    static const char *const silent[] = {"--silent", NULL};
    panel_ready(story, "armed", silent);
    cJSON *created = NULL;
    assert_int_equal(send_command(story, story->alice, bank, "{\"command\":\"disarm\"}", &created),
                     202);
    /* While it waits, a second command for the same panel is refused. */
    assert_int_equal(
        send_command(story, story->alice, bank, "{\"command\":\"arm-away\"}", &created), 409);
    assert_string_equal(json_string(created, "error.code"), "conflict");
    assert_string_equal(json_string(json_get(panel_of(story, bank), "commands.0"), "state"),
                        "pending");
    const cJSON *ended =
        wait_command(story, bank, "finished_at", COMMAND_TIMEOUT_S * 1000 + OUTCOME_WAIT_MS);
    assert_non_null(ended);
    assert_string_equal(json_string(ended, "state"), "timed-out");
    assert_non_null(strstr(json_string(ended, "message"), "no answer"));
    assert_true(json_is_null(ended, "answered_at"));
}

static void test_an_unreachable_panel_fails_at_once(void **state)
{
    struct story *story = *state;
    /* A port nobody listens on. */
    link_panel(story, "127.0.0.1:1");
    cJSON *created = NULL;
    assert_int_equal(
        send_command(story, story->alice, bank, "{\"command\":\"arm-away\"}", &created), 202);
    const cJSON *ended = wait_command(story, bank, "finished_at", OUTCOME_WAIT_MS);
    assert_non_null(ended);
    assert_string_equal(json_string(ended, "state"), "failed");
    assert_non_null(strstr(json_string(ended, "message"), "cannot connect"));
}

static void test_a_supervisor_cannot_command_a_panel(void **state)
{
    struct story *story = *state;
    panel_ready(story, "armed", NULL);
    cJSON *answer = NULL;
    assert_int_equal(send_command(story, story->sam, bank, "{\"command\":\"disarm\"}", &answer),
                     403);
    assert_string_equal(json_string(answer, "error.code"), "forbidden");
    /* Nothing was recorded, nothing was sent; the supervisor may read. */
    char path[64];
    snprintf(path, sizeof path, "/v1/sites/%lld/panel", (long long)bank);
    long status = 0;
    cJSON *panel = NULL;
    http_request(story->world, "GET", path, story->sam, NULL, &status, &panel);
    assert_int_equal(status, 200);
    assert_int_equal(json_count(panel, "commands"), 0);
}

static void test_unknown_site_and_site_without_a_panel_connection(void **state)
{
    struct story *story = *state;
    cJSON *answer = NULL;
    assert_int_equal(send_command(story, story->alice, 9999, "{\"command\":\"disarm\"}", &answer),
                     404);
    long status = 0;
    http_request(story->world, "GET", "/v1/sites/9999/panel", story->alice, NULL, &status, &answer);
    assert_int_equal(status, 404);
    assert_int_equal(
        send_command(story, story->alice, warehouse, "{\"command\":\"disarm\"}", &answer), 409);
    assert_string_equal(json_string(answer, "error.code"), "no_panel_link");
    assert_non_null(strstr(json_string(answer, "error.message"), "no panel connection"));
    assert_true(json_is_null(panel_of(story, warehouse), "link"));
    assert_int_equal(
        send_command(story, story->alice, bank, "{\"command\":\"open-sesame\"}", &answer), 400);
    assert_string_equal(json_string(answer, "error.code"), "bad_command");
}

static void test_an_alarm_of_another_site_is_refused(void **state)
{
    struct story *story = *state;
    panel_ready(story, "armed", NULL);
    int64_t elsewhere = new_alarm(story, warehouse);
    char body[96];
    snprintf(body, sizeof body, "{\"command\":\"disarm\",\"alarm_id\":%lld}", (long long)elsewhere);
    cJSON *answer = NULL;
    assert_int_equal(send_command(story, story->alice, bank, body, &answer), 422);
    assert_non_null(strstr(json_string(answer, "error.message"), "not an alarm of site"));
}

static void test_secrets_never_leave_the_server(void **state)
{
    struct story *story = *state;
    panel_ready(story, "armed", NULL);
    cJSON *created = NULL;
    assert_int_equal(send_command(story, story->alice, bank, "{\"command\":\"disarm\"}", &created),
                     202);
    assert_non_null(wait_command(story, bank, "finished_at", OUTCOME_WAIT_MS));
    char path[64];
    snprintf(path, sizeof path, "/v1/sites/%lld", (long long)bank);
    struct http_reply site, panel;
    assert_true(http_send(story->world, "GET", path, story->alice, NULL, 0, false, &site));
    snprintf(path, sizeof path, "/v1/sites/%lld/panel", (long long)bank);
    assert_true(http_send(story->world, "GET", path, story->alice, NULL, 0, false, &panel));
    assert_true(json_get(panel.json, "link.password_set") &&
                cJSON_IsTrue(json_get(panel.json, "link.password_set")));
    assert_true(cJSON_IsTrue(json_get(panel.json, "link.code_set")));
    for (const struct http_reply *reply = &site; reply; reply = reply == &site ? &panel : NULL) {
        assert_null(strstr(reply->body, TPI_PASSWORD));
        assert_null(strstr(reply->body, USER_CODE));
    }
    assert_null(strstr(world_log(story->world), TPI_PASSWORD));
    assert_null(strstr(world_log(story->world), USER_CODE));
    assert_int_equal(world_sql_int(story->world, NULL,
                                   "SELECT COUNT(*) FROM audit WHERE detail LIKE '%" USER_CODE
                                   "%' OR detail LIKE '%" TPI_PASSWORD "%'"),
                     0);
    char listing[1024];
    assert_int_equal(world_run(story->world, NULL, listing, sizeof listing, "panel", "list", "--db",
                               story->world->db, NULL),
                     0);
    assert_non_null(strstr(listing, "password set"));
    assert_null(strstr(listing, TPI_PASSWORD));
    assert_null(strstr(listing, USER_CODE));
}

int main(void)
{
#define STORY(name) cmocka_unit_test_setup_teardown(name, world_up, world_down)
    const struct CMUnitTest tests[] = {
        STORY(test_disarm_confirmed_by_the_panel_then_by_its_dc09_opening),
        STORY(test_arm_stay_sets_the_site_armed_stay),
        STORY(test_bypass_of_the_alarms_zone),
        STORY(test_a_refusing_panel_leaves_the_site_as_it_was),
        STORY(test_a_silent_panel_times_out),
        STORY(test_an_unreachable_panel_fails_at_once),
        STORY(test_a_supervisor_cannot_command_a_panel),
        STORY(test_unknown_site_and_site_without_a_panel_connection),
        STORY(test_an_alarm_of_another_site_is_refused),
        STORY(test_secrets_never_leave_the_server),
    };
    return cmocka_run_group_tests(tests, template_up, template_down);
}
