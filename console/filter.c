/* filter.c: one compiled PCRE2 pattern and its match data. Patterns are
 * UTF-8 and matched with Unicode properties, so "é" and "É" fold when the
 * pattern is case-insensitive; subjects that are not valid UTF-8 are
 * matched where they are valid instead of failing. Patterns are compiled
 * to machine code by PCRE2's JIT where it has one (three to eight times
 * faster over a table of 100,000 rows); without it, or when a match needs
 * more stack than the JIT's, the interpreter matches instead. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "console/filter.h"

#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "common/i18n.h"

/* PCRE2's longest error message is about 120 bytes. */
#define FILTER_PCRE2_MESSAGE_MAX 160
/* The JIT's stack: PCRE2's default is 32 KiB on the machine stack; a
 * pattern with deep nesting gets up to 512 KiB, and past that the
 * interpreter. */
#define FILTER_JIT_STACK_START (32 * 1024)
#define FILTER_JIT_STACK_MAX   (512 * 1024)

struct filter {
    pcre2_code *code;
    pcre2_match_data *match;
    pcre2_match_context *context; /* with the JIT's stack */
    pcre2_jit_stack *jit_stack;
    bool jit; /* the pattern was compiled by the JIT */
    bool caseless;
    char pattern[FILTER_PATTERN_MAX];
};

struct filter *filter_new(void)
{
    return calloc(1, sizeof(struct filter));
}

static void filter_clear(struct filter *filter)
{
    pcre2_match_data_free(filter->match);
    pcre2_code_free(filter->code);
    filter->match = NULL;
    filter->code = NULL;
    filter->jit = false;
    filter->pattern[0] = '\0';
    filter->caseless = false;
}

void filter_free(struct filter *filter)
{
    if (!filter)
        return;
    filter_clear(filter);
    pcre2_match_context_free(filter->context);
    pcre2_jit_stack_free(filter->jit_stack);
    free(filter);
}

bool filter_pattern_has_capitals(const char *pattern)
{
    for (const unsigned char *c = (const unsigned char *)pattern; *c; c++) {
        if (*c == '\\') {
            if (c[1] == '\0')
                break;
            c++; /* the letter of an escape is not a capital */
            continue;
        }
        if (isupper(*c))
            return true;
        if (*c >= 0xC0) { /* a non-ASCII letter: ask the wide-character tables */
            wchar_t wide;
            mbstate_t state;
            memset(&state, 0, sizeof state);
            size_t used = mbrtowc(&wide, (const char *)c, strlen((const char *)c), &state);
            if (used != (size_t)-1 && used != (size_t)-2 && iswupper((wint_t)wide))
                return true;
        }
    }
    return false;
}

/* Compiles the pattern for the JIT; false (the interpreter matches) when
 * this PCRE2 has no JIT or memory is short. The stack is made once. */
static bool jit_prepare(struct filter *filter)
{
    if (pcre2_jit_compile(filter->code, PCRE2_JIT_COMPLETE) != 0)
        return false;
    if (!filter->context) {
        filter->context = pcre2_match_context_create(NULL);
        filter->jit_stack =
            pcre2_jit_stack_create(FILTER_JIT_STACK_START, FILTER_JIT_STACK_MAX, NULL);
        if (filter->context && filter->jit_stack)
            pcre2_jit_stack_assign(filter->context, NULL, filter->jit_stack);
    }
    return true;
}

bool filter_set(struct filter *filter, const char *pattern, char *error, size_t error_size)
{
    if (error_size > 0)
        error[0] = '\0';
    filter_clear(filter);
    if (!pattern || !pattern[0])
        return true;
    if (strlen(pattern) >= sizeof filter->pattern) {
        snprintf(error, error_size, _("the pattern is longer than %d bytes"),
                 FILTER_PATTERN_MAX - 1);
        return false;
    }
    bool caseless = !filter_pattern_has_capitals(pattern);
    uint32_t options = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
    if (caseless)
        options |= PCRE2_CASELESS;
    int code = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code *compiled =
        pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, options, &code, &offset, NULL);
    if (!compiled) {
        PCRE2_UCHAR message[FILTER_PCRE2_MESSAGE_MAX];
        if (pcre2_get_error_message(code, message, sizeof message) < 0)
            snprintf((char *)message, sizeof message, "%s", _("invalid pattern"));
        snprintf(error, error_size, _("%s at offset %zu"), (const char *)message, (size_t)offset);
        return false;
    }
    pcre2_match_data *match = pcre2_match_data_create_from_pattern(compiled, NULL);
    if (!match) {
        pcre2_code_free(compiled);
        snprintf(error, error_size, "%s", _("not enough memory for the pattern"));
        return false;
    }
    filter->code = compiled;
    filter->match = match;
    filter->caseless = caseless;
    filter->jit = jit_prepare(filter);
    snprintf(filter->pattern, sizeof filter->pattern, "%s", pattern);
    return true;
}

bool filter_active(const struct filter *filter)
{
    return filter && filter->code;
}

const char *filter_pattern(const struct filter *filter)
{
    return filter ? filter->pattern : "";
}

bool filter_caseless(const struct filter *filter)
{
    return filter && filter->caseless;
}

bool filter_match(struct filter *filter, const char *text, size_t length)
{
    if (!filter_active(filter))
        return true;
    int found = pcre2_match(filter->code, (PCRE2_SPTR)text, length, 0, 0, filter->match,
                            filter->jit_stack ? filter->context : NULL);
    if (found == PCRE2_ERROR_JIT_STACKLIMIT) /* deeper than the JIT's stack allows */
        found = pcre2_match(filter->code, (PCRE2_SPTR)text, length, 0, PCRE2_NO_JIT, filter->match,
                            NULL);
    return found >= 0;
}

bool filter_jit(const struct filter *filter)
{
    return filter && filter->jit;
}

/* Whether byte may be a given code unit, in either case when caseless. */
static bool unit_in(uint32_t unit, const char *bytes, bool caseless)
{
    for (const unsigned char *byte = (const unsigned char *)bytes; *byte; byte++)
        if (unit == *byte ||
            (caseless && unit < 128 && (uint32_t)tolower((int)unit) == (uint32_t)tolower(*byte)))
            return true;
    return false;
}

bool filter_may_match(const struct filter *filter, const char *bytes, size_t max_length)
{
    if (!filter_active(filter))
        return true;
    uint32_t type = 0, unit = 0, minimum = 0;
    const uint8_t *bitmap = NULL; /* the bytes a match may start with */
    if (pcre2_pattern_info(filter->code, PCRE2_INFO_MINLENGTH, &minimum) == 0 &&
        minimum > max_length)
        return false;
    if (pcre2_pattern_info(filter->code, PCRE2_INFO_FIRSTCODETYPE, &type) == 0 && type == 1 &&
        pcre2_pattern_info(filter->code, PCRE2_INFO_FIRSTCODEUNIT, &unit) == 0 &&
        !unit_in(unit, bytes, filter->caseless))
        return false;
    if (pcre2_pattern_info(filter->code, PCRE2_INFO_FIRSTBITMAP, &bitmap) == 0 && bitmap) {
        bool any = false;
        for (const unsigned char *byte = (const unsigned char *)bytes; *byte; byte++)
            any |= (bitmap[*byte / 8] >> (*byte % 8)) & 1;
        if (!any)
            return false;
    }
    if (pcre2_pattern_info(filter->code, PCRE2_INFO_LASTCODETYPE, &type) == 0 && type == 1 &&
        pcre2_pattern_info(filter->code, PCRE2_INFO_LASTCODEUNIT, &unit) == 0 &&
        !unit_in(unit, bytes, filter->caseless))
        return false;
    return true;
}
