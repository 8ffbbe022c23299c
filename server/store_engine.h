/* store_engine.h: the inside of the SQLite store, shared by its engine
 * (store_sqlite.c: writer, open and close; store_syncer.c: syncer,
 * checkpointer) and its read side
 * (store_reads.c: read pool, event replay). Nothing else includes it. */
#ifndef VIGIE_STORE_ENGINE_H
#define VIGIE_STORE_ENGINE_H

#include "server/store_internal.h"

#include <pthread.h>
#include <stdbool.h>

struct dc09_receipts;

/* Jobs per transaction: large enough to amortise one fsync over a burst of
 * alarms, small enough that one commit stays well under a millisecond. */
#define STORE_BATCH_MAX 512
/* Read connections kept open: more than MHD's worker threads plus the
 * background threads, so readers rarely wait. */
#define STORE_READERS_MAX 32
/* SQLite waits this long for a lock before reporting busy. */
#define STORE_BUSY_TIMEOUT_MS 5000
/* Distinct statements the writer keeps prepared: every SQL text of the
 * write paths, with room to grow. */
#define STORE_STATEMENT_CACHE 96

struct store_job {
    store_job_fn fn;
    void *context;
    store_job_done_fn done; /* NULL for a synchronous job */
    bool replayable;        /* may run twice, see store_write_async_replayable */
    int status;
    struct store_error error;
    bool finished;
    struct store_job *next;
};

struct pending_event {
    int64_t seq, ts, alarm_id;
    char type[24];
    char *data;
};

/* One group commit on its way to the disk: its jobs in arrival order and
 * the stream events they emitted. The writer fills and commits it; the
 * syncer makes the WAL durable, and only then publishes the events and
 * completes the jobs (store_syncer.c). */
struct store_batch {
    struct store_job *jobs, *jobs_tail;
    int job_count;
    bool committed;           /* COMMIT succeeded (not yet durable) */
    struct store_error error; /* why, when not committed */
    int64_t seq_start;        /* next_seq when it began */
    struct pending_event *events;
    size_t event_count, event_capacity;
    struct store_batch *next;
};

/* Batches in flight at once: the one being built, the ones committed and
 * waiting for (or in) an fdatasync. When all are in flight the writer
 * waits for the disk, so at most this many x STORE_BATCH_MAX jobs wait to
 * become durable. */
#define STORE_BATCHES 8

struct reader_slot {
    sqlite3 *db;
    bool in_use;
};

/* The checkpointer copies the WAL back into the database this often, and
 * at once when the WAL passes this many pages (4 KiB each: 64 MiB). */
#define STORE_CHECKPOINT_PERIOD_MS 1000
#define STORE_CHECKPOINT_PAGES     16384

struct store {
    char *path;
    sqlite3 *checkpoint_db;
    pthread_t checkpoint_thread;
    bool checkpoint_running;
    pthread_cond_t checkpoint_wake;
    struct store_options options;
    sqlite3 *writer_db;
    pthread_t writer_thread;
    bool writer_running;

    /* queue_lock guards the job queue, the batches handed to the syncer,
     * the free batches and the flags below them. */
    pthread_mutex_t queue_lock;
    pthread_cond_t queue_nonempty; /* the writer waits: jobs, or the disk free */
    pthread_cond_t job_finished;
    struct store_job *queue_head, *queue_tail;
    bool stopping;
    struct store_batch *free_batches;
    struct store_batch *sync_head, *sync_tail; /* committed, not yet durable */
    bool syncing;                              /* an fdatasync of the WAL is running */
    bool writer_done;                          /* the writer has handed over its last batch */
    bool sync_failed;                          /* the disk failed a sync: every write is refused */
    pthread_cond_t sync_wake;

    /* The syncer (store_syncer.c): its thread and its descriptor on the
     * WAL file, touched only by that thread once started. */
    pthread_t sync_thread;
    bool sync_running;
    int wal_fd;
    char *wal_path;
    int64_t wal_checked_ms;

    /* Writer-thread state, touched only by jobs running in the writer. */
    int64_t next_seq;
    struct store_batch *building; /* the batch whose jobs are running */
    /* The open group of replayable jobs (store_sqlite.c, run_job): its
     * first job and what to restore if one of them fails. */
    struct store_job *group_first;
    size_t group_event_mark;
    int64_t group_seq_mark;
    /* Prepared statements of the writer, keyed by their SQL literal. */
    const char *statement_sql[STORE_STATEMENT_CACHE];
    sqlite3_stmt *statement[STORE_STATEMENT_CACHE];
    int statement_count;
    /* DC-09 receipts of the retransmission window (store_ingest.c). */
    struct dc09_receipts *receipts;

    pthread_mutex_t sequence_lock;
    int64_t commits, jobs_committed, syncs; /* under sequence_lock */
    int64_t last_committed_seq;             /* durable and published */
    int64_t first_kept_seq;

    store_event_listener listener;
    void *listener_context;

    pthread_mutex_t readers_lock;
    pthread_cond_t reader_free;
    struct reader_slot readers[STORE_READERS_MAX];
};

/* Opens a connection with the store's busy timeout (store_reads.c). */
int store_open_connection(const char *path, int flags, sqlite3 **out, struct store_error *error);

/* The syncer (store_syncer.c): opens the WAL's descriptor, runs the thread
 * that makes committed batches durable and completes their jobs. */
int store_syncer_open(struct store *store, struct store_error *error);
int store_syncer_start(struct store *store, struct store_error *error);
void store_syncer_stop(struct store *store);
/* The checkpointer's thread, and the WAL hook that wakes it when the WAL
 * grows past STORE_CHECKPOINT_PAGES (store_syncer.c). */
void *store_checkpointer_main(void *argument);
int store_on_wal_commit(void *context, sqlite3 *db, const char *name, int pages);
/* Completes a batch's jobs with their status (store_syncer.c). */
void store_batch_finish(struct store *store, struct store_batch *batch);
/* Frees a batch's stream events from `count` on (store_sqlite.c). */
void store_batch_events_truncate(struct store_batch *batch, size_t count);
/* Drops the receipts window when the store closes (store_ingest.c). */
void store_ingest_receipts_free(struct store *store);

#endif
