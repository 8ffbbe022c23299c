/* vigied_http.c: bench_api's phase 2, and what phase 3 also needs: a real
 * vigied started on a temp database and a free loopback port, an operator
 * logged in, and HTTP clients (one curl easy handle each, kept alive) that
 * POST alarms. Included by bench_api.c: it uses that file's samples and
 * load runner, and the Makefile links one object per bench program. */

/* Phase 2 bounds: per client count, whichever comes first. */
#define HTTP_RUN_US  (3 * 1000000LL)
#define HTTP_RUN_MAX 100000
/* How long vigied gets to start (or a command to finish), and to stop. */
#define VIGIED_READY_US (10 * 1000000LL)
#define VIGIED_STOP_US  (10 * 1000000LL)
/* An alarm's JSON with its timeline is a few KiB; raw is at most 4 KiB. */
#define HTTP_BODY_MAX (32 * 1024)

static const int http_client_counts[] = {1, 8, STORE_THREADS_MAX};
static const char bench_password[] = "bench-password"; /* 8 characters at least */

struct vigied {
    const char *program;
    char db[BENCH_PATH_MAX], log[BENCH_PATH_MAX];
    pid_t pid;
    int port;
    int64_t site_id;
    char url[64];            /* http://127.0.0.1:PORT */
    char authorization[256]; /* "Authorization: Bearer TOKEN" */
    char alarm_body[256];    /* the POST /v1/alarms body */
};

/* ---- processes ---- */

/* Starts argv with `input` on its standard input (none when NULL) and its
 * output appended to `log`; returns the pid or -1. */
static pid_t process_start(char *const argv[], const char *input, const char *log)
{
    int feed[2] = {-1, -1};
    if (input && pipe(feed) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the benchmark */
        int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        int in = input ? feed[0] : open("/dev/null", O_RDONLY);
        if (out < 0 || in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
            _exit(126);
        if (input)
            close(feed[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    if (input) {
        close(feed[0]);
        if (pid > 0) {
            size_t length = strlen(input), written = 0;
            while (written < length) {
                ssize_t n = write(feed[1], input + written, length - written);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0)
                    break;
                written += (size_t)n;
            }
        }
        close(feed[1]);
    }
    return pid;
}

/* Waits up to timeout_us for pid; returns its exit status, or -1. */
static int process_wait(pid_t pid, int64_t timeout_us)
{
    int64_t deadline = clock_monotonic_us() + timeout_us;
    int status = 0;
    for (;;) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (done < 0 && errno != EINTR)
            return -1;
        if (clock_monotonic_us() >= deadline)
            return -1;
        usleep(10000);
    }
}

/* Runs a command to its end; says what went wrong in `error`. */
static bool process_run(char *const argv[], const char *input, const char *log, char *error,
                        size_t size)
{
    pid_t pid = process_start(argv, input, log);
    int status = pid < 0 ? -1 : process_wait(pid, VIGIED_READY_US);
    if (pid > 0 && status < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    if (status != 0)
        snprintf(error, size, "%s %s: %s %d%s", argv[0], argv[1],
                 status < 0 ? "did not finish, status" : "exited with status", status,
                 status == 127 ? " (the program cannot be run)" : "");
    return status == 0;
}

static void print_log_tail(const char *log)
{
    char text[2048];
    FILE *file = fopen(log, "r");
    if (!file)
        return;
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, size > (long)sizeof text - 1 ? size - (long)sizeof text + 1 : 0, SEEK_SET);
    size_t length = fread(text, 1, sizeof text - 1, file);
    text[length] = '\0';
    fclose(file);
    if (length > 0)
        fprintf(stderr, "--- end of %s ---\n%s\n---\n", log, text);
}

/* ---- vigied: a temp database with a site and an operator, then serve ---- */

/* Inserts one client and one site with plain SQL into vigied's database
 * before it starts (the API has no way to add them). */
static bool db_add_site(const char *path, int64_t *site_id, char *error, size_t size)
{
    sqlite3 *db = NULL;
    static const char sql[] =
        "PRAGMA foreign_keys=ON;"
        "INSERT INTO clients(name, kind, phone) VALUES('Banc d''Essai SA','bank','+33100000000');"
        "INSERT INTO sites(client_id, name, address, city) VALUES(last_insert_rowid(),"
        " 'Agence Bench', '1 rue du Banc', 'Paris');";
    char *message = NULL;
    bool ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
              sqlite3_busy_timeout(db, 5000) == SQLITE_OK &&
              sqlite3_exec(db, sql, NULL, NULL, &message) == SQLITE_OK;
    if (ok)
        *site_id = sqlite3_last_insert_rowid(db);
    else
        snprintf(error, size, "adding a site to %s: %s", path,
                 message ? message : sqlite3_errmsg(db));
    sqlite3_free(message);
    sqlite3_close(db);
    return ok;
}

static bool vigied_prepare(struct vigied *server, const char *dir)
{
    snprintf(server->db, sizeof server->db, "%s/vigied.db", dir);
    snprintf(server->log, sizeof server->log, "%s/vigied.log", dir);
    char *program = (char *)server->program;
    char *init[] = {program, "init", "--db", server->db, NULL};
    char *user[] = {program,  "user",
                    "add",    "bench",
                    "--role", "operator",
                    "--db",   server->db,
                    "--set",  "argon2_memory_kib=8",
                    "--set",  "argon2_iterations=1",
                    NULL};
    char error[BENCH_ERROR_MAX] = "", input[64];
    snprintf(input, sizeof input, "%s\n", bench_password);
    if (!process_run(init, NULL, server->log, error, sizeof error) ||
        !db_add_site(server->db, &server->site_id, error, sizeof error) ||
        !process_run(user, input, server->log, error, sizeof error)) {
        fprintf(stderr, "bench_api: cannot prepare vigied's database: %s\n", error);
        print_log_tail(server->log);
        return false;
    }
    snprintf(server->alarm_body, sizeof server->alarm_body,
             "{\"class\":\"burglary\",\"priority\":2,\"site_id\":%lld,\"zone\":3,"
             "\"event_code\":\"BA\",\"label\":\"Intrusion, hall\"}",
             (long long)server->site_id);
    return true;
}

/* Reads the port from the log line "ready: listening on 127.0.0.1:PORT". */
static int vigied_port(const char *log)
{
    static const char marker[] = "ready: listening on 127.0.0.1:";
    char text[8192];
    FILE *file = fopen(log, "r");
    if (!file)
        return 0;
    size_t length = fread(text, 1, sizeof text - 1, file);
    fclose(file);
    text[length] = '\0';
    char *found = strstr(text, marker);
    return found ? atoi(found + sizeof marker - 1) : 0;
}

static bool vigied_start(struct vigied *server)
{
    char *serve[] = {(char *)server->program, "serve", "--db", server->db, "--listen",
                     "127.0.0.1:0",           NULL};
    server->pid = process_start(serve, NULL, server->log);
    int64_t deadline = clock_monotonic_us() + VIGIED_READY_US;
    while (server->pid > 0 && !server->port && clock_monotonic_us() < deadline) {
        if (waitpid(server->pid, NULL, WNOHANG) == server->pid) {
            server->pid = 0;
            break;
        }
        server->port = vigied_port(server->log);
        if (!server->port)
            usleep(10000);
    }
    if (!server->port) {
        fprintf(stderr, "bench_api: vigied (%s) did not say it was ready\n", server->program);
        print_log_tail(server->log);
        return false;
    }
    snprintf(server->url, sizeof server->url, "http://127.0.0.1:%d", server->port);
    return true;
}

/* Stops vigied as an operator would (SIGTERM) and says how it ended. */
static bool vigied_stop(struct vigied *server)
{
    if (server->pid <= 0)
        return false;
    kill(server->pid, SIGTERM);
    int status = process_wait(server->pid, VIGIED_STOP_US);
    if (status < 0) {
        kill(server->pid, SIGKILL);
        waitpid(server->pid, NULL, 0);
    }
    server->pid = 0;
    if (status != 0) {
        fprintf(stderr, "bench_api: vigied ended with status %d on SIGTERM\n", status);
        print_log_tail(server->log);
    }
    return status == 0;
}

/* CPU time (user and system) a process has used, in microseconds. */
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
    /* Fields after the command name, which ends at the last ')': state is
     * field 3, utime 14 and stime 15. */
    char *rest = strrchr(text, ')');
    unsigned long long user = 0, system = 0;
    if (!rest || sscanf(rest + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &user,
                        &system) != 2)
        return 0;
    return (int64_t)((user + system) * 1000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK));
}

/* ---- HTTP clients: one easy handle each, kept alive ---- */

struct http_client {
    CURL *curl;
    struct curl_slist *headers;
    char body[HTTP_BODY_MAX];
    size_t length;
    char message[CURL_ERROR_SIZE];
};

static size_t http_on_body(char *data, size_t size, size_t count, void *context)
{
    struct http_client *client = context;
    size_t length = size * count, room = sizeof client->body - 1 - client->length;
    size_t kept = length < room ? length : room;
    memcpy(client->body + client->length, data, kept);
    client->length += kept;
    client->body[client->length] = '\0';
    return length;
}

/* A client that POSTs `body` to `path` at each perform. */
static bool http_client_init(struct http_client *client, const struct vigied *server,
                             const char *path, const char *body)
{
    char url[128];
    snprintf(url, sizeof url, "%s%s", server->url, path);
    client->curl = curl_easy_init();
    client->headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (server->authorization[0] && client->headers)
        client->headers = curl_slist_append(client->headers, server->authorization);
    if (!client->curl || !client->headers)
        return false;
    curl_easy_setopt(client->curl, CURLOPT_URL, url);
    curl_easy_setopt(client->curl, CURLOPT_HTTPHEADER, client->headers);
    curl_easy_setopt(client->curl, CURLOPT_COPYPOSTFIELDS, body);
    curl_easy_setopt(client->curl, CURLOPT_WRITEFUNCTION, http_on_body);
    curl_easy_setopt(client->curl, CURLOPT_WRITEDATA, client);
    curl_easy_setopt(client->curl, CURLOPT_ERRORBUFFER, client->message);
    curl_easy_setopt(client->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(client->curl, CURLOPT_TIMEOUT, 10L);
    return true;
}

static void http_client_free(struct http_client *client)
{
    curl_easy_cleanup(client->curl);
    curl_slist_free_all(client->headers);
}

static bool http_client_post(struct http_client *client, long expected, char *error, size_t size)
{
    client->length = 0;
    client->body[0] = '\0';
    long status = 0;
    CURLcode code = curl_easy_perform(client->curl);
    curl_easy_getinfo(client->curl, CURLINFO_RESPONSE_CODE, &status);
    if (code == CURLE_OK && status == expected)
        return true;
    snprintf(error, size, "HTTP %ld (%s): %.200s", status,
             code == CURLE_OK ? "answered" : client->message, client->body);
    return false;
}

/* Reads one number field of the JSON body last received. */
static int64_t http_client_number(struct http_client *client, const char *name)
{
    cJSON *json = cJSON_Parse(client->body);
    cJSON *item = cJSON_GetObjectItemCaseSensitive(json, name);
    int64_t value = cJSON_IsNumber(item) ? (int64_t)item->valuedouble : 0;
    cJSON_Delete(json);
    return value;
}

static bool vigied_login(struct vigied *server)
{
    char body[256], error[BENCH_ERROR_MAX];
    snprintf(body, sizeof body, "{\"username\":\"bench\",\"password\":\"%s\"}", bench_password);
    struct http_client client = {0};
    bool ok = http_client_init(&client, server, "/v1/sessions", body) &&
              http_client_post(&client, 201, error, sizeof error);
    cJSON *json = ok ? cJSON_Parse(client.body) : NULL;
    const char *token = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(json, "token"));
    if (token)
        snprintf(server->authorization, sizeof server->authorization, "Authorization: Bearer %s",
                 token);
    else
        fprintf(stderr, "bench_api: login failed: %s\n", ok ? client.body : error);
    cJSON_Delete(json);
    http_client_free(&client);
    return token != NULL;
}

/* ---- phase 2: POST /v1/alarms from C clients ---- */

static bool http_post_call(void *state, char *error, size_t size)
{
    return http_client_post(state, 201, error, size);
}

static bool http_run(struct vigied *server, int clients)
{
    struct http_client *pool = calloc((size_t)clients, sizeof *pool);
    void *states[STORE_THREADS_MAX];
    bool ready = pool != NULL;
    for (int i = 0; ready && i < clients; i++) {
        ready = http_client_init(&pool[i], server, "/v1/alarms", server->alarm_body);
        states[i] = &pool[i];
    }
    struct run_result result = {0};
    int64_t cpu = cpu_process_us(server->pid);
    bool ok =
        ready && load_run(clients, states, http_post_call, HTTP_RUN_US, HTTP_RUN_MAX, &result);
    cpu = cpu_process_us(server->pid) - cpu;
    for (int i = 0; pool && i < clients; i++)
        http_client_free(&pool[i]);
    free(pool);
    printf("  %7d %10.0f %7.0f %7.2f %7.2f %7.2f %7zu %5.1f\n", clients,
           result.seconds > 0 ? (double)result.done / result.seconds : 0.0,
           result.done ? (double)cpu / (double)result.done : 0.0, ms(result.latency.p50),
           ms(result.latency.p99), ms(result.latency.max), result.done, result.seconds);
    if (!ok)
        printf("          FAILED: %s\n", ready ? result.error : "cannot set up the clients");
    return ok;
}

/* Phase 2: the runs for each client count, in one table. */
static bool http_phase(struct vigied *server)
{
    printf("\n2. HTTP end to end: POST /v1/alarms to a real vigied on 127.0.0.1 from C clients,\n"
           "   one thread and one keep-alive connection each. Each request is authenticated,\n"
           "   creates the alarm durably (store_alarm_create) and reads it back for the 201.\n"
           "   Each run: at most %.0f s or %d requests.\n",
           (double)HTTP_RUN_US / 1e6, HTTP_RUN_MAX);
    printf("  %7s %10s %7s %7s %7s %7s %7s %5s\n", "clients", "requests/s", "cpu us", "p50 ms",
           "p99 ms", "max ms", "ops", "s");
    bool ok = true;
    for (size_t i = 0; i < sizeof http_client_counts / sizeof http_client_counts[0]; i++)
        ok = http_run(server, http_client_counts[i]) && ok;
    printf("  cpu us: vigied's CPU time per request (from /proc, 10 ms ticks).\n");
    fflush(stdout);
    return ok;
}
