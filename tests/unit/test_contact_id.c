/* Unit tests of the Contact ID parsers: the DC-09 ADM-CID data block as
 * panels send it (with and without spaces, brackets, account), the
 * classic 16-digit message with its checksum, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "server/contact_id.h"

static bool parse_block(const char *text, struct contact_id_event *event, char *error)
{
    return contact_id_parse_block(text, strlen(text), event, error, 160);
}

static void expect_event(const char *text, const char *account, int qualifier, const char *code,
                         int partition, int zone)
{
    struct contact_id_event event;
    char error[160] = "";
    if (!parse_block(text, &event, error))
        fail_msg("\"%s\" refused: %s", text, error);
    assert_string_equal(event.account, account);
    assert_int_equal(event.qualifier, qualifier);
    assert_string_equal(event.code, code);
    assert_int_equal(event.partition, partition);
    assert_int_equal(event.zone_or_user, zone);
}

static void expect_refused(const char *text, const char *expected)
{
    struct contact_id_event event;
    char error[160] = "";
    if (parse_block(text, &event, error))
        fail_msg("\"%s\" was accepted", text);
    if (!strstr(error, expected))
        fail_msg("\"%s\": expected \"%s\" in \"%s\"", text, expected, error);
}

static void test_adm_cid_block_with_spaces(void **state)
{
    (void)state;
    expect_event("#1234|1130 01 003", "1234", 1, "130", 1, 3);
    expect_event("[#00ab12|3401 02 015]", "00AB12", 3, "401", 2, 15);
    expect_event("#12345A|1110 00 129]", "12345A", 1, "110", 0, 129);
    expect_event("#1234|1121 01 0012", "1234", 1, "121", 1, 12);
}

static void test_adm_cid_block_without_spaces_or_account(void **state)
{
    (void)state;
    expect_event("#1234|113001003", "1234", 1, "130", 1, 3);
    expect_event("#1234|1130010003", "1234", 1, "130", 1, 3); /* four-digit zone */
    expect_event("|1602 00 000", "", 1, "602", 0, 0);
    expect_event("6301 00 000", "", 6, "301", 0, 0);
}

static void test_adm_cid_block_malformed(void **state)
{
    (void)state;
    expect_refused("", "QEEE GG ZZZ");
    expect_refused("#1234|", "QEEE GG ZZZ");
    expect_refused("#1234 1130 01 003", "followed by \"|\"");
    expect_refused("#12|1130 01 003", "3 to 16 hex digits");
    expect_refused("#12345678901234567|1130 01 003", "3 to 16 hex digits");
    expect_refused("#12G4|1130 01 003", "hex digit");
    expect_refused("#1234|2130 01 003", "qualifier must be 1, 3 or 6");
    expect_refused("#1234|1130 01 00", "QEEE GG ZZZ");
    expect_refused("#1234|1130  01 003", "QEEE GG ZZZ");
    expect_refused("#1234|1130 01 003 ", "QEEE GG ZZZ");
    expect_refused("#1234| 1130 01 003", "QEEE GG ZZZ");
    expect_refused("#1234|113A 01 003", "QEEE GG ZZZ");
    expect_refused("#1234|1130 01 003]]", "QEEE GG ZZZ");
    expect_refused("#1234|11300100030", "QEEE GG ZZZ");
    expect_refused("#1234|1130 01 003\n", "QEEE GG ZZZ");
    /* The echo of bad input is printable. */
    struct contact_id_event event;
    char error[160] = "";
    assert_false(parse_block("\x01\x02", &event, error));
    assert_non_null(strstr(error, "\"??\""));
}

static void test_check_digit_makes_the_sum_a_multiple_of_15(void **state)
{
    (void)state;
    /* 1+2+3+4+1+8+1+1+3+1+10+1+10+1+5 = 52; 60 - 52 = 8. */
    assert_int_equal(contact_id_check_digit("123418113101015"), '8');
    /* 1+1+1+1+1+8+1+1+3+10+10+1+10+10+1 = 60: already whole, so F (15). */
    assert_int_equal(contact_id_check_digit("111118113001001"), 'F');
    /* 1+2+3+4+1+8+1+6+0(10)+2+10+1+10+10+1 = 70; 75 - 70 = 5. */
    assert_int_equal(contact_id_check_digit("123418160201001"), '5');
    assert_int_equal(contact_id_check_digit("12341811310101G"), '\0');
    assert_int_equal(contact_id_check_digit("1234"), '\0');
}

static void test_classic_message_parses(void **state)
{
    (void)state;
    struct contact_id_event event;
    char error[160] = "";
    assert_true(contact_id_parse_message("1234181131010158", 16, &event, error, sizeof error));
    assert_string_equal(event.account, "1234");
    assert_int_equal(event.qualifier, 1);
    assert_string_equal(event.code, "131");
    assert_int_equal(event.partition, 1);
    assert_int_equal(event.zone_or_user, 15);
    const char *spaced = "1234 18 1 131 01 015 8";
    assert_true(contact_id_parse_message(spaced, strlen(spaced), &event, error, sizeof error));
    assert_true(contact_id_parse_message("111118113001001F", 16, &event, error, sizeof error));
    assert_int_equal(event.zone_or_user, 1);
    /* Message type 98 and a hex account. */
    char message[17] = "BC1298340101003";
    message[15] = contact_id_check_digit(message);
    message[16] = '\0';
    assert_true(contact_id_parse_message(message, 16, &event, error, sizeof error));
    assert_string_equal(event.account, "BC12");
    assert_int_equal(event.qualifier, 3);
    assert_string_equal(event.code, "401");
}

static void expect_message_refused(const char *message, const char *expected)
{
    struct contact_id_event event;
    char error[160] = "";
    if (contact_id_parse_message(message, strlen(message), &event, error, sizeof error))
        fail_msg("\"%s\" was accepted", message);
    if (!strstr(error, expected))
        fail_msg("\"%s\": expected \"%s\" in \"%s\"", message, expected, error);
}

static void with_check_digit(const char *fifteen, char out[17])
{
    memcpy(out, fifteen, 15);
    out[15] = contact_id_check_digit(fifteen);
    out[16] = '\0';
}

static void test_classic_message_malformed(void **state)
{
    (void)state;
    expect_message_refused("1234181131010159", "checksum");
    expect_message_refused("123418113101015", "16 digits, not 15");
    expect_message_refused("12341811310101588", "16 hex digits");
    expect_message_refused("12341811310101G8", "16 hex digits");
    char message[17];
    with_check_digit("123417113101015", message);
    expect_message_refused(message, "message type must be 18 or 98");
    with_check_digit("123418213101015", message);
    expect_message_refused(message, "qualifier must be 1, 3 or 6");
    with_check_digit("1234181B3101015", message);
    expect_message_refused(message, "decimal");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adm_cid_block_with_spaces),
        cmocka_unit_test(test_adm_cid_block_without_spaces_or_account),
        cmocka_unit_test(test_adm_cid_block_malformed),
        cmocka_unit_test(test_check_digit_makes_the_sum_a_multiple_of_15),
        cmocka_unit_test(test_classic_message_parses),
        cmocka_unit_test(test_classic_message_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
