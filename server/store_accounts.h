/* store_accounts.h: SIA DC-09 accounts: the settings of each panel (key,
 * timestamp window, time zone, CRC form, supervision interval, site), and
 * the supervision of silent accounts. An account is a row of `panels`. */
#ifndef VIGIE_STORE_ACCOUNTS_H
#define VIGIE_STORE_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "server/store.h"

/* An AES-256 key in hex is 64 digits. */
#define ACCOUNT_KEY_HEX_MAX 65

struct account_settings {
    char account[ALARM_ACCOUNT_MAX];
    int64_t site_id;
    char site_name[ALARM_NAME_MAX];    /* read only */
    char key_hex[ACCOUNT_KEY_HEX_MAX]; /* "" when the account sends in clear */
    int window_before_s, window_after_s;
    char timezone[64]; /* "" for the site's */
    bool crc_binary;
    int supervision_s; /* 0: not supervised */
    int64_t last_seen_at;
};

/* Which fields `store_account_set` changes. */
enum account_field {
    ACCOUNT_FIELD_SITE = 1u << 0,
    ACCOUNT_FIELD_KEY = 1u << 1,
    ACCOUNT_FIELD_WINDOW = 1u << 2,
    ACCOUNT_FIELD_TIMEZONE = 1u << 3,
    ACCOUNT_FIELD_CRC = 1u << 4,
    ACCOUNT_FIELD_SUPERVISION = 1u << 5,
};

void account_settings_defaults(struct account_settings *settings);
int store_account_add(struct store *store, const struct actor *actor,
                      const struct account_settings *settings, struct store_error *error);
int store_account_set(struct store *store, const struct actor *actor,
                      const struct account_settings *settings, unsigned fields,
                      struct store_error *error);
int store_account_get(struct store *store, const char *account, struct account_settings *out,
                      struct store_error *error);
typedef void (*store_account_visitor)(void *context, const struct account_settings *settings);
int store_accounts_list(struct store *store, store_account_visitor visit, void *context,
                        struct store_error *error);
/* Raises a communication-failure alarm for each supervised account silent
 * for longer than its interval (once, until it reports again). */
int store_supervision_check(struct store *store, int *raised_out, struct store_error *error);

#endif
