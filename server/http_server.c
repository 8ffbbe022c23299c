/* http_server.c: turns libmicrohttpd callbacks into api_request and
 * api_response: gathers the body within its limit, finds the route,
 * checks the bearer token and the role, runs the handler, and sends JSON.
 * Runs an epoll thread pool; the event stream suspends its connection
 * while it has nothing to send instead of polling. */
#include "server/http_server.h"
#include "server/http_routes.h"
#include "server/metrics.h"
#include "server/password.h"
#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"

#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* Connections at once: consoles, supervisors' screens and their streams,
 * with room to spare; MHD refuses beyond it instead of exhausting fds. */
#define HTTP_CONNECTION_LIMIT 2000
/* Seconds an idle connection may stay open (streams send a heartbeat
 * every 2 s, so they never look idle). */
#define HTTP_IDLE_TIMEOUT_S 120

struct http_server {
    struct MHD_Daemon *daemon;
    struct api_context *api;
    char *tls_cert, *tls_key; /* PEM, kept for the daemon's life */
};

struct request_state {
    char *body;
    size_t size, capacity;
    bool too_large;
    bool answered;
    int64_t started_us;
    unsigned status;
};

static void request_state_free(struct request_state *state)
{
    if (!state)
        return;
    free(state->body);
    free(state);
}

static enum MHD_Result send_response(struct MHD_Connection *connection, struct request_state *state,
                                     struct api_response *response)
{
    struct MHD_Response *reply = response->raw;
    if (!reply) {
        char *text = response->json ? cJSON_PrintUnformatted(response->json) : strdup("{}");
        if (!text)
            return MHD_NO;
        size_t length = strlen(text);
        text[length] = '\0';
        reply = MHD_create_response_from_buffer(length, text, MHD_RESPMEM_MUST_FREE);
        if (!reply) {
            free(text);
            return MHD_NO;
        }
        MHD_add_response_header(reply, "Content-Type", "application/json; charset=utf-8");
    }
    MHD_add_response_header(reply, "Cache-Control", "no-store");
    if (response->allow_methods[0])
        MHD_add_response_header(reply, "Allow", response->allow_methods);
    if (response->www_authenticate)
        MHD_add_response_header(reply, "WWW-Authenticate", "Bearer realm=\"vigie\"");
    state->status = response->status;
    state->answered = true;
    enum MHD_Result result = MHD_queue_response(connection, response->status, reply);
    MHD_destroy_response(reply);
    cJSON_Delete(response->json);
    response->json = NULL;
    return result;
}

static bool authenticate(struct api_request *request, struct api_response *response)
{
    const char *header =
        MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND, "Authorization");
    if (!header || strncasecmp(header, "Bearer ", 7) != 0 || strlen(header + 7) > 128) {
        api_error(response, MHD_HTTP_UNAUTHORIZED, "unauthorized",
                  _("a session token is required (Authorization: Bearer TOKEN)"));
        response->www_authenticate = true;
        return false;
    }
    char hash[TOKEN_HASH_SIZE];
    struct store_error error = {{0}};
    if (!token_hash(header + 7, hash)) {
        api_error(response, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", _("cannot hash token"));
        return false;
    }
    int status =
        store_session_find(request->api->store, hash, clock_now_ms(), &request->session, &error);
    if (status == STORE_NOT_FOUND) {
        api_error(response, MHD_HTTP_UNAUTHORIZED, "unauthorized",
                  _("the session token is unknown, expired or closed: log in again"));
        response->www_authenticate = true;
        return false;
    }
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return false;
    }
    request->authenticated = true;
    request->actor.user_id = request->session.user_id;
    request->actor.session_id = request->session.id;
    request->actor.role = request->session.role;
    snprintf(request->actor.username, sizeof request->actor.username, "%s",
             request->session.username);
    return true;
}

static bool authorize(struct api_request *request, const struct route *route,
                      struct api_response *response)
{
    enum role role = request->session.role;
    bool allowed = route->access == ACCESS_READ ||
                   (route->access == ACCESS_OPERATE && role != ROLE_SUPERVISOR) ||
                   (route->access == ACCESS_ADMIN && role == ROLE_ADMIN);
    if (allowed)
        return true;
    metrics_add(request->api->metrics, METRICS_REQUESTS_REFUSED_ROLE, 1);
    if (route->access == ACCESS_OPERATE)
        api_error(response, MHD_HTTP_FORBIDDEN, "forbidden",
                  _("supervisors have read-only access: this change is refused"));
    else
        api_error(response, MHD_HTTP_FORBIDDEN, "forbidden",
                  _("this action is reserved to administrators"));
    return false;
}

static void dispatch(struct api_context *api, struct MHD_Connection *connection, const char *url,
                     const char *method, struct request_state *state, struct api_response *response)
{
    struct api_request request = {
        .api = api,
        .connection = connection,
        .method = method,
        .path = url,
        .body = state->body,
        .body_size = state->size,
    };
    const struct route *route = NULL;
    char allow[128];
    switch (http_routes_find(&request, &route, allow, sizeof allow)) {
    case ROUTE_NO_PATH:
        api_error(response, MHD_HTTP_NOT_FOUND, "not_found", _("no such endpoint: %s"), url);
        return;
    case ROUTE_WRONG_METHOD:
        api_error(response, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                  _("%s is not allowed here; allowed: %s"), method, allow);
        snprintf(response->allow_methods, sizeof response->allow_methods, "%s", allow);
        return;
    case ROUTE_FOUND:
        break;
    }
    if (state->too_large) {
        api_error(response, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
                  _("the request body is larger than %zu bytes"), api->config->max_body_bytes);
        return;
    }
    if (route->access == ACCESS_DEVICE) {
        /* Devices have tokens of their own, never a user's session. */
        if (!api_device_authenticate(&request, response))
            return;
    } else if (route->access != ACCESS_PUBLIC &&
               (!authenticate(&request, response) || !authorize(&request, route, response))) {
        return;
    }
    route->handler(&request, response);
    if (response->status == 0)
        api_error(response, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", _("no answer"));
}

static bool append_body(struct request_state *state, const char *data, size_t size, size_t limit)
{
    if (state->too_large || state->size + size > limit) {
        state->too_large = true;
        return true;
    }
    if (state->size + size + 1 > state->capacity) {
        size_t capacity = state->capacity ? state->capacity : 1024;
        while (capacity < state->size + size + 1)
            capacity *= 2;
        char *grown = realloc(state->body, capacity);
        if (!grown)
            return false;
        state->body = grown;
        state->capacity = capacity;
    }
    memcpy(state->body + state->size, data, size);
    state->size += size;
    state->body[state->size] = '\0';
    return true;
}

static bool declared_too_large(struct MHD_Connection *connection, size_t limit)
{
    const char *length =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    return length && strtoull(length, NULL, 10) > limit;
}

static enum MHD_Result on_request(void *closure, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **request_closure)
{
    (void)version;
    struct http_server *server = closure;
    struct request_state *state = *request_closure;
    if (!state) {
        state = calloc(1, sizeof *state);
        if (!state)
            return MHD_NO;
        state->started_us = clock_monotonic_us();
        *request_closure = state;
        if (!declared_too_large(connection, server->api->config->max_body_bytes))
            return MHD_YES;
        /* Refuse at once instead of reading megabytes we will not use. */
        state->too_large = true;
        struct api_response response = {0};
        api_error(&response, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
                  _("the request body is larger than %zu bytes"),
                  server->api->config->max_body_bytes);
        return send_response(connection, state, &response);
    }
    if (state->answered)
        return MHD_YES;
    if (*upload_data_size > 0) {
        if (!append_body(state, upload_data, *upload_data_size,
                         server->api->config->max_body_bytes))
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct api_response response = {0};
    dispatch(server->api, connection, url, method, state, &response);
    return send_response(connection, state, &response);
}

static void on_completed(void *closure, struct MHD_Connection *connection, void **request_closure,
                         enum MHD_RequestTerminationCode code)
{
    (void)connection;
    (void)code;
    struct http_server *server = closure;
    struct request_state *state = *request_closure;
    if (state) {
        metrics_request(server->api->metrics, state->status,
                        clock_monotonic_us() - state->started_us);
        request_state_free(state);
    }
    *request_closure = NULL;
}

static void on_mhd_log(void *closure, const char *format, va_list args)
{
    (void)closure;
    char line[512];
    vsnprintf(line, sizeof line, format, args);
    size_t length = strlen(line);
    while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
        line[--length] = '\0';
    log_warn("http", "%s", line);
}

/* Parses "HOST:PORT" or "[V6]:PORT" into an address to bind. */
static bool resolve_listen(const char *listen, struct sockaddr_storage *address, char *error,
                           size_t error_size)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof host) {
        snprintf(error, error_size, _("listen address \"%s\" is not HOST:PORT"), listen);
        return false;
    }
    size_t host_length = (size_t)(colon - listen);
    memcpy(host, listen, host_length);
    host[host_length] = '\0';
    if (host[0] == '[' && host[host_length - 1] == ']') {
        memmove(host, host + 1, host_length - 2);
        host[host_length - 2] = '\0';
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
    struct addrinfo *found = NULL;
    int rc = getaddrinfo(host, colon + 1, &hints, &found);
    if (rc != 0) {
        snprintf(error, error_size, _("listen address \"%s\": %s"), listen, gai_strerror(rc));
        return false;
    }
    memset(address, 0, sizeof *address);
    memcpy(address, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    return true;
}

/* Reads a PEM file whole; a certificate chain or key is a few KiB. */
#define HTTP_PEM_MAX (1024 * 1024)

static char *read_pem(const char *path, char *error, size_t error_size)
{
    FILE *file = fopen(path, "r");
    if (!file) {
        snprintf(error, error_size, _("cannot read %s: %s"), path, strerror(errno));
        return NULL;
    }
    char *text = malloc(HTTP_PEM_MAX + 1);
    size_t length = text ? fread(text, 1, HTTP_PEM_MAX + 1, file) : 0;
    bool failed = !text || ferror(file) || length == 0 || length > HTTP_PEM_MAX;
    fclose(file);
    if (failed) {
        snprintf(error, error_size, _("%s is empty, unreadable or larger than %d bytes"), path,
                 HTTP_PEM_MAX);
        free(text);
        return NULL;
    }
    text[length] = '\0';
    return text;
}

static bool load_tls(struct http_server *server, char *error, size_t error_size)
{
    const struct server_config *config = server->api->config;
    if (!config->tls_cert[0] && !config->tls_key[0])
        return true;
    if (!config->tls_cert[0] || !config->tls_key[0]) {
        snprintf(error, error_size, _("TLS needs both --tls-cert and --tls-key"));
        return false;
    }
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        snprintf(error, error_size, _("this libmicrohttpd was built without TLS"));
        return false;
    }
    server->tls_cert = read_pem(config->tls_cert, error, error_size);
    server->tls_key = server->tls_cert ? read_pem(config->tls_key, error, error_size) : NULL;
    return server->tls_key != NULL;
}

static void http_server_free(struct http_server *server)
{
    free(server->tls_cert);
    if (server->tls_key) {
        /* The private key leaves memory with the server. */
        memset(server->tls_key, 0, strlen(server->tls_key));
        free(server->tls_key);
    }
    free(server);
}

int http_server_start(struct api_context *api, const char *listen, struct http_server **out,
                      char *error, size_t error_size)
{
    struct sockaddr_storage address;
    if (!resolve_listen(listen, &address, error, error_size))
        return -1;
    struct http_server *server = calloc(1, sizeof *server);
    if (!server) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    server->api = api;
    if (!load_tls(server, error, error_size)) {
        http_server_free(server);
        return -1;
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (address.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (server->tls_cert)
        flags |= MHD_USE_TLS;
    /* The logger first, so that MHD reports everything through it. */
    struct MHD_OptionItem options[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, NULL},
        {MHD_OPTION_SOCK_ADDR, 0, &address},
        {MHD_OPTION_THREAD_POOL_SIZE, api->config->http_threads, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, HTTP_CONNECTION_LIMIT, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, HTTP_IDLE_TIMEOUT_S, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, server},
        {server->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, server->tls_cert},
        {server->tls_key ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, server->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    server->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, server, MHD_OPTION_ARRAY,
                                      options, MHD_OPTION_END);
    if (!server->daemon) {
        snprintf(error, error_size,
                 server->tls_cert
                     ? _("cannot listen on %s (address in use, or the TLS certificate and key "
                         "do not match)")
                     : _("cannot listen on %s (address in use or not allowed)"),
                 listen);
        http_server_free(server);
        return -1;
    }
    *out = server;
    return 0;
}

bool http_server_uses_tls(const struct http_server *server)
{
    return server->tls_cert != NULL;
}

unsigned http_server_port(const struct http_server *server)
{
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

void http_server_stop(struct http_server *server)
{
    if (!server)
        return;
    MHD_stop_daemon(server->daemon);
    http_server_free(server);
}
