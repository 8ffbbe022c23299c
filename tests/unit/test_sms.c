/* Unit tests of the SMS measure: what the mass alert composer tells the
 * operator as she types (encoding, parts, room left) must be what the
 * network will bill and deliver. Reference counts follow 3GPP TS 23.038
 * and 23.040: 160/153 septets, 70/67 UTF-16 units. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/sms.h"

static struct sms_measure measure(const char *text)
{
    struct sms_measure m;
    size_t bad = 0;
    assert_true(sms_measure(text, strlen(text), &m, &bad));
    return m;
}

/* `count` copies of `unit` in one string (in a static buffer). */
static const char *repeat(const char *unit, size_t count)
{
    static char buffer[4096];
    size_t length = strlen(unit);
    assert_true(length * count < sizeof buffer);
    for (size_t i = 0; i < count; i++)
        memcpy(buffer + i * length, unit, length);
    buffer[length * count] = '\0';
    return buffer;
}

static void test_a_plain_french_alert_fits_the_gsm_alphabet(void **state)
{
    (void)state;
    /* é, è, à and ù are in the default alphabet; ê and ç (lower case) are not. */
    struct sms_measure m = measure("NE QUITTEZ PAS VOTRE SITE - homme ~30 ans, veste noire. "
                                   "Appelez le 01 23 45 67 89 : à bientôt");
    assert_int_equal(m.encoding, SMS_UCS2); /* ô forces UCS-2 */
    m = measure("NE QUITTEZ PAS VOTRE SITE - homme 30 ans, veste noire, vu rue de l'Église à "
                "Nice. Appelez le 01 23 45 67 89");
    assert_int_equal(m.encoding, SMS_GSM7);
    assert_int_equal(m.parts, 1);
    assert_string_equal(sms_encoding_name(m.encoding), "GSM 7-bit");
}

static void test_single_and_concatenated_limits(void **state)
{
    (void)state;
    struct sms_measure m = measure("");
    assert_int_equal(m.parts, 1);
    assert_int_equal(m.left_in_part, 160);
    m = measure(repeat("a", 160));
    assert_int_equal(m.parts, 1);
    assert_int_equal(m.left_in_part, 0);
    m = measure(repeat("a", 161));
    assert_int_equal(m.parts, 2);
    assert_int_equal(m.per_part, 153);
    assert_int_equal(m.left_in_part, 306 - 161);
    m = measure(repeat("a", 306));
    assert_int_equal(m.parts, 2);
    m = measure(repeat("a", 307));
    assert_int_equal(m.parts, 3);
}

static void test_extension_characters_cost_two_septets_and_never_straddle(void **state)
{
    (void)state;
    struct sms_measure m = measure(repeat("€", 80));
    assert_int_equal(m.encoding, SMS_GSM7);
    assert_int_equal(m.units, 160);
    assert_int_equal(m.parts, 1);
    m = measure(repeat("[", 81)); /* 162 septets */
    assert_int_equal(m.parts, 2);
    /* 152 plain septets, one '{' and 152 more: 306 septets, two parts
     * by arithmetic, but the escape pair does not fit the first part's
     * one free septet and moves whole, so the text takes three. */
    char text[400];
    memcpy(text, repeat("a", 152), 152);
    text[152] = '{';
    memcpy(text + 153, repeat("a", 152), 152);
    text[305] = '\0';
    m = measure(text);
    assert_int_equal(m.units, 306);
    assert_int_equal(m.parts, 3);
    assert_int_equal(m.left_in_part, 152);
}

static void test_ucs2_limits_and_surrogate_pairs(void **state)
{
    (void)state;
    struct sms_measure m = measure(repeat("ç", 70));
    assert_int_equal(m.encoding, SMS_UCS2);
    assert_int_equal(m.parts, 1);
    assert_int_equal(m.left_in_part, 0);
    m = measure(repeat("ç", 71));
    assert_int_equal(m.parts, 2);
    assert_int_equal(m.per_part, 67);
    /* An emoji is two UTF-16 units. */
    m = measure(repeat("\xF0\x9F\x9A\xA8", 35));
    assert_int_equal(m.units, 70);
    assert_int_equal(m.parts, 1);
    /* 66 units then a pair: the pair moves whole to the second part. */
    char text[300];
    strcpy(text, repeat("ç", 66));
    strcat(text, repeat("\xF0\x9F\x9A\xA8", 3));
    m = measure(text);
    assert_int_equal(m.units, 72);
    assert_int_equal(m.parts, 2);
    assert_int_equal(m.left_in_part, 67 - 6);
}

static void test_the_first_character_forcing_ucs2_is_named(void **state)
{
    (void)state;
    struct sms_measure m = measure("Alerte: rendez-vous à l'hôtel");
    assert_int_equal(m.encoding, SMS_UCS2);
    assert_int_equal(m.first_non_gsm, strlen("Alerte: rendez-vous à l'h"));
}

static void test_invalid_utf8_is_refused_with_its_offset(void **state)
{
    (void)state;
    struct sms_measure m;
    size_t bad = 0;
    assert_false(sms_measure("ok \xC3", 4, &m, &bad)); /* cut short */
    assert_int_equal(bad, 3);
    assert_false(sms_measure("ab\xC0\xAF", 4, &m, &bad)); /* overlong '/' */
    assert_int_equal(bad, 2);
    assert_false(sms_measure("\xED\xA0\x80", 3, &m, &bad)); /* a surrogate */
    assert_int_equal(bad, 0);
    assert_false(sms_measure("x\xF8\x88\x80\x80\x80", 6, &m, &bad));
    assert_int_equal(bad, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_plain_french_alert_fits_the_gsm_alphabet),
        cmocka_unit_test(test_single_and_concatenated_limits),
        cmocka_unit_test(test_extension_characters_cost_two_septets_and_never_straddle),
        cmocka_unit_test(test_ucs2_limits_and_surrogate_pairs),
        cmocka_unit_test(test_the_first_character_forcing_ucs2_is_named),
        cmocka_unit_test(test_invalid_utf8_is_refused_with_its_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
