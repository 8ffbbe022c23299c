/* store_outbox.h: the persistent outbox. A message to the outside world
 * (an escalation to a police gateway today; the SMS, e-mails, voice calls
 * and pushes of a mass alert later) is written here in the same
 * transaction as the change that causes it, before anyone tries to send
 * it, one row per recipient and format. The delivery worker (outbox.c)
 * claims due rows, sends them and writes the outcome; every state change
 * of a row tied to an alarm is announced on that alarm's stream, and a
 * final outcome (delivered, failed) goes to its timeline and the audit.
 *
 * States: queued -> sending -> delivered | queued (retry later) | failed.
 * A row left "sending" by a process that died is queued again at the next
 * start: it may then reach its receiver twice, always with the same body
 * and message key (the CAP identifier), so that the receiver can tell. */
#ifndef VIGIE_STORE_OUTBOX_H
#define VIGIE_STORE_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/store.h"

/* Bounds of a row: a recipient is a URL, a phone number or an address; a
 * reference is what a gateway gives back (a case number); an error is one
 * sentence. A body is a whole document (CAP_DOCUMENT_MAX). */
#define OUTBOX_KIND_SIZE      24
#define OUTBOX_CHANNEL_SIZE   16
#define OUTBOX_FORMAT_SIZE    16
#define OUTBOX_LABEL_SIZE     96
#define OUTBOX_RECIPIENT_SIZE 512
#define OUTBOX_TYPE_SIZE      64
#define OUTBOX_KEY_SIZE       160
#define OUTBOX_REFERENCE_SIZE 128
#define OUTBOX_ERROR_SIZE     256
#define OUTBOX_BODY_MAX       (64 * 1024)
/* Rows one claim takes: a batch, so that a mass alert's 100,000 messages
 * cost a claim per few hundred; the worker's concurrency is below it. */
#define OUTBOX_CLAIM_MAX 256
/* Outbox priorities: the lowest number is sent first. */
#define OUTBOX_PRIORITY_ESCALATION 0
#define OUTBOX_PRIORITY_MASSALERT  1
#define OUTBOX_PRIORITY_ROUTINE    2

enum outbox_state { OUTBOX_QUEUED, OUTBOX_SENDING, OUTBOX_DELIVERED, OUTBOX_FAILED };
const char *outbox_state_name(enum outbox_state state);
bool outbox_state_parse(const char *text, enum outbox_state *out);

struct store_tx;

/* A message to write, inside the job of the change that causes it. */
struct store_outbox_new {
    const char *kind;      /* "escalation", later "mass-alert" */
    int64_t owner_id;      /* the escalation's (or alert's) id */
    int64_t alarm_id;      /* 0 when no alarm is concerned */
    const char *label;     /* for people: "police (CAP)" */
    const char *channel;   /* "http"; later "sms", "email", "voice", "push" */
    const char *format;    /* "cap", "json" */
    const char *recipient; /* a URL for "http" */
    const char *content_type;
    const char *message_key; /* the same on every attempt: the receiver de-duplicates */
    const char *body;
    int max_attempts;
    int64_t deadline_at; /* no attempt starts after it */
    int priority;        /* OUTBOX_PRIORITY_*; 0 (escalation) when not set */
};
int store_tx_outbox_add(struct store_tx *tx, const struct store_outbox_new *message,
                        int64_t *id_out, struct store_error *error);

/* One row as the API shows it (no body). */
struct store_outbox_row {
    int64_t id, owner_id, alarm_id;
    char kind[OUTBOX_KIND_SIZE];
    char label[OUTBOX_LABEL_SIZE];
    char channel[OUTBOX_CHANNEL_SIZE];
    char format[OUTBOX_FORMAT_SIZE];
    char recipient[OUTBOX_RECIPIENT_SIZE];
    enum outbox_state state;
    int attempts, max_attempts;
    int64_t next_attempt_at, deadline_at, created_at, updated_at;
    int64_t last_attempt_at, delivered_at; /* 0 when never */
    char last_error[OUTBOX_ERROR_SIZE];
    char reference[OUTBOX_REFERENCE_SIZE];
};
typedef void (*store_outbox_visitor)(void *context, const struct store_outbox_row *row);
/* The rows of an owner, oldest first. */
int store_outbox_list(struct store *store, const char *kind, int64_t owner_id,
                      store_outbox_visitor visit, void *context, struct store_error *error);

/* A row claimed for sending, with its body (owned by the caller:
 * store_outbox_message_free). */
struct store_outbox_message {
    int64_t id, alarm_id;
    char channel[OUTBOX_CHANNEL_SIZE];
    char label[OUTBOX_LABEL_SIZE];
    char recipient[OUTBOX_RECIPIENT_SIZE];
    char content_type[OUTBOX_TYPE_SIZE];
    char message_key[OUTBOX_KEY_SIZE];
    char *body;
    size_t body_length;
    int attempts, max_attempts; /* attempts counts this one */
    int64_t deadline_at;
};
void store_outbox_message_free(struct store_outbox_message *message);

/* At start: rows left "sending" by a process that died are queued again,
 * due at once. */
int store_outbox_recover(struct store *store, int *requeued_out, struct store_error *error);
/* The same, but the rows of `channel` wait `grace_ms` first: a gateway
 * without an idempotency key (Kannel) may have taken a message whose
 * answer the crash lost, and its delivery report, arriving meanwhile
 * (store_outbox_accepted_id), proves it: the row is then not sent again. */
int store_outbox_recover_with_grace(struct store *store, const char *channel, int64_t grace_ms,
                                    int *requeued_out, struct store_error *error);
/* When the next queued row is due (0: none is queued). */
int store_outbox_next_due(struct store *store, int64_t *due_at_out, struct store_error *error);
/* Marks up to `limit` due rows "sending" (one attempt more each) and
 * copies them to `out`; rows already past their deadline fail instead.
 * The state is durable before this returns, before anything is sent. */
int store_outbox_claim(struct store *store, int limit, struct store_outbox_message *out,
                       int *count_out, struct store_error *error);

/* How many rows of one channel a claim may take (its throttle's tokens,
 * its free calls). */
struct store_outbox_quota {
    const char *channel;
    int limit;
};
/* The same, channel by channel: at most quotas[i].limit rows of each
 * listed channel, at most `others` rows of channels not listed (they have
 * no connector: the worker fails them), at most `limit` in all; the most
 * urgent first (priority, then due time, then id). */
int store_outbox_claim_quotas(struct store *store, const struct store_outbox_quota *quotas,
                              int quota_count, int others, int limit,
                              struct store_outbox_message *out, int *count_out,
                              struct store_error *error);

/* What the network said afterwards about a message the gateway took (an
 * SMS delivery report, a push service's receipt, a voice call answered):
 * confirm_state 'delivered' or 'undelivered' and confirmed_at = at. By the
 * gateway's reference (channel, reference) or by the row's id; a report
 * may come before the worker has written the gateway's answer. A mass
 * alert's counts follow. *found_out (may be NULL): whether a row matched. */
int store_outbox_confirm(struct store *store, const char *channel, const char *reference,
                         bool delivered, int64_t at, struct store_error *error);
int store_outbox_confirm_id(struct store *store, int64_t id, const char *channel, bool delivered,
                            int64_t at, bool *found_out, struct store_error *error);
/* A mass alert's message on `channel` to recipient row `recipient_id`,
 * confirmed delivered by the recipient's own device (the notification
 * its push service worker showed). Idempotent and cheap to repeat: a row
 * already confirmed is only read, never written again. *found_out: false
 * when no such message has left yet (none, or never tried). */
int store_outbox_confirm_recipient(struct store *store, int64_t recipient_id, const char *channel,
                                   int64_t at, bool *found_out, struct store_error *error);
/* A report that says only that the gateway has the message (Kannel's
 * "buffered" or "taken by the SMSC"): a row still queued or sending is
 * sent (so never sent again); no verdict of the network is recorded. By
 * id, confirmations also count as such proof. */
int store_outbox_accepted_id(struct store *store, int64_t id, const char *channel, bool *found_out,
                             struct store_error *error);

/* What an attempt came to. */
struct store_outbox_outcome {
    int64_t id;
    enum outbox_state state; /* delivered, queued (retry at retry_at) or failed */
    int64_t retry_at;
    /* Failed because the recipient's address no longer exists: for a
     * mass alert's push row, the agent's subscription is cleared in the
     * same transaction (store_tx_agent_push_subscription_gone). */
    bool recipient_gone;
    char reference[OUTBOX_REFERENCE_SIZE];
    char error[OUTBOX_ERROR_SIZE];
};
/* Writes outcomes of rows this process claimed, in one transaction. */
int store_outbox_finish(struct store *store, const struct store_outbox_outcome *outcomes,
                        size_t count, struct store_error *error);

/* Empties the bodies of finished rows created before `before` (they copy
 * positions and a victim's details, which the store keeps no longer than
 * the technical data); says how many. */
int store_outbox_redact(struct store *store, int64_t before, int64_t *redacted_out,
                        struct store_error *error);

#endif
