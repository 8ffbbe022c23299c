/* api_sessions.c: logging in and out. A login answers the same way for an
 * unknown user and a wrong password, and takes the same time. */
#include "server/api.h"
#include "server/metrics.h"
#include "server/password.h"
#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"

#include <string.h>

static void session_json(struct api_response *response, const char *token,
                         const struct store_user *user, int64_t expires_at)
{
    char expiry[CLOCK_RFC3339_SIZE];
    clock_format_rfc3339(expires_at, expiry);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "token", token);
    cJSON_AddStringToObject(body, "username", user->username);
    cJSON_AddStringToObject(body, "display_name", user->display_name);
    cJSON_AddStringToObject(body, "role", role_name(user->role));
    cJSON_AddStringToObject(body, "expires_at", expiry);
    api_json(response, MHD_HTTP_CREATED, body);
}

void api_sessions_create(struct api_request *request, struct api_response *response)
{
    static const char *const fields[] = {"username", "password", NULL};
    cJSON *body = api_body_object(request, response, fields);
    const char *username, *password;
    if (!body)
        return;
    if (!api_field_string(body, "username", true, 63, &username, response) ||
        !api_field_string(body, "password", true, PASSWORD_MAX, &password, response)) {
        cJSON_Delete(body);
        return;
    }
    const struct server_config *config = request->api->config;
    struct password_cost cost = {config->argon2_memory_kib, config->argon2_iterations};
    struct store_user user;
    struct store_error error = {{0}};
    int status = store_user_find(request->api->store, username, &user, &error);
    bool valid = false;
    if (status == STORE_OK)
        valid = password_verify(user.password_hash, password) && !user.disabled;
    else if (status == STORE_NOT_FOUND)
        password_verify_dummy(password, &cost);
    /* username points into body: measure it before the body is freed. */
    size_t username_length = strlen(username);
    cJSON_Delete(body);
    if (status != STORE_OK && status != STORE_NOT_FOUND) {
        api_store_error(response, status, &error);
        return;
    }
    if (!valid) {
        metrics_add(request->api->metrics, METRICS_LOGIN_FAILURES, 1);
        log_warn("auth", "refused login for a user name of %zu characters", username_length);
        api_error(response, MHD_HTTP_UNAUTHORIZED, "bad_credentials",
                  _("wrong user name or password, or the account is disabled"));
        return;
    }
    char token[TOKEN_TEXT_SIZE], hash[TOKEN_HASH_SIZE];
    if (!token_generate(token) || !token_hash(token, hash)) {
        api_error(response, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                  _("cannot create a session token"));
        return;
    }
    int64_t expires_at = clock_now_ms() + config->session_ttl_ms;
    status = store_session_create(request->api->store, &user, hash, expires_at, NULL, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    session_json(response, token, &user, expires_at);
}

void api_sessions_delete(struct api_request *request, struct api_response *response)
{
    struct store_error error = {{0}};
    int status = store_session_revoke(request->api->store, &request->actor, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    api_json(response, MHD_HTTP_OK, cJSON_CreateObject());
}

void api_sessions_heartbeat(struct api_request *request, struct api_response *response)
{
    struct store_error error = {{0}};
    int status = store_sessions_touch(request->api->store, &request->session.id, 1, NULL, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    char now[CLOCK_RFC3339_SIZE];
    clock_format_rfc3339(clock_now_ms(), now);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "time", now);
    cJSON_AddStringToObject(body, "node", request->api->config->node_name);
    api_json(response, MHD_HTTP_OK, body);
}
