/* Unit tests of VAPID (RFC 8292) for mass alerts: the Authorization
 * header vigied signs verifies with its key and names the push service,
 * the push service's check (webpush_receive.c) takes the RFC's example
 * and refuses what is wrong, and the centre's key file is made once and
 * kept. Split from test_webpush.c (the encryption side). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "server/webpush.h"
#include "server/webpush_base64url.h"
#include "server/webpush_keys.h"
#include "server/webpush_receive.h"
#include "server/webpush_request.h"
#include "server/webpush_vapid.h"
#include "tests/unit/webpush_test_data.h"

/* Splits "vapid t=T, k=K" into its token and key, as the test reads it. */
static void split_authorization(const char *value, char *token, size_t token_size, char *key,
                                size_t key_size)
{
    assert_int_equal(strncmp(value, "vapid t=", 8), 0);
    const char *comma = strstr(value, ", k=");
    assert_non_null(comma);
    assert_true((size_t)(comma - value - 8) < token_size);
    memcpy(token, value + 8, (size_t)(comma - value - 8));
    token[comma - value - 8] = '\0';
    assert_true(strlen(comma + 4) < key_size);
    strcpy(key, comma + 4);
}

/* One part of a JWT (header or claims) decoded and parsed. */
static cJSON *jwt_part(const char *start, size_t len)
{
    uint8_t text[2048];
    size_t got = 0;
    assert_true(webpush_base64url_decode(start, len, text, sizeof text, &got));
    cJSON *json = cJSON_ParseWithLength((const char *)text, got);
    assert_non_null(json);
    return json;
}

/* ES256 checked with OpenSSL alone: r || s back to DER, then verified. */
static bool es256_verifies(EVP_PKEY *key, const char *input, size_t len, const uint8_t rs[64])
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    assert_int_equal(ECDSA_SIG_set0(sig, BN_bin2bn(rs, 32, NULL), BN_bin2bn(rs + 32, 32, NULL)), 1);
    unsigned char *der = NULL;
    int der_len = i2d_ECDSA_SIG(sig, &der);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, key, NULL) == 1 &&
              EVP_DigestVerify(md, der, (size_t)der_len, (const unsigned char *)input, len) == 1;
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    ECDSA_SIG_free(sig);
    return ok;
}

static void test_a_vapid_header_verifies_with_its_key_and_names_the_push_service(void **state)
{
    (void)state;
    char why[256] = "", value[WEBPUSH_AUTHORIZATION_MAX];
    EVP_PKEY *key = webpush_key_generate(why, sizeof why);
    assert_non_null(key);
    if (!webpush_vapid_authorization(key, ENDPOINT, CONTACT, NOW, WEBPUSH_VAPID_LIFETIME_DEFAULT,
                                     value, sizeof value, why, sizeof why))
        fail_msg("%s", why);

    char token[WEBPUSH_AUTHORIZATION_MAX], k[128], public_key[WEBPUSH_POINT_BASE64_SIZE];
    split_authorization(value, token, sizeof token, k, sizeof k);
    assert_true(webpush_vapid_public_key(key, public_key));
    assert_string_equal(k, public_key);
    uint8_t point[WEBPUSH_POINT_LEN];
    assert_true(webpush_key_point(key, point));
    assert_base64url(point, sizeof point, k);

    const char *dot1 = strchr(token, '.'), *dot2 = strrchr(token, '.');
    assert_true(dot1 != NULL && dot2 > dot1);
    cJSON *header = jwt_part(token, (size_t)(dot1 - token));
    assert_string_equal(cJSON_GetObjectItem(header, "typ")->valuestring, "JWT");
    assert_string_equal(cJSON_GetObjectItem(header, "alg")->valuestring, "ES256");
    cJSON_Delete(header);
    cJSON *claims = jwt_part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    assert_string_equal(cJSON_GetObjectItem(claims, "aud")->valuestring, ORIGIN);
    assert_true(cJSON_GetObjectItem(claims, "exp")->valuedouble == NOW + 12 * 3600);
    assert_string_equal(cJSON_GetObjectItem(claims, "sub")->valuestring, CONTACT);
    assert_int_equal(cJSON_GetArraySize(claims), 3);
    cJSON_Delete(claims);

    uint8_t signature[64];
    decode(dot2 + 1, signature, sizeof signature);
    assert_true(es256_verifies(key, token, (size_t)(dot2 - token), signature));
    signature[10] ^= 0x01;
    assert_false(es256_verifies(key, token, (size_t)(dot2 - token), signature));

    /* The push service's check agrees, and gives the same claims. */
    struct webpush_vapid_claims seen;
    if (!webpush_receive_vapid(value, ORIGIN, NOW + 60, &seen, why, sizeof why))
        fail_msg("%s", why);
    assert_string_equal(seen.aud, ORIGIN);
    assert_int_equal(seen.exp, NOW + 12 * 3600);
    assert_string_equal(seen.sub, CONTACT);
    assert_memory_equal(seen.key, point, sizeof point);
    EVP_PKEY_free(key);
}

static void test_rfc8292_example_token_passes_the_push_service_check(void **state)
{
    (void)state;
    struct webpush_vapid_claims seen;
    char why[256] = "";
    const char *value = "vapid t=" RFC8292_TOKEN ", k=" RFC8292_KEY;
    if (!webpush_receive_vapid(value, "https://push.example.net", RFC8292_EXP - 3600, &seen, why,
                               sizeof why))
        fail_msg("%s", why);
    assert_int_equal(seen.exp, RFC8292_EXP);
    assert_string_equal(seen.sub, "mailto:push@example.com");
    /* k is the JWK of the example, as an uncompressed point. */
    assert_base64url(seen.key + 1, 32, RFC8292_JWK_X);
    assert_base64url(seen.key + 33, 32, RFC8292_JWK_Y);
    /* Parameters in another order, quoted, are the same credentials. */
    assert_true(webpush_receive_vapid("vapid k=\"" RFC8292_KEY "\",t=" RFC8292_TOKEN,
                                      "https://push.example.net", RFC8292_EXP - 3600, &seen, why,
                                      sizeof why));
    /* After its exp, the token is refused. */
    assert_false(webpush_receive_vapid(value, "https://push.example.net", RFC8292_EXP, &seen, why,
                                       sizeof why));
    assert_non_null(strstr(why, "exp"));
}

static void assert_vapid_refused(const char *value, const char *origin, int64_t now,
                                 const char *words)
{
    struct webpush_vapid_claims seen;
    char why[256] = "";
    if (webpush_receive_vapid(value, origin, now, &seen, why, sizeof why))
        fail_msg("accepted: %s", value);
    if (strstr(why, words) == NULL)
        fail_msg("\"%s\" lacks \"%s\"", why, words);
}

static void test_the_push_service_check_refuses_what_is_wrong(void **state)
{
    (void)state;
    char why[256] = "", value[WEBPUSH_AUTHORIZATION_MAX], day[WEBPUSH_AUTHORIZATION_MAX];
    EVP_PKEY *key = webpush_key_generate(why, sizeof why), *other = webpush_key_generate(why, 256);
    assert_true(webpush_vapid_authorization(key, ENDPOINT, CONTACT, NOW, 3600, value, sizeof value,
                                            why, sizeof why));
    assert_vapid_refused(value, "https://push.example.net", NOW, "not for");
    assert_vapid_refused(value, ORIGIN, NOW + 3600, "exp");
    /* A whole day is allowed, a day and ten seconds is not. */
    assert_true(webpush_vapid_authorization(key, ENDPOINT, CONTACT, NOW, 24 * 3600, day, sizeof day,
                                            why, sizeof why));
    struct webpush_vapid_claims seen;
    assert_true(webpush_receive_vapid(day, ORIGIN, NOW, &seen, why, sizeof why));
    assert_vapid_refused(day, ORIGIN, NOW - 10, "too far");

    /* Claims swapped for others, the signature kept: it cannot verify. */
    char token[WEBPUSH_AUTHORIZATION_MAX], k[128], forged[2 * WEBPUSH_AUTHORIZATION_MAX];
    split_authorization(value, token, sizeof token, k, sizeof k);
    const char *dot1 = strchr(token, '.'), *dot2 = strrchr(token, '.');
    char claims[256];
    const char *json = "{\"aud\":\"" ORIGIN "\",\"exp\":1767232800,\"sub\":\"mailto:x@y.z\"}";
    assert_true(
        webpush_base64url_encode((const uint8_t *)json, strlen(json), claims, sizeof claims));
    snprintf(forged, sizeof forged, "vapid t=%.*s.%s%s, k=%s", (int)(dot1 - token), token, claims,
             dot2, k);
    assert_vapid_refused(forged, ORIGIN, NOW, "does not verify");
    /* The right token with another key in k. */
    char other_k[WEBPUSH_POINT_BASE64_SIZE];
    assert_true(webpush_vapid_public_key(other, other_k));
    snprintf(forged, sizeof forged, "vapid t=%s, k=%s", token, other_k);
    assert_vapid_refused(forged, ORIGIN, NOW, "does not verify");

    snprintf(forged, sizeof forged, "vapid t=%s", token);
    assert_vapid_refused(forged, ORIGIN, NOW, "lack t= or k=");
    snprintf(forged, sizeof forged, "vapid t=%s, k=BA1H", token);
    assert_vapid_refused(forged, ORIGIN, NOW, "not a P-256 public key");
    snprintf(forged, sizeof forged, "Bearer %s", token);
    assert_vapid_refused(forged, ORIGIN, NOW, "not \"vapid");
    snprintf(forged, sizeof forged, "vapid t=%.*s, k=%s", (int)(dot2 - token), token, k);
    assert_vapid_refused(forged, ORIGIN, NOW, "not a signed JWT");
    /* alg "none" (RFC 7519 6): never accepted. */
    char none_header[64];
    const char *none = "{\"typ\":\"JWT\",\"alg\":\"none\"}";
    assert_true(webpush_base64url_encode((const uint8_t *)none, strlen(none), none_header,
                                         sizeof none_header));
    snprintf(forged, sizeof forged, "vapid t=%s%s, k=%s", none_header, dot1, k);
    assert_vapid_refused(forged, ORIGIN, NOW, "ES256");
    EVP_PKEY_free(key);
    EVP_PKEY_free(other);
}

static void test_vapid_refuses_a_bad_contact_lifetime_or_endpoint(void **state)
{
    (void)state;
    char why[256] = "", value[WEBPUSH_AUTHORIZATION_MAX];
    EVP_PKEY *key = webpush_key_generate(why, sizeof why);
    assert_false(webpush_vapid_authorization(key, ENDPOINT, "ftp://vigie.example", NOW, 3600, value,
                                             sizeof value, why, sizeof why));
    assert_non_null(strstr(why, "mailto:"));
    assert_false(webpush_vapid_authorization(key, ENDPOINT, "mailto:", NOW, 3600, value,
                                             sizeof value, why, sizeof why));
    assert_false(webpush_vapid_authorization(key, ENDPOINT, "mailto:a b@c.d", NOW, 3600, value,
                                             sizeof value, why, sizeof why));
    assert_non_null(strstr(why, "space"));
    assert_true(webpush_vapid_authorization(key, ENDPOINT, "https://vigie.example/contact", NOW,
                                            3600, value, sizeof value, why, sizeof why));
    assert_false(webpush_vapid_authorization(key, ENDPOINT, CONTACT, NOW, 24 * 3600 + 1, value,
                                             sizeof value, why, sizeof why));
    assert_non_null(strstr(why, "24 hours"));
    assert_false(webpush_vapid_authorization(key, ENDPOINT, CONTACT, NOW, 0, value, sizeof value,
                                             why, sizeof why));
    assert_false(webpush_vapid_authorization(key, "http://push.example.net/p/1", CONTACT, NOW, 3600,
                                             value, sizeof value, why, sizeof why));
    assert_non_null(strstr(why, "https://"));
    /* A public key alone cannot sign. */
    uint8_t point[WEBPUSH_POINT_LEN];
    assert_true(webpush_key_point(key, point));
    EVP_PKEY *public_only = webpush_key_from_point(point, why, sizeof why);
    assert_false(webpush_vapid_authorization(public_only, ENDPOINT, CONTACT, NOW, 3600, value,
                                             sizeof value, why, sizeof why));
    assert_non_null(strstr(why, "cannot sign"));
    EVP_PKEY_free(public_only);
    EVP_PKEY_free(key);
}

/* A temporary directory for key files, removed with its files. */
struct scratch {
    char dir[64];
};

static void scratch_path(const struct scratch *scratch, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", scratch->dir, name);
}

static void write_file(const char *path, const char *text)
{
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs(text, file);
    fclose(file);
}

static void test_the_vapid_key_file_is_created_once_then_kept(void **state)
{
    (void)state;
    struct scratch scratch = {"/tmp/vigie-webpush.XXXXXX"};
    assert_non_null(mkdtemp(scratch.dir));
    char path[128], why[512] = "";
    scratch_path(&scratch, "vapid.pem", path, sizeof path);

    bool created = false;
    EVP_PKEY *first = webpush_key_load_or_create(path, &created, why, sizeof why);
    if (first == NULL)
        fail_msg("%s", why);
    assert_true(created);
    struct stat info;
    assert_int_equal(stat(path, &info), 0);
    assert_int_equal(info.st_mode & 0777, 0600);

    EVP_PKEY *again = webpush_key_load_or_create(path, &created, why, sizeof why);
    assert_non_null(again);
    assert_false(created);
    uint8_t a[WEBPUSH_POINT_LEN], b[WEBPUSH_POINT_LEN];
    assert_true(webpush_key_point(first, a));
    assert_true(webpush_key_point(again, b));
    assert_memory_equal(a, b, sizeof a);
    /* Saving over it is refused: the key browsers know is never lost. */
    assert_false(webpush_key_save_pem(first, path, why, sizeof why));
    assert_non_null(strstr(why, "exists"));

    /* The SEC1 form `openssl ecparam -genkey` writes is read too. */
    char sec1[128];
    scratch_path(&scratch, "sec1.pem", sec1, sizeof sec1);
    BIO *bio = BIO_new_file(sec1, "w");
    assert_non_null(bio);
    assert_int_equal(PEM_write_bio_PrivateKey_traditional(bio, first, NULL, NULL, 0, NULL, NULL),
                     1);
    BIO_free(bio);
    EVP_PKEY *traditional = webpush_key_load_pem(sec1, why, sizeof why);
    if (traditional == NULL)
        fail_msg("%s", why);
    assert_true(webpush_key_point(traditional, b));
    assert_memory_equal(a, b, sizeof a);

    /* Another curve, garbage, no file: each says why. */
    char p384[128], garbage[128], missing[128];
    scratch_path(&scratch, "p384.pem", p384, sizeof p384);
    scratch_path(&scratch, "garbage.pem", garbage, sizeof garbage);
    scratch_path(&scratch, "missing.pem", missing, sizeof missing);
    EVP_PKEY *wrong_curve = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp384r1");
    FILE *file = fopen(p384, "w");
    assert_int_equal(PEM_write_PrivateKey(file, wrong_curve, NULL, NULL, 0, NULL, NULL), 1);
    fclose(file);
    assert_null(webpush_key_load_pem(p384, why, sizeof why));
    assert_non_null(strstr(why, "not a P-256"));
    write_file(garbage, "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n");
    assert_null(webpush_key_load_or_create(garbage, &created, why, sizeof why));
    assert_non_null(strstr(why, "not an unencrypted private key"));
    assert_false(created);
    assert_null(webpush_key_load_pem(missing, why, sizeof why));
    assert_non_null(strstr(why, "No such file"));

    EVP_PKEY_free(wrong_curve);
    EVP_PKEY_free(traditional);
    EVP_PKEY_free(again);
    EVP_PKEY_free(first);
    unlink(path), unlink(sec1), unlink(p384), unlink(garbage);
    assert_int_equal(rmdir(scratch.dir), 0); /* nothing else left behind */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_vapid_header_verifies_with_its_key_and_names_the_push_service),
        cmocka_unit_test(test_rfc8292_example_token_passes_the_push_service_check),
        cmocka_unit_test(test_the_push_service_check_refuses_what_is_wrong),
        cmocka_unit_test(test_vapid_refuses_a_bad_contact_lifetime_or_endpoint),
        cmocka_unit_test(test_the_vapid_key_file_is_created_once_then_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
