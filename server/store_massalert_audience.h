/* store_massalert_audience.h: the agents inside a mass alert's circle,
 * each judged by the rules of massalert_audience.h (vetted, site
 * validated, on duty now, reachable on the channels asked for). The
 * registry is read into memory once and again only after it changed (a
 * counter kept by triggers), as committed: a selection reads the grid
 * cells of the circle's box and keeps the agents within the great-circle
 * distance, so that a 30 km circle in a million-agent registry is
 * milliseconds. The visitor is called while the snapshot is held: it must
 * not call back into the selection. */
#ifndef VIGIE_STORE_MASSALERT_AUDIENCE_H
#define VIGIE_STORE_MASSALERT_AUDIENCE_H

#include <stdint.h>

#include "common/geo.h"
#include "server/massalert_audience.h"
#include "server/store.h"

/* The presets are 800 m, 3 km and 30 km; a national attack plan
 * reaches further, but past this an operator is not aiming at an area. */
#define MASSALERT_RADIUS_MAX_M 200000.0

struct massalert_area {
    struct geo_point centre;
    double radius_m; /* 0 < radius_m <= MASSALERT_RADIUS_MAX_M */
};

struct massalert_agent {
    int64_t agent_id, site_id;
    const char *site_name;
    struct geo_point site; /* the site's position, or the agent's when it has none */
    double distance_m;     /* of the agent from the centre */
    enum massalert_verdict verdict;
    unsigned reachable; /* MASSALERT_CHANNEL_BIT()s, when selected */
};

typedef void (*massalert_agent_visitor)(void *context, const struct massalert_agent *agent);

/* Visits every agent within the area, judged at now_ms for `channels`;
 * STORE_INVALID for a bad area. */
int store_massalert_audience(struct store *store, const struct massalert_area *area,
                             unsigned channels, int64_t now_ms, massalert_agent_visitor visit,
                             void *context, struct store_error *error);

#endif
