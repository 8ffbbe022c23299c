/* store_escalations.h: escalating an alarm to the emergency services.
 * One job gathers the facts (the alarm, its site or victim, position and
 * accuracy, zone, aggressor), writes the CAP alert and the JSON document,
 * records the escalation, puts one outbox row per gateway URL and format,
 * marks the alarm escalated, writes its timeline entry and audit row and
 * announces the change: all in one transaction, so an escalation the
 * operator was told about is on disk with its messages. Delivery is the
 * outbox's (store_outbox.h, outbox.h). */
#ifndef VIGIE_STORE_ESCALATIONS_H
#define VIGIE_STORE_ESCALATIONS_H

#include <stdint.h>

#include "server/cap.h"
#include "server/store.h"

struct store_tx;

/* The outbox rows of escalations have this kind. */
#define ESCALATION_OUTBOX_KIND "escalation"

/* What applies to an escalation, from the settings. */
struct escalation_policy {
    const char *sender;  /* CAP <sender> (valid) */
    const char *contact; /* CAP <contact>, may be "" */
    enum cap_language language;
    const char *cap_urls;  /* the agency's gateways, space-separated */
    const char *json_urls; /* idem, for the JSON document */
    const char *phone;     /* the agency's number, for the refusal's message */
    const char *timezone;  /* the centre's (IANA): times carry its offset */
    int max_attempts;
    int64_t deadline_ms; /* after the escalation */
};

/* Where a sighting relayed to the services was made, and by whom. */
struct escalation_sighting {
    double lat, lon, accuracy_m;
    char source[8];               /* "agent" (the browser's fix) or "site" */
    char label[CAP_ADDRESS_SIZE]; /* who saw it, from where */
};

struct escalation_request {
    int64_t alarm_id;
    enum cap_agency agency;
    const char *text; /* the operator's line, may be NULL; at most CAP_OPERATOR_TEXT_MAX */
    /* 0 for a new alert; else the id of the alarm's earlier escalation to
     * the same agency that this one updates: its documents are CAP
     * "Update"s referencing that alert, the alarm's state and claim are
     * left as they are, and with a sighting their area is the sighting's. */
    int64_t updates_id;
    const struct escalation_sighting *sighting; /* may be NULL */
};

/* STORE_NOT_FOUND for an unknown alarm; STORE_CONFLICT (with a sentence)
 * when the alarm is closed, another operator holds it, or the agency has
 * no gateway. */
int store_escalation_create(struct store *store, const struct actor *actor,
                            const struct escalation_request *request,
                            const struct escalation_policy *policy, int64_t *id_out,
                            struct store_error *error);

/* Inside a job: what store_escalation_create does, for a job that also
 * writes other rows in the same transaction (a relayed sighting). */
int store_tx_escalation_write(struct store_tx *tx, const struct actor *actor,
                              const struct escalation_request *request,
                              const struct escalation_policy *policy, int64_t *id_out,
                              struct store_error *error);

/* The offset from UTC, in minutes, of the time zone `zone` (IANA; NULL or
 * unknown: the process's local time) at utc_ms. */
int escalation_utc_offset(const char *zone, int64_t utc_ms);

/* The facts an escalation of the alarm would carry now (the console shows
 * them before anything is sent); identifier, sender and times are left to
 * the caller. Holds the victim's details: the caller audits the read. */
int store_escalation_facts(struct store *store, int64_t alarm_id, struct cap_facts *out,
                           struct store_error *error);

struct store_escalation {
    int64_t id, alarm_id;
    int64_t updates_id; /* 0, or the escalation this one updates */
    enum cap_agency agency;
    char identifier[CAP_IDENTIFIER_SIZE];
    char text[CAP_OPERATOR_TEXT_MAX + 1];
    char username[64];
    int64_t created_at;
};
typedef void (*store_escalation_visitor)(void *context, const struct store_escalation *escalation);
/* The alarm's escalations, oldest first (none for an unknown alarm). */
int store_escalations_list(struct store *store, int64_t alarm_id, store_escalation_visitor visit,
                           void *context, struct store_error *error);

#endif
