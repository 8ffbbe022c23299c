/* sip_ua.c: baresip as the agents' telephones (see sip_ua.h). */
#include "tests/lib/sip_ua.h"
#include "tests/lib/harness_internal.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* baresip loads its modules and opens its ports within a second; a
 * sanitizer build of the test beside it slows everything down. */
#define SIP_UA_START_TIMEOUT_MS 10000
#define SIP_UA_STOP_TIMEOUT_MS  5000
/* Netstring events are a few hundred bytes; a reply to a command less. */
#define SIP_UA_BUFFER_SIZE 16384

struct sip_ua {
    char dir[WORLD_PATH_MAX];
    pid_t pid;
    unsigned sip_port, control_port;
    int control; /* the ctrl_tcp connection */
    char buffer[SIP_UA_BUFFER_SIZE];
    size_t buffered;
    int total, now, max, closed, rings;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A port free on loopback now (UDP and TCP: baresip opens both). */
static unsigned free_port(void)
{
    for (int attempt = 0; attempt < 20; attempt++) {
        int udp = socket(AF_INET, SOCK_DGRAM, 0), tcp = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in address = {.sin_family = AF_INET,
                                      .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t length = sizeof address;
        unsigned port = 0;
        if (udp >= 0 && tcp >= 0 && bind(udp, (struct sockaddr *)&address, sizeof address) == 0 &&
            getsockname(udp, (struct sockaddr *)&address, &length) == 0 &&
            bind(tcp, (struct sockaddr *)&address, sizeof address) == 0)
            port = ntohs(address.sin_port);
        if (udp >= 0)
            close(udp);
        if (tcp >= 0)
            close(tcp);
        if (port)
            return port;
    }
    return 0;
}

static bool write_file(const char *path, const char *text)
{
    FILE *file = fopen(path, "w");
    bool ok = file && fputs(text, file) >= 0;
    if (file && fclose(file) != 0)
        ok = false;
    return ok;
}

static size_t write_accounts(char *text, size_t size, size_t used, const char *const *numbers,
                             int count, const char *mode)
{
    for (int i = 0; i < count && used < size; i++)
        used += (size_t)snprintf(text + used, size - used,
                                 "<sip:%s@127.0.0.1>;regint=0;answermode=%s\n", numbers[i], mode);
    return used;
}

static bool write_config(struct sip_ua *ua, const char *const *answering, int answering_count,
                         const char *const *ringing, int ringing_count)
{
    char path[WORLD_PATH_MAX + 32], text[4096];
    /* aubridge is a player and a source that need no sound card; sndfile
     * records each call's decoded audio as DIR/rec/dump-*-dec.wav. */
    snprintf(text, sizeof text,
             "poll_method epoll\n"
             "sip_listen 127.0.0.1:%u\n"
             "audio_player aubridge,phone\n"
             "audio_source aubridge,phone\n"
             "audio_alert aubridge,ring\n"
             "module_path /usr/lib/baresip/modules\n"
             "module g711.so\n"
             "module aubridge.so\n"
             "module sndfile.so\n"
             "module_app account.so\n"
             "module_app menu.so\n"
             "module_app ctrl_tcp.so\n"
             "ctrl_tcp_listen 127.0.0.1:%u\n"
             "snd_path %s/rec\n",
             ua->sip_port, ua->control_port, ua->dir);
    snprintf(path, sizeof path, "%s/config", ua->dir);
    if (!write_file(path, text))
        return false;
    text[0] = '\0';
    size_t used = write_accounts(text, sizeof text, 0, answering, answering_count, "auto");
    write_accounts(text, sizeof text, used, ringing, ringing_count, "manual");
    snprintf(path, sizeof path, "%s/accounts", ua->dir);
    if (!write_file(path, text))
        return false;
    snprintf(path, sizeof path, "%s/contacts", ua->dir);
    return write_file(path, "");
}

static pid_t spawn(const struct sip_ua *ua)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        harness_child_prepare(parent);
        char log[WORLD_PATH_MAX + 16];
        snprintf(log, sizeof log, "%s/baresip.log", ua->dir);
        int out = open(log, O_WRONLY | O_TRUNC | O_CREAT, 0600);
        int null = open("/dev/null", O_RDONLY);
        if (out < 0 || null < 0)
            _exit(126);
        dup2(null, STDIN_FILENO);
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
        execlp("baresip", "baresip", "-f", ua->dir, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static bool connect_control(struct sip_ua *ua)
{
    long long deadline = now_ms() + SIP_UA_START_TIMEOUT_MS;
    while (now_ms() < deadline) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in address = {.sin_family = AF_INET,
                                      .sin_port = htons((uint16_t)ua->control_port),
                                      .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (fd >= 0 && connect(fd, (struct sockaddr *)&address, sizeof address) == 0) {
            ua->control = fd;
            return true;
        }
        if (fd >= 0)
            close(fd);
        if (waitpid(ua->pid, NULL, WNOHANG) == ua->pid) {
            ua->pid = 0;
            return false;
        }
        usleep(50 * 1000);
    }
    return false;
}

/* baresip's ports are found free, then bound by baresip: another test's
 * program may take one in between, and baresip then exits at once. Its
 * start is tried again on new ports this many times. */
#define SIP_UA_START_ATTEMPTS 3

static void print_log_tail(const struct sip_ua *ua)
{
    char path[WORLD_PATH_MAX + 16], line[512];
    snprintf(path, sizeof path, "%s/baresip.log", ua->dir);
    FILE *file = fopen(path, "r");
    if (!file)
        return;
    while (fgets(line, sizeof line, file))
        fprintf(stderr, "# baresip: %s", line);
    fclose(file);
}

struct sip_ua *sip_ua_start(const char *dir, const char *const *answering, int answering_count,
                            const char *const *ringing, int ringing_count)
{
    struct sip_ua *ua = calloc(1, sizeof *ua);
    if (!ua || answering_count + ringing_count > SIP_UA_NUMBERS_MAX)
        goto failed;
    ua->control = -1;
    snprintf(ua->dir, sizeof ua->dir, "%s/baresip", dir);
    char rec[WORLD_PATH_MAX + 8];
    snprintf(rec, sizeof rec, "%s/rec", ua->dir);
    if ((mkdir(ua->dir, 0700) != 0 && errno != EEXIST) ||
        (mkdir(rec, 0700) != 0 && errno != EEXIST))
        goto failed;
    for (int attempt = 0; attempt < SIP_UA_START_ATTEMPTS; attempt++) {
        ua->sip_port = free_port();
        ua->control_port = free_port();
        if (!ua->sip_port || !ua->control_port || ua->sip_port == ua->control_port ||
            !write_config(ua, answering, answering_count, ringing, ringing_count))
            continue;
        ua->pid = spawn(ua);
        if (ua->pid > 0 && connect_control(ua))
            return ua;
        print_log_tail(ua);
        if (ua->pid > 0) {
            kill(ua->pid, SIGKILL);
            harness_wait_bounded(ua->pid, SIP_UA_STOP_TIMEOUT_MS);
        }
        ua->pid = 0;
    }
failed:
    fprintf(stderr, "sip_ua: baresip did not start (see %s/baresip.log)\n", ua ? ua->dir : dir);
    if (ua)
        sip_ua_stop(ua);
    return NULL;
}

bool sip_ua_stop(struct sip_ua *ua)
{
    if (!ua)
        return true;
    bool clean = true;
    if (ua->control >= 0)
        close(ua->control);
    if (ua->pid > 0) {
        kill(ua->pid, SIGTERM);
        if (harness_wait_bounded(ua->pid, SIP_UA_STOP_TIMEOUT_MS) < 0) {
            kill(ua->pid, SIGKILL);
            harness_wait_bounded(ua->pid, SIP_UA_STOP_TIMEOUT_MS);
            clean = false;
        }
    }
    free(ua);
    return clean;
}

unsigned sip_ua_port(const struct sip_ua *ua)
{
    return ua->sip_port;
}

/* ---- events ---- */

static void apply_event(struct sip_ua *ua, const cJSON *event)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(event, "type");
    if (!cJSON_IsString(type))
        return;
    if (strcmp(type->valuestring, "CALL_INCOMING") == 0) {
        ua->rings++;
    } else if (strcmp(type->valuestring, "CALL_ESTABLISHED") == 0) {
        ua->total++;
        ua->now++;
        if (ua->now > ua->max)
            ua->max = ua->now;
    } else if (strcmp(type->valuestring, "CALL_CLOSED") == 0) {
        ua->closed++;
        if (ua->now > 0)
            ua->now--;
    }
}

/* Takes the complete netstrings out of the buffer ("LEN:JSON,"). */
static void parse_buffer(struct sip_ua *ua)
{
    for (;;) {
        char *colon = memchr(ua->buffer, ':', ua->buffered);
        if (!colon)
            return;
        size_t length = strtoul(ua->buffer, NULL, 10);
        size_t start = (size_t)(colon - ua->buffer) + 1;
        if (start + length + 1 > ua->buffered)
            return;
        cJSON *json = cJSON_ParseWithLength(ua->buffer + start, length);
        if (json && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "event")))
            apply_event(ua, json);
        cJSON_Delete(json);
        size_t used = start + length + 1;
        memmove(ua->buffer, ua->buffer + used, ua->buffered - used);
        ua->buffered -= used;
    }
}

/* Reads what arrives within `timeout_ms`; false when the link is gone. */
static bool read_events(struct sip_ua *ua, int timeout_ms)
{
    struct pollfd pfd = {.fd = ua->control, .events = POLLIN};
    if (poll(&pfd, 1, timeout_ms) <= 0)
        return true;
    if (ua->buffered == sizeof ua->buffer)
        ua->buffered = 0; /* not baresip's: start again */
    ssize_t n = read(ua->control, ua->buffer + ua->buffered, sizeof ua->buffer - ua->buffered);
    if (n <= 0)
        return n < 0 && errno == EINTR;
    ua->buffered += (size_t)n;
    parse_buffer(ua);
    return true;
}

bool sip_ua_wait_established(struct sip_ua *ua, int timeout_ms)
{
    int before = ua->total;
    long long deadline = now_ms() + timeout_ms;
    while (ua->total == before && now_ms() < deadline)
        if (!read_events(ua, 100))
            return false;
    return ua->total > before;
}

bool sip_ua_wait_closed(struct sip_ua *ua, int count, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    while ((ua->now > 0 || ua->closed < count) && now_ms() < deadline)
        if (!read_events(ua, 100))
            return false;
    return ua->now == 0 && ua->closed >= count;
}

bool sip_ua_wait_rings(struct sip_ua *ua, int count, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    while (ua->rings < count && now_ms() < deadline)
        if (!read_events(ua, 100))
            return false;
    return ua->rings >= count;
}

bool sip_ua_press(struct sip_ua *ua, char key)
{
    char body[128], message[160];
    int length = snprintf(body, sizeof body,
                          "{\"command\":\"sndcode\",\"params\":\"%c\",\"token\":\"key\"}", key);
    int total = snprintf(message, sizeof message, "%d:%s,", length, body);
    return write(ua->control, message, (size_t)total) == total;
}

int sip_ua_calls_total(const struct sip_ua *ua)
{
    return ua->total;
}

int sip_ua_calls_now(const struct sip_ua *ua)
{
    return ua->now;
}

int sip_ua_calls_max(const struct sip_ua *ua)
{
    return ua->max;
}

/* ---- recordings ---- */

static bool newest_recording(const struct sip_ua *ua, char *path, size_t size)
{
    char rec[WORLD_PATH_MAX + 8], best[256] = "";
    snprintf(rec, sizeof rec, "%s/rec", ua->dir);
    DIR *dir = opendir(rec);
    if (!dir)
        return false;
    struct dirent *entry;
    while ((entry = readdir(dir))) {
        size_t length = strlen(entry->d_name);
        /* dump-YYYY-MM-DD-HH-MM-SS-dec.wav: the name sorts by time. */
        if (length > 8 && strcmp(entry->d_name + length - 8, "-dec.wav") == 0 &&
            strcmp(entry->d_name, best) > 0 && length < sizeof best)
            snprintf(best, sizeof best, "%s", entry->d_name);
    }
    closedir(dir);
    if (!best[0])
        return false;
    snprintf(path, size, "%s/%s", rec, best);
    return true;
}

static bool stat_value(const char *output, const char *label, double *out)
{
    const char *line = strstr(output, label);
    if (!line)
        return false;
    line = strchr(line, ':');
    return line && sscanf(line + 1, "%lf", out) == 1;
}

bool sip_ua_recording(struct sip_ua *ua, double *seconds, double *rms)
{
    char path[WORLD_PATH_MAX + 300], command[WORLD_PATH_MAX + 400], output[4096];
    if (!newest_recording(ua, path, sizeof path))
        return false;
    snprintf(command, sizeof command, "sox '%s' -n stat 2>&1", path);
    FILE *pipe = popen(command, "r");
    if (!pipe)
        return false;
    size_t n = fread(output, 1, sizeof output - 1, pipe);
    output[n] = '\0';
    pclose(pipe);
    return stat_value(output, "Length (seconds)", seconds) &&
           stat_value(output, "RMS     amplitude", rms);
}
