/* Web Push for mass alerts, against the real test push service on
 * loopback (vigie-sim push-service: https with its own certificate, a
 * strict VAPID check, decryption as the agent's browser does it). A push
 * built by vigied's connector with the centre's key is taken (201 with a
 * Location, the reference) and decrypts there to the very message, with
 * the TTL, Urgency and Topic a mass alert needs; an expired or forged
 * VAPID token, or a key the subscription was not made for, is refused and
 * the message fails for good; a subscription the browser dropped (410) is
 * "gone"; a busy service (429) is retried and then takes the message
 * once. An operator sets an agent's subscription through the API (checked,
 * audited); a supervisor cannot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server/config.h"
#include "server/connector_push.h"
#include "server/webpush_base64url.h"
#include "server/webpush_request.h"
#include "server/webpush_vapid.h"
#include "tests/lib/harness.h"

#define PASSWORD "night-shift-42"
#define SUBJECT  "mailto:ops@vigie.example.org"
/* What an agent in Nice reads on his phone (UTF-8, as the template). */
#define MESSAGE                                                                                    \
    "NE QUITTEZ PAS VOTRE SITE - N'INTERVENEZ PAS - homme ~30 ans, blouson noir, pantalon "        \
    "blanc. Vu ? Répondez : https://vigie.example.org/r/abc"

struct story {
    struct world *world;
    char push_dir[WORLD_PATH_MAX];
    char push_log[WORLD_PATH_MAX];
    char cert[WORLD_PATH_MAX + 16];
    char origin[96];
    pid_t push;
    EVP_PKEY *vapid_key; /* the centre's, from webpush_vapid_key's file */
};

static struct world *template;

static int template_up(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    template = world_create();
    return template && world_add_user(template, "night-op", "operator", PASSWORD) &&
                   world_add_user(template, "watch", "supervisor", PASSWORD) &&
                   world_sql(template, NULL,
                             "INSERT INTO agents(ext_id, name, phone, lat, lon, vetted)"
                             " VALUES('SEC-0001', 'Jean Martin', '+33612345678', 43.70, 7.26, 1)")
               ? 0
               : -1;
}

static int template_down(void **state)
{
    (void)state;
    bool clean = world_destroy(template);
    curl_global_cleanup();
    return clean ? 0 : -1;
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

/* Starts the push service (answering 429 to the first `busy` messages)
 * and waits until it says where it listens. */
static bool push_start(struct story *story, const char *busy)
{
    story->push = world_sim_start(story->world, story->push_log, "push-service", "--listen",
                                  "127.0.0.1:0", "--dir", story->push_dir, "--busy", busy, NULL);
    static const char ready[] = "push-service: listening on ";
    int64_t deadline = harness_now_ms() + WORLD_START_TIMEOUT_MS;
    while (story->push > 0 && harness_now_ms() < deadline) {
        char *log = read_file(story->push_log);
        const char *line = log ? strstr(log, ready) : NULL;
        if (line)
            sscanf(line + strlen(ready), "%95s", story->origin);
        free(log);
        if (story->origin[0])
            return true;
        harness_sleep_ms(20);
    }
    return false;
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
    EVP_PKEY_free(story->vapid_key);
    bool clean = world_destroy(story->world);
    free(story);
    *state = NULL;
    return clean ? 0 : -1;
}

static int story_up_busy(void **state, const char *busy)
{
    struct story *story = calloc(1, sizeof *story);
    *state = story;
    if (!story || !(story->world = world_clone(template)))
        return -1;
    snprintf(story->push_dir, sizeof story->push_dir, "%s/push", story->world->dir);
    snprintf(story->push_log, sizeof story->push_log, "%s/push.log", story->world->dir);
    snprintf(story->cert, sizeof story->cert, "%s/cert.pem", story->push_dir);
    struct server_config config;
    config_defaults(&config);
    char why[256];
    snprintf(config.webpush_vapid_key, sizeof config.webpush_vapid_key, "%s/vapid.pem",
             story->world->dir);
    story->vapid_key = connector_push_load_key(&config, why, sizeof why);
    if (!story->vapid_key) {
        fprintf(stderr, "# %s\n", why);
        return -1;
    }
    return push_start(story, busy) ? 0 : -1;
}

static int story_up(void **state)
{
    return story_up_busy(state, "0");
}

static int story_up_busy_twice(void **state)
{
    return story_up_busy(state, "2");
}

/* `vigie-sim push-service subscribe` with the options given: the JSON. */
static const char *subscribe(struct story *story, const char *option, const char *value)
{
    static char output[4096];
    int status = option ? world_sim(story->world, output, sizeof output, "push-service",
                                    "subscribe", "--dir", story->push_dir, option, value, NULL)
                        : world_sim(story->world, output, sizeof output, "push-service",
                                    "subscribe", "--dir", story->push_dir, NULL);
    assert_int_equal(status, 0);
    assert_non_null(strstr(output, "\"endpoint\":\"https://127.0.0.1:"));
    output[strcspn(output, "\n")] = '\0';
    return output;
}

/* One push through the connector, as the outbox runs it, at `now_ms`. */
static void send_push(struct story *story, const char *subscription, int64_t now_ms,
                      struct connector_push_outcome *out)
{
    char body[] = MESSAGE;
    struct store_outbox_message message = {.id = 42, .attempts = 1, .max_attempts = 5};
    snprintf(message.channel, sizeof message.channel, "push");
    snprintf(message.recipient, sizeof message.recipient, "%s", subscription);
    snprintf(message.message_key, sizeof message.message_key, "massalert-3-42-push");
    message.body = body;
    message.body_length = strlen(body);
    message.deadline_at = (int64_t)time(NULL) * 1000 + 3600 * 1000;
    struct connector_push_options options = {.timeout_ms = 10000,
                                             .connect_timeout_ms = 5000,
                                             .ca_file = story->cert,
                                             .vapid_key = story->vapid_key,
                                             .subject = SUBJECT,
                                             .now_ms = now_ms};
    struct connector_push *transfer = connector_push_new(&message, &options, out);
    assert_non_null(transfer);
    CURLcode code = curl_easy_perform(connector_push_curl(transfer));
    connector_push_result(transfer, code, out);
    connector_push_free(transfer);
}

static int64_t now_ms(void)
{
    return (int64_t)time(NULL) * 1000;
}

/* The line of the service's log about the message it took last. */
static char *last_line_starting(struct story *story, const char *prefix, char *out, size_t size)
{
    char *log = read_file(story->push_log);
    out[0] = '\0';
    for (const char *line = log; line && *line;) {
        const char *end = strchrnul(line, '\n');
        if (strncmp(line, prefix, strlen(prefix)) == 0)
            snprintf(out, size, "%.*s", (int)(end - line), line);
        line = *end ? end + 1 : NULL;
    }
    free(log);
    return out;
}

static int messages_taken(struct story *story)
{
    int count = 0;
    char *log = read_file(story->push_log);
    for (const char *at = log; at && (at = strstr(at, "\n201 POST /push/")); at++)
        count++;
    free(log);
    return count;
}

static void test_a_push_is_taken_and_decrypts_to_the_message(void **state)
{
    struct story *story = *state;
    const char *subscription = subscribe(story, NULL, NULL);
    struct connector_push_outcome out;
    send_push(story, subscription, now_ms(), &out);
    assert_true(out.delivered);
    assert_int_equal(out.status, 201);
    char expected[160];
    snprintf(expected, sizeof expected, "%s/m/0001", story->origin);
    assert_string_equal(out.reference, expected);

    char line[2048], topic[CONNECTOR_PUSH_TOPIC_LEN + 1], want[80];
    last_line_starting(story, "201 POST /push/", line, sizeof line);
    assert_non_null(strstr(line, "urgency=high"));
    assert_non_null(strstr(line, "sub=" SUBJECT));
    connector_push_topic("massalert-3-42-push", topic);
    snprintf(want, sizeof want, "topic=%s ", topic);
    assert_non_null(strstr(line, want));
    /* The TTL runs to the alert's deadline, an hour away. */
    const char *ttl = strstr(line, "ttl=");
    assert_non_null(ttl);
    int seconds = atoi(ttl + 4);
    assert_true(seconds > 3500 && seconds <= 3600);
    /* What the agent's browser decrypted is the message, byte for byte. */
    const char *path = strrchr(line, ' ');
    assert_non_null(path);
    char *plain = read_file(path + 1);
    assert_non_null(plain);
    assert_string_equal(plain, MESSAGE);
    free(plain);
}

static void test_an_expired_vapid_token_is_refused_for_good(void **state)
{
    struct story *story = *state;
    const char *subscription = subscribe(story, NULL, NULL);
    struct connector_push_outcome out;
    /* Signed 25 hours ago: its 12-hour token expired 13 hours ago. */
    send_push(story, subscription, now_ms() - 25LL * 3600 * 1000, &out);
    assert_false(out.delivered);
    assert_int_equal(out.status, 401);
    assert_true(out.permanent);
    assert_non_null(strstr(out.error, "VAPID"));
    char line[1024];
    assert_non_null(strstr(last_line_starting(story, "401 ", line, sizeof line), "VAPID refused"));
    assert_int_equal(messages_taken(story), 0);
}

static size_t discard(char *data, size_t size, size_t count, void *closure)
{
    (void)data;
    (void)closure;
    return size * count;
}

/* A request whose token is signed by one key and claims another. */
static long send_forged(struct story *story, const char *subscription_json)
{
    struct webpush_subscription subscription;
    struct webpush_request request;
    char why[256], other_key[WEBPUSH_POINT_BASE64_SIZE];
    assert_true(webpush_subscription_parse(subscription_json, strlen(subscription_json),
                                           &subscription, why, sizeof why));
    assert_true(webpush_request_build(&subscription, story->vapid_key, SUBJECT,
                                      (const uint8_t *)"forged", 6, 60, time(NULL), &request, why,
                                      sizeof why));
    EVP_PKEY *impostor = webpush_key_generate(why, sizeof why);
    assert_true(webpush_vapid_public_key(impostor, other_key));
    EVP_PKEY_free(impostor);
    struct curl_slist *headers = NULL;
    for (size_t i = 0; i < request.header_count; i++) {
        char line[WEBPUSH_HEADER_LINE_MAX + 128];
        char *k = strstr(request.headers[i], ", k=");
        if (strncmp(request.headers[i], "Authorization:", 14) == 0 && k)
            snprintf(line, sizeof line, "%.*s, k=%s", (int)(k - request.headers[i]),
                     request.headers[i], other_key);
        else
            snprintf(line, sizeof line, "%s", request.headers[i]);
        headers = curl_slist_append(headers, line);
    }
    CURL *easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, request.url);
    curl_easy_setopt(easy, CURLOPT_CAINFO, story->cert);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.message.body);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)request.message.len);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    long status = 0;
    if (curl_easy_perform(easy) == CURLE_OK)
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
    return status;
}

/* base64url of `len` bytes, appended to out. */
static void append_base64url(char *out, size_t size, const void *bytes, size_t len)
{
    size_t used = strlen(out);
    assert_true(webpush_base64url_encode(bytes, len, out + used, size - used));
}

/* "vapid t=JWT, k=KEY" for claims of our choosing, signed ES256 with key. */
static void vapid_with_claims(EVP_PKEY *key, const char *claims, char *out, size_t size)
{
    static const char header[] = "{\"typ\":\"JWT\",\"alg\":\"ES256\"}";
    char input[1024] = "";
    append_base64url(input, sizeof input, header, strlen(header));
    strcat(input, ".");
    append_base64url(input, sizeof input, claims, strlen(claims));
    unsigned char der[128], rs[64];
    size_t der_len = sizeof der;
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestSignInit(context, NULL, EVP_sha256(), NULL, key), 1);
    assert_int_equal(EVP_DigestSign(context, der, &der_len, (unsigned char *)input, strlen(input)),
                     1);
    EVP_MD_CTX_free(context);
    const unsigned char *cursor = der;
    ECDSA_SIG *signature = d2i_ECDSA_SIG(NULL, &cursor, (long)der_len);
    assert_non_null(signature);
    BN_bn2binpad(ECDSA_SIG_get0_r(signature), rs, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(signature), rs + 32, 32);
    ECDSA_SIG_free(signature);
    char public_key[WEBPUSH_POINT_BASE64_SIZE];
    assert_true(webpush_vapid_public_key(key, public_key));
    snprintf(out, size, "vapid t=%s.", input);
    append_base64url(out, size, rs, sizeof rs);
    snprintf(out + strlen(out), size - strlen(out), ", k=%s", public_key);
}

/* POSTs a message to the subscription with this Authorization value. */
static long send_with_authorization(struct story *story, const char *subscription_json,
                                    const char *authorization)
{
    struct webpush_subscription subscription;
    struct webpush_request request;
    char why[256], line[WEBPUSH_HEADER_LINE_MAX + 128];
    assert_true(webpush_subscription_parse(subscription_json, strlen(subscription_json),
                                           &subscription, why, sizeof why));
    assert_true(webpush_request_build(&subscription, story->vapid_key, SUBJECT,
                                      (const uint8_t *)"hand-made", 9, 60, time(NULL), &request,
                                      why, sizeof why));
    struct curl_slist *headers = NULL;
    for (size_t i = 0; i < request.header_count; i++)
        if (strncmp(request.headers[i], "Authorization:", 14) != 0)
            headers = curl_slist_append(headers, request.headers[i]);
    snprintf(line, sizeof line, "Authorization: %s", authorization);
    headers = curl_slist_append(headers, line);
    CURL *easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, request.url);
    curl_easy_setopt(easy, CURLOPT_CAINFO, story->cert);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.message.body);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)request.message.len);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    long status = 0;
    if (curl_easy_perform(easy) == CURLE_OK)
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
    return status;
}

static void test_a_forged_vapid_or_another_key_is_refused(void **state)
{
    struct story *story = *state;
    const char *subscription = subscribe(story, NULL, NULL);
    assert_int_equal(send_forged(story, subscription), 401);

    /* Hand-made tokens: one as ours would be is taken (so the signer
     * below is right), one without a contact, one for another origin. */
    char claims[512], authorization[WEBPUSH_AUTHORIZATION_MAX];
    long exp = (long)time(NULL) + 3600;
    snprintf(claims, sizeof claims, "{\"aud\":\"%s\",\"exp\":%ld,\"sub\":\"%s\"}", story->origin,
             exp, SUBJECT);
    vapid_with_claims(story->vapid_key, claims, authorization, sizeof authorization);
    assert_int_equal(send_with_authorization(story, subscription, authorization), 201);
    snprintf(claims, sizeof claims, "{\"aud\":\"%s\",\"exp\":%ld}", story->origin, exp);
    vapid_with_claims(story->vapid_key, claims, authorization, sizeof authorization);
    assert_int_equal(send_with_authorization(story, subscription, authorization), 403);
    snprintf(claims, sizeof claims,
             "{\"aud\":\"https://push.example.net\",\"exp\":%ld,\"sub\":\"%s\"}", exp, SUBJECT);
    vapid_with_claims(story->vapid_key, claims, authorization, sizeof authorization);
    assert_int_equal(send_with_authorization(story, subscription, authorization), 401);
    assert_int_equal(send_with_authorization(story, subscription, "WebPush abc"), 401);
    assert_int_equal(messages_taken(story), 1);

    /* A subscription made for another centre's applicationServerKey. */
    char why[128], other[WEBPUSH_POINT_BASE64_SIZE];
    EVP_PKEY *key = webpush_key_generate(why, sizeof why);
    assert_true(webpush_vapid_public_key(key, other));
    EVP_PKEY_free(key);
    subscription = subscribe(story, "--application-server-key", other);
    struct connector_push_outcome out;
    send_push(story, subscription, now_ms(), &out);
    assert_int_equal(out.status, 403);
    assert_true(out.permanent);
    assert_false(out.gone);

    /* Restricted to our own key, it is taken. */
    assert_true(webpush_vapid_public_key(story->vapid_key, other));
    subscription = subscribe(story, "--application-server-key", other);
    send_push(story, subscription, now_ms(), &out);
    assert_true(out.delivered);
    assert_int_equal(messages_taken(story), 2);
}

static void test_a_dropped_subscription_is_gone_for_good(void **state)
{
    struct story *story = *state;
    const char *subscription = subscribe(story, "--gone", NULL);
    struct connector_push_outcome out;
    send_push(story, subscription, now_ms(), &out);
    assert_int_equal(out.status, 410);
    assert_true(out.permanent);
    assert_true(out.gone);
    assert_non_null(strstr(out.error, "push subscription is gone"));

    /* A subscription the service never made: 404, gone as well. */
    char unknown[1024];
    snprintf(unknown, sizeof unknown, "%s", subscribe(story, NULL, NULL));
    char *id = strstr(unknown, "/push/") + strlen("/push/");
    memset(id, 'f', 32);
    send_push(story, unknown, now_ms(), &out);
    assert_int_equal(out.status, 404);
    assert_true(out.gone);
    assert_int_equal(messages_taken(story), 0);
}

static void test_a_busy_service_is_retried_and_takes_it_once(void **state)
{
    struct story *story = *state;
    const char *subscription = subscribe(story, NULL, NULL);
    struct connector_push_outcome out;
    for (int attempt = 1; attempt <= 2; attempt++) {
        send_push(story, subscription, now_ms(), &out);
        assert_int_equal(out.status, 429);
        assert_false(out.permanent);
        assert_int_equal(out.retry_after_ms, 1000);
    }
    send_push(story, subscription, now_ms(), &out);
    assert_true(out.delivered);
    assert_int_equal(messages_taken(story), 1);
}

static void test_an_operator_sets_an_agents_subscription(void **state)
{
    struct story *story = *state;
    struct world *world = story->world;
    assert_true(world_start(world));
    const char *operator= login(world, "night-op", PASSWORD);
    const char *supervisor = login(world, "watch", PASSWORD);
    assert_non_null(operator);
    assert_non_null(supervisor);
    int64_t agent = world_sql_int(world, NULL, "SELECT id FROM agents WHERE ext_id = 'SEC-0001'");
    char path[96];
    snprintf(path, sizeof path, "/v1/agents/%lld/push-subscription", (long long)agent);
    const char *subscription = subscribe(story, NULL, NULL);
    long status = 0;
    cJSON *json = NULL;

    assert_true(http_request(world, "POST", path, supervisor, subscription, &status, &json));
    assert_int_equal(status, 403);
    assert_true(http_request(world, "POST", path, operator, subscription, &status, &json));
    assert_int_equal(status, 200);
    assert_string_equal(json_string(json, "push_service"), story->origin);
    assert_int_equal(world_sql_int(world, NULL,
                                   "SELECT count(*) FROM agents WHERE push_subscription LIKE"
                                   " '{\"endpoint\":\"https://127.0.0.1:%/push/%\",\"keys\":{"
                                   "\"p256dh\":\"B%\",\"auth\":\"%\"}}'"),
                     1);
    assert_int_equal(world_sql_int(world, NULL,
                                   "SELECT count(*) FROM audit WHERE action ="
                                   " 'agent.push_subscription' AND detail NOT LIKE '%p256dh%'"),
                     1);

    /* What is not a usable subscription is refused, saying why. */
    static const char *const bad[] = {
        "{\"endpoint\":\"http://127.0.0.1:1/push/x\",\"keys\":{\"p256dh\":\"BAAA\",\"auth\":"
        "\"AAAAAAAAAAAAAAAAAAAAAA\"}}",
        "{\"endpoint\":\"https://push.example.net/x\",\"keys\":{\"p256dh\":\"BAAA\",\"auth\":"
        "\"AAAAAAAAAAAAAAAAAAAAAA\"}}",
        "{\"endpoint\":\"https://push.example.net/x\"}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_true(http_request(world, "POST", path, operator, bad[i], &status, &json));
        assert_int_equal(status, 400);
        assert_non_null(json_string(json, "error.message"));
    }
    assert_true(http_request(world, "POST", "/v1/agents/999999/push-subscription", operator,
                             subscription, &status, &json));
    assert_int_equal(status, 404);

    assert_true(http_request(world, "DELETE", path, operator, NULL, &status, &json));
    assert_int_equal(status, 200);
    assert_true(json_is_null(json, "push_service"));
    assert_int_equal(
        world_sql_int(world, NULL, "SELECT count(*) FROM agents WHERE push_subscription IS NULL"),
        1);
}

/* `vigied vapid`: a key made once, never replaced, its public half printed
 * the same way by both commands; a key without a contact is refused. */
static void test_the_vapid_key_is_made_once_and_its_public_key_printed(void **state)
{
    struct story *story = *state;
    struct world *world = story->world;
    char path[WORLD_PATH_MAX + 16], setting[WORLD_PATH_MAX + 64], made[1024], shown[1024];
    snprintf(path, sizeof path, "%s/centre.pem", world->dir);
    assert_int_equal(
        world_run(world, NULL, made, sizeof made, "vapid", "generate", "--out", path, NULL), 0);
    const char *key = strrchr(made, ':'); /* "...(applicationServerKey):\nKEY\n" */
    assert_non_null(key);
    char public_key[WEBPUSH_POINT_BASE64_SIZE];
    assert_int_equal(sscanf(key + 1, " %87s", public_key), 1);
    assert_int_equal(strlen(public_key), WEBPUSH_POINT_BASE64_SIZE - 1);
    assert_int_equal(public_key[0], 'B'); /* 0x04: an uncompressed point */
    struct stat info;
    assert_int_equal(stat(path, &info), 0);
    assert_int_equal(info.st_mode & 077, 0);

    assert_int_equal(
        world_run(world, NULL, shown, sizeof shown, "vapid", "generate", "--out", path, NULL), 1);
    assert_non_null(strstr(shown, "never replaced"));
    assert_int_equal(
        world_run(world, NULL, shown, sizeof shown, "vapid", "public-key", "--key", path, NULL), 0);
    assert_non_null(strstr(shown, public_key));
    snprintf(setting, sizeof setting, "webpush_vapid_key=%s", path);
    assert_int_equal(
        world_run(world, NULL, shown, sizeof shown, "vapid", "public-key", "--set", setting, NULL),
        0);
    assert_non_null(strstr(shown, public_key));
    assert_int_equal(world_run(world, NULL, shown, sizeof shown, "vapid", "public-key", NULL), 2);

    /* vigied will not serve push without a contact for the push services. */
    assert_int_equal(world_run(world, NULL, shown, sizeof shown, "serve", "--db", world->db,
                               "--listen", "127.0.0.1:0", "--set", setting, NULL),
                     2);
    assert_non_null(strstr(shown, "webpush_subject"));
    assert_int_equal(world_run(world, NULL, shown, sizeof shown, "serve", "--db", world->db,
                               "--listen", "127.0.0.1:0", "--set", setting, "--set",
                               "webpush_subject=ops@example.org", NULL),
                     2);
    assert_non_null(strstr(shown, "webpush_subject"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_push_is_taken_and_decrypts_to_the_message, story_up,
                                        story_down),
        cmocka_unit_test_setup_teardown(test_an_expired_vapid_token_is_refused_for_good, story_up,
                                        story_down),
        cmocka_unit_test_setup_teardown(test_a_forged_vapid_or_another_key_is_refused, story_up,
                                        story_down),
        cmocka_unit_test_setup_teardown(test_a_dropped_subscription_is_gone_for_good, story_up,
                                        story_down),
        cmocka_unit_test_setup_teardown(test_a_busy_service_is_retried_and_takes_it_once,
                                        story_up_busy_twice, story_down),
        cmocka_unit_test_setup_teardown(test_an_operator_sets_an_agents_subscription, story_up,
                                        story_down),
        cmocka_unit_test_setup_teardown(test_the_vapid_key_is_made_once_and_its_public_key_printed,
                                        story_up, story_down),
    };
    return cmocka_run_group_tests(tests, template_up, template_down);
}
