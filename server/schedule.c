/* schedule.c: the opening_hours subset of schedule.h, parsed once into
 * ranges per weekday, and the local time of an instant in a named zone.
 * glib's zones are loaded once and kept in a small locked cache: loading
 * one reads the zone file (0.1 to 0.4 ms measured), a lookup is a hash. */
#include "server/schedule.h"
#include "common/i18n.h"

#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum {
    MINUTES_PER_WEEK = SCHEDULE_DAYS * SCHEDULE_MINUTES_PER_DAY,
    SECONDS_PER_DAY = 86400,
    /* 1970-01-01, day 0 of Unix time, was a Thursday (3 with Monday 0). */
    EPOCH_WEEKDAY = 3,
};

static const char day_names[SCHEDULE_DAYS][3] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};

static void error_set(char *error, size_t error_size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void error_set(char *error, size_t error_size, const char *format, ...)
{
    if (error == NULL || error_size == 0)
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(error, error_size, format, args);
    va_end(args);
}

/* ---- Parsing ---------------------------------------------------------- */

struct parser {
    const char *text;
    const char *at;
    char *error;
    size_t error_size;
};

static bool parser_fail(struct parser *parser, const char *where, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Fills the error with "at character N: " and the message; returns false. */
static bool parser_fail(struct parser *parser, const char *where, const char *format, ...)
{
    if (parser->error == NULL || parser->error_size == 0)
        return false;
    int used = snprintf(parser->error, parser->error_size, _("at character %zu: "),
                        (size_t)(where - parser->text) + 1);
    if (used < 0 || (size_t)used >= parser->error_size)
        return false;
    va_list args;
    va_start(args, format);
    vsnprintf(parser->error + used, parser->error_size - (size_t)used, format, args);
    va_end(args);
    return false;
}

static void parser_skip_spaces(struct parser *parser)
{
    while (*parser->at == ' ' || *parser->at == '\t')
        parser->at++;
}

static bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A whole word, case aside: "off" but not "offer". */
static bool parser_accept_word(struct parser *parser, const char *word)
{
    size_t len = strlen(word);
    if (g_ascii_strncasecmp(parser->at, word, len) != 0 || is_letter(parser->at[len]))
        return false;
    parser->at += len;
    return true;
}

static bool parser_day(struct parser *parser, int *day)
{
    const char *at = parser->at;
    if (is_letter(at[0]) && is_letter(at[1]) && !is_letter(at[2])) {
        for (int d = 0; d < SCHEDULE_DAYS; d++) {
            if (g_ascii_strncasecmp(at, day_names[d], 2) == 0) {
                *day = d;
                parser->at += 2;
                return true;
            }
        }
    }
    return parser_fail(parser, at, "%s", _("expected a day such as Mo"));
}

/* "Mo", "Mo-Fr" (wrapping past Sunday when the end is before the start)
 * and comma lists of both, as a bit per day. */
static bool parser_days(struct parser *parser, unsigned *days)
{
    *days = 0;
    for (;;) {
        int first, last;
        if (!parser_day(parser, &first))
            return false;
        last = first;
        if (*parser->at == '-') {
            parser->at++;
            if (!parser_day(parser, &last))
                return false;
        }
        for (int d = first;; d = (d + 1) % SCHEDULE_DAYS) {
            *days |= 1u << d;
            if (d == last)
                break;
        }
        if (*parser->at != ',')
            return true;
        parser->at++;
        parser_skip_spaces(parser);
    }
}

/* "H:MM" or "HH:MM" as minutes after midnight; "24:00" only when it ends a
 * range. */
static bool parser_time(struct parser *parser, bool is_end, int *minutes)
{
    const char *start = parser->at;
    const char *at = start;
    int hour = 0, digits = 0;
    while (is_digit(*at) && digits < 3) {
        hour = hour * 10 + (*at++ - '0');
        digits++;
    }
    if (digits == 0 || digits > 2 || *at != ':' || !is_digit(at[1]) || !is_digit(at[2]) ||
        is_digit(at[3]))
        return parser_fail(parser, start, "%s", _("expected a time such as 08:00"));
    int minute = (at[1] - '0') * 10 + (at[2] - '0');
    if (hour > 24)
        return parser_fail(parser, start, _("hour %d does not exist (00 to 24)"), hour);
    if (minute > 59)
        return parser_fail(parser, at + 1, _("minute %d does not exist (00 to 59)"), minute);
    if (hour == 24 && minute != 0)
        return parser_fail(parser, start, "%s", _("no time exists past 24:00"));
    if (hour == 24 && !is_end)
        return parser_fail(parser, start, "%s", _("24:00 can only end a time range"));
    parser->at = at + 3;
    *minutes = hour * 60 + minute;
    return true;
}

/* "08:00-12:00,14:00-18:00": an end before its start crosses midnight. */
static bool parser_ranges(struct parser *parser, struct schedule_range *ranges, int *count)
{
    *count = 0;
    for (;;) {
        const char *start_at = parser->at;
        if (*count == SCHEDULE_DAY_RANGES_MAX)
            return parser_fail(parser, start_at, _("more than %d time ranges for one day"),
                               SCHEDULE_DAY_RANGES_MAX);
        int start, end;
        if (!parser_time(parser, false, &start))
            return false;
        if (*parser->at != '-')
            return parser_fail(parser, parser->at, "%s",
                               _("expected - and an end time such as 18:00"));
        parser->at++;
        if (!parser_time(parser, true, &end))
            return false;
        if (end == start)
            return parser_fail(parser, start_at, "%s",
                               _("a time range cannot end when it starts (a whole day is "
                                 "00:00-24:00)"));
        if (end < start)
            end += SCHEDULE_MINUTES_PER_DAY;
        ranges[*count].start = (uint16_t)start;
        ranges[*count].end = (uint16_t)end;
        (*count)++;
        if (*parser->at != ',')
            return true;
        parser->at++;
        parser_skip_spaces(parser);
    }
}

/* One rule; its times replace those of the days it names. */
static bool parser_rule(struct parser *parser, struct schedule *out)
{
    unsigned days = (1u << SCHEDULE_DAYS) - 1;
    struct schedule_range ranges[SCHEDULE_DAY_RANGES_MAX];
    int count = 0;
    if (strncmp(parser->at, "24/7", 4) == 0) {
        parser->at += 4;
        ranges[0] = (struct schedule_range){.start = 0, .end = SCHEDULE_MINUTES_PER_DAY};
        count = 1;
    } else {
        if (!parser_days(parser, &days))
            return false;
        if (*parser->at != ' ' && *parser->at != '\t')
            return parser_fail(parser, parser->at, "%s",
                               _("expected a space, then times such as 08:00-18:00 or off"));
        parser_skip_spaces(parser);
        if (!parser_accept_word(parser, "off") && !parser_accept_word(parser, "closed") &&
            !parser_ranges(parser, ranges, &count))
            return false;
    }
    for (int d = 0; d < SCHEDULE_DAYS; d++) {
        if (days & (1u << d)) {
            out->range_count[d] = (uint8_t)count;
            memcpy(out->ranges[d], ranges, sizeof ranges[0] * (size_t)count);
        }
    }
    return true;
}

/* Sorts a day's ranges and merges those that overlap or touch, as long as
 * the result can still be written as one range (under a day, or exactly
 * 00:00-24:00). */
static void schedule_day_normalise(struct schedule *schedule, int day)
{
    struct schedule_range *ranges = schedule->ranges[day];
    int count = schedule->range_count[day];
    for (int i = 1; i < count; i++) {
        struct schedule_range moving = ranges[i];
        int j = i;
        for (; j > 0 && (ranges[j - 1].start > moving.start ||
                         (ranges[j - 1].start == moving.start && ranges[j - 1].end > moving.end));
             j--)
            ranges[j] = ranges[j - 1];
        ranges[j] = moving;
    }
    int kept = 0;
    for (int i = 0; i < count; i++) {
        if (kept > 0 && ranges[i].start <= ranges[kept - 1].end) {
            int start = ranges[kept - 1].start;
            int end = ranges[i].end > ranges[kept - 1].end ? ranges[i].end : ranges[kept - 1].end;
            if (end - start < SCHEDULE_MINUTES_PER_DAY ||
                (start == 0 && end == SCHEDULE_MINUTES_PER_DAY)) {
                ranges[kept - 1].end = (uint16_t)end;
                continue;
            }
        }
        ranges[kept++] = ranges[i];
    }
    /* Unused slots zeroed: equal schedules are equal bytes. */
    memset(&ranges[kept], 0, sizeof ranges[0] * (size_t)(SCHEDULE_DAY_RANGES_MAX - kept));
    schedule->range_count[day] = (uint8_t)kept;
}

bool schedule_parse(const char *text, struct schedule *out, char *error, size_t error_size)
{
    memset(out, 0, sizeof *out);
    if (text == NULL)
        text = "";
    struct parser parser = {.text = text, .at = text, .error = error, .error_size = error_size};
    size_t length = strnlen(text, SCHEDULE_TEXT_MAX + 1);
    if (length > SCHEDULE_TEXT_MAX)
        return parser_fail(&parser, text + SCHEDULE_TEXT_MAX,
                           _("a schedule is at most %d characters"), SCHEDULE_TEXT_MAX);
    parser_skip_spaces(&parser);
    if (*parser.at == '\0')
        return parser_fail(&parser, parser.at, "%s",
                           _("the schedule is empty: expected a day such as Mo, or 24/7"));
    struct schedule parsed;
    memset(&parsed, 0, sizeof parsed);
    for (int rules = 0;; rules++) {
        if (rules == SCHEDULE_RULES_MAX)
            return parser_fail(&parser, parser.at, _("more than %d rules"), SCHEDULE_RULES_MAX);
        if (!parser_rule(&parser, &parsed))
            return false;
        parser_skip_spaces(&parser);
        if (*parser.at == '\0')
            break;
        if (*parser.at != ';')
            return parser_fail(&parser, parser.at, "%s",
                               _("expected ; between rules, or the end of the schedule"));
        parser.at++;
        parser_skip_spaces(&parser);
    }
    for (int d = 0; d < SCHEDULE_DAYS; d++)
        schedule_day_normalise(&parsed, d);
    *out = parsed;
    return true;
}

/* ---- Canonical text --------------------------------------------------- */

struct text_out {
    char *buffer;
    size_t size;
    size_t length;
};

static void text_append(struct text_out *text, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends what fits; the buffer always stays terminated. */
static void text_append(struct text_out *text, const char *format, ...)
{
    if (text->length + 1 >= text->size)
        return;
    va_list args;
    va_start(args, format);
    int wrote = vsnprintf(text->buffer + text->length, text->size - text->length, format, args);
    va_end(args);
    if (wrote < 0)
        return;
    text->length += (size_t)wrote;
    if (text->length >= text->size)
        text->length = text->size - 1;
}

static bool schedule_days_equal(const struct schedule *schedule, int a, int b)
{
    return schedule->range_count[a] == schedule->range_count[b] &&
           memcmp(schedule->ranges[a], schedule->ranges[b],
                  sizeof schedule->ranges[a][0] * schedule->range_count[a]) == 0;
}

/* Runs of three days or more as "Mo-We", shorter ones as "Mo,Tu". */
static void text_append_days(struct text_out *text, unsigned days)
{
    bool first = true;
    for (int d = 0; d < SCHEDULE_DAYS;) {
        if (!(days & (1u << d))) {
            d++;
            continue;
        }
        int last = d;
        while (last + 1 < SCHEDULE_DAYS && (days & (1u << (last + 1))))
            last++;
        if (last - d >= 2) {
            text_append(text, "%s%s-%s", first ? "" : ",", day_names[d], day_names[last]);
        } else {
            for (int e = d; e <= last; e++)
                text_append(text, "%s%s", first && e == d ? "" : ",", day_names[e]);
        }
        first = false;
        d = last + 1;
    }
}

static void text_append_ranges(struct text_out *text, const struct schedule *schedule, int day)
{
    for (int i = 0; i < schedule->range_count[day]; i++) {
        const struct schedule_range *range = &schedule->ranges[day][i];
        int end = range->end > SCHEDULE_MINUTES_PER_DAY ? range->end - SCHEDULE_MINUTES_PER_DAY
                                                        : range->end;
        text_append(text, "%s%02d:%02d-%02d:%02d", i > 0 ? "," : "", range->start / 60,
                    range->start % 60, end / 60, end % 60);
    }
}

void schedule_format(const struct schedule *schedule, char *out, size_t out_size)
{
    if (out == NULL || out_size == 0)
        return;
    out[0] = '\0';
    struct text_out text = {.buffer = out, .size = out_size, .length = 0};
    bool always = true, never = true;
    for (int d = 0; d < SCHEDULE_DAYS; d++) {
        always = always && schedule->range_count[d] == 1 && schedule->ranges[d][0].start == 0 &&
                 schedule->ranges[d][0].end == SCHEDULE_MINUTES_PER_DAY;
        never = never && schedule->range_count[d] == 0;
    }
    if (always || never) {
        text_append(&text, "%s", always ? "24/7" : "Mo-Su off");
        return;
    }
    unsigned done = 0;
    for (int d = 0; d < SCHEDULE_DAYS; d++) {
        if ((done & (1u << d)) || schedule->range_count[d] == 0)
            continue;
        unsigned days = 0;
        for (int e = d; e < SCHEDULE_DAYS; e++) {
            if (schedule_days_equal(schedule, d, e))
                days |= 1u << e;
        }
        done |= days;
        text_append(&text, "%s", text.length > 0 ? "; " : "");
        text_append_days(&text, days);
        text_append(&text, " ");
        text_append_ranges(&text, schedule, d);
    }
}

/* ---- Time zones --------------------------------------------------------- */

/* Read-locked for lookups, so that the threads of a mass alert do not
 * queue behind one another; write-locked to add or drop zones. */
static GRWLock zone_cache_lock;
static GHashTable *zone_cache; /* identifier -> GTimeZone */

static void zone_unref(gpointer zone)
{
    g_time_zone_unref(zone);
}

/* IANA names start with a capital ("Europe/Paris", "UTC", "EST5EDT") and
 * offsets with a sign ("+01:00"). glib would also read any absolute path,
 * "../" and the zone directory's other files ("leapseconds", "zone.tab"),
 * complaining on stderr: a zone is a name, never a file the caller picks. */
static bool zone_name_is_acceptable(const char *identifier)
{
    size_t length = strnlen(identifier, SCHEDULE_ZONE_NAME_MAX + 1);
    if (length == 0 || length > SCHEDULE_ZONE_NAME_MAX)
        return false;
    char first = identifier[0];
    if (!(first >= 'A' && first <= 'Z') && first != '+' && first != '-')
        return false;
    for (size_t i = 0; i < length; i++) {
        char c = identifier[i];
        if (!is_letter(c) && !is_digit(c) && strchr("/_+-:", c) == NULL)
            return false;
    }
    return true;
}

/* A reference to the zone, to be released with g_time_zone_unref(); NULL
 * when glib does not know the name. */
static GTimeZone *zone_acquire(const char *identifier)
{
    g_rw_lock_reader_lock(&zone_cache_lock);
    GTimeZone *zone = zone_cache != NULL ? g_hash_table_lookup(zone_cache, identifier) : NULL;
    if (zone != NULL)
        g_time_zone_ref(zone);
    g_rw_lock_reader_unlock(&zone_cache_lock);
    if (zone != NULL)
        return zone;

    /* Loaded outside the lock: it reads a file. */
    zone = g_time_zone_new_identifier(identifier);
    if (zone == NULL)
        return NULL;
    g_rw_lock_writer_lock(&zone_cache_lock);
    if (zone_cache == NULL)
        zone_cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, zone_unref);
    if (g_hash_table_lookup(zone_cache, identifier) == NULL &&
        g_hash_table_size(zone_cache) < SCHEDULE_ZONE_CACHE_MAX)
        g_hash_table_insert(zone_cache, g_strdup(identifier), g_time_zone_ref(zone));
    g_rw_lock_writer_unlock(&zone_cache_lock);
    return zone;
}

void schedule_zone_cache_clear(void)
{
    g_rw_lock_writer_lock(&zone_cache_lock);
    GHashTable *old = zone_cache;
    zone_cache = NULL;
    g_rw_lock_writer_unlock(&zone_cache_lock);
    if (old != NULL)
        g_hash_table_destroy(old);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The zone's own offset lookup rather than a GDateTime: the same answer
 * without two allocations a call, in half the time. */
bool schedule_local_time(const char *zone_name, int64_t utc_ms, int *weekday, int *minute,
                         char *error, size_t error_size)
{
    if (zone_name == NULL || zone_name[0] == '\0') {
        error_set(error, error_size, "%s", _("no time zone given"));
        return false;
    }
    GTimeZone *zone = zone_name_is_acceptable(zone_name) ? zone_acquire(zone_name) : NULL;
    if (zone == NULL) {
        error_set(error, error_size, _("unknown time zone \"%.*s\""), SCHEDULE_ZONE_NAME_MAX,
                  zone_name);
        return false;
    }
    int64_t seconds = floor_div(utc_ms, 1000);
    gint interval = g_time_zone_find_interval(zone, G_TIME_TYPE_UNIVERSAL, seconds);
    int64_t local = seconds + g_time_zone_get_offset(zone, interval);
    g_time_zone_unref(zone);
    int64_t days = floor_div(local, SECONDS_PER_DAY);
    *weekday = (int)((days % SCHEDULE_DAYS + SCHEDULE_DAYS + EPOCH_WEEKDAY) % SCHEDULE_DAYS);
    *minute = (int)((local - days * SECONDS_PER_DAY) / 60);
    return true;
}

/* ---- Questions ---------------------------------------------------------- */

/* Whether minute `now` of the week (0 = Monday 00:00) falls in a range that
 * starts `lead` minutes sooner, ranges wrapping from Sunday into Monday. */
static bool schedule_week_contains(const struct schedule *schedule, int now, int lead)
{
    for (int d = 0; d < SCHEDULE_DAYS; d++) {
        for (int i = 0; i < schedule->range_count[d]; i++) {
            const struct schedule_range *range = &schedule->ranges[d][i];
            int start = d * SCHEDULE_MINUTES_PER_DAY + range->start - lead;
            int length = range->end - range->start + lead;
            int since_start =
                ((now - start) % MINUTES_PER_WEEK + MINUTES_PER_WEEK) % MINUTES_PER_WEEK;
            if (length >= MINUTES_PER_WEEK || since_start < length)
                return true;
        }
    }
    return false;
}

bool schedule_contains(const struct schedule *schedule, const char *zone_name, int64_t utc_ms,
                       bool *contains, char *error, size_t error_size)
{
    int weekday, minute;
    if (!schedule_local_time(zone_name, utc_ms, &weekday, &minute, error, error_size))
        return false;
    *contains = schedule_week_contains(schedule, weekday * SCHEDULE_MINUTES_PER_DAY + minute, 0);
    return true;
}

bool schedule_open_is_early(const struct schedule *schedule, const char *zone_name, int64_t utc_ms,
                            int grace_minutes, bool *early, char *error, size_t error_size)
{
    if (grace_minutes < 0 || grace_minutes > SCHEDULE_GRACE_MAX_MINUTES) {
        error_set(error, error_size, _("a grace period is 0 to %d minutes, not %d"),
                  SCHEDULE_GRACE_MAX_MINUTES, grace_minutes);
        return false;
    }
    int weekday, minute;
    if (!schedule_local_time(zone_name, utc_ms, &weekday, &minute, error, error_size))
        return false;
    *early = !schedule_week_contains(schedule, weekday * SCHEDULE_MINUTES_PER_DAY + minute,
                                     grace_minutes);
    return true;
}
