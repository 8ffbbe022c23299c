/* outbox.h: the delivery worker: one thread that sends the outbox's due
 * messages (store_outbox.h) through their channel's connector (HTTP(S)
 * gateways today: connector_http.h), a bounded number at once on one
 * libcurl multi handle, and writes each outcome. A failed attempt is tried
 * again after an exponential backoff with a cap (first, 2 x first, 4 x
 * first... up to max), until the message's attempts run out or its next
 * attempt would start after its deadline: it is then "failed", and the
 * operator is told to phone. At start it queues again what a dead process
 * left "sending"; as often as the technical-data purge (at least once a
 * minute) it empties the bodies of finished messages older than that
 * retention: they copy positions and a victim's details. */
#ifndef VIGIE_OUTBOX_H
#define VIGIE_OUTBOX_H

#include <stdint.h>

#include "server/config.h"
#include "server/store.h"

/* Transfers at once: the setting's upper bound (100,000 messages a
 * minute to gateways answering in 100 ms need about 170 at once). */
#define OUTBOX_CONCURRENCY_MAX 256
/* Channels with a connector (connector.c's table). */
#define OUTBOX_CHANNELS_MAX 8
/* The worker looks at the store at least this often, even unwoken (a row
 * written by another process, a clock that jumped). */
#define OUTBOX_POLL_MS 1000

struct outbox;

/* Starts the worker (after queueing again what a dead process left
 * sending); NULL when it cannot start. */
struct outbox *outbox_start(struct store *store, const struct server_config *config);
/* Stops it: transfers in flight are abandoned and queued again, due at
 * once, for the next start. NULL is allowed. */
void outbox_stop(struct outbox *outbox);
/* New messages were written: look now rather than at the next poll.
 * Thread-safe; NULL is allowed. */
void outbox_wake(struct outbox *outbox);

/* The wait before the attempt after attempt number `attempts` (1 for the
 * first): first_ms doubling, capped at max_ms, plus up to a tenth more
 * derived from the message id, so that messages that failed together do
 * not all come back at the same instant. */
int64_t outbox_backoff_ms(int attempts, int first_ms, int max_ms, int64_t message_id);

/* A gateway's Retry-After is honoured up to this: a mass alert lives for
 * hours and an escalation matters for minutes, so a longer wait asked is
 * more likely a misconfigured service than a plan; asking again then
 * costs one request (and its next answer says whether to wait more). */
#define OUTBOX_RETRY_AFTER_MAX_MS (10 * 60 * 1000)
/* The wait before the next attempt: the backoff, or the gateway's
 * Retry-After (capped at OUTBOX_RETRY_AFTER_MAX_MS) when that is longer.
 * The caller still fails a message whose next attempt would come after
 * its deadline. */
int64_t outbox_retry_wait_ms(int64_t backoff_ms, int64_t retry_after_ms);

#endif
