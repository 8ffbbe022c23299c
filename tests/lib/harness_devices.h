/* harness_devices.h: protection phones for integration tests: the demo
 * dataset with the device tokens it prints once, device messages sent
 * with a device's token, and AML forms signed with a device's key, as
 * vigied checks them (HMAC-SHA256 of the pairs, then "&hmac=HEX"). */
#ifndef VIGIE_TEST_HARNESS_DEVICES_H
#define VIGIE_TEST_HARNESS_DEVICES_H

#include "tests/lib/harness.h"

struct demo_tokens;

/* `vigied init --demo` on the world's database (which must have no user
 * yet); the device tokens it printed, owned by the world, or NULL. */
struct demo_tokens *world_load_demo(struct world *world);
/* The token of the demo device UID ("TGD-0001"), or NULL. */
const char *demo_token(const struct demo_tokens *tokens, const char *uid);

/* POST /v1/ingest/device with JSON and "Authorization: Bearer TOKEN"
 * (token NULL: none). */
bool device_send(struct world *world, const char *token, const char *json,
                 struct http_reply *reply);
/* POST /v1/ingest/device as an AML form: `pairs` ("v=1&device_number=...")
 * signed with `key_hex` and "&hmac=HEX" appended; with key_hex NULL the
 * pairs are sent as they are. */
bool aml_send(struct world *world, const char *pairs, const char *key_hex,
              struct http_reply *reply);

#endif
