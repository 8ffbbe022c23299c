/* What each agent receives of a mass alert: the operator's text with his
 * own reply link where the template's {reply} stands (every one of them),
 * or after the text when it has none; a body that does not fit is
 * refused, never cut. And the link itself, from the centre's public URL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "server/massalert_token.h"

static const char link[] = "https://vigie.example.org/r/abc";

static void test_the_link_goes_where_reply_stands(void **state)
{
    (void)state;
    char body[256];
    assert_true(massalert_body("If seen, call 17 or answer: {reply}", link, body, sizeof body));
    assert_string_equal(body, "If seen, call 17 or answer: https://vigie.example.org/r/abc");
    assert_true(massalert_body("{reply} - seen? {reply}.", link, body, sizeof body));
    assert_string_equal(body,
                        "https://vigie.example.org/r/abc - seen? https://vigie.example.org/r/abc.");
}

static void test_a_text_without_reply_gets_the_link_at_its_end(void **state)
{
    (void)state;
    char body[256];
    assert_true(massalert_body("Stay on site", link, body, sizeof body));
    assert_string_equal(body, "Stay on site https://vigie.example.org/r/abc");
    assert_true(massalert_body("", link, body, sizeof body));
    assert_string_equal(body, " https://vigie.example.org/r/abc");
}

static void test_a_body_that_does_not_fit_is_refused(void **state)
{
    (void)state;
    char body[40];
    /* 28 + 31 characters: over 40 either way. */
    assert_false(massalert_body("If seen, call 17 or answer: {reply}", link, body, sizeof body));
    assert_false(massalert_body("If seen, call 17 or answer:", link, body, sizeof body));
    char exact[sizeof link + 1]; /* the link, one character and NUL */
    assert_true(massalert_body("{reply}!", link, exact, sizeof exact));
    assert_string_equal(exact, "https://vigie.example.org/r/abc!");
    assert_false(massalert_body("{reply}!!", link, exact, sizeof exact));
}

static void test_the_link_is_built_from_the_public_url(void **state)
{
    (void)state;
    char out[128];
    assert_true(massalert_reply_link("https://vigie.example.org/", "tok", out, sizeof out));
    assert_string_equal(out, "https://vigie.example.org/r/tok");
    assert_true(massalert_reply_link("https://vigie.example.org", "tok", out, sizeof out));
    assert_string_equal(out, "https://vigie.example.org/r/tok");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_link_goes_where_reply_stands),
        cmocka_unit_test(test_a_text_without_reply_gets_the_link_at_its_end),
        cmocka_unit_test(test_a_body_that_does_not_fit_is_refused),
        cmocka_unit_test(test_the_link_is_built_from_the_public_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
