/* Provisioning a protection phone from the command line: an administrator
 * registers a victim's new phone with its number and AML key, hands the
 * printed token to the phone, and the phone's SOS and its AML message both
 * reach the queue; a lost phone gets a new token and the old one stops
 * working; a listing never shows a secret; mistakes get a clear answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/harness.h"

#define PASSWORD   "night-shift-42"
#define NUMBER     "+33698765432"
#define AML_KEY    "f0e1d2c3b4a5968778695a4b3c2d1e0f0123456789abcdef0123456789abcdef"
#define OUTPUT_MAX 4096

struct story {
    struct world *world;
    char output[OUTPUT_MAX];
};

static struct world *template;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    return template && world_add_user(template, "night-op", "operator", PASSWORD) &&
                   world_sql(template, NULL,
                             "INSERT INTO victims(id, reference, full_name, phone)"
                             " VALUES(7, 'TGD-75-2026-0777', 'Camille Martin', '+33611223344')")
               ? 0
               : -1;
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
    return story && (story->world = world_clone(template)) ? 0 : -1;
}

static int story_down(void **state)
{
    struct story *story = *state;
    bool clean = story ? world_destroy(story->world) : true;
    free(story);
    return clean ? 0 : -1;
}

/* The token printed after "token (shown once): ", copied to `token`. */
static void printed_token(const char *output, char *token, size_t size)
{
    const char *mark = strstr(output, "token (shown once): ");
    if (!mark)
        fail_msg("no token printed: %s", output);
    mark += strlen("token (shown once): ");
    size_t length = strcspn(mark, "\n");
    assert_true(length == 64 && length < size);
    memcpy(token, mark, length);
    token[length] = '\0';
}

static int device_command(struct story *story, const char *a, const char *b, const char *c,
                          const char *d, const char *e, const char *f, const char *g, const char *h,
                          const char *i, const char *j)
{
    const char *args[] = {a, b, c, d, e, f, g, h, i, j};
    const char *argv[16] = {"device"};
    size_t n = 1;
    for (size_t k = 0; k < sizeof args / sizeof args[0] && args[k]; k++)
        argv[n++] = args[k];
    argv[n++] = "--db";
    argv[n++] = story->world->db;
    for (; n < 16; n++)
        argv[n] = NULL;
    return world_run(story->world, NULL, story->output, sizeof story->output, argv[0], argv[1],
                     argv[2], argv[3], argv[4], argv[5], argv[6], argv[7], argv[8], argv[9],
                     argv[10], argv[11], argv[12], argv[13], NULL);
}

/* `vigie-sim phone` with this token: its first output line. */
static int phone_sos(struct story *story, const char *token, char *output, size_t size)
{
    return world_sim(story->world, output, size, "phone", "--server", story->world->base_url,
                     "--device", "TGD-7777", "--token", token, "--lat", "48.8530", "--lon",
                     "2.3690", "--source", "gps", "--accuracy", "8", NULL);
}

static void test_a_registered_phone_reaches_the_queue_by_token_and_by_aml(void **state)
{
    struct story *story = *state;
    int status = device_command(story, "add", "TGD-7777", "--kind", "protection-phone", "--victim",
                                "7", "--msisdn", NUMBER, "--aml-key", AML_KEY);
    if (status != 0)
        fail_msg("device add exited %d: %s", status, story->output);
    assert_non_null(strstr(story->output, "device TGD-7777 added"));
    char token[80];
    printed_token(story->output, token, sizeof token);
    assert_true(world_start(story->world));

    char output[1024];
    status = phone_sos(story, token, output, sizeof output);
    if (status != 0)
        fail_msg("vigie-sim phone exited %d: %s", status, output);
    assert_non_null(strstr(output, "201 alarm"));
    const char *operator= login(story->world, "night-op", PASSWORD);
    assert_non_null(operator);
    assert_int_equal(world_sql_int(story->world, NULL,
                                   "SELECT COUNT(*) FROM alarms WHERE victim_id = 7"
                                   " AND priority = 1 AND state <> 'closed'"),
                     1);

    /* The handset's own AML message, signed with the key registered. */
    status = world_sim(story->world, output, sizeof output, "phone", "--aml", "--server",
                       story->world->base_url, "--msisdn", NUMBER, "--key", AML_KEY, "--lat",
                       "48.8531", "--lon", "2.3691", "--source", "cell", "--accuracy", "900", NULL);
    if (status != 0)
        fail_msg("vigie-sim phone --aml exited %d: %s", status, output);
    assert_non_null(strstr(output, "201 alarm"));
    assert_int_equal(
        world_sql_int(story->world, NULL, "SELECT COUNT(*) FROM alarms WHERE victim_id = 7"),
        1); /* the AML position joined the open alarm's track */
    assert_int_equal(
        world_sql_int(story->world, NULL, "SELECT COUNT(*) FROM audit WHERE action = 'device.add'"),
        1);
}

static void test_a_new_token_retires_the_old_one(void **state)
{
    struct story *story = *state;
    assert_int_equal(device_command(story, "add", "TGD-7777", "--kind", "protection-phone",
                                    "--victim", "7", NULL, NULL, NULL, NULL),
                     0);
    char old_token[80], new_token[80];
    printed_token(story->output, old_token, sizeof old_token);
    assert_int_equal(device_command(story, "set", "TGD-7777", "--new-token", NULL, NULL, NULL, NULL,
                                    NULL, NULL, NULL),
                     0);
    assert_non_null(strstr(story->output, "device TGD-7777 changed"));
    printed_token(story->output, new_token, sizeof new_token);
    assert_string_not_equal(old_token, new_token);
    assert_true(world_start(story->world));

    char output[1024];
    assert_int_not_equal(phone_sos(story, old_token, output, sizeof output), 0);
    assert_non_null(strstr(output, "401"));
    assert_int_equal(phone_sos(story, new_token, output, sizeof output), 0);
    assert_non_null(strstr(output, "201 alarm"));
}

static void test_a_listing_shows_no_secret(void **state)
{
    struct story *story = *state;
    assert_int_equal(device_command(story, "add", "TGD-7777", "--kind", "protection-phone",
                                    "--victim", "7", "--msisdn", NUMBER, "--aml-key", AML_KEY),
                     0);
    char token[80];
    printed_token(story->output, token, sizeof token);
    assert_int_equal(
        device_command(story, "list", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), 0);
    assert_non_null(strstr(story->output, "TGD-7777"));
    assert_non_null(strstr(story->output, NUMBER));
    assert_non_null(strstr(story->output, "TGD-75-2026-0777"));
    assert_non_null(strstr(story->output, "aml-key yes"));
    assert_null(strstr(story->output, token));
    assert_null(strstr(story->output, AML_KEY));
    /* Nor does the audit trail. */
    assert_int_equal(world_sql_int(story->world, NULL,
                                   "SELECT COUNT(*) FROM audit WHERE detail LIKE '%" AML_KEY
                                   "%' OR detail LIKE '%f0e1d2%'"),
                     0);
}

static void test_mistakes_get_a_clear_answer_and_change_nothing(void **state)
{
    struct story *story = *state;
    /* A number not in E.164 form. */
    assert_int_equal(device_command(story, "add", "TGD-7777", "--kind", "protection-phone",
                                    "--victim", "7", "--msisdn", "0698765432", NULL, NULL),
                     2);
    assert_non_null(strstr(story->output, "E.164"));
    /* A key that is not hex. */
    assert_int_equal(device_command(story, "add", "TGD-7777", "--kind", "protection-phone",
                                    "--victim", "7", "--aml-key", "not-a-key", NULL, NULL),
                     2);
    assert_non_null(strstr(story->output, "hex digits"));
    /* Neither a victim nor a site. */
    assert_int_equal(device_command(story, "add", "TGD-7777", "--kind", "protection-phone", NULL,
                                    NULL, NULL, NULL, NULL, NULL),
                     2);
    assert_non_null(strstr(story->output, "--victim or --site"));
    /* A number another phone already has: refused, and no half-made device. */
    assert_int_equal(device_command(story, "add", "TGD-7777", "--kind", "protection-phone",
                                    "--victim", "7", "--msisdn", NUMBER, NULL, NULL),
                     0);
    assert_int_equal(device_command(story, "add", "TGD-7778", "--kind", "protection-phone",
                                    "--victim", "7", "--msisdn", NUMBER, NULL, NULL),
                     1);
    assert_non_null(strstr(story->output, "already has the number"));
    assert_int_equal(world_sql_int(story->world, NULL,
                                   "SELECT COUNT(*) FROM devices WHERE device_uid LIKE 'TGD-777%'"),
                     1);
    /* A device that does not exist. */
    assert_int_equal(device_command(story, "set", "TGD-0000", "--new-token", NULL, NULL, NULL, NULL,
                                    NULL, NULL, NULL),
                     1);
    assert_non_null(strstr(story->output, "no device TGD-0000"));
    /* Nothing to change. */
    assert_int_equal(
        device_command(story, "set", "TGD-7777", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
        2);
    assert_non_null(strstr(story->output, "nothing to change"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_a_registered_phone_reaches_the_queue_by_token_and_by_aml, story_up, story_down),
        cmocka_unit_test_setup_teardown(test_a_new_token_retires_the_old_one, story_up, story_down),
        cmocka_unit_test_setup_teardown(test_a_listing_shows_no_secret, story_up, story_down),
        cmocka_unit_test_setup_teardown(test_mistakes_get_a_clear_answer_and_change_nothing,
                                        story_up, story_down),
    };
    return cmocka_run_group_tests(tests, template_up, template_down);
}
