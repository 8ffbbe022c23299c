/* claim_reaper.c: expiry of claim leases. One pass a second bounds how
 * late an abandoned alarm returns to the queue (lease + 1 s). */
#include "server/claim_reaper.h"
#include "common/clock.h"
#include "common/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#define CLAIM_REAPER_PERIOD_MS 1000

struct claim_reaper {
    struct store *store;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t stop_signal;
    bool stopping;
};

static void *reaper_main(void *argument)
{
    struct claim_reaper *reaper = argument;
    pthread_mutex_lock(&reaper->lock);
    while (!reaper->stopping) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += CLAIM_REAPER_PERIOD_MS / 1000;
        while (!reaper->stopping &&
               pthread_cond_timedwait(&reaper->stop_signal, &reaper->lock, &deadline) != ETIMEDOUT)
            ;
        if (reaper->stopping)
            break;
        pthread_mutex_unlock(&reaper->lock);
        int released = 0;
        struct store_error error = {{0}};
        if (store_claims_expire(reaper->store, clock_now_ms(), &released, &error) != STORE_OK)
            log_error("claims", "cannot expire claims: %s", error.message);
        else if (released > 0)
            log_info("claims", "%d expired claim(s) returned to the queue", released);
        pthread_mutex_lock(&reaper->lock);
    }
    pthread_mutex_unlock(&reaper->lock);
    return NULL;
}

struct claim_reaper *claim_reaper_start(struct store *store)
{
    struct claim_reaper *reaper = calloc(1, sizeof *reaper);
    if (!reaper)
        return NULL;
    reaper->store = store;
    pthread_mutex_init(&reaper->lock, NULL);
    pthread_cond_init(&reaper->stop_signal, NULL);
    if (pthread_create(&reaper->thread, NULL, reaper_main, reaper) != 0) {
        free(reaper);
        return NULL;
    }
    return reaper;
}

void claim_reaper_stop(struct claim_reaper *reaper)
{
    if (!reaper)
        return;
    pthread_mutex_lock(&reaper->lock);
    reaper->stopping = true;
    pthread_cond_signal(&reaper->stop_signal);
    pthread_mutex_unlock(&reaper->lock);
    pthread_join(reaper->thread, NULL);
    pthread_mutex_destroy(&reaper->lock);
    pthread_cond_destroy(&reaper->stop_signal);
    free(reaper);
}
