/* Relaying an agent's sighting to the services, end to end on loopback:
 * a burglary at the Opéra is escalated to the police (a real HTTP
 * receiver, vigie-sim gateway, keeps each document), the operator sends a
 * mass alert around it, an agent reports a sighting with his phone's
 * position from the reply page, and the operator relays it "to the
 * services": the police gateway then holds a second CAP 1.2 document, an
 * Update that references the first alert, whose area is where the agent
 * saw the man and whose description carries his words; the alarm lists
 * the update beside the escalation and the reply says it went. An alarm
 * never escalated refuses such a relay with a sentence and sends nothing;
 * a supervisor cannot relay at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/lib/harness.h"

#define PASSWORD "night-shift-42"
/* Loopback deliveries and fan-out under a sanitizer on a busy host. */
#define WAIT_MS 15000

/* One validated site by the Opéra (48.8708, 2.3318), one agent on it. */
static const char registry[] =
    "agent_id,name,site_id,site_name,site_validated,lat,lon,phone,email,vetted,duty\n"
    "A1,Jean Martin,S1,Galeries Opéra,yes,48.8710,2.3320,06 11 11 11 11,,yes,24/7\n";

struct story {
    struct world *world;
    const char *operator, * supervisor;
    char gateway_dir[WORLD_PATH_MAX];
    char gateway_log[WORLD_PATH_MAX];
    pid_t gateway;
    int64_t alarm_id, alert_id, reply_id;
};

static struct world *template;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    if (!template || !world_add_user(template, "night-op", "operator", PASSWORD) ||
        !world_add_user(template, "watch", "supervisor", PASSWORD) ||
        !world_set(template, "public_url=https://vigie.example.org") ||
        !world_set(template, "outbox_backoff_first_ms=100") ||
        !world_set(template, "outbox_backoff_max_ms=400"))
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

static char *read_text(const char *path)
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

/* The CAP documents the police gateway kept, concatenated in name order
 * (the gateway names them by arrival), and how many there are. */
static int gateway_documents(struct story *story, char *out, size_t size)
{
    struct dirent **entries = NULL;
    int n = scandir(story->gateway_dir, &entries, NULL, alphasort), count = 0;
    size_t used = 0;
    if (size)
        out[0] = '\0';
    for (int i = 0; i < n; i++) {
        const char *name = entries[i]->d_name;
        size_t length = strlen(name);
        if (length > 4 && strcmp(name + length - 4, ".xml") == 0) {
            char path[WORLD_PATH_MAX + 300];
            snprintf(path, sizeof path, "%s/%s", story->gateway_dir, name);
            char *text = read_text(path);
            if (text && used < size) {
                int wrote = snprintf(out + used, size - used, "%s\n", text);
                used += wrote > 0 ? (size_t)wrote : 0;
            }
            free(text);
            count++;
        }
        free(entries[i]);
    }
    free(entries);
    return count;
}

/* The OASIS schema's verdict on the gateway's n-th document (from 1);
 * xmllint's report is printed only when it refuses. */
static bool document_valid(struct story *story, int n)
{
    char command[WORLD_PATH_MAX + 200];
    snprintf(command, sizeof command,
             "xmllint --noout --nonet --schema tests/data/cap/CAP-v1.2.xsd %s/%04d-*.xml"
             " >/dev/null 2>&1",
             story->gateway_dir, n);
    if (system(command) == 0)
        return true;
    snprintf(command, sizeof command,
             "xmllint --noout --nonet --schema tests/data/cap/CAP-v1.2.xsd %s/%04d-*.xml 2>&1"
             " | sed 's/^/# /'",
             story->gateway_dir, n);
    int shown = system(command);
    (void)shown;
    return false;
}

static bool wait_documents(struct story *story, int count, char *out, size_t size)
{
    int64_t deadline = harness_now_ms() + WAIT_MS;
    do {
        if (gateway_documents(story, out, size) >= count)
            return true;
        harness_sleep_ms(50);
    } while (harness_now_ms() < deadline);
    return false;
}

static bool gateway_start(struct story *story)
{
    story->gateway =
        world_sim_start(story->world, story->gateway_log, "gateway", "--listen", "127.0.0.1:0",
                        "--fail", "0", "--dir", story->gateway_dir, NULL);
    int64_t deadline = harness_now_ms() + WORLD_START_TIMEOUT_MS;
    static const char ready[] = "gateway: listening on 127.0.0.1:";
    while (story->gateway > 0 && harness_now_ms() < deadline) {
        char *log = read_text(story->gateway_log);
        const char *line = log ? strstr(log, ready) : NULL;
        unsigned port = line ? (unsigned)atoi(line + strlen(ready)) : 0;
        free(log);
        if (port) {
            char setting[128];
            snprintf(setting, sizeof setting,
                     "escalation_police_cap_url=http://127.0.0.1:%u/alerts", port);
            return world_set(story->world, setting);
        }
        harness_sleep_ms(20);
    }
    return false;
}

/* The agent's reply-link token, from the SMS he was sent (the outbox's
 * body), once the alert's fan-out has written it. */
static bool read_token(struct story *story, char *out, size_t size)
{
    static const char base[] = "https://vigie.example.org/r/";
    int64_t deadline = harness_now_ms() + WAIT_MS;
    do {
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        bool found = false;
        if (sqlite3_open_v2(story->world->db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(db,
                               "SELECT body FROM outbox WHERE kind = 'massalert'"
                               " AND channel = 'sms'",
                               -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW) {
            const char *body = (const char *)sqlite3_column_text(st, 0);
            const char *link = body ? strstr(body, base) : NULL;
            if (link) {
                link += strlen(base);
                size_t length = strspn(link, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                             "0123456789-_");
                if (length > 0 && length < size) {
                    memcpy(out, link, length);
                    out[length] = '\0';
                    found = true;
                }
            }
        }
        sqlite3_finalize(st);
        sqlite3_close(db);
        if (found)
            return true;
        harness_sleep_ms(50);
    } while (harness_now_ms() < deadline);
    return false;
}

/* The alarm at the agents' site, escalated to the police (delivered), a
 * mass alert around it, and the agent's sighting from the reply page. */
static int story_up(void **state)
{
    struct story *story = calloc(1, sizeof *story);
    *state = story;
    if (!story || !(story->world = world_clone(template)))
        return -1;
    snprintf(story->gateway_dir, sizeof story->gateway_dir, "%s/police", story->world->dir);
    snprintf(story->gateway_log, sizeof story->gateway_log, "%s/police.log", story->world->dir);
    mkdir(story->gateway_dir, 0700);
    if (!gateway_start(story) || !world_start(story->world) ||
        !(story->operator= login(story->world, "night-op", PASSWORD)) ||
        !(story->supervisor = login(story->world, "watch", PASSWORD)))
        return -1;
    int64_t site = world_sql_int(story->world, NULL, "SELECT id FROM sites WHERE ext_id = 'S1'");
    story->alarm_id = alarm_create(story->world, story->operator, site, "burglary", 2);
    long status = 0;
    cJSON *json = NULL;
    char path[160], body[512];
    snprintf(path, sizeof path, "/v1/alarms/%lld/escalations", (long long)story->alarm_id);
    if (story->alarm_id <= 0 ||
        !http_request(story->world, "POST", path, story->operator,
                      "{\"agency\":\"police\",\"text\":\"intrusion en cours\"}", &status, &json) ||
        status != 201)
        return -1;
    char documents[64 * 1024];
    if (!wait_documents(story, 1, documents, sizeof documents))
        return -1;
    snprintf(body, sizeof body,
             "{\"area\":{\"circle\":{\"lat\":48.8708,\"lon\":2.3318,\"radius_m\":800}},"
             "\"message\":\"NE QUITTEZ PAS VOTRE SITE - homme veste noire\","
             "\"channels\":[\"sms\"],\"language\":\"fr\",\"centre\":{\"label\":\"Opéra\","
             "\"alarm_id\":%lld}}",
             (long long)story->alarm_id);
    if (!http_request(story->world, "POST", "/v1/massalerts", story->operator, body, &status,
                      &json) ||
        status != 201)
        return -1;
    story->alert_id = json_int(json, "id");
    char token[80];
    if (!read_token(story, token, sizeof token))
        return -1;
    struct http_reply reply;
    snprintf(path, sizeof path, "/r/%s/seen", token);
    static const char seen[] = "{\"text\":\"homme veste noire arrêt de bus face au centre DUPOND\","
                               "\"lat\":48.8702,\"lon\":2.3305,\"accuracy_m\":20}";
    if (!http_send(story->world, "POST", path, NULL, seen, strlen(seen), false, &reply) ||
        reply.status != 200)
        return -1;
    snprintf(path, sizeof path, "/v1/massalerts/%lld", (long long)story->alert_id);
    if (!http_request(story->world, "GET", path, story->operator, NULL, &status, &json) ||
        status != 200 || json_count(json, "replies") != 1)
        return -1;
    story->reply_id = json_int(json, "replies.0.id");
    return 0;
}

static int story_down(void **state)
{
    struct story *story = *state;
    if (story && story->gateway > 0) {
        kill(story->gateway, SIGTERM);
        world_sim_wait(story->world, story->gateway, WORLD_STOP_TIMEOUT_MS);
    }
    bool clean = story ? world_destroy(story->world) : true;
    free(story);
    *state = NULL;
    return clean ? 0 : -1;
}

static long relay(struct story *story, const char *token, int64_t alarm_id, cJSON **json)
{
    char path[160], body[96];
    snprintf(path, sizeof path, "/v1/massalerts/%lld/replies/%lld/relay",
             (long long)story->alert_id, (long long)story->reply_id);
    snprintf(body, sizeof body, "{\"alarm_id\":%lld,\"escalations\":true}", (long long)alarm_id);
    long status = 0;
    assert_true(http_request(story->world, "POST", path, token, body, &status, json));
    return status;
}

static void test_a_sighting_reaches_the_police_as_an_update_of_their_alert(void **state)
{
    struct story *story = *state;
    cJSON *json = NULL;
    assert_int_equal(relay(story, story->operator, story->alarm_id, &json), 200);
    assert_int_equal(json_int(json, "escalation_updates"), 1);

    static char documents[128 * 1024];
    assert_true(wait_documents(story, 2, documents, sizeof documents));
    /* The first alert, then its update referring to it. */
    char identifier[128];
    const char *first = strstr(documents, "<identifier>");
    assert_non_null(first);
    first += strlen("<identifier>");
    size_t length = strcspn(first, "<");
    assert_true(length > 0 && length < sizeof identifier);
    memcpy(identifier, first, length);
    identifier[length] = '\0';
    const char *update = strstr(documents, "<msgType>Update</msgType>");
    assert_non_null(update);
    const char *references = strstr(update, "<references>");
    assert_non_null(references);
    char expected[192];
    snprintf(expected, sizeof expected, ",%s,", identifier);
    assert_non_null(strstr(references, expected));
    /* What the agent saw, who he is, and where: his phone's fix, 20 m. */
    assert_non_null(strstr(update, "homme veste noire arrêt de bus face au centre DUPOND"));
    assert_non_null(strstr(update, "Jean Martin"));
    assert_non_null(strstr(update, "<circle>48.870200,2.330500 0.020</circle>"));
    assert_true(document_valid(story, 2));
    assert_non_null(strstr(update, "<areaDesc>sighting by Jean Martin, Galeries Opéra</areaDesc>"));

    /* The alarm lists the update beside its escalation; the reply says it went. */
    char path[96];
    long status = 0;
    snprintf(path, sizeof path, "/v1/alarms/%lld/escalations", (long long)story->alarm_id);
    assert_true(http_request(story->world, "GET", path, story->operator, NULL, &status, &json));
    assert_int_equal(status, 200);
    assert_int_equal(json_count(json, "escalations"), 2);
    assert_true(json_is_null(json, "escalations.0.updates_id"));
    assert_int_equal(json_int(json, "escalations.1.updates_id"),
                     json_int(json, "escalations.0.id"));
    snprintf(path, sizeof path, "/v1/massalerts/%lld", (long long)story->alert_id);
    assert_true(http_request(story->world, "GET", path, story->operator, NULL, &status, &json));
    assert_int_equal(json_int(json, "replies.0.relayed_alarm_id"), story->alarm_id);
    assert_int_equal(json_int(json, "replies.0.relayed_escalations"), 1);
}

static void test_an_alarm_never_escalated_refuses_and_sends_nothing(void **state)
{
    struct story *story = *state;
    int64_t site = world_sql_int(story->world, NULL, "SELECT id FROM sites WHERE ext_id = 'S1'");
    int64_t other = alarm_create(story->world, story->operator, site, "burglary", 3);
    assert_true(other > 0);
    cJSON *json = NULL;
    assert_int_equal(relay(story, story->operator, other, &json), 409);
    assert_non_null(strstr(json_string(json, "error.message"), "was not escalated"));
    /* A supervisor sees everything and relays nothing. */
    assert_int_equal(relay(story, story->supervisor, story->alarm_id, &json), 403);
    harness_sleep_ms(300);
    char documents[64 * 1024];
    assert_int_equal(gateway_documents(story, documents, sizeof documents), 1);
    char path[96];
    long status = 0;
    snprintf(path, sizeof path, "/v1/massalerts/%lld", (long long)story->alert_id);
    assert_true(http_request(story->world, "GET", path, story->operator, NULL, &status, &json));
    assert_true(json_is_null(json, "replies.0.relayed_alarm_id"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_a_sighting_reaches_the_police_as_an_update_of_their_alert, story_up, story_down),
        cmocka_unit_test_setup_teardown(test_an_alarm_never_escalated_refuses_and_sends_nothing,
                                        story_up, story_down),
    };
    return cmocka_run_group_tests(tests, template_up, template_down);
}
