/* Unit tests of procedure steps and markers: the kind a step's text
 * suggests (the demo plans' own wordings, English and French), which
 * alarm is a possible hold-up, and the rule that such an alarm is never
 * offered a call to the site. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "server/procedure.h"

static void expect_kind(const char *action, enum procedure_kind kind)
{
    enum procedure_kind got = procedure_kind_guess(action);
    if (got != kind)
        fail_msg("\"%s\" is %s, not %s", action, procedure_kind_name(got),
                 procedure_kind_name(kind));
}

static void test_kinds_of_the_demo_plans(void **state)
{
    (void)state;
    expect_kind("Do NOT call the site", PROCEDURE_KIND_DO_NOT_CALL_SITE);
    expect_kind("Call the site", PROCEDURE_KIND_CALL_SITE);
    expect_kind("Call the site's phone", PROCEDURE_KIND_CALL_SITE);
    expect_kind("Call the night watchman on site first", PROCEDURE_KIND_CALL_SITE);
    expect_kind("Call keyholder 1, then the next ones in order", PROCEDURE_KIND_CALL_KEYHOLDER);
    expect_kind("Call keyholder 1 during opening hours", PROCEDURE_KIND_CALL_KEYHOLDER);
    expect_kind("Inform keyholder 1 by SMS", PROCEDURE_KIND_CALL_KEYHOLDER);
    expect_kind("Check camera 1", PROCEDURE_KIND_CHECK_CAMERA);
    expect_kind("Check the cameras (thermal at night)", PROCEDURE_KIND_CHECK_CAMERA);
    expect_kind("Dispatch guard", PROCEDURE_KIND_DISPATCH_GUARD);
    expect_kind("Dispatch the intervention guard", PROCEDURE_KIND_DISPATCH_GUARD);
    expect_kind("Call police 17 if confirmed", PROCEDURE_KIND_CALL_POLICE);
    expect_kind("No answer or wrong password: call police 17", PROCEDURE_KIND_CALL_POLICE);
    expect_kind("Call police 17 and dispatch guard", PROCEDURE_KIND_CALL_POLICE);
    expect_kind("Call the fire brigade 18", PROCEDURE_KIND_CALL_FIRE_BRIGADE);
    expect_kind("Call the client's security manager", PROCEDURE_KIND_OTHER);
    expect_kind("Log the outcome and close with a resolution", PROCEDURE_KIND_OTHER);
    expect_kind("Ne pas appeler le site", PROCEDURE_KIND_DO_NOT_CALL_SITE);
    expect_kind("Appeler le site", PROCEDURE_KIND_CALL_SITE);
    expect_kind("Appeler le détenteur de clés n° 1", PROCEDURE_KIND_CALL_KEYHOLDER);
    expect_kind("Appeler la gendarmerie", PROCEDURE_KIND_CALL_POLICE);
    expect_kind(NULL, PROCEDURE_KIND_OTHER);
}

static void test_kind_names_round_trip(void **state)
{
    (void)state;
    for (int kind = 0; kind < PROCEDURE_KIND_COUNT; kind++) {
        enum procedure_kind parsed;
        assert_true(procedure_kind_parse(procedure_kind_name((enum procedure_kind)kind), &parsed));
        assert_int_equal(parsed, kind);
    }
    enum procedure_kind parsed;
    assert_false(procedure_kind_parse("call-the-pope", &parsed));
    assert_false(procedure_kind_parse(NULL, &parsed));
    assert_string_equal(procedure_kind_name(PROCEDURE_KIND_COUNT), "other");
}

static void test_markers(void **state)
{
    (void)state;
    assert_int_equal(procedure_marker_of("duress", 0), PROCEDURE_MARKER_DURESS);
    assert_int_equal(procedure_marker_of("duress", ALARM_FLAG_EARLY_OPEN), PROCEDURE_MARKER_DURESS);
    assert_int_equal(procedure_marker_of("open-close", ALARM_FLAG_EARLY_OPEN),
                     PROCEDURE_MARKER_EARLY_OPEN);
    assert_int_equal(procedure_marker_of("burglary", ALARM_FLAG_UNKNOWN_ACCOUNT),
                     PROCEDURE_MARKER_NONE);
    assert_int_equal(procedure_marker_of("panic", 0), PROCEDURE_MARKER_NONE);
    assert_string_equal(procedure_marker_name(PROCEDURE_MARKER_DURESS), "duress");
    assert_string_equal(procedure_marker_name(PROCEDURE_MARKER_EARLY_OPEN), "early-open");
    assert_null(procedure_marker_name(PROCEDURE_MARKER_NONE));
}

static void test_a_marked_alarm_is_never_offered_a_call_to_the_site(void **state)
{
    (void)state;
    for (int kind = 0; kind < PROCEDURE_KIND_COUNT; kind++) {
        assert_true(procedure_step_offered((enum procedure_kind)kind, PROCEDURE_MARKER_NONE));
        bool site = kind == PROCEDURE_KIND_CALL_SITE;
        assert_int_equal(procedure_step_offered((enum procedure_kind)kind, PROCEDURE_MARKER_DURESS),
                         !site);
        assert_int_equal(
            procedure_step_offered((enum procedure_kind)kind, PROCEDURE_MARKER_EARLY_OPEN), !site);
    }
}

static void test_step_states(void **state)
{
    (void)state;
    const char *names[] = {"pending", "done", "skipped", "failed"};
    for (size_t i = 0; i < 4; i++) {
        enum procedure_step_state parsed;
        assert_true(procedure_step_state_parse(names[i], &parsed));
        assert_string_equal(procedure_step_state_name(parsed), names[i]);
    }
    enum procedure_step_state parsed;
    assert_false(procedure_step_state_parse("Done", &parsed));
    assert_false(procedure_step_state_parse("", &parsed));
    assert_false(procedure_step_state_parse(NULL, &parsed));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_of_the_demo_plans),
        cmocka_unit_test(test_kind_names_round_trip),
        cmocka_unit_test(test_markers),
        cmocka_unit_test(test_a_marked_alarm_is_never_offered_a_call_to_the_site),
        cmocka_unit_test(test_step_states),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
