/* Unit tests of the console's model: an alarm summary is read field by
 * field (nulls, flags, claims, times), a change applies only when its
 * sequence is newer, a closed alarm leaves the queue for the closed ring,
 * the ring keeps the newest MODEL_CLOSED_MAX, a bad summary changes
 * nothing, and ten thousand alarms apply and are found quickly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "console/model.h"

/* A summary as the API gives it (AlarmSummary). */
static cJSON *summary(int64_t id, int64_t sequence, const char *state)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{\"id\":%lld,\"sequence\":%lld,\"source\":\"dc09\",\"account\":\"1234\","
             "\"site_id\":12,\"device_id\":null,\"victim_id\":null,\"subject\":\"Mairie du 2e\","
             "\"place\":\"2 rue de la Paix, Lyon\",\"event_code\":\"E130\",\"class\":\"burglary\","
             "\"label\":\"Intrusion zone 3\",\"priority\":2,\"zone\":3,"
             "\"received_at\":\"2025-03-14T09:26:53.589Z\",\"state\":\"%s\",\"claim\":null,"
             "\"resolution\":null,\"closed_at\":null,\"flags\":[],\"has_position\":false}",
             (long long)id, (long long)sequence, state);
    cJSON *json = cJSON_Parse(text);
    assert_non_null(json);
    return json;
}

static enum model_change apply(struct model *model, cJSON *json)
{
    enum model_change change = model_apply_json(model, json, NULL);
    cJSON_Delete(json);
    return change;
}

static void test_a_summary_is_read_field_by_field(void **state)
{
    (void)state;
    cJSON *json = summary(7, 42, "claimed");
    cJSON_ReplaceItemInObject(json, "claim",
                              cJSON_Parse("{\"username\":\"alice\",\"display_name\":\"Alice "
                                          "Martin\",\"expires_at\":null}"));
    cJSON_ReplaceItemInObject(json, "flags", cJSON_Parse("[\"early-open\",\"later-flag\"]"));
    cJSON_ReplaceItemInObject(json, "has_position", cJSON_CreateTrue());
    struct console_alarm alarm;
    assert_true(model_alarm_from_json(json, &alarm));
    assert_int_equal(alarm.id, 7);
    assert_int_equal(alarm.seq, 42);
    assert_string_equal(alarm.source, "dc09");
    assert_string_equal(alarm.account, "1234");
    assert_int_equal(alarm.site_id, 12);
    assert_int_equal(alarm.device_id, 0);
    assert_int_equal(alarm.victim_id, 0);
    assert_string_equal(alarm.subject, "Mairie du 2e");
    assert_string_equal(alarm.place, "2 rue de la Paix, Lyon");
    assert_string_equal(alarm.event_code, "E130");
    assert_string_equal(alarm.class_name, "burglary");
    assert_string_equal(alarm.label, "Intrusion zone 3");
    assert_int_equal(alarm.priority, 2);
    assert_int_equal(alarm.zone, 3);
    int64_t received;
    assert_true(clock_parse_rfc3339("2025-03-14T09:26:53.589Z", &received));
    assert_int_equal(alarm.received_at, received);
    assert_string_equal(alarm.state, "claimed");
    assert_string_equal(alarm.claim_user, "alice");
    assert_string_equal(alarm.claim_name, "Alice Martin");
    assert_string_equal(alarm.resolution, "");
    assert_int_equal(alarm.closed_at, 0);
    assert_int_equal(alarm.flags, MODEL_FLAG_EARLY_OPEN);
    assert_true(alarm.has_position);
    cJSON_Delete(json);

    /* Nulls where the API allows them. */
    json = summary(8, 43, "new");
    cJSON_ReplaceItemInObject(json, "account", cJSON_CreateNull());
    cJSON_ReplaceItemInObject(json, "zone", cJSON_CreateNull());
    cJSON_ReplaceItemInObject(json, "event_code", cJSON_CreateNull());
    cJSON_ReplaceItemInObject(json, "site_id", cJSON_CreateNull());
    cJSON_ReplaceItemInObject(json, "victim_id", cJSON_CreateNumber(5));
    assert_true(model_alarm_from_json(json, &alarm));
    assert_string_equal(alarm.account, "");
    assert_int_equal(alarm.zone, -1);
    assert_int_equal(alarm.site_id, 0);
    assert_int_equal(alarm.victim_id, 5);
    cJSON_Delete(json);
}

static void test_a_long_text_is_cut_on_a_character_boundary(void **state)
{
    (void)state;
    char label[400] = "";
    for (int i = 0; i < 100; i++)
        strcat(label, "é"); /* two bytes each */
    strcat(label, "x");
    cJSON *json = summary(1, 1, "new");
    cJSON_ReplaceItemInObject(json, "label", cJSON_CreateString(label));
    struct console_alarm alarm;
    assert_true(model_alarm_from_json(json, &alarm));
    size_t length = strlen(alarm.label);
    assert_true(length < sizeof alarm.label);
    assert_int_equal(length % 2, 0);
    assert_int_equal(memcmp(alarm.label, label, length), 0);
    cJSON_Delete(json);
}

static void test_bad_summaries_are_refused_and_change_nothing(void **state)
{
    (void)state;
    static const char *const missing[] = {"id",    "sequence", "source",  "subject",     "place",
                                          "class", "label",    "state",   "priority",    "claim",
                                          "flags", "zone",     "site_id", "has_position"};
    struct model *model = model_new();
    struct console_alarm alarm;
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        cJSON *json = summary(1, 1, "new");
        cJSON_DeleteItemFromObject(json, missing[i]);
        assert_false(model_alarm_from_json(json, &alarm));
        const struct console_alarm *out = &alarm;
        assert_int_equal(model_apply_json(model, json, &out), MODEL_UNCHANGED);
        assert_null(out);
        cJSON_Delete(json);
    }
    static const char *const wrong[][2] = {
        {"id", "\"7\""},
        {"id", "0"},
        {"id", "1.5"},
        {"sequence", "-1"},
        {"sequence", "1e300"},
        {"state", "\"\""},
        {"received_at", "\"yesterday\""},
        {"claim", "{\"username\":\"alice\"}"},
        {"flags", "[1]"},
        {"has_position", "0"},
        {"priority", "\"high\""},
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        cJSON *json = summary(1, 1, "new");
        cJSON_ReplaceItemInObject(json, wrong[i][0], cJSON_Parse(wrong[i][1]));
        assert_false(model_alarm_from_json(json, &alarm));
        assert_int_equal(apply(model, json), MODEL_UNCHANGED);
    }
    assert_false(model_alarm_from_json(NULL, &alarm));
    assert_int_equal(model_apply_json(model, NULL, NULL), MODEL_UNCHANGED);
    assert_int_equal(model_open_count(model), 0);
    assert_int_equal(model_closed_count(model), 0);
    model_free(model);
}

static void test_only_newer_sequences_apply(void **state)
{
    (void)state;
    struct model *model = model_new();
    const struct console_alarm *out = NULL;
    cJSON *json = summary(7, 10, "new");
    assert_int_equal(model_apply_json(model, json, &out), MODEL_ADDED);
    cJSON_Delete(json);
    assert_non_null(out);
    assert_int_equal(out->seq, 10);
    assert_int_equal(apply(model, summary(7, 12, "claimed")), MODEL_UPDATED);
    /* A replay of the same change, or an older one, moves nothing back. */
    assert_int_equal(apply(model, summary(7, 12, "claimed")), MODEL_UNCHANGED);
    assert_int_equal(apply(model, summary(7, 11, "new")), MODEL_UNCHANGED);
    json = summary(7, 9, "new");
    assert_int_equal(model_apply_json(model, json, &out), MODEL_UNCHANGED);
    cJSON_Delete(json);
    assert_non_null(out);
    assert_int_equal(out->seq, 12);
    const struct console_alarm *found = model_find(model, 7);
    assert_non_null(found);
    assert_string_equal(found->state, "claimed");
    assert_int_equal(model_open_count(model), 1);
    assert_ptr_equal(model_open_at(model, 0), found);
    assert_null(model_open_at(model, 1));
    assert_null(model_find(model, 8));
    /* Applying never moves the resume point: the client does. */
    assert_int_equal(model_last_sequence(model), 0);
    model_set_last_sequence(model, 12);
    assert_int_equal(model_last_sequence(model), 12);
    model_free(model);
}

static void test_a_closed_alarm_leaves_the_queue_for_the_ring(void **state)
{
    (void)state;
    struct model *model = model_new();
    for (int64_t id = 1; id <= 3; id++)
        assert_int_equal(apply(model, summary(id, id, "new")), MODEL_ADDED);
    const struct console_alarm *out = NULL;
    cJSON *json = summary(2, 5, "closed");
    cJSON_ReplaceItemInObject(json, "resolution", cJSON_CreateString("false-alarm"));
    cJSON_ReplaceItemInObject(json, "closed_at", cJSON_CreateString("2025-03-14T10:00:00Z"));
    assert_int_equal(model_apply_json(model, json, &out), MODEL_REMOVED);
    cJSON_Delete(json);
    assert_non_null(out);
    assert_string_equal(out->resolution, "false-alarm");
    assert_true(out->closed_at > 0);
    assert_int_equal(model_open_count(model), 2);
    for (size_t i = 0; i < model_open_count(model); i++)
        assert_int_not_equal(model_open_at(model, i)->id, 2);
    assert_int_equal(model_closed_count(model), 1);
    assert_int_equal(model_closed_at(model, 0)->id, 2);
    assert_string_equal(model_find(model, 2)->state, "closed");
    /* Its open past, replayed, does not bring it back. */
    assert_int_equal(apply(model, summary(2, 4, "claimed")), MODEL_UNCHANGED);
    assert_int_equal(model_open_count(model), 2);
    /* An alarm recorded closed at birth goes to the ring only. */
    assert_int_equal(apply(model, summary(9, 6, "closed")), MODEL_REMOVED);
    assert_int_equal(model_open_count(model), 2);
    assert_int_equal(model_closed_count(model), 2);
    assert_int_equal(model_closed_at(model, 0)->id, 9); /* newest first */
    assert_int_equal(model_closed_at(model, 1)->id, 2);
    assert_null(model_closed_at(model, 2));
    model_clear(model);
    assert_int_equal(model_open_count(model), 0);
    assert_int_equal(model_closed_count(model), 0);
    assert_null(model_find(model, 1));
    assert_null(model_find(model, 2));
    model_free(model);
}

static void test_the_ring_keeps_the_newest_closed_alarms(void **state)
{
    (void)state;
    struct model *model = model_new();
    int64_t total = MODEL_CLOSED_MAX + 250;
    for (int64_t id = 1; id <= total; id++) {
        assert_int_equal(apply(model, summary(id, 2 * id, "new")), MODEL_ADDED);
        assert_int_equal(apply(model, summary(id, 2 * id + 1, "closed")), MODEL_REMOVED);
    }
    assert_int_equal(model_open_count(model), 0);
    assert_int_equal(model_closed_count(model), MODEL_CLOSED_MAX);
    for (size_t i = 0; i < MODEL_CLOSED_MAX; i++)
        assert_int_equal(model_closed_at(model, i)->id, total - (int64_t)i);
    /* The oldest are forgotten, the newest are found. */
    assert_null(model_find(model, 1));
    assert_null(model_find(model, total - MODEL_CLOSED_MAX));
    assert_non_null(model_find(model, total - MODEL_CLOSED_MAX + 1));
    /* A closed alarm the server shows open again (never in practice) is
     * taken out of the ring and the order of the others is kept. */
    assert_int_equal(apply(model, summary(total - 5, 4 * total, "escalated")), MODEL_ADDED);
    assert_int_equal(model_closed_count(model), MODEL_CLOSED_MAX - 1);
    assert_int_equal(model_open_count(model), 1);
    int64_t previous = INT64_MAX;
    for (size_t i = 0; i < model_closed_count(model); i++) {
        int64_t id = model_closed_at(model, i)->id;
        assert_true(id < previous);
        assert_int_not_equal(id, total - 5);
        assert_ptr_equal(model_find(model, id), model_closed_at(model, i));
        previous = id;
    }
    model_free(model);
}

static void test_ten_thousand_alarms_apply_fast(void **state)
{
    (void)state;
    enum { ALARMS = 10000 };
    cJSON **summaries = calloc(ALARMS, sizeof *summaries);
    for (int i = 0; i < ALARMS; i++)
        summaries[i] = summary(i + 1, i + 1, "new");
    struct model *model = model_new();
    int64_t started = clock_monotonic_ms();
    for (int i = 0; i < ALARMS; i++)
        assert_int_equal(model_apply_json(model, summaries[i], NULL), MODEL_ADDED);
    /* Replayed: every one found, none applied twice. */
    for (int i = 0; i < ALARMS; i++)
        assert_int_equal(model_apply_json(model, summaries[i], NULL), MODEL_UNCHANGED);
    /* Every other one closed: removal keeps the index right. */
    for (int i = 0; i < ALARMS; i += 2) {
        cJSON *closed = summary(i + 1, ALARMS + i + 1, "closed");
        assert_int_equal(model_apply_json(model, closed, NULL), MODEL_REMOVED);
        cJSON_Delete(closed);
    }
    int64_t elapsed = clock_monotonic_ms() - started;
    assert_int_equal(model_open_count(model), ALARMS / 2);
    for (int i = 0; i < ALARMS; i++) {
        const struct console_alarm *alarm = model_find(model, i + 1);
        bool forgotten = i % 2 == 0 && i < ALARMS - 2 * MODEL_CLOSED_MAX;
        if (forgotten) {
            assert_null(alarm);
            continue;
        }
        assert_non_null(alarm);
        assert_int_equal(alarm->id, i + 1);
        assert_string_equal(alarm->state, i % 2 ? "new" : "closed");
    }
    /* Generous for a sanitizer build on a loaded machine; a linear search
     * per alarm would take far longer. */
    printf("# 25,000 changes applied in %lld ms\n", (long long)elapsed);
    assert_true(elapsed < 2000);
    model_free(model);
    for (int i = 0; i < ALARMS; i++)
        cJSON_Delete(summaries[i]);
    free(summaries);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_summary_is_read_field_by_field),
        cmocka_unit_test(test_a_long_text_is_cut_on_a_character_boundary),
        cmocka_unit_test(test_bad_summaries_are_refused_and_change_nothing),
        cmocka_unit_test(test_only_newer_sequences_apply),
        cmocka_unit_test(test_a_closed_alarm_leaves_the_queue_for_the_ring),
        cmocka_unit_test(test_the_ring_keeps_the_newest_closed_alarms),
        cmocka_unit_test(test_ten_thousand_alarms_apply_fast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
