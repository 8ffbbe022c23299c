/* connector_http.c: one POST to a gateway (see connector_http.h). */
#include "server/connector_http.h"
#include "server/connector_curl.h"
#include "common/i18n.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A Location header longer than this is not a reference anyone reads. */
#define CONNECTOR_HTTP_LOCATION_SIZE 512

struct connector_http {
    CURL *easy;
    struct curl_slist *headers;
    char answer[CONNECTOR_HTTP_ANSWER_MAX + 1];
    size_t answer_length;
    char location[CONNECTOR_HTTP_LOCATION_SIZE];
};

static size_t on_answer(char *data, size_t size, size_t count, void *closure)
{
    struct connector_http *transfer = closure;
    size_t length = size * count;
    size_t room = CONNECTOR_HTTP_ANSWER_MAX - transfer->answer_length;
    size_t kept = length < room ? length : room;
    memcpy(transfer->answer + transfer->answer_length, data, kept);
    transfer->answer_length += kept;
    transfer->answer[transfer->answer_length] = '\0';
    return length; /* the rest is dropped, not an error */
}

/* Keeps the Location header of the final answer. */
static size_t on_header(char *data, size_t size, size_t count, void *closure)
{
    struct connector_http *transfer = closure;
    size_t length = size * count;
    static const char name[] = "location:";
    if (length > sizeof name - 1 && strncasecmp(data, name, sizeof name - 1) == 0) {
        const char *value = data + sizeof name - 1;
        size_t value_length = length - (sizeof name - 1);
        while (value_length > 0 && isspace((unsigned char)*value)) {
            value++;
            value_length--;
        }
        while (value_length > 0 && isspace((unsigned char)value[value_length - 1]))
            value_length--;
        if (value_length >= sizeof transfer->location)
            value_length = sizeof transfer->location - 1;
        memcpy(transfer->location, value, value_length);
        transfer->location[value_length] = '\0';
    }
    return length;
}

static bool add_header(struct connector_http *transfer, const char *format, const char *value)
{
    char header[OUTBOX_KEY_SIZE + OUTBOX_TYPE_SIZE + 64];
    snprintf(header, sizeof header, format, value);
    struct curl_slist *list = curl_slist_append(transfer->headers, header);
    if (!list)
        return false;
    transfer->headers = list;
    return true;
}

struct connector_http *connector_http_new(const struct store_outbox_message *message,
                                          const struct connector_http_options *options)
{
    struct connector_http *transfer = calloc(1, sizeof *transfer);
    if (!transfer)
        return NULL;
    transfer->easy = curl_easy_init();
    bool ok = transfer->easy && add_header(transfer, "Content-Type: %s", message->content_type) &&
              add_header(transfer, "Accept: %s", "application/json") &&
              add_header(transfer, "Idempotency-Key: %s", message->message_key) &&
              add_header(transfer, "Expect:%s", "");
    CURL *easy = transfer->easy;
    ok = ok && curl_easy_setopt(easy, CURLOPT_URL, message->recipient) == CURLE_OK &&
         curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
         curl_easy_setopt(easy, CURLOPT_POSTFIELDS, message->body) == CURLE_OK &&
         curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)message->body_length) == CURLE_OK &&
         curl_easy_setopt(easy, CURLOPT_HTTPHEADER, transfer->headers) == CURLE_OK;
    if (!ok) {
        connector_http_free(transfer);
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

CURL *connector_http_easy(const struct connector_http *transfer)
{
    return transfer->easy;
}

void connector_http_free(struct connector_http *transfer)
{
    if (!transfer)
        return;
    if (transfer->easy)
        curl_easy_cleanup(transfer->easy);
    curl_slist_free_all(transfer->headers);
    free(transfer);
}

/* Printable ASCII, bounded: a reference goes to a terminal and a log. */
static bool copy_reference(const char *text, size_t length, char *out, size_t size)
{
    size_t used = 0;
    for (size_t i = 0; i < length && used + 1 < size; i++)
        if (text[i] > 0x20 && text[i] < 0x7F)
            out[used++] = text[i];
    out[used] = '\0';
    return used > 0;
}

bool connector_http_reference(const char *body, size_t length, const char *location, char *out,
                              size_t size)
{
    out[0] = '\0';
    cJSON *answer = body && length ? cJSON_ParseWithLength(body, length) : NULL;
    const cJSON *reference = cJSON_GetObjectItemCaseSensitive(answer, "reference");
    bool found = false;
    if (cJSON_IsString(reference) && reference->valuestring)
        found = copy_reference(reference->valuestring, strlen(reference->valuestring), out, size);
    else if (cJSON_IsNumber(reference)) {
        char number[32];
        snprintf(number, sizeof number, "%.0f", reference->valuedouble);
        found = copy_reference(number, strlen(number), out, size);
    }
    cJSON_Delete(answer);
    if (!found && location && location[0])
        found = copy_reference(location, strlen(location), out, size);
    return found;
}

/* A short sentence for a transfer that got no answer (for the operator's
 * screen: libcurl's own texts are for the log). */
static const char *failure_sentence(CURLcode code)
{
    switch (code) {
    case CURLE_COULDNT_CONNECT:
        return _("the gateway refused the connection");
    case CURLE_COULDNT_RESOLVE_HOST:
        return _("the gateway's name could not be resolved");
    case CURLE_OPERATION_TIMEDOUT:
        return _("the gateway did not answer in time");
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        return _("the gateway's certificate could not be verified");
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return _("the gateway's address is not a valid URL");
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        return _("the connection to the gateway was cut");
    default:
        return _("the gateway could not be reached");
    }
}

static bool retryable_status(long status)
{
    return status == 408 || status == 425 || status == 429 || status >= 500;
}

void connector_http_outcome(const struct connector_http *transfer, CURLcode code,
                            struct connector_http_outcome *out)
{
    memset(out, 0, sizeof *out);
    if (code != CURLE_OK) {
        snprintf(out->error, sizeof out->error, "%s (%s)", failure_sentence(code),
                 curl_easy_strerror(code));
        /* A malformed URL stays malformed. */
        out->permanent = code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL;
        return;
    }
    curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &out->status);
    if (out->status >= 200 && out->status < 300) {
        out->delivered = true;
        connector_http_reference(transfer->answer, transfer->answer_length, transfer->location,
                                 out->reference, sizeof out->reference);
        return;
    }
    out->permanent = !retryable_status(out->status);
    snprintf(out->error, sizeof out->error, _("the gateway answered HTTP %ld%s"), out->status,
             out->permanent ? _(" (the document was refused)") : "");
}
