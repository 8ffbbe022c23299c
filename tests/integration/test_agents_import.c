/* The agents' registry from the command line: an administrator imports the
 * file the agents' employers sent; imports it again by mistake and nothing
 * changes; sends a corrected file and only the corrected agents change; a
 * file with mistakes is refused whole, every bad line named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/harness.h"

#define HEADER     "agent_id,name,site_id,site_name,site_validated,lat,lon,phone,email,vetted,duty\n"
#define OUTPUT_MAX 8192

static const char good_file[] =
    HEADER "A-001,Karim Benali,S-01,\"Centre commercial DUPOND\",yes,48.8566,2.3522,"
           "06 12 34 56 78,k.benali@example.fr,yes,Mo-Fr 07:00-19:00\n"
           "A-002,Léa Martin,S-01,\"Centre commercial DUPOND\",yes,48.8567,2.3523,"
           "+32 470 12 34 56,,no,\n"
           "A-003,Jan Peeters,S-02,Gare du Midi,no,50.8357,4.3365,,jan@example.be,yes,24/7\n";

struct story {
    struct world *world;
    char path[512];
    char output[OUTPUT_MAX];
};

static struct world *template;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    return template ? 0 : -1;
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
    if (!story || !(story->world = world_clone(template)))
        return -1;
    snprintf(story->path, sizeof story->path, "%s/agents.csv", story->world->dir);
    return 0;
}

static int story_down(void **state)
{
    struct story *story = *state;
    bool clean = story ? world_destroy(story->world) : true;
    free(story);
    return clean ? 0 : -1;
}

static void write_file(struct story *story, const char *text)
{
    FILE *file = fopen(story->path, "w");
    assert_non_null(file);
    assert_int_equal(fwrite(text, 1, strlen(text), file), strlen(text));
    assert_int_equal(fclose(file), 0);
}

static int import(struct story *story, const char *option)
{
    return world_run(story->world, NULL, story->output, sizeof story->output, "agents", "import",
                     story->path, "--db", story->world->db, option, NULL);
}

static int64_t count(struct story *story, const char *sql)
{
    return world_sql_int(story->world, NULL, sql);
}

static void test_a_good_file_is_imported_with_numbers_in_e164(void **state)
{
    struct story *story = *state;
    write_file(story, good_file);
    if (import(story, NULL) != 0)
        fail_msg("import failed: %s", story->output);
    assert_non_null(strstr(story->output, "3 agents added, 0 changed, 0 unchanged; 2 sites added"));
    assert_int_equal(count(story, "SELECT COUNT(*) FROM agents WHERE ext_id = 'A-001' AND phone ="
                                  " '+33612345678' AND phone_kind = 'mobile' AND vetted = 1"
                                  " AND vetted_by LIKE 'cli (import of agents.csv)'"),
                     1);
    assert_int_equal(count(story, "SELECT COUNT(*) FROM agents WHERE ext_id = 'A-002' AND phone ="
                                  " '+32470123456' AND vetted = 0 AND vetted_by IS NULL"),
                     1);
    assert_int_equal(count(story, "SELECT COUNT(*) FROM sites WHERE ext_id = 'S-01'"
                                  " AND validated_at IS NOT NULL AND timezone = 'Europe/Paris'"),
                     1);
    assert_int_equal(count(story, "SELECT COUNT(*) FROM sites WHERE ext_id = 'S-02'"
                                  " AND validated_at IS NULL"),
                     1);
    /* Audited by registry identifier, never by phone number. */
    assert_int_equal(count(story, "SELECT COUNT(*) FROM audit WHERE action = 'agent.add'"), 3);
    assert_int_equal(count(story, "SELECT COUNT(*) FROM audit WHERE action = 'agents.import'"), 1);
    assert_int_equal(count(story, "SELECT COUNT(*) FROM audit WHERE detail LIKE '%+336%'"), 0);
}

static void test_the_same_file_twice_changes_nothing(void **state)
{
    struct story *story = *state;
    write_file(story, good_file);
    assert_int_equal(import(story, NULL), 0);
    int64_t audit_rows = count(story, "SELECT COUNT(*) FROM audit");
    int64_t vetted_at = count(story, "SELECT vetted_at FROM agents WHERE ext_id = 'A-001'");
    assert_int_equal(import(story, NULL), 0);
    assert_non_null(
        strstr(story->output, "0 agents added, 0 changed, 3 unchanged; 0 sites added, 0 changed"));
    assert_int_equal(count(story, "SELECT COUNT(*) FROM audit"), audit_rows);
    assert_int_equal(count(story, "SELECT vetted_at FROM agents WHERE ext_id = 'A-001'"),
                     vetted_at);
    assert_int_equal(count(story, "SELECT COUNT(*) FROM agents"), 3);
}

static void test_a_corrected_file_changes_only_what_changed(void **state)
{
    struct story *story = *state;
    write_file(story, good_file);
    assert_int_equal(import(story, NULL), 0);
    /* A-002 is now vetted; S-02 validated; A-003 got a number. */
    write_file(story,
               HEADER "A-001,Karim Benali,S-01,\"Centre commercial DUPOND\",yes,48.8566,2.3522,"
                      "06 12 34 56 78,k.benali@example.fr,yes,Mo-Fr 07:00-19:00\n"
                      "A-002,Léa Martin,S-01,\"Centre commercial DUPOND\",yes,48.8567,2.3523,"
                      "+32 470 12 34 56,,yes,\n"
                      "A-003,Jan Peeters,S-02,Gare du Midi,yes,50.8357,4.3365,+32 470 99 88 77,"
                      "jan@example.be,yes,24/7\n");
    if (import(story, NULL) != 0)
        fail_msg("import failed: %s", story->output);
    assert_non_null(
        strstr(story->output, "0 agents added, 2 changed, 1 unchanged; 0 sites added, 1 changed"));
    assert_int_equal(count(story, "SELECT COUNT(*) FROM agents WHERE ext_id = 'A-002'"
                                  " AND vetted = 1 AND vetted_at IS NOT NULL"),
                     1);
    assert_int_equal(count(story, "SELECT COUNT(*) FROM sites WHERE ext_id = 'S-02'"
                                  " AND validated_at IS NOT NULL"),
                     1);
    assert_int_equal(count(story, "SELECT COUNT(*) FROM audit WHERE action = 'agent.change'"
                                  " AND detail LIKE '%\"vetted\"%'"),
                     1);
}

static void test_a_file_with_mistakes_is_refused_whole(void **state)
{
    struct story *story = *state;
    write_file(story,
               HEADER "A-001,Karim Benali,S-01,Site,yes,48.8566,2.3522,0612345678,,yes,24/7\n"
                      "A-002,Bad Phone,S-01,Site,yes,48.8566,2.3522,12,,yes,24/7\n"
                      "A-003,Bad Duty,S-01,Site,yes,48.8566,2.3522,,,yes,Mo-Fr 7h-19h\n");
    assert_int_equal(import(story, NULL), 1);
    assert_non_null(strstr(story->output, "agents.csv:3: agent A-002: phone \"12\""));
    assert_non_null(strstr(story->output, "agents.csv:4: agent A-003: duty"));
    assert_non_null(strstr(story->output, "2 problems: nothing imported"));
    assert_int_equal(count(story, "SELECT COUNT(*) FROM agents"), 0);
    assert_int_equal(count(story, "SELECT COUNT(*) FROM sites WHERE ext_id IS NOT NULL"), 0);
    /* --check reads and reports without writing, for a good file too. */
    write_file(story, good_file);
    assert_int_equal(import(story, "--check"), 0);
    assert_non_null(strstr(story->output, "3 agents, no problem"));
    assert_int_equal(count(story, "SELECT COUNT(*) FROM agents"), 0);
    /* A file that is not there. */
    snprintf(story->path, sizeof story->path, "%s/missing.csv", story->world->dir);
    assert_int_equal(import(story, NULL), 1);
    assert_non_null(strstr(story->output, "No such file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_good_file_is_imported_with_numbers_in_e164, story_up,
                                        story_down),
        cmocka_unit_test_setup_teardown(test_the_same_file_twice_changes_nothing, story_up,
                                        story_down),
        cmocka_unit_test_setup_teardown(test_a_corrected_file_changes_only_what_changed, story_up,
                                        story_down),
        cmocka_unit_test_setup_teardown(test_a_file_with_mistakes_is_refused_whole, story_up,
                                        story_down),
    };
    return cmocka_run_group_tests(tests, template_up, template_down);
}
