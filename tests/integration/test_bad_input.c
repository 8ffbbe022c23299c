/* Bad input: whatever a broken or hostile client sends (a huge body,
 * broken JSON, wrong types, unknown fields, an empty note), the answer is
 * a JSON error, nothing is stored, and the server goes on serving. */
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
/* The server's default body limit is 64 KiB; these are far over it. */
#define ONE_MEGABYTE  (1024 * 1024)
#define TEN_MEGABYTES (10 * 1024 * 1024)

struct story {
    struct world *world;
    int64_t site, alarm;
    const char *alice;
    const char *before; /* every alarm, as text, before the bad input */
};

static struct world *template;
static int64_t template_site;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    return template && world_add_user(template, "alice", "operator", PASSWORD) &&
                   (template_site = world_add_site(template, "Banque Terreaux", "Lyon")) > 0
               ? 0
               : -1;
}

static int template_down(void **state)
{
    (void)state;
    return world_destroy(template) ? 0 : -1;
}

static void free_text(void *text)
{
    free(text);
}

/* Every alarm with its timeline, and the last sequence, as one text. */
static const char *everything(struct story *story)
{
    long status = 0;
    cJSON *list = NULL;
    http_request(story->world, "GET", "/v1/alarms?state=all", story->alice, NULL, &status, &list);
    cJSON *detail = alarm_get(story->world, story->alice, story->alarm);
    char *a = cJSON_PrintUnformatted(list), *b = cJSON_PrintUnformatted(detail);
    char *text = NULL;
    if (status == 200 && a && b && asprintf(&text, "%s\n%s", a, b) < 0)
        text = NULL;
    free(a);
    free(b);
    return world_keep(story->world, text, free_text);
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
    story->site = template_site;
    if (world && world_start(world) && (story->alice = login(world, "alice", PASSWORD)) &&
        (story->alarm = alarm_create(world, story->alice, story->site, "fire", 1)) > 0 &&
        (story->before = everything(story)))
        return 0;
    world_down(state); /* cmocka runs no teardown after a failed setup */
    return -1;
}

/* Nothing was stored, and the server still answers. */
static void assert_nothing_changed(struct story *story)
{
    assert_string_equal(everything(story), story->before);
    long status = 0;
    http_request(story->world, "GET", "/v1/health", NULL, NULL, &status, NULL);
    assert_int_equal(status, 200);
}

static void assert_refused(struct story *story, const char *path, const char *body,
                           long expected_status, const char *expected_code)
{
    struct http_reply reply;
    assert_true(http_send(story->world, "POST", path, story->alice, body, body ? strlen(body) : 0,
                          false, &reply));
    if (reply.status != expected_status)
        fprintf(stderr, "# POST %s %.60s answered %ld %s\n", path, body ? body : "", reply.status,
                reply.body);
    assert_int_equal(reply.status, expected_status);
    assert_non_null(strstr(reply.content_type, "application/json"));
    assert_string_equal(json_string(reply.json, "error.code"), expected_code);
    assert_non_null(json_string(reply.json, "error.message"));
}

/* A well-formed alarm whose label makes the body SIZE bytes long. */
static char *huge_alarm(struct story *story, size_t size)
{
    char *body = malloc(size + 1);
    if (!body)
        return NULL;
    int head =
        snprintf(body, size, "{\"class\":\"fire\",\"priority\":1,\"site_id\":%lld,\"label\":\"",
                 (long long)story->site);
    memset(body + head, 'x', size - (size_t)head - 2);
    memcpy(body + size - 2, "\"}", 3);
    return world_keep(story->world, body, free_text);
}

static void assert_too_large(struct story *story, size_t size, bool chunked)
{
    const char *body = huge_alarm(story, size);
    assert_non_null(body);
    struct http_reply reply;
    assert_true(
        http_send(story->world, "POST", "/v1/alarms", story->alice, body, size, chunked, &reply));
    assert_int_equal(reply.status, 413);
    assert_string_equal(json_string(reply.json, "error.code"), "too_large");
    assert_non_null(json_string(reply.json, "error.message"));
}

static void test_a_body_over_the_limit_is_refused_with_413_and_nothing_stored(void **state)
{
    struct story *story = *state;
    assert_too_large(story, ONE_MEGABYTE, false);
    assert_too_large(story, TEN_MEGABYTES, false);
    assert_too_large(story, ONE_MEGABYTE, true); /* no Content-Length to refuse it early */
    assert_nothing_changed(story);
    /* A normal alarm right after is taken. */
    assert_true(alarm_create(story->world, story->alice, story->site, "panic", 1) > 0);
}

static void test_broken_json_and_arrays_are_refused(void **state)
{
    struct story *story = *state;
    assert_refused(story, "/v1/alarms", "{\"class\":\"fire\",\"priority\":1,", 400, "bad_json");
    assert_refused(story, "/v1/alarms", "class=fire&priority=1", 400, "bad_json");
    assert_refused(story, "/v1/alarms", "{\"class\":\"fire\"} trailing", 400, "bad_json");
    char array[128];
    snprintf(array, sizeof array, "[{\"class\":\"fire\",\"priority\":1,\"site_id\":%lld}]",
             (long long)story->site);
    assert_refused(story, "/v1/alarms", array, 400, "bad_request");
    assert_refused(story, "/v1/alarms", "\"fire\"", 400, "bad_request");
    assert_refused(story, "/v1/alarms", "", 400, "bad_request");
    assert_nothing_changed(story);
}

static void test_wrong_types_and_values_are_refused_field_by_field(void **state)
{
    struct story *story = *state;
    static const struct {
        const char *fields, *code;
        long status;
    } cases[] = {
        {"\"class\":\"fire\",\"priority\":\"high\"", "wrong_type", 400},
        {"\"class\":\"fire\",\"priority\":9", "out_of_range", 400},
        {"\"class\":\"fire\",\"priority\":0", "out_of_range", 400},
        {"\"class\":\"fire\",\"priority\":1.5", "wrong_type", 400},
        {"\"class\":\"meteor\",\"priority\":1", "bad_class", 400},
        {"\"class\":7,\"priority\":1", "wrong_type", 400},
        {"\"priority\":1", "missing_field", 400},
        {"\"class\":\"fire\",\"priority\":1,\"zone\":-3", "out_of_range", 400},
    };
    char body[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(body, sizeof body, "{%s,\"site_id\":%lld}", cases[i].fields,
                 (long long)story->site);
        assert_refused(story, "/v1/alarms", body, cases[i].status, cases[i].code);
    }
    assert_refused(story, "/v1/alarms", "{\"class\":\"fire\",\"priority\":1,\"site_id\":\"1\"}",
                   400, "wrong_type");
    assert_refused(story, "/v1/alarms", "{\"class\":\"fire\",\"priority\":1}", 400,
                   "missing_field");
    assert_refused(story, "/v1/alarms", "{\"class\":\"fire\",\"priority\":1,\"site_id\":999999}",
                   422, "invalid");
    assert_nothing_changed(story);
}

static void test_an_unknown_field_is_refused_by_name(void **state)
{
    struct story *story = *state;
    char body[160];
    snprintf(body, sizeof body, "{\"class\":\"fire\",\"priority\":1,\"site_id\":%lld,\"prio\":2}",
             (long long)story->site);
    struct http_reply reply;
    assert_true(http_send(story->world, "POST", "/v1/alarms", story->alice, body, strlen(body),
                          false, &reply));
    assert_int_equal(reply.status, 400);
    assert_string_equal(json_string(reply.json, "error.code"), "unknown_field");
    assert_non_null(strstr(json_string(reply.json, "error.message"), "prio"));
    char path[64];
    snprintf(path, sizeof path, "/v1/alarms/%lld/claim", (long long)story->alarm);
    assert_refused(story, path, "{\"force\":true}", 400, "unknown_field");
    assert_nothing_changed(story);
}

static void test_a_note_needs_text_within_the_limit(void **state)
{
    struct story *story = *state;
    char path[64];
    snprintf(path, sizeof path, "/v1/alarms/%lld/notes", (long long)story->alarm);
    assert_refused(story, path, "", 400, "bad_request");
    assert_refused(story, path, "{}", 400, "missing_field");
    assert_refused(story, path, "{\"text\":\"\"}", 400, "missing_field");
    assert_refused(story, path, "{\"text\":42}", 400, "wrong_type");
    enum { NOTE_MAX = 4000 };
    char *body = malloc(NOTE_MAX + 32);
    assert_non_null(world_keep(story->world, body, free_text));
    strcpy(body, "{\"text\":\"");
    memset(body + 9, 'n', NOTE_MAX + 1);
    strcpy(body + 9 + NOTE_MAX + 1, "\"}");
    assert_refused(story, path, body, 400, "too_long");
    assert_nothing_changed(story);
    /* At the limit exactly, the note is taken whole. */
    strcpy(body + 9 + NOTE_MAX, "\"}");
    cJSON *json = NULL;
    assert_int_equal(alarm_act(story->world, story->alice, story->alarm, "notes", body, &json),
                     200);
    assert_int_equal(strlen(json_string(json, "timeline.1.text")), NOTE_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_a_body_over_the_limit_is_refused_with_413_and_nothing_stored, world_up,
            world_down),
        cmocka_unit_test_setup_teardown(test_broken_json_and_arrays_are_refused, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_wrong_types_and_values_are_refused_field_by_field,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(test_an_unknown_field_is_refused_by_name, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_a_note_needs_text_within_the_limit, world_up,
                                        world_down),
    };
    return cmocka_run_group_tests_name("bad_input", tests, template_up, template_down);
}
