/* sim_panel.c: `vigie-sim panel`: one alarm panel, as a real one behaves.
 * Over SIA DC-09 (--to): a NULL supervision message every interval, the
 * events given on the command line, each sent once its previous one was
 * ACKed (and sent again, same sequence, when no answer comes: a
 * retransmission). With --listen it is also commandable: an EnvisaLink
 * TPI (sim_panel_tpi.c) that vigied arms and disarms, and whose changes
 * are reported over DC-09 as a real panel reports them. Bounded by
 * --seconds. */
#include "tools/sim/sim_panel.h"
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

/* Sends one frame and waits for its answer, retrying as a panel does. */
static bool send_frame(struct sim_panel *panel, struct sim_event *event)
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

static bool send_next(struct sim_panel *panel, const char *code, int zone, bool null_frame)
{
    struct sim_event event = panel->base;
    snprintf(event.code, sizeof event.code, "%s", code);
    event.zone = zone;
    event.null_frame = null_frame;
    event.seq = panel->seq = panel->seq % DC09_SEQ_MAX + 1;
    return send_frame(panel, &event);
}

bool sim_panel_report(struct sim_panel *panel, const char *code, int zone)
{
    return !panel->to || send_next(panel, code, zone, false);
}

bool sim_panel_supervise(struct sim_panel *panel)
{
    if (!panel->to || panel->supervision_s <= 0 || clock_monotonic_ms() < panel->next_null_ms)
        return true;
    panel->next_null_ms = clock_monotonic_ms() + (int64_t)panel->supervision_s * 1000;
    return send_next(panel, "", 0, true);
}

static int run_panel(struct sim_panel *panel)
{
    int64_t end = clock_monotonic_ms() + (int64_t)panel->seconds * 1000;
    int next_event = 0;
    panel->next_null_ms = clock_monotonic_ms();
    while (clock_monotonic_ms() < end) {
        bool ok = true;
        if (next_event < panel->event_count) {
            ok = send_next(panel, panel->codes[next_event], panel->zones[next_event], false);
            next_event++;
        } else if (panel->supervision_s > 0 && clock_monotonic_ms() >= panel->next_null_ms) {
            ok = sim_panel_supervise(panel);
        } else if (panel->supervision_s <= 0) {
            break;
        } else {
            usleep(100 * 1000);
            continue;
        }
        if (!ok)
            return panel->fd < 0 ? SIM_EXIT_NETWORK : SIM_EXIT_REFUSED;
    }
    return SIM_EXIT_OK;
}

static void usage(void)
{
    fprintf(stderr, "%s",
            _("usage: vigie-sim panel --to HOST:PORT --account ACCT [--supervision S]\n"
              "                       [--event CODE[:ZONE]]... [--seconds S] [--key HEX]\n"
              "       vigie-sim panel --listen HOST:PORT [--to HOST:PORT --account ACCT]\n"
              "                       [--password P] [--code DIGITS] [--user N] [--partition N]\n"
              "                       [--state armed|armed-stay|disarmed] [--refuse] [--silent]\n"
              "                       [--answer-delay MS] [--report-delay MS] [--seconds S]\n"
              "  sends NULL supervision every S seconds and the events in order; with\n"
              "  --listen, also answers EnvisaLink TPI (DSC) commands and reports each\n"
              "  change of state over DC-09 (--refuse: refuses every command; --silent:\n"
              "  accepts connections and answers nothing)\n"));
}

/* Flags without a value; every other option takes one. */
static bool take_flag(struct sim_panel *panel, const char *option)
{
    if (strcmp(option, "--refuse") == 0)
        panel->refuse = true;
    else if (strcmp(option, "--silent") == 0)
        panel->silent = true;
    else
        return false;
    return true;
}

static bool take_option(struct sim_panel *panel, const char *option, const char *value)
{
    if (strcmp(option, "--to") == 0) {
        panel->to = value;
    } else if (strcmp(option, "--account") == 0) {
        snprintf(panel->base.account, sizeof panel->base.account, "%s", value);
    } else if (strcmp(option, "--supervision") == 0) {
        panel->supervision_s = atoi(value);
    } else if (strcmp(option, "--seconds") == 0) {
        panel->seconds = atoi(value);
    } else if (strcmp(option, "--key") == 0) {
        panel->base.has_key = dc09_key_from_hex(value, &panel->base.key);
        return panel->base.has_key;
    } else if (strcmp(option, "--event") == 0 && panel->event_count < SIM_PANEL_EVENTS_MAX) {
        /* CODE or CODE:ZONE */
        const char *colon = strchr(value, ':');
        snprintf(panel->codes[panel->event_count], sizeof panel->codes[0], "%.*s",
                 colon ? (int)(colon - value) : (int)strlen(value), value);
        panel->zones[panel->event_count++] = colon ? atoi(colon + 1) : 1;
    } else if (strcmp(option, "--listen") == 0) {
        panel->listen = value;
    } else if (strcmp(option, "--password") == 0) {
        snprintf(panel->password, sizeof panel->password, "%s", value);
    } else if (strcmp(option, "--code") == 0) {
        snprintf(panel->code, sizeof panel->code, "%s", value);
    } else if (strcmp(option, "--user") == 0) {
        panel->user = atoi(value);
        return panel->user >= 1 && panel->user <= 999;
    } else if (strcmp(option, "--partition") == 0) {
        panel->partition = atoi(value);
        return panel->partition >= 1 && panel->partition <= PANEL_PARTITION_MAX;
    } else if (strcmp(option, "--state") == 0) {
        return panel_arm_state_parse(value, &panel->state) && panel->state != PANEL_STATE_UNKNOWN;
    } else if (strcmp(option, "--answer-delay") == 0) {
        panel->answer_delay_ms = atoi(value);
        return panel->answer_delay_ms >= 0 && panel->answer_delay_ms <= 60000;
    } else if (strcmp(option, "--report-delay") == 0) {
        panel->report_delay_ms = atoi(value);
        return panel->report_delay_ms >= 0 && panel->report_delay_ms <= 60000;
    } else {
        return false;
    }
    return true;
}

int sim_command_panel(int argc, char **argv)
{
    struct sim_panel panel = {
        .seconds = 10,
        .fd = -1,
        .password = "user", /* the EnvisaLink's factory password */
        .code = "1234",
        .user = 1,
        .partition = 1,
        .state = PANEL_STATE_ARMED_AWAY,
        .report_delay_ms = 300,
    };
    bool ok = true;
    for (int i = 1; ok && i < argc; i++) {
        if (take_flag(&panel, argv[i]))
            continue;
        ok = i + 1 < argc && take_option(&panel, argv[i], argv[i + 1]);
        i++;
    }
    bool reports = panel.to && panel.base.account[0];
    if (!ok || (!panel.listen && !reports) || (panel.to && !panel.base.account[0]) ||
        panel.seconds < 1 || panel.seconds > 86400) {
        usage();
        return SIM_EXIT_USAGE;
    }
    int status = panel.listen ? sim_panel_tpi_run(&panel) : run_panel(&panel);
    if (panel.fd >= 0)
        close(panel.fd);
    printf("acked %lld, refused %lld, retransmitted %lld\n", (long long)panel.acked,
           (long long)panel.refused, (long long)panel.retransmitted);
    return status;
}
