/* dc09_receiver.c: one epoll thread serves every DC-09 connection and the
 * UDP socket. A connection has at most one message in the store at a time
 * (panels send one and wait), so frames that arrive meanwhile wait in its
 * buffer in order; the answer leaves only when the store has committed.
 * Completions come back from the store's syncer thread through a list and
 * an eventfd. Nothing here blocks on the disk. This file is the socket
 * side; what a frame becomes is dc09_receiver_frames.c. */
#include "server/dc09_receiver_internal.h"
#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

struct pending *dc09_pending_take(struct dc09_receiver *r)
{
    struct pending *p = r->spare;
    if (!p)
        return malloc(sizeof *p);
    r->spare = p->next;
    r->spare_count--;
    return p;
}

void dc09_pending_give(struct dc09_receiver *r, struct pending *p)
{
    if (r->spare_count >= PENDING_SPARE_MAX) {
        free(p);
        return;
    }
    p->next = r->spare;
    r->spare = p;
    r->spare_count++;
}

/* ---- sending ---- */

void dc09_receiver_close(struct dc09_receiver *r, int slot, const char *why)
{
    struct connection *c = r->slots[slot];
    if (!c)
        return;
    if (why)
        log_info("dc09", "closing %s: %s", c->peer, why);
    epoll_ctl(r->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c);
    r->slots[slot] = NULL;
    r->open_count--;
}

void dc09_receiver_watch(struct dc09_receiver *r, int slot)
{
    struct connection *c = r->slots[slot];
    uint32_t events = (c->in_length < sizeof c->in ? EPOLLIN : 0) | (c->out_length ? EPOLLOUT : 0);
    if (events == c->events)
        return;
    struct epoll_event event = {.events = events, .data.u64 = TAG_CONNECTIONS + (uint64_t)slot};
    epoll_ctl(r->epoll_fd, EPOLL_CTL_MOD, c->fd, &event);
    c->events = events;
}

bool dc09_receiver_flush(struct dc09_receiver *r, int slot)
{
    struct connection *c = r->slots[slot];
    while (c->out_length > 0) {
        ssize_t sent = send(c->fd, c->out, c->out_length, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            dc09_receiver_watch(r, slot);
            return true;
        }
        if (sent <= 0) {
            dc09_receiver_close(r, slot, strerror(errno));
            return false;
        }
        memmove(c->out, c->out + sent, c->out_length - (size_t)sent);
        c->out_length -= (size_t)sent;
    }
    dc09_receiver_watch(r, slot);
    return true;
}

bool dc09_receiver_answer_tcp(struct dc09_receiver *r, int slot, const uint8_t *bytes,
                              size_t length)
{
    struct connection *c = r->slots[slot];
    if (length == 0)
        return true;
    if (c->out_length + length > sizeof c->out) {
        dc09_receiver_close(r, slot, _("it does not read our answers"));
        return false;
    }
    memcpy(c->out + c->out_length, bytes, length);
    c->out_length += length;
    return dc09_receiver_flush(r, slot);
}

static void read_connection(struct dc09_receiver *r, int slot)
{
    struct connection *c = r->slots[slot];
    for (;;) {
        if (c->in_length == sizeof c->in) {
            /* Full: the frames in it wait for the store; read later. */
            dc09_receiver_watch(r, slot);
            return;
        }
        ssize_t got = recv(c->fd, c->in + c->in_length, sizeof c->in - c->in_length, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (got <= 0) {
            dc09_receiver_close(r, slot, got == 0 ? NULL : strerror(errno));
            return;
        }
        c->in_length += (size_t)got;
        c->last_activity_ms = clock_monotonic_ms();
        dc09_receiver_process_input(r, slot);
        if (r->slots[slot] != c)
            return;
    }
}

/* ---- accepting ---- */

static void peer_text(const struct sockaddr_storage *address, char *out, size_t size)
{
    char host[INET6_ADDRSTRLEN] = "?", port[8] = "?";
    getnameinfo((const struct sockaddr *)address, sizeof *address, host, sizeof host, port,
                sizeof port, NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(out, size, "%s:%s", host, port);
}

static void accept_connections(struct dc09_receiver *r)
{
    for (;;) {
        struct sockaddr_storage address;
        socklen_t length = sizeof address;
        int fd =
            accept4(r->tcp_fd, (struct sockaddr *)&address, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return; /* EAGAIN, or out of descriptors: try on the next wake */
        }
        int slot = -1;
        for (int i = 0; i < r->slot_count && slot < 0; i++)
            if (!r->slots[i])
                slot = i;
        struct connection *c = slot >= 0 ? calloc(1, sizeof *c) : NULL;
        if (!c) {
            metrics_add(r->metrics, METRICS_DC09_REFUSED, 1);
            close(fd);
            continue;
        }
        c->fd = fd;
        c->generation = ++r->next_generation;
        c->last_activity_ms = clock_monotonic_ms();
        peer_text(&address, c->peer, sizeof c->peer);
        c->events = EPOLLIN;
        struct epoll_event event = {.events = EPOLLIN,
                                    .data.u64 = TAG_CONNECTIONS + (uint64_t)slot};
        if (epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
            close(fd);
            free(c);
            continue;
        }
        r->slots[slot] = c;
        r->open_count++;
    }
}

static void read_datagrams(struct dc09_receiver *r)
{
    uint8_t datagram[DC09_FRAME_MAX + 64];
    for (int i = 0; i < UDP_BATCH; i++) {
        struct origin origin = {.udp = true, .slot = -1};
        origin.address_length = sizeof origin.address;
        ssize_t got = recvfrom(r->udp_fd, datagram, sizeof datagram, 0,
                               (struct sockaddr *)&origin.address, &origin.address_length);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return;
        char peer[INGEST_PEER_MAX];
        peer_text(&origin.address, peer, sizeof peer);
        origin.peer = peer;
        if (r->udp_in_flight >= UDP_IN_FLIGHT_MAX) {
            metrics_add(r->metrics, METRICS_DC09_UDP_DROPPED, 1);
            continue; /* unanswered: the panel sends it again */
        }
        size_t start = 0, length = 0;
        if (dc09_frame_find(datagram, (size_t)got, &start, &length) == DC09_FIND_FRAME)
            dc09_receiver_handle_frame(r, &origin, datagram + start, length);
        else
            dc09_receiver_note_bad_frame(r, &origin, "bad_frame",
                                         _("a datagram without a whole frame"));
    }
}

/* ---- timeouts ---- */

static void check_timeouts(struct dc09_receiver *r)
{
    uint64_t expirations;
    ssize_t ignored = read(r->timer_fd, &expirations, sizeof expirations);
    (void)ignored;
    int64_t now = clock_monotonic_ms();
    for (int slot = 0; slot < r->slot_count; slot++) {
        struct connection *c = r->slots[slot];
        if (!c || c->in_flight)
            continue;
        if (c->partial_since_ms &&
            now - c->partial_since_ms > (int64_t)r->config->dc09_partial_timeout_s * 1000) {
            metrics_add(r->metrics, METRICS_DC09_CLOSED_SLOW, 1);
            dc09_receiver_close(r, slot, _("a frame begun and never finished"));
        } else if (now - c->last_activity_ms > (int64_t)r->config->dc09_idle_timeout_s * 1000) {
            metrics_add(r->metrics, METRICS_DC09_CLOSED_IDLE, 1);
            dc09_receiver_close(r, slot, NULL);
        }
    }
}

static void *receiver_main(void *argument)
{
    struct dc09_receiver *r = argument;
    struct epoll_event events[EPOLL_BATCH];
    pthread_setname_np(pthread_self(), "dc09-receiver");
    while (!atomic_load(&r->stopping)) {
        int count = epoll_wait(r->epoll_fd, events, EPOLL_BATCH, 500);
        for (int i = 0; i < count; i++) {
            uint64_t tag = events[i].data.u64;
            if (tag == TAG_TCP_LISTEN)
                accept_connections(r);
            else if (tag == TAG_UDP)
                read_datagrams(r);
            else if (tag == TAG_WAKE)
                dc09_receiver_drain_completions(r);
            else if (tag == TAG_TIMER)
                check_timeouts(r);
            else {
                int slot = (int)(tag - TAG_CONNECTIONS);
                if (r->slots[slot] && (events[i].events & EPOLLOUT))
                    dc09_receiver_flush(r, slot);
                if (r->slots[slot] && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                    read_connection(r, slot);
            }
        }
    }
    return NULL;
}

/* ---- start and stop ---- */

static int open_socket(const struct sockaddr_storage *address, socklen_t length, int type,
                       char *error, size_t error_size)
{
    int fd = socket(address->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, (const struct sockaddr *)address, length) != 0 ||
        (type == SOCK_STREAM && listen(fd, 1024) != 0)) {
        snprintf(error, error_size, _("cannot listen for DC-09 (%s): %s"),
                 type == SOCK_STREAM ? "TCP" : "UDP", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static bool resolve(const char *listen, struct sockaddr_storage *address, socklen_t *length,
                    char *error, size_t error_size)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host) {
        snprintf(error, error_size, _("DC-09 address \"%s\" is not HOST:PORT"), listen);
        return false;
    }
    snprintf(host, sizeof host, "%.*s", (int)(colon - listen), listen);
    if (host[0] == '[') {
        memmove(host, host + 1, strlen(host));
        host[strcspn(host, "]")] = '\0';
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
    struct addrinfo *found = NULL;
    int rc = getaddrinfo(host, colon + 1, &hints, &found);
    if (rc != 0) {
        snprintf(error, error_size, _("DC-09 address \"%s\": %s"), listen, gai_strerror(rc));
        return false;
    }
    memcpy(address, found->ai_addr, found->ai_addrlen);
    *length = found->ai_addrlen;
    freeaddrinfo(found);
    return true;
}

static bool add_watch(struct dc09_receiver *r, int fd, enum tag tag)
{
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = tag};
    return epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, fd, &event) == 0;
}

static bool open_sockets(struct dc09_receiver *r, char *error, size_t error_size)
{
    struct sockaddr_storage address;
    socklen_t length;
    if (!resolve(r->config->dc09_listen, &address, &length, error, error_size))
        return false;
    r->tcp_fd = open_socket(&address, length, SOCK_STREAM, error, error_size);
    if (r->tcp_fd < 0)
        return false;
    /* UDP on the same port: the one TCP got when port 0 was asked. */
    struct sockaddr_storage bound;
    socklen_t bound_length = sizeof bound;
    getsockname(r->tcp_fd, (struct sockaddr *)&bound, &bound_length);
    r->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                : ((struct sockaddr_in *)&bound)->sin_port);
    r->udp_fd = open_socket(&bound, bound_length, SOCK_DGRAM, error, error_size);
    if (r->udp_fd < 0)
        return false;
    r->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    r->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    r->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    struct itimerspec second = {.it_interval = {1, 0}, .it_value = {1, 0}};
    if (r->epoll_fd < 0 || r->wake_fd < 0 || r->timer_fd < 0 ||
        timerfd_settime(r->timer_fd, 0, &second, NULL) != 0 ||
        !add_watch(r, r->tcp_fd, TAG_TCP_LISTEN) || !add_watch(r, r->udp_fd, TAG_UDP) ||
        !add_watch(r, r->wake_fd, TAG_WAKE) || !add_watch(r, r->timer_fd, TAG_TIMER)) {
        snprintf(error, error_size, _("cannot set up the DC-09 receiver: %s"), strerror(errno));
        return false;
    }
    return true;
}

int dc09_receiver_start(struct store *store, struct metrics *metrics,
                        const struct event_code_table *codes, const struct server_config *config,
                        struct dc09_receiver **out, char *error, size_t error_size)
{
    struct dc09_receiver *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(error, error_size, "out of memory");
        return -1;
    }
    r->store = store;
    r->metrics = metrics;
    r->codes = codes;
    r->config = config;
    r->language = strcmp(config->event_labels, "fr") == 0 ? LABEL_FRENCH : LABEL_ENGLISH;
    r->tcp_fd = r->udp_fd = r->epoll_fd = r->wake_fd = r->timer_fd = -1;
    pthread_mutex_init(&r->done_lock, NULL);
    r->slot_count = config->dc09_max_connections;
    r->slots = calloc((size_t)r->slot_count, sizeof *r->slots);
    r->accounts = dc09_accounts_start(store);
    if (!r->slots || !r->accounts || !open_sockets(r, error, error_size)) {
        if (!r->slots || !r->accounts)
            snprintf(error, error_size, "out of memory");
        dc09_receiver_stop(r);
        dc09_receiver_free(r);
        return -1;
    }
    if (pthread_create(&r->thread, NULL, receiver_main, r) != 0) {
        snprintf(error, error_size, _("cannot start the DC-09 receiver thread"));
        dc09_receiver_stop(r);
        dc09_receiver_free(r);
        return -1;
    }
    r->thread_running = true;
    *out = r;
    return 0;
}

unsigned dc09_receiver_port(const struct dc09_receiver *receiver)
{
    return receiver->port;
}

void dc09_receiver_stop(struct dc09_receiver *r)
{
    if (!r)
        return;
    atomic_store(&r->stopping, true);
    if (r->thread_running)
        pthread_join(r->thread, NULL);
    r->thread_running = false;
    for (int slot = 0; r->slots && slot < r->slot_count; slot++)
        dc09_receiver_close(r, slot, NULL);
    int fds[] = {r->tcp_fd, r->udp_fd};
    for (size_t i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    r->tcp_fd = r->udp_fd = -1;
    dc09_accounts_stop(r->accounts);
    r->accounts = NULL;
}

void dc09_receiver_free(struct dc09_receiver *r)
{
    if (!r)
        return;
    struct pending *lists[] = {r->done_head, r->spare};
    for (size_t i = 0; i < 2; i++) {
        struct pending *p = lists[i];
        while (p) {
            struct pending *next = p->next;
            free(p);
            p = next;
        }
    }
    int fds[] = {r->epoll_fd, r->wake_fd, r->timer_fd};
    for (size_t i = 0; i < 3; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(r->slots);
    pthread_mutex_destroy(&r->done_lock);
    free(r);
}
