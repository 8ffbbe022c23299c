/* store_internal.h: what the store_*.c files share and nothing else sees:
 * the SQLite handles, the group-commit writer and the read pool. */
#ifndef VIGIE_STORE_INTERNAL_H
#define VIGIE_STORE_INTERNAL_H

#include "server/store.h"

#include <pthread.h>
#include <sqlite3.h>

/* A write transaction as seen by one job: its SQL connection, the events it
 * emitted (published after commit, dropped on rollback) and the audit
 * chain's head. */
struct store_tx {
    struct store *store;
    sqlite3 *db;
    int64_t now_ms;
};

typedef int (*store_job_fn)(struct store_tx *tx, void *context, struct store_error *error);
typedef void (*store_job_done_fn)(void *context, int status, const struct store_error *error);

/* Runs `job` inside the next group commit and waits until it is durable. */
int store_write(struct store *store, store_job_fn job, void *context, struct store_error *error);
/* Same without waiting: `done` is called from the store's syncer thread
 * once the commit is durable (or failed). For protocol receivers that cannot block. */
int store_write_async(struct store *store, store_job_fn job, void *context, store_job_done_fn done);

/* Same for a job that may run twice: its only effects are its SQL, its
 * stream events and fields of its context that it sets afresh on every
 * run. Consecutive such jobs share one savepoint instead of one each (a
 * savepoint copies every page a job touches that the batch had already
 * changed); when one fails, the group is rolled back and run again job by
 * job, each under its own savepoint. For the hot ingest paths. */
int store_write_async_replayable(struct store *store, store_job_fn job, void *context,
                                 store_job_done_fn done);

/* Read connections: one per thread at a time, from a bounded pool. */
sqlite3 *store_reader_acquire(struct store *store, struct store_error *error);
void store_reader_release(struct store *store, sqlite3 *db);

/* Inside a job: a prepared statement of the writer for this SQL literal,
 * reset and unbound. `sql` must be a string with static storage (it is the
 * cache key); the caller resets it after use and never finalizes it. */
sqlite3_stmt *store_tx_statement(struct store_tx *tx, const char *sql);
/* Inside a job: reads an alarm with the writer's cached statement. */
int store_tx_alarm_read(struct store_tx *tx, int64_t id, struct alarm *out,
                        struct store_error *error);

/* Inside a job: append a stream event; returns its sequence (0 on error). */
int64_t store_tx_event(struct store_tx *tx, const char *type, int64_t alarm_id, const char *data);
/* Inside a job: append a chained audit row. */
int store_tx_audit(struct store_tx *tx, const struct actor *actor, const char *action,
                   const char *object_type, int64_t object_id, const char *detail_json,
                   struct store_error *error);

/* Helpers for statements. */
int store_sql_error(sqlite3 *db, const char *what, struct store_error *error);
int store_exec(sqlite3 *db, const char *sql, struct store_error *error);
void store_error_set(struct store_error *error, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
void store_copy_text(char *dest, size_t size, const unsigned char *text);
int64_t store_claim_lease_ms(const struct store *store);

/* Schema migrations (store_schema.c). */
int store_schema_migrate(sqlite3 *db, struct store_error *error);
int store_schema_current(sqlite3 *db);

/* Audit chain (store_audit.c): loaded by the writer at open. */
struct store_audit_head {
    char last_hash[65];
    int64_t row_count;
};
int store_audit_head_load(sqlite3 *db, struct store_audit_head *head, struct store_error *error);

/* Alarm reads shared by the alarm writers (store_alarms.c). */
int store_alarm_read(sqlite3 *db, int64_t id, struct alarm *out, struct store_error *error);
/* Inserts an alarm (closed on arrival when closed_resolution is set), its
 * first timeline entry, an audit row when a person created it, and its
 * stream event. */
int store_tx_alarm_insert(struct store_tx *tx, const struct actor *actor,
                          const struct alarm_new *alarm, int64_t *id_out,
                          struct store_error *error);
int store_tx_alarm_changed(struct store_tx *tx, int64_t alarm_id, struct store_error *error);
int store_tx_timeline(struct store_tx *tx, int64_t alarm_id, int64_t user_id, const char *kind,
                      const char *text, struct store_error *error);

/* Sequence the next event of this job will get (store_sqlite.c). */
int64_t store_tx_peek_sequence(struct store_tx *tx);

/* Alarm list with the same columns as store_alarm_read (store_alarms.c). */
int store_alarm_list_read(sqlite3 *db, const struct store_alarm_query *query,
                          store_alarm_visitor visit, void *context, struct store_error *error);

#endif
