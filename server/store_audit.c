/* store_audit.c: the append-only audit log. Each row's hash covers the
 * previous row's hash and every field of the row, so an edited or deleted
 * row breaks the chain; the chain's head (last hash, row count) is also
 * kept in audit_head, so rows cut from the end are noticed as well. */
#include "server/store_internal.h"
#include "common/log.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#define AUDIT_GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

struct audit_row {
    int64_t id, ts, object_id;
    const char *actor, *action, *object_type, *detail, *prev_hash;
};

/* Each field is written as "length:value;" so that no two different rows
 * serialise to the same bytes. */
static void digest_field(EVP_MD_CTX *context, const char *value)
{
    char length[24];
    int n = snprintf(length, sizeof length, "%zu:", strlen(value));
    EVP_DigestUpdate(context, length, (size_t)n);
    EVP_DigestUpdate(context, value, strlen(value));
    EVP_DigestUpdate(context, ";", 1);
}

static void digest_number(EVP_MD_CTX *context, int64_t value)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)value);
    digest_field(context, text);
}

static bool audit_row_hash(const struct audit_row *row, char out[65])
{
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (!context)
        return false;
    unsigned char digest[32];
    unsigned int length = 0;
    bool ok = EVP_DigestInit_ex(context, EVP_sha256(), NULL) == 1;
    if (ok) {
        digest_field(context, row->prev_hash);
        digest_number(context, row->id);
        digest_number(context, row->ts);
        digest_field(context, row->actor);
        digest_field(context, row->action);
        digest_field(context, row->object_type);
        digest_number(context, row->object_id);
        digest_field(context, row->detail);
        ok = EVP_DigestFinal_ex(context, digest, &length) == 1 && length == 32;
    }
    EVP_MD_CTX_free(context);
    for (unsigned int i = 0; ok && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    return ok;
}

int store_audit_head_load(sqlite3 *db, struct store_audit_head *head, struct store_error *error)
{
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v2(db, "SELECT last_hash, row_count FROM audit_head WHERE id = 1", -1,
                           &statement, NULL) != SQLITE_OK)
        return store_sql_error(db, "reading the audit head", error);
    int status = STORE_OK;
    if (sqlite3_step(statement) == SQLITE_ROW) {
        store_copy_text(head->last_hash, sizeof head->last_hash, sqlite3_column_text(statement, 0));
        head->row_count = sqlite3_column_int64(statement, 1);
    } else {
        store_error_set(error, "the audit head is missing: the audit log was tampered with");
        status = STORE_ERROR;
    }
    sqlite3_finalize(statement);
    return status;
}

static int append_row(struct store_tx *tx, struct store_audit_head *head, const struct actor *actor,
                      const char *action, const char *object_type, int64_t object_id,
                      const char *detail_json, struct store_error *error);

/* The head row was deleted. Refusing every audited action would stop the
 * centre, so the head is rebuilt from the last row and the chain records
 * the incident in a row of its own; `vigied audit verify` run before this
 * (or on a copy) reports the missing head. */
static int rebuild_head(struct store_tx *tx, struct store_audit_head *head,
                        struct store_error *error)
{
    static const char last_sql[] = "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1";
    static const char head_sql[] = "INSERT INTO audit_head(id, last_hash, row_count) VALUES(1,?,?)";
    snprintf(head->last_hash, sizeof head->last_hash, "%s", AUDIT_GENESIS_HASH);
    head->row_count = 0;
    sqlite3_stmt *st = store_tx_statement(tx, last_sql);
    if (!st)
        return store_sql_error(tx->db, "rebuilding the audit head", error);
    if (sqlite3_step(st) == SQLITE_ROW) {
        head->row_count = sqlite3_column_int64(st, 0);
        store_copy_text(head->last_hash, sizeof head->last_hash, sqlite3_column_text(st, 1));
    }
    sqlite3_reset(st);
    st = store_tx_statement(tx, head_sql);
    if (!st)
        return store_sql_error(tx->db, "rebuilding the audit head", error);
    sqlite3_bind_text(st, 1, head->last_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, head->row_count);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "rebuilding the audit head", error);
    log_error("audit", "the audit head was missing (tampering?): rebuilt after row %lld",
              (long long)head->row_count);
    struct actor system;
    actor_system(&system);
    char detail[96];
    snprintf(detail, sizeof detail, "{\"rows_found\":%lld}", (long long)head->row_count);
    return append_row(tx, head, &system, "audit.head_rebuilt", "audit", 0, detail, error);
}

int store_tx_audit(struct store_tx *tx, const struct actor *actor, const char *action,
                   const char *object_type, int64_t object_id, const char *detail_json,
                   struct store_error *error)
{
    /* `vigied user` and the other commands may append rows beside a
     * running server: the head is read inside this write transaction, never
     * kept between transactions, so a rollback has nothing to undo. */
    struct store_audit_head head;
    struct store_error ignored;
    if (store_audit_head_load(tx->db, &head, &ignored) != STORE_OK &&
        rebuild_head(tx, &head, error) != STORE_OK)
        return STORE_ERROR;
    return append_row(tx, &head, actor, action, object_type, object_id, detail_json, error);
}

static int append_row(struct store_tx *tx, struct store_audit_head *head, const struct actor *actor,
                      const char *action, const char *object_type, int64_t object_id,
                      const char *detail_json, struct store_error *error)
{
    struct audit_row row = {
        .id = head->row_count + 1,
        .ts = tx->now_ms,
        .object_id = object_id,
        .actor = actor->username,
        .action = action,
        .object_type = object_type,
        .detail = detail_json ? detail_json : "{}",
        .prev_hash = head->last_hash,
    };
    char hash[65];
    if (!audit_row_hash(&row, hash)) {
        store_error_set(error, "cannot hash the audit row");
        return STORE_ERROR;
    }
    static const char sql[] = "INSERT INTO audit(id, ts, actor, action, object_type, object_id,"
                              " detail, prev_hash, hash) VALUES(?,?,?,?,?,?,?,?,?)";
    static const char head_sql[] =
        "UPDATE audit_head SET last_hash = ?, row_count = ? WHERE id = 1";
    sqlite3_stmt *statement = store_tx_statement(tx, sql);
    if (!statement)
        return store_sql_error(tx->db, "writing the audit log", error);
    sqlite3_bind_int64(statement, 1, row.id);
    sqlite3_bind_int64(statement, 2, row.ts);
    sqlite3_bind_text(statement, 3, row.actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(statement, 4, row.action, -1, SQLITE_STATIC);
    sqlite3_bind_text(statement, 5, row.object_type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(statement, 6, row.object_id);
    sqlite3_bind_text(statement, 7, row.detail, -1, SQLITE_STATIC);
    sqlite3_bind_text(statement, 8, row.prev_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(statement, 9, hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(statement);
    sqlite3_reset(statement);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "writing the audit log", error);
    statement = store_tx_statement(tx, head_sql);
    if (!statement)
        return store_sql_error(tx->db, "writing the audit head", error);
    sqlite3_bind_text(statement, 1, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(statement, 2, row.id);
    rc = sqlite3_step(statement);
    sqlite3_reset(statement);
    if (rc != SQLITE_DONE || sqlite3_changes(tx->db) != 1)
        return store_sql_error(tx->db, "writing the audit head", error);
    snprintf(head->last_hash, sizeof head->last_hash, "%s", hash);
    head->row_count = row.id;
    return STORE_OK;
}

struct audit_record_job {
    const struct actor *actor;
    const char *action, *object_type, *detail;
    int64_t object_id;
};

static int audit_record_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct audit_record_job *job = context;
    return store_tx_audit(tx, job->actor, job->action, job->object_type, job->object_id,
                          job->detail, error);
}

int store_audit_record(struct store *store, const struct actor *actor, const char *action,
                       const char *object_type, int64_t object_id, const char *detail_json,
                       struct store_error *error)
{
    struct audit_record_job job = {actor, action, object_type, detail_json, object_id};
    return store_write(store, audit_record_job, &job, error);
}

static const char *column_text(sqlite3_stmt *statement, int column)
{
    const unsigned char *text = sqlite3_column_text(statement, column);
    return text ? (const char *)text : "";
}

static bool verify_row(sqlite3_stmt *statement, int64_t expected_id, const char *expected_prev,
                       char hash_out[65], struct store_audit_report *report)
{
    struct audit_row row = {
        .id = sqlite3_column_int64(statement, 0),
        .ts = sqlite3_column_int64(statement, 1),
        .actor = column_text(statement, 2),
        .action = column_text(statement, 3),
        .object_type = column_text(statement, 4),
        .object_id = sqlite3_column_int64(statement, 5),
        .detail = column_text(statement, 6),
        .prev_hash = column_text(statement, 7),
    };
    const char *stored_hash = column_text(statement, 8);
    report->first_bad_row = row.id;
    if (row.id != expected_id) {
        snprintf(report->problem, sizeof report->problem,
                 "row %lld is missing (the next row is %lld): rows were deleted",
                 (long long)expected_id, (long long)row.id);
        report->first_bad_row = expected_id;
        return false;
    }
    if (strcmp(row.prev_hash, expected_prev) != 0) {
        snprintf(report->problem, sizeof report->problem,
                 "row %lld does not follow row %lld: the chain was broken", (long long)row.id,
                 (long long)row.id - 1);
        return false;
    }
    if (!audit_row_hash(&row, hash_out) || strcmp(hash_out, stored_hash) != 0) {
        snprintf(report->problem, sizeof report->problem,
                 "row %lld was modified: its hash does not match its content", (long long)row.id);
        return false;
    }
    report->first_bad_row = 0;
    return true;
}

static int verify_head(sqlite3 *db, const char *last_hash, int64_t rows,
                       struct store_audit_report *report, struct store_error *error)
{
    struct store_audit_head head;
    if (store_audit_head_load(db, &head, error) != STORE_OK) {
        report->first_bad_row = rows + 1;
        snprintf(report->problem, sizeof report->problem, "%s", error->message);
        return STORE_OK;
    }
    if (head.row_count != rows || strcmp(head.last_hash, last_hash) != 0) {
        report->first_bad_row = rows + 1;
        snprintf(report->problem, sizeof report->problem,
                 "the log ends at row %lld but its head says %lld rows: rows were cut from the "
                 "end",
                 (long long)rows, (long long)head.row_count);
    }
    return STORE_OK;
}

int store_audit_verify(struct store *store, struct store_audit_report *report,
                       struct store_error *error)
{
    memset(report, 0, sizeof *report);
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    int status = store_exec(db, "BEGIN", error);
    sqlite3_stmt *statement = NULL;
    const char *sql = "SELECT id, ts, actor, action, object_type, object_id, detail, prev_hash,"
                      " hash FROM audit ORDER BY id";
    if (status == STORE_OK && sqlite3_prepare_v2(db, sql, -1, &statement, NULL) != SQLITE_OK)
        status = store_sql_error(db, "reading the audit log", error);
    char previous[65] = AUDIT_GENESIS_HASH, hash[65];
    int64_t expected_id = 1;
    bool intact = true;
    while (status == STORE_OK && intact && sqlite3_step(statement) == SQLITE_ROW) {
        intact = verify_row(statement, expected_id, previous, hash, report);
        if (intact) {
            memcpy(previous, hash, sizeof previous);
            report->rows_checked = expected_id++;
        }
    }
    sqlite3_finalize(statement);
    if (status == STORE_OK && intact)
        status = verify_head(db, previous, report->rows_checked, report, error);
    store_exec(db, "COMMIT", NULL);
    store_reader_release(store, db);
    return status;
}
