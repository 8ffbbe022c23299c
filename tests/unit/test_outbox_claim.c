/* The outbox's claim on a real store: the most urgent rows first
 * (priority: escalations 0, mass alerts 1, routine 2; then due time),
 * each channel no more than its quota (its throttle's tokens), rows of a
 * channel without a connector only as "others"; a delivery report by id
 * proves a row was taken (a crash's lost answer is then not sent again),
 * and at restart the SMS in flight wait for such reports. */
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
#include "server/store_outbox.h"

struct world {
    char dir[64];
    char path[128];
    struct store *store;
};

static void exec_sql(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
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
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("SQL failed: %s", sqlite3_errmsg(db));
    int64_t value = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : INT64_MIN;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return value;
}

/* Rows id 1..7: (channel, priority, due) chosen so that due order and
 * urgency order differ. */
static const char rows_sql[] =
    "INSERT INTO outbox(id, kind, owner_id, label, channel, format, recipient, content_type,"
    " message_key, body, state, max_attempts, next_attempt_at, deadline_at, created_at,"
    " updated_at, priority) VALUES"
    " (1,'routine',1,'r','sms','text','+33600000001','text/plain','k1','b1','queued',3,1000,"
    "  9e15,0,0,2),"
    " (2,'massalert',2,'m','sms','text','+33600000002','text/plain','k2','b2','queued',3,2000,"
    "  9e15,0,0,1),"
    " (3,'massalert',3,'m','sms','text','+33600000003','text/plain','k3','b3','queued',3,3000,"
    "  9e15,0,0,1),"
    " (4,'massalert',4,'m','sms','text','+33600000004','text/plain','k4','b4','queued',3,4000,"
    "  9e15,0,0,1),"
    " (5,'escalation',5,'police','http','cap','http://gw','application/cap+xml','k5','b5',"
    "  'queued',3,5000,9e15,0,0,0),"
    " (6,'massalert',6,'m','fax','text','+33600000006','text/plain','k6','b6','queued',3,6000,"
    "  9e15,0,0,1),"
    " (7,'massalert',7,'m','sms','text','+33600000007','text/plain','k7','b7','queued',3,"
    "  9e15,9e15,0,0,1);";

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    snprintf(w->dir, sizeof w->dir, "/tmp/vigie-claim-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    snprintf(w->path, sizeof w->path, "%s/test.db", w->dir);
    struct store_options options = {
        .create = true, .claim_lease_ms = 30000, .event_retention = 100000};
    struct store_error error = {{0}};
    if (store_open(w->path, &options, &w->store, &error) != STORE_OK)
        fail_msg("store_open: %s", error.message);
    store_close(w->store);
    exec_sql(w->path, rows_sql);
    if (store_open(w->path, &options, &w->store, &error) != STORE_OK)
        fail_msg("store_open: %s", error.message);
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

static void release(struct store_outbox_message *out, int count)
{
    for (int i = 0; i < count; i++)
        store_outbox_message_free(&out[i]);
}

static void test_the_most_urgent_first_and_no_channel_beyond_its_quota(void **state)
{
    struct world *w = *state;
    struct store_outbox_quota quotas[] = {{"http", 10}, {"sms", 2}};
    struct store_outbox_message out[OUTBOX_CLAIM_MAX];
    int count = 0;
    struct store_error error = {{0}};
    assert_int_equal(store_outbox_claim_quotas(w->store, quotas, 2, 10, 10, out, &count, &error),
                     STORE_OK);
    /* The escalation, then the mass alert's two oldest SMS (the SMS quota
     * is 2: the routine SMS, older, waits), then the fax (no connector:
     * "others"); row 7 is not due. */
    assert_int_equal(count, 4);
    assert_int_equal(out[0].id, 5);
    assert_int_equal(out[1].id, 2);
    assert_int_equal(out[2].id, 3);
    assert_int_equal(out[3].id, 6);
    assert_string_equal(out[1].body, "b2");
    assert_int_equal(out[1].attempts, 1);
    release(out, count);
    assert_int_equal(sql_int(w->path, "SELECT COUNT(*) FROM outbox WHERE state = 'sending'"), 4);

    /* A quota of 0 takes none of that channel, even as "others". */
    struct store_outbox_quota none[] = {{"http", 10}, {"sms", 0}};
    assert_int_equal(store_outbox_claim_quotas(w->store, none, 2, 10, 10, out, &count, &error),
                     STORE_OK);
    assert_int_equal(count, 0);
    /* The overall limit cuts the least urgent. */
    assert_int_equal(store_outbox_claim_quotas(w->store, quotas, 2, 10, 1, out, &count, &error),
                     STORE_OK);
    assert_int_equal(count, 1);
    assert_int_equal(out[0].id, 4); /* priority 1 before the routine row 1 */
    release(out, count);
}

static void test_a_report_by_id_proves_the_gateway_took_it(void **state)
{
    struct world *w = *state;
    struct store_outbox_quota quotas[] = {{"http", 0}, {"sms", 1}};
    struct store_outbox_message out[OUTBOX_CLAIM_MAX];
    int count = 0;
    struct store_error error = {{0}};
    assert_int_equal(store_outbox_claim_quotas(w->store, quotas, 2, 0, 10, out, &count, &error),
                     STORE_OK);
    assert_int_equal(count, 1);
    int64_t id = out[0].id;
    release(out, count);
    /* The report comes before the gateway's answer is written. */
    bool found = false;
    assert_int_equal(store_outbox_accepted_id(w->store, id, "sms", &found, &error), STORE_OK);
    assert_true(found);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT state = 'delivered' FROM outbox WHERE id = %lld",
             (long long)id);
    assert_int_equal(sql_int(w->path, sql), 1);
    /* The answer then (a timeout, say) changes nothing: no second send. */
    struct store_outbox_outcome outcome = {.id = id, .state = OUTBOX_QUEUED, .retry_at = 0};
    assert_int_equal(store_outbox_finish(w->store, &outcome, 1, &error), STORE_OK);
    assert_int_equal(sql_int(w->path, sql), 1);
    /* Delivered to the phone. */
    assert_int_equal(store_outbox_confirm_id(w->store, id, "sms", true, 0, &found, &error),
                     STORE_OK);
    snprintf(sql, sizeof sql, "SELECT confirm_state = 'delivered' FROM outbox WHERE id = %lld",
             (long long)id);
    assert_int_equal(sql_int(w->path, sql), 1);
    /* Another channel's id is not this one. */
    assert_int_equal(store_outbox_accepted_id(w->store, id, "email", &found, &error), STORE_OK);
    assert_false(found);
}

static void test_at_restart_sms_in_flight_wait_for_their_reports(void **state)
{
    struct world *w = *state;
    exec_sql(w->path, "UPDATE outbox SET state = 'sending' WHERE id IN(2, 5)");
    int requeued = 0;
    struct store_error error = {{0}};
    assert_int_equal(store_outbox_recover_with_grace(w->store, "sms", 15000, &requeued, &error),
                     STORE_OK);
    assert_int_equal(requeued, 2);
    int64_t sms_due = sql_int(w->path, "SELECT next_attempt_at FROM outbox WHERE id = 2");
    int64_t http_due = sql_int(w->path, "SELECT next_attempt_at FROM outbox WHERE id = 5");
    assert_int_equal(sms_due - http_due, 15000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_the_most_urgent_first_and_no_channel_beyond_its_quota,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_report_by_id_proves_the_gateway_took_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_at_restart_sms_in_flight_wait_for_their_reports, setup,
                                        teardown),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
