/* Unit tests of Web Push for mass alerts: what vigied sends an agent's
 * browser must decrypt there (RFC 8291, aes128gcm of RFC 8188) and its
 * VAPID header must satisfy the push service (RFC 8292).
 *
 * Test vectors, copied from the RFC texts as their working groups
 * published them (github.com/webpush-wg/webpush-encryption,
 * draft-ietf-webpush-encryption.md, the source of RFC 8291: section 5
 * "Push Message Encryption Example" and Appendix A "Intermediate Values
 * for Encryption"; github.com/webpush-wg/webpush-vapid,
 * draft-ietf-webpush-vapid.md, the source of RFC 8292: section 2.4
 * "Example"), line breaks and spaces removed. */
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

/* RFC 8291 section 5 and Appendix A. */
#define RFC_PLAINTEXT "When I grow up, I want to be a watermelon"
#define RFC_AS_PUBLIC                                                                              \
    "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
#define RFC_AS_PRIVATE "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
#define RFC_UA_PUBLIC                                                                              \
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
#define RFC_UA_PRIVATE "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
#define RFC_SALT       "DGv6ra1nlYgDCS1FRnbzlw"
#define RFC_AUTH       "BTBZMqHH6r4Tts7J_aSIgg"
#define RFC_ECDH       "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs"
#define RFC_CEK        "oIhVW04MRdy2XN9CiKLxTg"
#define RFC_NONCE      "4h_95klXJ5E_qnoN"
#define RFC_HEADER                                                                                 \
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS" \
    "6TlzAC8wEqKK6PBru3jl7A8"
#define RFC_CIPHERTEXT                                                                             \
    "8pfeW0KbunFT06SuDKoJH9Ql87S1QUrdirN6GcG7sFz1y1sqLgVi1VhjVkHsUoEsbI_0LpXMuGvnzQ"
#define RFC_BODY                                                                                   \
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS" \
    "6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Q"  \
    "ulcy4a-fN"

/* RFC 8292 section 2.4. */
#define RFC8292_TOKEN                                                                              \
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJleHAiOj"  \
    "E0NTM1MjM3NjgsInN1YiI6Im1haWx0bzpwdXNoQGV4YW1wbGUuY29tIn0.i3CYb7t4xfxCDquptFOepC9GAu_HLGkMl"  \
    "MuCGSK2rpiUfnK9ojFwDXb1JrErtmysazNjjvW2L9OkSSHzvoD1oA"
#define RFC8292_KEY                                                                                \
    "BA1Hxzyi1RUM1b5wjxsn7nGxAszw2u61m164i3MrAIxHF6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmClBPs"
#define RFC8292_JWK_X "DUfHPKLVFQzVvnCPGyfucbECzPDa7rWbXriLcysAjEc"
#define RFC8292_JWK_Y "F6YK5h4SDYic-dRuU_RCPCfA5aq9ojSwk5Y2EmClBPs"
#define RFC8292_EXP   1453523768

#define ENDPOINT "https://push.example.net:8443/p/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV"
#define ORIGIN   "https://push.example.net:8443"
#define CONTACT  "mailto:centrale@vigie.example"
#define NOW      1767225600 /* 2026-01-01T00:00:00Z */
#define ALERT    "{\"title\":\"Alerte\",\"body\":\"NE QUITTEZ PAS VOTRE SITE - N'intervenez pas\"}"

/* base64url that the test itself wrote: it must decode, to `len` bytes. */
static void decode(const char *text, uint8_t *out, size_t len)
{
    size_t got = 0;
    assert_true(webpush_base64url_decode(text, strlen(text), out, len, &got));
    assert_int_equal(got, len);
}

static void assert_base64url(const uint8_t *bytes, size_t len, const char *expected)
{
    char text[8192];
    assert_true(webpush_base64url_encode(bytes, len, text, sizeof text));
    assert_string_equal(text, expected);
}

static EVP_PKEY *rfc_key(const char *private_text)
{
    uint8_t scalar[WEBPUSH_PRIVATE_LEN];
    char why[256] = "";
    decode(private_text, scalar, sizeof scalar);
    EVP_PKEY *key = webpush_key_from_private(scalar, why, sizeof why);
    if (key == NULL)
        fail_msg("%s", why);
    return key;
}

static void encrypt_rfc_example(struct webpush_message *message)
{
    uint8_t ua_public[WEBPUSH_POINT_LEN], auth[WEBPUSH_AUTH_LEN], salt[WEBPUSH_SALT_LEN];
    decode(RFC_UA_PUBLIC, ua_public, sizeof ua_public);
    decode(RFC_AUTH, auth, sizeof auth);
    decode(RFC_SALT, salt, sizeof salt);
    EVP_PKEY *as_key = rfc_key(RFC_AS_PRIVATE);
    char why[256] = "";
    if (!webpush_encrypt_with(ua_public, auth, as_key, salt, (const uint8_t *)RFC_PLAINTEXT,
                              strlen(RFC_PLAINTEXT), message, why, sizeof why))
        fail_msg("%s", why);
    EVP_PKEY_free(as_key);
}

static void test_rfc8291_keys_give_the_published_intermediate_values(void **state)
{
    (void)state;
    EVP_PKEY *as_key = rfc_key(RFC_AS_PRIVATE), *ua_key = rfc_key(RFC_UA_PRIVATE);
    uint8_t as_public[WEBPUSH_POINT_LEN], ua_public[WEBPUSH_POINT_LEN];
    assert_true(webpush_key_point(as_key, as_public));
    assert_true(webpush_key_point(ua_key, ua_public));
    assert_base64url(as_public, sizeof as_public, RFC_AS_PUBLIC);
    assert_base64url(ua_public, sizeof ua_public, RFC_UA_PUBLIC);

    uint8_t sender_side[WEBPUSH_SECRET_LEN], receiver_side[WEBPUSH_SECRET_LEN];
    assert_true(webpush_key_ecdh(as_key, ua_key, sender_side));
    assert_true(webpush_key_ecdh(ua_key, as_key, receiver_side));
    assert_base64url(sender_side, sizeof sender_side, RFC_ECDH);
    assert_base64url(receiver_side, sizeof receiver_side, RFC_ECDH);

    uint8_t auth[WEBPUSH_AUTH_LEN], salt[WEBPUSH_SALT_LEN];
    uint8_t cek[WEBPUSH_CEK_LEN], nonce[WEBPUSH_NONCE_LEN];
    decode(RFC_AUTH, auth, sizeof auth);
    decode(RFC_SALT, salt, sizeof salt);
    assert_true(webpush_content_keys(sender_side, auth, ua_public, as_public, salt, cek, nonce));
    assert_base64url(cek, sizeof cek, RFC_CEK);
    assert_base64url(nonce, sizeof nonce, RFC_NONCE);
    EVP_PKEY_free(as_key);
    EVP_PKEY_free(ua_key);
}

static void test_rfc8291_example_encrypts_to_the_published_body(void **state)
{
    (void)state;
    struct webpush_message message;
    encrypt_rfc_example(&message);
    /* 86 header + 41 plaintext + 1 delimiter + 16 tag. */
    assert_int_equal(message.len, 144);
    assert_base64url(message.body, WEBPUSH_HEADER_LEN, RFC_HEADER);
    assert_base64url(message.body + WEBPUSH_HEADER_LEN, message.len - WEBPUSH_HEADER_LEN,
                     RFC_CIPHERTEXT);
    assert_base64url(message.body, message.len, RFC_BODY);
}

static void test_rfc8291_body_decrypts_with_the_user_agents_key(void **state)
{
    (void)state;
    uint8_t body[144], auth[WEBPUSH_AUTH_LEN];
    decode(RFC_BODY, body, sizeof body);
    decode(RFC_AUTH, auth, sizeof auth);
    EVP_PKEY *ua_key = rfc_key(RFC_UA_PRIVATE);
    struct webpush_received received;
    char why[256] = "";
    if (!webpush_receive_decrypt(ua_key, auth, body, sizeof body, &received, why, sizeof why))
        fail_msg("%s", why);
    assert_int_equal(received.len, strlen(RFC_PLAINTEXT));
    assert_memory_equal(received.payload, RFC_PLAINTEXT, received.len);
    assert_int_equal(received.record_size, 4096);
    assert_base64url(received.sender_key, WEBPUSH_POINT_LEN, RFC_AS_PUBLIC);
    EVP_PKEY_free(ua_key);
}

static void test_base64url_edge_cases(void **state)
{
    (void)state;
    /* RFC 4648 10's vectors, without padding, and both URL-safe digits. */
    assert_base64url((const uint8_t *)"", 0, "");
    assert_base64url((const uint8_t *)"f", 1, "Zg");
    assert_base64url((const uint8_t *)"fo", 2, "Zm8");
    assert_base64url((const uint8_t *)"foo", 3, "Zm9v");
    assert_base64url((const uint8_t *)"foobar", 6, "Zm9vYmFy");
    assert_base64url((const uint8_t[]){0xFB, 0xFF, 0xBF}, 3, "-_-_");
    assert_int_equal(WEBPUSH_BASE64URL_LEN(65), 87);

    uint8_t out[16];
    size_t len = 99;
    assert_true(webpush_base64url_decode("", 0, out, sizeof out, &len));
    assert_int_equal(len, 0);
    assert_true(webpush_base64url_decode("Zm8", 3, out, sizeof out, &len));
    assert_int_equal(len, 2);
    assert_memory_equal(out, "fo", 2);
    assert_true(webpush_base64url_decode("Zm8=", 4, out, sizeof out, &len)); /* padded: read */
    assert_int_equal(len, 2);
    assert_true(webpush_base64url_decode("Zg==", 4, out, sizeof out, &len));
    assert_int_equal(len, 1);
    assert_true(webpush_base64url_decode("-_-_", 4, out, sizeof out, &len));
    assert_memory_equal(out, ((const uint8_t[]){0xFB, 0xFF, 0xBF}), 3);

    const char *refused[] = {
        "+/+/",  /* standard base64, not base64url */
        "Zm9v ", /* a space */
        "Z",     /* no encoding is one character long */
        "Zm9vY", /* nor 4n + 1 */
        "Zh",    /* "f" is Zg: stray bits set */
        "Zm9=",  /* stray bits before padding */
        "Zg=",   /* padding that does not complete the group */
        "Zm9v=", /* padding after a whole group */
        "Zg===", /* three pads */
        "Z=g=",  /* padding inside */
        "Zm\n8", /* a line break */
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        if (webpush_base64url_decode(refused[i], strlen(refused[i]), out, sizeof out, &len))
            fail_msg("\"%s\" was accepted", refused[i]);

    /* Bounded both ways: no byte past the room given. */
    char small[4];
    assert_false(webpush_base64url_encode((const uint8_t *)"foo", 3, small, sizeof small));
    assert_true(webpush_base64url_encode((const uint8_t *)"fo", 2, small, sizeof small));
    assert_false(webpush_base64url_decode("Zm9vYmFy", 8, out, 5, &len));
    assert_true(webpush_base64url_decode("Zm9vYmFy", 8, out, 6, &len));
}

/* A browser's subscription: a fresh key pair and auth secret. */
struct browser {
    EVP_PKEY *key;
    uint8_t auth[WEBPUSH_AUTH_LEN];
    char json[1024];
};

static void browser_new(struct browser *browser, const char *endpoint)
{
    char why[256] = "", p256dh[WEBPUSH_POINT_BASE64_SIZE], auth[32];
    uint8_t point[WEBPUSH_POINT_LEN];
    browser->key = webpush_key_generate(why, sizeof why);
    assert_non_null(browser->key);
    assert_int_equal(RAND_bytes(browser->auth, sizeof browser->auth), 1);
    assert_true(webpush_key_point(browser->key, point));
    assert_true(webpush_base64url_encode(point, sizeof point, p256dh, sizeof p256dh));
    assert_true(webpush_base64url_encode(browser->auth, sizeof browser->auth, auth, sizeof auth));
    snprintf(browser->json, sizeof browser->json,
             "{\"endpoint\":\"%s\",\"expirationTime\":null,"
             "\"keys\":{\"p256dh\":\"%s\",\"auth\":\"%s\"}}",
             endpoint, p256dh, auth);
}

static void browser_receives(const struct browser *browser, const struct webpush_message *message,
                             const char *expected)
{
    struct webpush_received received;
    char why[256] = "";
    if (!webpush_receive_decrypt(browser->key, browser->auth, message->body, message->len,
                                 &received, why, sizeof why))
        fail_msg("%s", why);
    assert_int_equal(received.len, strlen(expected));
    assert_memory_equal(received.payload, expected, received.len);
}

static void test_our_messages_decrypt_in_the_agents_browser(void **state)
{
    (void)state;
    struct browser browser;
    browser_new(&browser, ENDPOINT);
    struct webpush_subscription subscription;
    char why[256] = "";
    if (!webpush_subscription_parse(browser.json, strlen(browser.json), &subscription, why,
                                    sizeof why))
        fail_msg("%s", why);
    assert_string_equal(subscription.endpoint, ENDPOINT);

    struct webpush_message first, second;
    assert_true(webpush_encrypt(&subscription, (const uint8_t *)ALERT, strlen(ALERT), &first, why,
                                sizeof why));
    assert_true(webpush_encrypt(&subscription, (const uint8_t *)ALERT, strlen(ALERT), &second, why,
                                sizeof why));
    browser_receives(&browser, &first, ALERT);
    browser_receives(&browser, &second, ALERT);
    /* A fresh salt and ephemeral key each time: never the same bytes. */
    assert_int_equal(first.len, second.len);
    assert_memory_not_equal(first.body, second.body, WEBPUSH_SALT_LEN);
    assert_memory_not_equal(first.body + 21, second.body + 21, WEBPUSH_POINT_LEN);
    /* Nor is the ephemeral key the browser's own. */
    uint8_t point[WEBPUSH_POINT_LEN];
    assert_true(webpush_key_point(browser.key, point));
    assert_memory_not_equal(first.body + 21, point, WEBPUSH_POINT_LEN);

    /* An empty payload is a message too. */
    struct webpush_message empty;
    assert_true(webpush_encrypt(&subscription, NULL, 0, &empty, why, sizeof why));
    browser_receives(&browser, &empty, "");

    /* One altered byte anywhere in the record, or another auth secret,
     * and the browser refuses the message. */
    struct webpush_received received;
    first.body[first.len - 20] ^= 0x01;
    assert_false(webpush_receive_decrypt(browser.key, browser.auth, first.body, first.len,
                                         &received, why, sizeof why));
    assert_non_null(strstr(why, "does not decrypt"));
    browser.auth[0] ^= 0x01;
    assert_false(webpush_receive_decrypt(browser.key, browser.auth, second.body, second.len,
                                         &received, why, sizeof why));
    assert_non_null(strstr(why, "does not decrypt"));
    EVP_PKEY_free(browser.key);
}

static void test_the_largest_payload_fills_4096_bytes_and_one_more_is_refused(void **state)
{
    (void)state;
    struct browser browser;
    browser_new(&browser, ENDPOINT);
    struct webpush_subscription subscription;
    char why[256] = "";
    assert_true(webpush_subscription_parse(browser.json, strlen(browser.json), &subscription, why,
                                           sizeof why));
    static char payload[WEBPUSH_PAYLOAD_MAX + 2];
    memset(payload, 'x', sizeof payload - 1);
    payload[WEBPUSH_PAYLOAD_MAX] = '\0';
    assert_int_equal(WEBPUSH_PAYLOAD_MAX, 3993);

    static struct webpush_message message;
    assert_true(webpush_encrypt(&subscription, (const uint8_t *)payload, WEBPUSH_PAYLOAD_MAX,
                                &message, why, sizeof why));
    assert_int_equal(message.len, 4096);
    browser_receives(&browser, &message, payload);

    assert_false(webpush_encrypt(&subscription, (const uint8_t *)payload, WEBPUSH_PAYLOAD_MAX + 1,
                                 &message, why, sizeof why));
    assert_non_null(strstr(why, "3994 bytes"));
    assert_non_null(strstr(why, "at most 3993"));
    assert_int_equal(message.len, 0);
    EVP_PKEY_free(browser.key);
}

/* A subscription that must be refused, and words of the reason. */
static void assert_refused(const char *json, const char *words)
{
    struct webpush_subscription subscription;
    char why[512] = "";
    if (webpush_subscription_parse(json, strlen(json), &subscription, why, sizeof why))
        fail_msg("accepted: %s", json);
    if (strstr(why, words) == NULL)
        fail_msg("\"%s\" lacks \"%s\"", why, words);
    assert_string_equal(subscription.endpoint, "");
}

/* A subscription of the RFC's browser with one field replaced. */
static const char *subscription_with(const char *endpoint, const char *p256dh, const char *auth)
{
    static char json[4096];
    snprintf(json, sizeof json,
             "{\"endpoint\":\"%s\",\"keys\":{\"p256dh\":\"%s\",\"auth\":\"%s\"}}", endpoint, p256dh,
             auth);
    return json;
}

static void test_a_bad_subscription_is_refused_with_the_reason(void **state)
{
    (void)state;
    struct webpush_subscription subscription;
    char why[256] = "";
    const char *good = subscription_with(ENDPOINT, RFC_UA_PUBLIC, RFC_AUTH);
    if (!webpush_subscription_parse(good, strlen(good), &subscription, why, sizeof why))
        fail_msg("%s", why);

    assert_refused(subscription_with("http://push.example.net/p/1", RFC_UA_PUBLIC, RFC_AUTH),
                   "not an https:// URL");
    assert_refused(subscription_with("https:///p/1", RFC_UA_PUBLIC, RFC_AUTH), "URL with a host");
    assert_refused(subscription_with("https:/push.example.net/p/1", RFC_UA_PUBLIC, RFC_AUTH),
                   "not an https:// URL");
    assert_refused(subscription_with("push.example.net/p/1", RFC_UA_PUBLIC, RFC_AUTH),
                   "not an https:// URL");
    assert_refused(
        subscription_with("https://user:secret@push.example.net/p/1", RFC_UA_PUBLIC, RFC_AUTH),
        "user name or password");
    assert_refused(subscription_with("https://push.example.net:99999/p/1", RFC_UA_PUBLIC, RFC_AUTH),
                   "URL with a host");
    assert_refused(subscription_with("https://push.example.net/p 1", RFC_UA_PUBLIC, RFC_AUTH),
                   "spaces");

    /* The RFC's key with its last byte changed: 65 bytes, off the curve. */
    uint8_t point[WEBPUSH_POINT_LEN];
    char text[WEBPUSH_POINT_BASE64_SIZE];
    decode(RFC_UA_PUBLIC, point, sizeof point);
    point[64] ^= 0x01;
    assert_true(webpush_base64url_encode(point, sizeof point, text, sizeof text));
    assert_refused(subscription_with(ENDPOINT, text, RFC_AUTH), "not a valid P-256 public key");
    /* The same x in compressed form (33 bytes), and 64 bytes of it. */
    point[64] ^= 0x01;
    uint8_t compressed[33] = {(uint8_t)(0x02 | (point[64] & 1))};
    memcpy(compressed + 1, point + 1, 32);
    assert_true(webpush_base64url_encode(compressed, sizeof compressed, text, sizeof text));
    assert_refused(subscription_with(ENDPOINT, text, RFC_AUTH), "keys.p256dh");
    assert_true(webpush_base64url_encode(point, 64, text, sizeof text));
    assert_refused(subscription_with(ENDPOINT, text, RFC_AUTH), "not 65 bytes");
    /* 65 bytes whose first says "compressed". */
    point[0] = 0x02;
    assert_true(webpush_base64url_encode(point, sizeof point, text, sizeof text));
    assert_refused(subscription_with(ENDPOINT, text, RFC_AUTH), "not a valid P-256 public key");

    assert_refused(subscription_with(ENDPOINT, RFC_UA_PUBLIC, "BTBZMqHH6r4Tts7J_aSI"),
                   "keys.auth of the push subscription is not 16 bytes");
    assert_refused(subscription_with(ENDPOINT, RFC_UA_PUBLIC, "BTBZMqHH6r4Tts7J/aSIgg"),
                   "keys.auth");
    assert_refused("{\"endpoint\":\"" ENDPOINT "\"}", "no \"keys\"");
    assert_refused("{\"endpoint\":\"" ENDPOINT "\",\"keys\":{\"auth\":\"" RFC_AUTH "\"}}",
                   "no keys.p256dh");
    assert_refused("{\"keys\":{}}", "no \"endpoint\"");
    assert_refused("[\"" ENDPOINT "\"]", "not a JSON object");
    assert_refused("{\"endpoint\":", "not a JSON object");

    char long_endpoint[WEBPUSH_ENDPOINT_MAX + 16] = "https://push.example.net/";
    memset(long_endpoint + strlen(long_endpoint), 'a',
           sizeof long_endpoint - 1 - strlen(long_endpoint));
    long_endpoint[sizeof long_endpoint - 1] = '\0';
    assert_refused(subscription_with(long_endpoint, RFC_UA_PUBLIC, RFC_AUTH), "longer than 1024");
}

static void assert_origin(const char *endpoint, const char *expected)
{
    char origin[WEBPUSH_ORIGIN_MAX + 1], why[256] = "";
    if (!webpush_endpoint_origin(endpoint, origin, sizeof origin, why, sizeof why))
        fail_msg("%s: %s", endpoint, why);
    assert_string_equal(origin, expected);
}

static void test_the_origin_of_an_endpoint(void **state)
{
    (void)state;
    assert_origin(ENDPOINT, ORIGIN);
    assert_origin("https://Push.Example.NET/wpush/v2/abc?x=1#y", "https://push.example.net");
    assert_origin("https://updates.push.services.mozilla.com:443/wpush/v2/gAAAA",
                  "https://updates.push.services.mozilla.com");
    assert_origin("HTTPS://fcm.googleapis.com/fcm/send/dGVzdA", "https://fcm.googleapis.com");
    assert_origin("https://127.0.0.1:9443/push/1", "https://127.0.0.1:9443");
    assert_origin("https://[::1]:9443/push/1", "https://[::1]:9443");
}

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

static void test_a_request_carries_what_the_push_service_expects(void **state)
{
    (void)state;
    struct browser browser;
    browser_new(&browser, ENDPOINT);
    struct webpush_subscription subscription;
    char why[256] = "";
    assert_true(webpush_subscription_parse(browser.json, strlen(browser.json), &subscription, why,
                                           sizeof why));
    EVP_PKEY *vapid = webpush_key_generate(why, sizeof why);
    static struct webpush_request request;
    if (!webpush_request_build(&subscription, vapid, CONTACT, (const uint8_t *)ALERT, strlen(ALERT),
                               3600, NOW, &request, why, sizeof why))
        fail_msg("%s", why);
    assert_string_equal(request.url, ENDPOINT);
    assert_int_equal(request.header_count, 5);
    assert_string_equal(request.headers[0], "Content-Encoding: aes128gcm");
    assert_string_equal(request.headers[1], "Content-Type: application/octet-stream");
    assert_string_equal(request.headers[2], "TTL: 3600");
    assert_string_equal(request.headers[3], "Urgency: high");
    const char *prefix = "Authorization: ";
    assert_int_equal(strncmp(request.headers[4], prefix, strlen(prefix)), 0);

    struct webpush_vapid_claims seen;
    if (!webpush_receive_vapid(request.headers[4] + strlen(prefix), ORIGIN, NOW + 5, &seen, why,
                               sizeof why))
        fail_msg("%s", why);
    browser_receives(&browser, &request.message, ALERT);
    /* RFC 8292 3.2: the signing key is not the message's ECDH key. */
    assert_memory_not_equal(seen.key, request.message.body + 21, WEBPUSH_POINT_LEN);

    assert_false(webpush_request_build(&subscription, vapid, CONTACT, (const uint8_t *)ALERT,
                                       strlen(ALERT), WEBPUSH_TTL_MAX + 1, NOW, &request, why,
                                       sizeof why));
    assert_non_null(strstr(why, "28 days"));
    assert_false(webpush_request_build(&subscription, vapid, CONTACT, (const uint8_t *)ALERT,
                                       strlen(ALERT), -1, NOW, &request, why, sizeof why));
    EVP_PKEY_free(vapid);
    EVP_PKEY_free(browser.key);
}

/* A message sealed by the test itself (OpenSSL directly) around a
 * plaintext whose delimiter and padding the test chooses. */
static size_t seal_by_hand(const uint8_t *plain, size_t len, EVP_PKEY *ua_key,
                           const uint8_t auth[WEBPUSH_AUTH_LEN], uint8_t *body)
{
    char why[256] = "";
    EVP_PKEY *as_key = webpush_key_generate(why, sizeof why);
    uint8_t ua_public[WEBPUSH_POINT_LEN], as_public[WEBPUSH_POINT_LEN];
    uint8_t secret[WEBPUSH_SECRET_LEN], salt[WEBPUSH_SALT_LEN] = {1, 2, 3};
    uint8_t cek[WEBPUSH_CEK_LEN], nonce[WEBPUSH_NONCE_LEN];
    assert_true(webpush_key_point(ua_key, ua_public) && webpush_key_point(as_key, as_public));
    assert_true(webpush_key_ecdh(as_key, ua_key, secret));
    assert_true(webpush_content_keys(secret, auth, ua_public, as_public, salt, cek, nonce));
    memcpy(body, salt, sizeof salt);
    memcpy(body + 16, (const uint8_t[]){0, 0, 0x10, 0, 65}, 5);
    memcpy(body + 21, as_public, sizeof as_public);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int written = 0, final_written = 0;
    assert_int_equal(EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, cek, nonce), 1);
    assert_int_equal(EVP_EncryptUpdate(ctx, body + 86, &written, plain, (int)len), 1);
    assert_int_equal(EVP_EncryptFinal_ex(ctx, body + 86 + written, &final_written), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, body + 86 + len), 1);
    EVP_CIPHER_CTX_free(ctx);
    EVP_PKEY_free(as_key);
    return 86 + len + 16;
}

static void test_the_browser_side_checks_delimiter_padding_and_header(void **state)
{
    (void)state;
    struct browser browser;
    browser_new(&browser, ENDPOINT);
    uint8_t body[WEBPUSH_MESSAGE_MAX + 1];
    struct webpush_received received;
    char why[256] = "";

    /* Zeros of padding after the 0x02 delimiter are not the message. */
    size_t len = seal_by_hand((const uint8_t *)"abc\x02\0\0\0", 7, browser.key, browser.auth, body);
    assert_true(
        webpush_receive_decrypt(browser.key, browser.auth, body, len, &received, why, sizeof why));
    assert_int_equal(received.len, 3);
    assert_memory_equal(received.payload, "abc", 3);
    /* 0x01 ends a record that is not the last: not a push message. */
    len = seal_by_hand((const uint8_t *)"abc\x01", 4, browser.key, browser.auth, body);
    assert_false(
        webpush_receive_decrypt(browser.key, browser.auth, body, len, &received, why, sizeof why));
    assert_non_null(strstr(why, "delimiter"));
    len = seal_by_hand((const uint8_t *)"\0\0", 2, browser.key, browser.auth, body);
    assert_false(
        webpush_receive_decrypt(browser.key, browser.auth, body, len, &received, why, sizeof why));

    len = seal_by_hand((const uint8_t *)"abc\x02", 4, browser.key, browser.auth, body);
    body[20] = 64; /* idlen */
    assert_false(
        webpush_receive_decrypt(browser.key, browser.auth, body, len, &received, why, sizeof why));
    assert_non_null(strstr(why, "keyid is 64 bytes"));
    body[20] = 65;
    body[18] = 0; /* rs = 0: below RFC 8188's minimum */
    assert_false(
        webpush_receive_decrypt(browser.key, browser.auth, body, len, &received, why, sizeof why));
    assert_non_null(strstr(why, "one record"));
    assert_false(webpush_receive_decrypt(browser.key, browser.auth, body, 86 + 16, &received, why,
                                         sizeof why));
    assert_non_null(strstr(why, "too short"));
    assert_false(webpush_receive_decrypt(browser.key, browser.auth, body, WEBPUSH_MESSAGE_MAX + 1,
                                         &received, why, sizeof why));
    assert_non_null(strstr(why, "more than the 4096"));
    EVP_PKEY_free(browser.key);
}

static void test_a_private_scalar_out_of_range_is_refused(void **state)
{
    (void)state;
    char why[256] = "";
    uint8_t zero[WEBPUSH_PRIVATE_LEN] = {0}, ones[WEBPUSH_PRIVATE_LEN];
    memset(ones, 0xFF, sizeof ones); /* above the order of P-256 */
    assert_null(webpush_key_from_private(zero, why, sizeof why));
    assert_non_null(strstr(why, "not a valid P-256 private key"));
    assert_null(webpush_key_from_private(ones, why, sizeof why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8291_keys_give_the_published_intermediate_values),
        cmocka_unit_test(test_rfc8291_example_encrypts_to_the_published_body),
        cmocka_unit_test(test_rfc8291_body_decrypts_with_the_user_agents_key),
        cmocka_unit_test(test_base64url_edge_cases),
        cmocka_unit_test(test_our_messages_decrypt_in_the_agents_browser),
        cmocka_unit_test(test_the_largest_payload_fills_4096_bytes_and_one_more_is_refused),
        cmocka_unit_test(test_a_bad_subscription_is_refused_with_the_reason),
        cmocka_unit_test(test_the_origin_of_an_endpoint),
        cmocka_unit_test(test_a_vapid_header_verifies_with_its_key_and_names_the_push_service),
        cmocka_unit_test(test_rfc8292_example_token_passes_the_push_service_check),
        cmocka_unit_test(test_the_push_service_check_refuses_what_is_wrong),
        cmocka_unit_test(test_vapid_refuses_a_bad_contact_lifetime_or_endpoint),
        cmocka_unit_test(test_the_vapid_key_file_is_created_once_then_kept),
        cmocka_unit_test(test_a_request_carries_what_the_push_service_expects),
        cmocka_unit_test(test_the_browser_side_checks_delimiter_padding_and_header),
        cmocka_unit_test(test_a_private_scalar_out_of_range_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
