/* sim_push.c: `vigie-sim push-service`: a Web Push service on loopback
 * for tests and the demo, strict where a real one is (RFC 8030, 8291,
 * 8292). It serves https with a certificate of its own (DIR/cert.pem: the
 * CA vigied is told to trust), takes POST /push/ID for the subscriptions
 * minted by `vigie-sim push-service subscribe`, checks the VAPID header
 * (401 when missing or invalid: bad signature, another origin, expired or
 * more than 24 h ahead; 403 without a "sub" contact, or when the
 * subscription was made for another key), answers 404 for an unknown subscription and 410 for one
 * marked gone, 429 with Retry-After (--retry-after S, 1 s unless said) to the first --busy N
 * messages, then decrypts the body as the browser would and writes the plaintext to
 * DIR/messages, answering 201 with the message's Location. One line per request on standard
 * output says what it did, with the wall-clock time in ms ("at=..."). */
#include "tools/sim/sim_push.h"
#include "tools/sim/sim.h"
#include "server/webpush_receive.h"
#include "common/i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct push_service {
    const char *dir;
    char origin[300]; /* "https://" HOST ":" PORT */
    long busy;        /* messages answered 429 before any is taken */
    long retry_after; /* the Retry-After of those answers, in seconds */
    long requests;    /* answered, every status */
    long accepted;    /* decrypted and written */
    long refused;     /* VAPID refusals (401, 403) */
};

struct upload {
    uint8_t data[WEBPUSH_MESSAGE_MAX];
    size_t length;
    bool too_large;
};

static enum MHD_Result answer(struct MHD_Connection *connection, unsigned status, const char *text,
                              const char *header, const char *value)
{
    struct MHD_Response *reply =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!reply)
        return MHD_NO;
    MHD_add_response_header(reply, "Content-Type", "text/plain");
    if (header)
        MHD_add_response_header(reply, header, value);
    enum MHD_Result result = MHD_queue_response(connection, status, reply);
    MHD_destroy_response(reply);
    return result;
}

static const char *header_of(struct MHD_Connection *connection, const char *name)
{
    const char *value = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
    return value ? value : "";
}

/* The wall clock in ms, for the "at=" of each line (tests compare them). */
static long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* Says on stdout what was done with a request, then answers it. */
static enum MHD_Result report(struct push_service *service, struct MHD_Connection *connection,
                              unsigned status, const char *id, const char *what)
{
    service->requests++;
    printf("%u POST /push/%s %s at=%lld\n", status, id, what, now_ms());
    fflush(stdout);
    char seconds[24];
    snprintf(seconds, sizeof seconds, "%ld", service->retry_after);
    return answer(connection, status, what, status == 429 ? "Retry-After" : NULL,
                  status == 429 ? seconds : NULL);
}

/* The VAPID check of RFC 8292 4; 0 when it passes, else 401 or 403. */
static unsigned check_vapid(const struct push_service *service, struct MHD_Connection *connection,
                            const struct sim_push_subscription *subscription,
                            struct webpush_vapid_claims *claims, char *why, size_t why_size)
{
    const char *authorization = header_of(connection, "Authorization");
    if (!authorization[0]) {
        snprintf(why, why_size, "no VAPID Authorization header");
        return MHD_HTTP_UNAUTHORIZED;
    }
    if (!webpush_receive_vapid(authorization, service->origin, (int64_t)time(NULL), claims, why,
                               why_size))
        return MHD_HTTP_UNAUTHORIZED;
    /* RFC 8292 2.1: a contact lets the push service reach the sender
     * about its traffic; this service, like a strict real one, wants it. */
    if (!claims->sub[0]) {
        snprintf(why, why_size, "the VAPID token names no contact (\"sub\")");
        return MHD_HTTP_FORBIDDEN;
    }
    if (subscription->restricted &&
        memcmp(claims->key, subscription->server_key, WEBPUSH_POINT_LEN) != 0) {
        snprintf(why, why_size, "the VAPID key is not the subscription's applicationServerKey");
        return MHD_HTTP_FORBIDDEN;
    }
    return 0;
}

static bool write_message(struct push_service *service, const char *id,
                          const struct webpush_received *message, char *path, size_t path_size)
{
    snprintf(path, path_size, "%s/messages/%04ld-%s.txt", service->dir, service->accepted + 1, id);
    FILE *file = fopen(path, "w");
    if (!file)
        return false;
    bool ok = fwrite(message->payload, 1, message->len, file) == message->len;
    return fclose(file) == 0 && ok;
}

/* Decrypts and keeps a message whose VAPID passed. */
static enum MHD_Result take_message(struct push_service *service, struct MHD_Connection *connection,
                                    const char *id,
                                    const struct sim_push_subscription *subscription,
                                    const struct webpush_vapid_claims *claims,
                                    const struct upload *upload)
{
    char what[SIM_PUSH_PATH_MAX + 256], why[256], path[SIM_PUSH_PATH_MAX];
    const char *ttl = header_of(connection, "TTL");
    if (!ttl[0])
        return report(service, connection, MHD_HTTP_BAD_REQUEST, id, "no TTL header (RFC 8030)");
    if (strcasecmp(header_of(connection, "Content-Encoding"), "aes128gcm") != 0)
        return report(service, connection, MHD_HTTP_BAD_REQUEST, id,
                      "Content-Encoding is not aes128gcm (RFC 8291)");
    if (upload->too_large)
        return report(service, connection, MHD_HTTP_CONTENT_TOO_LARGE, id,
                      "more than 4096 bytes (RFC 8030 7.2)");
    struct webpush_received *message = malloc(sizeof *message);
    if (!message)
        return MHD_NO;
    if (!webpush_receive_decrypt(subscription->key, subscription->auth, upload->data,
                                 upload->length, message, why, sizeof why)) {
        free(message);
        snprintf(what, sizeof what, "cannot decrypt: %s", why);
        return report(service, connection, MHD_HTTP_BAD_REQUEST, id, what);
    }
    bool written = write_message(service, id, message, path, sizeof path);
    free(message);
    if (!written) {
        snprintf(what, sizeof what, "cannot write %s: %s", path, strerror(errno));
        return report(service, connection, MHD_HTTP_INTERNAL_SERVER_ERROR, id, what);
    }
    long number = ++service->accepted;
    char location[sizeof service->origin + 32];
    snprintf(location, sizeof location, "%s/m/%04ld", service->origin, number);
    service->requests++;
    /* The message's file stays the line's last word. */
    printf("201 POST /push/%s ttl=%s urgency=%s topic=%s sub=%s at=%lld %s %s\n", id, ttl,
           header_of(connection, "Urgency"), header_of(connection, "Topic"),
           claims->sub[0] ? claims->sub : "-", now_ms(), location, path);
    fflush(stdout);
    return answer(connection, MHD_HTTP_CREATED, "", "Location", location);
}

static enum MHD_Result take_request(struct push_service *service, struct MHD_Connection *connection,
                                    const char *url, const struct upload *upload)
{
    static const char prefix[] = "/push/";
    const char *id = strncmp(url, prefix, sizeof prefix - 1) == 0 ? url + sizeof prefix - 1 : "";
    struct sim_push_subscription subscription;
    if (!sim_push_subscription_load(service->dir, id, &subscription))
        return report(service, connection, MHD_HTTP_NOT_FOUND, id[0] ? id : "-",
                      "no such subscription");
    struct webpush_vapid_claims claims;
    char why[256], what[320];
    enum MHD_Result result;
    unsigned refused = 0;
    if (subscription.gone)
        result = report(service, connection, MHD_HTTP_GONE, id, "the subscription is gone");
    else if ((refused =
                  check_vapid(service, connection, &subscription, &claims, why, sizeof why)) != 0) {
        service->refused++;
        snprintf(what, sizeof what, "VAPID refused: %s", why);
        result = report(service, connection, refused, id, what);
    } else if (service->busy > 0) {
        snprintf(what, sizeof what, "too many messages (%ld more to refuse)", --service->busy);
        result = report(service, connection, MHD_HTTP_TOO_MANY_REQUESTS, id, what);
    } else
        result = take_message(service, connection, id, &subscription, &claims, upload);
    EVP_PKEY_free(subscription.key);
    return result;
}

static enum MHD_Result on_request(void *closure, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **state)
{
    (void)version;
    struct upload *upload = *state;
    if (!upload) {
        if (!(upload = calloc(1, sizeof *upload)))
            return MHD_NO;
        *state = upload;
        return MHD_YES;
    }
    if (*size > 0) {
        if (upload->length + *size > sizeof upload->data)
            upload->too_large = true;
        else {
            memcpy(upload->data + upload->length, data, *size);
            upload->length += *size;
        }
        *size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "POST") != 0)
        return answer(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "POST only", "Allow", "POST");
    return take_request(closure, connection, url, upload);
}

static void on_completed(void *closure, struct MHD_Connection *connection, void **state,
                         enum MHD_RequestTerminationCode code)
{
    (void)closure;
    (void)connection;
    (void)code;
    free(*state);
    *state = NULL;
}

static void usage(void)
{
    fprintf(stderr, "%s",
            _("usage: vigie-sim push-service --listen HOST:PORT --dir DIR [--busy N]\n"
              "                              [--retry-after S] [--seconds S]\n"
              "       vigie-sim push-service subscribe --dir DIR [--gone]\n"
              "                              [--application-server-key KEY]\n"
              "  a Web Push service over https (its certificate: DIR/cert.pem); checks\n"
              "  VAPID, decrypts each message into DIR/messages; answers 429 to the\n"
              "  first N messages, with Retry-After: S (1); runs until SIGINT or\n"
              "  SIGTERM (or for --seconds S)\n"));
}

static struct MHD_Daemon *start(struct push_service *service, const char *listen, char *cert,
                                char *key)
{
    char host[256], port[16];
    if (!sim_split_address(listen, host, sizeof host, port, sizeof port))
        return NULL;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1)
        return NULL;
    return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_TLS, 0,
                            NULL, NULL, on_request, service, MHD_OPTION_SOCK_ADDR, &address,
                            MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY, key,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                            MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
}

/* Makes DIR and its messages folder, and writes DIR/origin. */
static bool prepare_dir(const struct push_service *service)
{
    char path[SIM_PUSH_PATH_MAX];
    snprintf(path, sizeof path, "%s/messages", service->dir);
    if ((mkdir(service->dir, 0700) != 0 && errno != EEXIST) ||
        (mkdir(path, 0700) != 0 && errno != EEXIST))
        return false;
    snprintf(path, sizeof path, "%s/subscriptions", service->dir);
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return false;
    snprintf(path, sizeof path, "%s/origin", service->dir);
    FILE *file = fopen(path, "w");
    if (!file)
        return false;
    bool ok = fprintf(file, "%s\n", service->origin) > 0;
    return fclose(file) == 0 && ok;
}

static int serve(struct push_service *service, const char *listen, int seconds)
{
    char *cert = NULL, *key = NULL, why[256];
    if (mkdir(service->dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, _("vigie-sim push-service: cannot make %s: %s\n"), service->dir,
                strerror(errno));
        return SIM_EXIT_USAGE;
    }
    if (!sim_push_certificate(service->dir, &cert, &key, why, sizeof why)) {
        fprintf(stderr, "vigie-sim push-service: %s\n", why);
        return SIM_EXIT_USAGE;
    }
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    if (seconds > 0)
        sigaddset(&signals, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    struct MHD_Daemon *daemon = start(service, listen, cert, key);
    const union MHD_DaemonInfo *info =
        daemon ? MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    char host[256], port[16];
    sim_split_address(listen, host, sizeof host, port, sizeof port);
    snprintf(service->origin, sizeof service->origin, "https://%s:%u", host,
             info ? (unsigned)info->port : 0u);
    if (!daemon || !prepare_dir(service)) {
        fprintf(stderr, _("vigie-sim push-service: cannot listen on %s or write into %s\n"), listen,
                service->dir);
        if (daemon)
            MHD_stop_daemon(daemon);
        free(cert);
        free(key);
        return SIM_EXIT_NETWORK;
    }
    printf("push-service: listening on %s (certificate %s/cert.pem)\n", service->origin,
           service->dir);
    fflush(stdout);
    if (seconds > 0)
        alarm((unsigned)seconds);
    int received = 0;
    sigwait(&signals, &received);
    MHD_stop_daemon(daemon);
    free(cert);
    free(key);
    printf("push-service: stopped after %ld request(s), %ld message(s) decrypted, %ld VAPID "
           "refusal(s)\n",
           service->requests, service->accepted, service->refused);
    return SIM_EXIT_OK;
}

int sim_command_push_service(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "subscribe") == 0)
        return sim_push_subscribe(argc - 1, argv + 1);
    static struct push_service service = {.retry_after = 1};
    const char *listen = NULL;
    int seconds = 0;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--help") == 0) {
            usage();
            return SIM_EXIT_OK;
        }
        if (!value) {
            usage();
            return SIM_EXIT_USAGE;
        }
        if (strcmp(argv[i], "--listen") == 0)
            listen = value;
        else if (strcmp(argv[i], "--dir") == 0)
            service.dir = value;
        else if (strcmp(argv[i], "--busy") == 0)
            service.busy = atol(value);
        else if (strcmp(argv[i], "--retry-after") == 0)
            service.retry_after = atol(value);
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds = atoi(value);
        else {
            usage();
            return SIM_EXIT_USAGE;
        }
        i++;
    }
    if (!listen || !service.dir || service.busy < 0 || service.retry_after < 0 ||
        strlen(service.dir) > SIM_PUSH_PATH_MAX / 2) {
        usage();
        return SIM_EXIT_USAGE;
    }
    return serve(&service, listen, seconds);
}
