/* store_agents_push.c: an agent's Web Push subscription (see
 * store_agents_push.h), one writer job with its audit row. */
#include "server/store_agents_push.h"
#include "server/store_internal.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

struct push_subscription_job {
    const struct actor *actor;
    int64_t agent_id;
    const char *json;
    const char *origin;
};

/* The agent's row: STORE_NOT_FOUND for an unknown agent. */
static int push_subscription_update(struct store_tx *tx, const struct push_subscription_job *job,
                                    struct store_error *error)
{
    static const char sql[] = "UPDATE agents SET push_subscription = ? WHERE id = ?";
    sqlite3_stmt *statement = store_tx_statement(tx, sql);
    if (!statement)
        return store_sql_error(tx->db, "setting a push subscription", error);
    if (job->json)
        sqlite3_bind_text(statement, 1, job->json, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(statement, 1);
    sqlite3_bind_int64(statement, 2, job->agent_id);
    int rc = sqlite3_step(statement);
    sqlite3_reset(statement);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "setting a push subscription", error);
    if (sqlite3_changes(tx->db) == 0) {
        store_error_set(error, "no agent %lld", (long long)job->agent_id);
        return STORE_NOT_FOUND;
    }
    return STORE_OK;
}

static int push_subscription_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct push_subscription_job *job = context;
    int updated = push_subscription_update(tx, job, error);
    if (updated != STORE_OK)
        return updated;
    cJSON *detail = cJSON_CreateObject();
    if (job->json)
        cJSON_AddStringToObject(detail, "push_service", job->origin ? job->origin : "");
    else
        cJSON_AddBoolToObject(detail, "removed", true);
    char *text = cJSON_PrintUnformatted(detail);
    cJSON_Delete(detail);
    if (!text) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    int status = store_tx_audit(tx, job->actor, "agent.push_subscription", "agent", job->agent_id,
                                text, error);
    free(text);
    return status;
}

int store_agent_push_subscription_set(struct store *store, const struct actor *actor,
                                      int64_t agent_id, const char *subscription_json,
                                      const char *origin, struct store_error *error)
{
    struct push_subscription_job job = {actor, agent_id, subscription_json, origin};
    return store_write(store, push_subscription_job, &job, error);
}

struct by_recipient_job {
    int64_t recipient_id;
    const char *json, *origin;
};

static int by_recipient_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct by_recipient_job *job = context;
    static const char sql[] = "SELECT a.id, a.push_subscription IS ?2 FROM agents a"
                              " JOIN massalert_recipients r ON r.agent_id = a.id WHERE r.id = ?1";
    sqlite3_stmt *statement = store_tx_statement(tx, sql);
    if (!statement)
        return store_sql_error(tx->db, "reading an agent's push subscription", error);
    sqlite3_bind_int64(statement, 1, job->recipient_id);
    sqlite3_bind_text(statement, 2, job->json, -1, SQLITE_STATIC);
    int rc = sqlite3_step(statement);
    int64_t agent_id = rc == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : 0;
    bool same = rc == SQLITE_ROW && sqlite3_column_int(statement, 1) != 0;
    sqlite3_reset(statement);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_sql_error(tx->db, "reading an agent's push subscription", error);
    if (agent_id == 0) {
        store_error_set(error, "no mass-alert recipient %lld", (long long)job->recipient_id);
        return STORE_NOT_FOUND;
    }
    if (same)
        return STORE_OK; /* the page said it again: nothing changes */
    struct actor system;
    actor_system(&system);
    struct push_subscription_job set = {&system, agent_id, job->json, job->origin};
    if (push_subscription_update(tx, &set, error) != STORE_OK)
        return STORE_ERROR;
    cJSON *detail = cJSON_CreateObject();
    cJSON_AddStringToObject(detail, "push_service", job->origin ? job->origin : "");
    cJSON_AddStringToObject(detail, "via", "reply_page");
    cJSON_AddNumberToObject(detail, "recipient_id", (double)job->recipient_id);
    char *text = cJSON_PrintUnformatted(detail);
    cJSON_Delete(detail);
    if (!text) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    int status =
        store_tx_audit(tx, &system, "agent.push_subscription", "agent", agent_id, text, error);
    free(text);
    return status;
}

int store_agent_push_subscription_set_by_recipient(struct store *store, int64_t recipient_id,
                                                   const char *subscription_json,
                                                   const char *origin, struct store_error *error)
{
    struct by_recipient_job job = {recipient_id, subscription_json, origin};
    return store_write(store, by_recipient_job, &job, error);
}

int store_tx_agent_push_subscription_gone(struct store_tx *tx, int64_t outbox_id,
                                          int64_t recipient_id, const char *why,
                                          struct store_error *error)
{
    static const char sql[] =
        "UPDATE agents SET push_subscription = NULL"
        " WHERE id = (SELECT agent_id FROM massalert_recipients WHERE id = ?1)"
        " AND push_subscription = (SELECT recipient FROM outbox WHERE id = ?2 AND channel = 'push')"
        " RETURNING id";
    sqlite3_stmt *statement = store_tx_statement(tx, sql);
    if (!statement)
        return store_sql_error(tx->db, "forgetting a push subscription", error);
    sqlite3_bind_int64(statement, 1, recipient_id);
    sqlite3_bind_int64(statement, 2, outbox_id);
    int rc = sqlite3_step(statement);
    int64_t agent_id = rc == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : 0;
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(statement);
    sqlite3_reset(statement);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "forgetting a push subscription", error);
    if (agent_id == 0)
        return STORE_OK;
    cJSON *detail = cJSON_CreateObject();
    cJSON_AddBoolToObject(detail, "removed", true);
    cJSON_AddStringToObject(detail, "reason", why ? why : "");
    cJSON_AddNumberToObject(detail, "outbox_id", (double)outbox_id);
    char *text = cJSON_PrintUnformatted(detail);
    cJSON_Delete(detail);
    if (!text) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    struct actor system;
    actor_system(&system);
    int status =
        store_tx_audit(tx, &system, "agent.push_subscription", "agent", agent_id, text, error);
    free(text);
    return status;
}
