/* store_outbox_claim.c: claiming due rows of the outbox, the most urgent
 * first, each channel within its quota (see store_outbox.h). The claim is
 * durable ("sending", one attempt more) before anything is sent. */
#include "server/store_outbox_internal.h"
#include "common/i18n.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- claiming due rows ---- */

/* Due rows whose deadline passed fail without an attempt: a message to
 * the police that comes too late would mislead more than it helps. */
static int fail_overdue(struct store_tx *tx, struct store_outbox_touched *touched,
                        struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db,
                           "SELECT id FROM outbox INDEXED BY outbox_overdue"
                           " WHERE state = 'queued' AND deadline_at < ?1"
                           " AND next_attempt_at <= ?1 ORDER BY id LIMIT ?2",
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
        if (store_outbox_apply_outcome(tx, &outcome, OUTBOX_QUEUED, touched, error) != STORE_OK)
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

/* A candidate row of a claim, with what orders it. */
struct claim_candidate {
    struct store_outbox_message message;
    int priority;
    int64_t due_at;
};

struct claim_job {
    const struct store_outbox_quota *quotas;
    int quota_count, others, limit;
    struct claim_candidate *candidates; /* room for limit x (quota_count + 1) */
    int candidate_count;
    struct store_outbox_message *out;
    int count;
};

static int mark_sending(struct store_tx *tx, int64_t id, struct store_error *error)
{
    static const char sql[] = "UPDATE outbox SET state = 'sending', attempts = attempts + 1,"
                              " last_attempt_at = ?1, updated_at = ?1 WHERE id = ?2";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "claiming an outbox message", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    sqlite3_bind_int64(st, 2, id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK
                             : store_sql_error(tx->db, "claiming an outbox message", error);
}

#define CLAIM_COLUMNS                                                                              \
    "SELECT id, COALESCE(alarm_id,0), channel, label, recipient, content_type, message_key,"       \
    " body, attempts, max_attempts, deadline_at, priority, next_attempt_at FROM outbox"

/* Rows of one channel (the outbox_claim index), or of every channel not
 * in the JSON list `channels`. */
static const char claim_channel_sql[] =
    CLAIM_COLUMNS " WHERE state = 'queued' AND channel = ?1 AND next_attempt_at <= ?2"
                  " ORDER BY priority, next_attempt_at, id LIMIT ?3";
static const char claim_others_sql[] =
    CLAIM_COLUMNS " WHERE state = 'queued' AND next_attempt_at <= ?2"
                  " AND channel NOT IN(SELECT value FROM json_each(?1))"
                  " ORDER BY priority, next_attempt_at, id LIMIT ?3";

static int gather(struct store_tx *tx, struct claim_job *job, const char *sql, const char *text,
                  int limit, struct store_error *error)
{
    if (limit <= 0)
        return STORE_OK;
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "claiming outbox messages", error);
    sqlite3_bind_text(st, 1, text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, tx->now_ms);
    sqlite3_bind_int(st, 3, limit);
    int rc, status = STORE_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct claim_candidate *c = &job->candidates[job->candidate_count];
        if (!copy_message(st, &c->message)) {
            store_outbox_message_free(&c->message);
            store_error_set(error, "out of memory");
            status = STORE_ERROR;
            break;
        }
        c->priority = sqlite3_column_int(st, 11);
        c->due_at = sqlite3_column_int64(st, 12);
        job->candidate_count++;
    }
    if (status == STORE_OK && rc != SQLITE_DONE)
        status = store_sql_error(tx->db, "claiming outbox messages", error);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return status;
}

static int by_urgency(const void *a, const void *b)
{
    const struct claim_candidate *x = a, *y = b;
    if (x->priority != y->priority)
        return x->priority < y->priority ? -1 : 1;
    if (x->due_at != y->due_at)
        return x->due_at < y->due_at ? -1 : 1;
    return (x->message.id > y->message.id) - (x->message.id < y->message.id);
}

static void drop_candidates(struct claim_job *job, int from)
{
    for (int i = from; i < job->candidate_count; i++)
        store_outbox_message_free(&job->candidates[i].message);
    job->candidate_count = from;
}

static int claim_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct claim_job *job = context;
    struct store_outbox_touched touched = {0};
    job->count = 0;
    job->candidate_count = 0;
    if (fail_overdue(tx, &touched, error) != STORE_OK)
        return STORE_ERROR;
    /* The channels listed, as a JSON array for the "others" query. */
    cJSON *listed = cJSON_CreateArray();
    int status = listed ? STORE_OK : STORE_ERROR;
    for (int i = 0; status == STORE_OK && i < job->quota_count; i++) {
        cJSON_AddItemToArray(listed, cJSON_CreateString(job->quotas[i].channel));
        int limit = job->quotas[i].limit < job->limit ? job->quotas[i].limit : job->limit;
        status = gather(tx, job, claim_channel_sql, job->quotas[i].channel, limit, error);
    }
    char *names = status == STORE_OK ? cJSON_PrintUnformatted(listed) : NULL;
    cJSON_Delete(listed);
    if (status == STORE_OK && names)
        status = gather(tx, job, claim_others_sql, names,
                        job->others < job->limit ? job->others : job->limit, error);
    else if (status == STORE_OK)
        status = STORE_ERROR;
    free(names);
    if (status != STORE_OK) {
        drop_candidates(job, 0);
        return STORE_ERROR;
    }
    qsort(job->candidates, (size_t)job->candidate_count, sizeof *job->candidates, by_urgency);
    int take = job->candidate_count < job->limit ? job->candidate_count : job->limit;
    drop_candidates(job, take);
    for (int i = 0; status == STORE_OK && i < take; i++) {
        status = mark_sending(tx, job->candidates[i].message.id, error);
        store_outbox_touch(&touched, job->candidates[i].message.alarm_id);
    }
    if (status == STORE_OK)
        status = store_outbox_announce(tx, &touched, error);
    if (status != STORE_OK) {
        drop_candidates(job, 0);
        return status;
    }
    for (int i = 0; i < take; i++)
        job->out[i] = job->candidates[i].message;
    job->count = take;
    job->candidate_count = 0;
    return STORE_OK;
}

int store_outbox_claim_quotas(struct store *store, const struct store_outbox_quota *quotas,
                              int quota_count, int others, int limit,
                              struct store_outbox_message *out, int *count_out,
                              struct store_error *error)
{
    *count_out = 0;
    if (limit > OUTBOX_CLAIM_MAX)
        limit = OUTBOX_CLAIM_MAX;
    if (limit <= 0 || quota_count < 0)
        return STORE_OK;
    struct claim_job job = {quotas, quota_count, others, limit, NULL, 0, out, 0};
    /* Room for what the channels may take, not limit x channels: a
     * candidate copies its row (about 1 KB), and a claim runs every few
     * milliseconds while a mass alert is sent. */
    size_t room = (size_t)(others < limit ? (others > 0 ? others : 0) : limit);
    for (int i = 0; i < quota_count; i++)
        room +=
            (size_t)(quotas[i].limit < limit ? (quotas[i].limit > 0 ? quotas[i].limit : 0) : limit);
    job.candidates = calloc(room > 0 ? room : 1, sizeof *job.candidates);
    if (!job.candidates) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    int status = store_write(store, claim_job, &job, error);
    drop_candidates(&job, 0);
    free(job.candidates);
    if (status != STORE_OK) {
        /* A job that failed after copying rolled back: nothing is claimed. */
        for (int i = 0; i < job.count; i++)
            store_outbox_message_free(&out[i]);
        return status;
    }
    *count_out = job.count;
    return STORE_OK;
}

int store_outbox_claim(struct store *store, int limit, struct store_outbox_message *out,
                       int *count_out, struct store_error *error)
{
    return store_outbox_claim_quotas(store, NULL, 0, limit, limit, out, count_out, error);
}
