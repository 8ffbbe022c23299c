/* main.c: vigied's entry point: reads the command line and runs one
 * subcommand (serve by default, init, user, audit). */
#include "server/cli.h"
#include "common/i18n.h"

#include <stdio.h>
#include <string.h>

static void print_usage(FILE *out)
{
    fprintf(
        out, "%s",
        _("usage: vigied [serve] [--db PATH] [--listen HOST:PORT] [--config FILE]\n"
          "       vigied init --db PATH [--demo]\n"
          "       vigied user add NAME --role operator|supervisor|admin [--display-name "
          "TEXT]\n"
          "       vigied user list | user disable NAME | user enable NAME\n"
          "       vigied account add|set ACCT [--site SITE] [--key HEX] [--window -40,+20]\n"
          "                      [--tz ZONE] [--crc ascii|binary] [--supervision S]\n"
          "       vigied account list\n"
          "       vigied device add UID --kind KIND (--victim ID | --site ID) [--msisdn +33...]\n"
          "                     [--aml-key HEX] [--test-interval DAYS]\n"
          "       vigied device set UID [--msisdn N|none] [--aml-key HEX|none] [--new-token]\n"
          "       vigied device list\n"
          "       vigied agents import FILE.csv [--region CC] [--tz ZONE] [--check]\n"
          "       vigied panel set ACCT [--protocol tpi] [--address HOST:PORT] [--partition N]\n"
          "                    [--password-file FILE|-] [--code-file FILE|-]\n"
          "       vigied panel list | panel remove ACCT\n"
          "       vigied audit verify --db PATH\n"
          "       vigied mail-in [--server URL] [--recipient ADDRESS] [--sender ADDRESS] < "
          "MESSAGE\n"
          "       vigied vapid generate --out FILE | vapid public-key [--key FILE]\n"
          "options for every command: --db PATH, --config FILE, --set KEY=VALUE\n"
          "see vigied(1)\n"));
}

int main(int argc, char **argv)
{
    i18n_init();
    struct server_config config;
    config_defaults(&config);
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        print_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("vigied %s\n", VIGIE_VERSION);
        return CLI_EXIT_OK;
    }
    const char *command = "serve";
    int index = 1;
    if (argc > 1 && argv[1][0] != '-') {
        command = argv[1];
        index = 2;
    }
    if (strcmp(command, "serve") == 0) {
        if (cli_common_options(argc, argv, &config, &index) != CLI_EXIT_OK)
            return CLI_EXIT_USAGE;
        if (index < argc) {
            fprintf(stderr, _("vigied: unexpected argument \"%s\"\n"), argv[index]);
            print_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        return cli_serve(&config);
    }
    if (strcmp(command, "init") == 0)
        return cli_init(&config, argc - index, argv + index);
    if (strcmp(command, "user") == 0)
        return cli_user(&config, argc - index, argv + index);
    if (strcmp(command, "account") == 0)
        return cli_account(&config, argc - index, argv + index);
    if (strcmp(command, "panel") == 0)
        return cli_panel(&config, argc - index, argv + index);
    if (strcmp(command, "agents") == 0)
        return cli_agents(&config, argc - index, argv + index);
    if (strcmp(command, "device") == 0)
        return cli_device(&config, argc - index, argv + index);
    if (strcmp(command, "audit") == 0)
        return cli_audit(&config, argc - index, argv + index);
    if (strcmp(command, "mail-in") == 0)
        return cli_mail_in(&config, argc - index, argv + index);
    if (strcmp(command, "vapid") == 0)
        return cli_vapid(&config, argc - index, argv + index);
    fprintf(stderr, _("vigied: unknown command \"%s\"\n"), command);
    print_usage(stderr);
    return CLI_EXIT_USAGE;
}
