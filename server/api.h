/* api.h: what every HTTP handler of API v1 receives and fills in. The
 * handlers know JSON and the store interface, not SQL and not sockets;
 * http_server.c turns requests into these structs and back. */
#ifndef VIGIE_API_H
#define VIGIE_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "server/cap.h"
#include "server/config.h"
#include "server/store.h"

struct stream_hub;
struct metrics;
struct panel_commands;
struct outbox;

/* Shared by every request; read-only after start. */
struct api_context {
    struct store *store;
    struct stream_hub *hub;
    struct metrics *metrics;
    const struct server_config *config;
    struct panel_commands *panel; /* the panel command tracker; NULL: not running */
    struct outbox *outbox;        /* the delivery worker, woken by new messages; may be NULL */
};

/* Path parameters like {id}: a route has at most this many. */
#define API_PARAMS_MAX 3

struct api_request {
    struct api_context *api;
    struct MHD_Connection *connection;
    const char *method;
    const char *path;
    const char *params[API_PARAMS_MAX];
    char param_storage[API_PARAMS_MAX][128];
    const char *body;
    size_t body_size;
    bool authenticated;
    struct store_session session;
    struct actor actor;
    /* ACCESS_DEVICE routes: the device of the bearer token (0 and "" for
     * the AML form, which the handler authenticates by its HMAC). */
    int64_t device_id;
    char device_uid[64];
};

struct api_response {
    unsigned status;
    cJSON *json;              /* owned; serialised by the server */
    struct MHD_Response *raw; /* or a ready response (SSE, text) */
    char allow_methods[128];  /* for 405 */
    bool www_authenticate;    /* for 401 */
};

typedef void (*api_handler)(struct api_request *request, struct api_response *response);

/* Error body {"error":{"code":...,"message":...}}. */
void api_error(struct api_response *response, unsigned status, const char *code, const char *format,
               ...) __attribute__((format(printf, 4, 5)));
void api_json(struct api_response *response, unsigned status, cJSON *body);
/* A JSON body already written as text (`text` is taken and freed), for
 * answers too large to build as a cJSON tree first. False when memory is
 * short (`text` is then freed and the answer is a 500). */
bool api_json_text(struct api_response *response, unsigned status, char *text, size_t length);
/* Maps a store status to an HTTP error with the store's message. */
void api_store_error(struct api_response *response, int status, const struct store_error *error);

const char *api_query(struct api_request *request, const char *name);
/* Parses the body as a JSON object; on failure fills a 400 and returns
 * NULL. `allowed` is a NULL-terminated list of known fields; any other
 * field is refused, so that a misspelt field never passes silently. */
cJSON *api_body_object(struct api_request *request, struct api_response *response,
                       const char *const *allowed);
/* Typed field access; each fills a 400 naming the field on a wrong type. */
bool api_field_string(cJSON *object, const char *name, bool required, size_t max_length,
                      const char **out, struct api_response *response);
bool api_field_int(cJSON *object, const char *name, bool required, int64_t min, int64_t max,
                   int64_t *out, struct api_response *response);
/* Parses a path parameter as a positive id; fills a 404 when it is not. */
bool api_param_id(struct api_request *request, int index, int64_t *out,
                  struct api_response *response);
/* Parses a query parameter as an integer within bounds (absent: fallback). */
bool api_query_int(struct api_request *request, const char *name, int64_t min, int64_t max,
                   int64_t fallback, int64_t *out, struct api_response *response);

/* Handlers, one file per resource. */
void api_sessions_create(struct api_request *, struct api_response *);
void api_sessions_delete(struct api_request *, struct api_response *);
void api_sessions_heartbeat(struct api_request *, struct api_response *);
void api_alarms_list(struct api_request *, struct api_response *);
void api_alarms_create(struct api_request *, struct api_response *);
void api_alarms_get(struct api_request *, struct api_response *);
void api_alarms_claim(struct api_request *, struct api_response *);
void api_alarms_release(struct api_request *, struct api_response *);
void api_alarms_ack(struct api_request *, struct api_response *);
void api_alarms_note(struct api_request *, struct api_response *);
void api_alarms_close(struct api_request *, struct api_response *);
void api_resolutions_list(struct api_request *, struct api_response *);
void api_users_list(struct api_request *, struct api_response *);
void api_users_create(struct api_request *, struct api_response *);
void api_users_disable(struct api_request *, struct api_response *);
void api_users_enable(struct api_request *, struct api_response *);
void api_stream(struct api_request *, struct api_response *);
void api_health(struct api_request *, struct api_response *);
void api_metrics(struct api_request *, struct api_response *);
void api_sites_get(struct api_request *, struct api_response *);
void api_victims_get(struct api_request *, struct api_response *);
void api_procedures_list(struct api_request *, struct api_response *);
void api_places_list(struct api_request *, struct api_response *);
void api_massalerts_create(struct api_request *, struct api_response *);
void api_massalerts_list(struct api_request *, struct api_response *);
void api_massalerts_get(struct api_request *, struct api_response *);
void api_massalerts_recipients(struct api_request *, struct api_response *);
void api_massalerts_cancel(struct api_request *, struct api_response *);
void api_massalerts_report_csv(struct api_request *, struct api_response *);
void api_massalerts_report_cap(struct api_request *, struct api_response *);
void api_massalerts_relay(struct api_request *, struct api_response *);
void api_massalert_templates_list(struct api_request *, struct api_response *);
/* Kannel's callbacks (api_kannel.c): no session, kannel_secret instead. */
void api_kannel_dlr(struct api_request *, struct api_response *);
void api_kannel_mo(struct api_request *, struct api_response *);
/* The agents' registry (api_agents.c) and sites validated for mass
 * alerts (api_sites_validation.c). */
void api_agents_list(struct api_request *, struct api_response *);
void api_agents_get(struct api_request *, struct api_response *);
void api_agents_create(struct api_request *, struct api_response *);
void api_agents_update(struct api_request *, struct api_response *);
void api_agents_delete(struct api_request *, struct api_response *);
void api_agents_vetting(struct api_request *, struct api_response *);
void api_sites_validation(struct api_request *, struct api_response *);
void api_agents_push_subscribe(struct api_request *, struct api_response *);
void api_agents_push_unsubscribe(struct api_request *, struct api_response *);
void api_alarm_procedure_get(struct api_request *, struct api_response *);
void api_alarm_procedure_step(struct api_request *, struct api_response *);
void api_alarm_track(struct api_request *, struct api_response *);
void api_ingest_device(struct api_request *, struct api_response *);
/* A mass alert's reply page and its forms (api_reply_pages.c): HTML. */
void api_reply_page_get(struct api_request *, struct api_response *);
void api_reply_page_received(struct api_request *, struct api_response *);
void api_reply_page_seen(struct api_request *, struct api_response *);
/* The pages' service worker, its delivery acknowledgement of a push
 * message, and a phone's subscription from its agent's reply page
 * (api_reply_pages.c). */
void api_reply_page_worker(struct api_request *, struct api_response *);
void api_reply_page_delivered(struct api_request *, struct api_response *);
void api_reply_page_push_subscription(struct api_request *, struct api_response *);
/* An e-mail reply handed over by `vigied mail-in` (api_mail_in.c). */
void api_mail_reply(struct api_request *, struct api_response *);
void api_escalations_create(struct api_request *, struct api_response *);
void api_escalations_list(struct api_request *, struct api_response *);
/* The "escalations" section of an alarm's detail (api_escalations.c):
 * each escalation with its delivery state; false when the store failed. */
bool api_escalations_add_to_alarm(struct api_request *request, cJSON *alarm, int64_t alarm_id);
/* What the settings say of escalating to `agency` (sender: the buffer the
 * policy's sender points into). */
struct escalation_policy;
void api_escalation_policy(const struct server_config *config, enum cap_agency agency,
                           char sender[CAP_SENDER_SIZE], struct escalation_policy *out);
void api_site_panel_get(struct api_request *, struct api_response *);
void api_site_panel_command(struct api_request *, struct api_response *);
/* The "panel" section of an alarm's detail (api_panel.c): the site's arm
 * state and recent commands; nothing for an alarm without a site. */
void api_panel_add_to_alarm(struct api_request *request, cJSON *alarm, int64_t site_id);
/* The same section in a site's file. */
void api_panel_add_to_site(struct api_request *request, cJSON *site, int64_t site_id);
/* The check of ACCESS_DEVICE routes (api_ingest.c), in place of the
 * session's: fills a 401 and returns false when the device is refused. */
bool api_device_authenticate(struct api_request *request, struct api_response *response);

#endif
