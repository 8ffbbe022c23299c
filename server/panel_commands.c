/* panel_commands.c: the command tracker's thread: a poll loop over an
 * eventfd (new commands, stop) and one non-blocking TCP connection per
 * command in flight. Each connection goes connect, driver's `connected`,
 * writes of what the driver queues, reads handed to `received`, until the
 * driver decides or the command's deadline passes; then the outcome is
 * written to the store and the connection closed. Lines sent to a panel
 * carry secrets: nothing sent is logged, only the outcome. */
#include "server/panel_commands.h"
#include "server/store_panel_commands.h"
#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

/* The loop wakes at least this often to check deadlines. */
#define TRACKER_WAIT_MAX_MS 1000
/* Bytes read from a panel at once: answers are lines of a few dozen. */
#define TRACKER_READ_SIZE 512

struct session {
    bool used;
    int fd;
    bool connected;
    struct panel_command command;
    struct panel_link link; /* wiped once the driver has it */
    const struct panel_driver *driver;
    void *state;
    struct panel_output out;
    size_t out_sent;
    struct panel_result result;
    int64_t deadline_ms; /* monotonic */
};

struct panel_commands {
    struct store *store;
    int timeout_s;
    int wake_fd;
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    bool stopping;
    int64_t queue[PANEL_COMMANDS_QUEUE_MAX];
    size_t queue_head, queue_count;
    struct session sessions[PANEL_COMMANDS_SESSIONS_MAX];
};

/* ---- ending a command ---- */

static void record(struct panel_commands *tracker, int64_t id, const char *state,
                   const char *answer, const char *message, enum panel_arm_state armed)
{
    struct panel_command_end end = {state, answer, message, armed};
    struct store_error error = {{0}};
    if (store_panel_command_finish(tracker->store, id, &end, &error) != STORE_OK)
        log_error("panel", "command %lld: cannot record \"%s\": %s", (long long)id, state,
                  error.message);
    log_info("panel", "command %lld: %s%s%s", (long long)id, state, answer || message ? ": " : "",
             answer    ? answer
             : message ? message
                       : "");
}

static void session_close(struct session *session)
{
    if (session->driver && session->state)
        session->driver->closing(session->state);
    free(session->state);
    if (session->fd >= 0)
        close(session->fd);
    explicit_bzero(session, sizeof *session);
    session->fd = -1;
}

/* The driver decided, or the exchange failed: record and close. */
static void session_end(struct panel_commands *tracker, struct session *session)
{
    const struct panel_result *r = &session->result;
    int64_t id = session->command.id;
    switch (r->outcome) {
    case PANEL_OUTCOME_CONFIRMED:
        record(tracker, id, "confirmed", r->answer, NULL, r->state);
        break;
    case PANEL_OUTCOME_REFUSED:
        record(tracker, id, "refused", r->answer, NULL, PANEL_STATE_UNKNOWN);
        break;
    default:
        record(tracker, id, "failed", NULL, r->answer, PANEL_STATE_UNKNOWN);
        break;
    }
    session_close(session);
}

static void session_fail(struct panel_commands *tracker, struct session *session,
                         const char *format, ...) __attribute__((format(printf, 3, 4)));

static void session_fail(struct panel_commands *tracker, struct session *session,
                         const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(session->result.answer, sizeof session->result.answer, format, args);
    va_end(args);
    session->result.outcome = PANEL_OUTCOME_FAILED;
    session_end(tracker, session);
}

/* ---- starting one ---- */

/* "HOST:PORT" or "[V6]:PORT" into a connecting socket; -1 with errno. */
static int connect_to(const char *address, unsigned default_port)
{
    char host[PANEL_ADDRESS_MAX], port[16];
    snprintf(host, sizeof host, "%s", address);
    char *colon = strrchr(host, ':');
    if (colon && !strchr(colon, ']')) {
        *colon = '\0';
        snprintf(port, sizeof port, "%s", colon + 1);
    } else {
        snprintf(port, sizeof port, "%u", default_port);
    }
    char *name = host;
    if (name[0] == '[' && name[strlen(name) - 1] == ']') {
        name[strlen(name) - 1] = '\0';
        name++;
    }
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *found = NULL;
    if (getaddrinfo(name, port, &hints, &found) != 0 || !found) {
        errno = EHOSTUNREACH;
        return -1;
    }
    int fd = socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, found->ai_addr, found->ai_addrlen) != 0 && errno != EINPROGRESS) {
        int saved = errno;
        close(fd);
        fd = -1;
        errno = saved;
    }
    freeaddrinfo(found);
    return fd;
}

static struct session *free_session(struct panel_commands *tracker)
{
    for (size_t i = 0; i < PANEL_COMMANDS_SESSIONS_MAX; i++)
        if (!tracker->sessions[i].used)
            return &tracker->sessions[i];
    return NULL;
}

static void session_start(struct panel_commands *tracker, int64_t id)
{
    struct session *session = free_session(tracker);
    if (!session) {
        record(tracker, id, "failed", NULL, _("too many panel commands in flight: try again"),
               PANEL_STATE_UNKNOWN);
        return;
    }
    struct store_error error = {{0}};
    session->fd = -1;
    if (store_panel_command_load(tracker->store, id, &session->command, &session->link, &error) !=
        STORE_OK) {
        log_error("panel", "command %lld: %s", (long long)id, error.message);
        session_close(session);
        return;
    }
    if (strcmp(session->command.state, "pending") != 0) {
        session_close(session);
        return;
    }
    session->used = true;
    session->driver = panel_driver_find(session->link.protocol);
    if (!session->driver || session->command.kind >= PANEL_COMMAND_COUNT) {
        session_fail(tracker, session, "%s",
                     session->link.protocol[0] ? _("no driver for the panel's protocol")
                                               : _("the panel's connection was removed"));
        return;
    }
    /* The deadline counts from the operator's request, not from now. */
    int64_t left =
        session->command.created_at + (int64_t)tracker->timeout_s * 1000 - clock_now_ms();
    session->deadline_ms = clock_monotonic_ms() + (left > 0 ? left : 0);
    session->state = calloc(1, session->driver->session_size);
    if (!session->state) {
        session_fail(tracker, session, "%s", _("out of memory"));
        return;
    }
    session->fd = connect_to(session->link.address, session->driver->default_port);
    if (session->fd < 0)
        session_fail(tracker, session, _("cannot connect to the panel at %s: %s"),
                     session->link.address, strerror(errno));
}

/* ---- the exchange ---- */

static void session_flush(struct panel_commands *tracker, struct session *session)
{
    while (session->out_sent < session->out.length) {
        ssize_t sent = send(session->fd, session->out.data + session->out_sent,
                            session->out.length - session->out_sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        if (sent <= 0) {
            session_fail(tracker, session, _("the connection to the panel at %s broke: %s"),
                         session->link.address, strerror(errno));
            return;
        }
        session->out_sent += (size_t)sent;
    }
    /* All written: what was sent (a password, a code) is wiped. */
    explicit_bzero(session->out.data, sizeof session->out.data);
    session->out.length = 0;
    session->out_sent = 0;
}

/* After the driver ran: write what it queued, or end if it decided. */
static void session_after_driver(struct panel_commands *tracker, struct session *session)
{
    if (session->result.outcome != PANEL_OUTCOME_PENDING) {
        session_end(tracker, session);
        return;
    }
    session_flush(tracker, session);
}

static void session_connected(struct panel_commands *tracker, struct session *session)
{
    int problem = 0;
    socklen_t length = sizeof problem;
    if (getsockopt(session->fd, SOL_SOCKET, SO_ERROR, &problem, &length) != 0)
        problem = errno;
    if (problem != 0) {
        session_fail(tracker, session, _("cannot connect to the panel at %s: %s"),
                     session->link.address, strerror(problem));
        return;
    }
    session->connected = true;
    struct panel_request request = {session->command.kind, session->command.zone};
    session->driver->connected(session->state, &session->link, &request, &session->out,
                               &session->result);
    char address[PANEL_ADDRESS_MAX];
    snprintf(address, sizeof address, "%s", session->link.address);
    explicit_bzero(&session->link, sizeof session->link);
    snprintf(session->link.address, sizeof session->link.address, "%s", address);
    session_after_driver(tracker, session);
}

static void session_readable(struct panel_commands *tracker, struct session *session)
{
    char buffer[TRACKER_READ_SIZE];
    ssize_t got = recv(session->fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (got <= 0) {
        session_fail(tracker, session, _("the panel at %s closed the connection without an answer"),
                     session->link.address);
        return;
    }
    session->driver->received(session->state, buffer, (size_t)got, &session->out, &session->result);
    session_after_driver(tracker, session);
}

static void session_time_out(struct panel_commands *tracker, struct session *session)
{
    char message[PANEL_ANSWER_MAX];
    if (session->connected)
        snprintf(message, sizeof message, _("no answer from the panel within %d s"),
                 tracker->timeout_s);
    else
        snprintf(message, sizeof message, _("the panel at %s could not be reached within %d s"),
                 session->link.address, tracker->timeout_s);
    record(tracker, session->command.id, "timed-out", NULL, message, PANEL_STATE_UNKNOWN);
    session_close(session);
}

/* ---- the loop ---- */

static void take_queue(struct panel_commands *tracker)
{
    int64_t ids[PANEL_COMMANDS_QUEUE_MAX];
    size_t count = 0;
    pthread_mutex_lock(&tracker->lock);
    while (tracker->queue_count > 0) {
        ids[count++] = tracker->queue[tracker->queue_head];
        tracker->queue_head = (tracker->queue_head + 1) % PANEL_COMMANDS_QUEUE_MAX;
        tracker->queue_count--;
    }
    pthread_mutex_unlock(&tracker->lock);
    for (size_t i = 0; i < count; i++)
        session_start(tracker, ids[i]);
}

static int wait_ms(const struct panel_commands *tracker)
{
    int64_t now = clock_monotonic_ms(), wait = TRACKER_WAIT_MAX_MS;
    for (size_t i = 0; i < PANEL_COMMANDS_SESSIONS_MAX; i++)
        if (tracker->sessions[i].used && tracker->sessions[i].deadline_ms - now < wait)
            wait = tracker->sessions[i].deadline_ms - now;
    return wait > 0 ? (int)wait : 0;
}

static void serve(struct panel_commands *tracker, struct session *session, short revents)
{
    if (!session->connected) {
        if (revents & (POLLOUT | POLLERR | POLLHUP))
            session_connected(tracker, session);
        return;
    }
    if (revents & (POLLIN | POLLERR | POLLHUP))
        session_readable(tracker, session);
    else if (revents & POLLOUT)
        session_flush(tracker, session);
}

static void *tracker_main(void *opaque)
{
    struct panel_commands *tracker = opaque;
    struct pollfd fds[PANEL_COMMANDS_SESSIONS_MAX + 1];
    struct session *owners[PANEL_COMMANDS_SESSIONS_MAX + 1];
    for (;;) {
        pthread_mutex_lock(&tracker->lock);
        bool stopping = tracker->stopping;
        pthread_mutex_unlock(&tracker->lock);
        if (stopping)
            break;
        size_t count = 0;
        fds[count++] = (struct pollfd){.fd = tracker->wake_fd, .events = POLLIN};
        for (size_t i = 0; i < PANEL_COMMANDS_SESSIONS_MAX; i++) {
            struct session *session = &tracker->sessions[i];
            if (!session->used)
                continue;
            short events = POLLIN;
            if (!session->connected || session->out.length > session->out_sent)
                events |= POLLOUT;
            owners[count] = session;
            fds[count++] = (struct pollfd){.fd = session->fd, .events = events};
        }
        if (poll(fds, count, wait_ms(tracker)) < 0 && errno != EINTR) {
            log_error("panel", "poll: %s", strerror(errno));
            break;
        }
        if (fds[0].revents & POLLIN) {
            uint64_t ignored;
            if (read(tracker->wake_fd, &ignored, sizeof ignored) < 0 && errno != EAGAIN)
                log_warn("panel", "wake-up: %s", strerror(errno));
            take_queue(tracker);
        }
        for (size_t i = 1; i < count; i++)
            if (owners[i]->used && fds[i].revents)
                serve(tracker, owners[i], fds[i].revents);
        int64_t now = clock_monotonic_ms();
        for (size_t i = 0; i < PANEL_COMMANDS_SESSIONS_MAX; i++)
            if (tracker->sessions[i].used && tracker->sessions[i].deadline_ms <= now)
                session_time_out(tracker, &tracker->sessions[i]);
    }
    for (size_t i = 0; i < PANEL_COMMANDS_SESSIONS_MAX; i++)
        if (tracker->sessions[i].used)
            session_close(&tracker->sessions[i]);
    return NULL;
}

/* ---- life ---- */

static void abandon(struct store *store, const char *why)
{
    int count = 0;
    struct store_error error = {{0}};
    if (store_panel_commands_abandon(store, why, &count, &error) != STORE_OK)
        log_error("panel", "cannot close the pending commands: %s", error.message);
    else if (count > 0)
        log_warn("panel", "%d pending command(s) marked failed: %s", count, why);
}

struct panel_commands *panel_commands_start(struct store *store, const struct server_config *config)
{
    struct panel_commands *tracker = calloc(1, sizeof *tracker);
    if (!tracker)
        return NULL;
    tracker->store = store;
    tracker->timeout_s = config->panel_command_timeout_s;
    for (size_t i = 0; i < PANEL_COMMANDS_SESSIONS_MAX; i++)
        tracker->sessions[i].fd = -1;
    pthread_mutex_init(&tracker->lock, NULL);
    tracker->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (tracker->wake_fd < 0) {
        panel_commands_stop(tracker);
        return NULL;
    }
    abandon(store, _("vigied restarted while the command was in flight"));
    if (pthread_create(&tracker->thread, NULL, tracker_main, tracker) != 0) {
        panel_commands_stop(tracker);
        return NULL;
    }
    tracker->started = true;
    return tracker;
}

static void wake(struct panel_commands *tracker)
{
    uint64_t one = 1;
    if (write(tracker->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
        log_warn("panel", "wake-up: %s", strerror(errno));
}

void panel_commands_stop(struct panel_commands *tracker)
{
    if (!tracker)
        return;
    if (tracker->started) {
        pthread_mutex_lock(&tracker->lock);
        tracker->stopping = true;
        pthread_mutex_unlock(&tracker->lock);
        wake(tracker);
        pthread_join(tracker->thread, NULL);
        abandon(tracker->store, _("vigied stopped before the panel answered"));
    }
    if (tracker->wake_fd >= 0)
        close(tracker->wake_fd);
    pthread_mutex_destroy(&tracker->lock);
    free(tracker);
}

bool panel_commands_submit(struct panel_commands *tracker, int64_t command_id)
{
    if (!tracker)
        return false;
    pthread_mutex_lock(&tracker->lock);
    bool accepted = !tracker->stopping && tracker->queue_count < PANEL_COMMANDS_QUEUE_MAX;
    if (accepted) {
        size_t tail = (tracker->queue_head + tracker->queue_count) % PANEL_COMMANDS_QUEUE_MAX;
        tracker->queue[tail] = command_id;
        tracker->queue_count++;
    }
    pthread_mutex_unlock(&tracker->lock);
    if (accepted)
        wake(tracker);
    return accepted;
}
