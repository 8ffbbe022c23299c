/* sim_panel.h: what the two halves of `vigie-sim panel` share: the DC-09
 * side (sim_panel.c: supervision, events, reports of state changes) and
 * the control side (sim_panel_tpi.c: an EnvisaLink TPI that accepts a
 * login, answers commands, changes its state and reports it over DC-09). */
#ifndef VIGIE_SIM_PANEL_H
#define VIGIE_SIM_PANEL_H

#include <stdbool.h>
#include <stdint.h>

#include "server/panel_driver.h"
#include "tools/sim/sim.h"

#define SIM_PANEL_EVENTS_MAX 64

struct sim_panel {
    /* DC-09 (optional with --listen: without --to, nothing is reported). */
    const char *to;
    struct sim_event base;
    int supervision_s, seconds;
    char codes[SIM_PANEL_EVENTS_MAX][8];
    int zones[SIM_PANEL_EVENTS_MAX];
    int event_count;
    int fd;
    unsigned seq;
    int64_t acked, refused, retransmitted;
    int64_t next_null_ms; /* monotonic */
    /* The TPI side (--listen). */
    const char *listen;
    char password[PANEL_PASSWORD_MAX];
    char code[PANEL_CODE_MAX];
    int user; /* the user number reported with openings and closings */
    int partition;
    enum panel_arm_state state;
    bool refuse, silent;
    int answer_delay_ms; /* before the panel carries a command out */
    int report_delay_ms; /* between its answer and its DC-09 report */
};

/* Sends one event (CODE as for --event, zone or user) over DC-09 with the
 * next sequence, retrying as a panel does; true when it was ACKed. Does
 * nothing and returns true when the panel reports nowhere. */
bool sim_panel_report(struct sim_panel *panel, const char *code, int zone);
/* A NULL supervision frame when one is due; false when it was not ACKed. */
bool sim_panel_supervise(struct sim_panel *panel);
/* Runs the TPI side until --seconds have passed. */
int sim_panel_tpi_run(struct sim_panel *panel);

#endif
