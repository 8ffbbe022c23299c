/* sim_dc09.c: `vigie-sim dc09`: one panel event sent as a real DC-09 frame
 * over TCP or UDP; prints the receiver's answer and exits 0 on ACK. */
#include "tools/sim/sim.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* An answer that has not come within this long is a failure to report. */
#define SIM_ANSWER_TIMEOUT_MS 10000

size_t sim_build_frame(const struct sim_event *event, uint8_t *out, size_t capacity)
{
    struct dc09_frame frame;
    memset(&frame, 0, sizeof frame);
    bool sia = isalpha((unsigned char)event->code[0]);
    frame.token = event->null_frame ? DC09_NULL : sia ? DC09_SIA_DCS : DC09_ADM_CID;
    snprintf(frame.token_text, sizeof frame.token_text, "%s", dc09_token_name(frame.token));
    frame.encrypted = event->has_key;
    frame.seq = event->seq % (DC09_SEQ_MAX + 1);
    snprintf(frame.receiver, sizeof frame.receiver, "%s", event->receiver);
    snprintf(frame.line_prefix, sizeof frame.line_prefix, "%s",
             event->prefix[0] ? event->prefix : "0");
    snprintf(frame.account, sizeof frame.account, "%s", event->account);
    if (event->null_frame)
        frame.data[0] = '\0';
    else if (sia)
        snprintf(frame.data, sizeof frame.data, "#%s|Nri1/%.2s%03d", event->account, event->code,
                 event->zone);
    else
        snprintf(frame.data, sizeof frame.data, "#%s|%.1s%.3s 01 %03d", event->account, event->code,
                 event->code + 1, event->zone);
    /* Encrypted frames must carry a timestamp; plain ones carry it too, as
     * most panels do, so that the receiver can log the panel's clock. */
    frame.has_timestamp = true;
    frame.timestamp_ms = clock_now_ms() / 1000 * 1000;
    frame.crc_form = event->crc_form;
    return dc09_build_event(&frame, event->has_key ? &event->key : NULL, out, capacity);
}

bool sim_split_address(const char *text, char *host, size_t host_size, char *port, size_t port_size)
{
    const char *colon = strrchr(text, ':');
    if (!colon || colon == text || (size_t)(colon - text) >= host_size ||
        strlen(colon + 1) >= port_size || !colon[1])
        return false;
    snprintf(host, host_size, "%.*s", (int)(colon - text), text);
    snprintf(port, port_size, "%s", colon + 1);
    return true;
}

int sim_connect(const char *address, bool udp)
{
    char host[256], port[16];
    if (!sim_split_address(address, host, sizeof host, port, sizeof port)) {
        fprintf(stderr, _("vigie-sim: \"%s\" is not HOST:PORT\n"), address);
        return -1;
    }
    struct addrinfo hints = {.ai_socktype = udp ? SOCK_DGRAM : SOCK_STREAM};
    struct addrinfo *found = NULL;
    int rc = getaddrinfo(host, port, &hints, &found);
    if (rc != 0) {
        fprintf(stderr, "vigie-sim: %s: %s\n", address, gai_strerror(rc));
        return -1;
    }
    int fd = socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
        fprintf(stderr, _("vigie-sim: cannot connect to %s: %s\n"), address, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(found);
    return fd;
}

size_t sim_read_answer(int fd, uint8_t *out, size_t capacity, int timeout_ms)
{
    size_t length = 0;
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    while (length < capacity) {
        int left = (int)(deadline - clock_monotonic_ms());
        struct pollfd waiting = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&waiting, 1, left) <= 0)
            return 0;
        ssize_t got = recv(fd, out + length, capacity - length, 0);
        if (got <= 0)
            return 0;
        length += (size_t)got;
        size_t start, frame_length;
        if (dc09_frame_find(out, length, &start, &frame_length) == DC09_FIND_FRAME)
            return start + frame_length;
    }
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "%s",
            _("usage: vigie-sim dc09 --to HOST:PORT --account ACCT --code CODE [--zone N]\n"
              "                      [--seq N] [--key HEX] [--udp] [--crc ascii|binary] [--null]\n"
              "  CODE is a Contact ID qualifier and code (1130: burglary) or a SIA code (BA)\n"));
}

static bool parse_event_options(int argc, char **argv, struct sim_event *event, const char **to,
                                bool *udp)
{
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--udp") == 0) {
            *udp = true;
        } else if (strcmp(argv[i], "--null") == 0) {
            event->null_frame = true;
        } else if (!value) {
            return false;
        } else if (strcmp(argv[i], "--to") == 0) {
            *to = argv[++i];
        } else if (strcmp(argv[i], "--account") == 0) {
            snprintf(event->account, sizeof event->account, "%s", argv[++i]);
        } else if (strcmp(argv[i], "--code") == 0) {
            snprintf(event->code, sizeof event->code, "%s", argv[++i]);
        } else if (strcmp(argv[i], "--zone") == 0) {
            event->zone = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--seq") == 0) {
            event->seq = (unsigned)atoi(argv[++i]);
        } else if (strcmp(argv[i], "--key") == 0) {
            event->has_key = dc09_key_from_hex(argv[++i], &event->key);
            if (!event->has_key) {
                fprintf(stderr, _("vigie-sim: a key is 32, 48 or 64 hex digits\n"));
                return false;
            }
        } else if (strcmp(argv[i], "--crc") == 0) {
            event->crc_form = strcmp(argv[++i], "binary") == 0 ? DC09_CRC_BINARY : DC09_CRC_ASCII;
        } else {
            return false;
        }
    }
    return *to && event->account[0] && (event->code[0] || event->null_frame);
}

int sim_command_dc09(int argc, char **argv)
{
    struct sim_event event = {.seq = 1, .zone = 1};
    const char *to = NULL;
    bool udp = false;
    if (!parse_event_options(argc, argv, &event, &to, &udp)) {
        usage();
        return SIM_EXIT_USAGE;
    }
    uint8_t frame[DC09_FRAME_MAX];
    size_t length = sim_build_frame(&event, frame, sizeof frame);
    if (length == 0) {
        fprintf(stderr, _("vigie-sim: cannot build that frame (check account and code)\n"));
        return SIM_EXIT_USAGE;
    }
    int fd = sim_connect(to, udp);
    if (fd < 0)
        return SIM_EXIT_NETWORK;
    if (send(fd, frame, length, MSG_NOSIGNAL) != (ssize_t)length) {
        fprintf(stderr, _("vigie-sim: cannot send: %s\n"), strerror(errno));
        close(fd);
        return SIM_EXIT_NETWORK;
    }
    uint8_t answer[DC09_FRAME_MAX];
    size_t got = sim_read_answer(fd, answer, sizeof answer, SIM_ANSWER_TIMEOUT_MS);
    close(fd);
    if (got == 0) {
        fprintf(stderr, _("vigie-sim: no answer from %s\n"), to);
        return SIM_EXIT_NETWORK;
    }
    struct dc09_frame reply;
    enum dc09_status status =
        dc09_frame_parse(answer, got, event.has_key ? &event.key : NULL, &reply, NULL);
    const char *token = status == DC09_OK ? reply.token_text : "?";
    printf("%s %s seq %04u\n", token, event.account, event.seq);
    return status == DC09_OK && reply.token == DC09_ACK ? SIM_EXIT_OK : SIM_EXIT_REFUSED;
}
