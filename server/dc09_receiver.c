/* dc09_receiver.c: one epoll thread serves every DC-09 connection and the
 * UDP socket. A connection has at most one message in the store at a time
 * (panels send one and wait), so frames that arrive meanwhile wait in its
 * buffer in order; the answer leaves only when the store has committed.
 * Completions come back from the store's syncer thread through a list and
 * an eventfd. Nothing here blocks on the disk. */
#include "server/dc09_receiver.h"
#include "server/dc09_accounts.h"
#include "server/dc09_decode.h"
#include "server/ingest.h"
#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

/* A connection buffers at most two frames: the one being read and one
 * that arrived early; dc09_frame_find reports an endless one before. */
#define INPUT_CAPACITY (2 * DC09_FRAME_MAX)
/* Answers are under 200 bytes; room for a few if the peer reads slowly. */
#define OUTPUT_CAPACITY 1024
#define EPOLL_BATCH     256
/* UDP datagrams read per wake, so that TCP connections get their turn. */
#define UDP_BATCH 64
/* Bad frames logged per connection before the rest are only counted. */
#define LOG_BAD_FRAMES 3
/* UDP messages in the store at once beyond the TCP ones; past it a
 * datagram gets no answer and its panel sends it again. */
#define UDP_IN_FLIGHT_MAX 1024
/* Finished messages kept for reuse (9 KiB each): a frame then costs no
 * allocation. More in flight than this are allocated and freed. */
#define PENDING_SPARE_MAX 1024

enum tag { TAG_TCP_LISTEN, TAG_UDP, TAG_WAKE, TAG_TIMER, TAG_CONNECTIONS };

struct connection {
    int fd;
    uint64_t generation;
    char peer[INGEST_PEER_MAX];
    bool in_flight;
    uint32_t events; /* what epoll watches for */
    int bad_frames, logged;
    size_t garbage_run; /* bytes outside any frame since the last good one */
    int64_t last_activity_ms, partial_since_ms;
    size_t in_length, out_length;
    uint8_t in[INPUT_CAPACITY];
    uint8_t out[OUTPUT_CAPACITY];
};

struct pending {
    struct ingest_message message; /* first: the store hands it back */
    struct dc09_receiver *receiver;
    struct dc09_frame frame;
    struct dc09_account account;
    bool known_account;
    enum dc09_crc_form answer_crc;
    bool udp;
    int slot;
    uint64_t generation;
    struct sockaddr_storage peer;
    socklen_t peer_length;
    int status;
    struct pending *next;
};

struct dc09_receiver {
    struct store *store;
    struct metrics *metrics;
    const struct event_code_table *codes;
    const struct server_config *config;
    struct dc09_accounts *accounts;
    enum label_language language;
    int epoll_fd, tcp_fd, udp_fd, wake_fd, timer_fd;
    unsigned port;
    pthread_t thread;
    bool thread_running;
    atomic_bool stopping;
    struct connection **slots;
    int slot_count, open_count;
    uint64_t next_generation;
    int udp_in_flight;
    pthread_mutex_t done_lock;
    struct pending *done_head;
    struct pending *spare; /* receiver thread only */
    int spare_count;
};

static struct pending *pending_take(struct dc09_receiver *r)
{
    struct pending *p = r->spare;
    if (!p)
        return malloc(sizeof *p);
    r->spare = p->next;
    r->spare_count--;
    return p;
}

static void pending_give(struct dc09_receiver *r, struct pending *p)
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

static void close_connection(struct dc09_receiver *r, int slot, const char *why)
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

/* Asks epoll for what the connection can use now: input while its buffer
 * has room (a full one waits for the store), output while answers wait. */
static void watch(struct dc09_receiver *r, int slot)
{
    struct connection *c = r->slots[slot];
    uint32_t events = (c->in_length < sizeof c->in ? EPOLLIN : 0) | (c->out_length ? EPOLLOUT : 0);
    if (events == c->events)
        return;
    struct epoll_event event = {.events = events, .data.u64 = TAG_CONNECTIONS + (uint64_t)slot};
    epoll_ctl(r->epoll_fd, EPOLL_CTL_MOD, c->fd, &event);
    c->events = events;
}

static bool flush(struct dc09_receiver *r, int slot)
{
    struct connection *c = r->slots[slot];
    while (c->out_length > 0) {
        ssize_t sent = send(c->fd, c->out, c->out_length, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            watch(r, slot);
            return true;
        }
        if (sent <= 0) {
            close_connection(r, slot, strerror(errno));
            return false;
        }
        memmove(c->out, c->out + sent, c->out_length - (size_t)sent);
        c->out_length -= (size_t)sent;
    }
    watch(r, slot);
    return true;
}

static bool answer_tcp(struct dc09_receiver *r, int slot, const uint8_t *bytes, size_t length)
{
    struct connection *c = r->slots[slot];
    if (length == 0)
        return true;
    if (c->out_length + length > sizeof c->out) {
        close_connection(r, slot, _("it does not read our answers"));
        return false;
    }
    memcpy(c->out + c->out_length, bytes, length);
    c->out_length += length;
    return flush(r, slot);
}

/* ---- answers ---- */

static size_t build_answer(enum dc09_reply reply, const struct dc09_frame *frame,
                           const struct dc09_key *key, enum dc09_crc_form crc, uint8_t *out,
                           size_t capacity)
{
    int64_t now = clock_now_ms();
    switch (reply) {
    case DC09_REPLY_ACK:
        return dc09_build_ack(frame, frame->encrypted ? key : NULL, now, crc, out, capacity);
    case DC09_REPLY_NAK:
        return dc09_build_nak(now, crc, out, capacity);
    case DC09_REPLY_DUH:
        return dc09_build_duh(frame, crc, out, capacity);
    case DC09_REPLY_NONE:
        break;
    }
    return 0;
}

static void send_answer(struct dc09_receiver *r, bool udp, int slot,
                        const struct sockaddr_storage *peer, socklen_t peer_length,
                        enum dc09_reply reply, const struct dc09_frame *frame,
                        const struct dc09_key *key, enum dc09_crc_form crc)
{
    uint8_t bytes[512];
    size_t length = build_answer(reply, frame, key, crc, bytes, sizeof bytes);
    static const enum metrics_counter counters[] = {
        [DC09_REPLY_ACK] = METRICS_DC09_ACK,
        [DC09_REPLY_NAK] = METRICS_DC09_NAK,
        [DC09_REPLY_DUH] = METRICS_DC09_DUH,
    };
    if (reply != DC09_REPLY_NONE)
        metrics_add(r->metrics, counters[reply], 1);
    if (udp) {
        if (length > 0)
            sendto(r->udp_fd, bytes, length, MSG_NOSIGNAL, (const struct sockaddr *)peer,
                   peer_length);
    } else {
        answer_tcp(r, slot, bytes, length);
    }
}

void dc09_receiver_done(struct ingest_message *message, int status,
                        const struct store_error *error);

/* ---- frames ---- */

struct origin {
    bool udp;
    int slot;
    const char *peer;
    struct sockaddr_storage address;
    socklen_t address_length;
};

static void note_bad_frame(struct dc09_receiver *r, const struct origin *origin, const char *status,
                           const char *why)
{
    struct connection *c = origin->udp ? NULL : r->slots[origin->slot];
    if (!c || c->logged++ < LOG_BAD_FRAMES)
        log_warn("dc09", "%s: %s frame: %s", origin->peer, status, why);
    if (c)
        c->bad_frames++;
}

/* Bytes outside any frame are skipped (line noise, a probe before a
 * frame), but a sender of nothing else is no panel: each DC09_FRAME_MAX of
 * them since the last good frame counts as a bad frame, so that an endless
 * line without a CR is closed after a few KiB, not read forever. */
static void note_garbage(struct dc09_receiver *r, const struct origin *origin, size_t length)
{
    struct connection *c = r->slots[origin->slot];
    c->garbage_run += length;
    while (c->garbage_run >= DC09_FRAME_MAX) {
        c->garbage_run -= DC09_FRAME_MAX;
        note_bad_frame(r, origin, "garbage", _("no frame in the bytes sent"));
    }
}

static void submit(struct dc09_receiver *r, const struct origin *origin, const uint8_t *bytes,
                   size_t length, const struct dc09_frame *frame,
                   const struct dc09_account *account, bool known)
{
    struct pending *p = pending_take(r);
    if (!p) {
        /* Not stored, so not acknowledged: the panel will send it again. */
        send_answer(r, origin->udp, origin->slot, &origin->address, origin->address_length,
                    DC09_REPLY_NAK, frame, NULL, frame->crc_form);
        return;
    }
    /* A reused message must carry nothing of the last one: all but its
     * raw text and events (which dc09_decode writes, and of which those
     * past event_count are never read) is zeroed. */
    memset(&p->message, 0, offsetof(struct ingest_message, raw));
    memset(&p->message.dedup_window_s, 0,
           sizeof p->message - offsetof(struct ingest_message, dedup_window_s));
    p->receiver = r;
    p->generation = 0;
    p->status = STORE_OK;
    p->next = NULL;
    p->frame = *frame;
    p->account = *account;
    p->known_account = known;
    p->answer_crc = known ? account->crc_form : frame->crc_form;
    p->udp = origin->udp;
    p->slot = origin->slot;
    p->peer_length = origin->address_length;
    memcpy(&p->peer, &origin->address, sizeof p->peer);
    dc09_decode(frame, bytes, length, r->codes, r->language, &p->message);
    p->message.dedup_window_s = r->config->dc09_dedup_window_s;
    p->message.early_open_grace_min = r->config->early_open_grace_minutes;
    p->message.owner = p;
    p->message.done = dc09_receiver_done;

    if (origin->udp) {
        r->udp_in_flight++;
    } else {
        p->generation = r->slots[origin->slot]->generation;
        r->slots[origin->slot]->in_flight = true;
    }
    if (store_ingest_submit(r->store, &p->message) != STORE_OK) {
        if (origin->udp)
            r->udp_in_flight--;
        else
            r->slots[origin->slot]->in_flight = false;
        send_answer(r, origin->udp, origin->slot, &origin->address, origin->address_length,
                    DC09_REPLY_NAK, frame, NULL, p->answer_crc);
        pending_give(r, p);
    }
}

static void handle_frame(struct dc09_receiver *r, const struct origin *origin, const uint8_t *bytes,
                         size_t length)
{
    struct dc09_frame frame;
    struct dc09_error error = {{0}};
    enum dc09_status status = dc09_frame_parse(bytes, length, NULL, &frame, &error);
    struct dc09_account account = {0};
    bool known = frame.account[0] && dc09_accounts_find(r->accounts, frame.account, &account);
    if (status == DC09_NEED_KEY && known && account.has_key)
        status = dc09_frame_parse(bytes, length, &account.key, &frame, &error);
    if (status == DC09_OK && frame.encrypted &&
        !dc09_timestamp_check(frame.timestamp_ms, clock_now_ms(), account.window_before_s,
                              account.window_after_s)) {
        status = DC09_BAD_TIMESTAMP;
        snprintf(error.message, sizeof error.message, "%s",
                 _("timestamp outside the account's window"));
    }
    enum dc09_crc_form crc = known ? account.crc_form : frame.crc_form;
    if (status != DC09_OK) {
        metrics_add(r->metrics,
                    status == DC09_BAD_CRC ? METRICS_DC09_BAD_CRC : METRICS_DC09_BAD_FRAMES, 1);
        note_bad_frame(r, origin, dc09_status_name(status), error.message);
        if (status == DC09_NEED_KEY || status == DC09_BAD_DECRYPT) {
            bool missing = status == DC09_NEED_KEY;
            char label[ALARM_LABEL_MAX];
            snprintf(label, sizeof label,
                     missing ? _("Encrypted frames from account %s and no key for it")
                             : _("Account %s sends frames its key cannot decrypt"),
                     frame.account);
            char raw[DC09_FRAME_MAX + 1];
            size_t n = length < DC09_FRAME_MAX ? length : DC09_FRAME_MAX;
            for (size_t i = 0; i < n; i++)
                raw[i] = bytes[i] < 0x20 || bytes[i] == 0x7f ? '.' : (char)bytes[i];
            raw[n] = '\0';
            store_ingest_unreadable(r->store, "dc09", origin->peer, frame.account,
                                    missing ? "KEY-MISSING" : "KEY-MISMATCH", label, raw);
        }
        send_answer(r, origin->udp, origin->slot, &origin->address, origin->address_length,
                    dc09_status_reply(status), &frame, NULL, crc);
        return;
    }
    if (!origin->udp) {
        r->slots[origin->slot]->bad_frames = 0;
        r->slots[origin->slot]->garbage_run = 0;
    }
    if (frame.token == DC09_ACK || frame.token == DC09_NAK || frame.token == DC09_DUH)
        return; /* answers are for panels, not for us */
    metrics_add(r->metrics, METRICS_DC09_FRAMES, 1);
    submit(r, origin, bytes, length, &frame, &account, known);
}

/* Reads frames from a connection's buffer while it has none in the store. */
static void process_input(struct dc09_receiver *r, int slot)
{
    struct connection *c = r->slots[slot];
    struct origin origin = {.udp = false, .slot = slot, .peer = c->peer};
    while (r->slots[slot] == c && !c->in_flight && c->in_length > 0) {
        size_t start = 0, length = 0;
        enum dc09_find found = dc09_frame_find(c->in, c->in_length, &start, &length);
        if (found == DC09_FIND_NEED_MORE) {
            if (c->partial_since_ms == 0)
                c->partial_since_ms = clock_monotonic_ms();
            return;
        }
        size_t consumed = found == DC09_FIND_FRAME ? start + length : length;
        if (found == DC09_FIND_FRAME) {
            metrics_add(r->metrics, METRICS_DC09_GARBAGE_BYTES, start);
            note_garbage(r, &origin, start);
            handle_frame(r, &origin, c->in + start, length);
        } else {
            metrics_add(r->metrics, METRICS_DC09_GARBAGE_BYTES, length);
            if (found == DC09_FIND_TOO_LONG)
                note_bad_frame(r, &origin, "too_long", _("no end within the longest frame"));
            else
                note_garbage(r, &origin, length);
        }
        if (r->slots[slot] != c)
            return; /* closed while answering */
        memmove(c->in, c->in + consumed, c->in_length - consumed);
        c->in_length -= consumed;
        c->partial_since_ms = 0;
        if (c->bad_frames >= r->config->dc09_bad_frames_max) {
            metrics_add(r->metrics, METRICS_DC09_CLOSED_BAD, 1);
            close_connection(r, slot, _("too many bad frames in a row"));
            return;
        }
    }
}

static void read_connection(struct dc09_receiver *r, int slot)
{
    struct connection *c = r->slots[slot];
    for (;;) {
        if (c->in_length == sizeof c->in) {
            /* Full: the frames in it wait for the store; read later. */
            watch(r, slot);
            return;
        }
        ssize_t got = recv(c->fd, c->in + c->in_length, sizeof c->in - c->in_length, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (got <= 0) {
            close_connection(r, slot, got == 0 ? NULL : strerror(errno));
            return;
        }
        c->in_length += (size_t)got;
        c->last_activity_ms = clock_monotonic_ms();
        process_input(r, slot);
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
            handle_frame(r, &origin, datagram + start, length);
        else
            note_bad_frame(r, &origin, "bad_frame", _("a datagram without a whole frame"));
    }
}

/* ---- completions from the store ---- */

void dc09_receiver_done(struct ingest_message *message, int status,
                        const struct store_error *error);
void dc09_receiver_done(struct ingest_message *message, int status, const struct store_error *error)
{
    struct pending *p = message->owner;
    struct dc09_receiver *r = p->receiver;
    p->status = status;
    if (status != STORE_OK)
        log_error("dc09", "account %s seq %u not stored (NAK sent): %s", message->account,
                  message->seq, error ? error->message : "?");
    pthread_mutex_lock(&r->done_lock);
    bool was_empty = r->done_head == NULL;
    p->next = r->done_head;
    r->done_head = p;
    pthread_mutex_unlock(&r->done_lock);
    if (was_empty) {
        uint64_t one = 1;
        ssize_t ignored = write(r->wake_fd, &one, sizeof one);
        (void)ignored;
    }
}

static void answer_completion(struct dc09_receiver *r, struct pending *p)
{
    enum dc09_reply reply = p->status == STORE_OK ? DC09_REPLY_ACK : DC09_REPLY_NAK;
    if (p->status != STORE_OK)
        metrics_add(r->metrics, METRICS_DC09_STORE_FAILED, 1);
    if (p->message.duplicate)
        metrics_add(r->metrics, METRICS_DC09_DUPLICATES, 1);
    if (p->message.unknown_account && !p->message.duplicate)
        metrics_add(r->metrics, METRICS_DC09_UNKNOWN_ACCOUNT, 1);
    if (p->message.alarms_created > 0)
        metrics_add(r->metrics, METRICS_ALARMS_RECEIVED_DC09, (uint64_t)p->message.alarms_created);
    const struct dc09_key *key = p->known_account && p->account.has_key ? &p->account.key : NULL;
    if (p->udp) {
        r->udp_in_flight--;
        send_answer(r, true, -1, &p->peer, p->peer_length, reply, &p->frame, key, p->answer_crc);
        return;
    }
    struct connection *c = r->slots[p->slot];
    if (!c || c->generation != p->generation)
        return; /* the panel hung up; its retransmission will be recognised */
    c->in_flight = false;
    send_answer(r, false, p->slot, NULL, 0, reply, &p->frame, key, p->answer_crc);
    if (r->slots[p->slot] == c) {
        process_input(r, p->slot);
        if (r->slots[p->slot] == c)
            watch(r, p->slot);
    }
}

static void drain_completions(struct dc09_receiver *r)
{
    uint64_t count;
    ssize_t ignored = read(r->wake_fd, &count, sizeof count);
    (void)ignored;
    pthread_mutex_lock(&r->done_lock);
    struct pending *list = r->done_head;
    r->done_head = NULL;
    pthread_mutex_unlock(&r->done_lock);
    /* The list is newest first; answer in arrival order. */
    struct pending *ordered = NULL;
    while (list) {
        struct pending *next = list->next;
        list->next = ordered;
        ordered = list;
        list = next;
    }
    while (ordered) {
        struct pending *next = ordered->next;
        answer_completion(r, ordered);
        pending_give(r, ordered);
        ordered = next;
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
            close_connection(r, slot, _("a frame begun and never finished"));
        } else if (now - c->last_activity_ms > (int64_t)r->config->dc09_idle_timeout_s * 1000) {
            metrics_add(r->metrics, METRICS_DC09_CLOSED_IDLE, 1);
            close_connection(r, slot, NULL);
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
                drain_completions(r);
            else if (tag == TAG_TIMER)
                check_timeouts(r);
            else {
                int slot = (int)(tag - TAG_CONNECTIONS);
                if (r->slots[slot] && (events[i].events & EPOLLOUT))
                    flush(r, slot);
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
        close_connection(r, slot, NULL);
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
