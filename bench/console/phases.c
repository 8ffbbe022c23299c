/* phases.c: one run of the console at one terminal size, phase by phase:
 * the first full screen, output at rest, forced redraws, the filter typed
 * key by key, arrivals at 100 alarms/s, a check of the screen read against
 * the console's own :save-display, memory, and a clean stop. Included by
 * bench_console.c. */

/* What one key did, with the status line it left. */
struct key_sample {
    char label[16];
    struct key_response response;
    char status[96];
};

struct launch {
    int lines, columns;
    char failure[256]; /* "" when every phase ran */
    /* First screen, microseconds since the fork; then from the console's
     * log, milliseconds after the password was read (-1: not found). */
    int64_t prompt_us, enter_us, frame_us, rows_us, live_us;
    /* Of the first HEAD_ROWS rows first shown, how many the LIVE screen
     * shows in the same place (ages and counts masked): the rows shown
     * before the whole list are the queue's real head. */
    int head_rows, head_rows_equal;
    int64_t log_session_ms, log_loaded_ms, log_live_ms;
    /* At rest: bytes/s and the console's CPU time per second. */
    double quiet_bytes_per_s, quiet_cpu_ms_per_s;
    int64_t redraw_us[REDRAWS], redraw_cpu_ns[REDRAWS];
    uint64_t redraw_bytes;
    int redraws;
    struct key_sample keys[FILTER_KEYS_MAX];
    int key_count;
    /* Arrivals: bytes per second, what was delivered, the console's CPU. */
    uint64_t load_window[LOAD_SECONDS];
    long long acked, p2_before, p2_after;
    int64_t load_cpu_ns;
    double catch_up_ms; /* < 0: the screen never showed every arrival */
    long hwm_kib, rss_kib;
    int check_equal, check_lines;
    unsigned long unknown_sequences;
    int exit_status;
};

static void launch_fail(struct launch *launch, const char *what)
{
    if (!launch->failure[0])
        snprintf(launch->failure, sizeof launch->failure, "%s", what);
}

/* ---- reading the screen ---- */

/* The row under the queue's column titles holds an alarm. */
static bool queue_has_rows(const struct vt_screen *vt)
{
    int titles = vt_find_line(vt, "Site/person");
    char line[VT_COLUMNS_MAX * 4 + 1];
    if (titles < 0 || titles + 1 >= vt->lines)
        return false;
    vt_line_text(vt, titles + 1, line, sizeof line);
    return line[0] && !strstr(line, "No open alarm");
}

static bool header_says(const struct vt_screen *vt, const char *text)
{
    char line[VT_COLUMNS_MAX * 4 + 1];
    vt_line_text(vt, 0, line, sizeof line);
    return strstr(line, text) != NULL;
}

/* The header's count of open alarms of a priority ("P2:51234"); -1. */
static long long header_count(const struct vt_screen *vt, int priority)
{
    char line[VT_COLUMNS_MAX * 4 + 1], key[8];
    vt_line_text(vt, 0, line, sizeof line);
    snprintf(key, sizeof key, "P%d:", priority);
    const char *at = strstr(line, key);
    return at ? strtoll(at + strlen(key), NULL, 10) : -1;
}

static bool prompt_shown(struct console_pty *pty, void *context)
{
    (void)context;
    return vt_find_line(&pty->screen, "Password for") >= 0;
}

/* Rows compared between the first screen with rows and the LIVE one. */
#define HEAD_ROWS 10

struct first_screen {
    int64_t frame_us, rows_us, live_us;
    char rows[2][HEAD_ROWS][VT_COLUMNS_MAX * 4 + 1]; /* at rows_us, at live_us */
    int row_count[2];
};

/* The queue's first rows, digits masked (ages tick, ids differ in width)
 * and runs of spaces made one (columns widen as the whole list comes). */
static int queue_rows(const struct vt_screen *vt, char rows[HEAD_ROWS][VT_COLUMNS_MAX * 4 + 1])
{
    int titles = vt_find_line(vt, "Site/person"), count = 0;
    for (int y = titles + 1; titles >= 0 && y < vt->lines - 1 && count < HEAD_ROWS; y++) {
        vt_line_text(vt, y, rows[count], sizeof rows[count]);
        if (!rows[count][0])
            break;
        char *out = rows[count];
        for (const char *c = rows[count]; *c; c++) {
            if (*c == ' ' && out > rows[count] && out[-1] == ' ')
                continue;
            *out++ = *c >= '0' && *c <= '9' ? '#' : *c;
        }
        *out = '\0';
        count++;
    }
    return count;
}

static bool first_screen_seen(struct console_pty *pty, void *context)
{
    struct first_screen *seen = context;
    int64_t at = pty->last_byte_us - pty->started_us;
    if (!seen->frame_us && header_says(&pty->screen, "Vigie  "))
        seen->frame_us = at;
    bool rows = queue_has_rows(&pty->screen);
    /* A full screen: the frame's rows all drawn, not its first line. */
    if (rows && !seen->rows_us &&
        (seen->row_count[0] = queue_rows(&pty->screen, seen->rows[0])) == HEAD_ROWS)
        seen->rows_us = at;
    if (rows && header_says(&pty->screen, "LIVE")) {
        seen->live_us = at;
        seen->row_count[1] = queue_rows(&pty->screen, seen->rows[1]);
    }
    return seen->live_us != 0;
}

/* ---- the phases ---- */

/* From the fork to the screen with LIVE and rows: the password is typed
 * as soon as the prompt has turned the echo off (typed earlier, the
 * prompt's TCSAFLUSH would throw it away). */
static bool first_screen_phase(struct console_pty *pty, struct launch *launch)
{
    int64_t deadline = pty->started_us + (int64_t)FIRST_SCREEN_TIMEOUT_MS * 1000;
    if (!console_read_until(pty, deadline, prompt_shown, NULL) || !prompt_shown(pty, NULL)) {
        launch_fail(launch, "no password prompt");
        return false;
    }
    launch->prompt_us = pty->last_byte_us - pty->started_us;
    struct termios mode;
    while (tcgetattr(pty->master, &mode) == 0 && (mode.c_lflag & ECHO) &&
           clock_monotonic_us() < deadline)
        usleep(200);
    char line[64];
    snprintf(line, sizeof line, "%s\r", bench_password);
    launch->enter_us = clock_monotonic_us() - pty->started_us;
    static struct first_screen seen; /* ~20 KB of rows */
    memset(&seen, 0, sizeof seen);
    if (!console_write(pty, line, strlen(line)) ||
        !console_read_until(pty, deadline, first_screen_seen, &seen) || !seen.live_us) {
        launch_fail(launch, "the queue never showed LIVE with rows");
        return false;
    }
    launch->frame_us = seen.frame_us;
    launch->rows_us = seen.rows_us;
    launch->live_us = seen.live_us;
    launch->head_rows = seen.row_count[0];
    launch->head_rows_equal = 0;
    for (int i = 0; i < seen.row_count[0] && i < seen.row_count[1]; i++)
        launch->head_rows_equal += strcmp(seen.rows[0][i], seen.rows[1][i]) == 0;
    console_settle(pty, 200, SETTLE_TIMEOUT_MS);
    return true;
}

/* Output at rest: the 1 s tick (live ages, heartbeat age) and nothing else. */
static bool quiet_phase(struct console_pty *pty, struct launch *launch)
{
    int64_t cpu = process_cpu_ns(pty->pid), start = clock_monotonic_us();
    uint64_t bytes = pty->bytes;
    if (!console_read_until(pty, start + QUIET_SECONDS * 1000000LL, NULL, NULL)) {
        launch_fail(launch, "the console ended at rest");
        return false;
    }
    launch->quiet_bytes_per_s = (double)(pty->bytes - bytes) / QUIET_SECONDS;
    launch->quiet_cpu_ms_per_s = (double)(process_cpu_ns(pty->pid) - cpu) / 1e6 / QUIET_SECONDS;
    return true;
}

static bool redraw_phase(struct console_pty *pty, struct launch *launch)
{
    for (int i = 0; i < REDRAWS; i++) {
        struct key_response response;
        console_settle(pty, SETTLE_MS, SETTLE_TIMEOUT_MS);
        if (!console_key(pty, "\x0c", 1, BURST_GAP_MS, KEY_TIMEOUT_MS, &response) ||
            !response.answered) {
            launch_fail(launch, "Ctrl-L got no answer");
            return false;
        }
        launch->redraw_cpu_ns[launch->redraws] = response.cpu_ns;
        launch->redraw_us[launch->redraws++] = response.last_us;
        launch->redraw_bytes += response.bytes;
    }
    return true;
}

/* The status line's message, without the key hints right of it. */
static void status_line(const struct vt_screen *vt, int y, char *out, size_t size)
{
    char line[VT_COLUMNS_MAX * 4 + 1];
    vt_line_text(vt, y, line, sizeof line);
    char *text = line;
    while (*text == ' ')
        text++;
    char *hints = strstr(text, "   "), *key = strstr(text, "  ? ");
    if (key && (!hints || key < hints))
        hints = key; /* a message that reaches the hints */
    if (hints)
        *hints = '\0';
    size_t length = strlen(text);
    length = length < size - 1 ? length : size - 1;
    memcpy(out, text, length);
    out[length] = '\0';
}

static bool filter_key(struct console_pty *pty, struct launch *launch, const char *key,
                       const char *label, bool prompt_open)
{
    struct key_sample *sample = &launch->keys[launch->key_count];
    console_settle(pty, SETTLE_MS, SETTLE_TIMEOUT_MS);
    if (!console_key(pty, key, strlen(key), BURST_GAP_MS, KEY_TIMEOUT_MS, &sample->response)) {
        launch_fail(launch, "the console ended while filtering");
        return false;
    }
    snprintf(sample->label, sizeof sample->label, "%s", label);
    /* The status line sits above the prompt while it is open. */
    status_line(&pty->screen, pty->screen.lines - (prompt_open ? 2 : 1), sample->status,
                sizeof sample->status);
    launch->key_count++;
    return true;
}

/* "/", the pattern one character at a time, Backspace until it is empty
 * (each key filters the queue again), then Enter. */
static bool filter_phase(struct console_pty *pty, struct launch *launch)
{
    bool ok = filter_key(pty, launch, "/", "/", true);
    size_t length = strlen(filter_pattern);
    for (size_t i = 0; ok && i < length; i++) {
        char key[2] = {filter_pattern[i], '\0'};
        ok = filter_key(pty, launch, key, key, true);
    }
    for (size_t i = 0; ok && i < length; i++)
        ok = filter_key(pty, launch, "\x7f", "Backspace", true);
    return ok && filter_key(pty, launch, "\r", "Enter", false);
}

static bool sim_reported(const char *path)
{
    char text[1024] = "";
    FILE *file = fopen(path, "r");
    size_t got = file ? fread(text, 1, sizeof text - 1, file) : 0;
    text[got] = '\0';
    if (file)
        fclose(file);
    return strstr(text, "acked/s") != NULL;
}

static long long sim_acked(const char *path)
{
    char line[512];
    long long sent = -1, acked = -1;
    FILE *file = fopen(path, "r");
    while (file && fgets(line, sizeof line, file))
        if (sscanf(line, "connections %*d, seconds %*f, sent %lld, acked %lld", &sent, &acked) == 2)
            break;
    if (file)
        fclose(file);
    return acked;
}

static bool header_caught_up(struct console_pty *pty, void *context)
{
    return header_count(&pty->screen, 2) >= *(long long *)context;
}

/* vigie-sim load at 100 alarms/s for 10 s (burglaries, P2) while the
 * bytes written to the terminal are counted second by second; then how
 * long after the last ACK the header counts every arrival. */
static bool load_phase(struct world *world, struct console_pty *pty, int index,
                       struct launch *launch)
{
    char path[WORLD_PATH_MAX + 32], to[32], rate[16], seconds[16], count[16], base[16];
    snprintf(path, sizeof path, "%s/load-%d.txt", world->dir, index);
    snprintf(to, sizeof to, "127.0.0.1:%u", world->dc09_port);
    snprintf(rate, sizeof rate, "%d", LOAD_RATE);
    snprintf(seconds, sizeof seconds, "%d", LOAD_SECONDS);
    snprintf(count, sizeof count, "%d", LOAD_CONNECTIONS);
    snprintf(base, sizeof base, "%X", LOAD_ACCOUNT_BASE + (unsigned)index * LOAD_ACCOUNT_STEP);
    launch->p2_before = header_count(&pty->screen, 2);
    int64_t cpu = process_cpu_ns(pty->pid);
    memset(pty->window, 0, sizeof pty->window);
    pty->window_start_us = clock_monotonic_us();
    pty->window_seconds = LOAD_SECONDS;
    pid_t sim =
        world_sim_start(world, path, "load", "--dc09", to, "--rate", rate, "--seconds", seconds,
                        "--connections", count, "--code", "1130", "--account-base", base, NULL);
    int64_t end = pty->window_start_us + LOAD_SECONDS * 1000000LL;
    bool alive = sim > 0 && console_read_until(pty, end, NULL, NULL);
    pty->window_seconds = 0;
    memcpy(launch->load_window, pty->window, sizeof launch->load_window);
    launch->load_cpu_ns = process_cpu_ns(pty->pid) - cpu;
    /* The load prints its report as it ends; the screen keeps being read
     * meanwhile, or the console would block on a full terminal. */
    int64_t limit = clock_monotonic_us() + 20 * 1000000LL;
    while (alive && !sim_reported(path) && clock_monotonic_us() < limit)
        alive = console_read_until(pty, clock_monotonic_us() + 20000, NULL, NULL);
    int64_t reported = clock_monotonic_us();
    int status = sim > 0 ? world_sim_wait(world, sim, 5000) : -1;
    launch->acked = sim_acked(path);
    if (!alive || status != 0 || launch->acked <= 0) {
        launch_fail(launch, "the arrival load did not run (vigie-sim load failed)");
        return false;
    }
    long long expected = launch->p2_before + launch->acked;
    console_read_until(pty, reported + CATCH_UP_TIMEOUT_MS * 1000LL, header_caught_up, &expected);
    launch->p2_after = header_count(&pty->screen, 2);
    launch->catch_up_ms =
        launch->p2_after >= expected ? (double)(pty->last_byte_us - reported) / 1000.0 : -1.0;
    return true;
}

/* Compares the screen read from the bytes with the one the console writes
 * itself (:save-display), all lines but the status line, which then says
 * the file was written. Tried again when a tick fell in between. */
static bool display_check(struct world *world, struct console_pty *pty, int index,
                          struct launch *launch)
{
    char path[WORLD_PATH_MAX + 32], command[WORLD_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/display-%d.txt", world->dir, index);
    snprintf(command, sizeof command, ":save-display %s\r", path);
    launch->check_lines = pty->screen.lines - 1;
    for (int attempt = 0; attempt < 3 && launch->check_equal < launch->check_lines; attempt++) {
        unlink(path);
        console_settle(pty, SETTLE_MS, SETTLE_TIMEOUT_MS);
        if (!console_write(pty, command, strlen(command)))
            return false;
        struct stat info;
        int64_t limit = clock_monotonic_us() + 5 * 1000000LL;
        while ((stat(path, &info) != 0 || info.st_size == 0) && clock_monotonic_us() < limit)
            console_read_until(pty, clock_monotonic_us() + 5000, NULL, NULL);
        console_settle(pty, SETTLE_MS, SETTLE_TIMEOUT_MS);
        FILE *file = fopen(path, "r");
        char expected[VT_COLUMNS_MAX * 4 + 2], seen[VT_COLUMNS_MAX * 4 + 1];
        launch->check_equal = 0;
        for (int y = 0; file && y < launch->check_lines; y++) {
            if (!fgets(expected, sizeof expected, file))
                break;
            expected[strcspn(expected, "\n")] = '\0';
            vt_line_text(&pty->screen, y, seen, sizeof seen);
            launch->check_equal += strcmp(expected, seen) == 0;
        }
        if (file)
            fclose(file);
    }
    launch->unknown_sequences = pty->screen.unknown;
    return true;
}

/* A log line's time ("2026-11-25T02:15:51.977Z info ..."), in ms of the day. */
static int64_t log_time_ms(const char *line)
{
    int hours, minutes, seconds, millis;
    if (sscanf(line, "%*d-%*d-%*dT%d:%d:%d.%dZ", &hours, &minutes, &seconds, &millis) != 4)
        return -1;
    return ((hours * 60LL + minutes) * 60 + seconds) * 1000 + millis;
}

/* What the console's own log says of its start: the login, the list
 * loaded, the link live, each in ms after it read the password. */
static void console_log_read(const char *dir, struct launch *launch)
{
    char path[WORLD_PATH_MAX * 2], line[512];
    snprintf(path, sizeof path, "%s/state/vigie/vigie.log", dir);
    launch->log_session_ms = launch->log_loaded_ms = launch->log_live_ms = -1;
    FILE *file = fopen(path, "r");
    int64_t start = -1;
    while (file && fgets(line, sizeof line, file)) {
        int64_t at = log_time_ms(line);
        if (at < 0)
            continue;
        if (start < 0 && strstr(line, " starting as "))
            start = at;
        else if (start >= 0 && launch->log_session_ms < 0 && strstr(line, "session open"))
            launch->log_session_ms = at - start;
        else if (start >= 0 && launch->log_loaded_ms < 0 && strstr(line, "open alarms loaded"))
            launch->log_loaded_ms = at - start;
        else if (start >= 0 && launch->log_live_ms < 0 && strstr(line, "link live"))
            launch->log_live_ms = at - start;
    }
    if (file)
        fclose(file);
}

static bool launch_run(struct world *world, const char *program, int index, int lines, int columns,
                       struct launch *launch)
{
    memset(launch, 0, sizeof *launch);
    launch->lines = lines;
    launch->columns = columns;
    launch->catch_up_ms = -1.0;
    printf("\nrunning the console at %dx%d...\n", columns, lines);
    fflush(stdout);
    struct console_pty pty;
    char console_dir[WORLD_PATH_MAX + 32];
    snprintf(console_dir, sizeof console_dir, "%s/console-%d", world->dir, index);
    mkdir(console_dir, 0700);
    bool ok = console_start(&pty, program, world->base_url, console_dir, lines, columns);
    ok = ok && first_screen_phase(&pty, launch) && quiet_phase(&pty, launch) &&
         redraw_phase(&pty, launch) && filter_phase(&pty, launch) &&
         load_phase(world, &pty, index, launch) && display_check(world, &pty, index, launch);
    if (pty.pid > 0) {
        launch->hwm_kib = process_status_kib(pty.pid, "VmHWM");
        launch->rss_kib = process_status_kib(pty.pid, "VmRSS");
    }
    if (!ok)
        launch_fail(launch, "the console could not be started");
    launch->exit_status = console_stop(&pty);
    console_log_read(console_dir, launch);
    if (launch->exit_status != 0)
        launch_fail(launch, "the console did not exit with status 0 on SIGTERM");
    return launch->failure[0] == '\0';
}
