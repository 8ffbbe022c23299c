/* harness_smtp.c: aiosmtpd on loopback for tests (see harness_smtp.h). */
#include "tests/lib/harness_smtp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SMTP_SINK_SCRIPT    "tests/lib/smtp_sink.py"
#define SMTP_SINK_RULES_MAX 8
/* Messages one test looks through: far above what a test sends. */
#define SMTP_SINK_MESSAGES_MAX 1000

struct smtp_sink {
    struct world *world;
    pid_t pid;
    unsigned port;
    char dir[WORLD_PATH_MAX];
    char ca_file[WORLD_PATH_MAX + 16];
};

unsigned smtp_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    unsigned port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&address, sizeof address) == 0 &&
        getsockname(fd, (struct sockaddr *)&address, &length) == 0)
        port = ntohs(address.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

void smtp_sink_stop(struct smtp_sink *sink)
{
    if (!sink || sink->pid <= 0)
        return;
    kill(sink->pid, SIGTERM);
    int64_t deadline = harness_now_ms() + 5000;
    int status;
    while (waitpid(sink->pid, &status, WNOHANG) == 0) {
        if (harness_now_ms() > deadline) {
            kill(sink->pid, SIGKILL);
            waitpid(sink->pid, &status, 0);
            break;
        }
        harness_sleep_ms(20);
    }
    sink->pid = 0;
}

static void release(void *pointer)
{
    smtp_sink_stop(pointer);
    free(pointer);
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static struct smtp_sink *start(struct world *world, unsigned port, const char *const *rules,
                               bool tls)
{
    struct smtp_sink *sink = calloc(1, sizeof *sink);
    if (!sink)
        return NULL;
    world_keep(world, sink, release);
    sink->world = world;
    sink->port = port ? port : smtp_free_port();
    static int instances;
    snprintf(sink->dir, sizeof sink->dir, "%s/smtp-%d", world->dir, ++instances);
    mkdir(sink->dir, 0700);
    char port_text[16], ready[WORLD_PATH_MAX + 16];
    snprintf(port_text, sizeof port_text, "%u", sink->port);
    snprintf(ready, sizeof ready, "%s/ready", sink->dir);
    const char *python = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
    const char *argv[9 + 2 * SMTP_SINK_RULES_MAX] = {python,    SMTP_SINK_SCRIPT, "--port",
                                                     port_text, "--dir",          sink->dir};
    int argc = 6;
    if (tls)
        argv[argc++] = "--starttls";
    snprintf(sink->ca_file, sizeof sink->ca_file, "%s/cert.pem", sink->dir);
    for (int i = 0; rules && rules[i] && i < SMTP_SINK_RULES_MAX; i++) {
        argv[argc++] = "--rule";
        argv[argc++] = rules[i];
    }
    argv[argc] = NULL;
    char log[WORLD_PATH_MAX + 16];
    snprintf(log, sizeof log, "%s/sink.log", sink->dir);
    sink->pid = fork();
    if (sink->pid == 0) {
        FILE *out = freopen(log, "w", stdout);
        if (out)
            dup2(fileno(out), STDERR_FILENO);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    int64_t deadline = harness_now_ms() + SMTP_SINK_START_TIMEOUT_MS;
    while (sink->pid > 0 && !file_exists(ready) && harness_now_ms() < deadline) {
        int status;
        if (waitpid(sink->pid, &status, WNOHANG) == sink->pid) {
            sink->pid = 0;
            break;
        }
        harness_sleep_ms(50);
    }
    if (!file_exists(ready)) {
        fprintf(stderr, "# smtp_sink did not start (see %s; is python3-aiosmtpd installed?)\n",
                log);
        return NULL;
    }
    return sink;
}

struct smtp_sink *smtp_sink_start(struct world *world, unsigned port, const char *const *rules)
{
    return start(world, port, rules, false);
}

struct smtp_sink *smtp_sink_start_tls(struct world *world, unsigned port, const char *const *rules)
{
    return start(world, port, rules, true);
}

const char *smtp_sink_ca_file(const struct smtp_sink *sink)
{
    return sink->ca_file;
}

unsigned smtp_sink_port(const struct smtp_sink *sink)
{
    return sink->port;
}

int smtp_sink_count(struct smtp_sink *sink)
{
    int count = 0;
    char path[WORLD_PATH_MAX + 32];
    for (int i = 1; i <= SMTP_SINK_MESSAGES_MAX; i++) {
        snprintf(path, sizeof path, "%s/%04d.eml", sink->dir, i);
        if (!file_exists(path))
            break;
        count++;
    }
    return count;
}

bool smtp_sink_wait(struct smtp_sink *sink, int count, int timeout_ms)
{
    int64_t deadline = harness_now_ms() + timeout_ms;
    while (smtp_sink_count(sink) < count) {
        if (harness_now_ms() > deadline)
            return false;
        harness_sleep_ms(50);
    }
    return true;
}

static char *slurp(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return NULL;
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    rewind(file);
    char *text = size >= 0 ? malloc((size_t)size + 1) : NULL;
    size_t got = text ? fread(text, 1, (size_t)size, file) : 0;
    fclose(file);
    if (text)
        text[got] = '\0';
    return text;
}

const char *smtp_sink_message_to(struct smtp_sink *sink, const char *address, int *copies_out)
{
    const char *found = NULL;
    int copies = 0, count = smtp_sink_count(sink);
    char path[WORLD_PATH_MAX + 32];
    for (int i = 1; i <= count; i++) {
        snprintf(path, sizeof path, "%s/%04d.env", sink->dir, i);
        char *envelope = slurp(path);
        /* The first line is the sender, then a recipient a line. */
        const char *recipients = envelope ? strchr(envelope, '\n') : NULL;
        bool match = false;
        for (const char *line = recipients; line && *line; line = strchr(line, '\n')) {
            line++;
            size_t length = strcspn(line, "\n");
            match = match || (length == strlen(address) && strncasecmp(line, address, length) == 0);
            line += length;
            if (!*line)
                break;
        }
        free(envelope);
        if (!match)
            continue;
        copies++;
        snprintf(path, sizeof path, "%s/%04d.eml", sink->dir, i);
        char *message = slurp(path);
        if (message)
            found = world_keep(sink->world, message, free);
    }
    if (copies_out)
        *copies_out = copies;
    return found;
}
