/* sim.h: vigie-sim, the simulators used by tests, the demo and the
 * benchmarks. Each speaks the real protocol (SIA DC-09 frames with real
 * CRCs and AES; HTTPS JSON for phones) to a real vigied. */
#ifndef VIGIE_SIM_H
#define VIGIE_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/dc09.h"

/* Exit statuses shared by the subcommands. */
#define SIM_EXIT_OK      0
#define SIM_EXIT_REFUSED 1 /* the receiver answered NAK or DUH */
#define SIM_EXIT_USAGE   2
#define SIM_EXIT_NETWORK 3 /* no connection, or no answer in time */

/* What one simulated panel event is. */
struct sim_event {
    char account[DC09_ACCOUNT_SIZE];
    char code[8]; /* "1130" (Contact ID qualifier + code) or "BA" (SIA) */
    int zone;
    unsigned seq;
    char receiver[DC09_RECEIVER_SIZE];
    char prefix[DC09_PREFIX_SIZE];
    bool has_key;
    struct dc09_key key;
    enum dc09_crc_form crc_form;
    bool null_frame; /* a supervision message */
};

/* Builds the frame of an event; returns its length, 0 on a bad field. */
size_t sim_build_frame(const struct sim_event *event, uint8_t *out, size_t capacity);
/* Splits "HOST:PORT" for getaddrinfo. */
bool sim_split_address(const char *text, char *host, size_t host_size, char *port,
                       size_t port_size);
/* Connects a TCP or UDP socket (blocking) to HOST:PORT; -1 with a message. */
int sim_connect(const char *address, bool udp);
/* Reads one whole frame answer (LF..CR) within timeout_ms; its length, or
 * 0 on timeout or error. */
size_t sim_read_answer(int fd, uint8_t *out, size_t capacity, int timeout_ms);

int sim_command_dc09(int argc, char **argv);
int sim_command_load(int argc, char **argv);
int sim_command_phone(int argc, char **argv);
int sim_command_panel(int argc, char **argv);
int sim_command_demo(int argc, char **argv);
int sim_command_gateway(int argc, char **argv);
int sim_command_push_service(int argc, char **argv);
int sim_command_agents(int argc, char **argv);

#endif
