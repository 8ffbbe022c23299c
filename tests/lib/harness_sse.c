/* harness_sse.c: a console's view of GET /v1/stream. A background thread
 * reads the stream with curl's multi interface and parses Server-Sent
 * Events into a list that the test reads and waits on. */
#include "tests/lib/harness.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A line of the stream longer than this is a broken server; an alarm's
 * JSON is a few hundred bytes. */
#define SSE_LINE_MAX (256 * 1024)
/* How often the reader thread checks that it must stop. */
#define SSE_POLL_MS 50

struct sse_client {
    struct world *world;
    CURL *curl;
    struct curl_slist *headers;
    pthread_t thread;
    bool thread_started;
    atomic_bool stopping;

    pthread_mutex_t lock;
    pthread_cond_t changed;
    long status;
    bool ended;
    struct sse_event **events;
    size_t count, capacity;
    int64_t last_id;

    /* Parser state, touched by the reader thread only. */
    char *line;
    size_t line_length;
    int64_t pending_id;
    char pending_type[32];
    char *pending_data;
    size_t pending_data_length;
    bool pending_has_data;

    struct sse_client *next;
};

static void event_free(struct sse_event *event)
{
    if (!event)
        return;
    cJSON_Delete(event->json);
    free(event->data);
    free(event);
}

static void pending_reset(struct sse_client *client)
{
    client->pending_id = -1;
    snprintf(client->pending_type, sizeof client->pending_type, "message");
    free(client->pending_data);
    client->pending_data = NULL;
    client->pending_data_length = 0;
    client->pending_has_data = false;
}

static void dispatch(struct sse_client *client)
{
    if (!client->pending_has_data) {
        pending_reset(client);
        return;
    }
    struct sse_event *event = calloc(1, sizeof *event);
    if (!event) {
        pending_reset(client);
        return;
    }
    event->id = client->pending_id;
    snprintf(event->type, sizeof event->type, "%s", client->pending_type);
    event->data = client->pending_data ? client->pending_data : strdup("");
    client->pending_data = NULL;
    event->json = event->data ? cJSON_Parse(event->data) : NULL;
    event->received_ms = harness_now_ms();
    pthread_mutex_lock(&client->lock);
    if (client->count == client->capacity) {
        size_t capacity = client->capacity ? client->capacity * 2 : 64;
        struct sse_event **grown = realloc(client->events, capacity * sizeof *grown);
        if (!grown) {
            pthread_mutex_unlock(&client->lock);
            event_free(event);
            pending_reset(client);
            return;
        }
        client->events = grown;
        client->capacity = capacity;
    }
    client->events[client->count++] = event;
    if (event->id >= 0)
        client->last_id = event->id;
    pthread_cond_broadcast(&client->changed);
    pthread_mutex_unlock(&client->lock);
    pending_reset(client);
}

static void append_data(struct sse_client *client, const char *value)
{
    size_t length = strlen(value);
    size_t extra = client->pending_has_data ? 1 : 0;
    char *grown = realloc(client->pending_data, client->pending_data_length + extra + length + 1);
    if (!grown)
        return;
    client->pending_data = grown;
    if (extra)
        client->pending_data[client->pending_data_length++] = '\n';
    memcpy(client->pending_data + client->pending_data_length, value, length + 1);
    client->pending_data_length += length;
    client->pending_has_data = true;
}

/* One line of the stream, as the SSE specification reads it. */
static void parse_line(struct sse_client *client, char *line)
{
    if (line[0] == '\0') {
        dispatch(client);
        return;
    }
    if (line[0] == ':')
        return;
    char *value = strchr(line, ':');
    if (value) {
        *value++ = '\0';
        if (*value == ' ')
            value++;
    } else {
        value = line + strlen(line);
    }
    if (strcmp(line, "data") == 0)
        append_data(client, value);
    else if (strcmp(line, "event") == 0)
        snprintf(client->pending_type, sizeof client->pending_type, "%s", value);
    else if (strcmp(line, "id") == 0)
        client->pending_id = strtoll(value, NULL, 10);
}

static size_t on_data(char *data, size_t size, size_t count, void *closure)
{
    struct sse_client *client = closure;
    size_t length = size * count;
    for (size_t i = 0; i < length; i++) {
        char c = data[i];
        if (c == '\n') {
            client->line[client->line_length] = '\0';
            if (client->line_length > 0 && client->line[client->line_length - 1] == '\r')
                client->line[client->line_length - 1] = '\0';
            parse_line(client, client->line);
            client->line_length = 0;
        } else if (client->line_length < SSE_LINE_MAX - 1) {
            client->line[client->line_length++] = c;
        } else {
            return 0; /* a line this long: give up on this stream */
        }
    }
    return length;
}

static size_t on_header(char *line, size_t size, size_t count, void *closure)
{
    struct sse_client *client = closure;
    size_t length = size * count;
    if (length > 9 && strncmp(line, "HTTP/", 5) == 0) {
        const char *space = memchr(line, ' ', length);
        if (space) {
            pthread_mutex_lock(&client->lock);
            client->status = strtol(space + 1, NULL, 10);
            pthread_cond_broadcast(&client->changed);
            pthread_mutex_unlock(&client->lock);
        }
    }
    return length;
}

static void *reader_main(void *argument)
{
    struct sse_client *client = argument;
    CURLM *multi = curl_multi_init();
    if (multi && curl_multi_add_handle(multi, client->curl) == CURLM_OK) {
        int running = 1;
        while (running && !atomic_load(&client->stopping)) {
            if (curl_multi_perform(multi, &running) != CURLM_OK)
                break;
            if (running)
                curl_multi_poll(multi, NULL, 0, SSE_POLL_MS, NULL);
        }
        curl_multi_remove_handle(multi, client->curl);
    }
    curl_multi_cleanup(multi);
    pthread_mutex_lock(&client->lock);
    client->ended = true;
    pthread_cond_broadcast(&client->changed);
    pthread_mutex_unlock(&client->lock);
    return NULL;
}

static void deadline_after(struct timespec *deadline, int timeout_ms)
{
    clock_gettime(CLOCK_REALTIME, deadline);
    int64_t nanos = deadline->tv_nsec + (int64_t)(timeout_ms % 1000) * 1000000;
    deadline->tv_sec += timeout_ms / 1000 + nanos / 1000000000;
    deadline->tv_nsec = nanos % 1000000000;
}

static bool setup_curl(struct sse_client *client, const char *token, const char *last_event_id)
{
    char url[256], header[320];
    snprintf(url, sizeof url, "%s/v1/stream", client->world->base_url);
    client->curl = curl_easy_init();
    if (!client->curl)
        return false;
    client->headers = curl_slist_append(client->headers, "Accept: text/event-stream");
    if (token) {
        snprintf(header, sizeof header, "Authorization: Bearer %s", token);
        client->headers = curl_slist_append(client->headers, header);
    }
    if (last_event_id) {
        snprintf(header, sizeof header, "Last-Event-ID: %s", last_event_id);
        client->headers = curl_slist_append(client->headers, header);
    }
    curl_easy_setopt(client->curl, CURLOPT_URL, url);
    curl_easy_setopt(client->curl, CURLOPT_HTTPHEADER, client->headers);
    curl_easy_setopt(client->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(client->curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(client->curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(client->curl, CURLOPT_WRITEDATA, client);
    curl_easy_setopt(client->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(client->curl, CURLOPT_HEADERDATA, client);
    return true;
}

struct sse_client *sse_open(struct world *world, const char *token, const char *last_event_id)
{
    struct sse_client *client = calloc(1, sizeof *client);
    if (!client)
        return NULL;
    client->world = world;
    client->last_id = -1;
    atomic_init(&client->stopping, false);
    pthread_mutex_init(&client->lock, NULL);
    pthread_cond_init(&client->changed, NULL);
    pending_reset(client);
    client->next = world->streams;
    world->streams = client;
    client->line = malloc(SSE_LINE_MAX);
    if (!client->line || !setup_curl(client, token, last_event_id))
        return client;
    client->thread_started = pthread_create(&client->thread, NULL, reader_main, client) == 0;
    struct timespec deadline;
    deadline_after(&deadline, HTTP_TIMEOUT_MS);
    pthread_mutex_lock(&client->lock);
    while (client->thread_started && client->status == 0 && !client->ended)
        if (pthread_cond_timedwait(&client->changed, &client->lock, &deadline) != 0)
            break;
    pthread_mutex_unlock(&client->lock);
    return client;
}

long sse_status(struct sse_client *client)
{
    pthread_mutex_lock(&client->lock);
    long status = client->status;
    pthread_mutex_unlock(&client->lock);
    return status;
}

static size_t count_locked(struct sse_client *client, const char *type)
{
    size_t count = 0;
    for (size_t i = 0; i < client->count; i++)
        if (!type || strcmp(client->events[i]->type, type) == 0)
            count++;
    return count;
}

bool sse_wait(struct sse_client *client, const char *type, size_t count, int timeout_ms)
{
    struct timespec deadline;
    deadline_after(&deadline, timeout_ms);
    pthread_mutex_lock(&client->lock);
    bool done;
    while (!(done = count_locked(client, type) >= count) && !client->ended)
        if (pthread_cond_timedwait(&client->changed, &client->lock, &deadline) != 0)
            break;
    done = count_locked(client, type) >= count;
    pthread_mutex_unlock(&client->lock);
    return done;
}

size_t sse_count(struct sse_client *client, const char *type)
{
    pthread_mutex_lock(&client->lock);
    size_t count = count_locked(client, type);
    pthread_mutex_unlock(&client->lock);
    return count;
}

const struct sse_event *sse_get(struct sse_client *client, const char *type, size_t index)
{
    const struct sse_event *found = NULL;
    pthread_mutex_lock(&client->lock);
    for (size_t i = 0; i < client->count && !found; i++) {
        if (type && strcmp(client->events[i]->type, type) != 0)
            continue;
        if (index == 0)
            found = client->events[i];
        else
            index--;
    }
    pthread_mutex_unlock(&client->lock);
    return found;
}

int64_t sse_last_id(struct sse_client *client)
{
    pthread_mutex_lock(&client->lock);
    int64_t id = client->last_id;
    pthread_mutex_unlock(&client->lock);
    return id;
}

bool sse_wait_ended(struct sse_client *client, int timeout_ms)
{
    struct timespec deadline;
    deadline_after(&deadline, timeout_ms);
    pthread_mutex_lock(&client->lock);
    while (!client->ended)
        if (pthread_cond_timedwait(&client->changed, &client->lock, &deadline) != 0)
            break;
    bool ended = client->ended;
    pthread_mutex_unlock(&client->lock);
    return ended;
}

void sse_close(struct sse_client *client)
{
    if (!client)
        return;
    struct sse_client **link = &client->world->streams;
    while (*link && *link != client)
        link = &(*link)->next;
    if (*link)
        *link = client->next;
    atomic_store(&client->stopping, true);
    if (client->thread_started)
        pthread_join(client->thread, NULL);
    if (client->curl)
        curl_easy_cleanup(client->curl);
    curl_slist_free_all(client->headers);
    for (size_t i = 0; i < client->count; i++)
        event_free(client->events[i]);
    free(client->events);
    pending_reset(client);
    free(client->line);
    pthread_mutex_destroy(&client->lock);
    pthread_cond_destroy(&client->changed);
    free(client);
}
