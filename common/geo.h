/* geo.h: the geodesy of the map and the mass alert, as pure functions over
 * WGS-84 latitudes and longitudes in degrees: distance, bearing and
 * destination on a sphere of the Earth's mean radius, a flat projection
 * for drawing around a centre, and the text forms an operator reads, types
 * or copies (decimal degrees, degrees-minutes-seconds, a geo: URI and an
 * OpenStreetMap link). Text is read and written without the C locale, so
 * a French LC_NUMERIC never turns "48.85" into "48,85". */
#ifndef VIGIE_GEO_H
#define VIGIE_GEO_H

#include <stdbool.h>
#include <stddef.h>

/* The mean radius of the WGS-84 ellipsoid, (2a + b) / 3 (IUGG R1). The
 * sphere errs by at most 0.5% against the ellipsoid: a few metres over the
 * kilometres between an alarm and a police station. */
#define GEO_EARTH_RADIUS_M 6371008.8

/* Bytes of the text forms, with room to spare: "-89.123456, -179.123456",
 * "89°59'59.9"S 179°59'59.9"W", a geo: URI with its uncertainty, and an
 * OpenStreetMap link with zoom and marker. */
#define GEO_TEXT_SIZE 160

/* Bytes of a parse error, a sentence for the status line. */
#define GEO_ERROR_SIZE 160

/* OpenStreetMap's zoom levels a link may carry. */
#define GEO_OSM_ZOOM_MIN 2
#define GEO_OSM_ZOOM_MAX 19

struct geo_point {
    double lat; /* degrees north, -90 .. 90 */
    double lon; /* degrees east, -180 .. 180 */
};

/* Both numbers finite and in range. */
bool geo_point_valid(struct geo_point point);

/* Great-circle distance in metres (haversine). */
double geo_distance_m(struct geo_point from, struct geo_point to);
/* Initial bearing from `from` towards `to`, in degrees clockwise from true
 * north, 0 <= bearing < 360 (0 when the points are the same). */
double geo_bearing_deg(struct geo_point from, struct geo_point to);
/* The nearest of the eight compass points, in English ("N", "NE", ... "NW");
 * an N_() text the caller translates for display. */
const char *geo_compass_point(double bearing_deg);
/* The point reached by going distance_m along the great circle that
 * leaves `from` at bearing_deg; the longitude is brought back into
 * -180 .. 180. */
struct geo_point geo_destination(struct geo_point from, double bearing_deg, double distance_m);

/* The smallest latitude/longitude box that holds every point within
 * radius_m of centre (for a spatial index; the exact distance decides
 * after). A box that would cross the antimeridian or reach a pole is
 * widened to every longitude, which is correct and rare. */
struct geo_box {
    double min_lat, max_lat, min_lon, max_lon;
};
struct geo_box geo_box_around(struct geo_point centre, double radius_m);

/* A flat map around a centre: the equirectangular projection, x east and y
 * north in metres, scaled by the cosine of the centre's latitude. Over the
 * few kilometres of an alarm map its error is far below one braille dot:
 * at 10 km from the centre at 50°N it is about 0.2% (20 m) where a dot of a
 * view that wide is 100 m or more; at the widest view (a few hundred km)
 * it stays within a couple of dots, and the exact distances of the side
 * list never come from the projection. */
struct geo_projection {
    struct geo_point centre;
    double metres_per_degree_lat;
    double metres_per_degree_lon;
};
void geo_projection_init(struct geo_projection *projection, struct geo_point centre);
void geo_project(const struct geo_projection *projection, struct geo_point point, double *east_m,
                 double *north_m);
struct geo_point geo_unproject(const struct geo_projection *projection, double east_m,
                               double north_m);

/* value with `decimals` decimals (0 to 9) and a '.', whatever the locale:
 * for URLs and API parameters ("48.856690"). */
void geo_format_number(double value, int decimals, char *out, size_t size);
/* "48.85669, 2.35089": five decimals, about a metre. */
void geo_format_decimal(struct geo_point point, char out[GEO_TEXT_SIZE]);
/* "48°51'24.1"N 2°21'03.2"E" (UTF-8 degree sign), seconds to a tenth. */
void geo_format_dms(struct geo_point point, char out[GEO_TEXT_SIZE]);
/* RFC 5870: "geo:48.856690,2.350890;u=1500" (u: the uncertainty in metres,
 * left out when accuracy_m <= 0). */
void geo_format_uri(struct geo_point point, double accuracy_m, char out[GEO_TEXT_SIZE]);
/* "https://www.openstreetmap.org/?mlat=48.85669&mlon=2.35089#map=16/48.85669/2.35089":
 * a marker on the point, the view at zoom (clamped to OSM's levels). */
void geo_format_osm(struct geo_point point, int zoom, char out[GEO_TEXT_SIZE]);
/* The deepest OSM zoom at which a circle of radius_m around a point at
 * latitude lat still fits a browser window (about 800 pixels across). */
int geo_osm_zoom_for_radius(double radius_m, double lat);

/* Reads a position typed or pasted by an operator: decimal degrees
 * ("48.8567, 2.3508", "-33.8688 151.2093"), degrees-minutes-seconds or
 * degrees and decimal minutes with N/S/E/W (or O for ouest), before or
 * after the number ("48°51'24.1"N 2°21'03.2"E", "N 48°51.402' E 2°21.053'",
 * with ASCII stand-ins such as 48d51'24.1"N), in either order when the
 * letters say which is which, or a geo: URI. False with a sentence in
 * error (may be NULL) naming what is wrong. */
bool geo_parse(const char *text, struct geo_point *out, char error[GEO_ERROR_SIZE]);

/* A plain decimal number as an API parameter carries it ("-33.8688"): an
 * optional sign, digits and an optional fraction, nothing else. */
bool geo_parse_decimal(const char *text, double *out);

#endif
