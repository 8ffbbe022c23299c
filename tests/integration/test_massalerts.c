/* A mass alert's dry run: police ask for every vetted agent on duty within
 * 800 m of an aggression; before anything is sent, the operator sees how
 * many agents each channel reaches and how many in the circle are left
 * out, and why. The registry comes from a real `vigied agents import`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/harness.h"

#define PASSWORD "night-shift-42"

/* Around the Opéra in Paris (48.8708, 2.3318); 0.001° of latitude is
 * 111 m. Agents 1 to 7 are within 800 m, 8 is 2.2 km away, 9 in Nice. */
static const char registry[] =
    "agent_id,name,site_id,site_name,site_validated,lat,lon,phone,email,vetted,duty\n"
    "A1,Selected Both,S1,Galeries,yes,48.8710,2.3320,06 11 11 11 11,a1@example.fr,yes,24/7\n"
    "A2,Selected Mail Only,S1,Galeries,yes,48.8712,2.3322,,a2@example.fr,yes,24/7\n"
    "A3,Landline,S1,Galeries,yes,48.8714,2.3324,01 42 68 11 11,,yes,24/7\n"
    "A4,Not Vetted,S1,Galeries,yes,48.8716,2.3326,06 44 44 44 44,,no,24/7\n"
    "A5,Site Not Validated,S2,Opera Garnier,no,48.8720,2.3316,06 55 55 55 55,,yes,24/7\n"
    "A6,Never On Duty,S3,Banque,yes,48.8690,2.3330,06 66 66 66 66,,yes,Mo-Su off\n"
    "A7,No Contact,S3,Banque,yes,48.8692,2.3332,,,yes,24/7\n"
    "A8,Far Away,S4,Gare du Nord,yes,48.8809,2.3553,06 88 88 88 88,,yes,24/7\n"
    "A9,Nice,S5,Promenade,yes,43.6950,7.2650,06 99 99 99 99,,yes,24/7\n";

struct story {
    struct world *world;
    const char *operator;
    const char *supervisor;
};

static struct world *template;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    if (!template || !world_add_user(template, "night-op", "operator", PASSWORD) ||
        !world_add_user(template, "chief", "supervisor", PASSWORD))
        return -1;
    char path[600], output[4096];
    snprintf(path, sizeof path, "%s/registry.csv", template->dir);
    FILE *file = fopen(path, "w");
    if (!file || fputs(registry, file) < 0 || fclose(file) != 0)
        return -1;
    int status = world_run(template, NULL, output, sizeof output, "agents", "import", path, "--db",
                           template->db, NULL);
    if (status != 0)
        fprintf(stderr, "agents import: %s\n", output);
    return status == 0 ? 0 : -1;
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
    story->operator= login(story->world, "night-op", PASSWORD);
    story->supervisor = login(story->world, "chief", PASSWORD);
    return story->operator&& story->supervisor ? 0 : - 1;
}

static int story_down(void **state)
{
    struct story *story = *state;
    bool clean = story ? world_destroy(story->world) : true;
    free(story);
    return clean ? 0 : -1;
}

static cJSON *dry_run(struct story *story, const char *token, double radius_m, const char *channels,
                      long expected_status)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"area\":{\"circle\":{\"lat\":48.8708,\"lon\":2.3318,\"radius_m\":%g}},"
             "\"message\":\"NE QUITTEZ PAS VOTRE SITE - homme 30 ans, veste noire\","
             "\"channels\":%s,\"dry_run\":true}",
             radius_m, channels);
    long status = 0;
    cJSON *answer = NULL;
    assert_true(
        http_request(story->world, "POST", "/v1/massalerts", token, body, &status, &answer));
    if (status != expected_status)
        fail_msg("status %ld, expected %ld: %s", status, expected_status,
                 answer ? cJSON_PrintUnformatted(answer) : "");
    return answer; /* the world keeps and frees every reply */
}

static void test_800_m_counts_whom_each_channel_reaches_and_who_is_left_out(void **state)
{
    struct story *story = *state;
    cJSON *answer = dry_run(story, story->operator, 800, "[\"sms\",\"email\",\"voice\"]", 200);
    /* A1 (sms, email, voice), A2 (email), A3 (voice: a landline). */
    assert_int_equal(json_int(answer, "recipients"), 3);
    assert_int_equal(json_int(answer, "channels.sms"), 1);
    assert_int_equal(json_int(answer, "channels.email"), 2);
    assert_int_equal(json_int(answer, "channels.voice"), 2);
    assert_int_equal(json_int(answer, "channels.push"), 0);
    assert_int_equal(json_int(answer, "excluded.not_vetted"), 1);
    assert_int_equal(json_int(answer, "excluded.site_not_validated"), 1);
    assert_int_equal(json_int(answer, "excluded.off_duty"), 1);
    assert_int_equal(json_int(answer, "excluded.no_contact"), 1);
    assert_int_equal(json_int(answer, "in_area"), 7);
    /* The map's sites: Galeries, the only one with selected agents. */
    assert_int_equal(json_count(answer, "sites"), 1);
    assert_string_equal(json_string(json_get(answer, "sites")->child, "name"), "Galeries");
    assert_int_equal(json_int(json_get(answer, "sites")->child, "agents"), 3);
    assert_string_equal(json_string(answer, "sms.encoding"), "gsm7");
    assert_int_equal(json_int(answer, "sms.parts"), 1);
    /* Nothing was sent or stored. */
    assert_int_equal(world_sql_int(story->world, NULL, "SELECT COUNT(*) FROM outbox"), 0);
}

static void test_a_wider_circle_and_fewer_channels_change_the_count(void **state)
{
    struct story *story = *state;
    cJSON *answer = dry_run(story, story->operator, 3000, "[\"sms\"]", 200);
    /* A1 and A8 by SMS; A2 and A3 have no mobile number: no contact. */
    assert_int_equal(json_int(answer, "recipients"), 2);
    assert_int_equal(json_int(answer, "excluded.no_contact"), 3);
    assert_int_equal(json_int(answer, "in_area"), 8);
    answer = dry_run(story, story->operator, 30000, "[\"push\"]", 200);
    assert_int_equal(json_int(answer, "recipients"), 0);
}

static void test_bad_requests_and_roles_are_refused(void **state)
{
    struct story *story = *state;
    long status = 0;
    cJSON *answer = NULL;
    struct {
        const char *body;
        const char *code;
    } cases[] = {
        {"{\"area\":{},\"channels\":[\"sms\"],\"dry_run\":true}", "bad_area"},
        {"{\"area\":{\"circle\":{\"lat\":95,\"lon\":2,\"radius_m\":800}},\"channels\":[\"sms\"],"
         "\"dry_run\":true}",
         "bad_area"},
        {"{\"area\":{\"circle\":{\"lat\":48,\"lon\":2,\"radius_m\":300000}},\"channels\":[\"sms\"],"
         "\"dry_run\":true}",
         "bad_area"},
        {"{\"area\":{\"circle\":{\"lat\":48,\"lon\":2,\"radius_m\":800}},\"channels\":[\"fax\"],"
         "\"dry_run\":true}",
         "bad_channel"},
        {"{\"area\":{\"circle\":{\"lat\":48,\"lon\":2,\"radius_m\":800}},\"channels\":[],"
         "\"dry_run\":true}",
         "bad_channel"},
        {"{\"area\":{\"circle\":{\"lat\":48,\"lon\":2,\"radius_m\":800}},\"channels\":[\"sms\"],"
         "\"dry_run\":true,\"colour\":\"red\"}",
         "unknown_field"},
        {"{\"area\":", "bad_json"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_true(http_request(story->world, "POST", "/v1/massalerts", story->operator,
                                 cases[i].body, &status, &answer));
        if (status != 400 || strcmp(json_string(answer, "error.code"), cases[i].code) != 0)
            fail_msg("case %zu: %ld %s", i, status, answer ? cJSON_PrintUnformatted(answer) : "");
    }
    /* A supervisor sees whom an area would reach, the operator's count;
     * he does not alert. */
    cJSON *seen = dry_run(story, story->supervisor, 800, "[\"sms\"]", 200);
    cJSON *counted = dry_run(story, story->operator, 800, "[\"sms\"]", 200);
    assert_true(json_int(seen, "recipients") > 0);
    assert_int_equal(json_int(seen, "recipients"), json_int(counted, "recipients"));
    /* This centre has no SMS gateway: the count says so before sending. */
    assert_int_equal(json_count(seen, "unconfigured"), 1);
    assert_string_equal(json_string(seen, "unconfigured.0"), "sms");
    assert_true(http_request(story->world, "POST", "/v1/massalerts", story->supervisor,
                             "{\"area\":{\"circle\":{\"lat\":48.8708,\"lon\":2.3318,"
                             "\"radius_m\":800}},\"channels\":[\"sms\"],\"message\":\"test\"}",
                             &status, &answer));
    assert_int_equal(status, 403);
    assert_string_equal(json_string(answer, "error.code"), "forbidden");
    /* Sending where nobody is reachable sends nothing, and says why. */
    assert_true(http_request(story->world, "POST", "/v1/massalerts", story->operator,
                             "{\"area\":{\"circle\":{\"lat\":48,\"lon\":2,\"radius_m\":800}},"
                             "\"channels\":[\"sms\"],\"message\":\"test\"}",
                             &status, &answer));
    assert_int_equal(status, 422);
    assert_string_equal(json_string(answer, "error.code"), "no_recipients");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_800_m_counts_whom_each_channel_reaches_and_who_is_left_out, story_up, story_down),
        cmocka_unit_test_setup_teardown(test_a_wider_circle_and_fewer_channels_change_the_count,
                                        story_up, story_down),
        cmocka_unit_test_setup_teardown(test_bad_requests_and_roles_are_refused, story_up,
                                        story_down),
    };
    return cmocka_run_group_tests(tests, template_up, template_down);
}
