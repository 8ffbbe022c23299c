/* store_outbox.c: the outbox's rows and their life (see store_outbox.h).
 * Every change is a job of the group commit, so a claim is durable before
 * the worker sends anything, and an outcome is written with its alarm's
 * stream event, timeline entry and audit row, or not at all. Messages are
 * few and large, so statements are prepared per job rather than cached,
 * but for those a mass alert runs for each of its messages. */
#include "server/store_outbox.h"
#include "server/store_agents_push.h"
#include "server/store_internal.h"
#include "server/store_massalerts.h"
#include "server/store_outbox_internal.h"
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

static void store_outbox_touch_alert(struct store_outbox_touched *touched, int64_t alert_id)
{
    if (alert_id <= 0)
        return;
    for (size_t i = 0; i < touched->alert_count; i++)
        if (touched->alerts[i] == alert_id)
            return;
    if (touched->alert_count < OUTBOX_CLAIM_MAX)
        touched->alerts[touched->alert_count++] = alert_id;
}

/* The mass alert of a 'massalert' row (its owner is a recipient row). */
void store_outbox_touch_owner(struct store_tx *tx, struct store_outbox_touched *touched,
                              const char *kind, int64_t owner_id)
{
    if (!kind || strcmp(kind, "massalert") != 0)
        return;
    store_outbox_touch_alert(touched, store_tx_massalert_of_recipient(tx, owner_id));
}

void store_outbox_touch(struct store_outbox_touched *touched, int64_t alarm_id)
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

int store_outbox_announce(struct store_tx *tx, const struct store_outbox_touched *touched,
                          struct store_error *error)
{
    for (size_t i = 0; i < touched->count; i++)
        if (store_tx_alarm_changed(tx, touched->ids[i], error) != STORE_OK)
            return STORE_ERROR;
    for (size_t i = 0; i < touched->alert_count; i++)
        if (store_tx_massalert_changed(tx, touched->alerts[i], error) != STORE_OK)
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
        " created_at, updated_at, priority) VALUES(?,?,?,?,?,?,?,?,?,?,'queued',?,?,?,?,?,?)";
    /* Cached: a mass alert writes one row per recipient and channel. */
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
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
    sqlite3_bind_int(st, 16, m->priority);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
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
int store_outbox_apply_outcome(struct store_tx *tx, const struct store_outbox_outcome *o,
                               enum outbox_state from, struct store_outbox_touched *touched,
                               struct store_error *error)
{
    static const char sql[] =
        "UPDATE outbox SET state = ?1, next_attempt_at = ?2, updated_at = ?3,"
        " reference = CASE WHEN ?1 = 'delivered' THEN ?4 ELSE reference END,"
        " delivered_at = CASE WHEN ?1 = 'delivered' THEN ?3 ELSE delivered_at END,"
        " last_error = CASE WHEN ?1 = 'delivered' THEN last_error ELSE ?5 END"
        " WHERE id = ?6 AND state = ?7 RETURNING COALESCE(alarm_id,0), kind, owner_id";
    /* Cached: a mass alert's outcomes come by the thousand a second. */
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
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
    char kind[OUTBOX_KIND_SIZE] = "";
    int64_t owner_id = 0;
    if (changed) {
        store_copy_text(kind, sizeof kind, sqlite3_column_text(st, 1));
        owner_id = sqlite3_column_int64(st, 2);
        rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "writing an outcome", error);
    if (!changed)
        return STORE_OK;
    store_outbox_touch(touched, alarm_id);
    store_outbox_touch_owner(tx, touched, kind, owner_id);
    if (o->recipient_gone && o->state == OUTBOX_FAILED && strcmp(kind, "massalert") == 0 &&
        store_tx_agent_push_subscription_gone(tx, o->id, owner_id, o->error, error) != STORE_OK)
        return STORE_ERROR;
    /* A mass alert's messages are many: their outcomes are its counts and
     * report (its send, cancel and report are audited), not one audit row
     * each. */
    if (o->state == OUTBOX_QUEUED || strcmp(kind, "massalert") == 0)
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
    struct store_outbox_touched touched = {0};
    for (size_t i = 0; i < job->count; i++)
        if (store_outbox_apply_outcome(tx, &job->outcomes[i], OUTBOX_SENDING, &touched, error) !=
            STORE_OK)
            return STORE_ERROR;
    return store_outbox_announce(tx, &touched, error);
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

/* ---- restart and retention ---- */

struct recover_job {
    const char *grace_channel;
    int64_t grace_ms;
    int requeued;
};

static int recover_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct recover_job *job = context;
    struct store_outbox_touched touched = {0};
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db,
                           "UPDATE outbox SET state = 'queued', next_attempt_at = ?1"
                           " + CASE WHEN channel = ?3 THEN ?4 ELSE 0 END,"
                           " updated_at = ?1, last_error = ?2 WHERE state = 'sending'"
                           " RETURNING COALESCE(alarm_id,0)",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "recovering the outbox", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    sqlite3_bind_text(st, 2, _("interrupted by a restart of vigied: sent again"), -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, job->grace_channel ? job->grace_channel : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, job->grace_ms);
    int rc;
    int *requeued = &job->requeued;
    *requeued = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        store_outbox_touch(&touched, sqlite3_column_int64(st, 0));
        (*requeued)++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "recovering the outbox", error);
    return store_outbox_announce(tx, &touched, error);
}

int store_outbox_recover_with_grace(struct store *store, const char *channel, int64_t grace_ms,
                                    int *requeued_out, struct store_error *error)
{
    struct recover_job job = {channel, grace_ms, 0};
    int status = store_write(store, recover_job, &job, error);
    if (requeued_out)
        *requeued_out = job.requeued;
    return status;
}

int store_outbox_recover(struct store *store, int *requeued_out, struct store_error *error)
{
    return store_outbox_recover_with_grace(store, NULL, 0, requeued_out, error);
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
