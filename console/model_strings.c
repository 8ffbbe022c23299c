/* model_strings.c: an append-only pool of texts in large chunks, with an
 * open-addressing hash index (linear probing) over them. Nothing is ever
 * removed: the distinct texts of a centre are bounded by its directory
 * and event table, not by the number of alarms, and only the label of an
 * alarm recorded by hand is free text. The log says so once if the pool
 * grows past MODEL_STRINGS_WARN_BYTES, which would mean something else. */
#include "console/model_strings.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

/* Texts are stored in chunks of this size: a few hundred texts each, and
 * few enough allocations that malloc's overhead is nothing. */
#define MODEL_STRINGS_CHUNK (64 * 1024)
/* The index starts with this many slots (a power of two) and doubles
 * when half full. */
#define MODEL_STRINGS_INDEX_INITIAL 4096
/* Ten times what a large centre's directory needs: past it the pool is
 * said to grow in the log. */
#define MODEL_STRINGS_WARN_BYTES (64u * 1024 * 1024)

struct pool_slot {
    const char *text; /* NULL: a free slot */
    uint32_t hash;
    uint32_t length;
};

/* A chunk starts with a pointer to the previous one, so that every chunk
 * stays reachable (leak checkers see the pool as in use, not lost). */
struct pool_chunk {
    struct pool_chunk *previous;
    size_t used, size;
    char bytes[];
};

static struct {
    struct pool_chunk *chunk;
    struct pool_slot *slots;
    size_t capacity, count;
    size_t bytes;
    bool warned;
} pool;

static uint32_t text_hash(const char *text, size_t length)
{
    uint64_t hash = 0x9E3779B97F4A7C15ULL ^ length;
    size_t i = 0;
    for (; i + 8 <= length; i += 8) {
        uint64_t word;
        memcpy(&word, text + i, sizeof word);
        hash = (hash ^ word) * 0xff51afd7ed558ccdULL;
        hash ^= hash >> 32;
    }
    uint64_t tail = 0;
    memcpy(&tail, text + i, length - i);
    hash = (hash ^ tail) * 0xc4ceb9fe1a85ec53ULL;
    hash ^= hash >> 29;
    return (uint32_t)hash;
}

static bool index_grow(void)
{
    size_t capacity = pool.capacity ? pool.capacity * 2 : MODEL_STRINGS_INDEX_INITIAL;
    struct pool_slot *slots = calloc(capacity, sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < pool.capacity; i++) {
        if (!pool.slots[i].text)
            continue;
        size_t slot = pool.slots[i].hash & (capacity - 1);
        while (slots[slot].text)
            slot = (slot + 1) & (capacity - 1);
        slots[slot] = pool.slots[i];
    }
    pool.bytes += (capacity - pool.capacity) * sizeof *slots;
    free(pool.slots);
    pool.slots = slots;
    pool.capacity = capacity;
    return true;
}

/* Room for length + 1 bytes, in the current chunk or a new one. */
static char *chunk_take(size_t length)
{
    struct pool_chunk *chunk = pool.chunk;
    if (!chunk || chunk->size - chunk->used < length + 1) {
        size_t size = length + 1 > MODEL_STRINGS_CHUNK ? length + 1 : MODEL_STRINGS_CHUNK;
        struct pool_chunk *fresh = malloc(sizeof *fresh + size);
        if (!fresh)
            return NULL;
        fresh->previous = chunk;
        fresh->used = 0;
        fresh->size = size;
        pool.chunk = chunk = fresh;
        pool.bytes += sizeof *fresh + size;
    }
    char *place = chunk->bytes + chunk->used;
    chunk->used += length + 1;
    return place;
}

const char *model_strings_intern(const char *text, size_t length)
{
    if (length == 0)
        return "";
    if (length > UINT32_MAX)
        return NULL;
    if ((pool.count + 1) * 2 > pool.capacity && !index_grow())
        return NULL;
    uint32_t hash = text_hash(text, length);
    size_t slot = hash & (pool.capacity - 1);
    for (; pool.slots[slot].text; slot = (slot + 1) & (pool.capacity - 1)) {
        const struct pool_slot *held = &pool.slots[slot];
        if (held->hash == hash && held->length == length && memcmp(held->text, text, length) == 0)
            return held->text;
    }
    char *copy = chunk_take(length);
    if (!copy)
        return NULL;
    memcpy(copy, text, length);
    copy[length] = '\0';
    pool.slots[slot] = (struct pool_slot){copy, hash, (uint32_t)length};
    pool.count++;
    if (pool.bytes > MODEL_STRINGS_WARN_BYTES && !pool.warned) {
        pool.warned = true;
        log_warn("model", "the alarms' texts take more than %u MiB: %zu distinct texts",
                 MODEL_STRINGS_WARN_BYTES / (1024 * 1024), pool.count);
    }
    return copy;
}

size_t model_strings_bytes(void)
{
    return pool.bytes;
}
