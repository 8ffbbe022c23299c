/* connector_voice.c: the voice worker (see connector_voice.h). Other
 * threads only touch the queue of handed-over messages (under `lock`) and
 * wake the worker through libre's thread-safe message queue; everything
 * else (calls, speech, outcomes) happens in the worker's own thread. */
#include "server/connector_voice.h"
#include "server/outbox.h"
#include "server/store_outbox.h"
#include "server/store_outbox_voice.h"
#include "server/voice_ack.h"
#include "server/voice_cache.h"
#include "server/voice_call.h"
#include "server/voice_re.h"
#include "server/voice_sip.h"
#include "common/clock.h"
#include "common/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* After a stop hung the calls up, libre's loop runs this long more so
 * that their BYE and CANCEL requests leave. */
#define VOICE_STOP_LINGER_MS 300

enum { VOICE_WAKE = 1, VOICE_STOP = 2 };

struct connector_voice;

struct voice_slot {
    struct connector_voice *voice;
    bool busy;
    struct store_outbox_message message;
    struct voice_call *call;
    struct voice_spoken *spoken;
    int64_t recipient_id;
};

struct connector_voice {
    struct store *store;
    const struct server_config *config;
    struct voice_call_settings settings;
    pthread_t thread;
    /* Start-up handshake: the thread says whether libre, SIP and the
     * speech engine came up. */
    pthread_mutex_t lock;
    pthread_cond_t ready_cond;
    int ready; /* 0 starting, 1 running, -1 failed */
    /* Handed over and not yet dialled (under `lock`). */
    struct store_outbox_message *pending;
    int pending_count;
    atomic_int held; /* pending + calls in progress */
    /* The worker thread's own. */
    int capacity; /* voice_calls */
    struct voice_slot *slots;
    struct voice_cache *spoken;
    struct mqueue *mqueue;
    struct voice_sip *sip;
    struct tmr stop_timer;
};

static pthread_mutex_t worker_lock = PTHREAD_MUTEX_INITIALIZER;
static struct connector_voice *worker;

/* ---- outcomes ---- */

/* Another attempt after the outbox's backoff, or the end. */
static void decide_retry(const struct connector_voice *voice, const struct store_outbox_message *m,
                         bool permanent, struct store_outbox_outcome *outcome)
{
    const struct server_config *config = voice->config;
    int64_t retry_at =
        clock_now_ms() + outbox_backoff_ms(m->attempts, config->outbox_backoff_first_ms,
                                           config->outbox_backoff_max_ms, m->id);
    if (permanent || m->attempts >= m->max_attempts || retry_at > m->deadline_at) {
        outcome->state = OUTBOX_FAILED;
        return;
    }
    outcome->state = OUTBOX_QUEUED;
    outcome->retry_at = retry_at;
}

static void write_outcome(struct connector_voice *voice, const struct store_outbox_message *m,
                          const struct store_outbox_outcome *outcome)
{
    struct store_error error = {{0}};
    if (store_outbox_finish(voice->store, outcome, 1, &error) != STORE_OK)
        log_error("voice", "cannot record the outcome of call %lld: %s", (long long)m->id,
                  error.message);
    if (outcome->state == OUTBOX_DELIVERED)
        log_info("voice", "message %lld (%s): call to %s answered, Call-ID %s", (long long)m->id,
                 m->label, m->recipient, outcome->reference);
    else if (outcome->state == OUTBOX_QUEUED && outcome->retry_at <= clock_now_ms())
        log_warn("voice", "message %lld (%s) to %s: attempt %d of %d: %s", (long long)m->id,
                 m->label, m->recipient, m->attempts, m->max_attempts, outcome->error);
    else if (outcome->state == OUTBOX_QUEUED)
        log_warn("voice", "message %lld (%s) to %s: attempt %d of %d: %s; next in %lld ms",
                 (long long)m->id, m->label, m->recipient, m->attempts, m->max_attempts,
                 outcome->error, (long long)(outcome->retry_at - clock_now_ms()));
    else
        log_error("voice", "message %lld (%s) to %s FAILED after %d attempt(s): %s",
                  (long long)m->id, m->label, m->recipient, m->attempts, outcome->error);
}

/* A message that did not become a call. */
static void not_called(struct connector_voice *voice, const struct store_outbox_message *m,
                       bool permanent, const char *why)
{
    struct store_outbox_outcome outcome = {.id = m->id};
    snprintf(outcome.error, sizeof outcome.error, "%s", why);
    decide_retry(voice, m, permanent, &outcome);
    write_outcome(voice, m, &outcome);
}

/* The network's confirmation and the agent's key, after the outcome. */
static void record_answer(struct connector_voice *voice, const struct voice_slot *slot,
                          const struct voice_call_result *result)
{
    struct store_error error = {{0}};
    if (store_outbox_confirm(voice->store, "voice", result->call_id, true, 0, &error) != STORE_OK)
        log_error("voice", "cannot confirm call %lld: %s", (long long)slot->message.id,
                  error.message);
    if (!result->acknowledged || slot->recipient_id <= 0)
        return;
    memset(&error, 0, sizeof error);
    int status = voice_ack_record(voice->store, slot->recipient_id, &error);
    if (status == STORE_OK)
        log_info("voice", "message %lld: %s pressed 1 (received)", (long long)slot->message.id,
                 slot->message.recipient);
    else
        log_warn("voice", "message %lld: key 1 not recorded: %s", (long long)slot->message.id,
                 error.message);
}

static void release_slot(struct connector_voice *voice, struct voice_slot *slot)
{
    voice_call_free(slot->call);
    voice_cache_release(voice->spoken, slot->spoken);
    store_outbox_message_free(&slot->message);
    memset(slot, 0, sizeof *slot);
    atomic_fetch_sub(&voice->held, 1);
}

static void start_pending(struct connector_voice *voice);

static void call_done(void *context, struct voice_call *call,
                      const struct voice_call_result *result)
{
    (void)call;
    struct voice_slot *slot = context;
    struct connector_voice *voice = slot->voice;
    struct store_outbox_outcome outcome = {.id = slot->message.id};
    if (result->end == VOICE_CALL_COMPLETED) {
        outcome.state = OUTBOX_DELIVERED;
        snprintf(outcome.reference, sizeof outcome.reference, "%s", result->call_id);
    } else {
        snprintf(outcome.error, sizeof outcome.error, "%s", result->reason);
        decide_retry(voice, &slot->message, result->end == VOICE_CALL_REFUSED, &outcome);
    }
    write_outcome(voice, &slot->message, &outcome);
    if (result->end == VOICE_CALL_COMPLETED)
        record_answer(voice, slot, result);
    release_slot(voice, slot);
    start_pending(voice);
}

/* ---- dialling ---- */

static bool take_pending(struct connector_voice *voice, struct store_outbox_message *out)
{
    pthread_mutex_lock(&voice->lock);
    bool taken = voice->pending_count > 0;
    if (taken) {
        *out = voice->pending[0];
        memmove(voice->pending, voice->pending + 1,
                (size_t)(voice->pending_count - 1) * sizeof *voice->pending);
        voice->pending_count--;
    }
    pthread_mutex_unlock(&voice->lock);
    return taken;
}

/* Calls once the message is spoken. */
static void place_call(struct connector_voice *voice, struct voice_slot *slot)
{
    const struct store_outbox_message *m = &slot->message;
    char error[256] = "";
    if (slot->spoken->failed) {
        not_called(voice, m, false, slot->spoken->error);
        release_slot(voice, slot);
        return;
    }
    bool permanent = false;
    slot->call = voice_call_start(voice->sip, &voice->settings, m->recipient, &slot->spoken->audio,
                                  call_done, slot, &permanent, error, sizeof error);
    if (!slot->call) {
        /* A number that is not one stays so; no port or no memory may pass. */
        not_called(voice, m, permanent, error);
        release_slot(voice, slot);
        return;
    }
    log_info("voice", "message %lld (%s): calling %s, attempt %d", (long long)m->id, m->label,
             m->recipient, m->attempts);
}

/* The synthesis finished a message: the calls waiting for it start. */
static void spoken_ready(void *context, struct voice_spoken *spoken)
{
    struct connector_voice *voice = context;
    if (!spoken->failed)
        log_info("voice", "message spoken in \"%s\": %.1f s of audio", spoken->language,
                 (double)spoken->audio.count / VOICE_SAMPLE_RATE);
    for (int i = 0; i < voice->capacity; i++) {
        struct voice_slot *slot = &voice->slots[i];
        if (slot->busy && slot->spoken == spoken && !slot->call)
            place_call(voice, slot);
    }
}

static void dial(struct connector_voice *voice, struct voice_slot *slot)
{
    const struct store_outbox_message *m = &slot->message;
    char error[256] = "";
    if (clock_now_ms() > m->deadline_at) {
        not_called(voice, m, true, "its deadline passed before it could be sent");
        release_slot(voice, slot);
        return;
    }
    struct store_outbox_voice_call about;
    struct store_error store_error = {{0}};
    if (store_outbox_voice_call(voice->store, m->id, &about, &store_error) != STORE_OK) {
        not_called(voice, m, false, store_error.message);
        release_slot(voice, slot);
        return;
    }
    slot->recipient_id = about.recipient_id;
    const char *language = about.language[0] ? about.language : "en";
    slot->spoken = voice_cache_get(voice->spoken, language, m->body, error, sizeof error);
    if (!slot->spoken) {
        not_called(voice, m, !strstr(error, "memory"), error);
        release_slot(voice, slot);
        return;
    }
    if (slot->spoken->ready)
        place_call(voice, slot);
    /* else the call starts when the message is spoken (spoken_ready) */
}

static void start_pending(struct connector_voice *voice)
{
    for (int i = 0; i < voice->capacity; i++) {
        struct voice_slot *slot = &voice->slots[i];
        if (slot->busy)
            continue;
        if (!take_pending(voice, &slot->message))
            return;
        slot->busy = true;
        slot->voice = voice;
        dial(voice, slot);
    }
}

/* ---- stopping ---- */

static void end_loop(void *arg)
{
    (void)arg;
    re_cancel();
}

/* Hangs up every call and queues its row again, due at once, as the
 * outbox does with its transfers: the next start calls again. */
static void abandon_calls(struct connector_voice *voice)
{
    const char *why = "interrupted by a stop of vigied: called again at the next start";
    for (int i = 0; i < voice->capacity; i++) {
        struct voice_slot *slot = &voice->slots[i];
        if (!slot->busy)
            continue;
        struct store_outbox_outcome outcome = {
            .id = slot->message.id, .state = OUTBOX_QUEUED, .retry_at = clock_now_ms()};
        snprintf(outcome.error, sizeof outcome.error, "%s", why);
        write_outcome(voice, &slot->message, &outcome);
        release_slot(voice, slot);
    }
    struct store_outbox_message m;
    while (take_pending(voice, &m)) {
        struct store_outbox_outcome outcome = {
            .id = m.id, .state = OUTBOX_QUEUED, .retry_at = clock_now_ms()};
        snprintf(outcome.error, sizeof outcome.error, "%s", why);
        write_outcome(voice, &m, &outcome);
        store_outbox_message_free(&m);
        atomic_fetch_sub(&voice->held, 1);
    }
}

static void on_message(int id, void *data, void *arg)
{
    (void)data;
    struct connector_voice *voice = arg;
    if (id == VOICE_WAKE) {
        start_pending(voice);
        return;
    }
    abandon_calls(voice);
    tmr_start(&voice->stop_timer, VOICE_STOP_LINGER_MS, end_loop, voice);
}

/* ---- the thread ---- */

static void say_ready(struct connector_voice *voice, int ready)
{
    pthread_mutex_lock(&voice->lock);
    voice->ready = ready;
    pthread_cond_signal(&voice->ready_cond);
    pthread_mutex_unlock(&voice->lock);
}

static void close_parts(struct connector_voice *voice)
{
    voice_sip_close(voice->sip);
    voice->sip = NULL;
    voice_cache_close(voice->spoken);
    voice->spoken = NULL;
    voice->mqueue = mem_deref(voice->mqueue);
}

static void *voice_main(void *argument)
{
    struct connector_voice *voice = argument;
    char error[256] = "";
    int err = libre_init();
    if (!err) {
        tmr_init(&voice->stop_timer);
        err = mqueue_alloc(&voice->mqueue, on_message, voice);
    }
    if (!err)
        voice->spoken = voice_cache_open(spoken_ready, voice, error, sizeof error);
    if (voice->spoken)
        voice->sip = voice_sip_open(voice->config->sip_listen, error, sizeof error);
    if (err || !voice->sip) {
        if (!error[0])
            snprintf(error, sizeof error, "cannot start libre: %s", strerror(err));
        log_error("voice", "%s", error);
        close_parts(voice);
        libre_close();
        say_ready(voice, -1);
        return NULL;
    }
    say_ready(voice, 1);
    re_main(NULL);
    tmr_cancel(&voice->stop_timer);
    close_parts(voice);
    libre_close();
    return NULL;
}

static void voice_free(struct connector_voice *voice)
{
    for (int i = 0; i < voice->pending_count; i++)
        store_outbox_message_free(&voice->pending[i]);
    free(voice->pending);
    free(voice->slots);
    pthread_cond_destroy(&voice->ready_cond);
    pthread_mutex_destroy(&voice->lock);
    free(voice);
}

static void settings_from(struct connector_voice *voice, const struct server_config *config)
{
    voice->settings = (struct voice_call_settings){
        .uri_template = config->sip_uri,
        .from = config->sip_from,
        .proxy = config->sip_proxy,
        .user = config->sip_username,
        .password = config->sip_password,
        .ring_timeout_s = config->voice_ring_timeout_s,
        .key_wait_s = config->voice_key_wait_s,
        .rtp_port_min = (uint16_t)config->sip_rtp_port_min,
        .rtp_port_max = (uint16_t)config->sip_rtp_port_max,
    };
}

bool connector_voice_start(struct store *store, const struct server_config *config)
{
    if (!config->sip_uri[0]) {
        log_info("voice", "%s", "voice calls are off (no sip_uri)");
        return true;
    }
    struct connector_voice *voice = calloc(1, sizeof *voice);
    int capacity = config->voice_calls > 0 ? config->voice_calls : 1;
    if (!voice)
        return false;
    voice->store = store;
    voice->config = config;
    voice->capacity = capacity;
    voice->slots = calloc((size_t)capacity, sizeof *voice->slots);
    voice->pending = calloc((size_t)capacity, sizeof *voice->pending);
    pthread_mutex_init(&voice->lock, NULL);
    pthread_cond_init(&voice->ready_cond, NULL);
    atomic_init(&voice->held, 0);
    settings_from(voice, config);
    if (!voice->slots || !voice->pending ||
        pthread_create(&voice->thread, NULL, voice_main, voice) != 0) {
        voice_free(voice);
        return false;
    }
    pthread_mutex_lock(&voice->lock);
    while (voice->ready == 0)
        pthread_cond_wait(&voice->ready_cond, &voice->lock);
    int ready = voice->ready;
    pthread_mutex_unlock(&voice->lock);
    if (ready < 0) {
        pthread_join(voice->thread, NULL);
        voice_free(voice);
        return false;
    }
    log_info("voice", "placing calls through %s, at most %d at once", config->sip_uri, capacity);
    pthread_mutex_lock(&worker_lock);
    worker = voice;
    pthread_mutex_unlock(&worker_lock);
    return true;
}

void connector_voice_stop(void)
{
    pthread_mutex_lock(&worker_lock);
    struct connector_voice *voice = worker;
    worker = NULL;
    pthread_mutex_unlock(&worker_lock);
    if (!voice)
        return;
    mqueue_push(voice->mqueue, VOICE_STOP, NULL);
    pthread_join(voice->thread, NULL);
    voice_free(voice);
}

bool connector_voice_handoff(const struct store_outbox_message *message,
                             const struct connector_options *options)
{
    (void)options;
    bool taken = false;
    pthread_mutex_lock(&worker_lock);
    struct connector_voice *voice = worker;
    if (voice) {
        pthread_mutex_lock(&voice->lock);
        char *body = malloc(message->body_length + 1);
        if (body && atomic_load(&voice->held) < voice->capacity &&
            voice->pending_count < voice->capacity) {
            memcpy(body, message->body, message->body_length);
            body[message->body_length] = '\0';
            struct store_outbox_message *copy = &voice->pending[voice->pending_count++];
            *copy = *message;
            copy->body = body;
            body = NULL;
            atomic_fetch_add(&voice->held, 1);
            taken = true;
        }
        free(body);
        pthread_mutex_unlock(&voice->lock);
        if (taken)
            mqueue_push(voice->mqueue, VOICE_WAKE, NULL);
    }
    pthread_mutex_unlock(&worker_lock);
    return taken;
}

int connector_voice_in_flight(void)
{
    pthread_mutex_lock(&worker_lock);
    int held = worker ? atomic_load(&worker->held) : 0;
    pthread_mutex_unlock(&worker_lock);
    return held;
}
