/* Unit tests of the geodesy: the distances and bearings an operator reads
 * beside a police station (checked against published city distances), the
 * destination point, the search box, the flat projection, and every text
 * form of a position: written, read back, and refused with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"

static const struct geo_point paris = {48.8566, 2.3522};         /* Hôtel de Ville */
static const struct geo_point brussels = {50.8503, 4.3517};      /* Grand-Place */
static const struct geo_point nice = {43.7009, 7.2683};          /* Place Masséna */
static const struct geo_point notre_dame = {48.85669, 2.350889}; /* the DMS example */

static void assert_near(double value, double expected, double tolerance)
{
    if (fabs(value - expected) > tolerance)
        fail_msg("%.9f is not within %.9f of %.9f", value, tolerance, expected);
}

static void test_distances_between_cities(void **state)
{
    (void)state;
    /* Published great-circle distances: Paris-Brussels 264 km,
     * Paris-Nice 686 km. */
    assert_near(geo_distance_m(paris, brussels), 264000, 500);
    assert_near(geo_distance_m(paris, nice), 686000, 1000);
    assert_near(geo_distance_m(brussels, paris), geo_distance_m(paris, brussels), 1e-6);
    assert_near(geo_distance_m(paris, paris), 0, 1e-9);
    /* One degree along the equator is R * pi / 180. */
    struct geo_point origin = {0, 0}, east = {0, 1};
    assert_near(geo_distance_m(origin, east), GEO_EARTH_RADIUS_M * M_PI / 180.0, 1e-6);
    /* Antipodes: half the circumference, no NaN. */
    struct geo_point antipode = {-paris.lat, paris.lon - 180.0};
    assert_near(geo_distance_m(paris, antipode), GEO_EARTH_RADIUS_M * M_PI, 1e-3);
}

static void test_bearings_and_compass_points(void **state)
{
    (void)state;
    /* Brussels is north-north-east of Paris; Nice south-east. */
    assert_near(geo_bearing_deg(paris, brussels), 32.13, 0.05);
    assert_string_equal(geo_compass_point(geo_bearing_deg(paris, brussels)), "NE");
    assert_near(geo_bearing_deg(paris, nice), 144.81, 0.05);
    assert_string_equal(geo_compass_point(geo_bearing_deg(paris, nice)), "SE");
    /* The way back is not the reverse course on a sphere. */
    assert_near(geo_bearing_deg(brussels, paris), 213.66, 0.05);
    assert_string_equal(geo_compass_point(geo_bearing_deg(brussels, paris)), "SW");
    struct geo_point origin = {0, 0};
    assert_near(geo_bearing_deg(origin, (struct geo_point){1, 0}), 0, 1e-9);
    assert_near(geo_bearing_deg(origin, (struct geo_point){0, 1}), 90, 1e-9);
    assert_near(geo_bearing_deg(origin, (struct geo_point){-1, 0}), 180, 1e-9);
    assert_near(geo_bearing_deg(origin, (struct geo_point){0, -1}), 270, 1e-9);
    assert_near(geo_bearing_deg(paris, paris), 0, 1e-9);
    static const struct {
        double bearing;
        const char *point;
    } points[] = {{0, "N"},     {22.4, "N"},  {22.6, "NE"}, {90, "E"},   {135, "SE"},
                  {180, "S"},   {225, "SW"},  {270, "W"},   {315, "NW"}, {337.4, "NW"},
                  {337.6, "N"}, {359.9, "N"}, {360, "N"},   {-45, "NW"}, {720 + 90, "E"}};
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++)
        assert_string_equal(geo_compass_point(points[i].bearing), points[i].point);
}

static void test_destination_goes_where_it_says(void **state)
{
    (void)state;
    struct geo_point east = geo_destination(paris, 90, 10000);
    assert_near(geo_distance_m(paris, east), 10000, 0.01);
    assert_near(east.lat, paris.lat, 0.001); /* a great circle bends a little north */
    struct geo_point north = geo_destination(paris, 0, 1500);
    assert_near(north.lon, paris.lon, 1e-9);
    assert_near(geo_distance_m(paris, north), 1500, 0.001);
    struct geo_point towards =
        geo_destination(paris, geo_bearing_deg(paris, brussels), geo_distance_m(paris, brussels));
    assert_near(towards.lat, brussels.lat, 1e-6);
    assert_near(towards.lon, brussels.lon, 1e-6);
    /* Across the antimeridian the longitude wraps. */
    struct geo_point fiji = geo_destination((struct geo_point){-17.7, 179.9}, 90, 50000);
    assert_true(fiji.lon < -179.0 && fiji.lon > -180.0);
}

static void test_box_holds_the_circle(void **state)
{
    (void)state;
    struct geo_box box = geo_box_around(paris, 3000);
    for (int bearing = 0; bearing < 360; bearing += 5) {
        struct geo_point edge = geo_destination(paris, bearing, 2999.9);
        assert_true(edge.lat >= box.min_lat && edge.lat <= box.max_lat);
        assert_true(edge.lon >= box.min_lon && edge.lon <= box.max_lon);
    }
    /* Tight: the box is no wider than the circle by more than a metre. */
    struct geo_point corner_east = {paris.lat, box.max_lon};
    assert_near(geo_distance_m(paris, corner_east), 3000, 5);
    /* Near the pole and across the antimeridian: every longitude. */
    struct geo_box polar = geo_box_around((struct geo_point){89.99, 0}, 5000);
    assert_near(polar.min_lon, -180, 0);
    assert_near(polar.max_lat, 90, 0);
    struct geo_box dateline = geo_box_around((struct geo_point){-17.7, 179.99}, 5000);
    assert_near(dateline.min_lon, -180, 0);
    assert_near(dateline.max_lon, 180, 0);
}

static void test_projection_is_metric_near_the_centre(void **state)
{
    (void)state;
    struct geo_projection projection;
    geo_projection_init(&projection, paris);
    double east, north;
    geo_project(&projection, paris, &east, &north);
    assert_near(east, 0, 1e-9);
    assert_near(north, 0, 1e-9);
    /* 1 km north and 1 km east land within a metre of (0, 1000), (1000, 0). */
    geo_project(&projection, geo_destination(paris, 0, 1000), &east, &north);
    assert_near(east, 0, 1);
    assert_near(north, 1000, 1);
    geo_project(&projection, geo_destination(paris, 90, 1000), &east, &north);
    assert_near(east, 1000, 1);
    assert_near(north, 0, 1);
    /* 10 km away the error stays below 0.5% (20 m of 10 km at this
     * latitude), well inside one dot of a view that wide. */
    struct geo_point far = geo_destination(paris, 45, 10000);
    geo_project(&projection, far, &east, &north);
    assert_near(hypot(east, north), 10000, 50);
    struct geo_point back = geo_unproject(&projection, east, north);
    assert_near(back.lat, far.lat, 1e-9);
    assert_near(back.lon, far.lon, 1e-9);
}

static void test_decimal_and_dms_text(void **state)
{
    (void)state;
    char text[GEO_TEXT_SIZE];
    geo_format_decimal(notre_dame, text);
    assert_string_equal(text, "48.85669, 2.35089");
    geo_format_dms(notre_dame, text);
    assert_string_equal(text, "48\u00B051'24.1\"N 2\u00B021'03.2\"E");
    geo_format_dms((struct geo_point){-33.8688, 151.2093}, text);
    assert_string_equal(text, "33\u00B052'07.7\"S 151\u00B012'33.5\"E");
    geo_format_decimal((struct geo_point){-33.8688, -0.000001}, text);
    assert_string_equal(text, "-33.86880, 0.00000");
    /* 0.999999° is 59.9964": rounded to a tenth it carries into a degree. */
    geo_format_dms((struct geo_point){0.999999, -70.5}, text);
    assert_string_equal(text, "1\u00B000'00.0\"N 70\u00B030'00.0\"W");
}

/* LC_NUMERIC set to French; a machine without that locale compiled gets
 * it compiled into a temporary directory (glibc's localedef). */
static bool french_numbers(void)
{
    if (setlocale(LC_NUMERIC, "fr_FR.UTF-8"))
        return true;
    char dir[] = "/tmp/vigie-locale.XXXXXX", command[256];
    if (!mkdtemp(dir))
        return false;
    snprintf(command, sizeof command, "localedef -i fr_FR -f UTF-8 %s/fr_FR.UTF-8 >/dev/null 2>&1",
             dir);
    bool made = system(command) == 0;
    setenv("LOCPATH", dir, 1);
    bool set = made && setlocale(LC_NUMERIC, "fr_FR.UTF-8") != NULL;
    snprintf(command, sizeof command, "rm -rf %s", dir); /* the locale stays loaded */
    if (system(command) != 0)
        fprintf(stderr, "# cannot remove %s\n", dir);
    return set;
}

static void test_text_does_not_follow_the_locale(void **state)
{
    (void)state;
    /* A French LC_NUMERIC writes 48,85 with printf: the forms must not. */
    if (!french_numbers())
        skip();
    char check[16];
    snprintf(check, sizeof check, "%.2f", 48.85);
    assert_string_equal(check, "48,85"); /* the locale is really in force */
    char text[GEO_TEXT_SIZE];
    struct geo_point point;
    geo_format_uri(notre_dame, 1500, text);
    assert_string_equal(text, "geo:48.856690,2.350889;u=1500");
    assert_true(geo_parse("48.85669, 2.35089", &point, NULL));
    assert_near(point.lat, 48.85669, 1e-9);
    setlocale(LC_NUMERIC, "C");
}

static void test_uri_and_osm_link(void **state)
{
    (void)state;
    char text[GEO_TEXT_SIZE];
    geo_format_uri(notre_dame, 1500, text);
    assert_string_equal(text, "geo:48.856690,2.350889;u=1500");
    geo_format_uri((struct geo_point){-33.8688, 151.2093}, 4.4, text);
    assert_string_equal(text, "geo:-33.868800,151.209300;u=4");
    geo_format_uri(notre_dame, 0, text);
    assert_string_equal(text, "geo:48.856690,2.350889");
    geo_format_osm(notre_dame, 14, text);
    assert_string_equal(text, "https://www.openstreetmap.org/?mlat=48.85669&mlon=2.35089"
                              "#map=14/48.85669/2.35089");
    geo_format_osm(notre_dame, 40, text);
    assert_non_null(strstr(text, "#map=19/"));
    /* A cell's 1.5 km circle: a district (zoom 14); a GPS fix: the street. */
    assert_int_equal(geo_osm_zoom_for_radius(1500, notre_dame.lat), 14);
    assert_int_equal(geo_osm_zoom_for_radius(5, notre_dame.lat), GEO_OSM_ZOOM_MAX);
    assert_int_equal(geo_osm_zoom_for_radius(5e6, notre_dame.lat), GEO_OSM_ZOOM_MIN);
}

static void assert_parses(const char *text, double lat, double lon)
{
    struct geo_point point = {0, 0};
    char error[GEO_ERROR_SIZE] = "";
    if (!geo_parse(text, &point, error))
        fail_msg("\"%s\" was refused: %s", text, error);
    /* A tenth of a second is 3 metres: the text's own precision. */
    if (fabs(point.lat - lat) > 1e-6 || fabs(point.lon - lon) > 1e-6)
        fail_msg("\"%s\" read as %.7f, %.7f, not %.7f, %.7f", text, point.lat, point.lon, lat, lon);
}

static void test_parse_typed_positions(void **state)
{
    (void)state;
    assert_parses("48.85669, 2.35089", 48.85669, 2.35089);
    assert_parses("  48.85669 2.35089  ", 48.85669, 2.35089);
    assert_parses("-33.8688;151.2093", -33.8688, 151.2093);
    assert_parses("+43.7009, -7", 43.7009, -7);
    assert_parses("48.85669N 2.35089E", 48.85669, 2.35089);
    assert_parses("48\u00B051'24.1\"N 2\u00B021'03.2\"E", 48 + 51 / 60.0 + 24.1 / 3600,
                  2 + 21 / 60.0 + 3.2 / 3600);
    /* Spaces, typographic marks, ASCII stand-ins, letters first, or the
     * longitude first when the letters say so. */
    assert_parses("48\u00B0 51\u2032 24.1\u2033 N, 2\u00B0 21\u2032 3.2\u2033 E",
                  48 + 51 / 60.0 + 24.1 / 3600, 2 + 21 / 60.0 + 3.2 / 3600);
    assert_parses("48d51'24.1\"N 2d21'03.2\"E", 48 + 51 / 60.0 + 24.1 / 3600,
                  2 + 21 / 60.0 + 3.2 / 3600);
    assert_parses("48\u00B051'24.1''N 2\u00B021'03.2''E", 48 + 51 / 60.0 + 24.1 / 3600,
                  2 + 21 / 60.0 + 3.2 / 3600);
    assert_parses("N 48\u00B051.402' E 2\u00B021.053'", 48 + 51.402 / 60, 2 + 21.053 / 60);
    assert_parses("2\u00B021'03.2\"E 48\u00B051'24.1\"N", 48 + 51 / 60.0 + 24.1 / 3600,
                  2 + 21 / 60.0 + 3.2 / 3600);
    assert_parses("33\u00B052'07.7\"S 151\u00B012'33.5\"E", -(33 + 52 / 60.0 + 7.7 / 3600),
                  151 + 12 / 60.0 + 33.5 / 3600);
    assert_parses("48\u00B051'N 2\u00B021'O", 48 + 51 / 60.0, -(2 + 21 / 60.0));
    assert_parses("48\u00B0N, 2\u00B0W", 48, -2);
    assert_parses("geo:48.856690,2.350889;u=1500", 48.85669, 2.350889);
    assert_parses("GEO:-33.8688,151.2093,40", -33.8688, 151.2093);
}

static void test_written_text_reads_back(void **state)
{
    (void)state;
    const struct geo_point points[] = {
        notre_dame, {-33.8688, 151.2093}, {43.7009, -7.2683}, {-0.5, -179.99}, {89.9, 0.0001}};
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        char text[GEO_TEXT_SIZE], error[GEO_ERROR_SIZE];
        struct geo_point back;
        geo_format_dms(points[i], text);
        assert_true(geo_parse(text, &back, error));
        /* Within half a tenth of a second: 1.5 m. */
        assert_true(geo_distance_m(points[i], back) < 1.6);
        geo_format_decimal(points[i], text);
        assert_true(geo_parse(text, &back, error));
        assert_true(geo_distance_m(points[i], back) < 1.0);
        geo_format_uri(points[i], 20, text);
        assert_true(geo_parse(text, &back, error));
        assert_true(geo_distance_m(points[i], back) < 0.1);
    }
}

static void assert_refused(const char *text, const char *reason)
{
    struct geo_point point = {1, 2};
    char error[GEO_ERROR_SIZE] = "";
    if (geo_parse(text, &point, error))
        fail_msg("\"%s\" was accepted as %f, %f", text, point.lat, point.lon);
    if (!strstr(error, reason))
        fail_msg("\"%s\" was refused with \"%s\", not with \"%s\"", text, error, reason);
    assert_true(point.lat == 1 && point.lon == 2); /* left alone */
}

static void test_bad_positions_are_refused_with_a_reason(void **state)
{
    (void)state;
    assert_refused("", "no position given");
    assert_refused("   ", "no position given");
    assert_refused("48.8566", "needs a latitude and a longitude");
    assert_refused("48.8566,", "needs a latitude and a longitude");
    assert_refused("95, 2", "latitude 95.00000 is out of range");
    assert_refused("48.85, 200.5", "longitude 200.50000 is out of range");
    assert_refused("-91 0", "latitude -91.00000 is out of range");
    assert_refused("Paris", "expected a number of degrees at \"Paris\"");
    assert_refused("48.85, two", "expected a number of degrees at \"two\"");
    assert_refused("48\u00B061'N 2\u00B0E", "minutes must be below 60");
    assert_refused("48\u00B051'60\"N 2\u00B0E", "seconds must be below 60");
    assert_refused("48.5\u00B030'N 2\u00B0E", "degrees with decimals cannot have minutes");
    assert_refused("48\u00B030.5'10\"N 2\u00B0E", "minutes with decimals cannot have seconds");
    assert_refused("-48N 2E", "either a sign or a hemisphere letter");
    assert_refused("48N 2S", "two latitudes");
    assert_refused("48E 2W", "two longitudes");
    assert_refused("48,8566 2,3522", "write decimals with a point");
    assert_refused("48.85 2.35 7", "unexpected \"7\" after the position");
    assert_refused("geo:48.85", "a geo: URI needs two numbers");
    assert_refused("48.8566, 2.3522 1234567890123456", "unexpected");
    assert_refused("1234567890123456, 2", "expected a number of degrees");
    /* NULL text and no error buffer are allowed. */
    struct geo_point point;
    assert_false(geo_parse(NULL, &point, NULL));
    assert_false(geo_parse("x", &point, NULL));
}

static void test_point_validity(void **state)
{
    (void)state;
    assert_true(geo_point_valid(paris));
    assert_true(geo_point_valid((struct geo_point){-90, 180}));
    assert_false(geo_point_valid((struct geo_point){90.0001, 0}));
    assert_false(geo_point_valid((struct geo_point){0, -180.0001}));
    assert_false(geo_point_valid((struct geo_point){NAN, 0}));
    assert_false(geo_point_valid((struct geo_point){0, INFINITY}));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distances_between_cities),
        cmocka_unit_test(test_bearings_and_compass_points),
        cmocka_unit_test(test_destination_goes_where_it_says),
        cmocka_unit_test(test_box_holds_the_circle),
        cmocka_unit_test(test_projection_is_metric_near_the_centre),
        cmocka_unit_test(test_decimal_and_dms_text),
        cmocka_unit_test(test_text_does_not_follow_the_locale),
        cmocka_unit_test(test_uri_and_osm_link),
        cmocka_unit_test(test_parse_typed_positions),
        cmocka_unit_test(test_written_text_reads_back),
        cmocka_unit_test(test_bad_positions_are_refused_with_a_reason),
        cmocka_unit_test(test_point_validity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
