/* claim_reaper.h: a thread that, once a second, gives back to the queue
 * every alarm whose claim lease ran out (the operator's console went
 * silent), with a timeline entry saying so. */
#ifndef VIGIE_CLAIM_REAPER_H
#define VIGIE_CLAIM_REAPER_H

#include <stdbool.h>

#include "server/store.h"

struct claim_reaper;

struct claim_reaper *claim_reaper_start(struct store *store);
void claim_reaper_stop(struct claim_reaper *reaper);

#endif
