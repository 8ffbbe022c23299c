/* sim_load.c: `vigie-sim load`: C connections, each a panel with its own
 * account and one frame in flight (as panels do), sending at a total rate
 * (or as fast as answers come), for S seconds; prints events ACKed per
 * second and ACK latency percentiles. Bounded in time and count. */
#include "tools/sim/sim.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Latencies kept for percentiles: far above what 60 s at 100,000/s needs
 * would be 6 million; past this bound latencies are sampled. */
#define LOAD_SAMPLES_MAX     4000000
#define LOAD_CONNECTIONS_MAX 10000
#define LOAD_SECONDS_MAX     600
/* An answer slower than this counts as lost and ends the run. */
#define LOAD_ANSWER_TIMEOUT_US 10000000

struct load_connection {
    int fd;
    struct sim_event event;
    bool waiting;
    int64_t sent_us, due_us;
    size_t in_length;
    uint8_t in[512];
};

struct load_run {
    const char *to;
    int connections, seconds;
    double rate; /* events/s in total; 0: as fast as answers come */
    char code[8];
    bool has_key;
    struct dc09_key key;
    unsigned account_base;
    int64_t sent, acked, refused, timeouts;
    int64_t *samples;
    size_t sample_count;
};

static int compare_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static bool send_event(struct load_run *run, struct load_connection *c, int64_t now_us)
{
    uint8_t frame[DC09_FRAME_MAX];
    c->event.seq = c->event.seq % DC09_SEQ_MAX + 1;
    c->event.zone = c->event.zone % 999 + 1; /* each event differs from the last */
    size_t length = sim_build_frame(&c->event, frame, sizeof frame);
    if (length == 0 || send(c->fd, frame, length, MSG_NOSIGNAL) != (ssize_t)length)
        return false;
    c->waiting = true;
    c->sent_us = now_us;
    run->sent++;
    return true;
}

static void record_answer(struct load_run *run, struct load_connection *c, int64_t now_us)
{
    size_t start, length;
    while (dc09_frame_find(c->in, c->in_length, &start, &length) == DC09_FIND_FRAME) {
        bool ack = memmem(c->in + start, length, "ACK\"", 4) != NULL;
        if (ack)
            run->acked++;
        else
            run->refused++;
        if (run->sample_count < LOAD_SAMPLES_MAX)
            run->samples[run->sample_count++] = now_us - c->sent_us;
        memmove(c->in, c->in + start + length, c->in_length - start - length);
        c->in_length -= start + length;
        c->waiting = false;
        double interval = run->rate > 0 ? 1e6 * run->connections / run->rate : 0;
        c->due_us += (int64_t)interval;
        if (c->due_us < now_us - 1000000)
            c->due_us = now_us; /* far behind: do not burst to catch up */
    }
}

static bool open_connections(struct load_run *run, struct load_connection *conns, int epoll_fd)
{
    int64_t now = clock_monotonic_us();
    for (int i = 0; i < run->connections; i++) {
        struct load_connection *c = &conns[i];
        c->fd = sim_connect(run->to, false);
        if (c->fd < 0)
            return false;
        fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
        snprintf(c->event.account, sizeof c->event.account, "%X", run->account_base + (unsigned)i);
        snprintf(c->event.code, sizeof c->event.code, "%s", run->code);
        c->event.has_key = run->has_key;
        c->event.key = run->key;
        c->event.seq = (unsigned)(i * 37) % DC09_SEQ_MAX;
        /* Spread the first sends over one interval, as real panels are. */
        c->due_us = run->rate > 0 ? now + (int64_t)(1e6 * i / run->rate) : now;
        struct epoll_event event = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &event);
    }
    return true;
}

static void run_loop(struct load_run *run, struct load_connection *conns, int epoll_fd)
{
    int64_t end = clock_monotonic_us() + (int64_t)run->seconds * 1000000;
    struct epoll_event events[256];
    for (;;) {
        int64_t now = clock_monotonic_us();
        if (now >= end)
            break;
        int64_t next_due = end;
        for (int i = 0; i < run->connections; i++) {
            struct load_connection *c = &conns[i];
            if (c->waiting) {
                if (now - c->sent_us > LOAD_ANSWER_TIMEOUT_US) {
                    run->timeouts++;
                    return;
                }
                continue;
            }
            if (c->due_us <= now) {
                if (!send_event(run, c, now)) {
                    run->timeouts++;
                    return;
                }
            } else if (c->due_us < next_due) {
                next_due = c->due_us;
            }
        }
        int wait_ms = (int)((next_due - now) / 1000);
        int count = epoll_wait(epoll_fd, events, 256,
                               wait_ms < 0     ? 0
                               : wait_ms > 100 ? 100
                                               : wait_ms);
        now = clock_monotonic_us();
        for (int e = 0; e < count; e++) {
            struct load_connection *c = &conns[events[e].data.u32];
            ssize_t got = recv(c->fd, c->in + c->in_length, sizeof c->in - c->in_length, 0);
            if (got <= 0) {
                if (got < 0 && (errno == EAGAIN || errno == EINTR))
                    continue;
                run->timeouts++;
                return;
            }
            c->in_length += (size_t)got;
            record_answer(run, c, now);
        }
    }
}

static void report(struct load_run *run, double elapsed_s)
{
    qsort(run->samples, run->sample_count, sizeof *run->samples, compare_int64);
    double p50 = 0, p99 = 0, max = 0;
    if (run->sample_count) {
        p50 = (double)run->samples[run->sample_count / 2] / 1000.0;
        p99 = (double)run->samples[(size_t)((double)run->sample_count * 0.99)] / 1000.0;
        max = (double)run->samples[run->sample_count - 1] / 1000.0;
    }
    printf("connections %d, seconds %.1f, sent %lld, acked %lld, refused %lld, lost %lld\n",
           run->connections, elapsed_s, (long long)run->sent, (long long)run->acked,
           (long long)run->refused, (long long)run->timeouts);
    printf("acked/s %.0f, ack latency ms p50 %.3f p99 %.3f max %.3f\n",
           (double)run->acked / elapsed_s, p50, p99, max);
}

static bool parse_options(int argc, char **argv, struct load_run *run)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *value = argv[i + 1];
        if (strcmp(argv[i], "--dc09") == 0)
            run->to = value;
        else if (strcmp(argv[i], "--rate") == 0)
            run->rate = atof(value);
        else if (strcmp(argv[i], "--seconds") == 0)
            run->seconds = atoi(value);
        else if (strcmp(argv[i], "--connections") == 0)
            run->connections = atoi(value);
        else if (strcmp(argv[i], "--code") == 0)
            snprintf(run->code, sizeof run->code, "%s", value);
        else if (strcmp(argv[i], "--account-base") == 0)
            run->account_base = (unsigned)strtoul(value, NULL, 16);
        else if (strcmp(argv[i], "--key") == 0) {
            run->has_key = dc09_key_from_hex(value, &run->key);
            if (!run->has_key)
                return false;
        } else
            return false;
    }
    return run->to && run->connections >= 1 && run->connections <= LOAD_CONNECTIONS_MAX &&
           run->seconds >= 1 && run->seconds <= LOAD_SECONDS_MAX && run->rate >= 0;
}

int sim_command_load(int argc, char **argv)
{
    struct load_run run = {.connections = 10, .seconds = 5, .account_base = 0xA0000};
    snprintf(run.code, sizeof run.code, "1130");
    if ((argc - 1) % 2 != 0 || !parse_options(argc, argv, &run)) {
        fprintf(stderr, "%s",
                _("usage: vigie-sim load --dc09 HOST:PORT [--rate EVENTS_PER_S (0: flat out)]\n"
                  "                      [--seconds S] [--connections C] [--code CODE]\n"
                  "                      [--key HEX] [--account-base HEX]\n"));
        return SIM_EXIT_USAGE;
    }
    struct load_connection *conns = calloc((size_t)run.connections, sizeof *conns);
    run.samples = malloc(LOAD_SAMPLES_MAX * sizeof *run.samples);
    int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    int status = SIM_EXIT_OK;
    if (!conns || !run.samples || epoll_fd < 0 || !open_connections(&run, conns, epoll_fd)) {
        status = SIM_EXIT_NETWORK;
    } else {
        int64_t start = clock_monotonic_us();
        run_loop(&run, conns, epoll_fd);
        report(&run, (double)(clock_monotonic_us() - start) / 1e6);
        if (run.timeouts > 0)
            status = SIM_EXIT_NETWORK;
        else if (run.refused > 0)
            status = SIM_EXIT_REFUSED;
    }
    for (int i = 0; conns && i < run.connections; i++)
        if (conns[i].fd > 0)
            close(conns[i].fd);
    if (epoll_fd >= 0)
        close(epoll_fd);
    free(conns);
    free(run.samples);
    return status;
}
