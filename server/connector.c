/* connector.c: the table of the outbox's connectors (see connector.h). */
#include "server/connector.h"
#include "server/connector_http.h"
#include "server/connector_kannel.h"
#include "server/connector_push.h"
#include "server/connector_smtp.h"
#include "server/connector_voice.h"

#include <stdio.h>
#include <string.h>

/* The HTTP gateway connector predates the table: its typed functions are
 * adapted here. */
static void *connector_http_start(const struct store_outbox_message *message,
                                  const struct connector_options *options)
{
    struct connector_http_options http = {
        .timeout_ms = options->timeout_ms,
        .connect_timeout_ms = options->connect_timeout_ms,
        .ca_file = options->ca_file,
    };
    return connector_http_new(message, &http);
}

static CURL *connector_http_easy_of(void *transfer)
{
    return connector_http_easy(transfer);
}

static void connector_http_outcome_of(void *transfer, CURLcode code, struct connector_outcome *out)
{
    struct connector_http_outcome http;
    connector_http_outcome(transfer, code, &http);
    memset(out, 0, sizeof *out);
    out->delivered = http.delivered;
    out->permanent = http.permanent;
    out->status = http.status;
    /* A gateway that is overloaded or down for maintenance may say when
     * to come back; libcurl reads Retry-After (seconds or a date). */
    curl_off_t retry_after = 0;
    if ((http.status == 429 || http.status == 503) &&
        curl_easy_getinfo(connector_http_easy(transfer), CURLINFO_RETRY_AFTER, &retry_after) ==
            CURLE_OK &&
        retry_after > 0)
        /* A day keeps the product in range; the worker caps it lower. */
        out->retry_after_ms = (int64_t)(retry_after < 86400 ? retry_after : 86400) * 1000;
    snprintf(out->reference, sizeof out->reference, "%s", http.reference);
    snprintf(out->error, sizeof out->error, "%s", http.error);
}

static void connector_http_release(void *transfer)
{
    connector_http_free(transfer);
}

static const struct connector connectors[] = {
    {"http", connector_http_start, connector_http_easy_of, connector_http_outcome_of,
     connector_http_release, NULL, NULL},
    CONNECTOR_ROW("sms", connector_kannel),
    CONNECTOR_ROW("email", connector_smtp),
    CONNECTOR_ROW("push", connector_push),
    /* Voice places its calls itself (libre): the worker hands rows over. */
    {"voice", NULL, NULL, NULL, NULL, connector_voice_handoff, connector_voice_in_flight},
};

#define CONNECTOR_COUNT ((int)(sizeof connectors / sizeof connectors[0]))

const struct connector *connector_find(const char *channel)
{
    for (int i = 0; channel && i < CONNECTOR_COUNT; i++)
        if (strcmp(connectors[i].channel, channel) == 0)
            return &connectors[i];
    return NULL;
}

const struct connector *connector_table(int *count)
{
    *count = CONNECTOR_COUNT;
    return connectors;
}
