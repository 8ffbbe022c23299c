/* Unit tests of the store's device jobs: an SOS opens a priority-1 alarm
 * linked to the victim, later messages add to its track, a test is
 * recorded closed, an AML repeat is stored once, the purge erases the
 * technical data but keeps the alarm and its audit (and makes resuming
 * streams resync), and an overdue device gets one technical alarm. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/store.h"
#include "server/store_devices.h"
#include "common/clock.h"

struct world {
    char dir[64];
    char path[128];
    struct store *store;
    int64_t victim_id, device_id, worker_id;
    struct actor operator;
};

static void exec_sql(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK)
        fail_msg("SQL failed: %s", message);
    sqlite3_close(db);
}

static int64_t sql_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("SQL failed: %s: %s", sql, sqlite3_errmsg(db));
    int64_t value = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : INT64_MIN;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return value;
}

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    snprintf(w->dir, sizeof w->dir, "/tmp/vigie-devices-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    snprintf(w->path, sizeof w->path, "%s/test.db", w->dir);
    struct store_options options = {
        .create = true, .claim_lease_ms = 30000, .event_retention = 1000000};
    struct store_error error = {{0}};
    assert_int_equal(store_open(w->path, &options, &w->store, &error), STORE_OK);
    store_close(w->store);
    exec_sql(w->path,
             "INSERT INTO victims(reference, full_name, phone) VALUES('TGD-75-1', 'A. B.', '+33');"
             "INSERT INTO devices(device_uid, kind, victim_id, token_hash, test_interval_s)"
             " VALUES('TGD-0001', 'protection-phone', 1, 'hash-1', 86400);"
             "UPDATE devices SET msisdn = '+33612345678', aml_key_hex = 'abcd' WHERE id = 1;"
             "INSERT INTO clients(name, kind) VALUES('Chantier', 'building-site');"
             "INSERT INTO sites(client_id, name, city) VALUES(1, 'Chantier Nord', 'Lille');"
             "INSERT INTO devices(device_uid, kind, site_id, token_hash)"
             " VALUES('PTI-0001', 'lone-worker', 1, 'hash-2');"
             "INSERT INTO users(username, display_name, role, password_hash, created_at)"
             " VALUES('ana', 'Ana', 'operator', 'x', 0);");
    assert_int_equal(store_open(w->path, &options, &w->store, &error), STORE_OK);
    w->victim_id = 1;
    w->device_id = 1;
    w->worker_id = 2;
    w->operator.user_id = 1;
    strcpy(w->operator.username, "ana");
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    store_close(w->store);
    char command[160];
    snprintf(command, sizeof command, "rm -rf %s", w->dir);
    assert_int_equal(system(command), 0);
    free(w);
    return 0;
}

static struct device_outcome send_message(struct world *w, int64_t device_id,
                                          enum device_trigger trigger, double lat, int battery)
{
    struct device_message message = {
        .device_id = device_id,
        .source = "device",
        .trigger = trigger,
        .fix = {.present = lat != 0, .lat = lat, .lon = 2.35, .accuracy_m = 12, .source = "gps"},
        .battery = battery,
        .raw = "{\"raw\":\"message\"}",
    };
    struct device_outcome outcome;
    struct store_error error = {{0}};
    if (store_device_message(w->store, &message, &outcome, &error) != STORE_OK)
        fail_msg("device message: %s", error.message);
    return outcome;
}

static struct alarm *get_alarm(struct world *w, int64_t id)
{
    static struct alarm alarm;
    struct store_error error = {{0}};
    assert_int_equal(store_alarm_get(w->store, id, &alarm, &error), STORE_OK);
    return &alarm;
}

static void test_devices_are_found_by_token_and_by_number(void **state)
{
    struct world *w = *state;
    struct device_identity device;
    struct store_error error = {{0}};
    assert_int_equal(store_device_find_by_token(w->store, "hash-1", &device, &error), STORE_OK);
    assert_string_equal(device.uid, "TGD-0001");
    assert_string_equal(device.kind, "protection-phone");
    assert_int_equal(store_device_find_by_token(w->store, "hash-9", &device, &error),
                     STORE_NOT_FOUND);
    assert_int_equal(store_device_find_by_msisdn(w->store, "+33612345678", &device, &error),
                     STORE_OK);
    assert_int_equal(device.id, w->device_id);
    assert_string_equal(device.aml_key_hex, "abcd");
    assert_int_equal(store_device_find_by_msisdn(w->store, "+33600000000", &device, &error),
                     STORE_NOT_FOUND);
}

static void test_sos_opens_an_alarm_and_positions_follow_its_track(void **state)
{
    struct world *w = *state;
    struct device_outcome first = send_message(w, w->device_id, DEVICE_TRIGGER_SOS, 48.85, 40);
    assert_true(first.created && !first.tracking && first.alarm_id > 0);
    struct alarm *alarm = get_alarm(w, first.alarm_id);
    assert_string_equal(alarm->class_name, "panic");
    assert_int_equal(alarm->priority, 1);
    assert_int_equal(alarm->victim_id, w->victim_id);
    assert_int_equal(alarm->device_id, w->device_id);
    assert_true(alarm->position.present && alarm->position.battery == 40);
    struct device_outcome next = send_message(w, w->device_id, DEVICE_TRIGGER_POSITION, 48.86, 39);
    assert_true(next.tracking && !next.created);
    assert_int_equal(next.alarm_id, first.alarm_id);
    alarm = get_alarm(w, first.alarm_id);
    assert_true(alarm->position.lat == 48.86 && alarm->position.battery == 39);
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM positions"), 2);
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM alarms"), 1);
    /* An audit row each, by id: no coordinate in it. */
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM audit WHERE action LIKE 'device.%'"),
                     2);
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM audit WHERE detail LIKE '%48.8%'"), 0);
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM events WHERE data LIKE '%48.8%'"), 0);
    /* A second SOS while the alarm is open goes to its timeline. */
    struct device_outcome again = send_message(w, w->device_id, DEVICE_TRIGGER_SOS, 0, -1);
    assert_true(again.tracking && again.alarm_id == first.alarm_id);
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM alarm_timeline WHERE kind = 'device'"),
                     1);
}

static void test_a_lone_worker_alarm_is_linked_to_the_site(void **state)
{
    struct world *w = *state;
    struct device_outcome fall = send_message(w, w->worker_id, DEVICE_TRIGGER_FALL, 50.63, 80);
    struct alarm *alarm = get_alarm(w, fall.alarm_id);
    assert_string_equal(alarm->class_name, "medical");
    assert_int_equal(alarm->priority, 1);
    assert_int_equal(alarm->site_id, 1);
    assert_int_equal(alarm->victim_id, 0);
}

static void test_a_test_is_recorded_closed_and_a_lone_position_is_not_kept(void **state)
{
    struct world *w = *state;
    struct device_outcome test = send_message(w, w->device_id, DEVICE_TRIGGER_TEST, 48.85, 90);
    assert_true(test.created && !test.tracking);
    struct alarm *alarm = get_alarm(w, test.alarm_id);
    assert_int_equal(alarm->state, ALARM_STATE_CLOSED);
    assert_string_equal(alarm->resolution, "test");
    assert_true(sql_int(w->path, "SELECT last_test_at FROM devices WHERE id = 1") > 0);
    struct device_outcome alone = send_message(w, w->device_id, DEVICE_TRIGGER_POSITION, 48.9, 90);
    assert_int_equal(alone.alarm_id, 0);
    assert_false(alone.created || alone.tracking);
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM positions"), 1); /* the test's */
}

static void test_an_aml_repeat_is_stored_once(void **state)
{
    struct world *w = *state;
    struct device_message message = {
        .device_id = w->device_id,
        .source = "aml",
        .trigger = DEVICE_TRIGGER_EMERGENCY_CALL,
        .fix = {.present = true, .lat = 45.75, .lon = 4.85, .accuracy_m = 1500, .source = "cell"},
        .battery = -1,
        .raw = "v=1&device_number=...",
        .receipt = "0123abcd"};
    struct device_outcome first, again;
    struct store_error error = {{0}};
    assert_int_equal(store_device_message(w->store, &message, &first, &error), STORE_OK);
    assert_true(first.created && !first.duplicate);
    assert_string_equal(get_alarm(w, first.alarm_id)->source, "aml");
    assert_int_equal(store_device_message(w->store, &message, &again, &error), STORE_OK);
    assert_true(again.duplicate && again.alarm_id == first.alarm_id);
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM positions"), 1);
}

static void test_the_purge_erases_technical_data_and_keeps_the_alarm(void **state)
{
    struct world *w = *state;
    struct device_outcome sos = send_message(w, w->device_id, DEVICE_TRIGGER_SOS, 48.85, 40);
    send_message(w, w->device_id, DEVICE_TRIGGER_POSITION, 48.86, 39);
    int64_t audit_rows = sql_int(w->path, "SELECT COUNT(*) FROM audit");
    int64_t last_before = store_last_sequence(w->store);
    struct store_error error = {{0}};
    bool due = false;
    assert_int_equal(store_technical_purge_due(w->store, clock_now_ms() - 60000, &due, &error),
                     STORE_OK);
    assert_false(due); /* nothing is a minute old */
    assert_int_equal(store_technical_purge_due(w->store, clock_now_ms() + 1, &due, &error),
                     STORE_OK);
    assert_true(due);
    struct store_purge_report report;
    assert_int_equal(store_technical_purge(w->store, clock_now_ms() + 1, &report, &error),
                     STORE_OK);
    assert_int_equal(report.positions, 2);
    assert_int_equal(report.raws, 1);
    assert_int_equal(report.alarms, 1);
    struct alarm *alarm = get_alarm(w, sos.alarm_id);
    assert_false(alarm->position.present);
    assert_int_equal(alarm->position.battery, -1);
    assert_string_equal(alarm->raw, DEVICE_RAW_REDACTED);
    assert_int_equal(alarm->state, ALARM_STATE_NEW);
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM positions"), 0);
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM audit"), audit_rows);
    /* Streams resuming from before the purge resync; its own event stays. */
    assert_true(store_first_kept_sequence(w->store) > last_before);
    assert_int_equal(store_last_sequence(w->store), alarm->seq);
    struct store_audit_report audit;
    assert_int_equal(store_audit_verify(w->store, &audit, &error), STORE_OK);
    assert_int_equal(audit.first_bad_row, 0);
    /* Redacted once: a second purge finds nothing. */
    assert_int_equal(store_technical_purge_due(w->store, clock_now_ms() + 1, &due, &error),
                     STORE_OK);
    assert_false(due);
}

/* More alarms than one purge job takes: every one is purged, and every
 * one gets its event, over several jobs. */
static void test_a_large_purge_goes_in_batches_and_misses_none(void **state)
{
    struct world *w = *state;
    exec_sql(w->path, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                      " WHERE i < 300)"
                      " INSERT INTO alarms(seq, source, device_id, victim_id, class, priority,"
                      " received_at, raw, state) SELECT 0, 'device', 1, 1, 'panic', 1, 1000 + i,"
                      " 'raw', 'closed' FROM n;"
                      "INSERT INTO positions(alarm_id, captured_at, lat, lon, accuracy_m, source)"
                      " SELECT id, 1000, 48.85, 2.35, 10, 'gps' FROM alarms;"
                      "INSERT INTO positions(alarm_id, captured_at, lat, lon, accuracy_m, source)"
                      " SELECT id, 2000, 48.86, 2.36, 10, 'gps' FROM alarms;");
    struct store_purge_report report;
    struct store_error error = {{0}};
    assert_int_equal(store_technical_purge(w->store, 5000, &report, &error), STORE_OK);
    assert_int_equal(report.positions, 600);
    assert_int_equal(report.raws, 300);
    assert_int_equal(report.alarms, 300);
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM positions"), 0);
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM alarms WHERE raw_redacted = 0"), 0);
    /* Each alarm was sequenced by its purge event (the first job's events
     * are trimmed behind the last job's "purge" event). */
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM alarms WHERE seq = 0"), 0);
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM events WHERE type = 'alarm'"),
                     300 - 256);
    /* The marker itself goes: only a stream that heard it live resumes. */
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM events WHERE type = 'purge'"), 0);
}

static void test_an_overdue_device_gets_one_alarm_until_it_tests_again(void **state)
{
    struct world *w = *state;
    int raised = -1;
    struct store_error error = {{0}};
    assert_int_equal(store_device_tests_check(w->store, &raised, &error), STORE_OK);
    assert_int_equal(raised, 0); /* never heard: watched from now on */
    char sql[160];
    snprintf(sql, sizeof sql,
             "UPDATE devices SET test_interval_s = 60, last_test_at = %lld WHERE id = 1",
             (long long)(clock_now_ms() - 16LL * 86400 * 1000));
    exec_sql(w->path, sql);
    assert_int_equal(store_device_tests_check(w->store, &raised, &error), STORE_OK);
    assert_int_equal(raised, 1);
    assert_int_equal(store_device_tests_check(w->store, &raised, &error), STORE_OK);
    assert_int_equal(raised, 0);
    int64_t overdue = sql_int(w->path, "SELECT overdue_alarm_id FROM devices WHERE id = 1");
    struct alarm *alarm = get_alarm(w, overdue);
    assert_string_equal(alarm->class_name, "technical");
    assert_int_equal(alarm->priority, 4);
    assert_string_equal(alarm->label, "Protection phone TGD-0001 not tested for 16 days");
    assert_int_equal(alarm->victim_id, w->victim_id);
    send_message(w, w->device_id, DEVICE_TRIGGER_TEST, 48.85, 90);
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM devices WHERE id = 1"
                                      " AND overdue_alarm_id IS NULL"),
                     1);
    alarm = get_alarm(w, overdue);
    assert_int_equal(alarm->state, ALARM_STATE_NEW); /* for the operator to close */
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM alarm_timeline WHERE kind ="
                                      " 'restored'"),
                     1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_devices_are_found_by_token_and_by_number, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sos_opens_an_alarm_and_positions_follow_its_track,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_lone_worker_alarm_is_linked_to_the_site, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_a_test_is_recorded_closed_and_a_lone_position_is_not_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_aml_repeat_is_stored_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_purge_erases_technical_data_and_keeps_the_alarm,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_large_purge_goes_in_batches_and_misses_none, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_an_overdue_device_gets_one_alarm_until_it_tests_again,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
