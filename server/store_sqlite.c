/* store_sqlite.c: the SQLite store's engine room: opening the database,
 * the group-commit writer thread, and the stream events a commit emits
 * (the syncer and the checkpointer are store_syncer.c) (the read side is store_reads.c). Tables are
 * in store_schema.c; each kind of object has its own store_<object>.c. */
#include "server/store_engine.h"
#include "server/text_fast.h"
#include "common/clock.h"
#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    struct store_batch *batch = store->building;
    if (batch->event_count == batch->event_capacity) {
        size_t capacity = batch->event_capacity ? batch->event_capacity * 2 : 64;
        struct pending_event *grown = realloc(batch->events, capacity * sizeof *grown);
        if (!grown)
            return 0;
        batch->events = grown;
        batch->event_capacity = capacity;
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
    struct pending_event *event = &batch->events[batch->event_count++];
    event->seq = seq;
    event->ts = tx->now_ms;
    event->alarm_id = alarm_id;
    text_copy(event->type, sizeof event->type, type);
    event->data = copy;
    store->next_seq++;
    return seq;
}

void store_batch_events_truncate(struct store_batch *batch, size_t count)
{
    while (batch->event_count > count)
        free(batch->events[--batch->event_count].data);
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

/* ---- the writer ----
 *
 * The writer runs jobs inside one transaction and commits it without
 * waiting for the disk (synchronous=NORMAL); the syncer then fdatasyncs
 * the WAL and only after that completes the batch's jobs. While the syncer
 * works the writer keeps the next transaction open and adds to it every
 * job that arrives, and commits it as soon as the disk is free: one commit
 * per fdatasync, as large as the arrivals make it, and the jobs' CPU time
 * overlaps the disk's latency. */

static const char sql_group[] = "SAVEPOINT jobs";
static const char sql_group_rollback[] = "ROLLBACK TO jobs";
static const char sql_group_release[] = "RELEASE jobs";

/* Runs one job under its own savepoint: a failure undoes only its work. */
static void run_single(struct store *store, struct store_job *job, int64_t now_ms)
{
    struct store_tx tx = {.store = store, .db = store->writer_db, .now_ms = now_ms};
    size_t mark = store->building->event_count;
    int64_t seq_mark = store->next_seq;
    if (writer_control(store, sql_savepoint, &job->error) != STORE_OK) {
        job->status = STORE_ERROR;
        return;
    }
    job->status = job->fn(&tx, job->context, &job->error);
    if (job->status != STORE_OK) {
        writer_control(store, sql_rollback_to, NULL);
        store_batch_events_truncate(store->building, mark);
        store->next_seq = seq_mark;
    }
    writer_control(store, sql_release, NULL);
}

/* Ends the open group of replayable jobs: their work stays. */
static void group_close(struct store *store)
{
    if (!store->group_first)
        return;
    writer_control(store, sql_group_release, NULL);
    store->group_first = NULL;
}

/* Replayable jobs run back to back under one savepoint. When one fails,
 * the whole group is undone and its jobs run again one by one, each under
 * its own savepoint, so that the failure undoes only the failing job, as
 * for any other job. */
static void run_job(struct store *store, struct store_job *job, int64_t now_ms)
{
    if (!job->replayable) {
        group_close(store);
        run_single(store, job, now_ms);
        return;
    }
    if (!store->group_first) {
        if (writer_control(store, sql_group, &job->error) != STORE_OK) {
            job->status = STORE_ERROR;
            return;
        }
        store->group_first = job;
        store->group_event_mark = store->building->event_count;
        store->group_seq_mark = store->next_seq;
    }
    struct store_tx tx = {.store = store, .db = store->writer_db, .now_ms = now_ms};
    job->status = job->fn(&tx, job->context, &job->error);
    if (job->status == STORE_OK)
        return;
    struct store_job *first = store->group_first;
    writer_control(store, sql_group_rollback, NULL);
    writer_control(store, sql_group_release, NULL);
    store->group_first = NULL;
    store_batch_events_truncate(store->building, store->group_event_mark);
    store->next_seq = store->group_seq_mark;
    for (struct store_job *again = first; again != job; again = again->next)
        run_single(store, again, now_ms);
    run_single(store, job, now_ms);
}

/* Detaches up to `room` queued jobs, in arrival order. */
static struct store_job *take_jobs_locked(struct store *store, int room, int *count_out)
{
    struct store_job *first = store->queue_head, *last = first;
    int count = 0;
    if (!first || room <= 0) {
        *count_out = 0;
        return NULL;
    }
    count = 1;
    while (last->next && count < room) {
        last = last->next;
        count++;
    }
    store->queue_head = last->next;
    if (!store->queue_head)
        store->queue_tail = NULL;
    last->next = NULL;
    *count_out = count;
    return first;
}

/* The disk is free when no fdatasync runs and none waits to. */
static bool disk_free_locked(const struct store *store)
{
    return !store->syncing && !store->sync_head;
}

/* Runs jobs into `batch` until the disk is free (or the batch full): the
 * first chunk at once, later ones as they arrive while the syncer works.
 * Called with queue_lock held; returns with it held. */
static void batch_build_locked(struct store *store, struct store_batch *batch, bool open)
{
    for (;;) {
        int count = 0;
        struct store_job *jobs =
            take_jobs_locked(store, STORE_BATCH_MAX - batch->job_count, &count);
        if (jobs) {
            pthread_mutex_unlock(&store->queue_lock);
            int64_t now_ms = clock_now_ms();
            /* Linked into the batch first: a group rerun walks back across
             * chunks (run_job). */
            if (batch->jobs_tail)
                batch->jobs_tail->next = jobs;
            else
                batch->jobs = jobs;
            for (struct store_job *job = jobs; job; job = job->next) {
                if (open)
                    run_job(store, job, now_ms);
                batch->jobs_tail = job;
            }
            batch->job_count += count;
            pthread_mutex_lock(&store->queue_lock);
        }
        if (!open || batch->job_count >= STORE_BATCH_MAX || disk_free_locked(store) ||
            store->stopping)
            return;
        if (!store->queue_head)
            pthread_cond_wait(&store->queue_nonempty, &store->queue_lock);
    }
}

/* Commits `batch` (or rolls it back); its jobs learn the outcome from the
 * syncer, after the WAL is on disk. */
static void batch_commit(struct store *store, struct store_batch *batch, bool open)
{
    if (open) {
        group_close(store);
        statements_reset(store);
        batch->committed = writer_control(store, sql_commit, &batch->error) == STORE_OK;
        if (!batch->committed)
            store_exec(store->writer_db, "ROLLBACK", NULL);
    }
    if (!batch->committed) {
        store_batch_events_truncate(batch, 0);
        store->next_seq = batch->seq_start;
        for (struct store_job *job = batch->jobs; job; job = job->next) {
            job->status = STORE_ERROR;
            job->error = batch->error;
        }
    }
}

static void *writer_main(void *argument)
{
    struct store *store = argument;
    pthread_setname_np(pthread_self(), "store-writer"); /* as top -H shows it */
    pthread_mutex_lock(&store->queue_lock);
    for (;;) {
        while ((!store->queue_head || !store->free_batches) && !store->stopping)
            pthread_cond_wait(&store->queue_nonempty, &store->queue_lock);
        while (store->queue_head && !store->free_batches) /* stopping: the syncer frees one */
            pthread_cond_wait(&store->queue_nonempty, &store->queue_lock);
        if (!store->queue_head)
            break; /* stopping, and every job has been taken */
        struct store_batch *batch = store->free_batches;
        store->free_batches = batch->next;
        *batch = (struct store_batch){.events = batch->events,
                                      .event_capacity = batch->event_capacity,
                                      .seq_start = store->next_seq};
        bool refused = store->sync_failed;
        pthread_mutex_unlock(&store->queue_lock);

        store->building = batch;
        bool open = false;
        if (refused)
            store_error_set(&batch->error, "the disk failed to make a commit durable: "
                                           "writes are refused until vigied restarts");
        else
            open = writer_control(store, sql_begin, &batch->error) == STORE_OK;
        pthread_mutex_lock(&store->queue_lock);
        batch_build_locked(store, batch, open);
        pthread_mutex_unlock(&store->queue_lock);
        batch_commit(store, batch, open);
        store->building = NULL;

        pthread_mutex_lock(&store->queue_lock);
        if (store->sync_tail)
            store->sync_tail->next = batch;
        else
            store->sync_head = batch;
        store->sync_tail = batch;
        pthread_cond_signal(&store->sync_wake);
    }
    store->writer_done = true;
    pthread_cond_signal(&store->sync_wake);
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

static int write_async(struct store *store, store_job_fn fn, void *context, store_job_done_fn done,
                       bool replayable)
{
    struct store_job *job = calloc(1, sizeof *job);
    if (!job)
        return STORE_ERROR;
    job->fn = fn;
    job->context = context;
    job->done = done;
    job->replayable = replayable;
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

int store_write_async(struct store *store, store_job_fn fn, void *context, store_job_done_fn done)
{
    return write_async(store, fn, context, done, false);
}

int store_write_async_replayable(struct store *store, store_job_fn fn, void *context,
                                 store_job_done_fn done)
{
    return write_async(store, fn, context, done, true);
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
    /* Room for the writer's many small allocations (cursors, savepoints)
     * without going to malloc: 1,024 slots of 256 bytes. */
    sqlite3_db_config(store->writer_db, SQLITE_DBCONFIG_LOOKASIDE, NULL, 256, 1024);
    static const char *const pragmas[] = {
        "PRAGMA journal_mode=WAL",
        /* FULL while the schema migrates (each migration is on disk when
         * it returns); the writer then switches to NORMAL, see
         * writer_durability. */
        "PRAGMA synchronous=FULL",
        "PRAGMA foreign_keys=ON",
        /* Checkpoints run on their own thread (see store_checkpointer_main), so
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

/* With synchronous=NORMAL a COMMIT writes its frames to the WAL without
 * waiting for the disk; the syncer (store_syncer.c) fdatasyncs the WAL and
 * only then completes the batch's jobs: every ACK to a panel, every 2xx to
 * a client for a write and every stream event still waits for its commit
 * to be on disk, but the writer runs the next batch during the fsync.
 * SQLite itself still syncs where order matters: the WAL before a
 * checkpoint copies it, the database after, and the WAL's header when the
 * WAL restarts from its beginning. A process crash loses nothing committed
 * (the frames are in the kernel's cache); a power cut can only lose
 * commits whose jobs have not been told yet. */
static int writer_durability(struct store *store, struct store_error *error)
{
    return store_exec(store->writer_db, "PRAGMA synchronous=NORMAL", error);
}

static int batches_create(struct store *store, struct store_error *error)
{
    for (int i = 0; i < STORE_BATCHES; i++) {
        struct store_batch *batch = calloc(1, sizeof *batch);
        if (!batch) {
            store_error_set(error, "out of memory");
            return STORE_ERROR;
        }
        batch->next = store->free_batches;
        store->free_batches = batch;
    }
    return STORE_OK;
}

static void batches_free(struct store_batch *batch)
{
    while (batch) {
        struct store_batch *next = batch->next;
        store_batch_events_truncate(batch, 0);
        free(batch->events);
        free(batch);
        batch = next;
    }
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
    batches_free(store->free_batches);
    batches_free(store->sync_head);
    store_ingest_receipts_free(store);
    if (store->wal_fd >= 0)
        close(store->wal_fd);
    free(store->wal_path);
    pthread_cond_destroy(&store->sync_wake);
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

/* SQLite's allocation statistics take a global mutex around every malloc
 * and free, thousands per commit, and nothing here reads them. They can
 * only be turned off before SQLite initialises: a process that used SQLite
 * before its first store keeps them (sqlite3_config then refuses). */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(const char *path, const struct store_options *options, struct store **out,
               struct store_error *error)
{
    pthread_once(&sqlite_once, sqlite_configure);
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
    store->wal_fd = -1;
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
    pthread_cond_init(&store->sync_wake, NULL);
    int flags = SQLITE_OPEN_READWRITE | (options->create ? SQLITE_OPEN_CREATE : 0);
    if (!store->path || store_open_connection(path, flags, &store->writer_db, error) != STORE_OK ||
        configure_writer(store, error) != STORE_OK ||
        store_schema_migrate(store->writer_db, error) != STORE_OK ||
        load_sequences(store, error) != STORE_OK || batches_create(store, error) != STORE_OK ||
        store_syncer_open(store, error) != STORE_OK ||
        writer_durability(store, error) != STORE_OK) {
        store_free(store);
        return STORE_ERROR;
    }
    sqlite3_wal_hook(store->writer_db, store_on_wal_commit, store);
    /* The checkpointer must have read the database once, or SQLite treats
     * its connection as having no WAL to copy and checkpoints do nothing
     * (the WAL then grows until vigied stops). FULL (the default, said
     * here because the WAL's safety rests on it): see store_checkpointer_main. */
    if (store_open_connection(path, SQLITE_OPEN_READWRITE, &store->checkpoint_db, error) !=
            STORE_OK ||
        store_exec(store->checkpoint_db, "PRAGMA synchronous=FULL", error) != STORE_OK ||
        store_exec(store->checkpoint_db, "SELECT 1 FROM sqlite_schema LIMIT 1", error) !=
            STORE_OK) {
        store_free(store);
        return STORE_ERROR;
    }
    if (store_syncer_start(store, error) != STORE_OK) {
        store_free(store);
        return STORE_ERROR;
    }
    store->checkpoint_running =
        pthread_create(&store->checkpoint_thread, NULL, store_checkpointer_main, store) == 0;
    if (pthread_create(&store->writer_thread, NULL, writer_main, store) != 0) {
        store_error_set(error, "cannot start the store writer: %s", strerror(errno));
        pthread_mutex_lock(&store->queue_lock);
        store->stopping = store->writer_done = true;
        pthread_mutex_unlock(&store->queue_lock);
        store_syncer_stop(store);
        if (store->checkpoint_running) {
            pthread_cond_broadcast(&store->checkpoint_wake);
            pthread_join(store->checkpoint_thread, NULL);
        }
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
    /* After the writer: the syncer makes its last batches durable. */
    store_syncer_stop(store);
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
