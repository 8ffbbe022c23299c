/* report.c: what bench_console prints: the machine, then each phase's
 * figures at both sizes, then the targets with PASS or MISS.
 * Included by bench_console.c. */

/* vigie: $VIGIE, else beside $VIGIED. */
static void console_program(char *out, size_t size)
{
    const char *vigie = getenv("VIGIE"), *vigied = getenv("VIGIED");
    const char *slash = strrchr(vigied, '/');
    if (vigie && *vigie)
        snprintf(out, size, "%s", vigie);
    else if (slash)
        snprintf(out, size, "%.*s/vigie", (int)(slash - vigied), vigied);
    else
        snprintf(out, size, "vigie");
}

/* "1.02 0.98 0.91": the machine is shared, and this says how busy it was. */
static void load_average(char *out, size_t size)
{
    char line[256];
    double one = 0, five = 0, fifteen = 0;
    FILE *file = fopen("/proc/loadavg", "r");
    snprintf(out, size, "?");
    if (file && fgets(line, sizeof line, file) &&
        sscanf(line, "%lf %lf %lf", &one, &five, &fifteen) == 3)
        snprintf(out, size, "%.2f %.2f %.2f", one, five, fifteen);
    if (file)
        fclose(file);
}

static void print_machine(const char *vigie)
{
    char model[256] = "unknown", line[512], load[64];
    FILE *file = fopen("/proc/cpuinfo", "r");
    while (file && fgets(line, sizeof line, file)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            snprintf(model, sizeof model, "%s", colon + 2);
            model[strcspn(model, "\n")] = '\0';
            break;
        }
    }
    if (file)
        fclose(file);
    load_average(load, sizeof load);
    struct utsname system;
    if (uname(&system) != 0)
        memset(&system, 0, sizeof system);
    double gib = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE) / (1 << 30);
    printf("machine:  %ld CPUs (nproc), %s, %.1f GiB RAM, load average %s\n",
           sysconf(_SC_NPROCESSORS_ONLN), model, gib, load);
    printf("kernel:   %s %s %s\n", system.sysname, system.release, system.machine);
    printf("console:  %s under a pty of this program, TERM=xterm-256color, LANG=C.UTF-8,\n"
           "          TZ=UTC, an empty HOME (default settings, theme and keymap)\n",
           vigie);
}

static double ms(int64_t micros)
{
    return (double)micros / 1000.0;
}

static int compare_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static int64_t percentile(const int64_t *sorted, int count, int percent)
{
    if (count == 0)
        return 0;
    int rank = (count * percent + 99) / 100;
    return sorted[rank > 0 ? rank - 1 : 0];
}

static const char *verdict(bool pass)
{
    return pass ? "PASS" : "MISS";
}

static void print_first_screens(const struct launch *launches, int count,
                                const struct server_list *served)
{
    printf("\n1. First full screen: from the fork of vigie to the first time the terminal\n"
           "   shows ten rows of the queue (rows), and to LIVE in the header with rows. The\n"
           "   password is typed as soon as the prompt turns the echo off; the login pays\n"
           "   the production argon2 cost; the console then shows the queue's head\n"
           "   (GET /v1/alarms?order=queue, 200 alarms, not live) while it loads every\n"
           "   open alarm (pages of 5000), then opens the stream and says LIVE.\n");
    printf("  %-7s %9s %9s %11s %11s %11s %9s\n", "size", "prompt", "Enter", "1st frame", "rows",
           "LIVE + row", "same");
    for (int i = 0; i < count; i++) {
        const struct launch *l = &launches[i];
        char size[16];
        snprintf(size, sizeof size, "%dx%d", l->columns, l->lines);
        printf("  %-7s %6.0f ms %6.0f ms %8.0f ms %8.0f ms %8.0f ms %5d/%-3d\n", size,
               ms(l->prompt_us), ms(l->enter_us), ms(l->frame_us), ms(l->rows_us), ms(l->live_us),
               l->head_rows_equal, l->head_rows);
    }
    printf("  1st frame: the header drawn (the login is done; the list is loading).\n"
           "  same: of the first rows shown, how many the LIVE screen shows in the same place\n"
           "  (digits masked): the first rows are the queue's real head, not a partial list.\n");
    printf("  The console's own log, in ms after it read the password:\n");
    for (int i = 0; i < count; i++) {
        const struct launch *l = &launches[i];
        printf("  %3dx%-3d logged in %5lld, list loaded %5lld, link live %5lld\n", l->columns,
               l->lines, (long long)l->log_session_ms, (long long)l->log_loaded_ms,
               (long long)l->log_live_ms);
    }
    if (served->ok)
        printf("  vigied alone (the bench reading the same pages without parsing them, before\n"
               "  the runs): %d pages, %.1f MB of JSON in %.0f ms (slowest page %.0f ms).\n",
               served->pages, (double)served->alarms_bytes / 1e6, served->seconds * 1000.0,
               served->slowest * 1000.0);
    else
        printf("  vigied alone: the bench could not read the list (see above).\n");
}

static void print_redraws(struct launch *launches, int count)
{
    printf("\n2. Forced full redraw: Ctrl-L (the keymap's \"redraw\"), %d times, each after\n"
           "   %d ms of silence; from the key's write to the last byte of the burst it caused\n"
           "   (a burst ends at %d ms of silence; reads are stamped to ~0.1 ms). CPU: the\n"
           "   console's CPU time over the same span, from the scheduler (schedstat, ns); a\n"
           "   1 s tick or a heartbeat falling in the span adds its own pass.\n",
           REDRAWS, SETTLE_MS, BURST_GAP_MS);
    printf("  %-7s %7s %7s %7s %12s %11s %11s\n", "size", "p50 ms", "p90 ms", "max ms",
           "bytes/redraw", "CPU p50 ms", "CPU min ms");
    for (int i = 0; i < count; i++) {
        struct launch *l = &launches[i];
        char size[16];
        snprintf(size, sizeof size, "%dx%d", l->columns, l->lines);
        qsort(l->redraw_us, (size_t)l->redraws, sizeof l->redraw_us[0], compare_int64);
        qsort(l->redraw_cpu_ns, (size_t)l->redraws, sizeof l->redraw_cpu_ns[0], compare_int64);
        printf("  %-7s %7.1f %7.1f %7.1f %12.0f %11.2f %11.2f\n", size,
               ms(percentile(l->redraw_us, l->redraws, 50)),
               ms(percentile(l->redraw_us, l->redraws, 90)),
               ms(percentile(l->redraw_us, l->redraws, 100)),
               l->redraws ? (double)l->redraw_bytes / l->redraws : 0.0,
               (double)percentile(l->redraw_cpu_ns, l->redraws, 50) / 1e6,
               (double)percentile(l->redraw_cpu_ns, l->redraws, 1) / 1e6);
    }
}

static void print_filter(const struct launch *launches, int count)
{
    printf("\n3. Filter: \"/\", then \"%s\" one key at a time, Backspace until empty, Enter.\n"
           "   Each key from its write to the last byte of its burst; the status line it\n"
           "   left (rows shown / open alarms).\n",
           filter_pattern);
    printf("  %-10s", "key");
    for (int i = 0; i < count; i++)
        printf(" %3dx%-2d ms %7s %6s %-30s", launches[i].columns, launches[i].lines, "CPU ms",
               "bytes", "status line");
    printf("\n");
    for (int k = 0; k < launches[0].key_count; k++) {
        printf("  %-10s", launches[0].keys[k].label);
        for (int i = 0; i < count; i++) {
            const struct key_sample *s = k < launches[i].key_count ? &launches[i].keys[k] : NULL;
            if (s)
                printf(" %9.1f %7.1f %6llu %-30.30s", ms(s->response.last_us),
                       (double)s->response.cpu_ns / 1e6, (unsigned long long)s->response.bytes,
                       s->status);
        }
        printf("\n");
    }
}

static double load_mean(const struct launch *l)
{
    uint64_t total = 0;
    for (int s = 0; s < LOAD_SECONDS; s++)
        total += l->load_window[s];
    return (double)total / LOAD_SECONDS;
}

static uint64_t load_max(const struct launch *l)
{
    uint64_t most = 0;
    for (int s = 0; s < LOAD_SECONDS; s++)
        most = l->load_window[s] > most ? l->load_window[s] : most;
    return most;
}

static void print_load(const struct launch *launches, int count)
{
    printf("\n4. Terminal output: at rest for %d s, then while vigie-sim load delivers %d\n"
           "   alarms/s for %d s over DC-09 (%d connections, Contact ID 1130 burglary, P2,\n"
           "   registered accounts): every byte vigie wrote to the pty, per second.\n"
           "   Caught up: from the load's end to the header counting every alarm ACKed.\n",
           QUIET_SECONDS, LOAD_RATE, LOAD_SECONDS, LOAD_CONNECTIONS);
    printf("  %-7s %9s %8s %9s %9s %8s %7s %10s\n", "size", "rest B/s", "CPU ms/s", "load B/s",
           "max 1-s", "CPU %", "ACKed", "caught up");
    for (int i = 0; i < count; i++) {
        const struct launch *l = &launches[i];
        char size[16], caught[24];
        snprintf(size, sizeof size, "%dx%d", l->columns, l->lines);
        if (l->catch_up_ms >= 0)
            snprintf(caught, sizeof caught, "%.0f ms", l->catch_up_ms);
        else
            snprintf(caught, sizeof caught, "never");
        printf("  %-7s %9.0f %8.1f %9.0f %9llu %7.0f%% %7lld %10s\n", size, l->quiet_bytes_per_s,
               l->quiet_cpu_ms_per_s, load_mean(l), (unsigned long long)load_max(l),
               (double)l->load_cpu_ns / (LOAD_SECONDS * 1e7), l->acked, caught);
        printf("          per second:");
        for (int s = 0; s < LOAD_SECONDS; s++)
            printf(" %llu", (unsigned long long)l->load_window[s]);
        printf("\n");
    }
    printf("  CPU %%: the console's CPU time over the %d s of arrivals (100%% = one core).\n",
           LOAD_SECONDS);
}

static void print_memory_and_checks(const struct launch *launches, int count)
{
    printf("\n5. Memory and checks, at the end of each run (after every phase)\n");
    printf("  %-7s %10s %10s %14s %8s %6s %s\n", "size", "VmHWM MiB", "VmRSS MiB", "screen vs :sd",
           "unknown", "exit", "failure");
    for (int i = 0; i < count; i++) {
        const struct launch *l = &launches[i];
        char size[16], check[24];
        snprintf(size, sizeof size, "%dx%d", l->columns, l->lines);
        snprintf(check, sizeof check, "%d/%d lines", l->check_equal, l->check_lines);
        printf("  %-7s %10.1f %10.1f %14s %8lu %6d %s\n", size, l->hwm_kib / 1024.0,
               l->rss_kib / 1024.0, check, l->unknown_sequences, l->exit_status,
               l->failure[0] ? l->failure : "-");
    }
    printf("  screen vs :sd: lines of the screen read from the bytes equal to the console's\n"
           "  own :save-display (all but the status line); unknown: escape sequences the\n"
           "  reader did not understand; exit: vigie's status after SIGTERM.\n");
}

/* The key with the slowest answer, and its CPU time. */
static const struct key_sample *filter_worst(const struct launch *l)
{
    const struct key_sample *worst = NULL;
    for (int k = 0; k < l->key_count; k++)
        if (!worst || l->keys[k].response.last_us > worst->response.last_us)
            worst = &l->keys[k];
    return worst;
}

static void print_target(const char *what, double figure, double cpu, const char *unit,
                         double target)
{
    char figure_text[32], cpu_text[32] = "", target_text[32];
    snprintf(figure_text, sizeof figure_text, "%.1f %s", figure, unit);
    if (cpu >= 0)
        snprintf(cpu_text, sizeof cpu_text, "%.1f %s", cpu, unit);
    snprintf(target_text, sizeof target_text, "< %.0f %s", target, unit);
    printf("  %-46s %12s %11s %11s  %s\n", what, figure_text, cpu_text, target_text,
           verdict(figure < target));
}

static void print_targets(struct launch *launches, int count)
{
    double first = 0, live = 0, redraw = 0, redraw_cpu = 0, filter = 0, filter_cpu = 0, peak = 0;
    const char *worst_key = "-";
    for (int i = 0; i < count; i++) {
        struct launch *l = &launches[i];
        /* The first full screen is the first one with rows, when those rows
         * are the queue's real head; otherwise only LIVE counts. */
        bool head_true = l->head_rows > 0 && l->head_rows_equal == l->head_rows;
        double shown = head_true ? ms(l->rows_us) : ms(l->live_us);
        first = shown > first ? shown : first;
        live = ms(l->live_us) > live ? ms(l->live_us) : live;
        double median = ms(percentile(l->redraw_us, l->redraws, 50));
        if (median > redraw) {
            redraw = median;
            redraw_cpu = (double)percentile(l->redraw_cpu_ns, l->redraws, 50) / 1e6;
        }
        const struct key_sample *key = filter_worst(l);
        if (key && ms(key->response.last_us) > filter) {
            filter = ms(key->response.last_us);
            filter_cpu = (double)key->response.cpu_ns / 1e6;
            worst_key = key->label;
        }
        peak = l->hwm_kib / 1024.0 > peak ? l->hwm_kib / 1024.0 : peak;
    }
    const struct launch *ssh = &launches[count - 1]; /* 80x24 */
    printf("\nTargets: the worse of the two sizes; a verdict on what the terminal saw,\n"
           "with the console's own CPU time beside it where it applies\n");
    printf("  %-46s %12s %11s %11s\n", "", "figure", "CPU", "target");
    print_target("first full screen (the queue's head)", first, -1, "ms", TARGET_FIRST_SCREEN_MS);
    printf("  %-46s %12.1f ms (no target: the list is 41 MB of JSON)\n", "whole list loaded, LIVE",
           live);
    print_target("redraw, Ctrl-L (p50)", redraw, redraw_cpu, "ms", TARGET_REDRAW_MS);
    char label[64];
    snprintf(label, sizeof label, "filter keystroke (slowest: %s)", worst_key);
    print_target(label, filter, filter_cpu, "ms", TARGET_FILTER_MS);
    print_target("peak memory (VmHWM)", peak, -1, "MiB", TARGET_PEAK_MIB);
    snprintf(label, sizeof label, "bytes/s to the terminal at %dx%d, %d alarms/s", ssh->columns,
             ssh->lines, LOAD_RATE);
    print_target(label, load_mean(ssh), -1, "B/s", TARGET_BYTES_PER_S);
}

static void print_report(struct launch *launches, int count, const struct server_list *served)
{
    print_first_screens(launches, count, served);
    print_redraws(launches, count);
    print_filter(launches, count);
    print_load(launches, count);
    print_memory_and_checks(launches, count);
    print_targets(launches, count);
}
