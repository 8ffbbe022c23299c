/* stream.h: the live event stream (Server-Sent Events). The hub hears
 * every committed event from the store, keeps the most recent ones in
 * memory, and wakes the suspended stream connections; a connection that
 * resumes from an older sequence is replayed from the store. Every 2 s a
 * heartbeat goes to every stream and renews its session's claims. */
#ifndef VIGIE_STREAM_H
#define VIGIE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "server/config.h"
#include "server/metrics.h"
#include "server/store.h"

struct stream_hub;

struct stream_hub *stream_hub_create(struct store *store, struct metrics *metrics,
                                     const struct server_config *config);
/* Registers with the store and starts the heartbeat thread. */
bool stream_hub_start(struct stream_hub *hub);
/* Ends every stream (clients reconnect elsewhere) and stops the thread. */
void stream_hub_stop(struct stream_hub *hub);
void stream_hub_free(struct stream_hub *hub);

/* A response streaming events after `resume_after` (the client's
 * Last-Event-ID, or -1 to start from now). */
struct MHD_Response *stream_hub_response(struct stream_hub *hub, struct MHD_Connection *connection,
                                         int64_t resume_after, int64_t session_id);
size_t stream_hub_client_count(struct stream_hub *hub);

#endif
