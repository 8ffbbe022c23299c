/* cli_options.c: the options every vigied command accepts. A --config
 * file is read first wherever it stands, so that options on the command
 * line always override the file. */
#include "server/cli.h"
#include "common/i18n.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *option;
    const char *key;
} option_keys[] = {
    {"--db", "db"},
    {"--listen", "listen"},
    {"--node-name", "node_name"},
    {"--dc09", "dc09_listen"},
    {"--tls-cert", "tls_cert"},
    {"--tls-key", "tls_key"},
};

static int load_config_first(int argc, char **argv, struct server_config *config)
{
    for (int i = 0; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--config") != 0)
            continue;
        char error[512];
        if (!config_load_file(config, argv[i + 1], error, sizeof error)) {
            fprintf(stderr, "vigied: %s\n", error);
            return CLI_EXIT_USAGE;
        }
    }
    return CLI_EXIT_OK;
}

/* Applies argv[*i] if it is a common option: 1 taken, 0 not ours, -1 bad. */
static int take_option(int argc, char **argv, int *i, struct server_config *config)
{
    const char *arg = argv[*i];
    char error[512];
    if (strcmp(arg, "--config") == 0) {
        if (*i + 1 >= argc)
            goto missing;
        (*i)++;
        return 1;
    }
    if (strcmp(arg, "--set") == 0) {
        if (*i + 1 >= argc)
            goto missing;
        char pair[600];
        snprintf(pair, sizeof pair, "%s", argv[++*i]);
        char *equals = strchr(pair, '=');
        if (!equals) {
            fprintf(stderr, _("vigied: --set takes KEY=VALUE\n"));
            return -1;
        }
        *equals = '\0';
        if (!config_set(config, pair, equals + 1, error, sizeof error)) {
            fprintf(stderr, "vigied: --set %s\n", error);
            return -1;
        }
        return 1;
    }
    for (size_t k = 0; k < sizeof option_keys / sizeof option_keys[0]; k++) {
        if (strcmp(arg, option_keys[k].option) != 0)
            continue;
        if (*i + 1 >= argc)
            goto missing;
        if (!config_set(config, option_keys[k].key, argv[++*i], error, sizeof error)) {
            fprintf(stderr, "vigied: %s: %s\n", arg, error);
            return -1;
        }
        return 1;
    }
    return 0;
missing:
    fprintf(stderr, _("vigied: %s needs a value\n"), arg);
    return -1;
}

int cli_common_options(int argc, char **argv, struct server_config *config, int *index)
{
    if (load_config_first(argc, argv, config) != CLI_EXIT_OK)
        return CLI_EXIT_USAGE;
    int i = *index;
    for (; i < argc; i++) {
        int taken = take_option(argc, argv, &i, config);
        if (taken < 0)
            return CLI_EXIT_USAGE;
        if (taken == 0)
            break;
    }
    *index = i;
    return CLI_EXIT_OK;
}

int cli_split_options(int argc, char **argv, struct server_config *config)
{
    if (load_config_first(argc, argv, config) != CLI_EXIT_OK)
        return -1;
    int kept = 0;
    for (int i = 0; i < argc; i++) {
        int taken = take_option(argc, argv, &i, config);
        if (taken < 0)
            return -1;
        if (taken == 0)
            argv[kept++] = argv[i];
    }
    return kept;
}
