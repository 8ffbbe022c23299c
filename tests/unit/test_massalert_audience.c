/* Unit tests of who a mass alert reaches: only vetted agents of validated
 * sites on duty now, on the channels that can reach them, and everyone
 * else counted under the first reason that applies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <time.h>

#include "server/massalert_audience.h"

#define ALL_CHANNELS                                                                               \
    (MASSALERT_CHANNEL_BIT(MASSALERT_SMS) | MASSALERT_CHANNEL_BIT(MASSALERT_EMAIL) |               \
     MASSALERT_CHANNEL_BIT(MASSALERT_VOICE) | MASSALERT_CHANNEL_BIT(MASSALERT_PUSH))

/* UTC epoch ms of a date and time. */
static int64_t utc_ms(int year, int month, int day, int hour, int minute)
{
    struct tm tm = {.tm_year = year - 1900,
                    .tm_mon = month - 1,
                    .tm_mday = day,
                    .tm_hour = hour,
                    .tm_min = minute};
    return (int64_t)timegm(&tm) * 1000;
}

static struct massalert_candidate guard(void)
{
    return (struct massalert_candidate){.vetted = true,
                                        .site_validated = true,
                                        .duty = "24/7",
                                        .timezone = "Europe/Paris",
                                        .phone = "+33612345678",
                                        .phone_kind = "mobile",
                                        .email = "guard@example.fr",
                                        .has_push = false};
}

static void test_a_vetted_agent_on_duty_is_reached_on_every_channel_he_has(void **state)
{
    (void)state;
    struct massalert_candidate c = guard();
    unsigned reach = 0;
    assert_int_equal(massalert_judge(&c, ALL_CHANNELS, utc_ms(2026, 11, 25, 12, 0), &reach),
                     MASSALERT_SELECTED);
    assert_int_equal(reach, MASSALERT_CHANNEL_BIT(MASSALERT_SMS) |
                                MASSALERT_CHANNEL_BIT(MASSALERT_EMAIL) |
                                MASSALERT_CHANNEL_BIT(MASSALERT_VOICE));
    /* Only what was asked for. */
    assert_int_equal(massalert_judge(&c, MASSALERT_CHANNEL_BIT(MASSALERT_EMAIL),
                                     utc_ms(2026, 11, 25, 12, 0), &reach),
                     MASSALERT_SELECTED);
    assert_int_equal(reach, MASSALERT_CHANNEL_BIT(MASSALERT_EMAIL));
}

static void test_the_first_reason_counts(void **state)
{
    (void)state;
    unsigned reach = 0;
    int64_t now = utc_ms(2026, 11, 25, 12, 0);
    struct massalert_candidate c = guard();
    c.vetted = false;
    c.site_validated = false;
    assert_int_equal(massalert_judge(&c, ALL_CHANNELS, now, &reach), MASSALERT_NOT_VETTED);
    assert_int_equal(reach, 0);
    c.vetted = true;
    assert_int_equal(massalert_judge(&c, ALL_CHANNELS, now, &reach), MASSALERT_SITE_NOT_VALIDATED);
    c.site_validated = true;
    c.duty = "Mo-Fr 07:00-11:00";
    assert_int_equal(massalert_judge(&c, ALL_CHANNELS, now, &reach), MASSALERT_OFF_DUTY);
    assert_string_equal(massalert_verdict_name(MASSALERT_OFF_DUTY), "off_duty");
}

static void test_duty_hours_are_read_in_the_site_s_time_zone(void **state)
{
    (void)state;
    unsigned reach = 0;
    struct massalert_candidate c = guard();
    c.duty = "Mo-Fr 07:00-19:00";
    /* Monday 23 November 2026, 06:30 UTC: 07:30 in Paris, 01:30 in New York. */
    int64_t monday = utc_ms(2026, 11, 23, 6, 30);
    assert_int_equal(massalert_judge(&c, ALL_CHANNELS, monday, &reach), MASSALERT_SELECTED);
    c.timezone = "America/New_York";
    assert_int_equal(massalert_judge(&c, ALL_CHANNELS, monday, &reach), MASSALERT_OFF_DUTY);
    /* Saturday noon in Paris: off. */
    c.timezone = "Europe/Paris";
    assert_int_equal(massalert_judge(&c, ALL_CHANNELS, utc_ms(2026, 11, 28, 11, 0), &reach),
                     MASSALERT_OFF_DUTY);
    /* Hours that cannot be read never count as on duty. */
    c.duty = "whenever";
    assert_int_equal(massalert_judge(&c, ALL_CHANNELS, monday, &reach), MASSALERT_OFF_DUTY);
    c.duty = "24/7";
    c.timezone = "Mars/Olympus";
    assert_int_equal(massalert_judge(&c, ALL_CHANNELS, monday, &reach), MASSALERT_OFF_DUTY);
}

static void test_a_landline_takes_a_call_not_an_sms(void **state)
{
    (void)state;
    unsigned reach = 0;
    int64_t now = utc_ms(2026, 11, 25, 12, 0);
    struct massalert_candidate c = guard();
    c.phone = "+33123456789";
    c.phone_kind = "fixed";
    c.email = NULL;
    assert_int_equal(massalert_judge(&c, MASSALERT_CHANNEL_BIT(MASSALERT_SMS), now, &reach),
                     MASSALERT_NO_CONTACT);
    assert_int_equal(massalert_judge(&c, ALL_CHANNELS, now, &reach), MASSALERT_SELECTED);
    assert_int_equal(reach, MASSALERT_CHANNEL_BIT(MASSALERT_VOICE));
    /* Push only for those who subscribed. */
    assert_int_equal(massalert_judge(&c, MASSALERT_CHANNEL_BIT(MASSALERT_PUSH), now, &reach),
                     MASSALERT_NO_CONTACT);
    c.has_push = true;
    assert_int_equal(massalert_judge(&c, MASSALERT_CHANNEL_BIT(MASSALERT_PUSH), now, &reach),
                     MASSALERT_SELECTED);
}

static void test_channel_names_round_trip(void **state)
{
    (void)state;
    for (int i = 0; i < MASSALERT_CHANNELS; i++) {
        enum massalert_channel channel;
        assert_true(
            massalert_channel_parse(massalert_channel_name((enum massalert_channel)i), &channel));
        assert_int_equal(channel, i);
    }
    enum massalert_channel channel;
    assert_false(massalert_channel_parse("fax", &channel));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_vetted_agent_on_duty_is_reached_on_every_channel_he_has),
        cmocka_unit_test(test_the_first_reason_counts),
        cmocka_unit_test(test_duty_hours_are_read_in_the_site_s_time_zone),
        cmocka_unit_test(test_a_landline_takes_a_call_not_an_sms),
        cmocka_unit_test(test_channel_names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
