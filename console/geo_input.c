/* geo_input.c: reading a mass alert's centre and radius as typed. The
 * coordinates themselves are common/geo.c's (geo_parse); this file only
 * adds the forms an operator types at the console: degrees, minutes and
 * seconds separated by spaces (rewritten with marks, then read by
 * geo_parse, so that both forms give the same errors), "site N" and
 * "alarm N", and a radius with its unit. */
#include "console/geo_input.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/i18n.h"

/* Words of a typed centre: "N 43 42 36.7 E 7 15 43.2" has eight. */
#define GEO_INPUT_WORDS_MAX 12
/* Bytes of one word: a number of degrees or seconds with its fraction. */
#define GEO_INPUT_WORD_SIZE 24

struct words {
    char text[GEO_INPUT_WORDS_MAX][GEO_INPUT_WORD_SIZE];
    int count;
};

static bool is_number(const char *word)
{
    const char *p = word + (word[0] == '-'); /* the spaced form without letters */
    int digits = 0;
    while (isdigit((unsigned char)*p))
        p++, digits++;
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++)
            digits++;
    return digits > 0 && *p == '\0';
}

static bool is_hemisphere(const char *word)
{
    return word[0] != '\0' && word[1] == '\0' && strchr("NSEWOnsewo", word[0]) != NULL;
}

/* Splits at spaces, tabs and commas; false when a word is too long or
 * there are too many (then the text is not the spaced form). */
static bool split(const char *text, struct words *words)
{
    words->count = 0;
    const char *p = text;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            return true;
        size_t length = strcspn(p, " \t,");
        if (length >= GEO_INPUT_WORD_SIZE || words->count == GEO_INPUT_WORDS_MAX)
            return false;
        memcpy(words->text[words->count], p, length);
        words->text[words->count++][length] = '\0';
        p += length;
    }
}

/* Appends one coordinate written with marks: numbers[0]d numbers[1]'
 * numbers[2]" and its letter. */
static void append_marked(char *out, size_t size, char *const numbers[], int count,
                          const char *letter)
{
    static const char *const marks[] = {"d", "'", "\""};
    size_t used = strlen(out);
    for (int i = 0; i < count && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s", numbers[i], marks[i]);
    if (used < size)
        snprintf(out + used, size - used, "%s ", letter);
}

/* "N 43 42 36.7 E 7 15 43.2", "43 42 36.7 N 7 15 43.2 E" or "43 42 36.7 7
 * 15 43.2": rewritten as "43d42'36.7"N 7d15'43.2"E ". False when the text
 * is not in that form (geo_parse then reads it as it is). */
static bool rewrite_spaced(const char *text, char *out, size_t size)
{
    struct words words;
    for (const char *comma = strchr(text, ','); comma; comma = strchr(comma + 1, ','))
        if (isdigit((unsigned char)comma[1]))
            return false; /* "43,7102 7,262": a decimal comma, geo_parse says so */
    if (!split(text, &words) || words.count < 4)
        return false;
    bool prefix = is_hemisphere(words.text[0]);
    bool suffix = !prefix && is_hemisphere(words.text[words.count - 1]);
    char *numbers[2][3];
    const char *letters[2] = {"", ""};
    int counts[2] = {0, 0}, group = prefix ? -1 : 0;
    for (int i = 0; i < words.count; i++) {
        char *word = words.text[i];
        if (is_hemisphere(word)) {
            if (prefix && ++group > 1)
                return false;
            if (!prefix && !suffix)
                return false;
            letters[group < 0 ? 0 : group] = word;
            if (suffix)
                group++;
            continue;
        }
        if (!is_number(word))
            return false;
        if (!prefix && !suffix && counts[0] == words.count / 2)
            group = 1;
        if (group < 0 || group > 1 || counts[group] == 3)
            return false;
        numbers[group][counts[group]++] = word;
    }
    /* Degrees alone are geo_parse's own form; degrees and minutes at least. */
    if (counts[0] < 2 || counts[1] < 2)
        return false;
    out[0] = '\0';
    append_marked(out, size, numbers[0], counts[0], letters[0]);
    append_marked(out, size, numbers[1], counts[1], letters[1]);
    return true;
}

/* "site 12", "alarm 34" (or the French "site", "alarme"). */
static bool parse_reference(const char *text, struct geo_input_centre *out)
{
    static const struct {
        const char *word;
        enum geo_input_kind kind;
    } words[] = {{"site", GEO_INPUT_SITE}, {"alarm", GEO_INPUT_ALARM}, {"alarme", GEO_INPUT_ALARM}};
    while (*text == ' ')
        text++;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t length = strlen(words[i].word);
        if (strncasecmp(text, words[i].word, length) != 0 || isalpha((unsigned char)text[length]))
            continue;
        const char *p = text + length;
        while (*p == ' ' || *p == '#')
            p++;
        char *end;
        long long id = strtoll(p, &end, 10);
        while (*end == ' ')
            end++;
        if (end == p || *end || id <= 0)
            return false;
        *out = (struct geo_input_centre){.kind = words[i].kind, .id = id};
        return true;
    }
    return false;
}

bool geo_input_parse_centre(const char *text, struct geo_input_centre *out,
                            char error[GEO_ERROR_SIZE])
{
    if (!text)
        text = "";
    if (parse_reference(text, out))
        return true;
    char marked[GEO_INPUT_WORDS_MAX * GEO_INPUT_WORD_SIZE];
    struct geo_point point;
    if (!geo_parse(rewrite_spaced(text, marked, sizeof marked) ? marked : text, &point, error))
        return false;
    *out = (struct geo_input_centre){.kind = GEO_INPUT_POINT, .point = point};
    return true;
}

static bool radius_fail(char *error, const char *format, const char *detail)
{
    if (error)
        snprintf(error, GEO_ERROR_SIZE, format, detail);
    return false;
}

bool geo_input_parse_radius(const char *text, double *metres, char error[GEO_ERROR_SIZE])
{
    char number[GEO_INPUT_WORD_SIZE];
    const char *p = text ? text : "";
    while (*p == ' ')
        p++;
    size_t length = strspn(p, "0123456789.,");
    if (length == 0)
        return radius_fail(error, _("expected a radius such as 800 m or 3 km, not \"%s\""), p);
    if (length >= sizeof number)
        return radius_fail(error, "%s", _("that radius has too many digits"));
    memcpy(number, p, length);
    number[length] = '\0';
    char *comma = strchr(number, ',');
    if (comma)
        *comma = '.'; /* "2,5 km": the French decimal comma */
    double value;
    if (!geo_parse_decimal(number, &value))
        return radius_fail(error, _("\"%s\" is not a number"), number);
    p += length;
    while (*p == ' ')
        p++;
    double unit = 1.0;
    if (strcasecmp(p, "km") == 0)
        unit = 1000.0;
    else if (*p && strcasecmp(p, "m") != 0)
        return radius_fail(error, _("unknown unit \"%s\": write m or km"), p);
    value *= unit;
    if (!(value >= GEO_INPUT_RADIUS_MIN_M) || value > GEO_INPUT_RADIUS_MAX_M) {
        char limit[32];
        snprintf(limit, sizeof limit, "%.0f", GEO_INPUT_RADIUS_MAX_M / 1000.0);
        return radius_fail(error, _("the radius must be between 1 m and %s km"), limit);
    }
    *metres = value;
    return true;
}
