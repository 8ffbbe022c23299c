/* client_massalert.h: the console's requests about mass alerts (the API
 * of issue 7: POST /v1/massalerts with and without "dry_run", cancel,
 * relay a reply, the CSV report). Each answer comes back through
 * document_loaded to the screen that asked, as the escalation's does: the
 * composer and the monitor need the server's verdict (the counts, the new
 * alert's id, why it was refused). The reads (an alert, its recipients,
 * the list, the templates) are plain client_get documents. */
#ifndef VIGIE_CONSOLE_CLIENT_MASSALERT_H
#define VIGIE_CONSOLE_CLIENT_MASSALERT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/geo.h"
#include "console/client.h"

/* The channels, in the API's order and spelling. */
enum client_massalert_channel {
    MASSALERT_SMS,
    MASSALERT_EMAIL,
    MASSALERT_VOICE,
    MASSALERT_PUSH,
    MASSALERT_CHANNEL_COUNT
};
#define MASSALERT_CHANNEL(c) (1u << (c))
/* "sms", "email", "voice", "push". */
const char *client_massalert_channel_name(enum client_massalert_channel channel);

/* What a mass alert is: the circle, the channels, the text; for a send
 * also where the circle came from and which template (each may be NULL or
 * 0 when not known). */
struct client_massalert_body {
    struct geo_point centre;
    double radius_m;
    unsigned channels; /* MASSALERT_CHANNEL() bits */
    const char *message;
    const char *template_id;
    const char *language;     /* "en", "fr" */
    const char *centre_label; /* "Alarm 12: Boulangerie Dupond", "site 4", typed coordinates */
    int64_t alarm_id;         /* the alarm the circle is centred on */
};

/* Each returns a request id (> 0) whose answer comes through
 * document_loaded, or -1 when it cannot be sent now (the link is not
 * live: nothing is queued behind the operator's back). */
int client_massalert_dry_run(struct client *client, const struct client_massalert_body *body);
int client_massalert_send(struct client *client, const struct client_massalert_body *body);
int client_massalert_cancel(struct client *client, int64_t alert_id);
/* Relays a reply into an alarm's log, or (to_services) to the services
 * the alarm was escalated to, as updates of their alerts. */
int client_massalert_relay(struct client *client, int64_t alert_id, int64_t reply_id,
                           int64_t alarm_id, bool to_services);

/* The CSV report, written into `file` as it arrives (the document's body
 * is then NULL; the status says whether the file holds a report or the
 * server's error). The caller keeps the file open until that answer. */
int client_massalert_report(struct client *client, int64_t alert_id, FILE *file);

#endif
