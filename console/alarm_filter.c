/* alarm_filter.c: the memo of a pattern's answers, an open-addressing
 * hash (linear probing) keyed by the words that make a row's text: the
 * interned pointers of its texts and its numbers. Equal words give the
 * same text, so a remembered answer is exact. The memo is cleared when
 * the pattern changes, and when it is full (then it fills again: slower,
 * never wrong). */
#include "console/alarm_filter.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The words of a key: at most every field, then label, account and event
 * code. */
#define ALARM_FILTER_WORDS (ALARM_FIELD_COUNT + 3)
/* Distinct texts remembered: a centre's sites times its classes and
 * states is a few thousand; past this the memo starts again. 16,384
 * entries are 1.8 MB. */
#define ALARM_FILTER_MEMO_MAX     16384
#define ALARM_FILTER_MEMO_INITIAL 1024
/* Bytes of a row's text: its cells and three fields. */
#define ALARM_FILTER_TEXT_MAX 2048
/* "#N": N is below 2^53, 16 digits. */
#define ALARM_FILTER_NUMBER_MAX 17

struct memo_entry {
    uint64_t words[ALARM_FILTER_WORDS];
    bool used, matches;
};

struct alarm_filter {
    struct filter *filter;
    enum alarm_field fields[ALARM_FIELD_COUNT];
    size_t field_count;
    struct memo_entry *memo;
    size_t memo_capacity, memo_count;
    bool numbers; /* the pattern may match an alarm's "#N" */
    char text[ALARM_FILTER_TEXT_MAX];
};

struct alarm_filter *alarm_filter_new(const enum alarm_field *fields, size_t count)
{
    struct alarm_filter *filter = calloc(1, sizeof *filter);
    if (!filter || count > ALARM_FIELD_COUNT || !(filter->filter = filter_new())) {
        free(filter);
        return NULL;
    }
    for (size_t i = 0; i < count; i++)
        if (fields[i] != ALARM_FIELD_AGE) /* live: it changes every second */
            filter->fields[filter->field_count++] = fields[i];
    return filter;
}

void alarm_filter_free(struct alarm_filter *filter)
{
    if (!filter)
        return;
    filter_free(filter->filter);
    free(filter->memo);
    free(filter);
}

static void memo_clear(struct alarm_filter *filter)
{
    if (filter->memo)
        memset(filter->memo, 0, filter->memo_capacity * sizeof *filter->memo);
    filter->memo_count = 0;
}

bool alarm_filter_set(struct alarm_filter *filter, const char *pattern, char *error,
                      size_t error_size)
{
    memo_clear(filter);
    bool ok = filter_set(filter->filter, pattern, error, error_size);
    /* Most patterns ("montreuil") cannot match "#123": not asking for each
     * row halves a keystroke's time. */
    filter->numbers = filter_may_match(filter->filter, "#0123456789", ALARM_FILTER_NUMBER_MAX);
    return ok;
}

const struct filter *alarm_filter_pattern(const struct alarm_filter *filter)
{
    return filter->filter;
}

static const char *handler(const struct console_alarm *alarm)
{
    return alarm->claim_name[0] ? alarm->claim_name : alarm->claim_user;
}

static uint64_t field_word(const struct console_alarm *alarm, enum alarm_field field)
{
    switch (field) {
    case ALARM_FIELD_PRIORITY:
        return (uint64_t)alarm->priority;
    case ALARM_FIELD_CLASS: { /* its cell may be a marker word: an early open's flag counts */
        uint64_t early = (alarm->flags & MODEL_FLAG_EARLY_OPEN) ? 1ULL << 63 : 0;
        return (uintptr_t)alarm->class_name ^ early;
    }
    case ALARM_FIELD_SUBJECT:
        return (uintptr_t)alarm->subject;
    case ALARM_FIELD_PLACE:
        return (uintptr_t)alarm->place;
    case ALARM_FIELD_STATE:
        return (uintptr_t)alarm->state;
    case ALARM_FIELD_HANDLER:
        return (uintptr_t)handler(alarm);
    case ALARM_FIELD_CLOSED_AT:
        return (uint64_t)alarm->closed_at;
    case ALARM_FIELD_RESOLUTION:
        return (uintptr_t)alarm->resolution;
    case ALARM_FIELD_AGE:
    case ALARM_FIELD_COUNT:
        break;
    }
    return 0;
}

static void key_words(const struct alarm_filter *filter, const struct console_alarm *alarm,
                      uint64_t *words)
{
    memset(words, 0, ALARM_FILTER_WORDS * sizeof *words);
    size_t used = 0;
    for (size_t i = 0; i < filter->field_count; i++)
        words[used++] = field_word(alarm, filter->fields[i]);
    words[used++] = (uintptr_t)alarm->label;
    words[used++] = (uintptr_t)alarm->account;
    words[used] = (uintptr_t)alarm->event_code;
}

static size_t words_hash(const uint64_t *words)
{
    uint64_t hash = 0x9E3779B97F4A7C15ULL;
    for (size_t i = 0; i < ALARM_FILTER_WORDS; i++) {
        hash = (hash ^ words[i]) * 0xff51afd7ed558ccdULL;
        hash ^= hash >> 31;
    }
    return (size_t)hash;
}

/* The entry for words, or the free slot it would take; NULL when the memo
 * cannot hold one more (then it is not used for this row). */
static struct memo_entry *memo_slot(struct alarm_filter *filter, const uint64_t *words)
{
    if (filter->memo_count * 4 >= filter->memo_capacity * 3) {
        size_t capacity =
            filter->memo_capacity ? filter->memo_capacity * 2 : ALARM_FILTER_MEMO_INITIAL;
        if (capacity > ALARM_FILTER_MEMO_MAX) {
            memo_clear(filter); /* full: start again */
        } else {
            struct memo_entry *bigger = calloc(capacity, sizeof *bigger);
            if (!bigger)
                return NULL;
            /* Dropping the old answers is simpler than moving them. */
            free(filter->memo);
            filter->memo = bigger;
            filter->memo_capacity = capacity;
            filter->memo_count = 0;
        }
    }
    size_t mask = filter->memo_capacity - 1;
    for (size_t slot = words_hash(words) & mask;; slot = (slot + 1) & mask) {
        struct memo_entry *entry = &filter->memo[slot];
        if (!entry->used || memcmp(entry->words, words, sizeof entry->words) == 0)
            return entry;
    }
}

static size_t append(char *out, size_t size, size_t used, const char *text)
{
    size_t length = strlen(text);
    if (used + length + 1 >= size)
        length = used + 1 < size ? size - used - 1 : 0;
    memcpy(out + used, text, length);
    out[used + length] = '\0';
    return used + length;
}

void alarm_filter_text(const struct alarm_filter *filter, const struct console_alarm *alarm,
                       char *out, size_t size)
{
    char cell[TABLE_CELL_MAX];
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < filter->field_count; i++) {
        alarm_field_text(alarm, filter->fields[i], 0, cell, sizeof cell);
        used = append(out, size, used, cell);
        used = append(out, size, used, "\t");
    }
    used = append(out, size, used, alarm->label);
    used = append(out, size, used, "\t");
    used = append(out, size, used, alarm->account);
    used = append(out, size, used, "\t");
    append(out, size, used, alarm->event_code);
}

static bool text_matches(struct alarm_filter *filter, const struct console_alarm *alarm)
{
    alarm_filter_text(filter, alarm, filter->text, sizeof filter->text);
    return filter_match(filter->filter, filter->text, strlen(filter->text));
}

bool alarm_filter_match(struct alarm_filter *filter, const struct console_alarm *alarm)
{
    if (!filter_active(filter->filter))
        return true;
    uint64_t words[ALARM_FILTER_WORDS];
    key_words(filter, alarm, words);
    struct memo_entry *entry = memo_slot(filter, words);
    bool matches;
    if (entry && entry->used) {
        matches = entry->matches;
    } else {
        matches = text_matches(filter, alarm);
        if (entry) {
            memcpy(entry->words, words, sizeof entry->words);
            entry->used = true;
            entry->matches = matches;
            filter->memo_count++;
        }
    }
    if (matches || !filter->numbers)
        return matches;
    /* "#N" written by hand: snprintf would cost as much as the match. */
    char number[24];
    size_t at = sizeof number;
    uint64_t id = alarm->id > 0 ? (uint64_t)alarm->id : 0;
    do {
        number[--at] = (char)('0' + id % 10);
        id /= 10;
    } while (id > 0);
    number[--at] = '#';
    return filter_match(filter->filter, number + at, sizeof number - at);
}
