/* store_device_tests.c: protection phones must be tested regularly (every
 * 15 days in the French scheme). A device whose last test or alarm is
 * older than its test interval gets one technical alarm of low priority,
 * and is flagged with it until it tests itself or raises an alarm again;
 * the alarm itself stays for an operator to close. The check reads first
 * and writes only when there is something to write. */
#include "server/store_devices.h"
#include "server/store_internal.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Devices raised per check: more wait for the next check, a second later. */
#define TESTS_BATCH  64
#define OVERDUE_CODE "TEST-OVERDUE"

/* The last proof that the device works: a test, an alarm, or (for a
 * device never heard) the first check that saw it. */
#define LAST_PROOF                                                                                 \
    "CASE WHEN d.last_test_at IS NULL AND d.last_alarm_at IS NULL THEN d.watch_since"              \
    " ELSE MAX(COALESCE(d.last_test_at,0), COALESCE(d.last_alarm_at,0)) END"
#define OVERDUE_WHERE                                                                              \
    " d.overdue_alarm_id IS NULL AND d.watch_since IS NOT NULL"                                    \
    " AND " LAST_PROOF " + d.test_interval_s * 1000 < ?1"                                          \
    " AND NOT EXISTS(SELECT 1 FROM alarms a WHERE a.device_id = d.id"                              \
    "  AND a.event_code = '" OVERDUE_CODE "' AND a.state <> 'closed')"

struct overdue_device {
    int64_t id, victim_id, site_id, last_proof;
    char uid[DEVICE_UID_MAX];
    char kind[DEVICE_KIND_MAX];
};

struct tests_job {
    int raised;
    struct overdue_device devices[TESTS_BATCH];
};

static void format_duration(int64_t ms, char *out, size_t size)
{
    long long seconds = ms / 1000;
    if (seconds >= 2 * 86400)
        snprintf(out, size, dngettext(VIGIE_TEXT_DOMAIN, "%lld day", "%lld days", seconds / 86400),
                 seconds / 86400);
    else if (seconds >= 2 * 3600)
        snprintf(out, size, dngettext(VIGIE_TEXT_DOMAIN, "%lld hour", "%lld hours", seconds / 3600),
                 seconds / 3600);
    else if (seconds >= 120)
        snprintf(out, size,
                 dngettext(VIGIE_TEXT_DOMAIN, "%lld minute", "%lld minutes", seconds / 60),
                 seconds / 60);
    else
        snprintf(out, size, dngettext(VIGIE_TEXT_DOMAIN, "%lld second", "%lld seconds", seconds),
                 seconds);
}

static int watch_new_devices(struct store_tx *tx, struct store_error *error)
{
    static const char sql[] = "UPDATE devices SET watch_since = ? WHERE watch_since IS NULL";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "watching new devices", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(tx->db, "watching new devices", error);
}

static int find_overdue(struct store_tx *tx, struct tests_job *job, int *count,
                        struct store_error *error)
{
    static const char sql[] = "SELECT d.id, d.device_uid, d.kind, COALESCE(d.victim_id,0),"
                              " COALESCE(d.site_id,0), " LAST_PROOF
                              " FROM devices d WHERE" OVERDUE_WHERE " ORDER BY d.id LIMIT ?2";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "finding overdue devices", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    sqlite3_bind_int(st, 2, TESTS_BATCH);
    int rc = SQLITE_DONE;
    *count = 0;
    while (*count < TESTS_BATCH && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct overdue_device *d = &job->devices[(*count)++];
        d->id = sqlite3_column_int64(st, 0);
        store_copy_text(d->uid, sizeof d->uid, sqlite3_column_text(st, 1));
        store_copy_text(d->kind, sizeof d->kind, sqlite3_column_text(st, 2));
        d->victim_id = sqlite3_column_int64(st, 3);
        d->site_id = sqlite3_column_int64(st, 4);
        d->last_proof = sqlite3_column_int64(st, 5);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_sql_error(tx->db, "finding overdue devices", error);
    return STORE_OK;
}

static int raise_overdue(struct store_tx *tx, const struct overdue_device *d,
                         struct store_error *error)
{
    static const char mark_sql[] = "UPDATE devices SET overdue_alarm_id = ? WHERE id = ?";
    char duration[48], label[ALARM_LABEL_MAX];
    format_duration(tx->now_ms - d->last_proof, duration, sizeof duration);
    if (strcmp(d->kind, "lone-worker") == 0)
        snprintf(label, sizeof label, _("Lone-worker device %s not tested for %s"), d->uid,
                 duration);
    else
        snprintf(label, sizeof label, _("Protection phone %s not tested for %s"), d->uid, duration);
    struct alarm_new alarm = {.source = "system",
                              .site_id = d->site_id,
                              .device_id = d->id,
                              .victim_id = d->victim_id,
                              .event_code = OVERDUE_CODE,
                              .class_name = "technical",
                              .label = label,
                              .priority = 4,
                              .zone = -1};
    struct actor system;
    actor_system(&system);
    int64_t alarm_id = 0;
    if (store_tx_alarm_insert(tx, &system, &alarm, &alarm_id, error) != STORE_OK)
        return STORE_ERROR;
    sqlite3_stmt *st = store_tx_statement(tx, mark_sql);
    if (!st)
        return store_sql_error(tx->db, "flagging an overdue device", error);
    sqlite3_bind_int64(st, 1, alarm_id);
    sqlite3_bind_int64(st, 2, d->id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK
                             : store_sql_error(tx->db, "flagging an overdue device", error);
}

static int tests_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct tests_job *job = context;
    job->raised = 0;
    int count = 0;
    if (watch_new_devices(tx, error) != STORE_OK ||
        find_overdue(tx, job, &count, error) != STORE_OK)
        return STORE_ERROR;
    for (int i = 0; i < count; i++) {
        if (raise_overdue(tx, &job->devices[i], error) != STORE_OK)
            return STORE_ERROR;
        job->raised++;
    }
    return STORE_OK;
}

/* Whether the check has anything to write: a read on a reader. */
static int tests_due(struct store *store, int64_t now_ms, bool *due, struct store_error *error)
{
    static const char sql[] = "SELECT EXISTS(SELECT 1 FROM devices WHERE watch_since IS NULL)"
                              " OR EXISTS(SELECT 1 FROM devices d WHERE" OVERDUE_WHERE ")";
    *due = false;
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_OK;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "checking device tests", error);
    } else {
        sqlite3_bind_int64(st, 1, now_ms);
        if (sqlite3_step(st) == SQLITE_ROW)
            *due = sqlite3_column_int(st, 0) != 0;
        else
            status = store_sql_error(db, "checking device tests", error);
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}

int store_device_tests_check(struct store *store, int *raised_out, struct store_error *error)
{
    if (raised_out)
        *raised_out = 0;
    bool due = false;
    int status = tests_due(store, clock_now_ms(), &due, error);
    if (status != STORE_OK || !due)
        return status;
    struct tests_job *job = calloc(1, sizeof *job);
    if (!job) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    status = store_write(store, tests_job, job, error);
    if (status == STORE_OK && raised_out)
        *raised_out = job->raised;
    free(job);
    return status;
}
