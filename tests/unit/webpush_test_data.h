/* webpush_test_data.h: what the Web Push unit tests share (test_webpush.c,
 * test_webpush_vapid.c): the RFC 8292 example, a push service's endpoint
 * and origin, a contact and a fixed time, and two base64url helpers.
 * Include it after cmocka.h. */
#ifndef VIGIE_TESTS_WEBPUSH_TEST_DATA_H
#define VIGIE_TESTS_WEBPUSH_TEST_DATA_H

#include <stdint.h>
#include <string.h>

#include "server/webpush_base64url.h"

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
static inline void decode(const char *text, uint8_t *out, size_t len)
{
    size_t got = 0;
    assert_true(webpush_base64url_decode(text, strlen(text), out, len, &got));
    assert_int_equal(got, len);
}

static inline void assert_base64url(const uint8_t *bytes, size_t len, const char *expected)
{
    char text[8192];
    assert_true(webpush_base64url_encode(bytes, len, text, sizeof text));
    assert_string_equal(text, expected);
}

#endif
