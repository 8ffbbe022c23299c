/* geo_input.h: what an operator types for a mass alert's circle, read
 * into numbers: the centre (coordinates in any form common/geo.c reads,
 * plus degrees, minutes and seconds written with spaces only, as radio
 * operators dictate them: "N 43 42 36.7 E 7 15 43.2"; or "site 12",
 * "alarm 34" for a site's or an alarm's position, loaded afterwards) and
 * the radius ("800", "800 m", "3 km", "2.5km"). Pure functions: the
 * composer screen (screen_massalert.c) calls them and the unit tests pin
 * them. */
#ifndef VIGIE_CONSOLE_GEO_INPUT_H
#define VIGIE_CONSOLE_GEO_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/geo.h"

/* The API's bounds on a mass alert's radius (server/massalert_audience.h):
 * a doorway is not an area, and 200 km is a region, beyond which an alert
 * is a national broadcast, not this tool. */
#define GEO_INPUT_RADIUS_MIN_M 1.0
#define GEO_INPUT_RADIUS_MAX_M 200000.0

enum geo_input_kind {
    GEO_INPUT_POINT, /* coordinates: point is set */
    GEO_INPUT_SITE,  /* "site N": id is set, the position is the site's */
    GEO_INPUT_ALARM, /* "alarm N": id is set, the position is the alarm's */
};

struct geo_input_centre {
    enum geo_input_kind kind;
    struct geo_point point;
    int64_t id;
};

/* Reads a centre; false with a sentence in error (GEO_ERROR_SIZE bytes,
 * may be NULL). */
bool geo_input_parse_centre(const char *text, struct geo_input_centre *out,
                            char error[GEO_ERROR_SIZE]);

/* Reads a radius in metres: a number with "m" or "km" (metres without a
 * unit), a decimal point or comma, within the API's bounds. */
bool geo_input_parse_radius(const char *text, double *metres, char error[GEO_ERROR_SIZE]);

#endif
