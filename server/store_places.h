/* store_places.h: what is around a point, for the map and the mass alert:
 * the centre's sites, police and gendarmerie stations, and security agents.
 * Each table has an R*Tree index of its positions, kept by triggers
 * whoever writes the table (the demo, an import, the API), so a search
 * reads only the rows of a small box and then measures each one exactly
 * on the sphere. */
#ifndef VIGIE_STORE_PLACES_H
#define VIGIE_STORE_PLACES_H

#include <stdbool.h>
#include <stdint.h>

#include "common/geo.h"
#include "server/store.h"

enum store_place_kind {
    STORE_PLACE_SITE,
    STORE_PLACE_POLICE, /* police and gendarmerie stations */
    STORE_PLACE_AGENT,
    STORE_PLACE_KINDS
};
#define STORE_PLACE_BIT(kind) (1u << (kind))
#define STORE_PLACE_ALL       ((1u << STORE_PLACE_KINDS) - 1u)

/* The widest circle searched: the mass alert's largest (200 km), far
 * beyond any map an operator reads beside an alarm. */
#define STORE_PLACES_RADIUS_MAX_M 200000
/* Places kept of each kind, nearest first: a side list and a map show a
 * few dozen; more is a report, not a look around. */
#define STORE_PLACES_LIMIT_MAX 200

/* "site", "police", "agent". */
const char *store_place_kind_name(enum store_place_kind kind);
bool store_place_kind_parse(const char *text, enum store_place_kind *out);

struct store_place {
    enum store_place_kind kind;
    int64_t id;
    char name[128];
    char service[16];  /* police stations: "police" or "gendarmerie"; else "" */
    char address[256]; /* "12 Rue ..., 75008 Paris"; an agent's site; may be "" */
    char phone[32];    /* "" when none */
    struct geo_point point;
    double distance_m;  /* from the centre, great circle */
    double bearing_deg; /* from the centre */
};

struct store_places_query {
    struct geo_point centre;
    double radius_m; /* 0 < radius <= STORE_PLACES_RADIUS_MAX_M */
    unsigned kinds;  /* STORE_PLACE_BIT()s */
    int limit;       /* per kind, 1 .. STORE_PLACES_LIMIT_MAX */
};

typedef void (*store_place_visitor)(void *context, const struct store_place *place);

/* Visits the places of the kinds asked within the radius, nearest first,
 * at most `limit` of each kind; found_out (optional) gets how many of each
 * kind are within the radius, kept or not. STORE_INVALID for a bad query. */
int store_places_near(struct store *store, const struct store_places_query *query,
                      store_place_visitor visit, void *context,
                      int64_t found_out[STORE_PLACE_KINDS], struct store_error *error);

/* ---- Police and gendarmerie stations (reference data) ---- */

struct store_tx;

struct store_police_station_new {
    const char *name;
    const char *service; /* "police" or "gendarmerie" */
    const char *address, *city;
    const char *phone; /* the number a centre calls, E.164 */
    double lat, lon;
};
/* Inside a store_directory_write job: inserts one station and audits it. */
int store_police_station_add(struct store_tx *tx, const struct actor *actor,
                             const struct store_police_station_new *station, int64_t *id_out,
                             struct store_error *error);

#endif
