/* bench_ingest.c: how many SIA DC-09 events per second vigied ACKs over
 * TCP with durability on (an ACK leaves only once its event is committed),
 * and how fast, beside the loopback limit: the same load against an epoll
 * server of this program that answers every frame with an ACK and stores
 * nothing (limit_server.c). The load is `vigie-sim load` (one frame in
 * flight per connection, as panels do) run as a child for both servers.
 * Each run is bounded by its time (--seconds) and the load's own bounds.
 * Prints the machine, one table, the peers' figures from anchors.md and
 * the targets. Exit 1 when an event was lost (NAK, DUH, no answer, or an
 * ACKed event missing from the database) or vigied died; a target missed
 * is reported, not a failure. A program, not a test: `make check` does not
 * run it. */
#include "server/store.h"
#include "server/store_accounts.h"
#include "common/clock.h"
#include "tests/lib/harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench/ingest/limit_server.c"

/* Seconds per run: 12 runs (6 kinds x 2 servers) keep the whole bench
 * near 70 s on 2 cores; 5 s holds 5,000 samples even at 1,000 events/s. */
#define RUN_SECONDS_DEFAULT 5
#define RUN_SECONDS_MAX     30
/* A load that has not ended this long after its time is killed. */
#define LOAD_GRACE_MS 20000
/* Each run has its own accounts, so that no event of one run can be taken
 * for a retransmission of another (same account, seq and content within
 * the 10-minute window): run k uses ACCOUNT_BASE + k * ACCOUNT_STRIDE + i. */
#define ACCOUNT_BASE   0xB0000u
#define ACCOUNT_STRIDE 0x1000u
/* Demo sites the accounts are spread over (the demo has 60). */
#define SITES_MAX 64
/* The AES-128 key of the encrypted run's accounts and load. */
static const char bench_key_hex[] = "5A1C0FFEE0DDBA11DEADBEEF20261125";

/* The peers' figures (../shared/anchors.md), quoted, not measured here. */
#define PYSIA_PLAIN_PER_S   7700.0
#define PYSIA_AES_PER_S     4800.0
#define PYSIA_PACED_P99_MS  0.3
#define FLOOR_EVENTS_PER_S  20000.0 /* the issue: 100 connections, 2 cores */
#define FLOOR_PACED_P99_MS  20.0
#define AIM_LIMIT_SHARE     0.25 /* anchors.md: of the limit measured beside */
#define AIM_TIMES_PYSIA_AES 5.0
#define AIM_PACED_P99_MS    1.0
#define PACED_EVENTS_PER_S  1000

struct run_spec {
    const char *label;
    int connections;
    int rate; /* events/s in all; 0: flat out */
    const char *code;
    bool aes;
};

/* 1130: burglary, an open alarm in the queue (the worst case); 1602: a
 * periodic test, recorded closed. */
static const struct run_spec run_specs[] = {
    {"flat out, 1130", 1, 0, "1130", false},
    {"flat out, 1130", 10, 0, "1130", false},
    {"flat out, 1130", 100, 0, "1130", false},
    {"flat out, 1130, AES-128", 100, 0, "1130", true},
    {"paced 1,000/s, 1130", 100, PACED_EVENTS_PER_S, "1130", false},
    {"flat out, 1602 test", 100, 0, "1602", false},
};
#define RUN_COUNT     (sizeof run_specs / sizeof run_specs[0])
#define RUN_FLAT_100  2
#define RUN_AES_100   3
#define RUN_PACED_100 4

/* What one `vigie-sim load` said, and what it cost the receiver. */
struct load_result {
    bool ok; /* ran, ended in time, its report read */
    int status;
    long long sent, acked, refused, lost;
    double seconds, per_second, p50, p99, max;
    double cpu_us_per_event;  /* the receiver's CPU time per ACK */
    double writes_per_commit; /* vigied only: group-commit batch */
};

/* ---- the load ---- */

static bool load_parse(const char *path, struct load_result *out)
{
    FILE *file = fopen(path, "r");
    if (!file)
        return false;
    char line[512];
    bool counts = false, rates = false;
    while (fgets(line, sizeof line, file)) {
        int connections;
        counts = counts || sscanf(line,
                                  "connections %d, seconds %lf, sent %lld, acked %lld, "
                                  "refused %lld, lost %lld",
                                  &connections, &out->seconds, &out->sent, &out->acked,
                                  &out->refused, &out->lost) == 6;
        rates = rates || sscanf(line, "acked/s %lf, ack latency ms p50 %lf p99 %lf max %lf",
                                &out->per_second, &out->p50, &out->p99, &out->max) == 4;
    }
    fclose(file);
    return counts && rates;
}

/* Runs one load against 127.0.0.1:port and reads its report. */
static struct load_result load_run(struct world *world, const struct run_spec *spec, int index,
                                   unsigned port, int seconds)
{
    char to[32], rate[16], count[16], length[16], base[16], path[WORLD_PATH_MAX + 32];
    snprintf(to, sizeof to, "127.0.0.1:%u", port);
    snprintf(rate, sizeof rate, "%d", spec->rate);
    snprintf(count, sizeof count, "%d", spec->connections);
    snprintf(length, sizeof length, "%d", seconds);
    snprintf(base, sizeof base, "%X", ACCOUNT_BASE + (unsigned)index * ACCOUNT_STRIDE);
    snprintf(path, sizeof path, "%s/load-%d-%u.txt", world->dir, index, port);
    struct load_result result = {.status = -1};
    /* Without AES the list ends at the NULL that stands for "--key". */
    pid_t pid =
        world_sim_start(world, path, "load", "--dc09", to, "--rate", rate, "--seconds", length,
                        "--connections", count, "--code", spec->code, "--account-base", base,
                        spec->aes ? "--key" : NULL, bench_key_hex, NULL);
    if (pid < 0)
        return result;
    result.status = world_sim_wait(world, pid, seconds * 1000 + LOAD_GRACE_MS);
    result.ok = load_parse(path, &result);
    if (!result.ok) {
        char text[1024] = "";
        FILE *file = fopen(path, "r");
        size_t got = file ? fread(text, 1, sizeof text - 1, file) : 0;
        text[got] = '\0';
        if (file)
            fclose(file);
        fprintf(stderr, "bench_ingest: vigie-sim load ended with status %d: %s\n", result.status,
                text);
    }
    return result;
}

/* ---- CPU time ---- */

/* The CPU time of this process (the limit server's thread: the main
 * thread sleeps in waitpid meanwhile), in microseconds. */
static int64_t cpu_self_us(void)
{
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0)
        return 0;
    return (int64_t)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000 +
           usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

/* The CPU time of a process from /proc (10 ms ticks), in microseconds. */
static int64_t cpu_process_us(pid_t pid)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *file = fopen(path, "r");
    if (!file)
        return 0;
    size_t length = fread(text, 1, sizeof text - 1, file);
    fclose(file);
    text[length] = '\0';
    /* After the command name, which ends at the last ')': utime is field 14
     * and stime 15. */
    char *rest = strrchr(text, ')');
    unsigned long long user = 0, system = 0;
    if (!rest || sscanf(rest + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &user,
                        &system) != 2)
        return 0;
    return (int64_t)((user + system) * 1000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK));
}

/* ---- the two receivers ---- */

/* A load against the limit server. */
static struct load_result limit_run(struct world *world, struct limit_server *limit, int index,
                                    int seconds)
{
    int64_t cpu = cpu_self_us();
    long long acked = atomic_load(&limit->acked);
    struct load_result result = load_run(world, &run_specs[index], index, limit->port, seconds);
    acked = atomic_load(&limit->acked) - acked;
    if (acked > 0)
        result.cpu_us_per_event = (double)(cpu_self_us() - cpu) / (double)acked;
    return result;
}

/* vigied's counters read around a run, from GET /metrics. */
struct vigied_counters {
    int64_t commits, writes, acks, retransmissions, store_failures;
};

static bool vigied_counters_read(struct world *world, struct vigied_counters *out)
{
    out->commits = world_metric(world, "vigie_store_commits_total");
    out->writes = world_metric(world, "vigie_store_writes_total");
    out->acks = world_metric(world, "vigie_dc09_ack_total");
    out->retransmissions = world_metric(world, "vigie_dc09_retransmissions_total");
    out->store_failures = world_metric(world, "vigie_dc09_store_failures_total");
    return out->commits != INT64_MIN && out->writes != INT64_MIN && out->acks != INT64_MIN &&
           out->retransmissions != INT64_MIN && out->store_failures != INT64_MIN;
}

/* A load against vigied; false when vigied stopped answering. */
static bool vigied_run(struct world *world, int index, int seconds, struct load_result *result,
                       struct vigied_counters *totals)
{
    struct vigied_counters before, after;
    if (!vigied_counters_read(world, &before))
        return false;
    int64_t cpu = cpu_process_us(world->pid);
    *result = load_run(world, &run_specs[index], index, world->dc09_port, seconds);
    cpu = cpu_process_us(world->pid) - cpu;
    if (!vigied_counters_read(world, &after))
        return false;
    int64_t acks = after.acks - before.acks, commits = after.commits - before.commits;
    if (acks > 0)
        result->cpu_us_per_event = (double)cpu / (double)acks;
    if (commits > 0)
        result->writes_per_commit = (double)(after.writes - before.writes) / (double)commits;
    totals->acks += acks;
    totals->retransmissions += after.retransmissions - before.retransmissions;
    totals->store_failures += after.store_failures - before.store_failures;
    return true;
}

/* The demo's sites, to spread the accounts over. */
static int sites_read(const char *db_path, int64_t *sites, int capacity)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *query = NULL;
    int count = 0;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT id FROM sites ORDER BY id", -1, &query, NULL) == SQLITE_OK)
        while (count < capacity && sqlite3_step(query) == SQLITE_ROW)
            sites[count++] = sqlite3_column_int64(query, 0);
    sqlite3_finalize(query);
    sqlite3_close(db);
    return count;
}

/* Registers every run's accounts (with the key for the AES run) through
 * the store, as `vigied account add ACCT --site S [--key HEX]` does, in
 * one process rather than hundreds. Returns how many, 0 on failure. */
static int accounts_register(struct world *world)
{
    int64_t sites[SITES_MAX];
    int site_count = sites_read(world->db, sites, SITES_MAX);
    struct store *store = NULL;
    struct store_options options = {0};
    struct store_error error = {{0}};
    if (site_count == 0 || store_open(world->db, &options, &store, &error) != STORE_OK) {
        fprintf(stderr, "bench_ingest: cannot open %s: %s\n", world->db,
                site_count ? error.message : "no sites");
        return 0;
    }
    struct actor actor;
    actor_system(&actor);
    snprintf(actor.username, sizeof actor.username, "bench");
    int added = 0;
    bool ok = true;
    for (size_t run = 0; ok && run < RUN_COUNT; run++) {
        for (int i = 0; ok && i < run_specs[run].connections; i++) {
            struct account_settings settings;
            account_settings_defaults(&settings);
            snprintf(settings.account, sizeof settings.account, "%X",
                     ACCOUNT_BASE + (unsigned)run * ACCOUNT_STRIDE + (unsigned)i);
            settings.site_id = sites[added % site_count];
            if (run_specs[run].aes)
                snprintf(settings.key_hex, sizeof settings.key_hex, "%s", bench_key_hex);
            ok = store_account_add(store, &actor, &settings, &error) == STORE_OK;
            added += ok;
        }
    }
    if (!ok)
        fprintf(stderr, "bench_ingest: cannot add an account: %s\n", error.message);
    store_close(store);
    return ok ? added : 0;
}

/* A fresh database with the demo dataset and the accounts, and vigied
 * serving it with a DC-09 receiver on 127.0.0.1, port 0. */
static struct world *vigied_prepare(int *accounts)
{
    struct world *world = world_create();
    if (!world)
        return NULL;
    char output[1024];
    int status = world_run(world, NULL, output, sizeof output, "init", "--demo", "--db", world->db,
                           "--set", "argon2_memory_kib=8", "--set", "argon2_iterations=1", NULL);
    if (status != 0) {
        fprintf(stderr, "bench_ingest: vigied init --demo failed (%d): %s\n", status, output);
        world_destroy(world);
        return NULL;
    }
    *accounts = accounts_register(world);
    world_enable_dc09(world);
    if (*accounts == 0 || !world_start(world)) {
        world_destroy(world);
        return NULL;
    }
    return world;
}

#include "bench/ingest/report.c"

static void print_usage(FILE *out)
{
    fprintf(out,
            "usage: bench_ingest [--seconds S]\n"
            "Runs every load for S seconds (default %d, at most %d) against the loopback\n"
            "limit server and against vigied. VIGIED names the vigied binary (default\n"
            "build/release/bin/vigied; vigie-sim is beside it); TMPDIR where the\n"
            "database goes.\n",
            RUN_SECONDS_DEFAULT, RUN_SECONDS_MAX);
}

static bool parse_arguments(int argc, char **argv, int *seconds)
{
    *seconds = RUN_SECONDS_DEFAULT;
    if (argc == 3 && strcmp(argv[1], "--seconds") == 0) {
        char *end = NULL;
        long value = strtol(argv[2], &end, 10);
        *seconds = (int)value;
        return end && *end == '\0' && value >= 1 && value <= RUN_SECONDS_MAX;
    }
    return argc == 1;
}

int main(int argc, char **argv)
{
    int seconds = 0;
    if (!parse_arguments(argc, argv, &seconds)) {
        bool help = argc == 2 && strcmp(argv[1], "--help") == 0;
        print_usage(help ? stdout : stderr);
        return help ? 0 : 2;
    }
    signal(SIGPIPE, SIG_IGN);
    const char *vigied = getenv("VIGIED");
    if (!vigied || !*vigied)
        setenv("VIGIED", "build/release/bin/vigied", 1);
    int64_t begin = clock_monotonic_us();
    int accounts = 0;
    struct world *world = vigied_prepare(&accounts);
    struct dc09_key key;
    struct limit_server limit;
    if (!world || !dc09_key_from_hex(bench_key_hex, &key) || !limit_server_start(&limit, &key)) {
        fprintf(stderr, "bench_ingest: cannot set up (see above)\n");
        world_destroy(world);
        return 1;
    }
    print_header(world, accounts, seconds);
    struct load_result limits[RUN_COUNT] = {0}, vigieds[RUN_COUNT] = {0};
    struct vigied_counters totals = {0};
    bool alive = true;
    for (size_t i = 0; i < RUN_COUNT && alive; i++) {
        limits[i] = limit_run(world, &limit, (int)i, seconds);
        alive = vigied_run(world, (int)i, seconds, &vigieds[i], &totals);
        print_row(&run_specs[i], &limits[i], &vigieds[i], alive);
    }
    limit_server_stop(&limit);
    print_notes();
    print_disk_probe(world->dir, "after");
    bool ok = print_checks(world, limits, vigieds, &totals, alive, limit.unanswered);
    print_targets(limits, vigieds);
    printf("\ntotal time %.1f s; load average now %s; %s\n",
           (double)(clock_monotonic_us() - begin) / 1e6, load_average(),
           ok ? "no event lost" : "FAILED: events lost or vigied died (see above)");
    return ok ? 0 : 1;
}
