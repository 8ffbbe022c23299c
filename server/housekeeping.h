/* housekeeping.h: vigied's periodic duties, on one thread: once a second
 * it gives back to the queue every alarm whose claim lease ran out, and it
 * trims stream events beyond the retention (a stream resuming from before
 * the oldest kept event is told to resync). */
#ifndef VIGIE_HOUSEKEEPING_H
#define VIGIE_HOUSEKEEPING_H

#include <stdint.h>

#include "server/store.h"

struct housekeeping;

struct housekeeping *housekeeping_start(struct store *store, int64_t event_retention);
void housekeeping_stop(struct housekeeping *housekeeping);

#endif
