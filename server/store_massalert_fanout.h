/* store_massalert_fanout.h: writing a mass alert's recipients and
 * messages. A send freezes its selection (who, how far, on which
 * channels: the duty hours make it depend on the instant) and answers at
 * once; the recipient rows (each with the hash of the agent's own
 * reply-link token) and outbox rows (one per recipient and channel) are
 * written by jobs of at most MASSALERT_FANOUT_CHUNK recipients and
 * MASSALERT_FANOUT_SLICE_MS, so that the store's writer, which also makes alarms durable before
 * they are ACKed, is never held for long. The next pick to write is committed with each chunk
 * (massalerts.fanout_cursor): a restart resumes there, nobody missing and nobody twice. A selection
 * of at most MASSALERT_FANOUT_INLINE_MAX is written in the send's own job. A cancelled alert's
 * fan-out stops at its next chunk (the cancel removes what was left to write). */
#ifndef VIGIE_STORE_MASSALERT_FANOUT_H
#define VIGIE_STORE_MASSALERT_FANOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/store.h"
#include "server/store_massalerts.h"

/* Recipients per job at most: what one job reads of the frozen selection
 * (24 bytes a pick) and holds. The time slice below mostly ends a chunk
 * first: a recipient costs 15 to 90 us of the writer (his token, his row,
 * his contact, a message per channel, eight indexes and the counters'
 * triggers), so a job is a few hundred recipients, and 100,000 of them a
 * few hundred jobs, each commit costing little beside its rows. */
#define MASSALERT_FANOUT_CHUNK 2000
/* A chunk stops after this long, whatever its count: an alarm that
 * arrives meanwhile waits at worst for the rest of the slice, then for the
 * commit and fdatasync of the chunk's pages. On the bench's shared 2-core
 * VM (bench/massalert/README.md), 300,000 agents: 10 ms slices held an
 * alarm 40 ms at most while 32,000 recipients were written (25 ms: 106
 * ms, 60 ms: 190 ms); a million agents, with the fan-out thread's pause
 * between chunks: 38 ms at most for 105,000 recipients, written at 7,000
 * a second, nearly three times what the SMS throttle of the bench lets
 * out. */
#define MASSALERT_FANOUT_SLICE_MS 10
/* A selection this small is written whole in the send's own job (a few
 * milliseconds: about one slice), so that an alert to a street's guards
 * has its recipients listed the moment it is answered; a larger one is
 * frozen and fanned out. */
#define MASSALERT_FANOUT_INLINE_MAX 100
/* One frozen pick: agent id and site id (8 bytes each), the distance in
 * metres and the channels (4 bytes each), little-endian. */
#define MASSALERT_PICK_SIZE 24

struct store_tx;

/* Packs `count` picks into `out` (count x MASSALERT_PICK_SIZE bytes). */
void massalert_picks_pack(const struct massalert_pick *picks, size_t count, unsigned char *out);
void massalert_pick_unpack(const unsigned char *in, struct massalert_pick *out);

/* What a recipient's messages are made of. */
struct massalert_fanout_alert {
    int64_t id;
    unsigned channels; /* asked for */
    const char *message;
    const char *public_url; /* base of the reply links */
    int64_t expires_at;
};

/* Inside a job: writes recipients and messages for picks[0..count) in
 * order, stopping early once `until_ms` (monotonic; 0: never) has passed
 * (at least one is written); *written_out says how many were. */
int store_tx_massalert_fanout_write(struct store_tx *tx, const struct massalert_fanout_alert *alert,
                                    const struct massalert_pick *picks, size_t count,
                                    int64_t until_ms, size_t *written_out,
                                    struct store_error *error);

/* The oldest alert whose fan-out is not finished (0: none). */
int store_massalert_fanout_next(struct store *store, int64_t *alert_id_out,
                                struct store_error *error);

struct store_massalert_fanout_progress {
    int64_t written; /* recipients written by this job */
    int64_t cursor;  /* recipients written so far */
    int64_t total;   /* the selection's size */
    bool finished;   /* nothing left to write (or the alert is gone, cancelled) */
};
/* Writes the next chunk of alert `alert_id`'s fan-out, in one job. */
int store_massalert_fanout_step(struct store *store, int64_t alert_id,
                                struct store_massalert_fanout_progress *out,
                                struct store_error *error);

/* Inside a job: the messages of picks not yet written (those a cancel
 * keeps from ever being sent), and drops what was left to write. */
int store_tx_massalert_fanout_drop(struct store_tx *tx, int64_t alert_id, int64_t *unwritten_out,
                                   struct store_error *error);

#endif
