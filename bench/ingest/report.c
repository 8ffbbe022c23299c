/* report.c: what bench_ingest prints: the machine, one table of runs (the
 * limit server and vigied side by side), the checks that no event was
 * lost, the peers' figures quoted from anchors.md, and the targets with
 * PASS or MISS. Included by bench_ingest.c after its types. */

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

/* The first three fields of /proc/loadavg: the machine is shared, and
 * the figures mean little without it. */
static const char *load_average(void)
{
    static char text[64];
    snprintf(text, sizeof text, "unknown");
    FILE *file = fopen("/proc/loadavg", "r");
    double one, five, fifteen;
    if (file && fscanf(file, "%lf %lf %lf", &one, &five, &fifteen) == 3)
        snprintf(text, sizeof text, "%.2f %.2f %.2f", one, five, fifteen);
    if (file)
        fclose(file);
    return text;
}

static void cpu_model(char *out, size_t size)
{
    char line[512];
    snprintf(out, size, "unknown");
    FILE *cpuinfo = fopen("/proc/cpuinfo", "r");
    while (cpuinfo && fgets(line, sizeof line, cpuinfo)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            snprintf(out, size, "%s", colon + 2);
            out[strcspn(out, "\n")] = '\0';
            break;
        }
    }
    if (cpuinfo)
        fclose(cpuinfo);
}

/* The disk as anchors.md measures it: 4 KiB appended and fdatasync'd,
 * DISK_PROBE_COUNT times or for DISK_PROBE_US, whichever ends first. A
 * shared disk varies by 10x within minutes; this says how it is now. */
#define DISK_PROBE_COUNT 200
#define DISK_PROBE_US    (2 * 1000000LL)

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void print_disk_probe(const char *dir, const char *when)
{
    char path[WORLD_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/fdatasync-probe", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    static const char block[4096];
    double latencies[DISK_PROBE_COUNT];
    int count = 0;
    int64_t deadline = clock_monotonic_us() + DISK_PROBE_US;
    while (fd >= 0 && count < DISK_PROBE_COUNT && clock_monotonic_us() < deadline) {
        int64_t start = clock_monotonic_us();
        if (write(fd, block, sizeof block) != (ssize_t)sizeof block || fdatasync(fd) != 0)
            break;
        latencies[count++] = (double)(clock_monotonic_us() - start) / 1000.0;
    }
    if (fd >= 0)
        close(fd);
    unlink(path);
    if (count == 0) {
        printf("disk %s: cannot probe %s: %s\n", when, path, strerror(errno));
        return;
    }
    qsort(latencies, (size_t)count, sizeof latencies[0], compare_double);
    printf("disk %s: 4 KiB append + fdatasync p50 %.2f ms, p99 %.2f ms (%d; anchors.md: "
           "~0.15 / ~0.23 ms)\n",
           when, latencies[count / 2], latencies[count * 99 / 100], count);
}

static void print_header(const struct world *world, int accounts, int seconds)
{
    char model[256];
    cpu_model(model, sizeof model);
    struct utsname system;
    if (uname(&system) != 0)
        memset(&system, 0, sizeof system);
    printf("Vigie DC-09 ingest benchmark (bench/ingest/bench_ingest), loopback only\n");
    printf("machine:  %ld CPUs (nproc), %s; load average %s\n", sysconf(_SC_NPROCESSORS_ONLN),
           model, load_average());
    printf("kernel:   %s %s %s\n", system.sysname, system.release, system.machine);
    printf("disk:     %s on %s\n", world->dir, filesystem_name(world->dir));
    print_disk_probe(world->dir, "before");
    printf("software: SQLite %s; vigied %s; load %s\n", sqlite3_libversion(), world->vigied,
           world->sim);
    printf("\nThe load: `vigie-sim load`, one frame in flight per connection (as panels do),\n"
           "each connection a panel with its own account, for %d s per run, against:\n"
           "  limit:  an epoll thread of this program on 127.0.0.1 that frames the stream\n"
           "          (dc09_frame_find), reads each header and answers an ACK; stores nothing;\n"
           "  vigied: `vigied serve --dc09 127.0.0.1:0` on a fresh database (demo dataset and\n"
           "          %d accounts registered, each run its own), WAL, group commit: an ACK\n"
           "          leaves once the WAL holding its event is fdatasync'ed.\n"
           "1130 (burglary) becomes an open alarm in the queue, the worst case; 1602 (periodic\n"
           "test) is recorded closed.\n\n",
           seconds, accounts);
    printf("  %-24s %5s %-8s %8s %7s %7s %7s %8s %7s %8s %8s\n", "run", "conns", "receiver",
           "acked/s", "p50 ms", "p99 ms", "max ms", "acked", "cpu us", "vs limit", "w/commit");
    fflush(stdout);
}

static void print_result(const char *receiver, const struct load_result *r, double ratio)
{
    char share[16] = "", batch[16] = "", line[256];
    if (ratio > 0)
        snprintf(share, sizeof share, "%.1f %%", 100.0 * ratio);
    if (r->writes_per_commit > 0)
        snprintf(batch, sizeof batch, "%.1f", r->writes_per_commit);
    int length = snprintf(line, sizeof line, "%-8s %8.0f %7.3f %7.3f %7.3f %8lld %7.1f %8s %8s",
                          receiver, r->per_second, r->p50, r->p99, r->max, r->acked,
                          r->cpu_us_per_event, share, batch);
    while (length > 0 && line[length - 1] == ' ')
        line[--length] = '\0';
    printf("%s", line);
    if (!r->ok)
        printf("  FAILED (status %d)", r->status);
    else if (r->refused || r->lost)
        printf("  LOST: %lld refused, %lld without answer", r->refused, r->lost);
    printf("\n");
}

static void print_row(const struct run_spec *spec, const struct load_result *limit,
                      const struct load_result *vigied, bool alive)
{
    printf("  %-24s %5d ", spec->label, spec->connections);
    print_result("limit", limit, 0);
    printf("  %-24s %5s ", "", "");
    if (!alive) {
        printf("vigied   stopped answering (died?)\n");
        return;
    }
    print_result("vigied", vigied,
                 limit->per_second > 0 ? vigied->per_second / limit->per_second : 0);
    fflush(stdout);
}

static void print_notes(void)
{
    printf("  acked/s: events ACKed per second as the load counts them; p50/p99/max: from a\n"
           "  frame's send to its ACK's arrival; cpu us: the receiver's CPU time per ACK (vigied\n"
           "  from /proc, 10 ms ticks; the limit is this process); vs limit: vigied's acked/s\n"
           "  over the limit's just above; w/commit: writes per group commit, from GET /metrics\n"
           "  (vigie_store_writes_total over vigie_store_commits_total, before and after).\n");
}

/* Every load ran and lost nothing, vigied stopped cleanly, and every
 * event ACKed to the load is an alarm in the database after the stop. */
static bool print_checks(struct world *world, const struct load_result *limits,
                         const struct load_result *vigieds, const struct vigied_counters *totals,
                         bool alive, long long limit_unanswered)
{
    long long lost = 0, acked = 0;
    bool ran = true;
    for (size_t i = 0; i < RUN_COUNT; i++) {
        lost += limits[i].refused + limits[i].lost + vigieds[i].refused + vigieds[i].lost;
        acked += vigieds[i].acked;
        ran = ran && limits[i].ok && vigieds[i].ok;
    }
    int stopped = alive ? world_stop(world) : -1;
    int64_t alarms =
        world_sql_int(world, NULL, "SELECT COUNT(*) FROM alarms WHERE source = 'dc09'");
    bool ok = ran && lost == 0 && limit_unanswered == 0 && alive && stopped == 0 && alarms >= acked;
    printf("\nChecks: %lld events ACKed by vigied to the load, %lld ACKs sent (its metrics),\n"
           "  %lld DC-09 alarms in the database after SIGTERM (%s %d); %lld NAK or no\n"
           "  answer; %lld retransmissions recognised, %lld store failures; limit server:\n"
           "  %lld frames unanswered. %s\n",
           acked, (long long)totals->acks, (long long)alarms,
           alive ? "exit status" : "vigied had died, status", stopped, lost,
           (long long)totals->retransmissions, (long long)totals->store_failures, limit_unanswered,
           ok ? "No event lost." : "FAILED: an event was lost, a load failed or vigied died.");
    if (!world_destroy(world))
        ok = false;
    return ok;
}

static const char *pass(bool passed)
{
    return passed ? "PASS" : "MISS";
}

static void print_target(const char *what, const char *value, bool passed)
{
    printf("  %-54s %12s  %s\n", what, value, pass(passed));
}

static void print_targets(const struct load_result *limits, const struct load_result *vigieds)
{
    const struct load_result *flat = &vigieds[RUN_FLAT_100], *aes = &vigieds[RUN_AES_100],
                             *paced = &vigieds[RUN_PACED_100];
    double share = limits[RUN_FLAT_100].per_second > 0
                       ? flat->per_second / limits[RUN_FLAT_100].per_second
                       : 0;
    printf("\nPeers, quoted from ../shared/anchors.md (measured there, not here):\n"
           "  pysiaalarm 3.2 (anchors.md, not measured here): ~7,700/s plain, ~4,800/s AES,\n"
           "  p99 ~0.3 ms paced (100 connections; it ACKs before storing anything)\n"
           "  the anchors' limit server: ~170,000-207,000/s, p99 ~0.9 ms; paced p99 ~0.1 ms\n");
    printf("  vigied here over pysiaalarm there: plain %.2fx, AES %.2fx; paced p99 %.3f ms\n"
           "  against ~%.1f ms (%.1fx)\n",
           flat->per_second / PYSIA_PLAIN_PER_S, aes->per_second / PYSIA_AES_PER_S, paced->p99,
           PYSIA_PACED_P99_MS, paced->p99 / PYSIA_PACED_P99_MS);
    printf("\nTargets (100 connections, durable):\n");
    char value[32];
    snprintf(value, sizeof value, "%.0f/s", flat->per_second);
    print_target("floor (issue):  >= 20,000 events/s ACKed flat out", value,
                 flat->per_second >= FLOOR_EVENTS_PER_S);
    snprintf(value, sizeof value, "%.3f ms", paced->p99);
    print_target("floor (issue):  ACK p99 < 20 ms at 1,000 events/s", value,
                 paced->ok && paced->p99 < FLOOR_PACED_P99_MS);
    snprintf(value, sizeof value, "%.1f %%", 100 * share);
    print_target("aim (anchors):  >= 25 % of the limit measured beside", value,
                 share >= AIM_LIMIT_SHARE);
    snprintf(value, sizeof value, "%.0f/s", aes->per_second);
    print_target("aim (anchors):  >= 5x pysiaalarm AES (24,000/s)", value,
                 aes->per_second >= AIM_TIMES_PYSIA_AES * PYSIA_AES_PER_S);
    snprintf(value, sizeof value, "%.3f ms", paced->p99);
    print_target("aim (anchors):  ACK p99 < 1 ms at 1,000 events/s", value,
                 paced->ok && paced->p99 < AIM_PACED_P99_MS);
    if (paced->ok && paced->per_second < 0.95 * PACED_EVENTS_PER_S)
        printf("  (the paced run ACKed only %.0f/s: vigied could not keep the pace)\n",
               paced->per_second);
}
