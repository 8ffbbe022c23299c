/* cli_device.c: `vigied device add|set|list`: the protection phones and
 * lone-worker devices a centre receives from. A new device's token is
 * printed once, as `vigied init --demo` prints the demo's; the store keeps
 * only its hash. A running vigied sees changes at the device's next
 * message. */
#include "server/aml.h"
#include "server/cli.h"
#include "server/password.h"
#include "server/store_device_admin.h"
#include "server/store_directory.h"
#include "common/i18n.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
    fprintf(stderr, "%s",
            _("usage: vigied device add UID --kind protection-phone|lone-worker\n"
              "                         (--victim ID | --site ID) [--msisdn +33...]\n"
              "                         [--aml-key HEX] [--test-interval DAYS]\n"
              "       vigied device set UID [--msisdn +33...|none] [--aml-key HEX|none]\n"
              "                         [--new-token] [--test-interval DAYS]\n"
              "       vigied device list\n"));
}

static bool parse_id(const char *text, int64_t *out)
{
    char *end = NULL;
    long long value = strtoll(text, &end, 10);
    *out = value;
    return end && end != text && *end == '\0' && value > 0;
}

/* Returns false with a message printed for a value it refuses. */
static bool parse_option(const char *option, const char *value, struct device_settings *s,
                         unsigned *fields)
{
    if (strcmp(option, "--kind") == 0) {
        snprintf(s->kind, sizeof s->kind, "%s", value);
        return true;
    }
    if (strcmp(option, "--victim") == 0)
        return parse_id(value, &s->victim_id);
    if (strcmp(option, "--site") == 0)
        return parse_id(value, &s->site_id);
    if (strcmp(option, "--msisdn") == 0) {
        const char *number = strcmp(value, "none") == 0 ? "" : value;
        if (number[0] && !device_msisdn_valid(number)) {
            fprintf(stderr, _("vigied: a number is in E.164 form: +33612345678\n"));
            return false;
        }
        snprintf(s->msisdn, sizeof s->msisdn, "%s", number);
        *fields |= DEVICE_FIELD_MSISDN;
        return true;
    }
    if (strcmp(option, "--aml-key") == 0) {
        const char *hex = strcmp(value, "none") == 0 ? "" : value;
        uint8_t key[AML_KEY_BYTES_MAX];
        size_t length = 0;
        bool valid = !hex[0] || aml_key_from_hex(hex, key, &length);
        OPENSSL_cleanse(key, sizeof key);
        if (!valid) {
            fprintf(stderr, _("vigied: an AML key is 32 to 128 hex digits\n"));
            return false;
        }
        snprintf(s->aml_key_hex, sizeof s->aml_key_hex, "%s", hex);
        *fields |= DEVICE_FIELD_AML_KEY;
        return true;
    }
    if (strcmp(option, "--test-interval") == 0) {
        char *end = NULL;
        double days = strtod(value, &end);
        /* The store's bounds: one minute to 60 days. */
        if (!end || end == value || *end || days * 86400 < DIRECTORY_TEST_INTERVAL_MIN ||
            days * 86400 > DIRECTORY_TEST_INTERVAL_MAX) {
            fprintf(stderr, _("vigied: a test interval is 0.001 to 60 days\n"));
            return false;
        }
        s->test_interval_s = (int)(days * 86400 + 0.5);
        *fields |= DEVICE_FIELD_TEST_INTERVAL;
        return true;
    }
    return false;
}

/* Parses "UID [options]" from argv[1]; --new-token takes no value. */
static bool parse_arguments(int argc, char **argv, struct device_settings *s, unsigned *fields,
                            bool *new_token)
{
    snprintf(s->uid, sizeof s->uid, "%s", argv[1]);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--new-token") == 0) {
            *new_token = true;
            continue;
        }
        if (i + 1 >= argc || !parse_option(argv[i], argv[i + 1], s, fields)) {
            fprintf(stderr, _("vigied: bad option \"%s\"\n"), argv[i]);
            return false;
        }
        i++;
    }
    return s->uid[0] != '\0' && strlen(argv[1]) < sizeof s->uid;
}

static void print_device(void *context, const struct device_summary *d)
{
    (void)context;
    char tested[32] = "never";
    if (d->last_test_at > 0) {
        time_t seconds = (time_t)(d->last_test_at / 1000);
        struct tm tm;
        strftime(tested, sizeof tested, "%Y-%m-%dT%H:%MZ", gmtime_r(&seconds, &tm));
    }
    printf("%-12s %-16s %s %-5lld %-16.16s msisdn %-16s token %-3s aml-key %-3s "
           "test every %gd, last %s\n",
           d->uid, d->kind, d->victim_id ? "victim" : "site  ",
           (long long)(d->victim_id ? d->victim_id : d->site_id), d->owner,
           d->msisdn[0] ? d->msisdn : "-", d->has_token ? "yes" : "no",
           d->has_aml_key ? "yes" : "no", d->test_interval_s / 86400.0, tested);
}

static int run(struct store *store, bool add, bool list, struct device_settings *settings,
               unsigned fields, const char *token)
{
    struct actor actor;
    actor_system(&actor);
    snprintf(actor.username, sizeof actor.username, "cli");
    struct store_error error = {{0}};
    int status = list  ? store_devices_list(store, print_device, NULL, &error)
                 : add ? store_device_register(store, &actor, settings, &error)
                       : store_device_change(store, &actor, settings, fields, &error);
    if (status != STORE_OK) {
        fprintf(stderr, "vigied: %s\n", error.message);
        return CLI_EXIT_FAILURE;
    }
    if (!list)
        printf(add ? _("device %s added\n") : _("device %s changed\n"), settings->uid);
    if (token[0])
        printf(_("token (shown once): %s\n"), token);
    return CLI_EXIT_OK;
}

int cli_device(struct server_config *config, int argc, char **argv)
{
    argc = cli_split_options(argc, argv, config);
    bool list = argc == 1 && strcmp(argv[0], "list") == 0;
    bool add = argc >= 2 && strcmp(argv[0], "add") == 0;
    bool set = argc >= 2 && strcmp(argv[0], "set") == 0;
    struct device_settings settings;
    memset(&settings, 0, sizeof settings);
    unsigned fields = 0;
    bool new_token = add;
    if ((!list && !add && !set) ||
        (!list && !parse_arguments(argc, argv, &settings, &fields, &new_token))) {
        usage();
        return CLI_EXIT_USAGE;
    }
    if (add && (!settings.kind[0] || (settings.victim_id > 0) == (settings.site_id > 0))) {
        fprintf(stderr, _("vigied: a new device needs --kind and either --victim or --site\n"));
        return CLI_EXIT_USAGE;
    }
    char token[TOKEN_TEXT_SIZE] = "";
    if (new_token) {
        if (!token_generate(token) || !token_hash(token, settings.token_hash)) {
            fprintf(stderr, _("vigied: cannot generate a device token\n"));
            return CLI_EXIT_FAILURE;
        }
        fields |= DEVICE_FIELD_TOKEN;
    }
    if (set && fields == 0) {
        fprintf(stderr, _("vigied: nothing to change\n"));
        return CLI_EXIT_USAGE;
    }
    struct store *store = NULL;
    if (cli_open_store(config, false, &store) != CLI_EXIT_OK)
        return CLI_EXIT_FAILURE;
    int status = run(store, add, list, &settings, fields, token);
    store_close(store);
    OPENSSL_cleanse(token, sizeof token);
    OPENSSL_cleanse(settings.aml_key_hex, sizeof settings.aml_key_hex);
    return status;
}
