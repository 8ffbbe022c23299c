/* store_alarm_actions.c: what operators do to an alarm (claim, release,
 * acknowledge, note, close) and the lease reaper that gives abandoned
 * claims back to the queue. The rules live in alarm.c; this file applies
 * them inside one transaction so that two consoles cannot both win. */
#include "server/store_internal.h"
#include "common/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const action_names[] = {
    [ALARM_ACTION_CLAIM] = "claim", [ALARM_ACTION_RELEASE] = "release", [ALARM_ACTION_ACK] = "ack",
    [ALARM_ACTION_NOTE] = "note",   [ALARM_ACTION_CLOSE] = "close",
};

static const char *const timeline_kinds[] = {
    [ALARM_ACTION_CLAIM] = "claimed",    [ALARM_ACTION_RELEASE] = "released",
    [ALARM_ACTION_ACK] = "acknowledged", [ALARM_ACTION_NOTE] = "note",
    [ALARM_ACTION_CLOSE] = "closed",
};

struct alarm_act_job {
    const struct actor *actor;
    int64_t id;
    enum alarm_action action;
    const char *resolution, *text;
};

static int update_alarm(struct store_tx *tx, const struct alarm_act_job *job,
                        const struct alarm *alarm, struct store_error *error)
{
    enum alarm_state next = alarm_state_after(alarm, job->action);
    int64_t lease_end = tx->now_ms + store_claim_lease_ms(tx->store);
    bool take_claim = job->action == ALARM_ACTION_CLAIM || job->action == ALARM_ACTION_ACK ||
                      job->action == ALARM_ACTION_NOTE;
    bool drop_claim = job->action == ALARM_ACTION_RELEASE || job->action == ALARM_ACTION_CLOSE;
    sqlite3_stmt *st = NULL;
    /* Parameters by number; the first "?" is ?1 as well, so state is ?7. */
    const char *sql =
        "UPDATE alarms SET state = ?7,"
        " claim_user_id = CASE WHEN ?1 THEN ?2 WHEN ?3 THEN NULL ELSE claim_user_id END,"
        " claim_session_id = CASE WHEN ?1 THEN ?4 WHEN ?3 THEN NULL ELSE claim_session_id END,"
        " claim_expires_at = CASE WHEN ?1 THEN ?5 WHEN ?3 THEN NULL ELSE claim_expires_at END,"
        " resolution = COALESCE(?6, resolution),"
        " closed_at = CASE WHEN ?7 = 'closed' THEN ?8 ELSE closed_at END"
        " WHERE id = ?9";
    if (sqlite3_prepare_v2(tx->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "changing an alarm", error);
    /* Acknowledging or noting an unheld alarm takes it: the operator who
     * works an alarm is the one shown as handling it. */
    sqlite3_bind_int(st, 1, take_claim);
    sqlite3_bind_int64(st, 2, job->actor->user_id);
    sqlite3_bind_int(st, 3, drop_claim);
    sqlite3_bind_int64(st, 4, job->actor->session_id);
    sqlite3_bind_int64(st, 5, lease_end);
    if (job->action == ALARM_ACTION_CLOSE)
        sqlite3_bind_text(st, 6, job->resolution, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_text(st, 7, alarm_state_name(next), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, tx->now_ms);
    sqlite3_bind_int64(st, 9, job->id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(tx->db, "changing an alarm", error);
}

static int check_resolution(struct store_tx *tx, const char *code, struct store_error *error)
{
    static const char sql[] = "SELECT 1 FROM resolutions WHERE code = ?";
    sqlite3_stmt *statement = store_tx_statement(tx, sql);
    if (!statement)
        return store_sql_error(tx->db, "checking a resolution", error);
    sqlite3_bind_text(statement, 1, code ? code : "", -1, SQLITE_STATIC);
    bool known = sqlite3_step(statement) == SQLITE_ROW;
    sqlite3_reset(statement);
    if (known)
        return STORE_OK;
    store_error_set(error, _("unknown resolution code %s (see GET /v1/resolutions)"),
                    code ? code : "(none)");
    return STORE_INVALID;
}

static int alarm_act_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct alarm_act_job *job = context;
    struct alarm *alarm = malloc(sizeof *alarm);
    if (!alarm) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    int status = store_alarm_read(tx->db, job->id, alarm, error);
    if (status == STORE_OK) {
        enum alarm_verdict verdict =
            alarm_action_check(alarm, job->action, job->actor->user_id, tx->now_ms);
        if (verdict == ALARM_REFUSED_HELD)
            store_error_set(error, _("%s is handling this alarm"), alarm->claim.display_name);
        else if (verdict != ALARM_ALLOWED)
            store_error_set(error, "%s", alarm_verdict_message(verdict));
        status = verdict == ALARM_ALLOWED ? STORE_OK : STORE_CONFLICT;
    }
    if (status == STORE_OK && job->action == ALARM_ACTION_CLOSE)
        status = check_resolution(tx, job->resolution, error);
    if (status == STORE_OK)
        status = update_alarm(tx, job, alarm, error);
    free(alarm);
    if (status != STORE_OK)
        return status;
    char timeline_text[ALARM_NOTE_MAX + ALARM_RESOLUTION_MAX + 4];
    if (job->action == ALARM_ACTION_CLOSE)
        snprintf(timeline_text, sizeof timeline_text, "%s%s%s", job->resolution,
                 job->text && job->text[0] ? ": " : "", job->text ? job->text : "");
    else
        snprintf(timeline_text, sizeof timeline_text, "%s", job->text ? job->text : "");
    status = store_tx_timeline(tx, job->id, job->actor->user_id, timeline_kinds[job->action],
                               timeline_text, error);
    if (status != STORE_OK)
        return status;
    char action[32], detail[96];
    snprintf(action, sizeof action, "alarm.%s", action_names[job->action]);
    snprintf(detail, sizeof detail, "{\"timeline_id\":%lld}",
             (long long)sqlite3_last_insert_rowid(tx->db));
    status = store_tx_audit(tx, job->actor, action, "alarm", job->id, detail, error);
    return status == STORE_OK ? store_tx_alarm_changed(tx, job->id, error) : status;
}

int store_alarm_act(struct store *store, const struct actor *actor, int64_t id,
                    enum alarm_action action, const char *resolution, const char *text,
                    struct store_error *error)
{
    struct alarm_act_job job = {actor, id, action, resolution, text};
    return store_write(store, alarm_act_job, &job, error);
}

/* ---- lease expiry ---- */

struct claims_expire_job {
    int released;
};

static int release_expired(struct store_tx *tx, int64_t id, const char *holder,
                           struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    const char *sql = "UPDATE alarms SET claim_user_id = NULL, claim_session_id = NULL,"
                      " claim_expires_at = NULL,"
                      " state = CASE state WHEN 'claimed' THEN 'new' ELSE state END WHERE id = ?";
    if (sqlite3_prepare_v2(tx->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "releasing a claim", error);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "releasing a claim", error);
    char text[160];
    snprintf(text, sizeof text, _("claim by %.63s expired: back in the queue"), holder);
    struct actor system;
    actor_system(&system);
    char detail[96];
    snprintf(detail, sizeof detail, "{\"holder\":\"%.63s\"}", holder);
    if (store_tx_timeline(tx, id, 0, "expired", text, error) ||
        store_tx_audit(tx, &system, "alarm.claim_expired", "alarm", id, detail, error))
        return STORE_ERROR;
    return store_tx_alarm_changed(tx, id, error);
}

static int claims_expire_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct claims_expire_job *job = context;
    sqlite3_stmt *st = NULL;
    const char *sql = "SELECT a.id, COALESCE(u.username,'?') FROM alarms a"
                      " LEFT JOIN users u ON u.id = a.claim_user_id"
                      " WHERE a.claim_user_id IS NOT NULL AND a.claim_expires_at <= ?"
                      /* In the index's order: ORDER BY a.id alone made SQLite
                       * walk the whole table by id, every second, in the writer. */
                      " ORDER BY a.claim_expires_at, a.id LIMIT 1000";
    if (sqlite3_prepare_v2(tx->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "finding expired claims", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    int64_t ids[1000];
    char holders[1000][64];
    int count = 0;
    while (count < 1000 && sqlite3_step(st) == SQLITE_ROW) {
        ids[count] = sqlite3_column_int64(st, 0);
        store_copy_text(holders[count], sizeof holders[count], sqlite3_column_text(st, 1));
        count++;
    }
    sqlite3_finalize(st);
    for (int i = 0; i < count; i++)
        if (release_expired(tx, ids[i], holders[i], error) != STORE_OK)
            return STORE_ERROR;
    job->released = count;
    return STORE_OK;
}

int store_claims_expire(struct store *store, int64_t now_ms, int *released_out,
                        struct store_error *error)
{
    (void)now_ms; /* the job uses its transaction's clock */
    struct claims_expire_job job = {0};
    int status = store_write(store, claims_expire_job, &job, error);
    if (released_out)
        *released_out = job.released;
    return status;
}
