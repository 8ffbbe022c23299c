/* dc09_receiver_internal.h: what the DC-09 receiver's two halves share:
 * the socket side (dc09_receiver.c: the epoll thread, accepting, reading,
 * sending, timeouts) and the frame side (dc09_receiver_frames.c: framing
 * a connection's bytes, checking each frame, handing messages to the
 * store and answering when it has committed). Only those two files
 * include it. */
#ifndef VIGIE_DC09_RECEIVER_INTERNAL_H
#define VIGIE_DC09_RECEIVER_INTERNAL_H

#include "server/dc09_receiver.h"
#include "server/dc09_accounts.h"
#include "server/dc09_decode.h"
#include "server/ingest.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

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

/* Where a frame came from: a TCP connection's slot, or a datagram's sender. */
struct origin {
    bool udp;
    int slot;
    const char *peer;
    struct sockaddr_storage address;
    socklen_t address_length;
};

/* The pool of finished messages (receiver thread only). */
struct pending *dc09_pending_take(struct dc09_receiver *r);
void dc09_pending_give(struct dc09_receiver *r, struct pending *p);

/* The socket side. */
void dc09_receiver_close(struct dc09_receiver *r, int slot, const char *why);
/* Asks epoll for what the connection can use now: input while its buffer
 * has room (a full one waits for the store), output while answers wait. */
void dc09_receiver_watch(struct dc09_receiver *r, int slot);
/* Sends what waits; false when the connection was closed. */
bool dc09_receiver_flush(struct dc09_receiver *r, int slot);
bool dc09_receiver_answer_tcp(struct dc09_receiver *r, int slot, const uint8_t *bytes,
                              size_t length);

/* The frame side. */
void dc09_receiver_note_bad_frame(struct dc09_receiver *r, const struct origin *origin,
                                  const char *status, const char *why);
void dc09_receiver_handle_frame(struct dc09_receiver *r, const struct origin *origin,
                                const uint8_t *bytes, size_t length);
/* Reads frames from a connection's buffer while it has none in the store. */
void dc09_receiver_process_input(struct dc09_receiver *r, int slot);
/* The store's callback when a message is stored or not (its syncer's
 * thread): queues the answer for the receiver's thread. */
void dc09_receiver_done(struct ingest_message *message, int status,
                        const struct store_error *error);
/* Answers the messages the store has finished, in arrival order. */
void dc09_receiver_drain_completions(struct dc09_receiver *r);

#endif
