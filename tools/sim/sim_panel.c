/* sim_panel.c: `vigie-sim panel`: one alarm panel on one connection, as a
 * real one behaves: a NULL supervision message every interval, the events
 * given on the command line, each sent once its previous one was ACKed
 * (and sent again, same sequence, when no answer comes: a retransmission).
 * Bounded by --seconds. */
#include "tools/sim/sim.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A panel waits this long for an ACK before sending the same frame again,
 * and gives up after this many tries (DC-09 leaves both to the panel). */
#define PANEL_ANSWER_TIMEOUT_MS 3000
#define PANEL_TRIES_MAX         3
#define PANEL_EVENTS_MAX        64

struct panel {
    const char *to;
    struct sim_event base;
    int supervision_s, seconds;
    char codes[PANEL_EVENTS_MAX][8];
    int zones[PANEL_EVENTS_MAX];
    int event_count;
    int fd;
    int64_t acked, refused, retransmitted;
};

/* Sends one frame and waits for its answer, retrying as a panel does. */
static bool send_frame(struct panel *panel, struct sim_event *event)
{
    uint8_t frame[DC09_FRAME_MAX], answer[DC09_FRAME_MAX];
    size_t length = sim_build_frame(event, frame, sizeof frame);
    if (length == 0)
        return false;
    for (int attempt = 0; attempt < PANEL_TRIES_MAX; attempt++) {
        if (panel->fd < 0)
            panel->fd = sim_connect(panel->to, false);
        if (panel->fd < 0) {
            sleep(1);
            continue;
        }
        if (attempt > 0)
            panel->retransmitted++;
        size_t got = 0;
        if (send(panel->fd, frame, length, MSG_NOSIGNAL) == (ssize_t)length)
            got = sim_read_answer(panel->fd, answer, sizeof answer, PANEL_ANSWER_TIMEOUT_MS);
        if (got == 0) {
            close(panel->fd); /* the link is in doubt: a new one, same frame */
            panel->fd = -1;
            continue;
        }
        struct dc09_frame reply;
        bool ok = dc09_frame_parse(answer, got, event->has_key ? &event->key : NULL, &reply,
                                   NULL) == DC09_OK &&
                  reply.token == DC09_ACK;
        printf("%s %s seq %04u %s\n", ok ? "ACK" : "REFUSED", event->account, event->seq,
               event->null_frame ? "NULL" : event->code);
        fflush(stdout);
        if (ok)
            panel->acked++;
        else
            panel->refused++;
        return ok;
    }
    fprintf(stderr, _("vigie-sim: no answer from %s after %d tries\n"), panel->to, PANEL_TRIES_MAX);
    return false;
}

static int run_panel(struct panel *panel)
{
    int64_t start = clock_monotonic_ms(), end = start + (int64_t)panel->seconds * 1000;
    int64_t next_null = start;
    int next_event = 0;
    unsigned seq = panel->base.seq;
    while (clock_monotonic_ms() < end) {
        struct sim_event event = panel->base;
        if (next_event < panel->event_count) {
            snprintf(event.code, sizeof event.code, "%s", panel->codes[next_event]);
            event.zone = panel->zones[next_event++];
        } else if (clock_monotonic_ms() >= next_null && panel->supervision_s > 0) {
            event.null_frame = true;
            next_null = clock_monotonic_ms() + (int64_t)panel->supervision_s * 1000;
        } else {
            usleep(100 * 1000);
            continue;
        }
        event.seq = seq = seq % DC09_SEQ_MAX + 1;
        if (!send_frame(panel, &event))
            return panel->fd < 0 ? SIM_EXIT_NETWORK : SIM_EXIT_REFUSED;
        if (panel->supervision_s <= 0 && next_event >= panel->event_count)
            break;
    }
    return SIM_EXIT_OK;
}

int sim_command_panel(int argc, char **argv)
{
    struct panel panel = {.seconds = 10, .fd = -1, .base = {.seq = 0}};
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *value = argv[i + 1];
        if (strcmp(argv[i], "--to") == 0) {
            panel.to = value;
        } else if (strcmp(argv[i], "--account") == 0) {
            snprintf(panel.base.account, sizeof panel.base.account, "%s", value);
        } else if (strcmp(argv[i], "--supervision") == 0) {
            panel.supervision_s = atoi(value);
        } else if (strcmp(argv[i], "--seconds") == 0) {
            panel.seconds = atoi(value);
        } else if (strcmp(argv[i], "--key") == 0) {
            panel.base.has_key = dc09_key_from_hex(value, &panel.base.key);
            if (!panel.base.has_key)
                panel.to = NULL;
        } else if (strcmp(argv[i], "--event") == 0 && panel.event_count < PANEL_EVENTS_MAX) {
            /* CODE or CODE:ZONE */
            char *colon = strchr(value, ':');
            snprintf(panel.codes[panel.event_count], sizeof panel.codes[0], "%.*s",
                     colon ? (int)(colon - value) : (int)strlen(value), value);
            panel.zones[panel.event_count++] = colon ? atoi(colon + 1) : 1;
        } else {
            panel.to = NULL;
        }
    }
    if (!panel.to || !panel.base.account[0] || panel.seconds < 1 || panel.seconds > 86400 ||
        (argc - 1) % 2 != 0) {
        fprintf(stderr, "%s",
                _("usage: vigie-sim panel --to HOST:PORT --account ACCT [--supervision S]\n"
                  "                       [--event CODE[:ZONE]]... [--seconds S] [--key HEX]\n"
                  "  sends NULL supervision every S seconds and the events in order\n"));
        return SIM_EXIT_USAGE;
    }
    int status = run_panel(&panel);
    if (panel.fd >= 0)
        close(panel.fd);
    printf("acked %lld, refused %lld, retransmitted %lld\n", (long long)panel.acked,
           (long long)panel.refused, (long long)panel.retransmitted);
    return status;
}
