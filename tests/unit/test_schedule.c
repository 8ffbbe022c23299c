/* Unit tests of weekly schedules: the opening_hours subset they are written
 * in, the local time of an instant across DST changes, nights that run into
 * the next day, early opens, and the speed a mass alert needs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "server/schedule.h"

static int64_t instant(const char *rfc3339)
{
    int64_t ms = 0;
    assert_true(clock_parse_rfc3339(rfc3339, &ms));
    return ms;
}

static struct schedule parse_ok(const char *text)
{
    struct schedule schedule;
    char error[SCHEDULE_ERROR_MAX] = "";
    if (!schedule_parse(text, &schedule, error, sizeof error))
        fail_msg("\"%s\" refused: %s", text, error);
    return schedule;
}

/* Parses, formats, and parses the canonical text again to the same struct. */
static void assert_canonical(const char *text, const char *canonical)
{
    struct schedule schedule = parse_ok(text);
    char formatted[SCHEDULE_FORMAT_MAX];
    schedule_format(&schedule, formatted, sizeof formatted);
    assert_string_equal(formatted, canonical);
    struct schedule again = parse_ok(formatted);
    assert_memory_equal(&schedule, &again, sizeof schedule);
}

static void assert_parse_error(const char *text, const char *message)
{
    struct schedule schedule;
    char error[SCHEDULE_ERROR_MAX] = "";
    assert_false(schedule_parse(text, &schedule, error, sizeof error));
    assert_string_equal(error, message);
}

static bool open_at(const char *text, const char *zone, const char *when)
{
    struct schedule schedule = parse_ok(text);
    bool contains = false;
    char error[SCHEDULE_ERROR_MAX] = "";
    if (!schedule_contains(&schedule, zone, instant(when), &contains, error, sizeof error))
        fail_msg("%s", error);
    return contains;
}

static bool early_at(const char *text, const char *when, int grace_minutes)
{
    struct schedule schedule = parse_ok(text);
    bool early = false;
    char error[SCHEDULE_ERROR_MAX] = "";
    if (!schedule_open_is_early(&schedule, "Europe/Paris", instant(when), grace_minutes, &early,
                                error, sizeof error))
        fail_msg("%s", error);
    return early;
}

/* The local time as "D HH:MM", D from 0 (Monday). */
static void assert_local(const char *zone, const char *when, int weekday, const char *hhmm)
{
    int day = -1, minute = -1;
    char error[SCHEDULE_ERROR_MAX] = "";
    if (!schedule_local_time(zone, instant(when), &day, &minute, error, sizeof error))
        fail_msg("%s", error);
    char local[16];
    snprintf(local, sizeof local, "%02d:%02d", minute / 60, minute % 60);
    assert_int_equal(day, weekday);
    assert_string_equal(local, hhmm);
}

static void test_examples_from_the_data_format_back_unchanged(void **state)
{
    (void)state;
    const char *examples[] = {"Mo-Fr 08:30-17:30", "Mo-Fr 07:00-19:00",
                              "Mo-Sa 09:00-19:30; Su 09:00-13:00", "Mo-Fr 18:00-08:00", "24/7"};
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++)
        assert_canonical(examples[i], examples[i]);
    struct schedule overnight = parse_ok("Mo-Fr 18:00-08:00");
    assert_int_equal(overnight.range_count[0], 1);
    assert_int_equal(overnight.ranges[0][0].start, 18 * 60);
    assert_int_equal(overnight.ranges[0][0].end, 32 * 60);
    assert_int_equal(overnight.range_count[5], 0);
}

static void test_day_lists_wrapping_ranges_and_spaces(void **state)
{
    (void)state;
    assert_canonical("Mo-We,Fr 08:00-12:00", "Mo-We,Fr 08:00-12:00");
    assert_canonical("Mo,We,Fr 08:00-12:00", "Mo,We,Fr 08:00-12:00");
    assert_canonical("Fr-Mo 10:00-11:00", "Mo,Fr-Su 10:00-11:00");
    assert_canonical("Sa,Su 10:00-11:00", "Sa,Su 10:00-11:00");
    assert_canonical("  mo-fr 8:00-12:00, 14:00-18:00 ;Sa  09:00-12:00  ",
                     "Mo-Fr 08:00-12:00,14:00-18:00; Sa 09:00-12:00");
    assert_canonical("Mo-Su 00:00-24:00", "24/7");
    assert_canonical("Mo-Fr 09:00-24:00", "Mo-Fr 09:00-24:00");
    assert_canonical("24/7; Su off", "Mo-Sa 00:00-24:00");
    assert_canonical("Mo-Su off", "Mo-Su off");
    assert_canonical("Mo-Fr 08:00-12:00; We closed", "Mo,Tu,Th,Fr 08:00-12:00");
}

static void test_later_rules_replace_days_and_ranges_merge(void **state)
{
    (void)state;
    /* As in opening_hours: a later rule replaces the days it names. */
    assert_canonical("Mo-Sa 08:00-18:00; Sa 09:00-12:00", "Mo-Fr 08:00-18:00; Sa 09:00-12:00");
    assert_canonical("Mo 08:00-12:00,11:00-14:00,14:00-15:00", "Mo 08:00-15:00");
    assert_canonical("Mo 14:00-15:00,08:00-09:00", "Mo 08:00-09:00,14:00-15:00");
    /* Merged, these would last more than a day: they stay two. */
    assert_canonical("Mo 20:00-06:00,00:00-23:00", "Mo 00:00-23:00,20:00-06:00");
    assert_canonical("Mo 00:00-12:00,12:00-24:00", "Mo 00:00-24:00");
}

static void test_malformed_schedules_say_where(void **state)
{
    (void)state;
    assert_parse_error("", "at character 1: the schedule is empty: expected a day such as Mo, "
                           "or 24/7");
    assert_parse_error("   ", "at character 4: the schedule is empty: expected a day such as "
                              "Mo, or 24/7");
    assert_parse_error("Mo-Xx 08:00-09:00", "at character 4: expected a day such as Mo");
    assert_parse_error("Mo 25:00-26:00", "at character 4: hour 25 does not exist (00 to 24)");
    assert_parse_error("Mo 09:00", "at character 9: expected - and an end time such as 18:00");
    assert_parse_error("Mo 08:60-09:00", "at character 7: minute 60 does not exist (00 to 59)");
    assert_parse_error("Mo 24:00-08:00", "at character 4: 24:00 can only end a time range");
    assert_parse_error("Mo 08:00-24:30", "at character 10: no time exists past 24:00");
    assert_parse_error("Mo 08:00-08:00", "at character 4: a time range cannot end when it "
                                         "starts (a whole day is 00:00-24:00)");
    assert_parse_error("Mo 8h-12h", "at character 4: expected a time such as 08:00");
    assert_parse_error("Mo 008:00-12:00", "at character 4: expected a time such as 08:00");
    assert_parse_error("Mon-Fri 08:00-12:00", "at character 1: expected a day such as Mo");
    assert_parse_error("Mo08:00-09:00",
                       "at character 3: expected a space, then times such as 08:00-18:00 or off");
    assert_parse_error("Mo-Fr 08:00-17:00 Sa 09:00-12:00",
                       "at character 19: expected ; between rules, or the end of the schedule");
    assert_parse_error("Mo-Fr 08:00-17:00;", "at character 19: expected a day such as Mo");
    assert_parse_error("PH off", "at character 1: expected a day such as Mo");
    assert_parse_error("Mo 01:00-02:00,03:00-04:00,05:00-06:00,07:00-08:00,09:00-10:00,"
                       "11:00-12:00,13:00-14:00,15:00-16:00,17:00-18:00",
                       "at character 100: more than 8 time ranges for one day");
}

static void test_too_many_rules_and_too_long_text_are_refused(void **state)
{
    (void)state;
    char text[SCHEDULE_TEXT_MAX + 16] = "";
    for (int i = 0; i < SCHEDULE_RULES_MAX; i++)
        strcat(text, "Mo off;");
    text[strlen(text) - 1] = '\0';
    parse_ok(text); /* 32 rules: the most allowed */
    strcat(text, ";Mo off");
    assert_parse_error(text, "at character 225: more than 32 rules");

    memset(text, ' ', SCHEDULE_TEXT_MAX + 1);
    memcpy(text, "Mo 08:00-09:00", 14);
    text[SCHEDULE_TEXT_MAX] = '\0';
    parse_ok(text); /* 256 characters */
    text[SCHEDULE_TEXT_MAX] = ' ';
    text[SCHEDULE_TEXT_MAX + 1] = '\0';
    assert_parse_error(text, "at character 257: a schedule is at most 256 characters");
}

static void test_local_time_across_paris_dst_changes(void **state)
{
    (void)state;
    /* 2026-03-29: 02:00 CET becomes 03:00 CEST at 01:00 UTC. */
    assert_local("Europe/Paris", "2026-03-29T00:59:00Z", 6, "01:59");
    assert_local("Europe/Paris", "2026-03-29T01:00:00Z", 6, "03:00");
    /* 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00 UTC; 02:30 twice. */
    assert_local("Europe/Paris", "2026-10-25T00:30:00Z", 6, "02:30");
    assert_local("Europe/Paris", "2026-10-25T00:59:00Z", 6, "02:59");
    assert_local("Europe/Paris", "2026-10-25T01:00:00Z", 6, "02:00");
    assert_local("Europe/Paris", "2026-10-25T01:30:00Z", 6, "02:30");
    /* Across midnight and the week: Sunday 23:30 UTC is Monday in Paris. */
    assert_local("Europe/Paris", "2026-01-11T23:30:00Z", 0, "00:30");
    assert_local("UTC", "2026-01-11T23:30:00Z", 6, "23:30");
    assert_local("+05:45", "2026-01-11T23:30:00Z", 0, "05:15");
    /* Before 1970 too: 1969-12-31 was a Wednesday. */
    assert_local("Europe/Paris", "1969-12-31T22:59:59Z", 2, "23:59");
}

static void test_contains_follows_dst_in_paris(void **state)
{
    (void)state;
    const char *office = "Mo-Fr 08:30-17:30";
    /* The same UTC time of day, one week apart: closed in winter time,
     * open in summer time. */
    assert_false(open_at(office, "Europe/Paris", "2026-03-23T06:45:00Z")); /* 07:45 CET */
    assert_true(open_at(office, "Europe/Paris", "2026-03-30T06:45:00Z"));  /* 08:45 CEST */
    assert_true(open_at(office, "Europe/Paris", "2026-10-19T07:15:00Z"));  /* 09:15 CEST */
    assert_false(open_at(office, "Europe/Paris", "2026-10-26T07:15:00Z")); /* 08:15 CET */
    assert_true(open_at(office, "Europe/Paris", "2026-10-26T16:29:00Z"));  /* 17:29 CET */
    assert_false(open_at(office, "Europe/Paris", "2026-10-26T16:30:00Z")); /* 17:30 CET */
    /* In UTC the same instants read otherwise. */
    assert_false(open_at(office, "UTC", "2026-03-30T06:45:00Z"));
}

static void test_contains_in_brussels(void **state)
{
    (void)state;
    const char *shop = "Mo-Sa 09:00-19:30; Su 09:00-13:00";
    assert_false(open_at(shop, "Europe/Brussels", "2026-03-22T07:30:00Z")); /* Su 08:30 */
    assert_true(open_at(shop, "Europe/Brussels", "2026-03-29T07:30:00Z"));  /* Su 09:30 */
    assert_false(open_at(shop, "Europe/Brussels", "2026-03-29T11:30:00Z")); /* Su 13:30 */
    assert_true(open_at(shop, "Europe/Brussels", "2026-03-28T18:29:00Z"));  /* Sa 19:29 */
    assert_false(open_at(shop, "Europe/Brussels", "2026-03-28T18:30:00Z")); /* Sa 19:30 */
}

/* Our offset arithmetic against GDateTime, every 47 minutes of 2026 and
 * every 5 days and 7 minutes from 1950 to 2050, in zones with DST, half
 * hours, quarter hours and none. */
static void test_local_time_matches_gdatetime(void **state)
{
    (void)state;
    const char *zones[] = {"Europe/Paris",        "Europe/Brussels", "America/New_York",
                           "Australia/Lord_Howe", "Asia/Kathmandu",  "UTC"};
    const struct {
        int64_t from, to, step;
    } sweeps[] = {
        {instant("2026-01-01T00:00:00Z"), instant("2027-01-01T00:00:00Z"), 47 * 60000},
        {instant("1950-01-01T00:00:00Z"), instant("2050-01-01T00:00:00Z"),
         (5 * 1440 + 7) * 60000LL},
    };
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        GTimeZone *zone = g_time_zone_new_identifier(zones[z]);
        assert_non_null(zone);
        for (size_t s = 0; s < sizeof sweeps / sizeof sweeps[0]; s++) {
            for (int64_t ms = sweeps[s].from; ms < sweeps[s].to; ms += sweeps[s].step) {
                GDateTime *utc = g_date_time_new_from_unix_utc(ms / 1000);
                GDateTime *local = g_date_time_to_timezone(utc, zone);
                int weekday, minute;
                assert_true(schedule_local_time(zones[z], ms, &weekday, &minute, NULL, 0));
                assert_int_equal(weekday + 1, g_date_time_get_day_of_week(local));
                assert_int_equal(minute,
                                 g_date_time_get_hour(local) * 60 + g_date_time_get_minute(local));
                g_date_time_unref(local);
                g_date_time_unref(utc);
            }
        }
        g_time_zone_unref(zone);
    }
}

static void test_overnight_range_runs_into_the_next_morning(void **state)
{
    (void)state;
    const char *night = "Mo-Fr 18:00-08:00";
    const char *paris = "Europe/Paris";
    assert_true(open_at(night, paris, "2026-01-13T02:00:00+01:00"));  /* Tu, from Mo */
    assert_true(open_at(night, paris, "2026-01-17T02:00:00+01:00"));  /* Sa, from Fr */
    assert_false(open_at(night, paris, "2026-01-17T08:00:00+01:00")); /* Sa morning ends */
    assert_false(open_at(night, paris, "2026-01-18T02:00:00+01:00")); /* Su: no Sa night */
    assert_false(open_at(night, paris, "2026-01-12T02:00:00+01:00")); /* Mo: no Su night */
    assert_false(open_at(night, paris, "2026-01-12T17:59:00+01:00"));
    assert_true(open_at(night, paris, "2026-01-12T18:00:00+01:00"));
    assert_true(open_at(night, paris, "2026-01-13T07:59:00+01:00"));
    assert_false(open_at(night, paris, "2026-01-13T08:00:00+01:00"));
    /* The night of the spring change is an hour shorter, still covered. */
    assert_true(open_at("Sa 22:00-06:00", paris, "2026-03-29T03:30:00+02:00"));
}

static void test_sunday_runs_into_monday(void **state)
{
    (void)state;
    const char *paris = "Europe/Paris";
    assert_false(open_at("Su 22:00-02:00", paris, "2026-01-11T21:59:00+01:00"));
    assert_true(open_at("Su 22:00-02:00", paris, "2026-01-11T22:00:00+01:00"));
    assert_true(open_at("Su 22:00-02:00", paris, "2026-01-12T01:00:00+01:00"));
    assert_false(open_at("Su 22:00-02:00", paris, "2026-01-12T02:00:00+01:00"));
    assert_false(open_at("Su 22:00-02:00", paris, "2026-01-13T01:00:00+01:00"));
    const char *weekend = "Fr-Mo 10:00-11:00";
    assert_true(open_at(weekend, paris, "2026-01-11T10:30:00+01:00"));  /* Su */
    assert_true(open_at(weekend, paris, "2026-01-12T10:30:00+01:00"));  /* Mo */
    assert_false(open_at(weekend, paris, "2026-01-13T10:30:00+01:00")); /* Tu */
    assert_false(open_at(weekend, paris, "2026-01-15T10:30:00+01:00")); /* Th */
    assert_true(open_at(weekend, paris, "2026-01-16T10:30:00+01:00"));  /* Fr */
}

static void test_off_closes_a_day_but_not_the_night_before(void **state)
{
    (void)state;
    const char *paris = "Europe/Paris";
    const char *week = "Mo-Su 08:00-18:00; Su off";
    assert_true(open_at(week, paris, "2026-01-17T10:00:00+01:00"));  /* Sa */
    assert_false(open_at(week, paris, "2026-01-18T10:00:00+01:00")); /* Su */
    const char *nights = "Mo-Su 22:00-06:00; Sa off";
    assert_true(open_at(nights, paris, "2026-01-17T03:00:00+01:00"));  /* Fr's night */
    assert_false(open_at(nights, paris, "2026-01-17T23:00:00+01:00")); /* Sa's, off */
    assert_false(open_at(nights, paris, "2026-01-18T03:00:00+01:00"));
    assert_true(open_at(nights, paris, "2026-01-18T23:00:00+01:00"));
    assert_true(open_at("24/7", paris, "2026-03-29T02:30:00+02:00"));
    assert_true(open_at("24/7", paris, "2026-01-18T23:59:00+01:00"));
    assert_false(open_at("Mo-Su off", paris, "2026-01-14T12:00:00+01:00"));
}

static void test_early_open_with_and_without_grace(void **state)
{
    (void)state;
    const char *office = "Mo-Fr 08:30-17:30";
    assert_false(early_at(office, "2026-01-13T08:20:00+01:00", 15)); /* 10 min before */
    assert_false(early_at(office, "2026-01-13T08:15:00+01:00", 15));
    assert_true(early_at(office, "2026-01-13T08:14:00+01:00", 15));
    assert_true(early_at(office, "2026-01-13T07:50:00+01:00", 15)); /* 40 min before */
    assert_true(early_at(office, "2026-01-13T08:20:00+01:00", 0));
    assert_false(early_at(office, "2026-01-13T08:30:00+01:00", 0));
    assert_false(early_at(office, "2026-01-13T12:00:00+01:00", 0));
    assert_true(early_at(office, "2026-01-13T17:30:00+01:00", 15)); /* closing time */
    assert_true(early_at(office, "2026-01-13T18:00:00+01:00", 15));
    assert_true(early_at(office, "2026-01-17T08:20:00+01:00", 15)); /* Saturday */
    /* Summer time: 08:20 local is 06:20 UTC. */
    assert_false(early_at(office, "2026-06-16T06:20:00Z", 15));
    assert_true(early_at(office, "2026-06-16T06:20:00Z", 0));

    const char *night = "Mo-Fr 18:00-08:00";
    assert_false(early_at(night, "2026-01-12T17:40:00+01:00", 30));
    assert_true(early_at(night, "2026-01-12T17:29:00+01:00", 30));
    assert_false(early_at(night, "2026-01-17T07:00:00+01:00", 30)); /* Fr's night */
    assert_true(early_at(night, "2026-01-18T23:00:00+01:00", 30));
    /* The grace reaches back over the end of the week. */
    assert_false(early_at("Mo 00:10-08:00", "2026-01-18T23:50:00+01:00", 30));
    assert_true(early_at("Mo 00:10-08:00", "2026-01-18T23:30:00+01:00", 30));
    /* A day's grace: Monday's opening is normal from Sunday at the same hour. */
    assert_false(early_at("Mo 08:00-09:00", "2026-01-11T08:00:00+01:00", 1440));
    assert_true(early_at("Mo 08:00-09:00", "2026-01-11T07:59:00+01:00", 1440));
}

static void test_bad_grace_and_unknown_zones_are_errors(void **state)
{
    (void)state;
    struct schedule office = parse_ok("Mo-Fr 08:30-17:30");
    char error[SCHEDULE_ERROR_MAX] = "";
    bool answer = false;
    int64_t when = instant("2026-01-13T08:20:00+01:00");
    assert_false(
        schedule_open_is_early(&office, "Europe/Paris", when, -1, &answer, error, sizeof error));
    assert_string_equal(error, "a grace period is 0 to 1440 minutes, not -1");
    assert_false(
        schedule_open_is_early(&office, "Europe/Paris", when, 1441, &answer, error, sizeof error));

    assert_false(schedule_contains(&office, "Mars/Olympus", when, &answer, error, sizeof error));
    assert_string_equal(error, "unknown time zone \"Mars/Olympus\"");
    assert_false(
        schedule_open_is_early(&office, "Mars/Olympus", when, 15, &answer, error, sizeof error));
    assert_string_equal(error, "unknown time zone \"Mars/Olympus\"");
    /* A zone is a name, never a file. */
    const char *paths[] = {"/usr/share/zoneinfo/Europe/Paris",
                           "Europe/../Europe/Paris",
                           ":Europe/Paris",
                           "/etc/passwd",
                           "leapseconds",
                           "zone.tab",
                           "posix/Europe/Paris",
                           "Europe/Paris "};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        assert_false(schedule_contains(&office, paths[i], when, &answer, error, sizeof error));
    assert_false(schedule_contains(&office, "", when, &answer, error, sizeof error));
    assert_string_equal(error, "no time zone given");
    assert_false(schedule_contains(&office, NULL, when, &answer, NULL, 0));
    /* Still known after an unknown one. */
    when = instant("2026-01-13T09:00:00+01:00");
    assert_true(schedule_contains(&office, "Europe/Paris", when, &answer, error, sizeof error));
    assert_true(answer);
}

/* More zones than the cache holds: the ones past the bound are loaded at
 * each call and still right. */
static void test_zones_beyond_the_cache_bound_stay_correct(void **state)
{
    (void)state;
    int64_t when = instant("2026-01-12T00:00:00Z"); /* a Monday */
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < SCHEDULE_ZONE_CACHE_MAX + 40; i++) {
            int offset = i * 7; /* minutes east of UTC, up to 19:29 */
            char zone[16];
            snprintf(zone, sizeof zone, "+%02d:%02d", offset / 60, offset % 60);
            int weekday, minute;
            assert_true(schedule_local_time(zone, when, &weekday, &minute, NULL, 0));
            assert_int_equal(weekday, 0);
            assert_int_equal(minute, offset);
        }
    }
    schedule_zone_cache_clear();
    schedule_zone_cache_clear();
    assert_local("Europe/Paris", "2026-01-12T00:00:00Z", 0, "01:00");
}

struct worker {
    struct schedule schedule;
    int64_t from;
    int opened;
    bool clears;
};

static gpointer worker_run(gpointer data)
{
    struct worker *worker = data;
    const char *zones[] = {"Europe/Paris", "Europe/Brussels", "Europe/Lisbon"};
    for (int i = 0; i < 30000; i++) {
        bool contains = false;
        if (!schedule_contains(&worker->schedule, zones[i % 3], worker->from + i * 60000LL,
                               &contains, NULL, 0))
            return GINT_TO_POINTER(1);
        worker->opened += contains;
        if (worker->clears && i % 1000 == 0)
            schedule_zone_cache_clear();
    }
    return NULL;
}

/* Threads share the cache while one keeps emptying it. */
static void test_threads_share_the_zone_cache(void **state)
{
    (void)state;
    struct worker workers[4];
    GThread *threads[4];
    for (int t = 0; t < 4; t++) {
        workers[t] = (struct worker){.schedule = parse_ok("24/7"),
                                     .from = instant("2026-01-12T00:00:00Z"),
                                     .clears = t == 0};
        threads[t] = g_thread_new("schedule", worker_run, &workers[t]);
    }
    for (int t = 0; t < 4; t++) {
        assert_null(g_thread_join(threads[t]));
        assert_int_equal(workers[t].opened, 30000);
    }
}

static void test_speed_of_a_million_contains(void **state)
{
    (void)state;
    enum { CALLS = 1000000, LOADS = 50 };
    struct schedule office = parse_ok("Mo-Fr 08:30-17:30");
    int64_t when = instant("2026-01-01T00:00:00Z");
    bool contains = false;
    assert_true(schedule_contains(&office, "Europe/Paris", when, &contains, NULL, 0));

    int opened = 0;
    int64_t started = clock_monotonic_us();
    for (int i = 0; i < CALLS; i++) {
        /* 61 s apart: a million calls span two years, both DST changes. */
        assert_true(
            schedule_contains(&office, "Europe/Paris", when + i * 61000LL, &contains, NULL, 0));
        opened += contains;
    }
    int64_t elapsed = clock_monotonic_us() - started;
    printf("# %d schedule_contains() on a cached zone: %.0f ms (%.0f ns a call)\n", CALLS,
           elapsed / 1000.0, elapsed * 1000.0 / CALLS);
    /* 45 open hours of 168. */
    assert_in_range(opened, CALLS * 45 / 168 - CALLS / 100, CALLS * 45 / 168 + CALLS / 100);

    started = clock_monotonic_us();
    for (int i = 0; i < LOADS; i++)
        g_time_zone_unref(g_time_zone_new_identifier("Asia/Tokyo"));
    elapsed = clock_monotonic_us() - started;
    printf("# loading a zone without the cache: %.0f us\n", (double)elapsed / LOADS);
    fflush(stdout);
}

static int teardown(void **state)
{
    (void)state;
    schedule_zone_cache_clear();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples_from_the_data_format_back_unchanged),
        cmocka_unit_test(test_day_lists_wrapping_ranges_and_spaces),
        cmocka_unit_test(test_later_rules_replace_days_and_ranges_merge),
        cmocka_unit_test(test_malformed_schedules_say_where),
        cmocka_unit_test(test_too_many_rules_and_too_long_text_are_refused),
        cmocka_unit_test(test_local_time_across_paris_dst_changes),
        cmocka_unit_test(test_contains_follows_dst_in_paris),
        cmocka_unit_test(test_contains_in_brussels),
        cmocka_unit_test(test_local_time_matches_gdatetime),
        cmocka_unit_test(test_overnight_range_runs_into_the_next_morning),
        cmocka_unit_test(test_sunday_runs_into_monday),
        cmocka_unit_test(test_off_closes_a_day_but_not_the_night_before),
        cmocka_unit_test(test_early_open_with_and_without_grace),
        cmocka_unit_test(test_bad_grace_and_unknown_zones_are_errors),
        cmocka_unit_test(test_zones_beyond_the_cache_bound_stay_correct),
        cmocka_unit_test(test_threads_share_the_zone_cache),
        cmocka_unit_test(test_speed_of_a_million_contains),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
