/* GET /v1/places: what an operator sees beside an alarm on the map. Around
 * a point, the police stations, sites and agents come nearest first with
 * their distance and bearing; the radius is a true circle (not the box of
 * the spatial index); the limit keeps the nearest of each kind; the index
 * follows the tables when a station moves or closes; a centre beside the
 * antimeridian still finds its neighbours; the demo dataset has a police
 * station near every town; and bad parameters get a 400 that says why. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"
#include "tests/lib/harness.h"
#include "tests/lib/harness_devices.h"

#define PASSWORD "map-room-7"

/* The alarm: the Place de la République, Paris. */
static const struct geo_point centre = {48.86745, 2.36322};

struct story {
    struct world *world;
    const char *operator;
};

static struct world *template;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    return template && world_add_user(template, "night-op", "operator", PASSWORD) &&
                   world_add_user(template, "watch", "supervisor", PASSWORD)
               ? 0
               : -1;
}

static int template_down(void **state)
{
    (void)state;
    return world_destroy(template) ? 0 : -1;
}

static int world_down(void **state)
{
    struct story *story = *state;
    bool clean = story ? world_destroy(story->world) : true;
    free(story);
    *state = NULL;
    return clean ? 0 : -1;
}

static int world_up(void **state)
{
    struct story *story = calloc(1, sizeof *story);
    *state = story;
    if (story && (story->world = world_clone(template)) && world_start(story->world) &&
        (story->operator= login(story->world, "night-op", PASSWORD)))
        return 0;
    world_down(state);
    return -1;
}

/* ---- the places, put where the test says (bearing, metres from centre) ---- */

static struct geo_point at(double bearing, double metres)
{
    return geo_destination(centre, bearing, metres);
}

static void add_station(struct world *world, const char *name, const char *service,
                        struct geo_point point)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO police_stations(name, service, address, city, phone, lat, lon)"
             " VALUES('%s', '%s', '1 Rue du Test', '75003 Paris', '+33199000001', %.9f, %.9f)",
             name, service, point.lat, point.lon);
    assert_true(world_sql(world, NULL, sql));
}

static void add_site(struct world *world, const char *name, struct geo_point point)
{
    int64_t id = world_add_site(world, name, "75010 Paris");
    assert_true(id > 0);
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE sites SET lat = %.9f, lon = %.9f WHERE id = %lld", point.lat,
             point.lon, (long long)id);
    assert_true(world_sql(world, NULL, sql));
}

static void add_agent(struct world *world, const char *name, struct geo_point point)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO agents(ext_id, name, phone, lat, lon) VALUES('%s', '%s', '+33639980001',"
             " %.9f, %.9f)",
             name, name, point.lat, point.lon);
    assert_true(world_sql(world, NULL, sql));
}

/* GET /v1/places with `query` after the centre's coordinates; the answer,
 * owned by the world. */
static cJSON *places(struct story *story, const char *query, long expected_status)
{
    char path[512];
    snprintf(path, sizeof path, "/v1/places?lat=%.6f&lon=%.6f&%s", centre.lat, centre.lon, query);
    long status = 0;
    cJSON *json = NULL;
    assert_true(http_request(story->world, "GET", path, story->operator, NULL, &status, &json));
    if (status != expected_status)
        fail_msg("GET %s: HTTP %ld, not %ld", path, status, expected_status);
    return json; /* the world owns it */
}

static const char *place_name(const cJSON *answer, int index)
{
    char path[64];
    snprintf(path, sizeof path, "places.%d.name", index);
    return json_string(answer, path);
}

static double place_number(const cJSON *answer, int index, const char *field)
{
    char path[64];
    snprintf(path, sizeof path, "places.%d.%s", index, field);
    const cJSON *item = json_get(answer, path);
    assert_true(cJSON_IsNumber(item));
    return item->valuedouble;
}

static void assert_place(const cJSON *answer, int index, const char *kind, const char *name,
                         double bearing, double metres, const char *compass)
{
    char path[64];
    snprintf(path, sizeof path, "places.%d.kind", index);
    if (!json_string(answer, path) || strcmp(json_string(answer, path), kind) != 0 ||
        !place_name(answer, index) || strcmp(place_name(answer, index), name) != 0)
        fail_msg("place %d is %s \"%s\", not %s \"%s\"", index, json_string(answer, path),
                 place_name(answer, index), kind, name);
    /* The server measures on the same sphere: a decimetre of rounding. */
    assert_true(fabs(place_number(answer, index, "distance_m") - metres) < 0.2);
    assert_true(fabs(place_number(answer, index, "bearing_deg") - bearing) < 0.2);
    snprintf(path, sizeof path, "places.%d.compass", index);
    assert_string_equal(json_string(answer, path), compass);
}

static void put_the_neighbourhood(struct world *world)
{
    add_station(world, "Commissariat du 3e", "police", at(45, 300));
    add_station(world, "Commissariat du 10e", "police", at(180, 1200));
    add_station(world, "Commissariat du 20e", "police", at(270, 2500));
    add_station(world, "Brigade de Montreuil", "gendarmerie", at(100, 1990));
    add_station(world, "Brigade de Bagnolet", "gendarmerie", at(100, 2010));
    add_site(world, "Bijouterie République", at(90, 800));
    add_agent(world, "Agent Moreau", at(0, 150));
}

/* ---- the stories ---- */

static void test_nearest_first_with_distance_and_bearing(void **state)
{
    struct story *story = *state;
    put_the_neighbourhood(story->world);
    cJSON *answer = places(story, "radius_m=2000", 200);
    assert_int_equal(json_count(answer, "places"), 5);
    assert_place(answer, 0, "agent", "Agent Moreau", 0, 150, "N");
    assert_place(answer, 1, "police", "Commissariat du 3e", 45, 300, "NE");
    assert_place(answer, 2, "site", "Bijouterie République", 90, 800, "E");
    assert_place(answer, 3, "police", "Commissariat du 10e", 180, 1200, "S");
    assert_place(answer, 4, "police", "Brigade de Montreuil", 100, 1990, "E");
    /* What a map needs to draw and call. */
    assert_string_equal(json_string(answer, "places.1.service"), "police");
    assert_string_equal(json_string(answer, "places.1.phone"), "+33199000001");
    assert_string_equal(json_string(answer, "places.1.address"), "1 Rue du Test, 75003 Paris");
    assert_string_equal(json_string(answer, "places.4.service"), "gendarmerie");
    assert_true(json_is_null(answer, "places.2.service"));
    assert_true(fabs(place_number(answer, 1, "lat") - at(45, 300).lat) < 1e-7);
    assert_int_equal(json_int(answer, "found.police"), 3);
    assert_int_equal(json_int(answer, "found.site"), 1);
    assert_int_equal(json_int(answer, "found.agent"), 1);
    assert_false(cJSON_IsTrue(json_get(answer, "truncated")));
    assert_int_equal(json_int(answer, "radius_m"), 2000);
}

static void test_radius_is_a_circle_not_a_box(void **state)
{
    struct story *story = *state;
    put_the_neighbourhood(story->world);
    /* 1990 m east-south-east is in, 2010 m is out; 2500 m west is out. */
    cJSON *answer = places(story, "radius_m=2000&kinds=police", 200);
    assert_int_equal(json_count(answer, "places"), 3);
    assert_string_equal(place_name(answer, 2), "Brigade de Montreuil");
    /* A station in the corner of the search box (1.3 x radius away to the
     * north-east) is within the box but not the circle. */
    add_station(story->world, "Commissariat du coin", "police", at(45, 2000 * 1.3));
    answer = places(story, "radius_m=2000&kinds=police", 200);
    assert_int_equal(json_count(answer, "places"), 3);
    answer = places(story, "radius_m=3000&kinds=police", 200);
    assert_int_equal(json_count(answer, "places"), 6);
    assert_string_equal(place_name(answer, 5), "Commissariat du coin");
    answer = places(story, "radius_m=100", 200);
    assert_int_equal(json_count(answer, "places"), 0);
    assert_int_equal(json_int(answer, "found.police"), 0);
}

static void test_kinds_and_limit_keep_the_nearest(void **state)
{
    struct story *story = *state;
    put_the_neighbourhood(story->world);
    cJSON *answer = places(story, "radius_m=5000&kinds=police&limit=2", 200);
    assert_int_equal(json_count(answer, "places"), 2);
    assert_string_equal(place_name(answer, 0), "Commissariat du 3e");
    assert_string_equal(place_name(answer, 1), "Commissariat du 10e");
    assert_int_equal(json_int(answer, "found.police"), 5);
    assert_true(cJSON_IsTrue(json_get(answer, "truncated")));
    assert_null(json_get(answer, "found.site")); /* not asked */
    /* The limit is per kind: the agent and the site still come. */
    answer = places(story, "radius_m=5000&kinds=site,agent,police&limit=1", 200);
    assert_int_equal(json_count(answer, "places"), 3);
    assert_string_equal(place_name(answer, 0), "Agent Moreau");
    assert_string_equal(place_name(answer, 1), "Commissariat du 3e");
    assert_string_equal(place_name(answer, 2), "Bijouterie République");
    answer = places(story, "radius_m=5000&kinds=site", 200);
    assert_int_equal(json_count(answer, "places"), 1);
}

static void test_the_index_follows_the_tables(void **state)
{
    struct story *story = *state;
    put_the_neighbourhood(story->world);
    /* The nearest station moves 5 km away, a site is moved next door,
     * the agent leaves the registry. */
    struct geo_point far = at(45, 5000), near = at(200, 50);
    char sql[512];
    snprintf(sql, sizeof sql,
             "UPDATE police_stations SET lat = %.9f, lon = %.9f WHERE name = 'Commissariat du 3e';"
             "UPDATE sites SET lat = %.9f, lon = %.9f WHERE name = 'Bijouterie République';"
             "DELETE FROM agents WHERE name = 'Agent Moreau';",
             far.lat, far.lon, near.lat, near.lon);
    assert_true(world_sql(story->world, NULL, sql));
    cJSON *answer = places(story, "radius_m=2000", 200);
    assert_int_equal(json_count(answer, "places"), 3);
    assert_place(answer, 0, "site", "Bijouterie République", 200, 50, "S");
    assert_place(answer, 1, "police", "Commissariat du 10e", 180, 1200, "S");
    /* A site whose position is unknown is in no search. */
    assert_true(world_sql(story->world, NULL,
                          "UPDATE sites SET lat = NULL, lon = NULL"
                          " WHERE name = 'Bijouterie République';"
                          "DELETE FROM police_stations WHERE name = 'Commissariat du 10e'"));
    answer = places(story, "radius_m=2000", 200);
    assert_int_equal(json_count(answer, "places"), 1);
    assert_string_equal(place_name(answer, 0), "Brigade de Montreuil");
}

static void test_across_the_antimeridian(void **state)
{
    struct story *story = *state;
    /* Taveuni, Fiji: the 180th meridian crosses the island. */
    add_station(story->world, "Waiyevo Police Post", "police", (struct geo_point){-16.79, -179.99});
    char path[256];
    snprintf(path, sizeof path, "/v1/places?lat=-16.79&lon=179.99&radius_m=5000");
    long status = 0;
    cJSON *answer = NULL;
    assert_true(http_request(story->world, "GET", path, story->operator, NULL, &status, &answer));
    assert_int_equal(status, 200);
    assert_int_equal(json_count(answer, "places"), 1);
    assert_string_equal(place_name(answer, 0), "Waiyevo Police Post");
    assert_true(place_number(answer, 0, "distance_m") < 2200);
    assert_string_equal(json_string(answer, "places.0.compass"), "E");
}

static void assert_refused(struct story *story, const char *query, const char *code,
                           const char *words)
{
    char path[512];
    snprintf(path, sizeof path, "/v1/places?%s", query);
    long status = 0;
    cJSON *answer = NULL;
    assert_true(http_request(story->world, "GET", path, story->operator, NULL, &status, &answer));
    const char *message = json_string(answer, "error.message");
    if (status != 400 || !json_string(answer, "error.code") ||
        strcmp(json_string(answer, "error.code"), code) != 0 || !message || !strstr(message, words))
        fail_msg("GET %s: HTTP %ld %s \"%s\", not 400 %s \"...%s...\"", path, status,
                 json_string(answer, "error.code"), message ? message : "", code, words);
}

static void test_bad_parameters_get_a_400_that_says_why(void **state)
{
    struct story *story = *state;
    assert_refused(story, "lon=2.36&radius_m=500", "missing_parameter", "\"lat\"");
    assert_refused(story, "lat=48.86&radius_m=500", "missing_parameter", "\"lon\"");
    assert_refused(story, "lat=48.86&lon=2.36", "missing_parameter", "\"radius_m\"");
    assert_refused(story, "lat=91&lon=2.36&radius_m=500", "bad_parameter", "\"lat\"");
    assert_refused(story, "lat=48.86&lon=-180.5&radius_m=500", "bad_parameter", "\"lon\"");
    assert_refused(story, "lat=48%2C86&lon=2.36&radius_m=500", "bad_parameter", "\"lat\"");
    assert_refused(story, "lat=48.86&lon=east&radius_m=500", "bad_parameter", "\"lon\"");
    assert_refused(story, "lat=48.86&lon=2.36&radius_m=0", "bad_parameter", "\"radius_m\"");
    assert_refused(story, "lat=48.86&lon=2.36&radius_m=200001", "bad_parameter", "200000");
    assert_refused(story, "lat=48.86&lon=2.36&radius_m=1.5", "bad_parameter", "\"radius_m\"");
    assert_refused(story, "lat=48.86&lon=2.36&radius_m=500&kinds=hospital", "bad_parameter",
                   "\"hospital\"");
    assert_refused(story, "lat=48.86&lon=2.36&radius_m=500&kinds=", "bad_parameter", "kinds");
    assert_refused(story, "lat=48.86&lon=2.36&radius_m=500&kinds=,,", "bad_parameter", "kinds");
    assert_refused(story, "lat=48.86&lon=2.36&radius_m=500&limit=0", "bad_parameter", "\"limit\"");
    assert_refused(story, "lat=48.86&lon=2.36&radius_m=500&limit=201", "bad_parameter", "200");
    /* Without a session: nothing. */
    long status = 0;
    cJSON *answer = NULL;
    assert_true(http_request(story->world, "GET", "/v1/places?lat=48.86&lon=2.36&radius_m=500",
                             NULL, NULL, &status, &answer));
    assert_int_equal(status, 401);
}

/* The demo: around the Opera head office's panel, a supervisor (read-only)
 * finds the 8th arrondissement's police station first, with its number. */
static void test_demo_has_a_station_near_each_site(void **state)
{
    (void)state;
    struct world *world = world_create();
    assert_non_null(world);
    assert_non_null(world_load_demo(world));
    assert_true(world_add_user(world, "watch", "supervisor", PASSWORD));
    assert_true(world_start(world));
    const char *token = login(world, "watch", PASSWORD);
    assert_non_null(token);
    int64_t sites = world_sql_int(world, NULL, "SELECT count(*) FROM sites");
    assert_true(sites > 10);
    int64_t without =
        world_sql_int(world, NULL,
                      "SELECT count(*) FROM sites s WHERE NOT EXISTS("
                      " SELECT 1 FROM police_stations p"
                      " WHERE abs(p.lat - s.lat) < 0.05 AND abs(p.lon - s.lon) < 0.07)");
    assert_int_equal(without, 0); /* every demo site has a station within a few km */
    char path[256];
    snprintf(path, sizeof path, "/v1/places?lat=48.8738&lon=2.3106&radius_m=3000&kinds=police");
    long status = 0;
    cJSON *answer = NULL;
    assert_true(http_request(world, "GET", path, token, NULL, &status, &answer));
    assert_int_equal(status, 200);
    assert_string_equal(json_string(answer, "places.0.name"),
                        "Commissariat central du 8e arrondissement");
    assert_string_equal(json_string(answer, "places.0.phone"), "+33199000108");
    assert_true(json_int(answer, "found.police") >= 2);
    assert_true(world_destroy(world));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_nearest_first_with_distance_and_bearing, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_radius_is_a_circle_not_a_box, world_up, world_down),
        cmocka_unit_test_setup_teardown(test_kinds_and_limit_keep_the_nearest, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_the_index_follows_the_tables, world_up, world_down),
        cmocka_unit_test_setup_teardown(test_across_the_antimeridian, world_up, world_down),
        cmocka_unit_test_setup_teardown(test_bad_parameters_get_a_400_that_says_why, world_up,
                                        world_down),
        cmocka_unit_test(test_demo_has_a_station_near_each_site),
    };
    return cmocka_run_group_tests(tests, template_up, template_down);
}
