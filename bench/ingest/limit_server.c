/* limit_server.c: bench_ingest's loopback limit: one epoll thread on
 * 127.0.0.1 that frames DC-09 byte streams with the project's framing
 * (dc09_frame_find), reads each frame's header (dc09_frame_parse without a
 * key: CRC, token, seq, account) and answers a correctly formed ACK
 * (dc09_build_ack: plain, or "*ACK" encrypted with the load's key for an
 * encrypted frame), and stores nothing. The same load against it says
 * what the load generator and loopback TCP allow on this machine.
 * Included by bench_ingest.c (the Makefile links one object per bench). */

#include <sys/epoll.h>
#include <sys/eventfd.h>

/* Far above the bench's 100 connections; a slot is ~4 KiB. */
#define LIMIT_CONNECTIONS_MAX 1024
/* As vigied's receiver: room for a frame being read and one more. */
#define LIMIT_INPUT_CAPACITY (2 * DC09_FRAME_MAX)
/* Answers are under 200 bytes and a panel has one frame in flight, so
 * this holds every answer a slow reader could leave unread. */
#define LIMIT_OUTPUT_CAPACITY 1024
#define LIMIT_EPOLL_BATCH     256
/* Tags below LIMIT_TAG_CONNECTIONS are the listener and the stop event. */
enum { LIMIT_TAG_LISTEN, LIMIT_TAG_STOP, LIMIT_TAG_CONNECTIONS };

struct limit_connection {
    int fd;
    bool watching_output; /* EPOLLOUT asked for: answers wait */
    size_t in_length, out_length;
    uint8_t in[LIMIT_INPUT_CAPACITY];
    uint8_t out[LIMIT_OUTPUT_CAPACITY];
};

struct limit_server {
    int listen_fd, epoll_fd, stop_fd;
    unsigned port;
    struct dc09_key key; /* for "*ACK" to encrypted frames */
    pthread_t thread;
    bool running;
    struct limit_connection *slots[LIMIT_CONNECTIONS_MAX];
    /* Read by the main thread after a run (the load has ended by then). */
    atomic_llong acked, unanswered;
};

static void limit_close(struct limit_server *server, int slot)
{
    struct limit_connection *c = server->slots[slot];
    epoll_ctl(server->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c);
    server->slots[slot] = NULL;
}

/* Sends what waits; keeps the rest for EPOLLOUT. False when it is closed. */
static bool limit_flush(struct limit_server *server, int slot)
{
    struct limit_connection *c = server->slots[slot];
    while (c->out_length > 0) {
        ssize_t sent = send(c->fd, c->out, c->out_length, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (sent <= 0) {
            limit_close(server, slot);
            return false;
        }
        memmove(c->out, c->out + sent, c->out_length - (size_t)sent);
        c->out_length -= (size_t)sent;
    }
    bool waiting = c->out_length > 0;
    if (waiting != c->watching_output) {
        struct epoll_event event = {.events = EPOLLIN | (waiting ? EPOLLOUT : 0),
                                    .data.u64 = LIMIT_TAG_CONNECTIONS + (uint64_t)slot};
        epoll_ctl(server->epoll_fd, EPOLL_CTL_MOD, c->fd, &event);
        c->watching_output = waiting;
    }
    return true;
}

/* Queues the ACK of one frame; a frame it cannot read gets no answer (the
 * load then reports it lost, which fails the bench). */
static void limit_answer(struct limit_server *server, struct limit_connection *c,
                         const uint8_t *bytes, size_t length)
{
    struct dc09_frame frame;
    enum dc09_status status = dc09_frame_parse(bytes, length, NULL, &frame, NULL);
    size_t room = sizeof c->out - c->out_length, answer = 0;
    if (status == DC09_OK || (status == DC09_NEED_KEY && server->key.len > 0))
        answer = dc09_build_ack(&frame, frame.encrypted ? &server->key : NULL, clock_now_ms(),
                                frame.crc_form, c->out + c->out_length, room);
    if (answer == 0) {
        atomic_fetch_add(&server->unanswered, 1);
        return;
    }
    c->out_length += answer;
    atomic_fetch_add(&server->acked, 1);
}

static void limit_read(struct limit_server *server, int slot)
{
    struct limit_connection *c = server->slots[slot];
    for (;;) {
        size_t room = sizeof c->in - c->in_length;
        ssize_t got = recv(c->fd, c->in + c->in_length, room, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (got <= 0) {
            limit_close(server, slot);
            return;
        }
        c->in_length += (size_t)got;
        size_t start = 0, length = 0;
        enum dc09_find found;
        while ((found = dc09_frame_find(c->in, c->in_length, &start, &length)) !=
               DC09_FIND_NEED_MORE) {
            size_t consumed = found == DC09_FIND_FRAME ? start + length : length;
            if (found == DC09_FIND_FRAME)
                limit_answer(server, c, c->in + start, length);
            memmove(c->in, c->in + consumed, c->in_length - consumed);
            c->in_length -= consumed;
        }
        if (c->in_length == sizeof c->in) { /* cannot happen: find reports TOO_LONG first */
            limit_close(server, slot);
            return;
        }
        /* A short read emptied the socket: epoll (level-triggered) says
         * when more comes, so no recv() is spent to hear EAGAIN. */
        if ((size_t)got < room)
            break;
    }
    limit_flush(server, slot);
}

static void limit_accept(struct limit_server *server)
{
    for (;;) {
        int fd = accept4(server->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0 && errno == EINTR)
            continue;
        if (fd < 0)
            return;
        int slot = -1;
        for (int i = 0; i < LIMIT_CONNECTIONS_MAX && slot < 0; i++)
            if (!server->slots[i])
                slot = i;
        struct limit_connection *c = slot >= 0 ? calloc(1, sizeof *c) : NULL;
        struct epoll_event event = {.events = EPOLLIN,
                                    .data.u64 = LIMIT_TAG_CONNECTIONS + (uint64_t)slot};
        if (!c || epoll_ctl(server->epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
            free(c);
            close(fd);
            continue;
        }
        c->fd = fd;
        server->slots[slot] = c;
    }
}

static void *limit_main(void *argument)
{
    struct limit_server *server = argument;
    struct epoll_event events[LIMIT_EPOLL_BATCH];
    for (;;) {
        int count = epoll_wait(server->epoll_fd, events, LIMIT_EPOLL_BATCH, -1);
        if (count < 0 && errno != EINTR)
            break;
        for (int i = 0; i < count; i++) {
            uint64_t tag = events[i].data.u64;
            if (tag == LIMIT_TAG_STOP)
                return NULL;
            if (tag == LIMIT_TAG_LISTEN) {
                limit_accept(server);
                continue;
            }
            int slot = (int)(tag - LIMIT_TAG_CONNECTIONS);
            if (server->slots[slot] && (events[i].events & EPOLLOUT) && !limit_flush(server, slot))
                continue;
            if (server->slots[slot] && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                limit_read(server, slot);
        }
    }
    return NULL;
}

static bool limit_watch(struct limit_server *server, int fd, uint64_t tag)
{
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = tag};
    return epoll_ctl(server->epoll_fd, EPOLL_CTL_ADD, fd, &event) == 0;
}

/* Listens on 127.0.0.1, port 0, and starts the thread. */
static bool limit_server_start(struct limit_server *server, const struct dc09_key *key)
{
    memset(server, 0, sizeof *server);
    server->key = *key;
    server->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    server->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    server->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    bool ok = server->listen_fd >= 0 && server->epoll_fd >= 0 && server->stop_fd >= 0 &&
              bind(server->listen_fd, (struct sockaddr *)&address, sizeof address) == 0 &&
              listen(server->listen_fd, 1024) == 0 &&
              getsockname(server->listen_fd, (struct sockaddr *)&address, &length) == 0 &&
              limit_watch(server, server->listen_fd, LIMIT_TAG_LISTEN) &&
              limit_watch(server, server->stop_fd, LIMIT_TAG_STOP);
    server->port = ntohs(address.sin_port);
    ok = ok && pthread_create(&server->thread, NULL, limit_main, server) == 0;
    server->running = ok;
    if (!ok)
        fprintf(stderr, "bench_ingest: cannot start the limit server: %s\n", strerror(errno));
    return ok;
}

static void limit_server_stop(struct limit_server *server)
{
    if (server->running) {
        uint64_t one = 1;
        ssize_t ignored = write(server->stop_fd, &one, sizeof one);
        (void)ignored;
        pthread_join(server->thread, NULL);
        server->running = false;
    }
    for (int slot = 0; slot < LIMIT_CONNECTIONS_MAX; slot++)
        if (server->slots[slot])
            limit_close(server, slot);
    int fds[] = {server->listen_fd, server->epoll_fd, server->stop_fd};
    for (size_t i = 0; i < 3; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}
