/* connector.h: the outbox's connectors, one per channel, in one table
 * (connector.c). The delivery worker (outbox.c) looks a claimed message's
 * channel up here and runs its transfer on its libcurl multi handle:
 *
 *   start(message, options) -> a transfer (NULL: no memory, or a setting
 *                              is missing: the message is then retried),
 *   easy(transfer)          -> its CURL easy handle,
 *   outcome(transfer, code) -> delivered (with the gateway's reference) or
 *                              not (permanent or worth retrying),
 *   release(transfer).
 *
 * Adding a channel is one row in connector.c's table:
 *     CONNECTOR_ROW("email", connector_smtp),
 * given connector_smtp_start/_easy/_outcome/_release with the signatures
 * below (transfers are `void *`, each connector's own struct). Settings
 * come from options->config (struct server_config).
 *
 * A connector that does not use libcurl (voice: its own SIP stack) sets
 * `handoff` instead: the worker hands it the claimed message and forgets
 * it; the connector reports the outcome itself with store_outbox_finish.
 * Its `in_flight` says how many it holds, so that the worker never hands
 * over more than the channel's limit at once (voice_calls). */
#ifndef VIGIE_CONNECTOR_H
#define VIGIE_CONNECTOR_H

#include <stdbool.h>

#include <curl/curl.h>

#include "server/config.h"
#include "server/store_outbox.h"

struct connector_options {
    const struct server_config *config; /* every connector's settings */
    long timeout_ms;                    /* the whole transfer */
    long connect_timeout_ms;            /* connecting, TLS included */
    const char *ca_file;                /* PEM bundle; NULL or "": the system's */
};

struct connector_outcome {
    bool delivered; /* the gateway took it ("sent" on a mass alert's counts) */
    bool permanent; /* a failure that retrying cannot mend */
    long status;    /* the gateway's status (HTTP, SMTP...), 0 when none */
    /* The gateway asked not to be tried again before this many ms
     * (Retry-After on a 429 or 503); 0: the worker's backoff decides. The
     * worker waits the longer of the two, within the message's deadline. */
    int64_t retry_after_ms;
    /* The recipient's address no longer exists (a push subscription the
     * browser dropped: 404/410): the store forgets it, so that the next
     * alert does not use it. Set with `permanent`. */
    bool recipient_gone;
    char reference[OUTBOX_REFERENCE_SIZE];
    char error[OUTBOX_ERROR_SIZE];
};

struct connector {
    const char *channel; /* the outbox's channel: "http", "sms", "email", "push", "voice" */
    void *(*start)(const struct store_outbox_message *message,
                   const struct connector_options *options);
    CURL *(*easy)(void *transfer);
    void (*outcome)(void *transfer, CURLcode code, struct connector_outcome *out);
    void (*release)(void *transfer);
    /* Connectors without libcurl (the four above are NULL): takes the
     * message (copy what you keep; false: not taken, retried later). */
    bool (*handoff)(const struct store_outbox_message *message,
                    const struct connector_options *options);
    int (*in_flight)(void);
};

#define CONNECTOR_ROW(channel, prefix)                                                             \
    {                                                                                              \
        channel, prefix##_start, prefix##_easy, prefix##_outcome, prefix##_release, NULL, NULL     \
    }

/* The connector of a channel; NULL when none is built in. */
const struct connector *connector_find(const char *channel);
/* The table, for the worker's per-channel claims: `count` rows. */
const struct connector *connector_table(int *count);

#endif
