/* Unit tests of CRC-16/ARC: the catalogue's check value, the table against
 * the bitwise algorithm it was made from, and the CRCs printed in DC-09
 * frames that others wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "server/crc16.h"

static uint16_t crc_of(const char *text)
{
    return crc16_arc((const uint8_t *)text, strlen(text));
}

/* The definition, one bit at a time: reflected polynomial 0xA001. */
static uint16_t crc_bitwise(const uint8_t *data, size_t len)
{
    uint16_t crc = 0;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++)
            crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
    }
    return crc;
}

static void test_check_value_of_the_catalogue(void **state)
{
    (void)state;
    assert_int_equal(crc_of("123456789"), 0xBB3D);
}

static void test_empty_input_is_zero(void **state)
{
    (void)state;
    assert_int_equal(crc16_arc((const uint8_t *)"", 0), 0);
    assert_int_equal(crc_of("A"), 0x30C0);
}

static void test_table_matches_the_bitwise_definition(void **state)
{
    (void)state;
    uint8_t bytes[512];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (uint8_t)(i * 7 + 3);
    for (unsigned value = 0; value < 256; value++) {
        uint8_t one = (uint8_t)value;
        assert_int_equal(crc16_arc(&one, 1), crc_bitwise(&one, 1));
    }
    for (size_t len = 0; len <= sizeof bytes; len += 37)
        assert_int_equal(crc16_arc(bytes, len), crc_bitwise(bytes, len));
}

static void test_update_continues_a_crc(void **state)
{
    (void)state;
    const uint8_t *text = (const uint8_t *)"123456789";
    uint16_t crc = crc16_arc(text, 4);
    assert_int_equal(crc16_arc_update(crc, text + 4, 5), 0xBB3D);
}

/* CRCs as printed in frames: the two examples of ANSI/SIA DC-09-2013
 * (reproduced in pysiaalarm's tests/test_sia_package_cases.py, cases dc04
 * and adm_cid: CE11 and 87CD, once the timestamp pysiaalarm appended is
 * left out), a captured ADM-CID of the same file (case adm_cid2, 5715) and
 * the example in the doc comment of a Rust DC-09 parser (parse_dc09, 3BAC). */
static void test_crcs_printed_in_public_frames(void **state)
{
    (void)state;
    assert_int_equal(crc_of("\"SIA-DCS\"9876R579BDFL789ABC#12345A[#12345A|NFA129]"), 0xCE11);
    assert_int_equal(crc_of("\"ADM-CID\"9876R579BDFL789ABC#12345A[#12345A|1110 00 129]"), 0x87CD);
    assert_int_equal(crc_of("\"ADM-CID\"0247R4F39L4F39#4F39[#4F39|3401 01 057]"), 0x5715);
    assert_int_equal(crc_of("\"SIA-DCS\"0002#0123[#0123|Nti20:50:26RP99]"), 0x3BAC);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_value_of_the_catalogue),
        cmocka_unit_test(test_empty_input_is_zero),
        cmocka_unit_test(test_table_matches_the_bitwise_definition),
        cmocka_unit_test(test_update_continues_a_crc),
        cmocka_unit_test(test_crcs_printed_in_public_frames),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
