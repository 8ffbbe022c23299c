/* filter.c: one compiled PCRE2 pattern and its match data. Patterns are
 * UTF-8 and matched with Unicode properties, so "é" and "É" fold when the
 * pattern is case-insensitive; subjects that are not valid UTF-8 are
 * matched where they are valid instead of failing. */
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

struct filter {
    pcre2_code *code;
    pcre2_match_data *match;
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
    filter->pattern[0] = '\0';
    filter->caseless = false;
}

void filter_free(struct filter *filter)
{
    if (!filter)
        return;
    filter_clear(filter);
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
    int found = pcre2_match(filter->code, (PCRE2_SPTR)text, length, 0, 0, filter->match, NULL);
    return found >= 0;
}
