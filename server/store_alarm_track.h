/* store_alarm_track.h: the positions a device sent for one alarm (its SOS
 * and the points that followed), newest first, for the operator who keeps
 * a victim or a lone worker in sight. Technical data: the 24-hour purge
 * deletes these rows, and nothing else keeps a copy. */
#ifndef VIGIE_STORE_ALARM_TRACK_H
#define VIGIE_STORE_ALARM_TRACK_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "server/store.h"

/* Points one answer gives: a phone reports every few seconds to minutes,
 * so this is hours of track; the newest matter. */
#define STORE_TRACK_LIMIT_MAX     500
#define STORE_TRACK_LIMIT_DEFAULT 100

/* {alarm_id, count, positions: [{id, captured_at, lat, lon, accuracy_m,
 * source, fix_at, battery}]} newest first, at most `limit` of them.
 * STORE_NOT_FOUND for an unknown alarm. */
int store_alarm_track_json(struct store *store, int64_t alarm_id, int limit, cJSON **out,
                           struct store_error *error);

#endif
