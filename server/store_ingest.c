/* store_ingest.c: storing what panels and devices send, one message per
 * job in the group commit, so that an ACK waits only for its own commit.
 * A retransmission (same account, sequence and content within the window)
 * is recognised and stored once; an unknown account's events are still
 * alarms; events that need nobody are recorded closed; a disarm outside
 * the site's schedule is an early-open alarm. */
#include "server/ingest.h"
#include "server/dc09_receipts.h"
#include "server/schedule.h"
#include "server/store_panel_commands.h"
#include "server/store_engine.h"
#include "common/i18n.h"
#include "common/log.h"

#include <stdint.h>
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

/* ---- the retransmission window ----
 *
 * Receipts are appended to dc09_receipt_log in arrival order and looked up
 * in memory (dc09_receipts.c): a match there is confirmed against its row,
 * read in this transaction, so that neither a colliding fingerprint nor a
 * receipt whose job or batch was rolled back can make a new message look
 * like a retransmission. */

/* A digest that is not a SHA-256 (dc09_digest could not make one) names
 * no content: such a message is always new, stored rather than lost. */
static bool has_digest(const struct ingest_message *m)
{
    return strlen(m->digest) == INGEST_DIGEST_SIZE - 1;
}

/* The receipts of the last window, read from the log the first time a
 * message needs them (the window is the receiver's setting), so that a
 * retransmission after a restart is still recognised. */
static int receipts_load(struct store_tx *tx, int window_s, struct store_error *error)
{
    struct store *store = tx->store;
    struct dc09_receipts *receipts = dc09_receipts_create();
    sqlite3_stmt *st = NULL;
    static const char sql[] = "SELECT id, received_at, account, seq, digest FROM dc09_receipt_log"
                              " WHERE received_at >= ? ORDER BY id";
    if (!receipts) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    if (sqlite3_prepare_v2(tx->db, sql, -1, &st, NULL) != SQLITE_OK) {
        dc09_receipts_free(receipts);
        return store_sql_error(tx->db, "loading receipts", error);
    }
    sqlite3_bind_int64(st, 1, tx->now_ms - (int64_t)window_s * 1000);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *account = (const char *)sqlite3_column_text(st, 2);
        const char *digest = (const char *)sqlite3_column_text(st, 4);
        uint64_t fingerprint = dc09_receipts_fingerprint(
            account ? account : "", (unsigned)sqlite3_column_int(st, 3), digest ? digest : "");
        dc09_receipts_add(receipts, fingerprint, sqlite3_column_int64(st, 0),
                          sqlite3_column_int64(st, 1));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        dc09_receipts_free(receipts);
        store_error_set(error, "cannot load the receipts of the retransmission window");
        return STORE_ERROR;
    }
    log_info("ingest", "retransmission window: %zu receipt(s) of the last %d s loaded",
             dc09_receipts_count(receipts), window_s);
    store->receipts = receipts;
    return STORE_OK;
}

void store_ingest_receipts_free(struct store *store)
{
    dc09_receipts_free(store->receipts);
    store->receipts = NULL;
}

struct receipt_probe {
    struct store_tx *tx;
    const struct ingest_message *m;
    int rc; /* of the last read */
};

/* Is row `row_id` of the log this message's receipt? */
static bool receipt_row_matches(void *context, int64_t row_id)
{
    struct receipt_probe *probe = context;
    static const char sql[] = "SELECT account, seq, digest FROM dc09_receipt_log WHERE id = ?";
    sqlite3_stmt *st = store_tx_statement(probe->tx, sql);
    if (!st) {
        probe->rc = SQLITE_ERROR;
        return false;
    }
    sqlite3_bind_int64(st, 1, row_id);
    probe->rc = sqlite3_step(st);
    bool match = probe->rc == SQLITE_ROW &&
                 strcmp((const char *)sqlite3_column_text(st, 0), probe->m->account) == 0 &&
                 (unsigned)sqlite3_column_int(st, 1) == probe->m->seq &&
                 strcmp((const char *)sqlite3_column_text(st, 2), probe->m->digest) == 0;
    sqlite3_reset(st);
    return match;
}

static int receipt_seen(struct store_tx *tx, const struct ingest_message *m, bool *seen,
                        struct store_error *error)
{
    *seen = false;
    if (!has_digest(m))
        return STORE_OK;
    if (!tx->store->receipts && receipts_load(tx, m->dedup_window_s, error) != STORE_OK)
        return STORE_ERROR;
    struct dc09_receipts *receipts = tx->store->receipts;
    int64_t since = tx->now_ms - (int64_t)m->dedup_window_s * 1000;
    dc09_receipts_expire(receipts, since);
    struct receipt_probe probe = {tx, m, SQLITE_DONE};
    *seen = dc09_receipts_find(receipts, dc09_receipts_fingerprint(m->account, m->seq, m->digest),
                               since, receipt_row_matches, &probe);
    if (!*seen && probe.rc != SQLITE_ROW && probe.rc != SQLITE_DONE)
        return store_sql_error(tx->db, "checking retransmissions", error);
    return STORE_OK;
}

static int receipt_record(struct store_tx *tx, const struct ingest_message *m,
                          struct store_error *error)
{
    if (!has_digest(m))
        return STORE_OK;
    static const char sql[] = "INSERT INTO dc09_receipt_log(received_at, account, seq, digest)"
                              " VALUES(?,?,?,?)";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "recording a receipt", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    sqlite3_bind_text(st, 2, m->account, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, (int)m->seq);
    sqlite3_bind_text(st, 4, m->digest, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "recording a receipt", error);
    struct dc09_receipts *receipts = tx->store->receipts;
    uint64_t evicted = dc09_receipts_evicted(receipts);
    dc09_receipts_add(receipts, dc09_receipts_fingerprint(m->account, m->seq, m->digest),
                      sqlite3_last_insert_rowid(tx->db), tx->now_ms);
    uint64_t now_evicted = dc09_receipts_evicted(receipts);
    if (now_evicted != evicted && (now_evicted == 1 || now_evicted % 100000 == 0))
        log_warn("ingest",
                 "the retransmission window is full (%u receipts): %llu receipt(s) forgotten "
                 "before their window ended",
                 DC09_RECEIPTS_MAX, (unsigned long long)now_evicted);
    return STORE_OK;
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
        int64_t alarm_id = 0;
        if (store_tx_alarm_insert(tx, &system, &alarm, &alarm_id, error) != STORE_OK)
            return STORE_ERROR;
        /* An opening or closing may confirm a remote command (one test
         * of the disposition for any other event). */
        if (panel->found &&
            store_tx_panel_reported(tx, panel->site_id, event, alarm_id, error) != STORE_OK)
            return STORE_ERROR;
        m->alarms_created++;
    }
    return STORE_OK;
}

/* Replayable (store_write_async_replayable): everything it does is SQL,
 * stream events, the receipts window (where a receipt rolled back is only
 * a stale candidate, see receipt_seen) and the message's result fields,
 * set afresh here. Keep it so. */
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
    return store_write_async_replayable(store, ingest_job, message, ingest_done);
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

/* The log is in arrival order: the rows to go are those before the first
 * one still in the window, found by walking from the oldest (as many steps
 * as rows to delete) instead of scanning every row for its age. */
static int receipts_purge_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct receipts_purge_job *job = context;
    static const char first_sql[] =
        "SELECT id FROM dc09_receipt_log WHERE received_at >= ? ORDER BY id LIMIT 1";
    static const char delete_sql[] = "DELETE FROM dc09_receipt_log WHERE id < ?";
    sqlite3_stmt *st = store_tx_statement(tx, first_sql);
    if (!st)
        return store_sql_error(tx->db, "purging receipts", error);
    sqlite3_bind_int64(st, 1, job->before);
    int rc = sqlite3_step(st);
    int64_t first_kept = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : INT64_MAX;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_sql_error(tx->db, "purging receipts", error);
    st = store_tx_statement(tx, delete_sql);
    if (!st)
        return store_sql_error(tx->db, "purging receipts", error);
    sqlite3_bind_int64(st, 1, first_kept);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(tx->db, "purging receipts", error);
}

int store_ingest_receipts_purge(struct store *store, int64_t older_than_ms,
                                struct store_error *error)
{
    struct receipts_purge_job job = {older_than_ms};
    return store_write(store, receipts_purge_job, &job, error);
}
