/* store_agents.c: importing the agents' registry in one transaction. Each
 * site and agent is compared with what the store has and written only if
 * something differs, so that a second import of the same file writes
 * nothing. Audit rows name agents and sites by their registry identifiers
 * and list the fields that changed, never a phone number or an address. */
#include "server/store_agents.h"
#include "server/store_internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static const char *phone_kind_name(enum phone_kind kind)
{
    static const char *const names[] = {"mobile", "fixed-or-mobile", "fixed", "other"};
    return names[kind];
}

struct statements {
    sqlite3_stmt *site_find, *site_add, *site_change;
    sqlite3_stmt *agent_find, *agent_add, *agent_change;
};

static const char site_find_sql[] =
    "SELECT id, name, validated_at IS NOT NULL, timezone FROM sites WHERE ext_id = ?";
static const char site_add_sql[] =
    "INSERT INTO sites(client_id, name, lat, lon, timezone, validated_by, validated_at, ext_id)"
    " VALUES(?1, ?2, ?3, ?4, ?5, CASE WHEN ?6 THEN ?7 END, CASE WHEN ?6 THEN ?8 END, ?9)";
static const char site_change_sql[] =
    "UPDATE sites SET name = ?2, timezone = ?3,"
    " validated_by = CASE WHEN NOT ?4 THEN NULL WHEN validated_at IS NULL THEN ?5"
    " ELSE validated_by END,"
    " validated_at = CASE WHEN NOT ?4 THEN NULL WHEN validated_at IS NULL THEN ?6"
    " ELSE validated_at END WHERE id = ?1";
static const char agent_find_sql[] =
    "SELECT id, site_id, name, COALESCE(phone,''), COALESCE(email,''), lat, lon, vetted, duty,"
    " COALESCE(phone_kind,'') FROM agents WHERE ext_id = ?";
static const char agent_add_sql[] =
    "INSERT INTO agents(ext_id, site_id, name, phone, email, lat, lon, vetted, vetted_by,"
    " vetted_at, duty, phone_kind) VALUES(?1, ?2, ?3, NULLIF(?4,''), NULLIF(?5,''), ?6, ?7, ?8,"
    " CASE WHEN ?8 THEN ?9 END, CASE WHEN ?8 THEN ?10 END, ?11, NULLIF(?12,''))";
static const char agent_change_sql[] =
    "UPDATE agents SET site_id = ?2, name = ?3, phone = NULLIF(?4,''), email = NULLIF(?5,''),"
    " lat = ?6, lon = ?7, duty = ?11, phone_kind = NULLIF(?12,''),"
    " vetted_by = CASE WHEN NOT ?8 THEN NULL WHEN vetted = 0 THEN ?9 ELSE vetted_by END,"
    " vetted_at = CASE WHEN NOT ?8 THEN NULL WHEN vetted = 0 THEN ?10 ELSE vetted_at END,"
    " vetted = ?8 WHERE id = ?1";

static int prepare_all(sqlite3 *db, struct statements *s, struct store_error *error)
{
    const char *const sql[] = {site_find_sql,  site_add_sql,  site_change_sql,
                               agent_find_sql, agent_add_sql, agent_change_sql};
    sqlite3_stmt **out[] = {&s->site_find,  &s->site_add,  &s->site_change,
                            &s->agent_find, &s->agent_add, &s->agent_change};
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++)
        if (sqlite3_prepare_v2(db, sql[i], -1, out[i], NULL) != SQLITE_OK)
            return store_sql_error(db, "preparing the agents' import", error);
    return STORE_OK;
}

static void finalize_all(struct statements *s)
{
    sqlite3_stmt *all[] = {s->site_find,  s->site_add,  s->site_change,
                           s->agent_find, s->agent_add, s->agent_change};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sqlite3_finalize(all[i]);
}

/* Runs a statement to its end and resets it. */
static int run(sqlite3 *db, sqlite3_stmt *st, const char *what, struct store_error *error)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(db, what, error);
}

/* The client the registry's sites belong to, made the first time. */
static int registry_client(struct store_tx *tx, int64_t *id, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db, "SELECT id FROM clients WHERE kind = 'registry' LIMIT 1", -1,
                           &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "finding the registry client", error);
    *id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (*id > 0)
        return STORE_OK;
    int status = store_exec(tx->db,
                            "INSERT INTO clients(name, kind) VALUES"
                            "('Registry of security sites (agents'' employers)', 'registry')",
                            error);
    *id = sqlite3_last_insert_rowid(tx->db);
    return status;
}

struct import_job {
    const struct actor *actor;
    const struct store_agents_import *import;
    struct store_agents_import_report *report;
    struct statements statements;
    int64_t client_id;
    char importer[160]; /* "NAME (import of FILE)": vetted_by, validated_by */
};

/* An audit row naming the object by its registry id and the fields that changed. */
static int audit_change(struct store_tx *tx, struct import_job *job, const char *action,
                        const char *type, int64_t id, const char *ext_id, cJSON *fields,
                        struct store_error *error)
{
    cJSON *detail = cJSON_CreateObject();
    cJSON_AddStringToObject(detail, "ext_id", ext_id);
    cJSON_AddStringToObject(detail, "source", job->import->source);
    if (fields)
        cJSON_AddItemToObject(detail, "fields", fields);
    char *text = cJSON_PrintUnformatted(detail);
    cJSON_Delete(detail);
    if (!text) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    int status = store_tx_audit(tx, job->actor, action, type, id, text, error);
    cJSON_free(text);
    return status;
}

static void changed(cJSON **fields, bool differs, const char *name)
{
    if (!differs)
        return;
    if (!*fields)
        *fields = cJSON_CreateArray();
    cJSON_AddItemToArray(*fields, cJSON_CreateString(name));
}

/* Finds or makes the record's site; *site_id gets its id. */
static int site_upsert(struct store_tx *tx, struct import_job *job, const struct agent_record *r,
                       int64_t *site_id, struct store_error *error)
{
    struct statements *s = &job->statements;
    const char *tz = r->tz[0] ? r->tz : job->import->default_tz;
    sqlite3_bind_text(s->site_find, 1, r->site_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s->site_find);
    if (rc == SQLITE_ROW) {
        *site_id = sqlite3_column_int64(s->site_find, 0);
        cJSON *fields = NULL;
        changed(&fields, strcmp((const char *)sqlite3_column_text(s->site_find, 1), r->site_name),
                "name");
        changed(&fields, (sqlite3_column_int(s->site_find, 2) != 0) != r->site_validated,
                "validated");
        changed(&fields, strcmp((const char *)sqlite3_column_text(s->site_find, 3), tz), "tz");
        sqlite3_reset(s->site_find);
        if (!fields)
            return STORE_OK;
        sqlite3_bind_int64(s->site_change, 1, *site_id);
        sqlite3_bind_text(s->site_change, 2, r->site_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(s->site_change, 3, tz, -1, SQLITE_STATIC);
        sqlite3_bind_int(s->site_change, 4, r->site_validated);
        sqlite3_bind_text(s->site_change, 5, job->importer, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s->site_change, 6, tx->now_ms);
        int status = run(tx->db, s->site_change, "changing a registry site", error);
        job->report->sites_changed++;
        return status == STORE_OK ? audit_change(tx, job, "registry.site.change", "site", *site_id,
                                                 r->site_id, fields, error)
                                  : (cJSON_Delete(fields), status);
    }
    sqlite3_reset(s->site_find);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "finding a registry site", error);
    sqlite3_bind_int64(s->site_add, 1, job->client_id);
    sqlite3_bind_text(s->site_add, 2, r->site_name, -1, SQLITE_STATIC);
    sqlite3_bind_double(s->site_add, 3, r->lat);
    sqlite3_bind_double(s->site_add, 4, r->lon);
    sqlite3_bind_text(s->site_add, 5, tz, -1, SQLITE_STATIC);
    sqlite3_bind_int(s->site_add, 6, r->site_validated);
    sqlite3_bind_text(s->site_add, 7, job->importer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s->site_add, 8, tx->now_ms);
    sqlite3_bind_text(s->site_add, 9, r->site_id, -1, SQLITE_STATIC);
    int status = run(tx->db, s->site_add, "adding a registry site", error);
    *site_id = sqlite3_last_insert_rowid(tx->db);
    job->report->sites_added++;
    return status == STORE_OK ? audit_change(tx, job, "registry.site.add", "site", *site_id,
                                             r->site_id, NULL, error)
                              : status;
}

static void bind_agent(sqlite3_stmt *st, struct import_job *job, const struct agent_record *r,
                       int64_t site_id, int64_t now_ms)
{
    sqlite3_bind_int64(st, 2, site_id);
    sqlite3_bind_text(st, 3, r->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, r->phone, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, r->email, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 6, r->lat);
    sqlite3_bind_double(st, 7, r->lon);
    sqlite3_bind_int(st, 8, r->vetted);
    sqlite3_bind_text(st, 9, job->importer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, now_ms);
    sqlite3_bind_text(st, 11, r->duty, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, r->phone[0] ? phone_kind_name(r->phone_kind) : "", -1, SQLITE_STATIC);
}

/* The fields of the stored agent (the find statement's row) that differ. */
static cJSON *agent_differences(sqlite3_stmt *row, const struct agent_record *r, int64_t site_id)
{
    cJSON *fields = NULL;
    const char *kind = r->phone[0] ? phone_kind_name(r->phone_kind) : "";
    changed(&fields, sqlite3_column_int64(row, 1) != site_id, "site");
    changed(&fields, strcmp((const char *)sqlite3_column_text(row, 2), r->name) != 0, "name");
    changed(&fields, strcmp((const char *)sqlite3_column_text(row, 3), r->phone) != 0, "phone");
    changed(&fields, strcmp((const char *)sqlite3_column_text(row, 4), r->email) != 0, "email");
    changed(&fields,
            sqlite3_column_type(row, 5) == SQLITE_NULL || sqlite3_column_double(row, 5) != r->lat ||
                sqlite3_column_double(row, 6) != r->lon,
            "position");
    changed(&fields, (sqlite3_column_int(row, 7) != 0) != r->vetted, "vetted");
    changed(&fields, strcmp((const char *)sqlite3_column_text(row, 8), r->duty) != 0, "duty");
    changed(&fields, strcmp((const char *)sqlite3_column_text(row, 9), kind) != 0, "phone_kind");
    return fields;
}

static int agent_upsert(struct store_tx *tx, struct import_job *job, const struct agent_record *r,
                        int64_t site_id, struct store_error *error)
{
    struct statements *s = &job->statements;
    sqlite3_bind_text(s->agent_find, 1, r->agent_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s->agent_find);
    if (rc == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(s->agent_find, 0);
        cJSON *fields = agent_differences(s->agent_find, r, site_id);
        sqlite3_reset(s->agent_find);
        if (!fields) {
            job->report->agents_unchanged++;
            return STORE_OK;
        }
        sqlite3_bind_int64(s->agent_change, 1, id);
        bind_agent(s->agent_change, job, r, site_id, tx->now_ms);
        int status = run(tx->db, s->agent_change, "changing an agent", error);
        job->report->agents_changed++;
        return status == STORE_OK
                   ? audit_change(tx, job, "agent.change", "agent", id, r->agent_id, fields, error)
                   : (cJSON_Delete(fields), status);
    }
    sqlite3_reset(s->agent_find);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "finding an agent", error);
    sqlite3_bind_text(s->agent_add, 1, r->agent_id, -1, SQLITE_STATIC);
    bind_agent(s->agent_add, job, r, site_id, tx->now_ms);
    int status = run(tx->db, s->agent_add, "adding an agent", error);
    job->report->agents_added++;
    return status == STORE_OK
               ? audit_change(tx, job, "agent.add", "agent", sqlite3_last_insert_rowid(tx->db),
                              r->agent_id, NULL, error)
               : status;
}

static int import_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct import_job *job = context;
    memset(job->report, 0, sizeof *job->report);
    memset(&job->statements, 0, sizeof job->statements);
    int status = prepare_all(tx->db, &job->statements, error);
    if (status == STORE_OK)
        status = registry_client(tx, &job->client_id, error);
    const struct agents_csv *csv = job->import->csv;
    for (size_t i = 0; status == STORE_OK && i < csv->count; i++) {
        int64_t site_id = 0;
        status = site_upsert(tx, job, &csv->records[i], &site_id, error);
        if (status == STORE_OK)
            status = agent_upsert(tx, job, &csv->records[i], site_id, error);
    }
    finalize_all(&job->statements);
    struct store_agents_import_report *r = job->report;
    if (status != STORE_OK ||
        r->agents_added + r->agents_changed + r->sites_added + r->sites_changed == 0)
        return status; /* the same file again: not even a summary row */
    char detail[512];
    snprintf(detail, sizeof detail,
             "{\"source\":\"%.200s\",\"sha256\":\"%.64s\",\"agents_added\":%lld,"
             "\"agents_changed\":%lld,\"agents_unchanged\":%lld,\"sites_added\":%lld,"
             "\"sites_changed\":%lld}",
             job->import->source, job->import->digest, (long long)r->agents_added,
             (long long)r->agents_changed, (long long)r->agents_unchanged,
             (long long)r->sites_added, (long long)r->sites_changed);
    return store_tx_audit(tx, job->actor, "agents.import", "registry", 0, detail, error);
}

int store_agents_import(struct store *store, const struct actor *actor,
                        const struct store_agents_import *import,
                        struct store_agents_import_report *report, struct store_error *error)
{
    if (import->csv->problems_total > 0) {
        store_error_set(error, "the file has %zu problems: nothing imported",
                        import->csv->problems_total);
        return STORE_INVALID;
    }
    struct import_job job = {.actor = actor, .import = import, .report = report};
    snprintf(job.importer, sizeof job.importer, "%.60s (import of %.80s)", actor->username,
             import->source);
    return store_write(store, import_job, &job, error);
}
