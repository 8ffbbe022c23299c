/* store_directory.h: the reference data an operator reads while handling
 * an alarm: clients, their sites (panels, zones, keyholders), action plans,
 * protection-phone victims' files, devices and security agents.
 *
 * Writes are made inside one write transaction opened by
 * store_directory_write(), so that a loader inserts thousands of rows in
 * one commit and one fsync; every added row is audited in that same
 * transaction. Reads return JSON documents ready for the API. */
#ifndef VIGIE_STORE_DIRECTORY_H
#define VIGIE_STORE_DIRECTORY_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "server/store.h"

/* Bounds of the reference data: each is what the field carries (a DC-09
 * account is at most 16 hex digits, a call list a handful of people). */
#define DIRECTORY_ACCOUNT_MAX    16
#define DIRECTORY_ZONE_MAX       9999
#define DIRECTORY_STEP_MAX       99
#define DIRECTORY_KEYHOLDERS_MAX 99
/* A device tests itself at least every minute and at most every 60 days. */
#define DIRECTORY_TEST_INTERVAL_MIN 60
#define DIRECTORY_TEST_INTERVAL_MAX (60 * 86400)
/* The procedure class that applies when a client has none for a class. */
#define DIRECTORY_DEFAULT_CLASS "default"

/* A write transaction: only the functions below act on it. */
struct store_tx;

/* Runs `job` in one write transaction: every add it makes commits together
 * or, if it returns an error, none does. The job runs on the store's
 * writer thread and must not call other store functions. */
typedef int (*store_directory_job)(struct store_tx *tx, void *context, struct store_error *error);
int store_directory_write(struct store *store, store_directory_job job, void *context,
                          struct store_error *error);

/* ---- Writes: each inserts one row, audits it, and gives its id. Text
 * fields may be NULL when optional. ---- */
struct store_client_new {
    const char *name;
    const char *kind; /* bank, jeweller, public, car-park, building-site, retail, protection */
    const char *phone;
    const char *contract;
};
int store_client_add(struct store_tx *tx, const struct actor *actor,
                     const struct store_client_new *client, int64_t *id_out,
                     struct store_error *error);

struct store_site_new {
    int64_t client_id;
    const char *name;
    const char *address, *city, *country; /* country: ISO 3166 alpha-2, "FR" when NULL */
    bool located;                         /* lat and lon are meaningful */
    double lat, lon;
    const char *timezone; /* IANA name, "Europe/Paris" when NULL */
    const char *phone;
    const char *schedule; /* opening hours, e.g. "Mo-Fr 08:30-17:30" */
    const char *notes;
    const char *arm_state;    /* armed, disarmed, unknown (NULL) */
    int64_t arm_since;        /* ms, 0 when unknown */
    const char *validated_by; /* who vetted the site for mass alerts, NULL if not vetted */
};
int store_site_add(struct store_tx *tx, const struct actor *actor,
                   const struct store_site_new *site, int64_t *id_out, struct store_error *error);

struct store_panel_new {
    int64_t site_id;
    const char *account; /* DC-09 account: 1 to 16 hex digits, unique */
    const char *model;
    const char *protocol; /* e.g. "SIA-DCS", "ADM-CID" */
};
int store_panel_add(struct store_tx *tx, const struct actor *actor,
                    const struct store_panel_new *panel, int64_t *id_out,
                    struct store_error *error);

int store_zone_add(struct store_tx *tx, const struct actor *actor, int64_t panel_id, int number,
                   const char *name, struct store_error *error);

struct store_keyholder_new {
    int64_t site_id;
    int position; /* 1 is called first */
    const char *name;
    const char *phone;
    const char *availability; /* "24/7", "Mo-Fr 18:00-08:00"...; "24/7" when NULL */
};
int store_keyholder_add(struct store_tx *tx, const struct actor *actor,
                        const struct store_keyholder_new *keyholder, int64_t *id_out,
                        struct store_error *error);

/* A step of an action plan, for a client or for one of its sites (exactly
 * one of client_id and site_id is set). alarm_class is a known alarm class
 * or DIRECTORY_DEFAULT_CLASS. */
struct store_procedure_step_new {
    int64_t client_id, site_id;
    const char *alarm_class;
    int step; /* 1.. DIRECTORY_STEP_MAX, in the order the operator follows */
    const char *action;
    const char *detail;
};
int store_procedure_step_add(struct store_tx *tx, const struct actor *actor,
                             const struct store_procedure_step_new *step, int64_t *id_out,
                             struct store_error *error);

struct store_victim_new {
    const char *reference; /* unique, e.g. "TGD-75-2024-0001" */
    const char *full_name;
    const char *birth_date; /* YYYY-MM-DD */
    const char *phone;      /* to call back */
    const char *address_home, *address_other;
    const char *order_court, *order_date, *order_expiry, *order_prohibition;
    const char *aggressor_name, *aggressor_description, *aggressor_vehicle, *aggressor_plate;
    const char *association;
    const char *notes;
    const char *contacts; /* JSON array of {name, relation, phone}; "[]" when NULL */
};
int store_victim_add(struct store_tx *tx, const struct actor *actor,
                     const struct store_victim_new *victim, int64_t *id_out,
                     struct store_error *error);

struct store_device_new {
    const char *device_uid;
    const char *kind;           /* "protection-phone" or "lone-worker" */
    int64_t victim_id, site_id; /* exactly one is set */
    const char *token_hash;     /* token_hash() of the device's token */
    int test_interval_s;        /* 0: the schema's default (15 days) */
};
int store_device_add(struct store_tx *tx, const struct actor *actor,
                     const struct store_device_new *device, int64_t *id_out,
                     struct store_error *error);

struct store_agent_new {
    const char *ext_id; /* the agent's number at his employer, unique */
    int64_t site_id;    /* where he is posted, 0 when mobile */
    const char *name;
    const char *phone; /* E.164 */
    const char *email;
    bool located;
    double lat, lon;
    bool vetted; /* fit to receive mass alerts */
    const char *vetted_by;
    const char *duty; /* "24/7", "Mo-Fr 07:00-19:00"; "24/7" when NULL */
};
int store_agent_add(struct store_tx *tx, const struct actor *actor,
                    const struct store_agent_new *agent, int64_t *id_out,
                    struct store_error *error);

/* ---- Reads: each fills *out with a new JSON object the caller deletes,
 * or returns STORE_NOT_FOUND for an unknown id. ---- */

/* The site with its client, panels with their zones, keyholders in call
 * order, devices, arm state and since. */
int store_site_json(struct store *store, int64_t id, cJSON **out, struct store_error *error);
/* The victim's whole file: identity, phone, addresses, protection order,
 * aggressor, emergency contacts, association, notes, devices. Confidential:
 * the caller audits the read. */
int store_victim_json(struct store *store, int64_t id, cJSON **out, struct store_error *error);
/* The steps that apply to an alarm of `alarm_class` at the site: the
 * site's own steps for the class, else its client's steps for the class,
 * else the client's "default" steps; "scope" says which ("site", "client",
 * "default" or "none"). */
int store_procedures_json(struct store *store, int64_t site_id, const char *alarm_class,
                          cJSON **out, struct store_error *error);

#endif
