/* client.h: the console's only door to vigied. HTTP/JSON requests and the
 * event stream run on libcurl's multi interface, driven by the console's
 * poll loop, so the screen never waits for the network. The client logs
 * in, loads the open alarms, follows the stream from the list's last
 * sequence, watches the heartbeat, reconnects with backoff, fails over to
 * the next URL, resumes with Last-Event-ID, and reloads on "resync". It
 * writes the model; screens hear about changes through callbacks.
 * libcurl's error texts never reach the terminal raw: they are turned into
 * short sentences for the status bar and the log. */
#ifndef VIGIE_CONSOLE_CLIENT_H
#define VIGIE_CONSOLE_CLIENT_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "console/model.h"

/* Servers a console can fail over between. */
#define CLIENT_SERVERS_MAX 8
/* Without a heartbeat for this long the backend is lost (the banner). */
#define CLIENT_HEARTBEAT_LOST_MS 5000
/* Reconnection backoff: 250 ms doubling to 4 s, then the next URL. */
#define CLIENT_BACKOFF_MIN_MS 250
#define CLIENT_BACKOFF_MAX_MS 4000
/* poll() descriptors the client may need at once (stream + requests). */
#define CLIENT_POLL_MAX 16

enum client_link {
    CLIENT_LINK_CONNECTING, /* no heartbeat yet since start or reconnect */
    CLIENT_LINK_LIVE,       /* stream open, heartbeat within the limit */
    CLIENT_LINK_LOST,       /* no heartbeat for CLIENT_HEARTBEAT_LOST_MS */
};

enum client_role { CLIENT_ROLE_OPERATOR, CLIENT_ROLE_SUPERVISOR, CLIENT_ROLE_ADMIN };

struct client_options {
    const char *servers[CLIENT_SERVERS_MAX]; /* base URLs, "http://127.0.0.1:8080" */
    size_t server_count;
    const char *username;
    const char *password; /* or NULL with token */
    const char *token;    /* VIGIE_TOKEN: skips the login */
    int heartbeat_lost_ms; /* 0: CLIENT_HEARTBEAT_LOST_MS */
};

/* Every callback may be NULL. They run inside client_process(). */
struct client_callbacks {
    void *context;
    void (*alarm_changed)(void *context, const struct console_alarm *alarm,
                          enum model_change change);
    /* The model was cleared and reloaded (start, resync, failover). */
    void (*model_reloaded)(void *context);
    void (*link_changed)(void *context, enum client_link link, const char *why);
    /* An action (claim, note...) finished: ok, or a readable message. */
    void (*action_done)(void *context, int request_id, bool ok, const char *message);
    /* A GET /v1/alarms/{id} (or sites, victims, procedures) answer. */
    void (*document_loaded)(void *context, int request_id, int http_status, const cJSON *body);
};

struct client;

/* Logs in (blocking, at start-up, before the screen exists) and returns a
 * client ready to run; NULL with `error` filled (wrong password, no server
 * answered...). */
struct client *client_start(const struct client_options *options, struct model *model,
                            const struct client_callbacks *callbacks, char *error,
                            size_t error_size);
void client_free(struct client *client);

/* Poll integration: the descriptors to watch and the longest wait. */
size_t client_poll_fds(struct client *client, struct pollfd *fds, size_t max);
int client_timeout_ms(struct client *client);
/* After poll(): hands ready descriptors (and due timers) to libcurl and
 * runs the callbacks. `fds` are those client_poll_fds() filled. */
void client_process(struct client *client, const struct pollfd *fds, size_t count);

/* What the header shows. */
enum client_link client_link_state(const struct client *client);
int64_t client_last_heartbeat_ms(const struct client *client); /* monotonic; 0: never */
int64_t client_lost_since_ms(const struct client *client);     /* wall clock; 0: not lost */
const char *client_server_url(const struct client *client);    /* the one in use */
const char *client_node_name(const struct client *client);     /* from heartbeats */
const char *client_username(const struct client *client);
enum client_role client_role(const struct client *client);
/* Server time minus console time, from heartbeats (ages use server time). */
int64_t client_clock_offset_ms(const struct client *client);

/* Actions, all asynchronous: each returns a request id (> 0) whose result
 * comes through action_done, or -1 when it cannot be sent now (link lost:
 * the caller says so; nothing is queued behind the operator's back). */
int client_claim(struct client *client, int64_t alarm_id);
int client_release(struct client *client, int64_t alarm_id);
int client_acknowledge(struct client *client, int64_t alarm_id);
int client_note(struct client *client, int64_t alarm_id, const char *text);
int client_close_alarm(struct client *client, int64_t alarm_id, const char *resolution,
                       const char *text);
/* Documents for screens: "/v1/alarms/ID", "/v1/sites/ID", "/v1/victims/ID",
 * "/v1/procedures?site=ID&class=C", "/v1/resolutions", "/v1/alarms?state=closed".
 * The answer comes through document_loaded. */
int client_get(struct client *client, const char *path);

#endif
