/* harness.c: the world of an integration test: its temporary directory,
 * its database and fixtures, and the vigied server process (started,
 * stopped, killed, restarted). Commands it runs are in harness_run.c. */
#include "tests/lib/harness.h"
#include "tests/lib/harness_internal.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Low Argon2 cost: tests hash many passwords under a sanitizer. */
#define WORLD_ARGON2_MEMORY     "argon2_memory_kib=8"
#define WORLD_ARGON2_ITERATIONS "argon2_iterations=1"

struct world_owned {
    void *pointer;
    void (*release)(void *);
    struct world_owned *next;
};

int64_t harness_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

void harness_sleep_ms(int ms)
{
    struct timespec delay = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&delay, &delay) != 0 && errno == EINTR)
        ;
}

void *world_keep(struct world *world, void *pointer, void (*release)(void *))
{
    if (!pointer)
        return NULL;
    struct world_owned *owned = malloc(sizeof *owned);
    if (!owned) {
        release(pointer);
        return NULL;
    }
    owned->pointer = pointer;
    owned->release = release;
    owned->next = world->owned;
    world->owned = owned;
    return pointer;
}

/* ---- the world ---- */

static void find_vigied(struct world *world)
{
    const char *path = getenv("VIGIED");
    if (!path || !*path)
        path = "build/asan/bin/vigied";
    snprintf(world->vigied, sizeof world->vigied, "%s", path);
    /* The simulator is built beside vigied. */
    const char *sim = getenv("VIGIE_SIM");
    const char *slash = strrchr(world->vigied, '/');
    if (sim && *sim)
        snprintf(world->sim, sizeof world->sim, "%s", sim);
    else if (slash)
        snprintf(world->sim, sizeof world->sim, "%.*s/vigie-sim", (int)(slash - world->vigied),
                 world->vigied);
    else
        snprintf(world->sim, sizeof world->sim, "vigie-sim");
}

/* A world with its directory and paths, and no database yet. */
static struct world *world_alloc(void)
{
    static bool curl_ready;
    if (!curl_ready) {
        curl_global_init(CURL_GLOBAL_ALL);
        curl_ready = true;
    }
    struct world *world = calloc(1, sizeof *world);
    if (!world)
        return NULL;
    find_vigied(world);
    if (access(world->vigied, X_OK) != 0) {
        fprintf(stderr, "# cannot run vigied at %s (set VIGIED)\n", world->vigied);
        free(world);
        return NULL;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(world->dir, sizeof world->dir, "%s/vigie-itest.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(world->dir)) {
        fprintf(stderr, "# mkdtemp: %s\n", strerror(errno));
        free(world);
        return NULL;
    }
    snprintf(world->db, sizeof world->db, "%s/vigie.db", world->dir);
    snprintf(world->log, sizeof world->log, "%s/vigied.log", world->dir);
    snprintf(world->node_name, sizeof world->node_name, "itest-%d", (int)getpid());
    return world;
}

struct world *world_create(void)
{
    struct world *world = world_alloc();
    if (!world)
        return NULL;
    char output[1024];
    int status = world_run(world, NULL, output, sizeof output, "init", "--db", world->db, NULL);
    if (status != 0) {
        fprintf(stderr, "# vigied init failed (%d): %s\n", status, output);
        world_destroy(world);
        return NULL;
    }
    return world;
}

static bool copy_database(const char *from, const char *to)
{
    sqlite3 *source = NULL, *target = NULL;
    bool ok = false;
    if (sqlite3_open_v2(from, &source, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_open(to, &target) == SQLITE_OK) {
        sqlite3_busy_timeout(source, 5000);
        sqlite3_backup *backup = sqlite3_backup_init(target, "main", source, "main");
        if (backup) {
            ok = sqlite3_backup_step(backup, -1) == SQLITE_DONE;
            sqlite3_backup_finish(backup);
        }
    }
    if (!ok)
        fprintf(stderr, "# cannot copy the database %s to %s\n", from, to);
    sqlite3_close(target);
    sqlite3_close(source);
    return ok;
}

struct world *world_clone(const struct world *template)
{
    struct world *world = world_alloc();
    if (!world)
        return NULL;
    if (!copy_database(template->db, world->db)) {
        world_destroy(world);
        return NULL;
    }
    for (int i = 0; i < template->setting_count; i++)
        world_set(world, template->settings[i]);
    world->dc09 = template->dc09;
    return world;
}

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *walk)
{
    (void)info;
    (void)flag;
    (void)walk;
    return remove(path);
}

static bool log_is_clean(struct world *world)
{
    const char *log = world_log(world);
    return !strstr(log, "Sanitizer") && !strstr(log, "runtime error:");
}

static void print_log_tail(struct world *world)
{
    const char *log = world_log(world);
    size_t length = strlen(log);
    const char *tail = length > 3000 ? log + length - 3000 : log;
    fprintf(stderr, "# ---- vigied log (%s) ----\n", world->log);
    for (const char *line = tail; *line;) {
        const char *end = strchrnul(line, '\n');
        fprintf(stderr, "# %.*s\n", (int)(end - line), line);
        line = *end ? end + 1 : end;
    }
}

bool world_destroy(struct world *world)
{
    if (!world)
        return true;
    while (world->streams)
        sse_close(world->streams);
    for (int i = 0; i < WORLD_SIMS_MAX; i++)
        if (world->sims[i] > 0)
            world_sim_wait(world, world->sims[i], 0);
    bool clean = true;
    if (world->pid > 0)
        clean = world_stop(world) == 0;
    if (world->dir[0] && !log_is_clean(world))
        clean = false;
    if (!clean)
        print_log_tail(world);
    while (world->owned) {
        struct world_owned *owned = world->owned;
        world->owned = owned->next;
        owned->release(owned->pointer);
        free(owned);
    }
    if (world->dir[0] && !getenv("VIGIE_KEEP_WORLD"))
        nftw(world->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(world);
    return clean;
}

bool world_add_user(struct world *world, const char *name, const char *role, const char *password)
{
    char input[256], output[1024];
    snprintf(input, sizeof input, "%s\n", password);
    int status =
        world_run(world, input, output, sizeof output, "user", "add", name, "--role", role, "--db",
                  world->db, "--set", WORLD_ARGON2_MEMORY, "--set", WORLD_ARGON2_ITERATIONS, NULL);
    if (status != 0)
        fprintf(stderr, "# vigied user add %s failed (%d): %s\n", name, status, output);
    return status == 0;
}

/* ---- SQL on the world's database ---- */

static sqlite3 *open_db(struct world *world, const char *db_path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(db_path ? db_path : world->db, &db, SQLITE_OPEN_READWRITE, NULL) !=
        SQLITE_OK) {
        fprintf(stderr, "# cannot open %s: %s\n", db_path ? db_path : world->db,
                db ? sqlite3_errmsg(db) : "no memory");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

bool world_sql(struct world *world, const char *db_path, const char *sql)
{
    sqlite3 *db = open_db(world, db_path);
    if (!db)
        return false;
    char *message = NULL;
    bool ok = sqlite3_exec(db, sql, NULL, NULL, &message) == SQLITE_OK;
    if (!ok)
        fprintf(stderr, "# SQL failed: %s: %s\n", sql, message ? message : "?");
    sqlite3_free(message);
    sqlite3_close(db);
    return ok;
}

int64_t world_sql_int(struct world *world, const char *db_path, const char *sql)
{
    sqlite3 *db = open_db(world, db_path);
    if (!db)
        return INT64_MIN;
    sqlite3_stmt *statement = NULL;
    int64_t value = INT64_MIN;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, NULL) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_type(statement, 0) != SQLITE_NULL)
        value = sqlite3_column_int64(statement, 0);
    else
        fprintf(stderr, "# SQL query failed: %s: %s\n", sql, sqlite3_errmsg(db));
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return value;
}

int64_t world_add_site(struct world *world, const char *name, const char *city)
{
    char *sql = sqlite3_mprintf("INSERT INTO clients(name, kind) VALUES('Client of %q', 'bank');"
                                "INSERT INTO sites(client_id, name, city, lat, lon)"
                                " VALUES(last_insert_rowid(), %Q, %Q, 45.76, 4.83);",
                                name, name, city);
    bool ok = sql && world_sql(world, NULL, sql);
    sqlite3_free(sql);
    if (!ok)
        return 0;
    char *query = sqlite3_mprintf("SELECT MAX(id) FROM sites WHERE name = %Q", name);
    int64_t id = query ? world_sql_int(world, NULL, query) : INT64_MIN;
    sqlite3_free(query);
    return id > 0 ? id : 0;
}

bool world_copy_db(struct world *world, const char *name, char *path_out, size_t path_size)
{
    snprintf(path_out, path_size, "%s/%s", world->dir, name);
    return copy_database(world->db, path_out);
}

/* ---- the server process ---- */

bool world_set(struct world *world, const char *setting)
{
    if (world->setting_count >= WORLD_SETTINGS_MAX || strlen(setting) >= sizeof world->settings[0])
        return false;
    snprintf(world->settings[world->setting_count++], sizeof world->settings[0], "%s", setting);
    return true;
}

static void free_text(void *text)
{
    free(text);
}

const char *world_log(struct world *world)
{
    FILE *file = fopen(world->log, "r");
    if (!file)
        return "";
    char *text = NULL;
    size_t size = 0;
    FILE *memory = open_memstream(&text, &size);
    if (!memory) {
        fclose(file);
        return "";
    }
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, file)) > 0)
        fwrite(chunk, 1, n, memory);
    fclose(file);
    fclose(memory);
    return world_keep(world, text, free_text) ? text : "";
}

int64_t world_rss_kib(struct world *world)
{
    if (world->pid <= 0)
        return -1;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)world->pid);
    FILE *file = fopen(path, "r");
    if (!file)
        return -1;
    int64_t kib = -1;
    char line[256];
    while (kib < 0 && fgets(line, sizeof line, file)) {
        long long value = 0;
        if (sscanf(line, "VmRSS: %lld kB", &value) == 1)
            kib = value;
    }
    fclose(file);
    return kib;
}

static off_t log_size(struct world *world)
{
    struct stat info;
    return stat(world->log, &info) == 0 ? info.st_size : 0;
}

#define READY_TEXT "ready: listening on 127.0.0.1:"
#define DC09_TEXT  "dc09: receiving on TCP and UDP port "

/* Reads the port from the "ready: listening on HOST:PORT" line written
 * after `offset`, and the DC-09 port from the line before it; 0 while the
 * ready line is not there. */
static unsigned read_ready_port(struct world *world, off_t offset, unsigned *dc09_port)
{
    FILE *file = fopen(world->log, "r");
    if (!file)
        return 0;
    unsigned port = 0;
    char line[2048];
    if (fseeko(file, offset, SEEK_SET) == 0) {
        while (!port && fgets(line, sizeof line, file)) {
            const char *ready = strstr(line, READY_TEXT);
            const char *dc09 = strstr(line, DC09_TEXT);
            if (ready)
                port = (unsigned)strtoul(ready + strlen(READY_TEXT), NULL, 10);
            if (dc09)
                *dc09_port = (unsigned)strtoul(dc09 + strlen(DC09_TEXT), NULL, 10);
        }
    }
    fclose(file);
    return port;
}

static pid_t spawn_server(struct world *world)
{
    const char *argv[WORLD_ARGS_MAX + 1];
    int count = 0;
    argv[count++] = world->vigied;
    argv[count++] = "--db";
    argv[count++] = world->db;
    argv[count++] = "--listen";
    argv[count++] = "127.0.0.1:0";
    argv[count++] = "--node-name";
    argv[count++] = world->node_name;
    argv[count++] = "--set";
    argv[count++] = WORLD_ARGON2_MEMORY;
    argv[count++] = "--set";
    argv[count++] = WORLD_ARGON2_ITERATIONS;
    for (int i = 0; i < world->setting_count; i++) {
        argv[count++] = "--set";
        argv[count++] = world->settings[i];
    }
    if (world->dc09) {
        argv[count++] = "--dc09";
        argv[count++] = "127.0.0.1:0";
    }
    argv[count] = NULL;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        harness_child_prepare(parent);
        int log = open(world->log, O_WRONLY | O_APPEND | O_CREAT, 0600);
        int null = open("/dev/null", O_RDONLY);
        if (log < 0 || null < 0)
            _exit(126);
        dup2(null, STDIN_FILENO);
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

bool world_start(struct world *world)
{
    if (world->pid > 0)
        return false;
    off_t offset = log_size(world);
    pid_t pid = spawn_server(world);
    if (pid < 0)
        return false;
    world->pid = pid;
    int64_t deadline = harness_now_ms() + WORLD_START_TIMEOUT_MS;
    unsigned port = 0, dc09_port = 0;
    while (!port && harness_now_ms() < deadline) {
        port = read_ready_port(world, offset, &dc09_port);
        if (port)
            break;
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            world->pid = 0;
            fprintf(stderr, "# vigied exited at start (status %d)\n", status);
            print_log_tail(world);
            return false;
        }
        harness_sleep_ms(20);
    }
    if (!port) {
        fprintf(stderr, "# vigied did not say it was ready in time\n");
        print_log_tail(world);
        world_stop(world);
        return false;
    }
    if (world->dc09 && !dc09_port) {
        fprintf(stderr, "# vigied did not say which DC-09 port it receives on\n");
        print_log_tail(world);
        world_stop(world);
        return false;
    }
    world->port = port;
    world->dc09_port = dc09_port;
    snprintf(world->base_url, sizeof world->base_url, "http://127.0.0.1:%u", port);
    while (harness_now_ms() < deadline) {
        long status = 0;
        if (http_request(world, "GET", "/v1/health", NULL, NULL, &status, NULL) && status == 200)
            return true;
        harness_sleep_ms(20);
    }
    fprintf(stderr, "# vigied's /v1/health did not answer 200 in time\n");
    world_stop(world);
    return false;
}

int world_stop(struct world *world)
{
    if (world->pid <= 0)
        return -1;
    kill(world->pid, SIGTERM);
    int status = harness_wait_bounded(world->pid, WORLD_STOP_TIMEOUT_MS);
    if (status < 0) {
        fprintf(stderr, "# vigied did not stop within %d ms of SIGTERM: killed\n",
                WORLD_STOP_TIMEOUT_MS);
        kill(world->pid, SIGKILL);
        waitpid(world->pid, NULL, 0);
        status = 128 + SIGKILL;
    }
    world->pid = 0;
    world->port = 0;
    world->dc09_port = 0;
    return status;
}

void world_kill(struct world *world)
{
    if (world->pid <= 0)
        return;
    kill(world->pid, SIGKILL);
    waitpid(world->pid, NULL, 0);
    world->pid = 0;
    world->port = 0;
    world->dc09_port = 0;
}

bool world_restart(struct world *world)
{
    if (world->pid > 0 && world_stop(world) != 0)
        return false;
    return world_start(world);
}
