/* Unit tests of the SQLite store: durable group commit under concurrent
 * writers, stream events in order and without holes, claim leases, the
 * audit chain and its tamper detection, event retention. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/store.h"
#include "server/store_internal.h"

struct world {
    char dir[64];
    char path[128];
    struct store *store;
    struct actor operator_a, operator_b;
};

static void exec_sql(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *message = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &message);
    if (rc != SQLITE_OK)
        fail_msg("SQL failed: %s", message);
    sqlite3_close(db);
}

static void open_store(struct world *w, int64_t lease_ms, int64_t retention)
{
    struct store_options options = {
        .create = true, .claim_lease_ms = lease_ms, .event_retention = retention};
    struct store_error error = {{0}};
    if (store_open(w->path, &options, &w->store, &error) != STORE_OK)
        fail_msg("store_open: %s", error.message);
}

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    snprintf(w->dir, sizeof w->dir, "/tmp/vigie-store-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    snprintf(w->path, sizeof w->path, "%s/test.db", w->dir);
    open_store(w, 30000, 1000000);
    store_close(w->store);
    exec_sql(w->path, "INSERT INTO clients(name, kind) VALUES('Banque Test', 'bank');"
                      "INSERT INTO sites(client_id, name, city, lat, lon)"
                      " VALUES(1, 'Agence Test', 'Paris', 48.85, 2.35);");
    open_store(w, 30000, 1000000);
    struct store_error error = {{0}};
    assert_int_equal(store_user_add(w->store, &(struct actor){.username = "t"}, "ana", "Ana",
                                    ROLE_OPERATOR, "x", &w->operator_a.user_id, &error),
                     STORE_OK);
    assert_int_equal(store_user_add(w->store, &(struct actor){.username = "t"}, "ben", "Ben",
                                    ROLE_OPERATOR, "x", &w->operator_b.user_id, &error),
                     STORE_OK);
    strcpy(w->operator_a.username, "ana");
    strcpy(w->operator_b.username, "ben");
    struct store_user user = {.id = w->operator_a.user_id, .username = "ana"};
    assert_int_equal(store_session_create(w->store, &user, "hash-a", INT64_MAX / 2,
                                          &w->operator_a.session_id, &error),
                     STORE_OK);
    user.id = w->operator_b.user_id;
    strcpy(user.username, "ben");
    assert_int_equal(store_session_create(w->store, &user, "hash-b", INT64_MAX / 2,
                                          &w->operator_b.session_id, &error),
                     STORE_OK);
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

static int64_t create_alarm(struct world *w, const char *class_name, int priority)
{
    struct alarm_new alarm = {.source = "manual",
                              .site_id = 1,
                              .class_name = class_name,
                              .priority = priority,
                              .zone = 2,
                              .note = "test"};
    struct store_error error = {{0}};
    int64_t id = 0;
    if (store_alarm_create(w->store, &w->operator_a, &alarm, &id, &error) != STORE_OK)
        fail_msg("create: %s", error.message);
    return id;
}

/* ---- concurrent writers and the stream events they produce ---- */

#define WRITERS           8
#define ALARMS_PER_WRITER 100

struct heard {
    pthread_mutex_t lock;
    int64_t seqs[WRITERS * ALARMS_PER_WRITER * 2];
    size_t count;
};

static void hear(void *context, const struct store_event *events, size_t count)
{
    struct heard *heard = context;
    pthread_mutex_lock(&heard->lock);
    for (size_t i = 0; i < count; i++)
        heard->seqs[heard->count++] = events[i].seq;
    pthread_mutex_unlock(&heard->lock);
}

static void *writer(void *argument)
{
    struct world *w = argument;
    for (int i = 0; i < ALARMS_PER_WRITER; i++)
        create_alarm(w, "burglary", 2);
    return NULL;
}

static void test_concurrent_alarms_are_all_stored_with_contiguous_sequences(void **state)
{
    struct world *w = *state;
    struct heard *heard = calloc(1, sizeof *heard);
    pthread_mutex_init(&heard->lock, NULL);
    store_set_event_listener(w->store, hear, heard);
    pthread_t threads[WRITERS];
    for (int i = 0; i < WRITERS; i++)
        pthread_create(&threads[i], NULL, writer, w);
    for (int i = 0; i < WRITERS; i++)
        pthread_join(threads[i], NULL);
    store_set_event_listener(w->store, NULL, NULL);
    int64_t open = 0, total = 0;
    struct store_error error = {{0}};
    assert_int_equal(store_alarm_counts(w->store, &open, &total, &error), STORE_OK);
    assert_int_equal(open, WRITERS * ALARMS_PER_WRITER);
    assert_int_equal(heard->count, WRITERS * ALARMS_PER_WRITER);
    for (size_t i = 0; i < heard->count; i++)
        assert_int_equal(heard->seqs[i], (int64_t)i + 1);
    assert_int_equal(store_last_sequence(w->store), WRITERS * ALARMS_PER_WRITER);
    pthread_mutex_destroy(&heard->lock);
    free(heard);
}

static void count_event(void *context, const struct store_event *event)
{
    int64_t *expected = context;
    assert_int_equal(event->seq, *expected);
    assert_non_null(strstr(event->data, "\"sequence\""));
    (*expected)++;
}

static void test_events_after_replays_in_order_from_any_point(void **state)
{
    struct world *w = *state;
    for (int i = 0; i < 10; i++)
        create_alarm(w, "fire", 1);
    int64_t expected = 4;
    struct store_error error = {{0}};
    assert_int_equal(store_events_after(w->store, 3, 100, count_event, &expected, &error),
                     STORE_OK);
    assert_int_equal(expected, 11);
}

/* ---- operator actions ---- */

static void test_second_operator_cannot_take_a_claimed_alarm(void **state)
{
    struct world *w = *state;
    int64_t id = create_alarm(w, "duress", 1);
    struct store_error error = {{0}};
    assert_int_equal(
        store_alarm_act(w->store, &w->operator_a, id, ALARM_ACTION_CLAIM, NULL, NULL, &error),
        STORE_OK);
    assert_int_equal(
        store_alarm_act(w->store, &w->operator_b, id, ALARM_ACTION_CLAIM, NULL, NULL, &error),
        STORE_CONFLICT);
    assert_non_null(strstr(error.message, "Ana"));
    assert_int_equal(store_alarm_act(w->store, &w->operator_b, id, ALARM_ACTION_CLOSE,
                                     "false-alarm", NULL, &error),
                     STORE_CONFLICT);
    struct alarm alarm;
    assert_int_equal(store_alarm_get(w->store, id, &alarm, &error), STORE_OK);
    assert_int_equal(alarm.state, ALARM_STATE_CLAIMED);
    assert_string_equal(alarm.claim.username, "ana");
}

static void test_close_needs_a_known_resolution_and_leaves_the_open_list(void **state)
{
    struct world *w = *state;
    int64_t id = create_alarm(w, "burglary", 2);
    struct store_error error = {{0}};
    assert_int_equal(store_alarm_act(w->store, &w->operator_a, id, ALARM_ACTION_CLOSE,
                                     "no-such-code", NULL, &error),
                     STORE_INVALID);
    assert_int_equal(store_alarm_act(w->store, &w->operator_a, id, ALARM_ACTION_CLOSE,
                                     "false-alarm", "cat in the shop", &error),
                     STORE_OK);
    struct alarm alarm;
    assert_int_equal(store_alarm_get(w->store, id, &alarm, &error), STORE_OK);
    assert_int_equal(alarm.state, ALARM_STATE_CLOSED);
    assert_string_equal(alarm.resolution, "false-alarm");
    assert_int_equal(alarm.claim.user_id, 0);
    int64_t open = 0, total = 0;
    store_alarm_counts(w->store, &open, &total, &error);
    assert_int_equal(open, 0);
}

static void test_expired_claim_returns_the_alarm_to_the_queue(void **state)
{
    struct world *w = *state;
    store_close(w->store);
    open_store(w, 50, 1000000);
    int64_t id = create_alarm(w, "panic", 1);
    struct store_error error = {{0}};
    assert_int_equal(
        store_alarm_act(w->store, &w->operator_a, id, ALARM_ACTION_CLAIM, NULL, NULL, &error),
        STORE_OK);
    int released = -1;
    assert_int_equal(store_claims_expire(w->store, 0, &released, &error), STORE_OK);
    assert_int_equal(released, 0); /* still within its lease */
    usleep(120 * 1000);
    assert_int_equal(store_claims_expire(w->store, 0, &released, &error), STORE_OK);
    assert_int_equal(released, 1);
    struct alarm alarm;
    assert_int_equal(store_alarm_get(w->store, id, &alarm, &error), STORE_OK);
    assert_int_equal(alarm.state, ALARM_STATE_NEW);
    assert_int_equal(alarm.claim.user_id, 0);
}

static void test_a_session_sign_of_life_renews_its_claims(void **state)
{
    struct world *w = *state;
    store_close(w->store);
    open_store(w, 150, 1000000);
    int64_t id = create_alarm(w, "panic", 1);
    struct store_error error = {{0}};
    assert_int_equal(
        store_alarm_act(w->store, &w->operator_a, id, ALARM_ACTION_CLAIM, NULL, NULL, &error),
        STORE_OK);
    for (int i = 0; i < 4; i++) {
        usleep(80 * 1000);
        assert_int_equal(store_sessions_touch(w->store, &w->operator_a.session_id, 1, NULL, &error),
                         STORE_OK);
    }
    int released = -1;
    assert_int_equal(store_claims_expire(w->store, 0, &released, &error), STORE_OK);
    assert_int_equal(released, 0);
}

static void test_a_closed_session_no_longer_renews_its_claims(void **state)
{
    struct world *w = *state;
    store_close(w->store);
    open_store(w, 150, 1000000);
    int64_t id = create_alarm(w, "panic", 1);
    struct store_error error = {{0}};
    assert_int_equal(
        store_alarm_act(w->store, &w->operator_a, id, ALARM_ACTION_CLAIM, NULL, NULL, &error),
        STORE_OK);
    assert_int_equal(store_session_revoke(w->store, &w->operator_a, &error), STORE_OK);
    bool live = true;
    for (int i = 0; i < 3; i++) {
        usleep(80 * 1000);
        assert_int_equal(
            store_sessions_touch(w->store, &w->operator_a.session_id, 1, &live, &error), STORE_OK);
        assert_false(live);
    }
    int released = -1;
    assert_int_equal(store_claims_expire(w->store, 0, &released, &error), STORE_OK);
    assert_int_equal(released, 1);
}

/* ---- lists ---- */

struct collected {
    int count;
    int64_t max_seq;
};

static void collect(void *context, const struct alarm *alarm)
{
    struct collected *c = context;
    c->count++;
    if (alarm->seq > c->max_seq)
        c->max_seq = alarm->seq;
}

static void test_list_since_returns_only_alarms_changed_after(void **state)
{
    struct world *w = *state;
    int64_t first = create_alarm(w, "fire", 1);
    create_alarm(w, "fire", 1);
    int64_t mark = store_last_sequence(w->store);
    struct store_error error = {{0}};
    assert_int_equal(
        store_alarm_act(w->store, &w->operator_a, first, ALARM_ACTION_ACK, NULL, NULL, &error),
        STORE_OK);
    struct store_alarm_query query = {.state = STORE_ALARMS_OPEN, .since_seq = mark, .limit = 100};
    struct collected c = {0};
    int64_t last = 0;
    assert_int_equal(store_alarms_list(w->store, &query, collect, &c, &last, &error), STORE_OK);
    assert_int_equal(c.count, 1);
    assert_int_equal(last, mark + 1);
    assert_int_equal(c.max_seq, last);
}

/* ---- audit ---- */

static void test_audit_chain_detects_edits_deletions_and_cuts(void **state)
{
    struct world *w = *state;
    for (int i = 0; i < 5; i++)
        create_alarm(w, "technical", 4);
    struct store_audit_report report;
    struct store_error error = {{0}};
    assert_int_equal(store_audit_verify(w->store, &report, &error), STORE_OK);
    assert_int_equal(report.first_bad_row, 0);
    assert_int_equal(report.rows_checked, 9); /* 2 users, 2 sessions, 5 alarms */
    store_close(w->store);

    /* Rows 5 to 9 are ana's alarm creations. */
    exec_sql(w->path, "UPDATE audit SET actor = 'mallory' WHERE id = 6");
    open_store(w, 30000, 1000000);
    assert_int_equal(store_audit_verify(w->store, &report, &error), STORE_OK);
    assert_int_equal(report.first_bad_row, 6);
    assert_non_null(strstr(report.problem, "modified"));
    store_close(w->store);

    exec_sql(w->path,
             "UPDATE audit SET actor = 'ana' WHERE id = 6; DELETE FROM audit WHERE id = 7");
    open_store(w, 30000, 1000000);
    assert_int_equal(store_audit_verify(w->store, &report, &error), STORE_OK);
    assert_int_equal(report.first_bad_row, 7);
    store_close(w->store);

    /* Cut the last rows: the chain itself still looks whole. */
    exec_sql(w->path, "DELETE FROM audit WHERE id >= 7");
    open_store(w, 30000, 1000000);
    assert_int_equal(store_audit_verify(w->store, &report, &error), STORE_OK);
    assert_int_equal(report.first_bad_row, 7);
    assert_non_null(strstr(report.problem, "cut"));
}

/* ---- group commit: one failing job does not sink its batch ---- */

struct async_result {
    pthread_mutex_t lock;
    pthread_cond_t done;
    int finished, statuses[8];
};

struct async_job {
    struct async_result *result;
    int index;
    bool fail;
};

static int insert_client_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct async_job *job = context;
    char sql[128];
    snprintf(sql, sizeof sql, "INSERT INTO clients(name, kind) VALUES('async %d', 'bank')",
             job->index);
    if (store_exec(tx->db, sql, error) != STORE_OK)
        return STORE_ERROR;
    if (job->fail) {
        store_error_set(error, "refused on purpose");
        return STORE_INVALID;
    }
    return STORE_OK;
}

static void async_done(void *context, int status, const struct store_error *error)
{
    (void)error;
    struct async_job *job = context;
    pthread_mutex_lock(&job->result->lock);
    job->result->statuses[job->index] = status;
    job->result->finished++;
    pthread_cond_signal(&job->result->done);
    pthread_mutex_unlock(&job->result->lock);
}

static int count_rows(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int count = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return count;
}

static void test_a_failing_job_rolls_back_alone_and_async_callers_are_told(void **state)
{
    struct world *w = *state;
    struct async_result result = {.finished = 0};
    pthread_mutex_init(&result.lock, NULL);
    pthread_cond_init(&result.done, NULL);
    struct async_job jobs[3] = {{&result, 0, false}, {&result, 1, true}, {&result, 2, false}};
    for (int i = 0; i < 3; i++)
        assert_int_equal(store_write_async(w->store, insert_client_job, &jobs[i], async_done),
                         STORE_OK);
    pthread_mutex_lock(&result.lock);
    while (result.finished < 3)
        pthread_cond_wait(&result.done, &result.lock);
    pthread_mutex_unlock(&result.lock);
    assert_int_equal(result.statuses[0], STORE_OK);
    assert_int_equal(result.statuses[1], STORE_INVALID);
    assert_int_equal(result.statuses[2], STORE_OK);
    /* Told means durable: another connection sees exactly the two. */
    assert_int_equal(count_rows(w->path, "SELECT COUNT(*) FROM clients WHERE name LIKE 'async%'"),
                     2);
    assert_int_equal(count_rows(w->path, "SELECT COUNT(*) FROM clients WHERE name = 'async 1'"), 0);
    pthread_mutex_destroy(&result.lock);
    pthread_cond_destroy(&result.done);
}

/* Replayable jobs share a savepoint; one that fails makes the writer undo
 * its group and run the group's jobs again one by one: whatever the
 * batches, each job's work is there once or (the failing one) not at all,
 * and every caller hears its own outcome. */
static void test_a_failing_replayable_job_rolls_back_alone(void **state)
{
    struct world *w = *state;
    struct async_result result = {.finished = 0};
    pthread_mutex_init(&result.lock, NULL);
    pthread_cond_init(&result.done, NULL);
    enum { COUNT = 6 };
    struct async_job jobs[COUNT];
    for (int i = 0; i < COUNT; i++)
        jobs[i] = (struct async_job){&result, i, i == 2};
    for (int round = 0; round < 2; round++) {
        result.finished = 0;
        for (int i = 0; i < COUNT; i++) {
            /* Job 4 is an ordinary one between replayable ones. */
            int status = i == 4
                             ? store_write_async(w->store, insert_client_job, &jobs[i], async_done)
                             : store_write_async_replayable(w->store, insert_client_job, &jobs[i],
                                                            async_done);
            assert_int_equal(status, STORE_OK);
        }
        pthread_mutex_lock(&result.lock);
        while (result.finished < COUNT)
            pthread_cond_wait(&result.done, &result.lock);
        pthread_mutex_unlock(&result.lock);
        for (int i = 0; i < COUNT; i++)
            assert_int_equal(result.statuses[i], i == 2 ? STORE_INVALID : STORE_OK);
    }
    /* Two rounds: each good job's row twice, never more; the bad one's never. */
    for (int i = 0; i < COUNT; i++) {
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM clients WHERE name = 'async %d'", i);
        assert_int_equal(count_rows(w->path, sql), i == 2 ? 0 : 2);
    }
    pthread_mutex_destroy(&result.lock);
    pthread_cond_destroy(&result.done);
}

static void test_trimmed_events_raise_the_first_kept_sequence(void **state)
{
    struct world *w = *state;
    for (int i = 0; i < 30; i++)
        create_alarm(w, "technical", 4);
    int64_t trimmed = 0;
    struct store_error error = {{0}};
    assert_int_equal(store_events_trim(w->store, 10, &trimmed, &error), STORE_OK);
    assert_int_equal(trimmed, 20);
    assert_int_equal(store_first_kept_sequence(w->store), 21);
    store_close(w->store);
    open_store(w, 30000, 1000000);
    assert_int_equal(store_first_kept_sequence(w->store), 21);
    assert_int_equal(store_last_sequence(w->store), 30);
}

static void test_store_refuses_a_missing_database_without_create(void **state)
{
    (void)state;
    struct store_options options = {.create = false};
    struct store *store = NULL;
    struct store_error error = {{0}};
    assert_int_equal(store_open("/tmp/vigie-does-not-exist/x.db", &options, &store, &error),
                     STORE_NOT_FOUND);
    assert_non_null(strstr(error.message, "vigied init"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_concurrent_alarms_are_all_stored_with_contiguous_sequences, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_after_replays_in_order_from_any_point, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_second_operator_cannot_take_a_claimed_alarm, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_close_needs_a_known_resolution_and_leaves_the_open_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_claim_returns_the_alarm_to_the_queue, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_session_sign_of_life_renews_its_claims, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_closed_session_no_longer_renews_its_claims, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_list_since_returns_only_alarms_changed_after, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_audit_chain_detects_edits_deletions_and_cuts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_trimmed_events_raise_the_first_kept_sequence, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_a_failing_job_rolls_back_alone_and_async_callers_are_told, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_failing_replayable_job_rolls_back_alone, setup,
                                        teardown),
        cmocka_unit_test(test_store_refuses_a_missing_database_without_create),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
