/* cli_account.c: `vigied account add|set|list`: the SIA DC-09 accounts a
 * centre receives from, and their settings. A running vigied picks changes
 * up within two seconds. */
#include "server/cli.h"
#include "server/dc09.h"
#include "server/schedule.h"
#include "server/store_accounts.h"
#include "common/i18n.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
    fprintf(stderr, "%s",
            _("usage: vigied account add ACCT --site SITE [--key HEX] [--window -40,+20]\n"
              "                          [--tz ZONE] [--crc ascii|binary] [--supervision S]\n"
              "       vigied account set ACCT [the same options]\n"
              "       vigied account list\n"));
}

static bool account_valid(const char *account)
{
    size_t length = strlen(account);
    if (length < 3 || length > 16)
        return false;
    for (size_t i = 0; i < length; i++)
        if (!isxdigit((unsigned char)account[i]))
            return false;
    return true;
}

/* "-40,+20": seconds a frame may be stamped before and after our clock. */
static bool parse_window(const char *text, struct account_settings *settings)
{
    int before = 0, after = 0;
    char tail;
    if (sscanf(text, "%d,%d%c", &before, &after, &tail) != 2 || before > 0 || after < 0 ||
        before < -3600 || after > 3600)
        return false;
    settings->window_before_s = -before;
    settings->window_after_s = after;
    return true;
}

static bool parse_option(const char *option, const char *value, struct account_settings *s,
                         unsigned *fields)
{
    char why[160];
    if (strcmp(option, "--site") == 0) {
        char *end = NULL;
        s->site_id = strtoll(value, &end, 10);
        *fields |= ACCOUNT_FIELD_SITE;
        return end && *end == '\0' && s->site_id > 0;
    }
    if (strcmp(option, "--key") == 0) {
        struct dc09_key key;
        if (value[0] && !dc09_key_from_hex(value, &key)) {
            fprintf(stderr, _("vigied: a key is 32, 48 or 64 hex digits (AES-128/192/256)\n"));
            return false;
        }
        snprintf(s->key_hex, sizeof s->key_hex, "%s", value);
        *fields |= ACCOUNT_FIELD_KEY;
        return true;
    }
    if (strcmp(option, "--window") == 0) {
        *fields |= ACCOUNT_FIELD_WINDOW;
        return parse_window(value, s);
    }
    if (strcmp(option, "--tz") == 0) {
        int weekday, minute;
        if (value[0] && !schedule_local_time(value, 0, &weekday, &minute, why, sizeof why)) {
            fprintf(stderr, "vigied: %s\n", why);
            return false;
        }
        snprintf(s->timezone, sizeof s->timezone, "%s", value);
        *fields |= ACCOUNT_FIELD_TIMEZONE;
        return true;
    }
    if (strcmp(option, "--crc") == 0) {
        s->crc_binary = strcmp(value, "binary") == 0;
        *fields |= ACCOUNT_FIELD_CRC;
        return s->crc_binary || strcmp(value, "ascii") == 0;
    }
    if (strcmp(option, "--supervision") == 0) {
        char *end = NULL;
        long seconds = strtol(value, &end, 10);
        s->supervision_s = (int)seconds;
        *fields |= ACCOUNT_FIELD_SUPERVISION;
        return end && *end == '\0' && seconds >= 0 && seconds <= 7 * 86400;
    }
    return false;
}

static void print_account(void *context, const struct account_settings *s)
{
    (void)context;
    printf("%-16s site %-5lld %-24.24s key %-4s window -%d,+%d crc %-6s tz %-16s "
           "supervision %ds\n",
           s->account, (long long)s->site_id, s->site_name, s->key_hex[0] ? "yes" : "no",
           s->window_before_s, s->window_after_s, s->crc_binary ? "binary" : "ascii",
           s->timezone[0] ? s->timezone : "(site's)", s->supervision_s);
}

int cli_account(struct server_config *config, int argc, char **argv)
{
    argc = cli_split_options(argc, argv, config);
    bool list = argc == 1 && strcmp(argv[0], "list") == 0;
    bool add = argc >= 2 && strcmp(argv[0], "add") == 0;
    bool set = argc >= 2 && strcmp(argv[0], "set") == 0;
    if (!list && !add && !set) {
        usage();
        return CLI_EXIT_USAGE;
    }
    struct account_settings settings;
    account_settings_defaults(&settings);
    unsigned fields = 0;
    if (!list) {
        snprintf(settings.account, sizeof settings.account, "%s", argv[1]);
        for (size_t i = 0; settings.account[i]; i++)
            settings.account[i] = (char)toupper((unsigned char)settings.account[i]);
        if (!account_valid(settings.account)) {
            fprintf(stderr, _("vigied: an account is 3 to 16 hex digits\n"));
            return CLI_EXIT_USAGE;
        }
        for (int i = 2; i < argc; i += 2) {
            if (i + 1 >= argc || !parse_option(argv[i], argv[i + 1], &settings, &fields)) {
                fprintf(stderr, _("vigied: bad option \"%s\"\n"), argv[i]);
                usage();
                return CLI_EXIT_USAGE;
            }
        }
        if (add && !(fields & ACCOUNT_FIELD_SITE)) {
            fprintf(stderr, _("vigied: a new account needs --site\n"));
            return CLI_EXIT_USAGE;
        }
    }
    struct store *store = NULL;
    if (cli_open_store(config, false, &store) != CLI_EXIT_OK)
        return CLI_EXIT_FAILURE;
    struct actor actor;
    actor_system(&actor);
    snprintf(actor.username, sizeof actor.username, "cli");
    struct store_error error = {{0}};
    int status = list  ? store_accounts_list(store, print_account, NULL, &error)
                 : add ? store_account_add(store, &actor, &settings, &error)
                       : store_account_set(store, &actor, &settings, fields, &error);
    if (status != STORE_OK)
        fprintf(stderr, "vigied: %s\n", error.message);
    else if (!list)
        printf(add ? _("account %s added\n") : _("account %s changed\n"), settings.account);
    store_close(store);
    return status == STORE_OK ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
