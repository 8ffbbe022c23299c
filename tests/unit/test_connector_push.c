/* Unit tests of the Web Push connector's pure parts: what a push
 * service's answer means for the outbox (sent with its Location, gone,
 * retried after Retry-After, refused), the TTL that ends at the alert's
 * deadline, the Topic that makes a copy sent again replace the first, and
 * the messages it refuses to build at all. The requests themselves are
 * tested against the real test push service (tests/integration). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "server/connector_push.h"
#include "server/webpush_base64url.h"
#include "server/webpush_keys.h"
#include "server/webpush_request.h"

static void test_ttl_ends_at_the_alerts_deadline(void **state)
{
    (void)state;
    int64_t now = 1700000000000;
    assert_int_equal(connector_push_ttl(now + 6 * 3600 * 1000, now), 6 * 3600);
    assert_int_equal(connector_push_ttl(now + 1999, now), 1);
    assert_int_equal(connector_push_ttl(now, now), 0);
    assert_int_equal(connector_push_ttl(now - 5000, now), 0);
    assert_int_equal(connector_push_ttl(now + 90LL * 86400 * 1000, now), WEBPUSH_TTL_MAX);
}

static void test_topic_is_32_base64url_characters_of_the_key(void **state)
{
    (void)state;
    char one[CONNECTOR_PUSH_TOPIC_LEN + 1], again[CONNECTOR_PUSH_TOPIC_LEN + 1],
        other[CONNECTOR_PUSH_TOPIC_LEN + 1];
    connector_push_topic("massalert-12-345-push", one);
    connector_push_topic("massalert-12-345-push", again);
    connector_push_topic("massalert-12-346-push", other);
    assert_int_equal(strlen(one), CONNECTOR_PUSH_TOPIC_LEN);
    assert_string_equal(one, again);
    assert_string_not_equal(one, other);
    for (const char *c = one; *c; c++)
        assert_non_null(
            strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *c));
}

static void test_retry_after_in_seconds_or_as_a_date(void **state)
{
    (void)state;
    int64_t now = (int64_t)time(NULL) * 1000;
    assert_int_equal(connector_push_retry_after("120", now), 120000);
    assert_int_equal(connector_push_retry_after("0", now), 0);
    assert_int_equal(connector_push_retry_after("", now), 0);
    assert_int_equal(connector_push_retry_after(NULL, now), 0);
    assert_int_equal(connector_push_retry_after("soon", now), 0);
    assert_int_equal(connector_push_retry_after("12abc", now), 0);
    assert_int_equal(connector_push_retry_after("999999999", now),
                     CONNECTOR_PUSH_RETRY_AFTER_MAX_S * 1000);
    char date[64];
    time_t later = (time_t)(now / 1000) + 30;
    struct tm utc;
    gmtime_r(&later, &utc);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    int64_t wait = connector_push_retry_after(date, now);
    assert_true(wait >= 29000 && wait <= 31000);
    /* A date already past asks for nothing. */
    assert_int_equal(connector_push_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), 0);
}

static void test_answers_mean_sent_gone_retry_or_refused(void **state)
{
    (void)state;
    struct connector_push_outcome out;
    connector_push_classify(201, "https://push.example.net/m/AbC 1", 0, &out);
    assert_true(out.delivered);
    assert_false(out.permanent);
    assert_string_equal(out.reference, "https://push.example.net/m/AbC1");

    for (long status = 404; status <= 410; status += 6) {
        connector_push_classify(status, NULL, 0, &out);
        assert_false(out.delivered);
        assert_true(out.permanent);
        assert_true(out.gone);
        assert_non_null(strstr(out.error, "subscription is gone"));
    }

    connector_push_classify(429, NULL, 5000, &out);
    assert_false(out.delivered || out.permanent || out.gone);
    assert_int_equal(out.retry_after_ms, 5000);
    assert_non_null(strstr(out.error, "429"));
    connector_push_classify(503, NULL, 0, &out);
    assert_false(out.permanent);
    connector_push_classify(408, NULL, 0, &out);
    assert_false(out.permanent);

    static const long refused[] = {400, 401, 403, 413};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        connector_push_classify(refused[i], NULL, 7000, &out);
        assert_true(out.permanent);
        assert_false(out.gone || out.delivered);
        assert_int_equal(out.retry_after_ms, 0);
    }
    connector_push_classify(403, NULL, 0, &out);
    assert_non_null(strstr(out.error, "VAPID"));
    connector_push_classify(413, NULL, 0, &out);
    assert_non_null(strstr(out.error, "too large"));
}

/* A subscription as a browser gives it, for a fresh key pair. */
static void subscription_json(char *out, size_t size)
{
    char why[128], p256dh[WEBPUSH_BASE64URL_LEN(WEBPUSH_POINT_LEN) + 1], auth[32];
    EVP_PKEY *browser = webpush_key_generate(why, sizeof why);
    uint8_t point[WEBPUSH_POINT_LEN],
        secret[WEBPUSH_AUTH_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    assert_true(webpush_key_point(browser, point));
    EVP_PKEY_free(browser);
    webpush_base64url_encode(point, sizeof point, p256dh, sizeof p256dh);
    webpush_base64url_encode(secret, sizeof secret, auth, sizeof auth);
    snprintf(out, size,
             "{\"endpoint\":\"https://push.example.net/send/abc\",\"keys\":{\"p256dh\":\"%s\","
             "\"auth\":\"%s\"}}",
             p256dh, auth);
}

static struct store_outbox_message message_for(const char *recipient, char *body)
{
    struct store_outbox_message m = {.id = 7, .attempts = 1, .max_attempts = 5};
    snprintf(m.channel, sizeof m.channel, "push");
    snprintf(m.recipient, sizeof m.recipient, "%s", recipient);
    snprintf(m.message_key, sizeof m.message_key, "massalert-1-7-push");
    m.body = body;
    m.body_length = strlen(body);
    m.deadline_at = (int64_t)time(NULL) * 1000 + 3600 * 1000;
    return m;
}

static void test_what_cannot_be_sent_is_refused_before_sending(void **state)
{
    (void)state;
    char why[128], json[512], text[] = "DO NOT LEAVE YOUR SITE";
    EVP_PKEY *key = webpush_key_generate(why, sizeof why);
    struct connector_push_options options = {.timeout_ms = 1000,
                                             .connect_timeout_ms = 1000,
                                             .vapid_key = key,
                                             .subject = "mailto:ops@vigie.example.org",
                                             .now_ms = (int64_t)time(NULL) * 1000};
    struct connector_push_outcome out;

    /* A good message makes a transfer. */
    subscription_json(json, sizeof json);
    struct store_outbox_message m = message_for(json, text);
    struct connector_push *transfer = connector_push_new(&m, &options, &out);
    assert_non_null(transfer);
    assert_non_null(connector_push_curl(transfer));
    connector_push_free(transfer);

    /* A subscription that is not one. */
    struct store_outbox_message bad = message_for("{\"endpoint\":\"http://x/y\"}", text);
    assert_null(connector_push_new(&bad, &options, &out));
    assert_true(out.permanent);
    assert_non_null(strstr(out.error, "push subscription is unusable"));

    /* A payload above what one push message holds. */
    char *large = malloc(WEBPUSH_PAYLOAD_MAX + 2);
    memset(large, 'a', WEBPUSH_PAYLOAD_MAX + 1);
    large[WEBPUSH_PAYLOAD_MAX + 1] = '\0';
    struct store_outbox_message big = message_for(json, large);
    assert_null(connector_push_new(&big, &options, &out));
    assert_true(out.permanent);
    assert_non_null(strstr(out.error, "a push message holds"));
    free(large);

    /* No VAPID key or subject: push is not configured. */
    options.subject = "";
    assert_null(connector_push_new(&m, &options, &out));
    assert_true(out.permanent);
    assert_non_null(strstr(out.error, "webpush_subject"));
    EVP_PKEY_free(key);
}

static void test_a_transfer_error_is_retried_unless_the_url_is_bad(void **state)
{
    (void)state;
    struct connector_push_outcome out;
    connector_push_result(NULL, CURLE_COULDNT_CONNECT, &out);
    assert_false(out.permanent || out.delivered);
    assert_non_null(strstr(out.error, "refused the connection"));
    connector_push_result(NULL, CURLE_PEER_FAILED_VERIFICATION, &out);
    assert_false(out.permanent);
    assert_non_null(strstr(out.error, "certificate"));
    connector_push_result(NULL, CURLE_UNSUPPORTED_PROTOCOL, &out);
    assert_true(out.permanent);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ttl_ends_at_the_alerts_deadline),
        cmocka_unit_test(test_topic_is_32_base64url_characters_of_the_key),
        cmocka_unit_test(test_retry_after_in_seconds_or_as_a_date),
        cmocka_unit_test(test_answers_mean_sent_gone_retry_or_refused),
        cmocka_unit_test(test_what_cannot_be_sent_is_refused_before_sending),
        cmocka_unit_test(test_a_transfer_error_is_retried_unless_the_url_is_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
