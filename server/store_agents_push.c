/* store_agents_push.c: an agent's Web Push subscription (see
 * store_agents_push.h), one writer job with its audit row. */
#include "server/store_agents_push.h"
#include "server/store_internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

struct push_subscription_job {
    const struct actor *actor;
    int64_t agent_id;
    const char *json;
    const char *origin;
};

static int push_subscription_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct push_subscription_job *job = context;
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
