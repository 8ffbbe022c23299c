/* webpush_receive.c: decrypting a push message as a browser does and
 * checking its VAPID header as a push service does, through OpenSSL 3
 * (ECDH, the shared key schedule of webpush.c, AES-128-GCM, ECDSA). It
 * believes nothing it is sent: every length is checked before use. */
#include "server/webpush_receive.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "common/i18n.h"
#include "server/webpush_base64url.h"

/* RFC 8188 2: rs below 18 leaves no room for a tag and a delimiter. */
#define RECORD_SIZE_MIN 18
/* RFC 7518 3.4: ES256's signature, r then s. */
#define ES256_LEN 64
/* An ECDSA P-256 signature in DER is at most 72 bytes. */
#define ES256_DER_MAX 72
/* A JWT header is a handful of short members; ours is 27 bytes. */
#define JWT_HEADER_MAX 256
/* Claims of a token that fits in WEBPUSH_AUTHORIZATION_MAX. */
#define JWT_CLAIMS_MAX WEBPUSH_AUTHORIZATION_MAX

/* AES-128-GCM open of `len` bytes with the tag that follows them. */
static bool open_record(const uint8_t cek[WEBPUSH_CEK_LEN], const uint8_t nonce[WEBPUSH_NONCE_LEN],
                        const uint8_t *cipher, size_t len, const uint8_t *tag, uint8_t *plain)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int written = 0, final_written = 0;
    bool ok = ctx != NULL && EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, cek, nonce) == 1 &&
              EVP_DecryptUpdate(ctx, plain, &written, cipher, (int)len) == 1 &&
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, WEBPUSH_TAG_LEN, (void *)tag) == 1 &&
              EVP_DecryptFinal_ex(ctx, plain + written, &final_written) == 1 &&
              (size_t)(written + final_written) == len;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

/* The header's fields, checked; the sender's key into out. */
static bool read_header(const uint8_t *body, size_t len, struct webpush_received *out, char *why,
                        size_t why_size)
{
    if (len > WEBPUSH_MESSAGE_MAX) {
        snprintf(why, why_size, _("the push message is %zu bytes, more than the %d allowed"), len,
                 WEBPUSH_MESSAGE_MAX);
        return false;
    }
    if (len < WEBPUSH_HEADER_LEN + WEBPUSH_TAG_LEN + 1) {
        snprintf(why, why_size, _("the push message is %zu bytes, too short for aes128gcm"), len);
        return false;
    }
    const uint8_t *rs = body + WEBPUSH_SALT_LEN;
    out->record_size = (uint32_t)rs[0] << 24 | (uint32_t)rs[1] << 16 | (uint32_t)rs[2] << 8 | rs[3];
    unsigned idlen = body[WEBPUSH_SALT_LEN + 4];
    if (idlen != WEBPUSH_POINT_LEN) {
        snprintf(why, why_size, _("the push message's keyid is %u bytes, not a P-256 point's %d"),
                 idlen, WEBPUSH_POINT_LEN);
        return false;
    }
    if (out->record_size < RECORD_SIZE_MIN || len - WEBPUSH_HEADER_LEN > out->record_size) {
        snprintf(why, why_size, _("the push message is not one record of rs %u bytes"),
                 (unsigned)out->record_size);
        return false;
    }
    memcpy(out->sender_key, body + WEBPUSH_SALT_LEN + 5, WEBPUSH_POINT_LEN);
    return true;
}

/* The record's key and nonce, from our key and the sender's. */
static bool derive_keys(EVP_PKEY *ua_key, const uint8_t auth[WEBPUSH_AUTH_LEN], const uint8_t *salt,
                        const uint8_t sender[WEBPUSH_POINT_LEN], uint8_t cek[WEBPUSH_CEK_LEN],
                        uint8_t nonce[WEBPUSH_NONCE_LEN], char *why, size_t why_size)
{
    EVP_PKEY *as_key = webpush_key_from_point(sender, why, why_size);
    if (as_key == NULL)
        return false;
    uint8_t ua_public[WEBPUSH_POINT_LEN], secret[WEBPUSH_SECRET_LEN];
    bool ok = webpush_key_point(ua_key, ua_public) && webpush_key_ecdh(ua_key, as_key, secret) &&
              webpush_content_keys(secret, auth, ua_public, sender, salt, cek, nonce);
    OPENSSL_cleanse(secret, sizeof secret);
    EVP_PKEY_free(as_key);
    if (!ok)
        snprintf(why, why_size, "%s", _("cannot derive the push message's key (OpenSSL failed)"));
    return ok;
}

bool webpush_receive_decrypt(EVP_PKEY *ua_key, const uint8_t auth[WEBPUSH_AUTH_LEN],
                             const uint8_t *body, size_t len, struct webpush_received *out,
                             char *why, size_t why_size)
{
    out->len = 0;
    uint8_t cek[WEBPUSH_CEK_LEN], nonce[WEBPUSH_NONCE_LEN];
    if (!read_header(body, len, out, why, why_size) ||
        !derive_keys(ua_key, auth, body, out->sender_key, cek, nonce, why, why_size))
        return false;
    uint8_t plain[WEBPUSH_PAYLOAD_MAX + 1];
    size_t plain_len = len - WEBPUSH_HEADER_LEN - WEBPUSH_TAG_LEN;
    bool opened = open_record(cek, nonce, body + WEBPUSH_HEADER_LEN, plain_len,
                              body + len - WEBPUSH_TAG_LEN, plain);
    OPENSSL_cleanse(cek, sizeof cek);
    if (!opened) {
        snprintf(why, why_size, "%s",
                 _("the push message does not decrypt: another key or auth secret, or altered"));
        return false;
    }
    /* RFC 8188 2: padding is zeros after the delimiter; RFC 8291 4: a
     * delimiter other than 0x02 (the last record's) discards the message. */
    while (plain_len > 0 && plain[plain_len - 1] == 0x00)
        plain_len--;
    if (plain_len == 0 || plain[plain_len - 1] != 0x02) {
        snprintf(why, why_size, "%s", _("the push message's padding delimiter is not 0x02"));
        return false;
    }
    out->len = plain_len - 1;
    memcpy(out->payload, plain, out->len);
    return true;
}

/* Copies the value of parameter `name` of a "vapid" credential into out:
 * "t=..., k=...", in any order, values bare or quoted. */
static bool auth_param(const char *params, const char *name, char *out, size_t out_size)
{
    size_t name_len = strlen(name);
    const char *p = params;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *end = p + strcspn(p, ",");
        if ((size_t)(end - p) > name_len && strncasecmp(p, name, name_len) == 0 &&
            p[name_len] == '=') {
            const char *value = p + name_len + 1;
            const char *value_end = end;
            while (value_end > value && (value_end[-1] == ' ' || value_end[-1] == '\t'))
                value_end--;
            if (value_end - value >= 2 && *value == '"' && value_end[-1] == '"')
                value++, value_end--;
            if ((size_t)(value_end - value) >= out_size)
                return false;
            memcpy(out, value, (size_t)(value_end - value));
            out[value_end - value] = '\0';
            return true;
        }
        p = end;
    }
    return false;
}

/* One base64url part of a JWT (at most `cap` bytes decoded), parsed. */
static cJSON *jwt_json(const char *part, size_t len, size_t cap)
{
    char text[JWT_CLAIMS_MAX + 1];
    size_t text_len = 0;
    if (cap > sizeof text - 1 ||
        !webpush_base64url_decode(part, len, (uint8_t *)text, cap, &text_len))
        return NULL;
    return cJSON_ParseWithLength(text, text_len);
}

/* ES256 check of `input` with the r || s signature and the key. */
static bool es256_verify(EVP_PKEY *key, const char *input, size_t len,
                         const uint8_t signature[ES256_LEN])
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(signature, ES256_LEN / 2, NULL);
    BIGNUM *s = BN_bin2bn(signature + ES256_LEN / 2, ES256_LEN / 2, NULL);
    uint8_t der[ES256_DER_MAX], *cursor = der;
    bool ok = sig != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(sig, r, s) == 1;
    if (ok)
        r = s = NULL; /* the signature owns them now */
    int der_len = ok && i2d_ECDSA_SIG(sig, NULL) <= ES256_DER_MAX ? i2d_ECDSA_SIG(sig, &cursor) : 0;
    EVP_MD_CTX *md = der_len > 0 ? EVP_MD_CTX_new() : NULL;
    ok = md != NULL && EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, key, NULL) == 1 &&
         EVP_DigestVerify(md, der, (size_t)der_len, (const unsigned char *)input, len) == 1;
    EVP_MD_CTX_free(md);
    ECDSA_SIG_free(sig);
    BN_free(r);
    BN_free(s);
    return ok;
}

/* The claims' members into out, checked against origin and now. */
static bool check_claims(const cJSON *claims, const char *origin, int64_t now,
                         struct webpush_vapid_claims *out, char *why, size_t why_size)
{
    const cJSON *aud = cJSON_GetObjectItemCaseSensitive(claims, "aud");
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(claims, "exp");
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(claims, "sub");
    if (!cJSON_IsString(aud) || strcmp(aud->valuestring, origin) != 0) {
        snprintf(why, why_size, _("the VAPID token is not for %s"), origin);
        return false;
    }
    if (!cJSON_IsNumber(exp) || exp->valuedouble != floor(exp->valuedouble) ||
        exp->valuedouble <= (double)now ||
        exp->valuedouble > (double)(now + WEBPUSH_VAPID_LIFETIME_MAX)) {
        snprintf(why, why_size, "%s",
                 _("the VAPID token's exp is not in the next 24 hours (expired or too far)"));
        return false;
    }
    if (sub != NULL && !cJSON_IsString(sub)) {
        snprintf(why, why_size, "%s", _("the VAPID token's sub is not a string"));
        return false;
    }
    if (sub != NULL && !webpush_vapid_subject_check(sub->valuestring, why, why_size))
        return false;
    snprintf(out->aud, sizeof out->aud, "%s", aud->valuestring);
    out->exp = (int64_t)exp->valuedouble;
    snprintf(out->sub, sizeof out->sub, "%s", sub ? sub->valuestring : "");
    return true;
}

/* Verifies the compact JWT `token` with `key` and checks its claims. */
static bool check_token(const char *token, EVP_PKEY *key, const char *origin, int64_t now,
                        struct webpush_vapid_claims *out, char *why, size_t why_size)
{
    const char *dot1 = strchr(token, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    uint8_t signature[ES256_LEN + 1];
    size_t signature_len = 0;
    if (dot2 == NULL || strchr(dot2 + 1, '.') != NULL ||
        !webpush_base64url_decode(dot2 + 1, strlen(dot2 + 1), signature, sizeof signature,
                                  &signature_len) ||
        signature_len != ES256_LEN) {
        snprintf(why, why_size, "%s", _("the VAPID token is not a signed JWT"));
        return false;
    }
    cJSON *header = jwt_json(token, (size_t)(dot1 - token), JWT_HEADER_MAX);
    const cJSON *alg = cJSON_GetObjectItemCaseSensitive(header, "alg");
    const cJSON *typ = cJSON_GetObjectItemCaseSensitive(header, "typ");
    bool es256 = cJSON_IsString(alg) && strcmp(alg->valuestring, "ES256") == 0 &&
                 (typ == NULL || (cJSON_IsString(typ) && strcasecmp(typ->valuestring, "JWT") == 0));
    cJSON_Delete(header);
    if (!es256) {
        snprintf(why, why_size, "%s", _("the VAPID token is not a JWT signed ES256"));
        return false;
    }
    if (!es256_verify(key, token, (size_t)(dot2 - token), signature)) {
        snprintf(why, why_size, "%s", _("the VAPID token's signature does not verify with k"));
        return false;
    }
    cJSON *claims = jwt_json(dot1 + 1, (size_t)(dot2 - dot1 - 1), JWT_CLAIMS_MAX);
    bool ok = cJSON_IsObject(claims) && check_claims(claims, origin, now, out, why, why_size);
    if (!cJSON_IsObject(claims))
        snprintf(why, why_size, "%s", _("the VAPID token's claims are not a JSON object"));
    cJSON_Delete(claims);
    return ok;
}

bool webpush_receive_vapid(const char *authorization, const char *origin, int64_t now,
                           struct webpush_vapid_claims *out, char *why, size_t why_size)
{
    memset(out, 0, sizeof *out);
    char token[WEBPUSH_AUTHORIZATION_MAX], key_text[WEBPUSH_POINT_BASE64_SIZE + 2];
    size_t key_len = 0;
    if (strlen(authorization) >= WEBPUSH_AUTHORIZATION_MAX ||
        strncasecmp(authorization, "vapid", 5) != 0 ||
        (authorization[5] != ' ' && authorization[5] != '\t')) {
        snprintf(why, why_size, "%s", _("the Authorization header is not \"vapid t=..., k=...\""));
        return false;
    }
    if (!auth_param(authorization + 6, "t", token, sizeof token) ||
        !auth_param(authorization + 6, "k", key_text, sizeof key_text)) {
        snprintf(why, why_size, "%s", _("the vapid credentials lack t= or k="));
        return false;
    }
    EVP_PKEY *key = NULL;
    if (webpush_base64url_decode(key_text, strlen(key_text), out->key, sizeof out->key, &key_len) &&
        key_len == WEBPUSH_POINT_LEN)
        key = webpush_key_from_point(out->key, why, why_size);
    if (key == NULL) {
        snprintf(why, why_size, "%s", _("k= of the vapid credentials is not a P-256 public key"));
        return false;
    }
    bool ok = check_token(token, key, origin, now, out, why, why_size);
    EVP_PKEY_free(key);
    return ok;
}
