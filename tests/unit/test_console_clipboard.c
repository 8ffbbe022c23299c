/* Unit tests of the OSC 52 copy: the sequence a terminal reads (base64 of
 * the text between "ESC ] 52 ; c ;" and BEL), nothing for an empty or an
 * over-long text, and every byte written to the terminal in one go. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "console/clipboard.h"

static void test_sequence_is_base64_between_osc_52_and_bel(void **state)
{
    (void)state;
    char out[CLIPBOARD_SEQUENCE_MAX];
    size_t length = clipboard_sequence("geo:48.856690,2.350889;u=1500", out, sizeof out);
    assert_string_equal(out, "\033]52;c;Z2VvOjQ4Ljg1NjY5MCwyLjM1MDg4OTt1PTE1MDA=\a");
    assert_int_equal(length, strlen(out));
    /* A line break and non-ASCII text travel inside the base64. */
    clipboard_sequence("a\nb\u00e9", out, sizeof out);
    assert_string_equal(out, "\033]52;c;YQpiw6k=\a");
}

static void test_nothing_for_empty_or_too_long_text(void **state)
{
    (void)state;
    char out[CLIPBOARD_SEQUENCE_MAX], text[CLIPBOARD_TEXT_MAX + 2];
    assert_int_equal(clipboard_sequence("", out, sizeof out), 0);
    assert_int_equal(clipboard_sequence(NULL, out, sizeof out), 0);
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    assert_int_equal(clipboard_sequence(text, out, sizeof out), 0);
    text[CLIPBOARD_TEXT_MAX] = '\0'; /* exactly the bound: it fits */
    assert_true(clipboard_sequence(text, out, sizeof out) > CLIPBOARD_TEXT_MAX);
    assert_int_equal(clipboard_sequence("geo:1,2", out, 8), 0); /* out too small */
}

static void test_copy_writes_the_sequence(void **state)
{
    (void)state;
    int pipe_fds[2];
    assert_int_equal(pipe(pipe_fds), 0);
    assert_true(clipboard_copy(pipe_fds[1], "geo:1,2"));
    close(pipe_fds[1]);
    char read_back[64] = "";
    ssize_t got = read(pipe_fds[0], read_back, sizeof read_back - 1);
    close(pipe_fds[0]);
    assert_true(got > 0);
    assert_string_equal(read_back, "\033]52;c;Z2VvOjEsMg==\a");
    assert_false(clipboard_copy(-1, "geo:1,2"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequence_is_base64_between_osc_52_and_bel),
        cmocka_unit_test(test_nothing_for_empty_or_too_long_text),
        cmocka_unit_test(test_copy_writes_the_sequence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
