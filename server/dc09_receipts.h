/* dc09_receipts.h: the DC-09 retransmission window in memory. Each
 * receipt (account, sequence, digest of the content) is remembered as a
 * 64-bit fingerprint with the id of its row in the store's receipt log and
 * when it arrived, in arrival order, so that the store looks up a message
 * in memory instead of in an index that every event would dirty, and
 * confirms a match against the row itself (a fingerprint can collide; the
 * row cannot). Not thread-safe: the store's writer thread owns it. */
#ifndef VIGIE_DC09_RECEIPTS_H
#define VIGIE_DC09_RECEIPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Receipts remembered at most: 2^22, 32 bytes each plus 2 bytes of bucket
 * (about 136 MiB reserved, resident only as the load fills it), enough for
 * 7,000 events/s sustained over the default 10-minute window; past this
 * bound the oldest receipts are forgotten before their window ends (and a
 * warning says so). Chains average 4 receipts when the set is full. */
#define DC09_RECEIPTS_MAX     (1u << 22)
#define DC09_RECEIPTS_BUCKETS (1u << 20)

struct dc09_receipts;

struct dc09_receipts *dc09_receipts_create(void);
void dc09_receipts_free(struct dc09_receipts *receipts);

/* The fingerprint of a message; `digest` is the 64 hex digits of its
 * SHA-256 (dc09_digest). */
uint64_t dc09_receipts_fingerprint(const char *account, unsigned seq, const char *digest);

/* Remembers a receipt. Receipts must be added in arrival order. */
void dc09_receipts_add(struct dc09_receipts *receipts, uint64_t fingerprint, int64_t row_id,
                       int64_t received_at_ms);

/* Calls `visit` with the row id of each remembered receipt with this
 * fingerprint received at or after `since_ms`, newest first, until it
 * returns true; returns whether one did. */
typedef bool (*dc09_receipts_visitor)(void *context, int64_t row_id);
bool dc09_receipts_find(const struct dc09_receipts *receipts, uint64_t fingerprint,
                        int64_t since_ms, dc09_receipts_visitor visit, void *context);

/* Forgets the receipts received before `before_ms`, oldest first (it
 * stops at the first later one: arrival order is the order that counts). */
void dc09_receipts_expire(struct dc09_receipts *receipts, int64_t before_ms);

/* Receipts remembered now. */
size_t dc09_receipts_count(const struct dc09_receipts *receipts);
/* Receipts forgotten before their window ended, because the set was full. */
uint64_t dc09_receipts_evicted(const struct dc09_receipts *receipts);

#endif
