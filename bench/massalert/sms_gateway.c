/* sms_gateway.c: a loopback SMS gateway for bench_massalert.c that
 * behaves as Kannel's smsbox does towards vigied: it answers the sendsms
 * GET ("202 0: Accepted for delivery"), then calls the message's dlr-url
 * back, with the report types Kannel sends for dlr-mask 31: 8 (the SMSC
 * took it) at once, 1 (delivered to the phone) GATEWAY_PHONE_MS later,
 * retrying while vigied does not answer (Kannel's http-request-retry), so
 * that a message vigied sent just before a kill -9 is proved taken during
 * the grace vigied gives such messages at its restart. It counts:
 * messages per alert (the text names its alert), per second (to check the
 * throttle), and messages whose text (each carries its agent's own reply
 * link) came more than once (a double). A thread per connection (libcurl
 * keeps a few alive), and one thread that sends the reports on a libcurl
 * multi handle; everything bounded. Included by bench_massalert.c. */

#define GATEWAY_CONNECTIONS_MAX 256
#define GATEWAY_REQUEST_MAX     16384
#define GATEWAY_SECONDS_MAX     3600
#define GATEWAY_ALERTS          3
/* Open addressing over text hashes: room for two alerts of a million. */
#define GATEWAY_SLOTS (1u << 22)
/* Reports waiting to be sent, per kind (the SMSC's, the phone's): vigied
 * takes fewer reports a second than it sends messages (each phone's
 * report is a write that holds one of its HTTP threads until the commit),
 * so the phone's reports of both sends (about 180,000 with a million
 * agents) may wait here; past this a report is dropped and counted (the
 * figures say so). About 70 MB for both kinds. */
#define GATEWAY_REPORTS_MAX (1u << 18)
/* A dlr-url's path and query (vigied's: /v1/connectors/kannel/dlr?id=N
 * &sig=HEX&type=%d, about 90 bytes). */
#define GATEWAY_DLR_PATH_MAX 112
/* Reports in flight at once, on kept-alive connections, as smsbox does. */
#define GATEWAY_REPORTS_AT_ONCE 16
/* The phone's delivery report comes this long after the SMSC's. */
#define GATEWAY_PHONE_MS 1000
/* While vigied does not answer (killed, restarting), a report is tried
 * again after this, for at most GATEWAY_RETRY_FOR_MS. */
#define GATEWAY_RETRY_MS     200
#define GATEWAY_RETRY_FOR_MS 120000

struct gateway_report {
    char path[GATEWAY_DLR_PATH_MAX]; /* with "%d" where the type goes */
    int type;
    int64_t due_us, first_us;
};

struct gateway {
    int listener;
    unsigned port;
    pthread_t acceptor;
    pthread_mutex_t lock;
    int64_t started_us;
    int64_t per_second[GATEWAY_SECONDS_MAX];
    int64_t received[GATEWAY_ALERTS], doubled[GATEWAY_ALERTS];
    uint64_t *seen; /* text hashes; 0 empty */
    atomic_int connections;
    /* Delivery reports: a ring per kind (the SMSC's, then the phone's),
     * each in order of due time as each kind comes with the same delay. */
    char callback_base[64]; /* http://127.0.0.1:PORT of vigied */
    struct gateway_report *reports[2];
    size_t report_head[2], report_count[2];
    int64_t reports_sent, reports_dropped, reports_refused;
    pthread_t reporter;
    atomic_bool stopping;
};

static uint64_t gateway_hash(const char *text, size_t length)
{
    uint64_t hash = 1469598103934665603u;
    for (size_t i = 0; i < length; i++)
        hash = (hash ^ (unsigned char)text[i]) * 1099511628211u;
    return hash ? hash : 1;
}

/* The value of query parameter `name` in the request line, percent-decoded
 * into `out`; false when absent or too long. */
static bool gateway_parameter(const char *request, size_t length, const char *name, char *out,
                              size_t size)
{
    char key[32];
    int key_length = snprintf(key, sizeof key, "&%s=", name);
    const char *line_end = memmem(request, length, " HTTP/", 6);
    const char *at =
        line_end ? memmem(request, (size_t)(line_end - request), key, (size_t)key_length) : NULL;
    if (!at)
        return false;
    at += key_length;
    size_t used = 0;
    for (; at < line_end && *at != '&'; at++) {
        if (used + 1 >= size)
            return false;
        if (*at == '%' && line_end - at > 2) {
            char hex[3] = {at[1], at[2], 0};
            out[used++] = (char)strtol(hex, NULL, 16);
            at += 2;
        } else {
            out[used++] = *at == '+' ? ' ' : *at;
        }
    }
    out[used] = '\0';
    return true;
}

/* Queues a report (the lock held); dropped (and counted) when full. */
static void gateway_queue_report(struct gateway *g, const char *path, int type, int64_t due_us,
                                 int64_t first_us)
{
    int ring = type == 8 ? 0 : 1;
    if (g->report_count[ring] == GATEWAY_REPORTS_MAX) {
        g->reports_dropped++;
        return;
    }
    struct gateway_report *r = &g->reports[ring][(g->report_head[ring] + g->report_count[ring]++) &
                                                 (GATEWAY_REPORTS_MAX - 1)];
    snprintf(r->path, sizeof r->path, "%s", path);
    r->type = type;
    r->due_us = due_us;
    r->first_us = first_us;
}

/* Records one sendsms request line ("GET /cgi-bin/sendsms?...&text=...")
 * and queues the SMSC's report on it. */
static void gateway_count(struct gateway *g, const char *request, size_t length)
{
    const char *text = memmem(request, length, "text=", 5);
    const char *end = text ? memchr(text, '&', length - (size_t)(text - request)) : NULL;
    const char *space = text ? memchr(text, ' ', length - (size_t)(text - request)) : NULL;
    if (!end || (space && space < end))
        end = space;
    int alert = 0;
    for (int a = 1; a < GATEWAY_ALERTS && text && end; a++) {
        char tag[32];
        int tag_length = snprintf(tag, sizeof tag, "bench-alert-%d", a);
        if (memmem(text, (size_t)(end - text), tag, (size_t)tag_length))
            alert = a;
    }
    uint64_t hash = text && end ? gateway_hash(text, (size_t)(end - text)) : 1;
    /* vigied's dlr-url: keep its path and query, sent to vigied's address. */
    char url[GATEWAY_DLR_PATH_MAX + 64];
    const char *path = NULL;
    if (gateway_parameter(request, length, "dlr-url", url, sizeof url)) {
        const char *scheme = strstr(url, "://");
        path = scheme ? strchr(scheme + 3, '/') : NULL;
    }
    int64_t now = clock_monotonic_us();
    int64_t second = (now - g->started_us) / 1000000;
    pthread_mutex_lock(&g->lock);
    g->received[alert]++;
    if (second >= 0 && second < GATEWAY_SECONDS_MAX)
        g->per_second[second]++;
    size_t at = hash & (GATEWAY_SLOTS - 1);
    while (g->seen[at] && g->seen[at] != hash)
        at = (at + 1) & (GATEWAY_SLOTS - 1);
    if (g->seen[at] == hash)
        g->doubled[alert]++;
    else
        g->seen[at] = hash;
    if (path && strlen(path) < GATEWAY_DLR_PATH_MAX)
        gateway_queue_report(g, path, 8, now, now);
    pthread_mutex_unlock(&g->lock);
}

struct gateway_connection {
    struct gateway *gateway;
    int fd;
};

static void *gateway_serve(void *argument)
{
    struct gateway_connection *c = argument;
    static const char answer[] = "HTTP/1.1 202 Accepted\r\nContent-Type: text/plain\r\n"
                                 "Content-Length: 25\r\n\r\n0: Accepted for delivery\n";
    char *buffer = malloc(GATEWAY_REQUEST_MAX);
    size_t used = 0;
    while (buffer) {
        ssize_t got = read(c->fd, buffer + used, GATEWAY_REQUEST_MAX - used);
        if (got <= 0)
            break;
        used += (size_t)got;
        char *end;
        while ((end = memmem(buffer, used, "\r\n\r\n", 4))) {
            size_t request = (size_t)(end + 4 - buffer);
            gateway_count(c->gateway, buffer, request);
            if (write(c->fd, answer, sizeof answer - 1) != (ssize_t)(sizeof answer - 1))
                goto done; /* the peer left */
            memmove(buffer, buffer + request, used - request);
            used -= request;
        }
        if (used == GATEWAY_REQUEST_MAX)
            break; /* a request larger than any sendsms: drop the connection */
    }
done:
    free(buffer);
    close(c->fd);
    atomic_fetch_sub(&c->gateway->connections, 1);
    free(c);
    return NULL;
}

static void *gateway_accept(void *argument)
{
    struct gateway *g = argument;
    for (;;) {
        int fd = accept(g->listener, NULL, NULL);
        if (fd < 0)
            return NULL; /* the listener was shut down */
        struct gateway_connection *c = malloc(sizeof *c);
        pthread_t thread;
        if (!c || atomic_load(&g->connections) >= GATEWAY_CONNECTIONS_MAX) {
            free(c);
            close(fd);
            continue;
        }
        *c = (struct gateway_connection){g, fd};
        atomic_fetch_add(&g->connections, 1);
        if (pthread_create(&thread, NULL, gateway_serve, c) != 0) {
            atomic_fetch_sub(&g->connections, 1);
            close(fd);
            free(c);
            continue;
        }
        pthread_detach(thread);
    }
}

/* ---- delivery reports ---- */

struct gateway_call {
    CURL *easy;
    struct gateway_report report;
    char url[sizeof((struct gateway *)0)->callback_base + GATEWAY_DLR_PATH_MAX + 8];
    bool busy;
};

static size_t gateway_discard(char *data, size_t size, size_t count, void *closure)
{
    (void)data;
    (void)closure;
    return size * count;
}

/* Takes the next due report into `call` (the lock held). */
static bool gateway_next_report(struct gateway *g, struct gateway_call *call, int64_t now)
{
    struct gateway_report *r = NULL;
    int ring = 0;
    for (; ring < 2 && !r; ring++) {
        struct gateway_report *head =
            &g->reports[ring][g->report_head[ring] & (GATEWAY_REPORTS_MAX - 1)];
        if (g->report_count[ring] > 0 && head->due_us <= now)
            r = head;
    }
    if (!r)
        return false;
    ring--;
    call->report = *r;
    g->report_head[ring]++;
    g->report_count[ring]--;
    /* The "%d" of Kannel's dlr-url is the report's type. */
    char path[GATEWAY_DLR_PATH_MAX + 8];
    const char *mark = strstr(call->report.path, "%d");
    if (mark)
        snprintf(path, sizeof path, "%.*s%d%s", (int)(mark - call->report.path), call->report.path,
                 call->report.type, mark + 2);
    else
        snprintf(path, sizeof path, "%s", call->report.path);
    snprintf(call->url, sizeof call->url, "%s%s", g->callback_base, path);
    return true;
}

/* A report's call ended: the phone's report follows the SMSC's; a call
 * vigied did not answer is tried again (bounded). */
static void gateway_report_done(struct gateway *g, struct gateway_call *call, CURLcode result)
{
    long status = 0;
    curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &status);
    int64_t now = clock_monotonic_us();
    pthread_mutex_lock(&g->lock);
    if (result == CURLE_OK && status >= 200 && status < 300) {
        g->reports_sent++;
        if (call->report.type == 8)
            gateway_queue_report(g, call->report.path, 1, now + GATEWAY_PHONE_MS * 1000, now);
    } else if ((result != CURLE_OK || status >= 500) &&
               now - call->report.first_us < (int64_t)GATEWAY_RETRY_FOR_MS * 1000) {
        /* Due later than the reports queued now: the ring may lose its
         * order by a few hundred milliseconds, which only delays. */
        gateway_queue_report(g, call->report.path, call->report.type, now + GATEWAY_RETRY_MS * 1000,
                             call->report.first_us);
    } else {
        g->reports_refused++; /* answered 4xx, or never answered: Kannel gives up too */
    }
    pthread_mutex_unlock(&g->lock);
}

static void *gateway_report_main(void *argument)
{
    struct gateway *g = argument;
    CURLM *multi = curl_multi_init();
    static struct gateway_call calls[GATEWAY_REPORTS_AT_ONCE];
    for (int i = 0; i < GATEWAY_REPORTS_AT_ONCE && multi; i++) {
        calls[i].easy = curl_easy_init();
        curl_easy_setopt(calls[i].easy, CURLOPT_WRITEFUNCTION, gateway_discard);
        curl_easy_setopt(calls[i].easy, CURLOPT_PRIVATE, (char *)&calls[i]);
        curl_easy_setopt(calls[i].easy, CURLOPT_TIMEOUT_MS, 5000L);
        curl_easy_setopt(calls[i].easy, CURLOPT_NOSIGNAL, 1L);
    }
    while (multi && !atomic_load(&g->stopping)) {
        int64_t now = clock_monotonic_us();
        pthread_mutex_lock(&g->lock);
        for (int i = 0; i < GATEWAY_REPORTS_AT_ONCE; i++) {
            if (calls[i].busy || !g->callback_base[0] || !gateway_next_report(g, &calls[i], now))
                continue;
            curl_easy_setopt(calls[i].easy, CURLOPT_URL, calls[i].url);
            calls[i].busy = curl_multi_add_handle(multi, calls[i].easy) == CURLM_OK;
        }
        pthread_mutex_unlock(&g->lock);
        int running = 0;
        curl_multi_perform(multi, &running);
        CURLMsg *message;
        int left = 0;
        while ((message = curl_multi_info_read(multi, &left))) {
            char *private = NULL;
            curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &private);
            struct gateway_call *call = (struct gateway_call *)private;
            if (message->msg != CURLMSG_DONE || !call)
                continue;
            curl_multi_remove_handle(multi, call->easy);
            call->busy = false;
            gateway_report_done(g, call, message->data.result);
        }
        curl_multi_poll(multi, NULL, 0, 5, NULL);
    }
    for (int i = 0; i < GATEWAY_REPORTS_AT_ONCE && multi; i++) {
        if (calls[i].busy)
            curl_multi_remove_handle(multi, calls[i].easy);
        curl_easy_cleanup(calls[i].easy);
    }
    curl_multi_cleanup(multi);
    return NULL;
}

/* Where vigied is (its fixed listen address: the dlr-urls name it). */
static void gateway_set_callback(struct gateway *g, unsigned vigied_port)
{
    pthread_mutex_lock(&g->lock);
    snprintf(g->callback_base, sizeof g->callback_base, "http://127.0.0.1:%u", vigied_port);
    pthread_mutex_unlock(&g->lock);
}

static bool gateway_start(struct gateway *g)
{
    memset(g, 0, sizeof *g);
    pthread_mutex_init(&g->lock, NULL);
    g->seen = calloc(GATEWAY_SLOTS, sizeof *g->seen);
    g->reports[0] = calloc(GATEWAY_REPORTS_MAX, sizeof *g->reports[0]);
    g->reports[1] = calloc(GATEWAY_REPORTS_MAX, sizeof *g->reports[1]);
    g->listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t size = sizeof address;
    if (!g->seen || !g->reports[0] || !g->reports[1] || g->listener < 0 ||
        bind(g->listener, (struct sockaddr *)&address, sizeof address) != 0 ||
        listen(g->listener, 128) != 0 ||
        getsockname(g->listener, (struct sockaddr *)&address, &size) != 0) {
        fprintf(stderr, "bench_massalert: cannot start the SMS gateway\n");
        return false;
    }
    g->port = ntohs(address.sin_port);
    g->started_us = clock_monotonic_us();
    atomic_init(&g->stopping, false);
    return pthread_create(&g->acceptor, NULL, gateway_accept, g) == 0 &&
           pthread_create(&g->reporter, NULL, gateway_report_main, g) == 0;
}

/* Stops taking connections and sending reports. The counters stay:
 * connections still open (vigied keeps them alive until it stops) may
 * count a late message. */
static void gateway_stop(struct gateway *g)
{
    shutdown(g->listener, SHUT_RDWR);
    close(g->listener);
    pthread_join(g->acceptor, NULL);
    atomic_store(&g->stopping, true);
    pthread_join(g->reporter, NULL);
}

/* The most messages the gateway took in one second. */
static int64_t gateway_peak(struct gateway *g)
{
    int64_t peak = 0;
    pthread_mutex_lock(&g->lock);
    for (int i = 0; i < GATEWAY_SECONDS_MAX; i++)
        peak = g->per_second[i] > peak ? g->per_second[i] : peak;
    pthread_mutex_unlock(&g->lock);
    return peak;
}

/* Forgets the per-second counts (each phase measures its own peak). */
static void gateway_reset_seconds(struct gateway *g)
{
    pthread_mutex_lock(&g->lock);
    memset(g->per_second, 0, sizeof g->per_second);
    g->started_us = clock_monotonic_us();
    pthread_mutex_unlock(&g->lock);
}

static int64_t gateway_received(struct gateway *g, int alert, int64_t *doubled)
{
    pthread_mutex_lock(&g->lock);
    int64_t received = g->received[alert];
    if (doubled)
        *doubled = g->doubled[alert];
    pthread_mutex_unlock(&g->lock);
    return received;
}

/* Reports sent, waiting, refused (4xx or never answered) and dropped. */
static void gateway_reports(struct gateway *g, int64_t *sent, int64_t *waiting, int64_t *refused,
                            int64_t *dropped)
{
    pthread_mutex_lock(&g->lock);
    *sent = g->reports_sent;
    *waiting = (int64_t)(g->report_count[0] + g->report_count[1]);
    *refused = g->reports_refused;
    *dropped = g->reports_dropped;
    pthread_mutex_unlock(&g->lock);
}
