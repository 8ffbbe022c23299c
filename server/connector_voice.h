/* connector_voice.h: the voice channel of the outbox. The delivery worker
 * (outbox.c) hands each claimed "voice" row over (connector.h's handoff)
 * and never holds more than voice_calls of them (in_flight); this worker
 * runs libre's loop in a thread of its own, places the calls (voice_call),
 * speaks the message (voice_cache: once per alert, off the calls'
 * thread) and writes each outcome itself:
 *   answered          -> delivered (reference: the SIP Call-ID), and
 *                        confirmed "delivered";
 *   key 1             -> the agent's "received" reply (voice_ack);
 *   busy, no answer,
 *   5xx, 6xx, network -> queued again after the outbox's backoff;
 *   another 4xx       -> failed (the number is wrong).
 * A stop hangs up the calls in progress and queues their rows again.
 *
 * One worker per process (the handoff carries no context). */
#ifndef VIGIE_CONNECTOR_VOICE_H
#define VIGIE_CONNECTOR_VOICE_H

#include <stdbool.h>

#include "server/config.h"
#include "server/connector.h"
#include "server/store.h"

/* Starts the worker when sip_uri is set (true and nothing started when
 * it is not: the voice channel is off, its rows wait and then fail). */
bool connector_voice_start(struct store *store, const struct server_config *config);
void connector_voice_stop(void);

/* The outbox's hooks (connector.h). */
bool connector_voice_handoff(const struct store_outbox_message *message,
                             const struct connector_options *options);
int connector_voice_in_flight(void);

#endif
