/* Unit tests of the mass alert composer's pure parts: the radius ladder
 * that > and < climb through the presets, a template's blanks filled, and
 * the SMS meter the operator reads as she types, measured with each
 * agent's reply link in place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "console/massalert_text.h"

static void test_the_ladder_goes_through_the_presets(void **state)
{
    (void)state;
    double radius = 100;
    bool aggression = false, hit_and_run = false, attack = false;
    int steps = 0;
    for (;;) {
        double next = massalert_radius_step(radius, 1);
        if (next == radius)
            break;
        assert_true(next > radius && next <= 3.01 * radius);
        radius = next;
        aggression |= radius == MASSALERT_PRESET_AGGRESSION_M;
        hit_and_run |= radius == MASSALERT_PRESET_HIT_AND_RUN_M;
        attack |= radius == MASSALERT_PRESET_ATTACK_M;
        steps++;
    }
    assert_true(aggression && hit_and_run && attack);
    assert_true(radius == 200000);
    assert_true(steps > 5);
    /* And back down, ending at the smallest. */
    assert_true(massalert_radius_step(3000, -1) == 1500);
    assert_true(massalert_radius_step(800, 1) == 1500);
    assert_true(massalert_radius_step(1000, -1) == 800);
    assert_true(massalert_radius_step(1000, 1) == 1500);
    assert_true(massalert_radius_step(100, -1) == 100);
    assert_true(massalert_radius_step(50, -1) == 50);
    assert_true(massalert_radius_step(50, 1) == 100);
}

static void test_radius_text(void **state)
{
    (void)state;
    char text[32];
    massalert_format_radius(800, text, sizeof text);
    assert_string_equal(text, "800 m");
    massalert_format_radius(3000, text, sizeof text);
    assert_string_equal(text, "3 km");
    massalert_format_radius(2500, text, sizeof text);
    assert_string_equal(text, "2.5 km");
    massalert_format_radius(30000, text, sizeof text);
    assert_string_equal(text, "30 km");
}

static void test_fill_blanks(void **state)
{
    (void)state;
    const char *names[] = {"description", "phone"};
    const char *values[] = {"man, about 30, black jacket", "01 23 45 67 89"};
    char out[256];
    assert_true(massalert_fill("Looking for: {description}. Call {phone} or {reply} {other}", names,
                               values, 2, out, sizeof out));
    assert_string_equal(out,
                        "Looking for: man, about 30, black jacket. Call 01 23 45 67 89 or {reply} "
                        "{other}");
    /* A value with braces is not read again as a blank. */
    const char *tricky[] = {"{phone}", "1"};
    assert_true(massalert_fill("{description}{phone}", names, tricky, 2, out, sizeof out));
    assert_string_equal(out, "{phone}1");
    /* Too long: refused, never cut. */
    assert_false(massalert_fill("Looking for: {description}", names, values, 2, out, 20));
}

static void test_meter_counts_the_reply_link(void **state)
{
    (void)state;
    char line[128], text[400];
    bool too_long;
    /* 88 characters and the link (72): exactly one part. */
    memset(text, 'a', 88);
    strcpy(text + 88, "{reply}");
    massalert_meter_line(text, line, sizeof line, &too_long);
    assert_string_equal(line, "SMS: 1 part, 160/160 GSM 7-bit");
    assert_false(too_long);
    /* One more character: two parts of 153. */
    memset(text, 'a', 89);
    strcpy(text + 89, "{reply}");
    massalert_meter_line(text, line, sizeof line, &too_long);
    assert_string_equal(line, "SMS: 2 parts, 161/306 GSM 7-bit");
    /* é is GSM; ç is not: UCS-2, and the meter says which character. */
    massalert_meter_line("Fermez l'accès {reply}", line, sizeof line, &too_long);
    assert_string_equal(line, "SMS: 1 part, 87/160 GSM 7-bit");
    massalert_meter_line("Façade nord {reply}", line, sizeof line, &too_long);
    assert_string_equal(line, "SMS: 2 parts, 84/134 UCS-2 (\"\xC3\xA7\" forces it)");
    /* An extension character (€) counts two septets; a text without
     * {reply} gets the link after a space, as the server sends it. */
    massalert_meter_line("5 \xE2\x82\xAC", line, sizeof line, &too_long);
    assert_string_equal(line, "SMS: 1 part, 77/160 GSM 7-bit");
}

static void test_meter_refuses_too_long_and_bad_text(void **state)
{
    (void)state;
    char line[128], text[2000];
    bool too_long;
    memset(text, 'a', 1600);
    text[1600] = '\0';
    massalert_meter_line(text, line, sizeof line, &too_long);
    assert_true(too_long);
    assert_string_equal(line, "SMS: 11 parts, too long (at most 10): shorten it");
    massalert_meter_line("\xC3(", line, sizeof line, &too_long);
    assert_true(too_long);
    assert_string_equal(line, "SMS: the text is not valid UTF-8");
    struct sms_measure measure;
    assert_true(massalert_measure("", &measure));
    assert_int_equal(measure.parts, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_ladder_goes_through_the_presets),
        cmocka_unit_test(test_radius_text),
        cmocka_unit_test(test_fill_blanks),
        cmocka_unit_test(test_meter_counts_the_reply_link),
        cmocka_unit_test(test_meter_refuses_too_long_and_bad_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
