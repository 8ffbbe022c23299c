/* store_sites_validation.c: a site validated for mass alerts (its agents
 * may be targeted), or its validation withdrawn, with who and when, in one
 * audited job (see store_agents_admin.h). */
#include "server/store_agents_admin.h"
#include "server/store_internal.h"

#include <stdio.h>
#include <string.h>

struct validate_job {
    const struct actor *actor;
    int64_t site_id;
    bool validated;
    struct store_site_validation *out;
};

static int validate_job(struct store_tx *tx, void *context, struct store_error *error)
{
    static const char change_sql[] = "UPDATE sites SET validated_by = CASE WHEN ?2 THEN ?3 END,"
                                     " validated_at = CASE WHEN ?2 THEN ?4 END WHERE id = ?1";
    static const char read_sql[] =
        "SELECT name, validated_at IS NOT NULL, COALESCE(validated_by, ''),"
        " COALESCE(validated_at, 0) FROM sites WHERE id = ?1";
    struct validate_job *job = context;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db, change_sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return store_sql_error(tx->db, "validating a site", error);
    }
    sqlite3_bind_int64(st, 1, job->site_id);
    sqlite3_bind_int(st, 2, job->validated);
    sqlite3_bind_text(st, 3, job->actor->username, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, tx->now_ms);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "validating a site", error);
    if (sqlite3_changes(tx->db) == 0) {
        store_error_set(error, "no site %lld", (long long)job->site_id);
        return STORE_NOT_FOUND;
    }
    if (sqlite3_prepare_v2(tx->db, read_sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return store_sql_error(tx->db, "reading a site", error);
    }
    sqlite3_bind_int64(st, 1, job->site_id);
    struct store_site_validation *out = job->out;
    memset(out, 0, sizeof *out);
    out->site_id = job->site_id;
    if (sqlite3_step(st) == SQLITE_ROW) {
        store_copy_text(out->site_name, sizeof out->site_name, sqlite3_column_text(st, 0));
        out->validated = sqlite3_column_int(st, 1) != 0;
        store_copy_text(out->validated_by, sizeof out->validated_by, sqlite3_column_text(st, 2));
        out->validated_at = sqlite3_column_int64(st, 3);
    }
    sqlite3_finalize(st);
    char detail[64];
    snprintf(detail, sizeof detail, "{\"validated\":%s}", job->validated ? "true" : "false");
    return store_tx_audit(tx, job->actor, job->validated ? "site.validate" : "site.unvalidate",
                          "site", job->site_id, detail, error);
}

int store_site_validate(struct store *store, const struct actor *actor, int64_t site_id,
                        bool validated, struct store_site_validation *out,
                        struct store_error *error)
{
    struct validate_job job = {actor, site_id, validated, out};
    return store_write(store, validate_job, &job, error);
}
