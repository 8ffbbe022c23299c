/* harness_kannel.c: a real Kannel for tests (see harness_kannel.h). */
#include "tests/lib/harness_kannel.h"
#include "tests/lib/harness_internal.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BEARERBOX "/usr/sbin/bearerbox"
#define SMSBOX    "/usr/sbin/smsbox"
#define FAKESMSC  "/usr/lib/kannel/test/fakesmsc"
/* Kannel's boxes take a second or two to connect to each other. */
#define KANNEL_READY_TIMEOUT_MS 15000
/* What the phones' centre received: a few thousand lines at most. */
#define KANNEL_RECEIVED_MAX (4 * 1024 * 1024)

enum { KANNEL_BEARERBOX, KANNEL_SMSBOX, KANNEL_PHONES, KANNEL_PROCESSES };

struct kannel {
    struct world *world;
    char dir[WORLD_PATH_MAX];
    unsigned admin_port, smsbox_port, mt_port, mo_port, sendsms_port;
    pid_t pids[KANNEL_PROCESSES];
    char *received;
    size_t received_count;
};

unsigned harness_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    unsigned port = 0;
    if (bind(fd, (struct sockaddr *)&address, sizeof address) == 0 &&
        getsockname(fd, (struct sockaddr *)&address, &length) == 0)
        port = ntohs(address.sin_port);
    close(fd);
    return port;
}

static pid_t spawn(const char *log_path, const char *const *argv)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        harness_child_prepare(parent);
        int log = open(log_path, O_WRONLY | O_APPEND | O_CREAT, 0600);
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

static bool port_open(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool open_ = fd >= 0 && connect(fd, (struct sockaddr *)&address, sizeof address) == 0;
    if (fd >= 0)
        close(fd);
    return open_;
}

static bool write_config(struct kannel *k, unsigned vigied_port)
{
    char path[WORLD_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/kannel.conf", k->dir);
    FILE *file = fopen(path, "w");
    if (!file)
        return false;
    fprintf(file,
            "group = core\nadmin-port = %u\nadmin-password = admin-secret\n"
            "smsbox-port = %u\nlog-file = \"%s/bearerbox.log\"\nlog-level = 1\n"
            "box-allow-ip = \"127.0.0.1\"\ndlr-storage = internal\n\n"
            "group = smsc\nsmsc = fake\nsmsc-id = phones\nport = %u\n"
            "connect-allow-ip = \"127.0.0.1\"\nallowed-smsc-id = phones\n\n"
            "group = smsc\nsmsc = fake\nsmsc-id = answers\nport = %u\n"
            "connect-allow-ip = \"127.0.0.1\"\nallowed-smsc-id = answers\n\n"
            "group = smsbox\nbearerbox-host = 127.0.0.1\nsendsms-port = %u\n"
            "log-file = \"%s/smsbox.log\"\nlog-level = 1\n"
            /* Calls to vigied that fail (a restart) are tried again. */
            "http-request-retry = 30\nhttp-queue-delay = 1\n\n"
            "group = sendsms-user\nusername = %s\npassword = %s\nforced-smsc = phones\n"
            "max-messages = 10\nconcatenation = true\n\n"
            "group = sms-service\nkeyword = default\ncatch-all = true\nmax-messages = 0\n"
            "omit-empty = true\nget-url = \"http://127.0.0.1:%u/v1/connectors/kannel/mo"
            "?secret=%s&from=%%p&text=%%a\"\n",
            k->admin_port, k->smsbox_port, k->dir, k->mt_port, k->mo_port, k->sendsms_port, k->dir,
            KANNEL_USERNAME, KANNEL_PASSWORD, vigied_port, KANNEL_SECRET);
    return fclose(file) == 0;
}

static void release(void *pointer)
{
    struct kannel *k = pointer;
    kannel_stop(k);
    free(k->received);
    free(k);
}

static bool wait_port(unsigned port)
{
    int64_t deadline = harness_now_ms() + KANNEL_READY_TIMEOUT_MS;
    while (harness_now_ms() < deadline) {
        if (port_open(port))
            return true;
        harness_sleep_ms(100);
    }
    return false;
}

struct kannel *kannel_start(struct world *world)
{
    if (access(BEARERBOX, X_OK) != 0 || access(FAKESMSC, X_OK) != 0) {
        fprintf(stderr, "# Kannel is not installed: apt-get install -y kannel kannel-extras\n");
        return NULL;
    }
    struct kannel *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    world_keep(world, k, release);
    k->world = world;
    snprintf(k->dir, sizeof k->dir, "%s/kannel", world->dir);
    mkdir(k->dir, 0700);
    unsigned vigied_port = harness_free_port();
    k->admin_port = harness_free_port();
    k->smsbox_port = harness_free_port();
    k->mt_port = harness_free_port();
    k->mo_port = harness_free_port();
    k->sendsms_port = harness_free_port();
    if (!vigied_port || !k->admin_port || !k->smsbox_port || !k->mt_port || !k->mo_port ||
        !k->sendsms_port || !write_config(k, vigied_port))
        return NULL;
    char setting[WORLD_PATH_MAX];
    snprintf(setting, sizeof setting, "listen=127.0.0.1:%u", vigied_port);
    world_set(world, setting);
    snprintf(setting, sizeof setting, "sms_gateway_url=http://127.0.0.1:%u/cgi-bin/sendsms",
             k->sendsms_port);
    world_set(world, setting);
    world_set(world, "sms_username=" KANNEL_USERNAME);
    world_set(world, "sms_password=" KANNEL_PASSWORD);
    world_set(world, "sms_from=" KANNEL_FROM);
    world_set(world, "kannel_secret=" KANNEL_SECRET);
    snprintf(setting, sizeof setting, "sms_callback_url=http://127.0.0.1:%u", vigied_port);
    world_set(world, setting);

    char config[WORLD_PATH_MAX + 32], log[WORLD_PATH_MAX + 32], port[16];
    snprintf(config, sizeof config, "%s/kannel.conf", k->dir);
    snprintf(log, sizeof log, "%s/bearerbox.out", k->dir);
    const char *bearerbox[] = {BEARERBOX, config, NULL};
    k->pids[KANNEL_BEARERBOX] = spawn(log, bearerbox);
    if (!wait_port(k->smsbox_port)) {
        fprintf(stderr, "# bearerbox did not open its smsbox port\n");
        kannel_dump_logs(k);
        return NULL;
    }
    snprintf(log, sizeof log, "%s/phones.out", k->dir);
    snprintf(port, sizeof port, "%u", k->mt_port);
    /* -m 0: sends nothing, prints what it receives. */
    const char *phones[] = {FAKESMSC, "-H", "127.0.0.1",       "-r", port,
                            "-m",     "0",  "1 2 text unused", NULL};
    k->pids[KANNEL_PHONES] = spawn(log, phones);
    snprintf(log, sizeof log, "%s/smsbox.out", k->dir);
    const char *smsbox[] = {SMSBOX, config, NULL};
    k->pids[KANNEL_SMSBOX] = spawn(log, smsbox);
    if (!wait_port(k->sendsms_port)) {
        fprintf(stderr, "# smsbox did not open its sendsms port\n");
        kannel_dump_logs(k);
        return NULL;
    }
    return k;
}

/* "... Got message N: <LINE>" lines of fakesmsc's output. */
const char *kannel_received(struct kannel *k, size_t *count_out)
{
    char path[WORLD_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/phones.out", k->dir);
    free(k->received);
    k->received = calloc(1, KANNEL_RECEIVED_MAX);
    k->received_count = 0;
    FILE *file = fopen(path, "r");
    if (!k->received || !file) {
        if (file)
            fclose(file);
        *count_out = 0;
        return "";
    }
    char line[4096];
    size_t used = 0;
    while (fgets(line, sizeof line, file)) {
        char *start = strstr(line, "Got message ");
        start = start ? strstr(start, ": <") : NULL;
        char *end = start ? strrchr(start, '>') : NULL;
        if (!start || !end)
            continue;
        start += 3;
        size_t length = (size_t)(end - start);
        if (used + length + 2 >= KANNEL_RECEIVED_MAX)
            break;
        memcpy(k->received + used, start, length);
        used += length;
        k->received[used++] = '\n';
        k->received_count++;
    }
    fclose(file);
    *count_out = k->received_count;
    return k->received;
}

bool kannel_wait_received(struct kannel *k, size_t count, int timeout_ms)
{
    int64_t deadline = harness_now_ms() + timeout_ms;
    size_t got = 0;
    do {
        kannel_received(k, &got);
        if (got >= count)
            return true;
        harness_sleep_ms(100);
    } while (harness_now_ms() < deadline);
    return false;
}

bool kannel_send_mo(struct kannel *k, const char *from, const char *text)
{
    char message[1024], port[16], log[WORLD_PATH_MAX + 32];
    snprintf(message, sizeof message, "%s %s text %s", from, KANNEL_SHORT_CODE, text);
    snprintf(port, sizeof port, "%u", k->mo_port);
    snprintf(log, sizeof log, "%s/answers.out", k->dir);
    const char *argv[] = {FAKESMSC, "-H", "127.0.0.1", "-r",    port, "-i",
                          "0.1",    "-m", "1",         message, NULL};
    pid_t pid = spawn(log, argv);
    if (pid < 0)
        return false;
    /* fakesmsc keeps its connection after sending: give bearerbox the
     * message, then hang up. */
    bool sent = false;
    int64_t deadline = harness_now_ms() + 10000;
    while (!sent && harness_now_ms() < deadline) {
        harness_sleep_ms(200);
        FILE *file = fopen(log, "r");
        char line[1024];
        while (file && fgets(line, sizeof line, file))
            sent = sent || strstr(line, "sent message 1") != NULL;
        if (file)
            fclose(file);
    }
    harness_sleep_ms(500);
    kill(pid, SIGTERM);
    if (harness_wait_bounded(pid, 5000) < 0) {
        kill(pid, SIGKILL);
        harness_wait_bounded(pid, 5000);
    }
    return sent;
}

void kannel_stop(struct kannel *k)
{
    /* smsbox first, then the centres, then bearerbox. */
    static const int order[] = {KANNEL_SMSBOX, KANNEL_PHONES, KANNEL_BEARERBOX};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        pid_t pid = k->pids[order[i]];
        if (pid <= 0)
            continue;
        kill(pid, SIGTERM);
        if (harness_wait_bounded(pid, 5000) < 0) {
            kill(pid, SIGKILL);
            harness_wait_bounded(pid, 5000);
        }
        k->pids[order[i]] = 0;
    }
}

void kannel_dump_logs(struct kannel *k)
{
    static const char *const names[] = {"bearerbox.log", "smsbox.log", "bearerbox.out",
                                        "smsbox.out", "phones.out"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[WORLD_PATH_MAX + 32], command[WORLD_PATH_MAX + 128];
        snprintf(path, sizeof path, "%s/%s", k->dir, names[i]);
        snprintf(command, sizeof command, "tail -n 15 '%s' 2>/dev/null | sed 's/^/# /'", path);
        fprintf(stderr, "# --- %s\n", names[i]);
        fflush(stderr);
        if (system(command) != 0)
            fprintf(stderr, "# (none)\n");
    }
}
