/* sim_panel_tpi.c: the panel side of the EnvisaLink TPI (DSC), for
 * vigie-sim panel --listen: one client at a time (as the EnvisaLink), a
 * login prompt (505 3) on connection, the password checked (505 1 or 0),
 * every command acknowledged (500) and carried out after --answer-delay:
 * 030/031 arm (652 partition armed, mode 0 away or 1 stay), 040 disarm
 * with the code (655, or 670 for a wrong code), 071 "*1NN#" bypass (616
 * with the zone's bit). Each change is then reported over DC-09 as Contact
 * ID 3401 (arm away), 3441 (arm stay), 1401 (disarm) with the user number,
 * or 1570 with the zone. --refuse answers every command with an error
 * (670 for a disarm, 502 024 "not ready to arm" otherwise); --silent
 * accepts connections and never says a word. The code and the password
 * are never printed. */
#include "server/panel_tpi.h"
#include "tools/sim/sim_panel.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The loop wakes at least this often for its timers. */
#define TPI_SIM_TICK_MS 100

struct tpi_sim {
    struct sim_panel *panel;
    int listen_fd, client_fd;
    struct panel_tpi_reader reader;
    bool logged_in;
    bool bypassed[PANEL_TPI_ZONE_MAX];
    /* The command being carried out, answered when due. */
    bool work;
    int work_code, work_zone;
    bool work_refused;
    int64_t work_due_ms;
    /* The DC-09 report of the last change, sent when due. */
    bool report;
    char report_code[8];
    int report_zone;
    int64_t report_due_ms;
};

static void say(struct tpi_sim *sim, int code, const char *data)
{
    char line[PANEL_TPI_LINE_MAX + 3];
    size_t length = panel_tpi_format(code, data, line, sizeof line);
    if (sim->client_fd >= 0 && length > 0 &&
        send(sim->client_fd, line, length, MSG_NOSIGNAL) != (ssize_t)length) {
        close(sim->client_fd);
        sim->client_fd = -1;
    }
}

static void say_partition(struct tpi_sim *sim, int code, const char *tail)
{
    char data[16];
    snprintf(data, sizeof data, "%d%s", sim->panel->partition, tail);
    say(sim, code, data);
}

static int open_listener(const char *address)
{
    char host[256], port[16];
    if (!sim_split_address(address, host, sizeof host, port, sizeof port)) {
        fprintf(stderr, _("vigie-sim: \"%s\" is not HOST:PORT\n"), address);
        return -1;
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *found = NULL;
    int rc = getaddrinfo(host, port, &hints, &found);
    if (rc != 0) {
        fprintf(stderr, "vigie-sim: %s: %s\n", address, gai_strerror(rc));
        return -1;
    }
    int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, found->ai_addr, found->ai_addrlen) != 0 || listen(fd, 4) != 0) {
        fprintf(stderr, _("vigie-sim: cannot listen on %s: %s\n"), address, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(found);
    if (fd < 0)
        return -1;
    struct sockaddr_storage bound;
    socklen_t length = sizeof bound;
    char name[NI_MAXHOST], service[NI_MAXSERV];
    if (getsockname(fd, (struct sockaddr *)&bound, &length) == 0 &&
        getnameinfo((struct sockaddr *)&bound, length, name, sizeof name, service, sizeof service,
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0)
        printf("tpi: listening on %s:%s\n", name, service);
    fflush(stdout);
    return fd;
}

static void accept_client(struct tpi_sim *sim)
{
    int fd = accept4(sim->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return;
    /* One TPI session at a time: a new client replaces the old one. */
    if (sim->client_fd >= 0)
        close(sim->client_fd);
    sim->client_fd = fd;
    sim->logged_in = false;
    sim->work = false;
    memset(&sim->reader, 0, sizeof sim->reader);
    printf("tpi: connection%s\n", sim->panel->silent ? " (silent)" : "");
    fflush(stdout);
    if (!sim->panel->silent)
        say(sim, PANEL_TPI_LOGIN_STATE, "3");
}

static void on_login(struct tpi_sim *sim, const struct panel_tpi_message *m)
{
    say(sim, PANEL_TPI_ACK, "005");
    sim->logged_in = strcmp(m->data, sim->panel->password) == 0;
    say(sim, PANEL_TPI_LOGIN_STATE, sim->logged_in ? "1" : "0");
    printf("tpi: login %s\n", sim->logged_in ? "accepted" : "refused");
    fflush(stdout);
    if (!sim->logged_in && sim->client_fd >= 0) {
        close(sim->client_fd);
        sim->client_fd = -1;
    }
}

/* A command this panel knows, from a logged-in client: acknowledged now,
 * carried out (or refused) when the answer delay has passed. */
static void on_command(struct tpi_sim *sim, const struct panel_tpi_message *m)
{
    struct sim_panel *panel = sim->panel;
    char ack[4];
    snprintf(ack, sizeof ack, "%03d", m->code);
    bool ours = m->data[0] == (char)('0' + panel->partition);
    int zone = 0;
    bool known = ours && (m->code == PANEL_TPI_ARM_AWAY || m->code == PANEL_TPI_ARM_STAY ||
                          m->code == PANEL_TPI_DISARM ||
                          (m->code == PANEL_TPI_KEYS && sscanf(m->data + 1, "*1%2d#", &zone) == 1 &&
                           zone >= 1 && zone <= PANEL_TPI_ZONE_MAX));
    if (!known) {
        say(sim, PANEL_TPI_SYSTEM_ERROR, ours ? "020" : "021");
        return;
    }
    say(sim, PANEL_TPI_ACK, ack);
    sim->work = true;
    sim->work_code = m->code;
    sim->work_zone = zone;
    sim->work_refused =
        panel->refuse || (m->code == PANEL_TPI_DISARM && strcmp(m->data + 1, panel->code) != 0);
    sim->work_due_ms = clock_monotonic_ms() + panel->answer_delay_ms;
}

static void schedule_report(struct tpi_sim *sim, const char *code, int zone)
{
    sim->report = true;
    snprintf(sim->report_code, sizeof sim->report_code, "%s", code);
    sim->report_zone = zone;
    sim->report_due_ms = clock_monotonic_ms() + sim->panel->report_delay_ms;
}

static void refuse(struct tpi_sim *sim)
{
    if (sim->work_code == PANEL_TPI_DISARM)
        say_partition(sim, PANEL_TPI_INVALID_CODE, "");
    else
        say(sim, PANEL_TPI_SYSTEM_ERROR, "024");
    printf("tpi: command %03d refused\n", sim->work_code);
}

/* The command's time has come: change the state, answer, report. */
static void carry_out(struct tpi_sim *sim)
{
    struct sim_panel *panel = sim->panel;
    sim->work = false;
    bool arming = sim->work_code == PANEL_TPI_ARM_AWAY || sim->work_code == PANEL_TPI_ARM_STAY;
    if (sim->work_refused || (arming && panel->state != PANEL_STATE_DISARMED)) {
        refuse(sim);
    } else if (arming) {
        bool stay = sim->work_code == PANEL_TPI_ARM_STAY;
        panel->state = stay ? PANEL_STATE_ARMED_STAY : PANEL_STATE_ARMED_AWAY;
        say_partition(sim, PANEL_TPI_ARMED, stay ? "1" : "0");
        schedule_report(sim, stay ? "3441" : "3401", panel->user);
    } else if (sim->work_code == PANEL_TPI_DISARM) {
        if (panel->state == PANEL_STATE_DISARMED) {
            say(sim, PANEL_TPI_SYSTEM_ERROR, "023");
        } else {
            panel->state = PANEL_STATE_DISARMED;
            say_partition(sim, PANEL_TPI_DISARMED, "");
            schedule_report(sim, "1401", panel->user);
        }
    } else if (panel->state != PANEL_STATE_DISARMED) {
        say_partition(sim, PANEL_TPI_NOT_AVAILABLE, ""); /* no bypass while armed */
    } else {
        sim->bypassed[sim->work_zone - 1] = true;
        char field[17];
        panel_tpi_bypass_field(sim->bypassed, field);
        say(sim, PANEL_TPI_BYPASS_FIELD, field);
        schedule_report(sim, "1570", sim->work_zone);
    }
    printf("tpi: state %s\n", panel_arm_state_name(panel->state));
    fflush(stdout);
}

static void on_line(struct tpi_sim *sim, const char *line, size_t length)
{
    struct panel_tpi_message m;
    enum panel_tpi_status status = panel_tpi_parse(line, length, &m);
    if (status == PANEL_TPI_CHECKSUM_WRONG) {
        say(sim, PANEL_TPI_BAD_CHECKSUM, "");
        return;
    }
    if (status != PANEL_TPI_OK)
        return;
    if (m.code == PANEL_TPI_LOGIN)
        on_login(sim, &m);
    else if (!sim->logged_in)
        say(sim, PANEL_TPI_LOGIN_STATE, "0");
    else if (m.code == PANEL_TPI_POLL)
        say(sim, PANEL_TPI_ACK, "000");
    else if (sim->work)
        say(sim, PANEL_TPI_SYSTEM_ERROR, "001"); /* one command at a time */
    else
        on_command(sim, &m);
    explicit_bzero(&m, sizeof m);
}

static void read_client(struct tpi_sim *sim)
{
    char buffer[512];
    ssize_t got = recv(sim->client_fd, buffer, sizeof buffer, 0);
    if (got <= 0) {
        close(sim->client_fd);
        sim->client_fd = -1;
        return;
    }
    if (sim->panel->silent)
        return;
    for (size_t used = 0; used < (size_t)got && sim->client_fd >= 0;) {
        bool complete = false;
        used += panel_tpi_reader_feed(&sim->reader, buffer + used, (size_t)got - used, &complete);
        if (complete && !sim->reader.too_long && sim->reader.length > 0)
            on_line(sim, sim->reader.line, sim->reader.length);
    }
    explicit_bzero(buffer, sizeof buffer);
}

static void run_timers(struct tpi_sim *sim)
{
    int64_t now = clock_monotonic_ms();
    if (sim->work && now >= sim->work_due_ms)
        carry_out(sim);
    if (sim->report && now >= sim->report_due_ms) {
        sim->report = false;
        sim_panel_report(sim->panel, sim->report_code, sim->report_zone);
    }
    sim_panel_supervise(sim->panel);
}

int sim_panel_tpi_run(struct sim_panel *panel)
{
    struct tpi_sim sim = {.panel = panel, .client_fd = -1};
    sim.listen_fd = open_listener(panel->listen);
    if (sim.listen_fd < 0)
        return SIM_EXIT_NETWORK;
    printf("tpi: state %s\n", panel_arm_state_name(panel->state));
    fflush(stdout);
    int64_t end = clock_monotonic_ms() + (int64_t)panel->seconds * 1000;
    panel->next_null_ms = clock_monotonic_ms();
    for (int i = 0; i < panel->event_count; i++)
        sim_panel_report(panel, panel->codes[i], panel->zones[i]);
    while (clock_monotonic_ms() < end) {
        struct pollfd fds[2] = {{.fd = sim.listen_fd, .events = POLLIN},
                                {.fd = sim.client_fd, .events = POLLIN}};
        int ready = poll(fds, sim.client_fd >= 0 ? 2 : 1, TPI_SIM_TICK_MS);
        if (ready < 0 && errno != EINTR)
            break;
        if (ready > 0 && (fds[0].revents & POLLIN))
            accept_client(&sim);
        if (ready > 0 && sim.client_fd >= 0 && fds[1].fd == sim.client_fd &&
            (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
            read_client(&sim);
        run_timers(&sim);
    }
    if (sim.client_fd >= 0)
        close(sim.client_fd);
    close(sim.listen_fd);
    return SIM_EXIT_OK;
}
