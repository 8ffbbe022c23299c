/* store_outbox_confirm.c: what the network said after a message left
 * (delivery reports, receipts), by reference or by id (see
 * store_outbox.h). */
#include "server/store_outbox_internal.h"

#include <stdio.h>
#include <string.h>

/* ---- what the network said afterwards ---- */

struct confirm_job {
    int64_t id;
    const char *channel, *reference;
    bool delivered;
    bool accepted_only; /* the gateway has it: no verdict from the network yet */
    int64_t at;
    bool found;
};

/* By id, a report also proves the gateway took the message: a row still
 * queued or sending (its answer not yet written, or lost in a crash) is
 * sent, and will not be sent again. */
#define ACCEPTED_SQL                                                                               \
    "state = CASE WHEN state IN('queued','sending') THEN 'delivered' ELSE state END,"              \
    " delivered_at = CASE WHEN state IN('queued','sending') THEN ?3 ELSE delivered_at END,"        \
    " reference = COALESCE(reference, CAST(id AS TEXT)), updated_at = ?3"

static int confirm_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct confirm_job *job = context;
    struct store_outbox_touched touched = {0};
    static const char accepted_sql[] =
        "UPDATE outbox SET " ACCEPTED_SQL " WHERE id = ?4 AND channel = ?5"
        " RETURNING COALESCE(alarm_id,0), kind, owner_id";
    static const char by_id_sql[] =
        "UPDATE outbox SET confirm_state = ?1, confirmed_at = ?2, " ACCEPTED_SQL
        " WHERE id = ?4 AND channel = ?5 RETURNING COALESCE(alarm_id,0), kind, owner_id";
    static const char by_reference_sql[] =
        "UPDATE outbox SET confirm_state = ?1, confirmed_at = ?2, updated_at = ?3"
        " WHERE channel = ?5 AND reference = ?6 RETURNING COALESCE(alarm_id,0), kind, owner_id";
    /* Cached: a mass alert's reports come by the thousand a second. */
    sqlite3_stmt *st = store_tx_statement(tx, job->accepted_only ? accepted_sql
                                              : job->id > 0      ? by_id_sql
                                                                 : by_reference_sql);
    if (!st)
        return store_sql_error(tx->db, "confirming a delivery", error);
    if (!job->accepted_only) {
        sqlite3_bind_text(st, 1, job->delivered ? "delivered" : "undelivered", -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, job->at > 0 ? job->at : tx->now_ms);
    }
    sqlite3_bind_int64(st, 3, tx->now_ms);
    if (job->id > 0)
        sqlite3_bind_int64(st, 4, job->id);
    sqlite3_bind_text(st, 5, job->channel, -1, SQLITE_STATIC);
    if (job->id <= 0)
        sqlite3_bind_text(st, 6, job->reference ? job->reference : "", -1, SQLITE_STATIC);
    int rc;
    job->found = false;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        job->found = true;
        store_outbox_touch(&touched, sqlite3_column_int64(st, 0));
        store_outbox_touch_owner(tx, &touched, (const char *)sqlite3_column_text(st, 1),
                                 sqlite3_column_int64(st, 2));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "confirming a delivery", error);
    return store_outbox_announce(tx, &touched, error);
}

int store_outbox_confirm(struct store *store, const char *channel, const char *reference,
                         bool delivered, int64_t at, struct store_error *error)
{
    if (!channel || !reference || !reference[0]) {
        store_error_set(error, "a delivery report needs a channel and a reference");
        return STORE_INVALID;
    }
    struct confirm_job job = {0, channel, reference, delivered, false, at, false};
    int status = store_write(store, confirm_job, &job, error);
    if (status == STORE_OK && !job.found) {
        store_error_set(error, "no %s message has the reference %s", channel, reference);
        return STORE_NOT_FOUND;
    }
    return status;
}

int store_outbox_confirm_id(struct store *store, int64_t id, const char *channel, bool delivered,
                            int64_t at, bool *found_out, struct store_error *error)
{
    struct confirm_job job = {id, channel, NULL, delivered, false, at, false};
    int status = id > 0 ? store_write(store, confirm_job, &job, error) : STORE_OK;
    if (found_out)
        *found_out = job.found;
    return status;
}

/* The state of row `id` of `channel` ("" when there is none). */
static int read_state(struct store *store, int64_t id, const char *channel, char *out, size_t size,
                      struct store_error *error)
{
    out[0] = '\0';
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_OK;
    if (sqlite3_prepare_v2(db, "SELECT state FROM outbox WHERE id = ? AND channel = ?", -1, &st,
                           NULL) != SQLITE_OK) {
        status = store_sql_error(db, "reading the outbox", error);
    } else {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            store_copy_text(out, size, sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}

int store_outbox_accepted_id(struct store *store, int64_t id, const char *channel, bool *found_out,
                             struct store_error *error)
{
    /* Most such reports come after the gateway's answer was written: a
     * read, not a commit, says there is nothing to do. */
    char state[16];
    if (found_out)
        *found_out = false;
    if (id <= 0)
        return STORE_OK;
    if (read_state(store, id, channel, state, sizeof state, error) != STORE_OK)
        return STORE_ERROR;
    if (strcmp(state, "queued") != 0 && strcmp(state, "sending") != 0) {
        if (found_out)
            *found_out = state[0] != '\0';
        return STORE_OK;
    }
    struct confirm_job job = {id, channel, NULL, false, true, 0, false};
    int status = id > 0 ? store_write(store, confirm_job, &job, error) : STORE_OK;
    if (found_out)
        *found_out = job.found;
    return status;
}

/* The id, attempts and confirmation of a mass alert's row (0 id: none). */
static int read_recipient_row(struct store *store, int64_t recipient_id, const char *channel,
                              int64_t *id_out, int *attempts_out, bool *confirmed_out,
                              struct store_error *error)
{
    *id_out = 0;
    *attempts_out = 0;
    *confirmed_out = false;
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_OK;
    /* kind = 'massalert' literally, so that the unique index outbox_once
     * (partial on that kind) finds the row. */
    if (sqlite3_prepare_v2(db,
                           "SELECT id, attempts, COALESCE(confirm_state,'') = 'delivered'"
                           " FROM outbox WHERE kind = 'massalert' AND owner_id = ? AND channel = ?",
                           -1, &st, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "reading the outbox", error);
    } else {
        sqlite3_bind_int64(st, 1, recipient_id);
        sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            *id_out = sqlite3_column_int64(st, 0);
            *attempts_out = sqlite3_column_int(st, 1);
            *confirmed_out = sqlite3_column_int(st, 2) != 0;
        }
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}

int store_outbox_confirm_recipient(struct store *store, int64_t recipient_id, const char *channel,
                                   int64_t at, bool *found_out, struct store_error *error)
{
    int64_t id = 0;
    int attempts = 0;
    bool confirmed = false;
    *found_out = false;
    if (read_recipient_row(store, recipient_id, channel, &id, &attempts, &confirmed, error) !=
        STORE_OK)
        return STORE_ERROR;
    /* A message never tried cannot be on the device: a replayed or
     * forged acknowledgement must not stop it from being sent. */
    if (id == 0 || attempts == 0)
        return STORE_OK;
    if (confirmed) {
        *found_out = true;
        return STORE_OK;
    }
    return store_outbox_confirm_id(store, id, channel, true, at, found_out, error);
}
