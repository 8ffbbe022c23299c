/* Unit tests of the reference data: the demo loads in one transaction and
 * keeps the audit chain intact; a site reads back with its panels, zones
 * and keyholders in order; a victim's file has the aggressor and the
 * contacts; procedures fall back from site to client to "default"; bad
 * input is refused without breaking the audit chain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/demo_data.h"
#include "server/store.h"
#include "server/store_directory.h"

/* The demo loads in a handful of commits, not row by row: a bound on
 * commits, not on time (a busy machine must not fail the test, and speed
 * is for benchmarks). */
#define LOAD_COMMITS_MAX 16

struct world {
    char dir[64];
    char path[128];
    struct store *store;
    struct actor actor;
    char report[8192];
};

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void read_report(FILE *report, char *out, size_t size)
{
    rewind(report);
    size_t length = fread(out, 1, size - 1, report);
    out[length] = '\0';
}

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    assert_non_null(w);
    snprintf(w->dir, sizeof w->dir, "/tmp/vigie-directory-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    snprintf(w->path, sizeof w->path, "%s/test.db", w->dir);
    struct store_error error = {{0}};
    if (store_open(w->path, &(struct store_options){.create = true}, &w->store, &error) != STORE_OK)
        fail_msg("store_open: %s", error.message);
    actor_system(&w->actor);
    FILE *report = tmpfile();
    assert_non_null(report);
    char message[512] = "";
    int64_t commits_before = 0, commits_after = 0, jobs = 0;
    store_commit_stats(w->store, &commits_before, &jobs);
    double start = seconds_now();
    int status = demo_data_load(w->store, &(struct password_cost){.memory_kib = 8, .iterations = 1},
                                report, message, sizeof message);
    double elapsed = seconds_now() - start;
    if (status != STORE_OK)
        fail_msg("demo_data_load: %s", message);
    store_commit_stats(w->store, &commits_after, &jobs);
    print_message("demo loaded in %.2f s, %lld commits\n", elapsed,
                  (long long)(commits_after - commits_before));
    assert_true(commits_after - commits_before <= LOAD_COMMITS_MAX);
    read_report(report, w->report, sizeof w->report);
    fclose(report);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    store_close(w->store);
    char command[160];
    snprintf(command, sizeof command, "rm -rf %s", w->dir);
    assert_int_equal(system(command), 0);
    free(w);
    return 0;
}

static cJSON *item(const cJSON *object, const char *name)
{
    cJSON *found = cJSON_GetObjectItemCaseSensitive(object, name);
    if (!found)
        fail_msg("no field \"%s\"", name);
    return found;
}

static const char *text(const cJSON *object, const char *name)
{
    cJSON *found = item(object, name);
    if (!cJSON_IsString(found))
        fail_msg("field \"%s\" is not a string", name);
    return found->valuestring;
}

static int number(const cJSON *object, const char *name)
{
    cJSON *found = item(object, name);
    if (!cJSON_IsNumber(found))
        fail_msg("field \"%s\" is not a number", name);
    return found->valueint;
}

static void test_report_lists_accounts_and_tokens(void **state)
{
    struct world *w = *state;
    const char *lines[] = {"\nalice operator ",
                           "\nbruno operator ",
                           "\nchloe operator ",
                           "\nsam supervisor ",
                           "\nadmin admin ",
                           "\nTGD-0001 protection-phone ",
                           "\nTGD-0015 protection-phone ",
                           "\nPTI-0003 lone-worker "};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        if (!strstr(w->report, lines[i]))
            fail_msg("the report lacks \"%s\":\n%s", lines[i] + 1, w->report);
    /* A password is 12 characters after "alice operator ". */
    const char *alice = strstr(w->report, "\nalice operator ") + strlen("\nalice operator ");
    assert_int_equal(strcspn(alice, "\n"), 12);
}

static void test_site_has_panels_zones_and_keyholders_in_order(void **state)
{
    struct world *w = *state;
    cJSON *site = NULL;
    struct store_error error = {{0}};
    assert_int_equal(store_site_json(w->store, 1, &site, &error), STORE_OK);
    assert_string_equal(text(site, "name"), "Siège - Opéra");
    assert_string_equal(text(site, "timezone"), "Europe/Paris");
    assert_true(cJSON_IsNumber(item(site, "lat")) && cJSON_IsNumber(item(site, "lon")));
    assert_string_equal(text(item(site, "client"), "name"), "Banque Lutèce");
    const char *arm_state = text(site, "arm_state");
    assert_true(strcmp(arm_state, "armed") == 0 || strcmp(arm_state, "disarmed") == 0 ||
                strcmp(arm_state, "unknown") == 0);
    item(site, "arm_since");

    cJSON *panels = item(site, "panels");
    assert_int_equal(cJSON_GetArraySize(panels), 1);
    cJSON *panel = cJSON_GetArrayItem(panels, 0);
    assert_string_equal(text(panel, "account"), "1234");
    cJSON *zones = item(panel, "zones");
    int zone_count = cJSON_GetArraySize(zones);
    assert_in_range(zone_count, 3, 8);
    for (int i = 0; i < zone_count; i++)
        assert_int_equal(number(cJSON_GetArrayItem(zones, i), "number"), i + 1);
    assert_string_equal(text(cJSON_GetArrayItem(zones, 0), "name"), "Entrée principale");

    cJSON *keyholders = item(site, "keyholders");
    int keyholder_count = cJSON_GetArraySize(keyholders);
    assert_in_range(keyholder_count, 2, 4);
    for (int i = 0; i < keyholder_count; i++) {
        cJSON *keyholder = cJSON_GetArrayItem(keyholders, i);
        assert_int_equal(number(keyholder, "position"), i + 1);
        assert_true(strncmp(text(keyholder, "phone"), "+33", 3) == 0);
        text(keyholder, "availability");
    }
    cJSON_Delete(site);
}

static void test_victim_file_has_aggressor_and_contacts(void **state)
{
    struct world *w = *state;
    cJSON *file = NULL;
    struct store_error error = {{0}};
    assert_int_equal(store_victim_json(w->store, 1, &file, &error), STORE_OK);
    assert_string_equal(text(file, "reference"), "TGD-75-2026-0001");
    text(file, "phone");
    text(item(file, "addresses"), "home");
    cJSON *order = item(file, "protection_order");
    assert_string_equal(text(order, "court"), "Tribunal judiciaire de Paris");
    text(order, "expiry");
    text(order, "prohibition");
    cJSON *aggressor = item(file, "aggressor");
    assert_string_equal(text(aggressor, "name"), "Franck Rocher");
    assert_string_equal(text(aggressor, "plate"), "FR-482-KD");
    text(aggressor, "vehicle");
    text(aggressor, "description");
    cJSON *contacts = item(file, "emergency_contacts");
    assert_true(cJSON_IsArray(contacts));
    assert_in_range(cJSON_GetArraySize(contacts), 2, 3);
    cJSON *contact = cJSON_GetArrayItem(contacts, 0);
    assert_string_equal(text(contact, "name"), "Hélène Rocher");
    text(contact, "relation");
    text(contact, "phone");
    text(file, "association");
    cJSON *devices = item(file, "devices");
    assert_int_equal(cJSON_GetArraySize(devices), 1);
    assert_string_equal(text(cJSON_GetArrayItem(devices, 0), "device_uid"), "TGD-0001");
    assert_string_equal(text(cJSON_GetArrayItem(devices, 0), "kind"), "protection-phone");
    cJSON_Delete(file);
}

/* A client with a plan for burglary and a default plan; one of its sites
 * has its own fire plan; another client has no plan at all. Steps are
 * added out of order to check that they read back in order. */
struct plan_world {
    const struct actor *actor;
    int64_t site_id, bare_site_id;
};

static int add_plan_world(struct store_tx *tx, void *context, struct store_error *error)
{
    struct plan_world *p = context;
    int64_t client = 0, bare_client = 0;
    int status = store_client_add(tx, p->actor,
                                  &(struct store_client_new){.name = "Client plan", .kind = "bank"},
                                  &client, error);
    if (status == STORE_OK)
        status = store_client_add(
            tx, p->actor, &(struct store_client_new){.name = "Client sans plan", .kind = "retail"},
            &bare_client, error);
    if (status == STORE_OK)
        status = store_site_add(tx, p->actor,
                                &(struct store_site_new){.client_id = client, .name = "Site A"},
                                &p->site_id, error);
    if (status == STORE_OK)
        status = store_site_add(
            tx, p->actor, &(struct store_site_new){.client_id = bare_client, .name = "Site B"},
            &p->bare_site_id, error);
    const struct store_procedure_step_new steps[] = {
        {client, 0, "burglary", 2, "client burglary 2", ""},
        {client, 0, "burglary", 1, "client burglary 1", "first"},
        {client, 0, "default", 1, "client default 1", ""},
        {0, p->site_id, "fire", 2, "site fire 2", ""},
        {0, p->site_id, "fire", 1, "site fire 1", ""},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0] && status == STORE_OK; i++)
        status = store_procedure_step_add(tx, p->actor, &steps[i], NULL, error);
    return status;
}

static void expect_plan(struct world *w, int64_t site_id, const char *alarm_class,
                        const char *scope, const char *first_action, int steps)
{
    cJSON *plan = NULL;
    struct store_error error = {{0}};
    assert_int_equal(store_procedures_json(w->store, site_id, alarm_class, &plan, &error),
                     STORE_OK);
    assert_string_equal(text(plan, "scope"), scope);
    assert_string_equal(text(plan, "class"), alarm_class);
    cJSON *list = item(plan, "steps");
    assert_int_equal(cJSON_GetArraySize(list), steps);
    for (int i = 0; i < steps; i++)
        assert_int_equal(number(cJSON_GetArrayItem(list, i), "step"), i + 1);
    if (first_action)
        assert_string_equal(text(cJSON_GetArrayItem(list, 0), "action"), first_action);
    cJSON_Delete(plan);
}

static void test_procedures_fall_back_site_client_default(void **state)
{
    struct world *w = *state;
    struct plan_world p = {.actor = &w->actor};
    struct store_error error = {{0}};
    if (store_directory_write(w->store, add_plan_world, &p, &error) != STORE_OK)
        fail_msg("adding the plans: %s", error.message);
    expect_plan(w, p.site_id, "fire", "site", "site fire 1", 2);
    expect_plan(w, p.site_id, "burglary", "client", "client burglary 1", 2);
    expect_plan(w, p.site_id, "panic", "default", "client default 1", 1);
    expect_plan(w, p.bare_site_id, "burglary", "none", NULL, 0);
    /* The demo's own data: a bank's site has the client's duress plan. */
    expect_plan(w, 2, "duress", "client", "Do NOT call the site", 4);
}

static void test_unknown_ids_are_not_found(void **state)
{
    struct world *w = *state;
    cJSON *out = NULL;
    struct store_error error = {{0}};
    assert_int_equal(store_site_json(w->store, 999999, &out, &error), STORE_NOT_FOUND);
    assert_null(out);
    assert_int_equal(store_victim_json(w->store, 999999, &out, &error), STORE_NOT_FOUND);
    assert_null(out);
    assert_int_equal(store_procedures_json(w->store, 999999, "fire", &out, &error),
                     STORE_NOT_FOUND);
    assert_null(out);
}

static int add_duplicate_account(struct store_tx *tx, void *context, struct store_error *error)
{
    const struct actor *actor = context;
    return store_panel_add(tx, actor, &(struct store_panel_new){.site_id = 2, .account = "1234"},
                           NULL, error);
}

static int add_bad_step(struct store_tx *tx, void *context, struct store_error *error)
{
    const struct actor *actor = context;
    struct store_procedure_step_new step = {1, 1, "fire", 1, "both owners", ""};
    return store_procedure_step_add(tx, actor, &step, NULL, error);
}

static void test_bad_input_is_refused_and_rolled_back(void **state)
{
    struct world *w = *state;
    struct store_error error = {{0}};
    assert_int_equal(store_directory_write(w->store, add_duplicate_account, &w->actor, &error),
                     STORE_CONFLICT);
    assert_int_equal(store_directory_write(w->store, add_bad_step, &w->actor, &error),
                     STORE_INVALID);
    /* A second demo load is refused: the database is not empty. */
    char message[256] = "";
    FILE *report = tmpfile();
    assert_non_null(report);
    assert_int_not_equal(
        demo_data_load(w->store, &(struct password_cost){8, 1}, report, message, sizeof message),
        STORE_OK);
    fclose(report);
}

static void test_audit_chain_intact_after_load(void **state)
{
    struct world *w = *state;
    struct store_audit_report report;
    struct store_error error = {{0}};
    assert_int_equal(store_audit_verify(w->store, &report, &error), STORE_OK);
    if (report.first_bad_row != 0)
        fail_msg("audit chain broken at row %lld: %s", (long long)report.first_bad_row,
                 report.problem);
    /* Every added row is audited: clients, sites, panels, zones... */
    assert_true(report.rows_checked > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_lists_accounts_and_tokens),
        cmocka_unit_test(test_site_has_panels_zones_and_keyholders_in_order),
        cmocka_unit_test(test_victim_file_has_aggressor_and_contacts),
        cmocka_unit_test(test_procedures_fall_back_site_client_default),
        cmocka_unit_test(test_unknown_ids_are_not_found),
        cmocka_unit_test(test_bad_input_is_refused_and_rolled_back),
        cmocka_unit_test(test_audit_chain_intact_after_load),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
