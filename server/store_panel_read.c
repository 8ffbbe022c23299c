/* store_panel_read.c: a site's panel as an operator reads it: its arm
 * state and since when, how it is reached (never the secrets: only
 * whether they are set), and its recent commands with the panel's answer
 * and the DC-09 report of each. One read transaction, so the parts agree. */
#include "server/store_internal.h"
#include "server/store_panel_commands.h"
#include "common/clock.h"

#include <string.h>

static void add_time(cJSON *object, const char *name, sqlite3_stmt *st, int column)
{
    if (sqlite3_column_type(st, column) == SQLITE_NULL) {
        cJSON_AddNullToObject(object, name);
        return;
    }
    char text[CLOCK_RFC3339_SIZE];
    clock_format_rfc3339(sqlite3_column_int64(st, column), text);
    cJSON_AddStringToObject(object, name, text);
}

static void add_text(cJSON *object, const char *name, sqlite3_stmt *st, int column)
{
    const unsigned char *text = sqlite3_column_text(st, column);
    if (text && text[0])
        cJSON_AddStringToObject(object, name, (const char *)text);
    else
        cJSON_AddNullToObject(object, name);
}

static void add_id(cJSON *object, const char *name, sqlite3_stmt *st, int column)
{
    if (sqlite3_column_type(st, column) == SQLITE_NULL)
        cJSON_AddNullToObject(object, name);
    else
        cJSON_AddNumberToObject(object, name, (double)sqlite3_column_int64(st, column));
}

static int read_site(sqlite3 *db, int64_t site_id, cJSON *out, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT arm_state, arm_since FROM sites WHERE id = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return store_sql_error(db, "reading a site", error);
    sqlite3_bind_int64(st, 1, site_id);
    int rc = sqlite3_step(st);
    int status = STORE_OK;
    if (rc == SQLITE_ROW) {
        cJSON_AddNumberToObject(out, "site_id", (double)site_id);
        enum panel_arm_state state = PANEL_STATE_UNKNOWN;
        panel_arm_state_parse((const char *)sqlite3_column_text(st, 0), &state);
        cJSON_AddStringToObject(out, "arm_state", panel_arm_state_name(state));
        add_time(out, "arm_since", st, 1);
    } else if (rc == SQLITE_DONE) {
        store_error_set(error, "no site %lld", (long long)site_id);
        status = STORE_NOT_FOUND;
    } else {
        status = store_sql_error(db, "reading a site", error);
    }
    sqlite3_finalize(st);
    return status;
}

static int read_link(sqlite3 *db, int64_t site_id, cJSON *out, struct store_error *error)
{
    static const char sql[] =
        "SELECT p.account, l.protocol, l.address, l.partition_number, l.password <> '',"
        " l.user_code <> '', l.updated_at FROM panels p JOIN panel_links l ON l.panel_id = p.id"
        " WHERE p.site_id = ? ORDER BY p.id LIMIT 1";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(db, "reading a panel link", error);
    sqlite3_bind_int64(st, 1, site_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        cJSON *link = cJSON_AddObjectToObject(out, "link");
        add_text(link, "account", st, 0);
        add_text(link, "protocol", st, 1);
        const struct panel_driver *driver =
            panel_driver_find((const char *)sqlite3_column_text(st, 1));
        if (driver)
            cJSON_AddStringToObject(link, "title", driver->title);
        else
            cJSON_AddNullToObject(link, "title");
        add_text(link, "address", st, 2);
        cJSON_AddNumberToObject(link, "partition", sqlite3_column_int(st, 3));
        cJSON_AddBoolToObject(link, "password_set", sqlite3_column_int(st, 4) != 0);
        cJSON_AddBoolToObject(link, "code_set", sqlite3_column_int(st, 5) != 0);
        add_time(link, "updated_at", st, 6);
    } else {
        cJSON_AddNullToObject(out, "link");
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? STORE_OK
               : store_sql_error(db, "reading a panel link", error);
}

static int read_commands(sqlite3 *db, int64_t site_id, int limit, cJSON *out,
                         struct store_error *error)
{
    static const char sql[] =
        "SELECT id, command, zone, state, alarm_id, username, created_at, answered_at, answer,"
        " reported_at, report_alarm_id, finished_at, message FROM panel_commands"
        " WHERE site_id = ? ORDER BY id DESC LIMIT ?";
    cJSON *commands = cJSON_AddArrayToObject(out, "commands");
    sqlite3_stmt *st = NULL;
    if (!commands || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(db, "reading panel commands", error);
    sqlite3_bind_int64(st, 1, site_id);
    sqlite3_bind_int(st, 2, limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *item = cJSON_CreateObject();
        cJSON_AddNumberToObject(item, "id", (double)sqlite3_column_int64(st, 0));
        add_text(item, "command", st, 1);
        add_id(item, "zone", st, 2);
        add_text(item, "state", st, 3);
        add_id(item, "alarm_id", st, 4);
        add_text(item, "requested_by", st, 5);
        add_time(item, "requested_at", st, 6);
        add_time(item, "answered_at", st, 7);
        add_text(item, "answer", st, 8);
        add_time(item, "reported_at", st, 9);
        add_id(item, "report_alarm_id", st, 10);
        add_time(item, "finished_at", st, 11);
        add_text(item, "message", st, 12);
        cJSON_AddItemToArray(commands, item);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(db, "reading panel commands", error);
}

int store_site_panel_json(struct store *store, int64_t site_id, int limit, cJSON **out,
                          struct store_error *error)
{
    *out = NULL;
    if (limit < 0 || limit > PANEL_COMMANDS_RECENT_MAX)
        limit = PANEL_COMMANDS_RECENT_MAX;
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    cJSON *panel = cJSON_CreateObject();
    int status = panel ? store_exec(db, "BEGIN", error) : STORE_ERROR;
    if (!panel)
        store_error_set(error, "out of memory");
    if (status == STORE_OK) {
        status = read_site(db, site_id, panel, error);
        if (status == STORE_OK)
            status = read_link(db, site_id, panel, error);
        if (status == STORE_OK)
            status = read_commands(db, site_id, limit, panel, error);
        store_exec(db, "COMMIT", NULL);
    }
    store_reader_release(store, db);
    if (status != STORE_OK) {
        cJSON_Delete(panel);
        return status;
    }
    *out = panel;
    return STORE_OK;
}
