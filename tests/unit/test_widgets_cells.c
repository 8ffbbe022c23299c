/* Unit tests of the text primitives every widget draws with: UTF-8
 * decoding that needs no locale, the ascii transliteration, cell widths,
 * wrapping, and the charset chosen from a codeset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <string.h>

#include "widgets/cells.h"

static const struct charset *unicode(void)
{
    return charset_get(CHARSET_UNICODE);
}

static const struct charset *ascii(void)
{
    return charset_get(CHARSET_ASCII);
}

/* Decodes with a charset and gives the result back as UTF-8. */
static const char *shown(const struct charset *charset, const char *utf8, size_t length)
{
    static char out[1024];
    wchar_t wide[256];
    size_t count = cells_decode(charset, utf8, length, wide, 256);
    cells_encode_utf8(wide, count, out, sizeof out);
    return out;
}

static void test_utf8_is_decoded_whatever_the_locale(void **state)
{
    (void)state;
    /* Under LANG=C, mbrtowc would refuse these bytes; the text still reads. */
    assert_non_null(setlocale(LC_ALL, "C"));
    assert_string_equal(shown(ascii(), "Opéra", strlen("Opéra")), "Opera");
    assert_non_null(setlocale(LC_ALL, "C.UTF-8"));
    wchar_t wide[16];
    const char *text = "Opéra 日€😀";
    assert_int_equal(cells_decode(unicode(), text, strlen(text), wide, 16), 9);
    assert_int_equal(wide[2], 0xE9);
    assert_int_equal(wide[6], 0x65E5);
    assert_int_equal(wide[7], 0x20AC);
    assert_int_equal(wide[8], 0x1F600);
}

static void test_bad_bytes_become_replacements_and_a_cut_tail_is_dropped(void **state)
{
    (void)state;
    assert_non_null(setlocale(LC_ALL, "C.UTF-8"));
    assert_string_equal(shown(unicode(),
                              "a\xff"
                              "b",
                              3),
                        "a\xef\xbf\xbd"
                        "b");
    assert_string_equal(shown(unicode(), "\xc0\xaf", 2), "\xef\xbf\xbd\xef\xbf\xbd"); /* overlong */
    assert_string_equal(shown(unicode(), "\xed\xa0\x80", 3), "\xef\xbf\xbd"); /* surrogate */
    assert_string_equal(shown(unicode(), "ab\xc3", 3), "ab");                 /* cut by snprintf */
    assert_string_equal(shown(unicode(), "a\tb\nc\x7f", 6), "a b c ");
    assert_string_equal(shown(ascii(), "a\xff", 2), "a?");
}

static void test_ascii_mode_transliterates_french(void **state)
{
    (void)state;
    const char *text = "Opéra – « Œuvre » … 12 € · Ça déçoit à Noël ★";
    assert_string_equal(shown(ascii(), text, strlen(text)),
                        "Opera - \" OEuvre \" ... 12 EUR . Ca decoit a Noel ?");
    const char *combining = "e\xcc\x81t\xc3\xa9"; /* "é" as e + U+0301, then "é" */
    assert_string_equal(shown(ascii(), combining, strlen(combining)), "ete");
    assert_string_equal(shown(unicode(), text, strlen(text)), text);
}

static void test_widths_of_wide_and_combining_characters(void **state)
{
    (void)state;
    assert_non_null(setlocale(LC_ALL, "C.UTF-8"));
    wchar_t wide[16];
    const char *text = "日本e\xcc\x81";
    size_t count = cells_decode(unicode(), text, strlen(text), wide, 16);
    assert_int_equal(count, 4);
    assert_int_equal(cells_width(unicode(), wide, count), 5);
    int used;
    assert_int_equal(cells_fit(unicode(), wide, count, 3, &used), 1);
    assert_int_equal(used, 2);
    /* The combining accent stays with its letter. */
    assert_int_equal(cells_fit(unicode(), wide, count, 5, &used), 4);
    assert_int_equal(cells_char_width(ascii(), 0x65E5), 1);
}

static void test_wrap_breaks_at_spaces_or_inside_long_words(void **state)
{
    (void)state;
    wchar_t text[] = L"call the keyholder now";
    size_t consumed;
    assert_int_equal(cells_wrap(ascii(), text, wcslen(text), 10, &consumed), 8);
    assert_int_equal(consumed, 9);
    assert_int_equal(cells_wrap(ascii(), text + 9, wcslen(text + 9), 10, &consumed), 9);
    assert_int_equal(consumed, 10);
    assert_int_equal(cells_wrap(ascii(), text + 19, 3, 10, &consumed), 3);
    assert_int_equal(consumed, 3);
    wchar_t word[] = L"abcdefghijkl";
    assert_int_equal(cells_wrap(ascii(), word, 12, 5, &consumed), 5);
    assert_int_equal(consumed, 5);
}

static void test_charset_follows_the_codeset(void **state)
{
    (void)state;
    assert_int_equal(charset_kind_for_codeset("UTF-8"), CHARSET_UNICODE);
    assert_int_equal(charset_kind_for_codeset("utf8"), CHARSET_UNICODE);
    assert_int_equal(charset_kind_for_codeset("ANSI_X3.4-1968"), CHARSET_ASCII);
    assert_int_equal(charset_kind_for_codeset("ISO-8859-15"), CHARSET_ASCII);
    assert_int_equal(charset_kind_for_codeset(NULL), CHARSET_ASCII);
    const struct charset *set = ascii();
    const wchar_t glyphs[] = {
        set->ellipsis,   set->sort_ascending, set->sort_descending, set->bullet,   set->pointer,
        set->more_above, set->more_below,     set->horizontal,      set->vertical, set->top_left,
        set->top_right,  set->bottom_left,    set->bottom_right};
    for (size_t i = 0; i < sizeof glyphs / sizeof glyphs[0]; i++)
        assert_true(glyphs[i] > 0x20 && glyphs[i] < 0x7F);
}

static void test_utf8_encoding_keeps_whole_characters(void **state)
{
    (void)state;
    const wchar_t text[] = {L'a', 0xE9, 0x65E5, 0x1F600};
    char out[16];
    assert_int_equal(cells_encode_utf8(text, 4, out, sizeof out), 10);
    assert_string_equal(out, "a\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80");
    assert_int_equal(cells_encode_utf8(text, 4, out, 5), 3); /* 日 does not fit: left out */
    assert_string_equal(out, "a\xc3\xa9");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_is_decoded_whatever_the_locale),
        cmocka_unit_test(test_bad_bytes_become_replacements_and_a_cut_tail_is_dropped),
        cmocka_unit_test(test_ascii_mode_transliterates_french),
        cmocka_unit_test(test_widths_of_wide_and_combining_characters),
        cmocka_unit_test(test_wrap_breaks_at_spaces_or_inside_long_words),
        cmocka_unit_test(test_charset_follows_the_codeset),
        cmocka_unit_test(test_utf8_encoding_keeps_whole_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
