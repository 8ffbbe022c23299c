/* The audit log: after a shift of work `vigied audit verify` finds the
 * chain intact; reading a victim's file is itself audited; and whoever
 * edits a row, deletes one, or cuts rows from the end is found out. Each
 * tampering is done on its own copy of the database. */
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

struct story {
    struct world *world;
    int64_t site, victim;
    const char *alice;
};

static struct world *template;
static int64_t template_site, template_victim;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    bool ok = template && world_add_user(template, "alice", "operator", PASSWORD) &&
              world_add_user(template, "ada", "admin", PASSWORD) &&
              (template_site = world_add_site(template, "Tribunal judiciaire", "Lyon")) > 0 &&
              world_sql(template, NULL,
                        "INSERT INTO victims(reference, full_name, phone)"
                        " VALUES('TGD-69-0001', 'Claire Martin', '+33612345678')");
    template_victim = ok ? world_sql_int(template, NULL, "SELECT MAX(id) FROM victims") : 0;
    return ok && template_victim > 0 ? 0 : -1;
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

/* A short shift: a login, an alarm worked from creation to close. */
static bool work_a_shift(struct story *story)
{
    int64_t id = alarm_create(story->world, story->alice, story->site, "duress", 1);
    return id > 0 && alarm_act(story->world, story->alice, id, "claim", NULL, NULL) == 200 &&
           alarm_act(story->world, story->alice, id, "notes", "{\"text\":\"police called\"}",
                     NULL) == 200 &&
           alarm_act(story->world, story->alice, id, "ack", NULL, NULL) == 200 &&
           alarm_act(story->world, story->alice, id, "close",
                     "{\"resolution\":\"police-dispatched\"}", NULL) == 200;
}

static int world_up(void **state)
{
    struct story *story = calloc(1, sizeof *story);
    *state = story;
    if (!story)
        return -1;
    struct world *world = story->world = world_clone(template);
    story->site = template_site;
    story->victim = template_victim;
    if (world && world_start(world) && (story->alice = login(world, "alice", PASSWORD)) &&
        work_a_shift(story))
        return 0;
    world_down(state); /* cmocka runs no teardown after a failed setup */
    return -1;
}

static int64_t audit_rows(struct story *story, const char *db)
{
    return world_sql_int(story->world, db, "SELECT COUNT(*) FROM audit");
}

static int verify(struct story *story, const char *db, char *output, size_t output_size)
{
    return world_run(story->world, NULL, output, output_size, "audit", "verify", "--db", db, NULL);
}

static void test_after_a_shift_the_audit_chain_verifies_intact(void **state)
{
    struct story *story = *state;
    int64_t rows = audit_rows(story, NULL);
    /* At least: 2 accounts, a login, an alarm and four actions on it. */
    assert_true(rows >= 8);
    char output[1024], expected[64];
    snprintf(expected, sizeof expected, "%lld rows", (long long)rows);
    /* Checked while vigied runs, as an administrator would. */
    assert_int_equal(verify(story, story->world->db, output, sizeof output), 0);
    assert_non_null(strstr(output, "intact"));
    assert_non_null(strstr(output, expected));
    assert_int_equal(world_stop(story->world), 0);
    assert_int_equal(verify(story, story->world->db, output, sizeof output), 0);
    assert_non_null(strstr(output, "intact"));
}

static void test_reading_a_victims_file_leaves_an_audit_row(void **state)
{
    struct story *story = *state;
    int64_t before = audit_rows(story, NULL);
    char path[64];
    snprintf(path, sizeof path, "/v1/victims/%lld", (long long)story->victim);
    struct http_reply reply;
    assert_true(http_send(story->world, "GET", path, story->alice, NULL, 0, false, &reply));
    if (reply.status == 501)
        skip(); /* the victims' files are not served yet */
    assert_int_equal(reply.status, 200);
    assert_non_null(strstr(reply.body, "Claire Martin"));
    assert_non_null(strstr(reply.body, "TGD-69-0001"));
    assert_int_equal(audit_rows(story, NULL), before + 1);
    char query[160];
    snprintf(query, sizeof query,
             "SELECT COUNT(*) FROM audit WHERE id = %lld AND actor = 'alice'"
             " AND object_type = 'victim' AND object_id = %lld",
             (long long)before + 1, (long long)story->victim);
    assert_int_equal(world_sql_int(story->world, NULL, query), 1);
    /* An unknown file discloses nothing, and leaves no row. */
    long status = 0;
    http_request(story->world, "GET", "/v1/victims/999999", story->alice, NULL, &status, NULL);
    assert_int_equal(status, 404);
    assert_int_equal(audit_rows(story, NULL), before + 1);
    char output[1024];
    assert_int_equal(verify(story, story->world->db, output, sizeof output), 0);
}

/* Stops vigied and copies its database for tampering. */
static const char *tamper_copy(struct story *story, const char *name)
{
    static char path[WORLD_PATH_MAX];
    if (story->world->pid > 0 && world_stop(story->world) != 0)
        return NULL;
    return world_copy_db(story->world, name, path, sizeof path) ? path : NULL;
}

static void assert_broken(struct story *story, const char *db, const char *expected)
{
    char output[1024];
    int status = verify(story, db, output, sizeof output);
    if (status != 3 || !strstr(output, expected))
        fprintf(stderr, "# audit verify said (%d): %s", status, output);
    assert_int_equal(status, 3);
    assert_non_null(strstr(output, "BROKEN"));
    assert_non_null(strstr(output, expected));
    /* The untouched original still verifies. */
    assert_int_equal(verify(story, story->world->db, output, sizeof output), 0);
}

static void test_an_edited_audit_row_is_found(void **state)
{
    struct story *story = *state;
    const char *copy = tamper_copy(story, "edited.db");
    assert_non_null(copy);
    assert_true(world_sql(story->world, copy,
                          "UPDATE audit SET detail = '{\"timeline_id\":1}' WHERE id = 5"));
    assert_broken(story, copy, "row 5");
}

static void test_a_deleted_audit_row_is_found(void **state)
{
    struct story *story = *state;
    const char *copy = tamper_copy(story, "deleted.db");
    assert_non_null(copy);
    assert_true(world_sql(story->world, copy, "DELETE FROM audit WHERE id = 4"));
    assert_broken(story, copy, "row 4");
}

static void test_rows_cut_from_the_end_are_found(void **state)
{
    struct story *story = *state;
    const char *copy = tamper_copy(story, "cut.db");
    assert_non_null(copy);
    int64_t rows = audit_rows(story, copy);
    char sql[96];
    snprintf(sql, sizeof sql, "DELETE FROM audit WHERE id > %lld", (long long)rows - 2);
    assert_true(world_sql(story->world, copy, sql));
    assert_int_equal(audit_rows(story, copy), rows - 2);
    assert_broken(story, copy, "cut from the end");
}

static void test_a_removed_chain_head_is_found(void **state)
{
    struct story *story = *state;
    const char *copy = tamper_copy(story, "headless.db");
    assert_non_null(copy);
    assert_true(world_sql(story->world, copy, "DELETE FROM audit_head"));
    assert_broken(story, copy, "head");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_after_a_shift_the_audit_chain_verifies_intact,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(test_reading_a_victims_file_leaves_an_audit_row, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_an_edited_audit_row_is_found, world_up, world_down),
        cmocka_unit_test_setup_teardown(test_a_deleted_audit_row_is_found, world_up, world_down),
        cmocka_unit_test_setup_teardown(test_rows_cut_from_the_end_are_found, world_up, world_down),
        cmocka_unit_test_setup_teardown(test_a_removed_chain_head_is_found, world_up, world_down),
    };
    return cmocka_run_group_tests_name("audit", tests, template_up, template_down);
}
