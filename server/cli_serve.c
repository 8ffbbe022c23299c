/* cli_serve.c: `vigied serve`: opens the store, starts the stream hub,
 * housekeeping and the HTTP listener, then waits for SIGINT or
 * SIGTERM and stops them in the reverse order, so that every write that
 * was acknowledged is committed before the process exits. */
#include "server/cli.h"
#include "server/housekeeping.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/stream.h"
#include "common/i18n.h"
#include "common/log.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

struct server_parts {
    struct store *store;
    struct metrics *metrics;
    struct stream_hub *hub;
    struct housekeeping *housekeeping;
    struct http_server *http;
    struct api_context api;
};

static void stop_parts(struct server_parts *parts)
{
    if (parts->hub)
        stream_hub_stop(parts->hub);
    http_server_stop(parts->http);
    housekeeping_stop(parts->housekeeping);
    store_close(parts->store);
    stream_hub_free(parts->hub);
    metrics_free(parts->metrics);
}

static int start_parts(struct server_config *config, struct server_parts *parts)
{
    struct store_options options = {.create = false,
                                    .claim_lease_ms = config->claim_lease_ms,
                                    .event_retention = config->event_retention};
    struct store_error error = {{0}};
    if (store_open(config->db_path, &options, &parts->store, &error) != STORE_OK) {
        log_error("serve", "%s", error.message);
        return CLI_EXIT_FAILURE;
    }
    parts->metrics = metrics_create();
    parts->hub = parts->metrics ? stream_hub_create(parts->store, parts->metrics, config) : NULL;
    if (!parts->hub || !stream_hub_start(parts->hub)) {
        log_error("serve", "cannot start the event stream");
        return CLI_EXIT_FAILURE;
    }
    parts->housekeeping = housekeeping_start(parts->store, config->event_retention);
    if (!parts->housekeeping) {
        log_error("serve", "cannot start housekeeping");
        return CLI_EXIT_FAILURE;
    }
    parts->api = (struct api_context){parts->store, parts->hub, parts->metrics, config};
    char message[512];
    if (http_server_start(&parts->api, config->listen, &parts->http, message, sizeof message) !=
        0) {
        log_error("serve", "%s", message);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

int cli_serve(struct server_config *config)
{
    /* Signals are taken by sigwait in this thread only; every thread
     * started below inherits the blocked mask. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct server_parts parts = {0};
    int status = start_parts(config, &parts);
    if (status != CLI_EXIT_OK) {
        stop_parts(&parts);
        return status;
    }
    char host[CONFIG_TEXT_MAX];
    snprintf(host, sizeof host, "%s", config->listen);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    log_info("serve", "ready: listening on %s:%u, node %s, store %s (schema %d)", host,
             http_server_port(parts.http), config->node_name, config->db_path,
             store_schema_version(parts.store));
    int received = 0;
    sigwait(&signals, &received);
    log_info("serve", "stopping on signal %d", received);
    stop_parts(&parts);
    log_info("serve", "stopped");
    return CLI_EXIT_OK;
}
