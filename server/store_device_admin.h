/* store_device_admin.h: provisioning protection phones and lone-worker
 * devices (`vigied device add|set|list`): whom a device belongs to, its
 * token, the phone number (MSISDN) and HMAC key of its Advanced Mobile
 * Location messages, its test interval. Secrets never leave the store in
 * a listing or an audit row: only whether one is set. */
#ifndef VIGIE_STORE_DEVICE_ADMIN_H
#define VIGIE_STORE_DEVICE_ADMIN_H

#include <stdbool.h>
#include <stdint.h>

#include "server/password.h"
#include "server/store.h"
#include "server/store_devices.h"

/* E.164: '+', a country code not starting with 0, at most 15 digits. */
#define DEVICE_MSISDN_MAX 17

/* Which fields a `set` changes. */
enum device_field {
    DEVICE_FIELD_MSISDN = 1u << 0,
    DEVICE_FIELD_AML_KEY = 1u << 1,
    DEVICE_FIELD_TOKEN = 1u << 2,
    DEVICE_FIELD_TEST_INTERVAL = 1u << 3,
};

struct device_settings {
    char uid[DEVICE_UID_MAX];
    char kind[DEVICE_KIND_MAX];     /* protection-phone, lone-worker */
    int64_t victim_id, site_id;     /* exactly one is set on add */
    char msisdn[DEVICE_MSISDN_MAX]; /* "" clears it */
    char aml_key_hex[DEVICE_KEY_HEX_MAX];
    char token_hash[TOKEN_HASH_SIZE]; /* of a new token; "" keeps the old one */
    int test_interval_s;              /* 0: the schema's default on add */
};

/* What a listing shows: no token, no key. */
struct device_summary {
    char uid[DEVICE_UID_MAX];
    char kind[DEVICE_KIND_MAX];
    int64_t victim_id, site_id;
    char owner[128]; /* the victim's file reference or the site's name */
    char msisdn[DEVICE_MSISDN_MAX];
    bool has_token, has_aml_key;
    int test_interval_s;
    int64_t last_test_at; /* ms; 0 when never */
};

/* "+33612345678": the only form stored, so that the AML look-up is exact. */
bool device_msisdn_valid(const char *msisdn);

int store_device_register(struct store *store, const struct actor *actor,
                          const struct device_settings *settings, struct store_error *error);
/* Changes the fields named by `fields` (enum device_field);
 * STORE_NOT_FOUND for an unknown uid, STORE_CONFLICT for an MSISDN that
 * another device has. */
int store_device_change(struct store *store, const struct actor *actor,
                        const struct device_settings *settings, unsigned fields,
                        struct store_error *error);

typedef void (*store_device_visitor)(void *context, const struct device_summary *device);
int store_devices_list(struct store *store, store_device_visitor visit, void *context,
                       struct store_error *error);

#endif
