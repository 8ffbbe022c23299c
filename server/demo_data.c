/* demo_data.c: `vigied init --demo`: turns the tables of demo_names.c into
 * rows, in one write transaction (fast even under a sanitizer, and all or
 * nothing), then creates the demo accounts. Positions, phones and accounts
 * come from a fixed-seed generator, so every run gives the same dataset;
 * only the passwords and device tokens are random, and printed once. */
#include "server/demo_data.h"
#include "server/accounts.h"
#include "server/demo_agents.h"
#include "server/demo_names.h"
#include "server/store_directory.h"
#include "server/store_places.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Any fixed value: it only has to be the same on every run. */
#define DEMO_SEED 0x5EC0A1A5u
/* Bounds of the tables in demo_names.c, checked before loading. */
#define DEMO_CLIENTS_MAX     32
#define DEMO_SITES_MAX       128
#define DEMO_DEVICES_MAX     64
#define DEMO_PASSWORD_LENGTH 12
/* Protection phones test themselves daily, lone-worker devices hourly. */
#define DEMO_PHONE_TEST_S       86400
#define DEMO_LONE_WORKER_TEST_S 3600
#define HOUR_MS                 (3600 * INT64_C(1000))

struct demo_rng {
    uint32_t state;
};

/* xorshift32: tiny, deterministic, good enough to scatter demo data. */
static uint32_t rng_next(struct demo_rng *rng)
{
    uint32_t x = rng->state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng->state = x;
    return x;
}

static uint32_t rng_below(struct demo_rng *rng, uint32_t bound)
{
    return rng_next(rng) % bound;
}

static double rng_between(struct demo_rng *rng, double low, double high)
{
    return low + (high - low) * (rng_next(rng) / 4294967296.0);
}

struct demo_device {
    char uid[16];
    const char *kind;
    char token[TOKEN_TEXT_SIZE];
};

struct demo_load {
    struct actor actor;
    struct demo_rng rng;
    int64_t now_ms;
    int64_t client_ids[DEMO_CLIENTS_MAX];
    int64_t site_ids[DEMO_SITES_MAX];
    double site_lat[DEMO_SITES_MAX], site_lon[DEMO_SITES_MAX];
    char accounts[DEMO_SITES_MAX][8];
    struct demo_device devices[DEMO_DEVICES_MAX];
    size_t device_count;
    size_t zones, keyholders, steps;
    struct demo_agents_report agents; /* the registry of demo_agents.c */
};

static void random_digits(struct demo_rng *rng, char *out, size_t size, const char *prefix,
                          int digits)
{
    int used = snprintf(out, size, "%s", prefix);
    for (int i = 0; i < digits && (size_t)used + 1 < size; i++)
        out[used++] = (char)('0' + rng_below(rng, 10));
    out[used < (int)size ? used : (int)size - 1] = '\0';
}

static const struct demo_region_info *site_region(size_t site)
{
    return &demo_regions[demo_cities[demo_sites[site].city].region];
}

/* ---- Clients and their action plans ---- */

static int add_plan(struct store_tx *tx, struct demo_load *load, int64_t client_id, int64_t site_id,
                    const struct demo_step *step, const char **previous_class, int *number,
                    struct store_error *error)
{
    *number = *previous_class && strcmp(*previous_class, step->alarm_class) == 0 ? *number + 1 : 1;
    *previous_class = step->alarm_class;
    struct store_procedure_step_new row = {client_id, site_id,      step->alarm_class,
                                           *number,   step->action, step->detail};
    load->steps++;
    return store_procedure_step_add(tx, &load->actor, &row, NULL, error);
}

static int add_clients(struct store_tx *tx, struct demo_load *load, struct store_error *error)
{
    for (size_t c = 0; c < demo_client_count; c++) {
        int status =
            store_client_add(tx, &load->actor, &demo_clients[c].row, &load->client_ids[c], error);
        const char *previous = NULL;
        int number = 0;
        for (const struct demo_step *step = demo_clients[c].plan;
             status == STORE_OK && step->alarm_class; step++)
            status = add_plan(tx, load, load->client_ids[c], 0, step, &previous, &number, error);
        if (status != STORE_OK)
            return status;
    }
    return STORE_OK;
}

/* ---- Sites, panels, zones, keyholders ---- */

/* "1234" and "A1B2C" are kept for scripts; the others are 4 to 6 random
 * hex digits, unique. */
static void panel_account(struct demo_load *load, size_t site)
{
    static const char *const fixed[] = {"1234", "A1B2C"};
    char *out = load->accounts[site];
    if (site < sizeof fixed / sizeof fixed[0]) {
        snprintf(out, sizeof load->accounts[site], "%s", fixed[site]);
        return;
    }
    static const uint32_t low[] = {0x1000, 0x10000, 0x100000};
    bool unique = false;
    while (!unique) {
        uint32_t digits = (uint32_t)(site % 3);
        uint32_t value = low[digits] + rng_below(&load->rng, low[digits] * 15);
        snprintf(out, sizeof load->accounts[site], "%X", value);
        unique = true;
        for (size_t other = 0; other < site && unique; other++)
            unique = strcmp(load->accounts[other], out) != 0;
    }
}

static int add_panel(struct store_tx *tx, struct demo_load *load, size_t site,
                     struct store_error *error)
{
    panel_account(load, site);
    struct demo_rng *rng = &load->rng;
    /* One draw per statement: the order of draws inside an initializer or
     * an argument list is unspecified, and the dataset must not depend on
     * the compiler. */
    const char *model = demo_panel_models[rng_below(rng, (uint32_t)demo_panel_model_count)];
    const char *protocol = rng_below(rng, 2) ? "SIA-DCS" : "ADM-CID";
    struct store_panel_new panel = {load->site_ids[site], load->accounts[site], model, protocol};
    int64_t panel_id = 0;
    int status = store_panel_add(tx, &load->actor, &panel, &panel_id, error);
    const struct demo_client *client = &demo_clients[demo_sites[site].client];
    int zones = 3 + (int)rng_below(rng, DEMO_ZONES_MAX - 2);
    for (int z = 0; z < zones && client->zones[z] && status == STORE_OK; z++, load->zones++)
        status = store_zone_add(tx, &load->actor, panel_id, z + 1, client->zones[z], error);
    return status;
}

static int add_keyholders(struct store_tx *tx, struct demo_load *load, size_t site,
                          struct store_error *error)
{
    struct demo_rng *rng = &load->rng;
    const struct demo_region_info *region = site_region(site);
    int count = 2 + (int)rng_below(rng, 3);
    int status = STORE_OK;
    for (int position = 1; position <= count && status == STORE_OK; position++) {
        char name[96], phone[24];
        const char *first = demo_first_names[rng_below(rng, (uint32_t)demo_first_name_count)];
        const char *last = demo_last_names[rng_below(rng, (uint32_t)demo_last_name_count)];
        snprintf(name, sizeof name, "%s %s", first, last);
        random_digits(rng, phone, sizeof phone, region->mobile_prefix, region->mobile_digits);
        const char *availability =
            demo_availabilities[rng_below(rng, (uint32_t)demo_availability_count)];
        struct store_keyholder_new keyholder = {load->site_ids[site], position, name, phone,
                                                availability};
        status = store_keyholder_add(tx, &load->actor, &keyholder, NULL, error);
        load->keyholders++;
    }
    return status;
}

static int add_device(struct store_tx *tx, struct demo_load *load, const char *prefix,
                      const char *kind, int64_t victim_id, int64_t site_id, int interval_s,
                      struct store_error *error)
{
    if (load->device_count == DEMO_DEVICES_MAX) {
        snprintf(error->message, sizeof error->message, "the demo has more devices than %d",
                 DEMO_DEVICES_MAX);
        return STORE_ERROR;
    }
    struct demo_device *device = &load->devices[load->device_count];
    size_t same_kind = 1;
    for (size_t i = 0; i < load->device_count; i++)
        same_kind += strcmp(load->devices[i].kind, kind) == 0;
    snprintf(device->uid, sizeof device->uid, "%s-%04zu", prefix, same_kind);
    device->kind = kind;
    char hash[TOKEN_HASH_SIZE];
    if (!token_generate(device->token) || !token_hash(device->token, hash)) {
        snprintf(error->message, sizeof error->message, "cannot generate a device token");
        return STORE_ERROR;
    }
    struct store_device_new row = {device->uid, kind, victim_id, site_id, hash, interval_s};
    int status = store_device_add(tx, &load->actor, &row, NULL, error);
    if (status == STORE_OK)
        load->device_count++;
    return status;
}

static int add_site(struct store_tx *tx, struct demo_load *load, size_t site,
                    struct store_error *error)
{
    struct demo_rng *rng = &load->rng;
    const struct demo_site *row = &demo_sites[site];
    const struct demo_city *city = &demo_cities[row->city];
    const struct demo_region_info *region = site_region(site);
    const struct demo_client *client = &demo_clients[row->client];
    char address[128], phone[24], notes[64] = "";
    uint32_t number = 1 + rng_below(rng, 180);
    const char *street = region->streets[rng_below(rng, (uint32_t)region->street_count)];
    snprintf(address, sizeof address, "%u %s", number, street);
    random_digits(rng, phone, sizeof phone, region->landline_prefix, region->landline_digits);
    if (client->valuables)
        snprintf(notes, sizeof notes, "Hold-up code: %s",
                 demo_holdup_codes[rng_below(rng, (uint32_t)demo_holdup_code_count)]);
    uint32_t arm = rng_below(rng, 100);
    int64_t arm_hours = 1 + rng_below(rng, 72);
    bool validated = rng_below(rng, 10) < 9;
    load->site_lat[site] = city->lat + rng_between(rng, -0.012, 0.012);
    load->site_lon[site] = city->lon + rng_between(rng, -0.018, 0.018);
    struct store_site_new new_site = {
        .client_id = load->client_ids[row->client],
        .name = row->name,
        .address = address,
        .city = city->name,
        .country = region->country,
        .located = true,
        .lat = load->site_lat[site],
        .lon = load->site_lon[site],
        .timezone = region->timezone,
        .phone = phone,
        .schedule = client->schedule,
        .notes = notes,
        .arm_state = arm < 60   ? "armed"
                     : arm < 95 ? "disarmed"
                                : "unknown",
        .arm_since = arm < 95 ? load->now_ms - arm_hours * HOUR_MS : 0,
        .validated_by = validated ? region->vetting_authority : NULL,
    };
    int status = store_site_add(tx, &load->actor, &new_site, &load->site_ids[site], error);
    if (status == STORE_OK)
        status = add_panel(tx, load, site, error);
    if (status == STORE_OK)
        status = add_keyholders(tx, load, site, error);
    if (status == STORE_OK && row->lone_worker)
        status = add_device(tx, load, "PTI", "lone-worker", 0, load->site_ids[site],
                            DEMO_LONE_WORKER_TEST_S, error);
    return status;
}

static int add_site_plans(struct store_tx *tx, struct demo_load *load, struct store_error *error)
{
    const char *previous = NULL, *previous_site = NULL;
    int number = 0;
    for (size_t i = 0; i < demo_site_step_count; i++) {
        const struct demo_site_step *step = &demo_site_steps[i];
        size_t site = 0;
        while (site < demo_site_count && strcmp(demo_sites[site].name, step->site) != 0)
            site++;
        if (site == demo_site_count) {
            snprintf(error->message, sizeof error->message,
                     "the demo plan names an unknown site %s", step->site);
            return STORE_ERROR;
        }
        if (previous_site && strcmp(previous_site, step->site) != 0)
            previous = NULL;
        previous_site = step->site;
        int status =
            add_plan(tx, load, 0, load->site_ids[site], &step->step, &previous, &number, error);
        if (status != STORE_OK)
            return status;
    }
    return STORE_OK;
}

/* ---- Victims and agents ---- */

static int add_victims(struct store_tx *tx, struct demo_load *load, struct store_error *error)
{
    for (size_t v = 0; v < demo_victim_count; v++) {
        int64_t victim_id = 0;
        int status = store_victim_add(tx, &load->actor, &demo_victims[v], &victim_id, error);
        if (status == STORE_OK)
            status = add_device(tx, load, "TGD", "protection-phone", victim_id, 0,
                                DEMO_PHONE_TEST_S, error);
        if (status != STORE_OK)
            return status;
    }
    return STORE_OK;
}

/* ---- Police and gendarmerie stations (the map's nearest help) ---- */

/* A few around each demo town, near its centre. Names follow the French
 * and Belgian usage; addresses and numbers are made up (the French ones in
 * ARCEP's ranges kept for fiction). Fixed rows: they draw nothing from the
 * generator, so the rest of the dataset is the same with or without them. */
static const struct store_police_station_new demo_stations[] = {
    {"Commissariat central du 1er arrondissement", "police", "45 Place du Marché Saint-Honoré",
     "75001 Paris", "+33199000101", 48.8663, 2.3321},
    {"Commissariat central du 8e arrondissement", "police", "1 Avenue du Général Eisenhower",
     "75008 Paris", "+33199000108", 48.8681, 2.3129},
    {"Commissariat central du 11e arrondissement", "police", "107 Boulevard Voltaire",
     "75011 Paris", "+33199000111", 48.8569, 2.3787},
    {"Commissariat central du 13e arrondissement", "police", "144 Boulevard de l'Hôpital",
     "75013 Paris", "+33199000113", 48.8331, 2.3569},
    {"Commissariat central du 15e arrondissement", "police", "250 Rue de Vaugirard", "75015 Paris",
     "+33199000115", 48.8402, 2.3010},
    {"Commissariat central du 18e arrondissement", "police", "79 Rue de Clignancourt",
     "75018 Paris", "+33199000118", 48.8917, 2.3480},
    {"Commissariat de Boulogne-Billancourt", "police", "24 Avenue André Morizet",
     "92100 Boulogne-Billancourt", "+33199000192", 48.8360, 2.2416},
    {"Commissariat de Montreuil", "police", "6 Boulevard Paul Vaillant-Couturier",
     "93100 Montreuil", "+33199000193", 48.8618, 2.4425},
    {"Commissariat de Saint-Denis", "police", "15 Rue Jean Jaurès", "93200 Saint-Denis",
     "+33199000194", 48.9352, 2.3590},
    {"Commissariat de Vincennes", "police", "23 Rue Raymond du Temple", "94300 Vincennes",
     "+33199000195", 48.8468, 2.4373},
    {"Commissariat de Nanterre", "police", "1 Rue des Pâquerettes", "92000 Nanterre",
     "+33199000196", 48.8934, 2.2078},
    {"Commissariat de Créteil", "police", "2 Avenue Pierre Brossolette", "94000 Créteil",
     "+33199000197", 48.7893, 2.4549},
    {"Brigade de gendarmerie de Chennevières-sur-Marne", "gendarmerie", "3 Rue du Général Leclerc",
     "94430 Chennevières-sur-Marne", "+33199000198", 48.7982, 2.5339},
    {"Hôtel de police de Nice", "police", "1 Avenue Maréchal Foch", "06000 Nice", "+33465710601",
     43.7031, 7.2705},
    {"Commissariat de Nice Est", "police", "28 Rue Barla", "06300 Nice", "+33465710602", 43.6991,
     7.2862},
    {"Commissariat de Cagnes-sur-Mer", "police", "2 Avenue de Verdun", "06800 Cagnes-sur-Mer",
     "+33465710603", 43.6634, 7.1502},
    {"Commissariat d'Antibes", "police", "2 Boulevard Wilson", "06600 Antibes", "+33465710604",
     43.5815, 7.1218},
    {"Brigade de gendarmerie de Saint-Laurent-du-Var", "gendarmerie",
     "140 Avenue du Général Leclerc", "06700 Saint-Laurent-du-Var", "+33465710605", 43.6745,
     7.1893},
    {"Brigade de gendarmerie de Villefranche-sur-Mer", "gendarmerie", "1 Avenue Albert 1er",
     "06230 Villefranche-sur-Mer", "+33465710606", 43.7052, 7.3098},
    {"Commissariat central de Bruxelles", "police", "Rue du Marché au Charbon 30", "1000 Bruxelles",
     "+3222790101", 50.8459, 4.3497},
    {"Commissariat d'Ixelles", "police", "Rue du Collège 73", "1050 Ixelles", "+3222790102",
     50.8324, 4.3697},
    {"Commissariat de Schaerbeek", "police", "Avenue Rogier 42", "1030 Schaerbeek", "+3222790103",
     50.8668, 4.3762},
    {"Commissariat d'Uccle", "police", "Rue Rouge 47", "1180 Uccle", "+3222790104", 50.8012,
     4.3345},
    {"Commissariat d'Anderlecht", "police", "Rue Démosthène 2", "1070 Anderlecht", "+3222790105",
     50.8347, 4.3088},
    {"Commissariat d'Etterbeek", "police", "Rue des Champs 76", "1040 Etterbeek", "+3222790106",
     50.8368, 4.3878},
};
#define DEMO_STATION_COUNT (sizeof demo_stations / sizeof demo_stations[0])

static int add_police_stations(struct store_tx *tx, struct demo_load *load,
                               struct store_error *error)
{
    int status = STORE_OK;
    for (size_t i = 0; i < DEMO_STATION_COUNT && status == STORE_OK; i++)
        status = store_police_station_add(tx, &load->actor, &demo_stations[i], NULL, error);
    return status;
}

static int demo_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct demo_load *load = context;
    int status = add_clients(tx, load, error);
    for (size_t site = 0; site < demo_site_count && status == STORE_OK; site++)
        status = add_site(tx, load, site, error);
    if (status == STORE_OK)
        status = add_site_plans(tx, load, error);
    if (status == STORE_OK)
        status = add_victims(tx, load, error);
    if (status == STORE_OK)
        status = demo_agents_add(tx, &load->actor, &load->agents, error);
    if (status == STORE_OK)
        status = add_police_stations(tx, load, error);
    return status;
}

/* ---- Accounts ---- */

struct demo_user {
    const char *name, *display_name;
    enum role role;
};

static const struct demo_user demo_users[] = {
    {"alice", "Alice Moreau", ROLE_OPERATOR},  {"bruno", "Bruno Lambert", ROLE_OPERATOR},
    {"chloe", "Chloé Garnier", ROLE_OPERATOR}, {"sam", "Samuel Roux", ROLE_SUPERVISOR},
    {"admin", "Administrator", ROLE_ADMIN},
};
#define DEMO_USER_COUNT (sizeof demo_users / sizeof demo_users[0])

/* Letters and digits that cannot be mistaken for each other when read
 * aloud or copied from paper (no 0/O/o, 1/I/l). */
static const char password_alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

static bool password_generate(char out[DEMO_PASSWORD_LENGTH + 1])
{
    const unsigned alphabet = sizeof password_alphabet - 1;
    /* Bytes at or above the last multiple of the alphabet's size are
     * dropped, so that every character is equally likely. */
    const unsigned limit = 256 - 256 % alphabet;
    size_t used = 0;
    while (used < DEMO_PASSWORD_LENGTH) {
        unsigned char bytes[32];
        if (RAND_bytes(bytes, sizeof bytes) != 1)
            return false;
        for (size_t i = 0; i < sizeof bytes && used < DEMO_PASSWORD_LENGTH; i++)
            if (bytes[i] < limit)
                out[used++] = password_alphabet[bytes[i] % alphabet];
    }
    out[used] = '\0';
    return true;
}

static void count_user(void *context, const struct store_user *user)
{
    (void)user;
    (*(size_t *)context)++;
}

static int create_accounts(struct store *store, const struct password_cost *cost,
                           char passwords[][DEMO_PASSWORD_LENGTH + 1], char *error,
                           size_t error_size)
{
    struct actor actor;
    actor_system(&actor);
    for (size_t i = 0; i < DEMO_USER_COUNT; i++) {
        const struct demo_user *user = &demo_users[i];
        if (!password_generate(passwords[i])) {
            snprintf(error, error_size, _("cannot draw random bytes for a password"));
            return STORE_ERROR;
        }
        int status = account_create(store, &actor, user->name, user->display_name, user->role,
                                    passwords[i], cost, error, error_size);
        if (status != STORE_OK)
            return status;
    }
    return STORE_OK;
}

static void print_report(FILE *report, const struct demo_load *load,
                         char passwords[][DEMO_PASSWORD_LENGTH + 1])
{
    fprintf(report,
            _("# demo data: %zu clients, %zu sites, %zu zones, %zu keyholders, %zu procedure "
              "steps, %zu victims, %zu devices, %zu agents\n"),
            demo_client_count, demo_site_count, load->zones, load->keyholders, load->steps,
            demo_victim_count, load->device_count, load->agents.agents);
    fprintf(report,
            _("# demo data: %zu guarded sites (%zu validated), %zu security agents (%zu vetted)\n"),
            load->agents.sites, load->agents.sites_validated, load->agents.agents,
            load->agents.agents_vetted);
    fprintf(report, _("# demo data: %zu police and gendarmerie stations\n"), DEMO_STATION_COUNT);
    fprintf(report, _("# demo accounts (shown once): username role password\n"));
    for (size_t i = 0; i < DEMO_USER_COUNT; i++)
        fprintf(report, "%s %s %s\n", demo_users[i].name, role_name(demo_users[i].role),
                passwords[i]);
    fprintf(report, _("# demo device tokens (shown once): device_uid kind token\n"));
    for (size_t i = 0; i < load->device_count; i++)
        fprintf(report, "%s %s %s\n", load->devices[i].uid, load->devices[i].kind,
                load->devices[i].token);
    fflush(report);
}

static bool tables_fit(char *error, size_t error_size)
{
    if (demo_client_count <= DEMO_CLIENTS_MAX && demo_site_count <= DEMO_SITES_MAX)
        return true;
    snprintf(error, error_size, _("the demo tables are larger than the loader's bounds"));
    return false;
}

int demo_data_load(struct store *store, const struct password_cost *cost, FILE *report, char *error,
                   size_t error_size)
{
    if (!tables_fit(error, error_size))
        return STORE_ERROR;
    size_t users = 0;
    struct store_error store_error = {{0}};
    int status = store_users_list(store, count_user, &users, &store_error);
    if (status == STORE_OK && users > 0) {
        snprintf(error, error_size, _("the database already has users: the demo needs a new one"));
        return STORE_CONFLICT;
    }
    struct demo_load *load = calloc(1, sizeof *load);
    if (status == STORE_OK && !load) {
        snprintf(store_error.message, sizeof store_error.message, "out of memory");
        status = STORE_ERROR;
    }
    if (status == STORE_OK) {
        actor_system(&load->actor);
        load->rng.state = DEMO_SEED;
        load->now_ms = clock_now_ms();
        status = store_directory_write(store, demo_job, load, &store_error);
    }
    if (status != STORE_OK) {
        snprintf(error, error_size, "%s", store_error.message);
        free(load);
        return status;
    }
    char passwords[DEMO_USER_COUNT][DEMO_PASSWORD_LENGTH + 1];
    status = create_accounts(store, cost, passwords, error, error_size);
    if (status == STORE_OK)
        print_report(report, load, passwords);
    free(load);
    return status;
}
