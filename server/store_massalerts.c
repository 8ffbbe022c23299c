/* store_massalerts.c: sending and cancelling a mass alert, and its
 * coalesced stream event (see store_massalerts.h). */
#include "server/store_massalerts.h"
#include "server/config.h"
#include "server/store_massalert_fanout.h"
#include "server/store_internal.h"
#include "server/store_massalerts_internal.h"
#include "server/store_outbox.h"
#include "common/i18n.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Alerts whose event is tracked for coalescing: alerts being sent at
 * once are few; the oldest settled entry makes room. */
#define MASSALERT_LIVE_MAX 64

struct live_alert {
    const struct store *store;
    int64_t id;
    int64_t emitted_at; /* the job time of its last event */
    bool pending;
};

static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static struct live_alert live[MASSALERT_LIVE_MAX];

static struct live_alert *live_find(const struct store *store, int64_t id, bool add)
{
    struct live_alert *oldest = NULL;
    for (int i = 0; i < MASSALERT_LIVE_MAX; i++) {
        if (live[i].id == id && live[i].store == store)
            return &live[i];
        if (!live[i].pending && (!oldest || live[i].emitted_at < oldest->emitted_at))
            oldest = &live[i];
    }
    if (!add || !oldest)
        return NULL;
    *oldest = (struct live_alert){store, id, 0, false};
    return oldest;
}

/* ---- counts and the event ---- */

int64_t store_tx_massalert_of_recipient(struct store_tx *tx, int64_t recipient_id)
{
    static const char sql[] = "SELECT alert_id FROM massalert_recipients WHERE id = ?";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, recipient_id);
    int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return id;
}

/* {"sms":{"queued":N,...},...,"total":{...}} from massalert_counts. */
cJSON *store_massalert_counts_json(sqlite3 *db, int64_t alert_id)
{
    static const char *const names[] = {"queued", "sent", "delivered", "failed", "replied"};
    cJSON *counts = cJSON_CreateObject();
    int64_t total[5] = {0};
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT channel, queued, sent, delivered, failed, replied"
                           " FROM massalert_counts WHERE alert_id = ? ORDER BY channel",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, alert_id);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *channel = (const char *)sqlite3_column_text(st, 0);
            if (channel && strcmp(channel, "*") == 0) {
                total[4] = sqlite3_column_int64(st, 5);
                continue;
            }
            cJSON *one = cJSON_AddObjectToObject(counts, channel ? channel : "");
            for (int i = 0; i < 5; i++) {
                int64_t n = sqlite3_column_int64(st, 1 + i);
                cJSON_AddNumberToObject(one, names[i], (double)n);
                if (i < 4)
                    total[i] += n;
            }
        }
    }
    sqlite3_finalize(st);
    cJSON *sum = cJSON_AddObjectToObject(counts, "total");
    for (int i = 0; i < 5; i++)
        cJSON_AddNumberToObject(sum, names[i], (double)total[i]);
    return counts;
}

/* Emits the event now (and settles the alert when nothing is left). */
static int emit(struct store_tx *tx, int64_t alert_id, struct store_error *error)
{
    cJSON *counts = store_massalert_counts_json(tx->db, alert_id);
    const cJSON *queued = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(counts, "total"), "queued");
    if (cJSON_IsNumber(queued) && queued->valuedouble == 0) {
        /* Not while its fan-out still has recipients to write. */
        static const char done_sql[] = "UPDATE massalerts SET state = 'done', finished_at = ?1"
                                       " WHERE id = ?2 AND state = 'sending' AND NOT EXISTS("
                                       "SELECT 1 FROM massalert_fanout WHERE alert_id = ?2)";
        sqlite3_stmt *st = store_tx_statement(tx, done_sql);
        if (st) {
            sqlite3_bind_int64(st, 1, tx->now_ms);
            sqlite3_bind_int64(st, 2, alert_id);
            sqlite3_step(st);
            sqlite3_reset(st);
        }
    }
    char state[16] = "";
    int64_t recipients = 0, written = 0;
    static const char state_sql[] =
        "SELECT state, recipient_count, fanout_cursor FROM massalerts WHERE id = ?";
    sqlite3_stmt *st = store_tx_statement(tx, state_sql);
    if (st) {
        sqlite3_bind_int64(st, 1, alert_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            store_copy_text(state, sizeof state, sqlite3_column_text(st, 0));
            recipients = sqlite3_column_int64(st, 1);
            written = sqlite3_column_int64(st, 2);
        }
        sqlite3_reset(st);
    }
    cJSON *data = cJSON_CreateObject();
    cJSON_AddNumberToObject(data, "id", (double)alert_id);
    cJSON_AddStringToObject(data, "state", state);
    /* The selection's size, and how many of them have their messages
     * written yet (the fan-out's progress). */
    cJSON_AddNumberToObject(data, "recipients", (double)recipients);
    cJSON_AddNumberToObject(data, "written", (double)written);
    cJSON_AddItemToObject(data, "counts", counts);
    char *text = cJSON_PrintUnformatted(data);
    cJSON_Delete(data);
    int64_t seq = text ? store_tx_event(tx, "massalert", 0, text) : 0;
    free(text);
    if (seq <= 0) {
        store_error_set(error, "cannot write the mass alert's stream event");
        return STORE_ERROR;
    }
    return STORE_OK;
}

int store_tx_massalert_changed(struct store_tx *tx, int64_t alert_id, struct store_error *error)
{
    if (alert_id <= 0)
        return STORE_OK;
    pthread_mutex_lock(&live_lock);
    struct live_alert *entry = live_find(tx->store, alert_id, true);
    bool now = !entry || tx->now_ms - entry->emitted_at >= MASSALERT_EVENT_PERIOD_MS;
    if (entry) {
        entry->pending = !now;
        if (now)
            entry->emitted_at = tx->now_ms;
    }
    pthread_mutex_unlock(&live_lock);
    return now ? emit(tx, alert_id, error) : STORE_OK;
}

struct flush_job {
    int64_t ids[MASSALERT_LIVE_MAX];
    int count;
};

static int flush_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct flush_job *job = context;
    for (int i = 0; i < job->count; i++)
        if (emit(tx, job->ids[i], error) != STORE_OK)
            return STORE_ERROR;
    return STORE_OK;
}

bool store_massalerts_flush(struct store *store)
{
    struct flush_job job = {.count = 0};
    bool remaining = false;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    pthread_mutex_lock(&live_lock);
    for (int i = 0; i < MASSALERT_LIVE_MAX; i++) {
        if (live[i].store != store || !live[i].pending)
            continue;
        if (now - live[i].emitted_at >= MASSALERT_EVENT_PERIOD_MS) {
            live[i].pending = false;
            live[i].emitted_at = now;
            job.ids[job.count++] = live[i].id;
        } else {
            remaining = true;
        }
    }
    pthread_mutex_unlock(&live_lock);
    struct store_error error = {{0}};
    if (job.count > 0 && store_write(store, flush_job, &job, &error) != STORE_OK)
        remaining = true; /* tried again at the next tick */
    return remaining;
}

/* ---- sending ---- */

struct create_job {
    const struct actor *actor;
    const struct store_massalert_new *alert;
    struct store_massalert_created *out;
    /* The selection packed (MASSALERT_PICK_SIZE bytes a pick) when it is
     * too large to write in this job: stored as is, fanned out later;
     * else NULL. */
    const unsigned char *packed;
};

static void channels_text(unsigned channels, char *out, size_t size)
{
    out[0] = '\0';
    for (int c = 0; c < MASSALERT_CHANNELS; c++) {
        if (!(channels & MASSALERT_CHANNEL_BIT(c)))
            continue;
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", used ? "," : "",
                 massalert_channel_name((enum massalert_channel)c));
    }
}

static int insert_alert(struct store_tx *tx, struct create_job *job, struct store_error *error)
{
    const struct store_massalert_new *a = job->alert;
    if (a->alarm_id > 0) {
        struct alarm alarm;
        if (store_tx_alarm_read(tx, a->alarm_id, &alarm, error) != STORE_OK) {
            store_error_set(error, _("there is no alarm %lld to centre the alert on"),
                            (long long)a->alarm_id);
            return STORE_INVALID;
        }
    }
    char channels[64];
    channels_text(a->channels, channels, sizeof channels);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db,
                           "INSERT INTO massalerts(created_at, created_by, state, lat, lon,"
                           " radius_m, centre_label, alarm_id, template, language, message,"
                           " channels, expires_at, recipient_count, fanout_cursor)"
                           " VALUES(?1,?2,'sending',?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "writing a mass alert", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    if (job->actor->user_id > 0)
        sqlite3_bind_int64(st, 2, job->actor->user_id);
    sqlite3_bind_double(st, 3, a->area.centre.lat);
    sqlite3_bind_double(st, 4, a->area.centre.lon);
    sqlite3_bind_int64(st, 5, llround(a->area.radius_m));
    sqlite3_bind_text(st, 6, a->centre_label ? a->centre_label : "", -1, SQLITE_STATIC);
    if (a->alarm_id > 0)
        sqlite3_bind_int64(st, 7, a->alarm_id);
    sqlite3_bind_text(st, 8, a->template_name ? a->template_name : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, a->language && a->language[0] ? a->language : "fr", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, a->message, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, channels, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 12, tx->now_ms + a->expires_in_ms);
    sqlite3_bind_int64(st, 13, (int64_t)a->pick_count);
    sqlite3_bind_int64(st, 14, job->packed ? 0 : (int64_t)a->pick_count);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "writing a mass alert", error);
    job->out->id = sqlite3_last_insert_rowid(tx->db);
    return STORE_OK;
}

/* A small selection is written now; a larger one is frozen for the
 * fan-out (store_massalert_fanout.c), which writes it a chunk per job.
 * Either way the counts are the selection's. */
static int write_recipients(struct store_tx *tx, struct create_job *job, struct store_error *error)
{
    const struct store_massalert_new *a = job->alert;
    struct store_massalert_created *out = job->out;
    out->recipients = (int64_t)a->pick_count;
    for (size_t i = 0; i < a->pick_count; i++)
        for (int c = 0; c < MASSALERT_CHANNELS; c++)
            out->deliveries[c] +=
                (a->picks[i].reachable & a->channels & MASSALERT_CHANNEL_BIT(c)) != 0;
    if (!job->packed) {
        struct massalert_fanout_alert alert = {out->id, a->channels, a->message, a->public_url,
                                               tx->now_ms + a->expires_in_ms};
        size_t written = 0;
        return store_tx_massalert_fanout_write(tx, &alert, a->picks, a->pick_count, 0, &written,
                                               error);
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db,
                           "INSERT INTO massalert_fanout(alert_id, public_url, picks)"
                           " VALUES(?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "writing a mass alert's selection", error);
    sqlite3_bind_int64(st, 1, out->id);
    sqlite3_bind_text(st, 2, a->public_url, -1, SQLITE_STATIC);
    sqlite3_bind_blob64(st, 3, job->packed, (sqlite3_uint64)a->pick_count * MASSALERT_PICK_SIZE,
                        SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK
                             : store_sql_error(tx->db, "writing a mass alert's selection", error);
}

static char *send_detail(const struct create_job *job)
{
    const struct store_massalert_new *a = job->alert;
    cJSON *detail = cJSON_CreateObject();
    cJSON *circle = cJSON_AddObjectToObject(cJSON_AddObjectToObject(detail, "area"), "circle");
    cJSON_AddNumberToObject(circle, "lat", a->area.centre.lat);
    cJSON_AddNumberToObject(circle, "lon", a->area.centre.lon);
    cJSON_AddNumberToObject(circle, "radius_m", a->area.radius_m);
    if (a->centre_label)
        cJSON_AddStringToObject(detail, "centre_label", a->centre_label);
    if (a->alarm_id > 0)
        cJSON_AddNumberToObject(detail, "alarm_id", (double)a->alarm_id);
    cJSON_AddNumberToObject(detail, "recipients", (double)job->out->recipients);
    cJSON *deliveries = cJSON_AddObjectToObject(detail, "deliveries");
    for (int c = 0; c < MASSALERT_CHANNELS; c++)
        if (a->channels & MASSALERT_CHANNEL_BIT(c))
            cJSON_AddNumberToObject(deliveries, massalert_channel_name((enum massalert_channel)c),
                                    (double)job->out->deliveries[c]);
    cJSON *excluded = cJSON_AddObjectToObject(detail, "excluded");
    for (int v = MASSALERT_NOT_VETTED; v < MASSALERT_VERDICTS; v++)
        cJSON_AddNumberToObject(excluded, massalert_verdict_name((enum massalert_verdict)v),
                                (double)a->excluded[v]);
    cJSON_AddStringToObject(detail, "message", a->message);
    char *text = cJSON_PrintUnformatted(detail);
    cJSON_Delete(detail);
    return text;
}

static int create_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct create_job *job = context;
    memset(job->out, 0, sizeof *job->out);
    int status = insert_alert(tx, job, error);
    if (status != STORE_OK)
        return status;
    if (write_recipients(tx, job, error) != STORE_OK)
        return STORE_ERROR;
    char *detail = send_detail(job);
    status = detail ? store_tx_audit(tx, job->actor, "massalert.send", "massalert", job->out->id,
                                     detail, error)
                    : STORE_ERROR;
    free(detail);
    if (status != STORE_OK)
        return status;
    if (job->alert->alarm_id > 0) {
        char text[256];
        snprintf(text, sizeof text, _("mass alert %lld sent to %lld agent(s) within %.0f m"),
                 (long long)job->out->id, (long long)job->out->recipients,
                 job->alert->area.radius_m);
        if (store_tx_timeline(tx, job->alert->alarm_id, job->actor->user_id, "massalert", text,
                              error) != STORE_OK ||
            store_tx_alarm_changed(tx, job->alert->alarm_id, error) != STORE_OK)
            return STORE_ERROR;
    }
    pthread_mutex_lock(&live_lock);
    struct live_alert *entry = live_find(tx->store, job->out->id, true);
    if (entry) {
        entry->emitted_at = tx->now_ms;
        entry->pending = false;
    }
    pthread_mutex_unlock(&live_lock);
    return emit(tx, job->out->id, error);
}

int store_massalert_create(struct store *store, const struct actor *actor,
                           const struct store_massalert_new *alert,
                           struct store_massalert_created *out, struct store_error *error)
{
    if (!alert->message || !alert->message[0] || !alert->public_url || alert->channels == 0) {
        store_error_set(error, "a mass alert needs a message, channels and a public URL");
        return STORE_INVALID;
    }
    struct create_job job = {actor, alert, out, NULL};
    unsigned char *packed = NULL;
    if (alert->pick_count > MASSALERT_FANOUT_INLINE_MAX) {
        /* Packed here, not in the writer's time. */
        packed = malloc(alert->pick_count * MASSALERT_PICK_SIZE);
        if (!packed) {
            store_error_set(error, "out of memory");
            return STORE_ERROR;
        }
        massalert_picks_pack(alert->picks, alert->pick_count, packed);
        job.packed = packed;
    }
    int status = store_write(store, create_job, &job, error);
    free(packed);
    return status;
}

/* ---- cancelling ---- */

struct cancel_job {
    const struct actor *actor;
    int64_t id;
    int64_t not_sent;
};

static int cancel_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct cancel_job *job = context;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db, "SELECT state FROM massalerts WHERE id = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return store_sql_error(tx->db, "reading a mass alert", error);
    sqlite3_bind_int64(st, 1, job->id);
    char state[16] = "";
    bool found = sqlite3_step(st) == SQLITE_ROW;
    if (found)
        store_copy_text(state, sizeof state, sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (!found) {
        store_error_set(error, _("no mass alert %lld"), (long long)job->id);
        return STORE_NOT_FOUND;
    }
    if (strcmp(state, "sending") != 0) {
        store_error_set(error, _("mass alert %lld is already %s"), (long long)job->id, state);
        return STORE_CONFLICT;
    }
    if (sqlite3_prepare_v2(tx->db,
                           "UPDATE massalerts SET state = 'cancelled', cancelled_at = ?1,"
                           " cancelled_by = ?2 WHERE id = ?3",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "cancelling a mass alert", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    if (job->actor->user_id > 0)
        sqlite3_bind_int64(st, 2, job->actor->user_id);
    sqlite3_bind_int64(st, 3, job->id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "cancelling a mass alert", error);
    /* Rows being sent finish: their transfer is under way. */
    if (sqlite3_prepare_v2(tx->db,
                           "UPDATE outbox SET state = 'failed', last_error = 'cancelled',"
                           " updated_at = ?1 WHERE kind = 'massalert' AND state = 'queued'"
                           " AND owner_id IN(SELECT id FROM massalert_recipients"
                           " WHERE alert_id = ?2)",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "cancelling a mass alert", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    sqlite3_bind_int64(st, 2, job->id);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "cancelling a mass alert", error);
    job->not_sent = sqlite3_changes(tx->db);
    /* What the fan-out had not written yet is never written. */
    int64_t unwritten = 0;
    if (store_tx_massalert_fanout_drop(tx, job->id, &unwritten, error) != STORE_OK)
        return STORE_ERROR;
    job->not_sent += unwritten;
    char detail[96];
    snprintf(detail, sizeof detail, "{\"not_sent\":%lld,\"not_written\":%lld}",
             (long long)job->not_sent, (long long)unwritten);
    if (store_tx_audit(tx, job->actor, "massalert.cancel", "massalert", job->id, detail, error) !=
        STORE_OK)
        return STORE_ERROR;
    return emit(tx, job->id, error);
}

int store_massalert_cancel(struct store *store, const struct actor *actor, int64_t id,
                           int64_t *not_sent_out, struct store_error *error)
{
    struct cancel_job job = {actor, id, 0};
    int status = store_write(store, cancel_job, &job, error);
    if (not_sent_out)
        *not_sent_out = job.not_sent;
    return status;
}
