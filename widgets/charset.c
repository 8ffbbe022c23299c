/* charset.c: the unicode and ascii glyph sets, and the transliteration that
 * keeps French text readable under LANG=C ("Opéra" -> "Opera"). Only Latin
 * scripts and common punctuation are folded; anything else shows as '?'. */
#include "widgets/charset.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

static const struct charset charset_unicode = {
    .kind = CHARSET_UNICODE,
    .ellipsis = L'\u2026',
    .sort_ascending = L'\u25B2',
    .sort_descending = L'\u25BC',
    .bullet = L'\u25CF',
    .pointer = L'\u25B6',
    .more_above = L'\u2191',
    .more_below = L'\u2193',
    .horizontal = L'\u2500',
    .vertical = L'\u2502',
    .top_left = L'\u250C',
    .top_right = L'\u2510',
    .bottom_left = L'\u2514',
    .bottom_right = L'\u2518',
};

static const struct charset charset_ascii = {
    .kind = CHARSET_ASCII,
    .ellipsis = L'~',
    .sort_ascending = L'^',
    .sort_descending = L'v',
    .bullet = L'*',
    .pointer = L'>',
    .more_above = L'^',
    .more_below = L'v',
    .horizontal = L'-',
    .vertical = L'|',
    .top_left = L'+',
    .top_right = L'+',
    .bottom_left = L'+',
    .bottom_right = L'+',
};

/* U+00C0..U+00FF and U+0100..U+017F, one ASCII letter each; '#' marks the
 * few that take two letters (see fold_special). */
static const char fold_latin1[] = "AAAAAA#CEEEEIIIIDNOOOOOxOUUUUYT#"
                                  "aaaaaa#ceeeeiiiidnooooo/ouuuuyty";
static const char fold_latin_extended_a[] = "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGg"
                                            "GgGgHhHhIiIiIiIiIi##JjKkkLlLlLlL"
                                            "lLlNnNnNnnNnOoOoOo##RrRrRrSsSsSs"
                                            "SsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

_Static_assert(sizeof fold_latin1 == 64 + 1, "U+00C0..U+00FF");
_Static_assert(sizeof fold_latin_extended_a == 128 + 1, "U+0100..U+017F");

struct fold_entry {
    wchar_t code;
    const char *ascii;
};

/* Sorted by code point for the binary search. */
static const struct fold_entry fold_special[] = {
    {0x00A0, " "},  {0x00A9, "(c)"}, {0x00AB, "\""}, {0x00B0, "o"},  {0x00B7, "."},
    {0x00BB, "\""}, {0x00BD, "1/2"}, {0x00C6, "AE"}, {0x00DF, "ss"}, {0x00E6, "ae"},
    {0x0132, "IJ"}, {0x0133, "ij"},  {0x0152, "OE"}, {0x0153, "oe"}, {0x2009, " "},
    {0x2013, "-"},  {0x2014, "-"},   {0x2018, "'"},  {0x2019, "'"},  {0x201A, ","},
    {0x201C, "\""}, {0x201D, "\""},  {0x201E, "\""}, {0x2022, "*"},  {0x2026, "..."},
    {0x202F, " "},  {0x20AC, "EUR"}, {0x2190, "<-"}, {0x2191, "^"},  {0x2192, "->"},
    {0x2193, "v"},  {0x2212, "-"},   {0x25B2, "^"},  {0x25B6, ">"},  {0x25BC, "v"},
    {0x25CF, "*"},
};

const struct charset *charset_get(enum charset_kind kind)
{
    return kind == CHARSET_UNICODE ? &charset_unicode : &charset_ascii;
}

enum charset_kind charset_kind_for_codeset(const char *codeset)
{
    if (codeset && (strcasecmp(codeset, "UTF-8") == 0 || strcasecmp(codeset, "utf8") == 0))
        return CHARSET_UNICODE;
    return CHARSET_ASCII;
}

static size_t fold_copy(const char *ascii, wchar_t out[CHARSET_FOLD_MAX])
{
    size_t n = 0;
    while (ascii[n] && n < CHARSET_FOLD_MAX) {
        out[n] = (wchar_t)ascii[n];
        n++;
    }
    return n;
}

static const char *fold_lookup(wchar_t c)
{
    size_t low = 0, high = sizeof fold_special / sizeof fold_special[0];
    while (low < high) {
        size_t middle = (low + high) / 2;
        if (fold_special[middle].code == c)
            return fold_special[middle].ascii;
        if (fold_special[middle].code < c)
            low = middle + 1;
        else
            high = middle;
    }
    return NULL;
}

static bool is_control(wchar_t c)
{
    return c < 0x20 || (c >= 0x7F && c < 0xA0);
}

static size_t fold_to_ascii(wchar_t c, wchar_t out[CHARSET_FOLD_MAX])
{
    const char *special = fold_lookup(c);
    if (special)
        return fold_copy(special, out);
    char letter = '?';
    if (c >= 0xC0 && c <= 0xFF)
        letter = fold_latin1[c - 0xC0];
    else if (c >= 0x100 && c <= 0x17F)
        letter = fold_latin_extended_a[c - 0x100];
    else if (c >= 0x300 && c <= 0x36F)
        return 0; /* a combining accent: the base letter already shows */
    else if (c >= 0x2500 && c <= 0x257F)
        letter = (c == 0x2502 || c == 0x2503) ? '|' : (c <= 0x2501 ? '-' : '+');
    out[0] = (wchar_t)letter;
    return 1;
}

size_t charset_fold(const struct charset *charset, wchar_t c, wchar_t out[CHARSET_FOLD_MAX])
{
    if (is_control(c)) {
        out[0] = L' ';
        return 1;
    }
    if (c < 0x80 || charset->kind == CHARSET_UNICODE) {
        out[0] = c;
        return 1;
    }
    return fold_to_ascii(c, out);
}
