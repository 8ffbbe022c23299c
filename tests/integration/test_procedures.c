/* Procedures as checklists: an alarm follows its site's plan, else its
 * client's, else the client's default one, and a protection phone's alarm
 * the protection programme's plan. alice ticks a step: it is stored with
 * her name, the time and her note, audited, written to the timeline, sent
 * on the stream, and bruno's session reads it at once. A supervisor reads
 * the checklist and the victim's file (audited) but marks nothing. A
 * duress code, or an early open, gets the duress plan first and never a
 * step that calls the site, nor the site's number; such a step cannot be
 * marked either. Bad requests get 400 or 404 and change nothing. The
 * track of an alarm comes newest first. */
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
#define WAIT_MS  8000

struct story {
    struct world *world;
    const char *alice, *bruno, *sam;
};

static struct world *template;
static int64_t site_id, plain_site_id, victim_id;

/* The bank's site (id site_id) has its own fire plan; its client has
 * plans for burglary and duress and a default one that calls the site;
 * another client's site (plain_site_id) has no plan at all. The
 * protection programme has a panic plan, and one victim. */
static const char fixtures[] =
    "UPDATE sites SET phone = '+33478000000' WHERE name = 'Agence Centre';"
    "INSERT INTO procedures(client_id, site_id, alarm_class, step, action, detail)"
    " SELECT NULL, id, 'fire', 1, 'Call the fire brigade 18', 'Entrance on the square'"
    " FROM sites WHERE name = 'Agence Centre';"
    "INSERT INTO procedures(client_id, site_id, alarm_class, step, action, detail)"
    " SELECT client_id, NULL, c, s, a, '' FROM sites,"
    " (SELECT 'burglary' AS c, 2 AS s, 'Call keyholder 1, then the next' AS a UNION ALL"
    "  SELECT 'burglary', 1, 'Check camera 2' UNION ALL"
    "  SELECT 'burglary', 3, 'Dispatch the guard' UNION ALL"
    "  SELECT 'duress', 1, 'Do NOT call the site' UNION ALL"
    "  SELECT 'duress', 2, 'Call police 17 with the hold-up code' UNION ALL"
    "  SELECT 'default', 1, 'Call the site' UNION ALL"
    "  SELECT 'default', 2, 'Call keyholder 1')"
    " WHERE name = 'Agence Centre';"
    "INSERT INTO keyholders(site_id, position, name, phone, availability)"
    " SELECT id, p, n, t, v FROM sites,"
    " (SELECT 2 AS p, 'Paul Second' AS n, '+33600000002' AS t, 'Mo-Fr 18:00-08:00' AS v"
    "  UNION ALL SELECT 1, 'Anne Premier', '+33600000001', '24/7')"
    " WHERE name = 'Agence Centre';"
    "INSERT INTO clients(name, kind) VALUES('Parquet de Lyon - TGD', 'protection');"
    "INSERT INTO procedures(client_id, alarm_class, step, action)"
    " VALUES(last_insert_rowid(), 'panic', 1, 'Call police 17 at once');"
    "INSERT INTO victims(reference, full_name, phone, aggressor_plate)"
    " VALUES('TGD-69-0001', 'Julie Martin', '+33611111111', 'AB-123-CD');";

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    if (!template || !world_add_user(template, "alice", "operator", PASSWORD) ||
        !world_add_user(template, "bruno", "operator", PASSWORD) ||
        !world_add_user(template, "sam", "supervisor", PASSWORD) ||
        (site_id = world_add_site(template, "Agence Centre", "Lyon")) <= 0 ||
        (plain_site_id = world_add_site(template, "Parking Perrache", "Lyon")) <= 0 ||
        !world_sql(template, NULL, fixtures))
        return -1;
    victim_id = world_sql_int(template, NULL, "SELECT id FROM victims");
    return victim_id > 0 ? 0 : -1;
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
    if (!story)
        return -1;
    struct world *world = story->world = world_clone(template);
    if (world && world_start(world) && (story->alice = login(world, "alice", PASSWORD)) &&
        (story->bruno = login(world, "bruno", PASSWORD)) &&
        (story->sam = login(world, "sam", PASSWORD)))
        return 0;
    world_down(state);
    return -1;
}

static cJSON *procedure_of(struct story *story, const char *token, int64_t alarm_id)
{
    char path[96];
    long status = 0;
    cJSON *json = NULL;
    snprintf(path, sizeof path, "/v1/alarms/%lld/procedure", (long long)alarm_id);
    assert_true(http_request(story->world, "GET", path, token, NULL, &status, &json));
    assert_int_equal(status, 200);
    return json;
}

static long mark(struct story *story, const char *token, int64_t alarm_id, int64_t step_id,
                 const char *body, cJSON **json)
{
    char path[128];
    long status = 0;
    snprintf(path, sizeof path, "/v1/alarms/%lld/procedure/steps/%lld", (long long)alarm_id,
             (long long)step_id);
    assert_true(http_request(story->world, "POST", path, token, body, &status, json));
    return status;
}

/* The "path" of step `index` (0-based) of a checklist. */
static const char *step_text(const cJSON *procedure, int index, const char *field)
{
    char path[64];
    snprintf(path, sizeof path, "steps.%d.%s", index, field);
    return json_string(procedure, path);
}

static int64_t step_id(const cJSON *procedure, int index)
{
    char path[64];
    snprintf(path, sizeof path, "steps.%d.id", index);
    return json_int(procedure, path);
}

static void test_plan_resolution_order(void **state)
{
    struct story *story = *state;
    struct world *world = story->world;
    /* The site's own fire plan comes before anything of its client. */
    cJSON *fire =
        procedure_of(story, story->alice, alarm_create(world, story->alice, site_id, "fire", 1));
    assert_string_equal(json_string(fire, "plans.0.scope"), "site");
    assert_int_equal(json_count(fire, "steps"), 1);
    assert_string_equal(step_text(fire, 0, "action"), "Call the fire brigade 18");
    assert_string_equal(step_text(fire, 0, "kind"), "call-fire-brigade");
    assert_string_equal(json_string(fire, "site.phone"), "+33478000000");
    /* The client's burglary plan, in its steps' order, with the kinds
     * their texts say and the call list, in order, under the keyholder
     * step. */
    cJSON *burglary = procedure_of(story, story->alice,
                                   alarm_create(world, story->alice, site_id, "burglary", 2));
    assert_string_equal(json_string(burglary, "plans.0.scope"), "client");
    assert_int_equal(json_count(burglary, "steps"), 3);
    assert_string_equal(step_text(burglary, 0, "action"), "Check camera 2");
    assert_string_equal(step_text(burglary, 0, "kind"), "check-camera");
    assert_string_equal(step_text(burglary, 1, "kind"), "call-keyholder");
    assert_string_equal(step_text(burglary, 2, "kind"), "dispatch-guard");
    assert_string_equal(step_text(burglary, 0, "state"), "pending");
    assert_int_equal(json_int(burglary, "steps.2.number"), 3);
    assert_int_equal(json_count(burglary, "steps.1.keyholders"), 2);
    assert_string_equal(json_string(burglary, "steps.1.keyholders.0.name"), "Anne Premier");
    assert_string_equal(json_string(burglary, "steps.1.keyholders.0.phone"), "+33600000001");
    assert_string_equal(json_string(burglary, "steps.1.keyholders.1.availability"),
                        "Mo-Fr 18:00-08:00");
    assert_null(json_get(burglary, "steps.0.keyholders"));
    assert_true(json_is_null(burglary, "marker"));
    assert_true(cJSON_IsTrue(json_get(burglary, "call_site_allowed")));
    /* No plan for the class: the client's default one. */
    cJSON *technical = procedure_of(story, story->alice,
                                    alarm_create(world, story->alice, site_id, "technical", 4));
    assert_string_equal(json_string(technical, "plans.0.scope"), "default");
    assert_string_equal(step_text(technical, 0, "action"), "Call the site");
    assert_string_equal(step_text(technical, 0, "kind"), "call-site");
    /* No plan at all. */
    cJSON *none = procedure_of(story, story->alice,
                               alarm_create(world, story->alice, plain_site_id, "burglary", 2));
    assert_string_equal(json_string(none, "plans.0.scope"), "none");
    assert_int_equal(json_count(none, "steps"), 0);
    /* A protection phone's alarm: the protection programme's plan. */
    char body[128];
    long status = 0;
    cJSON *created = NULL;
    snprintf(body, sizeof body, "{\"class\":\"panic\",\"priority\":1,\"victim_id\":%lld}",
             (long long)victim_id);
    assert_true(http_request(world, "POST", "/v1/alarms", story->alice, body, &status, &created));
    assert_int_equal(status, 201);
    cJSON *sos = procedure_of(story, story->alice, json_int(created, "id"));
    assert_string_equal(json_string(sos, "client.kind"), "protection");
    assert_string_equal(json_string(sos, "plans.0.scope"), "client");
    assert_string_equal(step_text(sos, 0, "action"), "Call police 17 at once");
    assert_true(json_is_null(sos, "site"));
}

static int64_t audit_rows(struct world *world, const char *action, int64_t object_id)
{
    char sql[192];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM audit WHERE action = '%s' AND object_id = %lld",
             action, (long long)object_id);
    return world_sql_int(world, NULL, sql);
}

static void test_step_state_stored_audited_and_seen_by_a_second_session(void **state)
{
    struct story *story = *state;
    struct world *world = story->world;
    int64_t alarm = alarm_create(world, story->alice, site_id, "burglary", 2);
    cJSON *before = procedure_of(story, story->bruno, alarm);
    int64_t keyholder_step = step_id(before, 1);
    struct sse_client *stream = sse_open(world, story->bruno, NULL);
    assert_int_equal(sse_status(stream), 200);
    size_t events_before = sse_count(stream, "alarm");

    cJSON *answer = NULL;
    assert_int_equal(mark(story, story->alice, alarm, keyholder_step,
                          "{\"state\":\"failed\",\"note\":\"Anne Premier did not answer\"}",
                          &answer),
                     200);
    assert_string_equal(step_text(answer, 1, "state"), "failed");

    /* bruno's console hears of it on the stream and reads it at once. */
    assert_true(sse_wait(stream, "alarm", events_before + 1, WAIT_MS));
    const struct sse_event *event = sse_get(stream, "alarm", events_before);
    assert_int_equal(json_int(event->json, "id"), alarm);
    cJSON *seen = procedure_of(story, story->bruno, alarm);
    assert_string_equal(step_text(seen, 1, "state"), "failed");
    assert_string_equal(step_text(seen, 1, "by"), "alice");
    assert_string_equal(step_text(seen, 1, "note"), "Anne Premier did not answer");
    assert_non_null(step_text(seen, 1, "at"));
    assert_string_equal(step_text(seen, 0, "state"), "pending");

    /* Audited and written to the timeline, naming the step. */
    assert_int_equal(audit_rows(world, "alarm.procedure_step", alarm), 1);
    cJSON *detail = alarm_get(world, story->bruno, alarm);
    const cJSON *entry, *found = NULL;
    cJSON_ArrayForEach(entry, json_get(detail, "timeline"))
    {
        if (strcmp(json_string(entry, "kind"), "step") == 0)
            found = entry;
    }
    assert_non_null(found);
    assert_string_equal(json_string(found, "by"), "alice");
    assert_non_null(strstr(json_string(found, "text"), "Call keyholder 1"));
    assert_non_null(strstr(json_string(found, "text"), "did not answer"));

    /* Marked again (by bruno, done) it is one row with the last state;
     * "pending" undoes it. Each change is audited. */
    assert_int_equal(mark(story, story->bruno, alarm, keyholder_step, "{\"state\":\"done\"}", NULL),
                     200);
    seen = procedure_of(story, story->alice, alarm);
    assert_string_equal(step_text(seen, 1, "state"), "done");
    assert_string_equal(step_text(seen, 1, "by"), "bruno");
    assert_true(json_is_null(seen, "steps.1.note"));
    assert_int_equal(
        mark(story, story->bruno, alarm, keyholder_step, "{\"state\":\"pending\"}", NULL), 200);
    assert_string_equal(step_text(procedure_of(story, story->alice, alarm), 1, "state"), "pending");
    assert_int_equal(audit_rows(world, "alarm.procedure_step", alarm), 3);
    assert_int_equal(world_sql_int(world, NULL, "SELECT COUNT(*) FROM alarm_procedure_steps"), 1);
}

static void test_supervisor_reads_but_cannot_mark(void **state)
{
    struct story *story = *state;
    struct world *world = story->world;
    int64_t alarm = alarm_create(world, story->alice, site_id, "burglary", 2);
    cJSON *procedure = procedure_of(story, story->sam, alarm);
    cJSON *answer = NULL;
    assert_int_equal(
        mark(story, story->sam, alarm, step_id(procedure, 0), "{\"state\":\"done\"}", &answer),
        403);
    assert_string_equal(json_string(answer, "error.code"), "forbidden");
    assert_string_equal(step_text(procedure_of(story, story->alice, alarm), 0, "state"), "pending");
    assert_int_equal(audit_rows(world, "alarm.procedure_step", alarm), 0);

    /* The victim's file: sam reads it, the read is audited under his
     * name; there is no way to change it. */
    char path[64];
    long status = 0;
    cJSON *file = NULL;
    snprintf(path, sizeof path, "/v1/victims/%lld", (long long)victim_id);
    assert_true(http_request(world, "GET", path, story->sam, NULL, &status, &file));
    assert_int_equal(status, 200);
    assert_string_equal(json_string(file, "aggressor.plate"), "AB-123-CD");
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM audit WHERE action = 'victim.read' AND actor LIKE '%%sam%%'"
             " AND object_id = %lld",
             (long long)victim_id);
    assert_int_equal(world_sql_int(world, NULL, sql), 1);
    const char *changes[] = {"PUT", "POST", "PATCH", "DELETE"};
    for (size_t i = 0; i < 4; i++) {
        assert_true(http_request(world, changes[i], path, story->sam, "{\"full_name\":\"x\"}",
                                 &status, NULL));
        assert_int_equal(status, 405);
    }
}

static void test_duress_plan_first_and_no_call_to_the_site(void **state)
{
    struct story *story = *state;
    struct world *world = story->world;
    int64_t duress = alarm_create(world, story->alice, site_id, "duress", 1);
    cJSON *plan = procedure_of(story, story->alice, duress);
    assert_string_equal(json_string(plan, "marker"), "duress");
    assert_false(cJSON_IsTrue(json_get(plan, "call_site_allowed")));
    assert_true(json_is_null(plan, "site.phone"));
    assert_string_equal(json_string(plan, "plans.0.class"), "duress");
    assert_int_equal(json_count(plan, "steps"), 2);
    assert_string_equal(step_text(plan, 0, "action"), "Do NOT call the site");
    assert_string_equal(step_text(plan, 0, "kind"), "do-not-call-site");
    assert_string_equal(step_text(plan, 1, "kind"), "call-police");

    /* An early open (a technical alarm here, flagged as the ingest flags
     * one): the duress plan, then its own (the default one) without the
     * step that calls the site, which cannot be marked either. */
    int64_t early = alarm_create(world, story->alice, site_id, "technical", 2);
    char sql[96];
    snprintf(sql, sizeof sql, "UPDATE alarms SET flags = 2 WHERE id = %lld", (long long)early);
    assert_true(world_sql(world, NULL, sql));
    cJSON *open_plan = procedure_of(story, story->alice, early);
    assert_string_equal(json_string(open_plan, "marker"), "early-open");
    assert_string_equal(json_string(open_plan, "plans.0.class"), "duress");
    assert_string_equal(json_string(open_plan, "plans.1.scope"), "default");
    assert_int_equal(json_int(open_plan, "hidden_steps"), 1);
    assert_int_equal(json_count(open_plan, "steps"), 3);
    assert_string_equal(step_text(open_plan, 0, "action"), "Do NOT call the site");
    assert_string_equal(step_text(open_plan, 2, "action"), "Call keyholder 1");
    cJSON *step;
    cJSON_ArrayForEach(step, json_get(open_plan, "steps"))
    {
        assert_string_not_equal(json_string(step, "kind"), "call-site");
    }
    assert_true(json_is_null(open_plan, "site.phone"));
    int64_t call_site =
        world_sql_int(world, NULL, "SELECT id FROM procedures WHERE action = 'Call the site'");
    cJSON *answer = NULL;
    assert_int_equal(mark(story, story->alice, early, call_site, "{\"state\":\"done\"}", &answer),
                     404);
    assert_string_equal(json_string(answer, "error.code"), "not_found");
}

static void test_bad_steps_are_refused_and_change_nothing(void **state)
{
    struct story *story = *state;
    struct world *world = story->world;
    int64_t alarm = alarm_create(world, story->alice, site_id, "burglary", 2);
    int64_t step = step_id(procedure_of(story, story->alice, alarm), 0);
    cJSON *answer = NULL;
    assert_int_equal(mark(story, story->alice, alarm, 999999, "{\"state\":\"done\"}", NULL), 404);
    assert_int_equal(mark(story, story->alice, 999999, step, "{\"state\":\"done\"}", NULL), 404);
    assert_int_equal(mark(story, story->alice, alarm, step, "{\"state\":\"finished\"}", &answer),
                     400);
    assert_string_equal(json_string(answer, "error.code"), "bad_state");
    assert_int_equal(mark(story, story->alice, alarm, step, "{\"note\":\"no state\"}", NULL), 400);
    assert_int_equal(
        mark(story, story->alice, alarm, step, "{\"state\":\"done\",\"by\":\"x\"}", NULL), 400);
    assert_int_equal(mark(story, story->alice, alarm, step, "not json", NULL), 400);
    long status = 0;
    char path[96];
    snprintf(path, sizeof path, "/v1/alarms/%lld/procedure/steps/first", (long long)alarm);
    assert_true(
        http_request(world, "POST", path, story->alice, "{\"state\":\"done\"}", &status, NULL));
    assert_int_equal(status, 404);
    assert_true(http_request(world, "GET", "/v1/alarms/999999/procedure", story->alice, NULL,
                             &status, NULL));
    assert_int_equal(status, 404);

    /* Held by alice: bruno may not mark it; closed: nobody may. */
    assert_int_equal(alarm_act(world, story->alice, alarm, "claim", NULL, NULL), 200);
    assert_int_equal(mark(story, story->bruno, alarm, step, "{\"state\":\"done\"}", &answer), 409);
    assert_int_equal(
        alarm_act(world, story->alice, alarm, "close", "{\"resolution\":\"false-alarm\"}", NULL),
        200);
    assert_int_equal(mark(story, story->alice, alarm, step, "{\"state\":\"done\"}", NULL), 409);
    assert_int_equal(world_sql_int(world, NULL, "SELECT COUNT(*) FROM alarm_procedure_steps"), 0);
    assert_int_equal(audit_rows(world, "alarm.procedure_step", alarm), 0);
    /* A closed alarm's checklist still reads, for the record. */
    assert_int_equal(json_count(procedure_of(story, story->alice, alarm), "steps"), 3);
}

static void test_track_comes_newest_first(void **state)
{
    struct story *story = *state;
    struct world *world = story->world;
    int64_t alarm = alarm_create(world, story->alice, site_id, "panic", 1);
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO positions(alarm_id, captured_at, lat, lon, accuracy_m, source, battery)"
             " VALUES(%lld, 1000, 45.1, 4.1, 1500, 'cell', 80),"
             " (%lld, 3000, 45.3, 4.3, 8, 'gps', 78), (%lld, 2000, 45.2, 4.2, 30, 'wifi', NULL)",
             (long long)alarm, (long long)alarm, (long long)alarm);
    assert_true(world_sql(world, NULL, sql));
    char path[96];
    long status = 0;
    cJSON *track = NULL;
    snprintf(path, sizeof path, "/v1/alarms/%lld/track", (long long)alarm);
    assert_true(http_request(world, "GET", path, story->sam, NULL, &status, &track));
    assert_int_equal(status, 200);
    assert_int_equal(json_int(track, "count"), 3);
    assert_string_equal(json_string(track, "positions.0.source"), "gps");
    assert_int_equal(json_int(track, "positions.0.accuracy_m"), 8);
    assert_string_equal(json_string(track, "positions.1.source"), "wifi");
    assert_true(json_is_null(track, "positions.1.battery"));
    assert_string_equal(json_string(track, "positions.2.source"), "cell");
    snprintf(path, sizeof path, "/v1/alarms/%lld/track?limit=1", (long long)alarm);
    assert_true(http_request(world, "GET", path, story->sam, NULL, &status, &track));
    assert_int_equal(json_count(track, "positions"), 1);
    snprintf(path, sizeof path, "/v1/alarms/%lld/track?limit=0", (long long)alarm);
    assert_true(http_request(world, "GET", path, story->sam, NULL, &status, NULL));
    assert_int_equal(status, 400);
    assert_true(
        http_request(world, "GET", "/v1/alarms/999999/track", story->sam, NULL, &status, NULL));
    assert_int_equal(status, 404);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plan_resolution_order, world_up, world_down),
        cmocka_unit_test_setup_teardown(test_step_state_stored_audited_and_seen_by_a_second_session,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(test_supervisor_reads_but_cannot_mark, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_duress_plan_first_and_no_call_to_the_site, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_bad_steps_are_refused_and_change_nothing, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_track_comes_newest_first, world_up, world_down),
    };
    return cmocka_run_group_tests(tests, template_up, template_down);
}
