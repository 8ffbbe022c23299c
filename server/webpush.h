/* webpush.h: a Web Push message for one agent's browser. His subscription
 * (what PushManager.subscribe() gave his browser: an https endpoint, the
 * browser's P-256 key p256dh and a 16-byte auth secret) is read and
 * checked here, and a payload is encrypted for him with the "aes128gcm"
 * content coding (RFC 8188) as RFC 8291 profiles it: a fresh ephemeral
 * P-256 key and salt per message, one record, no padding beyond the 0x02
 * delimiter. Pure functions over bytes (no network, no global state):
 * the push connector sends what they build (webpush_request.h). */
#ifndef VIGIE_WEBPUSH_H
#define VIGIE_WEBPUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/webpush_keys.h"

/* RFC 8291 3.2: the user agent's authentication secret. */
#define WEBPUSH_AUTH_LEN 16
/* RFC 8188 2.1: the salt of the content coding header. */
#define WEBPUSH_SALT_LEN 16
/* AEAD_AES_128_GCM: key, nonce and tag sizes (RFC 8188 2.2, 2.3). */
#define WEBPUSH_CEK_LEN   16
#define WEBPUSH_NONCE_LEN 12
#define WEBPUSH_TAG_LEN   16
/* The content coding header: salt, rs (4), idlen (1), keyid (the
 * application server's public point). RFC 8291 4: 86 octets. */
#define WEBPUSH_HEADER_LEN (WEBPUSH_SALT_LEN + 4 + 1 + WEBPUSH_POINT_LEN)
/* The rs we declare: RFC 8291's example value, above any single record
 * we can send, so the whole message is one record as RFC 8291 4 asks. */
#define WEBPUSH_RECORD_SIZE 4096
/* RFC 8030 7.2: a push service need not accept a body above 4096
 * octets, so no message of ours is longer. */
#define WEBPUSH_MESSAGE_MAX 4096
/* What is left for the payload once the header, the tag and the padding
 * delimiter are counted: 3993 octets (RFC 8291 4). */
#define WEBPUSH_PAYLOAD_MAX (WEBPUSH_MESSAGE_MAX - WEBPUSH_HEADER_LEN - WEBPUSH_TAG_LEN - 1)
/* Endpoints of the big push services are 150 to 500 characters; twice
 * the largest seen leaves room and still bounds what we store. */
#define WEBPUSH_ENDPOINT_MAX 1024
/* A subscription's JSON: the endpoint, two keys, an expirationTime. */
#define WEBPUSH_SUBSCRIPTION_MAX 4096
/* An origin is never longer than the endpoint it is taken from. */
#define WEBPUSH_ORIGIN_MAX WEBPUSH_ENDPOINT_MAX

struct webpush_subscription {
    char endpoint[WEBPUSH_ENDPOINT_MAX + 1];
    uint8_t p256dh[WEBPUSH_POINT_LEN]; /* checked: a point of P-256 */
    uint8_t auth[WEBPUSH_AUTH_LEN];
};

/* An encrypted push message: the request body, header included. */
struct webpush_message {
    uint8_t body[WEBPUSH_MESSAGE_MAX];
    size_t len;
};

/* Reads a subscription's JSON (`len` bytes). False, with a sentence in
 * `why`, unless the endpoint is an https URL with a host, p256dh a valid
 * uncompressed P-256 point and auth 16 bytes, both in base64url. */
bool webpush_subscription_parse(const char *json, size_t len, struct webpush_subscription *out,
                                char *why, size_t why_size);

/* The origin of an https endpoint (RFC 6454: "https://host" and ":port"
 * unless 443, host in lower case): what VAPID's "aud" must name. False
 * for anything but an https URL with a host, of at most
 * WEBPUSH_ENDPOINT_MAX characters. */
bool webpush_endpoint_origin(const char *endpoint, char *origin, size_t origin_size, char *why,
                             size_t why_size);

/* Encrypts `len` bytes (at most WEBPUSH_PAYLOAD_MAX) for `subscription`
 * with a fresh random ephemeral key and salt. */
bool webpush_encrypt(const struct webpush_subscription *subscription, const uint8_t *payload,
                     size_t len, struct webpush_message *out, char *why, size_t why_size);

/* The same with the ephemeral key pair and salt given: the same inputs
 * give the same bytes (RFC 8291 Appendix A). Never reuse either outside
 * tests: a repeated key and salt repeat the AES-GCM nonce. */
bool webpush_encrypt_with(const uint8_t ua_public[WEBPUSH_POINT_LEN],
                          const uint8_t auth[WEBPUSH_AUTH_LEN], EVP_PKEY *as_key,
                          const uint8_t salt[WEBPUSH_SALT_LEN], const uint8_t *payload, size_t len,
                          struct webpush_message *out, char *why, size_t why_size);

/* The key schedule both ends share (RFC 8291 3.3, 3.4; RFC 8188 2.2,
 * 2.3): from the ECDH secret, the auth secret, both public points and
 * the salt, the content encryption key and the nonce of record 0. */
bool webpush_content_keys(const uint8_t ecdh_secret[WEBPUSH_SECRET_LEN],
                          const uint8_t auth[WEBPUSH_AUTH_LEN],
                          const uint8_t ua_public[WEBPUSH_POINT_LEN],
                          const uint8_t as_public[WEBPUSH_POINT_LEN],
                          const uint8_t salt[WEBPUSH_SALT_LEN], uint8_t cek[WEBPUSH_CEK_LEN],
                          uint8_t nonce[WEBPUSH_NONCE_LEN]);

#endif
