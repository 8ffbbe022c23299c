/* A mass alert by SMS through a real Kannel (bearerbox, smsbox and its
 * fakesmsc as the SMS centre, on loopback): police ask for every agent
 * around the Opéra; each gets the message once with a reply link of his
 * own; delivery reports make the counts say "delivered"; an agent's SMS
 * answer becomes a reply the operator relays into an alarm; the report
 * comes as CSV and as a CAP 1.2 document the schema accepts. */
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

#define PASSWORD   "night-shift-42"
#define AGENTS     24
#define CAP_SCHEMA "tests/data/cap/CAP-v1.2.xsd"
#define MESSAGE    "DO NOT LEAVE YOUR SITE - man about 30, black jacket"
#define PUBLIC_URL "https://vigie.example.org"
/* Sending, reports and replies all come within this on a loaded machine. */
#define WAIT_MS 30000

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
                   world_import_agents(template, AGENTS)
               ? 0
               : -1;
}

static int template_down(void **state)
{
    (void)state;
    return world_destroy(template) ? 0 : -1;
}

static int story_up(void **state)
{
    struct story *story = calloc(1, sizeof *story);
    *state = story;
    if (!story || !(story->world = world_clone(template)))
        return -1;
    world_set(story->world, "public_url=" PUBLIC_URL);
    world_set(story->world, "sms_rate=0");
    if (!(story->kannel = kannel_start(story->world)) || !world_start(story->world))
        return -1;
    story->operator= login(story->world, "night-op", PASSWORD);
    story->supervisor = login(story->world, "chief", PASSWORD);
    return story->operator&& story->supervisor ? 0 : - 1;
}

static int story_down(void **state)
{
    struct story *story = *state;
    bool clean = story ? world_destroy(story->world) : true;
    free(story);
    return clean ? 0 : -1;
}

static cJSON *send_alert(struct story *story, const char *token, const char *extra, long expected)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"area\":{\"circle\":{\"lat\":%.4f,\"lon\":%.4f,\"radius_m\":800}},"
             "\"channels\":[\"sms\"],\"message\":\"" MESSAGE "\"%s}",
             AGENTS_CENTRE_LAT, AGENTS_CENTRE_LON, extra ? extra : "");
    long status = 0;
    cJSON *answer = NULL;
    assert_true(
        http_request(story->world, "POST", "/v1/massalerts", token, body, &status, &answer));
    if (status != expected)
        fail_msg("status %ld, expected %ld: %s", status, expected,
                 answer ? cJSON_PrintUnformatted(answer) : "");
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

/* Polls the alert until counts at `path` reach `value`. */
static cJSON *alert_wait(struct story *story, int64_t id, const char *path, int64_t value)
{
    int64_t deadline = harness_now_ms() + WAIT_MS;
    cJSON *alert = NULL;
    do {
        alert = alert_get(story, id);
        if (json_int(alert, path) >= value)
            return alert;
        harness_sleep_ms(200);
    } while (harness_now_ms() < deadline);
    fail_msg("%s stayed below %lld: %s", path, (long long)value, cJSON_PrintUnformatted(alert));
    return NULL;
}

/* Polls the alert until its state is `state`. */
static cJSON *alert_wait_state(struct story *story, int64_t id, const char *state)
{
    int64_t deadline = harness_now_ms() + WAIT_MS;
    cJSON *alert = NULL;
    do {
        alert = alert_get(story, id);
        if (strcmp(json_string(alert, "state"), state) == 0)
            return alert;
        harness_sleep_ms(200);
    } while (harness_now_ms() < deadline);
    fail_msg("the alert stayed %s: %s", json_string(alert, "state"), cJSON_PrintUnformatted(alert));
    return NULL;
}

/* The link's token in a received line ("VIGIE +336... text MESSAGE URL/r/TOKEN"). */
static bool line_token(const char *line, size_t length, char token[64])
{
    const char *link = strstr(line, PUBLIC_URL "/r/");
    if (!link || link >= line + length)
        return false;
    link += strlen(PUBLIC_URL "/r/");
    size_t n = 0;
    while (link + n < line + length && link[n] != '\n' && n < 63)
        n++;
    memcpy(token, link, n);
    token[n] = '\0';
    return n == 43;
}

static void
test_every_agent_gets_one_sms_with_his_own_link_and_reports_count_delivered(void **state)
{
    struct story *story = *state;
    struct sse_client *stream = sse_open(story->world, story->supervisor, NULL);
    assert_int_equal(sse_status(stream), 200);
    cJSON *sent = send_alert(story, story->operator, ",\"centre\":{\"label\":\"Opera\"}", 201);
    int64_t id = json_int(sent, "id");
    assert_true(id > 0);
    assert_int_equal(json_int(sent, "recipients"), AGENTS);
    assert_int_equal(json_int(sent, "deliveries.sms"), AGENTS);

    if (!kannel_wait_received(story->kannel, AGENTS, WAIT_MS)) {
        kannel_dump_logs(story->kannel);
        fail_msg("the SMS centre did not receive %d messages", AGENTS);
    }
    harness_sleep_ms(500); /* nothing more comes */
    size_t count = 0;
    const char *lines = kannel_received(story->kannel, &count);
    assert_int_equal(count, AGENTS);
    /* Each number exactly once, from our sender, with the message and a
     * link of its own. */
    char tokens[AGENTS][64];
    for (int i = 1; i <= AGENTS; i++) {
        char phone[16], prefix[160];
        agents_phone(i, phone);
        snprintf(prefix, sizeof prefix, KANNEL_FROM " %s text " MESSAGE " ", phone);
        const char *line = strstr(lines, prefix);
        if (!line)
            fail_msg("no SMS for %s in:\n%s", phone, lines);
        assert_null(strstr(line + 1, prefix));
        size_t length = strcspn(line, "\n");
        assert_true(line_token(line, length, tokens[i - 1]));
        for (int j = 0; j < i - 1; j++)
            assert_string_not_equal(tokens[i - 1], tokens[j]);
    }
    /* Only the token's hash is stored. */
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM massalert_recipients WHERE token_hash = '%s'",
             tokens[0]);
    assert_int_equal(world_sql_int(story->world, NULL, sql), 0);

    /* Kannel's delivery reports (fakesmsc confirms each message). */
    cJSON *alert = alert_wait(story, id, "counts.sms.delivered", AGENTS);
    assert_int_equal(json_int(alert, "counts.sms.queued"), 0);
    assert_int_equal(json_int(alert, "counts.sms.failed"), 0);
    assert_int_equal(json_int(alert, "counts.total.delivered"), AGENTS);
    /* Nothing left to send: the alert is done (its last event may come
     * up to MASSALERT_EVENT_PERIOD_MS after the last change). */
    alert_wait_state(story, id, "done");
    assert_string_equal(json_string(alert, "centre_label"), "Opera");
    assert_string_equal(json_string(alert, "channels.0"), "sms");
    /* The consoles heard it, live. */
    assert_true(sse_wait(stream, "massalert", 1, WAIT_MS));
    assert_int_equal(json_int(sse_get(stream, "massalert", 0)->json, "id"), id);

    /* A recipient's page shows each channel's status. */
    char path[96];
    snprintf(path, sizeof path, "/v1/massalerts/%lld/recipients?limit=5", (long long)id);
    long status = 0;
    cJSON *page = NULL;
    assert_true(http_request(story->world, "GET", path, story->supervisor, NULL, &status, &page));
    assert_int_equal(status, 200);
    assert_int_equal(json_int(page, "total"), AGENTS);
    assert_int_equal(json_count(page, "recipients"), 5);
    assert_string_equal(json_string(page, "recipients.0.channels.sms"), "delivered");
    assert_true(json_int(page, "recipients.0.distance_m") <=
                json_int(page, "recipients.4.distance_m"));

    /* Sent and audited. */
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM audit WHERE action = 'massalert.send' AND object_id = %lld",
             (long long)id);
    assert_int_equal(world_sql_int(story->world, NULL, sql), 1);
    snprintf(path, sizeof path, "/v1/massalerts?limit=5");
    cJSON *list = NULL;
    assert_true(http_request(story->world, "GET", path, story->supervisor, NULL, &status, &list));
    assert_int_equal(json_int(list, "massalerts.0.id"), id);
}

static void test_an_sms_answer_is_a_reply_the_operator_relays_into_an_alarm(void **state)
{
    struct story *story = *state;
    int64_t site = world_add_site(story->world, "Galeries", "Paris");
    int64_t alarm = alarm_create(story->world, story->operator, site, "burglary", 2);
    assert_true(alarm > 0);
    char extra[96];
    snprintf(extra, sizeof extra, ",\"centre\":{\"label\":\"Galeries\",\"alarm_id\":%lld}",
             (long long)alarm);
    int64_t id = json_int(send_alert(story, story->operator, extra, 201), "id");
    assert_true(kannel_wait_received(story->kannel, AGENTS, WAIT_MS));

    char phone[16];
    agents_phone(3, phone);
    assert_true(kannel_send_mo(story->kannel, phone, "seen him at the bus stop opposite"));
    cJSON *alert = alert_wait(story, id, "counts.total.replied", 1);
    assert_int_equal(json_count(alert, "replies"), 1);
    assert_string_equal(json_string(alert, "replies.0.channel"), "sms");
    assert_string_equal(json_string(alert, "replies.0.text"), "seen him at the bus stop opposite");
    assert_string_equal(json_string(alert, "replies.0.agent.name"), "Agent 3");
    assert_string_equal(json_string(alert, "replies.0.agent.phone"), phone);
    assert_int_equal(json_int(alert, "counts.sms.replied"), 1);
    int64_t reply = json_int(alert, "replies.0.id");

    /* A supervisor cannot relay; the operator can. */
    char path[128], body[64];
    snprintf(path, sizeof path, "/v1/massalerts/%lld/replies/%lld/relay", (long long)id,
             (long long)reply);
    snprintf(body, sizeof body, "{\"alarm_id\":%lld}", (long long)alarm);
    long status = 0;
    cJSON *answer = NULL;
    assert_true(
        http_request(story->world, "POST", path, story->supervisor, body, &status, &answer));
    assert_int_equal(status, 403);
    assert_true(http_request(story->world, "POST", path, story->operator, body, &status, &answer));
    assert_int_equal(status, 200);
    cJSON *detail = alarm_get(story->world, story->operator, alarm);
    const cJSON *timeline = json_get(detail, "timeline");
    bool relayed = false, announced = false;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, timeline)
    {
        const char *text = json_string(entry, "text");
        relayed = relayed || (text && strstr(text, "sighting relayed: Agent 3") &&
                              strstr(text, "seen him at the bus stop opposite"));
        announced = announced || (text && strstr(text, "mass alert"));
    }
    assert_true(relayed);
    assert_true(announced);
    alert = alert_get(story, id);
    assert_int_equal(json_int(alert, "replies.0.relayed_alarm_id"), alarm);

    /* A stranger's SMS is no reply. */
    assert_true(kannel_send_mo(story->kannel, "+33699999999", "who is this?"));
    harness_sleep_ms(1000);
    assert_int_equal(json_count(alert_get(story, id), "replies"), 1);
}

static void test_report_as_csv_and_as_a_valid_cap_document(void **state)
{
    struct story *story = *state;
    int64_t id = json_int(send_alert(story, story->operator, NULL, 201), "id");
    alert_wait(story, id, "counts.sms.delivered", AGENTS);
    char path[96];
    snprintf(path, sizeof path, "/v1/massalerts/%lld/report.csv", (long long)id);
    struct http_reply reply;
    assert_true(http_send(story->world, "GET", path, story->supervisor, NULL, 0, false, &reply));
    assert_int_equal(reply.status, 200);
    assert_non_null(strstr(reply.content_type, "text/csv"));
    int lines = 0;
    for (const char *c = reply.body; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, AGENTS + 1);
    char phone[16];
    agents_phone(7, phone);
    assert_non_null(strstr(reply.body, phone));
    assert_non_null(strstr(reply.body, "\"delivered\""));

    snprintf(path, sizeof path, "/v1/massalerts/%lld/report.cap", (long long)id);
    assert_true(http_send(story->world, "GET", path, story->supervisor, NULL, 0, false, &reply));
    assert_int_equal(reply.status, 200);
    assert_non_null(strstr(reply.body, "<circle>48.870800,2.331800 0.800</circle>"));
    char file[WORLD_PATH_MAX + 32], command[WORLD_PATH_MAX * 2];
    snprintf(file, sizeof file, "%s/report.cap.xml", story->world->dir);
    FILE *out = fopen(file, "w");
    assert_non_null(out);
    fputs(reply.body, out);
    fclose(out);
    snprintf(command, sizeof command, "xmllint --noout --nonet --schema %s %s >/dev/null 2>&1",
             CAP_SCHEMA, file);
    if (system(command) != 0) {
        fprintf(stderr, "# %s\n", reply.body);
        fail_msg("xmllint refuses the CAP report");
    }
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM audit WHERE action = 'massalert.report' AND object_id = %lld",
             (long long)id);
    assert_int_equal(world_sql_int(story->world, NULL, sql), 2);
}

static void test_bad_input_gets_a_clear_400_and_supervisors_cannot_send(void **state)
{
    struct story *story = *state;
    static const struct {
        const char *body, *code;
    } cases[] = {
        {"{\"area\":{\"circle\":{\"lat\":91,\"lon\":2,\"radius_m\":800}},\"channels\":[\"sms\"],"
         "\"message\":\"x\"}",
         "bad_area"},
        {"{\"area\":{\"circle\":{\"lat\":48,\"lon\":181,\"radius_m\":800}},\"channels\":[\"sms\"],"
         "\"message\":\"x\"}",
         "bad_area"},
        {"{\"area\":{\"circle\":{\"lat\":48,\"lon\":2,\"radius_m\":0}},\"channels\":[\"sms\"],"
         "\"message\":\"x\"}",
         "bad_area"},
        {"{\"area\":{\"circle\":{\"lat\":48,\"lon\":2,\"radius_m\":200001}},\"channels\":[\"sms\"],"
         "\"message\":\"x\"}",
         "bad_area"},
        {"{\"area\":{\"circle\":{\"lat\":48.8708,\"lon\":2.3318,\"radius_m\":800}},"
         "\"channels\":[\"sms\"],\"message\":\"  \"}",
         "bad_message"},
        {"{\"area\":{\"circle\":{\"lat\":48.8708,\"lon\":2.3318,\"radius_m\":800}},"
         "\"channels\":[\"fax\"],\"message\":\"x\"}",
         "bad_channel"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long status = 0;
        cJSON *answer = NULL;
        assert_true(http_request(story->world, "POST", "/v1/massalerts", story->operator,
                                 cases[i].body, &status, &answer));
        if (status != 400 || strcmp(json_string(answer, "error.code"), cases[i].code) != 0)
            fail_msg("case %zu: %ld %s", i, status, answer ? cJSON_PrintUnformatted(answer) : "");
        assert_true(strlen(json_string(answer, "error.message")) > 10);
    }
    send_alert(story, story->supervisor, NULL, 403);
    assert_int_equal(world_sql_int(story->world, NULL, "SELECT COUNT(*) FROM massalerts"), 0);
    /* A forged delivery report or reply changes nothing. */
    struct http_reply reply;
    assert_true(http_send(story->world, "GET", "/v1/connectors/kannel/dlr?id=1&sig=00&type=1", NULL,
                          NULL, 0, false, &reply));
    assert_int_equal(reply.status, 403);
    assert_true(http_send(story->world, "GET",
                          "/v1/connectors/kannel/mo?secret=guess&from=%2B33610000001&text=hi", NULL,
                          NULL, 0, false, &reply));
    assert_int_equal(reply.status, 403);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_every_agent_gets_one_sms_with_his_own_link_and_reports_count_delivered, story_up,
            story_down),
        cmocka_unit_test_setup_teardown(
            test_an_sms_answer_is_a_reply_the_operator_relays_into_an_alarm, story_up, story_down),
        cmocka_unit_test_setup_teardown(test_report_as_csv_and_as_a_valid_cap_document, story_up,
                                        story_down),
        cmocka_unit_test_setup_teardown(test_bad_input_gets_a_clear_400_and_supervisors_cannot_send,
                                        story_up, story_down),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, template_up, template_down);
}
