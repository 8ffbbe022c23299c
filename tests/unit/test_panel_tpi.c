/* Unit tests of the EnvisaLink TPI (DSC) codec and driver: checksums
 * against lines an EnvisaLink sent (EyezOn's forum trace of a zero-entry
 * arm: 0321C6, 5000322A, 90099, 20012345C, 50020027), the commands the
 * centre builds, answers read whole, cut or broken, and the driver's
 * decisions over whole exchanges: confirmed, refused, failed, and garbage
 * that never confirms anything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/panel_tpi.h"

/* ---- checksums and lines ---- */

static void test_checksums_of_lines_an_envisalink_sent(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        unsigned checksum;
    } captured[] = {
        {"5053", 0xCD}, {"5051", 0xCB},    {"0321", 0xC6},   {"500032", 0x2A},
        {"900", 0x99},  {"2001234", 0x5C}, {"500200", 0x27},
    };
    for (size_t i = 0; i < sizeof captured / sizeof captured[0]; i++)
        assert_int_equal(panel_tpi_checksum(captured[i].line, strlen(captured[i].line)),
                         captured[i].checksum);
    /* Only the low byte of the sum counts. */
    assert_int_equal(panel_tpi_checksum("zzzz", 4), (4u * 'z') & 0xFFu);
    assert_int_equal(panel_tpi_checksum("", 0), 0);
}

static void test_format_writes_code_data_uppercase_checksum_and_crlf(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(panel_tpi_format(505, "3", out, sizeof out), 8);
    assert_string_equal(out, "5053CD\r\n");
    assert_int_equal(panel_tpi_format(5, "user", out, sizeof out), 11);
    assert_string_equal(out, "005user54\r\n");
    assert_int_equal(panel_tpi_format(900, NULL, out, sizeof out), 7);
    assert_string_equal(out, "90099\r\n");
}

static void test_format_refuses_what_a_line_cannot_carry(void **state)
{
    (void)state;
    char out[64], long_data[PANEL_TPI_LINE_MAX + 1];
    assert_int_equal(panel_tpi_format(1000, "1", out, sizeof out), 0);
    assert_int_equal(panel_tpi_format(-1, "1", out, sizeof out), 0);
    assert_int_equal(panel_tpi_format(40, "1\r\n0301", out, sizeof out), 0);
    assert_int_equal(panel_tpi_format(40, "11234", out, 8), 0);
    memset(long_data, '1', sizeof long_data - 1);
    long_data[sizeof long_data - 1] = '\0';
    char big[PANEL_TPI_LINE_MAX * 2];
    assert_int_equal(panel_tpi_format(40, long_data, big, sizeof big), 0);
}

static void test_parse_reads_code_data_and_checks_the_checksum(void **state)
{
    (void)state;
    struct panel_tpi_message m;
    assert_int_equal(panel_tpi_parse("65210FE", 7, &m), PANEL_TPI_OK);
    assert_int_equal(m.code, 652);
    assert_string_equal(m.data, "10");
    assert_int_equal(m.data_length, 2);
    assert_int_equal(panel_tpi_parse("90099", 5, &m), PANEL_TPI_OK);
    assert_int_equal(m.code, 900);
    assert_int_equal(m.data_length, 0);
    /* Peers differ on the case of the checksum: both are read. */
    assert_int_equal(panel_tpi_parse("5053cd", 6, &m), PANEL_TPI_OK);
    assert_int_equal(panel_tpi_parse("5053CE", 6, &m), PANEL_TPI_CHECKSUM_WRONG);
    assert_int_equal(m.code, 505);
}

static void test_parse_refuses_malformed_lines(void **state)
{
    (void)state;
    struct panel_tpi_message m;
    static const char *const bad[] = {"",
                                      "5",
                                      "50",
                                      "5053",
                                      "A053CD",
                                      "50 3CD",
                                      "5053CG",
                                      "5053\x01"
                                      "CD"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(panel_tpi_parse(bad[i], strlen(bad[i]), &m), PANEL_TPI_MALFORMED);
    char huge[PANEL_TPI_LINE_MAX + 8];
    memset(huge, '5', sizeof huge);
    assert_int_equal(panel_tpi_parse(huge, sizeof huge, &m), PANEL_TPI_MALFORMED);
}

/* ---- the line reader ---- */

static void test_reader_cuts_lines_in_any_cut(void **state)
{
    (void)state;
    const char *stream = "5053CD\r\n500005"
                         "2A\r\n5051CB\r\n";
    struct panel_tpi_reader reader = {0};
    char seen[3][PANEL_TPI_LINE_MAX + 2];
    int lines = 0;
    /* One byte at a time, as a slow link may deliver it. */
    for (size_t i = 0; stream[i]; i++) {
        bool complete = false;
        assert_int_equal(panel_tpi_reader_feed(&reader, stream + i, 1, &complete), 1);
        if (complete) {
            assert_false(reader.too_long);
            snprintf(seen[lines++], sizeof seen[0], "%s", reader.line);
        }
    }
    assert_int_equal(lines, 3);
    assert_string_equal(seen[0], "5053CD");
    assert_string_equal(seen[1], "5000052A");
    assert_string_equal(seen[2], "5051CB");
    /* All at once: each call stops after one line. */
    struct panel_tpi_reader again = {0};
    bool complete = false;
    size_t used = panel_tpi_reader_feed(&again, stream, strlen(stream), &complete);
    assert_true(complete);
    assert_int_equal(used, 8);
    assert_string_equal(again.line, "5053CD");
    used += panel_tpi_reader_feed(&again, stream + used, strlen(stream) - used, &complete);
    assert_true(complete);
    assert_string_equal(again.line, "5000052A");
}

static void test_reader_reports_an_overlong_line_and_recovers(void **state)
{
    (void)state;
    struct panel_tpi_reader reader = {0};
    char flood[10 * PANEL_TPI_LINE_MAX];
    memset(flood, '7', sizeof flood);
    bool complete = false;
    assert_int_equal(panel_tpi_reader_feed(&reader, flood, sizeof flood, &complete), sizeof flood);
    assert_false(complete);
    assert_true(panel_tpi_reader_feed(&reader, "\r\n", 2, &complete) == 2 && complete);
    assert_true(reader.too_long);
    assert_int_equal(panel_tpi_reader_feed(&reader, "6551D1\n", 7, &complete), 7);
    assert_true(complete);
    assert_false(reader.too_long);
    assert_string_equal(reader.line, "6551D1");
}

/* ---- commands ---- */

static void test_commands_the_centre_sends(void **state)
{
    (void)state;
    char out[64];
    struct panel_request away = {PANEL_COMMAND_ARM_AWAY, 0};
    struct panel_request stay = {PANEL_COMMAND_ARM_STAY, 0};
    struct panel_request disarm = {PANEL_COMMAND_DISARM, 0};
    struct panel_request bypass = {PANEL_COMMAND_BYPASS_ZONE, 5};
    assert_true(panel_tpi_login("user", out, sizeof out) > 0);
    assert_string_equal(out, "005user54\r\n");
    assert_true(panel_tpi_request(&away, 1, NULL, out, sizeof out) > 0);
    assert_string_equal(out, "0301C4\r\n");
    assert_true(panel_tpi_request(&stay, 1, NULL, out, sizeof out) > 0);
    assert_string_equal(out, "0311C5\r\n");
    assert_true(panel_tpi_request(&disarm, 1, "1234", out, sizeof out) > 0);
    assert_string_equal(out, "040112348F\r\n");
    assert_true(panel_tpi_request(&bypass, 1, NULL, out, sizeof out) > 0);
    assert_string_equal(out, "0711*105#AC\r\n");
    assert_true(panel_tpi_code_send("1234", out, sizeof out) > 0);
    assert_string_equal(out, "20012345C\r\n");
}

static void test_commands_refuse_bad_arguments(void **state)
{
    (void)state;
    char out[64];
    struct panel_request disarm = {PANEL_COMMAND_DISARM, 0};
    struct panel_request bypass = {PANEL_COMMAND_BYPASS_ZONE, PANEL_TPI_ZONE_MAX + 1};
    assert_int_equal(panel_tpi_login("", out, sizeof out), 0);
    assert_int_equal(panel_tpi_login("toolong", out, sizeof out), 0);
    assert_int_equal(panel_tpi_request(&disarm, 1, NULL, out, sizeof out), 0);
    assert_int_equal(panel_tpi_request(&disarm, 1, "12a4", out, sizeof out), 0);
    assert_int_equal(panel_tpi_request(&disarm, 1, "12345", out, sizeof out), 0);
    assert_int_equal(panel_tpi_request(&disarm, 9, "1234", out, sizeof out), 0);
    assert_int_equal(panel_tpi_request(&bypass, 1, NULL, out, sizeof out), 0);
    assert_int_equal(panel_tpi_code_send("123", out, sizeof out), 0);
}

static void test_bypass_field_round_trip(void **state)
{
    (void)state;
    bool zones[PANEL_TPI_ZONE_MAX] = {false};
    zones[0] = zones[8] = zones[63] = true;
    char field[17];
    panel_tpi_bypass_field(zones, field);
    assert_string_equal(field, "0101000000000080");
    for (int zone = 1; zone <= PANEL_TPI_ZONE_MAX; zone++)
        assert_int_equal(panel_tpi_zone_bypassed(field, 16, zone), zones[zone - 1]);
    assert_false(panel_tpi_zone_bypassed(field, 16, 0));
    assert_false(panel_tpi_zone_bypassed(field, 16, 65));
    assert_false(panel_tpi_zone_bypassed("0G", 2, 1));
}

static void test_command_and_state_names(void **state)
{
    (void)state;
    enum panel_command_kind kind;
    assert_true(panel_command_parse("bypass-zone", &kind));
    assert_int_equal(kind, PANEL_COMMAND_BYPASS_ZONE);
    assert_false(panel_command_parse("arm", &kind));
    assert_false(panel_command_parse(NULL, &kind));
    enum panel_arm_state arm;
    assert_true(panel_arm_state_parse("armed", &arm));
    assert_int_equal(arm, PANEL_STATE_ARMED_AWAY);
    assert_string_equal(panel_arm_state_name(PANEL_STATE_ARMED_STAY), "armed-stay");
    assert_ptr_equal(panel_driver_find("tpi"), &panel_driver_tpi);
    assert_null(panel_driver_find("elk"));
}

/* ---- the driver over whole exchanges ---- */

struct exchange {
    unsigned char session[1024];
    struct panel_output out;
    struct panel_result result;
    struct panel_link link;
};

static void begin(struct exchange *x, enum panel_command_kind kind, int zone)
{
    assert_true(panel_driver_tpi.session_size <= sizeof x->session);
    memset(x, 0, sizeof *x);
    x->link = (struct panel_link){.protocol = "tpi",
                                  .address = "127.0.0.1:4025",
                                  .partition = 1,
                                  .password = "user",
                                  .user_code = "1234"};
    struct panel_request request = {kind, zone};
    char why[256];
    assert_true(panel_driver_tpi.check(&x->link, &request, why, sizeof why));
    panel_driver_tpi.connected(x->session, &x->link, &request, &x->out, &x->result);
    assert_int_equal(x->out.length, 0); /* the panel speaks first */
}

/* The panel says `lines`; returns what the driver wrote back, as text. */
static const char *panel_says(struct exchange *x, const char *lines)
{
    static char written[PANEL_OUTPUT_MAX + 1];
    x->out.length = 0;
    panel_driver_tpi.received(x->session, lines, strlen(lines), &x->out, &x->result);
    memcpy(written, x->out.data, x->out.length);
    written[x->out.length] = '\0';
    return written;
}

static void logged_in(struct exchange *x, const char *expected_command)
{
    assert_string_equal(panel_says(x, "5053CD\r\n"), "005user54\r\n");
    assert_string_equal(panel_says(x, "5000052A\r\n5051CB\r\n"), expected_command);
    assert_int_equal(x->result.outcome, PANEL_OUTCOME_PENDING);
}

static void test_disarm_is_confirmed_by_the_disarmed_partition(void **state)
{
    (void)state;
    struct exchange x;
    begin(&x, PANEL_COMMAND_DISARM, 0);
    logged_in(&x, "040112348F\r\n");
    /* A state before the acknowledgement is not ours. */
    panel_says(&x, "6551D1\r\n");
    assert_int_equal(x.result.outcome, PANEL_OUTCOME_PENDING);
    panel_says(&x, "50004029\r\n6551D1\r\n");
    assert_int_equal(x.result.outcome, PANEL_OUTCOME_CONFIRMED);
    assert_int_equal(x.result.state, PANEL_STATE_DISARMED);
    assert_non_null(strstr(x.result.answer, "655"));
    assert_null(strstr(x.result.answer, "1234")); /* the code is never in the record */
    panel_driver_tpi.closing(x.session);
}

static void test_arm_stay_is_confirmed_by_the_mode_the_panel_reports(void **state)
{
    (void)state;
    struct exchange x;
    begin(&x, PANEL_COMMAND_ARM_STAY, 0);
    logged_in(&x, "0311C5\r\n");
    /* Another partition's state says nothing of ours. */
    panel_says(&x, "50003129\r\n6522100\r\n");
    assert_int_equal(x.result.outcome, PANEL_OUTCOME_PENDING);
    /* Cut anywhere: the line is read once whole. */
    panel_says(&x, "652");
    panel_says(&x, "11F");
    assert_int_equal(x.result.outcome, PANEL_OUTCOME_PENDING);
    panel_says(&x, "F\r\n");
    assert_int_equal(x.result.outcome, PANEL_OUTCOME_CONFIRMED);
    assert_int_equal(x.result.state, PANEL_STATE_ARMED_STAY);
}

static void test_arm_away_is_confirmed_by_its_exit_delay(void **state)
{
    (void)state;
    struct exchange x;
    begin(&x, PANEL_COMMAND_ARM_AWAY, 0);
    logged_in(&x, "0301C4\r\n");
    char line[32];
    panel_tpi_format(656, "1", line, sizeof line);
    panel_says(&x, "5000302"
                   "8\r\n");
    panel_says(&x, line);
    assert_int_equal(x.result.outcome, PANEL_OUTCOME_CONFIRMED);
    assert_int_equal(x.result.state, PANEL_STATE_UNKNOWN); /* the closing comes later */
}

static void test_bypass_is_confirmed_by_the_zone_bit(void **state)
{
    (void)state;
    struct exchange x;
    begin(&x, PANEL_COMMAND_BYPASS_ZONE, 9);
    logged_in(&x, "0711*109#B0\r\n");
    char line[64];
    panel_says(&x, "500071"
                   "2D\r\n");
    panel_tpi_format(616, "0100000000000000", line, sizeof line); /* zone 1 only */
    panel_says(&x, line);
    assert_int_equal(x.result.outcome, PANEL_OUTCOME_PENDING);
    panel_tpi_format(616, "0101000000000000", line, sizeof line);
    panel_says(&x, line);
    assert_int_equal(x.result.outcome, PANEL_OUTCOME_CONFIRMED);
}

static void test_refusals_are_the_panels_error_answers(void **state)
{
    (void)state;
    struct exchange x;
    begin(&x, PANEL_COMMAND_DISARM, 0);
    logged_in(&x, "040112348F\r\n");
    panel_says(&x, "50004029\r\n6701CE\r\n");
    assert_int_equal(x.result.outcome, PANEL_OUTCOME_REFUSED);
    assert_non_null(strstr(x.result.answer, "670"));

    begin(&x, PANEL_COMMAND_ARM_AWAY, 0);
    logged_in(&x, "0301C4\r\n");
    char line[32];
    panel_tpi_format(502, "024", line, sizeof line);
    panel_says(&x, line);
    assert_int_equal(x.result.outcome, PANEL_OUTCOME_REFUSED);
    assert_non_null(strstr(x.result.answer, "502 024"));
}

static void test_a_code_asked_for_is_given_once(void **state)
{
    (void)state;
    struct exchange x;
    begin(&x, PANEL_COMMAND_ARM_AWAY, 0);
    logged_in(&x, "0301C4\r\n");
    assert_string_equal(panel_says(&x, "5000302"
                                       "8\r\n90099\r\n"),
                        "20012345C\r\n");
    assert_int_equal(x.result.outcome, PANEL_OUTCOME_PENDING);
    panel_says(&x, "90099\r\n");
    assert_int_equal(x.result.outcome, PANEL_OUTCOME_REFUSED);
}

static void test_a_refused_password_or_a_bad_checksum_fails(void **state)
{
    (void)state;
    struct exchange x;
    begin(&x, PANEL_COMMAND_DISARM, 0);
    assert_string_equal(panel_says(&x, "5053CD\r\n"), "005user54\r\n");
    assert_string_equal(panel_says(&x, "5000052A\r\n5050CA\r\n"), "");
    assert_int_equal(x.result.outcome, PANEL_OUTCOME_FAILED);

    begin(&x, PANEL_COMMAND_DISARM, 0);
    logged_in(&x, "040112348F\r\n");
    char line[32];
    panel_tpi_format(501, NULL, line, sizeof line);
    panel_says(&x, line);
    assert_int_equal(x.result.outcome, PANEL_OUTCOME_FAILED);
}

static void test_the_driver_refuses_links_that_cannot_carry_the_command(void **state)
{
    (void)state;
    char why[256];
    struct panel_link link = {.protocol = "tpi", .partition = 1, .password = "user"};
    struct panel_request disarm = {PANEL_COMMAND_DISARM, 0};
    struct panel_request arm = {PANEL_COMMAND_ARM_AWAY, 0};
    struct panel_request bypass = {PANEL_COMMAND_BYPASS_ZONE, 65};
    assert_false(panel_driver_tpi.check(&link, &disarm, why, sizeof why));
    assert_non_null(strstr(why, "code"));
    assert_true(panel_driver_tpi.check(&link, &arm, why, sizeof why));
    assert_false(panel_driver_tpi.check(&link, &bypass, why, sizeof why));
    link.password[0] = '\0';
    assert_false(panel_driver_tpi.check(&link, &arm, why, sizeof why));
}

/* Garbage never confirms and ends in a failure, whatever its cut. */
static void test_garbage_fails_and_never_confirms(void **state)
{
    (void)state;
    unsigned seed = 12345;
    for (int round = 0; round < 200; round++) {
        struct exchange x;
        begin(&x, PANEL_COMMAND_DISARM, 0);
        char noise[4096];
        for (size_t i = 0; i < sizeof noise; i++) {
            seed = seed * 1103515245u + 12345u;
            noise[i] = (char)(seed >> 16);
            /* Plenty of line ends, so that lines are many and short. */
            if ((seed >> 8) % 11 == 0)
                noise[i] = '\n';
        }
        size_t at = 0;
        while (at < sizeof noise && x.result.outcome == PANEL_OUTCOME_PENDING) {
            size_t piece = 1 + (size_t)(seed = seed * 1103515245u + 12345u) % 97;
            if (piece > sizeof noise - at)
                piece = sizeof noise - at;
            x.out.length = 0;
            panel_driver_tpi.received(x.session, noise + at, piece, &x.out, &x.result);
            at += piece;
        }
        assert_int_not_equal(x.result.outcome, PANEL_OUTCOME_CONFIRMED);
        panel_driver_tpi.closing(x.session);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksums_of_lines_an_envisalink_sent),
        cmocka_unit_test(test_format_writes_code_data_uppercase_checksum_and_crlf),
        cmocka_unit_test(test_format_refuses_what_a_line_cannot_carry),
        cmocka_unit_test(test_parse_reads_code_data_and_checks_the_checksum),
        cmocka_unit_test(test_parse_refuses_malformed_lines),
        cmocka_unit_test(test_reader_cuts_lines_in_any_cut),
        cmocka_unit_test(test_reader_reports_an_overlong_line_and_recovers),
        cmocka_unit_test(test_commands_the_centre_sends),
        cmocka_unit_test(test_commands_refuse_bad_arguments),
        cmocka_unit_test(test_bypass_field_round_trip),
        cmocka_unit_test(test_command_and_state_names),
        cmocka_unit_test(test_disarm_is_confirmed_by_the_disarmed_partition),
        cmocka_unit_test(test_arm_stay_is_confirmed_by_the_mode_the_panel_reports),
        cmocka_unit_test(test_arm_away_is_confirmed_by_its_exit_delay),
        cmocka_unit_test(test_bypass_is_confirmed_by_the_zone_bit),
        cmocka_unit_test(test_refusals_are_the_panels_error_answers),
        cmocka_unit_test(test_a_code_asked_for_is_given_once),
        cmocka_unit_test(test_a_refused_password_or_a_bad_checksum_fails),
        cmocka_unit_test(test_the_driver_refuses_links_that_cannot_carry_the_command),
        cmocka_unit_test(test_garbage_fails_and_never_confirms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
