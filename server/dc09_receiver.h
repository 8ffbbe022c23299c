/* dc09_receiver.h: the SIA DC-09 receiver inside vigied: TCP and UDP on
 * one port, one epoll thread. Frames are read from a byte stream (never one
 * message per read), parsed, decoded and handed to the store; the ACK goes
 * out only once the store says the alarm is durable. */
#ifndef VIGIE_DC09_RECEIVER_H
#define VIGIE_DC09_RECEIVER_H

#include <stddef.h>

#include "server/config.h"
#include "server/event_codes.h"
#include "server/metrics.h"
#include "server/store.h"

struct dc09_receiver;

int dc09_receiver_start(struct store *store, struct metrics *metrics,
                        const struct event_code_table *codes, const struct server_config *config,
                        struct dc09_receiver **out, char *error, size_t error_size);
unsigned dc09_receiver_port(const struct dc09_receiver *receiver);
/* Stops reading and answering; messages already handed to the store still
 * complete. Call dc09_receiver_free after the store is closed. */
void dc09_receiver_stop(struct dc09_receiver *receiver);
void dc09_receiver_free(struct dc09_receiver *receiver);

#endif
