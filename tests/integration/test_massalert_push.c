/* A mass alert by Web Push, end to end on loopback: three agents' browsers
 * subscribe with the test push service (vigie-sim push-service) and an
 * operator registers their subscriptions through the API; the third
 * browser then drops its subscription. The operator sends an alert on the
 * push channel: the service, busy at first (429), is tried again by the
 * outbox and takes each of the two live messages once; what each browser
 * decrypts is the message with the agent's own reply link. The dropped
 * subscription (410) fails for good at the first attempt, saying the
 * subscription is gone, and the alert's counts say 2 sent, 1 failed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/lib/harness.h"
#include "tests/lib/harness_agents.h"

#define PASSWORD   "night-shift-42"
#define AGENTS     3
#define MESSAGE    "DO NOT LEAVE YOUR SITE - man about 30, black jacket"
#define PUBLIC_URL "https://vigie.example.org"
/* Retries come within a second here; a sanitizer build on a busy host
 * still delivers within this. */
#define WAIT_MS 30000

struct story {
    struct world *world;
    const char *operator, * supervisor;
    char push_dir[WORLD_PATH_MAX];
    char push_log[WORLD_PATH_MAX];
    pid_t push;
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

static char *read_file(const char *path)
{
    FILE *file = fopen(path, "r");
    if (!file)
        return NULL;
    char *text = calloc(1, 64 * 1024);
    size_t length = text ? fread(text, 1, 64 * 1024 - 1, file) : 0;
    fclose(file);
    if (text)
        text[length] = '\0';
    return text;
}

/* The push service, answering 429 to its first message. */
static bool push_start(struct story *story)
{
    story->push = world_sim_start(story->world, story->push_log, "push-service", "--listen",
                                  "127.0.0.1:0", "--dir", story->push_dir, "--busy", "1", NULL);
    int64_t deadline = harness_now_ms() + WORLD_START_TIMEOUT_MS;
    while (story->push > 0 && harness_now_ms() < deadline) {
        char *log = read_file(story->push_log);
        bool ready = log && strstr(log, "push-service: listening on https://");
        free(log);
        if (ready)
            return true;
        harness_sleep_ms(20);
    }
    return false;
}

static int story_up(void **state)
{
    struct story *story = calloc(1, sizeof *story);
    *state = story;
    if (!story || !(story->world = world_clone(template)))
        return -1;
    struct world *world = story->world;
    snprintf(story->push_dir, sizeof story->push_dir, "%s/push", world->dir);
    snprintf(story->push_log, sizeof story->push_log, "%s/push.log", world->dir);
    if (!push_start(story))
        return -1;
    char setting[WORLD_PATH_MAX + 64];
    snprintf(setting, sizeof setting, "webpush_vapid_key=%s/vapid.pem", world->dir);
    world_set(world, setting);
    snprintf(setting, sizeof setting, "webpush_ca_file=%s/cert.pem", story->push_dir);
    world_set(world, setting);
    world_set(world, "webpush_subject=mailto:ops@vigie.example.org");
    world_set(world, "public_url=" PUBLIC_URL);
    world_set(world, "push_rate=0");
    world_set(world, "outbox_backoff_first_ms=100");
    world_set(world, "outbox_backoff_max_ms=400");
    if (!world_start(world))
        return -1;
    story->operator= login(world, "night-op", PASSWORD);
    story->supervisor = login(world, "chief", PASSWORD);
    return story->operator&& story->supervisor ? 0 : - 1;
}

static int story_down(void **state)
{
    struct story *story = *state;
    if (!story)
        return 0;
    if (story->push > 0) {
        kill(story->push, SIGTERM);
        world_sim_wait(story->world, story->push, WORLD_STOP_TIMEOUT_MS);
    }
    bool clean = world_destroy(story->world);
    free(story);
    return clean ? 0 : -1;
}

/* An agent's browser subscribes (gone: it drops the subscription later)
 * and the operator registers the subscription. */
static void subscribe_agent(struct story *story, int64_t agent, bool gone)
{
    char output[4096], path[96];
    int status = gone ? world_sim(story->world, output, sizeof output, "push-service", "subscribe",
                                  "--dir", story->push_dir, "--gone", NULL)
                      : world_sim(story->world, output, sizeof output, "push-service", "subscribe",
                                  "--dir", story->push_dir, NULL);
    assert_int_equal(status, 0);
    snprintf(path, sizeof path, "/v1/agents/%lld/push-subscription", (long long)agent);
    long code = 0;
    cJSON *answer = NULL;
    assert_true(http_request(story->world, "POST", path, story->operator, output, &code, &answer));
    assert_int_equal(code, 200);
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

/* Polls the alert until its push counts are `sent` and `failed`. */
static cJSON *alert_wait(struct story *story, int64_t id, int64_t sent, int64_t failed)
{
    int64_t deadline = harness_now_ms() + WAIT_MS;
    cJSON *alert = NULL;
    do {
        alert = alert_get(story, id);
        if (json_int(alert, "counts.push.sent") + json_int(alert, "counts.push.delivered") >=
                sent &&
            json_int(alert, "counts.push.failed") >= failed)
            return alert;
        harness_sleep_ms(200);
    } while (harness_now_ms() < deadline);
    fail_msg("the push counts did not reach %lld sent, %lld failed: %s", (long long)sent,
             (long long)failed, cJSON_PrintUnformatted(alert));
    return NULL;
}

static int lines_starting(const char *log, const char *prefix)
{
    int count = 0;
    for (const char *line = log; line && *line;) {
        count += strncmp(line, prefix, strlen(prefix)) == 0;
        const char *end = strchr(line, '\n');
        line = end ? end + 1 : NULL;
    }
    return count;
}

static void test_each_live_browser_decrypts_its_message_once(void **state)
{
    struct story *story = *state;
    struct world *world = story->world;
    for (int i = 0; i < AGENTS; i++) {
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT id FROM agents ORDER BY id LIMIT 1 OFFSET %d", i);
        subscribe_agent(story, world_sql_int(world, NULL, sql), i == AGENTS - 1);
    }
    char body[512];
    snprintf(body, sizeof body,
             "{\"area\":{\"circle\":{\"lat\":%.4f,\"lon\":%.4f,\"radius_m\":800}},"
             "\"channels\":[\"push\"],\"message\":\"" MESSAGE "\"}",
             AGENTS_CENTRE_LAT, AGENTS_CENTRE_LON);
    long status = 0;
    cJSON *sent = NULL;
    assert_true(
        http_request(world, "POST", "/v1/massalerts", story->operator, body, &status, &sent));
    if (status != 201)
        fail_msg("send: %ld %s", status, sent ? cJSON_PrintUnformatted(sent) : "");
    int64_t id = json_int(sent, "id");
    assert_int_equal(json_int(sent, "deliveries.push"), AGENTS);

    cJSON *alert = alert_wait(story, id, AGENTS - 1, 1);
    assert_int_equal(json_int(alert, "counts.push.queued"), 0);
    harness_sleep_ms(500); /* nothing more comes */

    /* The service: one 429, two messages taken, one 410. */
    char *log = read_file(story->push_log);
    assert_non_null(log);
    assert_int_equal(lines_starting(log, "429 POST /push/"), 1);
    assert_int_equal(lines_starting(log, "201 POST /push/"), AGENTS - 1);
    assert_int_equal(lines_starting(log, "410 POST /push/"), 1);
    free(log);

    /* Each browser decrypted the message with a reply link of its own. */
    char messages[WORLD_PATH_MAX + 16], tokens[AGENTS][128];
    snprintf(messages, sizeof messages, "%s/messages", story->push_dir);
    DIR *dir = opendir(messages);
    assert_non_null(dir);
    struct dirent *entry;
    int count = 0;
    while ((entry = readdir(dir))) {
        if (entry->d_name[0] == '.')
            continue;
        char path[WORLD_PATH_MAX + 300];
        snprintf(path, sizeof path, "%s/%s", messages, entry->d_name);
        char *text = read_file(path);
        assert_non_null(text);
        assert_memory_equal(text, MESSAGE, strlen(MESSAGE));
        const char *link = strstr(text, PUBLIC_URL "/r/");
        assert_non_null(link);
        assert_true(count < AGENTS);
        snprintf(tokens[count], sizeof tokens[count], "%s", link);
        for (int j = 0; j < count; j++)
            assert_string_not_equal(tokens[j], tokens[count]);
        count++;
        free(text);
    }
    closedir(dir);
    assert_int_equal(count, AGENTS - 1);

    /* The dropped subscription failed at once, and says why. */
    assert_int_equal(world_sql_int(world, NULL,
                                   "SELECT count(*) FROM outbox WHERE channel = 'push' AND"
                                   " state = 'failed' AND attempts = 1 AND last_error LIKE"
                                   " '%subscription is gone (HTTP 410)%'"),
                     1);
    /* The one refused as busy was sent at its second attempt, with the
     * push service's Location as its reference. */
    assert_int_equal(
        world_sql_int(world, NULL,
                      "SELECT count(*) FROM outbox WHERE channel = 'push' AND"
                      " state = 'delivered' AND reference LIKE 'https://127.0.0.1:%/m/%'"),
        AGENTS - 1);
    assert_int_equal(world_sql_int(world, NULL,
                                   "SELECT count(*) FROM outbox WHERE channel = 'push' AND"
                                   " state = 'delivered' AND attempts = 2"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_each_live_browser_decrypts_its_message_once, story_up,
                                        story_down),
    };
    return cmocka_run_group_tests(tests, template_up, template_down);
}
