/* housekeeping.c: periodic duties. One pass a second bounds how late an
 * abandoned alarm returns to the queue (lease + 1 s). Events are trimmed
 * only once they exceed the retention by a tenth, so that trimming is a
 * rare batch, not a write every second. */
#include "server/housekeeping.h"
#include "server/ingest.h"
#include "server/store_accounts.h"
#include "server/store_devices.h"
#include "common/clock.h"
#include "common/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#define HOUSEKEEPING_PERIOD_MS 1000

struct housekeeping {
    struct store *store;
    const struct server_config *config;
    int64_t event_retention;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t stop_signal;
    bool stopping;
    unsigned passes;
};

static void expire_claims(struct housekeeping *housekeeping)
{
    int released = 0;
    struct store_error error = {{0}};
    if (store_claims_expire(housekeeping->store, clock_now_ms(), &released, &error) != STORE_OK)
        log_error("housekeeping", "cannot expire claims: %s", error.message);
    else if (released > 0)
        log_info("housekeeping", "%d expired claim(s) returned to the queue", released);
}

static void trim_events(struct housekeeping *housekeeping)
{
    int64_t last = store_last_sequence(housekeeping->store);
    int64_t first = store_first_kept_sequence(housekeeping->store);
    int64_t kept = last - (first > 0 ? first : 1) + 1;
    int64_t retention = housekeeping->event_retention;
    if (kept <= retention + retention / 10)
        return;
    int64_t trimmed = 0;
    struct store_error error = {{0}};
    if (store_events_trim(housekeeping->store, retention, &trimmed, &error) != STORE_OK)
        log_error("housekeeping", "cannot trim stream events: %s", error.message);
    else
        log_info("housekeeping", "trimmed %lld stream events beyond the retention of %lld",
                 (long long)trimmed, (long long)retention);
}

static void check_supervision(struct housekeeping *housekeeping)
{
    int raised = 0;
    struct store_error error = {{0}};
    if (store_supervision_check(housekeeping->store, &raised, &error) != STORE_OK)
        log_error("housekeeping", "cannot check supervision: %s", error.message);
    else if (raised > 0)
        log_warn("housekeeping", "%d account(s) silent past their supervision interval", raised);
}

static void purge_receipts(struct housekeeping *housekeeping)
{
    struct store_error error = {{0}};
    int64_t before = clock_now_ms() - (int64_t)housekeeping->config->dc09_dedup_window_s * 1000;
    if (store_ingest_receipts_purge(housekeeping->store, before, &error) != STORE_OK)
        log_error("housekeeping", "cannot purge DC-09 receipts: %s", error.message);
}

/* Protection phones' technical data goes once older than the retention.
 * A purge tells resuming streams to resync, so it runs in batches: every
 * retention/288 (5 minutes for 24 hours), between 1 s and 5 minutes. */
static unsigned purge_period_passes(const struct server_config *config)
{
    int64_t period_ms = config->technical_data_ms / 288;
    if (period_ms < HOUSEKEEPING_PERIOD_MS)
        return 1;
    if (period_ms > 300 * HOUSEKEEPING_PERIOD_MS)
        return 300;
    return (unsigned)(period_ms / HOUSEKEEPING_PERIOD_MS);
}

static void purge_technical_data(struct housekeeping *housekeeping)
{
    struct store_error error = {{0}};
    int64_t before = clock_now_ms() - housekeeping->config->technical_data_ms;
    bool due = false;
    struct store_purge_report report = {0};
    if (store_technical_purge_due(housekeeping->store, before, &due, &error) != STORE_OK ||
        (due && store_technical_purge(housekeeping->store, before, &report, &error) != STORE_OK))
        log_error("housekeeping", "cannot purge technical data: %s", error.message);
    else if (due)
        log_info("housekeeping",
                 "technical data purged: %lld position(s), %lld raw message(s), %lld alarm(s)",
                 (long long)report.positions, (long long)report.raws, (long long)report.alarms);
}

static void check_device_tests(struct housekeeping *housekeeping)
{
    int raised = 0;
    struct store_error error = {{0}};
    if (store_device_tests_check(housekeeping->store, &raised, &error) != STORE_OK)
        log_error("housekeeping", "cannot check device tests: %s", error.message);
    else if (raised > 0)
        log_warn("housekeeping", "%d device(s) overdue for their test", raised);
}

static void *housekeeping_main(void *argument)
{
    struct housekeeping *housekeeping = argument;
    unsigned purge_period = purge_period_passes(housekeeping->config);
    purge_technical_data(housekeeping); /* at start: nothing waits a period */
    pthread_mutex_lock(&housekeeping->lock);
    while (!housekeeping->stopping) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += HOUSEKEEPING_PERIOD_MS / 1000;
        while (!housekeeping->stopping &&
               pthread_cond_timedwait(&housekeeping->stop_signal, &housekeeping->lock, &deadline) !=
                   ETIMEDOUT)
            ;
        if (housekeeping->stopping)
            break;
        pthread_mutex_unlock(&housekeeping->lock);
        expire_claims(housekeeping);
        trim_events(housekeeping);
        check_supervision(housekeeping);
        /* Receipts go in batches: a purge a minute keeps each one small. */
        if (++housekeeping->passes % 60 == 0)
            purge_receipts(housekeeping);
        /* A read each pass; a write only when a device is overdue. */
        check_device_tests(housekeeping);
        if (housekeeping->passes % purge_period == 0)
            purge_technical_data(housekeeping);
        pthread_mutex_lock(&housekeeping->lock);
    }
    pthread_mutex_unlock(&housekeeping->lock);
    return NULL;
}

struct housekeeping *housekeeping_start(struct store *store, const struct server_config *config)
{
    struct housekeeping *housekeeping = calloc(1, sizeof *housekeeping);
    if (!housekeeping)
        return NULL;
    housekeeping->store = store;
    housekeeping->config = config;
    housekeeping->event_retention = config->event_retention;
    pthread_mutex_init(&housekeeping->lock, NULL);
    pthread_cond_init(&housekeeping->stop_signal, NULL);
    if (pthread_create(&housekeeping->thread, NULL, housekeeping_main, housekeeping) != 0) {
        free(housekeeping);
        return NULL;
    }
    return housekeeping;
}

void housekeeping_stop(struct housekeeping *housekeeping)
{
    if (!housekeeping)
        return;
    pthread_mutex_lock(&housekeeping->lock);
    housekeeping->stopping = true;
    pthread_cond_signal(&housekeeping->stop_signal);
    pthread_mutex_unlock(&housekeeping->lock);
    pthread_join(housekeeping->thread, NULL);
    pthread_mutex_destroy(&housekeeping->lock);
    pthread_cond_destroy(&housekeeping->stop_signal);
    free(housekeeping);
}
