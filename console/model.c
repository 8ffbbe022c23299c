/* model.c: the open alarms in an array with a hash index by id (so that
 * applying a change is O(1) with tens of thousands of alarms), and the
 * closed ones in a ring of MODEL_CLOSED_MAX with an index of its own. The
 * open alarms are counted by priority as they change, for the header.
 * Texts are interned (model_strings.h): an alarm is 160 bytes, not a
 * kilobyte of fixed buffers; summaries are read in model_json.c. The last
 * sequence is set by the client alone (from a list's last_sequence and
 * from stream event ids), never by applying a list item: an item of a
 * later page is newer than the point the stream must resume from. */
#include "console/model.h"

#include <stdlib.h>
#include <string.h>

/* Starting sizes; both grow by doubling. */
#define MODEL_OPEN_INITIAL  256
#define MODEL_INDEX_INITIAL 512

/* An open-addressing hash from alarm id (> 0; 0 marks a free slot) to a
 * position, with linear probing and backward-shift deletion. */
struct id_index {
    int64_t *keys;
    size_t *values;
    size_t capacity; /* a power of two */
    size_t count;
};

struct model {
    struct console_alarm *open;
    size_t open_count, open_capacity;
    struct id_index open_index; /* id -> position in open */
    size_t priority_counts[MODEL_PRIORITIES];
    struct console_alarm *closed; /* MODEL_CLOSED_MAX of them */
    size_t closed_head;           /* the slot the next closed alarm goes to */
    size_t closed_count;
    struct id_index closed_index; /* id -> slot in closed */
    int64_t last_sequence;
};

/* ---- the index ---- */

static size_t index_hash(int64_t id, size_t capacity)
{
    uint64_t x = (uint64_t)id;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x & (capacity - 1);
}

static bool index_init(struct id_index *index, size_t capacity)
{
    index->keys = calloc(capacity, sizeof *index->keys);
    index->values = calloc(capacity, sizeof *index->values);
    index->capacity = capacity;
    index->count = 0;
    if (index->keys && index->values)
        return true;
    free(index->keys);
    free(index->values);
    index->keys = NULL;
    index->values = NULL;
    return false;
}

static void index_free(struct id_index *index)
{
    free(index->keys);
    free(index->values);
    index->keys = NULL;
    index->values = NULL;
}

static void index_clear(struct id_index *index)
{
    memset(index->keys, 0, index->capacity * sizeof *index->keys);
    index->count = 0;
}

static size_t index_slot(const struct id_index *index, int64_t id)
{
    size_t slot = index_hash(id, index->capacity);
    while (index->keys[slot] != 0 && index->keys[slot] != id)
        slot = (slot + 1) & (index->capacity - 1);
    return slot;
}

static bool index_find(const struct id_index *index, int64_t id, size_t *value)
{
    size_t slot = index_slot(index, id);
    if (index->keys[slot] != id)
        return false;
    *value = index->values[slot];
    return true;
}

static bool index_grow(struct id_index *index)
{
    struct id_index bigger;
    if (!index_init(&bigger, index->capacity * 2))
        return false;
    for (size_t i = 0; i < index->capacity; i++) {
        if (index->keys[i] == 0)
            continue;
        size_t slot = index_slot(&bigger, index->keys[i]);
        bigger.keys[slot] = index->keys[i];
        bigger.values[slot] = index->values[i];
        bigger.count++;
    }
    index_free(index);
    *index = bigger;
    return true;
}

/* Sets id -> value (adding or replacing); false when out of memory. */
static bool index_put(struct id_index *index, int64_t id, size_t value)
{
    if ((index->count + 1) * 2 > index->capacity && !index_grow(index))
        return false;
    size_t slot = index_slot(index, id);
    if (index->keys[slot] == 0)
        index->count++;
    index->keys[slot] = id;
    index->values[slot] = value;
    return true;
}

static void index_remove(struct id_index *index, int64_t id)
{
    size_t mask = index->capacity - 1;
    size_t hole = index_slot(index, id);
    if (index->keys[hole] != id)
        return;
    index->keys[hole] = 0;
    index->count--;
    /* Moves back the entries that probed past the hole. */
    for (size_t next = (hole + 1) & mask; index->keys[next] != 0; next = (next + 1) & mask) {
        size_t home = index_hash(index->keys[next], index->capacity);
        bool reachable =
            hole <= next ? (home <= hole || home > next) : (home <= hole && home > next);
        if (!reachable)
            continue;
        index->keys[hole] = index->keys[next];
        index->values[hole] = index->values[next];
        index->keys[next] = 0;
        hole = next;
    }
}

/* ---- the model ---- */

struct model *model_new(void)
{
    struct model *model = calloc(1, sizeof *model);
    if (!model)
        return NULL;
    model->open = calloc(MODEL_OPEN_INITIAL, sizeof *model->open);
    model->open_capacity = MODEL_OPEN_INITIAL;
    model->closed = calloc(MODEL_CLOSED_MAX, sizeof *model->closed);
    bool indexes = index_init(&model->open_index, MODEL_INDEX_INITIAL) &&
                   index_init(&model->closed_index, MODEL_INDEX_INITIAL);
    if (!model->open || !model->closed || !indexes) {
        model_free(model);
        return NULL;
    }
    return model;
}

void model_free(struct model *model)
{
    if (!model)
        return;
    free(model->open);
    free(model->closed);
    index_free(&model->open_index);
    index_free(&model->closed_index);
    free(model);
}

void model_clear(struct model *model)
{
    model->open_count = 0;
    memset(model->priority_counts, 0, sizeof model->priority_counts);
    model->closed_head = 0;
    model->closed_count = 0;
    index_clear(&model->open_index);
    index_clear(&model->closed_index);
    model->last_sequence = 0;
}

void model_swap(struct model *a, struct model *b)
{
    struct model held = *a;
    *a = *b;
    *b = held;
}

/* Priorities are clamped to 1..MODEL_PRIORITIES when read. */
static void count_priority(struct model *model, int priority, int delta)
{
    if (priority >= 1 && priority <= MODEL_PRIORITIES)
        model->priority_counts[priority - 1] += (size_t)delta;
}

static size_t closed_slot(const struct model *model, size_t newest_first)
{
    return (model->closed_head + MODEL_CLOSED_MAX - 1 - newest_first) % MODEL_CLOSED_MAX;
}

/* Adds a closed alarm as the newest; the oldest leaves a full ring. */
static const struct console_alarm *closed_push(struct model *model,
                                               const struct console_alarm *alarm)
{
    size_t slot = model->closed_head;
    if (model->closed_count == MODEL_CLOSED_MAX)
        index_remove(&model->closed_index, model->closed[slot].id);
    if (!index_put(&model->closed_index, alarm->id, slot))
        return NULL;
    model->closed[slot] = *alarm;
    model->closed_head = (slot + 1) % MODEL_CLOSED_MAX;
    if (model->closed_count < MODEL_CLOSED_MAX)
        model->closed_count++;
    return &model->closed[slot];
}

/* Takes an alarm out of the ring (one the server shows open again). */
static void closed_remove(struct model *model, int64_t id)
{
    size_t position = 0;
    while (position < model->closed_count && model->closed[closed_slot(model, position)].id != id)
        position++;
    if (position == model->closed_count)
        return;
    index_remove(&model->closed_index, id);
    /* Newer entries move one step towards the older end. */
    for (size_t i = position; i > 0; i--) {
        size_t to = closed_slot(model, i), from = closed_slot(model, i - 1);
        model->closed[to] = model->closed[from];
        index_put(&model->closed_index, model->closed[to].id, to);
    }
    model->closed_head = closed_slot(model, 0);
    model->closed_count--;
}

static void open_remove(struct model *model, size_t position)
{
    count_priority(model, model->open[position].priority, -1);
    index_remove(&model->open_index, model->open[position].id);
    size_t last = model->open_count - 1;
    if (position != last) {
        model->open[position] = model->open[last];
        index_put(&model->open_index, model->open[position].id, position);
    }
    model->open_count--;
}

static const struct console_alarm *open_add(struct model *model, const struct console_alarm *alarm)
{
    if (model->open_count == model->open_capacity) {
        size_t capacity = model->open_capacity * 2;
        struct console_alarm *bigger = realloc(model->open, capacity * sizeof *bigger);
        if (!bigger)
            return NULL;
        model->open = bigger;
        model->open_capacity = capacity;
    }
    if (!index_put(&model->open_index, alarm->id, model->open_count))
        return NULL;
    model->open[model->open_count] = *alarm;
    count_priority(model, alarm->priority, 1);
    return &model->open[model->open_count++];
}

static bool is_closed(const struct console_alarm *alarm)
{
    return strcmp(alarm->state, "closed") == 0;
}

/* A closed alarm the open set did not hold (recorded closed at birth, or
 * closed while the list was read) is MODEL_REMOVED too: it is not in the
 * queue, and the closed view gains it. Out of memory leaves the model as
 * it was and answers MODEL_UNCHANGED with *out NULL, like a bad summary. */
enum model_change model_apply_json(struct model *model, const cJSON *json,
                                   const struct console_alarm **out)
{
    const struct console_alarm *copy = NULL;
    struct console_alarm alarm;
    enum model_change change = MODEL_UNCHANGED;
    size_t position;
    if (!model_alarm_from_json(json, &alarm)) {
        /* nothing to apply */
    } else if (index_find(&model->open_index, alarm.id, &position)) {
        struct console_alarm *held = &model->open[position];
        copy = held;
        if (alarm.seq > held->seq && is_closed(&alarm)) {
            if ((copy = closed_push(model, &alarm)))
                open_remove(model, position);
            change = copy ? MODEL_REMOVED : MODEL_UNCHANGED;
        } else if (alarm.seq > held->seq) {
            count_priority(model, held->priority, -1);
            count_priority(model, alarm.priority, 1);
            *held = alarm;
            change = MODEL_UPDATED;
        }
    } else if (index_find(&model->closed_index, alarm.id, &position)) {
        struct console_alarm *held = &model->closed[position];
        copy = held;
        if (alarm.seq > held->seq && is_closed(&alarm)) {
            *held = alarm;
            change = MODEL_REMOVED;
        } else if (alarm.seq > held->seq) {
            closed_remove(model, alarm.id);
            copy = open_add(model, &alarm);
            change = copy ? MODEL_ADDED : MODEL_UNCHANGED;
        }
    } else {
        copy = is_closed(&alarm) ? closed_push(model, &alarm) : open_add(model, &alarm);
        change = !copy ? MODEL_UNCHANGED : is_closed(&alarm) ? MODEL_REMOVED : MODEL_ADDED;
    }
    if (out)
        *out = copy;
    return change;
}

/* ---- reading the model ---- */

size_t model_open_count(const struct model *model)
{
    return model->open_count;
}

const struct console_alarm *model_open_at(const struct model *model, size_t index)
{
    return index < model->open_count ? &model->open[index] : NULL;
}

bool model_open_index(const struct model *model, int64_t id, size_t *index)
{
    return index_find(&model->open_index, id, index);
}

size_t model_open_count_priority(const struct model *model, int priority)
{
    return priority >= 1 && priority <= MODEL_PRIORITIES ? model->priority_counts[priority - 1] : 0;
}

const struct console_alarm *model_find(const struct model *model, int64_t id)
{
    size_t position;
    if (index_find(&model->open_index, id, &position))
        return &model->open[position];
    if (index_find(&model->closed_index, id, &position))
        return &model->closed[position];
    return NULL;
}

size_t model_closed_count(const struct model *model)
{
    return model->closed_count;
}

const struct console_alarm *model_closed_at(const struct model *model, size_t index)
{
    return index < model->closed_count ? &model->closed[closed_slot(model, index)] : NULL;
}

int64_t model_last_sequence(const struct model *model)
{
    return model->last_sequence;
}

void model_set_last_sequence(struct model *model, int64_t sequence)
{
    model->last_sequence = sequence;
}
