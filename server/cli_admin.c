/* cli_admin.c: the administrator's commands: `vigied init`, `vigied user`
 * and `vigied audit verify`. They open the store directly, so they are
 * run with vigied stopped or beside it (SQLite serialises the writers). */
#include "server/accounts.h"
#include "server/cli.h"
#include "server/demo_data.h"
#include "common/i18n.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

int cli_open_store(const struct server_config *config, bool create, struct store **out)
{
    struct store_options options = {.create = create,
                                    .claim_lease_ms = config->claim_lease_ms,
                                    .event_retention = config->event_retention};
    struct store_error error = {{0}};
    if (store_open(config->db_path, &options, out, &error) != STORE_OK) {
        fprintf(stderr, "vigied: %s\n", error.message);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

static struct password_cost cost_of(const struct server_config *config)
{
    return (struct password_cost){config->argon2_memory_kib, config->argon2_iterations};
}

int cli_init(struct server_config *config, int argc, char **argv)
{
    argc = cli_split_options(argc, argv, config);
    if (argc < 0)
        return CLI_EXIT_USAGE;
    bool demo = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--demo") == 0) {
            demo = true;
        } else {
            fprintf(stderr, _("vigied init: unexpected argument \"%s\"\n"), argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    struct store *store = NULL;
    if (cli_open_store(config, true, &store) != CLI_EXIT_OK)
        return CLI_EXIT_FAILURE;
    int status = CLI_EXIT_OK;
    if (demo) {
        char error[512] = "";
        struct password_cost cost = cost_of(config);
        if (demo_data_load(store, &cost, stdout, error, sizeof error) != STORE_OK) {
            fprintf(stderr, _("vigied init: cannot load the demo data: %s\n"), error);
            status = CLI_EXIT_FAILURE;
        }
    }
    if (status == CLI_EXIT_OK)
        printf(_("database %s ready (schema version %d)\n"), config->db_path,
               store_schema_version(store));
    store_close(store);
    return status;
}

/* Reads a password without echo from a terminal (asked twice), or one line
 * from standard input when it is not a terminal, so scripts can pipe it. */
static bool read_password(char *out, size_t size)
{
    bool terminal = isatty(STDIN_FILENO);
    struct termios saved, quiet;
    char again[PASSWORD_MAX + 2];
    for (int round = 0; round < (terminal ? 2 : 1); round++) {
        char *target = round == 0 ? out : again;
        size_t target_size = round == 0 ? size : sizeof again;
        if (terminal) {
            fprintf(stderr, "%s", round == 0 ? _("Password: ") : _("Password again: "));
            tcgetattr(STDIN_FILENO, &saved);
            quiet = saved;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        }
        char *line = fgets(target, (int)target_size, stdin);
        if (terminal) {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
            fputc('\n', stderr);
        }
        if (!line)
            return false;
        target[strcspn(target, "\r\n")] = '\0';
    }
    if (terminal && strcmp(out, again) != 0) {
        fprintf(stderr, _("vigied: the two passwords differ\n"));
        return false;
    }
    return true;
}

static int user_add(struct store *store, const struct server_config *config, int argc, char **argv)
{
    const char *name = NULL, *display = NULL;
    enum role role = ROLE_OPERATOR;
    bool role_given = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--role") == 0 && i + 1 < argc) {
            if (!role_parse(argv[++i], &role)) {
                fprintf(stderr, _("vigied: role must be operator, supervisor or admin\n"));
                return CLI_EXIT_USAGE;
            }
            role_given = true;
        } else if (strcmp(argv[i], "--display-name") == 0 && i + 1 < argc) {
            display = argv[++i];
        } else if (argv[i][0] != '-' && !name) {
            name = argv[i];
        } else {
            fprintf(stderr, _("vigied user add: unexpected argument \"%s\"\n"), argv[i]);
            return CLI_EXIT_USAGE;
        }
    }
    if (!name || !role_given) {
        fprintf(stderr, _("usage: vigied user add NAME --role operator|supervisor|admin\n"));
        return CLI_EXIT_USAGE;
    }
    char password[PASSWORD_MAX + 2];
    if (!read_password(password, sizeof password)) {
        fprintf(stderr, _("vigied: no password given\n"));
        return CLI_EXIT_FAILURE;
    }
    struct actor actor;
    actor_system(&actor);
    snprintf(actor.username, sizeof actor.username, "cli");
    char message[256];
    struct password_cost cost = cost_of(config);
    int status = account_create(store, &actor, name, display, role, password, &cost, message,
                                sizeof message);
    memset(password, 0, sizeof password);
    if (status != STORE_OK) {
        fprintf(stderr, "vigied: %s\n", message);
        return CLI_EXIT_FAILURE;
    }
    printf(_("user %s added with role %s\n"), name, role_name(role));
    return CLI_EXIT_OK;
}

static void print_user(void *context, const struct store_user *user)
{
    (void)context;
    printf("%-20s %-11s %-9s %s\n", user->username, role_name(user->role),
           user->disabled ? _("disabled") : _("active"), user->display_name);
}

int cli_user(struct server_config *config, int argc, char **argv)
{
    argc = cli_split_options(argc, argv, config);
    if (argc < 1) {
        fprintf(stderr, _("usage: vigied user add|list|disable|enable ...\n"));
        return CLI_EXIT_USAGE;
    }
    const char *verb = argv[0];
    bool known = strcmp(verb, "add") == 0 || strcmp(verb, "list") == 0 ||
                 strcmp(verb, "disable") == 0 || strcmp(verb, "enable") == 0;
    if (!known || ((strcmp(verb, "disable") == 0 || strcmp(verb, "enable") == 0) && argc != 2)) {
        fprintf(stderr, _("usage: vigied user add|list|disable NAME|enable NAME\n"));
        return CLI_EXIT_USAGE;
    }
    struct store *store = NULL;
    if (cli_open_store(config, false, &store) != CLI_EXIT_OK)
        return CLI_EXIT_FAILURE;
    int status = CLI_EXIT_OK;
    struct store_error error = {{0}};
    if (strcmp(verb, "add") == 0) {
        status = user_add(store, config, argc - 1, argv + 1);
    } else if (strcmp(verb, "list") == 0) {
        if (store_users_list(store, print_user, NULL, &error) != STORE_OK) {
            fprintf(stderr, "vigied: %s\n", error.message);
            status = CLI_EXIT_FAILURE;
        }
    } else {
        struct actor actor;
        actor_system(&actor);
        snprintf(actor.username, sizeof actor.username, "cli");
        bool disable = strcmp(verb, "disable") == 0;
        if (store_user_set_disabled(store, &actor, argv[1], disable, &error) != STORE_OK) {
            fprintf(stderr, "vigied: %s\n", error.message);
            status = CLI_EXIT_FAILURE;
        } else {
            printf(disable ? _("user %s disabled\n") : _("user %s enabled\n"), argv[1]);
        }
    }
    store_close(store);
    return status;
}

int cli_audit(struct server_config *config, int argc, char **argv)
{
    argc = cli_split_options(argc, argv, config);
    if (argc != 1 || strcmp(argv[0], "verify") != 0) {
        fprintf(stderr, _("usage: vigied audit verify --db PATH\n"));
        return CLI_EXIT_USAGE;
    }
    struct store *store = NULL;
    if (cli_open_store(config, false, &store) != CLI_EXIT_OK)
        return CLI_EXIT_FAILURE;
    struct store_audit_report report;
    struct store_error error = {{0}};
    int status = CLI_EXIT_OK;
    if (store_audit_verify(store, &report, &error) != STORE_OK) {
        fprintf(stderr, "vigied: %s\n", error.message);
        status = CLI_EXIT_FAILURE;
    } else if (report.first_bad_row != 0) {
        printf(_("audit chain BROKEN at row %lld: %s\n"), (long long)report.first_bad_row,
               report.problem);
        status = CLI_EXIT_AUDIT;
    } else {
        printf(_("audit chain intact: %lld rows verified\n"), (long long)report.rows_checked);
    }
    store_close(store);
    return status;
}
