/* store_massalerts.h: a geographic mass alert in the store. Sending is
 * one short job: the alert with its selection frozen, the audit row and
 * the stream event; one recipient row per selected agent (with the hash
 * of the agent's own reply-link token) and one outbox row per recipient
 * and channel (kind 'massalert', priority 1, its body the message and the
 * reply link) follow in that job for a small selection, else a chunk per
 * job (store_massalert_fanout.h). The outbox's delivery worker sends the
 * rows from there; what each row comes to is counted per channel by
 * triggers (massalert_counts), which the status, the stream and the
 * report read.
 *
 * The stream event "massalert" ({"id","state","counts"}) is coalesced:
 * at most one per alert every MASSALERT_EVENT_PERIOD_MS; a change inside
 * that period is flagged and sent by store_massalerts_flush (the outbox
 * worker calls it on its tick). */
#ifndef VIGIE_STORE_MASSALERTS_H
#define VIGIE_STORE_MASSALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "server/massalert_audience.h"
#include "server/store.h"
#include "server/store_massalert_audience.h"

/* About twice a second per alert, as consoles redraw its counts. */
#define MASSALERT_EVENT_PERIOD_MS 500
/* Attempts per message: retried with the outbox's backoff until the
 * alert expires, at most this many times. */
#define MASSALERT_ATTEMPTS_MAX 12
/* The issue: 6 hours by default, 48 at most. */
#define MASSALERT_EXPIRY_DEFAULT_S (6 * 3600)
#define MASSALERT_EXPIRY_MAX_S     (48 * 3600)
/* Bounds of the texts of an alert. */
#define MASSALERT_LABEL_MAX    200
#define MASSALERT_TEMPLATE_MAX 64
/* A page of recipients. */
#define MASSALERT_PAGE_MAX 1000

struct store_tx;

/* One selected agent (from store_massalert_audience). */
struct massalert_pick {
    int64_t agent_id, site_id;
    double distance_m;
    unsigned reachable; /* MASSALERT_CHANNEL_BIT()s among those asked for */
};

struct store_massalert_new {
    struct massalert_area area;
    unsigned channels; /* asked for */
    const char *message;
    const char *template_name; /* may be NULL */
    const char *language;      /* may be NULL: "fr" */
    const char *centre_label;  /* may be NULL */
    int64_t alarm_id;          /* 0: none */
    int64_t expires_in_ms;
    const char *public_url; /* base of the reply links */
    const struct massalert_pick *picks;
    size_t pick_count;
    int64_t excluded[MASSALERT_VERDICTS]; /* for the audit */
};

struct store_massalert_created {
    int64_t id;
    int64_t recipients;
    int64_t deliveries[MASSALERT_CHANNELS];
};

/* Sends (writes) the alert; STORE_INVALID for an unknown alarm_id. The
 * counts out are the selection's (all written by the fan-out, unless the
 * alert is cancelled first). */
int store_massalert_create(struct store *store, const struct actor *actor,
                           const struct store_massalert_new *alert,
                           struct store_massalert_created *out, struct store_error *error);

/* Cancels: the alert's rows still queued fail with last_error
 * "cancelled" (rows being sent finish) and what its fan-out had not
 * written is never written (counted in not_sent too); STORE_CONFLICT when
 * it was already cancelled or done. */
int store_massalert_cancel(struct store *store, const struct actor *actor, int64_t id,
                           int64_t *not_sent_out, struct store_error *error);

/* Relaying an agent's reply into an alarm: its timeline, or (policies set)
 * the services the alarm was escalated to, as CAP Updates of their
 * escalations carrying the sighting and where it was made. */
struct escalation_policy;
struct store_massalert_relay {
    int64_t alert_id, reply_id, alarm_id;
    const struct escalation_policy *policies; /* [CAP_AGENCY_COUNT], or NULL */
};
/* Audited, the alarm's consoles see it; *updates_out (may be NULL) is the
 * number of services updated. STORE_CONFLICT (with a sentence) when the
 * services were asked and the alarm was never escalated. */
int store_massalert_relay(struct store *store, const struct actor *actor,
                          const struct store_massalert_relay *relay, int *updates_out,
                          struct store_error *error);

/* Inside a job: the alert's counts changed (an outbox row, a reply): emits
 * its "massalert" event now, or flags it for the next flush when one went
 * out less than MASSALERT_EVENT_PERIOD_MS ago. Marks the alert done when
 * nothing is left to send. For every writer of mass-alert rows. */
int store_tx_massalert_changed(struct store_tx *tx, int64_t alert_id, struct store_error *error);
/* Inside a job: the alert of a recipient row (0 when none). */
int64_t store_tx_massalert_of_recipient(struct store_tx *tx, int64_t recipient_id);
/* Sends the flagged events that are due; true when some remain flagged. */
bool store_massalerts_flush(struct store *store);

/* Reads, as the API shows them (see api/openapi.yaml). */
int store_massalerts_list_json(struct store *store, int limit, cJSON **out,
                               struct store_error *error);
int store_massalert_json(struct store *store, int64_t id, cJSON **out, struct store_error *error);
int store_massalert_recipients_json(struct store *store, int64_t id, int64_t offset, int64_t limit,
                                    cJSON **out, struct store_error *error);

/* The report: one row per recipient and channel. */
struct massalert_report_row {
    int64_t recipient_id, agent_id;
    const char *agent_name, *agent_ext_id, *site_name, *channel, *address, *status;
    double distance_m;
    int64_t sent_at, confirmed_at, replied_at; /* 0: never */
    const char *reply_text;                    /* the latest reply's, or "" */
    const char *error;                         /* why it failed, or "" */
};
typedef void (*massalert_report_visitor)(void *context, const struct massalert_report_row *row);
/* The alert itself (as store_massalert_json without replies), then its rows. */
int store_massalert_report(struct store *store, const struct actor *actor, int64_t id,
                           const char *format, cJSON **alert_out, massalert_report_visitor visit,
                           void *context, struct store_error *error);

#endif
