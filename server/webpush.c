/* webpush.c: RFC 8291 message encryption. ECDH with the browser's key,
 * HKDF-SHA-256 twice (the auth secret in, then the salt in), AES-128-GCM
 * over the payload and its 0x02 delimiter, all through OpenSSL 3 (EVP_KDF
 * "HKDF", EVP AES-128-GCM). The same key schedule serves the receiving
 * side (webpush_receive.c). */
#include "server/webpush.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "common/i18n.h"

/* RFC 8291 3.3: "WebPush: info" || 0x00 || ua_public || as_public. */
#define KEY_INFO_PREFIX     "WebPush: info"
#define KEY_INFO_PREFIX_LEN (sizeof KEY_INFO_PREFIX) /* with its 0x00 */
#define KEY_INFO_LEN        (KEY_INFO_PREFIX_LEN + 2 * WEBPUSH_POINT_LEN)
/* RFC 8188 2.2, 2.3: the info strings, each with its final 0x00. */
static const char cek_info[] = "Content-Encoding: aes128gcm";
static const char nonce_info[] = "Content-Encoding: nonce";
/* RFC 8291 3.3: the IKM of the content coding is one SHA-256 output. */
#define IKM_LEN 32
/* RFC 8188 2: the delimiter that ends the last (here the only) record. */
#define LAST_RECORD_DELIMITER 0x02

/* HKDF-SHA-256 (RFC 5869), extract then expand, `out_len` bytes. */
static bool hkdf_sha256(const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
                        const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikm_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len),
        OSSL_PARAM_construct_end(),
    };
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    bool ok = ctx != NULL && EVP_KDF_derive(ctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok;
}

bool webpush_content_keys(const uint8_t ecdh_secret[WEBPUSH_SECRET_LEN],
                          const uint8_t auth[WEBPUSH_AUTH_LEN],
                          const uint8_t ua_public[WEBPUSH_POINT_LEN],
                          const uint8_t as_public[WEBPUSH_POINT_LEN],
                          const uint8_t salt[WEBPUSH_SALT_LEN], uint8_t cek[WEBPUSH_CEK_LEN],
                          uint8_t nonce[WEBPUSH_NONCE_LEN])
{
    uint8_t key_info[KEY_INFO_LEN];
    memcpy(key_info, KEY_INFO_PREFIX, KEY_INFO_PREFIX_LEN);
    memcpy(key_info + KEY_INFO_PREFIX_LEN, ua_public, WEBPUSH_POINT_LEN);
    memcpy(key_info + KEY_INFO_PREFIX_LEN + WEBPUSH_POINT_LEN, as_public, WEBPUSH_POINT_LEN);
    uint8_t ikm[IKM_LEN];
    bool ok = hkdf_sha256(auth, WEBPUSH_AUTH_LEN, ecdh_secret, WEBPUSH_SECRET_LEN, key_info,
                          sizeof key_info, ikm, sizeof ikm) &&
              hkdf_sha256(salt, WEBPUSH_SALT_LEN, ikm, sizeof ikm, (const uint8_t *)cek_info,
                          sizeof cek_info, cek, WEBPUSH_CEK_LEN) &&
              hkdf_sha256(salt, WEBPUSH_SALT_LEN, ikm, sizeof ikm, (const uint8_t *)nonce_info,
                          sizeof nonce_info, nonce, WEBPUSH_NONCE_LEN);
    OPENSSL_cleanse(ikm, sizeof ikm);
    return ok;
}

/* AES-128-GCM over payload || 0x02 into `out`, the tag after it. */
static bool seal_record(const uint8_t cek[WEBPUSH_CEK_LEN], const uint8_t nonce[WEBPUSH_NONCE_LEN],
                        const uint8_t *payload, size_t len, uint8_t *out)
{
    static const uint8_t delimiter = LAST_RECORD_DELIMITER;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int written = 0, delimiter_written = 0, final_written = 0;
    bool ok = ctx != NULL && EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, cek, nonce) == 1 &&
              (len == 0 || EVP_EncryptUpdate(ctx, out, &written, payload, (int)len) == 1) &&
              EVP_EncryptUpdate(ctx, out + written, &delimiter_written, &delimiter, 1) == 1 &&
              EVP_EncryptFinal_ex(ctx, out + written + delimiter_written, &final_written) == 1 &&
              (size_t)(written + delimiter_written + final_written) == len + 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, WEBPUSH_TAG_LEN, out + len + 1) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* RFC 8188 2.1: salt, rs in network order, idlen, keyid. */
static void write_header(const uint8_t salt[WEBPUSH_SALT_LEN],
                         const uint8_t as_public[WEBPUSH_POINT_LEN], uint8_t *out)
{
    memcpy(out, salt, WEBPUSH_SALT_LEN);
    out += WEBPUSH_SALT_LEN;
    uint32_t rs = WEBPUSH_RECORD_SIZE;
    out[0] = (uint8_t)(rs >> 24);
    out[1] = (uint8_t)(rs >> 16);
    out[2] = (uint8_t)(rs >> 8);
    out[3] = (uint8_t)rs;
    out[4] = WEBPUSH_POINT_LEN;
    memcpy(out + 5, as_public, WEBPUSH_POINT_LEN);
}

bool webpush_encrypt_with(const uint8_t ua_public[WEBPUSH_POINT_LEN],
                          const uint8_t auth[WEBPUSH_AUTH_LEN], EVP_PKEY *as_key,
                          const uint8_t salt[WEBPUSH_SALT_LEN], const uint8_t *payload, size_t len,
                          struct webpush_message *out, char *why, size_t why_size)
{
    out->len = 0;
    if (len > WEBPUSH_PAYLOAD_MAX) {
        snprintf(why, why_size,
                 _("the push message is %zu bytes; a Web Push message carries at most %d"), len,
                 WEBPUSH_PAYLOAD_MAX);
        return false;
    }
    EVP_PKEY *ua_key = webpush_key_from_point(ua_public, why, why_size);
    if (ua_key == NULL)
        return false;
    uint8_t as_public[WEBPUSH_POINT_LEN], secret[WEBPUSH_SECRET_LEN];
    uint8_t cek[WEBPUSH_CEK_LEN], nonce[WEBPUSH_NONCE_LEN];
    bool ok = webpush_key_point(as_key, as_public) && webpush_key_ecdh(as_key, ua_key, secret) &&
              webpush_content_keys(secret, auth, ua_public, as_public, salt, cek, nonce) &&
              seal_record(cek, nonce, payload, len, out->body + WEBPUSH_HEADER_LEN);
    EVP_PKEY_free(ua_key);
    OPENSSL_cleanse(secret, sizeof secret);
    OPENSSL_cleanse(cek, sizeof cek);
    if (!ok) {
        snprintf(why, why_size, "%s", _("cannot encrypt the push message (OpenSSL failed)"));
        return false;
    }
    write_header(salt, as_public, out->body);
    out->len = WEBPUSH_HEADER_LEN + len + 1 + WEBPUSH_TAG_LEN;
    return true;
}

bool webpush_encrypt(const struct webpush_subscription *subscription, const uint8_t *payload,
                     size_t len, struct webpush_message *out, char *why, size_t why_size)
{
    uint8_t salt[WEBPUSH_SALT_LEN];
    if (RAND_bytes(salt, sizeof salt) != 1) {
        snprintf(why, why_size, "%s", _("cannot draw a random salt (OpenSSL failed)"));
        return false;
    }
    EVP_PKEY *as_key = webpush_key_generate(why, why_size);
    if (as_key == NULL)
        return false;
    bool ok = webpush_encrypt_with(subscription->p256dh, subscription->auth, as_key, salt, payload,
                                   len, out, why, why_size);
    EVP_PKEY_free(as_key);
    return ok;
}
