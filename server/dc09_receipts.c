/* dc09_receipts.c: a ring of receipts in arrival order, indexed by a hash
 * table whose chains run from the newest receipt to older ones. Positions
 * only grow (the ring slot is the position modulo its size), so a receipt
 * is forgotten by moving the ring's tail past it: chains are never
 * unlinked, a link to a position behind the tail simply ends the chain. */
#include "server/dc09_receipts.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct receipt {
    uint64_t fingerprint;
    int64_t row_id;
    int64_t received_at;
    /* Positions back to the previous receipt of the same bucket; 0: none.
     * At most the ring's size, which fits: DC09_RECEIPTS_MAX < 2^32. */
    uint32_t older;
};

/* The ring and the buckets are reserved at their largest once, as address
 * space only: the kernel gives a page on first touch, so a quiet centre
 * holds a few pages and a surge never stops the writer to copy and rehash
 * a set of hundreds of thousands (a doubling at 2^19 receipts took 100 ms,
 * the whole ACK budget, in bench/ingest). Pages the tail leaves behind are
 * handed back in chunks. */
#define RING_BYTES    ((size_t)DC09_RECEIPTS_MAX * sizeof(struct receipt))
#define BUCKETS_BYTES ((size_t)DC09_RECEIPTS_BUCKETS * sizeof(uint64_t))
/* Handed back once this many bytes of ring lie behind the tail. */
#define RELEASE_CHUNK ((size_t)1 << 20)

struct dc09_receipts {
    struct receipt *ring;
    uint64_t *buckets; /* newest position + 1 per bucket, 0 when empty */
    uint64_t head;     /* position of the next receipt */
    uint64_t tail;     /* position of the oldest remembered */
    uint64_t released; /* positions before this have their pages handed back */
    uint64_t evicted;
};

static void *reserve(size_t bytes)
{
    void *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return memory == MAP_FAILED ? NULL : memory;
}

struct dc09_receipts *dc09_receipts_create(void)
{
    struct dc09_receipts *receipts = calloc(1, sizeof *receipts);
    if (!receipts)
        return NULL;
    receipts->ring = reserve(RING_BYTES);
    receipts->buckets = reserve(BUCKETS_BYTES);
    if (!receipts->ring || !receipts->buckets) {
        dc09_receipts_free(receipts);
        return NULL;
    }
    return receipts;
}

void dc09_receipts_free(struct dc09_receipts *receipts)
{
    if (!receipts)
        return;
    if (receipts->ring)
        munmap(receipts->ring, RING_BYTES);
    if (receipts->buckets)
        munmap(receipts->buckets, BUCKETS_BYTES);
    free(receipts);
}

static uint64_t mix64(uint64_t x)
{
    /* splitmix64's finaliser: every input bit moves every output bit. */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

uint64_t dc09_receipts_fingerprint(const char *account, unsigned seq, const char *digest)
{
    /* FNV-1a over the account and sequence, mixed with the digest's first
     * 64 bits (a SHA-256's bits are already uniform). */
    uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char *p = account; *p; p++)
        hash = (hash ^ (unsigned char)*p) * 0x100000001b3ULL;
    hash = (hash ^ seq) * 0x100000001b3ULL;
    uint64_t bits = 0;
    for (int i = 0; i < 16 && digest[i]; i++) {
        int value = hex_value(digest[i]);
        bits = (bits << 4) | (uint64_t)(value < 0 ? (unsigned char)digest[i] & 0xf : value);
    }
    return mix64(hash) ^ bits;
}

static struct receipt *at(const struct dc09_receipts *receipts, uint64_t position)
{
    return &receipts->ring[position & (DC09_RECEIPTS_MAX - 1)];
}

/* Links the receipt at `position` (already in its slot) into its bucket. */
static void link(struct dc09_receipts *receipts, uint64_t position)
{
    struct receipt *receipt = at(receipts, position);
    uint64_t *bucket = &receipts->buckets[receipt->fingerprint & (DC09_RECEIPTS_BUCKETS - 1)];
    receipt->older = 0;
    if (*bucket && *bucket - 1 >= receipts->tail)
        receipt->older = (uint32_t)(position - (*bucket - 1));
    *bucket = position + 1;
}

void dc09_receipts_add(struct dc09_receipts *receipts, uint64_t fingerprint, int64_t row_id,
                       int64_t received_at_ms)
{
    if (receipts->head - receipts->tail == DC09_RECEIPTS_MAX) {
        receipts->tail++; /* full: the oldest goes before its time */
        receipts->evicted++;
    }
    uint64_t position = receipts->head++;
    *at(receipts, position) = (struct receipt){fingerprint, row_id, received_at_ms, 0};
    link(receipts, position);
}

bool dc09_receipts_find(const struct dc09_receipts *receipts, uint64_t fingerprint,
                        int64_t since_ms, dc09_receipts_visitor visit, void *context)
{
    uint64_t next = receipts->buckets[fingerprint & (DC09_RECEIPTS_BUCKETS - 1)];
    while (next && next - 1 >= receipts->tail) {
        uint64_t position = next - 1;
        const struct receipt *receipt = at(receipts, position);
        if (receipt->fingerprint == fingerprint && receipt->received_at >= since_ms &&
            visit(context, receipt->row_id))
            return true;
        if (!receipt->older)
            break;
        next = position - receipt->older + 1;
    }
    return false;
}

/* Hands back the ring's whole pages between `released` and the tail: a
 * slot behind the tail is never read again before it is written. */
static void release_behind_tail(struct dc09_receipts *receipts)
{
    const uint64_t per_chunk = RELEASE_CHUNK / sizeof(struct receipt);
    while (receipts->tail - receipts->released >= per_chunk) {
        uint64_t slot = receipts->released & (DC09_RECEIPTS_MAX - 1);
        uint64_t count = per_chunk - slot % per_chunk; /* up to the chunk's end */
        /* A full set has wrapped: these slots then hold live receipts. */
        if (receipts->released + DC09_RECEIPTS_MAX >= receipts->head)
            madvise(&receipts->ring[slot], count * sizeof(struct receipt), MADV_DONTNEED);
        receipts->released += count;
    }
}

void dc09_receipts_expire(struct dc09_receipts *receipts, int64_t before_ms)
{
    while (receipts->tail < receipts->head && at(receipts, receipts->tail)->received_at < before_ms)
        receipts->tail++;
    release_behind_tail(receipts);
}

size_t dc09_receipts_count(const struct dc09_receipts *receipts)
{
    return (size_t)(receipts->head - receipts->tail);
}

uint64_t dc09_receipts_evicted(const struct dc09_receipts *receipts)
{
    return receipts->evicted;
}
