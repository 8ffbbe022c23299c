/* client_internal.h: what the client's files share and nothing else may
 * use. client.c keeps the lifecycle, the poll loop and the link (attempts,
 * backoff, failover); client_stream.c the event stream; client_list.c the
 * list loads; client_http.c the requests (login, actions, documents) and
 * the sentences that replace libcurl's errors. */
#ifndef VIGIE_CONSOLE_CLIENT_INTERNAL_H
#define VIGIE_CONSOLE_CLIENT_INTERNAL_H

#include <curl/curl.h>

#include "console/client.h"
#include "console/sse.h"

/* The server refuses tokens longer than 128 characters. */
#define CLIENT_TOKEN_SIZE 129
/* LoginRequest: a user name of 63 bytes, a password of 256. */
#define CLIENT_USERNAME_SIZE 64
#define CLIENT_PASSWORD_SIZE 257
#define CLIENT_URL_SIZE      256
/* A document path: "/v1/procedures?site=ID&class=C" and the like. */
#define CLIENT_PATH_SIZE 512
/* A sentence for the status bar or the banner. */
#define CLIENT_MESSAGE_SIZE 256
#define CLIENT_NODE_SIZE    64
/* Requests in flight at once: an operator's actions and the documents of
 * one screen; more means something loops. */
#define CLIENT_REQUESTS_MAX 32
/* Connections libcurl may open at once. With the name resolver's socket of
 * each, they stay within CLIENT_POLL_MAX descriptors. */
#define CLIENT_CONNECTIONS_MAX (CLIENT_POLL_MAX / 2)
/* The largest answer read: a list page of 5000 summaries of a few KiB. */
#define CLIENT_ANSWER_MAX (64 * 1024 * 1024)
/* The body of a refused stream (a JSON error) is short. */
#define CLIENT_STREAM_ERROR_SIZE 1024
/* The API's largest page, and pages a list load may have (5000 each:
 * 320,000 open alarms is beyond any centre). */
#define CLIENT_LIST_LIMIT     5000
#define CLIENT_LIST_PAGES_MAX 64
/* Bounds of a request: connecting is quick on a LAN or it will not come;
 * a list page may be large over a slow SSH-era link. */
#define CLIENT_CONNECT_TIMEOUT_MS 3000
#define CLIENT_REQUEST_TIMEOUT_MS 15000
#define CLIENT_LIST_TIMEOUT_MS    60000
/* The queue's head shown while the list loads: more rows than the tallest
 * terminal shows. */
#define CLIENT_HEAD_LIMIT 200
/* The loop wakes at least this often, so that a missed timer costs little. */
#define CLIENT_WAIT_MAX_MS 1000

enum client_request_kind {
    CLIENT_REQUEST_LOGIN,    /* part of a connection attempt */
    CLIENT_REQUEST_LIST,     /* part of a connection attempt */
    CLIENT_REQUEST_HEAD,     /* the queue's head, shown while the list loads */
    CLIENT_REQUEST_ACTION,   /* action_done */
    CLIENT_REQUEST_DOCUMENT, /* document_loaded */
};

struct client_request {
    struct client *client;
    CURL *easy;
    enum client_request_kind kind;
    int id;
    int64_t alarm_id; /* actions: which alarm, for the log */
    struct curl_slist *headers;
    char *upload; /* the body sent; zeroed before it is freed (a password) */
    char *answer;
    size_t answer_length, answer_capacity;
    bool answer_too_large;
    bool added; /* in the multi handle (else waiting to be added) */
    struct client_request *next;
};

struct client_stream {
    CURL *easy; /* NULL when no stream is open */
    struct curl_slist *headers;
    struct sse_parser *parser;
    char refusal[CLIENT_STREAM_ERROR_SIZE]; /* the body of a non-200 answer */
    size_t refusal_length;
    size_t dropped_seen;
    bool ignore_rest; /* a resync came: the rest of this stream is moot */
};

/* Where a connection attempt stands. */
enum client_phase {
    CLIENT_PHASE_WAIT,   /* nothing in flight; the next attempt at retry_at_ms */
    CLIENT_PHASE_LOGIN,  /* POST /v1/sessions in flight */
    CLIENT_PHASE_LOAD,   /* GET /v1/alarms pages in flight */
    CLIENT_PHASE_STREAM, /* the stream is open (live once a heartbeat came) */
};

struct client_socket {
    curl_socket_t fd;
    int what; /* CURL_POLL_IN, _OUT or _INOUT */
};

struct client {
    struct model *model;
    struct client_callbacks callbacks;
    char servers[CLIENT_SERVERS_MAX][CLIENT_URL_SIZE];
    size_t server_count, server_index;
    char username[CLIENT_USERNAME_SIZE];
    char password[CLIENT_PASSWORD_SIZE]; /* only to log in again; zeroed at free */
    bool has_password;
    char token[CLIENT_TOKEN_SIZE]; /* "" when a login is needed */
    enum client_role role;
    int heartbeat_lost_ms;

    CURLM *multi;
    struct client_socket sockets[CLIENT_POLL_MAX];
    size_t socket_count;
    int64_t curl_deadline_ms; /* monotonic; -1 when libcurl waits for nothing */
    int in_curl;              /* inside a libcurl callback: no multi calls */
    struct client_request *requests;
    size_t request_count;
    int next_request_id;
    bool requests_waiting; /* some requests wait to be added to the multi */

    struct client_stream stream;
    enum client_phase phase;
    struct client_request *attempt_request; /* the login or list page in flight */
    bool loaded;                            /* the model holds a complete list */
    bool relogged;                          /* this attempt logged in again already */
    bool resync_wanted;
    /* Not live yet: the sequence the stream must replay up to (the first
     * heartbeat's last_sequence) before the screen shows the server's
     * present; -1 when no heartbeat said it yet. */
    int64_t catch_up_to;
    struct model *staging;            /* the list being loaded; NULL between loads */
    struct client_request *list_next; /* the next page, asked before this one is read */
    struct client_request *list_head; /* the queue's head, asked beside the first page */
    bool ever_loaded;                 /* a whole list was shown once: no head again */
    size_t page_count;                /* pages read into staging */
    int64_t list_sequence;            /* the first page's last_sequence */
    size_t refusals; /* URLs in a row that refused the connection: failover at once */

    enum client_link link;
    int64_t last_heartbeat_ms; /* monotonic */
    int64_t link_deadline_ms;  /* monotonic: no heartbeat by then, the link is lost */
    int64_t lost_since_ms;     /* wall clock */
    int64_t retry_at_ms;       /* monotonic */
    int backoff_ms;
    char node[CLIENT_NODE_SIZE];
    int64_t clock_offset_ms;
};

/* ---- client.c ---- */
/* The attempt failed: drop what is in flight, say LOST, retry later; at
 * once on the next URL when this one refused the connection (a node that
 * is down), unless every URL just did. */
void client_attempt_failed(struct client *client, const char *why, bool refused);
/* Lets libcurl send what was just added (outside its callbacks only). */
void client_multi_run(struct client *client);
/* The next step of an attempt: log in, load the list, or open the stream. */
void client_attempt_continue(struct client *client);
void client_set_link(struct client *client, enum client_link link, const char *why);
/* The base URL in use followed by `path`; false when it does not fit. */
bool client_url(const struct client *client, const char *path, char *out, size_t size);

/* ---- client_stream.c ---- */
bool client_stream_open(struct client *client, char *why, size_t why_size);
void client_stream_close(struct client *client);
/* libcurl finished the stream's transfer with `result`. */
void client_stream_done(struct client *client, CURLcode result);

/* ---- client_list.c ---- */
/* Asks for the first page of the open alarms (a full reload). */
bool client_list_start(struct client *client, char *why, size_t why_size);
void client_list_page_done(struct client *client, struct client_request *request, long status,
                           CURLcode result);
void client_list_forget(struct client *client);
void client_list_head_done(struct client *client, struct client_request *request, long status,
                           CURLcode result);

/* ---- client_http.c ---- */
/* A request ready to send (headers, answer buffer); NULL when out of memory. */
struct client_request *client_request_new(struct client *client, enum client_request_kind kind,
                                          const char *path, const char *body);
/* Hands a request to libcurl (at once, or after the current callback);
 * false (the request freed) when that failed. */
bool client_request_submit(struct client *client, struct client_request *request);
/* Takes a request out of libcurl and frees it. */
void client_request_cancel(struct client *client, struct client_request *request);
/* Adds the requests that waited for the end of a libcurl callback. */
void client_requests_flush(struct client *client);
/* A transfer finished: the request's kind decides what follows. */
void client_request_done(struct client *client, struct client_request *request, CURLcode result);
/* The answer parsed as JSON (NULL when it is not JSON). */
cJSON *client_request_json(const struct client_request *request);
/* A blocking request at start-up (a POST with `body`, else a GET): the
 * status (0 when no answer came, with why in `why`) and the JSON body in
 * *json (NULL when none). */
long client_request_blocking(struct client *client, const char *path, const char *body,
                             cJSON **json, char *why, size_t why_size);
/* Logs in at start-up, blocking: 201 with the session taken, another
 * status with the server's sentence in `why`, or 0 when no answer came. */
long client_login_blocking(struct client *client, char *why, size_t why_size);
/* Starts an asynchronous login with the remembered password. */
bool client_login_start(struct client *client, char *why, size_t why_size);
/* Reads a login answer: token, user name and role. */
bool client_login_take(struct client *client, const cJSON *answer);
/* A short sentence for a libcurl failure (never libcurl's own text). */
const char *client_curl_sentence(CURLcode code);
/* The server's error message, or a sentence for the status. */
void client_error_sentence(long status, const cJSON *answer, char *out, size_t size);
/* Common options of every transfer. */
void client_easy_defaults(CURL *easy);

#endif
