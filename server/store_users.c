/* store_users.c: operator accounts and their sessions. A session is known
 * by the SHA-256 of its bearer token only; the token itself is never
 * stored. */
#include "server/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void read_user(sqlite3_stmt *statement, struct store_user *user)
{
    memset(user, 0, sizeof *user);
    user->id = sqlite3_column_int64(statement, 0);
    store_copy_text(user->username, sizeof user->username, sqlite3_column_text(statement, 1));
    store_copy_text(user->display_name, sizeof user->display_name,
                    sqlite3_column_text(statement, 2));
    role_parse((const char *)sqlite3_column_text(statement, 3), &user->role);
    store_copy_text(user->password_hash, sizeof user->password_hash,
                    sqlite3_column_text(statement, 4));
    user->disabled = sqlite3_column_int(statement, 5) != 0;
    user->created_at = sqlite3_column_int64(statement, 6);
}

#define USER_COLUMNS "id, username, display_name, role, password_hash, disabled, created_at"

struct user_add_job {
    const struct actor *actor;
    const char *username, *display_name, *password_hash;
    enum role role;
    int64_t id;
};

static int user_add_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct user_add_job *job = context;
    sqlite3_stmt *statement = NULL;
    const char *sql = "INSERT INTO users(username, display_name, role, password_hash, created_at)"
                      " VALUES(?,?,?,?,?)";
    if (sqlite3_prepare_v2(tx->db, sql, -1, &statement, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "adding a user", error);
    sqlite3_bind_text(statement, 1, job->username, -1, SQLITE_STATIC);
    sqlite3_bind_text(statement, 2, job->display_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(statement, 3, role_name(job->role), -1, SQLITE_STATIC);
    sqlite3_bind_text(statement, 4, job->password_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(statement, 5, tx->now_ms);
    int rc = sqlite3_step(statement);
    sqlite3_finalize(statement);
    if (rc == SQLITE_CONSTRAINT_UNIQUE) {
        store_error_set(error, "a user named %s already exists", job->username);
        return STORE_CONFLICT;
    }
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "adding a user", error);
    job->id = sqlite3_last_insert_rowid(tx->db);
    char detail[256];
    snprintf(detail, sizeof detail, "{\"username\":\"%s\",\"role\":\"%s\"}", job->username,
             role_name(job->role));
    return store_tx_audit(tx, job->actor, "user.add", "user", job->id, detail, error);
}

int store_user_add(struct store *store, const struct actor *actor, const char *username,
                   const char *display_name, enum role role, const char *password_hash,
                   int64_t *id_out, struct store_error *error)
{
    struct user_add_job job = {actor, username, display_name, password_hash, role, 0};
    int status = store_write(store, user_add_job, &job, error);
    if (status == STORE_OK && id_out)
        *id_out = job.id;
    return status;
}

int store_user_find(struct store *store, const char *username, struct store_user *out,
                    struct store_error *error)
{
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *statement = NULL;
    int status = STORE_NOT_FOUND;
    if (sqlite3_prepare_v2(db, "SELECT " USER_COLUMNS " FROM users WHERE username = ?", -1,
                           &statement, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "finding a user", error);
    } else {
        sqlite3_bind_text(statement, 1, username, -1, SQLITE_STATIC);
        if (sqlite3_step(statement) == SQLITE_ROW) {
            read_user(statement, out);
            status = STORE_OK;
        } else {
            store_error_set(error, "no user named %s", username);
        }
    }
    sqlite3_finalize(statement);
    store_reader_release(store, db);
    return status;
}

struct user_disable_job {
    const struct actor *actor;
    const char *username;
    bool disabled;
};

static int user_disable_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct user_disable_job *job = context;
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v2(tx->db, "UPDATE users SET disabled = ? WHERE username = ?", -1,
                           &statement, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "disabling a user", error);
    sqlite3_bind_int(statement, 1, job->disabled);
    sqlite3_bind_text(statement, 2, job->username, -1, SQLITE_STATIC);
    int rc = sqlite3_step(statement);
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "disabling a user", error);
    if (sqlite3_changes(tx->db) == 0) {
        store_error_set(error, "no user named %s", job->username);
        return STORE_NOT_FOUND;
    }
    /* A disabled user's sessions end now, not at their expiry. */
    if (job->disabled && sqlite3_prepare_v2(tx->db,
                                            "UPDATE sessions SET revoked = 1 WHERE user_id ="
                                            " (SELECT id FROM users WHERE username = ?)",
                                            -1, &statement, NULL) == SQLITE_OK) {
        sqlite3_bind_text(statement, 1, job->username, -1, SQLITE_STATIC);
        sqlite3_step(statement);
        sqlite3_finalize(statement);
    }
    static const char id_sql[] = "SELECT id FROM users WHERE username = ?";
    int64_t user_id = 0;
    statement = store_tx_statement(tx, id_sql);
    if (statement) {
        sqlite3_bind_text(statement, 1, job->username, -1, SQLITE_STATIC);
        if (sqlite3_step(statement) == SQLITE_ROW)
            user_id = sqlite3_column_int64(statement, 0);
        sqlite3_reset(statement);
    }
    char detail[160];
    snprintf(detail, sizeof detail, "{\"username\":\"%s\"}", job->username);
    return store_tx_audit(tx, job->actor, job->disabled ? "user.disable" : "user.enable", "user",
                          user_id, detail, error);
}

int store_user_set_disabled(struct store *store, const struct actor *actor, const char *username,
                            bool disabled, struct store_error *error)
{
    struct user_disable_job job = {actor, username, disabled};
    return store_write(store, user_disable_job, &job, error);
}

int store_users_list(struct store *store, store_user_visitor visit, void *context,
                     struct store_error *error)
{
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *statement = NULL;
    int status = STORE_OK;
    if (sqlite3_prepare_v2(db, "SELECT " USER_COLUMNS " FROM users ORDER BY username", -1,
                           &statement, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "listing users", error);
    } else {
        struct store_user user;
        while (sqlite3_step(statement) == SQLITE_ROW) {
            read_user(statement, &user);
            visit(context, &user);
        }
    }
    sqlite3_finalize(statement);
    store_reader_release(store, db);
    return status;
}

struct session_create_job {
    const struct store_user *user;
    const char *token_hash;
    int64_t expires_at, id;
};

static int session_create_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct session_create_job *job = context;
    sqlite3_stmt *statement = NULL;
    const char *sql = "INSERT INTO sessions(token_hash, user_id, created_at, expires_at,"
                      " last_seen) VALUES(?,?,?,?,?)";
    if (sqlite3_prepare_v2(tx->db, sql, -1, &statement, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "opening a session", error);
    sqlite3_bind_text(statement, 1, job->token_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(statement, 2, job->user->id);
    sqlite3_bind_int64(statement, 3, tx->now_ms);
    sqlite3_bind_int64(statement, 4, job->expires_at);
    sqlite3_bind_int64(statement, 5, tx->now_ms);
    int rc = sqlite3_step(statement);
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "opening a session", error);
    job->id = sqlite3_last_insert_rowid(tx->db);
    struct actor actor = {.user_id = job->user->id, .session_id = job->id, .role = job->user->role};
    snprintf(actor.username, sizeof actor.username, "%s", job->user->username);
    return store_tx_audit(tx, &actor, "session.open", "session", job->id, NULL, error);
}

int store_session_create(struct store *store, const struct store_user *user, const char *token_hash,
                         int64_t expires_at, int64_t *id_out, struct store_error *error)
{
    struct session_create_job job = {user, token_hash, expires_at, 0};
    int status = store_write(store, session_create_job, &job, error);
    if (status == STORE_OK && id_out)
        *id_out = job.id;
    return status;
}

int store_session_find(struct store *store, const char *token_hash, int64_t now_ms,
                       struct store_session *out, struct store_error *error)
{
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *statement = NULL;
    const char *sql = "SELECT s.id, u.id, u.username, u.display_name, u.role, s.expires_at"
                      " FROM sessions s JOIN users u ON u.id = s.user_id"
                      " WHERE s.token_hash = ? AND s.revoked = 0 AND u.disabled = 0"
                      " AND s.expires_at > ?";
    int status = STORE_NOT_FOUND;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "finding a session", error);
    } else {
        sqlite3_bind_text(statement, 1, token_hash, -1, SQLITE_STATIC);
        sqlite3_bind_int64(statement, 2, now_ms);
        if (sqlite3_step(statement) == SQLITE_ROW) {
            memset(out, 0, sizeof *out);
            out->id = sqlite3_column_int64(statement, 0);
            out->user_id = sqlite3_column_int64(statement, 1);
            store_copy_text(out->username, sizeof out->username, sqlite3_column_text(statement, 2));
            store_copy_text(out->display_name, sizeof out->display_name,
                            sqlite3_column_text(statement, 3));
            role_parse((const char *)sqlite3_column_text(statement, 4), &out->role);
            out->expires_at = sqlite3_column_int64(statement, 5);
            status = STORE_OK;
        } else {
            store_error_set(error, "no such session");
        }
    }
    sqlite3_finalize(statement);
    store_reader_release(store, db);
    return status;
}

static int session_revoke_job(struct store_tx *tx, void *context, struct store_error *error)
{
    const struct actor *actor = context;
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v2(tx->db, "UPDATE sessions SET revoked = 1 WHERE id = ?", -1, &statement,
                           NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "closing a session", error);
    sqlite3_bind_int64(statement, 1, actor->session_id);
    int rc = sqlite3_step(statement);
    sqlite3_finalize(statement);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "closing a session", error);
    return store_tx_audit(tx, actor, "session.close", "session", actor->session_id, NULL, error);
}

int store_session_revoke(struct store *store, const struct actor *actor, struct store_error *error)
{
    return store_write(store, session_revoke_job, (void *)actor, error);
}

struct sessions_touch_job {
    const int64_t *ids;
    bool *live;
    size_t count;
};

/* A sign of life counts only for a live session (not closed, not expired,
 * its user not disabled): a closed session's claims must run out. */
static int sessions_touch_job(struct store_tx *tx, void *context, struct store_error *error)
{
    static const char touch_sql[] =
        "UPDATE sessions SET last_seen = ?1 WHERE id = ?2 AND revoked = 0 AND expires_at > ?1"
        " AND user_id IN (SELECT id FROM users WHERE disabled = 0)";
    static const char renew_sql[] =
        "UPDATE alarms SET claim_expires_at = ? WHERE claim_session_id = ?"
        " AND claim_user_id IS NOT NULL AND claim_expires_at > ?";
    struct sessions_touch_job *job = context;
    int64_t lease = store_claim_lease_ms(tx->store);
    for (size_t i = 0; i < job->count; i++) {
        sqlite3_stmt *touch = store_tx_statement(tx, touch_sql);
        if (!touch)
            return store_sql_error(tx->db, "renewing sessions", error);
        sqlite3_bind_int64(touch, 1, tx->now_ms);
        sqlite3_bind_int64(touch, 2, job->ids[i]);
        int rc = sqlite3_step(touch);
        sqlite3_reset(touch);
        if (rc != SQLITE_DONE)
            return store_sql_error(tx->db, "renewing sessions", error);
        bool live = sqlite3_changes(tx->db) == 1;
        if (job->live)
            job->live[i] = live;
        if (!live)
            continue;
        sqlite3_stmt *renew = store_tx_statement(tx, renew_sql);
        if (!renew)
            return store_sql_error(tx->db, "renewing claims", error);
        sqlite3_bind_int64(renew, 1, tx->now_ms + lease);
        sqlite3_bind_int64(renew, 2, job->ids[i]);
        sqlite3_bind_int64(renew, 3, tx->now_ms);
        rc = sqlite3_step(renew);
        sqlite3_reset(renew);
        if (rc != SQLITE_DONE)
            return store_sql_error(tx->db, "renewing claims", error);
    }
    return STORE_OK;
}

int store_sessions_touch(struct store *store, const int64_t *session_ids, size_t count,
                         bool *live_out, struct store_error *error)
{
    if (count == 0)
        return STORE_OK;
    struct sessions_touch_job job = {session_ids, live_out, count};
    return store_write(store, sessions_touch_job, &job, error);
}
