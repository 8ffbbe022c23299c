/* client_http.c: the client's requests. Each is one easy handle in the
 * multi (or, at start-up only, performed blocking), with its answer read
 * into a bounded buffer. Actions and documents report through the
 * callbacks; libcurl's own error texts go to no one: a failed transfer
 * becomes one of a few short sentences. */
#include "console/client_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"

const char *client_curl_sentence(CURLcode code)
{
    switch (code) {
    case CURLE_OK:
        return "";
    case CURLE_COULDNT_CONNECT:
        return _("the server refused the connection");
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return _("the server's name could not be resolved");
    case CURLE_OPERATION_TIMEDOUT:
        return _("the server did not answer in time");
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
        return _("the connection to the server was cut");
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
        return _("the secure connection to the server failed");
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return _("the server address is not a valid URL");
    case CURLE_OUT_OF_MEMORY:
        return _("out of memory");
    case CURLE_WRITE_ERROR:
        return _("the server's answer was too large");
    default:
        return _("the server could not be reached");
    }
}

void client_error_sentence(long status, const cJSON *answer, char *out, size_t size)
{
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(answer, "error");
    const cJSON *message = cJSON_GetObjectItemCaseSensitive(error, "message");
    if (cJSON_IsString(message) && message->valuestring[0])
        snprintf(out, size, "%s", message->valuestring);
    else
        snprintf(out, size, _("the server answered with HTTP status %ld"), status);
}

/* ---- one request ---- */

static size_t on_answer(char *data, size_t size, size_t count, void *closure)
{
    struct client_request *request = closure;
    size_t length = size * count;
    if (length > CLIENT_ANSWER_MAX - request->answer_length) {
        request->answer_too_large = true;
        return 0; /* libcurl ends the transfer with CURLE_WRITE_ERROR */
    }
    size_t needed = request->answer_length + length + 1;
    if (needed > request->answer_capacity) {
        size_t capacity = request->answer_capacity ? request->answer_capacity : 4096;
        while (capacity < needed)
            capacity *= 2;
        char *bigger = realloc(request->answer, capacity);
        if (!bigger)
            return 0;
        request->answer = bigger;
        request->answer_capacity = capacity;
    }
    memcpy(request->answer + request->answer_length, data, length);
    request->answer_length += length;
    request->answer[request->answer_length] = '\0';
    return length;
}

void client_easy_defaults(CURL *easy)
{
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, (long)CLIENT_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
}

static void request_free(struct client_request *request)
{
    if (!request)
        return;
    if (request->upload) {
        explicit_bzero(request->upload, strlen(request->upload));
        free(request->upload);
    }
    if (request->easy)
        curl_easy_cleanup(request->easy);
    curl_slist_free_all(request->headers);
    free(request->answer);
    free(request);
}

static bool add_header(struct client_request *request, const char *header)
{
    struct curl_slist *list = curl_slist_append(request->headers, header);
    if (!list)
        return false;
    request->headers = list;
    return true;
}

static bool request_headers(struct client *client, struct client_request *request, bool body)
{
    char authorization[CLIENT_TOKEN_SIZE + 32];
    bool ok = add_header(request, "Accept: application/json") && add_header(request, "Expect:");
    if (ok && body)
        ok = add_header(request, "Content-Type: application/json");
    if (ok && request->kind != CLIENT_REQUEST_LOGIN && client->token[0]) {
        snprintf(authorization, sizeof authorization, "Authorization: Bearer %s", client->token);
        ok = add_header(request, authorization);
        explicit_bzero(authorization, sizeof authorization);
    }
    return ok;
}

struct client_request *client_request_new(struct client *client, enum client_request_kind kind,
                                          const char *path, const char *body)
{
    char url[CLIENT_URL_SIZE + CLIENT_PATH_SIZE];
    struct client_request *request = calloc(1, sizeof *request);
    if (!request || !client_url(client, path, url, sizeof url))
        goto fail;
    request->client = client;
    request->kind = kind;
    request->easy = curl_easy_init();
    if (!request->easy || !request_headers(client, request, body != NULL))
        goto fail;
    if (body && !(request->upload = strdup(body)))
        goto fail;
    CURL *easy = request->easy;
    client_easy_defaults(easy);
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, request->headers);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_answer);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, request);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, request);
    long timeout = kind == CLIENT_REQUEST_LIST ? CLIENT_LIST_TIMEOUT_MS : CLIENT_REQUEST_TIMEOUT_MS;
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout);
    if (body) {
        /* Not COPYPOSTFIELDS: the copy is ours, to zero a password. */
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request->upload);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, (long)strlen(request->upload));
    }
    if (client->next_request_id == INT_MAX)
        client->next_request_id = 0;
    request->id = ++client->next_request_id;
    return request;
fail:
    request_free(request);
    return NULL;
}

cJSON *client_request_json(const struct client_request *request)
{
    return request->answer ? cJSON_ParseWithLength(request->answer, request->answer_length) : NULL;
}

static void request_unlink(struct client *client, struct client_request *request)
{
    for (struct client_request **link = &client->requests; *link; link = &(*link)->next) {
        if (*link == request) {
            *link = request->next;
            client->request_count--;
            break;
        }
    }
    if (request->added)
        curl_multi_remove_handle(client->multi, request->easy);
    request->added = false;
    if (client->attempt_request == request)
        client->attempt_request = NULL;
    if (client->list_next == request)
        client->list_next = NULL;
}

bool client_request_submit(struct client *client, struct client_request *request)
{
    if (client->request_count >= CLIENT_REQUESTS_MAX) {
        log_warn("client", "%d requests in flight already: one more refused", CLIENT_REQUESTS_MAX);
        request_free(request);
        return false;
    }
    request->next = client->requests;
    client->requests = request;
    client->request_count++;
    /* libcurl refuses multi calls from inside its callbacks (a screen may
     * act on an alarm event): such a request waits for the callback's end. */
    if (client->in_curl) {
        client->requests_waiting = true;
        return true;
    }
    if (curl_multi_add_handle(client->multi, request->easy) != CURLM_OK) {
        request_unlink(client, request);
        request_free(request);
        return false;
    }
    request->added = true;
    return true;
}

void client_requests_flush(struct client *client)
{
    if (!client->requests_waiting || client->in_curl)
        return;
    client->requests_waiting = false;
    /* A failure's callback may change the list: scan again after each. */
    for (;;) {
        struct client_request *request = client->requests;
        while (request && request->added)
            request = request->next;
        if (!request)
            return;
        if (curl_multi_add_handle(client->multi, request->easy) == CURLM_OK)
            request->added = true;
        else
            client_request_done(client, request, CURLE_OUT_OF_MEMORY);
    }
}

void client_request_cancel(struct client *client, struct client_request *request)
{
    request_unlink(client, request);
    request_free(request);
}

/* ---- what a finished request does ---- */

static void action_done(struct client *client, struct client_request *request, long status,
                        CURLcode result)
{
    char message[CLIENT_MESSAGE_SIZE] = "";
    cJSON *answer = client_request_json(request);
    bool ok = result == CURLE_OK && status >= 200 && status < 300;
    if (ok) {
        /* The answer is the alarm after the action: show it now rather than
         * when its stream event comes (that one then changes nothing). */
        const struct console_alarm *alarm = NULL;
        enum model_change change = model_apply_json(client->model, answer, &alarm);
        if (change != MODEL_UNCHANGED && client->callbacks.alarm_changed)
            client->callbacks.alarm_changed(client->callbacks.context, alarm, change);
    } else if (result != CURLE_OK) {
        snprintf(message, sizeof message, "%s", client_curl_sentence(result));
    } else {
        client_error_sentence(status, answer, message, sizeof message);
    }
    if (!ok)
        log_warn("client", "action on alarm %lld refused: %s", (long long)request->alarm_id,
                 message);
    cJSON_Delete(answer);
    if (client->callbacks.action_done)
        client->callbacks.action_done(client->callbacks.context, request->id, ok, message);
}

/* A transfer that failed gives status 0 and a body in the API's error form
 * whose message says why, so that a screen shows every failure alike. */
static void document_done(struct client *client, struct client_request *request, long status,
                          CURLcode result)
{
    cJSON *answer = NULL;
    if (result == CURLE_OK) {
        answer = client_request_json(request);
    } else {
        status = 0;
        answer = cJSON_CreateObject();
        cJSON *error = cJSON_AddObjectToObject(answer, "error");
        cJSON_AddStringToObject(error, "code", "network");
        cJSON_AddStringToObject(error, "message", client_curl_sentence(result));
    }
    if (client->callbacks.document_loaded)
        client->callbacks.document_loaded(client->callbacks.context, request->id, (int)status,
                                          answer);
    cJSON_Delete(answer);
}

static void login_done(struct client *client, struct client_request *request, long status,
                       CURLcode result)
{
    char why[CLIENT_MESSAGE_SIZE];
    cJSON *answer = client_request_json(request);
    if (result == CURLE_OK && status == 201 && client_login_take(client, answer)) {
        cJSON_Delete(answer);
        client->relogged = true;
        log_info("client", "logged in again on %s", client->servers[client->server_index]);
        client_attempt_continue(client);
        return;
    }
    if (result != CURLE_OK)
        snprintf(why, sizeof why, "%s", client_curl_sentence(result));
    else
        client_error_sentence(status, answer, why, sizeof why);
    cJSON_Delete(answer);
    client_attempt_failed(client, why, result == CURLE_COULDNT_CONNECT);
}

void client_request_done(struct client *client, struct client_request *request, CURLcode result)
{
    long status = 0;
    if (result == CURLE_OK)
        curl_easy_getinfo(request->easy, CURLINFO_RESPONSE_CODE, &status);
    request_unlink(client, request);
    switch (request->kind) {
    case CLIENT_REQUEST_LOGIN:
        login_done(client, request, status, result);
        break;
    case CLIENT_REQUEST_LIST:
        client_list_page_done(client, request, status, result);
        break;
    case CLIENT_REQUEST_HEAD:
        client_list_head_done(client, request, status, result);
        break;
    case CLIENT_REQUEST_ACTION:
        action_done(client, request, status, result);
        break;
    case CLIENT_REQUEST_DOCUMENT:
        document_done(client, request, status, result);
        break;
    }
    request_free(request);
}

long client_request_blocking(struct client *client, const char *path, const char *body,
                             cJSON **json, char *why, size_t why_size)
{
    *json = NULL;
    struct client_request *request =
        client_request_new(client, CLIENT_REQUEST_DOCUMENT, path, body);
    if (!request) {
        snprintf(why, why_size, "%s", _("out of memory"));
        return 0;
    }
    long status = 0;
    CURLcode result = curl_easy_perform(request->easy);
    if (result == CURLE_OK) {
        curl_easy_getinfo(request->easy, CURLINFO_RESPONSE_CODE, &status);
        *json = client_request_json(request);
    } else {
        snprintf(why, why_size, "%s", client_curl_sentence(result));
    }
    request_free(request);
    return status;
}

/* ---- logging in ---- */

static char *login_body(const struct client *client)
{
    cJSON *body = cJSON_CreateObject();
    if (!body || !cJSON_AddStringToObject(body, "username", client->username) ||
        !cJSON_AddStringToObject(body, "password", client->password)) {
        cJSON_Delete(body);
        return NULL;
    }
    char *text = cJSON_PrintUnformatted(body);
    /* cJSON keeps its own copy of the password in the tree: zero it too. */
    cJSON *password = cJSON_GetObjectItemCaseSensitive(body, "password");
    explicit_bzero(password->valuestring, strlen(password->valuestring));
    cJSON_Delete(body);
    return text;
}

bool client_login_start(struct client *client, char *why, size_t why_size)
{
    char *body = login_body(client);
    struct client_request *request =
        body ? client_request_new(client, CLIENT_REQUEST_LOGIN, "/v1/sessions", body) : NULL;
    if (body) {
        explicit_bzero(body, strlen(body));
        free(body);
    }
    if (!request || !client_request_submit(client, request)) {
        snprintf(why, why_size, "%s", _("out of memory"));
        return false;
    }
    client->attempt_request = request;
    client->phase = CLIENT_PHASE_LOGIN;
    client->link_deadline_ms = clock_monotonic_ms() + client->heartbeat_lost_ms;
    return true;
}

long client_login_blocking(struct client *client, char *why, size_t why_size)
{
    char *body = login_body(client);
    if (!body) {
        snprintf(why, why_size, "%s", _("out of memory"));
        return 0;
    }
    cJSON *answer = NULL;
    long status = client_request_blocking(client, "/v1/sessions", body, &answer, why, why_size);
    explicit_bzero(body, strlen(body));
    free(body);
    if (status == 201 && !client_login_take(client, answer)) {
        snprintf(why, why_size, "%s", _("the server's answer to the login could not be read"));
        status = 500;
    } else if (status != 201 && status != 0) {
        client_error_sentence(status, answer, why, why_size);
    }
    cJSON_Delete(answer);
    return status;
}

bool client_login_take(struct client *client, const cJSON *answer)
{
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(answer, "token");
    const cJSON *username = cJSON_GetObjectItemCaseSensitive(answer, "username");
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(answer, "role");
    if (!cJSON_IsString(token) || strlen(token->valuestring) >= sizeof client->token ||
        !token->valuestring[0] || !cJSON_IsString(role))
        return false;
    snprintf(client->token, sizeof client->token, "%s", token->valuestring);
    if (cJSON_IsString(username))
        snprintf(client->username, sizeof client->username, "%s", username->valuestring);
    if (strcmp(role->valuestring, "admin") == 0)
        client->role = CLIENT_ROLE_ADMIN;
    else if (strcmp(role->valuestring, "supervisor") == 0)
        client->role = CLIENT_ROLE_SUPERVISOR;
    else
        client->role = CLIENT_ROLE_OPERATOR;
    return true;
}

/* ---- actions and documents ---- */

static int send_action(struct client *client, int64_t alarm_id, const char *action, cJSON *body)
{
    char path[CLIENT_PATH_SIZE];
    char *text = body ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    struct client_request *request = NULL;
    if (text) {
        snprintf(path, sizeof path, "/v1/alarms/%lld/%s", (long long)alarm_id, action);
        request = client_request_new(client, CLIENT_REQUEST_ACTION, path, text);
        free(text);
    }
    if (!request)
        return -1;
    request->alarm_id = alarm_id;
    int id = request->id;
    return client_request_submit(client, request) ? id : -1;
}

/* Only on a live link: an action sent to a backend that may be gone would
 * leave the operator waiting for nothing. */
static bool can_act(const struct client *client, int64_t alarm_id)
{
    return client && alarm_id > 0 && client->link == CLIENT_LINK_LIVE &&
           client->phase == CLIENT_PHASE_STREAM && client->token[0];
}

int client_claim(struct client *client, int64_t alarm_id)
{
    return can_act(client, alarm_id) ? send_action(client, alarm_id, "claim", cJSON_CreateObject())
                                     : -1;
}

int client_release(struct client *client, int64_t alarm_id)
{
    return can_act(client, alarm_id)
               ? send_action(client, alarm_id, "release", cJSON_CreateObject())
               : -1;
}

int client_acknowledge(struct client *client, int64_t alarm_id)
{
    return can_act(client, alarm_id) ? send_action(client, alarm_id, "ack", cJSON_CreateObject())
                                     : -1;
}

int client_note(struct client *client, int64_t alarm_id, const char *text)
{
    if (!can_act(client, alarm_id) || !text)
        return -1;
    cJSON *body = cJSON_CreateObject();
    if (body && !cJSON_AddStringToObject(body, "text", text)) {
        cJSON_Delete(body);
        return -1;
    }
    return send_action(client, alarm_id, "notes", body);
}

int client_close_alarm(struct client *client, int64_t alarm_id, const char *resolution,
                       const char *text)
{
    if (!can_act(client, alarm_id) || !resolution)
        return -1;
    cJSON *body = cJSON_CreateObject();
    bool ok = body && cJSON_AddStringToObject(body, "resolution", resolution) &&
              (!text || !text[0] || cJSON_AddStringToObject(body, "text", text));
    if (!ok) {
        cJSON_Delete(body);
        return -1;
    }
    return send_action(client, alarm_id, "close", body);
}

/* Documents may be asked for whatever the link: they are read fresh, and
 * one that cannot come says so through document_loaded. */
int client_get(struct client *client, const char *path)
{
    if (!client || !path || strncmp(path, "/v1/", 4) != 0 || strlen(path) >= CLIENT_PATH_SIZE ||
        !client->token[0])
        return -1;
    struct client_request *request =
        client_request_new(client, CLIENT_REQUEST_DOCUMENT, path, NULL);
    if (!request)
        return -1;
    int id = request->id;
    return client_request_submit(client, request) ? id : -1;
}
