/* store_accounts.c: DC-09 account settings and supervision. Keys are
 * never written to the audit log, only whether one is set. */
#include "server/store_accounts.h"
#include "server/store_internal.h"
#include "common/i18n.h"

#include <stdio.h>
#include <string.h>

void account_settings_defaults(struct account_settings *settings)
{
    memset(settings, 0, sizeof *settings);
    settings->window_before_s = 40;
    settings->window_after_s = 20;
}

struct account_job {
    const struct actor *actor;
    const struct account_settings *settings;
    unsigned fields;
    bool add;
};

static void bind_settings(sqlite3_stmt *st, const struct account_settings *s)
{
    sqlite3_bind_text(st, 1, s->account, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, s->site_id);
    if (s->key_hex[0])
        sqlite3_bind_text(st, 3, s->key_hex, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int(st, 4, s->window_before_s);
    sqlite3_bind_int(st, 5, s->window_after_s);
    if (s->timezone[0])
        sqlite3_bind_text(st, 6, s->timezone, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_text(st, 7, s->crc_binary ? "binary" : "ascii", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 8, s->supervision_s);
}

static int account_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct account_job *job = context;
    /* Supervision starts counting from now, not from a panel never heard. */
    static const char add_sql[] =
        "INSERT INTO panels(account, site_id, key_hex, window_before_s, window_after_s,"
        " timezone, crc_form, supervision_s, protocol, last_seen_at)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,'SIA DC-09',?10)";
    static const char set_sql[] =
        "UPDATE panels SET"
        " site_id = CASE WHEN ?9 & 1 THEN ?2 ELSE site_id END,"
        " key_hex = CASE WHEN ?9 & 2 THEN ?3 ELSE key_hex END,"
        " window_before_s = CASE WHEN ?9 & 4 THEN ?4 ELSE window_before_s END,"
        " window_after_s = CASE WHEN ?9 & 4 THEN ?5 ELSE window_after_s END,"
        " timezone = CASE WHEN ?9 & 8 THEN ?6 ELSE timezone END,"
        " crc_form = CASE WHEN ?9 & 16 THEN ?7 ELSE crc_form END,"
        " supervision_s = CASE WHEN ?9 & 32 THEN ?8 ELSE supervision_s END,"
        " last_seen_at = CASE WHEN ?9 & 32 THEN ?10 ELSE last_seen_at END"
        " WHERE account = ?1";
    sqlite3_stmt *st = store_tx_statement(tx, job->add ? add_sql : set_sql);
    if (!st)
        return store_sql_error(tx->db, "saving an account", error);
    bind_settings(st, job->settings);
    sqlite3_bind_int(st, 9, (int)job->fields);
    sqlite3_bind_int64(st, 10, tx->now_ms);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        store_error_set(error, _("account %s already exists (change it with: vigied account set)"),
                        job->settings->account);
        return STORE_CONFLICT;
    }
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY || rc == SQLITE_CONSTRAINT_NOTNULL) {
        store_error_set(error, _("no site %lld"), (long long)job->settings->site_id);
        return STORE_INVALID;
    }
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "saving an account", error);
    if (!job->add && sqlite3_changes(tx->db) == 0) {
        store_error_set(error, _("no account %s"), job->settings->account);
        return STORE_NOT_FOUND;
    }
    char detail[256];
    snprintf(detail, sizeof detail,
             "{\"account\":\"%s\",\"site_id\":%lld,\"key\":%s,\"supervision_s\":%d}",
             job->settings->account, (long long)job->settings->site_id,
             job->settings->key_hex[0] ? "\"set\"" : "null", job->settings->supervision_s);
    return store_tx_audit(tx, job->actor, job->add ? "account.add" : "account.set", "account",
                          sqlite3_last_insert_rowid(tx->db), detail, error);
}

int store_account_add(struct store *store, const struct actor *actor,
                      const struct account_settings *settings, struct store_error *error)
{
    struct account_job job = {actor, settings, ~0u, true};
    return store_write(store, account_job, &job, error);
}

int store_account_set(struct store *store, const struct actor *actor,
                      const struct account_settings *settings, unsigned fields,
                      struct store_error *error)
{
    struct account_job job = {actor, settings, fields, false};
    return store_write(store, account_job, &job, error);
}

#define ACCOUNT_SELECT                                                                             \
    "SELECT p.account, p.site_id, COALESCE(s.name,''), COALESCE(p.key_hex,''),"                    \
    " p.window_before_s, p.window_after_s, COALESCE(p.timezone,''), p.crc_form,"                   \
    " p.supervision_s, COALESCE(p.last_seen_at,0)"                                                 \
    " FROM panels p LEFT JOIN sites s ON s.id = p.site_id"

static void read_settings(sqlite3_stmt *st, struct account_settings *out)
{
    account_settings_defaults(out);
    store_copy_text(out->account, sizeof out->account, sqlite3_column_text(st, 0));
    out->site_id = sqlite3_column_int64(st, 1);
    store_copy_text(out->site_name, sizeof out->site_name, sqlite3_column_text(st, 2));
    store_copy_text(out->key_hex, sizeof out->key_hex, sqlite3_column_text(st, 3));
    out->window_before_s = sqlite3_column_int(st, 4);
    out->window_after_s = sqlite3_column_int(st, 5);
    store_copy_text(out->timezone, sizeof out->timezone, sqlite3_column_text(st, 6));
    const unsigned char *crc = sqlite3_column_text(st, 7);
    out->crc_binary = crc && strcmp((const char *)crc, "binary") == 0;
    out->supervision_s = sqlite3_column_int(st, 8);
    out->last_seen_at = sqlite3_column_int64(st, 9);
}

int store_account_get(struct store *store, const char *account, struct account_settings *out,
                      struct store_error *error)
{
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_NOT_FOUND;
    if (sqlite3_prepare_v2(db, ACCOUNT_SELECT " WHERE p.account = ?", -1, &st, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "reading an account", error);
    } else {
        sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            read_settings(st, out);
            status = STORE_OK;
        } else {
            store_error_set(error, _("no account %s"), account);
        }
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}

int store_accounts_list(struct store *store, store_account_visitor visit, void *context,
                        struct store_error *error)
{
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_OK;
    if (sqlite3_prepare_v2(db, ACCOUNT_SELECT " ORDER BY p.account", -1, &st, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "listing accounts", error);
    } else {
        struct account_settings settings;
        while (sqlite3_step(st) == SQLITE_ROW) {
            read_settings(st, &settings);
            visit(context, &settings);
        }
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}

/* ---- supervision ---- */

struct supervision_job {
    int raised;
};

static int supervision_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct supervision_job *job = context;
    static const char find_sql[] =
        "SELECT id, account, site_id, supervision_s, COALESCE(last_seen_at, 0) FROM panels"
        " WHERE supervision_s > 0 AND comm_failure_alarm_id IS NULL"
        " AND COALESCE(last_seen_at, 0) < ?1 - supervision_s * 1000 LIMIT 256";
    static const char mark_sql[] = "UPDATE panels SET comm_failure_alarm_id = ? WHERE id = ?";
    struct silent {
        int64_t panel_id, site_id, last_seen;
        int interval;
        char account[ALARM_ACCOUNT_MAX];
    } silent[256];
    int count = 0;
    sqlite3_stmt *st = store_tx_statement(tx, find_sql);
    if (!st)
        return store_sql_error(tx->db, "checking supervision", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    while (count < 256 && sqlite3_step(st) == SQLITE_ROW) {
        silent[count].panel_id = sqlite3_column_int64(st, 0);
        store_copy_text(silent[count].account, sizeof silent[count].account,
                        sqlite3_column_text(st, 1));
        silent[count].site_id = sqlite3_column_int64(st, 2);
        silent[count].interval = sqlite3_column_int(st, 3);
        silent[count].last_seen = sqlite3_column_int64(st, 4);
        count++;
    }
    sqlite3_reset(st);
    struct actor system;
    actor_system(&system);
    for (int i = 0; i < count; i++) {
        char label[ALARM_LABEL_MAX];
        snprintf(label, sizeof label, _("No signal from account %s for over %d s (supervision)"),
                 silent[i].account, silent[i].interval);
        struct alarm_new alarm = {.source = "system",
                                  .account = silent[i].account,
                                  .site_id = silent[i].site_id,
                                  .event_code = "SUPERVISION",
                                  .class_name = "communication-failure",
                                  .label = label,
                                  .priority = 2,
                                  .zone = -1};
        int64_t alarm_id = 0;
        if (store_tx_alarm_insert(tx, &system, &alarm, &alarm_id, error) != STORE_OK)
            return STORE_ERROR;
        sqlite3_stmt *mark = store_tx_statement(tx, mark_sql);
        if (!mark)
            return store_sql_error(tx->db, "marking supervision", error);
        sqlite3_bind_int64(mark, 1, alarm_id);
        sqlite3_bind_int64(mark, 2, silent[i].panel_id);
        int rc = sqlite3_step(mark);
        sqlite3_reset(mark);
        if (rc != SQLITE_DONE)
            return store_sql_error(tx->db, "marking supervision", error);
        job->raised++;
    }
    return STORE_OK;
}

int store_supervision_check(struct store *store, int *raised_out, struct store_error *error)
{
    struct supervision_job job = {0};
    int status = store_write(store, supervision_job, &job, error);
    if (raised_out)
        *raised_out = job.raised;
    return status;
}
