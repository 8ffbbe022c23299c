/* store_massalert_replies.c: an agent's reply to a mass alert in one job
 * (see store_massalert_replies.h): find the recipient (by token, phone or
 * row), check the alert is still live, write the reply, mark the
 * recipient as having received, and announce it. Also the read behind a
 * reply page. */
#include "server/store_massalert_replies.h"
#include "server/store_internal.h"
#include "server/password.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The mass-alert core announces an alert's counts with
 * store_tx_massalert_changed; a reply changes its "replied" count. */
#include "server/store_massalerts.h"

enum reply_lookup { LOOKUP_TOKEN, LOOKUP_PHONE, LOOKUP_RECIPIENT };

struct reply_job {
    enum reply_lookup lookup;
    char token_hash[TOKEN_HASH_SIZE];
    const char *e164;
    int64_t recipient_id;
    const char *channel, *kind;
    char text[MASSALERT_REPLY_TEXT_MAX + 1];
    bool located, has_accuracy;
    double lat, lon, accuracy_m;
    struct store_massalert_reply_result *result;
};

/* The recipient a reply belongs to, with what its event shows. */
struct recipient_row {
    int64_t id, alert_id, agent_id, site_id, distance_m, expires_at;
    bool has_received;
};

static const char recipient_columns[] =
    "SELECT r.id, r.alert_id, r.agent_id, COALESCE(r.site_id,0), r.distance_m, m.expires_at,"
    " r.received_at IS NOT NULL FROM massalert_recipients r"
    " JOIN massalerts m ON m.id = r.alert_id";

/* An SMS answer is looked for among the alerts that expired less than
 * this long ago (to say "expired" rather than "unknown"); older ones are
 * not read, so the look-up costs the recipients of recent alerts only. */
#define REPLY_PHONE_LOOKBACK_MS (7LL * 24 * 3600 * 1000)

/* The latest alert that sent an SMS to the number, live ones first: the
 * recent alerts are few, their recipients are found by alert and each
 * one's rows by outbox_once, so no scan of the whole outbox. */
static const char by_phone_sql[] =
    "SELECT r.id, r.alert_id, r.agent_id, COALESCE(r.site_id,0), r.distance_m, m.expires_at,"
    " r.received_at IS NOT NULL FROM massalerts m"
    " JOIN massalert_recipients r ON r.alert_id = m.id"
    " JOIN outbox o ON o.kind = 'massalert' AND o.owner_id = r.id AND o.channel = 'sms'"
    " WHERE o.recipient = ?1 AND m.expires_at > ?3"
    " ORDER BY m.expires_at > ?2 DESC, m.id DESC LIMIT 1";

static int find_recipient(struct store_tx *tx, const struct reply_job *job,
                          struct recipient_row *row, struct store_error *error)
{
    char sql[512];
    sqlite3_stmt *st = NULL;
    int rc;
    if (job->lookup == LOOKUP_PHONE) {
        rc = sqlite3_prepare_v2(tx->db, by_phone_sql, -1, &st, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(st, 1, job->e164, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, tx->now_ms);
            sqlite3_bind_int64(st, 3, tx->now_ms - REPLY_PHONE_LOOKBACK_MS);
        }
    } else {
        snprintf(sql, sizeof sql, "%s WHERE %s", recipient_columns,
                 job->lookup == LOOKUP_TOKEN ? "r.token_hash = ?1" : "r.id = ?1");
        rc = sqlite3_prepare_v2(tx->db, sql, -1, &st, NULL);
        if (rc == SQLITE_OK && job->lookup == LOOKUP_TOKEN)
            sqlite3_bind_text(st, 1, job->token_hash, -1, SQLITE_STATIC);
        else if (rc == SQLITE_OK)
            sqlite3_bind_int64(st, 1, job->recipient_id);
    }
    if (rc != SQLITE_OK)
        return store_sql_error(tx->db, "finding a mass-alert recipient", error);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        row->id = sqlite3_column_int64(st, 0);
        row->alert_id = sqlite3_column_int64(st, 1);
        row->agent_id = sqlite3_column_int64(st, 2);
        row->site_id = sqlite3_column_int64(st, 3);
        row->distance_m = sqlite3_column_int64(st, 4);
        row->expires_at = sqlite3_column_int64(st, 5);
        row->has_received = sqlite3_column_int(st, 6) != 0;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) {
        store_error_set(error, job->lookup == LOOKUP_PHONE
                                   ? "no mass alert was sent by SMS to this number"
                                   : "no such mass-alert recipient (unknown reply link)");
        return STORE_NOT_FOUND;
    }
    if (rc != SQLITE_ROW)
        return store_sql_error(tx->db, "finding a mass-alert recipient", error);
    if (row->expires_at <= tx->now_ms) {
        store_error_set(error, "this mass alert has expired: replies are closed");
        return STORE_CONFLICT;
    }
    return STORE_OK;
}

/* Counts the recipient's replies and finds its first "received" one. */
static int earlier_replies(struct store_tx *tx, const struct recipient_row *row, int *count_out,
                           int64_t *received_id_out, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db,
                           "SELECT COUNT(*), MIN(CASE WHEN kind = 'received' THEN id END)"
                           " FROM massalert_replies WHERE alert_id = ?1 AND recipient_id = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "reading replies", error);
    sqlite3_bind_int64(st, 1, row->alert_id);
    sqlite3_bind_int64(st, 2, row->id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *count_out = sqlite3_column_int(st, 0);
        *received_id_out = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? STORE_OK : store_sql_error(tx->db, "reading replies", error);
}

static int insert_reply(struct store_tx *tx, const struct reply_job *job,
                        const struct recipient_row *row, int64_t *id_out, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(
            tx->db,
            "INSERT INTO massalert_replies(alert_id, recipient_id, at, channel, kind,"
            " text, lat, lon, accuracy_m) VALUES(?,?,?,?,?,?,?,?,?)",
            -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "writing a reply", error);
    sqlite3_bind_int64(st, 1, row->alert_id);
    sqlite3_bind_int64(st, 2, row->id);
    sqlite3_bind_int64(st, 3, tx->now_ms);
    sqlite3_bind_text(st, 4, job->channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, job->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, job->text, -1, SQLITE_STATIC);
    if (job->located) {
        sqlite3_bind_double(st, 7, job->lat);
        sqlite3_bind_double(st, 8, job->lon);
    }
    if (job->has_accuracy)
        sqlite3_bind_double(st, 9, job->accuracy_m);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "writing a reply", error);
    *id_out = sqlite3_last_insert_rowid(tx->db);
    if (row->has_received)
        return STORE_OK;
    if (sqlite3_prepare_v2(tx->db,
                           "UPDATE massalert_recipients SET received_at = ?1"
                           " WHERE id = ?2 AND received_at IS NULL",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "marking a recipient", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    sqlite3_bind_int64(st, 2, row->id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(tx->db, "marking a recipient", error);
}

/* The agent and site of the reply, as the operator's list shows them. */
static void add_people(struct store_tx *tx, const struct recipient_row *row, cJSON *reply)
{
    sqlite3_stmt *st = NULL;
    cJSON *agent = cJSON_AddObjectToObject(reply, "agent");
    cJSON *site = cJSON_AddObjectToObject(reply, "site");
    cJSON_AddNumberToObject(agent, "id", (double)row->agent_id);
    if (sqlite3_prepare_v2(tx->db,
                           "SELECT a.name, a.phone, s.name FROM agents a"
                           " LEFT JOIN sites s ON s.id = ?2 WHERE a.id = ?1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, row->agent_id);
        sqlite3_bind_int64(st, 2, row->site_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(st, 0);
            const char *phone = (const char *)sqlite3_column_text(st, 1);
            const char *site_name = (const char *)sqlite3_column_text(st, 2);
            cJSON_AddStringToObject(agent, "name", name ? name : "");
            if (phone)
                cJSON_AddStringToObject(agent, "phone", phone);
            else
                cJSON_AddNullToObject(agent, "phone");
            if (row->site_id > 0)
                cJSON_AddStringToObject(site, "name", site_name ? site_name : "");
        }
    }
    sqlite3_finalize(st);
    if (row->site_id > 0)
        cJSON_AddNumberToObject(site, "id", (double)row->site_id);
}

static char *reply_event(struct store_tx *tx, const struct reply_job *job,
                         const struct recipient_row *row, int64_t reply_id)
{
    cJSON *reply = cJSON_CreateObject();
    if (!reply)
        return NULL;
    cJSON_AddNumberToObject(reply, "alert_id", (double)row->alert_id);
    cJSON_AddNumberToObject(reply, "id", (double)reply_id);
    cJSON_AddNumberToObject(reply, "at", (double)tx->now_ms);
    cJSON_AddStringToObject(reply, "channel", job->channel);
    cJSON_AddStringToObject(reply, "kind", job->kind);
    cJSON_AddStringToObject(reply, "text", job->text);
    if (job->located) {
        cJSON_AddNumberToObject(reply, "lat", job->lat);
        cJSON_AddNumberToObject(reply, "lon", job->lon);
    } else {
        cJSON_AddNullToObject(reply, "lat");
        cJSON_AddNullToObject(reply, "lon");
    }
    if (job->has_accuracy)
        cJSON_AddNumberToObject(reply, "accuracy_m", job->accuracy_m);
    else
        cJSON_AddNullToObject(reply, "accuracy_m");
    add_people(tx, row, reply);
    cJSON_AddNumberToObject(reply, "distance_m", (double)row->distance_m);
    cJSON_AddNullToObject(reply, "relayed_alarm_id");
    cJSON_AddNumberToObject(reply, "relayed_escalations", 0);
    char *text = cJSON_PrintUnformatted(reply);
    cJSON_Delete(reply);
    return text;
}

static int audit_reply(struct store_tx *tx, const struct reply_job *job,
                       const struct recipient_row *row, int64_t reply_id, struct store_error *error)
{
    /* Ids only: the text and position are in the reply row, and an audit
     * row is kept longer than a sighting needs to be. */
    char detail[256];
    snprintf(detail, sizeof detail,
             "{\"reply_id\":%lld,\"recipient_id\":%lld,\"channel\":\"%s\",\"kind\":\"%s\"}",
             (long long)reply_id, (long long)row->id, job->channel, job->kind);
    struct actor system;
    actor_system(&system);
    return store_tx_audit(tx, &system, "massalert.reply", "massalert", row->alert_id, detail,
                          error);
}

static int reply_job_run(struct store_tx *tx, void *context, struct store_error *error)
{
    struct reply_job *job = context;
    memset(job->result, 0, sizeof *job->result);
    struct recipient_row row = {0};
    int status = find_recipient(tx, job, &row, error);
    if (status != STORE_OK)
        return status;
    job->result->alert_id = row.alert_id;
    job->result->recipient_id = row.id;
    int count = 0;
    int64_t received_id = 0;
    if (earlier_replies(tx, &row, &count, &received_id, error) != STORE_OK)
        return STORE_ERROR;
    if (strcmp(job->kind, MASSALERT_REPLY_RECEIVED) == 0 && received_id > 0) {
        /* Received twice (the page, then the voice key) says nothing new. */
        job->result->reply_id = received_id;
        job->result->repeated = true;
        return STORE_OK;
    }
    if (count >= MASSALERT_REPLIES_PER_RECIPIENT_MAX) {
        store_error_set(error, "this reply link has reached its %d replies",
                        MASSALERT_REPLIES_PER_RECIPIENT_MAX);
        return STORE_CONFLICT;
    }
    int64_t reply_id = 0;
    if (insert_reply(tx, job, &row, &reply_id, error) != STORE_OK)
        return STORE_ERROR;
    job->result->reply_id = reply_id;
    char *event = reply_event(tx, job, &row, reply_id);
    bool emitted = event && store_tx_event(tx, "massalert_reply", 0, event) > 0;
    free(event);
    if (!emitted) {
        store_error_set(error, "cannot announce a reply");
        return STORE_ERROR;
    }
    if (audit_reply(tx, job, &row, reply_id, error) != STORE_OK)
        return STORE_ERROR;
    return store_tx_massalert_changed(tx, row.alert_id, error);
}

/* ---- checking what the caller gives ---- */

static bool channel_valid(const char *channel)
{
    static const char *const channels[] = {"sms", "email", "voice", "push", "web"};
    for (size_t i = 0; channel && i < sizeof channels / sizeof channels[0]; i++)
        if (strcmp(channel, channels[i]) == 0)
            return true;
    return false;
}

static int prepare_job(struct reply_job *job, const char *channel, const char *kind,
                       const char *text, const double *lat, const double *lon,
                       const double *accuracy_m, struct store_massalert_reply_result *result,
                       struct store_error *error)
{
    if (!channel_valid(channel)) {
        store_error_set(error, "a reply's channel is sms, email, voice, push or web");
        return STORE_INVALID;
    }
    if (!kind || (strcmp(kind, MASSALERT_REPLY_RECEIVED) && strcmp(kind, MASSALERT_REPLY_SEEN))) {
        store_error_set(error, "a reply's kind is \"received\" or \"seen\"");
        return STORE_INVALID;
    }
    if (!lat != !lon || (accuracy_m && !lat)) {
        store_error_set(error, "a position needs both lat and lon (and accuracy only with them)");
        return STORE_INVALID;
    }
    if (lat && (!isfinite(*lat) || !isfinite(*lon) || *lat < -90 || *lat > 90 || *lon < -180 ||
                *lon > 180)) {
        store_error_set(error, "a position is lat -90..90 and lon -180..180");
        return STORE_INVALID;
    }
    if (accuracy_m && (!isfinite(*accuracy_m) || *accuracy_m < 0 ||
                       *accuracy_m > MASSALERT_REPLY_ACCURACY_MAX_M)) {
        store_error_set(error, "a position's accuracy is 0 to %.0f m",
                        MASSALERT_REPLY_ACCURACY_MAX_M);
        return STORE_INVALID;
    }
    job->channel = channel;
    job->kind =
        strcmp(kind, MASSALERT_REPLY_SEEN) == 0 ? MASSALERT_REPLY_SEEN : MASSALERT_REPLY_RECEIVED;
    massalert_reply_text_clean(text, job->text, sizeof job->text);
    job->located = lat != NULL;
    job->lat = lat ? *lat : 0;
    job->lon = lon ? *lon : 0;
    job->has_accuracy = accuracy_m != NULL;
    job->accuracy_m = accuracy_m ? *accuracy_m : 0;
    if (strcmp(job->kind, MASSALERT_REPLY_SEEN) == 0 && !job->text[0] && !job->located) {
        store_error_set(error, "a sighting needs a description or a position");
        return STORE_INVALID;
    }
    job->result = result;
    return STORE_OK;
}

/* A token is base64url and short; anything else is not one of ours. */
static bool token_plausible(const char *token)
{
    size_t length = token ? strlen(token) : 0;
    if (length == 0 || length > MASSALERT_TOKEN_MAX)
        return false;
    return strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
           length;
}

int store_massalert_reply_by_token(struct store *store, const char *token, const char *channel,
                                   const char *kind, const char *text, const double *lat,
                                   const double *lon, const double *accuracy_m,
                                   struct store_massalert_reply_result *result,
                                   struct store_error *error)
{
    struct store_massalert_reply_result ignored;
    struct reply_job job = {.lookup = LOOKUP_TOKEN};
    int status = prepare_job(&job, channel, kind, text, lat, lon, accuracy_m,
                             result ? result : &ignored, error);
    if (status != STORE_OK)
        return status;
    if (!token_plausible(token)) {
        store_error_set(error, "no such mass-alert recipient (unknown reply link)");
        return STORE_NOT_FOUND;
    }
    if (!token_hash(token, job.token_hash)) {
        store_error_set(error, "cannot hash a token");
        return STORE_ERROR;
    }
    return store_write(store, reply_job_run, &job, error);
}

int store_massalert_reply_by_phone(struct store *store, const char *e164, const char *text,
                                   struct store_massalert_reply_result *result,
                                   struct store_error *error)
{
    struct store_massalert_reply_result ignored;
    struct reply_job job = {.lookup = LOOKUP_PHONE, .e164 = e164};
    if (!e164 || !e164[0]) {
        store_error_set(error, "an SMS reply needs the sender's number");
        return STORE_INVALID;
    }
    int status = prepare_job(&job, "sms", massalert_reply_kind_of_text(text), text, NULL, NULL,
                             NULL, result ? result : &ignored, error);
    return status == STORE_OK ? store_write(store, reply_job_run, &job, error) : status;
}

int store_massalert_reply_by_recipient(struct store *store, int64_t recipient_id,
                                       const char *channel, const char *kind, const char *text,
                                       struct store_massalert_reply_result *result,
                                       struct store_error *error)
{
    struct store_massalert_reply_result ignored;
    struct reply_job job = {.lookup = LOOKUP_RECIPIENT, .recipient_id = recipient_id};
    int status =
        prepare_job(&job, channel, kind, text, NULL, NULL, NULL, result ? result : &ignored, error);
    return status == STORE_OK ? store_write(store, reply_job_run, &job, error) : status;
}

/* ---- the reply page's read ---- */

int store_massalert_token_find(struct store *store, const char *token, int64_t now_ms,
                               struct store_massalert_token_view *out, struct store_error *error)
{
    memset(out, 0, sizeof *out);
    char hash[TOKEN_HASH_SIZE];
    if (!token_plausible(token) || !token_hash(token, hash)) {
        store_error_set(error, "no such mass-alert recipient (unknown reply link)");
        return STORE_NOT_FOUND;
    }
    static const char sql[] =
        "SELECT m.id, r.id, m.state, m.language, m.message, a.name, COALESCE(s.name,''),"
        " m.created_at, m.expires_at, COALESCE(r.received_at,0),"
        " (SELECT COUNT(*) FROM massalert_replies p WHERE p.alert_id = m.id"
        " AND p.recipient_id = r.id)"
        " FROM massalert_recipients r JOIN massalerts m ON m.id = r.alert_id"
        " JOIN agents a ON a.id = r.agent_id LEFT JOIN sites s ON s.id = r.site_id"
        " WHERE r.token_hash = ?";
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_OK;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "reading a reply link", error);
    } else {
        sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            out->alert_id = sqlite3_column_int64(st, 0);
            out->recipient_id = sqlite3_column_int64(st, 1);
            store_copy_text(out->state, sizeof out->state, sqlite3_column_text(st, 2));
            store_copy_text(out->language, sizeof out->language, sqlite3_column_text(st, 3));
            store_copy_text(out->message, sizeof out->message, sqlite3_column_text(st, 4));
            store_copy_text(out->agent_name, sizeof out->agent_name, sqlite3_column_text(st, 5));
            store_copy_text(out->site_name, sizeof out->site_name, sqlite3_column_text(st, 6));
            out->created_at = sqlite3_column_int64(st, 7);
            out->expires_at = sqlite3_column_int64(st, 8);
            out->received_at = sqlite3_column_int64(st, 9);
            out->replies = sqlite3_column_int(st, 10);
            out->expired = out->expires_at <= now_ms;
        } else if (rc == SQLITE_DONE) {
            store_error_set(error, "no such mass-alert recipient (unknown reply link)");
            status = STORE_NOT_FOUND;
        } else {
            status = store_sql_error(db, "reading a reply link", error);
        }
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}
