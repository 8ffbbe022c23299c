/* sms_gateway.c: a loopback SMS gateway for bench_massalert.c, answering
 * Kannel's sendsms GET as Kannel does ("202 0: Accepted for delivery")
 * and counting: messages per alert (the text names its alert), per
 * second (to check the throttle), and messages whose text (each carries
 * its agent's own reply link) came more than once (a double). A thread per
 * connection (libcurl keeps a few alive), bounded. Included by
 * bench_massalert.c. */

#define GATEWAY_CONNECTIONS_MAX 128
#define GATEWAY_REQUEST_MAX     16384
#define GATEWAY_SECONDS_MAX     3600
#define GATEWAY_ALERTS          3
/* Open addressing over text hashes: room for two alerts of a million. */
#define GATEWAY_SLOTS (1u << 22)

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
};

static uint64_t gateway_hash(const char *text, size_t length)
{
    uint64_t hash = 1469598103934665603u;
    for (size_t i = 0; i < length; i++)
        hash = (hash ^ (unsigned char)text[i]) * 1099511628211u;
    return hash ? hash : 1;
}

/* Records one sendsms request line ("GET /cgi-bin/sendsms?...&text=..."). */
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
    int64_t second = (clock_monotonic_us() - g->started_us) / 1000000;
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

static bool gateway_start(struct gateway *g)
{
    memset(g, 0, sizeof *g);
    pthread_mutex_init(&g->lock, NULL);
    g->seen = calloc(GATEWAY_SLOTS, sizeof *g->seen);
    g->listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t size = sizeof address;
    if (!g->seen || g->listener < 0 ||
        bind(g->listener, (struct sockaddr *)&address, sizeof address) != 0 ||
        listen(g->listener, 128) != 0 ||
        getsockname(g->listener, (struct sockaddr *)&address, &size) != 0) {
        fprintf(stderr, "bench_massalert: cannot start the SMS gateway\n");
        return false;
    }
    g->port = ntohs(address.sin_port);
    g->started_us = clock_monotonic_us();
    return pthread_create(&g->acceptor, NULL, gateway_accept, g) == 0;
}

/* Stops taking connections. The counters stay: connections still open
 * (vigied keeps them alive until it stops) may count a late message. */
static void gateway_stop(struct gateway *g)
{
    shutdown(g->listener, SHUT_RDWR);
    close(g->listener);
    pthread_join(g->acceptor, NULL);
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

static int64_t gateway_received(struct gateway *g, int alert, int64_t *doubled)
{
    pthread_mutex_lock(&g->lock);
    int64_t received = g->received[alert];
    if (doubled)
        *doubled = g->doubled[alert];
    pthread_mutex_unlock(&g->lock);
    return received;
}
