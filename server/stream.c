/* stream.c: Server-Sent Events for GET /v1/stream. Each stream keeps its
 * own cursor (the last sequence it sent) and asks for what follows: from
 * the in-memory ring when it holds it, from the store otherwise. So a
 * resumed stream gets every event it missed, in order, exactly once, and
 * a stream with nothing to send is suspended, not polled. */
#include "server/stream.h"
#include "common/clock.h"
#include "common/log.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Recent events kept formatted in memory: a few minutes of a busy centre,
 * so that live streams never touch the disk. */
#define STREAM_RING_SIZE 4096
/* Events read from the store per replay step. */
#define STREAM_REPLAY_BATCH 256
/* Stop filling a client's buffer past this; the rest follows next call. */
#define STREAM_FILL_BYTES (64 * 1024)
/* Sessions renewed per heartbeat: more than the connection limit. */
#define STREAM_SESSIONS_MAX 2048

struct ring_entry {
    int64_t seq;
    char *text;
    size_t length;
};

struct stream_client {
    struct stream_hub *hub;
    struct MHD_Connection *connection;
    int64_t session_id;
    int64_t cursor;
    uint64_t heartbeat_sent;
    bool resync_pending;
    bool suspended;
    bool session_ended; /* logged out or disabled: end the stream */
    char *out;
    size_t out_length, out_offset, out_capacity;
    struct stream_client *prev, *next;
};

struct stream_hub {
    struct store *store;
    struct metrics *metrics;
    const struct server_config *config;
    pthread_mutex_t lock;
    pthread_cond_t stop_signal;
    struct ring_entry ring[STREAM_RING_SIZE];
    int64_t last_seq;
    uint64_t heartbeat_generation;
    struct stream_client *clients;
    size_t client_count;
    bool stopping;
    bool thread_running;
    pthread_t thread;
};

/* ---- client output buffer ---- */

static bool out_reserve(struct stream_client *client, size_t more)
{
    if (client->out_length + more <= client->out_capacity)
        return true;
    size_t capacity = client->out_capacity ? client->out_capacity : 4096;
    while (capacity < client->out_length + more)
        capacity *= 2;
    char *grown = realloc(client->out, capacity);
    if (!grown)
        return false;
    client->out = grown;
    client->out_capacity = capacity;
    return true;
}

static bool out_append(struct stream_client *client, const char *text, size_t length)
{
    if (!out_reserve(client, length))
        return false;
    memcpy(client->out + client->out_length, text, length);
    client->out_length += length;
    return true;
}

static bool out_event(struct stream_client *client, int64_t seq, const char *type, const char *data)
{
    char head[96];
    int length = snprintf(head, sizeof head, "id: %lld\nevent: %s\ndata: ", (long long)seq, type);
    return out_append(client, head, (size_t)length) && out_append(client, data, strlen(data)) &&
           out_append(client, "\n\n", 2);
}

static void out_heartbeat(struct stream_client *client, int64_t last_seq)
{
    char now[CLOCK_RFC3339_SIZE];
    clock_format_rfc3339(clock_now_ms(), now);
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "time", now);
    cJSON_AddStringToObject(data, "node", client->hub->config->node_name);
    cJSON_AddNumberToObject(data, "last_sequence", (double)last_seq);
    char *text = cJSON_PrintUnformatted(data);
    cJSON_Delete(data);
    if (!text)
        return;
    /* No "id:" line: a heartbeat must not move the client's resume point. */
    static const char head[] = "event: heartbeat\ndata: ";
    if (out_append(client, head, sizeof head - 1) && out_append(client, text, strlen(text)))
        out_append(client, "\n\n", 2);
    free(text);
}

static void out_resync(struct stream_client *client, int64_t last_seq, const char *reason)
{
    char data[160];
    snprintf(data, sizeof data, "{\"reason\":\"%s\",\"last_sequence\":%lld}", reason,
             (long long)last_seq);
    out_event(client, last_seq, "resync", data);
    client->cursor = last_seq;
    client->resync_pending = false;
    metrics_add(client->hub->metrics, METRICS_STREAM_RESYNCS, 1);
}

/* ---- store listener: runs in the store's writer thread ---- */

static void resume_all_locked(struct stream_hub *hub)
{
    for (struct stream_client *client = hub->clients; client; client = client->next) {
        if (client->suspended) {
            client->suspended = false;
            MHD_resume_connection(client->connection);
        }
    }
}

static void on_events(void *context, const struct store_event *events, size_t count)
{
    struct stream_hub *hub = context;
    pthread_mutex_lock(&hub->lock);
    for (size_t i = 0; i < count; i++) {
        const struct store_event *event = &events[i];
        struct ring_entry *entry = &hub->ring[event->seq % STREAM_RING_SIZE];
        size_t needed = strlen(event->data) + strlen(event->type) + 64;
        char *text = malloc(needed);
        if (!text) {
            /* The ring only caches; a missing entry is read from the store. */
            free(entry->text);
            entry->text = NULL;
            entry->seq = 0;
        } else {
            int length = snprintf(text, needed, "id: %lld\nevent: %s\ndata: %s\n\n",
                                  (long long)event->seq, event->type, event->data);
            free(entry->text);
            entry->text = text;
            entry->length = (size_t)length;
            entry->seq = event->seq;
        }
        hub->last_seq = event->seq;
    }
    resume_all_locked(hub);
    pthread_mutex_unlock(&hub->lock);
}

/* ---- the content reader of one stream ---- */

static bool fill_from_ring_locked(struct stream_client *client)
{
    struct stream_hub *hub = client->hub;
    int64_t first_kept = store_first_kept_sequence(hub->store);
    if (first_kept > 0 && client->cursor + 1 < first_kept)
        return false; /* beyond the retention: the store path says resync */
    bool any = false;
    while (client->cursor < hub->last_seq && client->out_length < STREAM_FILL_BYTES) {
        struct ring_entry *entry = &hub->ring[(client->cursor + 1) % STREAM_RING_SIZE];
        if (entry->seq != client->cursor + 1 || !entry->text)
            break;
        if (!out_append(client, entry->text, entry->length))
            break;
        client->cursor++;
        metrics_add(hub->metrics, METRICS_STREAM_EVENTS_SENT, 1);
        any = true;
    }
    return any;
}

struct replay {
    struct stream_client *client;
    bool gap;
};

static void replay_visit(void *context, const struct store_event *event)
{
    struct replay *replay = context;
    struct stream_client *client = replay->client;
    if (replay->gap)
        return;
    if (event->seq != client->cursor + 1) {
        /* Trimmed under our feet: say so rather than skip events. */
        replay->gap = true;
        return;
    }
    if (out_event(client, event->seq, event->type, event->data)) {
        client->cursor = event->seq;
        metrics_add(client->hub->metrics, METRICS_STREAM_EVENTS_SENT, 1);
    }
}

/* Called without the hub lock: reads the events the ring no longer has. */
static bool fill_from_store(struct stream_client *client, int64_t hub_last)
{
    struct stream_hub *hub = client->hub;
    int64_t first_kept = store_first_kept_sequence(hub->store);
    if (first_kept > 0 && client->cursor + 1 < first_kept) {
        out_resync(client, hub_last, "too-old");
        return true;
    }
    struct store_error error = {{0}};
    int64_t before = client->cursor;
    struct replay replay = {client, false};
    if (store_events_after(hub->store, client->cursor, STREAM_REPLAY_BATCH, replay_visit, &replay,
                           &error) != STORE_OK) {
        log_error("stream", "replay failed: %s", error.message);
        return false;
    }
    if (replay.gap && client->out_length == 0) {
        out_resync(client, hub_last, "too-old");
        return true;
    }
    return client->cursor > before;
}

static ssize_t copy_out(struct stream_client *client, char *buffer, size_t max)
{
    size_t available = client->out_length - client->out_offset;
    size_t count = available < max ? available : max;
    memcpy(buffer, client->out + client->out_offset, count);
    client->out_offset += count;
    if (client->out_offset == client->out_length)
        client->out_offset = client->out_length = 0;
    return (ssize_t)count;
}

static ssize_t stream_read(void *closure, uint64_t position, char *buffer, size_t max)
{
    (void)position;
    struct stream_client *client = closure;
    struct stream_hub *hub = client->hub;
    if (client->out_offset < client->out_length)
        return copy_out(client, buffer, max);
    pthread_mutex_lock(&hub->lock);
    if (hub->stopping || client->session_ended) {
        pthread_mutex_unlock(&hub->lock);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    if (client->heartbeat_sent != hub->heartbeat_generation) {
        client->heartbeat_sent = hub->heartbeat_generation;
        out_heartbeat(client, hub->last_seq);
    }
    if (client->resync_pending)
        out_resync(client, hub->last_seq, "unknown-sequence");
    bool filled = client->out_length > 0 || fill_from_ring_locked(client);
    int64_t hub_last = hub->last_seq;
    if (!filled && client->cursor < hub_last) {
        pthread_mutex_unlock(&hub->lock);
        if (!fill_from_store(client, hub_last))
            return MHD_CONTENT_READER_END_WITH_ERROR;
        return copy_out(client, buffer, max);
    }
    if (!filled) {
        /* Nothing to send: park the connection until an event or the next
         * heartbeat resumes it. */
        client->suspended = true;
        MHD_suspend_connection(client->connection);
        pthread_mutex_unlock(&hub->lock);
        return 0;
    }
    pthread_mutex_unlock(&hub->lock);
    return copy_out(client, buffer, max);
}

static void stream_free(void *closure)
{
    struct stream_client *client = closure;
    struct stream_hub *hub = client->hub;
    pthread_mutex_lock(&hub->lock);
    if (client->prev)
        client->prev->next = client->next;
    else
        hub->clients = client->next;
    if (client->next)
        client->next->prev = client->prev;
    hub->client_count--;
    pthread_mutex_unlock(&hub->lock);
    free(client->out);
    free(client);
}

struct MHD_Response *stream_hub_response(struct stream_hub *hub, struct MHD_Connection *connection,
                                         int64_t resume_after, int64_t session_id)
{
    struct stream_client *client = calloc(1, sizeof *client);
    if (!client)
        return NULL;
    client->hub = hub;
    client->connection = connection;
    client->session_id = session_id;
    static const char preamble[] = ": vigie event stream\nretry: 2000\n\n";
    out_append(client, preamble, sizeof preamble - 1);
    struct MHD_Response *response = MHD_create_response_from_callback(
        MHD_SIZE_UNKNOWN, 16 * 1024, stream_read, client, stream_free);
    if (!response) {
        free(client->out);
        free(client);
        return NULL;
    }
    MHD_add_response_header(response, "Content-Type", "text/event-stream; charset=utf-8");
    MHD_add_response_header(response, "X-Accel-Buffering", "no");
    pthread_mutex_lock(&hub->lock);
    client->heartbeat_sent = hub->heartbeat_generation - 1; /* a heartbeat first */
    if (resume_after < 0) {
        client->cursor = hub->last_seq;
    } else if (resume_after > hub->last_seq) {
        /* The client saw events this store never had (another database, or
         * a node that lags): it must reload, not trust its view. */
        client->cursor = hub->last_seq;
        client->resync_pending = true;
    } else {
        client->cursor = resume_after;
    }
    client->next = hub->clients;
    if (hub->clients)
        hub->clients->prev = client;
    hub->clients = client;
    hub->client_count++;
    pthread_mutex_unlock(&hub->lock);
    return response;
}

size_t stream_hub_client_count(struct stream_hub *hub)
{
    pthread_mutex_lock(&hub->lock);
    size_t count = hub->client_count;
    pthread_mutex_unlock(&hub->lock);
    return count;
}

/* ---- heartbeat thread ---- */

static size_t collect_sessions_locked(struct stream_hub *hub, int64_t *ids)
{
    size_t count = 0;
    for (struct stream_client *client = hub->clients; client && count < STREAM_SESSIONS_MAX;
         client = client->next) {
        bool seen = false;
        for (size_t i = 0; i < count && !seen; i++)
            seen = ids[i] == client->session_id;
        if (!seen && client->session_id > 0)
            ids[count++] = client->session_id;
    }
    return count;
}

/* Ends the streams of sessions that are no longer live. */
static void end_dead_sessions_locked(struct stream_hub *hub, const int64_t *ids, const bool *live,
                                     size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (live[i])
            continue;
        for (struct stream_client *client = hub->clients; client; client = client->next) {
            if (client->session_id != ids[i])
                continue;
            client->session_ended = true;
            if (client->suspended) {
                client->suspended = false;
                MHD_resume_connection(client->connection);
            }
        }
    }
}

static void *heartbeat_main(void *argument)
{
    struct stream_hub *hub = argument;
    int64_t *ids = calloc(STREAM_SESSIONS_MAX, sizeof *ids);
    bool *live = calloc(STREAM_SESSIONS_MAX, sizeof *live);
    pthread_mutex_lock(&hub->lock);
    while (!hub->stopping && ids && live) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        int64_t nanos = deadline.tv_nsec + (hub->config->heartbeat_ms % 1000) * 1000000;
        deadline.tv_sec += hub->config->heartbeat_ms / 1000 + nanos / 1000000000;
        deadline.tv_nsec = nanos % 1000000000;
        while (!hub->stopping &&
               pthread_cond_timedwait(&hub->stop_signal, &hub->lock, &deadline) != ETIMEDOUT)
            ;
        if (hub->stopping)
            break;
        hub->heartbeat_generation++;
        size_t count = collect_sessions_locked(hub, ids);
        resume_all_locked(hub);
        pthread_mutex_unlock(&hub->lock);
        struct store_error error = {{0}};
        bool touched = store_sessions_touch(hub->store, ids, count, live, &error) == STORE_OK;
        if (!touched)
            log_error("stream", "cannot renew the sessions of live streams: %s", error.message);
        pthread_mutex_lock(&hub->lock);
        if (touched)
            end_dead_sessions_locked(hub, ids, live, count);
    }
    pthread_mutex_unlock(&hub->lock);
    free(ids);
    free(live);
    return NULL;
}

struct stream_hub *stream_hub_create(struct store *store, struct metrics *metrics,
                                     const struct server_config *config)
{
    struct stream_hub *hub = calloc(1, sizeof *hub);
    if (!hub)
        return NULL;
    hub->store = store;
    hub->metrics = metrics;
    hub->config = config;
    pthread_mutex_init(&hub->lock, NULL);
    pthread_cond_init(&hub->stop_signal, NULL);
    hub->last_seq = store_last_sequence(store);
    return hub;
}

bool stream_hub_start(struct stream_hub *hub)
{
    store_set_event_listener(hub->store, on_events, hub);
    pthread_mutex_lock(&hub->lock);
    hub->last_seq = store_last_sequence(hub->store);
    pthread_mutex_unlock(&hub->lock);
    hub->thread_running = pthread_create(&hub->thread, NULL, heartbeat_main, hub) == 0;
    return hub->thread_running;
}

void stream_hub_stop(struct stream_hub *hub)
{
    pthread_mutex_lock(&hub->lock);
    hub->stopping = true;
    resume_all_locked(hub);
    pthread_cond_broadcast(&hub->stop_signal);
    pthread_mutex_unlock(&hub->lock);
    if (hub->thread_running)
        pthread_join(hub->thread, NULL);
    hub->thread_running = false;
    store_set_event_listener(hub->store, NULL, NULL);
}

void stream_hub_free(struct stream_hub *hub)
{
    if (!hub)
        return;
    for (size_t i = 0; i < STREAM_RING_SIZE; i++)
        free(hub->ring[i].text);
    pthread_mutex_destroy(&hub->lock);
    pthread_cond_destroy(&hub->stop_signal);
    free(hub);
}
