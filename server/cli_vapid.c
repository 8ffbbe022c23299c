/* cli_vapid.c: `vigied vapid generate|public-key`: the centre's VAPID key
 * (RFC 8292), which signs every Web Push message of a mass alert. The
 * agents' browsers subscribe with its public half (the
 * applicationServerKey, printed in base64url), so the key is made once
 * and kept: `generate` never replaces a file. */
#include "server/cli.h"
#include "server/webpush_keys.h"
#include "server/webpush_vapid.h"
#include "common/i18n.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static void usage(void)
{
    fprintf(stderr, "%s",
            _("usage: vigied vapid generate --out FILE\n"
              "       vigied vapid public-key [--key FILE]\n"
              "  generate writes a new P-256 key (PEM, owner only) and never replaces a file;\n"
              "  public-key prints the applicationServerKey (base64url) of FILE, by default\n"
              "  the webpush_vapid_key setting's\n"));
}

static int print_public_key(EVP_PKEY *key)
{
    char text[WEBPUSH_POINT_BASE64_SIZE];
    if (!webpush_vapid_public_key(key, text)) {
        fprintf(stderr, "%s", _("vigied: the key is not a P-256 key\n"));
        return CLI_EXIT_FAILURE;
    }
    printf("%s\n", text);
    return CLI_EXIT_OK;
}

static int generate(const char *path)
{
    char why[256];
    EVP_PKEY *key = webpush_key_generate(why, sizeof why);
    if (!key) {
        fprintf(stderr, "vigied: %s\n", why);
        return CLI_EXIT_FAILURE;
    }
    if (!webpush_key_save_pem(key, path, why, sizeof why)) {
        bool exists = errno == EEXIST;
        EVP_PKEY_free(key);
        if (exists)
            fprintf(stderr,
                    _("vigied: %s exists: the agents' subscriptions are bound to its key, so it "
                      "is never replaced\n"),
                    path);
        else
            fprintf(stderr, "vigied: %s\n", why);
        return CLI_EXIT_FAILURE;
    }
    fprintf(stderr, _("vigied: VAPID key written to %s; its public key (applicationServerKey):\n"),
            path);
    int status = print_public_key(key);
    EVP_PKEY_free(key);
    return status;
}

static int public_key(const char *path)
{
    if (!path || !path[0]) {
        fprintf(stderr, "%s",
                _("vigied: no key: give --key FILE or set webpush_vapid_key (--config FILE)\n"));
        return CLI_EXIT_USAGE;
    }
    char why[256];
    EVP_PKEY *key = webpush_key_load_pem(path, why, sizeof why);
    if (!key) {
        fprintf(stderr, "vigied: %s\n", why);
        return CLI_EXIT_FAILURE;
    }
    int status = print_public_key(key);
    EVP_PKEY_free(key);
    return status;
}

int cli_vapid(struct server_config *config, int argc, char **argv)
{
    argc = cli_split_options(argc, argv, config);
    if (argc < 1) {
        usage();
        return CLI_EXIT_USAGE;
    }
    const char *file = NULL;
    if (argc == 3 && (strcmp(argv[1], "--out") == 0 || strcmp(argv[1], "--key") == 0))
        file = argv[2];
    else if (argc != 1) {
        usage();
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[0], "generate") == 0 && file && strcmp(argv[1], "--out") == 0)
        return generate(file);
    if (strcmp(argv[0], "public-key") == 0 && (!file || strcmp(argv[1], "--key") == 0))
        return public_key(file ? file : config->webpush_vapid_key);
    usage();
    return CLI_EXIT_USAGE;
}
