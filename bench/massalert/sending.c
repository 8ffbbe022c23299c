/* sending.c: the sending half of bench_massalert.c: a mass alert of about
 * 100,000 SMS sent by a vigied that answers the POST at once and writes
 * the recipients' messages afterwards, a chunk per store job, while the
 * outbox sends them to the loopback gateway (sms_gateway.c, Kannel's
 * sendsms and delivery reports) within the SMS throttle; meanwhile a
 * probe records an alarm every PROBE_PERIOD_MS (POST /v1/alarms, which
 * answers only once the alarm is on disk: it waits for the same writer
 * thread and fdatasync as a DC-09 ACK), so that its slowest answer is the
 * longest the fan-out held the alarm path. Then a kill -9 in the middle of
 * a second send, a restart, and the gateway's count of what is missing
 * and what came twice. Included by bench_massalert.c; every wait bounded. */

#define FANOUT_MESSAGES 100000
#define FANOUT_TARGET   100000.0 /* messages a minute, the floor */
/* The SMS throttle of the run: 50 % over the floor's 1,667 a second
 * (the throttle keeps 5 % of it for its burst), so that the floor is
 * vigied's to reach and the throttle may bind: the peak per second must
 * stay under it. */
#define SMS_RATE         2500
#define SMS_RATE_TEXT    "2500"
#define FANOUT_TIMEOUT_S 600
/* The probe's pace, and the most samples it keeps (an hour of them). */
#define PROBE_PERIOD_MS 100
#define PROBE_MAX       36000
/* Probes before the send, for the figures of a quiet writer. */
#define PROBE_BASELINE 30
/* The kill -9 comes once the gateway took this share of the second send:
 * early, so that the fan-out is still writing and the outbox sending. */
#define KILL_AT_DIVISOR     10
#define KANNEL_BENCH_SECRET "bench-kannel-secret"

struct probe {
    pthread_t thread;
    atomic_bool stop;
    char url[96];
    char authorization[192];
    char body[160];
    double ms[PROBE_MAX];
    int64_t at_us[PROBE_MAX]; /* when each alarm was asked for */
    size_t count;
    int64_t failures;
};

static size_t probe_discard(char *data, size_t size, size_t count, void *closure)
{
    (void)data;
    (void)closure;
    return size * count;
}

/* One alarm recorded; its answer time in ms, or -1 when it was refused. */
static double probe_once(CURL *easy)
{
    int64_t begin = clock_monotonic_us();
    long status = 0;
    if (curl_easy_perform(easy) != CURLE_OK)
        return -1;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    return status == 201 ? (double)(clock_monotonic_us() - begin) / 1000.0 : -1;
}

static CURL *probe_handle(struct probe *p, struct curl_slist **headers)
{
    CURL *easy = curl_easy_init();
    *headers = curl_slist_append(NULL, "Content-Type: application/json");
    *headers = curl_slist_append(*headers, p->authorization);
    if (!easy)
        return NULL;
    curl_easy_setopt(easy, CURLOPT_URL, p->url);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, *headers);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, p->body);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, probe_discard);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    return easy;
}

static void *probe_main(void *argument)
{
    struct probe *p = argument;
    struct curl_slist *headers = NULL;
    CURL *easy = probe_handle(p, &headers);
    while (easy && !atomic_load(&p->stop) && p->count < PROBE_MAX) {
        int64_t asked = clock_monotonic_us(), next = asked + PROBE_PERIOD_MS * 1000;
        double ms = probe_once(easy);
        if (ms < 0) {
            p->failures++;
        } else {
            p->at_us[p->count] = asked;
            p->ms[p->count++] = ms;
        }
        int64_t rest = next - clock_monotonic_us();
        if (rest > 0)
            harness_sleep_ms((int)(rest / 1000));
    }
    curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
    return NULL;
}

static void probe_setup(struct probe *p, const struct world *world, const char *token, int64_t site)
{
    memset(p, 0, sizeof *p);
    snprintf(p->url, sizeof p->url, "%s/v1/alarms", world->base_url);
    snprintf(p->authorization, sizeof p->authorization, "Authorization: Bearer %s", token);
    snprintf(p->body, sizeof p->body, "{\"class\":\"technical\",\"priority\":5,\"site_id\":%lld}",
             (long long)site);
    atomic_init(&p->stop, false);
}

/* A few alarms on a quiet vigied, one after the other. */
static void probe_baseline(struct probe *p)
{
    struct curl_slist *headers = NULL;
    CURL *easy = probe_handle(p, &headers);
    for (int i = 0; easy && i < PROBE_BASELINE; i++) {
        double ms = probe_once(easy);
        if (ms >= 0)
            p->ms[p->count++] = ms;
        harness_sleep_ms(PROBE_PERIOD_MS);
    }
    curl_easy_cleanup(easy);
    curl_slist_free_all(headers);
}

/* The slowest alarm asked for in [from, to) (monotonic us); NAN: none. */
static double probe_longest(const struct probe *p, int64_t from, int64_t to)
{
    double longest = NAN;
    for (size_t i = 0; i < p->count; i++)
        if (p->at_us[i] >= from && p->at_us[i] < to && !(p->ms[i] <= longest))
            longest = p->ms[i];
    return longest;
}

static void probe_print(const char *what, struct probe *p)
{
    if (p->count == 0) {
        printf("  %s: no alarm answered (%lld refused)\n", what, (long long)p->failures);
        return;
    }
    double max = percentile(p->ms, p->count, 100);
    printf("  %s: %zu alarms, answered in p50 %.1f ms, p99 %.1f ms, longest %.1f ms%s\n", what,
           p->count, percentile(p->ms, p->count, 50), percentile(p->ms, p->count, 99), max,
           p->failures ? " (some REFUSED)" : "");
}

/* Delivered SMS of an alert, as the outbox says. */
static int64_t delivered(struct world *world, int64_t alert)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM outbox o JOIN massalert_recipients r ON r.id = o.owner_id"
             " WHERE o.kind = 'massalert' AND r.alert_id = %lld AND o.state = 'delivered'",
             (long long)alert);
    return world_sql_int(world, NULL, sql);
}

/* Sends alert number `tag` by SMS in the circle; its id, SMS count and
 * the POST's answer time. */
static bool send_alert(struct world *world, const char *token, int tag, double radius_m,
                       int64_t *id, int64_t *messages, double *answer_ms)
{
    char body[384];
    snprintf(body, sizeof body,
             "{\"area\":{\"circle\":{\"lat\":%.4f,\"lon\":%.4f,\"radius_m\":%.0f}},"
             "\"message\":\"bench-alert-%d NE QUITTEZ PAS VOTRE SITE\",\"channels\":[\"sms\"]}",
             towns[0].lat, towns[0].lon, radius_m, tag);
    long status = 0;
    cJSON *answer = NULL;
    int64_t begin = clock_monotonic_us();
    bool ok = http_request(world, "POST", "/v1/massalerts", token, body, &status, &answer) &&
              status == 201;
    *answer_ms = (double)(clock_monotonic_us() - begin) / 1000.0;
    *id = ok ? json_int(answer, "id") : 0;
    *messages = ok ? json_int(answer, "deliveries.sms") : 0;
    if (!ok && status == 0)
        printf("  the send to %.0f km of Paris did not answer within the harness's %d ms\n",
               radius_m / 1000, HTTP_TIMEOUT_MS);
    else if (!ok)
        printf("  the send answered %ld: %s\n", status,
               answer ? cJSON_PrintUnformatted(answer) : "");
    return ok && *id > 0 && *messages > 0;
}

/* The smallest circle around Paris whose dry run reaches FANOUT_MESSAGES by SMS. */
static double fanout_radius(struct world *world, const char *token)
{
    static const double radii_km[] = {30, 45, 60, 90, 120, 160, 200};
    for (size_t i = 0; i < sizeof radii_km / sizeof radii_km[0]; i++) {
        char body[320];
        snprintf(body, sizeof body,
                 "{\"area\":{\"circle\":{\"lat\":%.4f,\"lon\":%.4f,\"radius_m\":%.0f}},"
                 "\"message\":\"x\",\"channels\":[\"sms\"],\"dry_run\":true}",
                 towns[0].lat, towns[0].lon, radii_km[i] * 1000);
        long status = 0;
        cJSON *answer = NULL;
        if (http_request(world, "POST", "/v1/massalerts", token, body, &status, &answer) &&
            status == 200 && json_int(answer, "channels.sms") >= FANOUT_MESSAGES)
            return radii_km[i] * 1000;
    }
    return 200000;
}

/* The alert's fan-out progress: recipients written (-1 when unreadable). */
static int64_t written_of(struct world *world, const char *token, int64_t alert)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/massalerts/%lld", (long long)alert);
    long status = 0;
    cJSON *answer = NULL;
    if (!http_request(world, "GET", path, token, NULL, &status, &answer) || status != 200)
        return -1;
    return json_int(answer, "written") == json_int(answer, "recipients")
               ? INT64_MAX
               : json_int(answer, "written");
}

/* Waits (bounded) until the gateway took `count` messages of the alert;
 * meanwhile notes when the fan-out finished writing (*written_s, from
 * `begin`; left alone if it did not). */
static bool wait_gateway(struct world *world, const char *token, struct gateway *g, int tag,
                         int64_t alert, int64_t count, int64_t begin, double *written_s)
{
    int64_t deadline = clock_monotonic_us() + (int64_t)FANOUT_TIMEOUT_S * 1000000;
    bool written = written_s == NULL;
    while (gateway_received(g, tag, NULL) < count && clock_monotonic_us() < deadline) {
        if (!written && written_of(world, token, alert) == INT64_MAX) {
            *written_s = (double)(clock_monotonic_us() - begin) / 1e6;
            written = true;
        }
        harness_sleep_ms(50);
    }
    return gateway_received(g, tag, NULL) >= count;
}

static bool wait_delivered(struct world *world, int64_t alert, int64_t count)
{
    int64_t deadline = clock_monotonic_us() + (int64_t)FANOUT_TIMEOUT_S * 1000000;
    while (delivered(world, alert) < count && clock_monotonic_us() < deadline)
        harness_sleep_ms(500);
    return delivered(world, alert) >= count;
}

struct fanout_result {
    bool measured;
    double answer_ms, written_s, sending_s, per_minute;
    int64_t messages, peak, missing, doubled;
    double probe_max_ms, baseline_max_ms;
    bool kill_ok;
};

/* vigied with the gateway, the throttle and a fixed port (Kannel's
 * dlr-urls name it, before and after the restart). */
static bool sending_setup(struct world *world, struct gateway *g)
{
    char setting[160];
    unsigned port = harness_free_port();
    world_stop(world);
    snprintf(setting, sizeof setting, "listen=127.0.0.1:%u", port);
    bool ok = port && world_set(world, setting);
    snprintf(setting, sizeof setting, "sms_gateway_url=http://127.0.0.1:%u/cgi-bin/sendsms",
             g->port);
    ok = ok && world_set(world, setting) && world_set(world, "sms_rate=" SMS_RATE_TEXT) &&
         world_set(world, "kannel_secret=" KANNEL_BENCH_SECRET);
    snprintf(setting, sizeof setting, "sms_callback_url=http://127.0.0.1:%u", port);
    ok = ok && world_set(world, setting) && world_set(world, "outbox_concurrency=128");
    gateway_set_callback(g, port);
    return ok && world_start(world);
}

static bool fanout_measure(struct world *world, const char **token, struct gateway *g,
                           int64_t probe_site, struct fanout_result *r)
{
    double radius = fanout_radius(world, *token);
    static struct probe quiet, busy;
    probe_setup(&quiet, world, *token, probe_site);
    probe_baseline(&quiet);
    probe_setup(&busy, world, *token, probe_site);
    if (pthread_create(&busy.thread, NULL, probe_main, &busy) != 0)
        return false;
    gateway_reset_seconds(g);
    int64_t id = 0, begin = clock_monotonic_us();
    bool ok = send_alert(world, *token, 1, radius, &id, &r->messages, &r->answer_ms) &&
              wait_gateway(world, *token, g, 1, id, r->messages, begin, &r->written_s);
    atomic_store(&busy.stop, true);
    pthread_join(busy.thread, NULL);
    if (!ok)
        return false;
    r->sending_s = (double)(clock_monotonic_us() - begin) / 1e6;
    r->per_minute = (double)r->messages / r->sending_s * 60.0;
    r->peak = gateway_peak(g);
    r->measured = wait_delivered(world, id, r->messages);
    int64_t written_at = begin + (int64_t)(r->written_s * 1e6);
    double while_writing = probe_longest(&busy, begin, written_at);
    double while_sending = probe_longest(&busy, written_at, INT64_MAX);
    r->probe_max_ms = busy.count ? percentile(busy.ms, busy.count, 100) : NAN;
    r->baseline_max_ms = quiet.count ? percentile(quiet.ms, quiet.count, 100) : NAN;
    printf("  the send (%lld SMS, %.0f km of Paris) answered in %.0f ms; its recipients were\n"
           "  written in %.1f s; the gateway had every message after %.1f s: %.0f a minute;\n"
           "  peak %lld in one second (sms_rate %s); all delivered in the outbox: %s\n",
           (long long)r->messages, radius / 1000, r->answer_ms, r->written_s, r->sending_s,
           r->per_minute, (long long)r->peak, SMS_RATE_TEXT, r->measured ? "yes" : "NO");
    probe_print("alarms on a quiet vigied", &quiet);
    probe_print("alarms during the fan-out", &busy);
    printf("  longest alarm while the recipients were written %.1f ms, after %.1f ms\n",
           while_writing, while_sending);
    return true;
}

/* The kill -9: a second alert, vigied killed early in its send. */
static bool kill_measure(struct world *world, const char **token, struct gateway *g,
                         struct fanout_result *r)
{
    int64_t id = 0, count = 0;
    double answer_ms = 0;
    if (!send_alert(world, *token, 2, RADIUS_M, &id, &count, &answer_ms) ||
        !wait_gateway(world, *token, g, 2, id, count / KILL_AT_DIVISOR, 0, NULL))
        return false;
    int64_t written = written_of(world, *token, id);
    int64_t before = gateway_received(g, 2, NULL);
    world_kill(world);
    if (!world_start(world) || !(*token = login(world, "bench-op", PASSWORD)))
        return false;
    bool done = wait_delivered(world, id, count);
    harness_sleep_ms(GATEWAY_PHONE_MS + 1000); /* the last reports */
    int64_t doubled = 0, received = gateway_received(g, 2, &doubled);
    int64_t sent = 0, waiting = 0, refused = 0, dropped = 0;
    gateway_reports(g, &sent, &waiting, &refused, &dropped);
    r->doubled = doubled;
    r->missing = count - (received - doubled);
    r->kill_ok = done && r->missing == 0 && r->doubled == 0;
    char written_text[48];
    if (written == INT64_MAX)
        snprintf(written_text, sizeof written_text, "all");
    else
        snprintf(written_text, sizeof written_text, "%lld", (long long)written);
    printf("  kill -9: %lld SMS (30 km of Paris), killed when the gateway had %lld and %s\n"
           "  recipients were written; after the restart all delivered in the outbox: %s;\n"
           "  missing at the gateway %lld, doubled %lld; delivery reports sent %lld,\n"
           "  refused %lld, dropped %lld, still waiting %lld\n",
           (long long)count, (long long)before, written_text, done ? "yes" : "NO",
           (long long)r->missing, (long long)r->doubled, (long long)sent, (long long)refused,
           (long long)dropped, (long long)waiting);
    return true;
}

/* Whether this vigied sends: POST /v1/massalerts without "dry_run" on an
 * empty circle (no agent in the middle of the Atlantic) answers 501 while
 * sending is not built. */
static bool sending_built(struct world *world, const char *token)
{
    long status = 0;
    cJSON *answer = NULL;
    http_request(world, "POST", "/v1/massalerts", token,
                 "{\"area\":{\"circle\":{\"lat\":45.0,\"lon\":-30.0,\"radius_m\":800}},"
                 "\"message\":\"bench probe\",\"channels\":[\"sms\"]}",
                 &status, &answer);
    return status != 501 && status != 0;
}

static void sending_phase(struct world *world, const char **token, int64_t probe_site,
                          struct fanout_result *r)
{
    printf("\nFan-out of about %d SMS to a loopback gateway (Kannel's sendsms and delivery\n"
           "reports, answered by this program; target at least %.0f a minute, no second over\n"
           "the throttle), an alarm recorded every %d ms meanwhile, and a kill -9 in the\n"
           "middle of a send (none missing, none doubled); load average %s:\n",
           FANOUT_MESSAGES, FANOUT_TARGET, PROBE_PERIOD_MS, load_average());
    fflush(stdout);
    memset(r, 0, sizeof *r);
    if (!sending_built(world, *token)) {
        printf("  not measured: sending not built (POST /v1/massalerts without dry_run answers "
               "501)\n");
        return;
    }
    /* Static: its connection threads outlive this phase (vigied keeps its
     * connections alive until it stops). */
    static struct gateway g;
    if (!gateway_start(&g) || !sending_setup(world, &g) ||
        !(*token = login(world, "bench-op", PASSWORD)) ||
        !fanout_measure(world, token, &g, probe_site, r) || !kill_measure(world, token, &g, r)) {
        printf("  not measured: the send could not run to its end (see above)\n");
        r->measured = false;
    }
    gateway_stop(&g);
}

static void sending_print_targets(const struct fanout_result *fanout)
{
    if (!fanout->measured) {
        printf("  fan-out of %d messages: not measured\n", FANOUT_MESSAGES);
        return;
    }
    printf("  fan-out: %.0f a minute, peak %lld/s under sms_rate %d  %s\n", fanout->per_minute,
           (long long)fanout->peak, SMS_RATE,
           verdict(fanout->per_minute >= FANOUT_TARGET && fanout->peak <= SMS_RATE));
    printf("  the send answered in %.0f ms; longest alarm during the fan-out %.0f ms (quiet: "
           "%.0f ms)\n",
           fanout->answer_ms, fanout->probe_max_ms, fanout->baseline_max_ms);
    printf("  kill -9 in a send: %lld missing, %lld doubled  %s\n", (long long)fanout->missing,
           (long long)fanout->doubled, verdict(fanout->kill_ok));
}
