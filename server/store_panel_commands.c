/* store_panel_commands.c: panel commands from their creation by an
 * operator to their end as the tracker saw it. One command at a time per
 * panel: a second one while the first is pending is refused, so two
 * operators never race on one panel (and a TPI takes one client). */
#include "server/store_panel_internal.h"
#include "common/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pending commands one job gives up at start or stop; more wait for the
 * next call (there is one tracker and it has a bounded number in flight). */
#define PANEL_ABANDON_BATCH 64

const char *store_panel_command_words(enum panel_command_kind kind)
{
    switch (kind) {
    case PANEL_COMMAND_ARM_AWAY:
        return _("arm away");
    case PANEL_COMMAND_ARM_STAY:
        return _("arm stay");
    case PANEL_COMMAND_DISARM:
        return _("disarm");
    case PANEL_COMMAND_BYPASS_ZONE:
        return _("zone bypass");
    default:
        return "?";
    }
}

int store_tx_panel_site_state(struct store_tx *tx, int64_t site_id, enum panel_arm_state state,
                              struct store_error *error)
{
    static const char sql[] =
        "UPDATE sites SET arm_state = ?1, arm_since = ?2 WHERE id = ?3 AND arm_state <> ?1";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "updating the arm state", error);
    sqlite3_bind_text(st, 1, panel_arm_state_name(state), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, tx->now_ms);
    sqlite3_bind_int64(st, 3, site_id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "updating the arm state", error);
    if (sqlite3_changes(tx->db) == 0)
        return STORE_OK;
    char data[128];
    snprintf(data, sizeof data, "{\"site_id\":%lld,\"arm_state\":\"%s\"}", (long long)site_id,
             panel_arm_state_name(state));
    return store_tx_event(tx, "site", 0, data) > 0 ? STORE_OK
                                                   : store_sql_error(tx->db, "site event", error);
}

int store_tx_panel_record(struct store_tx *tx, const struct panel_command_row *row,
                          const struct actor *actor, const char *action, const char *timeline,
                          cJSON *detail, struct store_error *error)
{
    int status = STORE_OK;
    if (row->alarm_id > 0) {
        status = store_tx_timeline(tx, row->alarm_id, actor->user_id, "panel", timeline, error);
        if (status == STORE_OK)
            status = store_tx_alarm_changed(tx, row->alarm_id, error);
    }
    char *text = NULL;
    if (status == STORE_OK && detail) {
        cJSON_AddNumberToObject(detail, "site_id", (double)row->site_id);
        cJSON_AddStringToObject(detail, "command", panel_command_name(row->kind));
        text = cJSON_PrintUnformatted(detail);
        if (!text) {
            store_error_set(error, "out of memory");
            status = STORE_ERROR;
        }
    }
    cJSON_Delete(detail);
    if (status == STORE_OK)
        status = store_tx_audit(tx, actor, action, "panel_command", row->id, text, error);
    free(text);
    return status;
}

/* ---- creation ---- */

struct create_job {
    const struct actor *actor;
    const struct panel_command_new *command;
    int64_t id;
};

static int site_exists(struct store_tx *tx, int64_t site_id, struct store_error *error)
{
    static const char sql[] = "SELECT 1 FROM sites WHERE id = ?";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "finding a site", error);
    sqlite3_bind_int64(st, 1, site_id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        store_error_set(error, _("no site %lld"), (long long)site_id);
        return STORE_NOT_FOUND;
    }
    return rc == SQLITE_ROW ? STORE_OK : store_sql_error(tx->db, "finding a site", error);
}

/* The site's linked panel, and whether its link can carry the command.
 * The secrets are read for the driver's check and wiped at once. */
static int link_can_carry(struct store_tx *tx, const struct panel_command_new *command,
                          int64_t *panel_id, struct store_error *error)
{
    static const char sql[] =
        "SELECT p.id, l.protocol, l.address, l.partition_number, l.password, l.user_code"
        " FROM panels p JOIN panel_links l ON l.panel_id = p.id WHERE p.site_id = ?"
        " ORDER BY p.id LIMIT 1";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "finding a panel link", error);
    sqlite3_bind_int64(st, 1, command->site_id);
    struct panel_link link = {0};
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *panel_id = sqlite3_column_int64(st, 0);
        store_copy_text(link.protocol, sizeof link.protocol, sqlite3_column_text(st, 1));
        store_copy_text(link.address, sizeof link.address, sqlite3_column_text(st, 2));
        link.partition = sqlite3_column_int(st, 3);
        store_copy_text(link.password, sizeof link.password, sqlite3_column_text(st, 4));
        store_copy_text(link.user_code, sizeof link.user_code, sqlite3_column_text(st, 5));
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        store_error_set(error,
                        _("site %lld has no panel connection: an administrator sets one with "
                          "vigied panel set ACCOUNT --protocol tpi --address HOST:PORT"),
                        (long long)command->site_id);
        return STORE_INVALID;
    }
    if (rc != SQLITE_ROW)
        return store_sql_error(tx->db, "finding a panel link", error);
    const struct panel_driver *driver = panel_driver_find(link.protocol);
    struct panel_request request = {command->kind, command->zone};
    char why[256] = "";
    bool ok = driver && driver->check(&link, &request, why, sizeof why);
    explicit_bzero(&link, sizeof link);
    if (!driver)
        store_error_set(error, _("no driver for the panel's protocol"));
    else if (!ok)
        store_error_set(error, "%s", why);
    return ok ? STORE_OK : STORE_INVALID;
}

static int alarm_of_site(struct store_tx *tx, const struct panel_command_new *command,
                         struct store_error *error)
{
    static const char sql[] = "SELECT COALESCE(site_id, 0) FROM alarms WHERE id = ?";
    if (command->alarm_id <= 0)
        return STORE_OK;
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "finding an alarm", error);
    sqlite3_bind_int64(st, 1, command->alarm_id);
    int rc = sqlite3_step(st);
    int64_t site_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_sql_error(tx->db, "finding an alarm", error);
    if (rc == SQLITE_DONE || site_id != command->site_id) {
        store_error_set(error, _("alarm %lld is not an alarm of site %lld"),
                        (long long)command->alarm_id, (long long)command->site_id);
        return STORE_INVALID;
    }
    return STORE_OK;
}

static int none_pending(struct store_tx *tx, int64_t site_id, struct store_error *error)
{
    /* A pending command has no report yet: the partial index covers it. */
    static const char sql[] =
        "SELECT id, command FROM panel_commands WHERE site_id = ? AND reported_at IS NULL"
        " AND state IN('pending','confirmed','timed-out') AND state = 'pending' LIMIT 1";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "checking pending commands", error);
    sqlite3_bind_int64(st, 1, site_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        store_error_set(error,
                        _("command %lld (%s) for this site's panel is still pending: wait for "
                          "its answer"),
                        (long long)sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1));
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return STORE_CONFLICT;
    return rc == SQLITE_DONE ? STORE_OK
                             : store_sql_error(tx->db, "checking pending commands", error);
}

static int insert_command(struct store_tx *tx, const struct create_job *job, int64_t panel_id,
                          struct store_error *error)
{
    static const char sql[] =
        "INSERT INTO panel_commands(site_id, panel_id, alarm_id, command, zone, state, user_id,"
        " username, created_at) VALUES(?,?,?,?,?,'pending',?,?,?)";
    const struct panel_command_new *command = job->command;
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "recording a panel command", error);
    sqlite3_bind_int64(st, 1, command->site_id);
    sqlite3_bind_int64(st, 2, panel_id);
    if (command->alarm_id > 0)
        sqlite3_bind_int64(st, 3, command->alarm_id);
    sqlite3_bind_text(st, 4, panel_command_name(command->kind), -1, SQLITE_STATIC);
    if (command->kind == PANEL_COMMAND_BYPASS_ZONE)
        sqlite3_bind_int(st, 5, command->zone);
    if (job->actor->user_id > 0)
        sqlite3_bind_int64(st, 6, job->actor->user_id);
    sqlite3_bind_text(st, 7, job->actor->username, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, tx->now_ms);
    int rc = sqlite3_step(st);
    sqlite3_clear_bindings(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "recording a panel command", error);
    return STORE_OK;
}

static int create_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct create_job *job = context;
    const struct panel_command_new *command = job->command;
    int64_t panel_id = 0;
    int status = site_exists(tx, command->site_id, error);
    if (status == STORE_OK)
        status = link_can_carry(tx, command, &panel_id, error);
    if (status == STORE_OK)
        status = alarm_of_site(tx, command, error);
    if (status == STORE_OK)
        status = none_pending(tx, command->site_id, error);
    if (status == STORE_OK)
        status = insert_command(tx, job, panel_id, error);
    if (status != STORE_OK)
        return status;
    job->id = sqlite3_last_insert_rowid(tx->db);
    struct panel_command_row row = {.id = job->id,
                                    .site_id = command->site_id,
                                    .alarm_id = command->alarm_id,
                                    .kind = command->kind,
                                    .zone = command->zone};
    char timeline[256];
    if (command->kind == PANEL_COMMAND_BYPASS_ZONE)
        snprintf(timeline, sizeof timeline, _("bypass of zone %d sent to the panel (command %lld)"),
                 command->zone, (long long)job->id);
    else
        snprintf(timeline, sizeof timeline, _("%s sent to the panel (command %lld)"),
                 store_panel_command_words(command->kind), (long long)job->id);
    cJSON *detail = cJSON_CreateObject();
    if (command->kind == PANEL_COMMAND_BYPASS_ZONE)
        cJSON_AddNumberToObject(detail, "zone", command->zone);
    if (command->alarm_id > 0)
        cJSON_AddNumberToObject(detail, "alarm_id", (double)command->alarm_id);
    return store_tx_panel_record(tx, &row, job->actor, "panel.command", timeline, detail, error);
}

int store_panel_command_create(struct store *store, const struct actor *actor,
                               const struct panel_command_new *command, int64_t *id_out,
                               struct store_error *error)
{
    struct create_job job = {actor, command, 0};
    int status = store_write(store, create_job, &job, error);
    if (status == STORE_OK && id_out)
        *id_out = job.id;
    return status;
}

/* ---- the tracker's reads and writes ---- */

int store_panel_command_load(struct store *store, int64_t id, struct panel_command *command,
                             struct panel_link *link, struct store_error *error)
{
    static const char sql[] =
        "SELECT c.id, c.site_id, c.panel_id, COALESCE(c.alarm_id, 0), c.command,"
        " COALESCE(c.zone, 0), c.state, c.created_at, COALESCE(l.protocol, ''),"
        " COALESCE(l.address, ''), COALESCE(l.partition_number, 1), COALESCE(l.password, ''),"
        " COALESCE(l.user_code, '')"
        " FROM panel_commands c LEFT JOIN panel_links l ON l.panel_id = c.panel_id"
        " WHERE c.id = ?";
    memset(command, 0, sizeof *command);
    memset(link, 0, sizeof *link);
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_OK;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "reading a panel command", error);
    } else {
        sqlite3_bind_int64(st, 1, id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            command->id = sqlite3_column_int64(st, 0);
            command->site_id = sqlite3_column_int64(st, 1);
            command->panel_id = sqlite3_column_int64(st, 2);
            command->alarm_id = sqlite3_column_int64(st, 3);
            if (!panel_command_parse((const char *)sqlite3_column_text(st, 4), &command->kind))
                command->kind = PANEL_COMMAND_COUNT;
            command->zone = sqlite3_column_int(st, 5);
            store_copy_text(command->state, sizeof command->state, sqlite3_column_text(st, 6));
            command->created_at = sqlite3_column_int64(st, 7);
            store_copy_text(link->protocol, sizeof link->protocol, sqlite3_column_text(st, 8));
            store_copy_text(link->address, sizeof link->address, sqlite3_column_text(st, 9));
            link->partition = sqlite3_column_int(st, 10);
            store_copy_text(link->password, sizeof link->password, sqlite3_column_text(st, 11));
            store_copy_text(link->user_code, sizeof link->user_code, sqlite3_column_text(st, 12));
        } else if (rc == SQLITE_DONE) {
            store_error_set(error, _("no panel command %lld"), (long long)id);
            status = STORE_NOT_FOUND;
        } else {
            status = store_sql_error(db, "reading a panel command", error);
        }
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}

static int read_row(struct store_tx *tx, int64_t id, struct panel_command_row *row,
                    struct store_error *error)
{
    static const char sql[] =
        "SELECT site_id, COALESCE(alarm_id, 0), command, COALESCE(zone, 0), state, username,"
        " reported_at IS NOT NULL FROM panel_commands WHERE id = ?";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "reading a panel command", error);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *row = (struct panel_command_row){.id = id};
        row->site_id = sqlite3_column_int64(st, 0);
        row->alarm_id = sqlite3_column_int64(st, 1);
        panel_command_parse((const char *)sqlite3_column_text(st, 2), &row->kind);
        row->zone = sqlite3_column_int(st, 3);
        store_copy_text(row->state, sizeof row->state, sqlite3_column_text(st, 4));
        store_copy_text(row->username, sizeof row->username, sqlite3_column_text(st, 5));
        row->reported = sqlite3_column_int(st, 6) != 0;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        store_error_set(error, _("no panel command %lld"), (long long)id);
        return STORE_NOT_FOUND;
    }
    return rc == SQLITE_ROW ? STORE_OK : store_sql_error(tx->db, "reading a panel command", error);
}

static int update_end(struct store_tx *tx, int64_t id, const struct panel_command_end *end,
                      bool pending, struct store_error *error)
{
    /* A command a DC-09 report confirmed first keeps its state; the
     * panel's answer is recorded beside it. */
    static const char sql[] =
        "UPDATE panel_commands SET state = CASE WHEN ?5 THEN ?1 ELSE state END,"
        " answered_at = CASE WHEN ?2 IS NOT NULL THEN ?4 ELSE answered_at END,"
        " answer = COALESCE(?2, answer), message = CASE WHEN ?5 THEN ?3 ELSE message END,"
        " finished_at = CASE WHEN ?5 THEN ?4 ELSE finished_at END WHERE id = ?6";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "ending a panel command", error);
    sqlite3_bind_text(st, 1, end->state, -1, SQLITE_STATIC);
    if (end->answer)
        sqlite3_bind_text(st, 2, end->answer, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    if (end->message)
        sqlite3_bind_text(st, 3, end->message, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int64(st, 4, tx->now_ms);
    sqlite3_bind_int(st, 5, pending);
    sqlite3_bind_int64(st, 6, id);
    int rc = sqlite3_step(st);
    sqlite3_clear_bindings(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(tx->db, "ending a panel command", error);
}

static void end_timeline(const struct panel_command_row *row, const struct panel_command_end *end,
                         bool pending, char *out, size_t size)
{
    const char *what = store_panel_command_words(row->kind);
    const char *answer = end->answer ? end->answer : "";
    const char *why = end->message ? end->message : answer;
    if (!pending)
        snprintf(out, size, _("%s: the panel answered too: %s"), what, answer);
    else if (strcmp(end->state, "confirmed") == 0)
        snprintf(out, size, _("%s confirmed by the panel: %s"), what, answer);
    else if (strcmp(end->state, "refused") == 0)
        snprintf(out, size, _("%s refused by the panel: %s"), what, why);
    else if (strcmp(end->state, "timed-out") == 0)
        snprintf(out, size, _("%s timed out: %s"), what, why);
    else
        snprintf(out, size, _("%s failed: %s"), what, why);
}

static int finish_one(struct store_tx *tx, int64_t id, const struct panel_command_end *end,
                      struct store_error *error)
{
    struct panel_command_row row;
    int status = read_row(tx, id, &row, error);
    if (status != STORE_OK)
        return status;
    bool pending = strcmp(row.state, "pending") == 0;
    /* Only a pending command ends; a confirmed one may still get the
     * panel's answer recorded; anything else has said its last word. */
    if (!pending && !(strcmp(row.state, "confirmed") == 0 && end->answer &&
                      strcmp(end->state, "confirmed") == 0))
        return STORE_OK;
    status = update_end(tx, id, end, pending, error);
    if (status == STORE_OK && pending && strcmp(end->state, "confirmed") == 0 &&
        end->armed != PANEL_STATE_UNKNOWN)
        status = store_tx_panel_site_state(tx, row.site_id, end->armed, error);
    if (status != STORE_OK)
        return status;
    char timeline[ALARM_NOTE_MAX];
    end_timeline(&row, end, pending, timeline, sizeof timeline);
    char action[48];
    snprintf(action, sizeof action, "panel.command.%s", pending ? end->state : "answered");
    cJSON *detail = cJSON_CreateObject();
    if (end->answer)
        cJSON_AddStringToObject(detail, "answer", end->answer);
    if (end->message)
        cJSON_AddStringToObject(detail, "message", end->message);
    struct actor system;
    actor_system(&system);
    return store_tx_panel_record(tx, &row, &system, action, timeline, detail, error);
}

struct finish_job {
    int64_t id;
    const struct panel_command_end *end;
};

static int finish_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct finish_job *job = context;
    return finish_one(tx, job->id, job->end, error);
}

int store_panel_command_finish(struct store *store, int64_t id, const struct panel_command_end *end,
                               struct store_error *error)
{
    struct finish_job job = {id, end};
    return store_write(store, finish_job, &job, error);
}

struct abandon_job {
    const char *why;
    int count;
};

static int abandon_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct abandon_job *job = context;
    static const char sql[] = "SELECT id FROM panel_commands WHERE reported_at IS NULL"
                              " AND state IN('pending','confirmed','timed-out')"
                              " AND state = 'pending' ORDER BY id LIMIT ?";
    int64_t ids[PANEL_ABANDON_BATCH];
    int count = 0;
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "finding pending commands", error);
    sqlite3_bind_int(st, 1, PANEL_ABANDON_BATCH);
    while (count < PANEL_ABANDON_BATCH && sqlite3_step(st) == SQLITE_ROW)
        ids[count++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    struct panel_command_end end = {.state = "failed", .message = job->why};
    for (int i = 0; i < count; i++)
        if (finish_one(tx, ids[i], &end, error) != STORE_OK)
            return STORE_ERROR;
    job->count += count;
    return STORE_OK;
}

int store_panel_commands_abandon(struct store *store, const char *why, int *count,
                                 struct store_error *error)
{
    struct abandon_job job = {why, 0};
    int before;
    int status;
    do {
        before = job.count;
        status = store_write(store, abandon_job, &job, error);
    } while (status == STORE_OK && job.count - before == PANEL_ABANDON_BATCH);
    if (count)
        *count = job.count;
    return status;
}
