/* Unit tests of what an operator types for a mass alert's circle: the
 * centre in every form the console reads (decimal degrees, degrees-
 * minutes-seconds with marks or with spaces only, "site N", "alarm N"),
 * the radius with or without its unit, and the sentences that refuse a
 * bad one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "console/geo_input.h"

/* Nice, place Masséna: 43°41'49.9"N 7°16'17.8"E. */
static const double nice_lat = 43 + 42 / 60.0 + 36.7 / 3600, nice_lon = 7 + 15 / 60.0 + 43.2 / 3600;

static void assert_point(const char *text, double lat, double lon)
{
    struct geo_input_centre centre;
    char error[GEO_ERROR_SIZE] = "";
    if (!geo_input_parse_centre(text, &centre, error))
        fail_msg("\"%s\" was refused: %s", text, error);
    assert_int_equal(centre.kind, GEO_INPUT_POINT);
    /* A tenth of a second is 3 metres: the text's own precision. */
    if (fabs(centre.point.lat - lat) > 1e-6 || fabs(centre.point.lon - lon) > 1e-6)
        fail_msg("\"%s\" read as %.7f, %.7f, not %.7f, %.7f", text, centre.point.lat,
                 centre.point.lon, lat, lon);
}

static void test_the_three_forms_of_the_brief(void **state)
{
    (void)state;
    assert_point("43.7102, 7.262", 43.7102, 7.262);
    assert_point("43\u00B042'36.7\"N 7\u00B015'43.2\"E", nice_lat, nice_lon);
    assert_point("N 43 42 36.7 E 7 15 43.2", nice_lat, nice_lon);
}

static void test_spaced_degrees_minutes_seconds(void **state)
{
    (void)state;
    assert_point("43 42 36.7 N 7 15 43.2 E", nice_lat, nice_lon);
    assert_point("n 43 42 36.7, e 7 15 43.2", nice_lat, nice_lon);
    assert_point("43 42 36.7 7 15 43.2", nice_lat, nice_lon);
    assert_point("N 43 42.612 E 7 15.72", 43 + 42.612 / 60, 7 + 15.72 / 60);
    assert_point("E 7 15 43.2 N 43 42 36.7", nice_lat, nice_lon);
    assert_point("S 33 52 7.7 E 151 12 33.5", -(33 + 52 / 60.0 + 7.7 / 3600),
                 151 + 12 / 60.0 + 33.5 / 3600);
    assert_point("48 51 24.1 N 2 21 3.2 W", 48 + 51 / 60.0 + 24.1 / 3600,
                 -(2 + 21 / 60.0 + 3.2 / 3600));
    assert_point("-33 52 7.7 151 12 33.5", -(33 + 52 / 60.0 + 7.7 / 3600),
                 151 + 12 / 60.0 + 33.5 / 3600);
}

static void assert_centre_refused(const char *text, const char *reason)
{
    struct geo_input_centre centre = {.kind = GEO_INPUT_SITE, .id = 7};
    char error[GEO_ERROR_SIZE] = "";
    if (geo_input_parse_centre(text, &centre, error))
        fail_msg("\"%s\" was accepted", text);
    if (!strstr(error, reason))
        fail_msg("\"%s\" was refused with \"%s\", not with \"%s\"", text, error, reason);
    assert_int_equal(centre.id, 7); /* left alone */
}

static void test_bad_centres_are_refused_with_a_reason(void **state)
{
    (void)state;
    assert_centre_refused("", "no position given");
    assert_centre_refused("N 43 61 36.7 E 7 15 43.2", "minutes must be below 60");
    assert_centre_refused("N 43 42 60 E 7 15 43.2", "seconds must be below 60");
    assert_centre_refused("N 95 42 36.7 E 7 15 43.2", "out of range");
    assert_centre_refused("43.7102, 190", "longitude 190.00000 is out of range");
    assert_centre_refused("Nice", "expected a number of degrees");
    assert_centre_refused("43,7102 7,262", "write decimals with a point");
    assert_centre_refused("N 43 42 36.7 N 7 15 43.2", "two latitudes");
    assert_centre_refused("site", "expected a number of degrees");
    assert_centre_refused("site 0", "expected a number of degrees");
}

static void test_sites_and_alarms(void **state)
{
    (void)state;
    struct geo_input_centre centre;
    assert_true(geo_input_parse_centre("site 12", &centre, NULL));
    assert_int_equal(centre.kind, GEO_INPUT_SITE);
    assert_int_equal(centre.id, 12);
    assert_true(geo_input_parse_centre(" Site #40 ", &centre, NULL));
    assert_int_equal(centre.kind, GEO_INPUT_SITE);
    assert_int_equal(centre.id, 40);
    assert_true(geo_input_parse_centre("alarm 3", &centre, NULL));
    assert_int_equal(centre.kind, GEO_INPUT_ALARM);
    assert_int_equal(centre.id, 3);
    assert_true(geo_input_parse_centre("alarme 9", &centre, NULL));
    assert_int_equal(centre.kind, GEO_INPUT_ALARM);
    assert_int_equal(centre.id, 9);
}

static void assert_radius(const char *text, double metres)
{
    double value = -1;
    char error[GEO_ERROR_SIZE] = "";
    if (!geo_input_parse_radius(text, &value, error))
        fail_msg("\"%s\" was refused: %s", text, error);
    if (fabs(value - metres) > 1e-9)
        fail_msg("\"%s\" read as %f m, not %f", text, value, metres);
}

static void assert_radius_refused(const char *text, const char *reason)
{
    double value = 42;
    char error[GEO_ERROR_SIZE] = "";
    if (geo_input_parse_radius(text, &value, error))
        fail_msg("\"%s\" was accepted as %f", text, value);
    if (!strstr(error, reason))
        fail_msg("\"%s\" was refused with \"%s\", not with \"%s\"", text, error, reason);
    assert_true(value == 42);
}

static void test_radius(void **state)
{
    (void)state;
    assert_radius("800", 800);
    assert_radius("800 m", 800);
    assert_radius("800m", 800);
    assert_radius("3 km", 3000);
    assert_radius("3KM", 3000);
    assert_radius("2.5 km", 2500);
    assert_radius("2,5 km", 2500);
    assert_radius(" 30 km", 30000);
    assert_radius("200 km", 200000);
    assert_radius_refused("0", "between 1 m and 200 km");
    assert_radius_refused("0 km", "between 1 m and 200 km");
    assert_radius_refused("201 km", "between 1 m and 200 km");
    assert_radius_refused("3 miles", "unknown unit \"miles\"");
    assert_radius_refused("far", "expected a radius such as 800 m");
    assert_radius_refused("", "expected a radius");
    assert_radius_refused("1.2.3 km", "is not a number");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_three_forms_of_the_brief),
        cmocka_unit_test(test_spaced_degrees_minutes_seconds),
        cmocka_unit_test(test_bad_centres_are_refused_with_a_reason),
        cmocka_unit_test(test_sites_and_alarms),
        cmocka_unit_test(test_radius),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
