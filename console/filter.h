/* filter.h: the "/" filter of a table: a PCRE2 regular expression,
 * case-insensitive unless the pattern holds a capital letter (smart case,
 * as in vim and less). An invalid pattern is an error with PCRE2's own
 * message and the offset where it went wrong, and filters nothing. */
#ifndef VIGIE_CONSOLE_FILTER_H
#define VIGIE_CONSOLE_FILTER_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of a pattern: what fits on the prompt line of a wide terminal. */
#define FILTER_PATTERN_MAX 512
/* Bytes of the error sentence shown in the status bar. */
#define FILTER_ERROR_MAX 256

struct filter;

struct filter *filter_new(void);
void filter_free(struct filter *filter);

/* Compiles pattern. "" removes the filter (true). On an invalid pattern
 * returns false, writes "PCRE2's message at offset N" into error and
 * leaves the filter off (matching everything). */
bool filter_set(struct filter *filter, const char *pattern, char *error, size_t error_size);
/* True when a pattern is in force. */
bool filter_active(const struct filter *filter);
/* The pattern in force ("" when none). */
const char *filter_pattern(const struct filter *filter);
/* Whether the pattern ignores case (no capital letter in it). */
bool filter_caseless(const struct filter *filter);
/* Whether text (UTF-8, length bytes) matches; true when no filter is set. */
bool filter_match(struct filter *filter, const char *text, size_t length);
/* Whether the pattern runs as machine code (PCRE2's JIT). */
bool filter_jit(const struct filter *filter);
/* False when no text of at most max_length bytes, each one of `bytes`
 * (ASCII), can match: read from the compiled pattern (the code units a
 * match must start with or contain, its shortest match). True when it
 * may, and when no pattern is set. */
bool filter_may_match(const struct filter *filter, const char *bytes, size_t max_length);

/* Smart case: true when pattern holds an upper-case letter that is not
 * the letter of an escape (\S, \W, \D, \P{...} do not count). */
bool filter_pattern_has_capitals(const char *pattern);

#endif
