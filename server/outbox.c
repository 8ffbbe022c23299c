/* outbox.c: the delivery worker (see outbox.h). One thread, one libcurl
 * multi handle, a fixed array of transfer slots. A message is claimed
 * (durably "sending") before its transfer starts and its outcome written
 * after it ends: a crash in between leaves it "sending", and the next
 * start sends it again with the same body and key. */
#include "server/outbox.h"
#include "server/connector.h"
#include "server/massalert_fanout.h"
#include "server/outbox_throttle.h"
#include "server/store_massalerts.h"
#include "server/store_outbox.h"
#include "common/clock.h"
#include "common/log.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bodies of finished messages are emptied in a batch every retention/288
 * (5 minutes for 24 hours, as the technical-data purge), between these. */
#define OUTBOX_REDACT_PERIOD_MIN_MS 1000
#define OUTBOX_REDACT_PERIOD_MAX_MS 60000
/* Connecting (TLS included) gets at most this share of the timeout. */
#define OUTBOX_CONNECT_TIMEOUT_MS 5000
/* SMS being sent when vigied died wait this long at the next start for
 * Kannel's delivery reports (which Kannel retries: http-request-retry)
 * to prove they were taken, before they are sent again: Kannel's sendsms
 * has no idempotency key. */
#define OUTBOX_SMS_RECOVER_GRACE_MS 15000
/* Coalesced mass-alert events are flushed at least this often. */
#define OUTBOX_FLUSH_MS (MASSALERT_EVENT_PERIOD_MS / 2)
/* A channel with rows due but no free call (voice) is looked at again
 * after this. */
#define OUTBOX_BUSY_RETRY_MS 50

struct outbox_slot {
    bool busy;
    struct store_outbox_message message;
    const struct connector *connector;
    void *transfer;
};

/* A connector's channel and its throttle. */
struct outbox_channel {
    const struct connector *connector;
    struct outbox_throttle throttle;
};

struct outbox {
    struct store *store;
    const struct server_config *config;
    pthread_t thread;
    CURLM *multi;
    atomic_bool stopping;
    atomic_bool woken;
    int concurrency, busy;
    struct outbox_slot slots[OUTBOX_CONCURRENCY_MAX];
    struct outbox_channel channels[OUTBOX_CHANNELS_MAX];
    int channel_count;
    int64_t throttled_until; /* due rows wait for a throttle until then */
    int64_t next_due;        /* when the store's next queued row is due; 0: none */
    int64_t next_poll;       /* wall clock: look at the store by then anyway */
    int64_t next_redact;     /* wall clock */
    int64_t next_others;     /* wall clock: look for rows without a connector then */
    /* Writes large mass alerts' rows a chunk at a time; wakes this worker
     * after each chunk. */
    struct massalert_fanout *fanout;
};

int64_t outbox_backoff_ms(int attempts, int first_ms, int max_ms, int64_t message_id)
{
    int64_t delay = first_ms > 0 ? first_ms : 1;
    for (int i = 1; i < attempts && delay < max_ms; i++)
        delay *= 2;
    if (delay > max_ms)
        delay = max_ms;
    int64_t spread = delay / 10 + 1;
    return delay + (message_id * 7919) % spread;
}

static struct connector_options transfer_options(const struct outbox *outbox)
{
    long timeout = (long)outbox->config->outbox_timeout_s * 1000;
    return (struct connector_options){
        .config = outbox->config,
        .timeout_ms = timeout,
        .connect_timeout_ms =
            timeout < OUTBOX_CONNECT_TIMEOUT_MS ? timeout : OUTBOX_CONNECT_TIMEOUT_MS,
        .ca_file = outbox->config->outbox_ca_file,
    };
}

/* ---- outcomes ---- */

int64_t outbox_retry_wait_ms(int64_t backoff_ms, int64_t retry_after_ms)
{
    if (retry_after_ms > OUTBOX_RETRY_AFTER_MAX_MS)
        retry_after_ms = OUTBOX_RETRY_AFTER_MAX_MS;
    return retry_after_ms > backoff_ms ? retry_after_ms : backoff_ms;
}

/* What an attempt that did not deliver leads to: another attempt after
 * the backoff (or the gateway's Retry-After when longer), or the end. */
static void decide_retry(const struct outbox *outbox, const struct store_outbox_message *m,
                         bool permanent, int64_t retry_after_ms, int64_t now,
                         struct store_outbox_outcome *outcome)
{
    const struct server_config *config = outbox->config;
    int64_t backoff = outbox_backoff_ms(m->attempts, config->outbox_backoff_first_ms,
                                        config->outbox_backoff_max_ms, m->id);
    int64_t retry_at = now + outbox_retry_wait_ms(backoff, retry_after_ms);
    if (permanent || m->attempts >= m->max_attempts || retry_at > m->deadline_at) {
        outcome->state = OUTBOX_FAILED;
        size_t used = strlen(outcome->error);
        if (!permanent && retry_after_ms > backoff && retry_at > m->deadline_at &&
            used < sizeof outcome->error)
            snprintf(outcome->error + used, sizeof outcome->error - used,
                     " (asked to wait %lld s, past the message's deadline)",
                     (long long)(retry_after_ms / 1000));
        return;
    }
    outcome->state = OUTBOX_QUEUED;
    outcome->retry_at = retry_at;
}

static void release_slot(struct outbox *outbox, struct outbox_slot *slot)
{
    if (slot->transfer) {
        curl_multi_remove_handle(outbox->multi, slot->connector->easy(slot->transfer));
        slot->connector->release(slot->transfer);
    }
    store_outbox_message_free(&slot->message);
    memset(slot, 0, sizeof *slot);
    outbox->busy--;
}

static void write_outcomes(struct outbox *outbox, const struct store_outbox_outcome *outcomes,
                           size_t count)
{
    struct store_error error = {{0}};
    /* If this fails the rows stay "sending" until the next start queues
     * them again: the store is failing, and says so in the log. */
    if (store_outbox_finish(outbox->store, outcomes, count, &error) != STORE_OK)
        log_error("outbox", "cannot record %zu delivery outcome(s): %s", count, error.message);
}

static void log_outcome(const struct store_outbox_message *m,
                        const struct store_outbox_outcome *outcome)
{
    /* A mass alert's deliveries are many and are its report: only their
     * failures are logged. */
    if (outcome->state == OUTBOX_DELIVERED && strcmp(m->channel, "http") != 0)
        return;
    if (outcome->state == OUTBOX_DELIVERED)
        log_info("outbox", "message %lld (%s) delivered to %s at attempt %d, reference %s",
                 (long long)m->id, m->label, m->recipient, m->attempts,
                 outcome->reference[0] ? outcome->reference : "(none)");
    else if (outcome->state == OUTBOX_QUEUED)
        log_warn("outbox", "message %lld (%s) to %s: attempt %d of %d failed (%s); next in %lld ms",
                 (long long)m->id, m->label, m->recipient, m->attempts, m->max_attempts,
                 outcome->error, (long long)(outcome->retry_at - clock_now_ms()));
    else
        log_error("outbox", "message %lld (%s) to %s FAILED after %d attempt(s): %s",
                  (long long)m->id, m->label, m->recipient, m->attempts, outcome->error);
}

/* Collects the transfers libcurl finished; true when some slot freed. */
static bool collect_finished(struct outbox *outbox)
{
    struct store_outbox_outcome outcomes[OUTBOX_CONCURRENCY_MAX];
    size_t count = 0;
    CURLMsg *info;
    int left = 0;
    while ((info = curl_multi_info_read(outbox->multi, &left))) {
        if (info->msg != CURLMSG_DONE)
            continue;
        struct outbox_slot *slot = NULL;
        char *private = NULL;
        curl_easy_getinfo(info->easy_handle, CURLINFO_PRIVATE, &private);
        slot = (struct outbox_slot *)private;
        if (!slot || !slot->busy)
            continue;
        struct connector_outcome result;
        slot->connector->outcome(slot->transfer, info->data.result, &result);
        struct store_outbox_outcome *outcome = &outcomes[count++];
        memset(outcome, 0, sizeof *outcome);
        outcome->id = slot->message.id;
        if (result.delivered) {
            outcome->state = OUTBOX_DELIVERED;
            snprintf(outcome->reference, sizeof outcome->reference, "%s", result.reference);
        } else {
            snprintf(outcome->error, sizeof outcome->error, "%s", result.error);
            outcome->recipient_gone = result.recipient_gone;
            decide_retry(outbox, &slot->message, result.permanent, result.retry_after_ms,
                         clock_now_ms(), outcome);
        }
        log_outcome(&slot->message, outcome);
        release_slot(outbox, slot);
    }
    write_outcomes(outbox, outcomes, count);
    return count > 0;
}

/* ---- starting transfers ---- */

/* Starts the slot's message on its channel's connector, or writes why not. */
static void start_transfer(struct outbox *outbox, struct outbox_slot *slot,
                           struct store_outbox_outcome *refused, size_t *refused_count)
{
    struct connector_options options = transfer_options(outbox);
    slot->busy = true;
    outbox->busy++;
    slot->connector = connector_find(slot->message.channel);
    const struct connector *connector = slot->connector;
    if (connector && connector->handoff) {
        /* Its own machinery reports the outcome: the slot is free again. */
        bool taken = connector->handoff(&slot->message, &options);
        if (taken) {
            release_slot(outbox, slot);
            return;
        }
    } else if (connector) {
        slot->transfer = connector->start(&slot->message, &options);
        CURL *easy = slot->transfer ? connector->easy(slot->transfer) : NULL;
        if (easy) {
            curl_easy_setopt(easy, CURLOPT_PRIVATE, (char *)slot);
            if (curl_multi_add_handle(outbox->multi, easy) == CURLM_OK)
                return;
        }
    }
    /* No connector for its channel, a setting missing, or no memory. */
    struct store_outbox_outcome *outcome = &refused[(*refused_count)++];
    memset(outcome, 0, sizeof *outcome);
    outcome->id = slot->message.id;
    snprintf(outcome->error, sizeof outcome->error, "%s%s",
             connector ? "cannot start the transfer (check the channel's settings)"
                       : "no connector for the channel ",
             connector ? "" : slot->message.channel);
    decide_retry(outbox, &slot->message, !connector, 0, clock_now_ms(), outcome);
    log_outcome(&slot->message, outcome);
    if (slot->transfer) {
        connector->release(slot->transfer);
        slot->transfer = NULL;
    }
    release_slot(outbox, slot);
}

static void refresh_next_due(struct outbox *outbox)
{
    struct store_error error = {{0}};
    if (store_outbox_next_due(outbox->store, &outbox->next_due, &error) != STORE_OK) {
        log_error("outbox", "cannot read the outbox: %s", error.message);
        outbox->next_due = 0;
    }
}

/* What each channel may take now: its throttle's tokens, or its free
 * calls; every connector's channel is listed (0: none now), so that the
 * rows of a channel without a connector are the only "others". */
static int channel_quotas(struct outbox *outbox, int free_slots, int64_t now,
                          struct store_outbox_quota *quotas)
{
    for (int i = 0; i < outbox->channel_count; i++) {
        struct outbox_channel *channel = &outbox->channels[i];
        int limit = outbox_throttle_available(&channel->throttle, free_slots, now);
        if (channel->connector->in_flight) {
            int room = outbox->config->voice_calls - channel->connector->in_flight();
            limit = room < limit ? (room > 0 ? room : 0) : limit;
        }
        quotas[i] = (struct store_outbox_quota){channel->connector->channel, limit};
    }
    return outbox->channel_count;
}

static void take_tokens(struct outbox *outbox, const struct store_outbox_message *claimed,
                        int count)
{
    for (int i = 0; i < outbox->channel_count; i++) {
        int taken = 0;
        for (int m = 0; m < count; m++)
            taken += strcmp(claimed[m].channel, outbox->channels[i].connector->channel) == 0;
        outbox_throttle_take(&outbox->channels[i].throttle, taken);
    }
}

/* When rows stay due after a claim, they wait for a throttle (or a free
 * call): the loop sleeps until the first token comes back. */
static void note_throttled(struct outbox *outbox, int64_t now)
{
    int64_t wait = OUTBOX_POLL_MS;
    for (int i = 0; i < outbox->channel_count; i++) {
        int64_t w = outbox_throttle_wait_ms(&outbox->channels[i].throttle, now);
        if (w == 0 && outbox->channels[i].connector->in_flight)
            w = OUTBOX_BUSY_RETRY_MS;
        if (w > 0 && w < wait)
            wait = w;
    }
    outbox->throttled_until = now + wait;
}

/* Claims what is due into the free slots and starts it. */
static void start_due(struct outbox *outbox, int64_t now)
{
    refresh_next_due(outbox);
    int free_slots = outbox->concurrency - outbox->busy;
    if (outbox->next_due == 0 || outbox->next_due > now || free_slots <= 0)
        return;
    struct store_outbox_quota quotas[OUTBOX_CHANNELS_MAX];
    int quota_count = channel_quotas(outbox, free_slots, now, quotas);
    /* Rows of a channel without a connector (they fail at once) are looked
     * for once a poll: that query reads every due row, 100,000 of them
     * while a mass alert is being sent. */
    int others = now >= outbox->next_others ? free_slots : 0, wanted = others;
    for (int i = 0; i < quota_count; i++)
        wanted += quotas[i].limit;
    if (wanted == 0) { /* every channel waits for its throttle: no job */
        note_throttled(outbox, now);
        return;
    }
    if (others > 0)
        outbox->next_others = now + OUTBOX_POLL_MS;
    struct store_outbox_message claimed[OUTBOX_CONCURRENCY_MAX];
    int count = 0;
    struct store_error error = {{0}};
    if (store_outbox_claim_quotas(outbox->store, quotas, quota_count, others, free_slots, claimed,
                                  &count, &error) != STORE_OK) {
        log_error("outbox", "cannot claim due messages: %s", error.message);
        return;
    }
    take_tokens(outbox, claimed, count);
    struct store_outbox_outcome refused[OUTBOX_CONCURRENCY_MAX];
    size_t refused_count = 0;
    for (int i = 0, s = 0; i < count; i++) {
        while (outbox->slots[s].busy)
            s++;
        outbox->slots[s].message = claimed[i];
        start_transfer(outbox, &outbox->slots[s], refused, &refused_count);
    }
    write_outcomes(outbox, refused, refused_count);
    refresh_next_due(outbox);
    if (outbox->next_due > 0 && outbox->next_due <= now && outbox->busy < outbox->concurrency)
        note_throttled(outbox, now);
}

/* ---- the thread ---- */

static void redact_old_bodies(struct outbox *outbox, int64_t now)
{
    if (now < outbox->next_redact)
        return;
    int64_t period = outbox->config->technical_data_ms / 288;
    period = period < OUTBOX_REDACT_PERIOD_MIN_MS   ? OUTBOX_REDACT_PERIOD_MIN_MS
             : period > OUTBOX_REDACT_PERIOD_MAX_MS ? OUTBOX_REDACT_PERIOD_MAX_MS
                                                    : period;
    outbox->next_redact = now + period;
    int64_t redacted = 0;
    struct store_error error = {{0}};
    if (store_outbox_redact(outbox->store, now - outbox->config->technical_data_ms, &redacted,
                            &error) != STORE_OK)
        log_error("outbox", "cannot empty old message bodies: %s", error.message);
    else if (redacted > 0)
        log_info("outbox", "emptied the bodies of %lld delivered or failed message(s)",
                 (long long)redacted);
}

static int wait_ms(const struct outbox *outbox, int64_t now)
{
    int64_t until = outbox->next_poll;
    int64_t due =
        outbox->next_due > outbox->throttled_until ? outbox->next_due : outbox->throttled_until;
    if (outbox->busy < outbox->concurrency && outbox->next_due > 0 && due < until)
        until = due;
    if (now + OUTBOX_FLUSH_MS < until)
        until = now + OUTBOX_FLUSH_MS;
    int64_t wait = until - now;
    return wait < 0 ? 0 : wait > OUTBOX_POLL_MS ? OUTBOX_POLL_MS : (int)wait;
}

/* Abandons the transfers in flight: their messages are queued again, due
 * at once, so that the next start sends them. */
static void abandon_transfers(struct outbox *outbox)
{
    struct store_outbox_outcome outcomes[OUTBOX_CONCURRENCY_MAX];
    size_t count = 0;
    int64_t now = clock_now_ms();
    for (int i = 0; i < outbox->concurrency; i++) {
        struct outbox_slot *slot = &outbox->slots[i];
        if (!slot->busy)
            continue;
        struct store_outbox_outcome *outcome = &outcomes[count++];
        memset(outcome, 0, sizeof *outcome);
        outcome->id = slot->message.id;
        outcome->state = OUTBOX_QUEUED;
        outcome->retry_at = now;
        snprintf(outcome->error, sizeof outcome->error, "%s",
                 "interrupted by a stop of vigied: sent again at the next start");
        release_slot(outbox, slot);
    }
    write_outcomes(outbox, outcomes, count);
}

static void *outbox_main(void *argument)
{
    struct outbox *outbox = argument;
    while (!atomic_load(&outbox->stopping)) {
        int64_t now = clock_now_ms();
        bool woken = atomic_exchange(&outbox->woken, false);
        bool due =
            outbox->next_due > 0 && outbox->next_due <= now && outbox->throttled_until <= now;
        if (outbox->busy < outbox->concurrency && (woken || due || now >= outbox->next_poll)) {
            outbox->next_poll = now + OUTBOX_POLL_MS;
            start_due(outbox, now);
        }
        int running = 0;
        curl_multi_perform(outbox->multi, &running);
        if (collect_finished(outbox))
            atomic_store(&outbox->woken, true); /* a slot freed: more may wait */
        redact_old_bodies(outbox, now);
        store_massalerts_flush(outbox->store);
        int wait = atomic_load(&outbox->woken) ? 0 : wait_ms(outbox, clock_now_ms());
        curl_multi_poll(outbox->multi, NULL, 0, wait, NULL);
    }
    abandon_transfers(outbox);
    return NULL;
}

/* A chunk of a mass alert's rows was written: send them now. */
static void fanout_written(void *context)
{
    struct outbox *outbox = context;
    atomic_store(&outbox->woken, true);
    curl_multi_wakeup(outbox->multi);
}

struct outbox *outbox_start(struct store *store, const struct server_config *config)
{
    struct store_error error = {{0}};
    int requeued = 0;
    if (store_outbox_recover_with_grace(store, "sms", OUTBOX_SMS_RECOVER_GRACE_MS, &requeued,
                                        &error) != STORE_OK) {
        log_error("outbox", "cannot recover the outbox: %s", error.message);
        return NULL;
    }
    if (requeued > 0)
        log_warn("outbox", "%d message(s) were being sent when vigied stopped: sending again",
                 requeued);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return NULL;
    struct outbox *outbox = calloc(1, sizeof *outbox);
    if (!outbox || !(outbox->multi = curl_multi_init())) {
        free(outbox);
        curl_global_cleanup();
        return NULL;
    }
    outbox->store = store;
    outbox->config = config;
    outbox->concurrency = config->outbox_concurrency < OUTBOX_CONCURRENCY_MAX
                              ? config->outbox_concurrency
                              : OUTBOX_CONCURRENCY_MAX;
    curl_multi_setopt(outbox->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)outbox->concurrency);
    int table_count = 0;
    const struct connector *table = connector_table(&table_count);
    for (int i = 0; i < table_count && i < OUTBOX_CHANNELS_MAX; i++) {
        const char *name = table[i].channel;
        int rate = strcmp(name, "sms") == 0     ? config->sms_rate
                   : strcmp(name, "email") == 0 ? config->email_rate
                   : strcmp(name, "push") == 0  ? config->push_rate
                                                : 0;
        outbox->channels[i].connector = &table[i];
        outbox_throttle_init(&outbox->channels[i].throttle, rate, clock_now_ms());
        outbox->channel_count++;
    }
    atomic_init(&outbox->stopping, false);
    atomic_init(&outbox->woken, true);
    outbox->fanout = massalert_fanout_start(store, fanout_written, outbox);
    if (!outbox->fanout || pthread_create(&outbox->thread, NULL, outbox_main, outbox) != 0) {
        massalert_fanout_stop(outbox->fanout);
        curl_multi_cleanup(outbox->multi);
        free(outbox);
        curl_global_cleanup();
        return NULL;
    }
    return outbox;
}

void outbox_wake(struct outbox *outbox)
{
    if (!outbox)
        return;
    atomic_store(&outbox->woken, true);
    curl_multi_wakeup(outbox->multi);
    massalert_fanout_wake(outbox->fanout);
}

void outbox_stop(struct outbox *outbox)
{
    if (!outbox)
        return;
    massalert_fanout_stop(outbox->fanout); /* first: it wakes this worker */
    outbox->fanout = NULL;
    atomic_store(&outbox->stopping, true);
    curl_multi_wakeup(outbox->multi);
    pthread_join(outbox->thread, NULL);
    curl_multi_cleanup(outbox->multi);
    free(outbox);
    curl_global_cleanup();
}
