/* Unit tests of the event data file and its lookup: the real
 * server/events.tsv loads and says what an operator expects of the codes
 * that matter most; an unknown code is an alarm, never an error; a broken
 * file is refused with its file and line. Run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/event_codes.h"

#define EVENTS_FILE "server/events.tsv"
#define HEADER      "format\tcode\tclass\tpriority\tdisposition\tlabel_en\tlabel_fr\n"

static int load_real_table(void **state)
{
    static struct event_code_table table;
    char error[256] = "";
    if (!event_codes_load(EVENTS_FILE, &table, error, sizeof error)) {
        fprintf(stderr, "%s\n", error);
        return -1;
    }
    *state = &table;
    return 0;
}

static int free_real_table(void **state)
{
    event_codes_free(*state);
    return 0;
}

static struct event_code_result look(void **state, enum event_format format, const char *code,
                                     int qualifier)
{
    struct event_code_result result;
    event_codes_lookup(*state, format, code, qualifier, &result);
    return result;
}

static void test_real_file_loads_with_both_formats_and_no_duplicate(void **state)
{
    const struct event_code_table *table = *state;
    size_t cid = 0, sia = 0;
    for (size_t i = 0; i < table->count; i++) {
        const struct event_code_row *row = &table->rows[i];
        if (row->format == EVENT_FORMAT_CID)
            cid++;
        else
            sia++;
        assert_true(alarm_class_is_known(row->class_name));
        assert_in_range(row->priority, 1, 5);
        if (i > 0) {
            const struct event_code_row *before = &table->rows[i - 1];
            assert_false(before->format == row->format && strcmp(before->code, row->code) == 0);
        }
    }
    assert_true(cid >= 200);
    assert_true(sia >= 250);
}

static void test_duress_is_priority_one_in_both_formats(void **state)
{
    struct event_code_result cid = look(state, EVENT_FORMAT_CID, "121", 1);
    assert_true(cid.known);
    assert_string_equal(cid.class_name, "duress");
    assert_int_equal(cid.priority, 1);
    assert_int_equal(cid.disposition, EVENT_DISPOSITION_ALARM);
    assert_string_equal(cid.label_fr, "Contrainte (code sous la menace)");
    struct event_code_result sia = look(state, EVENT_FORMAT_SIA, "HA", 0);
    assert_string_equal(sia.class_name, "duress");
    assert_int_equal(sia.priority, 1);
    assert_int_equal(sia.disposition, EVENT_DISPOSITION_ALARM);
}

static void test_panic_codes_are_priority_one(void **state)
{
    const char *cid_codes[] = {"120", "122", "123"};
    for (size_t i = 0; i < sizeof cid_codes / sizeof cid_codes[0]; i++) {
        struct event_code_result result = look(state, EVENT_FORMAT_CID, cid_codes[i], 1);
        assert_string_equal(result.class_name, "panic");
        assert_int_equal(result.priority, 1);
    }
    struct event_code_result sia = look(state, EVENT_FORMAT_SIA, "PA", 0);
    assert_string_equal(sia.class_name, "panic");
    assert_int_equal(sia.priority, 1);
    assert_true(event_disposition_needs_operator(sia.disposition));
}

static void test_cid_alarm_with_qualifier_3_is_a_restore_stored_closed(void **state)
{
    struct event_code_result alarm = look(state, EVENT_FORMAT_CID, "130", 1);
    assert_string_equal(alarm.class_name, "burglary");
    assert_int_equal(alarm.disposition, EVENT_DISPOSITION_ALARM);
    assert_string_equal(alarm.label_en, "Burglary");
    struct event_code_result restore = look(state, EVENT_FORMAT_CID, "130", 3);
    assert_int_equal(restore.disposition, EVENT_DISPOSITION_RESTORE);
    assert_false(event_disposition_needs_operator(restore.disposition));
    assert_string_equal(restore.class_name, "burglary");
    assert_string_equal(restore.label_en, "Burglary — restore");
    assert_string_equal(restore.label_fr, "Intrusion — rétablissement");
}

static void test_cid_open_close_follows_the_qualifier(void **state)
{
    struct event_code_result open = look(state, EVENT_FORMAT_CID, "401", 1);
    assert_int_equal(open.disposition, EVENT_DISPOSITION_OPEN);
    assert_string_equal(open.class_name, "open-close");
    assert_string_equal(open.label_en, "Disarm by user");
    assert_string_equal(open.label_fr, "Mise hors service par un utilisateur");
    struct event_code_result close = look(state, EVENT_FORMAT_CID, "401", 3);
    assert_int_equal(close.disposition, EVENT_DISPOSITION_CLOSE);
    assert_string_equal(close.label_en, "Arm by user");
    assert_string_equal(close.label_fr, "Mise en service par un utilisateur");
    struct event_code_result stay = look(state, EVENT_FORMAT_CID, "441", 3);
    assert_int_equal(stay.disposition, EVENT_DISPOSITION_CLOSE);
}

static void test_cid_open_close_exception_stays_an_alarm_on_closing(void **state)
{
    struct event_code_result early_open = look(state, EVENT_FORMAT_CID, "451", 1);
    assert_int_equal(early_open.disposition, EVENT_DISPOSITION_ALARM);
    assert_string_equal(early_open.label_en, "Early disarm");
    struct event_code_result early_close = look(state, EVENT_FORMAT_CID, "451", 3);
    assert_int_equal(early_close.disposition, EVENT_DISPOSITION_ALARM);
    assert_string_equal(early_close.label_fr, "Mise en service anticipée");
}

static void test_cid_two_form_label_and_status_qualifier(void **state)
{
    struct event_code_result enabled = look(state, EVENT_FORMAT_CID, "551", 3);
    assert_int_equal(enabled.disposition, EVENT_DISPOSITION_RESTORE);
    assert_string_equal(enabled.label_en, "Dialer enabled");
    struct event_code_result status = look(state, EVENT_FORMAT_CID, "301", 6);
    assert_int_equal(status.disposition, EVENT_DISPOSITION_INFO);
    assert_string_equal(status.label_fr, "Défaut secteur — toujours présent");
    struct event_code_result odd = look(state, EVENT_FORMAT_CID, "301", 9);
    assert_int_equal(odd.disposition, EVENT_DISPOSITION_ALARM); /* read as 1 */
}

static void test_tests_and_troubles_have_their_classes(void **state)
{
    struct event_code_result periodic = look(state, EVENT_FORMAT_CID, "602", 1);
    assert_int_equal(periodic.disposition, EVENT_DISPOSITION_TEST);
    assert_string_equal(periodic.label_fr, "Test cyclique");
    assert_int_equal(look(state, EVENT_FORMAT_SIA, "RP", 0).disposition, EVENT_DISPOSITION_TEST);
    assert_string_equal(look(state, EVENT_FORMAT_CID, "302", 1).class_name, "low-battery");
    assert_string_equal(look(state, EVENT_FORMAT_CID, "384", 1).class_name, "low-battery");
    assert_string_equal(look(state, EVENT_FORMAT_CID, "350", 1).class_name,
                        "communication-failure");
    assert_string_equal(look(state, EVENT_FORMAT_SIA, "YC", 0).class_name, "communication-failure");
    assert_string_equal(look(state, EVENT_FORMAT_SIA, "XT", 0).class_name, "low-battery");
    assert_string_equal(look(state, EVENT_FORMAT_SIA, "FA", 0).class_name, "fire");
}

static void test_sia_open_close_and_restores(void **state)
{
    assert_int_equal(look(state, EVENT_FORMAT_SIA, "OP", 0).disposition, EVENT_DISPOSITION_OPEN);
    assert_int_equal(look(state, EVENT_FORMAT_SIA, "CL", 0).disposition, EVENT_DISPOSITION_CLOSE);
    /* SIA has its own restore codes; a qualifier changes nothing. */
    assert_int_equal(look(state, EVENT_FORMAT_SIA, "BA", 3).disposition, EVENT_DISPOSITION_ALARM);
    assert_int_equal(look(state, EVENT_FORMAT_SIA, "BR", 0).disposition, EVENT_DISPOSITION_RESTORE);
    struct event_code_result early = look(state, EVENT_FORMAT_SIA, "OK", 0);
    assert_int_equal(early.disposition, EVENT_DISPOSITION_ALARM);
    assert_string_equal(early.class_name, "open-close");
}

static void test_unknown_code_is_a_high_priority_alarm(void **state)
{
    struct event_code_result cid = look(state, EVENT_FORMAT_CID, "789", 3);
    assert_false(cid.known);
    assert_string_equal(cid.class_name, "unknown");
    assert_int_equal(cid.priority, 2);
    assert_int_equal(cid.disposition, EVENT_DISPOSITION_ALARM);
    assert_string_equal(cid.label_en, "Unknown event 789");
    assert_string_equal(cid.label_fr, "Événement inconnu 789");
    struct event_code_result sia = look(state, EVENT_FORMAT_SIA, "ZX", 0);
    assert_string_equal(sia.label_en, "Unknown event ZX");
    /* A code of the other format, or garbage, is unknown too. */
    assert_false(look(state, EVENT_FORMAT_SIA, "130", 1).known);
    struct event_code_result garbage = look(state, EVENT_FORMAT_CID, "\x01\n", 1);
    assert_string_equal(garbage.label_en, "Unknown event ??");
    struct event_code_result no_table;
    event_codes_lookup(NULL, EVENT_FORMAT_CID, "130", 1, &no_table);
    assert_string_equal(no_table.class_name, "unknown");
    event_codes_lookup(*state, EVENT_FORMAT_CID, NULL, 1, &no_table);
    assert_string_equal(no_table.label_en, "Unknown event ?");
}

/* ---- Broken files ---- */

struct temp_file {
    char path[64];
};

static void write_temp(struct temp_file *file, const char *content)
{
    snprintf(file->path, sizeof file->path, "/tmp/vigie-events-XXXXXX");
    int fd = mkstemp(file->path);
    assert_true(fd >= 0);
    size_t length = strlen(content);
    assert_int_equal(write(fd, content, length), (ssize_t)length);
    close(fd);
}

/* Loads CONTENT and expects a failure reported at "PATH:LINE: " with
 * EXPECTED somewhere in the message. */
static void expect_refused(const char *content, unsigned line, const char *expected)
{
    struct temp_file file;
    write_temp(&file, content);
    struct event_code_table table;
    char error[256] = "";
    assert_false(event_codes_load(file.path, &table, error, sizeof error));
    assert_null(table.rows);
    assert_int_equal(table.count, 0);
    char prefix[96];
    snprintf(prefix, sizeof prefix, "%s:%u: ", file.path, line);
    if (strncmp(error, prefix, strlen(prefix)) != 0 || !strstr(error, expected))
        fail_msg("expected \"%s...%s\", got \"%s\"", prefix, expected, error);
    unlink(file.path);
}

static void test_broken_rows_are_reported_with_file_and_line(void **state)
{
    (void)state;
    expect_refused("# comment\n" HEADER "CID\t130\tburglary\t2\talarm\tBurglary\n", 3,
                   "7 tab-separated columns, found 6");
    expect_refused(HEADER "CID\t130\tburglary\t0\talarm\tBurglary\tIntrusion\n", 2,
                   "priority must be 1 to 5");
    expect_refused(HEADER "CID\t130\tburglary\t12\talarm\tBurglary\tIntrusion\n", 2, "priority");
    expect_refused(HEADER "\nCID\t130\talien-invasion\t2\talarm\tBurglary\tIntrusion\n", 3,
                   "unknown alarm class \"alien-invasion\"");
    expect_refused(HEADER "CID\t130\tburglary\t2\tpanic\tBurglary\tIntrusion\n", 2, "disposition");
    expect_refused(HEADER "CID\t13\tburglary\t2\talarm\tBurglary\tIntrusion\n", 2, "3 digits");
    expect_refused(HEADER "SIA\tba\tburglary\t2\talarm\tBurglary\tIntrusion\n", 2,
                   "2 capital letters");
    expect_refused(HEADER "XYZ\t130\tburglary\t2\talarm\tBurglary\tIntrusion\n", 2, "CID or SIA");
    expect_refused(HEADER "CID\t130\tburglary\t2\talarm\t\tIntrusion\n", 2, "label_en is empty");
    expect_refused(HEADER "SIA\tBA\tburglary\t2\talarm\tA|B\tC|D\n", 2, "two forms");
    expect_refused(HEADER "CID\t130\tburglary\t2\talarm\tA|\tC|D\n", 2, "two forms");
    expect_refused(HEADER "CID\t130\tburglary\t2\talarm\tBurglary\tIntrusion\xC3\n", 2, "UTF-8");
}

static void test_duplicates_and_file_shape_are_refused(void **state)
{
    (void)state;
    expect_refused(HEADER "CID\t130\tburglary\t2\talarm\tA\tB\n"
                          "SIA\tBA\tburglary\t2\talarm\tA\tB\n"
                          "CID\t130\tfire\t1\talarm\tC\tD\n",
                   4, "CID 130 is already on line 2");
    expect_refused("format\tcode\tclass\n", 1, "must name the columns");
    expect_refused("CID\t130\tburglary\t2\talarm\tA\tB\n", 1, "must name the columns");
    expect_refused(HEADER, 2, "no event codes");
    expect_refused("# only a comment\n", 2, "no column line");
    char long_line[EVENT_CODES_LINE_MAX + 160];
    snprintf(long_line, sizeof long_line, HEADER "CID\t130\tburglary\t2\talarm\t%0*d\tB\n",
             EVENT_CODES_LINE_MAX, 7);
    expect_refused(long_line, 2, "longer than");
    char label[EVENT_LABEL_MAX + 8];
    memset(label, 'x', sizeof label - 1);
    label[sizeof label - 1] = '\0';
    char row[EVENT_LABEL_MAX + 160];
    snprintf(row, sizeof row, HEADER "CID\t130\tburglary\t2\talarm\t%s\tB\n", label);
    expect_refused(row, 2, "longer than");
}

static void test_small_file_with_bom_and_crlf_loads(void **state)
{
    (void)state;
    struct temp_file file;
    write_temp(&file, "\xEF\xBB\xBF"
                      "format\tcode\tclass\tpriority\tdisposition\tlabel_en\tlabel_fr\r\n"
                      "SIA\tBA\tburglary\t2\talarm\tBurglary\tIntrusion\r\n"
                      "CID\t130\tburglary\t2\talarm\tBurglary\tIntrusion");
    struct event_code_table table;
    char error[256] = "";
    assert_true(event_codes_load(file.path, &table, error, sizeof error));
    assert_int_equal(table.count, 2);
    assert_int_equal(table.rows[0].format, EVENT_FORMAT_CID); /* sorted */
    struct event_code_result result;
    event_codes_lookup(&table, EVENT_FORMAT_SIA, "BA", 0, &result);
    assert_string_equal(result.label_fr, "Intrusion");
    event_codes_free(&table);
    unlink(file.path);
}

static void test_missing_file_names_the_path(void **state)
{
    (void)state;
    struct event_code_table table;
    char error[256] = "";
    assert_false(event_codes_load("/nonexistent/events.tsv", &table, error, sizeof error));
    assert_non_null(strstr(error, "/nonexistent/events.tsv"));
}

static void test_default_path_prefers_the_environment(void **state)
{
    (void)state;
    struct temp_file file;
    write_temp(&file, HEADER);
    setenv("VIGIE_EVENTS_FILE", file.path, 1);
    assert_string_equal(event_codes_default_path(), file.path);
    unlink(file.path);
    /* Gone: the next candidate that exists, the source tree here. */
    const char *fallback = event_codes_default_path();
    assert_true(strcmp(fallback, VIGIE_DATADIR "/events.tsv") == 0 ||
                strcmp(fallback, EVENTS_FILE) == 0);
    unsetenv("VIGIE_EVENTS_FILE");
    assert_int_equal(access(event_codes_default_path(), R_OK), 0);
}

static void test_names_round_trip(void **state)
{
    (void)state;
    enum event_disposition disposition;
    assert_true(event_disposition_parse("restore", &disposition));
    assert_string_equal(event_disposition_name(disposition), "restore");
    assert_false(event_disposition_parse("Alarm", &disposition));
    enum event_format format;
    assert_true(event_format_parse("SIA", &format));
    assert_string_equal(event_format_name(format), "SIA");
    assert_false(event_format_parse("cid", &format));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_file_loads_with_both_formats_and_no_duplicate),
        cmocka_unit_test(test_duress_is_priority_one_in_both_formats),
        cmocka_unit_test(test_panic_codes_are_priority_one),
        cmocka_unit_test(test_cid_alarm_with_qualifier_3_is_a_restore_stored_closed),
        cmocka_unit_test(test_cid_open_close_follows_the_qualifier),
        cmocka_unit_test(test_cid_open_close_exception_stays_an_alarm_on_closing),
        cmocka_unit_test(test_cid_two_form_label_and_status_qualifier),
        cmocka_unit_test(test_tests_and_troubles_have_their_classes),
        cmocka_unit_test(test_sia_open_close_and_restores),
        cmocka_unit_test(test_unknown_code_is_a_high_priority_alarm),
        cmocka_unit_test(test_broken_rows_are_reported_with_file_and_line),
        cmocka_unit_test(test_duplicates_and_file_shape_are_refused),
        cmocka_unit_test(test_small_file_with_bom_and_crlf_loads),
        cmocka_unit_test(test_missing_file_names_the_path),
        cmocka_unit_test(test_default_path_prefers_the_environment),
        cmocka_unit_test(test_names_round_trip),
    };
    /* The group state is the real table; the file tests make their own. */
    return cmocka_run_group_tests(tests, load_real_table, free_real_table);
}
