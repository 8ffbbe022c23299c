/* store_syncer.c: the store's disk side. The syncer makes committed
 * batches durable, then tells their jobs; the checkpointer copies the WAL
 * back into the database.
 *
 * The writer commits with synchronous=NORMAL: COMMIT writes the batch's
 * frames to the WAL file and returns without waiting for the disk. This
 * thread takes every batch committed so far, fdatasyncs the WAL once for
 * all of them, and only then publishes their stream events and completes
 * their jobs (the ACK to a panel, the 2xx to a client). Batches are taken
 * in commit order and the WAL is appended in that order, so one fdatasync
 * covers every batch committed before it began.
 *
 * Our descriptor is opened on the WAL's inode; on Linux fdatasync flushes
 * the inode's data whichever descriptor names it. The inode stays the one
 * SQLite writes: the writer connection keeps the WAL open from store_open
 * to store_close, and SQLite deletes a WAL only when the last connection
 * closes (it needs an exclusive lock on the database, which our open
 * connections prevent). That is checked once a second anyway: a WAL
 * replaced under us would make our syncs meaningless, so writes are then
 * refused, as after a failed fdatasync (whose dirty pages Linux may have
 * dropped: a later sync could succeed without them). */
#include "server/store_engine.h"
#include "common/clock.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How often the syncer checks that the WAL file is still the one it syncs. */
#define SYNCER_INODE_CHECK_MS 1000
/* Stream events handed to the listener per call. */
#define SYNCER_EVENTS_PER_CALL 256

/* A new WAL's name in its directory must be durable too, or a power cut
 * could lose the whole file: the directory is synced once at open. */
static int sync_directory(const char *file, struct store_error *error)
{
    char *copy = strdup(file);
    if (!copy) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int status = STORE_OK;
    if (fd < 0 || fsync(fd) != 0) {
        store_error_set(error, "cannot sync the directory of %s: %s", file, strerror(errno));
        status = STORE_ERROR;
    }
    if (fd >= 0)
        close(fd);
    free(copy);
    return status;
}

int store_syncer_open(struct store *store, struct store_error *error)
{
    /* The writer has read the database in WAL mode, so SQLite has opened
     * (and if need be created) the WAL file. */
    const char *wal = sqlite3_filename_wal(sqlite3_db_filename(store->writer_db, "main"));
    if (!wal || !wal[0]) {
        store_error_set(error, "the database has no WAL file to sync");
        return STORE_ERROR;
    }
    store->wal_path = strdup(wal);
    if (!store->wal_path) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    store->wal_fd = open(store->wal_path, O_RDONLY | O_CLOEXEC);
    if (store->wal_fd < 0) {
        store_error_set(error, "cannot open %s: %s", store->wal_path, strerror(errno));
        return STORE_ERROR;
    }
    store->wal_checked_ms = clock_monotonic_ms();
    return sync_directory(store->wal_path, error);
}

static bool wal_is_ours(struct store *store)
{
    int64_t now = clock_monotonic_ms();
    if (now - store->wal_checked_ms < SYNCER_INODE_CHECK_MS)
        return true;
    store->wal_checked_ms = now;
    struct stat named, ours;
    if (stat(store->wal_path, &named) == 0 && fstat(store->wal_fd, &ours) == 0 &&
        named.st_dev == ours.st_dev && named.st_ino == ours.st_ino)
        return true;
    log_error("store",
              "%s is no longer the WAL file vigied syncs: writes are refused until "
              "vigied restarts",
              store->wal_path);
    return false;
}

/* Makes every WAL frame written so far durable. */
static bool wal_sync(struct store *store, struct store_error *error)
{
    if (!wal_is_ours(store)) {
        store_error_set(error, "the WAL file was replaced under vigied");
        return false;
    }
    int rc;
    do
        rc = fdatasync(store->wal_fd);
    while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        store_error_set(error, "cannot make the commit durable: fdatasync %s: %s", store->wal_path,
                        strerror(errno));
        log_error("store", "%s: writes are refused until vigied restarts", error->message);
        return false;
    }
    pthread_mutex_lock(&store->sequence_lock);
    store->syncs++;
    pthread_mutex_unlock(&store->sequence_lock);
    return true;
}

/* The batch is durable: count it, move the durable sequence, and hand its
 * events to the stream (in that order: a stream that hears of an event can
 * always read it back, see store_events_after). */
static void batch_publish(struct store *store, struct store_batch *batch,
                          store_event_listener listener, void *listener_context)
{
    pthread_mutex_lock(&store->sequence_lock);
    store->commits++;
    store->jobs_committed += batch->job_count;
    if (batch->event_count > 0)
        store->last_committed_seq = batch->events[batch->event_count - 1].seq;
    pthread_mutex_unlock(&store->sequence_lock);
    if (!listener)
        return;
    struct store_event events[SYNCER_EVENTS_PER_CALL];
    size_t offset = 0;
    while (offset < batch->event_count) {
        size_t count = 0;
        for (; count < SYNCER_EVENTS_PER_CALL && offset + count < batch->event_count; count++) {
            struct pending_event *p = &batch->events[offset + count];
            events[count] = (struct store_event){p->seq, p->ts, p->type, p->alarm_id, p->data};
        }
        listener(listener_context, events, count);
        offset += count;
    }
}

void store_batch_finish(struct store *store, struct store_batch *batch)
{
    /* Asynchronous jobs are told and freed; synchronous ones are woken
     * last, all at once, after which their jobs (on their callers' stacks)
     * are never touched again. */
    struct store_job *sync_jobs = NULL, *next;
    for (struct store_job *job = batch->jobs; job; job = next) {
        next = job->next;
        if (job->done) {
            job->done(job->context, job->status, &job->error);
            free(job);
        } else {
            job->next = sync_jobs;
            sync_jobs = job;
        }
    }
    batch->jobs = batch->jobs_tail = NULL;
    if (!sync_jobs)
        return;
    pthread_mutex_lock(&store->queue_lock);
    for (struct store_job *job = sync_jobs; job; job = next) {
        next = job->next;
        job->finished = true;
    }
    pthread_cond_broadcast(&store->job_finished);
    pthread_mutex_unlock(&store->queue_lock);
}

static void batch_fail(struct store_batch *batch, const struct store_error *error)
{
    batch->committed = false;
    batch->error = *error;
    for (struct store_job *job = batch->jobs; job; job = job->next) {
        job->status = STORE_ERROR;
        job->error = *error;
    }
}

static void *syncer_main(void *argument)
{
    struct store *store = argument;
    pthread_setname_np(pthread_self(), "store-syncer");
    pthread_mutex_lock(&store->queue_lock);
    for (;;) {
        while (!store->sync_head && !store->writer_done)
            pthread_cond_wait(&store->sync_wake, &store->queue_lock);
        if (!store->sync_head)
            break; /* the writer has stopped and every batch is told */
        struct store_batch *batches = store->sync_head;
        store->sync_head = store->sync_tail = NULL;
        store->syncing = true;
        store_event_listener listener = store->listener;
        void *listener_context = store->listener_context;
        bool failed_before = store->sync_failed;
        pthread_mutex_unlock(&store->queue_lock);

        bool any_committed = false;
        for (struct store_batch *batch = batches; batch; batch = batch->next)
            any_committed |= batch->committed;
        struct store_error error = {{0}};
        bool durable = !any_committed;
        if (any_committed && failed_before)
            store_error_set(&error, "the disk failed to make a commit durable: writes are "
                                    "refused until vigied restarts");
        else if (any_committed)
            durable = wal_sync(store, &error);

        pthread_mutex_lock(&store->queue_lock);
        store->syncing = false;
        if (!durable)
            store->sync_failed = true;
        /* The disk is free: the writer may commit the batch it holds open. */
        pthread_cond_signal(&store->queue_nonempty);
        pthread_mutex_unlock(&store->queue_lock);

        struct store_batch *last = NULL;
        for (struct store_batch *batch = batches; batch; batch = batch->next) {
            if (batch->committed && !durable)
                batch_fail(batch, &error);
            if (batch->committed)
                batch_publish(store, batch, listener, listener_context);
            store_batch_events_truncate(batch, 0);
            store_batch_finish(store, batch);
            last = batch;
        }
        pthread_mutex_lock(&store->queue_lock);
        last->next = store->free_batches;
        store->free_batches = batches;
        pthread_cond_signal(&store->queue_nonempty); /* a free batch */
    }
    pthread_mutex_unlock(&store->queue_lock);
    return NULL;
}

/* ---- the checkpointer ---- */

void *store_checkpointer_main(void *argument)
{
    struct store *store = argument;
    pthread_setname_np(pthread_self(), "store-checkpt");
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
         * writer; a busy reader only delays the copy to the next pass.
         * This connection is synchronous=FULL: SQLite fsyncs the WAL before
         * copying frames into the database and the database before it
         * marks them copied, so a checkpoint never moves a frame the syncer
         * has not made durable yet into the database unsynced, and the WAL
         * is only rewritten from its start (the writer's WAL restart) over
         * frames already safe in the synced database. */
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
int store_on_wal_commit(void *context, sqlite3 *db, const char *name, int pages)
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

int store_syncer_start(struct store *store, struct store_error *error)
{
    int rc = pthread_create(&store->sync_thread, NULL, syncer_main, store);
    if (rc != 0) {
        store_error_set(error, "cannot start the store syncer: %s", strerror(rc));
        return STORE_ERROR;
    }
    store->sync_running = true;
    return STORE_OK;
}

void store_syncer_stop(struct store *store)
{
    if (!store->sync_running)
        return;
    /* The writer has set writer_done: the syncer drains and returns. */
    pthread_join(store->sync_thread, NULL);
    store->sync_running = false;
}
