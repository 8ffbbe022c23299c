/* sim_push.h: what the two halves of `vigie-sim push-service` share: the
 * service (sim_push.c) and the user agent's side that mints
 * subscriptions (sim_push_subscribe.c). State lives in files under the
 * service's --dir, so that a test or the demo can mint a subscription
 * with a second command while the service runs:
 *   DIR/origin                  "https://127.0.0.1:PORT", written at start
 *   DIR/cert.pem, DIR/key.pem   the service's self-signed certificate
 *   DIR/subscriptions/ID.json   a browser's private key and auth secret
 *   DIR/messages/NNNN-ID.txt    each decrypted message */
#ifndef VIGIE_SIM_PUSH_H
#define VIGIE_SIM_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "server/webpush.h"

/* A subscription id: 16 random bytes in hex. */
#define SIM_PUSH_ID_LEN 32
/* Paths under --dir: the directory itself is bounded well below this. */
#define SIM_PUSH_PATH_MAX 1024
/* The certificate's life: a demo runs for days at most. */
#define SIM_PUSH_CERT_DAYS 30

/* A browser's side of one subscription, as the service needs it. */
struct sim_push_subscription {
    EVP_PKEY *key; /* the browser's key pair (p256dh is its public half) */
    uint8_t auth[WEBPUSH_AUTH_LEN];
    bool gone; /* unsubscribed: the service answers 410 */
    /* The applicationServerKey it was made for, when restricted: a VAPID
     * key other than this one is refused with 403 (RFC 8292 4.2). */
    bool restricted;
    uint8_t server_key[WEBPUSH_POINT_LEN];
};

/* The service's certificate and key in PEM, from DIR or made there (a
 * P-256 key, self-signed for 127.0.0.1 and localhost); malloc'd. */
bool sim_push_certificate(const char *dir, char **cert_pem, char **key_pem, char *why,
                          size_t why_size);
/* Reads subscription `id` (SIM_PUSH_ID_LEN hex digits); false when there
 * is none. The caller frees out->key. */
bool sim_push_subscription_load(const char *dir, const char *id, struct sim_push_subscription *out);
/* `vigie-sim push-service subscribe ...` (argv[0] is "subscribe"). */
int sim_push_subscribe(int argc, char **argv);

#endif
