/* The agents' registry through the API, on the demo's registry. An
 * administrator adds an agent as his employer wrote his number and hours,
 * fixes a typo, vets him and sees the next dry run count him; withdraws a
 * site's validation and its agents drop out; removes an agent. Operators
 * and supervisors read the registry and change nothing. And the demo
 * itself: a few thousand agents around Paris, Nice and Brussels, so that
 * the three scenarios of the mass alert (800 m in Nice, 3 km around a
 * hit-and-run, 30 km around an attack) answer with agents selected and
 * agents left out for every reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/demo_agents.h"
#include "tests/lib/harness.h"
#include "tests/lib/harness_devices.h"

#define PASSWORD "registry-keeper-42"

/* A point with no demo agent within kilometres (the Vercors, near
 * Grenoble): the agents a test adds there are the only ones in a small
 * circle. */
#define LONELY_LAT 45.0500
#define LONELY_LON 5.5500

struct story {
    struct world *world;
    const char *admin, *operator, * supervisor;
};

static struct world *template;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    if (!template || !world_load_demo(template) ||
        !world_add_user(template, "registrar", "admin", PASSWORD) ||
        !world_add_user(template, "night-op", "operator", PASSWORD) ||
        !world_add_user(template, "chief", "supervisor", PASSWORD))
        return -1;
    return 0;
}

static int template_down(void **state)
{
    (void)state;
    return world_destroy(template) ? 0 : -1;
}

static int story_up(void **state)
{
    struct story *story = calloc(1, sizeof *story);
    *state = story;
    if (!story || !(story->world = world_clone(template)) || !world_start(story->world))
        return -1;
    story->admin = login(story->world, "registrar", PASSWORD);
    story->operator= login(story->world, "night-op", PASSWORD);
    story->supervisor = login(story->world, "chief", PASSWORD);
    return story->admin && story->operator&& story->supervisor ? 0 : - 1;
}

static int story_down(void **state)
{
    struct story *story = *state;
    bool clean = story ? world_destroy(story->world) : true;
    free(story);
    return clean ? 0 : -1;
}

static cJSON *call(struct story *story, const char *method, const char *path, const char *token,
                   const char *body, long expected)
{
    long status = 0;
    cJSON *answer = NULL;
    assert_true(http_request(story->world, method, path, token, body, &status, &answer));
    if (status != expected)
        fail_msg("%s %s: status %ld, expected %ld: %s", method, path, status, expected,
                 answer ? cJSON_PrintUnformatted(answer) : "");
    return answer; /* the world keeps and frees every reply */
}

static cJSON *dry_run(struct story *story, double lat, double lon, double radius_m,
                      const char *channels)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"area\":{\"circle\":{\"lat\":%.6f,\"lon\":%.6f,\"radius_m\":%g}},"
             "\"message\":\"NE QUITTEZ PAS VOTRE SITE\",\"channels\":%s,\"dry_run\":true}",
             lat, lon, radius_m, channels);
    return call(story, "POST", "/v1/massalerts", story->operator, body, 200);
}

static void expect_every_reason(struct story *story, double lat, double lon, double radius_m)
{
    cJSON *all = dry_run(story, lat, lon, radius_m, "[\"sms\",\"email\",\"voice\",\"push\"]");
    if (json_int(all, "recipients") <= 0 || json_int(all, "channels.sms") <= 0 ||
        json_int(all, "channels.email") <= 0 || json_int(all, "channels.voice") <= 0 ||
        json_int(all, "excluded.not_vetted") <= 0 ||
        json_int(all, "excluded.site_not_validated") <= 0 ||
        json_int(all, "excluded.off_duty") <= 0)
        fail_msg("%g m around %.4f,%.4f: %s", radius_m, lat, lon, cJSON_PrintUnformatted(all));
    /* By e-mail only, the agents on duty without an address are left out
     * as unreachable. */
    cJSON *mail = dry_run(story, lat, lon, radius_m, "[\"email\"]");
    if (json_int(mail, "recipients") <= 0 || json_int(mail, "excluded.no_contact") <= 0)
        fail_msg("%g m, e-mail: %s", radius_m, cJSON_PrintUnformatted(mail));
    assert_true(json_int(all, "recipients") > json_int(mail, "recipients"));
}

static void test_the_demo_answers_the_three_scenarios_with_every_reason(void **state)
{
    struct story *story = *state;
    struct world *world = story->world;
    /* The same registry on every run: the generator has a fixed seed. */
    int64_t agents = world_sql_int(world, NULL, "SELECT COUNT(*) FROM agents");
    assert_int_equal(agents, 2931);
    assert_int_equal(world_sql_int(world, NULL, "SELECT COUNT(*) FROM agents WHERE vetted"), 2642);
    assert_true(world_sql_int(world, NULL,
                              "SELECT COUNT(*) FROM sites s JOIN clients c ON c.id = s.client_id"
                              " WHERE c.kind = 'registry'") > 150);
    /* Numbers in E.164, French or Belgian; addresses only on reserved
     * example domains; every duty readable (the dry run would call an
     * unreadable one off duty, silently). */
    assert_int_equal(world_sql_int(world, NULL,
                                   "SELECT COUNT(*) FROM agents WHERE phone IS NOT NULL AND"
                                   " phone NOT GLOB '+33[1-9]*' AND phone NOT GLOB '+32[1-9]*'"),
                     0);
    assert_int_equal(world_sql_int(world, NULL,
                                   "SELECT COUNT(*) FROM agents WHERE email IS NOT NULL AND"
                                   " email NOT LIKE '%.example'"),
                     0);
    assert_true(world_sql_int(world, NULL, "SELECT COUNT(*) FROM agents WHERE email IS NULL") >
                100);
    assert_int_equal(world_sql_int(world, NULL,
                                   "SELECT COUNT(*) FROM agents WHERE phone IS NOT NULL AND"
                                   " phone_kind IS NULL"),
                     0);
    assert_true(
        world_sql_int(world, NULL, "SELECT COUNT(*) FROM agents WHERE duty = 'Mo-Su 19:00-07:00'") >
        100);
    /* The demo writes its numbers without parsing them: libphonenumber,
     * through the API, must read each kind of them back as they are. */
    static const char *const kinds[] = {"+33600%", "+3319900%", "+32470%", "+3222%"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char sql[160], body[256];
        snprintf(sql, sizeof sql, "SELECT MIN(id) FROM agents WHERE phone LIKE '%s'", kinds[i]);
        char path[64];
        snprintf(path, sizeof path, "/v1/agents/%lld", (long long)world_sql_int(world, NULL, sql));
        cJSON *demo = call(story, "GET", path, story->operator, NULL, 200);
        snprintf(body, sizeof body, "{\"ext_id\":\"CHK-%zu\",\"name\":\"Check\",\"phone\":\"%s\"}",
                 i, json_string(demo, "phone"));
        cJSON *check = call(story, "POST", "/v1/agents", story->admin, body, 201);
        assert_string_equal(json_string(check, "phone"), json_string(demo, "phone"));
        assert_string_equal(json_string(check, "phone_kind"), json_string(demo, "phone_kind"));
    }
    expect_every_reason(story, DEMO_SCENARIO_AGGRESSION_LAT, DEMO_SCENARIO_AGGRESSION_LON,
                        DEMO_SCENARIO_AGGRESSION_RADIUS_M);
    expect_every_reason(story, DEMO_SCENARIO_HIT_AND_RUN_LAT, DEMO_SCENARIO_HIT_AND_RUN_LON,
                        DEMO_SCENARIO_HIT_AND_RUN_RADIUS);
    expect_every_reason(story, DEMO_SCENARIO_ATTACK_LAT, DEMO_SCENARIO_ATTACK_LON,
                        DEMO_SCENARIO_ATTACK_RADIUS_M);
}

static void test_the_list_around_a_point_is_nearest_first_and_paged(void **state)
{
    struct story *story = *state;
    char path[256];
    snprintf(path, sizeof path, "/v1/agents?lat=%.4f&lon=%.4f&radius_m=%d&limit=50",
             DEMO_SCENARIO_AGGRESSION_LAT, DEMO_SCENARIO_AGGRESSION_LON,
             DEMO_SCENARIO_AGGRESSION_RADIUS_M);
    cJSON *page = call(story, "GET", path, story->supervisor, NULL, 200);
    int64_t total = json_int(page, "total");
    assert_true(total > 50);
    assert_int_equal(json_count(page, "agents"), 50);
    double previous = -1;
    const cJSON *agent;
    cJSON_ArrayForEach(agent, json_get(page, "agents"))
    {
        double distance = json_get(agent, "distance_m")->valuedouble;
        assert_true(distance >= previous && distance <= DEMO_SCENARIO_AGGRESSION_RADIUS_M);
        previous = distance;
    }
    /* The same count as the dry run's: the same index, the same circle. */
    cJSON *count = dry_run(story, DEMO_SCENARIO_AGGRESSION_LAT, DEMO_SCENARIO_AGGRESSION_LON,
                           DEMO_SCENARIO_AGGRESSION_RADIUS_M, "[\"sms\"]");
    assert_int_equal(json_int(count, "in_area"), total);
    /* The last page. */
    snprintf(path, sizeof path, "/v1/agents?lat=%.4f&lon=%.4f&radius_m=%d&limit=50&offset=%lld",
             DEMO_SCENARIO_AGGRESSION_LAT, DEMO_SCENARIO_AGGRESSION_LON,
             DEMO_SCENARIO_AGGRESSION_RADIUS_M, (long long)(total - 3));
    assert_int_equal(json_count(call(story, "GET", path, story->operator, NULL, 200), "agents"), 3);
    /* A site's agents, by id. */
    cJSON *first = json_get(page, "agents")->child;
    snprintf(path, sizeof path, "/v1/agents?site_id=%lld&limit=500",
             (long long)json_int(first, "site.id"));
    cJSON *site = call(story, "GET", path, story->operator, NULL, 200);
    assert_true(json_count(site, "agents") >= 1);
    assert_int_equal(json_count(site, "agents"), json_int(site, "total"));
    /* Half a circle is a mistake. */
    cJSON *bad = call(story, "GET", "/v1/agents?lat=43.7&radius_m=800", story->operator, NULL, 400);
    assert_string_equal(json_string(bad, "error.code"), "missing_parameter");
    bad = call(story, "GET", "/v1/agents?limit=501", story->operator, NULL, 400);
    assert_string_equal(json_string(bad, "error.code"), "bad_parameter");
}

/* POST /v1/agents as the administrator; the new agent. */
static cJSON *add_lonely_agent(struct story *story, int64_t site_id)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"ext_id\":\"VX-1\",\"name\":\"Yanis Perrin\",\"site_id\":%lld,"
             "\"phone\":\"07 00 00 00 01\",\"email\":\"yanis.perrin@vercors-garde.example\","
             "\"lat\":%.4f,\"lon\":%.4f,\"duty\":\"Mo-Su 00:00-24:00\"}",
             (long long)site_id, LONELY_LAT, LONELY_LON);
    return call(story, "POST", "/v1/agents", story->admin, body, 201);
}

static void test_an_administrator_adds_fixes_vets_and_removes_an_agent(void **state)
{
    struct story *story = *state;
    struct world *world = story->world;
    int64_t site_id =
        world_sql_int(world, NULL, "SELECT MIN(id) FROM sites WHERE validated_at IS NOT NULL");
    cJSON *agent = add_lonely_agent(story, site_id);
    int64_t id = json_int(agent, "id");
    /* Stored as the network knows it, the hours in their canonical form. */
    assert_string_equal(json_string(agent, "phone"), "+33700000001");
    assert_string_equal(json_string(agent, "phone_kind"), "mobile");
    assert_string_equal(json_string(agent, "duty"), "24/7");
    assert_int_equal(json_int(agent, "site.id"), site_id);
    assert_false(cJSON_IsTrue(json_get(agent, "vetted")));
    assert_true(json_is_null(agent, "vetted_by"));
    /* Not vetted yet: the dry run counts him out, and says why. */
    cJSON *count = dry_run(story, LONELY_LAT, LONELY_LON, 200, "[\"sms\",\"email\"]");
    assert_int_equal(json_int(count, "recipients"), 0);
    assert_int_equal(json_int(count, "excluded.not_vetted"), 1);

    /* The administrator vets him: who and when are recorded. */
    char path[128];
    snprintf(path, sizeof path, "/v1/agents/%lld/vetting", (long long)id);
    agent = call(story, "POST", path, story->admin, "{\"vetted\":true}", 200);
    assert_true(cJSON_IsTrue(json_get(agent, "vetted")));
    assert_string_equal(json_string(agent, "vetted_by"), "registrar");
    assert_false(json_is_null(agent, "vetted_at"));
    count = dry_run(story, LONELY_LAT, LONELY_LON, 200, "[\"sms\",\"email\"]");
    assert_int_equal(json_int(count, "recipients"), 1);
    assert_int_equal(json_int(count, "channels.sms"), 1);
    assert_int_equal(json_int(count, "channels.email"), 1);

    /* A typo in the address: the change is audited by field name only. */
    snprintf(path, sizeof path, "/v1/agents/%lld", (long long)id);
    char body[512];
    snprintf(body, sizeof body,
             "{\"ext_id\":\"VX-1\",\"name\":\"Yanis Perrin\",\"site_id\":%lld,"
             "\"phone\":\"+33 7 00 00 00 01\",\"email\":\"y.perrin@vercors-garde.example\","
             "\"lat\":%.4f,\"lon\":%.4f,\"duty\":\"24/7\"}",
             (long long)site_id, LONELY_LAT, LONELY_LON);
    agent = call(story, "PUT", path, story->admin, body, 200);
    assert_string_equal(json_string(agent, "email"), "y.perrin@vercors-garde.example");
    assert_true(cJSON_IsTrue(json_get(agent, "vetted"))); /* an edit keeps the vetting */
    call(story, "PUT", path, story->admin, body, 200);    /* the same again: nothing written */
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM audit WHERE action = 'agent.change' AND object_id = %lld"
             " AND detail LIKE '%%\"fields\":[\"email\"]%%' AND detail NOT LIKE '%%perrin@%%'",
             (long long)id);
    assert_int_equal(world_sql_int(world, NULL, sql), 1);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM audit WHERE object_id = %lld AND object_type = 'agent'"
             " AND action IN ('agent.add', 'agent.vet', 'agent.change')",
             (long long)id);
    assert_int_equal(world_sql_int(world, NULL, sql), 3);

    /* Removed: gone from the registry and from the next count. */
    agent = call(story, "DELETE", path, story->admin, NULL, 200);
    assert_true(cJSON_IsTrue(json_get(agent, "deleted")));
    call(story, "GET", path, story->operator, NULL, 404);
    count = dry_run(story, LONELY_LAT, LONELY_LON, 200, "[\"sms\",\"email\"]");
    assert_int_equal(json_int(count, "in_area"), 0);
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM audit WHERE action = 'agent.delete' AND object_id = %lld",
             (long long)id);
    assert_int_equal(world_sql_int(world, NULL, sql), 1);
}

static void test_withdrawing_a_site_validation_leaves_its_agents_out(void **state)
{
    struct story *story = *state;
    int64_t site_id = world_sql_int(story->world, NULL,
                                    "SELECT MIN(id) FROM sites WHERE validated_at IS NOT NULL");
    cJSON *agent = add_lonely_agent(story, site_id);
    char path[128];
    snprintf(path, sizeof path, "/v1/agents/%lld/vetting", (long long)json_int(agent, "id"));
    call(story, "POST", path, story->admin, "{\"vetted\":true}", 200);
    snprintf(path, sizeof path, "/v1/sites/%lld/validation", (long long)site_id);
    cJSON *site = call(story, "POST", path, story->admin, "{\"validated\":false}", 200);
    assert_false(cJSON_IsTrue(json_get(site, "validated")));
    assert_true(json_is_null(site, "validated_by"));
    cJSON *count = dry_run(story, LONELY_LAT, LONELY_LON, 200, "[\"sms\"]");
    assert_int_equal(json_int(count, "excluded.site_not_validated"), 1);
    assert_int_equal(json_int(count, "recipients"), 0);
    site = call(story, "POST", path, story->admin, "{\"validated\":true}", 200);
    assert_string_equal(json_string(site, "validated_by"), "registrar");
    assert_false(json_is_null(site, "validated_at"));
    count = dry_run(story, LONELY_LAT, LONELY_LON, 200, "[\"sms\"]");
    assert_int_equal(json_int(count, "recipients"), 1);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM audit WHERE object_type = 'site' AND object_id = %lld"
             " AND action IN ('site.validate', 'site.unvalidate')",
             (long long)site_id);
    assert_int_equal(world_sql_int(story->world, NULL, sql), 2);
    call(story, "POST", "/v1/sites/999999/validation", story->admin, "{\"validated\":true}", 404);
}

static void test_bad_records_and_roles_are_refused(void **state)
{
    struct story *story = *state;
    struct {
        const char *body;
        long status;
        const char *code;
    } cases[] = {
        {"{\"ext_id\":\"B1\",\"name\":\"Bad Phone\",\"phone\":\"12\"}", 400, "bad_phone"},
        {"{\"ext_id\":\"B2\",\"name\":\"Bad Mail\",\"email\":\"nobody\"}", 400, "bad_email"},
        {"{\"ext_id\":\"B3\",\"name\":\"Bad Duty\",\"duty\":\"Mo-Fr 25:00-26:00\"}", 400,
         "bad_duty"},
        {"{\"ext_id\":\"B4\",\"name\":\"Bad Place\",\"lat\":95,\"lon\":2}", 400, "bad_position"},
        {"{\"ext_id\":\"B5\",\"name\":\"Half Place\",\"lat\":45}", 400, "bad_position"},
        {"{\"ext_id\":\"B6\",\"name\":\"No Site\",\"site_id\":999999}", 422, "invalid"},
        {"{\"ext_id\":\"DEMO-00001\",\"name\":\"Twin\"}", 409, "conflict"},
        {"{\"name\":\"No Id\"}", 400, "missing_field"},
        {"{\"ext_id\":\"B7\",\"name\":\"Colour\",\"colour\":\"red\"}", 400, "unknown_field"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *answer =
            call(story, "POST", "/v1/agents", story->admin, cases[i].body, cases[i].status);
        if (strcmp(json_string(answer, "error.code"), cases[i].code) != 0)
            fail_msg("case %zu: %s", i, cJSON_PrintUnformatted(answer));
    }
    assert_int_equal(
        world_sql_int(story->world, NULL, "SELECT COUNT(*) FROM agents WHERE ext_id GLOB 'B[0-9]'"),
        0);
    /* The registry decides who hears from the police: administrators keep it. */
    const char *good = "{\"ext_id\":\"R1\",\"name\":\"Role Test\"}";
    call(story, "POST", "/v1/agents", story->operator, good, 403);
    call(story, "POST", "/v1/agents", story->supervisor, good, 403);
    call(story, "POST", "/v1/agents/1/vetting", story->operator, "{\"vetted\":false}", 403);
    call(story, "DELETE", "/v1/agents/1", story->operator, NULL, 403);
    call(story, "POST", "/v1/sites/1/validation", story->supervisor, "{\"validated\":false}", 403);
    cJSON *agent = call(story, "GET", "/v1/agents/1", story->supervisor, NULL, 200);
    assert_string_equal(json_string(agent, "ext_id"), "DEMO-00001");
    call(story, "GET", "/v1/agents/999999", story->supervisor, NULL, 404);
    call(story, "POST", "/v1/agents/1/vetting", story->admin, "{\"vetted\":\"yes\"}", 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_the_demo_answers_the_three_scenarios_with_every_reason,
                                        story_up, story_down),
        cmocka_unit_test_setup_teardown(test_the_list_around_a_point_is_nearest_first_and_paged,
                                        story_up, story_down),
        cmocka_unit_test_setup_teardown(test_an_administrator_adds_fixes_vets_and_removes_an_agent,
                                        story_up, story_down),
        cmocka_unit_test_setup_teardown(test_withdrawing_a_site_validation_leaves_its_agents_out,
                                        story_up, story_down),
        cmocka_unit_test_setup_teardown(test_bad_records_and_roles_are_refused, story_up,
                                        story_down),
    };
    return cmocka_run_group_tests(tests, template_up, template_down);
}
