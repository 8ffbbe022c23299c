/* stream_fanout.c: bench_api's phase 3. 50 SSE clients (curl multi, one
 * thread) follow GET /v1/stream while one client POSTs alarms at a steady
 * pace; each event's arrival is stamped and matched to its POST by alarm
 * id, so every client must show every alarm exactly once. Included by
 * bench_api.c after vigied_http.c, whose vigied and HTTP client it uses. */

/* 50 operator consoles, alarms at a busy centre's peak rate. */
#define FANOUT_CLIENTS 50
#define FANOUT_RATE    200
#define FANOUT_EVENTS  1000 /* 5 s at FANOUT_RATE */
/* The sender stops at this even if the POSTs are slower than the pace. */
#define FANOUT_SEND_US (FANOUT_EVENTS * 1000000LL / FANOUT_RATE + 2000000)
/* How long the streams get to connect, and late events to arrive. */
#define FANOUT_CONNECT_US (10 * 1000000LL)
#define FANOUT_DRAIN_US   (5 * 1000000LL)
/* One SSE line or event: an alarm summary is under 1 KiB. */
#define SSE_TEXT_MAX (16 * 1024)
/* Receipts a stream keeps: the events sent, plus room to see duplicates. */
#define SSE_RECEIPTS_MAX (2 * FANOUT_EVENTS)

struct sse_receipt {
    int64_t alarm_id;
    int64_t at_us;
};

struct sse_client {
    CURL *curl;
    atomic_bool connected;
    atomic_size_t alarm_events;
    atomic_bool ended;
    struct sse_receipt receipts[SSE_RECEIPTS_MAX];
    size_t overflow;
    int64_t chunk_at_us; /* when the bytes being parsed arrived */
    char line[SSE_TEXT_MAX];
    size_t line_length;
    char event[32];
    char data[SSE_TEXT_MAX];
    size_t data_length;
};

struct fanout {
    struct sse_client *clients;
    CURLM *multi;
    struct curl_slist *headers;
    atomic_bool stop;
    /* What the sender did, slot i for the i-th alarm. */
    size_t sent;
    int64_t alarm_id[FANOUT_EVENTS], start_us[FANOUT_EVENTS], end_us[FANOUT_EVENTS];
};

static void sse_dispatch(struct sse_client *client)
{
    if (strcmp(client->event, "alarm") == 0) {
        cJSON *json = cJSON_ParseWithLength(client->data, client->data_length);
        cJSON *id = cJSON_GetObjectItemCaseSensitive(json, "id");
        size_t index = atomic_load(&client->alarm_events);
        if (index < SSE_RECEIPTS_MAX)
            client->receipts[index] = (struct sse_receipt){
                cJSON_IsNumber(id) ? (int64_t)id->valuedouble : 0, client->chunk_at_us};
        else
            client->overflow++;
        cJSON_Delete(json);
        atomic_fetch_add(&client->alarm_events, 1);
    }
    client->event[0] = '\0';
    client->data_length = 0;
}

/* One line of the event stream (text/event-stream, without the \n). */
static void sse_line(struct sse_client *client)
{
    char *line = client->line;
    line[client->line_length] = '\0';
    client->line_length = 0;
    if (!line[0]) {
        sse_dispatch(client);
    } else if (strncmp(line, "event:", 6) == 0) {
        snprintf(client->event, sizeof client->event, "%s", line + 6 + (line[6] == ' '));
    } else if (strncmp(line, "data:", 5) == 0) {
        const char *data = line + 5 + (line[5] == ' ');
        size_t length = strlen(data);
        if (client->data_length + length < sizeof client->data) {
            memcpy(client->data + client->data_length, data, length);
            client->data_length += length;
        }
    }
}

static size_t sse_on_data(char *data, size_t size, size_t count, void *context)
{
    struct sse_client *client = context;
    size_t length = size * count;
    client->chunk_at_us = clock_monotonic_us();
    if (!atomic_load(&client->connected)) {
        long status = 0;
        curl_easy_getinfo(client->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status != 200)
            return 0; /* not a stream: the transfer ends as an error */
        atomic_store(&client->connected, true);
    }
    for (size_t i = 0; i < length; i++) {
        if (data[i] == '\n')
            sse_line(client);
        else if (data[i] != '\r' && client->line_length < sizeof client->line - 1)
            client->line[client->line_length++] = data[i];
    }
    return length;
}

static void *fanout_receiver(void *argument)
{
    struct fanout *fanout = argument;
    while (!atomic_load(&fanout->stop)) {
        int running = 0, queued = 0;
        curl_multi_perform(fanout->multi, &running);
        CURLMsg *message;
        while ((message = curl_multi_info_read(fanout->multi, &queued))) {
            struct sse_client *client = NULL;
            curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, (char **)&client);
            if (message->msg == CURLMSG_DONE && client)
                atomic_store(&client->ended, true);
        }
        curl_multi_poll(fanout->multi, NULL, 0, 50, NULL);
    }
    return NULL;
}

static bool fanout_connect(struct fanout *fanout, const struct vigied *server)
{
    char url[128];
    snprintf(url, sizeof url, "%s/v1/stream", server->url);
    fanout->headers = curl_slist_append(NULL, "Accept: text/event-stream");
    if (fanout->headers)
        fanout->headers = curl_slist_append(fanout->headers, server->authorization);
    fanout->multi = curl_multi_init();
    if (!fanout->headers || !fanout->multi)
        return false;
    for (int i = 0; i < FANOUT_CLIENTS; i++) {
        struct sse_client *client = &fanout->clients[i];
        client->curl = curl_easy_init();
        if (!client->curl)
            return false;
        curl_easy_setopt(client->curl, CURLOPT_URL, url);
        curl_easy_setopt(client->curl, CURLOPT_HTTPHEADER, fanout->headers);
        curl_easy_setopt(client->curl, CURLOPT_WRITEFUNCTION, sse_on_data);
        curl_easy_setopt(client->curl, CURLOPT_WRITEDATA, client);
        curl_easy_setopt(client->curl, CURLOPT_PRIVATE, client);
        curl_easy_setopt(client->curl, CURLOPT_NOSIGNAL, 1L);
        curl_multi_add_handle(fanout->multi, client->curl);
    }
    return true;
}

/* Waits until every client is connected and has `events` alarm events,
 * until one stream ends, or until the time is up. */
static bool fanout_wait(struct fanout *fanout, int64_t timeout_us, size_t events)
{
    int64_t deadline = clock_monotonic_us() + timeout_us;
    for (;;) {
        int behind = 0;
        for (int i = 0; i < FANOUT_CLIENTS; i++) {
            struct sse_client *client = &fanout->clients[i];
            if (atomic_load(&client->ended))
                return false;
            behind +=
                !atomic_load(&client->connected) || atomic_load(&client->alarm_events) < events;
        }
        if (!behind)
            return true;
        if (clock_monotonic_us() >= deadline)
            return false;
        usleep(1000);
    }
}

static void sleep_us(int64_t micros)
{
    struct timespec delay = {micros / 1000000, (long)(micros % 1000000) * 1000};
    while (nanosleep(&delay, &delay) != 0 && errno == EINTR)
        ;
}

/* POSTs FANOUT_EVENTS alarms, one every 1/FANOUT_RATE s (at once when
 * behind), and notes when each POST started and returned. */
static bool fanout_send(struct fanout *fanout, const struct vigied *server, char *error,
                        size_t size)
{
    struct http_client *client = calloc(1, sizeof *client);
    bool ok = client && http_client_init(client, server, "/v1/alarms", server->alarm_body);
    if (!ok)
        snprintf(error, size, "cannot set up the client that sends the alarms");
    int64_t begin = clock_monotonic_us(), deadline = begin + FANOUT_SEND_US;
    for (size_t i = 0; ok && i < FANOUT_EVENTS && clock_monotonic_us() < deadline; i++) {
        int64_t due = begin + (int64_t)i * 1000000 / FANOUT_RATE, now = clock_monotonic_us();
        if (due > now)
            sleep_us(due - now);
        fanout->start_us[i] = clock_monotonic_us();
        ok = http_client_post(client, 201, error, size);
        fanout->end_us[i] = clock_monotonic_us();
        fanout->alarm_id[i] = ok ? http_client_number(client, "id") : 0;
        fanout->sent = i + 1;
    }
    if (client)
        http_client_free(client);
    free(client);
    return ok;
}

static int compare_sent(const void *a, const void *b, void *context)
{
    const int64_t *ids = context;
    return compare_int64(&ids[*(const size_t *)a], &ids[*(const size_t *)b]);
}

/* Index of the alarm in the sender's table, or -1 for an unknown id. */
static long fanout_find(const struct fanout *fanout, const size_t *order, int64_t id)
{
    size_t low = 0, high = fanout->sent;
    while (low < high) {
        size_t middle = (low + high) / 2;
        int64_t here = fanout->alarm_id[order[middle]];
        if (here == id)
            return (long)order[middle];
        if (here < id)
            low = middle + 1;
        else
            high = middle;
    }
    return -1;
}

/* What the streams got, over all clients. */
struct fanout_tally {
    size_t missing, duplicated, unknown;
    size_t before_201; /* arrived before the POST that created it returned */
};

/* Tallies the events of all clients and collects each delivery's latency,
 * from its POST's start to its arrival. */
static bool fanout_check(struct fanout *fanout, struct samples *latency, struct fanout_tally *tally)
{
    size_t *order = calloc(fanout->sent ? fanout->sent : 1, sizeof *order);
    bool *seen = calloc(fanout->sent ? fanout->sent : 1, sizeof *seen);
    if (!order || !seen) {
        free(order);
        free(seen);
        return false;
    }
    for (size_t i = 0; i < fanout->sent; i++)
        order[i] = i;
    qsort_r(order, fanout->sent, sizeof *order, compare_sent, fanout->alarm_id);
    for (int c = 0; c < FANOUT_CLIENTS; c++) {
        struct sse_client *client = &fanout->clients[c];
        size_t received = atomic_load(&client->alarm_events);
        memset(seen, 0, fanout->sent * sizeof *seen);
        tally->duplicated += client->overflow;
        for (size_t r = 0; r < received && r < SSE_RECEIPTS_MAX; r++) {
            long index = fanout_find(fanout, order, client->receipts[r].alarm_id);
            if (index < 0) {
                tally->unknown++;
            } else if (seen[index]) {
                tally->duplicated++;
            } else {
                seen[index] = true;
                int64_t at = client->receipts[r].at_us;
                size_t slot = atomic_fetch_add(&latency->claimed, 1);
                if (slot < latency->capacity)
                    latency->values[slot] = at - fanout->start_us[index];
                tally->before_201 += at < fanout->end_us[index];
            }
        }
        for (size_t i = 0; i < fanout->sent; i++)
            tally->missing += !seen[i];
    }
    free(order);
    free(seen);
    return true;
}

static void fanout_close(struct fanout *fanout, pthread_t *receiver)
{
    atomic_store(&fanout->stop, true);
    if (receiver) {
        curl_multi_wakeup(fanout->multi);
        pthread_join(*receiver, NULL);
    }
    for (int i = 0; i < FANOUT_CLIENTS; i++) {
        if (fanout->clients[i].curl) {
            curl_multi_remove_handle(fanout->multi, fanout->clients[i].curl);
            curl_easy_cleanup(fanout->clients[i].curl);
        }
    }
    curl_multi_cleanup(fanout->multi);
    curl_slist_free_all(fanout->headers);
}

static bool fanout_report(struct fanout *fanout, bool sent_ok, const char *error)
{
    struct samples latency = {0}, post = {0};
    struct fanout_tally tally = {0};
    if (!samples_init(&latency, (size_t)FANOUT_CLIENTS * FANOUT_EVENTS) ||
        !samples_init(&post, FANOUT_EVENTS) || !fanout_check(fanout, &latency, &tally)) {
        free(latency.values);
        free(post.values);
        printf("  FAILED: out of memory\n");
        return false;
    }
    for (size_t i = 0; i < fanout->sent; i++)
        post.values[i] = fanout->end_us[i] - fanout->start_us[i];
    atomic_store(&post.claimed, fanout->sent);
    struct summary delivery = samples_summarize(&latency), posts = samples_summarize(&post);
    int64_t span = fanout->sent ? fanout->end_us[fanout->sent - 1] - fanout->start_us[0] : 1;
    printf("  sent %zu alarms in %.2f s (%.0f/s); POST p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
           fanout->sent, (double)span / 1e6, (double)fanout->sent * 1e6 / (double)span,
           ms(posts.p50), ms(posts.p99), ms(posts.max));
    printf("  delivery latency, from the POST's start to the event's arrival at a client,\n"
           "  over %zu deliveries: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n"
           "  (%.1f %% of the events arrived before their POST's 201 did)\n",
           delivery.count, ms(delivery.p50), ms(delivery.p99), ms(delivery.max),
           delivery.count ? 100.0 * (double)tally.before_201 / (double)delivery.count : 0.0);
    bool complete = sent_ok && fanout->sent == FANOUT_EVENTS && tally.missing == 0 &&
                    tally.duplicated == 0 && tally.unknown == 0;
    printf("  fan-out %s: %d clients x %zu events, %zu missing, %zu duplicated",
           complete ? "complete" : "INCOMPLETE", FANOUT_CLIENTS, fanout->sent, tally.missing,
           tally.duplicated);
    if (tally.unknown)
        printf(", %zu with an unknown alarm id", tally.unknown);
    printf("\n");
    if (!sent_ok)
        printf("  FAILED while sending: %s\n", error);
    free(latency.values);
    free(post.values);
    return complete;
}

static bool fanout_phase(const struct vigied *server)
{
    printf("\n3. Stream fan-out: %d SSE clients on GET /v1/stream (curl multi, one thread);\n"
           "   alarms POSTed by one keep-alive client at %d/s, %d in all\n",
           FANOUT_CLIENTS, FANOUT_RATE, FANOUT_EVENTS);
    struct fanout *fanout = calloc(1, sizeof *fanout);
    struct sse_client *clients = calloc(FANOUT_CLIENTS, sizeof *clients);
    if (!fanout || !clients) {
        free(fanout);
        free(clients);
        printf("  FAILED: out of memory\n");
        return false;
    }
    fanout->clients = clients;
    pthread_t receiver;
    bool receiving = fanout_connect(fanout, server) &&
                     pthread_create(&receiver, NULL, fanout_receiver, fanout) == 0;
    bool ok = false;
    char error[BENCH_ERROR_MAX] = "";
    if (receiving && fanout_wait(fanout, FANOUT_CONNECT_US, 0)) {
        bool sent_ok = fanout_send(fanout, server, error, sizeof error);
        fanout_wait(fanout, FANOUT_DRAIN_US, fanout->sent);
        fanout_close(fanout, &receiver);
        ok = fanout_report(fanout, sent_ok, error);
    } else {
        printf("  FAILED: the %d streams did not all connect\n", FANOUT_CLIENTS);
        fanout_close(fanout, receiving ? &receiver : NULL);
    }
    free(clients);
    free(fanout);
    return ok;
}
