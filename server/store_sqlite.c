/* store_sqlite.c: the SQLite store's engine room: opening the database,
 * the group-commit writer thread, the checkpointer, and the stream events a
 * commit publishes (the read side is store_reads.c). Tables are in store_schema.c; each
 * kind of object has its own store_<object>.c. */
#include "server/store_engine.h"
#include "common/clock.h"
#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- the writer's statement cache ---- */

sqlite3_stmt *store_tx_statement(struct store_tx *tx, const char *sql)
{
    struct store *store = tx->store;
    for (int i = 0; i < store->statement_count; i++) {
        if (store->statement_sql[i] == sql) {
            sqlite3_reset(store->statement[i]);
            sqlite3_clear_bindings(store->statement[i]);
            return store->statement[i];
        }
    }
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v3(tx->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL) !=
        SQLITE_OK)
        return NULL;
    if (store->statement_count == STORE_STATEMENT_CACHE) {
        /* Callers never finalize, so an uncached statement would leak on
         * every call: refuse it loudly (the bound is to be raised). */
        log_error("store", "statement cache full (%d): raise STORE_STATEMENT_CACHE",
                  STORE_STATEMENT_CACHE);
        sqlite3_finalize(statement);
        return NULL;
    }
    store->statement_sql[store->statement_count] = sql;
    store->statement[store->statement_count++] = statement;
    return statement;
}

static void statements_reset(struct store *store)
{
    for (int i = 0; i < store->statement_count; i++)
        sqlite3_reset(store->statement[i]);
}

/* ---- events emitted inside a job ---- */

int64_t store_tx_event(struct store_tx *tx, const char *type, int64_t alarm_id, const char *data)
{
    struct store *store = tx->store;
    if (store->pending_count == store->pending_capacity) {
        size_t capacity = store->pending_capacity ? store->pending_capacity * 2 : 64;
        struct pending_event *grown = realloc(store->pending, capacity * sizeof *grown);
        if (!grown)
            return 0;
        store->pending = grown;
        store->pending_capacity = capacity;
    }
    char *copy = strdup(data);
    if (!copy)
        return 0;
    int64_t seq = store->next_seq;
    static const char sql[] = "INSERT INTO events(seq, ts, type, alarm_id, data) VALUES(?,?,?,?,?)";
    sqlite3_stmt *statement = store_tx_statement(tx, sql);
    if (!statement) {
        free(copy);
        return 0;
    }
    sqlite3_bind_int64(statement, 1, seq);
    sqlite3_bind_int64(statement, 2, tx->now_ms);
    sqlite3_bind_text(statement, 3, type, -1, SQLITE_STATIC);
    if (alarm_id > 0)
        sqlite3_bind_int64(statement, 4, alarm_id);
    else
        sqlite3_bind_null(statement, 4);
    sqlite3_bind_text(statement, 5, data, -1, SQLITE_STATIC);
    int rc = sqlite3_step(statement);
    sqlite3_reset(statement);
    if (rc != SQLITE_DONE) {
        free(copy);
        return 0;
    }
    struct pending_event *event = &store->pending[store->pending_count++];
    event->seq = seq;
    event->ts = tx->now_ms;
    event->alarm_id = alarm_id;
    snprintf(event->type, sizeof event->type, "%s", type);
    event->data = copy;
    store->next_seq++;
    return seq;
}

/* Runs one of the writer's fixed statements (SAVEPOINT, COMMIT...) from the
 * cache: they run for every job, so they are compiled once. */
static int writer_control(struct store *store, const char *sql, struct store_error *error)
{
    struct store_tx tx = {.store = store, .db = store->writer_db};
    sqlite3_stmt *statement = store_tx_statement(&tx, sql);
    if (!statement)
        return store_sql_error(store->writer_db, sql, error);
    int rc = sqlite3_step(statement);
    sqlite3_reset(statement);
    if (rc != SQLITE_DONE)
        return store_sql_error(store->writer_db, sql, error);
    return STORE_OK;
}

static const char sql_savepoint[] = "SAVEPOINT job";
static const char sql_rollback_to[] = "ROLLBACK TO job";
static const char sql_release[] = "RELEASE job";
static const char sql_begin[] = "BEGIN IMMEDIATE";
static const char sql_commit[] = "COMMIT";

static void pending_truncate(struct store *store, size_t count)
{
    while (store->pending_count > count)
        free(store->pending[--store->pending_count].data);
}

/* ---- the writer ---- */

static void run_job(struct store *store, struct store_job *job, int64_t now_ms)
{
    struct store_tx tx = {.store = store, .db = store->writer_db, .now_ms = now_ms};
    size_t mark = store->pending_count;
    int64_t seq_mark = store->next_seq;
    if (writer_control(store, sql_savepoint, &job->error) != STORE_OK) {
        job->status = STORE_ERROR;
        return;
    }
    job->status = job->fn(&tx, job->context, &job->error);
    if (job->status != STORE_OK) {
        writer_control(store, sql_rollback_to, NULL);
        pending_truncate(store, mark);
        store->next_seq = seq_mark;
    }
    writer_control(store, sql_release, NULL);
}

static void run_batch(struct store *store, struct store_job *jobs)
{
    int64_t seq_start = store->next_seq;
    struct store_error batch_error = {{0}};
    int64_t now_ms = clock_now_ms();
    bool committed = false;
    if (writer_control(store, sql_begin, &batch_error) == STORE_OK) {
        for (struct store_job *job = jobs; job; job = job->next)
            run_job(store, job, now_ms);
        statements_reset(store);
        committed = writer_control(store, sql_commit, &batch_error) == STORE_OK;
        if (!committed)
            store_exec(store->writer_db, "ROLLBACK", NULL);
    }
    if (!committed) {
        pending_truncate(store, 0);
        store->next_seq = seq_start;
        for (struct store_job *job = jobs; job; job = job->next) {
            job->status = STORE_ERROR;
            job->error = batch_error;
        }
    }
    if (committed) {
        int64_t count = 0;
        for (struct store_job *job = jobs; job; job = job->next)
            count++;
        pthread_mutex_lock(&store->sequence_lock);
        store->commits++;
        store->jobs_committed += count;
        pthread_mutex_unlock(&store->sequence_lock);
    }
    if (store->pending_count > 0) {
        pthread_mutex_lock(&store->sequence_lock);
        store->last_committed_seq = store->pending[store->pending_count - 1].seq;
        pthread_mutex_unlock(&store->sequence_lock);
        if (store->listener) {
            struct store_event events[256];
            size_t offset = 0;
            while (offset < store->pending_count) {
                size_t count = 0;
                for (; count < sizeof events / sizeof events[0] &&
                       offset + count < store->pending_count;
                     count++) {
                    struct pending_event *p = &store->pending[offset + count];
                    events[count] =
                        (struct store_event){p->seq, p->ts, p->type, p->alarm_id, p->data};
                }
                store->listener(store->listener_context, events, count);
                offset += count;
            }
        }
        pending_truncate(store, 0);
    }
}

/* Async jobs are told from the writer thread, then freed. */
static void finish_async_jobs(struct store_job *jobs)
{
    struct store_job *next;
    for (struct store_job *job = jobs; job; job = next) {
        next = job->next;
        job->done(job->context, job->status, &job->error);
        free(job);
    }
}

static void *checkpointer_main(void *argument)
{
    struct store *store = argument;
    pthread_mutex_lock(&store->queue_lock);
    while (!store->stopping) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += STORE_CHECKPOINT_PERIOD_MS / 1000;
        pthread_cond_timedwait(&store->checkpoint_wake, &store->queue_lock, &deadline);
        if (store->stopping)
            break;
        pthread_mutex_unlock(&store->queue_lock);
        int wal_pages = 0, copied = 0;
        /* PASSIVE: copies what no reader still needs, never blocks the
         * writer; a busy reader only delays the copy to the next pass. */
        int rc = sqlite3_wal_checkpoint_v2(store->checkpoint_db, NULL, SQLITE_CHECKPOINT_PASSIVE,
                                           &wal_pages, &copied);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            log_warn("store", "checkpoint failed: %s", sqlite3_errmsg(store->checkpoint_db));
        pthread_mutex_lock(&store->queue_lock);
    }
    pthread_mutex_unlock(&store->queue_lock);
    return NULL;
}

/* Called by SQLite after each commit with the WAL's size in pages. */
static int on_wal_commit(void *context, sqlite3 *db, const char *name, int pages)
{
    (void)db;
    (void)name;
    struct store *store = context;
    if (pages >= STORE_CHECKPOINT_PAGES) {
        pthread_mutex_lock(&store->queue_lock);
        pthread_cond_signal(&store->checkpoint_wake);
        pthread_mutex_unlock(&store->queue_lock);
    }
    return SQLITE_OK;
}

static void *writer_main(void *argument)
{
    struct store *store = argument;
    pthread_mutex_lock(&store->queue_lock);
    for (;;) {
        while (!store->queue_head && !store->stopping)
            pthread_cond_wait(&store->queue_nonempty, &store->queue_lock);
        if (!store->queue_head && store->stopping)
            break;
        struct store_job *batch = store->queue_head, *last = batch;
        int count = 1;
        while (last->next && count < STORE_BATCH_MAX) {
            last = last->next;
            count++;
        }
        store->queue_head = last->next;
        if (!store->queue_head)
            store->queue_tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&store->queue_lock);

        run_batch(store, batch);

        /* Separate sync jobs from async ones before anyone can free them. */
        struct store_job *async_jobs = NULL, **async_tail = &async_jobs, *sync_jobs = NULL;
        struct store_job *next;
        for (struct store_job *job = batch; job; job = next) {
            next = job->next;
            job->next = NULL;
            if (job->done) {
                *async_tail = job;
                async_tail = &job->next;
            } else {
                job->next = sync_jobs;
                sync_jobs = job;
            }
        }
        finish_async_jobs(async_jobs);
        pthread_mutex_lock(&store->queue_lock);
        for (struct store_job *job = sync_jobs; job; job = next) {
            next = job->next;
            job->finished = true;
        }
        pthread_cond_broadcast(&store->job_finished);
    }
    pthread_mutex_unlock(&store->queue_lock);
    return NULL;
}

static void enqueue(struct store *store, struct store_job *job)
{
    job->next = NULL;
    if (store->queue_tail)
        store->queue_tail->next = job;
    else
        store->queue_head = job;
    store->queue_tail = job;
    pthread_cond_signal(&store->queue_nonempty);
}

int store_write(struct store *store, store_job_fn fn, void *context, struct store_error *error)
{
    struct store_job job = {.fn = fn, .context = context};
    pthread_mutex_lock(&store->queue_lock);
    if (store->stopping) {
        pthread_mutex_unlock(&store->queue_lock);
        store_error_set(error, "the store is closing");
        return STORE_ERROR;
    }
    enqueue(store, &job);
    while (!job.finished)
        pthread_cond_wait(&store->job_finished, &store->queue_lock);
    pthread_mutex_unlock(&store->queue_lock);
    if (job.status != STORE_OK && error)
        *error = job.error;
    return job.status;
}

int store_write_async(struct store *store, store_job_fn fn, void *context, store_job_done_fn done)
{
    struct store_job *job = calloc(1, sizeof *job);
    if (!job)
        return STORE_ERROR;
    job->fn = fn;
    job->context = context;
    job->done = done;
    pthread_mutex_lock(&store->queue_lock);
    if (store->stopping) {
        pthread_mutex_unlock(&store->queue_lock);
        free(job);
        return STORE_ERROR;
    }
    enqueue(store, job);
    pthread_mutex_unlock(&store->queue_lock);
    return STORE_OK;
}

/* ---- open and close ---- */

static int load_sequences(struct store *store, struct store_error *error)
{
    sqlite3_stmt *statement = NULL;
    const char *sql = "SELECT COALESCE(MAX(seq),0), COALESCE(MIN(seq),0) FROM events";
    if (sqlite3_prepare_v2(store->writer_db, sql, -1, &statement, NULL) != SQLITE_OK)
        return store_sql_error(store->writer_db, "reading sequences", error);
    sqlite3_step(statement);
    store->last_committed_seq = sqlite3_column_int64(statement, 0);
    int64_t first = sqlite3_column_int64(statement, 1);
    sqlite3_finalize(statement);
    store->next_seq = store->last_committed_seq + 1;
    /* No event trimmed yet when the oldest kept is the very first. */
    store->first_kept_seq = first <= 1 ? 0 : first;
    return STORE_OK;
}

static int configure_writer(struct store *store, struct store_error *error)
{
    static const char *const pragmas[] = {
        "PRAGMA journal_mode=WAL",
        /* FULL: a commit is on disk when COMMIT returns; an ACK to a panel
         * or a 201 to a client waits for exactly that. */
        "PRAGMA synchronous=FULL",
        "PRAGMA foreign_keys=ON",
        /* Checkpoints run on their own thread (see checkpointer_main), so
         * that no commit waits for the WAL to be copied back. */
        "PRAGMA wal_autocheckpoint=0",
        /* 64 MiB of page cache: the tables' hot pages stay in memory. */
        "PRAGMA cache_size=-65536",
        "PRAGMA temp_store=MEMORY",
    };
    for (size_t i = 0; i < sizeof pragmas / sizeof pragmas[0]; i++)
        if (store_exec(store->writer_db, pragmas[i], error) != STORE_OK)
            return STORE_ERROR;
    return STORE_OK;
}

static void store_free(struct store *store)
{
    for (int i = 0; i < STORE_READERS_MAX; i++)
        if (store->readers[i].db)
            sqlite3_close(store->readers[i].db);
    for (int i = 0; i < store->statement_count; i++)
        sqlite3_finalize(store->statement[i]);
    if (store->checkpoint_db) {
        /* A clean stop leaves the database whole, the WAL emptied. */
        sqlite3_wal_checkpoint_v2(store->checkpoint_db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
                                  NULL);
        sqlite3_close(store->checkpoint_db);
    }
    if (store->writer_db)
        sqlite3_close(store->writer_db);
    pending_truncate(store, 0);
    free(store->pending);
    pthread_mutex_destroy(&store->queue_lock);
    pthread_cond_destroy(&store->queue_nonempty);
    pthread_cond_destroy(&store->job_finished);
    pthread_mutex_destroy(&store->sequence_lock);
    pthread_mutex_destroy(&store->readers_lock);
    pthread_cond_destroy(&store->reader_free);
    pthread_cond_destroy(&store->checkpoint_wake);
    free(store->path);
    free(store);
}

int store_open(const char *path, const struct store_options *options, struct store **out,
               struct store_error *error)
{
    struct stat info;
    if (!options->create && stat(path, &info) != 0) {
        store_error_set(error, "database %s does not exist (create it with: vigied init --db %s)",
                        path, path);
        return STORE_NOT_FOUND;
    }
    struct store *store = calloc(1, sizeof *store);
    if (!store) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    store->path = strdup(path);
    store->options = *options;
    if (store->options.claim_lease_ms <= 0)
        store->options.claim_lease_ms = 30000;
    if (store->options.event_retention <= 0)
        store->options.event_retention = 1000000;
    pthread_mutex_init(&store->queue_lock, NULL);
    pthread_cond_init(&store->queue_nonempty, NULL);
    pthread_cond_init(&store->job_finished, NULL);
    pthread_mutex_init(&store->sequence_lock, NULL);
    pthread_mutex_init(&store->readers_lock, NULL);
    pthread_cond_init(&store->reader_free, NULL);
    pthread_cond_init(&store->checkpoint_wake, NULL);
    int flags = SQLITE_OPEN_READWRITE | (options->create ? SQLITE_OPEN_CREATE : 0);
    if (!store->path || store_open_connection(path, flags, &store->writer_db, error) != STORE_OK ||
        configure_writer(store, error) != STORE_OK ||
        store_schema_migrate(store->writer_db, error) != STORE_OK ||
        load_sequences(store, error) != STORE_OK) {
        store_free(store);
        return STORE_ERROR;
    }
    sqlite3_wal_hook(store->writer_db, on_wal_commit, store);
    /* The checkpointer must have read the database once, or SQLite treats
     * its connection as having no WAL to copy and checkpoints do nothing
     * (the WAL then grows until vigied stops). */
    if (store_open_connection(path, SQLITE_OPEN_READWRITE, &store->checkpoint_db, error) !=
            STORE_OK ||
        store_exec(store->checkpoint_db, "SELECT 1 FROM sqlite_schema LIMIT 1", error) !=
            STORE_OK) {
        store_free(store);
        return STORE_ERROR;
    }
    store->checkpoint_running =
        pthread_create(&store->checkpoint_thread, NULL, checkpointer_main, store) == 0;
    if (pthread_create(&store->writer_thread, NULL, writer_main, store) != 0) {
        store_error_set(error, "cannot start the store writer: %s", strerror(errno));
        store_free(store);
        return STORE_ERROR;
    }
    store->writer_running = true;
    *out = store;
    return STORE_OK;
}

void store_close(struct store *store)
{
    if (!store)
        return;
    pthread_mutex_lock(&store->queue_lock);
    store->stopping = true;
    pthread_cond_broadcast(&store->queue_nonempty);
    pthread_cond_broadcast(&store->checkpoint_wake);
    pthread_mutex_unlock(&store->queue_lock);
    if (store->writer_running)
        pthread_join(store->writer_thread, NULL);
    if (store->checkpoint_running)
        pthread_join(store->checkpoint_thread, NULL);
    store->checkpoint_running = false;
    store_free(store);
}

int store_schema_version(struct store *store)
{
    return store_schema_current(store->writer_db);
}

void store_set_event_listener(struct store *store, store_event_listener listener, void *context)
{
    pthread_mutex_lock(&store->queue_lock);
    store->listener = listener;
    store->listener_context = context;
    pthread_mutex_unlock(&store->queue_lock);
}

int64_t store_tx_peek_sequence(struct store_tx *tx)
{
    return tx->store->next_seq;
}
