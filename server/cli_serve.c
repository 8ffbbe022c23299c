/* cli_serve.c: `vigied serve`: opens the store, starts the stream hub,
 * housekeeping and the HTTP listener, then waits for SIGINT or
 * SIGTERM and stops them in the reverse order, so that every write that
 * was acknowledged is committed before the process exits. */
#include "server/cli.h"
#include "server/dc09_receiver.h"
#include "server/event_codes.h"
#include "server/housekeeping.h"
#include "server/panel_commands.h"
#include "server/outbox.h"
#include "server/connector_voice.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/stream.h"
#include "common/i18n.h"
#include "common/log.h"

#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

struct server_parts {
    struct store *store;
    struct metrics *metrics;
    struct stream_hub *hub;
    struct housekeeping *housekeeping;
    struct panel_commands *panel;
    struct outbox *outbox;
    struct http_server *http;
    struct dc09_receiver *dc09;
    struct event_code_table codes;
    struct api_context api;
};

static void stop_parts(struct server_parts *parts)
{
    /* Inputs first, so that nothing new arrives; the store last, so that
     * what was accepted is committed; the receiver's memory after it, since
     * the store's last commits still report to it. */
    dc09_receiver_stop(parts->dc09);
    if (parts->hub)
        stream_hub_stop(parts->hub);
    http_server_stop(parts->http);
    panel_commands_stop(parts->panel);
    outbox_stop(parts->outbox); /* after HTTP: no handler wakes it any more */
    connector_voice_stop();     /* after the outbox: nothing is handed over any more */
    housekeeping_stop(parts->housekeeping);
    store_close(parts->store);
    dc09_receiver_free(parts->dc09);
    event_codes_free(&parts->codes);
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
    parts->housekeeping = housekeeping_start(parts->store, config);
    if (!parts->housekeeping) {
        log_error("serve", "cannot start housekeeping");
        return CLI_EXIT_FAILURE;
    }
    parts->panel = panel_commands_start(parts->store, config);
    if (!parts->panel) {
        log_error("serve", "cannot start the panel command tracker");
        return CLI_EXIT_FAILURE;
    }
    parts->api = (struct api_context){.store = parts->store,
                                      .hub = parts->hub,
                                      .metrics = parts->metrics,
                                      .config = config,
                                      .panel = parts->panel};
    /* Before the outbox, so that the first voice rows it claims find the
     * worker ready to take them. */
    if (!connector_voice_start(parts->store, config)) {
        log_error("serve", "cannot start the voice calls' worker");
        return CLI_EXIT_FAILURE;
    }
    parts->outbox = outbox_start(parts->store, config);
    if (!parts->outbox) {
        log_error("serve", "cannot start the outbox's delivery worker");
        return CLI_EXIT_FAILURE;
    }
    parts->api.outbox = parts->outbox;
    char message[512];
    if (config->dc09_listen[0]) {
        const char *events =
            config->events_file[0] ? config->events_file : event_codes_default_path();
        if (!event_codes_load(events, &parts->codes, message, sizeof message)) {
            log_error("serve", "%s", message);
            return CLI_EXIT_FAILURE;
        }
        if (dc09_receiver_start(parts->store, parts->metrics, &parts->codes, config, &parts->dc09,
                                message, sizeof message) != 0) {
            log_error("serve", "%s", message);
            return CLI_EXIT_FAILURE;
        }
    }
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
    /* Each reply page is rendered in its own language (uselocale);
     * glibc's gettext would prefer LANGUAGE to it. Still one thread here,
     * so the environment may change. */
    unsetenv("LANGUAGE");

    char invalid[320];
    if (!config_validate(config, invalid, sizeof invalid)) {
        log_error("serve", "%s", invalid);
        return CLI_EXIT_USAGE;
    }
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
    if (parts.dc09)
        log_info("serve", "dc09: receiving on TCP and UDP port %u (%zu event codes)",
                 dc09_receiver_port(parts.dc09), parts.codes.count);
    log_info("serve", "ready: listening on %s:%u%s, node %s, store %s (schema %d)", host,
             http_server_port(parts.http), http_server_uses_tls(parts.http) ? " (TLS)" : "",
             config->node_name, config->db_path, store_schema_version(parts.store));
    int received = 0;
    sigwait(&signals, &received);
    log_info("serve", "stopping on signal %d", received);
    stop_parts(&parts);
    log_info("serve", "stopped");
    return CLI_EXIT_OK;
}
