/* main.c: vigie, the operators' console. Reads the settings file, then the
 * options (which win), asks the password without echo before the screen
 * exists (or takes VIGIE_TOKEN), logs in, and hands over to the ui loop.
 * From then on standard error goes to a log file, so that nothing but the
 * screen ever reaches the terminal. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "common/i18n.h"
#include "common/log.h"
#include "console/client.h"
#include "console/config.h"
#include "console/keymap.h"
#include "console/model.h"
#include "console/ui.h"

/* A password typed at a prompt: long passphrases fit. */
#define MAIN_PASSWORD_MAX 256
/* Bytes of a sentence for the terminal. */
#define MAIN_ERROR_MAX 1024

static void usage(FILE *out)
{
    fprintf(out, "%s",
            _("usage: vigie [--server URL[,URL...]] [--user NAME] [--read-only]\n"
              "             [--theme NAME] [--keys FILE] [--config FILE]\n"
              "             [--charset auto|unicode|ascii] | --help | --version\n"
              "The password is asked without echo, unless VIGIE_TOKEN holds a session token.\n"
              "Settings: $XDG_CONFIG_HOME/vigie/config (or VIGIE_CONFIG); see vigie(1).\n"
              "Exit status: 0 quit, 1 cannot start (login refused, no server, no terminal),\n"
              "2 usage.\n"));
}

/* Applies one option through the same checks as the settings file. */
static bool apply(struct console_config *config, const char *key, const char *value)
{
    char error[CONFIG_FILE_WARNING_SIZE];
    if (console_config_set(config, key, value, error, sizeof error))
        return true;
    fprintf(stderr, "vigie: --%s: %s\n", key, error);
    return false;
}

struct options {
    const char *config_file;
    const char *pairs[16][2]; /* key, value in the order given */
    size_t count;
};

/* Returns -1 to go on, or an exit status. */
static int parse_options(int argc, char **argv, struct options *options)
{
    static const struct option longs[] = {
        {"server", required_argument, NULL, 's'},  {"user", required_argument, NULL, 'u'},
        {"read-only", no_argument, NULL, 'r'},     {"theme", required_argument, NULL, 't'},
        {"keys", required_argument, NULL, 'k'},    {"config", required_argument, NULL, 'c'},
        {"charset", required_argument, NULL, 'C'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},       {NULL, 0, NULL, 0},
    };
    int option;
    while ((option = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        const char *key = NULL, *value = optarg;
        switch (option) {
        case 's':
            key = "server";
            break;
        case 'u':
            key = "user";
            break;
        case 'r':
            key = "read-only", value = "yes";
            break;
        case 't':
            key = "theme";
            break;
        case 'k':
            key = "keys";
            break;
        case 'C':
            key = "charset";
            break;
        case 'c':
            options->config_file = optarg;
            break;
        case 'h':
            usage(stdout);
            return UI_EXIT_OK;
        case 'V':
            printf("vigie %s\n", VIGIE_VERSION);
            return UI_EXIT_OK;
        default:
            usage(stderr);
            return UI_EXIT_USAGE;
        }
        if (key && options->count < sizeof options->pairs / sizeof options->pairs[0]) {
            options->pairs[options->count][0] = key;
            options->pairs[options->count++][1] = value;
        }
    }
    if (optind < argc) {
        fprintf(stderr, _("vigie: unexpected argument '%s'\n"), argv[optind]);
        usage(stderr);
        return UI_EXIT_USAGE;
    }
    return -1;
}

static void print_warnings(const struct config_file_warnings *warnings)
{
    for (size_t i = 0; i < warnings->count; i++)
        fprintf(stderr, _("vigie: warning: %s\n"), warnings->text[i]);
    if (warnings->dropped)
        fprintf(stderr, _("vigie: warning: %zu more warnings\n"), warnings->dropped);
}

/* Settings: the file, then the options. Returns -1 or an exit status. */
static int load_settings(struct console_config *config, struct keymap *keymap,
                         const struct options *options, struct config_file_warnings *warnings)
{
    console_config_defaults(config);
    char path[CONSOLE_CONFIG_PATH_SIZE];
    if (options->config_file)
        snprintf(path, sizeof path, "%s", options->config_file);
    if ((options->config_file || console_config_file_path(path)) &&
        console_config_load(config, path, warnings) == CONFIG_FILE_MISSING &&
        options->config_file) {
        fprintf(stderr, _("vigie: --config %s: no such file\n"), path);
        return UI_EXIT_USAGE;
    }
    for (size_t i = 0; i < options->count; i++)
        if (!apply(config, options->pairs[i][0], options->pairs[i][1]))
            return UI_EXIT_USAGE;
    if (config->server_count == 0) {
        fprintf(stderr, "%s",
                _("vigie: no server: give --server URL or set server in the "
                  "settings file\n"));
        return UI_EXIT_USAGE;
    }
    const char *login = getenv("USER");
    if (!config->user[0] && login && login[0] && !apply(config, "user", login))
        return UI_EXIT_USAGE;
    keymap_init(keymap);
    keymap_load_defaults(keymap, warnings);
    if (console_config_keys_path(config, path))
        keymap_load_file(keymap, path, warnings);
    return -1;
}

static volatile sig_atomic_t prompt_interrupted;

static void on_prompt_signal(int signal_number)
{
    (void)signal_number;
    prompt_interrupted = 1;
}

/* Reads one line from the terminal with echo off; false on end of file
 * or Ctrl-C. The terminal is put back in every case. */
static bool ask_password(const char *user, const char *url, char *out, size_t size)
{
    fprintf(stderr, _("Password for %s on %s: "), user, url);
    fflush(stderr);
    struct termios saved, quiet;
    bool tty = tcgetattr(STDIN_FILENO, &saved) == 0;
    if (tty) {
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        quiet.c_lflag |= ECHONL;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    struct sigaction action = {.sa_handler = on_prompt_signal}, old_int, old_term;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int); /* no SA_RESTART: read() returns */
    sigaction(SIGTERM, &action, &old_term);
    size_t length = 0;
    bool ok = false;
    while (!prompt_interrupted) {
        char c;
        ssize_t got = read(STDIN_FILENO, &c, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        if (c == '\n' || c == '\r') {
            ok = true;
            break;
        }
        if (length + 1 < size)
            out[length++] = c;
    }
    out[length] = '\0';
    if (tty)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (!ok)
        fputc('\n', stderr);
    return ok && !prompt_interrupted;
}

/* Standard error goes to $XDG_STATE_HOME/vigie/vigie.log (or
 * ~/.local/state/vigie/vigie.log); returns a copy of the terminal's
 * standard error for the last words. */
static int redirect_log(void)
{
    int terminal = dup(STDERR_FILENO);
    char path[CONSOLE_CONFIG_PATH_SIZE] = "/dev/null";
    const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    char dir[CONSOLE_CONFIG_PATH_SIZE] = "";
    if (state && state[0] == '/')
        snprintf(dir, sizeof dir, "%s/vigie", state);
    else if (home && home[0])
        snprintf(dir, sizeof dir, "%s/.local/state/vigie", home);
    if (dir[0]) {
        char parent[CONSOLE_CONFIG_PATH_SIZE];
        snprintf(parent, sizeof parent, "%s", dir);
        for (char *slash = strchr(parent + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
            *slash = '\0';
            mkdir(parent, 0700);
            *slash = '/';
        }
        mkdir(dir, 0700);
        int length = snprintf(path, sizeof path, "%s/vigie.log", dir);
        if (length < 0 || (size_t)length >= sizeof path)
            snprintf(path, sizeof path, "/dev/null");
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    return terminal;
}

static void say(int fd, const char *format, const char *text)
{
    dprintf(fd >= 0 ? fd : STDERR_FILENO, format, text);
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    i18n_init();
    struct options options = {0};
    int status = parse_options(argc, argv, &options);
    if (status >= 0)
        return status;
    static struct console_config config;
    static struct keymap keymap;
    static struct config_file_warnings warnings;
    config_file_warnings_init(&warnings);
    status = load_settings(&config, &keymap, &options, &warnings);
    print_warnings(&warnings);
    if (status >= 0)
        return status;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "%s", _("vigie: needs a terminal on its input and output\n"));
        return UI_EXIT_CANNOT_START;
    }
    char password[MAIN_PASSWORD_MAX] = "";
    const char *token = getenv("VIGIE_TOKEN");
    if ((!token || !token[0]) &&
        !ask_password(config.user, config.servers[0], password, sizeof password))
        return UI_EXIT_CANNOT_START;

    int terminal = redirect_log();
    log_info("vigie", "vigie %s starting as %s", VIGIE_VERSION, config.user);
    struct client_options client_options = {
        .server_count = config.server_count,
        .username = config.user,
        .password = token && token[0] ? NULL : password,
        .token = token && token[0] ? token : NULL,
    };
    for (size_t i = 0; i < config.server_count; i++)
        client_options.servers[i] = config.servers[i];
    struct model *model = model_new();
    struct ui *ui = ui_new(&config, &keymap, &warnings);
    char error[MAIN_ERROR_MAX] = "";
    struct client_callbacks callbacks = ui ? ui_client_callbacks(ui) : (struct client_callbacks){0};
    struct client *client =
        model && ui ? client_start(&client_options, model, &callbacks, error, sizeof error) : NULL;
    explicit_bzero(password, sizeof password);
    if (!client) {
        say(terminal, "vigie: %s\n", error[0] ? error : _("cannot start"));
        status = UI_EXIT_CANNOT_START;
    } else {
        status = ui_run(ui, client, model, error, sizeof error);
        if (status != UI_EXIT_OK)
            say(terminal, "vigie: %s\n", error[0] ? error : _("the console stopped"));
    }
    if (client)
        client_free(client);
    ui_free(ui);
    model_free(model);
    log_info("vigie", "vigie stopped (status %d)", status);
    if (terminal >= 0)
        close(terminal);
    return status;
}
