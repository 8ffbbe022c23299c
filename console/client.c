/* client.c: the client's life: the start-up login (blocking, URL after
 * URL), the descriptors and timers it lends the console's poll loop, and
 * the link. A connection attempt is a login when needed, a list load when
 * the model holds none, then the stream; the link is LIVE once the stream
 * has replayed up to the last_sequence of its first heartbeat (the screen
 * then shows the server's present), and LOST when heartbeats stop or the
 * attempt fails. Attempts are retried after 250 ms, doubling to 4 s, then
 * on the next URL; a URL that refuses the connection (its node is down)
 * gives way to the next one at once, and the backoff applies only when
 * every URL of the list refused in a row.
 *
 * With a token instead of a password the role is asked of the server
 * without changing anything: GET /v1/users answers 200 to admins only, and
 * POST /v1/alarms/0/claim is refused with 403 to supervisors before its
 * handler runs, while for operators that handler answers 404 (no alarm 0). */
#include "console/client_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"

/* ---- libcurl's sockets and timer ---- */

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *user, void *socket_data)
{
    (void)easy;
    (void)socket_data;
    struct client *client = user;
    size_t i = 0;
    while (i < client->socket_count && client->sockets[i].fd != fd)
        i++;
    if (what == CURL_POLL_REMOVE) {
        if (i < client->socket_count)
            client->sockets[i] = client->sockets[--client->socket_count];
        return 0;
    }
    if (i == client->socket_count) {
        if (client->socket_count == CLIENT_POLL_MAX) {
            log_error("client", "more than %d sockets: one is not watched", CLIENT_POLL_MAX);
            return 0;
        }
        client->sockets[client->socket_count++].fd = fd;
    }
    client->sockets[i].what = what;
    return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *user)
{
    (void)multi;
    struct client *client = user;
    client->curl_deadline_ms = timeout_ms < 0 ? -1 : clock_monotonic_ms() + timeout_ms;
    return 0;
}

/* ---- the link ---- */

void client_set_link(struct client *client, enum client_link link, const char *why)
{
    if (client->link == link)
        return;
    client->link = link;
    if (link == CLIENT_LINK_LOST)
        client->lost_since_ms = clock_now_ms();
    else
        client->lost_since_ms = 0;
    static const char *const names[] = {"connecting", "live", "lost"};
    log_info("client", "link %s (%s)%s%s", names[link], client->servers[client->server_index],
             why[0] ? ": " : "", why);
    if (client->callbacks.link_changed)
        client->callbacks.link_changed(client->callbacks.context, link, why);
}

bool client_url(const struct client *client, const char *path, char *out, size_t size)
{
    int length = snprintf(out, size, "%s%s", client->servers[client->server_index], path);
    return length > 0 && (size_t)length < size;
}

/* The next attempt after the backoff; past the longest, the next URL. A
 * refused connection moves to the next URL at once, until each has
 * refused once in a row. */
static void schedule_retry(struct client *client, bool refused)
{
    if (refused && client->server_count > 1 && ++client->refusals < client->server_count) {
        client->server_index = (client->server_index + 1) % client->server_count;
        log_info("client", "the server refused the connection: trying the next one, %s, now",
                 client->servers[client->server_index]);
        client->retry_at_ms = clock_monotonic_ms();
        return;
    }
    client->refusals = 0;
    if (client->backoff_ms > CLIENT_BACKOFF_MAX_MS) {
        client->backoff_ms = CLIENT_BACKOFF_MIN_MS;
        if (client->server_count > 1) {
            client->server_index = (client->server_index + 1) % client->server_count;
            log_info("client", "trying the next server, %s", client->servers[client->server_index]);
        }
    }
    client->retry_at_ms = clock_monotonic_ms() + client->backoff_ms;
    client->backoff_ms *= 2;
}

void client_attempt_failed(struct client *client, const char *why, bool refused)
{
    if (client->attempt_request)
        client_request_cancel(client, client->attempt_request);
    client_list_forget(client);
    client_stream_close(client);
    client->resync_wanted = false;
    client->phase = CLIENT_PHASE_WAIT;
    log_warn("client", "%s: %s", client->servers[client->server_index], why);
    client_set_link(client, CLIENT_LINK_LOST, why);
    schedule_retry(client, refused);
}

void client_attempt_continue(struct client *client)
{
    char why[CLIENT_MESSAGE_SIZE];
    bool started;
    if (!client->token[0] && !client->has_password) {
        snprintf(why, sizeof why, "%s",
                 _("the server refused the session: start the console again to log in"));
        started = false;
    } else if (!client->token[0]) {
        started = client_login_start(client, why, sizeof why);
    } else if (!client->loaded) {
        started = client_list_start(client, why, sizeof why);
    } else {
        started = client_stream_open(client, why, sizeof why);
    }
    if (!started)
        client_attempt_failed(client, why, false);
}

static void attempt_begin(struct client *client)
{
    client->relogged = false;
    client_attempt_continue(client);
}

/* A resync: the model cannot be brought up to date by events; load it
 * again (the old one stays on screen, not live, until the new is whole). */
static void resync(struct client *client)
{
    char why[CLIENT_MESSAGE_SIZE];
    client->resync_wanted = false;
    client_stream_close(client);
    client->loaded = false;
    client_set_link(client, CLIENT_LINK_CONNECTING, _("reloading the alarms"));
    if (!client_list_start(client, why, sizeof why))
        client_attempt_failed(client, why, false);
}

/* ---- start-up ---- */

static bool copy_options(struct client *client, const struct client_options *options, char *error,
                         size_t error_size)
{
    if (options->server_count == 0 || options->server_count > CLIENT_SERVERS_MAX) {
        snprintf(error, error_size, "%s", _("no server address is configured"));
        return false;
    }
    for (size_t i = 0; i < options->server_count; i++) {
        const char *url = options->servers[i];
        size_t length = url ? strlen(url) : 0;
        while (length > 0 && url[length - 1] == '/')
            length--;
        if (length == 0 || length >= CLIENT_URL_SIZE) {
            snprintf(error, error_size, "%s", _("a server address is empty or too long"));
            return false;
        }
        memcpy(client->servers[i], url, length);
        client->servers[i][length] = '\0';
    }
    client->server_count = options->server_count;
    /* A token skips the login; a password given as well serves to log in
     * again when a node refuses the token. */
    const char *token = options->token && options->token[0] ? options->token : NULL;
    bool token_ok = token && strlen(token) < sizeof client->token;
    bool password_ok = options->username && options->password &&
                       strlen(options->password) < sizeof client->password;
    if ((token && !token_ok) || (!token_ok && !password_ok)) {
        snprintf(error, error_size, "%s", _("a user name and a password, or a token, are needed"));
        return false;
    }
    if (token_ok)
        snprintf(client->token, sizeof client->token, "%s", token);
    if (password_ok) {
        snprintf(client->password, sizeof client->password, "%s", options->password);
        client->has_password = true;
    }
    if (options->username)
        snprintf(client->username, sizeof client->username, "%s", options->username);
    client->heartbeat_lost_ms =
        options->heartbeat_lost_ms > 0 ? options->heartbeat_lost_ms : CLIENT_HEARTBEAT_LOST_MS;
    return true;
}

/* With a token: is it good here, and what role does it carry? Answers 201
 * when it is good (as a login would), else as client_login_blocking. */
static long probe_role(struct client *client, char *why, size_t why_size)
{
    cJSON *answer = NULL;
    long status = client_request_blocking(client, "/v1/users", NULL, &answer, why, why_size);
    if (status == 200) {
        client->role = CLIENT_ROLE_ADMIN;
    } else if (status == 403) {
        cJSON_Delete(answer);
        answer = NULL;
        long claim =
            client_request_blocking(client, "/v1/alarms/0/claim", "{}", &answer, why, why_size);
        client->role = claim == 403 ? CLIENT_ROLE_SUPERVISOR : CLIENT_ROLE_OPERATOR;
        status = claim == 0 ? 0 : 200;
    } else if (status != 0) {
        client_error_sentence(status, answer, why, why_size);
    }
    cJSON_Delete(answer);
    return status == 200 ? 201 : status;
}

/* Logs in on each URL in turn until one answers. */
static bool first_session(struct client *client, char *error, size_t error_size)
{
    char why[CLIENT_MESSAGE_SIZE] = "";
    for (size_t i = 0; i < client->server_count; i++) {
        client->server_index = i;
        long status = client->token[0] ? probe_role(client, why, sizeof why) : 401;
        if (status == 401 && client->has_password) {
            client->token[0] = '\0';
            status = client_login_blocking(client, why, sizeof why);
        }
        if (status == 201)
            return true;
        log_warn("client", "%s: %s", client->servers[i], why);
        if (status == 401 || status == 400) {
            /* Wrong credentials are the same on every node. */
            snprintf(error, error_size, "%s", why);
            return false;
        }
    }
    snprintf(error, error_size, _("no server answered (%s)"), why);
    return false;
}

static bool client_init(struct client *client, struct model *model,
                        const struct client_callbacks *callbacks)
{
    client->model = model;
    if (callbacks)
        client->callbacks = *callbacks;
    client->curl_deadline_ms = -1;
    client->catch_up_to = -1;
    client->link = CLIENT_LINK_CONNECTING;
    client->backoff_ms = CLIENT_BACKOFF_MIN_MS;
    client->phase = CLIENT_PHASE_WAIT;
    client->multi = curl_multi_init();
    if (!client->multi)
        return false;
    curl_multi_setopt(client->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(client->multi, CURLMOPT_SOCKETDATA, client);
    curl_multi_setopt(client->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(client->multi, CURLMOPT_TIMERDATA, client);
    curl_multi_setopt(client->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)CLIENT_CONNECTIONS_MAX);
    return true;
}

struct client *client_start(const struct client_options *options, struct model *model,
                            const struct client_callbacks *callbacks, char *error,
                            size_t error_size)
{
    if (!options || !model) {
        snprintf(error, error_size, "%s", _("the console's client was started without options"));
        return NULL;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(error, error_size, "%s", _("the network library could not start"));
        return NULL;
    }
    struct client *client = calloc(1, sizeof *client);
    if (!client) {
        curl_global_cleanup();
        snprintf(error, error_size, "%s", _("out of memory"));
        return NULL;
    }
    char why[CLIENT_MESSAGE_SIZE];
    if (!client_init(client, model, callbacks)) {
        snprintf(error, error_size, "%s", _("the network library could not start"));
        client_free(client);
        return NULL;
    }
    if (!copy_options(client, options, error, error_size) ||
        !first_session(client, error, error_size)) {
        client_free(client);
        return NULL;
    }
    if (!client_list_start(client, why, sizeof why)) {
        snprintf(error, error_size, "%s", why);
        client_free(client);
        return NULL;
    }
    log_info("client", "session open on %s as %s", client->servers[client->server_index],
             client->username[0] ? client->username : "(token)");
    return client;
}

void client_free(struct client *client)
{
    if (!client)
        return;
    /* The list's requests first: it keeps pointers to them (the queue's
     * head, the next page), which cancelling them below would leave
     * dangling. */
    client_list_forget(client);
    while (client->requests)
        client_request_cancel(client, client->requests);
    if (client->multi)
        client_stream_close(client);
    sse_parser_free(client->stream.parser);
    if (client->multi)
        curl_multi_cleanup(client->multi);
    explicit_bzero(client->password, sizeof client->password);
    explicit_bzero(client->token, sizeof client->token);
    free(client);
    curl_global_cleanup();
}

/* ---- the poll loop ---- */

size_t client_poll_fds(struct client *client, struct pollfd *fds, size_t max)
{
    size_t count = 0;
    for (size_t i = 0; client && i < client->socket_count && count < max; i++) {
        int what = client->sockets[i].what;
        fds[count].fd = client->sockets[i].fd;
        fds[count].events =
            (short)(((what & CURL_POLL_IN) ? POLLIN : 0) | ((what & CURL_POLL_OUT) ? POLLOUT : 0));
        fds[count].revents = 0;
        count++;
    }
    return count;
}

/* The stream has replayed up to what its first heartbeat announced. */
static bool caught_up(const struct client *client)
{
    return client->link != CLIENT_LINK_LIVE && client->phase == CLIENT_PHASE_STREAM &&
           !client->resync_wanted && client->catch_up_to >= 0 &&
           model_last_sequence(client->model) >= client->catch_up_to;
}

int client_timeout_ms(struct client *client)
{
    if (!client)
        return CLIENT_WAIT_MAX_MS;
    if (client->requests_waiting || client->resync_wanted || caught_up(client))
        return 0;
    int64_t now = clock_monotonic_ms(), wait = CLIENT_WAIT_MAX_MS;
    if (client->curl_deadline_ms >= 0 && client->curl_deadline_ms - now < wait)
        wait = client->curl_deadline_ms - now;
    bool watched = client->phase != CLIENT_PHASE_WAIT && client->link != CLIENT_LINK_LOST;
    if ((watched || client->phase == CLIENT_PHASE_STREAM) && client->link_deadline_ms - now < wait)
        wait = client->link_deadline_ms - now;
    if (client->phase == CLIENT_PHASE_WAIT && client->retry_at_ms - now < wait)
        wait = client->retry_at_ms - now;
    return wait < 0 ? 0 : (int)wait;
}

static bool socket_known(const struct client *client, int fd)
{
    for (size_t i = 0; i < client->socket_count; i++)
        if (client->sockets[i].fd == fd)
            return true;
    return false;
}

static void socket_action(struct client *client, curl_socket_t fd, int flags)
{
    int running = 0;
    client->in_curl++;
    curl_multi_socket_action(client->multi, fd, flags, &running);
    client->in_curl--;
}

void client_multi_run(struct client *client)
{
    if (!client->in_curl)
        socket_action(client, CURL_SOCKET_TIMEOUT, 0);
}

static void finished_transfers(struct client *client)
{
    CURLMsg *message;
    int left = 0;
    while ((message = curl_multi_info_read(client->multi, &left))) {
        if (message->msg != CURLMSG_DONE)
            continue;
        CURL *easy = message->easy_handle;
        CURLcode result = message->data.result;
        if (easy == client->stream.easy) {
            client_stream_done(client, result);
            continue;
        }
        char *private = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &private);
        if (private)
            client_request_done(client, (struct client_request *)private, result);
    }
}

static void check_timers(struct client *client)
{
    int64_t now = clock_monotonic_ms();
    bool late = now >= client->link_deadline_ms;
    if (client->phase == CLIENT_PHASE_STREAM && late) {
        char why[CLIENT_MESSAGE_SIZE];
        snprintf(why, sizeof why, _("no heartbeat from the server for %d s"),
                 (client->heartbeat_lost_ms + 999) / 1000);
        client_attempt_failed(client, why, false);
    } else if ((client->phase == CLIENT_PHASE_LOGIN || client->phase == CLIENT_PHASE_LOAD) &&
               late) {
        /* A large list over a slow link may take longer: let it come, but
         * the screen must not look live meanwhile. */
        client_set_link(client, CLIENT_LINK_LOST, _("the server is slow to answer"));
    } else if (client->phase == CLIENT_PHASE_WAIT && now >= client->retry_at_ms) {
        attempt_begin(client);
    }
}

void client_process(struct client *client, const struct pollfd *fds, size_t count)
{
    if (!client)
        return;
    for (size_t i = 0; fds && i < count; i++) {
        short revents = fds[i].revents;
        if (!revents || !socket_known(client, fds[i].fd))
            continue;
        int flags = ((revents & (POLLIN | POLLHUP)) ? CURL_CSELECT_IN : 0) |
                    ((revents & POLLOUT) ? CURL_CSELECT_OUT : 0) |
                    ((revents & (POLLERR | POLLNVAL)) ? CURL_CSELECT_ERR : 0);
        socket_action(client, fds[i].fd, flags);
    }
    if (client->curl_deadline_ms >= 0 && clock_monotonic_ms() >= client->curl_deadline_ms) {
        client->curl_deadline_ms = -1; /* a one-shot timer; libcurl sets the next */
        socket_action(client, CURL_SOCKET_TIMEOUT, 0);
    }
    finished_transfers(client);
    client_requests_flush(client);
    if (client->resync_wanted && client->phase == CLIENT_PHASE_STREAM)
        resync(client);
    if (caught_up(client)) {
        client->catch_up_to = -1;
        client->backoff_ms = CLIENT_BACKOFF_MIN_MS;
        client->refusals = 0;
        client_set_link(client, CLIENT_LINK_LIVE, "");
    }
    check_timers(client);
}

/* ---- what the header shows ---- */

enum client_link client_link_state(const struct client *client)
{
    return client ? client->link : CLIENT_LINK_LOST;
}

int64_t client_last_heartbeat_ms(const struct client *client)
{
    return client ? client->last_heartbeat_ms : 0;
}

int64_t client_lost_since_ms(const struct client *client)
{
    return client ? client->lost_since_ms : 0;
}

const char *client_server_url(const struct client *client)
{
    return client ? client->servers[client->server_index] : "";
}

const char *client_node_name(const struct client *client)
{
    return client ? client->node : "";
}

const char *client_username(const struct client *client)
{
    return client ? client->username : "";
}

enum client_role client_role(const struct client *client)
{
    return client ? client->role : CLIENT_ROLE_OPERATOR;
}

int64_t client_clock_offset_ms(const struct client *client)
{
    return client ? client->clock_offset_ms : 0;
}
