/* population.c: a national registry of security agents written straight
 * into a fresh database, the bulk path of bench_massalert.c (a million
 * agents through the API or the audited store would measure the audit
 * chain, not the selection). Included by bench_massalert.c. Sites cluster
 * around the towns of France and Belgium as guarding does (a share of the
 * agents for each, spread over its conurbation), the rest spread over the
 * two countries; about POPULATION_AGENTS_PER_SITE agents per site, at
 * their post. Duty hours, vetting, validation and contacts are drawn as
 * in the demo (server/demo_agents.c). A fixed seed: every run the same
 * registry. One transaction; the schema's triggers fill the R*Tree. */

#define POPULATION_SEED            0xB3E7C4A5u
#define POPULATION_AGENTS_PER_SITE 30
#define KM_PER_DEGREE_LAT          111.2

struct town {
    const char *name;
    double lat, lon;
    double share;     /* of the agents */
    double spread_km; /* standard spread of its sites around its centre */
    const char *timezone;
};

/* Where the 30 km circles of the bench are drawn, and where guarding is. */
static const struct town towns[] = {
    {"Paris", 48.8566, 2.3522, 0.20, 14, "Europe/Paris"},
    {"Brussels", 50.8503, 4.3517, 0.08, 9, "Europe/Brussels"},
    {"Lyon", 45.7640, 4.8357, 0.06, 9, "Europe/Paris"},
    {"Marseille", 43.2965, 5.3698, 0.06, 9, "Europe/Paris"},
    {"Lille", 50.6292, 3.0573, 0.05, 8, "Europe/Paris"},
    {"Nice", 43.7102, 7.2620, 0.04, 7, "Europe/Paris"},
    {"Toulouse", 43.6047, 1.4442, 0.04, 8, "Europe/Paris"},
    {"Bordeaux", 44.8378, -0.5792, 0.04, 8, "Europe/Paris"},
    {"Antwerp", 51.2194, 4.4025, 0.04, 7, "Europe/Brussels"},
    {"Nantes", 47.2184, -1.5536, 0.03, 7, "Europe/Paris"},
    {"Strasbourg", 48.5734, 7.7521, 0.03, 6, "Europe/Paris"},
    {"Liège", 50.6326, 5.5797, 0.02, 6, "Europe/Brussels"},
};
#define TOWN_COUNT (sizeof towns / sizeof towns[0])
/* The rest (0.31) is spread evenly over this box: France and Belgium. */
#define COUNTRY_MIN_LAT 42.5
#define COUNTRY_MAX_LAT 51.3
#define COUNTRY_MIN_LON -4.5
#define COUNTRY_MAX_LON 7.9

static const char *const duties[] = {"24/7",
                                     "Mo-Fr 07:00-19:00",
                                     "Mo-Su 19:00-07:00",
                                     "Mo-Sa 07:00-19:00",
                                     "Mo-Su 05:00-13:00",
                                     "Mo-Su 13:00-21:00",
                                     "Mo-Su 21:00-05:00",
                                     "Sa-Su 07:00-19:00",
                                     "Mo-Fr 08:00-18:00"};
#define DUTY_COUNT (sizeof duties / sizeof duties[0])

struct population_rng {
    uint32_t state;
};

static uint32_t population_next(struct population_rng *rng)
{
    uint32_t x = rng->state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng->state = x;
    return x;
}

/* In (0, 1]: safe under log(). */
static double population_unit(struct population_rng *rng)
{
    return (population_next(rng) + 1.0) / 4294967296.0;
}

struct site_row {
    double lat, lon;
    const char *timezone;
};

static void place_site(struct population_rng *rng, struct site_row *site)
{
    double pick = population_unit(rng), sum = 0;
    for (size_t t = 0; t < TOWN_COUNT; t++) {
        sum += towns[t].share;
        if (pick <= sum) {
            /* Rayleigh distance (a 2-D normal spread), cut at 3 spreads. */
            double r = towns[t].spread_km * sqrt(-2.0 * log(population_unit(rng)));
            if (r > 3 * towns[t].spread_km)
                r = 3 * towns[t].spread_km;
            double angle = 2 * M_PI * population_unit(rng);
            site->lat = towns[t].lat + r * cos(angle) / KM_PER_DEGREE_LAT;
            site->lon = towns[t].lon +
                        r * sin(angle) / (KM_PER_DEGREE_LAT * cos(towns[t].lat * M_PI / 180));
            site->timezone = towns[t].timezone;
            return;
        }
    }
    site->lat = COUNTRY_MIN_LAT + (COUNTRY_MAX_LAT - COUNTRY_MIN_LAT) * population_unit(rng);
    site->lon = COUNTRY_MIN_LON + (COUNTRY_MAX_LON - COUNTRY_MIN_LON) * population_unit(rng);
    site->timezone = site->lat > 50.0 && site->lon > 2.6 ? "Europe/Brussels" : "Europe/Paris";
}

static bool population_exec(sqlite3 *db, const char *sql)
{
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) == SQLITE_OK)
        return true;
    fprintf(stderr, "bench_massalert: %s: %s\n", sql, message ? message : "?");
    sqlite3_free(message);
    return false;
}

static bool insert_sites(sqlite3 *db, struct population_rng *rng, struct site_row *sites,
                         size_t count, int64_t *first_id)
{
    sqlite3_stmt *st = NULL;
    if (!population_exec(db,
                         "INSERT INTO clients(name, kind) VALUES('Bench registry', 'registry')"))
        return false;
    int64_t client = sqlite3_last_insert_rowid(db);
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO sites(client_id, name, lat, lon, timezone, validated_by,"
                           " validated_at) VALUES(?7, ?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &st, NULL) != SQLITE_OK)
        return false;
    bool ok = true;
    for (size_t i = 0; i < count && ok; i++) {
        place_site(rng, &sites[i]);
        char name[48];
        snprintf(name, sizeof name, "Bench site %zu", i + 1);
        bool validated = population_next(rng) % 100 < 85;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(st, 2, sites[i].lat);
        sqlite3_bind_double(st, 3, sites[i].lon);
        sqlite3_bind_text(st, 4, sites[i].timezone, -1, SQLITE_STATIC);
        if (validated) {
            sqlite3_bind_text(st, 5, "bench", -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 6, 1);
        } else {
            sqlite3_bind_null(st, 5);
            sqlite3_bind_null(st, 6);
        }
        sqlite3_bind_int64(st, 7, client);
        ok = sqlite3_step(st) == SQLITE_DONE;
        if (i == 0)
            *first_id = sqlite3_last_insert_rowid(db);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return ok;
}

static bool insert_agents(sqlite3 *db, struct population_rng *rng, const struct site_row *sites,
                          size_t site_count, int64_t first_site, size_t count)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO agents(ext_id, site_id, name, phone, phone_kind, email,"
                           " lat, lon, vetted, vetted_by, vetted_at, duty)"
                           " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                           -1, &st, NULL) != SQLITE_OK)
        return false;
    bool ok = true;
    for (size_t i = 0; i < count && ok; i++) {
        /* Site by site, as employers' files come: neighbours in the R*Tree. */
        size_t site = i * site_count / count;
        char ext_id[24], name[32], phone[20], email[48];
        snprintf(ext_id, sizeof ext_id, "BENCH-%07zu", i + 1);
        snprintf(name, sizeof name, "Agent %zu", i + 1);
        uint32_t draw = population_next(rng);
        bool no_contact = draw % 100 == 0, landline = draw % 100 < 4 && !no_contact;
        bool has_email = (draw >> 8) % 100 < 80 && !no_contact;
        bool vetted = (draw >> 16) % 100 < 90;
        const char *duty = duties[(draw >> 24) % DUTY_COUNT];
        snprintf(phone, sizeof phone, landline ? "+3319%07zu" : "+336%08zu", i % 10000000);
        snprintf(email, sizeof email, "agent.%zu@bench.example", i + 1);
        double jitter_lat = (population_unit(rng) - 0.5) * 0.002;
        double jitter_lon = (population_unit(rng) - 0.5) * 0.002;
        sqlite3_bind_text(st, 1, ext_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, first_site + (int64_t)site);
        sqlite3_bind_text(st, 3, name, -1, SQLITE_TRANSIENT);
        if (no_contact) {
            sqlite3_bind_null(st, 4);
            sqlite3_bind_null(st, 5);
        } else {
            sqlite3_bind_text(st, 4, phone, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 5, landline ? "fixed" : "mobile", -1, SQLITE_STATIC);
        }
        if (has_email)
            sqlite3_bind_text(st, 6, email, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 6);
        sqlite3_bind_double(st, 7, sites[site].lat + jitter_lat);
        sqlite3_bind_double(st, 8, sites[site].lon + jitter_lon);
        sqlite3_bind_int(st, 9, vetted);
        if (vetted) {
            sqlite3_bind_text(st, 10, "bench", -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 11, 1);
        } else {
            sqlite3_bind_null(st, 10);
            sqlite3_bind_null(st, 11);
        }
        sqlite3_bind_text(st, 12, duty, -1, SQLITE_STATIC);
        ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_reset(st);
    }
    if (!ok)
        fprintf(stderr, "bench_massalert: inserting agents: %s\n", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return ok;
}

/* Writes `agents` agents and their sites into the database at `path`. */
static bool population_write(const char *path, size_t agents)
{
    sqlite3 *db = NULL;
    size_t site_count = (agents + POPULATION_AGENTS_PER_SITE - 1) / POPULATION_AGENTS_PER_SITE;
    struct site_row *sites = calloc(site_count, sizeof *sites);
    struct population_rng rng = {POPULATION_SEED};
    int64_t first_site = 0;
    bool ok = sites && sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
              population_exec(db, "PRAGMA synchronous=OFF") &&
              population_exec(db, "PRAGMA cache_size=-262144") &&
              population_exec(db, "BEGIN IMMEDIATE") &&
              insert_sites(db, &rng, sites, site_count, &first_site) &&
              insert_agents(db, &rng, sites, site_count, first_site, agents) &&
              population_exec(db, "COMMIT") && population_exec(db, "ANALYZE") &&
              population_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    if (!ok && db)
        fprintf(stderr, "bench_massalert: cannot write the registry: %s\n", sqlite3_errmsg(db));
    sqlite3_close(db);
    free(sites);
    return ok;
}
