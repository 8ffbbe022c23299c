/* connector_smtp.c: one e-mail, one SMTP transaction (see connector_smtp.h). */
#include "server/connector_smtp.h"
#include "server/connector_smtp_message.h"
#include "server/mail_reply_address.h"
#include "common/i18n.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct connector_smtp {
    CURL *easy;
    struct curl_slist *recipients;
    char *message; /* the upload */
    size_t length, sent;
    /* A message that cannot be built: its easy handle fails at once
     * without touching the network, and its outcome is this, final. */
    bool refused;
    char refusal[OUTBOX_ERROR_SIZE];
    char message_id[SMTP_MESSAGE_ID_SIZE];
    char last_250[SMTP_ANSWER_LINE_MAX]; /* the last "250 " line: DATA's verdict */
    char last_line[SMTP_ANSWER_LINE_MAX];
    char last_refusal[SMTP_ANSWER_LINE_MAX]; /* the last 4xx or 5xx line */
};

int64_t connector_smtp_recipient_of_key(const char *key)
{
    static const char prefix[] = "massalert-";
    if (!key || strncmp(key, prefix, sizeof prefix - 1) != 0)
        return 0;
    const char *p = key + sizeof prefix - 1;
    char *end = NULL;
    long long alert = strtoll(p, &end, 10);
    if (alert <= 0 || end == p || *end != '-')
        return 0;
    p = end + 1;
    long long recipient = strtoll(p, &end, 10);
    if (recipient <= 0 || end == p || *end != '-')
        return 0;
    return recipient;
}

/* The domain of the Message-ID: the reply domain, else the sender's. */
static const char *id_domain(const struct server_config *config, char *address, size_t size)
{
    if (config->mail_reply_domain[0])
        return config->mail_reply_domain;
    if (smtp_address_of(config->smtp_from, address, size))
        return strrchr(address, '@') + 1;
    return "vigie.invalid";
}

char *connector_smtp_compose(const struct store_outbox_message *message,
                             const struct server_config *config, time_t now, size_t *length_out,
                             char *why, size_t why_size)
{
    char reply_to[MAIL_REPLY_ADDRESS_SIZE] = "";
    int64_t recipient = connector_smtp_recipient_of_key(message->message_key);
    if (recipient > 0 && config->mail_reply_domain[0] &&
        !mail_reply_address_format(config->mail_reply_secret, config->mail_reply_domain, recipient,
                                   reply_to, sizeof reply_to)) {
        snprintf(why, why_size, "%s",
                 _("mail_reply_domain is set but no Reply-To can be made (mail_reply_secret?)"));
        return NULL;
    }
    char from_address[SMTP_ADDRESS_MAX + 1];
    struct smtp_message_fields fields = {
        .from = config->smtp_from,
        .to = message->recipient,
        .reply_to = reply_to,
        .subject = NULL,
        .message_key = message->message_key,
        .id_domain = id_domain(config, from_address, sizeof from_address),
        .body = message->body ? message->body : "",
        .body_length = message->body ? message->body_length : 0,
        .date = now,
    };
    return smtp_message_build(&fields, length_out, why, why_size);
}

bool connector_smtp_queue_id(const char *answer, char *out, size_t size)
{
    out[0] = '\0';
    const char *found = answer ? strcasestr(answer, "queued as ") : NULL;
    if (!found)
        return false;
    found += strlen("queued as ");
    size_t used = 0;
    while (found[used] && used + 1 < size &&
           (isalnum((unsigned char)found[used]) || strchr("-_.@<>", found[used])))
        used++;
    /* Some servers bracket it: keep what is inside. */
    const char *start = found;
    if (used > 0 && *start == '<') {
        start++;
        used--;
    }
    if (used > 0 && start[used - 1] == '>')
        used--;
    memcpy(out, start, used);
    out[used] = '\0';
    return used > 0;
}

static size_t on_read(char *buffer, size_t size, size_t count, void *closure)
{
    struct connector_smtp *transfer = closure;
    size_t room = size * count, left = transfer->length - transfer->sent;
    size_t now = left < room ? left : room;
    memcpy(buffer, transfer->message + transfer->sent, now);
    transfer->sent += now;
    return now;
}

/* libcurl hands the server's answers to the header callback, a line each. */
static size_t on_answer(char *data, size_t size, size_t count, void *closure)
{
    struct connector_smtp *transfer = closure;
    size_t length = size * count, kept = length;
    while (kept > 0 && (data[kept - 1] == '\n' || data[kept - 1] == '\r'))
        kept--;
    if (kept >= SMTP_ANSWER_LINE_MAX)
        kept = SMTP_ANSWER_LINE_MAX - 1;
    for (size_t i = 0; i < kept; i++)
        transfer->last_line[i] = (data[i] >= 0x20 && data[i] < 0x7F) ? data[i] : ' ';
    transfer->last_line[kept] = '\0';
    if (kept >= 4 && memcmp(transfer->last_line, "250 ", 4) == 0)
        memcpy(transfer->last_250, transfer->last_line, kept + 1);
    if (kept >= 4 && (data[0] == '4' || data[0] == '5'))
        memcpy(transfer->last_refusal, transfer->last_line, kept + 1);
    return length;
}

static long starttls_level(const char *setting)
{
    if (strcmp(setting, "off") == 0)
        return CURLUSESSL_NONE;
    if (strcmp(setting, "try") == 0)
        return CURLUSESSL_TRY;
    return CURLUSESSL_ALL; /* "required", and the default */
}

/* The refused message's handle: a scheme libcurl is told not to speak,
 * so that it ends at once, through the same path as any transfer. */
static bool prepare_refused(struct connector_smtp *transfer)
{
    return curl_easy_setopt(transfer->easy, CURLOPT_PROTOCOLS_STR, "smtp") == CURLE_OK &&
           curl_easy_setopt(transfer->easy, CURLOPT_URL, "refused://vigie.invalid/") == CURLE_OK;
}

static bool prepare_transfer(struct connector_smtp *transfer,
                             const struct store_outbox_message *message,
                             const struct connector_options *options)
{
    const struct server_config *config = options->config;
    char from[SMTP_ADDRESS_MAX + 3], address[SMTP_ADDRESS_MAX + 1];
    if (!smtp_address_of(config->smtp_from, address, sizeof address))
        return false;
    snprintf(from, sizeof from, "<%s>", address);
    char to[OUTBOX_RECIPIENT_SIZE + 2]; /* checked by the compose: at most 254 */
    snprintf(to, sizeof to, "<%s>", message->recipient);
    if (!(transfer->recipients = curl_slist_append(NULL, to)))
        return false;
    CURL *easy = transfer->easy;
    bool ok =
        curl_easy_setopt(easy, CURLOPT_URL, config->smtp_url) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps") == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_MAIL_FROM, from) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, transfer->recipients) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_READFUNCTION, on_read) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_READDATA, transfer) == CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)transfer->length) ==
            CURLE_OK &&
        curl_easy_setopt(easy, CURLOPT_USE_SSL, starttls_level(config->smtp_starttls)) == CURLE_OK;
    if (ok && config->smtp_username[0])
        ok = curl_easy_setopt(easy, CURLOPT_USERNAME, config->smtp_username) == CURLE_OK &&
             curl_easy_setopt(easy, CURLOPT_PASSWORD, config->smtp_password) == CURLE_OK;
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_answer);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, options->timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, options->connect_timeout_ms);
    /* The defaults, said again: a mail server is who its certificate says. */
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (options->ca_file && options->ca_file[0])
        curl_easy_setopt(easy, CURLOPT_CAINFO, options->ca_file);
    return ok;
}

void *connector_smtp_start(const struct store_outbox_message *message,
                           const struct connector_options *options)
{
    const struct server_config *config = options->config;
    /* A missing setting: the message waits for an administrator. */
    if (!config->smtp_url[0] || !config->smtp_from[0])
        return NULL;
    struct connector_smtp *transfer = calloc(1, sizeof *transfer);
    if (!transfer || !(transfer->easy = curl_easy_init())) {
        free(transfer);
        return NULL;
    }
    curl_easy_setopt(transfer->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(transfer->easy, CURLOPT_PRIVATE, transfer);
    char why[OUTBOX_ERROR_SIZE];
    transfer->message =
        connector_smtp_compose(message, config, time(NULL), &transfer->length, why, sizeof why);
    char address[SMTP_ADDRESS_MAX + 1];
    smtp_message_id(message->message_key, id_domain(config, address, sizeof address),
                    transfer->message_id, sizeof transfer->message_id);
    bool ok;
    if (!transfer->message) {
        transfer->refused = true;
        snprintf(transfer->refusal, sizeof transfer->refusal, "%s", why);
        ok = prepare_refused(transfer);
    } else {
        ok = prepare_transfer(transfer, message, options);
    }
    if (!ok) {
        connector_smtp_release(transfer);
        return NULL;
    }
    return transfer;
}

CURL *connector_smtp_easy(void *transfer)
{
    return ((struct connector_smtp *)transfer)->easy;
}

void connector_smtp_release(void *pointer)
{
    struct connector_smtp *transfer = pointer;
    if (!transfer)
        return;
    if (transfer->easy)
        curl_easy_cleanup(transfer->easy);
    curl_slist_free_all(transfer->recipients);
    free(transfer->message);
    free(transfer);
}

/* A short sentence for a transfer that got no verdict from the server. */
static const char *failure_sentence(CURLcode code)
{
    switch (code) {
    case CURLE_COULDNT_CONNECT:
        return _("the mail server refused the connection");
    case CURLE_COULDNT_RESOLVE_HOST:
        return _("the mail server's name could not be resolved");
    case CURLE_OPERATION_TIMEDOUT:
        return _("the mail server did not answer in time");
    case CURLE_USE_SSL_FAILED:
        return _("the mail server does not offer STARTTLS (smtp_starttls)");
    case CURLE_LOGIN_DENIED:
        return _("the mail server refused the login (smtp_username, smtp_password)");
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        return _("the mail server's certificate could not be verified");
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return _("smtp_url is not an smtp:// or smtps:// URL");
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        return _("the connection to the mail server was cut");
    default:
        return _("the mail server could not be reached");
    }
}

void connector_smtp_outcome(void *pointer, CURLcode code, struct connector_outcome *out)
{
    struct connector_smtp *transfer = pointer;
    memset(out, 0, sizeof *out);
    if (transfer->refused) {
        out->permanent = true;
        snprintf(out->error, sizeof out->error, "%s", transfer->refusal);
        return;
    }
    curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &out->status);
    if (code == CURLE_OK) {
        out->delivered = true;
        if (!connector_smtp_queue_id(transfer->last_250, out->reference, sizeof out->reference)) {
            /* The Message-ID without its brackets. */
            size_t length = strlen(transfer->message_id);
            if (length >= 2)
                snprintf(out->reference, sizeof out->reference, "%.*s", (int)(length - 2),
                         transfer->message_id + 1);
        }
        return;
    }
    bool answered = out->status >= 400 && out->status < 600;
    /* A refused login or a missing STARTTLS is the account's problem, not
     * the message's: an administrator can mend it while the alert lasts. */
    bool account = code == CURLE_LOGIN_DENIED || code == CURLE_USE_SSL_FAILED;
    if (answered && !account) {
        out->permanent = out->status >= 500;
        snprintf(out->error, sizeof out->error, _("the mail server answered: %s%s"),
                 transfer->last_refusal[0] ? transfer->last_refusal : "?",
                 out->permanent ? _(" (the message was refused)") : "");
        return;
    }
    snprintf(out->error, sizeof out->error, "%s (%s)", failure_sentence(code),
             curl_easy_strerror(code));
    out->permanent = code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL;
}
