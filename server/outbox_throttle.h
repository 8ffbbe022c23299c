/* outbox_throttle.h: a token bucket per channel, so that a mass alert
 * never sends faster than its gateway account allows (messages per
 * second), however many rows wait. The bucket holds at most a 50 ms
 * burst (rate / 20) and refills at the rest of the rate (19/20 of it):
 * over any window of T seconds at most rate x T x 19/20 + rate / 20
 * messages leave, so never more than the rate in any one second (a burst
 * of one second, the textbook choice, would let twice the rate through
 * in the first second; a full refill, 5 % more). Pure: the caller gives
 * the time, so tests drive it. */
#ifndef VIGIE_OUTBOX_THROTTLE_H
#define VIGIE_OUTBOX_THROTTLE_H

#include <stdint.h>

/* The burst, in milliseconds of the rate. */
#define OUTBOX_THROTTLE_BURST_MS 50

struct outbox_throttle {
    int rate;            /* messages per second; 0: unthrottled */
    double refill;       /* tokens per second: the rate less the burst */
    double tokens;       /* what may leave now */
    double capacity;     /* rate x burst, at least 1 */
    int64_t refilled_at; /* ms */
};

void outbox_throttle_init(struct outbox_throttle *throttle, int rate, int64_t now_ms);
/* How many may leave now, at most `wanted` (everything when unthrottled). */
int outbox_throttle_available(struct outbox_throttle *throttle, int wanted, int64_t now_ms);
/* `count` left (after outbox_throttle_available said they could). */
void outbox_throttle_take(struct outbox_throttle *throttle, int count);
/* Milliseconds until one more may leave (0: now). */
int64_t outbox_throttle_wait_ms(const struct outbox_throttle *throttle, int64_t now_ms);

#endif
