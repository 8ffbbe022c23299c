/* store_device_admin.c: adding, changing and listing devices. A device's
 * token and AML key are written here and never read back out: listings
 * and audit rows say only whether each is set. */
#include "server/store_device_admin.h"
#include "server/store_directory.h"
#include "server/store_internal.h"
#include "common/i18n.h"

#include <stdio.h>
#include <string.h>

bool device_msisdn_valid(const char *msisdn)
{
    size_t length = strlen(msisdn);
    /* E.164 allows 15 digits at most; fewer than 7 is no mobile number. */
    if (length < 8 || length > 16 || msisdn[0] != '+' || msisdn[1] < '1' || msisdn[1] > '9')
        return false;
    for (size_t i = 1; i < length; i++)
        if (msisdn[i] < '0' || msisdn[i] > '9')
            return false;
    return true;
}

struct device_job {
    const struct actor *actor;
    const struct device_settings *settings;
    unsigned fields;
};

static void bind_optional_text(sqlite3_stmt *st, int index, const char *text)
{
    if (text[0])
        sqlite3_bind_text(st, index, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, index);
}

/* Writes the fields named by job->fields to the device `uid`. */
static int device_update(struct store_tx *tx, const struct device_job *job,
                         struct store_error *error)
{
    static const char sql[] = "UPDATE devices SET"
                              " msisdn = CASE WHEN ?2 & 1 THEN ?3 ELSE msisdn END,"
                              " aml_key_hex = CASE WHEN ?2 & 2 THEN ?4 ELSE aml_key_hex END,"
                              " token_hash = CASE WHEN ?2 & 4 THEN ?5 ELSE token_hash END,"
                              " test_interval_s = CASE WHEN ?2 & 8 THEN ?6 ELSE test_interval_s END"
                              " WHERE device_uid = ?1";
    const struct device_settings *s = job->settings;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "changing a device", error);
    sqlite3_bind_text(st, 1, s->uid, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)job->fields);
    bind_optional_text(st, 3, s->msisdn);
    bind_optional_text(st, 4, s->aml_key_hex);
    bind_optional_text(st, 5, s->token_hash);
    sqlite3_bind_int(st, 6, s->test_interval_s);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        store_error_set(error, _("another device already has the number %s"), s->msisdn);
        return STORE_CONFLICT;
    }
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "changing a device", error);
    if (sqlite3_changes(tx->db) == 0) {
        store_error_set(error, _("no device %s"), s->uid);
        return STORE_NOT_FOUND;
    }
    return STORE_OK;
}

/* The audit row names what changed, never the token or the key. */
static int device_audit(struct store_tx *tx, const struct device_job *job, const char *action,
                        struct store_error *error)
{
    const struct device_settings *s = job->settings;
    char detail[256];
    snprintf(detail, sizeof detail,
             "{\"device_uid\":\"%s\",\"msisdn\":%s%s%s,\"aml_key\":%s,\"new_token\":%s}", s->uid,
             (job->fields & DEVICE_FIELD_MSISDN) && s->msisdn[0] ? "\"" : "",
             (job->fields & DEVICE_FIELD_MSISDN) && s->msisdn[0] ? s->msisdn : "null",
             (job->fields & DEVICE_FIELD_MSISDN) && s->msisdn[0] ? "\"" : "",
             !(job->fields & DEVICE_FIELD_AML_KEY) ? "\"unchanged\""
             : s->aml_key_hex[0]                   ? "\"set\""
                                                   : "\"cleared\"",
             job->fields & DEVICE_FIELD_TOKEN ? "true" : "false");
    int64_t id = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db, "SELECT id FROM devices WHERE device_uid = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return store_sql_error(tx->db, "reading a device", error);
    sqlite3_bind_text(st, 1, s->uid, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return store_tx_audit(tx, job->actor, action, "device", id, detail, error);
}

static int register_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct device_job *job = context;
    const struct device_settings *s = job->settings;
    struct store_device_new row = {s->uid,     s->kind,       s->victim_id,
                                   s->site_id, s->token_hash, s->test_interval_s};
    int status = store_device_add(tx, job->actor, &row, NULL, error);
    if (status == STORE_OK && (job->fields & (DEVICE_FIELD_MSISDN | DEVICE_FIELD_AML_KEY)))
        status = device_update(tx, job, error);
    if (status == STORE_OK && (job->fields & (DEVICE_FIELD_MSISDN | DEVICE_FIELD_AML_KEY)))
        status = device_audit(tx, job, "device.set", error);
    return status;
}

static int change_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct device_job *job = context;
    int status = device_update(tx, job, error);
    return status == STORE_OK ? device_audit(tx, job, "device.set", error) : status;
}

int store_device_register(struct store *store, const struct actor *actor,
                          const struct device_settings *settings, struct store_error *error)
{
    unsigned fields = (settings->msisdn[0] ? DEVICE_FIELD_MSISDN : 0) |
                      (settings->aml_key_hex[0] ? DEVICE_FIELD_AML_KEY : 0);
    struct device_job job = {actor, settings, fields};
    return store_write(store, register_job, &job, error);
}

int store_device_change(struct store *store, const struct actor *actor,
                        const struct device_settings *settings, unsigned fields,
                        struct store_error *error)
{
    struct device_job job = {actor, settings, fields};
    return store_write(store, change_job, &job, error);
}

int store_devices_list(struct store *store, store_device_visitor visit, void *context,
                       struct store_error *error)
{
    static const char sql[] =
        "SELECT d.device_uid, d.kind, COALESCE(d.victim_id,0), COALESCE(d.site_id,0),"
        " COALESCE(v.reference, s.name, ''), COALESCE(d.msisdn,''), d.token_hash IS NOT NULL,"
        " d.aml_key_hex IS NOT NULL, d.test_interval_s, COALESCE(d.last_test_at,0)"
        " FROM devices d LEFT JOIN victims v ON v.id = d.victim_id"
        " LEFT JOIN sites s ON s.id = d.site_id ORDER BY d.device_uid";
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_OK;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "listing devices", error);
    } else {
        struct device_summary row;
        while (sqlite3_step(st) == SQLITE_ROW) {
            memset(&row, 0, sizeof row);
            store_copy_text(row.uid, sizeof row.uid, sqlite3_column_text(st, 0));
            store_copy_text(row.kind, sizeof row.kind, sqlite3_column_text(st, 1));
            row.victim_id = sqlite3_column_int64(st, 2);
            row.site_id = sqlite3_column_int64(st, 3);
            store_copy_text(row.owner, sizeof row.owner, sqlite3_column_text(st, 4));
            store_copy_text(row.msisdn, sizeof row.msisdn, sqlite3_column_text(st, 5));
            row.has_token = sqlite3_column_int(st, 6) != 0;
            row.has_aml_key = sqlite3_column_int(st, 7) != 0;
            row.test_interval_s = sqlite3_column_int(st, 8);
            row.last_test_at = sqlite3_column_int64(st, 9);
            visit(context, &row);
        }
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}
