/* store_ingest.c: storing what panels and devices send, one message per
 * job in the group commit, so that an ACK waits only for its own commit.
 * A retransmission (same account, sequence and content within the window)
 * is recognised and stored once; an unknown account's events are still
 * alarms; events that need nobody are recorded closed; a disarm outside
 * the site's schedule is an early-open alarm. */
#include "server/ingest.h"
#include "server/schedule.h"
#include "server/store_internal.h"
#include "common/i18n.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct panel_info {
    bool found;
    int64_t id, site_id, comm_failure_alarm_id;
    char schedule[256];
    char timezone[64];
};

static int panel_lookup(struct store_tx *tx, const char *account, struct panel_info *panel,
                        struct store_error *error)
{
    static const char sql[] =
        "SELECT p.id, p.site_id, COALESCE(p.comm_failure_alarm_id, 0), COALESCE(s.schedule, ''),"
        " COALESCE(p.timezone, s.timezone, 'Europe/Paris')"
        " FROM panels p JOIN sites s ON s.id = p.site_id WHERE p.account = ?";
    memset(panel, 0, sizeof *panel);
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "finding an account", error);
    sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        panel->found = true;
        panel->id = sqlite3_column_int64(st, 0);
        panel->site_id = sqlite3_column_int64(st, 1);
        panel->comm_failure_alarm_id = sqlite3_column_int64(st, 2);
        store_copy_text(panel->schedule, sizeof panel->schedule, sqlite3_column_text(st, 3));
        store_copy_text(panel->timezone, sizeof panel->timezone, sqlite3_column_text(st, 4));
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_sql_error(tx->db, "finding an account", error);
    return STORE_OK;
}

static int receipt_seen(struct store_tx *tx, const struct ingest_message *m, bool *seen,
                        struct store_error *error)
{
    static const char sql[] = "SELECT 1 FROM dc09_receipts WHERE account = ? AND seq = ?"
                              " AND digest = ? AND received_at >= ?";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "checking retransmissions", error);
    sqlite3_bind_text(st, 1, m->account, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)m->seq);
    sqlite3_bind_text(st, 3, m->digest, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, tx->now_ms - (int64_t)m->dedup_window_s * 1000);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_sql_error(tx->db, "checking retransmissions", error);
    *seen = rc == SQLITE_ROW;
    return STORE_OK;
}

static int receipt_record(struct store_tx *tx, const struct ingest_message *m,
                          struct store_error *error)
{
    /* REPLACE: the same triple older than the window is a new message. */
    static const char sql[] = "INSERT OR REPLACE INTO dc09_receipts(account, seq, digest,"
                              " received_at) VALUES(?,?,?,?)";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "recording a receipt", error);
    sqlite3_bind_text(st, 1, m->account, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)m->seq);
    sqlite3_bind_text(st, 3, m->digest, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, tx->now_ms);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(tx->db, "recording a receipt", error);
}

/* A sign of life; if the account had gone silent, its failure alarm stays
 * open for the operator and gets a timeline entry saying it is back. */
static int panel_heard(struct store_tx *tx, struct panel_info *panel, struct store_error *error)
{
    static const char sql[] = "UPDATE panels SET last_seen_at = ?1, comm_failure_alarm_id = NULL"
                              " WHERE id = ?2 AND (last_seen_at IS NULL OR last_seen_at < ?1 - 1000"
                              " OR comm_failure_alarm_id IS NOT NULL)";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "updating an account", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    sqlite3_bind_int64(st, 2, panel->id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "updating an account", error);
    if (panel->comm_failure_alarm_id == 0)
        return STORE_OK;
    int64_t alarm_id = panel->comm_failure_alarm_id;
    panel->comm_failure_alarm_id = 0;
    if (store_tx_timeline(tx, alarm_id, 0, "restored",
                          _("communication restored: the account is reporting again"),
                          error) != STORE_OK)
        return STORE_ERROR;
    return store_tx_alarm_changed(tx, alarm_id, error);
}

static int site_arm_state(struct store_tx *tx, int64_t site_id, const char *state,
                          struct store_error *error)
{
    static const char sql[] = "UPDATE sites SET arm_state = ?, arm_since = ? WHERE id = ?";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "updating the arm state", error);
    sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, tx->now_ms);
    sqlite3_bind_int64(st, 3, site_id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "updating the arm state", error);
    char data[128];
    snprintf(data, sizeof data, "{\"site_id\":%lld,\"arm_state\":\"%s\"}", (long long)site_id,
             state);
    return store_tx_event(tx, "site", 0, data) > 0 ? STORE_OK
                                                   : store_sql_error(tx->db, "site event", error);
}

static bool open_is_early(const struct panel_info *panel, int64_t now_ms, int grace_minutes)
{
    if (!panel->schedule[0])
        return false; /* no opening hours known: nothing to compare with */
    struct schedule schedule;
    char why[160];
    bool early = false;
    if (!schedule_parse(panel->schedule, &schedule, why, sizeof why) ||
        !schedule_open_is_early(&schedule, panel->timezone, now_ms, grace_minutes, &early, why,
                                sizeof why)) {
        log_warn("ingest", "site %lld: cannot read its schedule \"%s\": %s",
                 (long long)panel->site_id, panel->schedule, why);
        return false;
    }
    return early;
}

/* Fills what an event becomes: open in the queue, or recorded closed. */
static void event_to_alarm(const struct ingest_message *m, const struct ingest_event *event,
                           const struct panel_info *panel, bool early_open, struct alarm_new *alarm)
{
    *alarm = (struct alarm_new){
        .source = m->source,
        .account = m->account,
        .site_id = panel->found ? panel->site_id : 0,
        .event_code = event->event_code,
        .class_name = event->class_name,
        .label = event->label,
        .priority = event->priority,
        .zone = event->zone,
        .raw = m->raw,
    };
    if (!panel->found)
        alarm->flags |= ALARM_FLAG_UNKNOWN_ACCOUNT;
    if (early_open) {
        alarm->flags |= ALARM_FLAG_EARLY_OPEN;
        /* Possibly a worker disarming under threat: treat as a hold-up. */
        alarm->priority = alarm->priority < 2 ? alarm->priority : 2;
        alarm->note = _("early open: disarmed outside the site's opening hours");
        return;
    }
    /* An unknown account's events all need someone: nothing is closed. */
    if (panel->found && !event_disposition_needs_operator(event->disposition))
        alarm->closed_resolution = "no-action-needed";
}

static int store_events(struct store_tx *tx, struct ingest_message *m, struct panel_info *panel,
                        struct store_error *error)
{
    struct actor system;
    actor_system(&system);
    for (int i = 0; i < m->event_count; i++) {
        const struct ingest_event *event = &m->events[i];
        bool early = false;
        if (panel->found && event->disposition == EVENT_DISPOSITION_OPEN) {
            early = open_is_early(panel, tx->now_ms, m->early_open_grace_min);
            if (site_arm_state(tx, panel->site_id, "disarmed", error) != STORE_OK)
                return STORE_ERROR;
        } else if (panel->found && event->disposition == EVENT_DISPOSITION_CLOSE) {
            if (site_arm_state(tx, panel->site_id, "armed", error) != STORE_OK)
                return STORE_ERROR;
        }
        struct alarm_new alarm;
        event_to_alarm(m, event, panel, early, &alarm);
        if (store_tx_alarm_insert(tx, &system, &alarm, NULL, error) != STORE_OK)
            return STORE_ERROR;
        m->alarms_created++;
    }
    return STORE_OK;
}

static int ingest_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct ingest_message *m = context;
    m->duplicate = false;
    m->alarms_created = 0;
    if (!m->supervision_only) {
        bool seen = false;
        if (receipt_seen(tx, m, &seen, error) != STORE_OK)
            return STORE_ERROR;
        if (seen) {
            m->duplicate = true;
            return STORE_OK; /* ACKed again, stored once */
        }
    }
    struct panel_info panel;
    if (panel_lookup(tx, m->account, &panel, error) != STORE_OK)
        return STORE_ERROR;
    m->unknown_account = !panel.found;
    if (panel.found && panel_heard(tx, &panel, error) != STORE_OK)
        return STORE_ERROR;
    if (m->supervision_only)
        return STORE_OK;
    if (store_events(tx, m, &panel, error) != STORE_OK)
        return STORE_ERROR;
    return receipt_record(tx, m, error);
}

static void ingest_done(void *context, int status, const struct store_error *error)
{
    struct ingest_message *m = context;
    m->done(m, status, error);
}

int store_ingest_submit(struct store *store, struct ingest_message *message)
{
    return store_write_async(store, ingest_job, message, ingest_done);
}

/* ---- unreadable frames ---- */

struct unreadable_job {
    char source[ALARM_SOURCE_MAX];
    char peer[INGEST_PEER_MAX];
    char account[ALARM_ACCOUNT_MAX];
    char reason_code[ALARM_CODE_MAX];
    char label[ALARM_LABEL_MAX];
    char frame[ALARM_RAW_MAX];
};

/* Raises the account's technical alarm unless one for the same reason is
 * still open, so that a panel repeating itself raises it once. */
static int raise_notice(struct store_tx *tx, const struct unreadable_job *job,
                        struct store_error *error)
{
    static const char sql[] = "SELECT 1 FROM alarms WHERE account = ? AND event_code = ?"
                              " AND source = 'system' AND state <> 'closed'";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "checking notices", error);
    sqlite3_bind_text(st, 1, job->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, job->reason_code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    struct panel_info panel;
    if (panel_lookup(tx, job->account, &panel, error) != STORE_OK)
        return STORE_ERROR;
    struct actor system;
    actor_system(&system);
    struct alarm_new alarm = {
        .source = "system",
        .account = job->account,
        .site_id = panel.found ? panel.site_id : 0,
        .event_code = job->reason_code,
        .class_name = "technical",
        .label = job->label,
        .priority = 3,
        .zone = -1,
        .raw = job->frame,
        .flags = panel.found ? 0 : ALARM_FLAG_UNKNOWN_ACCOUNT,
    };
    return store_tx_alarm_insert(tx, &system, &alarm, NULL, error);
}

static int unreadable_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct unreadable_job *job = context;
    static const char sql[] = "INSERT INTO raw_frames(received_at, source, peer, account,"
                              " reason, frame) VALUES(?,?,?,?,?,?)";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "keeping a raw frame", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    sqlite3_bind_text(st, 2, job->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, job->peer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, job->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, job->reason_code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, job->frame, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "keeping a raw frame", error);
    return raise_notice(tx, job, error);
}

static void unreadable_done(void *context, int status, const struct store_error *error)
{
    struct unreadable_job *job = context;
    if (status != STORE_OK)
        log_error("ingest", "cannot keep an unreadable frame from %s (account %s): %s", job->peer,
                  job->account, error->message);
    free(job);
}

int store_ingest_unreadable(struct store *store, const char *source, const char *peer,
                            const char *account, const char *reason_code, const char *label,
                            const char *frame)
{
    struct unreadable_job *job = calloc(1, sizeof *job);
    if (!job)
        return STORE_ERROR;
    snprintf(job->source, sizeof job->source, "%s", source);
    snprintf(job->peer, sizeof job->peer, "%s", peer);
    snprintf(job->account, sizeof job->account, "%s", account);
    snprintf(job->reason_code, sizeof job->reason_code, "%s", reason_code);
    snprintf(job->label, sizeof job->label, "%s", label);
    snprintf(job->frame, sizeof job->frame, "%s", frame);
    int status = store_write_async(store, unreadable_job, job, unreadable_done);
    if (status != STORE_OK)
        free(job);
    return status;
}

struct receipts_purge_job {
    int64_t before;
};

static int receipts_purge_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct receipts_purge_job *job = context;
    static const char sql[] = "DELETE FROM dc09_receipts WHERE received_at < ?";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "purging receipts", error);
    sqlite3_bind_int64(st, 1, job->before);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(tx->db, "purging receipts", error);
}

int store_ingest_receipts_purge(struct store *store, int64_t older_than_ms,
                                struct store_error *error)
{
    struct receipts_purge_job job = {older_than_ms};
    return store_write(store, receipts_purge_job, &job, error);
}
