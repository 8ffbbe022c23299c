/* Unit tests of the outbox's wait before a retry when the gateway said
 * Retry-After: the longer of its backoff and the gateway's wait, the
 * gateway's capped so that one answer cannot park a message for hours. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "server/outbox.h"

static void test_the_longer_wait_wins(void **state)
{
    (void)state;
    assert_int_equal(outbox_retry_wait_ms(1000, 0), 1000);       /* nothing asked */
    assert_int_equal(outbox_retry_wait_ms(1000, 500), 1000);     /* asked less: the backoff */
    assert_int_equal(outbox_retry_wait_ms(100, 2000), 2000);     /* asked more: honoured */
    assert_int_equal(outbox_retry_wait_ms(30000, 30000), 30000); /* the same */
}

static void test_a_huge_retry_after_is_capped(void **state)
{
    (void)state;
    assert_int_equal(outbox_retry_wait_ms(1000, 86400000), OUTBOX_RETRY_AFTER_MAX_MS);
    assert_int_equal(outbox_retry_wait_ms(1000, OUTBOX_RETRY_AFTER_MAX_MS + 1),
                     OUTBOX_RETRY_AFTER_MAX_MS);
    /* A backoff beyond the cap stays the backoff. */
    assert_int_equal(outbox_retry_wait_ms(OUTBOX_RETRY_AFTER_MAX_MS * 2, 5000),
                     OUTBOX_RETRY_AFTER_MAX_MS * 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_longer_wait_wins),
        cmocka_unit_test(test_a_huge_retry_after_is_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
