/* store_device_purge.c: the erasure of protection phones' technical data
 * once it is older than the retention (24 h by default): positions and
 * battery levels are deleted, raw device messages redacted, AML receipts
 * forgotten. The alarm, its timeline and its audit stay. Each job handles
 * a bounded batch so that the writer never stalls other commits; each
 * alarm touched gets a stream event, and the events written before the
 * purge are trimmed so that a stream resuming from before it resyncs. */
#include "server/store_devices.h"
#include "server/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Alarms per purge job: a few milliseconds of work, then others commit. */
#define PURGE_BATCH 256
/* Jobs per purge call: PURGE_ROUNDS x PURGE_BATCH alarms, far more than a
 * centre's device alarms of a day; what is left waits for the next call. */
#define PURGE_ROUNDS 64

struct purge_job {
    int64_t before;                 /* older than this is erased */
    int64_t marker_seq;             /* the "purge" event of this job, 0 if none */
    int64_t alarm_ids[PURGE_BATCH]; /* touched in this job */
    int alarm_count;
    bool more; /* a batch was full: call again */
    struct store_purge_report report;
};

/* Notes an alarm this job changes; false when the job has no room left
 * for its event: the alarm is then left, untouched, for the next job. */
static bool note_alarm(struct purge_job *job, int64_t alarm_id)
{
    for (int i = 0; i < job->alarm_count; i++)
        if (job->alarm_ids[i] == alarm_id)
            return true;
    if (job->alarm_count == PURGE_BATCH) {
        job->more = true;
        return false;
    }
    job->alarm_ids[job->alarm_count++] = alarm_id;
    return true;
}

/* Runs a query that yields ids, noting each; `limit` is bound as ?2. */
static int collect_ids(struct store_tx *tx, const char *sql, struct purge_job *job, int64_t *ids,
                       int *count, struct store_error *error)
{
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "finding technical data to purge", error);
    sqlite3_bind_int64(st, 1, job->before);
    sqlite3_bind_int(st, 2, PURGE_BATCH);
    int rc;
    *count = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *count < PURGE_BATCH)
        ids[(*count)++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_sql_error(tx->db, "finding technical data to purge", error);
    if (*count == PURGE_BATCH)
        job->more = true;
    return STORE_OK;
}

static int delete_positions(struct store_tx *tx, struct purge_job *job, struct store_error *error)
{
    static const char find_sql[] =
        "SELECT DISTINCT alarm_id FROM positions WHERE captured_at < ?1 LIMIT ?2";
    static const char delete_sql[] = "DELETE FROM positions WHERE alarm_id = ? AND captured_at < ?";
    int64_t ids[PURGE_BATCH];
    int count = 0;
    if (collect_ids(tx, find_sql, job, ids, &count, error) != STORE_OK)
        return STORE_ERROR;
    for (int i = 0; i < count && note_alarm(job, ids[i]); i++) {
        sqlite3_stmt *st = store_tx_statement(tx, delete_sql);
        if (!st)
            return store_sql_error(tx->db, "purging positions", error);
        sqlite3_bind_int64(st, 1, ids[i]);
        sqlite3_bind_int64(st, 2, job->before);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return store_sql_error(tx->db, "purging positions", error);
        job->report.positions += sqlite3_changes64(tx->db);
    }
    return STORE_OK;
}

static int redact_raws(struct store_tx *tx, struct purge_job *job, struct store_error *error)
{
    static const char find_sql[] =
        "SELECT id FROM alarms WHERE source IN ('device','aml') AND raw_redacted = 0"
        " AND received_at < ?1 LIMIT ?2";
    static const char redact_sql[] = "UPDATE alarms SET raw = '" DEVICE_RAW_REDACTED "',"
                                     " raw_redacted = 1 WHERE id = ?";
    int64_t ids[PURGE_BATCH];
    int count = 0;
    if (collect_ids(tx, find_sql, job, ids, &count, error) != STORE_OK)
        return STORE_ERROR;
    for (int i = 0; i < count && note_alarm(job, ids[i]); i++) {
        sqlite3_stmt *st = store_tx_statement(tx, redact_sql);
        if (!st)
            return store_sql_error(tx->db, "redacting a raw message", error);
        sqlite3_bind_int64(st, 1, ids[i]);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return store_sql_error(tx->db, "redacting a raw message", error);
        job->report.raws++;
    }
    return STORE_OK;
}

static int forget_receipts(struct store_tx *tx, struct purge_job *job, struct store_error *error)
{
    static const char sql[] = "DELETE FROM aml_receipts WHERE received_at < ?";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "purging AML receipts", error);
    sqlite3_bind_int64(st, 1, job->before);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(tx->db, "purging AML receipts", error);
}

static int purge_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct purge_job *job = context;
    job->alarm_count = 0;
    job->more = false;
    job->marker_seq = 0;
    if (delete_positions(tx, job, error) != STORE_OK || redact_raws(tx, job, error) != STORE_OK ||
        forget_receipts(tx, job, error) != STORE_OK)
        return STORE_ERROR;
    if (job->alarm_count == 0)
        return STORE_OK;
    /* A "purge" event first: the trim that follows the purge cuts the
     * stream right after it, so that only a client that heard it live can
     * resume past it. Then live views learn which alarms lost their
     * position or raw text. */
    char data[64];
    snprintf(data, sizeof data, "{\"alarms\":%d}", job->alarm_count);
    job->marker_seq = store_tx_event(tx, "purge", 0, data);
    if (job->marker_seq == 0) {
        store_error_set(error, "cannot record the purge event");
        return STORE_ERROR;
    }
    for (int i = 0; i < job->alarm_count; i++)
        if (store_tx_alarm_changed(tx, job->alarm_ids[i], error) != STORE_OK)
            return STORE_ERROR;
    job->report.alarms += job->alarm_count;
    return STORE_OK;
}

int store_technical_purge(struct store *store, int64_t older_than_ms,
                          struct store_purge_report *report, struct store_error *error)
{
    struct purge_job *job = calloc(1, sizeof *job);
    if (!job) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    job->before = older_than_ms;
    int64_t marker_seq = 0;
    int status = STORE_OK;
    for (int round = 0; round < PURGE_ROUNDS && status == STORE_OK; round++) {
        status = store_write(store, purge_job, job, error);
        if (status == STORE_OK && job->marker_seq > 0)
            marker_seq = job->marker_seq;
        if (!job->more)
            break;
    }
    /* Every event up to the last "purge" event goes (its alarm events, at
     * least one, stay), so that a stream resuming from before the purge is
     * told to resync. Trimming counts from the end: events written since
     * only trim more, which at worst resyncs a client that could resume. */
    if (status == STORE_OK && marker_seq > 0) {
        int64_t keep = store_last_sequence(store) - marker_seq;
        if (keep > 0)
            status = store_events_trim(store, keep, &job->report.events_trimmed, error);
    }
    if (report)
        *report = job->report;
    free(job);
    return status;
}

int store_technical_purge_due(struct store *store, int64_t older_than_ms, bool *due_out,
                              struct store_error *error)
{
    static const char sql[] =
        "SELECT EXISTS(SELECT 1 FROM positions WHERE captured_at < ?1)"
        " OR EXISTS(SELECT 1 FROM alarms WHERE source IN ('device','aml') AND raw_redacted = 0"
        "  AND received_at < ?1)"
        " OR EXISTS(SELECT 1 FROM aml_receipts WHERE received_at < ?1)";
    *due_out = false;
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_OK;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "checking technical data", error);
    } else {
        sqlite3_bind_int64(st, 1, older_than_ms);
        if (sqlite3_step(st) == SQLITE_ROW)
            *due_out = sqlite3_column_int(st, 0) != 0;
        else
            status = store_sql_error(db, "checking technical data", error);
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}
