/* store_outbox.c: the outbox's rows and their life (see store_outbox.h).
 * Every change is a job of the group commit, so a claim is durable before
 * the worker sends anything, and an outcome is written with its alarm's
 * stream event, timeline entry and audit row, or not at all. Messages are
 * few and large, so statements are prepared per job rather than cached. */
#include "server/store_outbox.h"
#include "server/store_internal.h"
#include "common/i18n.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[] = {
    [OUTBOX_QUEUED] = "queued",
    [OUTBOX_SENDING] = "sending",
    [OUTBOX_DELIVERED] = "delivered",
    [OUTBOX_FAILED] = "failed",
};

const char *outbox_state_name(enum outbox_state state)
{
    return state_names[state];
}

bool outbox_state_parse(const char *text, enum outbox_state *out)
{
    for (size_t i = 0; text && i < sizeof state_names / sizeof state_names[0]; i++) {
        if (strcmp(text, state_names[i]) == 0) {
            *out = (enum outbox_state)i;
            return true;
        }
    }
    return false;
}

void store_outbox_message_free(struct store_outbox_message *message)
{
    if (!message)
        return;
    free(message->body);
    message->body = NULL;
}

/* Alarms whose rows changed in one job: each gets one stream event. */
struct touched_alarms {
    int64_t ids[OUTBOX_CLAIM_MAX];
    size_t count;
    bool overflow;
};

static void touch(struct touched_alarms *touched, int64_t alarm_id)
{
    if (alarm_id <= 0)
        return;
    for (size_t i = 0; i < touched->count; i++)
        if (touched->ids[i] == alarm_id)
            return;
    if (touched->count == OUTBOX_CLAIM_MAX) {
        touched->overflow = true;
        return;
    }
    touched->ids[touched->count++] = alarm_id;
}

static int announce(struct store_tx *tx, const struct touched_alarms *touched,
                    struct store_error *error)
{
    for (size_t i = 0; i < touched->count; i++)
        if (store_tx_alarm_changed(tx, touched->ids[i], error) != STORE_OK)
            return STORE_ERROR;
    return STORE_OK;
}

/* ---- writing a message ---- */

static void bind_text(sqlite3_stmt *st, int index, const char *text)
{
    sqlite3_bind_text(st, index, text ? text : "", -1, SQLITE_STATIC);
}

int store_tx_outbox_add(struct store_tx *tx, const struct store_outbox_new *m, int64_t *id_out,
                        struct store_error *error)
{
    if (!m->body || strlen(m->body) > OUTBOX_BODY_MAX || !m->recipient ||
        strlen(m->recipient) >= OUTBOX_RECIPIENT_SIZE || m->max_attempts < 1) {
        store_error_set(error, "an outbox message is empty, too large or cannot be tried");
        return STORE_INVALID;
    }
    static const char sql[] =
        "INSERT INTO outbox(kind, owner_id, alarm_id, label, channel, format, recipient,"
        " content_type, message_key, body, state, max_attempts, next_attempt_at, deadline_at,"
        " created_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,'queued',?,?,?,?,?)";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "writing an outbox message", error);
    bind_text(st, 1, m->kind);
    sqlite3_bind_int64(st, 2, m->owner_id);
    if (m->alarm_id > 0)
        sqlite3_bind_int64(st, 3, m->alarm_id);
    else
        sqlite3_bind_null(st, 3);
    bind_text(st, 4, m->label);
    bind_text(st, 5, m->channel);
    bind_text(st, 6, m->format);
    bind_text(st, 7, m->recipient);
    bind_text(st, 8, m->content_type);
    bind_text(st, 9, m->message_key);
    bind_text(st, 10, m->body);
    sqlite3_bind_int(st, 11, m->max_attempts);
    sqlite3_bind_int64(st, 12, tx->now_ms);
    sqlite3_bind_int64(st, 13, m->deadline_at);
    sqlite3_bind_int64(st, 14, tx->now_ms);
    sqlite3_bind_int64(st, 15, tx->now_ms);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "writing an outbox message", error);
    if (id_out)
        *id_out = sqlite3_last_insert_rowid(tx->db);
    return STORE_OK;
}

/* ---- reading rows ---- */

int store_outbox_list(struct store *store, const char *kind, int64_t owner_id,
                      store_outbox_visitor visit, void *context, struct store_error *error)
{
    static const char sql[] =
        "SELECT id, owner_id, COALESCE(alarm_id,0), kind, label, channel, format, recipient,"
        " state, attempts, max_attempts, next_attempt_at, deadline_at, created_at, updated_at,"
        " COALESCE(last_attempt_at,0), COALESCE(delivered_at,0), COALESCE(last_error,''),"
        " COALESCE(reference,'') FROM outbox WHERE kind = ? AND owner_id = ? ORDER BY id";
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_OK, rc = SQLITE_DONE;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "reading the outbox", error);
    } else {
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, owner_id);
        struct store_outbox_row row;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            memset(&row, 0, sizeof row);
            row.id = sqlite3_column_int64(st, 0);
            row.owner_id = sqlite3_column_int64(st, 1);
            row.alarm_id = sqlite3_column_int64(st, 2);
            store_copy_text(row.kind, sizeof row.kind, sqlite3_column_text(st, 3));
            store_copy_text(row.label, sizeof row.label, sqlite3_column_text(st, 4));
            store_copy_text(row.channel, sizeof row.channel, sqlite3_column_text(st, 5));
            store_copy_text(row.format, sizeof row.format, sqlite3_column_text(st, 6));
            store_copy_text(row.recipient, sizeof row.recipient, sqlite3_column_text(st, 7));
            outbox_state_parse((const char *)sqlite3_column_text(st, 8), &row.state);
            row.attempts = sqlite3_column_int(st, 9);
            row.max_attempts = sqlite3_column_int(st, 10);
            row.next_attempt_at = sqlite3_column_int64(st, 11);
            row.deadline_at = sqlite3_column_int64(st, 12);
            row.created_at = sqlite3_column_int64(st, 13);
            row.updated_at = sqlite3_column_int64(st, 14);
            row.last_attempt_at = sqlite3_column_int64(st, 15);
            row.delivered_at = sqlite3_column_int64(st, 16);
            store_copy_text(row.last_error, sizeof row.last_error, sqlite3_column_text(st, 17));
            store_copy_text(row.reference, sizeof row.reference, sqlite3_column_text(st, 18));
            visit(context, &row);
        }
        if (rc != SQLITE_DONE)
            status = store_sql_error(db, "reading the outbox", error);
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}

int store_outbox_next_due(struct store *store, int64_t *due_at_out, struct store_error *error)
{
    *due_at_out = 0;
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_OK;
    if (sqlite3_prepare_v2(db, "SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'queued'", -1,
                           &st, NULL) != SQLITE_OK)
        status = store_sql_error(db, "reading the outbox", error);
    else if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *due_at_out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}

/* ---- outcomes ---- */

/* The timeline entry and audit row of a row's final outcome. */
static int record_outcome(struct store_tx *tx, int64_t id, const struct store_outbox_outcome *o,
                          struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db,
                           "SELECT kind, owner_id, COALESCE(alarm_id,0), label, recipient, attempts"
                           " FROM outbox WHERE id = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "reading an outbox row", error);
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return store_sql_error(tx->db, "reading an outbox row", error);
    }
    char kind[OUTBOX_KIND_SIZE], label[OUTBOX_LABEL_SIZE], recipient[OUTBOX_RECIPIENT_SIZE];
    store_copy_text(kind, sizeof kind, sqlite3_column_text(st, 0));
    int64_t owner_id = sqlite3_column_int64(st, 1), alarm_id = sqlite3_column_int64(st, 2);
    store_copy_text(label, sizeof label, sqlite3_column_text(st, 3));
    store_copy_text(recipient, sizeof recipient, sqlite3_column_text(st, 4));
    int attempts = sqlite3_column_int(st, 5);
    sqlite3_finalize(st);

    bool delivered = o->state == OUTBOX_DELIVERED;
    char text[OUTBOX_LABEL_SIZE + OUTBOX_RECIPIENT_SIZE + OUTBOX_ERROR_SIZE + 128];
    if (delivered)
        snprintf(text, sizeof text, _("%s delivered to %s, reference %s"), label, recipient,
                 o->reference[0] ? o->reference : _("(none given)"));
    else
        snprintf(text, sizeof text, _("%s NOT delivered to %s after %d attempt(s): %s"), label,
                 recipient, attempts, o->error);
    if (alarm_id > 0 &&
        store_tx_timeline(tx, alarm_id, 0, delivered ? "delivered" : "delivery-failed", text,
                          error) != STORE_OK)
        return STORE_ERROR;
    cJSON *detail = cJSON_CreateObject();
    cJSON_AddNumberToObject(detail, "outbox_id", (double)id);
    cJSON_AddNumberToObject(detail, "attempts", attempts);
    cJSON_AddStringToObject(detail, delivered ? "reference" : "error",
                            delivered ? o->reference : o->error);
    char *json = cJSON_PrintUnformatted(detail);
    cJSON_Delete(detail);
    struct actor system;
    actor_system(&system);
    int status = json
                     ? store_tx_audit(tx, &system, delivered ? "outbox.delivered" : "outbox.failed",
                                      kind, owner_id, json, error)
                     : STORE_ERROR;
    free(json);
    return status;
}

/* Applies one outcome to a row this process has "sending" (a row in
 * another state is left alone: it is not ours to finish). */
static int apply_outcome(struct store_tx *tx, const struct store_outbox_outcome *o,
                         enum outbox_state from, struct touched_alarms *touched,
                         struct store_error *error)
{
    static const char sql[] =
        "UPDATE outbox SET state = ?1, next_attempt_at = ?2, updated_at = ?3,"
        " reference = CASE WHEN ?1 = 'delivered' THEN ?4 ELSE reference END,"
        " delivered_at = CASE WHEN ?1 = 'delivered' THEN ?3 ELSE delivered_at END,"
        " last_error = CASE WHEN ?1 = 'delivered' THEN last_error ELSE ?5 END"
        " WHERE id = ?6 AND state = ?7 RETURNING COALESCE(alarm_id,0)";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "writing an outcome", error);
    sqlite3_bind_text(st, 1, outbox_state_name(o->state), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, o->state == OUTBOX_QUEUED ? o->retry_at : tx->now_ms);
    sqlite3_bind_int64(st, 3, tx->now_ms);
    sqlite3_bind_text(st, 4, o->reference, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, o->error, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, o->id);
    sqlite3_bind_text(st, 7, outbox_state_name(from), -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    bool changed = rc == SQLITE_ROW;
    int64_t alarm_id = changed ? sqlite3_column_int64(st, 0) : 0;
    if (changed)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "writing an outcome", error);
    if (!changed)
        return STORE_OK;
    touch(touched, alarm_id);
    if (o->state == OUTBOX_QUEUED)
        return STORE_OK;
    return record_outcome(tx, o->id, o, error);
}

struct finish_job {
    const struct store_outbox_outcome *outcomes;
    size_t count;
};

static int finish_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct finish_job *job = context;
    struct touched_alarms touched = {0};
    for (size_t i = 0; i < job->count; i++)
        if (apply_outcome(tx, &job->outcomes[i], OUTBOX_SENDING, &touched, error) != STORE_OK)
            return STORE_ERROR;
    return announce(tx, &touched, error);
}

int store_outbox_finish(struct store *store, const struct store_outbox_outcome *outcomes,
                        size_t count, struct store_error *error)
{
    if (count == 0)
        return STORE_OK;
    if (count > OUTBOX_CLAIM_MAX) {
        store_error_set(error, "too many outcomes in one write");
        return STORE_INVALID;
    }
    struct finish_job job = {outcomes, count};
    return store_write(store, finish_job, &job, error);
}

/* ---- claiming due rows ---- */

/* Due rows whose deadline passed fail without an attempt: a message to
 * the police that comes too late would mislead more than it helps. */
static int fail_overdue(struct store_tx *tx, struct touched_alarms *touched,
                        struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db,
                           "SELECT id FROM outbox WHERE state = 'queued' AND next_attempt_at <= ?1"
                           " AND deadline_at < ?1 ORDER BY id LIMIT ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "reading the outbox", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    sqlite3_bind_int(st, 2, OUTBOX_CLAIM_MAX);
    int64_t ids[OUTBOX_CLAIM_MAX];
    int count = 0;
    while (count < OUTBOX_CLAIM_MAX && sqlite3_step(st) == SQLITE_ROW)
        ids[count++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    for (int i = 0; i < count; i++) {
        struct store_outbox_outcome outcome = {.id = ids[i], .state = OUTBOX_FAILED};
        snprintf(outcome.error, sizeof outcome.error, "%s",
                 _("its deadline passed before it could be sent"));
        if (apply_outcome(tx, &outcome, OUTBOX_QUEUED, touched, error) != STORE_OK)
            return STORE_ERROR;
    }
    return STORE_OK;
}

static bool copy_message(sqlite3_stmt *st, struct store_outbox_message *m)
{
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(st, 0);
    m->alarm_id = sqlite3_column_int64(st, 1);
    store_copy_text(m->channel, sizeof m->channel, sqlite3_column_text(st, 2));
    store_copy_text(m->label, sizeof m->label, sqlite3_column_text(st, 3));
    store_copy_text(m->recipient, sizeof m->recipient, sqlite3_column_text(st, 4));
    store_copy_text(m->content_type, sizeof m->content_type, sqlite3_column_text(st, 5));
    store_copy_text(m->message_key, sizeof m->message_key, sqlite3_column_text(st, 6));
    m->body_length = (size_t)sqlite3_column_bytes(st, 7);
    m->body = malloc(m->body_length + 1);
    if (!m->body)
        return false;
    if (m->body_length)
        memcpy(m->body, sqlite3_column_text(st, 7), m->body_length);
    m->body[m->body_length] = '\0';
    m->attempts = sqlite3_column_int(st, 8) + 1;
    m->max_attempts = sqlite3_column_int(st, 9);
    m->deadline_at = sqlite3_column_int64(st, 10);
    return true;
}

struct claim_job {
    int limit;
    struct store_outbox_message *out;
    int count;
};

static int mark_sending(struct store_tx *tx, int64_t id, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db,
                           "UPDATE outbox SET state = 'sending', attempts = attempts + 1,"
                           " last_attempt_at = ?1, updated_at = ?1 WHERE id = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "claiming an outbox message", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    sqlite3_bind_int64(st, 2, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK
                             : store_sql_error(tx->db, "claiming an outbox message", error);
}

static int claim_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct claim_job *job = context;
    struct touched_alarms touched = {0};
    job->count = 0;
    if (fail_overdue(tx, &touched, error) != STORE_OK)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db,
                           "SELECT id, COALESCE(alarm_id,0), channel, label, recipient,"
                           " content_type, message_key, body, attempts, max_attempts, deadline_at"
                           " FROM outbox WHERE state = 'queued' AND next_attempt_at <= ?"
                           " ORDER BY next_attempt_at, id LIMIT ?",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "claiming outbox messages", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    sqlite3_bind_int(st, 2, job->limit);
    int status = STORE_OK, rc;
    while (job->count < job->limit && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!copy_message(st, &job->out[job->count])) {
            store_error_set(error, "out of memory");
            status = STORE_ERROR;
            break;
        }
        job->count++;
    }
    sqlite3_finalize(st);
    for (int i = 0; status == STORE_OK && i < job->count; i++) {
        status = mark_sending(tx, job->out[i].id, error);
        touch(&touched, job->out[i].alarm_id);
    }
    if (status == STORE_OK)
        status = announce(tx, &touched, error);
    if (status != STORE_OK) {
        for (int i = 0; i < job->count; i++)
            store_outbox_message_free(&job->out[i]);
        job->count = 0;
    }
    return status;
}

int store_outbox_claim(struct store *store, int limit, struct store_outbox_message *out,
                       int *count_out, struct store_error *error)
{
    *count_out = 0;
    if (limit <= 0)
        return STORE_OK;
    struct claim_job job = {limit > OUTBOX_CLAIM_MAX ? OUTBOX_CLAIM_MAX : limit, out, 0};
    int status = store_write(store, claim_job, &job, error);
    if (status != STORE_OK) {
        /* A job that failed after copying rolled back: nothing is claimed. */
        for (int i = 0; i < job.count; i++)
            store_outbox_message_free(&out[i]);
        return status;
    }
    *count_out = job.count;
    return STORE_OK;
}

/* ---- restart and retention ---- */

static int recover_job(struct store_tx *tx, void *context, struct store_error *error)
{
    int *requeued = context;
    struct touched_alarms touched = {0};
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db,
                           "UPDATE outbox SET state = 'queued', next_attempt_at = ?1,"
                           " updated_at = ?1, last_error = ?2 WHERE state = 'sending'"
                           " RETURNING COALESCE(alarm_id,0)",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "recovering the outbox", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    sqlite3_bind_text(st, 2, _("interrupted by a restart of vigied: sent again"), -1,
                      SQLITE_TRANSIENT);
    int rc;
    *requeued = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        touch(&touched, sqlite3_column_int64(st, 0));
        (*requeued)++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "recovering the outbox", error);
    return announce(tx, &touched, error);
}

int store_outbox_recover(struct store *store, int *requeued_out, struct store_error *error)
{
    int requeued = 0;
    int status = store_write(store, recover_job, &requeued, error);
    if (requeued_out)
        *requeued_out = requeued;
    return status;
}

struct redact_job {
    int64_t before, redacted;
};

static int redact_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct redact_job *job = context;
    sqlite3_stmt *st = NULL;
    /* In batches, so that one write never holds the writer for long. */
    if (sqlite3_prepare_v2(tx->db,
                           "UPDATE outbox SET body = '', body_redacted = 1 WHERE id IN("
                           " SELECT id FROM outbox WHERE body_redacted = 0 AND created_at < ?"
                           " AND state IN('delivered','failed') LIMIT 1000)",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "redacting the outbox", error);
    sqlite3_bind_int64(st, 1, job->before);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "redacting the outbox", error);
    job->redacted = sqlite3_changes(tx->db);
    return STORE_OK;
}

int store_outbox_redact(struct store *store, int64_t before, int64_t *redacted_out,
                        struct store_error *error)
{
    struct redact_job job = {before, 0};
    int status = store_write(store, redact_job, &job, error);
    if (redacted_out)
        *redacted_out = job.redacted;
    return status;
}
