/* store_reads.c: the read side of the SQLite store: a bounded pool of
 * read connections (one per thread at a time), the replay of stream
 * events after a sequence, event retention and health. */
#include "server/store_engine.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- readers ---- */

int store_open_connection(const char *path, int flags, sqlite3 **out, struct store_error *error)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        store_error_set(error, "cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "no memory");
        sqlite3_close(db);
        return STORE_ERROR;
    }
    sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(db, 1);
    *out = db;
    return STORE_OK;
}

sqlite3 *store_reader_acquire(struct store *store, struct store_error *error)
{
    pthread_mutex_lock(&store->readers_lock);
    for (;;) {
        struct reader_slot *empty = NULL;
        for (int i = 0; i < STORE_READERS_MAX; i++) {
            struct reader_slot *slot = &store->readers[i];
            if (slot->db && !slot->in_use) {
                slot->in_use = true;
                pthread_mutex_unlock(&store->readers_lock);
                return slot->db;
            }
            /* An empty slot being opened by another thread is in use. */
            if (!slot->db && !slot->in_use && !empty)
                empty = slot;
        }
        if (empty) {
            empty->in_use = true;
            pthread_mutex_unlock(&store->readers_lock);
            sqlite3 *db = NULL;
            if (store_open_connection(store->path, SQLITE_OPEN_READONLY, &db, error) != STORE_OK) {
                pthread_mutex_lock(&store->readers_lock);
                empty->in_use = false;
                pthread_mutex_unlock(&store->readers_lock);
                return NULL;
            }
            pthread_mutex_lock(&store->readers_lock);
            empty->db = db;
            pthread_mutex_unlock(&store->readers_lock);
            return db;
        }
        pthread_cond_wait(&store->reader_free, &store->readers_lock);
    }
}

void store_reader_release(struct store *store, sqlite3 *db)
{
    pthread_mutex_lock(&store->readers_lock);
    for (int i = 0; i < STORE_READERS_MAX; i++) {
        if (store->readers[i].db == db) {
            store->readers[i].in_use = false;
            break;
        }
    }
    pthread_cond_signal(&store->reader_free);
    pthread_mutex_unlock(&store->readers_lock);
}

int64_t store_last_sequence(struct store *store)
{
    pthread_mutex_lock(&store->sequence_lock);
    int64_t seq = store->last_committed_seq;
    pthread_mutex_unlock(&store->sequence_lock);
    return seq;
}

int64_t store_first_kept_sequence(struct store *store)
{
    pthread_mutex_lock(&store->sequence_lock);
    int64_t seq = store->first_kept_seq;
    pthread_mutex_unlock(&store->sequence_lock);
    return seq;
}

int store_events_after(struct store *store, int64_t after, int limit, store_event_visitor visit,
                       void *context, struct store_error *error)
{
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    /* Only durable events: a reader can see a commit the syncer has not
     * made durable yet, and the stream must carry only what a power cut
     * cannot take back (store_syncer.c). */
    int64_t durable = store_last_sequence(store);
    sqlite3_stmt *statement = NULL;
    const char *sql = "SELECT seq, ts, type, COALESCE(alarm_id,0), data FROM events"
                      " WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?";
    int status = STORE_OK;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "reading events", error);
    } else {
        sqlite3_bind_int64(statement, 1, after);
        sqlite3_bind_int64(statement, 2, durable);
        sqlite3_bind_int(statement, 3, limit);
        int rc;
        while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
            struct store_event event = {
                .seq = sqlite3_column_int64(statement, 0),
                .ts = sqlite3_column_int64(statement, 1),
                .type = (const char *)sqlite3_column_text(statement, 2),
                .alarm_id = sqlite3_column_int64(statement, 3),
                .data = (const char *)sqlite3_column_text(statement, 4),
            };
            visit(context, &event);
        }
        if (rc != SQLITE_DONE)
            status = store_sql_error(db, "reading events", error);
    }
    sqlite3_finalize(statement);
    store_reader_release(store, db);
    return status;
}

struct events_trim_job {
    int64_t keep, trimmed;
};

static int events_trim_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct events_trim_job *job = context;
    struct store *store = tx->store;
    int64_t cutoff = store->next_seq - 1 - job->keep;
    if (cutoff <= 0)
        return STORE_OK;
    /* Raise the floor before the rows go, so that no stream can read past
     * a gap: at worst a stream resyncs for events still on disk. */
    pthread_mutex_lock(&store->sequence_lock);
    store->first_kept_seq = cutoff + 1;
    pthread_mutex_unlock(&store->sequence_lock);
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v2(tx->db, "DELETE FROM events WHERE seq <= ?", -1, &statement, NULL) !=
        SQLITE_OK)
        return store_sql_error(tx->db, "trimming events", error);
    sqlite3_bind_int64(statement, 1, cutoff);
    int rc = sqlite3_step(statement);
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "trimming events", error);
    job->trimmed = sqlite3_changes64(tx->db);
    return STORE_OK;
}

int store_events_trim(struct store *store, int64_t keep, int64_t *trimmed_out,
                      struct store_error *error)
{
    struct events_trim_job job = {keep > 0 ? keep : 1, 0};
    int status = store_write(store, events_trim_job, &job, error);
    if (trimmed_out)
        *trimmed_out = job.trimmed;
    return status;
}

int store_ping(struct store *store, struct store_error *error)
{
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    int status = store_exec(db, "SELECT 1 FROM events LIMIT 1", error);
    store_reader_release(store, db);
    return status;
}

void store_commit_stats(struct store *store, int64_t *commits, int64_t *jobs)
{
    pthread_mutex_lock(&store->sequence_lock);
    *commits = store->commits;
    *jobs = store->jobs_committed;
    pthread_mutex_unlock(&store->sequence_lock);
}
