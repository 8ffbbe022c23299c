/* console_pty.c: the real console under a pseudo-terminal the bench owns.
 * vigie is started on the slave side with a pinned terminal (TERM, size,
 * locale, TZ, HOME); the bench reads everything it writes on the master
 * side, stamps each read with the monotonic clock, counts the bytes, and
 * keeps the screen they draw (vt_screen.c). Keys are written to the master
 * as a terminal sends them. Every wait is bounded. Included by
 * bench_console.c. */

/* Bytes read from the master at once: a full 200x50 frame is ~6 KB. */
#define PTY_READ_MAX 65536
/* Seconds of per-second byte counts kept (the longest phase is 10 s). */
#define PTY_SECONDS_MAX 64
/* CPU time an idle console cannot spend in a silence: what is left of a
 * pass after its last write is tens of microseconds. */
#define PTY_BUSY_NS 1000000

struct console_pty {
    pid_t pid; /* 0 once it has ended */
    int master;
    int exit_status;
    struct vt_screen screen;
    int64_t started_us;   /* just before the fork */
    int64_t last_byte_us; /* when the last read returned bytes */
    uint64_t bytes;       /* everything read */
    /* Bytes per second while a window is open (the arrivals phase). */
    int64_t window_start_us;
    int window_seconds;
    uint64_t window[PTY_SECONDS_MAX];
};

/* CPU time all threads of a process have run, in nanoseconds, from the
 * scheduler's own count (/proc/PID/task/TID/schedstat, first field):
 * exact, where /proc/PID/stat counts 10 ms ticks. 0 when unknown. */
static int64_t process_cpu_ns(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *tasks = opendir(path);
    int64_t total = 0;
    struct dirent *entry;
    while (tasks && (entry = readdir(tasks))) {
        if (entry->d_name[0] == '.')
            continue;
        char stat_path[300];
        snprintf(stat_path, sizeof stat_path, "/proc/%d/task/%s/schedstat", (int)pid,
                 entry->d_name);
        FILE *file = fopen(stat_path, "r");
        long long ran = 0;
        if (file && fscanf(file, "%lld", &ran) == 1)
            total += ran;
        if (file)
            fclose(file);
    }
    if (tasks)
        closedir(tasks);
    return total;
}

/* Whether the process's main thread is running or waiting for a CPU. */
static bool process_runnable(pid_t pid)
{
    char path[64], text[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *file = fopen(path, "r");
    size_t length = file ? fread(text, 1, sizeof text - 1, file) : 0;
    if (file)
        fclose(file);
    text[length] = '\0';
    const char *end = strrchr(text, ')'); /* the state follows the name */
    return end && end[1] == ' ' && end[2] == 'R';
}

static void console_child(const char *dir, char *const argv[])
{
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive the bench */
    /* The directory is the world's plus a short name. */
    char home[WORLD_PATH_MAX * 2], config[WORLD_PATH_MAX * 2], state[WORLD_PATH_MAX * 2];
    snprintf(home, sizeof home, "HOME=%s", dir);
    snprintf(config, sizeof config, "XDG_CONFIG_HOME=%s/config", dir);
    snprintf(state, sizeof state, "XDG_STATE_HOME=%s/state", dir);
    char *environment[] = {
        "TERM=xterm-256color", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TZ=UTC", "PATH=/usr/bin:/bin",
        "USER=bench",          home,           config,           state,    NULL};
    execve(argv[0], argv, environment);
    _exit(127);
}

/* Starts the console at lines x columns; false when it cannot run. */
static bool console_start(struct console_pty *pty, const char *program, const char *url,
                          const char *dir, int lines, int columns)
{
    memset(pty, 0, sizeof *pty);
    vt_init(&pty->screen, lines, columns);
    struct winsize size = {.ws_row = (unsigned short)lines, .ws_col = (unsigned short)columns};
    char *argv[] = {(char *)program, "--server", (char *)url, "--user", (char *)bench_user, NULL};
    pty->started_us = clock_monotonic_us();
    pty->pid = forkpty(&pty->master, NULL, NULL, &size);
    if (pty->pid == 0)
        console_child(dir, argv);
    if (pty->pid < 0) {
        fprintf(stderr, "bench_console: forkpty: %s\n", strerror(errno));
        pty->pid = 0;
        return false;
    }
    fcntl(pty->master, F_SETFL, fcntl(pty->master, F_GETFL) | O_NONBLOCK);
    return true;
}

static void console_reap(struct console_pty *pty, bool wait)
{
    int status = 0;
    if (pty->pid > 0 && waitpid(pty->pid, &status, wait ? 0 : WNOHANG) == pty->pid) {
        pty->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        pty->pid = 0;
    }
}

/* Reads one chunk of what the console wrote, waiting until `deadline_us`
 * at most: 1 when bytes came, 0 at the deadline, -1 when the console has
 * ended (the slave side closed). */
static int console_read_once(struct console_pty *pty, int64_t deadline_us)
{
    static unsigned char buffer[PTY_READ_MAX];
    for (;;) {
        int64_t now = clock_monotonic_us();
        if (now >= deadline_us)
            return 0;
        struct pollfd fd = {.fd = pty->master, .events = POLLIN};
        int ready = poll(&fd, 1, (int)((deadline_us - now + 999) / 1000));
        if (ready < 0 && errno != EINTR)
            return -1;
        if (ready <= 0)
            continue;
        ssize_t got = read(pty->master, buffer, sizeof buffer);
        if (got < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (got <= 0) { /* EIO: the console is gone */
            console_reap(pty, true);
            return -1;
        }
        int64_t at = clock_monotonic_us();
        pty->last_byte_us = at;
        pty->bytes += (uint64_t)got;
        if (pty->window_seconds > 0 && at >= pty->window_start_us) {
            int64_t second = (at - pty->window_start_us) / 1000000;
            if (second < pty->window_seconds)
                pty->window[second] += (uint64_t)got;
        }
        vt_feed(&pty->screen, buffer, (size_t)got);
        return 1;
    }
}

/* Reads until `deadline_us` or, when `stop` is given, until it returns
 * true (checked after each read). False when the console has ended. */
static bool console_read_until(struct console_pty *pty, int64_t deadline_us,
                               bool (*stop)(struct console_pty *pty, void *context), void *context)
{
    for (;;) {
        int got = console_read_once(pty, deadline_us);
        if (got < 0)
            return false;
        if (got == 0 || (stop && stop(pty, context)))
            return true;
    }
}

static bool console_write(struct console_pty *pty, const char *bytes, size_t length)
{
    size_t written = 0;
    while (written < length) {
        ssize_t n = write(pty->master, bytes + written, length - written);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return false;
        written += (size_t)n;
    }
    return true;
}

/* Waits until the console has written nothing for quiet_ms (at most
 * timeout_ms); false when it never fell quiet or ended. */
static bool console_settle(struct console_pty *pty, int quiet_ms, int timeout_ms)
{
    int64_t deadline = clock_monotonic_us() + (int64_t)timeout_ms * 1000;
    int64_t since = clock_monotonic_us();
    for (;;) {
        int64_t until = since + (int64_t)quiet_ms * 1000;
        int got = console_read_once(pty, until < deadline ? until : deadline);
        if (got < 0)
            return false;
        if (got == 0)
            return clock_monotonic_us() >= until;
        since = pty->last_byte_us;
    }
}

/* The answer to one key: from the key's write to the last byte of what it
 * caused. The answer is over when the console has written nothing for
 * gap_ms and is idle: its main thread not runnable and its CPU time not
 * grown by more than PTY_BUSY_NS since its last write. Silence alone is
 * not enough: a key may write a little at once (closing the prompt hides
 * the cursor), compute for a while, then write the frame. */
struct key_response {
    bool answered;
    int64_t first_us, last_us; /* after the write */
    uint64_t bytes;
    int64_t cpu_ns; /* the console's CPU time from the write to the end */
};

static bool console_key(struct console_pty *pty, const char *keys, size_t length, int gap_ms,
                        int timeout_ms, struct key_response *out)
{
    memset(out, 0, sizeof *out);
    uint64_t before = pty->bytes;
    int64_t cpu_start = process_cpu_ns(pty->pid), cpu_mark = cpu_start;
    int64_t sent = clock_monotonic_us(), first = 0, last = 0, active = 0;
    int64_t deadline = sent + (int64_t)timeout_ms * 1000;
    if (!console_write(pty, keys, length))
        return false;
    for (;;) {
        int64_t until = active ? active + (int64_t)gap_ms * 1000 : deadline;
        int got = console_read_once(pty, until < deadline ? until : deadline);
        if (got < 0)
            return false;
        if (got > 0) {
            last = active = pty->last_byte_us;
            first = first ? first : last;
            cpu_mark = process_cpu_ns(pty->pid);
            continue;
        }
        if (!active || clock_monotonic_us() >= deadline)
            break; /* nothing came in time */
        int64_t cpu = process_cpu_ns(pty->pid);
        bool busy = cpu - cpu_mark > PTY_BUSY_NS || process_runnable(pty->pid);
        cpu_mark = cpu;
        if (!busy)
            break;
        active = clock_monotonic_us(); /* still working: wait for its frame */
    }
    out->answered = last > 0;
    out->first_us = first ? first - sent : 0;
    out->last_us = last ? last - sent : 0;
    out->bytes = pty->bytes - before;
    out->cpu_ns = process_cpu_ns(pty->pid) - cpu_start;
    return true;
}

/* Stops the console as a closed terminal window does (SIGTERM) and says
 * how it ended: 0 is a clean exit. */
static int console_stop(struct console_pty *pty)
{
    if (pty->pid > 0) {
        kill(pty->pid, SIGTERM);
        int64_t deadline = clock_monotonic_us() + 5 * 1000000LL;
        while (pty->pid > 0 && clock_monotonic_us() < deadline) {
            console_read_once(pty, clock_monotonic_us() + 20000);
            console_reap(pty, false);
        }
        if (pty->pid > 0) {
            kill(pty->pid, SIGKILL);
            console_reap(pty, true);
            pty->exit_status = -1;
        }
    }
    if (pty->master > 0)
        close(pty->master);
    pty->master = -1;
    return pty->exit_status;
}

/* A field of /proc/PID/status in KiB ("VmHWM", "VmRSS"); -1 when absent. */
static long process_status_kib(pid_t pid, const char *field)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *file = fopen(path, "r");
    long value = -1;
    size_t length = strlen(field);
    while (file && fgets(line, sizeof line, file))
        if (strncmp(line, field, length) == 0 && line[length] == ':')
            value = strtol(line + length + 1, NULL, 10);
    if (file)
        fclose(file);
    return value;
}
