/* A mass alert by Web Push, end to end on loopback: three agents' browsers
 * subscribe with the test push service (vigie-sim push-service) and an
 * operator registers their subscriptions through the API; the third
 * browser then drops its subscription. The operator sends an alert on the
 * push channel: the service, busy at first (429 with Retry-After: 2), is
 * tried again by the outbox no sooner than it asked, and takes each of
 * the two live messages once; what each browser decrypts is the message
 * with the agent's own reply link. The dropped subscription (410) fails
 * for good at the first attempt, saying the subscription is gone, the
 * agent's subscription is forgotten (audited), and the next alert does not
 * use it; the alert's counts say 2 sent, 1 failed.
 * Then the phones show their messages: each one's service worker (played
 * here by the test, with what the browser decrypted) acknowledges its
 * message at /r/<token>/delivered, and the alert's push counts turn from
 * sent to delivered; saying it twice changes nothing, and a link that is
 * unknown, has no push message, posted from elsewhere or expired is
 * refused. And an agent subscribes his phone from his own reply page (the
 * page offers it with the centre's key; the subscription is kept,
 * audited once), so that the next alert reaches that phone by push. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <dirent.h>
#include <sqlite3.h>
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
/* What the busy push service asks for: far above the outbox's backoff
 * here (100-400 ms), so that honouring it shows. */
#define RETRY_AFTER_S    2
#define RETRY_AFTER_TEXT "2"
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

/* The push service, answering 429 to its first `busy` messages. */
static bool push_start(struct story *story, const char *busy)
{
    story->push = world_sim_start(story->world, story->push_log, "push-service", "--listen",
                                  "127.0.0.1:0", "--dir", story->push_dir, "--busy", busy,
                                  "--retry-after", RETRY_AFTER_TEXT, NULL);
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

static int story_start(void **state, const char *busy)
{
    struct story *story = calloc(1, sizeof *story);
    *state = story;
    if (!story || !(story->world = world_clone(template)))
        return -1;
    struct world *world = story->world;
    snprintf(story->push_dir, sizeof story->push_dir, "%s/push", world->dir);
    snprintf(story->push_log, sizeof story->push_log, "%s/push.log", world->dir);
    if (!push_start(story, busy))
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

static int story_up(void **state)
{
    return story_start(state, "1");
}

static int story_up_calm(void **state)
{
    return story_start(state, "0");
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

/* The "at=" of the 429 line and of the 201 line of the same subscription. */
static bool busy_then_taken(const char *log, int64_t *refused_at, int64_t *taken_at)
{
    const char *busy = strstr(log, "429 POST /push/");
    if (!busy)
        return false;
    char id[64], prefix[96];
    if (sscanf(busy, "429 POST /push/%63s", id) != 1)
        return false;
    const char *at = strstr(busy, " at=");
    *refused_at = at ? atoll(at + 4) : 0;
    snprintf(prefix, sizeof prefix, "201 POST /push/%s ", id);
    const char *taken = strstr(log, prefix);
    at = taken ? strstr(taken, " at=") : NULL;
    *taken_at = at ? atoll(at + 4) : 0;
    return *refused_at > 0 && *taken_at > 0;
}

/* The reply token of the SMS of alert `alert_id` (its first recipient). */
static bool sms_token(struct story *story, int64_t alert_id, char *out, size_t size)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT o.body FROM outbox o JOIN massalert_recipients r ON r.id = o.owner_id"
             " WHERE r.alert_id = %lld AND o.channel = 'sms' ORDER BY o.id LIMIT 1",
             (long long)alert_id);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (sqlite3_open_v2(story->world->db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *link = strstr((const char *)sqlite3_column_text(st, 0), "/r/");
        found = link && (size_t)snprintf(out, size, "%s", link + 3) < size;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return found;
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

    /* It was sent again no sooner than the service's Retry-After asked,
     * not after the outbox's own 100 ms backoff. */
    log = read_file(story->push_log);
    int64_t refused_at = 0, taken_at = 0;
    assert_true(busy_then_taken(log, &refused_at, &taken_at));
    free(log);
    assert_true(taken_at - refused_at >= RETRY_AFTER_S * 1000);

    /* The gone subscription is forgotten, by vigied itself, audited. */
    int64_t gone = world_sql_int(world, NULL, "SELECT id FROM agents ORDER BY id LIMIT 1 OFFSET 2");
    char sql[320];
    snprintf(sql, sizeof sql, "SELECT push_subscription IS NULL FROM agents WHERE id = %lld",
             (long long)gone);
    assert_int_equal(world_sql_int(world, NULL, sql), 1);
    assert_int_equal(
        world_sql_int(world, NULL, "SELECT count(*) FROM agents WHERE push_subscription NOT NULL"),
        AGENTS - 1);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit WHERE action = 'agent.push_subscription' AND"
             " actor = 'system' AND object_id = %lld AND detail LIKE '%%\"removed\":true%%'"
             " AND detail LIKE '%%gone (HTTP 410)%%'",
             (long long)gone);
    assert_int_equal(world_sql_int(world, NULL, sql), 1);
    char output[4096];
    assert_int_equal(
        world_run(world, NULL, output, sizeof output, "audit", "verify", "--db", world->db, NULL),
        0);
    /* The next alert reaches him by push no more. */
    assert_true(
        http_request(world, "POST", "/v1/massalerts", story->operator, body, &status, &sent));
    assert_int_equal(status, 201);
    assert_int_equal(json_int(sent, "deliveries.push"), AGENTS - 1);
}

/* ---- the phone's acknowledgement ---- */

static size_t discard(char *data, size_t size, size_t count, void *closure)
{
    (void)data;
    (void)closure;
    return size * count;
}

/* POST PATH as the reply page's script or its service worker does (a
 * fetch from its own origin: Sec-Fetch-Site same-origin), or from `site`,
 * with a JSON body or none. */
static long post_as_page(struct story *story, const char *path, const char *json, const char *site)
{
    char url[256], header[64];
    snprintf(url, sizeof url, "%s%s", story->world->base_url, path);
    snprintf(header, sizeof header, "Sec-Fetch-Site: %s", site);
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, header);
    if (json)
        headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json ? json : "");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)HTTP_TIMEOUT_MS);
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return status;
}

static long acknowledge(struct story *story, const char *token, const char *site)
{
    char path[160];
    snprintf(path, sizeof path, "/r/%s/delivered", token);
    return post_as_page(story, path, NULL, site);
}

/* The reply tokens in what the browsers decrypted (DIR/messages). */
static int decrypted_tokens(struct story *story, char tokens[][128], int most)
{
    char messages[WORLD_PATH_MAX + 16];
    snprintf(messages, sizeof messages, "%s/messages", story->push_dir);
    DIR *dir = opendir(messages);
    int count = 0;
    struct dirent *entry;
    while (dir && count < most && (entry = readdir(dir))) {
        if (entry->d_name[0] == '.')
            continue;
        char path[WORLD_PATH_MAX + 300];
        snprintf(path, sizeof path, "%s/%s", messages, entry->d_name);
        char *text = read_file(path);
        const char *link = text ? strstr(text, PUBLIC_URL "/r/") : NULL;
        if (link)
            snprintf(tokens[count++], sizeof tokens[0], "%.*s",
                     (int)strspn(link + strlen(PUBLIC_URL "/r/"),
                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                 "0123456789-_"),
                     link + strlen(PUBLIC_URL "/r/"));
        free(text);
    }
    if (dir)
        closedir(dir);
    return count;
}

static void test_a_phone_that_shows_the_message_confirms_it(void **state)
{
    struct story *story = *state;
    struct world *world = story->world;
    for (int i = 0; i < AGENTS - 1; i++) {
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT id FROM agents ORDER BY id LIMIT 1 OFFSET %d", i);
        subscribe_agent(story, world_sql_int(world, NULL, sql), false);
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
    assert_int_equal(status, 201);
    int64_t id = json_int(sent, "id");
    cJSON *alert = alert_wait(story, id, AGENTS - 1, 0);
    assert_int_equal(json_int(alert, "counts.push.sent"), AGENTS - 1);
    assert_int_equal(json_int(alert, "counts.push.delivered"), 0);

    /* Each phone shows its message and says so. */
    char tokens[AGENTS][128];
    assert_int_equal(decrypted_tokens(story, tokens, AGENTS), AGENTS - 1);
    for (int i = 0; i < AGENTS - 1; i++)
        assert_int_equal(acknowledge(story, tokens[i], "same-origin"), 204);
    alert = alert_get(story, id);
    assert_int_equal(json_int(alert, "counts.push.delivered"), AGENTS - 1);
    assert_int_equal(json_int(alert, "counts.push.sent"), 0);
    assert_int_equal(world_sql_int(world, NULL,
                                   "SELECT count(*) FROM outbox WHERE channel = 'push' AND"
                                   " state = 'delivered' AND confirm_state = 'delivered'"
                                   " AND confirmed_at > 0 AND reference LIKE 'https://%/m/%'"),
                     AGENTS - 1);

    /* Said again: the same answer, nothing written. */
    int64_t confirmed = world_sql_int(world, NULL, "SELECT max(confirmed_at) FROM outbox");
    assert_int_equal(acknowledge(story, tokens[0], "same-origin"), 204);
    assert_int_equal(world_sql_int(world, NULL, "SELECT max(confirmed_at) FROM outbox"), confirmed);

    /* From another site, for no link, for a link with no push message. */
    assert_int_equal(acknowledge(story, tokens[0], "cross-site"), 403);
    assert_int_equal(acknowledge(story, "NotARealToken", "same-origin"), 404);
    snprintf(body, sizeof body,
             "{\"area\":{\"circle\":{\"lat\":%.4f,\"lon\":%.4f,\"radius_m\":800}},"
             "\"channels\":[\"sms\"],\"message\":\"" MESSAGE "\"}",
             AGENTS_CENTRE_LAT, AGENTS_CENTRE_LON);
    assert_true(
        http_request(world, "POST", "/v1/massalerts", story->operator, body, &status, &sent));
    assert_int_equal(status, 201);
    char sql[160], token[128];
    assert_true(sms_token(story, json_int(sent, "id"), token, sizeof token));
    assert_int_equal(acknowledge(story, token, "same-origin"), 404);

    /* The alert over, its links are dead. */
    snprintf(sql, sizeof sql, "UPDATE massalerts SET expires_at = 1 WHERE id = %lld",
             (long long)id);
    assert_true(world_sql(world, NULL, sql));
    assert_int_equal(acknowledge(story, tokens[1], "same-origin"), 410);
}

static void test_an_agent_subscribes_his_phone_from_his_reply_page(void **state)
{
    struct story *story = *state;
    struct world *world = story->world;
    int64_t agent = world_sql_int(world, NULL, "SELECT id FROM agents ORDER BY id LIMIT 1");
    char body[512], path[160], sql[320], token[128], output[4096];
    snprintf(body, sizeof body,
             "{\"area\":{\"circle\":{\"lat\":%.4f,\"lon\":%.4f,\"radius_m\":800}},"
             "\"channels\":[\"sms\"],\"message\":\"" MESSAGE "\"}",
             AGENTS_CENTRE_LAT, AGENTS_CENTRE_LON);
    long status = 0;
    cJSON *sent = NULL;
    assert_true(
        http_request(world, "POST", "/v1/massalerts", story->operator, body, &status, &sent));
    assert_int_equal(status, 201);
    snprintf(sql, sizeof sql,
             "SELECT r.agent_id FROM massalert_recipients r WHERE r.alert_id = %lld"
             " ORDER BY r.id LIMIT 1",
             (long long)json_int(sent, "id"));
    assert_int_equal(world_sql_int(world, NULL, sql), agent);
    assert_true(sms_token(story, json_int(sent, "id"), token, sizeof token));

    /* By default a reply link enrols nothing: it is a bearer token, and
     * whoever it was forwarded to would get the agent's next alerts. */
    snprintf(path, sizeof path, "/r/%s", token);
    struct http_reply page;
    assert_true(http_send(world, "GET", path, NULL, NULL, 0, false, &page));
    assert_int_equal(page.status, 200);
    assert_null(strstr(page.body, "id=\"push-section\""));
    snprintf(path, sizeof path, "/r/%s/push-subscription", token);
    assert_int_equal(post_as_page(story, path, "{\"endpoint\":\"http://x\"}", "same-origin"), 403);
    assert_true(world_set(world, "push_enrol_from_reply_page=1"));
    assert_true(world_restart(world));

    /* Where the centre allows it, his page offers push, with the
     * centre's applicationServerKey. */
    snprintf(path, sizeof path, "/r/%s", token);
    assert_true(http_send(world, "GET", path, NULL, NULL, 0, false, &page));
    assert_int_equal(page.status, 200);
    assert_non_null(strstr(page.body, "id=\"push-section\""));
    char key_path[WORLD_PATH_MAX + 16], want[160];
    snprintf(key_path, sizeof key_path, "%s/vapid.pem", world->dir);
    assert_int_equal(world_run(world, NULL, output, sizeof output, "vapid", "public-key", "--key",
                               key_path, NULL),
                     0);
    output[strcspn(output, "\n")] = '\0';
    snprintf(want, sizeof want, "data-key=\"%.100s\"", output);
    assert_non_null(strstr(page.body, want));

    /* His phone subscribes and the page hands the subscription over. */
    assert_int_equal(world_sim(world, output, sizeof output, "push-service", "subscribe", "--dir",
                               story->push_dir, NULL),
                     0);
    snprintf(path, sizeof path, "/r/%s/push-subscription", token);
    assert_int_equal(post_as_page(story, path, output, "cross-site"), 403);
    assert_int_equal(post_as_page(story, path, "{\"endpoint\":\"http://x\"}", "same-origin"), 400);
    assert_int_equal(post_as_page(story, path, output, "same-origin"), 200);
    assert_int_equal(post_as_page(story, path, output, "same-origin"), 200);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM agents WHERE id = %lld AND push_subscription LIKE"
             " '{\"endpoint\":\"https://127.0.0.1:%%/push/%%'",
             (long long)agent);
    assert_int_equal(world_sql_int(world, NULL, sql), 1);
    /* Audited once (the second time changed nothing), by vigied. */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit WHERE action = 'agent.push_subscription' AND"
             " actor = 'system' AND object_id = %lld AND detail LIKE '%%\"via\":\"reply_page\"%%'",
             (long long)agent);
    assert_int_equal(world_sql_int(world, NULL, sql), 1);

    /* The next alert reaches his phone by push. */
    snprintf(body, sizeof body,
             "{\"area\":{\"circle\":{\"lat\":%.4f,\"lon\":%.4f,\"radius_m\":800}},"
             "\"channels\":[\"push\"],\"message\":\"" MESSAGE "\"}",
             AGENTS_CENTRE_LAT, AGENTS_CENTRE_LON);
    assert_true(
        http_request(world, "POST", "/v1/massalerts", story->operator, body, &status, &sent));
    assert_int_equal(status, 201);
    assert_int_equal(json_int(sent, "deliveries.push"), 1);
    alert_wait(story, json_int(sent, "id"), 1, 0);

    /* Once the alert is over, its link subscribes nothing. */
    assert_true(world_sql(world, NULL, "UPDATE massalerts SET expires_at = 1"));
    assert_int_equal(post_as_page(story, path, output, "same-origin"), 410);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_each_live_browser_decrypts_its_message_once, story_up,
                                        story_down),
        cmocka_unit_test_setup_teardown(test_a_phone_that_shows_the_message_confirms_it,
                                        story_up_calm, story_down),
        cmocka_unit_test_setup_teardown(test_an_agent_subscribes_his_phone_from_his_reply_page,
                                        story_up_calm, story_down),
    };
    return cmocka_run_group_tests(tests, template_up, template_down);
}
