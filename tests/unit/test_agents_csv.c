/* Unit tests of the agents' registry file: what an administrator sends is
 * read as RFC 4180 CSV, numbers come out in E.164, and every mistake is
 * reported with its line number and a reason a person can act on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "server/agents_csv.h"

#define HEADER "agent_id,name,site_id,site_name,site_validated,lat,lon,phone,email,vetted,duty\n"

static void parse(const char *text, struct agents_csv *csv)
{
    char why[256] = "";
    if (!agents_csv_parse(text, strlen(text), "FR", csv, why, sizeof why))
        fail_msg("agents_csv_parse failed: %s", why);
}

/* Whether a problem on `line` mentions `words`. */
static bool reported(const struct agents_csv *csv, long line, const char *words)
{
    for (size_t i = 0; i < csv->problem_count; i++)
        if (csv->problems[i].line == line && strstr(csv->problems[i].message, words))
            return true;
    return false;
}

static void test_a_good_file_is_read_whole_with_numbers_in_e164(void **state)
{
    (void)state;
    struct agents_csv csv;
    parse(HEADER
          "A-001,Karim Benali,S-01,\"Centre commercial DUPOND, entrée nord\",yes,48.8566,2.3522,"
          "06 12 34 56 78,k.benali@example.fr,yes,Mo-Fr 07:00-19:00\r\n"
          "A-002,\"Léa \"\"Lou\"\" Martin\",S-01,\"Centre commercial DUPOND, entrée nord\",yes,"
          "48.8567,2.3523,+32 470 12 34 56,,no,\n"
          "A-003,Jan Peeters,S-02,Gare du Midi,no,50.8357,4.3365,,jan@example.be,yes,24/7\n",
          &csv);
    assert_int_equal(csv.problems_total, 0);
    assert_int_equal(csv.count, 3);
    assert_string_equal(csv.records[0].site_name, "Centre commercial DUPOND, entrée nord");
    assert_string_equal(csv.records[0].phone, "+33612345678");
    assert_int_equal(csv.records[0].phone_kind, PHONE_MOBILE);
    assert_string_equal(csv.records[0].duty, "Mo-Fr 07:00-19:00");
    assert_true(csv.records[0].site_validated && csv.records[0].vetted);
    assert_string_equal(csv.records[1].name, "Léa \"Lou\" Martin");
    assert_string_equal(csv.records[1].phone, "+32470123456");
    assert_string_equal(csv.records[1].duty, "24/7"); /* empty duty: always */
    assert_false(csv.records[1].vetted);
    assert_string_equal(csv.records[2].phone, ""); /* no number: kept, counted later */
    assert_int_equal(csv.records[2].line, 4);
    assert_int_equal(strlen(csv.sha256_hex), 64);
    agents_csv_free(&csv);
}

static void test_every_bad_line_is_reported_with_its_number(void **state)
{
    (void)state;
    struct agents_csv csv;
    parse(HEADER "A-1,Ok Agent,S-1,Site,yes,48.85,2.35,0612345678,a@b.fr,yes,24/7\n" /* 2 */
                 "A-2,Too Few,S-1,Site,yes,48.85\n"                                  /* 3 */
                 "A-3,Bad Lat,S-1,Site,yes,98.5,2.35,,,yes,24/7\n"                   /* 4 */
                 "A-4,Bad Flag,S-1,Site,maybe,48.85,2.35,,,yes,24/7\n"               /* 5 */
                 "A-5,Bad Phone,S-1,Site,yes,48.85,2.35,12,,yes,24/7\n"              /* 6 */
                 "A-6,Bad Mail,S-1,Site,yes,48.85,2.35,,not-an-address,yes,24/7\n"   /* 7 */
                 "A-7,Bad Duty,S-1,Site,yes,48.85,2.35,,,yes,Mo-Fr 25:00-19:00\n"    /* 8 */
                 "A-1,Twice,S-1,Site,yes,48.85,2.35,,,yes,24/7\n"                    /* 9 */
                 "A-9,Other Name,S-1,Another name,yes,48.85,2.35,,,yes,24/7\n"       /* 10 */
                 ",No Id,S-1,Site,yes,48.85,2.35,,,yes,24/7\n",                      /* 11 */
          &csv);
    assert_true(reported(&csv, 3, "fields where the header has 11"));
    assert_true(reported(&csv, 4, "decimal degrees"));
    assert_true(reported(&csv, 5, "\"yes\" or \"no\""));
    assert_true(reported(&csv, 6, "phone \"12\""));
    assert_true(reported(&csv, 7, "not an e-mail address"));
    assert_true(reported(&csv, 8, "duty"));
    assert_true(reported(&csv, 9, "already on line 2"));
    assert_true(reported(&csv, 10, "described differently on line 2"));
    assert_true(reported(&csv, 11, "agent_id is empty"));
    assert_int_equal(csv.problems_total, 9);
    /* Problems come in line order, whatever check found them. */
    for (size_t i = 1; i < csv.problem_count; i++)
        assert_true(csv.problems[i - 1].line <= csv.problems[i].line);
    agents_csv_free(&csv);
}

static void test_a_quoted_line_break_keeps_line_numbers_true(void **state)
{
    (void)state;
    struct agents_csv csv;
    parse(HEADER "A-1,\"Two\nLines\",S-1,Site,yes,48.85,2.35,,,yes,24/7\n"
                 "A-2,Bad Lat,S-1,Site,yes,x,2.35,,,yes,24/7\n",
          &csv);
    /* The name with a line break is refused on the line it starts... */
    assert_true(reported(&csv, 2, "name is empty or too long"));
    /* ...and the next record is line 4 of the file, as an editor shows it. */
    assert_true(reported(&csv, 4, "decimal degrees"));
    agents_csv_free(&csv);
}

static void test_a_wrong_header_or_an_empty_file_says_what_is_expected(void **state)
{
    (void)state;
    struct agents_csv csv;
    parse("id,name\nA-1,x\n", &csv);
    assert_true(reported(&csv, 1, "the header must be"));
    assert_int_equal(csv.count, 0);
    agents_csv_free(&csv);
    parse("", &csv);
    assert_true(reported(&csv, 1, "empty"));
    agents_csv_free(&csv);
}

static void test_the_optional_tz_column_is_checked(void **state)
{
    (void)state;
    struct agents_csv csv;
    parse("agent_id,name,site_id,site_name,site_validated,lat,lon,phone,email,vetted,duty,tz\n"
          "A-1,Jan,S-1,Gare,yes,50.83,4.33,,,yes,24/7,Europe/Brussels\n"
          "A-2,Piet,S-2,Port,yes,50.83,4.33,,,yes,24/7,Mars/Olympus\n",
          &csv);
    assert_int_equal(csv.count, 1);
    assert_string_equal(csv.records[0].tz, "Europe/Brussels");
    assert_true(reported(&csv, 3, "not a time zone"));
    agents_csv_free(&csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_good_file_is_read_whole_with_numbers_in_e164),
        cmocka_unit_test(test_every_bad_line_is_reported_with_its_number),
        cmocka_unit_test(test_a_quoted_line_break_keeps_line_numbers_true),
        cmocka_unit_test(test_a_wrong_header_or_an_empty_file_says_what_is_expected),
        cmocka_unit_test(test_the_optional_tz_column_is_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
