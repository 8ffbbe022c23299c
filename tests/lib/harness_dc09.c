/* harness_dc09.c: a panel's side of SIA DC-09, for integration tests: TCP
 * connections and UDP sockets to the world's receiver, frames built with
 * the server's codec, raw bytes sent whole, in pieces or back to back,
 * and answers read as frames within a bound. */
#include "tests/lib/harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Answers are under 200 bytes; room for a few that come back to back. */
#define PANEL_INPUT_MAX (4 * DC09_FRAME_MAX)

struct panel {
    int fd;
    bool udp;
    size_t in_length;
    uint8_t in[PANEL_INPUT_MAX];
    size_t last_length;
    uint8_t last[DC09_FRAME_MAX];
};

void world_enable_dc09(struct world *world)
{
    world->dc09 = true;
}

static void panel_release(void *pointer)
{
    struct panel *panel = pointer;
    panel_close(panel);
    free(panel);
}

struct panel *panel_connect(struct world *world, bool udp)
{
    if (!world->dc09_port) {
        fprintf(stderr, "# no DC-09 receiver in this world (world_enable_dc09)\n");
        return NULL;
    }
    struct panel *panel = calloc(1, sizeof *panel);
    if (!panel)
        return NULL;
    panel->udp = udp;
    panel->fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(world->dc09_port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (panel->fd < 0 || connect(panel->fd, (struct sockaddr *)&address, sizeof address) != 0) {
        fprintf(stderr, "# cannot connect to DC-09 port %u: %s\n", world->dc09_port,
                strerror(errno));
        if (panel->fd >= 0)
            close(panel->fd);
        free(panel);
        return NULL;
    }
    int one = 1;
    if (!udp)
        setsockopt(panel->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return world_keep(world, panel, panel_release);
}

void panel_close(struct panel *panel)
{
    if (panel && panel->fd >= 0) {
        close(panel->fd);
        panel->fd = -1;
    }
}

int panel_fd(const struct panel *panel)
{
    return panel->fd;
}

bool panel_send(struct panel *panel, const void *bytes, size_t length)
{
    const uint8_t *p = bytes;
    size_t sent = 0;
    while (sent < length && panel->fd >= 0) {
        ssize_t n = send(panel->fd, p + sent, length - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        sent += (size_t)n;
        if (panel->udp)
            break; /* a datagram goes whole or not at all */
    }
    return sent == length;
}

bool panel_send_pieces(struct panel *panel, const void *bytes, size_t length, size_t pieces,
                       int pause_ms)
{
    const uint8_t *p = bytes;
    size_t done = 0;
    for (size_t i = 0; i < pieces && done < length; i++) {
        size_t end = i + 1 == pieces ? length : length * (i + 1) / pieces;
        if (end > done && !panel_send(panel, p + done, end - done))
            return false;
        done = end;
        if (i + 1 < pieces && pause_ms > 0)
            harness_sleep_ms(pause_ms);
    }
    return done == length;
}

static enum panel_answer classify(const uint8_t *bytes, size_t length, const struct dc09_key *key,
                                  struct dc09_frame *frame_out)
{
    struct dc09_frame frame;
    memset(&frame, 0, sizeof frame);
    enum dc09_status status = dc09_frame_parse(bytes, length, key, &frame, NULL);
    if (frame_out)
        *frame_out = frame;
    if (status != DC09_OK)
        return PANEL_UNREADABLE;
    switch (frame.token) {
    case DC09_ACK:
        return PANEL_ACK;
    case DC09_NAK:
        return PANEL_NAK;
    case DC09_DUH:
        return PANEL_DUH;
    default:
        return PANEL_OTHER;
    }
}

/* Takes the first whole frame out of the input buffer; false when none. */
static bool take_frame(struct panel *panel)
{
    size_t start = 0, length = 0;
    enum dc09_find found = dc09_frame_find(panel->in, panel->in_length, &start, &length);
    if (found == DC09_FIND_NEED_MORE)
        return false;
    size_t consumed = found == DC09_FIND_FRAME ? start + length : length;
    if (found == DC09_FIND_FRAME) {
        memcpy(panel->last, panel->in + start, length);
        panel->last_length = length;
    }
    memmove(panel->in, panel->in + consumed, panel->in_length - consumed);
    panel->in_length -= consumed;
    return found == DC09_FIND_FRAME || take_frame(panel);
}

enum panel_answer panel_read(struct panel *panel, const struct dc09_key *key,
                             struct dc09_frame *frame_out, int timeout_ms)
{
    int64_t deadline = harness_now_ms() + timeout_ms;
    panel->last_length = 0;
    for (;;) {
        if (panel->in_length > 0 && take_frame(panel))
            return classify(panel->last, panel->last_length, key, frame_out);
        if (panel->fd < 0)
            return PANEL_CLOSED;
        /* A bound of 0 still reads what has already arrived. */
        int left = (int)(deadline - harness_now_ms());
        if (left < 0)
            left = 0;
        struct pollfd wait_for = {panel->fd, POLLIN, 0};
        int ready = poll(&wait_for, 1, left);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return PANEL_NO_ANSWER;
        if (panel->in_length == sizeof panel->in)
            panel->in_length = 0; /* no answer is that long: drop it */
        ssize_t got =
            recv(panel->fd, panel->in + panel->in_length, sizeof panel->in - panel->in_length, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0 && !panel->udp)
            return PANEL_CLOSED;
        if (got > 0)
            panel->in_length += (size_t)got;
    }
}

const uint8_t *panel_last_raw(const struct panel *panel, size_t *length)
{
    *length = panel->last_length;
    return panel->last;
}

enum panel_answer panel_exchange(struct panel *panel, const uint8_t *frame, size_t length,
                                 const struct dc09_key *key, struct dc09_frame *answer)
{
    if (!panel_send(panel, frame, length))
        return PANEL_CLOSED;
    return panel_read(panel, key, answer, PANEL_ANSWER_TIMEOUT_MS);
}

bool panel_wait_closed(struct panel *panel, int timeout_ms)
{
    int64_t deadline = harness_now_ms() + timeout_ms;
    for (;;) {
        int left = (int)(deadline - harness_now_ms());
        if (left <= 0)
            return false;
        enum panel_answer answer = panel_read(panel, NULL, NULL, left);
        if (answer == PANEL_CLOSED)
            return true;
        if (answer == PANEL_NO_ANSWER)
            return false;
    }
}

/* ---- frames ---- */

int64_t harness_wall_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

struct dc09_key harness_key(const char *hex)
{
    struct dc09_key key;
    memset(&key, 0, sizeof key);
    if (!dc09_key_from_hex(hex, &key))
        key.len = 0;
    return key;
}

static size_t build(enum dc09_token token, const char *account, unsigned seq, const char *data,
                    const struct dc09_key *key, int64_t stamp_ms, uint8_t *out)
{
    struct dc09_frame frame;
    memset(&frame, 0, sizeof frame);
    frame.token = token;
    snprintf(frame.token_text, sizeof frame.token_text, "%s", dc09_token_name(token));
    frame.encrypted = key != NULL;
    frame.seq = seq;
    snprintf(frame.line_prefix, sizeof frame.line_prefix, "0");
    snprintf(frame.account, sizeof frame.account, "%s", account);
    snprintf(frame.data, sizeof frame.data, "%s", data);
    frame.has_timestamp = true;
    frame.timestamp_ms = (stamp_ms ? stamp_ms : harness_wall_ms()) / 1000 * 1000;
    frame.crc_form = DC09_CRC_ASCII;
    return dc09_build_event(&frame, key, out, DC09_FRAME_MAX);
}

size_t panel_frame_cid(const char *account, unsigned seq, const char *code, int zone,
                       const struct dc09_key *key, int64_t stamp_ms, uint8_t *out)
{
    /* Contact ID as DC-09 carries it: "#ACCT|QEEE GG ZZZ" (qualifier and
     * event code, group, zone or user). */
    char data[64];
    snprintf(data, sizeof data, "#%s|%.4s 01 %03d", account, code, zone);
    return build(DC09_ADM_CID, account, seq, data, key, stamp_ms, out);
}

size_t panel_frame_sia(const char *account, unsigned seq, const char *code, int zone,
                       const struct dc09_key *key, int64_t stamp_ms, uint8_t *out)
{
    char data[64];
    snprintf(data, sizeof data, "#%s|Nri1/%.2s%03d", account, code, zone);
    return build(DC09_SIA_DCS, account, seq, data, key, stamp_ms, out);
}

size_t panel_frame_null(const char *account, unsigned seq, const struct dc09_key *key, uint8_t *out)
{
    return build(DC09_NULL, account, seq, "", key, 0, out);
}
