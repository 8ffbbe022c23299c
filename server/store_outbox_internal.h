/* store_outbox_internal.h: what the store_outbox*.c files share: the
 * alarms and mass alerts a job's rows touched (each gets one stream event
 * at the end of the job), and applying an attempt's outcome to a row. */
#ifndef VIGIE_STORE_OUTBOX_INTERNAL_H
#define VIGIE_STORE_OUTBOX_INTERNAL_H

#include "server/store_internal.h"
#include "server/store_outbox.h"

/* Alarms (and mass alerts) whose rows changed in one job: each gets one
 * stream event. */
struct store_outbox_touched {
    int64_t ids[OUTBOX_CLAIM_MAX];
    size_t count;
    bool overflow;
    int64_t alerts[OUTBOX_CLAIM_MAX];
    size_t alert_count;
};

void store_outbox_touch(struct store_outbox_touched *touched, int64_t alarm_id);
/* The mass alert of a 'massalert' row (its owner is a recipient row). */
void store_outbox_touch_owner(struct store_tx *tx, struct store_outbox_touched *touched,
                              const char *kind, int64_t owner_id);
int store_outbox_announce(struct store_tx *tx, const struct store_outbox_touched *touched,
                          struct store_error *error);
/* Applies one outcome to a row in state `from` (a row in another state is
 * left alone: it is not ours to finish). */
int store_outbox_apply_outcome(struct store_tx *tx, const struct store_outbox_outcome *o,
                               enum outbox_state from, struct store_outbox_touched *touched,
                               struct store_error *error);

#endif
