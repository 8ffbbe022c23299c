/* ui_loop.c: the console's one loop. poll() watches the terminal, a
 * signalfd and the client's sockets; the wait ends at the client's next
 * timer or the next one-second tick, whichever is first. Signals arrive
 * as data on the signalfd (they are blocked), so a resize, Ctrl-C or a
 * hang-up is handled between two updates, never inside one. The client's
 * callbacks land here and are handed to the screens. */
#include "console/ui_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"

/* Keys read in one go before the screen is updated: a paste, or keys
 * that queued up over a slow link, is taken in without a redraw each. */
#define UI_KEYS_PER_PASS 64
/* What only the network changed (arrivals, counts, another console's
 * claim) is drawn at most this often: a storm of 100 alarms a second
 * costs a slow SSH link ten frames a second, not a hundred. Keys,
 * signals, the tick, a change of the link and priority-1 alerts are drawn
 * at once. */
#define UI_NEWS_FRAME_MS 100

static void signal_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGWINCH);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGTSTP);
    sigaddset(set, SIGCONT);
}

int ui_signals_open(char *error, size_t error_size)
{
    sigset_t set;
    signal_set(&set);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) {
        snprintf(error, error_size, _("cannot block signals: %s"), strerror(errno));
        return -1;
    }
    int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) {
        snprintf(error, error_size, _("cannot read signals: %s"), strerror(errno));
        sigprocmask(SIG_UNBLOCK, &set, NULL);
    }
    return fd;
}

void ui_signals_close(int fd)
{
    if (fd >= 0)
        close(fd);
    sigset_t set;
    signal_set(&set);
    /* Drop what arrived meanwhile: the loop is over. */
    struct timespec none = {0, 0};
    while (sigtimedwait(&set, NULL, &none) > 0)
        ;
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* resizeterm pushes a KEY_RESIZE, which comes back here through the keys:
 * called again for the same size, it pushes another one, and the loop
 * would read nothing but KEY_RESIZE from then on. Only a real change is
 * passed on. */
static void resize_terminal(struct ui *ui)
{
    struct winsize size;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_row > 0 && size.ws_col > 0 &&
        is_term_resized(size.ws_row, size.ws_col))
        resizeterm(size.ws_row, size.ws_col);
    ui_check_size(ui);
}

/* Ctrl-Z: the terminal is given back, the process stops, and on SIGCONT
 * the whole screen is painted again. */
static void suspend(struct ui *ui)
{
    def_prog_mode();
    endwin();
    kill(getpid(), SIGSTOP);
    reset_prog_mode();
    resize_terminal(ui);
}

static void handle_signals(struct ui *ui)
{
    struct signalfd_siginfo info;
    for (;;) {
        ssize_t got = read(ui->signal_fd, &info, sizeof info);
        if (got < 0 && errno == EINTR)
            continue;
        if (got != (ssize_t)sizeof info)
            return;
        switch (info.ssi_signo) {
        case SIGWINCH:
            resize_terminal(ui);
            break;
        case SIGINT: /* cancels a prompt or dialog, else as the quit key */
            if (!ui_overlay_key(ui, widget_key_char(WIDGET_ESCAPE)))
                ui_run_action(ui, ACTION_QUIT, NULL);
            break;
        case SIGTERM:
        case SIGHUP: /* the session is gone: leave at once, cleanly */
            log_info("ui", "signal %u: leaving", info.ssi_signo);
            ui_quit(ui, UI_EXIT_OK);
            break;
        case SIGTSTP:
            suspend(ui);
            break;
        case SIGCONT:
            ui_repaint_all(ui);
            break;
        default:
            break;
        }
    }
}

static void handle_key(struct ui *ui, int status, wint_t code)
{
    if (status == KEY_CODE_YES && code == KEY_RESIZE) {
        resize_terminal(ui);
        return;
    }
    struct widget_key key = {.function = status == KEY_CODE_YES, .code = code};
    int value = keymap_key_from_input(status, (unsigned int)code);
    if (ui->too_small) { /* only quitting means something while waiting */
        enum action action = keymap_action(ui->keymap, ACTION_SCREEN_QUEUE, value);
        if (action == ACTION_QUIT)
            ui_quit(ui, UI_EXIT_OK);
        return;
    }
    if (ui_overlay_key(ui, key))
        return;
    struct screen *screen = ui->screens[ui->current];
    enum action action = keymap_action(ui->keymap, screen->ops->keys, value);
    if (action == ACTION_NONE) {
        char name[KEYMAP_KEY_TEXT_SIZE];
        keymap_describe_key(value, name);
        char help[KEYMAP_KEY_TEXT_SIZE];
        ui_key_for_action(ui, screen->ops->keys, ACTION_HELP, help);
        ui_status(ui, STATUS_INFO, _("%s does nothing here (%s lists the keys)"), name,
                  help[0] ? help : ":help");
        return;
    }
    ui_run_action(ui, action, NULL);
}

/* False when the terminal is gone (end of file, a hang-up). A terminal
 * that hung up polls as POLLIN with POLLHUP and reads end of file: gone
 * once no key is left to read, or the loop would spin on it for ever. */
static bool read_keys(struct ui *ui, short revents)
{
    int keys_read = 0;
    for (; keys_read < UI_KEYS_PER_PASS && !ui->quit; keys_read++) {
        wint_t code;
        int status = wget_wch(stdscr, &code);
        if (status == ERR)
            break;
        handle_key(ui, status, code);
    }
    return !(revents & (POLLHUP | POLLERR | POLLNVAL)) || keys_read > 0;
}

/* True when it ticked. */
static bool tick(struct ui *ui)
{
    int64_t now = clock_monotonic_ms();
    if (now < ui->next_tick_mono)
        return false;
    ui->next_tick_mono = now + UI_TICK_MS - (now - ui->next_tick_mono) % UI_TICK_MS;
    ui_refresh_clock(ui);
    for (int id = 0; id < SCREEN_COUNT; id++)
        if (ui->screens[id]->ops->tick)
            ui->screens[id]->ops->tick(ui->screens[id]);
    if (ui->status_fade_mono && now >= ui->status_fade_mono)
        ui_status_clear(ui);
    return true;
}

static int poll_timeout(struct ui *ui)
{
    int64_t wait = ui->next_tick_mono - clock_monotonic_ms();
    int client = client_timeout_ms(ui->client);
    if (client >= 0 && client < wait)
        wait = client;
    return wait < 0 ? 0 : (int)wait;
}

int ui_loop(struct ui *ui)
{
    struct pollfd fds[2 + CLIENT_POLL_MAX];
    ui->next_tick_mono = clock_monotonic_ms();
    int64_t next_frame = 0; /* monotonic: news may be drawn from then on */
    bool at_once = true;
    while (!ui->quit) {
        at_once |= tick(ui) || ui->reloaded;
        ui->reloaded = false;
        int64_t now = clock_monotonic_ms();
        bool drawn = at_once || ui->alerts > 0 || now >= next_frame;
        if (drawn) {
            ui_draw(ui);
            ui_alerts_flush(ui);
            next_frame = now + UI_NEWS_FRAME_MS;
            at_once = false;
        }
        fds[0] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
        fds[1] = (struct pollfd){.fd = ui->signal_fd, .events = POLLIN};
        size_t count = client_poll_fds(ui->client, fds + 2, CLIENT_POLL_MAX);
        int timeout = poll_timeout(ui);
        if (!drawn && next_frame - now < timeout) /* news waits for its frame */
            timeout = next_frame > now ? (int)(next_frame - now) : 0;
        int ready = poll(fds, 2 + count, timeout);
        if (ready < 0 && errno != EINTR) {
            log_error("ui", "poll: %s", strerror(errno));
            return UI_EXIT_CANNOT_START;
        }
        if (ready < 0)
            continue;
        at_once |= fds[0].revents || fds[1].revents;
        if (fds[1].revents & POLLIN)
            handle_signals(ui);
        if (fds[0].revents && !read_keys(ui, fds[0].revents)) {
            log_info("ui", "the terminal is gone: leaving");
            ui_quit(ui, UI_EXIT_OK);
        }
        enum client_link link = client_link_state(ui->client);
        client_process(ui->client, fds + 2, count);
        at_once |= client_link_state(ui->client) != link;
        ui_refresh_clock(ui);
    }
    return ui->exit_status;
}

/* ---- client callbacks ---- */

static void on_alarm_changed(void *context, const struct console_alarm *alarm,
                             enum model_change change)
{
    struct ui *ui = context;
    if (!ui->running)
        return;
    ui_refresh_clock(ui);
    for (int id = 0; id < SCREEN_COUNT; id++)
        if (ui->screens[id]->ops->alarm_changed)
            ui->screens[id]->ops->alarm_changed(ui->screens[id], alarm, change);
}

static void on_model_reloaded(void *context)
{
    struct ui *ui = context;
    if (!ui->running)
        return;
    ui_refresh_clock(ui);
    ui->reloaded = true;
    for (int id = 0; id < SCREEN_COUNT; id++)
        if (ui->screens[id]->ops->model_reloaded)
            ui->screens[id]->ops->model_reloaded(ui->screens[id]);
}

static void on_link_changed(void *context, enum client_link link, const char *why)
{
    struct ui *ui = context;
    if (!ui->running)
        return;
    const char *url = client_server_url(ui->client);
    url = url ? url : "";
    switch (link) {
    case CLIENT_LINK_LIVE:
        /* Good news does not hide a theme's warning: the header says
         * LIVE anyway. */
        if (ui->status_pinned)
            break;
        ui_status(ui, STATUS_INFO, _("Live: connected to %s"), url);
        break;
    case CLIENT_LINK_CONNECTING:
        ui_status(ui, STATUS_WARN, _("Connecting to %s%s%s"), url, why && why[0] ? ": " : "",
                  why ? why : "");
        break;
    case CLIENT_LINK_LOST:
        ui_status(ui, STATUS_ERROR, _("Backend lost%s%s"), why && why[0] ? ": " : "",
                  why ? why : "");
        break;
    }
}

static void on_action_done(void *context, int request_id, bool ok, const char *message)
{
    struct ui *ui = context;
    if (ui->running)
        actions_run_done(ui->runner, request_id, ok, message);
}

static void on_document_loaded(void *context, int request_id, int http_status, const cJSON *body)
{
    struct ui *ui = context;
    if (!ui->running || actions_run_document(ui->runner, request_id, http_status, body))
        return;
    for (int id = 0; id < SCREEN_COUNT; id++)
        if (ui->screens[id]->ops->document_loaded &&
            ui->screens[id]->ops->document_loaded(ui->screens[id], request_id, http_status, body))
            return;
}

struct client_callbacks ui_client_callbacks(struct ui *ui)
{
    return (struct client_callbacks){
        .context = ui,
        .alarm_changed = on_alarm_changed,
        .model_reloaded = on_model_reloaded,
        .link_changed = on_link_changed,
        .action_done = on_action_done,
        .document_loaded = on_document_loaded,
    };
}
