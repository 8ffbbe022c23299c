/* bench_api.c: how many alarms vigied records per second with durability
 * on, and how fast it fans each one out to the live streams. Three phases,
 * each stopped by a time limit or a count limit, whichever comes first:
 *   1. the store in process: N threads call store_alarm_create() on a temp
 *      database, beside plain SQLite committing one row per transaction;
 *   2. HTTP end to end: a real vigied on loopback, C clients POST /v1/alarms;
 *   3. stream fan-out: 50 SSE clients on GET /v1/stream while alarms are
 *      posted at a steady rate; every client must get every event once.
 * Prints a report on stdout and exits 1 when a phase fails. A program, not
 * a test: `make bench` runs it; `make check` does not. */
#include "server/store.h"
#include "server/store_directory.h"
#include "common/clock.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Phase 1 bounds: with the HTTP phases they keep the whole run under a
 * minute on 2 cores; the counts bound the latency samples (8 bytes each). */
#define STORE_RUN_US     (3 * 1000000LL)
#define STORE_RUN_MAX    200000
#define BASELINE_RUN_US  (1500000LL)
#define BASELINE_RUN_MAX 100000
/* The work directory's path, and the files in it (short names). */
#define BENCH_DIR_MAX  256
#define BENCH_PATH_MAX (BENCH_DIR_MAX + 32)
/* The most writers a run starts (the last of store_thread_counts). */
#define STORE_THREADS_MAX 64

static const int store_thread_counts[] = {1, 8, STORE_THREADS_MAX};

/* ---- latency samples ---- */

/* Latencies of one run in microseconds. Threads claim slots with one
 * atomic add and each writes only its own slot, so no lock is needed; a
 * failed call leaves -1. */
struct samples {
    int64_t *values;
    size_t capacity;
    atomic_size_t claimed;
};

struct summary {
    size_t count;
    int64_t p50, p99, max;
};

static bool samples_init(struct samples *samples, size_t capacity)
{
    samples->values = calloc(capacity, sizeof *samples->values);
    samples->capacity = capacity;
    atomic_init(&samples->claimed, 0);
    return samples->values != NULL;
}

static size_t samples_count(struct samples *samples)
{
    size_t claimed = atomic_load(&samples->claimed);
    return claimed < samples->capacity ? claimed : samples->capacity;
}

static int compare_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentiles over the successful calls; sorts in place. */
static struct summary samples_summarize(struct samples *samples)
{
    size_t total = samples_count(samples), count = 0;
    for (size_t i = 0; i < total; i++)
        if (samples->values[i] >= 0)
            samples->values[count++] = samples->values[i];
    struct summary summary = {.count = count};
    if (count == 0)
        return summary;
    qsort(samples->values, count, sizeof *samples->values, compare_int64);
    summary.p50 = samples->values[(count * 50 + 99) / 100 - 1];
    summary.p99 = samples->values[(count * 99 + 99) / 100 - 1];
    summary.max = samples->values[count - 1];
    return summary;
}

static double ms(int64_t micros)
{
    return (double)micros / 1000.0;
}

/* CPU time this process has used, user and system, in microseconds. */
static int64_t cpu_self_us(void)
{
    struct rusage usage;
    if (getrusage(RUSAGE_SELF, &usage) != 0)
        return 0;
    return (int64_t)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000 +
           usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

/* ---- a load: N threads calling one function until time or count ---- */

/* An error message: room for a store's message (256) and what it was doing. */
#define BENCH_ERROR_MAX 512

/* One call: true on success; on failure fills `error` (the thread stops). */
typedef bool (*load_call)(void *state, char *error, size_t size);

struct load {
    load_call call;
    struct samples latency;
    atomic_size_t failed;
    /* The threads wait at this gate so that all start together. */
    pthread_mutex_t lock;
    pthread_cond_t opened;
    bool open;
    int64_t deadline_us;
    char error[BENCH_ERROR_MAX];
};

struct load_thread {
    struct load *load;
    void *state;
    pthread_t thread;
};

struct run_result {
    size_t done, failed;
    double seconds;
    struct summary latency;
    char error[BENCH_ERROR_MAX];
};

static void *load_thread_main(void *argument)
{
    struct load_thread *self = argument;
    struct load *load = self->load;
    pthread_mutex_lock(&load->lock);
    while (!load->open)
        pthread_cond_wait(&load->opened, &load->lock);
    pthread_mutex_unlock(&load->lock);
    while (clock_monotonic_us() < load->deadline_us) {
        size_t slot = atomic_fetch_add(&load->latency.claimed, 1);
        if (slot >= load->latency.capacity)
            break;
        char error[BENCH_ERROR_MAX] = "";
        int64_t start = clock_monotonic_us();
        bool ok = load->call(self->state, error, sizeof error);
        load->latency.values[slot] = ok ? clock_monotonic_us() - start : -1;
        if (!ok) {
            atomic_fetch_add(&load->failed, 1);
            pthread_mutex_lock(&load->lock);
            if (!load->error[0])
                snprintf(load->error, sizeof load->error, "%s", error);
            pthread_mutex_unlock(&load->lock);
            break;
        }
    }
    return NULL;
}

/* Runs `call` from `threads` threads (thread i gets states[i]) for at most
 * run_us or max calls in all. */
static bool load_run(int threads, void *const *states, load_call call, int64_t run_us, size_t max,
                     struct run_result *out)
{
    struct load load = {.call = call};
    struct load_thread workers[STORE_THREADS_MAX];
    memset(out, 0, sizeof *out);
    if (threads > STORE_THREADS_MAX || !samples_init(&load.latency, max)) {
        snprintf(out->error, sizeof out->error, "out of memory or too many threads");
        return false;
    }
    atomic_init(&load.failed, 0);
    pthread_mutex_init(&load.lock, NULL);
    pthread_cond_init(&load.opened, NULL);
    int started = 0;
    for (; started < threads; started++) {
        workers[started] = (struct load_thread){.load = &load, .state = states[started]};
        if (pthread_create(&workers[started].thread, NULL, load_thread_main, &workers[started]))
            break;
    }
    /* If a thread could not start, the gate opens on a past deadline and
     * the others leave at once. */
    pthread_mutex_lock(&load.lock);
    int64_t begin = clock_monotonic_us();
    load.deadline_us = started == threads ? begin + run_us : 0;
    load.open = true;
    pthread_cond_broadcast(&load.opened);
    pthread_mutex_unlock(&load.lock);
    for (int i = 0; i < started; i++)
        pthread_join(workers[i].thread, NULL);
    if (started < threads)
        snprintf(load.error, sizeof load.error, "cannot start %d threads", threads);
    out->seconds = (double)(clock_monotonic_us() - begin) / 1e6;
    out->failed = atomic_load(&load.failed);
    out->done = samples_count(&load.latency) - out->failed;
    out->latency = samples_summarize(&load.latency);
    snprintf(out->error, sizeof out->error, "%s", load.error);
    free(load.latency.values);
    pthread_cond_destroy(&load.opened);
    pthread_mutex_destroy(&load.lock);
    return out->failed == 0 && started == threads;
}

/* ---- the machine and the work directory ---- */

static const char *filesystem_name(const char *path)
{
    struct statfs info;
    if (statfs(path, &info) != 0)
        return "unknown";
    switch ((unsigned long)info.f_type) {
    case 0xEF53:
        return "ext2/3/4";
    case 0x58465342:
        return "xfs";
    case 0x9123683E:
        return "btrfs";
    case 0x01021994:
        return "tmpfs (fsync costs nothing here: set TMPDIR to a disk)";
    case 0x794C7630:
        return "overlayfs";
    default:
        return "other";
    }
}

static void print_machine(const char *dir, const char *vigied)
{
    char model[256] = "unknown", line[512];
    FILE *cpuinfo = fopen("/proc/cpuinfo", "r");
    while (cpuinfo && fgets(line, sizeof line, cpuinfo)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            snprintf(model, sizeof model, "%s", colon + 2);
            model[strcspn(model, "\n")] = '\0';
            break;
        }
    }
    if (cpuinfo)
        fclose(cpuinfo);
    struct utsname system;
    if (uname(&system) != 0)
        memset(&system, 0, sizeof system);
    double gib = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE) / (1 << 30);
    printf("machine:  %ld CPUs (nproc), %s, %.1f GiB RAM\n", sysconf(_SC_NPROCESSORS_ONLN), model,
           gib);
    printf("kernel:   %s %s %s\n", system.sysname, system.release, system.machine);
    printf("disk:     %s on %s\n", dir, filesystem_name(dir));
    printf("software: SQLite %s, libcurl %s, vigied %s\n", sqlite3_libversion(),
           curl_version_info(CURLVERSION_NOW)->version, vigied);
}

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *walk)
{
    (void)info;
    (void)flag;
    (void)walk;
    return remove(path);
}

static bool workdir_create(char *out, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    int length = snprintf(out, size, "%s/vigie-bench.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (length < 0 || (size_t)length >= size) {
        errno = ENAMETOOLONG;
        return false;
    }
    return mkdtemp(out) != NULL;
}

static void workdir_remove(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- phase 1: the store in process ---- */

/* Counts commits: the store calls its event listener once per group
 * commit with that commit's events (in slices of 256, but with at most 64
 * writers waiting no commit holds that many), and each alarm created emits
 * exactly one event. Only the writer thread calls it. */
struct commit_count {
    atomic_llong commits, events, largest;
};

static void commit_count_on_events(void *context, const struct store_event *events, size_t count)
{
    (void)events;
    struct commit_count *counter = context;
    atomic_fetch_add(&counter->commits, 1);
    atomic_fetch_add(&counter->events, (long long)count);
    if ((long long)count > atomic_load(&counter->largest))
        atomic_store(&counter->largest, (long long)count);
}

struct store_load {
    struct store *store;
    struct actor actor;
    struct alarm_new alarm;
};

static bool store_create_call(void *state, char *error, size_t size)
{
    struct store_load *load = state;
    struct store_error failure = {{0}};
    int64_t id = 0;
    if (store_alarm_create(load->store, &load->actor, &load->alarm, &id, &failure) == STORE_OK)
        return true;
    snprintf(error, size, "store_alarm_create: %s", failure.message);
    return false;
}

/* The client and site the alarms happen at, added through the store. */
static int site_add_job(struct store_tx *tx, void *context, struct store_error *error)
{
    int64_t *site_id = context;
    struct actor actor;
    actor_system(&actor);
    struct store_client_new client = {.name = "Banc d'Essai SA", .kind = "bank"};
    int64_t client_id = 0;
    int status = store_client_add(tx, &actor, &client, &client_id, error);
    struct store_site_new site = {.client_id = client_id,
                                  .name = "Agence Bench",
                                  .address = "1 rue du Banc",
                                  .city = "Paris"};
    return status == STORE_OK ? store_site_add(tx, &actor, &site, site_id, error) : status;
}

/* A fresh database per run, so that every run starts from the same size. */
static bool store_open_with_site(const char *path, struct store **store, int64_t *site_id,
                                 char *error, size_t size)
{
    struct store_options options = {.create = true};
    struct store_error failure = {{0}};
    if (store_open(path, &options, store, &failure) != STORE_OK) {
        snprintf(error, size, "store_open: %s", failure.message);
        return false;
    }
    if (store_directory_write(*store, site_add_job, site_id, &failure) != STORE_OK) {
        snprintf(error, size, "adding a site: %s", failure.message);
        store_close(*store);
        return false;
    }
    return true;
}

/* One row of the store table: a run, its rate and latencies, and (when
 * known) its ratio to the baseline just before it and its commit sizes. */
struct store_row {
    char label[32];
    struct run_result result;
    int64_t cpu_us;
    double ratio, per_commit;
    long long largest;
};

static double row_rate(const struct store_row *row)
{
    return row->result.seconds > 0 ? (double)row->result.done / row->result.seconds : 0.0;
}

static void store_row_print(const struct store_row *row)
{
    char ratio[16] = "", commits[24] = "";
    if (row->ratio > 0)
        snprintf(ratio, sizeof ratio, "%.2fx", row->ratio);
    if (row->per_commit > 0)
        snprintf(commits, sizeof commits, "%.1f %4lld", row->per_commit, row->largest);
    size_t done = row->result.done;
    printf("  %-22s %8.0f %7s %10s %7.0f %7.2f %7.2f %7.2f %7zu %5.1f\n", row->label, row_rate(row),
           ratio, commits, done ? (double)row->cpu_us / (double)done : 0.0,
           ms(row->result.latency.p50), ms(row->result.latency.p99), ms(row->result.latency.max),
           done, row->result.seconds);
    if (row->result.error[0])
        printf("  FAILED: %s\n", row->result.error);
}

static bool store_run(const char *dir, int threads, struct store_row *row)
{
    char path[BENCH_PATH_MAX];
    snprintf(path, sizeof path, "%s/store-%d.db", dir, threads);
    snprintf(row->label, sizeof row->label, "store, %d thread%s", threads, threads > 1 ? "s" : "");
    struct store_load load = {0};
    int64_t site_id = 0;
    char *error = row->result.error;
    size_t size = sizeof row->result.error;
    if (!store_open_with_site(path, &load.store, &site_id, error, size))
        return false;
    actor_system(&load.actor);
    load.alarm = (struct alarm_new){.source = "bench",
                                    .site_id = site_id,
                                    .event_code = "BA",
                                    .class_name = "burglary",
                                    .label = "Intrusion, hall",
                                    .priority = 2,
                                    .zone = 3};
    struct commit_count commits = {0};
    store_set_event_listener(load.store, commit_count_on_events, &commits);
    void *states[STORE_THREADS_MAX];
    for (int i = 0; i < threads; i++)
        states[i] = &load;
    int64_t cpu = cpu_self_us();
    bool ok =
        load_run(threads, states, store_create_call, STORE_RUN_US, STORE_RUN_MAX, &row->result);
    row->cpu_us = cpu_self_us() - cpu;
    int64_t open = 0, total = 0;
    long long heard = atomic_load(&commits.events), commit_total = atomic_load(&commits.commits);
    struct store_error failure = {{0}};
    if (ok && (store_alarm_counts(load.store, &open, &total, &failure) != STORE_OK ||
               total != (int64_t)row->result.done || heard != total)) {
        snprintf(error, size, "%zu alarms created but %lld in the store and %lld events heard",
                 row->result.done, (long long)total, heard);
        ok = false;
    }
    store_set_event_listener(load.store, NULL, NULL);
    store_close(load.store);
    row->per_commit = commit_total ? (double)row->result.done / (double)commit_total : 0.0;
    row->largest = atomic_load(&commits.largest);
    return ok;
}

/* The anchor beside the store: the same disk, WAL, synchronous=FULL, one
 * small INSERT per COMMIT from one thread. */
struct baseline {
    sqlite3_stmt *insert;
    sqlite3 *db;
};

static bool baseline_call(void *state, char *error, size_t size)
{
    struct baseline *baseline = state;
    sqlite3_reset(baseline->insert);
    if (sqlite3_step(baseline->insert) == SQLITE_DONE)
        return true;
    snprintf(error, size, "baseline insert: %s", sqlite3_errmsg(baseline->db));
    return false;
}

static bool baseline_run(const char *dir, int number, struct store_row *row)
{
    char path[BENCH_PATH_MAX];
    snprintf(path, sizeof path, "%s/baseline-%d.db", dir, number);
    snprintf(row->label, sizeof row->label, "baseline, 1 row/commit");
    struct baseline baseline = {0};
    static const char setup[] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                "CREATE TABLE rows(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL,"
                                " data TEXT NOT NULL);";
    static const char insert[] = "INSERT INTO rows(ts, data) VALUES(strftime('%s','now'),"
                                 " 'one row of about a hundred bytes, the size of an alarm"
                                 " summary line in the queue')";
    bool ok = sqlite3_open(path, &baseline.db) == SQLITE_OK &&
              sqlite3_exec(baseline.db, setup, NULL, NULL, NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(baseline.db, insert, -1, &baseline.insert, NULL) == SQLITE_OK;
    if (ok) {
        void *states[] = {&baseline};
        int64_t cpu = cpu_self_us();
        ok = load_run(1, states, baseline_call, BASELINE_RUN_US, BASELINE_RUN_MAX, &row->result);
        row->cpu_us = cpu_self_us() - cpu;
    } else {
        snprintf(row->result.error, sizeof row->result.error, "baseline: %s",
                 sqlite3_errmsg(baseline.db));
    }
    sqlite3_finalize(baseline.insert);
    sqlite3_close(baseline.db);
    return ok;
}

static bool store_phase(const char *dir)
{
    printf("\n1. Store in process: store_alarm_create() on a temp database "
           "(WAL, synchronous=FULL)\n"
           "   Each alarm is one job of the group commit and writes 4 rows: the alarm, its\n"
           "   timeline entry, an audit row chained by SHA-256 and a stream event (whose JSON\n"
           "   summary is read back). Each run: a fresh database, at most %.0f s or %d alarms,\n"
           "   after the anchor beside it: plain SQLite, one INSERT per COMMIT, one thread.\n",
           (double)STORE_RUN_US / 1e6, STORE_RUN_MAX);
    printf("  %-22s %8s %7s %10s %7s %7s %7s %7s %7s %5s\n", "run", "ops/s", "ratio", "per commit",
           "cpu us", "p50 ms", "p99 ms", "max ms", "ops", "s");
    bool ok = true;
    for (size_t i = 0; i < sizeof store_thread_counts / sizeof store_thread_counts[0]; i++) {
        struct store_row baseline = {0}, store = {0};
        bool run_ok = baseline_run(dir, (int)i, &baseline);
        store_row_print(&baseline);
        run_ok = store_run(dir, store_thread_counts[i], &store) && run_ok;
        store.ratio = row_rate(&baseline) > 0 ? row_rate(&store) / row_rate(&baseline) : 0.0;
        store_row_print(&store);
        fflush(stdout);
        ok = ok && run_ok;
    }
    printf("  ops: commits for the baseline, alarms for the store; ratio: store alarms/s over\n"
           "  the baseline commits/s just above; per commit: alarms per group commit, average\n"
           "  and largest, counted by the store's event listener (it hears each commit once);\n"
           "  cpu us: this process's CPU time per op, all threads; latency: one call, which\n"
           "  returns when its commit is durable.\n");
    return ok;
}

/* Phases 2 and 3 drive a real vigied over HTTP. Their files are included,
 * not linked, because the Makefile builds each bench/<dir>/bench_<name>.c
 * into a program of one object. */
#include "bench/api/vigied_http.c"
#include "bench/api/stream_fanout.c"

/* One vigied serves both phases; it must stop cleanly at the end. */
static bool vigied_phases(const char *dir, const char *program, bool http, bool stream)
{
    struct vigied server = {.program = program};
    if (!vigied_prepare(&server, dir) || !vigied_start(&server) || !vigied_login(&server)) {
        vigied_stop(&server);
        printf("\nFAILED: cannot start vigied (%s; see the messages above)\n", program);
        return false;
    }
    bool ok = !http || http_phase(&server);
    ok = (!stream || fanout_phase(&server)) && ok;
    bool stopped = vigied_stop(&server);
    if (!stopped)
        printf("  vigied did not stop cleanly on SIGTERM\n");
    return ok && stopped;
}

static void print_usage(FILE *out)
{
    fprintf(out, "usage: bench_api [store] [http] [stream]\n"
                 "Runs the phases named (all of them by default); VIGIED names the vigied\n"
                 "binary (build/release/bin/vigied), TMPDIR where the databases go.\n");
}

int main(int argc, char **argv)
{
    bool store = argc == 1, http = argc == 1, stream = argc == 1;
    for (int i = 1; i < argc; i++) {
        bool *phase = strcmp(argv[i], "store") == 0    ? &store
                      : strcmp(argv[i], "http") == 0   ? &http
                      : strcmp(argv[i], "stream") == 0 ? &stream
                                                       : NULL;
        if (!phase) {
            print_usage(strcmp(argv[i], "--help") == 0 ? stdout : stderr);
            return strcmp(argv[i], "--help") == 0 ? 0 : 2;
        }
        *phase = true;
    }
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "bench_api: cannot initialise libcurl\n");
        return 1;
    }
    const char *vigied = getenv("VIGIED");
    if (!vigied || !*vigied)
        vigied = "build/release/bin/vigied";
    char dir[BENCH_DIR_MAX];
    if (!workdir_create(dir, sizeof dir)) {
        fprintf(stderr, "bench_api: cannot create a temp directory: %s\n", strerror(errno));
        return 1;
    }
    printf("Vigie API benchmark (bench/api/bench_api), loopback only\n");
    print_machine(dir, vigied);
    fflush(stdout);
    int64_t begin = clock_monotonic_us();
    bool ok = !store || store_phase(dir);
    fflush(stdout);
    ok = (!(http || stream) || vigied_phases(dir, vigied, http, stream)) && ok;
    printf("\ntotal time %.1f s; %s\n", (double)(clock_monotonic_us() - begin) / 1e6,
           ok ? "all phases passed" : "SOME PHASES FAILED");
    workdir_remove(dir);
    curl_global_cleanup();
    return ok ? 0 : 1;
}
