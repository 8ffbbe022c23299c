/* harness.h: the world of one integration test: a temporary directory
 * with its own database, a real vigied on a free loopback port, and
 * clients that talk to it as a console does (HTTP with JSON, and the SSE
 * stream) or as an alarm panel does (SIA DC-09 frames, and vigie-sim).
 * Every wait is bounded, so a broken server fails a test and
 * never hangs it; every world is private, so tests run in parallel.
 *
 * Memory handed to a test (reply bodies, parsed JSON, tokens) belongs to
 * the world and is freed with it, so a failed assertion leaks nothing. */
#ifndef VIGIE_TEST_HARNESS_H
#define VIGIE_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "server/dc09.h"

/* Paths inside the temporary directory stay far below this. */
#define WORLD_PATH_MAX 512
/* Settings (--set key=value) one test may give its server. */
#define WORLD_SETTINGS_MAX 16
/* Bounds of every wait, in milliseconds: generous for a sanitizer build
 * on a loaded machine, short enough that a hung server fails quickly. */
#define WORLD_START_TIMEOUT_MS 15000
#define WORLD_STOP_TIMEOUT_MS  10000
#define WORLD_RUN_TIMEOUT_MS   15000
#define HTTP_TIMEOUT_MS        15000

/* vigie-sim runs in the background at once in one world (a flood and a
 * panel, say): a handful at most. */
#define WORLD_SIMS_MAX 4

struct world_owned;
struct sse_client;
struct panel;

struct world {
    char dir[WORLD_PATH_MAX / 2];
    char db[WORLD_PATH_MAX];
    char log[WORLD_PATH_MAX];
    char vigied[WORLD_PATH_MAX];
    char node_name[64];
    char settings[WORLD_SETTINGS_MAX][128];
    int setting_count;
    pid_t pid; /* 0 when vigied is not running */
    unsigned port;
    char base_url[64];
    struct world_owned *owned;
    struct sse_client *streams;
    bool dc09;          /* start with a DC-09 receiver (world_enable_dc09) */
    unsigned dc09_port; /* its TCP and UDP port; 0 when not running */
    char sim[WORLD_PATH_MAX];
    pid_t sims[WORLD_SIMS_MAX]; /* vigie-sim children still running */
    struct panel *panels;
};

/* ---- the world: directory, database, fixtures (harness.c) ---- */

/* Makes a temporary directory and an empty database (`vigied init`).
 * Returns NULL and says why on stderr. */
struct world *world_create(void);
/* A new world whose database is a copy of the template's (users, sites
 * and all), with the same settings: quicker than running `vigied init`
 * and `vigied user add` again for every test. */
struct world *world_clone(const struct world *template);
/* Stops vigied, closes streams, frees everything and removes the
 * directory (kept when VIGIE_KEEP_WORLD is set). Returns false when
 * vigied did not stop cleanly (crash, sanitizer report): the log's tail
 * is printed then. */
bool world_destroy(struct world *world);

/* `vigied user add` with the password piped on standard input. */
bool world_add_user(struct world *world, const char *name, const char *role, const char *password);
/* Inserts a client and a site with SQL; returns the site id, 0 on failure. */
int64_t world_add_site(struct world *world, const char *name, const char *city);
/* Runs SQL on a database file of the world (NULL: the world's own). */
bool world_sql(struct world *world, const char *db_path, const char *sql);
/* The first column of the first row as an integer; INT64_MIN on error. */
int64_t world_sql_int(struct world *world, const char *db_path, const char *sql);
/* Copies the database (vigied stopped or not) to DIR/NAME; the new path
 * is written to `path_out`. */
bool world_copy_db(struct world *world, const char *name, char *path_out, size_t path_size);

/* A "key=value" setting passed with --set at every start. */
bool world_set(struct world *world, const char *setting);
/* Starts vigied on 127.0.0.1 port 0 and waits until /v1/health answers. */
bool world_start(struct world *world);
/* SIGTERM, then SIGKILL after a bound. Returns the exit status (128+N
 * for a signal), -1 if vigied was not running. */
int world_stop(struct world *world);
/* kill -9: a crash, as far as the database can tell. */
void world_kill(struct world *world);
bool world_restart(struct world *world);

/* The server's log so far (owned by the world). */
const char *world_log(struct world *world);

/* Gives `pointer` to the world, to be released with it. */
void *world_keep(struct world *world, void *pointer, void (*release)(void *));

/* vigied's resident memory (VmRSS) in KiB; -1 when it is not running. */
int64_t world_rss_kib(struct world *world);

/* ---- commands (harness_run.c) ---- */

/* Runs vigied with the arguments (NULL-terminated) and `input` on its
 * standard input; stdout and stderr go to `output`. Returns the exit
 * status, or -1 if it could not run or did not end in time. */
int world_run(struct world *world, const char *input, char *output, size_t output_size,
              const char *argument, ...) __attribute__((sentinel));
/* `vigied account ARGUMENTS... --db DB` (add, set, list); the exit status,
 * with stdout and stderr in `output` (may be NULL). */
int world_account(struct world *world, char *output, size_t output_size, const char *argument, ...)
    __attribute__((sentinel));
/* vigie-sim (beside vigied, or $VIGIE_SIM) with the arguments; its exit
 * status (0 ACK, 1 NAK or DUH, 3 no answer), -1 if it could not run or
 * did not end within WORLD_RUN_TIMEOUT_MS; its output in `output`. */
int world_sim(struct world *world, char *output, size_t output_size, const char *argument, ...)
    __attribute__((sentinel));
/* The same in the background, its output written to the file `output_path`;
 * returns the child's pid, or -1. world_destroy kills what is left. */
pid_t world_sim_start(struct world *world, const char *output_path, const char *argument, ...)
    __attribute__((sentinel));
/* Waits for a world_sim_start child; its exit status, -1 on timeout (it
 * is then killed). */
int world_sim_wait(struct world *world, pid_t pid, int timeout_ms);

/* ---- HTTP (harness_http.c) ---- */

struct http_reply {
    long status;      /* 0 when no answer came */
    cJSON *json;      /* body parsed, NULL when it is not JSON */
    const char *body; /* raw body, NUL-terminated */
    size_t body_size;
    char allow[128];
    char content_type[128];
    char www_authenticate[128];
};

/* One request. `token` is sent as "Authorization: Bearer TOKEN", or as
 * the whole header value when it holds a space ("Basic x", "Bearer").
 * `body` may be NULL; `chunked` sends it without a
 * Content-Length. Returns false only when the transfer failed. */
bool http_send(struct world *world, const char *method, const char *path, const char *token,
               const char *body, size_t body_size, bool chunked, struct http_reply *reply);
/* The common case: JSON text in, status and JSON out. */
bool http_request(struct world *world, const char *method, const char *path, const char *token,
                  const char *json_body, long *status, cJSON **json);
/* POST /v1/sessions; the token, or NULL. */
const char *login(struct world *world, const char *username, const char *password);
/* POST /v1/alarms for a site; the new alarm's id, or -1. */
int64_t alarm_create(struct world *world, const char *token, int64_t site_id,
                     const char *class_name, int priority);
/* GET /v1/alarms/ID; the detail (with its timeline), or NULL. */
cJSON *alarm_get(struct world *world, const char *token, int64_t id);
/* POST /v1/alarms/ID/ACTION with an optional JSON body; the status. */
long alarm_act(struct world *world, const char *token, int64_t id, const char *action,
               const char *json_body, cJSON **json);

/* JSON paths such as "error.code", "claim.username" or "timeline.2.kind". */
const cJSON *json_get(const cJSON *json, const char *path);
/* The string at PATH, or NULL when absent or not a string. */
const char *json_string(const cJSON *json, const char *path);
/* The number at PATH, or INT64_MIN when absent or not a number. */
int64_t json_int(const cJSON *json, const char *path);
bool json_is_null(const cJSON *json, const char *path);
/* The array at PATH's length, or -1. */
int json_count(const cJSON *json, const char *path);

/* GET /metrics: the value of the sample NAME (with its labels, if any:
 * "vigie_alarms_received_total{source=\"dc09\"}"); INT64_MIN when absent. */
int64_t world_metric(struct world *world, const char *name);
/* GET /v1/alarms?state=all (up to 5000): the alarms of `account` (every
 * account when NULL) whose event_code is `event_code` (any when NULL), as
 * a JSON array owned by the world; NULL when the request failed. */
cJSON *alarms_of(struct world *world, const char *token, const char *account,
                 const char *event_code);
/* Polls alarms_of until it holds at least `count` alarms; the array, or
 * NULL when they did not come in time. */
cJSON *alarms_wait(struct world *world, const char *token, const char *account,
                   const char *event_code, int count, int timeout_ms);

/* ---- SSE (harness_sse.c) ---- */

struct sse_event {
    int64_t id; /* -1 when the event had no id: line (heartbeats) */
    char type[32];
    char *data;
    cJSON *json;         /* data parsed, NULL when it is not JSON */
    int64_t received_ms; /* harness_now_ms() when it arrived */
};

/* GET /v1/stream in a background thread; `last_event_id` may be NULL.
 * Returns once the answer's status is known (see sse_status). */
struct sse_client *sse_open(struct world *world, const char *token, const char *last_event_id);
/* HTTP status of the stream's answer; 0 when none came in time. */
long sse_status(struct sse_client *client);
/* Waits until `count` events of `type` (NULL: any) have arrived. */
bool sse_wait(struct sse_client *client, const char *type, size_t count, int timeout_ms);
size_t sse_count(struct sse_client *client, const char *type);
/* The index-th event of `type` (NULL: any); valid until sse_close. */
const struct sse_event *sse_get(struct sse_client *client, const char *type, size_t index);
/* The id of the last event that had one; -1 when none. */
int64_t sse_last_id(struct sse_client *client);
/* Waits until the server ends the stream. */
bool sse_wait_ended(struct sse_client *client, int timeout_ms);
/* Disconnects and frees the client and its events. */
void sse_close(struct sse_client *client);

/* ---- SIA DC-09 panels (harness_dc09.c) ----
 * A panel is one TCP connection (or a UDP socket) to the world's DC-09
 * receiver. Frames are built with the server's own codec (server/dc09.h),
 * so a test says what a panel sends and reads what the receiver answers as
 * fields, or sends raw bytes when the point is a broken frame. */

/* An answer that must come comes within this; generous for a sanitizer
 * build, where an ACK takes a few milliseconds. */
#define PANEL_ANSWER_TIMEOUT_MS 5000

enum panel_answer {
    PANEL_NO_ANSWER, /* nothing within the bound, connection still open */
    PANEL_CLOSED,    /* the receiver closed the connection */
    PANEL_ACK,
    PANEL_NAK,
    PANEL_DUH,
    PANEL_UNREADABLE, /* a frame, but not one dc09_frame_parse reads with the key */
    PANEL_OTHER,      /* a readable frame with another token */
};

/* Asks world_start to open a DC-09 receiver on 127.0.0.1:0 (the port is
 * then in world->dc09_port). A clone of this world inherits it. */
void world_enable_dc09(struct world *world);

/* Connects to the world's receiver (TCP, or UDP with `udp`); NULL with a
 * message on failure. The panel belongs to the world. */
struct panel *panel_connect(struct world *world, bool udp);
/* Closes the connection now (the memory stays with the world). */
void panel_close(struct panel *panel);
/* Writes all the bytes in one send() (one segment on loopback). */
bool panel_send(struct panel *panel, const void *bytes, size_t length);
/* Writes the bytes in `pieces` parts, pausing `pause_ms` between them, each
 * its own segment (TCP_NODELAY). */
bool panel_send_pieces(struct panel *panel, const void *bytes, size_t length, size_t pieces,
                       int pause_ms);
/* Reads the next answer within the bound: PANEL_ACK, _NAK, _DUH... with
 * its fields in `frame_out` (may be NULL), parsed with `key` (may be
 * NULL). Bytes after it stay for the next read. */
enum panel_answer panel_read(struct panel *panel, const struct dc09_key *key,
                             struct dc09_frame *frame_out, int timeout_ms);
/* The raw bytes of the last answer panel_read returned, and their count. */
const uint8_t *panel_last_raw(const struct panel *panel, size_t *length);
/* Sends a frame and reads its answer within PANEL_ANSWER_TIMEOUT_MS. */
enum panel_answer panel_exchange(struct panel *panel, const uint8_t *frame, size_t length,
                                 const struct dc09_key *key, struct dc09_frame *answer);
/* True when the receiver closes the connection within the bound (answers
 * that come first are read and dropped). */
bool panel_wait_closed(struct panel *panel, int timeout_ms);
/* The socket, for tests that drive it themselves (e.g. with poll). */
int panel_fd(const struct panel *panel);

/* A frame as a panel builds it, into `out` (DC09_FRAME_MAX bytes); its
 * length, 0 on a bad field. Encrypted when `key` is given. `stamp_ms` is
 * its timestamp (UTC ms, whole seconds); 0 stamps it now. */
size_t panel_frame_cid(const char *account, unsigned seq, const char *code, int zone,
                       const struct dc09_key *key, int64_t stamp_ms, uint8_t *out);
size_t panel_frame_sia(const char *account, unsigned seq, const char *code, int zone,
                       const struct dc09_key *key, int64_t stamp_ms, uint8_t *out);
size_t panel_frame_null(const char *account, unsigned seq, const struct dc09_key *key,
                        uint8_t *out);
/* The wall clock in UTC milliseconds, as the receiver reads it. */
int64_t harness_wall_ms(void);
/* A key from hex (32, 48 or 64 digits); its len is 0 when it is not one. */
struct dc09_key harness_key(const char *hex);

/* Monotonic milliseconds, and a sleep of that many. */
int64_t harness_now_ms(void);
void harness_sleep_ms(int ms);

#endif
