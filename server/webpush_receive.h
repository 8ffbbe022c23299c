/* webpush_receive.h: the receiving end of Web Push, for the test push
 * service of vigie-sim (and any test) to check what vigied sends the way
 * a browser and a push service would. A browser decrypts the body with
 * its private key and auth secret (RFC 8291, one aes128gcm record); a
 * push service checks the VAPID Authorization header (RFC 8292): an ES256
 * JWT that verifies with the key in `k`, for its own origin, not expired
 * and not more than 24 hours ahead. */
#ifndef VIGIE_WEBPUSH_RECEIVE_H
#define VIGIE_WEBPUSH_RECEIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/webpush.h"
#include "server/webpush_vapid.h"

struct webpush_received {
    uint8_t payload[WEBPUSH_PAYLOAD_MAX];
    size_t len;
    uint8_t sender_key[WEBPUSH_POINT_LEN]; /* the keyid: the message's ephemeral key */
    uint32_t record_size;                  /* the rs the sender declared */
};

/* Decrypts a push message body of `len` bytes (at most
 * WEBPUSH_MESSAGE_MAX) with the browser's key pair and auth secret.
 * False, with why, for a malformed header, a sender key that is not a
 * P-256 point, more than one record, a body that does not authenticate
 * (wrong key or secret, altered bytes) or a padding delimiter not 0x02. */
bool webpush_receive_decrypt(EVP_PKEY *ua_key, const uint8_t auth[WEBPUSH_AUTH_LEN],
                             const uint8_t *body, size_t len, struct webpush_received *out,
                             char *why, size_t why_size);

struct webpush_vapid_claims {
    uint8_t key[WEBPUSH_POINT_LEN]; /* k: the application server's key */
    char aud[WEBPUSH_ORIGIN_MAX + 1];
    int64_t exp;
    char sub[WEBPUSH_SUBJECT_MAX + 1]; /* "" when the token has none */
};

/* Checks an Authorization header value ("vapid t=JWT, k=KEY") received
 * at `now` (Unix seconds) by the push service of `origin`. True with the
 * token's claims and key when the signature verifies with k, "alg" is
 * ES256, "aud" is `origin`, "exp" is after `now` and at most
 * WEBPUSH_VAPID_LIFETIME_MAX ahead, and "sub", when present, a mailto:
 * or https: contact. */
bool webpush_receive_vapid(const char *authorization, const char *origin, int64_t now,
                           struct webpush_vapid_claims *out, char *why, size_t why_size);

#endif
