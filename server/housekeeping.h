/* housekeeping.h: vigied's periodic duties, on one thread: once a second
 * it gives back to the queue every alarm whose claim lease ran out, and it
 * trims stream events beyond the retention (a stream resuming from before
 * the oldest kept event is told to resync), raises a communication-failure
 * alarm for each supervised account gone silent, and forgets DC-09
 * receipts older than the retransmission window. */
#ifndef VIGIE_HOUSEKEEPING_H
#define VIGIE_HOUSEKEEPING_H

#include <stdint.h>

#include "server/config.h"
#include "server/store.h"

struct housekeeping;

struct housekeeping *housekeeping_start(struct store *store, const struct server_config *config);
void housekeeping_stop(struct housekeeping *housekeeping);

#endif
