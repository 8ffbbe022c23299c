/* store_engine.h: the inside of the SQLite store, shared by its engine
 * (store_sqlite.c: writer, checkpointer, open and close) and its read side
 * (store_reads.c: read pool, event replay). Nothing else includes it. */
#ifndef VIGIE_STORE_ENGINE_H
#define VIGIE_STORE_ENGINE_H

#include "server/store_internal.h"

#include <pthread.h>
#include <stdbool.h>

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

    pthread_mutex_t queue_lock;
    pthread_cond_t queue_nonempty;
    pthread_cond_t job_finished;
    struct store_job *queue_head, *queue_tail;
    bool stopping;

    /* Writer-thread state, touched only by jobs running in the writer. */
    int64_t next_seq;
    struct pending_event *pending;
    size_t pending_count, pending_capacity;
    /* Prepared statements of the writer, keyed by their SQL literal. */
    const char *statement_sql[STORE_STATEMENT_CACHE];
    sqlite3_stmt *statement[STORE_STATEMENT_CACHE];
    int statement_count;

    pthread_mutex_t sequence_lock;
    int64_t commits, jobs_committed; /* under sequence_lock */
    int64_t last_committed_seq;
    int64_t first_kept_seq;

    store_event_listener listener;
    void *listener_context;

    pthread_mutex_t readers_lock;
    pthread_cond_t reader_free;
    struct reader_slot readers[STORE_READERS_MAX];
};

/* Opens a connection with the store's busy timeout (store_reads.c). */
int store_open_connection(const char *path, int flags, sqlite3 **out, struct store_error *error);

#endif
