/* webpush_keys.h: the P-256 keys of Web Push. A subscription's p256dh and
 * the ephemeral key of each message meet in ECDH (RFC 8291); the centre's
 * long-lived VAPID key signs its tokens (RFC 8292) and lives in a PEM file
 * (`webpush_vapid_key = PATH`, read once at start). Keys are OpenSSL
 * EVP_PKEYs: the caller frees them with EVP_PKEY_free. No global state,
 * so every function may run in any thread. */
#ifndef VIGIE_WEBPUSH_KEYS_H
#define VIGIE_WEBPUSH_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

/* An X9.62 uncompressed P-256 point: 0x04, then x and y of 32 bytes. The
 * only form RFC 8291 (p256dh, keyid) and RFC 8292 (k) allow. */
#define WEBPUSH_POINT_LEN 65
/* A P-256 private scalar, big-endian (RFC 8291 Appendix A writes keys so). */
#define WEBPUSH_PRIVATE_LEN 32
/* An ECDH P-256 shared secret: the x coordinate of the shared point. */
#define WEBPUSH_SECRET_LEN 32

/* A fresh random key pair; NULL (why filled) only when OpenSSL fails. */
EVP_PKEY *webpush_key_generate(char *why, size_t why_size);
/* The key pair of a known private scalar (tests, the simulator's user
 * agent); NULL for 0 or a scalar not below the curve's order. */
EVP_PKEY *webpush_key_from_private(const uint8_t scalar[WEBPUSH_PRIVATE_LEN], char *why,
                                   size_t why_size);
/* A peer's public key; NULL unless `point` is a valid point of P-256 in
 * uncompressed form (a point off the curve would leak our private key
 * through ECDH, so it is never used). */
EVP_PKEY *webpush_key_from_point(const uint8_t point[WEBPUSH_POINT_LEN], char *why,
                                 size_t why_size);
/* The public point of a P-256 key, uncompressed whatever form it was
 * stored in; false when the key is not a P-256 key. */
bool webpush_key_point(EVP_PKEY *key, uint8_t point[WEBPUSH_POINT_LEN]);
/* ECDH between our key pair and a peer's public key. */
bool webpush_key_ecdh(EVP_PKEY *own, EVP_PKEY *peer, uint8_t secret[WEBPUSH_SECRET_LEN]);

/* Reads an unencrypted P-256 private key in PEM (PKCS#8 "PRIVATE KEY" or
 * SEC1 "EC PRIVATE KEY", what `openssl ecparam -genkey` writes); NULL with
 * "PATH: why" for a missing file, another curve or another algorithm. */
EVP_PKEY *webpush_key_load_pem(const char *path, char *why, size_t why_size);
/* Writes `key` to PATH as PKCS#8 PEM, readable by its owner only; never
 * replaces an existing file (false, errno EEXIST, when there is one). */
bool webpush_key_save_pem(EVP_PKEY *key, const char *path, char *why, size_t why_size);
/* The centre's VAPID key: PATH's key, or when PATH does not exist a new
 * one written there (*created set), so a first start needs no setup and
 * later starts keep the key that subscriptions are bound to. */
EVP_PKEY *webpush_key_load_or_create(const char *path, bool *created, char *why, size_t why_size);

#endif
