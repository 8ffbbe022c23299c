/* sim_agents_reply.c: an agent's answer, through the path a real one
 * takes (see sim_agents.h): an SMS handed to Kannel's fake SMS centre by
 * Debian's fakesmsc, as a phone network hands Kannel an MO message; an
 * e-mail reply (quoting the alert, as mail clients do) piped into
 * `vigied mail-in`, as the mail server does for reply+...@ addresses; the
 * reply page opened, then its "received" or "seen" form posted, as the
 * agent's browser does without JavaScript. */
#include "tools/sim/sim_agents.h"
#include "tools/sim/sim.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* fakesmsc connects, sends and says so within a second; a loaded machine
 * gets ten. Then bearerbox is given this long to read the message before
 * fakesmsc hangs up (it keeps its connection open otherwise). */
#define SIM_AGENTS_SMS_TIMEOUT_MS 10000
#define SIM_AGENTS_SMS_LINGER_MS  500
/* fakesmsc's output while it sends one message: a few lines. */
#define SIM_AGENTS_SMS_OUTPUT_MAX 8192
/* `vigied mail-in` gives up on vigied after 30 s itself. */
#define SIM_AGENTS_MAIL_TIMEOUT_MS 40000
/* A reply e-mail: the agent's words and the quoted alert. */
#define SIM_AGENTS_MAIL_MAX 8192
/* The reply page, and what posting a form answers: a small page. */
#define SIM_AGENTS_WEB_TIMEOUT_MS 10000
/* A child that does not stop on SIGTERM within this is killed. */
#define SIM_AGENTS_STOP_TIMEOUT_MS 5000

/* ---- children ---- */

/* Waits for `pid` at most `timeout_ms`; its wait status, or -1. */
static int wait_bounded(pid_t pid, int timeout_ms)
{
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    int status = 0;
    for (;;) {
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid)
            return status;
        if (done < 0 && errno != EINTR)
            return -1;
        if (clock_monotonic_ms() > deadline || sim_agents_stopping)
            return -1;
        usleep(20 * 1000);
    }
}

static void stop_child(pid_t pid)
{
    kill(pid, SIGTERM);
    if (wait_bounded(pid, SIM_AGENTS_STOP_TIMEOUT_MS) < 0) {
        kill(pid, SIGKILL);
        wait_bounded(pid, SIM_AGENTS_STOP_TIMEOUT_MS);
    }
}

/* Starts argv with `in` (or /dev/null) as its standard input and `out`
 * (or /dev/null) as its standard output and error. */
static pid_t spawn(const char *const *argv, int in, int out)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    signal(SIGPIPE, SIG_DFL); /* ignored by the simulator, not by its children */
    int null = open("/dev/null", O_RDWR);
    if (null < 0)
        _exit(126);
    dup2(in >= 0 ? in : null, STDIN_FILENO);
    dup2(out >= 0 ? out : null, STDOUT_FILENO);
    dup2(out >= 0 ? out : null, STDERR_FILENO);
    execv(argv[0], (char *const *)argv);
    _exit(127);
}

/* ---- SMS ---- */

/* Reads the child's output until `wanted` shows or the time is up. */
static bool output_shows(int fd, const char *wanted, int timeout_ms)
{
    char seen[SIM_AGENTS_SMS_OUTPUT_MAX + 1];
    size_t used = 0;
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    for (;;) {
        int64_t left = deadline - clock_monotonic_ms();
        if (left <= 0)
            return false;
        struct pollfd poller = {.fd = fd, .events = POLLIN};
        int ready = poll(&poller, 1, (int)left);
        if (sim_agents_stopping)
            return false;
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return false;
        if (used == SIM_AGENTS_SMS_OUTPUT_MAX) {
            /* Keep the second half: a line being read stays whole. */
            memmove(seen, seen + used / 2, used - used / 2);
            used -= used / 2;
        }
        ssize_t got = read(fd, seen + used, SIM_AGENTS_SMS_OUTPUT_MAX - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return false; /* it ended without sending */
        used += (size_t)got;
        seen[used] = '\0';
        if (strstr(seen, wanted))
            return true;
    }
}

static bool answer_sms(const struct sim_agents_paths *paths, const struct sim_agents_answer *answer,
                       char *why, size_t why_size)
{
    char host[256], port[16], message[SIM_AGENTS_TEXT_MAX + 96];
    if (!paths->fakesmsc || !paths->sms_centre ||
        !sim_split_address(paths->sms_centre, host, sizeof host, port, sizeof port)) {
        snprintf(why, why_size, "%s", _("no SMS centre to answer through (--sms-centre)"));
        return false;
    }
    /* The fake centre's line: sender, receiver, "text", the text. */
    snprintf(message, sizeof message, "%s %s text %s", answer->phone, paths->short_code,
             answer->text);
    const char *argv[] = {paths->fakesmsc, "-H", host, "-r",    port, "-i",
                          "0.1",           "-m", "1",  message, NULL};
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
        snprintf(why, why_size, "pipe: %s", strerror(errno));
        return false;
    }
    pid_t pid = spawn(argv, -1, pipe_fds[1]);
    close(pipe_fds[1]);
    if (pid < 0) {
        close(pipe_fds[0]);
        snprintf(why, why_size, "fork: %s", strerror(errno));
        return false;
    }
    bool sent = output_shows(pipe_fds[0], "sent message 1", SIM_AGENTS_SMS_TIMEOUT_MS);
    if (sent)
        usleep(SIM_AGENTS_SMS_LINGER_MS * 1000);
    stop_child(pid);
    close(pipe_fds[0]);
    if (!sent)
        snprintf(why, why_size, _("%s did not hand the SMS to the centre at %s"), paths->fakesmsc,
                 paths->sms_centre);
    return sent;
}

/* ---- e-mail ---- */

/* RFC 5322's date, in English whatever the locale. */
static void mail_date(time_t now, char *out, size_t size)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm utc;
    gmtime_r(&now, &utc);
    snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[utc.tm_wday], utc.tm_mday,
             months[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

/* The agent's words, then the alert quoted as a mail client quotes it. */
static size_t compose_mail(const struct sim_agents_answer *answer, char *out, size_t size)
{
    static unsigned serial;
    time_t now = time(NULL);
    char date[64];
    mail_date(now, date, sizeof date);
    int used = snprintf(out, size,
                        "From: <%s>\r\nTo: <%s>\r\nSubject: Re: %s\r\nDate: %s\r\n"
                        "Message-ID: <agent-%ld-%u@vigie-sim.example>\r\n"
                        "In-Reply-To: %s\r\nReferences: %s\r\nMIME-Version: 1.0\r\n"
                        "Content-Type: text/plain; charset=UTF-8\r\n"
                        "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n\r\n"
                        "Le %s, Centre Vigie <alertes@vigie.example> a \xc3\xa9"
                        "crit :\r\n",
                        answer->agent_email, answer->reply_to, answer->subject, date, (long)now,
                        ++serial, answer->message_id, answer->message_id, answer->text, date);
    if (used < 0 || (size_t)used >= size)
        return 0;
    for (const char *line = answer->quoted; *line;) {
        size_t length = strcspn(line, "\n");
        int wrote = snprintf(out + used, size - (size_t)used, "> %.*s\r\n", (int)length, line);
        if (wrote < 0 || (size_t)wrote >= size - (size_t)used)
            return 0;
        used += wrote;
        line += length + (line[length] == '\n');
    }
    return (size_t)used;
}

static bool write_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t wrote = write(fd, data, length);
        if (wrote < 0 && errno == EINTR)
            continue;
        if (wrote <= 0)
            return false;
        data += wrote;
        length -= (size_t)wrote;
    }
    return true;
}

static bool answer_mail(const struct sim_agents_paths *paths,
                        const struct sim_agents_answer *answer, char *why, size_t why_size)
{
    if (!paths->vigied) {
        snprintf(why, why_size, "%s", _("no vigied to pipe the e-mail into (--vigied)"));
        return false;
    }
    char *mail = malloc(SIM_AGENTS_MAIL_MAX);
    size_t length = mail ? compose_mail(answer, mail, SIM_AGENTS_MAIL_MAX) : 0;
    int pipe_fds[2] = {-1, -1};
    if (length == 0 || pipe2(pipe_fds, O_CLOEXEC) != 0) {
        free(mail);
        snprintf(why, why_size, "%s", _("cannot write the e-mail"));
        return false;
    }
    const char *argv[] = {paths->vigied, "mail-in",           "--server",
                          paths->server, "--recipient",       answer->reply_to,
                          "--sender",    answer->agent_email, NULL};
    pid_t pid = spawn(argv, pipe_fds[0], -1);
    close(pipe_fds[0]);
    bool written = pid > 0 && write_all(pipe_fds[1], mail, length);
    close(pipe_fds[1]);
    free(mail);
    int status = pid > 0 ? wait_bounded(pid, SIM_AGENTS_MAIL_TIMEOUT_MS) : -1;
    if (pid > 0 && status < 0)
        stop_child(pid);
    if (written && status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    snprintf(why, why_size, _("vigied mail-in did not take the reply (status %d)"),
             status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return false;
}

/* ---- the reply page ---- */

static size_t drop_body(char *data, size_t size, size_t count, void *closure)
{
    (void)data;
    (void)closure;
    return size * count;
}

/* GET (form NULL) or POST a form to `url`, as the page (or its service
 * worker) does from the page's own origin; the HTTP status, 0 on error. */
static long web_request(const char *url, const char *form)
{
    CURL *curl = curl_easy_init();
    if (!curl)
        return 0;
    char origin[SIM_AGENTS_LINK_MAX + 16];
    const char *path = strstr(url, "/r/");
    snprintf(origin, sizeof origin, "Origin: %.*s", path ? (int)(path - url) : 0, url);
    struct curl_slist *headers = NULL;
    if (form) {
        headers = curl_slist_append(headers, origin);
        headers = curl_slist_append(headers, "Sec-Fetch-Site: same-origin");
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form); /* a form, as the page posts */
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, drop_body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)SIM_AGENTS_WEB_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "Mozilla/5.0 (Linux; Android 14) vigie-sim agents");
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    curl_slist_free_all(headers);
    return status;
}

bool sim_agents_push_shown(const char *link, char *why, size_t why_size)
{
    char url[SIM_AGENTS_LINK_MAX + 16];
    snprintf(url, sizeof url, "%s/delivered", link);
    long status = web_request(url, "");
    if (status >= 200 && status < 300)
        return true;
    snprintf(why, why_size, _("acknowledging the push at %s answered %ld"), url, status);
    return false;
}

static bool answer_web(const struct sim_agents_answer *answer, char *why, size_t why_size)
{
    long status = web_request(answer->link, NULL);
    if (status != 200) {
        snprintf(why, why_size, _("the reply page %s answered %ld"), answer->link, status);
        return false;
    }
    char url[SIM_AGENTS_LINK_MAX + 16], form[4 * SIM_AGENTS_TEXT_MAX];
    snprintf(url, sizeof url, "%s/%s", answer->link, answer->sighting ? "seen" : "received");
    form[0] = '\0';
    if (answer->sighting) {
        char *text = curl_easy_escape(NULL, answer->text, 0);
        snprintf(form, sizeof form, "text=%s&lat=&lon=&accuracy=", text ? text : "");
        curl_free(text);
    }
    status = web_request(url, form);
    if (status >= 200 && status < 400)
        return true;
    snprintf(why, why_size, _("posting the reply page's form to %s answered %ld"), url, status);
    return false;
}

bool sim_agents_answer(const struct sim_agents_paths *paths, const struct sim_agents_answer *answer,
                       char *why, size_t why_size)
{
    switch (answer->channel) {
    case SIM_AGENTS_SMS:
        return answer_sms(paths, answer, why, why_size);
    case SIM_AGENTS_EMAIL:
        return answer_mail(paths, answer, why, why_size);
    case SIM_AGENTS_WEB:
        return answer_web(answer, why, why_size);
    case SIM_AGENTS_PUSH:
        break; /* a push has no way back but the page */
    }
    snprintf(why, why_size, "%s", _("no such channel"));
    return false;
}
