/* geo.c: distances, bearings and projections on a sphere, and the text
 * forms of a position. Numbers are written and read digit by digit rather
 * than with printf("%f") and strtod, which follow LC_NUMERIC. */
#include "common/geo.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/i18n.h"

#define DEGREES_TO_RADIANS (M_PI / 180.0)
#define RADIANS_TO_DEGREES (180.0 / M_PI)
/* Digits a typed number may have: more than any useful precision (15
 * significant digits is what a double holds). */
#define PARSE_DIGITS_MAX 15
/* The OSM tile pyramid: metres per pixel at zoom 0 on the equator. */
#define OSM_METRES_PER_PIXEL_Z0 156543.03392
/* Pixels of a browser window the accuracy circle's diameter may take. */
#define OSM_CIRCLE_PIXELS 600.0

static double wrap_longitude(double lon)
{
    lon = fmod(lon + 180.0, 360.0);
    if (lon < 0)
        lon += 360.0;
    return lon - 180.0;
}

bool geo_point_valid(struct geo_point point)
{
    return isfinite(point.lat) && isfinite(point.lon) && point.lat >= -90.0 && point.lat <= 90.0 &&
           point.lon >= -180.0 && point.lon <= 180.0;
}

double geo_distance_m(struct geo_point from, struct geo_point to)
{
    double lat1 = from.lat * DEGREES_TO_RADIANS, lat2 = to.lat * DEGREES_TO_RADIANS;
    double half_dlat = (to.lat - from.lat) * DEGREES_TO_RADIANS / 2.0;
    double half_dlon = (to.lon - from.lon) * DEGREES_TO_RADIANS / 2.0;
    double a =
        sin(half_dlat) * sin(half_dlat) + cos(lat1) * cos(lat2) * sin(half_dlon) * sin(half_dlon);
    if (a > 1.0) /* rounding, for antipodes */
        a = 1.0;
    return 2.0 * GEO_EARTH_RADIUS_M * atan2(sqrt(a), sqrt(1.0 - a));
}

double geo_bearing_deg(struct geo_point from, struct geo_point to)
{
    double lat1 = from.lat * DEGREES_TO_RADIANS, lat2 = to.lat * DEGREES_TO_RADIANS;
    double dlon = (to.lon - from.lon) * DEGREES_TO_RADIANS;
    double y = sin(dlon) * cos(lat2);
    double x = cos(lat1) * sin(lat2) - sin(lat1) * cos(lat2) * cos(dlon);
    if (y == 0.0 && x == 0.0)
        return 0.0;
    double bearing = fmod(atan2(y, x) * RADIANS_TO_DEGREES + 360.0, 360.0);
    return bearing >= 360.0 ? 0.0 : bearing;
}

const char *geo_compass_point(double bearing_deg)
{
    static const char *const points[] = {N_("N"), N_("NE"), N_("E"), N_("SE"),
                                         N_("S"), N_("SW"), N_("W"), N_("NW")};
    double turned = fmod(bearing_deg, 360.0);
    if (!isfinite(turned))
        return points[0];
    if (turned < 0)
        turned += 360.0;
    return points[(int)floor(turned / 45.0 + 0.5) % 8];
}

struct geo_point geo_destination(struct geo_point from, double bearing_deg, double distance_m)
{
    double lat1 = from.lat * DEGREES_TO_RADIANS, lon1 = from.lon * DEGREES_TO_RADIANS;
    double bearing = bearing_deg * DEGREES_TO_RADIANS;
    double angle = distance_m / GEO_EARTH_RADIUS_M;
    double sin_lat2 = sin(lat1) * cos(angle) + cos(lat1) * sin(angle) * cos(bearing);
    if (sin_lat2 > 1.0)
        sin_lat2 = 1.0;
    if (sin_lat2 < -1.0)
        sin_lat2 = -1.0;
    double lat2 = asin(sin_lat2);
    double lon2 =
        lon1 + atan2(sin(bearing) * sin(angle) * cos(lat1), cos(angle) - sin(lat1) * sin_lat2);
    return (struct geo_point){lat2 * RADIANS_TO_DEGREES, wrap_longitude(lon2 * RADIANS_TO_DEGREES)};
}

struct geo_box geo_box_around(struct geo_point centre, double radius_m)
{
    double angle = radius_m / GEO_EARTH_RADIUS_M;
    double dlat = angle * RADIANS_TO_DEGREES;
    struct geo_box box = {centre.lat - dlat, centre.lat + dlat, -180.0, 180.0};
    if (box.min_lat <= -90.0 || box.max_lat >= 90.0) {
        box.min_lat = box.min_lat < -90.0 ? -90.0 : box.min_lat;
        box.max_lat = box.max_lat > 90.0 ? 90.0 : box.max_lat;
        return box; /* a pole inside: every longitude */
    }
    /* The widest longitude a small circle reaches (at a latitude nearer
     * the pole than its centre, which the latitude range holds). */
    double ratio = sin(angle) / cos(centre.lat * DEGREES_TO_RADIANS);
    if (ratio >= 1.0)
        return box;
    double dlon = asin(ratio) * RADIANS_TO_DEGREES;
    if (centre.lon - dlon < -180.0 || centre.lon + dlon > 180.0)
        return box; /* across the antimeridian: every longitude */
    box.min_lon = centre.lon - dlon;
    box.max_lon = centre.lon + dlon;
    return box;
}

/* ---- the flat map ---- */

void geo_projection_init(struct geo_projection *projection, struct geo_point centre)
{
    projection->centre = centre;
    projection->metres_per_degree_lat = GEO_EARTH_RADIUS_M * DEGREES_TO_RADIANS;
    projection->metres_per_degree_lon =
        projection->metres_per_degree_lat * cos(centre.lat * DEGREES_TO_RADIANS);
}

void geo_project(const struct geo_projection *projection, struct geo_point point, double *east_m,
                 double *north_m)
{
    double dlon = wrap_longitude(point.lon - projection->centre.lon);
    *east_m = dlon * projection->metres_per_degree_lon;
    *north_m = (point.lat - projection->centre.lat) * projection->metres_per_degree_lat;
}

struct geo_point geo_unproject(const struct geo_projection *projection, double east_m,
                               double north_m)
{
    double lat = projection->centre.lat + north_m / projection->metres_per_degree_lat;
    double lon = projection->centre.lon;
    if (projection->metres_per_degree_lon > 1e-9)
        lon += east_m / projection->metres_per_degree_lon;
    lat = lat > 90.0 ? 90.0 : lat < -90.0 ? -90.0 : lat;
    return (struct geo_point){lat, wrap_longitude(lon)};
}

/* ---- writing ---- */

void geo_format_number(double value, int decimals, char *out, size_t size)
{
    decimals = decimals < 0 ? 0 : decimals > 9 ? 9 : decimals;
    if (!isfinite(value) || fabs(value) > 1e6) { /* no coordinate: never overflow llround */
        snprintf(out, size, "?");
        return;
    }
    long long scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    long long scaled = llround(fabs(value) * (double)scale);
    const char *sign = value < 0 && scaled != 0 ? "-" : "";
    if (decimals == 0)
        snprintf(out, size, "%s%lld", sign, scaled);
    else
        snprintf(out, size, "%s%lld.%0*lld", sign, scaled / scale, decimals, scaled % scale);
}

void geo_format_decimal(struct geo_point point, char out[GEO_TEXT_SIZE])
{
    char lat[24], lon[24];
    geo_format_number(point.lat, 5, lat, sizeof lat);
    geo_format_number(point.lon, 5, lon, sizeof lon);
    snprintf(out, GEO_TEXT_SIZE, "%s, %s", lat, lon);
}

/* One axis as 48°51'24.1"N; rounded in tenths of a second, so that
 * 59.96" carries into the minutes instead of printing 60.0". */
static void format_dms_axis(double value, char positive, char negative, char *out, size_t size)
{
    long long tenths = llround(fabs(value) * 36000.0);
    long long degrees = tenths / 36000, minutes = tenths / 600 % 60;
    long long seconds = tenths / 10 % 60, tenth = tenths % 10;
    char hemisphere = value < 0 && tenths != 0 ? negative : positive;
    snprintf(out, size, "%lld\u00B0%02lld'%02lld.%lld\"%c", degrees, minutes, seconds, tenth,
             hemisphere);
}

void geo_format_dms(struct geo_point point, char out[GEO_TEXT_SIZE])
{
    char lat[48], lon[48];
    format_dms_axis(point.lat, 'N', 'S', lat, sizeof lat);
    format_dms_axis(point.lon, 'E', 'W', lon, sizeof lon);
    snprintf(out, GEO_TEXT_SIZE, "%s %s", lat, lon);
}

void geo_format_uri(struct geo_point point, double accuracy_m, char out[GEO_TEXT_SIZE])
{
    char lat[24], lon[24];
    geo_format_number(point.lat, 6, lat, sizeof lat);
    geo_format_number(point.lon, 6, lon, sizeof lon);
    if (accuracy_m > 0 && isfinite(accuracy_m)) {
        long long uncertainty = llround(accuracy_m);
        snprintf(out, GEO_TEXT_SIZE, "geo:%s,%s;u=%lld", lat, lon,
                 uncertainty > 0 ? uncertainty : 1);
    } else {
        snprintf(out, GEO_TEXT_SIZE, "geo:%s,%s", lat, lon);
    }
}

void geo_format_osm(struct geo_point point, int zoom, char out[GEO_TEXT_SIZE])
{
    char lat[24], lon[24];
    geo_format_number(point.lat, 5, lat, sizeof lat);
    geo_format_number(point.lon, 5, lon, sizeof lon);
    zoom = zoom < GEO_OSM_ZOOM_MIN   ? GEO_OSM_ZOOM_MIN
           : zoom > GEO_OSM_ZOOM_MAX ? GEO_OSM_ZOOM_MAX
                                     : zoom;
    snprintf(out, GEO_TEXT_SIZE, "https://www.openstreetmap.org/?mlat=%s&mlon=%s#map=%d/%s/%s", lat,
             lon, zoom, lat, lon);
}

int geo_osm_zoom_for_radius(double radius_m, double lat)
{
    double cosine = cos(lat * DEGREES_TO_RADIANS);
    if (!(radius_m > 0) || !isfinite(radius_m) || cosine < 1e-6)
        return GEO_OSM_ZOOM_MAX;
    double zoom =
        floor(log2(OSM_METRES_PER_PIXEL_Z0 * cosine * OSM_CIRCLE_PIXELS / (2.0 * radius_m)));
    if (zoom < GEO_OSM_ZOOM_MIN)
        return GEO_OSM_ZOOM_MIN;
    return zoom > GEO_OSM_ZOOM_MAX ? GEO_OSM_ZOOM_MAX : (int)zoom;
}

/* ---- reading ---- */

enum axis { AXIS_ANY, AXIS_LAT, AXIS_LON };

struct scanner {
    const char *p;
    char *error; /* GEO_ERROR_SIZE bytes, or NULL */
};

struct reading {
    double value;
    enum axis axis;
};

static bool fail(struct scanner *scanner, const char *format, const char *detail)
{
    if (scanner->error)
        snprintf(scanner->error, GEO_ERROR_SIZE, format, detail);
    return false;
}

/* The text where reading stopped, cut for an error message. */
static const char *excerpt(const char *p, char out[24])
{
    size_t n = 0;
    while (p[n] && n < 20)
        n++;
    while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80) /* never half a character */
        n--;
    snprintf(out, 24, "%.*s%s", (int)n, p, p[n] ? "..." : "");
    return out;
}

static void skip_spaces(struct scanner *scanner)
{
    while (*scanner->p == ' ' || *scanner->p == '\t')
        scanner->p++;
}

/* Consumes one of the marks (UTF-8 strings, longest first); true if one
 * was there. */
static bool take_mark(struct scanner *scanner, const char *const *marks)
{
    for (; *marks; marks++) {
        size_t length = strlen(*marks);
        if (strncmp(scanner->p, *marks, length) == 0) {
            /* A letter used as a mark must not start a word. */
            unsigned char next = (unsigned char)scanner->p[length];
            if (length == 1 && ((*marks)[0] | 0x20) >= 'a' && ((*marks)[0] | 0x20) <= 'z' &&
                ((next | 0x20) >= 'a' && (next | 0x20) <= 'z'))
                continue;
            scanner->p += length;
            return true;
        }
    }
    return false;
}

static const char *const degree_marks[] = {"\u00B0", "\u00BA", "\u02DA", "d", NULL};
static const char *const minute_marks[] = {"\u2032", "\u2019", "\u2018", "'", NULL};
static const char *const second_marks[] = {"\u2033", "\u201D", "\u201C", "''", "\"", NULL};

/* Digits with an optional '.' fraction; false (nothing consumed) when no
 * digit starts there. */
static bool take_number(struct scanner *scanner, double *value, bool *has_fraction)
{
    const char *p = scanner->p;
    double number = 0, scale = 1;
    int digits = 0;
    *has_fraction = false;
    if (*p < '0' || *p > '9')
        return false;
    for (; *p >= '0' && *p <= '9'; p++, digits++)
        number = number * 10 + (*p - '0');
    if (*p == '.' && p[1] >= '0' && p[1] <= '9') {
        *has_fraction = true;
        for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
            scale /= 10;
            number += (*p - '0') * scale;
        }
    }
    if (digits > PARSE_DIGITS_MAX)
        return false;
    *value = number;
    scanner->p = p;
    return true;
}

/* A hemisphere letter standing alone (not the start of a word). */
static enum axis take_hemisphere(struct scanner *scanner, bool *negative)
{
    char c = (char)(*scanner->p & ~0x20);
    if (c == '\0' || !strchr("NSEWO", c))
        return AXIS_ANY; /* never read past the end of the text */
    unsigned char next = (unsigned char)scanner->p[1];
    if ((next | 0x20) >= 'a' && (next | 0x20) <= 'z')
        return AXIS_ANY;
    scanner->p++;
    *negative = c == 'S' || c == 'W' || c == 'O';
    return c == 'N' || c == 'S' ? AXIS_LAT : AXIS_LON;
}

/* Minutes and seconds after a degree mark; each only when its own mark
 * follows it, so that in "48°51' 2°21'E" the 2 stays the next degrees. */
static bool take_minutes_seconds(struct scanner *scanner, bool degrees_fraction, double *value)
{
    char where[24];
    const char *start = scanner->p;
    skip_spaces(scanner);
    double minutes, seconds;
    bool fraction;
    const char *before = scanner->p;
    if (!take_number(scanner, &minutes, &fraction) || !take_mark(scanner, minute_marks)) {
        scanner->p = start;
        return true;
    }
    if (degrees_fraction)
        return fail(scanner, _("degrees with decimals cannot have minutes as well: %s"),
                    excerpt(before, where));
    if (minutes >= 60)
        return fail(scanner, _("minutes must be below 60: %s"), excerpt(before, where));
    *value += minutes / 60.0;
    start = scanner->p;
    skip_spaces(scanner);
    before = scanner->p;
    bool minutes_fraction = fraction;
    if (!take_number(scanner, &seconds, &fraction) || !take_mark(scanner, second_marks)) {
        scanner->p = start;
        return true;
    }
    if (minutes_fraction)
        return fail(scanner, _("minutes with decimals cannot have seconds as well: %s"),
                    excerpt(before, where));
    if (seconds >= 60)
        return fail(scanner, _("seconds must be below 60: %s"), excerpt(before, where));
    *value += seconds / 3600.0;
    return true;
}

/* One latitude or longitude: [hemisphere] [sign] degrees [° [minutes ' [seconds "]]]
 * [hemisphere]. A letter before the number belongs to it, so the letter
 * after it is then the next coordinate's ("N 48°51' E 2°21'"). */
static bool take_coordinate(struct scanner *scanner, struct reading *out)
{
    char where[24];
    skip_spaces(scanner);
    bool negative = false, sign = false, hemisphere_negative = false;
    enum axis axis = take_hemisphere(scanner, &hemisphere_negative);
    skip_spaces(scanner);
    if (*scanner->p == '-' || *scanner->p == '+') {
        negative = *scanner->p == '-';
        sign = true;
        scanner->p++;
    }
    double value;
    bool fraction;
    if (!*scanner->p)
        return fail(scanner, "%s", _("the position ends where a number of degrees was expected"));
    if (!take_number(scanner, &value, &fraction))
        return fail(scanner, _("expected a number of degrees at \"%s\""),
                    excerpt(scanner->p, where));
    if (take_mark(scanner, degree_marks) && !take_minutes_seconds(scanner, fraction, &value))
        return false;
    const char *after_number = scanner->p;
    if (axis == AXIS_ANY) {
        skip_spaces(scanner);
        axis = take_hemisphere(scanner, &hemisphere_negative);
        if (axis == AXIS_ANY)
            scanner->p = after_number;
    }
    if (sign && axis != AXIS_ANY)
        return fail(scanner, _("use either a sign or a hemisphere letter, not both: %s"),
                    excerpt(after_number, where));
    out->value = negative || hemisphere_negative ? -value : value;
    out->axis = axis;
    return true;
}

static bool check_range(struct scanner *scanner, struct geo_point point)
{
    char number[32];
    if (point.lat < -90.0 || point.lat > 90.0) {
        geo_format_number(point.lat, 5, number, sizeof number);
        return fail(scanner, _("latitude %s is out of range (-90 to 90)"), number);
    }
    if (point.lon < -180.0 || point.lon > 180.0) {
        geo_format_number(point.lon, 5, number, sizeof number);
        return fail(scanner, _("longitude %s is out of range (-180 to 180)"), number);
    }
    return true;
}

/* Which reading is the latitude: the first unless the letters say
 * otherwise. */
static bool assign_axes(struct scanner *scanner, const struct reading *first,
                        const struct reading *second, struct geo_point *out)
{
    if (first->axis != AXIS_ANY && first->axis == second->axis)
        return fail(scanner, "%s",
                    first->axis == AXIS_LAT ? _("two latitudes (N/S) and no longitude")
                                            : _("two longitudes (E/W) and no latitude"));
    bool swapped = first->axis == AXIS_LON || second->axis == AXIS_LAT;
    out->lat = swapped ? second->value : first->value;
    out->lon = swapped ? first->value : second->value;
    return true;
}

/* "geo:LAT,LON[,ALT][;PARAMETERS]": the parameters are left alone. */
static bool take_geo_uri(struct scanner *scanner, struct reading readings[2])
{
    for (int i = 0; i < 2; i++) {
        bool fraction, negative = *scanner->p == '-';
        char where[24];
        if (negative)
            scanner->p++;
        if (!take_number(scanner, &readings[i].value, &fraction))
            return fail(scanner, _("a geo: URI needs two numbers: %s"), excerpt(scanner->p, where));
        readings[i].value = negative ? -readings[i].value : readings[i].value;
        readings[i].axis = AXIS_ANY;
        if (i == 0 && *scanner->p != ',')
            return fail(scanner, _("a geo: URI needs two numbers: %s"), excerpt(scanner->p, where));
        if (i == 0)
            scanner->p++;
    }
    if (*scanner->p == ',') { /* the altitude */
        scanner->p++;
        double altitude;
        bool fraction;
        if (*scanner->p == '-')
            scanner->p++;
        take_number(scanner, &altitude, &fraction);
    }
    if (*scanner->p == ';')
        scanner->p += strlen(scanner->p);
    return true;
}

bool geo_parse(const char *text, struct geo_point *out, char error[GEO_ERROR_SIZE])
{
    struct scanner scanner = {text ? text : "", error};
    struct reading readings[2];
    char where[24];
    skip_spaces(&scanner);
    if (!*scanner.p)
        return fail(&scanner, "%s", _("no position given"));
    if (strncasecmp(scanner.p, "geo:", 4) == 0) {
        scanner.p += 4;
        if (!take_geo_uri(&scanner, readings))
            return false;
    } else {
        if (!take_coordinate(&scanner, &readings[0]))
            return false;
        skip_spaces(&scanner);
        if (*scanner.p == ',' || *scanner.p == ';' || *scanner.p == '/')
            scanner.p++;
        skip_spaces(&scanner);
        if (!*scanner.p)
            return fail(&scanner, "%s", _("a position needs a latitude and a longitude"));
        if (!take_coordinate(&scanner, &readings[1]))
            return false;
    }
    skip_spaces(&scanner);
    if (*scanner.p) {
        /* "48,85 2,35": a French decimal comma is the likely cause. */
        if (strchr(scanner.p, ',') || (scanner.p > text && scanner.p[-1] == ','))
            return fail(&scanner,
                        _("unexpected \"%s\": write decimals with a point (48.8566, 2.3522)"),
                        excerpt(scanner.p, where));
        return fail(&scanner, _("unexpected \"%s\" after the position"), excerpt(scanner.p, where));
    }
    struct geo_point point;
    if (!assign_axes(&scanner, &readings[0], &readings[1], &point) || !check_range(&scanner, point))
        return false;
    *out = point;
    return true;
}

bool geo_parse_decimal(const char *text, double *out)
{
    struct scanner scanner = {text ? text : "", NULL};
    bool negative = *scanner.p == '-', fraction;
    if (*scanner.p == '-' || *scanner.p == '+')
        scanner.p++;
    double value;
    if (!take_number(&scanner, &value, &fraction) || *scanner.p)
        return false;
    *out = negative ? -value : value;
    return true;
}
