/* voice_ack.h: key 1 pressed during a mass alert's call: the agent's
 * "received" reply, through the replies' store (as the web page's button
 * and an SMS "OK" are). */
#ifndef VIGIE_VOICE_ACK_H
#define VIGIE_VOICE_ACK_H

#include <stdint.h>

#include "server/store.h"

int voice_ack_record(struct store *store, int64_t recipient_id, struct store_error *error);

#endif
