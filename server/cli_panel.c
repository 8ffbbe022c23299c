/* cli_panel.c: `vigied panel set|remove|list`: how vigied reaches each
 * panel's control interface, for remote arm/disarm. A panel is named by
 * its DC-09 account. Secrets (the interface's password, the centre's user
 * code) are read from a file or from standard input, never from the
 * command line where `ps` and shell histories would show them, and are
 * never printed: `list` says only whether each is set. */
#include "server/cli.h"
#include "server/store_panel_commands.h"
#include "common/i18n.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
    fprintf(stderr, "%s",
            _("usage: vigied panel set ACCT [--protocol tpi] [--address HOST:PORT]\n"
              "                        [--partition N] [--password-file FILE|-]\n"
              "                        [--code-file FILE|-]\n"
              "       vigied panel remove ACCT\n"
              "       vigied panel list\n"
              "  a secret file holds the secret on its first line; - reads it from standard\n"
              "  input (the password first when both are -)\n"));
}

/* The first line of FILE ("-": the next line of standard input). */
static bool read_secret(const char *path, char *out, size_t size)
{
    FILE *file = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!file) {
        fprintf(stderr, _("vigied: cannot read %s: %s\n"), path, strerror(errno));
        return false;
    }
    char line[256];
    bool ok = fgets(line, sizeof line, file) != NULL;
    if (file != stdin)
        fclose(file);
    if (!ok) {
        fprintf(stderr, _("vigied: %s holds no line\n"), path);
        return false;
    }
    line[strcspn(line, "\r\n")] = '\0';
    ok = strlen(line) < size;
    if (ok)
        snprintf(out, size, "%s", line);
    else
        fprintf(stderr, _("vigied: the secret in %s is too long\n"), path);
    explicit_bzero(line, sizeof line);
    return ok;
}

static bool address_valid(const char *address)
{
    const char *colon = strrchr(address, ':');
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    return colon && colon != address && end && *end == '\0' && port >= 1 && port <= 65535;
}

static bool code_valid(const char *code)
{
    size_t length = strlen(code);
    for (size_t i = 0; i < length; i++)
        if (!isdigit((unsigned char)code[i]))
            return false;
    return length >= 4 && length < PANEL_CODE_MAX;
}

static bool parse_option(const char *option, const char *value, struct panel_link *link,
                         unsigned *fields)
{
    if (strcmp(option, "--protocol") == 0) {
        *fields |= PANEL_LINK_PROTOCOL;
        snprintf(link->protocol, sizeof link->protocol, "%s", value);
        if (panel_driver_find(value))
            return true;
        fprintf(stderr, _("vigied: unknown panel protocol \"%s\" (known: %s)\n"), value,
                panel_driver_at(0)->name);
        return false;
    }
    if (strcmp(option, "--address") == 0) {
        *fields |= PANEL_LINK_ADDRESS;
        snprintf(link->address, sizeof link->address, "%s", value);
        if (strlen(value) < sizeof link->address && address_valid(value))
            return true;
        fprintf(stderr, "%s", _("vigied: an address is HOST:PORT\n"));
        return false;
    }
    if (strcmp(option, "--partition") == 0) {
        char *end = NULL;
        link->partition = (int)strtol(value, &end, 10);
        *fields |= PANEL_LINK_PARTITION;
        return end && *end == '\0' && link->partition >= 1 &&
               link->partition <= PANEL_PARTITION_MAX;
    }
    if (strcmp(option, "--password-file") == 0) {
        *fields |= PANEL_LINK_PASSWORD;
        return read_secret(value, link->password, sizeof link->password);
    }
    if (strcmp(option, "--code-file") == 0) {
        *fields |= PANEL_LINK_CODE;
        if (!read_secret(value, link->user_code, sizeof link->user_code))
            return false;
        if (!link->user_code[0] || code_valid(link->user_code))
            return true;
        fprintf(stderr, _("vigied: a user code is 4 to %d digits\n"), PANEL_CODE_MAX - 1);
        return false;
    }
    return false;
}

static void print_link(void *context, const struct panel_link_summary *link)
{
    (void)context;
    printf("%-16s site %-5lld %-24.24s %-6s %-24s partition %d password %-3s code %s\n",
           link->account, (long long)link->site_id, link->site_name, link->protocol, link->address,
           link->partition, link->password_set ? _("set") : _("no"),
           link->code_set ? _("set") : _("no"));
}

static int run(struct server_config *config, const char *command, const char *account,
               const struct panel_link *link, unsigned fields)
{
    struct store *store = NULL;
    if (cli_open_store(config, false, &store) != CLI_EXIT_OK)
        return CLI_EXIT_FAILURE;
    struct actor actor;
    actor_system(&actor);
    snprintf(actor.username, sizeof actor.username, "cli");
    struct store_error error = {{0}};
    int status;
    if (strcmp(command, "list") == 0)
        status = store_panel_links_list(store, print_link, NULL, &error);
    else if (strcmp(command, "remove") == 0)
        status = store_panel_link_remove(store, &actor, account, &error);
    else
        status = store_panel_link_set(store, &actor, account, link, fields, &error);
    if (status != STORE_OK)
        fprintf(stderr, "vigied: %s\n", error.message);
    else if (strcmp(command, "set") == 0)
        printf(_("panel link of account %s saved\n"), account);
    else if (strcmp(command, "remove") == 0)
        printf(_("panel link of account %s removed\n"), account);
    store_close(store);
    return status == STORE_OK ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

int cli_panel(struct server_config *config, int argc, char **argv)
{
    argc = cli_split_options(argc, argv, config);
    bool list = argc == 1 && strcmp(argv[0], "list") == 0;
    bool remove = argc == 2 && strcmp(argv[0], "remove") == 0;
    bool set = argc >= 2 && strcmp(argv[0], "set") == 0;
    if (!list && !remove && !set) {
        usage();
        return CLI_EXIT_USAGE;
    }
    char account[ALARM_ACCOUNT_MAX] = "";
    struct panel_link link = {.partition = 1};
    unsigned fields = 0;
    if (!list) {
        snprintf(account, sizeof account, "%s", argv[1]);
        for (size_t i = 0; account[i]; i++)
            account[i] = (char)toupper((unsigned char)account[i]);
    }
    for (int i = 2; set && i < argc; i += 2) {
        if (i + 1 >= argc || !parse_option(argv[i], argv[i + 1], &link, &fields)) {
            explicit_bzero(&link, sizeof link);
            fprintf(stderr, _("vigied: bad option \"%s\"\n"), argv[i]);
            usage();
            return CLI_EXIT_USAGE;
        }
    }
    if (set && fields == 0) {
        usage();
        return CLI_EXIT_USAGE;
    }
    int status = run(config, argv[0], account, &link, fields);
    explicit_bzero(&link, sizeof link);
    return status;
}
