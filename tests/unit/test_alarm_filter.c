/* Unit tests of the "/" filter: smart case, PCRE2's own message and
 * offset for a bad pattern, the JIT or the interpreter giving the same
 * answers, the pre-check that tells a pattern cannot match "#N"; and over
 * alarms: the text a row is matched on (its columns but the age, then
 * label, account and event code), its "#N", and answers remembered per
 * distinct text that stay exact when alarms differ only by number, flag
 * or claim, and when more texts come than the memo holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/alarm_filter.h"
#include "console/filter.h"

static const enum alarm_field queue_fields[] = {
    ALARM_FIELD_PRIORITY, ALARM_FIELD_AGE,   ALARM_FIELD_CLASS,   ALARM_FIELD_SUBJECT,
    ALARM_FIELD_PLACE,    ALARM_FIELD_STATE, ALARM_FIELD_HANDLER,
};
#define QUEUE_FIELDS (sizeof queue_fields / sizeof queue_fields[0])

static struct console_alarm alarm_of(int64_t id, const char *class_name, const char *subject,
                                     const char *place, const char *flags, const char *claim)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"id\":%lld,\"sequence\":%lld,\"source\":\"dc09\",\"account\":\"1234\","
             "\"site_id\":12,\"device_id\":null,\"victim_id\":null,\"subject\":\"%s\","
             "\"place\":\"%s\",\"event_code\":\"E130\",\"class\":\"%s\","
             "\"label\":\"Intrusion zone 3\",\"priority\":2,\"zone\":3,"
             "\"received_at\":\"2025-03-14T09:26:53.589Z\",\"state\":\"%s\",\"claim\":%s,"
             "\"resolution\":null,\"closed_at\":null,\"flags\":%s,\"has_position\":false}",
             (long long)id, (long long)id, subject, place, class_name, claim ? "claimed" : "new",
             claim ? claim : "null", flags ? flags : "[]");
    cJSON *json = cJSON_Parse(text);
    assert_non_null(json);
    struct console_alarm alarm;
    assert_true(model_alarm_from_json(json, &alarm));
    cJSON_Delete(json);
    return alarm;
}

static void test_smart_case_and_a_bad_pattern(void **state)
{
    (void)state;
    struct filter *filter = filter_new();
    char error[FILTER_ERROR_MAX];
    const char *text = "2\tburglary\tAgence Bastille";
    assert_true(filter_set(filter, "bastille", error, sizeof error));
    assert_true(filter_caseless(filter));
    assert_true(filter_match(filter, text, strlen(text)));
    assert_true(filter_set(filter, "Bastille", error, sizeof error));
    assert_false(filter_caseless(filter));
    assert_true(filter_match(filter, text, strlen(text)));
    assert_true(filter_set(filter, "BASTILLE", error, sizeof error));
    assert_false(filter_match(filter, text, strlen(text)));
    /* \S is an escape, not a capital: still any case. */
    assert_true(filter_set(filter, "agence\\sbas", error, sizeof error));
    assert_true(filter_caseless(filter));
    assert_true(filter_match(filter, text, strlen(text)));
    assert_false(filter_set(filter, "(foo", error, sizeof error));
    assert_string_equal(error, "missing closing parenthesis at offset 4");
    assert_false(filter_active(filter));
    assert_true(filter_match(filter, "anything", 8)); /* filters nothing */
    assert_true(filter_set(filter, "", error, sizeof error));
    assert_false(filter_active(filter));
    filter_free(filter);
}

static void test_the_jit_and_the_interpreter_agree(void **state)
{
    (void)state;
    struct filter *filter = filter_new();
    char error[FILTER_ERROR_MAX];
    assert_true(filter_set(filter, "mont(r|p)euil|^1\\t", error, sizeof error));
    printf("# PCRE2 JIT: %s\n", filter_jit(filter) ? "yes" : "no (the interpreter matches)");
    assert_true(filter_match(filter, "x Montreuil", 11));
    assert_true(filter_match(filter, "montpeuil", 9));
    assert_true(filter_match(filter, "1\tfire", 6));
    assert_false(filter_match(filter, "2\tfire", 6));
    /* A match deeper than the JIT's stack is answered by the interpreter. */
    enum { LONG = 400000 };
    char *subject = malloc(LONG + 2);
    assert_non_null(subject);
    for (size_t i = 0; i < LONG; i++)
        subject[i] = i % 2 ? 'a' : 'b';
    subject[LONG] = 'c';
    subject[LONG + 1] = '\0';
    assert_true(filter_set(filter, "^(?:(a)|b)*+c", error, sizeof error));
    assert_true(filter_match(filter, subject, LONG + 1));
    assert_true(filter_set(filter, "^(?:(a)|b)*c", error, sizeof error));
    assert_true(filter_match(filter, subject, LONG + 1));
    subject[LONG] = 'd';
    assert_false(filter_match(filter, subject, LONG + 1));
    free(subject);
    filter_free(filter);
}

static void test_a_pattern_that_cannot_match_a_number_is_told(void **state)
{
    (void)state;
    struct filter *filter = filter_new();
    char error[FILTER_ERROR_MAX];
    static const struct {
        const char *pattern;
        bool may;
    } cases[] = {
        {"montreuil", false}, {"M", false},     {"[a-z]+", false}, {"x{30}", false},
        {"fire$", false},     {"#12", true},    {"12", true},      {".", true},
        {"m|1", true},        {"\\d", true},    {"^#", true},      {"(?i)e", false},
        {"[#x]", true},       {"#\\d+$", true}, {"\\bst", false},  {"1{20}", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_true(filter_set(filter, cases[i].pattern, error, sizeof error));
        bool may = filter_may_match(filter, "#0123456789", 17);
        if (may != cases[i].may)
            fail_msg("/%s/: %s", cases[i].pattern, may ? "may match #N" : "cannot match #N");
        /* Never wrong the other way: what may not match does not. */
        if (!may)
            assert_false(filter_match(filter, "#1234567890", 11));
    }
    filter_set(filter, "", error, sizeof error);
    assert_true(filter_may_match(filter, "#", 1));
    filter_free(filter);
}

static void test_a_row_is_matched_on_its_columns_and_its_number(void **state)
{
    (void)state;
    struct alarm_filter *filter = alarm_filter_new(queue_fields, QUEUE_FIELDS);
    assert_non_null(filter);
    char error[FILTER_ERROR_MAX], text[1024];
    struct console_alarm alarm =
        alarm_of(42, "burglary", "Agence Bastille", "134 Boulevard Richard-Lenoir, Paris", NULL,
                 "{\"username\":\"alice\",\"display_name\":\"Alice Martin\",\"expires_at\":null}");
    alarm_filter_text(filter, &alarm, text, sizeof text);
    assert_string_equal(text, "2\tburglary\tAgence Bastille\t134 Boulevard Richard-Lenoir, "
                              "Paris\tclaimed\tAlice Martin\tIntrusion zone 3\t1234\tE130");
    static const struct {
        const char *pattern;
        bool kept;
    } cases[] = {
        {"bastille", true},  {"alice martin", true}, {"E130$", true},   {"^2\\tburglary", true},
        {"#42", true},       {"#4", true},           {"^#42$", true},   {"#43", false},
        {"zone 3\\t", true}, {"fire", false},        {"m\\d+s", false}, /* no age */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_true(alarm_filter_set(filter, cases[i].pattern, error, sizeof error));
        if (alarm_filter_match(filter, &alarm) != cases[i].kept)
            fail_msg("/%s/ should %skeep the row", cases[i].pattern, cases[i].kept ? "" : "not ");
    }
    assert_true(alarm_filter_set(filter, "", error, sizeof error));
    assert_true(alarm_filter_match(filter, &alarm));
    assert_false(alarm_filter_set(filter, "[", error, sizeof error));
    assert_true(alarm_filter_match(filter, &alarm)); /* invalid: filters nothing */
    alarm_filter_free(filter);
}

static void test_remembered_answers_stay_exact(void **state)
{
    (void)state;
    struct alarm_filter *filter = alarm_filter_new(queue_fields, QUEUE_FIELDS);
    char error[FILTER_ERROR_MAX];
    struct console_alarm plain = alarm_of(7, "burglary", "Agence Opéra", "Paris", NULL, NULL);
    struct console_alarm other = alarm_of(8, "burglary", "Agence Opéra", "Paris", NULL, NULL);
    struct console_alarm early =
        alarm_of(9, "burglary", "Agence Opéra", "Paris", "[\"early-open\"]", NULL);
    struct console_alarm duress = alarm_of(10, "duress", "Agence Opéra", "Paris", NULL, NULL);
    struct console_alarm taken =
        alarm_of(11, "burglary", "Agence Opéra", "Paris", NULL,
                 "{\"username\":\"bruno\",\"display_name\":\"Bruno Petit\",\"expires_at\":null}");
    /* Same texts, different numbers: the number decides. */
    assert_true(alarm_filter_set(filter, "#7$", error, sizeof error));
    assert_true(alarm_filter_match(filter, &plain));
    assert_false(alarm_filter_match(filter, &other));
    assert_true(alarm_filter_match(filter, &plain));
    /* The class cell of an early open or a duress is a marker word. */
    assert_true(alarm_filter_set(filter, "early open", error, sizeof error));
    assert_false(alarm_filter_match(filter, &plain));
    assert_true(alarm_filter_match(filter, &early));
    assert_false(alarm_filter_match(filter, &other));
    assert_true(alarm_filter_set(filter, "^2\\tDURESS", error, sizeof error));
    assert_true(alarm_filter_match(filter, &duress));
    assert_false(alarm_filter_match(filter, &plain));
    assert_true(alarm_filter_set(filter, "bruno", error, sizeof error));
    assert_false(alarm_filter_match(filter, &plain));
    assert_true(alarm_filter_match(filter, &taken));
    assert_false(alarm_filter_match(filter, &other));
    alarm_filter_free(filter);
}

static void test_more_texts_than_the_memo_holds(void **state)
{
    (void)state;
    enum { ALARMS = 40000 };
    struct alarm_filter *filter = alarm_filter_new(queue_fields, QUEUE_FIELDS);
    char error[FILTER_ERROR_MAX], place[64];
    struct console_alarm *alarms = calloc(ALARMS, sizeof *alarms);
    assert_non_null(alarms);
    for (int i = 0; i < ALARMS; i++) {
        snprintf(place, sizeof place, "%d rue des Lilas, Montreuil", i);
        alarms[i] = alarm_of(i + 1, "burglary", "Agence Lilas", place, NULL, NULL);
    }
    assert_true(alarm_filter_set(filter, "^2\\t.*\\t\\d*7 rue", error, sizeof error));
    for (int pass = 0; pass < 2; pass++) {
        size_t kept = 0;
        for (int i = 0; i < ALARMS; i++) {
            bool expected = i % 10 == 7;
            if (alarm_filter_match(filter, &alarms[i]) != expected)
                fail_msg("alarm %d, pass %d", i + 1, pass);
            kept += expected;
        }
        assert_int_equal(kept, ALARMS / 10);
    }
    free(alarms);
    alarm_filter_free(filter);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smart_case_and_a_bad_pattern),
        cmocka_unit_test(test_the_jit_and_the_interpreter_agree),
        cmocka_unit_test(test_a_pattern_that_cannot_match_a_number_is_told),
        cmocka_unit_test(test_a_row_is_matched_on_its_columns_and_its_number),
        cmocka_unit_test(test_remembered_answers_stay_exact),
        cmocka_unit_test(test_more_texts_than_the_memo_holds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
