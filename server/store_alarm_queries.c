/* store_alarm_queries.c: reading alarms in bulk (lists, timelines, counts,
 * resolution codes). Each list is read in one read transaction so that the
 * last sequence it reports matches exactly what it returned. */
#include "server/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_last_sequence(sqlite3 *db, int64_t *out, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT COALESCE(MAX(seq),0) FROM events", -1, &st, NULL) !=
        SQLITE_OK)
        return store_sql_error(db, "reading the last sequence", error);
    int status = STORE_OK;
    if (sqlite3_step(st) == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else
        status = store_sql_error(db, "reading the last sequence", error);
    sqlite3_finalize(st);
    return status;
}

int store_alarms_list(struct store *store, const struct store_alarm_query *query,
                      store_alarm_visitor visit, void *context, int64_t *last_sequence_out,
                      struct store_error *error)
{
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    int status = store_exec(db, "BEGIN", error);
    int64_t last = 0;
    if (status == STORE_OK)
        status = read_last_sequence(db, &last, error);
    if (status == STORE_OK)
        status = store_alarm_list_read(db, query, visit, context, error);
    store_exec(db, "COMMIT", NULL);
    store_reader_release(store, db);
    /* A reader may see a commit not yet durable (store_syncer.c), which
     * the stream does not carry yet: a client resuming from past it would
     * be told to resync. Resuming from the durable sequence replays a few
     * changes the list already holds, which clients apply once. */
    int64_t durable = store_last_sequence(store);
    if (last > durable)
        last = durable;
    if (status == STORE_OK && last_sequence_out)
        *last_sequence_out = last;
    return status;
}

int store_alarm_timeline(struct store *store, int64_t alarm_id, store_timeline_visitor visit,
                         void *context, struct store_error *error)
{
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    const char *sql = "SELECT t.id, t.ts, t.kind, COALESCE(u.username,'system'), t.text"
                      " FROM alarm_timeline t LEFT JOIN users u ON u.id = t.user_id"
                      " WHERE t.alarm_id = ? ORDER BY t.id";
    int status = STORE_OK;
    struct store_timeline_entry *entry = malloc(sizeof *entry);
    if (!entry) {
        store_error_set(error, "out of memory");
        status = STORE_ERROR;
    } else if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "reading a timeline", error);
    } else {
        sqlite3_bind_int64(st, 1, alarm_id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            entry->id = sqlite3_column_int64(st, 0);
            entry->ts = sqlite3_column_int64(st, 1);
            store_copy_text(entry->kind, sizeof entry->kind, sqlite3_column_text(st, 2));
            store_copy_text(entry->username, sizeof entry->username, sqlite3_column_text(st, 3));
            store_copy_text(entry->text, sizeof entry->text, sqlite3_column_text(st, 4));
            visit(context, entry);
        }
    }
    sqlite3_finalize(st);
    free(entry);
    store_reader_release(store, db);
    return status;
}

int store_alarm_counts(struct store *store, int64_t *open_out, int64_t *total_out,
                       struct store_error *error)
{
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    const char *sql = "SELECT (SELECT COUNT(*) FROM alarms WHERE state <> 'closed'),"
                      " (SELECT COALESCE(MAX(id),0) FROM alarms)";
    int status = STORE_OK;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        status = store_sql_error(db, "counting alarms", error);
    } else {
        *open_out = sqlite3_column_int64(st, 0);
        *total_out = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}

int store_resolutions_list(struct store *store, store_resolution_visitor visit, void *context,
                           struct store_error *error)
{
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_OK;
    if (sqlite3_prepare_v2(db, "SELECT code, label FROM resolutions ORDER BY position", -1, &st,
                           NULL) != SQLITE_OK) {
        status = store_sql_error(db, "listing resolutions", error);
    } else {
        struct store_resolution entry;
        while (sqlite3_step(st) == SQLITE_ROW) {
            store_copy_text(entry.code, sizeof entry.code, sqlite3_column_text(st, 0));
            store_copy_text(entry.label, sizeof entry.label, sqlite3_column_text(st, 1));
            visit(context, &entry);
        }
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}
