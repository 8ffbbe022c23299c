/* alarms_prepare.c: the centre the console is measured on. A fresh
 * database with the demo dataset (60 sites, their panels' accounts), the
 * accounts the arrival loads will send from, 100,000 open alarms created
 * through the store as the receiver creates them (store_alarm_create, one
 * group-commit job each, from many threads so that the commits fill up),
 * and an operator whose password has the production argon2 cost. vigied
 * is started only afterwards: the console loads the alarms through
 * GET /v1/alarms as it does in production. Included by bench_console.c. */

/* The queue. */
#define PREPARE_ALARMS 100000
/* Writers: with more waiting, each group commit carries more alarms. */
#define PREPARE_THREADS 128
/* Demo sites the alarms are spread over (the demo has 60). */
#define PREPARE_SITES_MAX 128
/* The alarms were received over the last 45 minutes (a storm of about 37
 * a second): every age on screen is then "MmSSs" and changes each second,
 * the most the 1 s tick can ever have to send. */
#define PREPARE_SPREAD_MS (45 * 60 * 1000LL)
/* Accounts each arrival load sends from (one per connection), per load. */
#define LOAD_CONNECTIONS  10
#define LOAD_ACCOUNT_BASE 0xC0000u
#define LOAD_ACCOUNT_STEP 0x1000u
#define LOADS_MAX         2 /* one per terminal size */

static const char bench_user[] = "bench";
static const char bench_password[] = "bench-console-pass";

/* The mix of a storm: a mains failure over a region (many 301s), intrusions
 * and tampers, some fires and panics. Weights out of 100. */
struct alarm_kind {
    const char *code, *class_name, *label;
    int priority, weight;
};

static const struct alarm_kind alarm_kinds[] = {
    {"1110", "fire", "Fire", 1, 2},
    {"1120", "panic", "Panic", 1, 2},
    {"1100", "medical", "Medical emergency", 1, 1},
    {"1130", "burglary", "Burglary", 2, 30},
    {"1131", "burglary", "Burglary, perimeter", 2, 10},
    {"1137", "burglary", "Tamper", 2, 10},
    {"1301", "technical", "Mains power loss", 3, 30},
    {"1154", "technical", "Water leak", 3, 5},
    {"1302", "low-battery", "Low system battery", 4, 10},
};

struct demo_panel {
    char account[ALARM_ACCOUNT_MAX];
    int64_t site_id;
};

struct prepare {
    struct store *store;
    struct demo_panel panels[PREPARE_SITES_MAX];
    int panel_count;
    int64_t now_ms;
    atomic_int next; /* the next alarm number to create */
    atomic_int failed;
    char error[256];
    pthread_mutex_t lock;
};

static int demo_panels_read(const char *db_path, struct demo_panel *panels, int capacity)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *query = NULL;
    int count = 0;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT account, site_id FROM panels ORDER BY id", -1, &query,
                           NULL) == SQLITE_OK)
        while (count < capacity && sqlite3_step(query) == SQLITE_ROW) {
            snprintf(panels[count].account, sizeof panels[count].account, "%s",
                     (const char *)sqlite3_column_text(query, 0));
            panels[count++].site_id = sqlite3_column_int64(query, 1);
        }
    sqlite3_finalize(query);
    sqlite3_close(db);
    return count;
}

static const struct alarm_kind *kind_of(int number)
{
    int pick = (int)((unsigned)number * 2654435761u % 100u), total = 0;
    for (size_t i = 0; i < sizeof alarm_kinds / sizeof alarm_kinds[0]; i++) {
        total += alarm_kinds[i].weight;
        if (pick < total)
            return &alarm_kinds[i];
    }
    return &alarm_kinds[0];
}

static void *prepare_thread(void *argument)
{
    struct prepare *prepare = argument;
    struct actor actor;
    actor_system(&actor);
    for (;;) {
        int number = atomic_fetch_add(&prepare->next, 1);
        if (number >= PREPARE_ALARMS || atomic_load(&prepare->failed))
            break;
        const struct alarm_kind *kind = kind_of(number);
        const struct demo_panel *panel = &prepare->panels[number % prepare->panel_count];
        struct alarm_new alarm = {
            .source = "dc09",
            .account = panel->account,
            .site_id = panel->site_id,
            .event_code = kind->code,
            .class_name = kind->class_name,
            .label = kind->label,
            .priority = kind->priority,
            .zone = number % 16 + 1,
            .received_at =
                prepare->now_ms - PREPARE_SPREAD_MS + PREPARE_SPREAD_MS * number / PREPARE_ALARMS,
        };
        struct store_error error = {{0}};
        int64_t id = 0;
        if (store_alarm_create(prepare->store, &actor, &alarm, &id, &error) != STORE_OK) {
            pthread_mutex_lock(&prepare->lock);
            if (!atomic_exchange(&prepare->failed, 1))
                snprintf(prepare->error, sizeof prepare->error, "%s", error.message);
            pthread_mutex_unlock(&prepare->lock);
        }
    }
    return NULL;
}

/* The accounts of the arrival loads, on demo sites, as `vigied account
 * add` registers them: their alarms look like the others in the queue. */
static bool load_accounts_add(struct prepare *prepare)
{
    struct actor actor;
    actor_system(&actor);
    struct store_error error = {{0}};
    for (unsigned load = 0; load < LOADS_MAX; load++)
        for (unsigned i = 0; i < LOAD_CONNECTIONS; i++) {
            struct account_settings settings;
            account_settings_defaults(&settings);
            snprintf(settings.account, sizeof settings.account, "%X",
                     LOAD_ACCOUNT_BASE + load * LOAD_ACCOUNT_STEP + i);
            settings.site_id =
                prepare->panels[(load * LOAD_CONNECTIONS + i) % (unsigned)prepare->panel_count]
                    .site_id;
            if (store_account_add(prepare->store, &actor, &settings, &error) != STORE_OK) {
                snprintf(prepare->error, sizeof prepare->error, "account %s: %s", settings.account,
                         error.message);
                return false;
            }
        }
    return true;
}

/* Creates the alarms; says how long it took in *seconds. */
static bool alarms_create(struct world *world, double *seconds)
{
    struct prepare prepare = {.now_ms = clock_now_ms()};
    pthread_mutex_init(&prepare.lock, NULL);
    prepare.panel_count = demo_panels_read(world->db, prepare.panels, PREPARE_SITES_MAX);
    struct store_options options = {0};
    struct store_error error = {{0}};
    if (prepare.panel_count == 0 ||
        store_open(world->db, &options, &prepare.store, &error) != STORE_OK) {
        fprintf(stderr, "bench_console: cannot open %s: %s\n", world->db,
                prepare.panel_count ? error.message : "no demo panels");
        return false;
    }
    bool ok = load_accounts_add(&prepare);
    int64_t begin = clock_monotonic_us();
    pthread_t threads[PREPARE_THREADS];
    int started = 0;
    while (ok && started < PREPARE_THREADS &&
           pthread_create(&threads[started], NULL, prepare_thread, &prepare) == 0)
        started++;
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    *seconds = (double)(clock_monotonic_us() - begin) / 1e6;
    int64_t open = 0, total = 0;
    ok = ok && started > 0 && !atomic_load(&prepare.failed) &&
         store_alarm_counts(prepare.store, &open, &total, &error) == STORE_OK &&
         open == PREPARE_ALARMS;
    if (!ok)
        fprintf(stderr, "bench_console: preparing the alarms failed: %s (%lld open)\n",
                prepare.error[0] ? prepare.error : error.message, (long long)open);
    store_close(prepare.store);
    pthread_mutex_destroy(&prepare.lock);
    return ok;
}

/* The world: demo data, the alarms, the operator, then vigied serving
 * HTTP and DC-09 on loopback. NULL when something failed (said on stderr). */
static struct world *centre_prepare(double *create_seconds)
{
    struct world *world = world_create();
    if (!world)
        return NULL;
    char output[1024], input[64];
    snprintf(input, sizeof input, "%s\n", bench_password);
    int status =
        world_run(world, NULL, output, sizeof output, "init", "--demo", "--db", world->db, NULL);
    if (status != 0)
        fprintf(stderr, "bench_console: vigied init --demo failed (%d): %s\n", status, output);
    /* No --set: the password gets the production argon2 cost, and the
     * console's login pays it as an operator's does. */
    if (status == 0)
        status = world_run(world, input, output, sizeof output, "user", "add", bench_user, "--role",
                           "operator", "--db", world->db, NULL);
    if (status != 0)
        fprintf(stderr, "bench_console: vigied user add failed (%d): %s\n", status, output);
    world_enable_dc09(world);
    if (status != 0 || !alarms_create(world, create_seconds) || !world_start(world)) {
        world_destroy(world);
        return NULL;
    }
    return world;
}
