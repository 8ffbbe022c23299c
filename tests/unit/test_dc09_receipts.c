/* Unit tests of the DC-09 retransmission window in memory: a receipt is
 * found within its window and not after, collisions of the bucket are
 * told apart by the fingerprint and the caller's confirmation, the set
 * holds many without forgetting, expiry follows arrival order, and a full
 * set forgets its oldest first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "server/dc09_receipts.h"

#define DIGEST_A "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define DIGEST_B "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"

struct seen {
    int64_t rows[8];
    int count;
    int64_t accept; /* the row the confirmation says is the message's */
};

static bool visit(void *context, int64_t row_id)
{
    struct seen *seen = context;
    if (seen->count < 8)
        seen->rows[seen->count++] = row_id;
    return row_id == seen->accept;
}

static void test_fingerprint_depends_on_account_seq_and_digest(void **state)
{
    (void)state;
    uint64_t base = dc09_receipts_fingerprint("1234", 17, DIGEST_A);
    assert_int_equal(base, dc09_receipts_fingerprint("1234", 17, DIGEST_A));
    assert_int_not_equal(base, dc09_receipts_fingerprint("1235", 17, DIGEST_A));
    assert_int_not_equal(base, dc09_receipts_fingerprint("1234", 18, DIGEST_A));
    assert_int_not_equal(base, dc09_receipts_fingerprint("1234", 17, DIGEST_B));
}

static void test_receipt_found_within_window_only(void **state)
{
    (void)state;
    struct dc09_receipts *receipts = dc09_receipts_create();
    assert_non_null(receipts);
    uint64_t fp = dc09_receipts_fingerprint("1234", 17, DIGEST_A);
    dc09_receipts_add(receipts, fp, 42, 1000);
    struct seen seen = {.accept = 42};
    assert_true(dc09_receipts_find(receipts, fp, 500, visit, &seen));
    assert_int_equal(seen.count, 1);
    assert_int_equal(seen.rows[0], 42);
    /* Received before the window began: not a retransmission. */
    seen = (struct seen){.accept = 42};
    assert_false(dc09_receipts_find(receipts, fp, 1001, visit, &seen));
    assert_int_equal(seen.count, 0);
    /* Another message: not visited at all. */
    seen = (struct seen){.accept = 42};
    assert_false(dc09_receipts_find(receipts, dc09_receipts_fingerprint("1234", 18, DIGEST_A), 0,
                                    visit, &seen));
    assert_int_equal(seen.count, 0);
    dc09_receipts_free(receipts);
}

static void test_same_fingerprint_visits_newest_first_until_confirmed(void **state)
{
    (void)state;
    struct dc09_receipts *receipts = dc09_receipts_create();
    uint64_t fp = 0xabcdefULL;
    dc09_receipts_add(receipts, fp, 1, 10);
    dc09_receipts_add(receipts, fp + DC09_RECEIPTS_BUCKETS, 2, 11); /* same bucket, other print */
    dc09_receipts_add(receipts, fp, 3, 12);
    struct seen seen = {.accept = 1};
    assert_true(dc09_receipts_find(receipts, fp, 0, visit, &seen));
    assert_int_equal(seen.count, 2);
    assert_int_equal(seen.rows[0], 3);
    assert_int_equal(seen.rows[1], 1);
    /* No row confirms: every candidate is visited, none accepted. */
    seen = (struct seen){.accept = 99};
    assert_false(dc09_receipts_find(receipts, fp, 0, visit, &seen));
    assert_int_equal(seen.count, 2);
    dc09_receipts_free(receipts);
}

static void test_holds_many_and_expires_in_order(void **state)
{
    (void)state;
    struct dc09_receipts *receipts = dc09_receipts_create();
    enum { COUNT = 50000 };
    char account[16];
    for (int i = 0; i < COUNT; i++) {
        snprintf(account, sizeof account, "%X", 0xA0000 + i % 500);
        dc09_receipts_add(receipts, dc09_receipts_fingerprint(account, (unsigned)i, DIGEST_A),
                          i + 1, i);
    }
    assert_int_equal(dc09_receipts_count(receipts), COUNT);
    assert_int_equal(dc09_receipts_evicted(receipts), 0);
    for (int i = 0; i < COUNT; i += 997) {
        snprintf(account, sizeof account, "%X", 0xA0000 + i % 500);
        struct seen seen = {.accept = i + 1};
        assert_true(dc09_receipts_find(
            receipts, dc09_receipts_fingerprint(account, (unsigned)i, DIGEST_A), 0, visit, &seen));
    }
    dc09_receipts_expire(receipts, 30000);
    assert_int_equal(dc09_receipts_count(receipts), COUNT - 30000);
    /* Forgotten: no longer visited even with a window reaching back. */
    snprintf(account, sizeof account, "%X", 0xA0000 + 10);
    struct seen seen = {.accept = 11};
    assert_false(dc09_receipts_find(receipts, dc09_receipts_fingerprint(account, 10, DIGEST_A), 0,
                                    visit, &seen));
    assert_int_equal(seen.count, 0);
    /* Still there: the later ones. */
    snprintf(account, sizeof account, "%X", 0xA0000 + 40000 % 500);
    seen = (struct seen){.accept = 40001};
    assert_true(dc09_receipts_find(receipts, dc09_receipts_fingerprint(account, 40000, DIGEST_A), 0,
                                   visit, &seen));
    /* Adding after expiry reuses the ring's slots. */
    for (int i = COUNT; i < COUNT + 40000; i++)
        dc09_receipts_add(receipts, (uint64_t)i * 7919, i + 1, i);
    seen = (struct seen){.accept = COUNT + 39999 + 1};
    assert_true(dc09_receipts_find(receipts, (uint64_t)(COUNT + 39999) * 7919, 0, visit, &seen));
    dc09_receipts_free(receipts);
}

/* Past DC09_RECEIPTS_MAX the oldest receipts go first; expiring then
 * hands pages back without touching the receipts still remembered. */
static void test_full_set_forgets_oldest_first(void **state)
{
    (void)state;
    struct dc09_receipts *receipts = dc09_receipts_create();
    const uint64_t total = (uint64_t)DC09_RECEIPTS_MAX + 5;
    for (uint64_t i = 0; i < total; i++)
        dc09_receipts_add(receipts, i * 7919, (int64_t)i + 1, (int64_t)i);
    assert_int_equal(dc09_receipts_count(receipts), DC09_RECEIPTS_MAX);
    assert_int_equal(dc09_receipts_evicted(receipts), 5);
    struct seen seen = {.accept = 5};
    assert_false(dc09_receipts_find(receipts, 4 * 7919, 0, visit, &seen));
    seen = (struct seen){.accept = 6};
    assert_true(dc09_receipts_find(receipts, 5 * 7919, 0, visit, &seen));
    /* Forget all but the last 100,000, then check both ends of what is left. */
    dc09_receipts_expire(receipts, (int64_t)(total - 100000));
    assert_int_equal(dc09_receipts_count(receipts), 100000);
    seen = (struct seen){.accept = (int64_t)(total - 100000) + 1};
    assert_true(dc09_receipts_find(receipts, (total - 100000) * 7919, 0, visit, &seen));
    seen = (struct seen){.accept = (int64_t)total};
    assert_true(dc09_receipts_find(receipts, (total - 1) * 7919, 0, visit, &seen));
    /* Slots handed back are written again as the ring goes round. */
    for (uint64_t i = total; i < total + 300000; i++)
        dc09_receipts_add(receipts, i * 7919, (int64_t)i + 1, (int64_t)i);
    seen = (struct seen){.accept = (int64_t)(total + 299999) + 1};
    assert_true(dc09_receipts_find(receipts, (total + 299999) * 7919, 0, visit, &seen));
    seen = (struct seen){.accept = (int64_t)(total - 50000) + 1};
    assert_true(dc09_receipts_find(receipts, (total - 50000) * 7919, 0, visit, &seen));
    dc09_receipts_free(receipts);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fingerprint_depends_on_account_seq_and_digest),
        cmocka_unit_test(test_receipt_found_within_window_only),
        cmocka_unit_test(test_same_fingerprint_visits_newest_first_until_confirmed),
        cmocka_unit_test(test_holds_many_and_expires_in_order),
        cmocka_unit_test(test_full_set_forgets_oldest_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
