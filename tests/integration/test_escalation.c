/* Escalation to the emergency services, end to end on loopback: a victim
 * presses SOS, the operator escalates to the police, the police gateway
 * (vigie-sim gateway, a real HTTP receiver) refuses once and then takes
 * the alert; the alarm shows "delivered" with the gateway's reference
 * after one retry, and the document the gateway kept is a CAP 1.2 alert
 * the OASIS schema accepts, whose circle is the phone's fix with its
 * accuracy in km. The outbox survives vigied being killed while the
 * gateway is down: once both are back, the alert arrives exactly once;
 * killed while the gateway was taking it, vigied sends it again under the
 * same identifier, and the gateway keeps one copy. A gateway that never
 * answers ends in "failed" with the number to phone. A
 * supervisor cannot escalate; an unknown alarm is 404, bad JSON 400. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/lib/harness.h"
#include "tests/lib/harness_devices.h"

#define PASSWORD   "night-shift-42"
#define CAP_SCHEMA "tests/data/cap/CAP-v1.2.xsd"
/* Retries come quickly here (100 ms doubling to 400 ms) so that a test
 * waits seconds, not minutes; a sanitizer build on a busy host still
 * delivers within this. */
#define DELIVERY_WAIT_MS 15000

static const char sos_json[] =
    "{\"device_id\":\"TGD-0001\",\"trigger\":\"sos\",\"battery\":64,"
    "\"position\":{\"lat\":48.8566,\"lon\":2.3522,\"accuracy_m\":12,\"source\":\"gps\","
    "\"fix_time\":\"2025-03-14T09:26:50Z\"}}";

struct story {
    struct world *world;
    const char *operator, * supervisor;
    char gateway_dir[WORLD_PATH_MAX];
    char gateway_log[WORLD_PATH_MAX];
    pid_t gateway;
    unsigned gateway_port;
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
                   world_add_user(template, "watch", "supervisor", PASSWORD) &&
                   world_set(template, "outbox_backoff_first_ms=100") &&
                   world_set(template, "outbox_backoff_max_ms=400")
               ? 0
               : -1;
}

static int template_down(void **state)
{
    (void)state;
    return world_destroy(template) ? 0 : -1;
}

/* A free loopback port, for a gateway that is not there yet. */
static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    unsigned port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&address, sizeof address) == 0 &&
        getsockname(fd, (struct sockaddr *)&address, &length) == 0)
        port = ntohs(address.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static char *read_file(const char *path)
{
    FILE *file = fopen(path, "r");
    if (!file)
        return NULL;
    char *text = calloc(1, 256 * 1024);
    size_t length = text ? fread(text, 1, 256 * 1024 - 1, file) : 0;
    fclose(file);
    if (text)
        text[length] = '\0';
    return text;
}

/* Starts vigie-sim gateway on `port` (0: any), answering 503 `fail` times
 * and each answer `delay` ms late, and waits for its port. */
static bool gateway_start(struct story *story, unsigned port, const char *fail, const char *delay)
{
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%u", port);
    story->gateway =
        world_sim_start(story->world, story->gateway_log, "gateway", "--listen", listen, "--fail",
                        fail, "--delay", delay, "--dir", story->gateway_dir, NULL);
    int64_t deadline = harness_now_ms() + WORLD_START_TIMEOUT_MS;
    while (story->gateway > 0 && harness_now_ms() < deadline) {
        char *log = read_file(story->gateway_log);
        const char *line = log ? strstr(log, "gateway: listening on 127.0.0.1:") : NULL;
        if (line)
            story->gateway_port = (unsigned)atoi(line + strlen("gateway: listening on 127.0.0.1:"));
        free(log);
        if (story->gateway_port)
            return true;
        harness_sleep_ms(20);
    }
    return false;
}

static void gateway_stop(struct story *story)
{
    if (story->gateway > 0) {
        kill(story->gateway, SIGTERM);
        world_sim_wait(story->world, story->gateway, WORLD_STOP_TIMEOUT_MS);
    }
    story->gateway = 0;
}

/* How many lines of the gateway's log start with `prefix`. */
static int gateway_lines(struct story *story, const char *prefix)
{
    char *log = read_file(story->gateway_log);
    int count = 0;
    for (const char *line = log; line && *line;) {
        if (strncmp(line, prefix, strlen(prefix)) == 0)
            count++;
        const char *end = strchr(line, '\n');
        line = end ? end + 1 : NULL;
    }
    free(log);
    return count;
}

/* The only file of the gateway's directory ending in `extension`; its path
 * into `out`, or false when there is not exactly one. */
static bool gateway_document(struct story *story, const char *extension, char *out, size_t size)
{
    DIR *dir = opendir(story->gateway_dir);
    struct dirent *entry;
    int count = 0;
    while (dir && (entry = readdir(dir))) {
        size_t length = strlen(entry->d_name), ext = strlen(extension);
        if (length > ext && strcmp(entry->d_name + length - ext, extension) == 0) {
            snprintf(out, size, "%s/%s", story->gateway_dir, entry->d_name);
            count++;
        }
    }
    if (dir)
        closedir(dir);
    return count == 1;
}

static int world_down(void **state)
{
    struct story *story = *state;
    bool clean = story ? world_destroy(story->world) : true;
    free(story);
    *state = NULL;
    return clean ? 0 : -1;
}

/* A copy of the template with the settings given (NULL-terminated), each
 * "%u" in them replaced by the gateway's port; a gateway started first
 * unless `fail` is NULL (then port is where nothing listens yet). */
static int world_up_with(void **state, const char *fail, const char *delay,
                         const char *const *settings)
{
    struct story *story = calloc(1, sizeof *story);
    *state = story;
    if (!story)
        return -1;
    struct world *world = story->world = world_clone(template);
    if (!world) {
        world_down(state);
        return -1;
    }
    snprintf(story->gateway_dir, sizeof story->gateway_dir, "%s/gateway", world->dir);
    snprintf(story->gateway_log, sizeof story->gateway_log, "%s/gateway.log", world->dir);
    mkdir(story->gateway_dir, 0700);
    bool ok = fail ? gateway_start(story, 0, fail, delay) : (story->gateway_port = free_port()) > 0;
    for (int i = 0; ok && settings[i]; i++) {
        char setting[256];
        snprintf(setting, sizeof setting, settings[i], story->gateway_port);
        ok = world_set(world, setting);
    }
    if (ok && world_start(world) && (story->operator= login(world, "night-op", PASSWORD)) &&
        (story->supervisor = login(world, "watch", PASSWORD)))
        return 0;
    world_down(state);
    return -1;
}

static int world_up_police_fails_once(void **state)
{
    static const char *const settings[] = {
        "escalation_police_cap_url=http://127.0.0.1:%u/cap",
        "escalation_medical_json_url=http://127.0.0.1:%u/json",
        "escalation_police_phone=+33 1 53 71 53 71",
        NULL,
    };
    return world_up_with(state, "1", "0", settings);
}

/* A gateway that takes 3 s to answer: time to kill vigied mid-delivery. */
static int world_up_police_slow(void **state)
{
    static const char *const settings[] = {
        "escalation_police_cap_url=http://127.0.0.1:%u/cap",
        NULL,
    };
    return world_up_with(state, "0", "3000", settings);
}

/* Technical data (and so the copies of it in the documents) kept 2 s. */
static int world_up_short_retention(void **state)
{
    static const char *const settings[] = {
        "escalation_police_cap_url=http://127.0.0.1:%u/cap",
        "technical_data_seconds=2",
        NULL,
    };
    return world_up_with(state, "0", "0", settings);
}

static int world_up_police_down(void **state)
{
    static const char *const settings[] = {
        "escalation_police_cap_url=http://127.0.0.1:%u/cap",
        "escalation_attempts_max=100",
        NULL,
    };
    return world_up_with(state, NULL, NULL, settings);
}

static int world_up_police_never_answers(void **state)
{
    static const char *const settings[] = {
        "escalation_police_cap_url=http://127.0.0.1:%u/cap",
        "escalation_police_phone=+33 1 53 71 53 71",
        "escalation_attempts_max=3",
        NULL,
    };
    return world_up_with(state, "1000", "0", settings);
}

static int64_t send_sos(struct story *story)
{
    struct http_reply reply;
    assert_true(device_send(story->world, demo_token(tokens, "TGD-0001"), sos_json, &reply));
    assert_int_equal(reply.status, 201);
    return json_int(reply.json, "alarm_id");
}

static cJSON *escalate(struct story *story, int64_t alarm, const char *body, long expected)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/alarms/%lld/escalations", (long long)alarm);
    long status = 0;
    cJSON *json = NULL;
    assert_true(http_request(story->world, "POST", path, story->operator, body, &status, &json));
    if (status != expected)
        fail_msg("POST %s %s: HTTP %ld, expected %ld", path, body, status, expected);
    return json;
}

/* Polls the alarm's escalations until the first is in `state`. */
static cJSON *wait_escalation(struct story *story, int64_t alarm, const char *state)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/alarms/%lld/escalations", (long long)alarm);
    int64_t deadline = harness_now_ms() + DELIVERY_WAIT_MS;
    cJSON *json = NULL;
    while (harness_now_ms() < deadline) {
        long status = 0;
        assert_true(http_request(story->world, "GET", path, story->operator, NULL, &status, &json));
        assert_int_equal(status, 200);
        const char *now = json_string(json, "escalations.0.state");
        if (now && strcmp(now, state) == 0)
            return json;
        harness_sleep_ms(50);
    }
    fail_msg("escalation of alarm %lld not %s in time: %s", (long long)alarm, state,
             cJSON_PrintUnformatted(json));
    return NULL;
}

/* xmllint's verdict; its report is printed only when it refuses. */
static bool schema_accepts(const char *path)
{
    char command[1024];
    snprintf(command, sizeof command, "xmllint --noout --nonet --schema %s %s >/dev/null 2>&1",
             CAP_SCHEMA, path);
    if (system(command) == 0)
        return true;
    snprintf(command, sizeof command, "xmllint --noout --nonet --schema %s %s 2>&1 | sed 's/^/# /'",
             CAP_SCHEMA, path);
    return system(command) < 0;
}

static void test_police_gateway_fails_once_then_takes_a_valid_cap_alert(void **state)
{
    struct story *story = *state;
    int64_t alarm = send_sos(story);
    cJSON *after = escalate(story, alarm,
                            "{\"agency\":\"police\",\"text\":\"She hides in the bathroom\"}", 201);
    assert_string_equal(json_string(after, "state"), "escalated");
    assert_string_equal(json_string(after, "escalations.0.agency"), "police");
    int64_t sequence_at_escalation = json_int(after, "sequence");

    cJSON *done = wait_escalation(story, alarm, "delivered");
    /* One refusal, then the retry: two attempts, the gateway's reference. */
    assert_int_equal(json_int(done, "escalations.0.deliveries.0.attempts"), 2);
    assert_int_equal(json_int(done, "escalations.0.attempts"), 2);
    const char *reference = json_string(done, "escalations.0.reference");
    assert_non_null(reference);
    assert_int_equal(strncmp(reference, "PN-", 3), 0);
    assert_true(json_is_null(done, "escalations.0.fallback_phone"));
    assert_non_null(strstr(json_string(done, "escalations.0.deliveries.0.last_error"), "503"));
    assert_int_equal(gateway_lines(story, "503 POST /cap"), 1);
    assert_int_equal(gateway_lines(story, "201 POST /cap"), 1);
    char line[128];
    snprintf(line, sizeof line, "201 POST /cap application/cap+xml");
    assert_int_equal(gateway_lines(story, line), 1);

    /* What the gateway kept is a CAP 1.2 alert the OASIS schema accepts,
     * around the phone's fix: 12 m is 0.012 km. */
    char path[WORLD_PATH_MAX + 64];
    assert_true(gateway_document(story, ".xml", path, sizeof path));
    assert_true(schema_accepts(path));
    char *xml = read_file(path);
    assert_non_null(strstr(xml, "<circle>48.856600,2.352200 0.012</circle>"));
    assert_non_null(strstr(xml, "<status>Actual</status>"));
    assert_non_null(strstr(xml, "<category>Security</category>"));
    assert_non_null(strstr(xml, "She hides in the bathroom"));
    assert_non_null(strstr(xml, "FR-482-KD")); /* the aggressor's plate, from her file */
    const char *identifier = json_string(done, "escalations.0.identifier");
    char expected[160];
    snprintf(expected, sizeof expected, "<identifier>%s</identifier>", identifier);
    assert_non_null(strstr(xml, expected));
    free(xml);

    /* The alarm changed with each delivery step: consoles saw it live. */
    cJSON *alarm_now = alarm_get(story->world, story->operator, alarm);
    assert_true(json_int(alarm_now, "sequence") > sequence_at_escalation);
    assert_string_equal(json_string(alarm_now, "escalations.0.state"), "delivered");
    assert_string_equal(json_string(alarm_now, "escalations.0.reference"), reference);
    bool escalated = false, delivered = false;
    const cJSON *entry;
    cJSON_ArrayForEach(entry, json_get(alarm_now, "timeline"))
    {
        const char *kind = json_string(entry, "kind"), *text = json_string(entry, "text");
        escalated |= strcmp(kind, "escalated") == 0 && strstr(text, "police");
        delivered |= strcmp(kind, "delivered") == 0 && strstr(text, reference);
    }
    assert_true(escalated && delivered);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM audit WHERE action IN ('alarm.escalate','outbox.delivered')");
    assert_int_equal(world_sql_int(story->world, NULL, sql), 2);
}

static void test_medical_gets_the_json_document_with_the_same_facts(void **state)
{
    struct story *story = *state;
    int64_t alarm = send_sos(story);
    escalate(story, alarm, "{\"agency\":\"medical\",\"text\":\"Bleeding from the head\"}", 201);
    cJSON *done = wait_escalation(story, alarm, "delivered");
    /* The gateway's first answer was the 503 (this escalation's only message). */
    assert_int_equal(json_int(done, "escalations.0.deliveries.0.attempts"), 2);
    assert_string_equal(json_string(done, "escalations.0.deliveries.0.format"), "json");
    char path[WORLD_PATH_MAX + 64];
    assert_true(gateway_document(story, ".json", path, sizeof path));
    char *text = read_file(path);
    cJSON *document = cJSON_Parse(text);
    free(text);
    assert_non_null(document);
    assert_string_equal(json_string(document, "agency"), "medical");
    assert_string_equal(json_string(document, "location.position.circle"),
                        "48.856600,2.352200 0.012");
    assert_string_equal(json_string(document, "victim.reference"), "TGD-75-2026-0001");
    assert_string_equal(json_string(document, "aggressor.plate"), "FR-482-KD");
    assert_string_equal(json_string(document, "operator.text"), "Bleeding from the head");
    assert_string_equal(json_string(document, "identifier"),
                        json_string(done, "escalations.0.identifier"));
    cJSON_Delete(document);
}

static void test_the_outbox_survives_a_crash_while_the_gateway_is_down(void **state)
{
    struct story *story = *state;
    int64_t alarm = send_sos(story);
    escalate(story, alarm, "{\"agency\":\"police\"}", 201);
    /* Nobody listens yet: the message waits in the outbox, retried. */
    char path[96];
    snprintf(path, sizeof path, "/v1/alarms/%lld/escalations", (long long)alarm);
    int64_t deadline = harness_now_ms() + DELIVERY_WAIT_MS;
    cJSON *json = NULL;
    while (harness_now_ms() < deadline) {
        long status = 0;
        http_request(story->world, "GET", path, story->operator, NULL, &status, &json);
        if (json_int(json, "escalations.0.attempts") >= 2)
            break;
        harness_sleep_ms(50);
    }
    assert_true(json_int(json, "escalations.0.attempts") >= 2);
    assert_non_null(strstr(json_string(json, "escalations.0.last_error"), "refused"));

    world_kill(story->world); /* a crash, as far as the database can tell */
    assert_true(world_start(story->world));
    assert_true(gateway_start(story, story->gateway_port, "0", "0"));
    cJSON *done = wait_escalation(story, alarm, "delivered");
    assert_non_null(json_string(done, "escalations.0.reference"));
    /* Delivered exactly once: one document, no second POST of it. */
    harness_sleep_ms(500);
    assert_int_equal(gateway_lines(story, "201 POST /cap"), 1);
    assert_int_equal(gateway_lines(story, "200 POST /cap duplicate"), 0);
    char document[WORLD_PATH_MAX + 64];
    assert_true(gateway_document(story, ".xml", document, sizeof document));
    assert_true(schema_accepts(document));
    gateway_stop(story);
}

static void test_a_crash_mid_delivery_resends_under_the_same_identifier(void **state)
{
    struct story *story = *state;
    int64_t alarm = send_sos(story);
    escalate(story, alarm, "{\"agency\":\"police\"}", 201);
    /* The gateway has the alert and is slow to say so: vigied dies now. */
    int64_t deadline = harness_now_ms() + DELIVERY_WAIT_MS;
    while (gateway_lines(story, "201 POST /cap") == 0 && harness_now_ms() < deadline)
        harness_sleep_ms(20);
    assert_int_equal(gateway_lines(story, "201 POST /cap"), 1);
    world_kill(story->world);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM outbox WHERE state = 'sending'");
    assert_int_equal(world_sql_int(story->world, NULL, sql), 1);
    /* After the restart it is sent again, same body and key: the gateway
     * recognises it, keeps one document and gives the same reference. */
    assert_true(world_start(story->world));
    cJSON *done = wait_escalation(story, alarm, "delivered");
    assert_int_equal(json_int(done, "escalations.0.attempts"), 2);
    assert_int_equal(gateway_lines(story, "201 POST /cap"), 1);
    assert_int_equal(gateway_lines(story, "200 POST /cap duplicate"), 1);
    char document[WORLD_PATH_MAX + 64];
    assert_true(gateway_document(story, ".xml", document, sizeof document));
    const char *reference = json_string(done, "escalations.0.reference");
    assert_non_null(strstr(document, reference));
    assert_non_null(strstr(world_log(story->world), "were being sent when vigied stopped"));
}

static void test_the_sent_documents_are_emptied_with_the_technical_data(void **state)
{
    struct story *story = *state;
    int64_t alarm = send_sos(story);
    escalate(story, alarm, "{\"agency\":\"police\"}", 201);
    cJSON *done = wait_escalation(story, alarm, "delivered");
    const char *reference = json_string(done, "escalations.0.reference");
    /* The alert copied the phone's position and the victim's details:
     * they go with the technical data; the delivery's record stays. */
    int64_t deadline = harness_now_ms() + DELIVERY_WAIT_MS;
    int64_t kept = 1;
    while (harness_now_ms() < deadline &&
           (kept = world_sql_int(story->world, NULL,
                                 "SELECT COUNT(*) FROM outbox WHERE body <> ''")) != 0)
        harness_sleep_ms(100);
    assert_int_equal(kept, 0);
    cJSON *later = alarm_get(story->world, story->operator, alarm);
    assert_string_equal(json_string(later, "escalations.0.state"), "delivered");
    assert_string_equal(json_string(later, "escalations.0.reference"), reference);
}

static void test_a_gateway_that_never_takes_it_fails_with_the_number_to_phone(void **state)
{
    struct story *story = *state;
    int64_t alarm = send_sos(story);
    escalate(story, alarm, "{\"agency\":\"police\"}", 201);
    cJSON *failed = wait_escalation(story, alarm, "failed");
    assert_int_equal(json_int(failed, "escalations.0.attempts"), 3);
    assert_string_equal(json_string(failed, "escalations.0.fallback_phone"), "+33 1 53 71 53 71");
    assert_true(json_is_null(failed, "escalations.0.reference"));
    assert_int_equal(gateway_lines(story, "503 POST /cap"), 3);
    cJSON *alarm_now = alarm_get(story->world, story->operator, alarm);
    const cJSON *entry;
    bool told = false;
    cJSON_ArrayForEach(entry, json_get(alarm_now, "timeline")) told |=
        strcmp(json_string(entry, "kind"), "delivery-failed") == 0;
    assert_true(told);
    /* An agency without a gateway is refused at once, with its number. */
    cJSON *refused = escalate(story, alarm, "{\"agency\":\"fire\"}", 409);
    assert_non_null(strstr(json_string(refused, "error.message"), "18"));
}

static void test_who_may_escalate_and_what_is_refused(void **state)
{
    struct story *story = *state;
    int64_t alarm = send_sos(story);
    char path[96];
    snprintf(path, sizeof path, "/v1/alarms/%lld/escalations", (long long)alarm);
    long status = 0;
    cJSON *json = NULL;
    /* A supervisor reads, never escalates. */
    assert_true(http_request(story->world, "POST", path, story->supervisor,
                             "{\"agency\":\"police\"}", &status, &json));
    assert_int_equal(status, 403);
    assert_true(http_request(story->world, "GET", path, story->supervisor, NULL, &status, &json));
    assert_int_equal(status, 200);
    assert_int_equal(json_count(json, "escalations"), 0);
    assert_int_equal(json_count(json, "agencies"), 4);
    /* Unknown alarm, bad JSON, unknown agency, unknown field, too long. */
    assert_true(http_request(story->world, "POST", "/v1/alarms/999999/escalations", story->operator,
                             "{\"agency\":\"police\"}", &status, &json));
    assert_int_equal(status, 404);
    assert_true(http_request(story->world, "GET", "/v1/alarms/999999/escalations", story->operator,
                             NULL, &status, &json));
    assert_int_equal(status, 404);
    cJSON *bad = escalate(story, alarm, "{\"agency\":", 400);
    assert_string_equal(json_string(bad, "error.code"), "bad_json");
    bad = escalate(story, alarm, "{\"agency\":\"army\"}", 400);
    assert_string_equal(json_string(bad, "error.code"), "bad_agency");
    bad = escalate(story, alarm, "{\"agency\":\"police\",\"urgent\":true}", 400);
    assert_string_equal(json_string(bad, "error.code"), "unknown_field");
    bad = escalate(story, alarm, "{}", 400);
    assert_string_equal(json_string(bad, "error.code"), "missing_field");
    char body[700];
    snprintf(body, sizeof body, "{\"agency\":\"police\",\"text\":\"%0600d\"}", 0);
    bad = escalate(story, alarm, body, 400);
    assert_string_equal(json_string(bad, "error.code"), "too_long");
    /* Nothing was escalated by any of these. */
    assert_string_equal(json_string(alarm_get(story->world, story->operator, alarm), "state"),
                        "new");
    /* A closed alarm is not escalated. */
    assert_int_equal(alarm_act(story->world, story->operator, alarm, "close",
                               "{\"resolution\":\"false-alarm\"}", NULL),
                     200);
    escalate(story, alarm, "{\"agency\":\"police\"}", 409);
}

static void test_the_draft_shows_what_would_be_sent_and_is_audited(void **state)
{
    struct story *story = *state;
    int64_t alarm = send_sos(story);
    char path[96];
    snprintf(path, sizeof path, "/v1/alarms/%lld/escalations?draft=true", (long long)alarm);
    long status = 0;
    cJSON *json = NULL;
    assert_true(http_request(story->world, "GET", path, story->operator, NULL, &status, &json));
    assert_int_equal(status, 200);
    assert_string_equal(json_string(json, "draft.location.position.circle"),
                        "48.856600,2.352200 0.012");
    assert_string_equal(json_string(json, "draft.aggressor.name"), "Franck Rocher");
    assert_string_equal(json_string(json, "agencies.0.agency"), "police");
    assert_true(cJSON_IsTrue(json_get(json, "agencies.0.cap")));
    assert_string_equal(json_string(json, "agencies.0.phone"), "+33 1 53 71 53 71");
    assert_int_equal(world_sql_int(story->world, NULL,
                                   "SELECT COUNT(*) FROM audit WHERE action = 'victim.read'"
                                   " AND detail LIKE '%escalation-draft%'"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_police_gateway_fails_once_then_takes_a_valid_cap_alert,
                                        world_up_police_fails_once, world_down),
        cmocka_unit_test_setup_teardown(test_medical_gets_the_json_document_with_the_same_facts,
                                        world_up_police_fails_once, world_down),
        cmocka_unit_test_setup_teardown(test_the_outbox_survives_a_crash_while_the_gateway_is_down,
                                        world_up_police_down, world_down),
        cmocka_unit_test_setup_teardown(test_a_crash_mid_delivery_resends_under_the_same_identifier,
                                        world_up_police_slow, world_down),
        cmocka_unit_test_setup_teardown(
            test_a_gateway_that_never_takes_it_fails_with_the_number_to_phone,
            world_up_police_never_answers, world_down),
        cmocka_unit_test_setup_teardown(test_the_sent_documents_are_emptied_with_the_technical_data,
                                        world_up_short_retention, world_down),
        cmocka_unit_test_setup_teardown(test_who_may_escalate_and_what_is_refused,
                                        world_up_police_fails_once, world_down),
        cmocka_unit_test_setup_teardown(test_the_draft_shows_what_would_be_sent_and_is_audited,
                                        world_up_police_fails_once, world_down),
    };
    return cmocka_run_group_tests(tests, template_up, template_down);
}
