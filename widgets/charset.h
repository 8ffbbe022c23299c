/* charset.h: what the terminal can show. The caller picks unicode or ascii
 * (from the locale's codeset); every glyph a widget draws comes from here,
 * and in ascii mode no widget ever sends a byte >= 0x80. */
#ifndef VIGIE_WIDGETS_CHARSET_H
#define VIGIE_WIDGETS_CHARSET_H

#include <stddef.h>
#include <wchar.h>

enum charset_kind { CHARSET_ASCII, CHARSET_UNICODE };

/* Longest ASCII stand-in for one character ("oe" for "œ", "..." for "…"). */
#define CHARSET_FOLD_MAX 3

struct charset {
    enum charset_kind kind;
    wchar_t ellipsis;        /* ends a truncated text: '…' or '~' */
    wchar_t sort_ascending;  /* '▲' or '^' */
    wchar_t sort_descending; /* '▼' or 'v' */
    wchar_t bullet;          /* '●' or '*' */
    wchar_t pointer;         /* '▶' or '>' */
    wchar_t more_above;      /* '↑' or '^': content hidden above */
    wchar_t more_below;      /* '↓' or 'v' */
    wchar_t horizontal, vertical;
    wchar_t top_left, top_right, bottom_left, bottom_right;
};

/* The two built-in sets; never NULL. */
const struct charset *charset_get(enum charset_kind kind);

/* Unicode for a UTF-8 codeset (nl_langinfo(CODESET)), ascii for anything
 * else, NULL included: "ANSI_X3.4-1968" under LANG=C. */
enum charset_kind charset_kind_for_codeset(const char *codeset);

/* Writes into out what this charset shows for the code point c: c itself in
 * unicode mode; an ASCII transliteration in ascii mode ("é" -> "e",
 * "œ" -> "oe", "…" -> "...", anything unknown -> "?"). Control characters
 * become a space; in ascii mode a combining accent becomes nothing. Returns
 * the number of wide characters written (0..CHARSET_FOLD_MAX). */
size_t charset_fold(const struct charset *charset, wchar_t c, wchar_t out[CHARSET_FOLD_MAX]);

#endif
