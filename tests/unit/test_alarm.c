/* Unit tests of the alarm model: which operator action is allowed in which
 * state, and what state follows; the JSON an alarm is shown as. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "server/alarm.h"

static struct alarm make_alarm(enum alarm_state state, int64_t holder, int64_t expires)
{
    struct alarm alarm;
    memset(&alarm, 0, sizeof alarm);
    alarm.id = 7;
    alarm.state = state;
    alarm.claim.user_id = holder;
    alarm.claim.expires_at = expires;
    alarm.zone = -1;
    alarm.position.battery = -1;
    strcpy(alarm.class_name, "duress");
    alarm.priority = 1;
    return alarm;
}

static void test_claim_of_new_alarm_is_allowed_and_claims_it(void **state)
{
    (void)state;
    struct alarm alarm = make_alarm(ALARM_STATE_NEW, 0, 0);
    assert_int_equal(alarm_action_check(&alarm, ALARM_ACTION_CLAIM, 1, 1000), ALARM_ALLOWED);
    assert_int_equal(alarm_state_after(&alarm, ALARM_ACTION_CLAIM), ALARM_STATE_CLAIMED);
}

static void test_alarm_held_by_another_refuses_every_action(void **state)
{
    (void)state;
    struct alarm alarm = make_alarm(ALARM_STATE_CLAIMED, 2, 5000);
    enum alarm_action actions[] = {ALARM_ACTION_CLAIM, ALARM_ACTION_RELEASE, ALARM_ACTION_ACK,
                                   ALARM_ACTION_NOTE, ALARM_ACTION_CLOSE};
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        assert_int_equal(alarm_action_check(&alarm, actions[i], 1, 1000), ALARM_REFUSED_HELD);
}

static void test_expired_claim_no_longer_protects_the_alarm(void **state)
{
    (void)state;
    struct alarm alarm = make_alarm(ALARM_STATE_CLAIMED, 2, 5000);
    assert_int_equal(alarm_action_check(&alarm, ALARM_ACTION_CLAIM, 1, 5000), ALARM_ALLOWED);
}

static void test_closed_alarm_refuses_everything(void **state)
{
    (void)state;
    struct alarm alarm = make_alarm(ALARM_STATE_CLOSED, 0, 0);
    assert_int_equal(alarm_action_check(&alarm, ALARM_ACTION_CLAIM, 1, 0), ALARM_REFUSED_CLOSED);
    assert_int_equal(alarm_action_check(&alarm, ALARM_ACTION_NOTE, 1, 0), ALARM_REFUSED_CLOSED);
}

static void test_acknowledging_twice_is_refused(void **state)
{
    (void)state;
    struct alarm alarm = make_alarm(ALARM_STATE_ACKNOWLEDGED, 1, 5000);
    assert_int_equal(alarm_action_check(&alarm, ALARM_ACTION_ACK, 1, 1000),
                     ALARM_REFUSED_WRONG_STATE);
}

static void test_release_keeps_acknowledged_state(void **state)
{
    (void)state;
    struct alarm claimed = make_alarm(ALARM_STATE_CLAIMED, 1, 5000);
    struct alarm acked = make_alarm(ALARM_STATE_ACKNOWLEDGED, 1, 5000);
    assert_int_equal(alarm_state_after(&claimed, ALARM_ACTION_RELEASE), ALARM_STATE_NEW);
    assert_int_equal(alarm_state_after(&acked, ALARM_ACTION_RELEASE), ALARM_STATE_ACKNOWLEDGED);
}

static void test_release_of_unheld_alarm_is_refused(void **state)
{
    (void)state;
    struct alarm alarm = make_alarm(ALARM_STATE_NEW, 0, 0);
    assert_int_equal(alarm_action_check(&alarm, ALARM_ACTION_RELEASE, 1, 0),
                     ALARM_REFUSED_NOT_HELD);
}

static void test_summary_json_has_no_technical_data(void **state)
{
    (void)state;
    struct alarm alarm = make_alarm(ALARM_STATE_NEW, 0, 0);
    alarm.position.present = true;
    alarm.position.lat = 48.85;
    alarm.position.battery = 40;
    strcpy(alarm.raw, "raw frame");
    cJSON *json = alarm_summary_json(&alarm);
    assert_null(cJSON_GetObjectItem(json, "position"));
    assert_null(cJSON_GetObjectItem(json, "battery"));
    assert_null(cJSON_GetObjectItem(json, "raw"));
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(json, "has_position")));
    assert_string_equal(cJSON_GetObjectItem(json, "state")->valuestring, "new");
    cJSON_Delete(json);
    json = alarm_detail_json(&alarm);
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(json, "position"), "lat"));
    assert_int_equal(cJSON_GetObjectItem(json, "battery")->valueint, 40);
    cJSON_Delete(json);
}

static void test_classes_and_states_parse(void **state)
{
    (void)state;
    assert_true(alarm_class_is_known("duress"));
    assert_true(alarm_class_is_known("communication-failure"));
    assert_false(alarm_class_is_known("alien-invasion"));
    enum alarm_state parsed;
    assert_true(alarm_state_parse("acknowledged", &parsed));
    assert_int_equal(parsed, ALARM_STATE_ACKNOWLEDGED);
    assert_false(alarm_state_parse("bogus", &parsed));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_claim_of_new_alarm_is_allowed_and_claims_it),
        cmocka_unit_test(test_alarm_held_by_another_refuses_every_action),
        cmocka_unit_test(test_expired_claim_no_longer_protects_the_alarm),
        cmocka_unit_test(test_closed_alarm_refuses_everything),
        cmocka_unit_test(test_acknowledging_twice_is_refused),
        cmocka_unit_test(test_release_keeps_acknowledged_state),
        cmocka_unit_test(test_release_of_unheld_alarm_is_refused),
        cmocka_unit_test(test_summary_json_has_no_technical_data),
        cmocka_unit_test(test_classes_and_states_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
