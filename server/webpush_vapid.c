/* webpush_vapid.c: the VAPID token (RFC 8292). A JWS in compact form:
 * base64url(header) "." base64url(claims) "." base64url(signature), the
 * signature ES256 (RFC 7518 3.4): ECDSA P-256 over SHA-256, written as
 * r || s of 32 bytes each rather than the DER OpenSSL produces. */
#include "server/webpush_vapid.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "common/i18n.h"
#include "server/webpush.h"

/* RFC 8292 2.4's header, in its order. */
static const char jwt_header[] = "{\"typ\":\"JWT\",\"alg\":\"ES256\"}";
/* The claims' JSON around an origin, a subject and a 20-digit exp. */
#define CLAIMS_MAX (WEBPUSH_ORIGIN_MAX + WEBPUSH_SUBJECT_MAX + 64)
/* RFC 7518 3.4: ES256's signature, r then s. */
#define ES256_LEN 64
/* An ECDSA P-256 signature in DER: a SEQUENCE of two INTEGERs of at most
 * 33 bytes each, with their headers (what EVP_PKEY_get_size says). */
#define ES256_DER_MAX 72
#define TOKEN_MAX                                                                                  \
    (WEBPUSH_BASE64URL_LEN(sizeof jwt_header - 1) + 1 + WEBPUSH_BASE64URL_LEN(CLAIMS_MAX) + 1 +    \
     WEBPUSH_BASE64URL_LEN(ES256_LEN))
_Static_assert(sizeof "vapid t=" - 1 + TOKEN_MAX + sizeof ", k=" - 1 + WEBPUSH_POINT_BASE64_SIZE <=
                   WEBPUSH_AUTHORIZATION_MAX,
               "WEBPUSH_AUTHORIZATION_MAX holds the longest header value");

bool webpush_vapid_subject_check(const char *subject, char *why, size_t why_size)
{
    size_t len = strlen(subject);
    bool mailto = strncasecmp(subject, "mailto:", 7) == 0 && len > 7;
    bool https = strncasecmp(subject, "https://", 8) == 0 && len > 8;
    if (!mailto && !https) {
        snprintf(why, why_size, "%s",
                 _("the VAPID contact must be a mailto: address or an https:// page"));
        return false;
    }
    if (len > WEBPUSH_SUBJECT_MAX) {
        snprintf(why, why_size, _("the VAPID contact is longer than %d characters"),
                 WEBPUSH_SUBJECT_MAX);
        return false;
    }
    for (const unsigned char *c = (const unsigned char *)subject; *c; c++)
        if (*c <= 0x20 || *c >= 0x7F || *c == '"' || *c == '\\') {
            snprintf(why, why_size, "%s",
                     _("the VAPID contact holds a character a URI cannot (space, quote, "
                       "backslash, control or non-ASCII)"));
            return false;
        }
    return true;
}

bool webpush_vapid_public_key(EVP_PKEY *key, char out[WEBPUSH_POINT_BASE64_SIZE])
{
    uint8_t point[WEBPUSH_POINT_LEN];
    return webpush_key_point(key, point) &&
           webpush_base64url_encode(point, sizeof point, out, WEBPUSH_POINT_BASE64_SIZE);
}

/* The claims' JSON into out; false when it would not fit. */
static bool write_claims(const char *origin, int64_t expires, const char *subject, char *out,
                         size_t out_size)
{
    cJSON *claims = cJSON_CreateObject();
    char *text = NULL;
    if (claims != NULL && cJSON_AddStringToObject(claims, "aud", origin) &&
        cJSON_AddNumberToObject(claims, "exp", (double)expires) &&
        cJSON_AddStringToObject(claims, "sub", subject))
        text = cJSON_PrintUnformatted(claims);
    bool ok = text != NULL && strlen(text) < out_size;
    if (ok)
        memcpy(out, text, strlen(text) + 1);
    cJSON_free(text);
    cJSON_Delete(claims);
    return ok;
}

/* ES256 over `input`: OpenSSL's DER signature, rewritten as r || s. */
static bool es256_sign(EVP_PKEY *key, const char *input, size_t len, uint8_t out[ES256_LEN])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t der[ES256_DER_MAX];
    size_t der_len = sizeof der;
    ECDSA_SIG *signature = NULL;
    if (md != NULL && EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL, NULL, key, NULL) == 1 &&
        EVP_DigestSign(md, der, &der_len, (const unsigned char *)input, len) == 1) {
        const unsigned char *cursor = der;
        signature = d2i_ECDSA_SIG(NULL, &cursor, (long)der_len);
    }
    const BIGNUM *r = NULL, *s = NULL;
    if (signature != NULL)
        ECDSA_SIG_get0(signature, &r, &s);
    bool ok = r != NULL && s != NULL && BN_bn2binpad(r, out, ES256_LEN / 2) == ES256_LEN / 2 &&
              BN_bn2binpad(s, out + ES256_LEN / 2, ES256_LEN / 2) == ES256_LEN / 2;
    ECDSA_SIG_free(signature);
    EVP_MD_CTX_free(md);
    return ok;
}

/* header.claims.signature into out (TOKEN_MAX + 1 bytes). */
static bool write_token(EVP_PKEY *key, const char *claims, char *out, size_t out_size)
{
    size_t header_len = WEBPUSH_BASE64URL_LEN(sizeof jwt_header - 1);
    if (!webpush_base64url_encode((const uint8_t *)jwt_header, sizeof jwt_header - 1, out,
                                  out_size))
        return false;
    out[header_len] = '.';
    if (!webpush_base64url_encode((const uint8_t *)claims, strlen(claims), out + header_len + 1,
                                  out_size - header_len - 1))
        return false;
    size_t signed_len = strlen(out);
    uint8_t signature[ES256_LEN];
    if (signed_len + 1 >= out_size || !es256_sign(key, out, signed_len, signature))
        return false;
    out[signed_len] = '.';
    return webpush_base64url_encode(signature, sizeof signature, out + signed_len + 1,
                                    out_size - signed_len - 1);
}

bool webpush_vapid_authorization(EVP_PKEY *key, const char *endpoint, const char *subject,
                                 int64_t now, int64_t lifetime, char *out, size_t out_size,
                                 char *why, size_t why_size)
{
    char origin[WEBPUSH_ORIGIN_MAX + 1], claims[CLAIMS_MAX + 1], token[TOKEN_MAX + 1];
    char public_key[WEBPUSH_POINT_BASE64_SIZE];
    if (lifetime < 1 || lifetime > WEBPUSH_VAPID_LIFETIME_MAX) {
        snprintf(why, why_size,
                 _("a VAPID token lives from 1 second to %d hours, not %lld seconds"),
                 WEBPUSH_VAPID_LIFETIME_MAX / 3600, (long long)lifetime);
        return false;
    }
    if (!webpush_vapid_subject_check(subject, why, why_size) ||
        !webpush_endpoint_origin(endpoint, origin, sizeof origin, why, why_size))
        return false;
    if (!webpush_vapid_public_key(key, public_key)) {
        snprintf(why, why_size, "%s", _("the VAPID key is not a P-256 key"));
        return false;
    }
    if (!write_claims(origin, now + lifetime, subject, claims, sizeof claims) ||
        !write_token(key, claims, token, sizeof token)) {
        snprintf(why, why_size, "%s", _("cannot sign the VAPID token (OpenSSL failed)"));
        return false;
    }
    int n = snprintf(out, out_size, "vapid t=%s, k=%s", token, public_key);
    if (n < 0 || (size_t)n >= out_size) {
        snprintf(why, why_size, "%s", _("no room for the VAPID Authorization header"));
        return false;
    }
    return true;
}
