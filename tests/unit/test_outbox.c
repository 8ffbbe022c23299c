/* The outbox's pure rules: how long a failed message waits before its
 * next attempt (doubling from the first wait up to the cap, spread a
 * little by message so that messages that failed together do not all come
 * back at once), and where a gateway's reference is read from its answer
 * (the JSON field "reference", else the Location header). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "server/connector_http.h"
#include "server/outbox.h"

static void test_the_backoff_doubles_up_to_its_cap(void **state)
{
    (void)state;
    /* Message 10 gets 10 * 7919 mod (delay / 10 + 1) more: within a tenth. */
    int64_t waits[8];
    for (int attempts = 1; attempts <= 8; attempts++)
        waits[attempts - 1] = outbox_backoff_ms(attempts, 1000, 30000, 10);
    int64_t base[8] = {1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
    for (int i = 0; i < 8; i++) {
        assert_true(waits[i] >= base[i]);
        assert_true(waits[i] <= base[i] + base[i] / 10);
    }
    /* The same message always waits the same: a restart changes nothing. */
    assert_int_equal(outbox_backoff_ms(3, 1000, 30000, 10), waits[2]);
    /* Two messages that failed together come back apart. */
    assert_int_not_equal(outbox_backoff_ms(1, 1000, 30000, 1),
                         outbox_backoff_ms(1, 1000, 30000, 2));
    /* A cap below the first wait wins; attempts beyond any sense stay capped. */
    assert_true(outbox_backoff_ms(1, 5000, 2000, 1) <= 2000 + 2000 / 10);
    assert_true(outbox_backoff_ms(1000, 1000, 30000, 7) <= 33000);
}

static void test_the_reference_comes_from_the_body_else_the_location(void **state)
{
    (void)state;
    char reference[OUTBOX_REFERENCE_SIZE];
    static const char body[] = "{\"reference\":\"PN-2026-000123\",\"status\":\"accepted\"}";
    assert_true(
        connector_http_reference(body, strlen(body), "/alerts/other", reference, sizeof reference));
    assert_string_equal(reference, "PN-2026-000123");
    /* A number is a reference too. */
    static const char number[] = "{\"reference\":987654}";
    assert_true(
        connector_http_reference(number, strlen(number), NULL, reference, sizeof reference));
    assert_string_equal(reference, "987654");
    /* No JSON reference: the Location header's value. */
    static const char plain[] = "accepted";
    assert_true(connector_http_reference(plain, strlen(plain), "https://gw.example/alerts/77",
                                         reference, sizeof reference));
    assert_string_equal(reference, "https://gw.example/alerts/77");
    /* Neither: none. */
    assert_false(connector_http_reference(plain, strlen(plain), NULL, reference, sizeof reference));
    assert_string_equal(reference, "");
    assert_false(connector_http_reference(NULL, 0, "", reference, sizeof reference));
    /* Control characters and spaces never reach a screen or a log. */
    static const char nasty[] = "{\"reference\":\"PN 12\\u001b[31m\\n34\"}";
    assert_true(connector_http_reference(nasty, strlen(nasty), NULL, reference, sizeof reference));
    assert_string_equal(reference, "PN12[31m34");
    /* A reference longer than the bound is cut. */
    char tiny[8];
    assert_true(connector_http_reference(body, strlen(body), NULL, tiny, sizeof tiny));
    assert_string_equal(tiny, "PN-2026");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_backoff_doubles_up_to_its_cap),
        cmocka_unit_test(test_the_reference_comes_from_the_body_else_the_location),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
