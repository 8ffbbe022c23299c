/* demo_agents.c: the guarded sites and security agents of the demo (see
 * demo_agents.h). Each demo town gets a mall, a station, an office tower,
 * two banks and two hotels (twice as many in each region's main town),
 * a few fixed sites make the Nice scenario's 800 m circle certain to hold
 * every case, and each site gets the guards and shifts such a site runs.
 * Phone numbers are made up in E.164 (French mobiles in 06 00, landlines
 * in ARCEP's fiction range 01 99 00, Belgian mobiles in 0470, landlines in
 * 02), in blocks libphonenumber accepts as such (it refuses the fiction
 * range 06 39 98); the registry's test checks them with it, the demo does
 * not pay for a parse per agent. */
#include "server/demo_agents.h"
#include "server/demo_names.h"
#include "server/phone_number.h" /* PHONE_E164_SIZE */
#include "server/store_agents_admin.h"
#include "server/store_directory.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Any fixed value, apart from the rest of the demo's (demo_data.c): the
 * registry stays the same when the other tables change. */
#define DEMO_AGENTS_SEED 0x6A7E5EEDu
/* One agent in this many has neither phone nor e-mail yet (a new hire
 * whose file is incomplete): a mass alert cannot reach him. */
#define DEMO_NO_CONTACT_EVERY 97
/* Percentages of the registry, as a centre's data looks. */
#define DEMO_VETTED_PCT         90
#define DEMO_SITE_VALIDATED_PCT 85
#define DEMO_EMAIL_PCT          80
#define DEMO_LANDLINE_PCT       4
/* Agents stand at their post: within about 90 m of the site's point. */
#define DEMO_POST_SPREAD_DEG 0.0008
/* Guarded sites spread around a town's centre (about 1.3 km by 1.4 km). */
#define DEMO_SITE_SPREAD_LAT 0.012
#define DEMO_SITE_SPREAD_LON 0.018

struct rng {
    uint32_t state;
};

/* xorshift32, as demo_data.c: deterministic on every compiler. */
static uint32_t rng_next(struct rng *rng)
{
    uint32_t x = rng->state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng->state = x;
    return x;
}

static uint32_t rng_below(struct rng *rng, uint32_t bound)
{
    return rng_next(rng) % bound;
}

static double rng_between(struct rng *rng, double low, double high)
{
    return low + (high - low) * (rng_next(rng) / 4294967296.0);
}

#define COUNT(array) (sizeof array / sizeof array[0])

/* ---- Kinds of guarded sites, their names and shifts ---- */

static const char *const mall_names[] = {"Centre commercial Les Arcades",
                                         "Centre commercial Le Forum",
                                         "Centre commercial Les Quatre Vents",
                                         "Galerie La Verrière",
                                         "Centre commercial Cap Horizon",
                                         "Centre commercial Le Carré Sud",
                                         "Galerie Les Tilleuls",
                                         "Centre commercial Grand Lac"};
static const char *const bank_names[] = {"Banque Delmas, agence centrale",
                                         "Caisse Mutuelle du Littoral",
                                         "Crédit Fabre & Fils",
                                         "Banque Verhaegen",
                                         "Banque du Midi Atlantique, agence principale",
                                         "Caisse d'Épargne des Trois Rivières"};
static const char *const station_names[] = {"Gare routière", "Pôle d'échanges multimodal",
                                            "Gare centrale", "Station de métro Hôtel de Ville",
                                            "Parc relais de la gare"};
static const char *const hotel_names[] = {
    "Hôtel Le Régent",        "Hôtel des Voyageurs", "Grand Hôtel du Parc", "Hôtel Bellevue",
    "Résidence Les Palmiers", "Hôtel Saint-Georges", "Hôtel de l'Europe"};
static const char *const office_names[] = {"Tour Horizon", "Immeuble Le Signal", "Campus Orion",
                                           "Tour Europa", "Centre d'affaires Atrium"};

/* Shifts in schedule.c's grammar, in the site's time zone. Day and night
 * teams on every kind of site, so that at any hour some agents are on
 * duty and others off. */
static const char *const mall_duties[] = {"Mo-Sa 07:00-19:00", "Mo-Su 19:00-07:00", "24/7",
                                          "Mo-Fr 07:00-19:00", "Sa-Su 07:00-19:00"};
static const char *const bank_duties[] = {"Mo-Fr 07:00-19:00", "Mo-Fr 08:00-18:00",
                                          "Mo-Su 19:00-07:00"};
static const char *const station_duties[] = {"24/7", "Mo-Su 05:00-13:00", "Mo-Su 13:00-21:00",
                                             "Mo-Su 21:00-05:00"};
static const char *const hotel_duties[] = {"Mo-Su 19:00-07:00", "Mo-Su 07:00-19:00", "24/7"};
static const char *const office_duties[] = {"Mo-Fr 07:00-19:00", "Mo-Su 19:00-07:00"};

struct site_kind {
    const char *const *names;
    size_t name_count;
    const char *const *duties;
    size_t duty_count;
    int per_town;               /* sites of this kind in each town */
    int agents_min, agents_max; /* guards posted on one site */
};

static const struct site_kind site_kinds[] = {
    {mall_names, COUNT(mall_names), mall_duties, COUNT(mall_duties), 1, 25, 45},
    {station_names, COUNT(station_names), station_duties, COUNT(station_duties), 1, 30, 50},
    {office_names, COUNT(office_names), office_duties, COUNT(office_duties), 1, 8, 16},
    {bank_names, COUNT(bank_names), bank_duties, COUNT(bank_duties), 2, 1, 3},
    {hotel_names, COUNT(hotel_names), hotel_duties, COUNT(hotel_duties), 2, 4, 10},
};

/* Fixed sites near place Masséna in Nice: the 800 m scenario always has a
 * validated mall and bank and a hotel whose validation is pending. */
struct fixed_site {
    const char *name, *address;
    size_t kind; /* index in site_kinds */
    double lat, lon;
    int validated;
};
static const struct fixed_site nice_fixed_sites[] = {
    {"Galerie Masséna", "12 Avenue Jean Médecin", 0, 43.6990, 7.2688, 1},
    {"Banque Delmas, agence Masséna", "3 Place Masséna", 3, 43.6972, 7.2712, 1},
    {"Hôtel des Anglais", "45 Promenade des Anglais", 4, 43.6952, 7.2662, 0},
};

/* Names of Belgian and Flemish agents, beside the demo's French ones, so
 * that names stay distinct past the demo's 40 x 60 pairs. */
static const char *const extra_first_names[] = {
    "Lars",    "Sanne",  "Jens",  "Lotte", "Wout",  "Elke",    "Pieter", "Annelies",
    "Bram",    "Fien",   "Thijs", "Ine",   "Koen",  "Marieke", "Ruben",  "Griet",
    "Youssef", "Samira", "Mehdi", "Nadia", "Dries", "Katrien", "Joris",  "Leen"};
static const char *const extra_last_names[] = {
    "Peeters",   "Janssens",     "Maes",      "Jacobs", "Mertens",    "Willems", "Claes",
    "Goossens",  "Wouters",      "De Smet",   "Dubois", "Lambert",    "Dupont",  "Hermans",
    "Vermeulen", "Van den Berg", "El Amrani", "Benali", "Verstraete", "Michiels"};

static const char *first_name(size_t index)
{
    return index < demo_first_name_count ? demo_first_names[index]
                                         : extra_first_names[index - demo_first_name_count];
}

static const char *last_name(size_t index)
{
    return index < demo_last_name_count ? demo_last_names[index]
                                        : extra_last_names[index - demo_last_name_count];
}

/* ---- Contacts ---- */

/* The e-mail domain of a region's guarding company: reserved for
 * examples (RFC 2606), so that a demo can never write to a real person. */
static const char *const region_domains[DEMO_REGIONS] = {
    [DEMO_PARIS] = "sentinelle-securite.example",
    [DEMO_NICE] = "azur-gardiennage.example",
    [DEMO_BRUSSELS] = "brabantguard.example",
};

/* Lower-case ASCII: French accents lose their mark, spaces and
 * apostrophes go. */
static void email_part(const char *name, char *out, size_t size)
{
    size_t used = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && used + 1 < size; p++) {
        char c = 0;
        if (*p == 0xC3 && p[1]) {
            unsigned char next = *++p | 0x20; /* upper-case accents to lower-case */
            c = next <= 0xA5   ? 'a'
                : next == 0xA7 ? 'c'
                : next <= 0xAB ? 'e'
                : next <= 0xAF ? 'i'
                : next <= 0xB6 ? 'o'
                : next <= 0xBC ? 'u'
                               : 0;
        } else if (isalnum(*p) || *p == '-') {
            c = (char)tolower(*p);
        }
        if (c)
            out[used++] = c;
    }
    out[used] = '\0';
}

/* A made-up number for agent `serial`, distinct per agent: French
 * mobiles in 06 00 xx xx xx and landlines in 01 99 00 xx xx, Belgian
 * mobiles in 0470 and landlines in 02. */
static void agent_phone(enum demo_region region, bool landline, size_t serial, char *out,
                        size_t size)
{
    unsigned n = (unsigned)(serial % 10000);
    if (region == DEMO_BRUSSELS)
        snprintf(out, size, landline ? "+3222%02u%04u" : "+32470%02u%04u",
                 (unsigned)(serial / 10000 % 100), n);
    else if (landline)
        snprintf(out, size, "+3319900%04u", n);
    else
        snprintf(out, size, "+33600%06u", (unsigned)(serial % 1000000));
}

/* ---- Generation ---- */

struct generator {
    struct store_tx *tx;
    const struct actor *actor;
    struct rng rng;
    struct demo_agents_report *report;
    int64_t company_ids[DEMO_REGIONS];
    size_t serial; /* agents so far: names, numbers and identifiers */
};

static int add_companies(struct generator *g, struct store_error *error)
{
    int status = STORE_OK;
    for (int r = 0; r < DEMO_REGIONS && status == STORE_OK; r++) {
        struct store_client_new company = {.name = demo_regions[r].guard_company,
                                           .kind = "registry"};
        status = store_client_add(g->tx, g->actor, &company, &g->company_ids[r], error);
    }
    return status;
}

static int add_agent(struct generator *g, const struct site_kind *kind, int64_t site_id,
                     enum demo_region region, double lat, double lon, struct store_error *error)
{
    struct rng *rng = &g->rng;
    size_t i = g->serial++;
    size_t first_count = demo_first_name_count + COUNT(extra_first_names);
    size_t last_count = demo_last_name_count + COUNT(extra_last_names);
    size_t first = i % first_count;
    size_t last = (i / first_count + 7 * first) % last_count;
    char name[128], ext_id[32], email[160], first_part[48], last_part[48];
    snprintf(name, sizeof name, "%s %s", first_name(first), last_name(last));
    snprintf(ext_id, sizeof ext_id, "DEMO-%05zu", i + 1);
    /* One draw per statement: the order of draws must not depend on the compiler. */
    bool landline = rng_below(rng, 100) < DEMO_LANDLINE_PCT;
    bool has_email = rng_below(rng, 100) < DEMO_EMAIL_PCT;
    bool vetted = rng_below(rng, 100) < DEMO_VETTED_PCT;
    const char *duty = kind->duties[rng_below(rng, (uint32_t)kind->duty_count)];
    double agent_lat = lat + rng_between(rng, -DEMO_POST_SPREAD_DEG, DEMO_POST_SPREAD_DEG);
    double agent_lon = lon + rng_between(rng, -DEMO_POST_SPREAD_DEG, DEMO_POST_SPREAD_DEG);
    bool no_contact = i % DEMO_NO_CONTACT_EVERY == DEMO_NO_CONTACT_EVERY - 1;
    char phone[PHONE_E164_SIZE] = "";
    agent_phone(region, landline, i, phone, sizeof phone);
    email_part(first_name(first), first_part, sizeof first_part);
    email_part(last_name(last), last_part, sizeof last_part);
    /* The serial keeps two agents of the same name apart, as companies do. */
    snprintf(email, sizeof email, "%s.%s.%zu@%s", first_part, last_part, i + 1,
             region_domains[region]);
    struct store_agent_fields fields = {
        .ext_id = ext_id,
        .site_id = site_id,
        .name = name,
        .phone = no_contact ? NULL : phone,
        .phone_kind = landline ? "fixed" : "mobile",
        .email = has_email && !no_contact ? email : NULL,
        .located = true,
        .lat = agent_lat,
        .lon = agent_lon,
        .duty = duty,
    };
    g->report->agents++;
    g->report->agents_vetted += vetted;
    return store_tx_agent_insert(g->tx, g->actor, &fields,
                                 vetted ? demo_regions[region].vetting_authority : NULL, NULL,
                                 error);
}

static int add_site(struct generator *g, const struct site_kind *kind, const struct demo_city *city,
                    const char *name, const char *address, double lat, double lon, bool validated,
                    struct store_error *error)
{
    const struct demo_region_info *region = &demo_regions[city->region];
    struct store_site_new site = {
        .client_id = g->company_ids[city->region],
        .name = name,
        .address = address,
        .city = city->name,
        .country = region->country,
        .located = true,
        .lat = lat,
        .lon = lon,
        .timezone = region->timezone,
        .validated_by = validated ? region->vetting_authority : NULL,
    };
    int64_t site_id = 0;
    int status = store_site_add(g->tx, g->actor, &site, &site_id, error);
    g->report->sites++;
    g->report->sites_validated += validated;
    int agents = kind->agents_min +
                 (int)rng_below(&g->rng, (uint32_t)(kind->agents_max - kind->agents_min + 1));
    for (int a = 0; a < agents && status == STORE_OK; a++)
        status = add_agent(g, kind, site_id, city->region, lat, lon, error);
    return status;
}

/* The town's name without its postcode: "06000 Nice" -> "Nice". */
static const char *town_name(const struct demo_city *city)
{
    const char *space = strchr(city->name, ' ');
    return space ? space + 1 : city->name;
}

static int add_town(struct generator *g, size_t city_index, bool main_town,
                    struct store_error *error)
{
    const struct demo_city *city = &demo_cities[city_index];
    const struct demo_region_info *region = &demo_regions[city->region];
    int status = STORE_OK;
    for (size_t k = 0; k < COUNT(site_kinds) && status == STORE_OK; k++) {
        const struct site_kind *kind = &site_kinds[k];
        int count = kind->per_town * (main_town ? 2 : 1);
        for (int n = 0; n < count && status == STORE_OK; n++) {
            char name[160], address[160];
            const char *proper = kind->names[(city_index + (size_t)n * 3) % kind->name_count];
            snprintf(name, sizeof name, "%s, %s", proper, town_name(city));
            uint32_t number = 1 + rng_below(&g->rng, 180);
            const char *street =
                region->streets[rng_below(&g->rng, (uint32_t)region->street_count)];
            snprintf(address, sizeof address, "%u %s", number, street);
            double lat =
                city->lat + rng_between(&g->rng, -DEMO_SITE_SPREAD_LAT, DEMO_SITE_SPREAD_LAT);
            double lon =
                city->lon + rng_between(&g->rng, -DEMO_SITE_SPREAD_LON, DEMO_SITE_SPREAD_LON);
            bool validated = rng_below(&g->rng, 100) < DEMO_SITE_VALIDATED_PCT;
            status = add_site(g, kind, city, name, address, lat, lon, validated, error);
        }
    }
    return status;
}

static int add_fixed_sites(struct generator *g, struct store_error *error)
{
    size_t nice = 0;
    while (nice < demo_city_count && demo_cities[nice].region != DEMO_NICE)
        nice++;
    int status = STORE_OK;
    for (size_t i = 0; i < COUNT(nice_fixed_sites) && status == STORE_OK && nice < demo_city_count;
         i++) {
        const struct fixed_site *site = &nice_fixed_sites[i];
        status = add_site(g, &site_kinds[site->kind], &demo_cities[nice], site->name, site->address,
                          site->lat, site->lon, site->validated, error);
    }
    return status;
}

int demo_agents_add(struct store_tx *tx, const struct actor *actor,
                    struct demo_agents_report *report, struct store_error *error)
{
    memset(report, 0, sizeof *report);
    struct generator g = {.tx = tx, .actor = actor, .rng = {DEMO_AGENTS_SEED}, .report = report};
    int status = add_companies(&g, error);
    if (status == STORE_OK)
        status = add_fixed_sites(&g, error);
    bool seen[DEMO_REGIONS] = {false};
    for (size_t c = 0; c < demo_city_count && status == STORE_OK; c++) {
        /* The first town listed of each region is its main one. */
        enum demo_region region = demo_cities[c].region;
        status = add_town(&g, c, !seen[region], error);
        seen[region] = true;
    }
    return status;
}
