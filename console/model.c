/* model.c: the open alarms in an array with a hash index by id (so that
 * applying a change is O(1) with tens of thousands of alarms), and the
 * closed ones in a ring of MODEL_CLOSED_MAX with an index of its own. The
 * last sequence is set by the client alone (from a list's last_sequence
 * and from stream event ids), never by applying a list item: an item of a
 * later page is newer than the point the stream must resume from. */
#include "console/model.h"

#include <stdlib.h>
#include <string.h>

#include "common/clock.h"

/* Starting sizes; both grow by doubling. */
#define MODEL_OPEN_INITIAL  256
#define MODEL_INDEX_INITIAL 512
/* Ids and sequences are JSON numbers below 2^53 (the API says so). */
#define MODEL_NUMBER_MAX 9007199254740992.0

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
    struct console_alarm closed[MODEL_CLOSED_MAX];
    size_t closed_head; /* the slot the next closed alarm goes to */
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
    bool indexes = index_init(&model->open_index, MODEL_INDEX_INITIAL) &&
                   index_init(&model->closed_index, MODEL_INDEX_INITIAL);
    if (!model->open || !indexes) {
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
    index_free(&model->open_index);
    index_free(&model->closed_index);
    free(model);
}

void model_clear(struct model *model)
{
    model->open_count = 0;
    model->closed_head = 0;
    model->closed_count = 0;
    index_clear(&model->open_index);
    index_clear(&model->closed_index);
    model->last_sequence = 0;
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

/* ---- reading a summary ---- */

/* Copies at most size - 1 bytes without cutting a UTF-8 character: the
 * server bounds its fields like ours, but a longer one must not cost the
 * alarm. */
static void copy_text(char *out, size_t size, const char *text)
{
    size_t length = strlen(text);
    if (length >= size) {
        length = size - 1;
        while (length > 0 && ((unsigned char)text[length] & 0xC0) == 0x80)
            length--;
    }
    memcpy(out, text, length);
    out[length] = '\0';
}

static bool take_text(const cJSON *object, const char *name, bool nullable, char *out, size_t size)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    out[0] = '\0';
    if (nullable && cJSON_IsNull(item))
        return true;
    if (!cJSON_IsString(item) || !item->valuestring)
        return false;
    copy_text(out, size, item->valuestring);
    return true;
}

static bool take_number(const cJSON *object, const char *name, bool nullable, int64_t absent,
                        int64_t *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    *out = absent;
    if (nullable && cJSON_IsNull(item))
        return true;
    if (!cJSON_IsNumber(item))
        return false;
    double value = item->valuedouble;
    /* The range first: converting a huge double to an integer is undefined. */
    if (!(value >= -MODEL_NUMBER_MAX && value <= MODEL_NUMBER_MAX) ||
        value != (double)(int64_t)value)
        return false;
    *out = (int64_t)value;
    return true;
}

static bool take_time(const cJSON *object, const char *name, int64_t *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    *out = 0;
    if (cJSON_IsNull(item))
        return true;
    return cJSON_IsString(item) && item->valuestring && clock_parse_rfc3339(item->valuestring, out);
}

static bool take_claim(const cJSON *object, struct console_alarm *out)
{
    const cJSON *claim = cJSON_GetObjectItemCaseSensitive(object, "claim");
    out->claim_user[0] = '\0';
    out->claim_name[0] = '\0';
    if (cJSON_IsNull(claim))
        return true;
    return cJSON_IsObject(claim) &&
           take_text(claim, "username", false, out->claim_user, sizeof out->claim_user) &&
           take_text(claim, "display_name", false, out->claim_name, sizeof out->claim_name);
}

/* Unknown flags are ignored: later versions of the API may add some. */
static bool take_flags(const cJSON *object, unsigned *out)
{
    const cJSON *flags = cJSON_GetObjectItemCaseSensitive(object, "flags");
    *out = 0;
    if (!cJSON_IsArray(flags))
        return false;
    const cJSON *flag;
    cJSON_ArrayForEach(flag, flags)
    {
        if (!cJSON_IsString(flag))
            return false;
        if (strcmp(flag->valuestring, "unknown-account") == 0)
            *out |= MODEL_FLAG_UNKNOWN_ACCOUNT;
        else if (strcmp(flag->valuestring, "early-open") == 0)
            *out |= MODEL_FLAG_EARLY_OPEN;
    }
    return true;
}

static bool take_numbers(const cJSON *json, struct console_alarm *out)
{
    int64_t priority, zone;
    bool ok = take_number(json, "id", false, 0, &out->id) && out->id > 0 &&
              take_number(json, "sequence", false, 0, &out->seq) && out->seq >= 0 &&
              take_number(json, "site_id", true, 0, &out->site_id) &&
              take_number(json, "device_id", true, 0, &out->device_id) &&
              take_number(json, "victim_id", true, 0, &out->victim_id) &&
              take_number(json, "priority", false, 0, &priority) &&
              take_number(json, "zone", true, -1, &zone);
    if (!ok)
        return false;
    /* Out of range is not worth losing an alarm over: clamp it. */
    out->priority = priority < 1 ? 1 : priority > 5 ? 5 : (int)priority;
    out->zone = zone < -1 ? -1 : zone > 9999 ? 9999 : (int)zone;
    return true;
}

bool model_alarm_from_json(const cJSON *json, struct console_alarm *out)
{
    memset(out, 0, sizeof *out);
    if (!cJSON_IsObject(json))
        return false;
    const cJSON *position = cJSON_GetObjectItemCaseSensitive(json, "has_position");
    bool ok = take_numbers(json, out) &&
              take_text(json, "source", false, out->source, sizeof out->source) &&
              take_text(json, "account", true, out->account, sizeof out->account) &&
              take_text(json, "subject", false, out->subject, sizeof out->subject) &&
              take_text(json, "place", false, out->place, sizeof out->place) &&
              take_text(json, "event_code", true, out->event_code, sizeof out->event_code) &&
              take_text(json, "class", false, out->class_name, sizeof out->class_name) &&
              take_text(json, "label", false, out->label, sizeof out->label) &&
              take_time(json, "received_at", &out->received_at) &&
              take_text(json, "state", false, out->state, sizeof out->state) &&
              out->state[0] != '\0' && take_claim(json, out) &&
              take_text(json, "resolution", true, out->resolution, sizeof out->resolution) &&
              take_time(json, "closed_at", &out->closed_at) && take_flags(json, &out->flags) &&
              cJSON_IsBool(position);
    if (!ok) {
        memset(out, 0, sizeof *out);
        return false;
    }
    out->has_position = cJSON_IsTrue(position);
    return true;
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
