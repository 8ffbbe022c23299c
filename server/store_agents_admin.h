/* store_agents_admin.h: the agents' registry one record at a time, as the
 * API manages it: list (around a point, nearest first, or by site), read,
 * add, change, remove, vet or unvet an agent (who and when), and validate
 * a site for mass alerts (who and when). Every change is audited; audit
 * rows name the agent by ids and list the fields that changed, never a
 * phone number or an address. Callers check the fields' forms (E.164,
 * e-mail, duty grammar): the store checks what needs the data (the site
 * exists, the identifier is free). An agent's Web Push subscription is
 * his browser's to give (its own route): edits here leave it alone. */
#ifndef VIGIE_STORE_AGENTS_ADMIN_H
#define VIGIE_STORE_AGENTS_ADMIN_H

#include <stdbool.h>
#include <stdint.h>

#include "common/geo.h"
#include "server/phone_number.h"
#include "server/store.h"

/* One page of the list: a screen or a report page; a whole registry is
 * read with offset. */
#define STORE_AGENTS_PAGE_MAX 500
/* The widest circle listed: the mass alert's largest. */
#define STORE_AGENTS_RADIUS_MAX_M 200000.0
/* Bounds of the text fields, as the CSV import's (agents_csv.h). */
#define STORE_AGENT_ID_MAX    64
#define STORE_AGENT_NAME_MAX  128
#define STORE_AGENT_EMAIL_MAX 255
#define STORE_AGENT_DUTY_MAX  256
/* Who vetted or validated: "username" or "NAME (import of FILE)". */
#define STORE_AGENT_BY_MAX 160
struct store_tx;

/* What a caller gives to add or change an agent. Texts already checked
 * and normalised; NULL or "" for an absent optional field. */
struct store_agent_fields {
    const char *ext_id; /* the employer's number for the agent, unique */
    int64_t site_id;    /* where he is posted; 0: none (a mobile patrol) */
    const char *name;
    const char *phone;      /* E.164 */
    const char *phone_kind; /* "mobile", "fixed-or-mobile", "fixed", "other" */
    const char *email;
    bool located; /* false: the site's position, when it has one */
    double lat, lon;
    const char *duty; /* canonical schedule text; "24/7" when NULL */
};

struct store_agent {
    int64_t id;
    char ext_id[STORE_AGENT_ID_MAX];
    int64_t site_id; /* 0: none */
    char site_name[STORE_AGENT_NAME_MAX];
    bool site_validated;
    char name[STORE_AGENT_NAME_MAX];
    char phone[PHONE_E164_SIZE];
    char phone_kind[24];
    char email[STORE_AGENT_EMAIL_MAX];
    bool located;
    double lat, lon;
    bool vetted;
    char vetted_by[STORE_AGENT_BY_MAX];
    int64_t vetted_at; /* ms, 0 when not vetted */
    char duty[STORE_AGENT_DUTY_MAX];
    bool has_push;
    double distance_m; /* from the query's centre; -1 without one */
};

struct store_agents_query {
    bool near; /* centre and radius given: within it, nearest first */
    struct geo_point centre;
    double radius_m; /* 0 < radius <= STORE_AGENTS_RADIUS_MAX_M */
    int64_t site_id; /* 0: any */
    int64_t offset;
    int limit; /* 1 .. STORE_AGENTS_PAGE_MAX */
};

typedef void (*store_agent_visitor)(void *context, const struct store_agent *agent);

/* Visits one page of agents (by id, or nearest first); *total gets how
 * many match the whole query. STORE_INVALID for a bad query. */
int store_agents_list(struct store *store, const struct store_agents_query *query,
                      store_agent_visitor visit, void *context, int64_t *total,
                      struct store_error *error);
int store_agent_get(struct store *store, int64_t id, struct store_agent *out,
                    struct store_error *error);

/* Adds an agent, vetted by the actor when `vetted`. STORE_INVALID for an
 * unknown site, STORE_CONFLICT when the identifier is taken. */
int store_agent_create(struct store *store, const struct actor *actor,
                       const struct store_agent_fields *fields, bool vetted, int64_t *id_out,
                       struct store_error *error);
/* Replaces the agent's fields (not his vetting); writes and audits only
 * when something differs. */
int store_agent_update(struct store *store, const struct actor *actor, int64_t id,
                       const struct store_agent_fields *fields, struct store_error *error);
/* STORE_CONFLICT when mass alerts reached him: their reports keep him;
 * unvet him instead. */
int store_agent_delete(struct store *store, const struct actor *actor, int64_t id,
                       struct store_error *error);
/* Records the actor and now as the vetting (or clears it). */
int store_agent_vet(struct store *store, const struct actor *actor, int64_t id, bool vetted,
                    struct store_error *error);

struct store_site_validation {
    int64_t site_id;
    char site_name[STORE_AGENT_NAME_MAX];
    bool validated;
    char validated_by[STORE_AGENT_BY_MAX];
    int64_t validated_at; /* ms, 0 when not validated */
};
/* Records the actor and now as the site's validation (or clears it);
 * *out gets the site's state after the change. */
int store_site_validate(struct store *store, const struct actor *actor, int64_t site_id,
                        bool validated, struct store_site_validation *out,
                        struct store_error *error);

/* Inside a write job (the demo, a bulk load): inserts one agent, vetted
 * by `vetted_by` when not NULL, and audits it. */
int store_tx_agent_insert(struct store_tx *tx, const struct actor *actor,
                          const struct store_agent_fields *fields, const char *vetted_by,
                          int64_t *id_out, struct store_error *error);

#endif
