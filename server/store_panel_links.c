/* store_panel_links.c: how vigied reaches each panel's control interface.
 * The password and the user code are written here and read only by
 * store_panel_command_load (the tracker): lists give whether they are
 * set, audit rows whether they changed, never their values. */
#include "server/store_internal.h"
#include "server/store_panel_commands.h"
#include "common/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct link_job {
    const struct actor *actor;
    const char *account;
    const struct panel_link *link;
    unsigned fields;
    bool remove;
};

static int find_panel(struct store_tx *tx, const char *account, int64_t *panel_id, bool *linked,
                      struct store_error *error)
{
    static const char sql[] = "SELECT p.id, l.panel_id IS NOT NULL FROM panels p"
                              " LEFT JOIN panel_links l ON l.panel_id = p.id WHERE p.account = ?";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "finding a panel", error);
    sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *panel_id = sqlite3_column_int64(st, 0);
        *linked = sqlite3_column_int(st, 1) != 0;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        store_error_set(error, _("no account %s (add it with: vigied account add)"), account);
        return STORE_NOT_FOUND;
    }
    return rc == SQLITE_ROW ? STORE_OK : store_sql_error(tx->db, "finding a panel", error);
}

static int validate(const struct link_job *job, bool linked, struct store_error *error)
{
    unsigned needed = PANEL_LINK_PROTOCOL | PANEL_LINK_ADDRESS;
    if (!linked && (job->fields & needed) != needed) {
        store_error_set(error, _("account %s has no panel link yet: give --protocol and --address"),
                        job->account);
        return STORE_INVALID;
    }
    if ((job->fields & PANEL_LINK_PROTOCOL) && !panel_driver_find(job->link->protocol)) {
        store_error_set(error, _("unknown panel protocol \"%s\" (known: %s)"), job->link->protocol,
                        panel_driver_at(0)->name);
        return STORE_INVALID;
    }
    return STORE_OK;
}

static int write_link(struct store_tx *tx, const struct link_job *job, int64_t panel_id,
                      bool linked, struct store_error *error)
{
    static const char insert_sql[] = "INSERT INTO panel_links(panel_id, protocol, address,"
                                     " updated_at) VALUES(?1, ?2, ?3, ?4)";
    static const char update_sql[] =
        "UPDATE panel_links SET"
        " protocol = CASE WHEN ?5 & 1 THEN ?2 ELSE protocol END,"
        " address = CASE WHEN ?5 & 2 THEN ?3 ELSE address END,"
        " partition_number = CASE WHEN ?5 & 4 THEN ?6 ELSE partition_number END,"
        " password = CASE WHEN ?5 & 8 THEN ?7 ELSE password END,"
        " user_code = CASE WHEN ?5 & 16 THEN ?8 ELSE user_code END,"
        " updated_at = ?4 WHERE panel_id = ?1";
    for (int pass = linked ? 1 : 0; pass < 2; pass++) {
        sqlite3_stmt *st = store_tx_statement(tx, pass == 0 ? insert_sql : update_sql);
        if (!st)
            return store_sql_error(tx->db, "saving a panel link", error);
        sqlite3_bind_int64(st, 1, panel_id);
        sqlite3_bind_text(st, 2, job->link->protocol, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, job->link->address, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, tx->now_ms);
        if (pass == 1) {
            sqlite3_bind_int(st, 5, (int)job->fields);
            sqlite3_bind_int(st, 6, job->link->partition);
            sqlite3_bind_text(st, 7, job->link->password, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 8, job->link->user_code, -1, SQLITE_STATIC);
        }
        int rc = sqlite3_step(st);
        /* The statement is cached: its bound secrets must not linger. */
        sqlite3_clear_bindings(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return store_sql_error(tx->db, "saving a panel link", error);
    }
    return STORE_OK;
}

static int audit_link(struct store_tx *tx, const struct link_job *job, int64_t panel_id,
                      struct store_error *error)
{
    cJSON *detail = cJSON_CreateObject();
    cJSON_AddStringToObject(detail, "account", job->account);
    if (!job->remove) {
        if (job->fields & PANEL_LINK_PROTOCOL)
            cJSON_AddStringToObject(detail, "protocol", job->link->protocol);
        if (job->fields & PANEL_LINK_ADDRESS)
            cJSON_AddStringToObject(detail, "address", job->link->address);
        if (job->fields & PANEL_LINK_PARTITION)
            cJSON_AddNumberToObject(detail, "partition", job->link->partition);
        cJSON_AddBoolToObject(detail, "password_changed", (job->fields & PANEL_LINK_PASSWORD) != 0);
        cJSON_AddBoolToObject(detail, "code_changed", (job->fields & PANEL_LINK_CODE) != 0);
    }
    char *text = cJSON_PrintUnformatted(detail);
    cJSON_Delete(detail);
    if (!text) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    int status =
        store_tx_audit(tx, job->actor, job->remove ? "panel.link.remove" : "panel.link.set",
                       "panel", panel_id, text, error);
    free(text);
    return status;
}

static int link_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct link_job *job = context;
    int64_t panel_id = 0;
    bool linked = false;
    int status = find_panel(tx, job->account, &panel_id, &linked, error);
    if (status != STORE_OK)
        return status;
    if (job->remove) {
        if (!linked) {
            store_error_set(error, _("account %s has no panel link"), job->account);
            return STORE_NOT_FOUND;
        }
        static const char sql[] = "DELETE FROM panel_links WHERE panel_id = ?";
        sqlite3_stmt *st = store_tx_statement(tx, sql);
        if (!st)
            return store_sql_error(tx->db, "removing a panel link", error);
        sqlite3_bind_int64(st, 1, panel_id);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE)
            return store_sql_error(tx->db, "removing a panel link", error);
    } else {
        status = validate(job, linked, error);
        if (status == STORE_OK)
            status = write_link(tx, job, panel_id, linked, error);
        if (status != STORE_OK)
            return status;
    }
    return audit_link(tx, job, panel_id, error);
}

int store_panel_link_set(struct store *store, const struct actor *actor, const char *account,
                         const struct panel_link *link, unsigned fields, struct store_error *error)
{
    struct link_job job = {actor, account, link, fields, false};
    return store_write(store, link_job, &job, error);
}

int store_panel_link_remove(struct store *store, const struct actor *actor, const char *account,
                            struct store_error *error)
{
    struct panel_link none = {.partition = 1};
    struct link_job job = {actor, account, &none, 0, true};
    return store_write(store, link_job, &job, error);
}

int store_panel_links_list(struct store *store, store_panel_link_visitor visit, void *context,
                           struct store_error *error)
{
    static const char sql[] =
        "SELECT p.account, p.site_id, COALESCE(s.name, ''), l.protocol, l.address,"
        " l.partition_number, l.password <> '', l.user_code <> '', l.updated_at"
        " FROM panel_links l JOIN panels p ON p.id = l.panel_id"
        " LEFT JOIN sites s ON s.id = p.site_id ORDER BY p.account";
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_OK;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "listing panel links", error);
    } else {
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            struct panel_link_summary row = {0};
            store_copy_text(row.account, sizeof row.account, sqlite3_column_text(st, 0));
            row.site_id = sqlite3_column_int64(st, 1);
            store_copy_text(row.site_name, sizeof row.site_name, sqlite3_column_text(st, 2));
            store_copy_text(row.protocol, sizeof row.protocol, sqlite3_column_text(st, 3));
            store_copy_text(row.address, sizeof row.address, sqlite3_column_text(st, 4));
            row.partition = sqlite3_column_int(st, 5);
            row.password_set = sqlite3_column_int(st, 6) != 0;
            row.code_set = sqlite3_column_int(st, 7) != 0;
            row.updated_at = sqlite3_column_int64(st, 8);
            visit(context, &row);
        }
        if (rc != SQLITE_DONE)
            status = store_sql_error(db, "listing panel links", error);
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}
