/* sim_gateway.c: `vigie-sim gateway`: a police (or fire, medical) alert
 * gateway on loopback, for tests and the demo. It takes POSTed documents
 * (CAP XML, JSON), answers 503 to the first --fail N requests, then 201
 * with a reference ({"reference":"PN-2026-000001"} and a Location header),
 * and writes each document it accepted to --dir, so that a test can
 * validate what vigied sent. A document sent again with an
 * Idempotency-Key it already accepted gets 200 and the same reference, and
 * is not written twice: that is how a real gateway de-duplicates. One line
 * per request on standard output says what it did. */
#include "tools/sim/sim.h"
#include "common/i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A CAP alert or its JSON is a few KiB; vigied's bound is 64 KiB. */
#define GATEWAY_BODY_MAX (256 * 1024)
/* Documents remembered for de-duplication: far more than a test sends. */
#define GATEWAY_KEYS_MAX       4096
#define GATEWAY_REFERENCE_SIZE 64

struct gateway {
    const char *dir;
    const char *prefix;
    long fail;
    int seconds;
    int delay_ms; /* before each answer: a slow gateway, for crash tests */
    long requests, accepted;
    char keys[GATEWAY_KEYS_MAX][128];
    char references[GATEWAY_KEYS_MAX][GATEWAY_REFERENCE_SIZE];
    int key_count;
};

struct upload {
    char *data;
    size_t length;
    bool too_large;
};

static int answer_delay_ms;

static enum MHD_Result answer(struct MHD_Connection *connection, unsigned status, const char *json,
                              const char *location)
{
    /* What it took is on disk and on stdout already: a sender killed
     * during this wait has been heard, and will send again. */
    if (answer_delay_ms > 0)
        usleep((useconds_t)answer_delay_ms * 1000);
    struct MHD_Response *reply =
        MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_MUST_COPY);
    if (!reply)
        return MHD_NO;
    MHD_add_response_header(reply, "Content-Type", "application/json");
    if (location)
        MHD_add_response_header(reply, "Location", location);
    enum MHD_Result result = MHD_queue_response(connection, status, reply);
    MHD_destroy_response(reply);
    return result;
}

static const char *extension_of(const char *content_type)
{
    if (content_type && strstr(content_type, "xml"))
        return "xml";
    if (content_type && strstr(content_type, "json"))
        return "json";
    return "txt";
}

static bool write_document(const struct gateway *gateway, const char *reference,
                           const char *content_type, const struct upload *upload)
{
    if (!gateway->dir)
        return true;
    char path[1024];
    snprintf(path, sizeof path, "%s/%04ld-%s.%s", gateway->dir, gateway->accepted, reference,
             extension_of(content_type));
    FILE *file = fopen(path, "w");
    if (!file)
        return false;
    bool ok = fwrite(upload->data, 1, upload->length, file) == upload->length;
    return fclose(file) == 0 && ok;
}

static int known_key(const struct gateway *gateway, const char *key)
{
    for (int i = 0; key && key[0] && i < gateway->key_count; i++)
        if (strcmp(gateway->keys[i], key) == 0)
            return i;
    return -1;
}

static enum MHD_Result take_document(struct gateway *gateway, struct MHD_Connection *connection,
                                     const char *url, const struct upload *upload)
{
    const char *type =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    const char *key = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Idempotency-Key");
    char json[256], location[128];
    long number = ++gateway->requests;
    if (number <= gateway->fail) {
        printf("503 POST %s %s %zu bytes key=%s (failure %ld of %ld)\n", url, type ? type : "-",
               upload->length, key ? key : "-", number, gateway->fail);
        fflush(stdout);
        snprintf(json, sizeof json, "{\"error\":\"gateway busy (simulated failure %ld of %ld)\"}",
                 number, gateway->fail);
        return answer(connection, MHD_HTTP_SERVICE_UNAVAILABLE, json, NULL);
    }
    int seen = known_key(gateway, key);
    if (seen >= 0) {
        printf("200 POST %s duplicate key=%s %s\n", url, key, gateway->references[seen]);
        fflush(stdout);
        snprintf(json, sizeof json, "{\"reference\":\"%s\",\"duplicate\":true}",
                 gateway->references[seen]);
        return answer(connection, MHD_HTTP_OK, json, NULL);
    }
    char reference[GATEWAY_REFERENCE_SIZE];
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    gateway->accepted++;
    snprintf(reference, sizeof reference, "%.16s-%04d-%06ld", gateway->prefix, utc.tm_year + 1900,
             gateway->accepted);
    if (!write_document(gateway, reference, type, upload)) {
        gateway->accepted--;
        fprintf(stderr, _("vigie-sim gateway: cannot write into %s: %s\n"), gateway->dir,
                strerror(errno));
        return answer(connection, MHD_HTTP_INTERNAL_SERVER_ERROR, "{\"error\":\"disk\"}", NULL);
    }
    if (key && key[0] && gateway->key_count < GATEWAY_KEYS_MAX) {
        snprintf(gateway->keys[gateway->key_count], sizeof gateway->keys[0], "%s", key);
        snprintf(gateway->references[gateway->key_count++], GATEWAY_REFERENCE_SIZE, "%s",
                 reference);
    }
    printf("201 POST %s %s %zu bytes key=%s %s\n", url, type ? type : "-", upload->length,
           key ? key : "-", reference);
    fflush(stdout);
    snprintf(json, sizeof json, "{\"reference\":\"%s\"}", reference);
    snprintf(location, sizeof location, "/alerts/%s", reference);
    return answer(connection, MHD_HTTP_CREATED, json, location);
}

static enum MHD_Result on_request(void *closure, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **state)
{
    (void)version;
    struct gateway *gateway = closure;
    struct upload *upload = *state;
    if (!upload) {
        if (!(upload = calloc(1, sizeof *upload)))
            return MHD_NO;
        *state = upload;
        return MHD_YES;
    }
    if (*size > 0) {
        if (upload->length + *size > GATEWAY_BODY_MAX) {
            upload->too_large = true;
        } else {
            char *grown = realloc(upload->data, upload->length + *size + 1);
            if (!grown)
                return MHD_NO;
            memcpy(grown + upload->length, data, *size);
            upload->data = grown;
            upload->length += *size;
            upload->data[upload->length] = '\0';
        }
        *size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "POST") != 0)
        return answer(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "{\"error\":\"POST only\"}", NULL);
    if (upload->too_large || upload->length == 0)
        return answer(connection,
                      upload->too_large ? MHD_HTTP_CONTENT_TOO_LARGE : MHD_HTTP_BAD_REQUEST,
                      "{\"error\":\"no document, or too large\"}", NULL);
    return take_document(gateway, connection, url, upload);
}

static void on_completed(void *closure, struct MHD_Connection *connection, void **state,
                         enum MHD_RequestTerminationCode code)
{
    (void)closure;
    (void)connection;
    (void)code;
    struct upload *upload = *state;
    if (upload)
        free(upload->data);
    free(upload);
    *state = NULL;
}

static void usage(void)
{
    fprintf(stderr, "%s",
            _("usage: vigie-sim gateway --listen HOST:PORT [--fail N] [--dir DIR]\n"
              "                         [--prefix PN] [--delay MS] [--seconds S]\n"
              "  an emergency services' alert gateway: answers 503 to the first N\n"
              "  requests, then 201 with a reference; writes each accepted document to\n"
              "  DIR; waits MS before each answer (a slow gateway); runs until SIGINT\n"
              "  or SIGTERM (or for S seconds)\n"));
}

static struct MHD_Daemon *start(struct gateway *gateway, const char *listen)
{
    char host[256], port[16];
    if (!sim_split_address(listen, host, sizeof host, port, sizeof port))
        return NULL;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1)
        return NULL;
    return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                            on_request, gateway, MHD_OPTION_SOCK_ADDR, &address,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                            MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
}

int sim_command_gateway(int argc, char **argv)
{
    static struct gateway gateway = {.prefix = "PN", .seconds = 0};
    const char *listen = NULL;
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
        else if (strcmp(argv[i], "--fail") == 0)
            gateway.fail = atol(value);
        else if (strcmp(argv[i], "--dir") == 0)
            gateway.dir = value;
        else if (strcmp(argv[i], "--prefix") == 0)
            gateway.prefix = value;
        else if (strcmp(argv[i], "--seconds") == 0)
            gateway.seconds = atoi(value);
        else if (strcmp(argv[i], "--delay") == 0)
            gateway.delay_ms = atoi(value);
        else {
            usage();
            return SIM_EXIT_USAGE;
        }
        i++;
    }
    if (!listen || gateway.fail < 0 || gateway.delay_ms < 0 || gateway.delay_ms > 60000) {
        usage();
        return SIM_EXIT_USAGE;
    }
    answer_delay_ms = gateway.delay_ms;
    /* Signals are waited for here; the daemon's thread inherits the mask. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    if (gateway.seconds > 0)
        sigaddset(&signals, SIGALRM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    struct MHD_Daemon *daemon = start(&gateway, listen);
    if (!daemon) {
        fprintf(stderr, _("vigie-sim gateway: cannot listen on %s\n"), listen);
        return SIM_EXIT_NETWORK;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    char host[256], port[16];
    sim_split_address(listen, host, sizeof host, port, sizeof port);
    printf("gateway: listening on %s:%u\n", host, info ? (unsigned)info->port : 0u);
    fflush(stdout);
    if (gateway.seconds > 0)
        alarm((unsigned)gateway.seconds);
    int received = 0;
    sigwait(&signals, &received);
    MHD_stop_daemon(daemon);
    printf("gateway: stopped after %ld request(s), %ld document(s) accepted\n", gateway.requests,
           gateway.accepted);
    return SIM_EXIT_OK;
}
