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
#include "tests/unit/webpush_test_data.h"

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
        cmocka_unit_test(test_a_request_carries_what_the_push_service_expects),
        cmocka_unit_test(test_the_browser_side_checks_delimiter_padding_and_header),
        cmocka_unit_test(test_a_private_scalar_out_of_range_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
