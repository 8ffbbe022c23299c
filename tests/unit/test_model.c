/* Unit tests of the console's model: an alarm summary is read field by
 * field (nulls, flags, claims, times), a change applies only when its
 * sequence is newer, a closed alarm leaves the queue for the closed ring,
 * the ring keeps the newest MODEL_CLOSED_MAX, a bad summary changes
 * nothing, and ten thousand alarms apply and are found quickly. The open
 * alarms are counted by priority as changes apply; texts are interned and
 * outlive the model; a removed alarm's index goes to the last one; two
 * models exchange their contents. */
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
#include "console/model_strings.h"

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
    assert_true(length < MODEL_LABEL_MAX);
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

static cJSON *with_priority(cJSON *json, int priority)
{
    cJSON_ReplaceItemInObject(json, "priority", cJSON_CreateNumber(priority));
    return json;
}

/* What the header must show, counted the slow way. */
static void assert_counts(const struct model *model)
{
    size_t counted[MODEL_PRIORITIES + 1] = {0};
    for (size_t i = 0; i < model_open_count(model); i++)
        counted[model_open_at(model, i)->priority]++;
    for (int p = 1; p <= MODEL_PRIORITIES; p++)
        assert_int_equal(model_open_count_priority(model, p), counted[p]);
    assert_int_equal(model_open_count_priority(model, 0), 0);
    assert_int_equal(model_open_count_priority(model, MODEL_PRIORITIES + 1), 0);
}

static void test_open_alarms_are_counted_by_priority_as_changes_apply(void **state)
{
    (void)state;
    struct model *model = model_new();
    int64_t sequence = 1;
    for (int64_t id = 1; id <= 50; id++)
        apply(model, with_priority(summary(id, sequence++, "new"), (int)(id % 5) + 1));
    assert_int_equal(model_open_count_priority(model, 1), 10);
    assert_counts(model);
    /* An escalation raises one; an out-of-range priority counts as clamped. */
    assert_int_equal(apply(model, with_priority(summary(7, sequence++, "escalated"), 1)),
                     MODEL_UPDATED);
    apply(model, with_priority(summary(60, sequence++, "new"), 9));
    assert_int_equal(model_open_count_priority(model, 5), 11);
    assert_counts(model);
    /* Closed ones leave the counts; one reopened comes back. */
    for (int64_t id = 1; id <= 50; id += 3)
        assert_int_equal(apply(model, summary(id, sequence++, "closed")), MODEL_REMOVED);
    assert_counts(model);
    assert_int_equal(apply(model, with_priority(summary(4, sequence++, "new"), 1)), MODEL_ADDED);
    assert_counts(model);
    /* A stale or bad change moves nothing. */
    apply(model, with_priority(summary(8, 1, "new"), 1));
    cJSON *bad = summary(9, sequence++, "new");
    cJSON_DeleteItemFromObject(bad, "place");
    apply(model, bad);
    assert_counts(model);
    model_clear(model);
    for (int p = 1; p <= MODEL_PRIORITIES; p++)
        assert_int_equal(model_open_count_priority(model, p), 0);
    model_free(model);
}

static void test_texts_are_shared_and_outlive_the_model(void **state)
{
    (void)state;
    struct model *model = model_new();
    apply(model, summary(1, 1, "new"));
    apply(model, summary(2, 2, "new"));
    const struct console_alarm *one = model_find(model, 1), *two = model_find(model, 2);
    /* The same place, class and label are one copy each. */
    assert_ptr_equal(one->place, two->place);
    assert_ptr_equal(one->class_name, two->class_name);
    assert_ptr_equal(one->label, two->label);
    assert_ptr_equal(model_strings_intern("burglary", 8), one->class_name);
    assert_ptr_not_equal(model_strings_intern("burglar", 7), one->class_name);
    assert_string_equal(model_strings_intern("", 0), "");
    struct console_alarm kept = *one;
    size_t pool = model_strings_bytes();
    for (int64_t id = 3; id < 2000; id++)
        apply(model, summary(id, id, "new"));
    /* 2000 alarms of one site and class add no text to the pool. */
    assert_int_equal(model_strings_bytes(), pool);
    model_free(model);
    /* A copy taken from the model still reads after it is gone. */
    assert_string_equal(kept.place, "2 rue de la Paix, Lyon");
    assert_string_equal(kept.subject, "Mairie du 2e");
    assert_string_equal(kept.claim_user, "");
    /* A struct that failed to read has "" texts, never NULL. */
    struct console_alarm bad;
    assert_false(model_alarm_from_json(NULL, &bad));
    assert_string_equal(bad.place, "");
    assert_string_equal(bad.state, "");
}

static void test_the_last_open_alarm_takes_the_index_of_one_that_leaves(void **state)
{
    (void)state;
    struct model *model = model_new();
    for (int64_t id = 1; id <= 5; id++)
        apply(model, summary(id, id, "new"));
    size_t index;
    assert_true(model_open_index(model, 5, &index));
    assert_int_equal(index, 4);
    assert_ptr_equal(model_open_at(model, index), model_find(model, 5));
    assert_int_equal(apply(model, summary(2, 10, "closed")), MODEL_REMOVED);
    assert_false(model_open_index(model, 2, &index));
    assert_true(model_open_index(model, 5, &index));
    assert_int_equal(index, 1); /* where 2 was */
    assert_int_equal(model_open_at(model, 1)->id, 5);
    /* An added one is the last. */
    assert_int_equal(apply(model, summary(9, 11, "new")), MODEL_ADDED);
    assert_true(model_open_index(model, 9, &index));
    assert_int_equal(index, model_open_count(model) - 1);
    model_free(model);
}

static void test_two_models_exchange_their_contents(void **state)
{
    (void)state;
    struct model *shown = model_new(), *loaded = model_new();
    apply(shown, summary(1, 1, "new"));
    model_set_last_sequence(shown, 1);
    for (int64_t id = 10; id < 13; id++)
        apply(loaded, with_priority(summary(id, id, "new"), 1));
    model_set_last_sequence(loaded, 12);
    model_swap(shown, loaded);
    assert_int_equal(model_open_count(shown), 3);
    assert_int_equal(model_open_count_priority(shown, 1), 3);
    assert_non_null(model_find(shown, 11));
    assert_null(model_find(shown, 1));
    assert_int_equal(model_last_sequence(shown), 12);
    assert_int_equal(model_open_count(loaded), 1);
    assert_non_null(model_find(loaded, 1));
    model_free(loaded);
    apply(shown, summary(13, 13, "new"));
    assert_int_equal(model_open_count(shown), 4);
    model_free(shown);
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
        cmocka_unit_test(test_open_alarms_are_counted_by_priority_as_changes_apply),
        cmocka_unit_test(test_texts_are_shared_and_outlive_the_model),
        cmocka_unit_test(test_the_last_open_alarm_takes_the_index_of_one_that_leaves),
        cmocka_unit_test(test_two_models_exchange_their_contents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
