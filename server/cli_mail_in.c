/* cli_mail_in.c: `vigied mail-in`, run by the mail server for each e-mail
 * sent to reply+...@mail_reply_domain (a Postfix pipe transport, an Exim
 * pipe router, a .forward or aliases "|command" line). It reads the
 * message on standard input, finds the agent's reply address and the new
 * text (mail_in.h), and hands both to the running vigied over HTTP
 * (POST /v1/connectors/mail/reply), which checks the address's HMAC and
 * records the reply: a second process must not write the store beside
 * the server, whose writer owns the event sequence and the audit chain.
 *
 * The exit status is what sendmail-compatible MTAs read (sysexits.h):
 * 0 taken (or an auto-reply dropped on purpose), 67 EX_NOUSER for an
 * address that is not an agent's (unknown or forged: the sender gets a
 * bounce), 69 EX_UNAVAILABLE when the alert is over, 65 EX_DATAERR for a
 * message vigied cannot take, 75 EX_TEMPFAIL when vigied cannot be
 * reached or its store is busy (the MTA keeps the message and retries). */
#include "server/cli.h"
#include "server/mail_in.h"
#include "common/i18n.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

/* Well within Postfix's pipe command_time_limit (1000 s): a vigied that
 * does not answer in this long is treated as down, and the MTA retries. */
#define MAIL_IN_TIMEOUT_MS 30000
/* vigied's answer is a small JSON document. */
#define MAIL_IN_ANSWER_MAX 4096
#define MAIL_IN_URL_MAX    (CONFIG_TEXT_MAX + 64)

struct mail_in_options {
    const char *server;    /* vigied's base URL */
    const char *recipient; /* the envelope recipient, from the MTA */
    const char *sender;    /* the envelope sender, from the MTA */
    const char *ca_file;
};

static void usage(void)
{
    fprintf(stderr, "%s",
            _("usage: vigied mail-in [--server URL] [--recipient ADDRESS] [--sender ADDRESS]\n"
              "                      [--ca-file FILE] < MESSAGE\n"));
}

static bool parse_arguments(int argc, char **argv, struct mail_in_options *options)
{
    for (int i = 0; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--server") == 0 && value)
            options->server = value;
        else if (strcmp(argv[i], "--recipient") == 0 && value)
            options->recipient = value;
        else if (strcmp(argv[i], "--sender") == 0 && value)
            options->sender = value;
        else if (strcmp(argv[i], "--ca-file") == 0 && value)
            options->ca_file = value;
        else
            return false;
        i++;
    }
    return true;
}

/* Standard input up to MAIL_IN_MESSAGE_MAX; the rest is read and dropped,
 * so that the MTA's write does not fail. NULL when reading fails. */
static char *read_message(size_t *length_out)
{
    char *message = malloc(MAIL_IN_MESSAGE_MAX + 1);
    if (!message)
        return NULL;
    size_t length = 0;
    char drop[4096];
    for (;;) {
        char *target = length < MAIL_IN_MESSAGE_MAX ? message + length : drop;
        size_t room = length < MAIL_IN_MESSAGE_MAX ? MAIL_IN_MESSAGE_MAX - length : sizeof drop;
        ssize_t got = read(STDIN_FILENO, target, room);
        if (got == 0)
            break;
        if (got < 0) {
            if (errno == EINTR)
                continue;
            free(message);
            return NULL;
        }
        if (target != drop)
            length += (size_t)got;
    }
    message[length] = '\0';
    *length_out = length;
    return message;
}

static size_t on_answer(char *data, size_t size, size_t count, void *closure)
{
    char *answer = closure;
    size_t used = strlen(answer), length = size * count;
    size_t kept = used + length < MAIL_IN_ANSWER_MAX ? length : MAIL_IN_ANSWER_MAX - 1 - used;
    memcpy(answer + used, data, kept);
    answer[used + kept] = '\0';
    return length;
}

/* The error message of vigied's answer, or the raw text. */
static void print_refusal(long status, const char *answer)
{
    cJSON *json = cJSON_Parse(answer);
    const cJSON *message = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(json, "error"), "message");
    fprintf(stderr, _("vigied mail-in: vigied answered %ld: %s\n"), status,
            cJSON_IsString(message) ? message->valuestring : answer);
    cJSON_Delete(json);
}

static int exit_status_of(long status)
{
    if (status == 200 || status == 201)
        return EX_OK;
    if (status == 404)
        return EX_NOUSER;
    if (status == 409 || status == 410)
        return EX_UNAVAILABLE;
    if (status == 400 || status == 413 || status == 422)
        return EX_DATAERR;
    return EX_TEMPFAIL; /* 5xx, 429 and anything unexpected: try again later */
}

static int post_reply(const struct mail_in_options *options, const struct mail_in_reply *reply)
{
    cJSON *body = cJSON_CreateObject();
    char *json = NULL;
    if (!body || !cJSON_AddStringToObject(body, "address", reply->address) ||
        !cJSON_AddStringToObject(body, "text", reply->text) ||
        !(json = cJSON_PrintUnformatted(body))) {
        cJSON_Delete(body);
        fprintf(stderr, "%s", _("vigied mail-in: out of memory\n"));
        return EX_TEMPFAIL;
    }
    cJSON_Delete(body);
    char url[MAIL_IN_URL_MAX + 32];
    snprintf(url, sizeof url, "%s/v1/connectors/mail/reply", options->server);
    char answer[MAIL_IN_ANSWER_MAX] = "";
    CURL *easy = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    CURLcode code = CURLE_OUT_OF_MEMORY;
    long status = 0;
    if (easy && headers) {
        curl_easy_setopt(easy, CURLOPT_URL, url);
        curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, json);
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)MAIL_IN_TIMEOUT_MS);
        curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_answer);
        curl_easy_setopt(easy, CURLOPT_WRITEDATA, (void *)answer);
        if (options->ca_file)
            curl_easy_setopt(easy, CURLOPT_CAINFO, options->ca_file);
        code = curl_easy_perform(easy);
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    }
    curl_slist_free_all(headers);
    if (easy)
        curl_easy_cleanup(easy);
    free(json);
    if (code != CURLE_OK) {
        fprintf(stderr, _("vigied mail-in: cannot reach vigied at %s: %s\n"), options->server,
                curl_easy_strerror(code));
        return EX_TEMPFAIL;
    }
    int result = exit_status_of(status);
    if (result != EX_OK)
        print_refusal(status, answer);
    return result;
}

int cli_mail_in(struct server_config *config, int argc, char **argv)
{
    argc = cli_split_options(argc, argv, config);
    struct mail_in_options options = {0};
    if (argc < 0 || !parse_arguments(argc, argv, &options)) {
        usage();
        return EX_USAGE;
    }
    /* By default the vigied of the same settings, on this machine. */
    char server[MAIL_IN_URL_MAX];
    if (!options.server) {
        snprintf(server, sizeof server, "%s://%s", config->tls_cert[0] ? "https" : "http",
                 config->listen);
        options.server = server;
    }
    size_t length = 0;
    char *message = read_message(&length);
    if (!message) {
        fprintf(stderr, "%s", _("vigied mail-in: cannot read the message\n"));
        return EX_TEMPFAIL;
    }
    struct mail_in_reply *reply = malloc(sizeof *reply);
    if (!reply) {
        free(message);
        return EX_TEMPFAIL;
    }
    mail_in_read(message, length, options.recipient, options.sender, reply);
    free(message);
    int status;
    if (reply->automatic) {
        /* Taken and dropped: a bounce or a vacation notice is not an
         * agent speaking, and bouncing it would start a loop. */
        fprintf(stderr, _("vigied mail-in: automatic message ignored (%s)\n"),
                reply->why_automatic);
        status = EX_OK;
    } else if (!reply->address[0]) {
        fprintf(stderr, "%s",
                _("vigied mail-in: no reply+<id>.<token>@ address of Vigie in this message\n"));
        status = EX_NOUSER;
    } else if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        status = EX_TEMPFAIL;
    } else {
        status = post_reply(&options, reply);
        curl_global_cleanup();
    }
    free(reply);
    return status;
}
