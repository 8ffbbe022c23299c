/* connector_push.c: one Web Push delivery (see connector_push.h). The
 * request itself (encrypted body, VAPID, TTL, Urgency) is built by
 * webpush_request.c; this file sends it and reads what came back. */
#include "server/connector_push.h"
#include "server/connector_curl.h"
#include "server/webpush_base64url.h"
#include "server/webpush_request.h"
#include "server/webpush_vapid.h"
#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A push service's answer is empty or a short error; more is dropped. */
#define CONNECTOR_PUSH_ANSWER_MAX 2048
/* A header value we keep (Location, Retry-After): a URL of the push
 * service, never long; a longer one is cut, not an error. */
#define CONNECTOR_PUSH_HEADER_VALUE_MAX 512

struct connector_push {
    CURL *easy;
    struct curl_slist *headers;
    struct webpush_request request; /* the body libcurl sends, kept alive */
    int64_t now_ms;
    char answer[CONNECTOR_PUSH_ANSWER_MAX + 1];
    size_t answer_length;
    char location[CONNECTOR_PUSH_HEADER_VALUE_MAX];
    char retry_after[64];
};

EVP_PKEY *connector_push_load_key(const struct server_config *config, char *why, size_t why_size)
{
    if (config->webpush_vapid_key[0] == '\0') {
        snprintf(why, why_size, "%s",
                 _("Web Push is not configured: set webpush_vapid_key and webpush_subject"));
        return NULL;
    }
    bool created = false;
    return webpush_key_load_or_create(config->webpush_vapid_key, &created, why, why_size);
}

int64_t connector_push_ttl(int64_t deadline_ms, int64_t now_ms)
{
    if (deadline_ms <= now_ms)
        return 0;
    int64_t seconds = (deadline_ms - now_ms) / 1000;
    return seconds > WEBPUSH_TTL_MAX ? WEBPUSH_TTL_MAX : seconds;
}

void connector_push_topic(const char *message_key, char out[CONNECTOR_PUSH_TOPIC_LEN + 1])
{
    uint8_t digest[SHA256_DIGEST_LENGTH];
    char text[WEBPUSH_BASE64URL_LEN(SHA256_DIGEST_LENGTH) + 1];
    SHA256((const unsigned char *)message_key, strlen(message_key), digest);
    webpush_base64url_encode(digest, sizeof digest, text, sizeof text);
    memcpy(out, text, CONNECTOR_PUSH_TOPIC_LEN);
    out[CONNECTOR_PUSH_TOPIC_LEN] = '\0';
}

int64_t connector_push_retry_after(const char *value, int64_t now_ms)
{
    if (!value || !value[0])
        return 0;
    int64_t seconds = -1;
    if (isdigit((unsigned char)value[0])) {
        char *end = NULL;
        long long number = strtoll(value, &end, 10);
        if (end && *end == '\0' && number >= 0)
            seconds = number;
    } else {
        time_t at = curl_getdate(value, NULL);
        if (at != (time_t)-1)
            seconds = ((int64_t)at * 1000 - now_ms + 999) / 1000;
    }
    if (seconds <= 0)
        return 0;
    if (seconds > CONNECTOR_PUSH_RETRY_AFTER_MAX_S)
        seconds = CONNECTOR_PUSH_RETRY_AFTER_MAX_S;
    return seconds * 1000;
}

/* ---- the transfer ---- */

static size_t on_answer(char *data, size_t size, size_t count, void *closure)
{
    struct connector_push *transfer = closure;
    size_t length = size * count;
    size_t room = CONNECTOR_PUSH_ANSWER_MAX - transfer->answer_length;
    size_t kept = length < room ? length : room;
    memcpy(transfer->answer + transfer->answer_length, data, kept);
    transfer->answer_length += kept;
    transfer->answer[transfer->answer_length] = '\0';
    return length; /* the rest is dropped, not an error */
}

/* Copies the value of header `name` (with its colon) when `line` is it. */
static void keep_header(const char *line, size_t length, const char *name, char *out,
                        size_t out_size)
{
    size_t name_length = strlen(name);
    if (length <= name_length || strncasecmp(line, name, name_length) != 0)
        return;
    const char *value = line + name_length;
    size_t value_length = length - name_length;
    while (value_length > 0 && isspace((unsigned char)*value)) {
        value++;
        value_length--;
    }
    while (value_length > 0 && isspace((unsigned char)value[value_length - 1]))
        value_length--;
    if (value_length >= out_size)
        value_length = out_size - 1;
    memcpy(out, value, value_length);
    out[value_length] = '\0';
}

static size_t on_header(char *data, size_t size, size_t count, void *closure)
{
    struct connector_push *transfer = closure;
    size_t length = size * count;
    keep_header(data, length, "location:", transfer->location, sizeof transfer->location);
    keep_header(data, length, "retry-after:", transfer->retry_after, sizeof transfer->retry_after);
    return length;
}

static bool add_header(struct connector_push *transfer, const char *line)
{
    struct curl_slist *list = curl_slist_append(transfer->headers, line);
    if (!list)
        return false;
    transfer->headers = list;
    return true;
}

static void refuse(struct connector_push_outcome *out, const char *why)
{
    memset(out, 0, sizeof *out);
    out->permanent = true;
    snprintf(out->error, sizeof out->error, "%s", why);
}

/* The request for the message: encrypted, signed, with its headers. */
static bool build_request(struct connector_push *transfer, const struct store_outbox_message *m,
                          const struct connector_push_options *options,
                          struct connector_push_outcome *out)
{
    char why[OUTBOX_ERROR_SIZE - 64];
    struct webpush_subscription subscription;
    if (!options->vapid_key || !options->subject || !options->subject[0]) {
        refuse(out, _("Web Push is not configured: set webpush_vapid_key and webpush_subject"));
        return false;
    }
    if (!webpush_subscription_parse(m->recipient, strlen(m->recipient), &subscription, why,
                                    sizeof why)) {
        char text[OUTBOX_ERROR_SIZE];
        snprintf(text, sizeof text, _("the agent's push subscription is unusable: %s"), why);
        refuse(out, text);
        return false;
    }
    if (m->body_length > WEBPUSH_PAYLOAD_MAX) {
        char text[OUTBOX_ERROR_SIZE];
        snprintf(text, sizeof text, _("the message is %zu bytes, a push message holds %d"),
                 m->body_length, WEBPUSH_PAYLOAD_MAX);
        refuse(out, text);
        return false;
    }
    int64_t ttl = connector_push_ttl(m->deadline_at, options->now_ms);
    if (!webpush_request_build(&subscription, options->vapid_key, options->subject,
                               (const uint8_t *)m->body, m->body_length, ttl,
                               options->now_ms / 1000, &transfer->request, why, sizeof why)) {
        refuse(out, why);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; ok && i < transfer->request.header_count; i++)
        ok = add_header(transfer, transfer->request.headers[i]);
    char topic[CONNECTOR_PUSH_TOPIC_LEN + 1], line[sizeof "Topic: " + CONNECTOR_PUSH_TOPIC_LEN];
    connector_push_topic(m->message_key, topic);
    snprintf(line, sizeof line, "Topic: %s", topic);
    ok = ok && add_header(transfer, line) && add_header(transfer, "Expect:");
    if (!ok)
        refuse(out, _("no memory for the push request"));
    return ok;
}

struct connector_push *connector_push_new(const struct store_outbox_message *message,
                                          const struct connector_push_options *options,
                                          struct connector_push_outcome *out)
{
    memset(out, 0, sizeof *out);
    struct connector_push *transfer = calloc(1, sizeof *transfer);
    if (!transfer) {
        snprintf(out->error, sizeof out->error, "%s", _("no memory for the push request"));
        return NULL;
    }
    transfer->now_ms = options->now_ms;
    if (!build_request(transfer, message, options, out)) {
        connector_push_free(transfer);
        return NULL;
    }
    CURL *easy = transfer->easy = curl_easy_init();
    const struct webpush_message *body = &transfer->request.message;
    /* RFC 8030 8: a push service is only ever reached over TLS. */
    bool ok = easy && curl_easy_setopt(easy, CURLOPT_URL, transfer->request.url) == CURLE_OK &&
              curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "https") == CURLE_OK &&
              curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)body->len) == CURLE_OK &&
              curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body->body) == CURLE_OK &&
              curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->headers) == CURLE_OK;
    if (!ok) {
        snprintf(out->error, sizeof out->error, "%s", _("cannot start the push request"));
        connector_push_free(transfer);
        return NULL;
    }
    connector_curl_defaults(easy, options->timeout_ms, options->connect_timeout_ms,
                            options->ca_file);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_answer);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer);
    return transfer;
}

CURL *connector_push_curl(const struct connector_push *transfer)
{
    return transfer->easy;
}

void connector_push_free(struct connector_push *transfer)
{
    if (!transfer)
        return;
    if (transfer->easy)
        curl_easy_cleanup(transfer->easy);
    curl_slist_free_all(transfer->headers);
    /* The body is ciphertext, but the request also holds the token. */
    OPENSSL_cleanse(&transfer->request, sizeof transfer->request);
    free(transfer);
}

/* ---- outcomes ---- */

static const char *failure_sentence(CURLcode code)
{
    switch (code) {
    case CURLE_COULDNT_CONNECT:
        return _("the push service refused the connection");
    case CURLE_COULDNT_RESOLVE_HOST:
        return _("the push service's name could not be resolved");
    case CURLE_OPERATION_TIMEDOUT:
        return _("the push service did not answer in time");
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        return _("the push service's certificate could not be verified");
    default:
        return _("the push service could not be reached");
    }
}

/* Printable ASCII, bounded: a reference goes to a terminal and a log. */
static void copy_reference(const char *text, char *out, size_t size)
{
    size_t used = 0;
    for (const char *c = text; c && *c && used + 1 < size; c++)
        if (*c > 0x20 && *c < 0x7F)
            out[used++] = *c;
    out[used] = '\0';
}

void connector_push_classify(long status, const char *location, int64_t retry_after_ms,
                             struct connector_push_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->status = status;
    if (status >= 200 && status < 300) {
        out->delivered = true;
        copy_reference(location, out->reference, sizeof out->reference);
        return;
    }
    if (status == 404 || status == 410) {
        out->permanent = out->gone = true;
        snprintf(out->error, sizeof out->error,
                 _("the agent's push subscription is gone (HTTP %ld): his browser must "
                   "subscribe again"),
                 status);
        return;
    }
    if (status == 408 || status == 429 || status >= 500) {
        out->retry_after_ms = retry_after_ms;
        snprintf(out->error, sizeof out->error, _("the push service answered HTTP %ld%s"), status,
                 status == 429 ? _(" (too many messages)") : "");
        return;
    }
    out->permanent = true;
    const char *why = status == 401 || status == 403 ? _(" (our VAPID identity was refused)")
                      : status == 413                ? _(" (the message is too large)")
                                                     : _(" (the message was refused)");
    snprintf(out->error, sizeof out->error, _("the push service answered HTTP %ld%s"), status, why);
}

void connector_push_result(const struct connector_push *transfer, CURLcode code,
                           struct connector_push_outcome *out)
{
    memset(out, 0, sizeof *out);
    if (code != CURLE_OK) {
        snprintf(out->error, sizeof out->error, "%s (%s)", failure_sentence(code),
                 curl_easy_strerror(code));
        out->permanent = code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL;
        return;
    }
    long status = 0;
    curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &status);
    connector_push_classify(status, transfer->location,
                            connector_push_retry_after(transfer->retry_after, transfer->now_ms),
                            out);
}

/* ---- the outbox's row ---- */

/* The centre's key, loaded at the first push and kept: reading a PEM file
 * per message of a mass alert would cost more than encrypting it. */
static struct {
    pthread_mutex_t lock;
    char path[CONFIG_TEXT_MAX];
    EVP_PKEY *key;
} vapid = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The key of `config`, loaded once per path; NULL with why. */
static EVP_PKEY *shared_key(const struct server_config *config, char *why, size_t why_size)
{
    pthread_mutex_lock(&vapid.lock);
    if (!vapid.key || strcmp(vapid.path, config->webpush_vapid_key) != 0) {
        EVP_PKEY_free(vapid.key);
        vapid.key = connector_push_load_key(config, why, why_size);
        snprintf(vapid.path, sizeof vapid.path, "%s", vapid.key ? config->webpush_vapid_key : "");
    }
    EVP_PKEY *key = vapid.key;
    pthread_mutex_unlock(&vapid.lock);
    return key;
}

bool connector_push_application_server_key(const struct server_config *config,
                                           char out[WEBPUSH_POINT_BASE64_SIZE])
{
    char why[OUTBOX_ERROR_SIZE];
    out[0] = '\0';
    if (config->webpush_vapid_key[0] == '\0' || config->webpush_subject[0] == '\0')
        return false;
    EVP_PKEY *key = shared_key(config, why, sizeof why);
    return key && webpush_vapid_public_key(key, out);
}

void *connector_push_start(const struct store_outbox_message *message,
                           const struct connector_options *options)
{
    const struct server_config *config = options->config;
    char why[OUTBOX_ERROR_SIZE];
    EVP_PKEY *key = shared_key(config, why, sizeof why);
    if (!key) {
        log_error("outbox", "push message %lld not sent: %s", (long long)message->id, why);
        return NULL;
    }
    struct connector_push_options push = {
        .timeout_ms = options->timeout_ms,
        .connect_timeout_ms = options->connect_timeout_ms,
        .ca_file = config->webpush_ca_file,
        .vapid_key = key,
        .subject = config->webpush_subject,
        .now_ms = clock_now_ms(),
    };
    struct connector_push_outcome refused;
    struct connector_push *transfer = connector_push_new(message, &push, &refused);
    if (!transfer)
        log_error("outbox", "push message %lld not sent: %s", (long long)message->id,
                  refused.error);
    return transfer;
}

CURL *connector_push_easy(void *transfer)
{
    return connector_push_curl(transfer);
}

void connector_push_outcome(void *transfer, CURLcode code, struct connector_outcome *out)
{
    struct connector_push_outcome push;
    connector_push_result(transfer, code, &push);
    memset(out, 0, sizeof *out);
    out->delivered = push.delivered;
    out->permanent = push.permanent;
    out->status = push.status;
    out->retry_after_ms = push.retry_after_ms;
    out->recipient_gone = push.gone;
    snprintf(out->reference, sizeof out->reference, "%s", push.reference);
    snprintf(out->error, sizeof out->error, "%s", push.error);
}

void connector_push_release(void *transfer)
{
    connector_push_free(transfer);
}
