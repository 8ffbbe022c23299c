/* massalert_fanout.h: the thread that writes large mass alerts'
 * recipients and messages a chunk per store job
 * (store_massalert_fanout.h), oldest alert first, so that the send
 * answers at once and alarms' writes interleave with the chunks. Woken by
 * a send (through outbox_wake) and at start, when it resumes a fan-out a
 * stop or a crash interrupted. After each chunk it calls `written`, so
 * that the outbox's worker sends the new rows at once. */
#ifndef VIGIE_MASSALERT_FANOUT_H
#define VIGIE_MASSALERT_FANOUT_H

#include "server/store.h"

struct massalert_fanout;

typedef void (*massalert_fanout_written_fn)(void *context);

/* Starts the thread (it looks for unfinished fan-outs at once); NULL when
 * it cannot start. */
struct massalert_fanout *massalert_fanout_start(struct store *store,
                                                massalert_fanout_written_fn written, void *context);
/* An alert was sent: look now. Thread-safe; NULL is allowed. */
void massalert_fanout_wake(struct massalert_fanout *fanout);
/* Stops after the chunk under way (the rest is resumed at the next
 * start). NULL is allowed. */
void massalert_fanout_stop(struct massalert_fanout *fanout);

#endif
