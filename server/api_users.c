/* api_users.c: account management for administrators (GET/POST
 * /v1/users, disable, enable). Password hashes never leave the store. */
#include "server/accounts.h"
#include "server/api.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <stdio.h>
#include <string.h>

static void add_user(void *context, const struct store_user *user)
{
    char created[CLOCK_RFC3339_SIZE];
    clock_format_rfc3339(user->created_at, created);
    cJSON *item = cJSON_CreateObject();
    cJSON_AddStringToObject(item, "username", user->username);
    cJSON_AddStringToObject(item, "display_name", user->display_name);
    cJSON_AddStringToObject(item, "role", role_name(user->role));
    cJSON_AddBoolToObject(item, "disabled", user->disabled);
    cJSON_AddStringToObject(item, "created_at", created);
    cJSON_AddItemToArray(context, item);
}

void api_users_list(struct api_request *request, struct api_response *response)
{
    cJSON *users = cJSON_CreateArray();
    struct store_error error = {{0}};
    int status = store_users_list(request->api->store, add_user, users, &error);
    if (status != STORE_OK) {
        cJSON_Delete(users);
        api_store_error(response, status, &error);
        return;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "users", users);
    api_json(response, MHD_HTTP_OK, body);
}

void api_users_create(struct api_request *request, struct api_response *response)
{
    static const char *const fields[] = {"username", "display_name", "role", "password", NULL};
    cJSON *body = api_body_object(request, response, fields);
    if (!body)
        return;
    const char *name, *display, *role_text, *password;
    enum role role = ROLE_OPERATOR;
    bool ok = api_field_string(body, "username", true, 63, &name, response) &&
              api_field_string(body, "display_name", false, 127, &display, response) &&
              api_field_string(body, "role", true, 16, &role_text, response) &&
              api_field_string(body, "password", true, PASSWORD_MAX, &password, response);
    if (ok && !role_parse(role_text, &role)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_role",
                  _("role must be operator, supervisor or admin"));
        ok = false;
    }
    if (ok) {
        const struct server_config *config = request->api->config;
        struct password_cost cost = {config->argon2_memory_kib, config->argon2_iterations};
        char message[256];
        int status = account_create(request->api->store, &request->actor, name, display, role,
                                    password, &cost, message, sizeof message);
        struct store_user user;
        struct store_error error = {{0}};
        if (status == STORE_OK &&
            store_user_find(request->api->store, name, &user, &error) == STORE_OK) {
            cJSON *list = cJSON_CreateArray();
            add_user(list, &user);
            api_json(response, MHD_HTTP_CREATED, cJSON_DetachItemFromArray(list, 0));
            cJSON_Delete(list);
        } else if (status == STORE_INVALID) {
            api_error(response, MHD_HTTP_BAD_REQUEST, "invalid", "%s", message);
        } else if (status == STORE_CONFLICT) {
            api_error(response, MHD_HTTP_CONFLICT, "conflict", "%s", message);
        } else if (status == STORE_OK) {
            api_store_error(response, STORE_ERROR, &error);
        } else {
            api_error(response, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "%s", message);
        }
    }
    cJSON_Delete(body);
}

static void set_disabled(struct api_request *request, struct api_response *response, bool disabled)
{
    const char *name = request->params[0];
    struct store_error error = {{0}};
    if (disabled && strcmp(name, request->actor.username) == 0) {
        api_error(response, MHD_HTTP_CONFLICT, "conflict",
                  _("you cannot disable your own account"));
        return;
    }
    int status =
        store_user_set_disabled(request->api->store, &request->actor, name, disabled, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "username", name);
    cJSON_AddBoolToObject(body, "disabled", disabled);
    api_json(response, MHD_HTTP_OK, body);
}

void api_users_disable(struct api_request *request, struct api_response *response)
{
    set_disabled(request, response, true);
}

void api_users_enable(struct api_request *request, struct api_response *response)
{
    set_disabled(request, response, false);
}
