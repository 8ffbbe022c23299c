/* Unit tests of the alarm summary written without cJSON: for alarms in
 * every state, with and without claim, flags, zone, position, and with
 * text that needs escaping, the bytes are those of
 * cJSON_PrintUnformatted(alarm_summary_json()), which clients already
 * parse; and a buffer too small is refused, never overrun. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/alarm_summary.h"

static void expect_same_as_cjson(const struct alarm *alarm)
{
    cJSON *json = alarm_summary_json(alarm);
    char *expected = cJSON_PrintUnformatted(json);
    cJSON_Delete(json);
    assert_non_null(expected);
    char text[ALARM_SUMMARY_MAX];
    size_t length = alarm_summary_write(alarm, text, sizeof text);
    assert_int_equal(length, strlen(expected));
    assert_string_equal(text, expected);
    free(expected);
}

static struct alarm panel_alarm(void)
{
    struct alarm alarm;
    memset(&alarm, 0, sizeof alarm);
    alarm.id = 1234;
    alarm.seq = 98765;
    strcpy(alarm.source, "dc09");
    strcpy(alarm.account, "A0012");
    alarm.site_id = 17;
    strcpy(alarm.subject, "Boulangerie Martin");
    strcpy(alarm.place, "12 rue des Lilas, Lyon");
    strcpy(alarm.event_code, "1130");
    strcpy(alarm.class_name, "burglary");
    strcpy(alarm.label, "Burglary");
    alarm.priority = 2;
    alarm.zone = 3;
    alarm.received_at = 1764000000123;
    alarm.state = ALARM_STATE_NEW;
    alarm.position.battery = -1;
    return alarm;
}

static void test_new_panel_alarm(void **state)
{
    (void)state;
    struct alarm alarm = panel_alarm();
    expect_same_as_cjson(&alarm);
}

static void test_closed_unknown_account_without_site_or_zone(void **state)
{
    (void)state;
    struct alarm alarm = panel_alarm();
    alarm.site_id = 0;
    alarm.subject[0] = alarm.place[0] = '\0';
    alarm.zone = -1;
    alarm.event_code[0] = '\0';
    alarm.state = ALARM_STATE_CLOSED;
    strcpy(alarm.resolution, "no-action-needed");
    alarm.closed_at = 1764000000999;
    alarm.flags = ALARM_FLAG_UNKNOWN_ACCOUNT | ALARM_FLAG_EARLY_OPEN;
    expect_same_as_cjson(&alarm);
    alarm.flags = ALARM_FLAG_EARLY_OPEN;
    alarm.account[0] = '\0';
    expect_same_as_cjson(&alarm);
}

static void test_claimed_device_alarm_with_position(void **state)
{
    (void)state;
    struct alarm alarm = panel_alarm();
    strcpy(alarm.source, "device");
    alarm.device_id = 5;
    alarm.victim_id = 9;
    alarm.state = ALARM_STATE_CLAIMED;
    alarm.claim.user_id = 3;
    strcpy(alarm.claim.username, "marie");
    strcpy(alarm.claim.display_name, "Marie \"Mimi\" Dupont");
    alarm.claim.expires_at = 1764000030000;
    alarm.position.present = true;
    expect_same_as_cjson(&alarm);
}

static void test_text_needing_escapes(void **state)
{
    (void)state;
    struct alarm alarm = panel_alarm();
    strcpy(alarm.label, "Zone \"cave\\garage\"\n\ttab\r\b\f\x01\x1f\x7f end");
    strcpy(alarm.subject, "Caf\xc3\xa9 de la Gare \xe2\x80\x94 Entr\xc3\xa9"
                          "e");
    strcpy(alarm.place, "/slash/ and 'quotes'");
    expect_same_as_cjson(&alarm);
}

static void test_large_numbers_and_every_state(void **state)
{
    (void)state;
    struct alarm alarm = panel_alarm();
    alarm.id = 3000000000LL; /* past an int: cJSON prints it with %1.15g */
    alarm.seq = 123456789012LL;
    alarm.site_id = 2147483647;
    for (int s = ALARM_STATE_NEW; s <= ALARM_STATE_CLOSED; s++) {
        alarm.state = (enum alarm_state)s;
        expect_same_as_cjson(&alarm);
    }
}

static void test_times_as_clock_formats_them(void **state)
{
    (void)state;
    struct alarm alarm = panel_alarm();
    /* Every 13 days and odd hours from 1970 to 2200, leap days included,
     * and the first milliseconds. */
    for (int64_t ms = 1; ms < 7258118400000LL; ms += 13 * 86400000LL + 3600999) {
        alarm.received_at = ms;
        alarm.closed_at = ms + 86399999;
        expect_same_as_cjson(&alarm);
    }
    alarm.received_at = 951782400000LL; /* 2000-02-29T00:00:00.000Z */
    expect_same_as_cjson(&alarm);
    alarm.received_at = 253402300800000LL; /* year 10000: the slow way */
    expect_same_as_cjson(&alarm);
}

static void test_too_small_a_buffer_is_refused(void **state)
{
    (void)state;
    struct alarm alarm = panel_alarm();
    char text[ALARM_SUMMARY_MAX];
    size_t length = alarm_summary_write(&alarm, text, sizeof text);
    assert_true(length > 0);
    char small[64];
    memset(small, 'x', sizeof small);
    assert_int_equal(alarm_summary_write(&alarm, small, sizeof small), 0);
    assert_int_equal(alarm_summary_write(&alarm, text, length), 0); /* no room for the NUL */
    assert_int_equal(alarm_summary_write(&alarm, text, length + 1), length);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_panel_alarm),
        cmocka_unit_test(test_closed_unknown_account_without_site_or_zone),
        cmocka_unit_test(test_claimed_device_alarm_with_position),
        cmocka_unit_test(test_text_needing_escapes),
        cmocka_unit_test(test_large_numbers_and_every_state),
        cmocka_unit_test(test_times_as_clock_formats_them),
        cmocka_unit_test(test_too_small_a_buffer_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
