/* The outbox's per-channel throttle (a token bucket with a 50 ms burst,
 * never more than the rate in any second) and the SMS connector's pure
 * parts: the signature that authenticates Kannel's delivery reports, and
 * the sendsms request it builds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "server/config.h"
#include "server/connector_kannel.h"
#include "server/massalert_token.h"
#include "server/outbox_throttle.h"

static void test_no_second_lets_more_than_the_rate_through(void **state)
{
    (void)state;
    struct outbox_throttle t;
    outbox_throttle_init(&t, 100, 0);
    /* A burst of 50 ms of the rate at once, then nothing. */
    assert_int_equal(outbox_throttle_available(&t, 1000, 0), 5);
    outbox_throttle_take(&t, 5);
    assert_int_equal(outbox_throttle_available(&t, 1000, 0), 0);
    assert_int_equal(outbox_throttle_wait_ms(&t, 0), 11);
    /* Taking all that is offered every millisecond for ten seconds. */
    int64_t sent = 5;
    int per_second[10] = {0};
    for (int64_t now = 1; now < 10000; now++) {
        int n = outbox_throttle_available(&t, 1000, now);
        outbox_throttle_take(&t, n);
        sent += n;
        per_second[now / 1000] += n;
    }
    /* The burst is taken off the refill: never more than the rate in a
     * second, and the rate less its burst over a long run. */
    assert_true(sent <= 100 * 10);
    assert_true(sent >= 95 * 10 + 5 - 2);
    for (int s = 0; s < 10; s++)
        assert_true(per_second[s] <= 100);
    /* Nor in any second that starts elsewhere than on a whole second. */
    struct outbox_throttle fast;
    outbox_throttle_init(&fast, 2000, 0);
    int window[2000] = {0};
    for (int64_t now = 0; now < 2000; now++) {
        int n = outbox_throttle_available(&fast, 100000, now);
        outbox_throttle_take(&fast, n);
        window[now] = n;
    }
    for (int start = 0; start + 1000 <= 2000; start += 7) {
        int in_window = 0;
        for (int at = start; at < start + 1000; at++)
            in_window += window[at];
        assert_true(in_window <= 2000);
    }
    /* Idle time does not pile up beyond the burst. */
    assert_int_equal(outbox_throttle_available(&t, 1000, 60000), 5);
    /* Asking for fewer than there are gives fewer. */
    assert_int_equal(outbox_throttle_available(&t, 2, 60000), 2);
}

static void test_a_slow_rate_still_sends_one_at_a_time_and_zero_is_unthrottled(void **state)
{
    (void)state;
    struct outbox_throttle t;
    outbox_throttle_init(&t, 2, 0);
    assert_int_equal(outbox_throttle_available(&t, 10, 0), 1);
    outbox_throttle_take(&t, 1);
    assert_true(outbox_throttle_wait_ms(&t, 0) >= 500);
    assert_int_equal(outbox_throttle_available(&t, 10, 499), 0);
    assert_int_equal(outbox_throttle_available(&t, 10, 501), 1);
    struct outbox_throttle free_;
    outbox_throttle_init(&free_, 0, 0);
    assert_int_equal(outbox_throttle_available(&free_, 250, 0), 250);
    outbox_throttle_take(&free_, 250);
    assert_int_equal(outbox_throttle_available(&free_, 250, 0), 250);
    assert_int_equal(outbox_throttle_wait_ms(&free_, 0), 0);
}

static void test_delivery_reports_are_signed_per_message(void **state)
{
    (void)state;
    char a[KANNEL_SIGNATURE_SIZE], b[KANNEL_SIGNATURE_SIZE];
    assert_true(connector_kannel_sign("secret", 42, a));
    assert_int_equal(strlen(a), KANNEL_SIGNATURE_SIZE - 1);
    assert_true(connector_kannel_verify("secret", 42, a));
    assert_false(connector_kannel_verify("secret", 43, a));
    assert_false(connector_kannel_verify("other", 42, a));
    assert_true(connector_kannel_sign("secret", 43, b));
    assert_string_not_equal(a, b);
    /* No secret, no signature: reports are then refused. */
    assert_false(connector_kannel_sign("", 42, a));
    assert_false(connector_kannel_verify("", 42, ""));
    assert_false(connector_kannel_secret_ok("", ""));
    assert_true(connector_kannel_secret_ok("s3cret", "s3cret"));
    assert_false(connector_kannel_secret_ok("s3cret", "s3cre"));
}

static void test_the_sendsms_request_carries_the_coding_and_a_signed_report_url(void **state)
{
    (void)state;
    struct server_config config;
    config_defaults(&config);
    strcpy(config.sms_gateway_url, "http://127.0.0.1:13013/cgi-bin/sendsms");
    strcpy(config.sms_username, "vigie");
    strcpy(config.sms_password, "p&ss");
    strcpy(config.sms_from, "VIGIE");
    strcpy(config.sms_callback_url, "http://10.0.0.1:8080/");
    strcpy(config.kannel_secret, "secret");
    char body[] = "Restez sur site https://v.example/r/abc";
    struct store_outbox_message m = {.id = 7, .body = body, .body_length = strlen(body)};
    strcpy(m.recipient, "+33612345678");
    CURL *easy = curl_easy_init();
    char error[128];
    char *url = connector_kannel_url(easy, &m, &config, error, sizeof error);
    assert_non_null(url);
    assert_non_null(strstr(url, "?username=vigie&password=p%26ss&from=VIGIE&to=%2B33612345678"));
    assert_non_null(strstr(url, "&text=Restez%20sur%20site%20https%3A%2F%2Fv.example%2Fr%2Fabc"));
    assert_non_null(strstr(url, "&charset=UTF-8&coding=0&dlr-mask=31&dlr-url=http%3A%2F%2F10.0.0.1"
                                "%3A8080%2Fv1%2Fconnectors%2Fkannel%2Fdlr%3Fid%3D7%26sig%3D"));
    assert_non_null(strstr(url, "%26type%3D%25d"));
    free(url);
    /* A character outside GSM 03.38 makes it UCS-2. */
    char greek[] = "Внимание alerte";
    m.body = greek;
    m.body_length = strlen(greek);
    url = connector_kannel_url(easy, &m, &config, error, sizeof error);
    assert_non_null(strstr(url, "&coding=2"));
    free(url);
    /* Without a gateway, a clear reason. */
    config.sms_gateway_url[0] = '\0';
    assert_null(connector_kannel_url(easy, &m, &config, error, sizeof error));
    assert_non_null(strstr(error, "sms_gateway_url"));
    curl_easy_cleanup(easy);
}

static void test_reply_tokens_are_43_url_safe_characters_stored_as_their_hash(void **state)
{
    (void)state;
    char token[MASSALERT_TOKEN_SIZE], hash[MASSALERT_HASH_SIZE], again[MASSALERT_HASH_SIZE];
    char other[MASSALERT_TOKEN_SIZE], other_hash[MASSALERT_HASH_SIZE];
    assert_true(massalert_token_new(token, hash));
    assert_true(massalert_token_new(other, other_hash));
    assert_int_equal(strlen(token), 43);
    assert_int_equal(
        strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 43);
    assert_string_not_equal(token, other);
    assert_true(massalert_token_hash(token, again));
    assert_string_equal(hash, again);
    assert_int_equal(strlen(hash), 64);
    char link[128];
    assert_true(massalert_reply_link("https://vigie.example.org/", token, link, sizeof link));
    assert_int_equal(strncmp(link, "https://vigie.example.org/r/", 28), 0);
    assert_string_equal(link + 28, token);
    assert_false(massalert_reply_link("https://vigie.example.org", token, link, 20));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_second_lets_more_than_the_rate_through),
        cmocka_unit_test(test_a_slow_rate_still_sends_one_at_a_time_and_zero_is_unthrottled),
        cmocka_unit_test(test_delivery_reports_are_signed_per_message),
        cmocka_unit_test(test_the_sendsms_request_carries_the_coding_and_a_signed_report_url),
        cmocka_unit_test(test_reply_tokens_are_43_url_safe_characters_stored_as_their_hash),
    };
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
