/* ingest.h: a message from a panel or device, decoded and ready to be
 * stored in one durable step (store_ingest_submit), and what the store
 * found while storing it. Protocol receivers fill it; the store applies it:
 * retransmission check, account look-up, arm state, early open, one alarm
 * per event. */
#ifndef VIGIE_INGEST_H
#define VIGIE_INGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "server/alarm.h"
#include "server/event_codes.h"
#include "server/store.h"

/* Events in one message: a SIA DC-03 block may carry several; panels send
 * a handful at most. */
#define INGEST_EVENTS_MAX  16
#define INGEST_DIGEST_SIZE 65
#define INGEST_PEER_MAX    64

struct ingest_event {
    char event_code[ALARM_CODE_MAX]; /* "1130" (CID qualifier + code) or "BA" */
    char class_name[ALARM_CLASS_MAX];
    char label[ALARM_LABEL_MAX];
    int priority;
    int zone; /* -1 when none */
    enum event_disposition disposition;
};

struct ingest_message;
typedef void (*ingest_done_fn)(struct ingest_message *message, int status,
                               const struct store_error *error);

struct ingest_message {
    /* Filled by the receiver. */
    char source[ALARM_SOURCE_MAX]; /* "dc09" */
    char account[ALARM_ACCOUNT_MAX];
    unsigned seq;
    char digest[INGEST_DIGEST_SIZE]; /* SHA-256 of what the panel said */
    bool supervision_only;           /* a NULL frame: a sign of life */
    char raw[ALARM_RAW_MAX];
    int event_count;
    struct ingest_event events[INGEST_EVENTS_MAX];
    int dedup_window_s;       /* a repeat within it is a retransmission */
    int early_open_grace_min; /* a disarm this early is still normal */
    ingest_done_fn done;      /* called from the store's syncer thread */
    void *owner;              /* the receiver's own context */
    /* Filled by the store before `done`. */
    bool duplicate;
    bool unknown_account;
    int alarms_created;
};

/* Queues the message for the next group commit; `done` is called once it
 * is durable (or failed). The message must live until then. */
int store_ingest_submit(struct store *store, struct ingest_message *message);

/* A frame the centre could not read (encrypted with no key, for one): the
 * raw frame is kept for the administrator, and one technical alarm per
 * account (while it is open) says why. Queued, not awaited: the answer to
 * the panel does not depend on it. Strings are copied. */
int store_ingest_unreadable(struct store *store, const char *source, const char *peer,
                            const char *account, const char *reason_code, const char *label,
                            const char *frame);

/* Deletes retransmission receipts older than the window. */
int store_ingest_receipts_purge(struct store *store, int64_t older_than_ms,
                                struct store_error *error);

#endif
