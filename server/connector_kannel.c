/* connector_kannel.c: one Kannel sendsms GET per SMS (see
 * connector_kannel.h). */
#include "server/connector_kannel.h"
#include "server/connector_curl.h"
#include "common/i18n.h"
#include "common/sms.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A sendsms URL: the gateway's, the account, a number, the text (up to
 * OUTBOX_BODY_MAX, three bytes per escaped byte at worst) and the
 * dlr-url, itself escaped. */
#define KANNEL_URL_MAX (3 * OUTBOX_BODY_MAX + 4 * CONFIG_TEXT_MAX)

struct kannel_transfer {
    CURL *easy;
    char *url;
    char answer[KANNEL_ANSWER_MAX + 1];
    size_t answer_length;
    int64_t id;
};

bool connector_kannel_sign(const char *secret, int64_t id, char out[KANNEL_SIGNATURE_SIZE])
{
    out[0] = '\0';
    if (!secret || !secret[0])
        return false;
    char text[48];
    int length = snprintf(text, sizeof text, "vigie-dlr:%lld", (long long)id);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)text,
              (size_t)length, digest, &digest_length) ||
        digest_length < (KANNEL_SIGNATURE_SIZE - 1) / 2)
        return false;
    for (int i = 0; i < (KANNEL_SIGNATURE_SIZE - 1) / 2; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    return true;
}

bool connector_kannel_verify(const char *secret, int64_t id, const char *signature)
{
    char expected[KANNEL_SIGNATURE_SIZE];
    if (!signature || strlen(signature) != KANNEL_SIGNATURE_SIZE - 1 ||
        !connector_kannel_sign(secret, id, expected))
        return false;
    return CRYPTO_memcmp(expected, signature, KANNEL_SIGNATURE_SIZE - 1) == 0;
}

bool connector_kannel_secret_ok(const char *secret, const char *given)
{
    if (!secret || !secret[0] || !given)
        return false;
    size_t length = strlen(secret);
    return strlen(given) == length && CRYPTO_memcmp(secret, given, length) == 0;
}

/* Appends "&name=escaped(value)" (or "?name=..." first). */
static bool append(CURL *easy, char *url, size_t size, const char *name, const char *value)
{
    char *escaped = curl_easy_escape(easy, value ? value : "", 0);
    if (!escaped)
        return false;
    size_t used = strlen(url);
    int written =
        snprintf(url + used, size - used, "%s%s=%s", strchr(url, '?') ? "&" : "?", name, escaped);
    curl_free(escaped);
    return written > 0 && (size_t)written < size - used;
}

/* The dlr-url Kannel calls back, with %d (the report's type) left for it. */
static bool dlr_url(const struct server_config *config, int64_t id, char *out, size_t size)
{
    char signature[KANNEL_SIGNATURE_SIZE];
    if (!config->sms_callback_url[0] ||
        !connector_kannel_sign(config->kannel_secret, id, signature))
        return false;
    const char *base = config->sms_callback_url;
    size_t base_length = strlen(base);
    while (base_length > 0 && base[base_length - 1] == '/')
        base_length--;
    int written = snprintf(out, size, "%.*s/v1/connectors/kannel/dlr?id=%lld&sig=%s&type=%%d",
                           (int)base_length, base, (long long)id, signature);
    return written > 0 && (size_t)written < size;
}

char *connector_kannel_url(CURL *easy, const struct store_outbox_message *message,
                           const struct server_config *config, char *error, size_t error_size)
{
    if (!config->sms_gateway_url[0]) {
        snprintf(error, error_size, "%s", _("no SMS gateway is configured (sms_gateway_url)"));
        return NULL;
    }
    struct sms_measure measure;
    size_t bad = 0;
    if (!sms_measure(message->body, message->body_length, &measure, &bad)) {
        snprintf(error, error_size, "%s", _("the text is not valid UTF-8"));
        return NULL;
    }
    char *url = malloc(KANNEL_URL_MAX);
    if (!url) {
        snprintf(error, error_size, "%s", _("out of memory"));
        return NULL;
    }
    snprintf(url, KANNEL_URL_MAX, "%s", config->sms_gateway_url);
    char parts[16], callback[CONFIG_TEXT_MAX + 128];
    snprintf(parts, sizeof parts, "%d", SMS_PARTS_MAX);
    bool ok =
        append(easy, url, KANNEL_URL_MAX, "username", config->sms_username) &&
        append(easy, url, KANNEL_URL_MAX, "password", config->sms_password) &&
        (!config->sms_from[0] || append(easy, url, KANNEL_URL_MAX, "from", config->sms_from)) &&
        append(easy, url, KANNEL_URL_MAX, "to", message->recipient) &&
        append(easy, url, KANNEL_URL_MAX, "text", message->body) &&
        append(easy, url, KANNEL_URL_MAX, "charset", "UTF-8") &&
        append(easy, url, KANNEL_URL_MAX, "coding", measure.encoding == SMS_UCS2 ? "2" : "0");
    if (ok && dlr_url(config, message->id, callback, sizeof callback))
        ok = append(easy, url, KANNEL_URL_MAX, "dlr-mask", "31") &&
             append(easy, url, KANNEL_URL_MAX, "dlr-url", callback);
    if (!ok) {
        snprintf(error, error_size, "%s", _("the SMS request does not fit"));
        free(url);
        return NULL;
    }
    return url;
}

static size_t on_answer(char *data, size_t size, size_t count, void *closure)
{
    struct kannel_transfer *transfer = closure;
    size_t length = size * count;
    size_t room = KANNEL_ANSWER_MAX - transfer->answer_length;
    size_t kept = length < room ? length : room;
    memcpy(transfer->answer + transfer->answer_length, data, kept);
    transfer->answer_length += kept;
    transfer->answer[transfer->answer_length] = '\0';
    return length;
}

void *connector_kannel_start(const struct store_outbox_message *message,
                             const struct connector_options *options)
{
    struct kannel_transfer *transfer = calloc(1, sizeof *transfer);
    if (!transfer)
        return NULL;
    transfer->id = message->id;
    char why[OUTBOX_ERROR_SIZE];
    transfer->easy = curl_easy_init();
    if (transfer->easy)
        transfer->url =
            connector_kannel_url(transfer->easy, message, options->config, why, sizeof why);
    CURL *easy = transfer->easy;
    if (!easy || !transfer->url || curl_easy_setopt(easy, CURLOPT_URL, transfer->url) != CURLE_OK ||
        curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK) {
        connector_kannel_release(transfer);
        return NULL;
    }
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    connector_curl_defaults(easy, options->timeout_ms, options->connect_timeout_ms,
                            options->ca_file);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_answer);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer);
    return transfer;
}

CURL *connector_kannel_easy(void *transfer)
{
    return ((struct kannel_transfer *)transfer)->easy;
}

void connector_kannel_release(void *pointer)
{
    struct kannel_transfer *transfer = pointer;
    if (!transfer)
        return;
    if (transfer->easy)
        curl_easy_cleanup(transfer->easy);
    free(transfer->url);
    free(transfer);
}

/* Kannel's one-line answer, printable and short, for the operator. */
static void answer_line(const struct kannel_transfer *transfer, char *out, size_t size)
{
    size_t used = 0;
    for (size_t i = 0; i < transfer->answer_length && used + 1 < size; i++) {
        char c = transfer->answer[i];
        if (c == '\n' || c == '\r')
            break;
        out[used++] = c >= 0x20 && c < 0x7F ? c : '?';
    }
    out[used] = '\0';
}

void connector_kannel_outcome(void *pointer, CURLcode code, struct connector_outcome *out)
{
    struct kannel_transfer *transfer = pointer;
    memset(out, 0, sizeof *out);
    if (code != CURLE_OK) {
        snprintf(out->error, sizeof out->error, _("the SMS gateway could not be reached (%s)"),
                 curl_easy_strerror(code));
        out->permanent = code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL;
        return;
    }
    curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &out->status);
    char line[128];
    answer_line(transfer, line, sizeof line);
    if (out->status >= 200 && out->status < 300) {
        out->delivered = true;
        snprintf(out->reference, sizeof out->reference, "%lld", (long long)transfer->id);
        return;
    }
    long s = out->status;
    out->permanent = !(s == 401 || s == 403 || s == 408 || s == 429 || s >= 500);
    snprintf(out->error, sizeof out->error, _("the SMS gateway answered HTTP %ld: %s"), s,
             line[0] ? line : _("(no text)"));
}
