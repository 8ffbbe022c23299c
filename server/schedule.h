/* schedule.h: weekly schedules in a subset of OpenStreetMap's opening_hours
 * ("Mo-Fr 08:30-17:30; Sa 09:00-12:00; Su off", "24/7"): a site's opening
 * hours (a disarm outside them is an early open) and an agent's duty hours.
 * Times are local to an IANA zone, converted with glib, never through TZ. */
#ifndef VIGIE_SERVER_SCHEDULE_H
#define VIGIE_SERVER_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A schedule is typed by an operator in one field; the longest of a
 * centre's data is under 60 characters. */
#define SCHEDULE_TEXT_MAX 256
/* Rules separated by ';'. Seven (one a day) is the most a week needs; the
 * rest is room for overrides such as "Su off". */
#define SCHEDULE_RULES_MAX 32
/* Time ranges of one day ("08:00-12:00,14:00-18:00" is two). */
#define SCHEDULE_DAY_RANGES_MAX 8
/* The canonical text of the longest schedule that fits the struct: seven
 * days, each with its own eight ranges. */
#define SCHEDULE_FORMAT_MAX 1024
/* "at character 257: ..." and a sentence. */
#define SCHEDULE_ERROR_MAX 192
/* A grace period longer than a day would make every disarm normal. */
#define SCHEDULE_GRACE_MAX_MINUTES 1440
/* IANA names are at most 32 characters ("America/Argentina/ComodRivadavia");
 * twice that is room to spare. */
#define SCHEDULE_ZONE_NAME_MAX 64
/* Time zones kept loaded: reading one from disk took 0.1 to 0.4 ms here,
 * and a mass alert evaluates up to a million agents. Europe's and Africa's
 * zones together are fewer; one past the bound is loaded at each call. */
#define SCHEDULE_ZONE_CACHE_MAX 128

#define SCHEDULE_DAYS            7
#define SCHEDULE_MINUTES_PER_DAY 1440

/* Minutes after the local midnight of the day the range belongs to. A range
 * crossing midnight ("22:00-06:00") ends past 1440 (here 1800): it belongs
 * to its starting day and runs into the next morning. */
struct schedule_range {
    uint16_t start; /* 0..1439 */
    uint16_t end;   /* start < end <= start + 1440, at most 2880 */
};

/* Per weekday, Monday first, ranges sorted by start, overlapping ones
 * merged, unused slots zero (equal schedules are equal bytes). 232 bytes of
 * plain data, so threads may share it read-only. */
struct schedule {
    uint8_t range_count[SCHEDULE_DAYS];
    struct schedule_range ranges[SCHEDULE_DAYS][SCHEDULE_DAY_RANGES_MAX];
};

/* Parses "24/7" or rules separated by ';' (spaces around it allowed), each
 * "DAYS TIMES" or "DAYS off":
 *   DAYS   Mo Tu We Th Fr Sa Su, a range "Mo-Fr" (may wrap: "Fr-Mo"), or a
 *          comma list of both ("Mo-We,Fr"); "24/7" as a rule is every day
 *          00:00-24:00, so "24/7; Su off" works.
 *   TIMES  "HH:MM-HH:MM" separated by ','; "24:00" only as an end; an end
 *          before its start crosses midnight.
 * As in opening_hours, a later rule replaces the times of the days it names
 * ("Mo-Sa 08:00-18:00; Sa 09:00-12:00" closes Saturday at noon) and "off"
 * closes them; neither removes the night that the previous day's range
 * runs into. On failure returns false, leaves `out` empty (never open) and
 * fills `error` with where and why ("at character 4: expected a day such
 * as Mo"); characters count from 1. */
bool schedule_parse(const char *text, struct schedule *out, char *error, size_t error_size);

/* The canonical text: days with the same times grouped ("Mo-Fr 08:30-17:30;
 * Sa 09:00-12:00"), closed days left out, "24/7" for always and "Mo-Su
 * off" for never. schedule_parse() of it gives the same struct. Truncated
 * to fit `out_size` (SCHEDULE_FORMAT_MAX always fits). */
void schedule_format(const struct schedule *schedule, char *out, size_t out_size);

/* The local weekday (0 Monday .. 6 Sunday) and minute of the day (0..1439)
 * of `utc_ms` in `zone_name` (an IANA name such as "Europe/Paris", or an
 * offset such as "+01:00"). False, with a message, for an unknown zone or
 * a path: zones are named, never read from a file the caller chooses.
 * Thread-safe; zones are loaded once (see SCHEDULE_ZONE_CACHE_MAX). */
bool schedule_local_time(const char *zone_name, int64_t utc_ms, int *weekday, int *minute,
                         char *error, size_t error_size);

/* Whether the local time of `utc_ms` in `zone_name` is inside one of the
 * schedule's ranges (a range includes its start minute, not its end). */
bool schedule_contains(const struct schedule *schedule, const char *zone_name, int64_t utc_ms,
                       bool *contains, char *error, size_t error_size);

/* Whether an opening (a disarm) at `utc_ms` is early: outside every range
 * once each range starts `grace_minutes` sooner (0..1440). With "Mo-Fr
 * 08:30-17:30" and 15 minutes, a disarm at 08:20 is normal, at 07:50 or at
 * 18:00 early. */
bool schedule_open_is_early(const struct schedule *schedule, const char *zone_name, int64_t utc_ms,
                            int grace_minutes, bool *early, char *error, size_t error_size);

/* Drops the loaded time zones (at shutdown, or after the system's time zone
 * data was updated). Calls under way keep the zone they use. */
void schedule_zone_cache_clear(void);

#endif
