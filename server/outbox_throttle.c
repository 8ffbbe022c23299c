/* outbox_throttle.c: token buckets (see outbox_throttle.h). */
#include "server/outbox_throttle.h"

void outbox_throttle_init(struct outbox_throttle *throttle, int rate, int64_t now_ms)
{
    throttle->rate = rate > 0 ? rate : 0;
    throttle->capacity = (double)throttle->rate * OUTBOX_THROTTLE_BURST_MS / 1000.0;
    if (throttle->capacity < 1)
        throttle->capacity = 1;
    /* What the burst may add to a second is taken off the refill (at a
     * rate under 20 the burst is the one message in hand, and the refill
     * stays the rate: no slower than one message per 1/rate). */
    throttle->refill = throttle->rate - (throttle->capacity > 1 ? throttle->capacity : 0);
    /* Full at start: a burst is allowed, the rate holds from there. */
    throttle->tokens = throttle->capacity;
    throttle->refilled_at = now_ms;
}

static void refill(struct outbox_throttle *throttle, int64_t now_ms)
{
    if (now_ms <= throttle->refilled_at)
        return;
    throttle->tokens += (double)(now_ms - throttle->refilled_at) * throttle->refill / 1000.0;
    if (throttle->tokens > throttle->capacity)
        throttle->tokens = throttle->capacity;
    throttle->refilled_at = now_ms;
}

int outbox_throttle_available(struct outbox_throttle *throttle, int wanted, int64_t now_ms)
{
    if (throttle->rate == 0 || wanted <= 0)
        return wanted > 0 ? wanted : 0;
    refill(throttle, now_ms);
    int whole = (int)throttle->tokens;
    return whole < wanted ? whole : wanted;
}

void outbox_throttle_take(struct outbox_throttle *throttle, int count)
{
    if (throttle->rate == 0 || count <= 0)
        return;
    throttle->tokens -= count;
    if (throttle->tokens < 0)
        throttle->tokens = 0;
}

int64_t outbox_throttle_wait_ms(const struct outbox_throttle *throttle, int64_t now_ms)
{
    if (throttle->rate == 0)
        return 0;
    double tokens = throttle->tokens;
    if (now_ms > throttle->refilled_at)
        tokens += (double)(now_ms - throttle->refilled_at) * throttle->refill / 1000.0;
    if (tokens >= 1)
        return 0;
    double wait = (1 - tokens) * 1000.0 / throttle->refill;
    return (int64_t)wait + 1;
}
