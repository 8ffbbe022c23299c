/* massalert_text.c: the composer's pure helpers (massalert_text.h). */
#include "console/massalert_text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/geo.h"
#include "common/i18n.h"

/* From a street to a region: the presets, and steps between them so that
 * one key press never more than triples the number of people reached. */
static const double radius_ladder[] = {
    100,    200,   400,   MASSALERT_PRESET_AGGRESSION_M, 1500,  MASSALERT_PRESET_HIT_AND_RUN_M,
    5000,   10000, 20000, MASSALERT_PRESET_ATTACK_M,     60000, 100000,
    200000,
};
#define LADDER_SIZE (sizeof radius_ladder / sizeof radius_ladder[0])

double massalert_radius_step(double metres, int direction)
{
    if (direction > 0) {
        for (size_t i = 0; i < LADDER_SIZE; i++)
            if (radius_ladder[i] > metres + 0.5)
                return radius_ladder[i];
        return radius_ladder[LADDER_SIZE - 1] > metres ? radius_ladder[LADDER_SIZE - 1] : metres;
    }
    for (size_t i = LADDER_SIZE; i-- > 0;)
        if (radius_ladder[i] < metres - 0.5)
            return radius_ladder[i];
    return radius_ladder[0] < metres ? radius_ladder[0] : metres;
}

void massalert_format_radius(double metres, char *out, size_t size)
{
    char number[32];
    if (metres < 1000.0) {
        geo_format_number(metres, 0, number, sizeof number);
        snprintf(out, size, _("%s m"), number);
        return;
    }
    double km = metres / 1000.0;
    geo_format_number(km, fabs(km - round(km)) < 0.05 ? 0 : 1, number, sizeof number);
    snprintf(out, size, _("%s km"), number);
}

/* Appends length bytes of text; false when out is full. */
static bool append(char *out, size_t size, size_t *used, const char *text, size_t length)
{
    if (*used + length >= size)
        return false;
    memcpy(out + *used, text, length);
    *used += length;
    out[*used] = '\0';
    return true;
}

bool massalert_fill(const char *text, const char *const names[], const char *const values[],
                    size_t count, char *out, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return false;
    out[0] = '\0';
    for (const char *p = text; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        size_t i = count;
        if (close)
            for (i = 0; i < count; i++)
                if (strlen(names[i]) == (size_t)(close - p - 1) &&
                    strncmp(p + 1, names[i], (size_t)(close - p - 1)) == 0)
                    break;
        if (close && i < count) {
            if (!append(out, size, &used, values[i], strlen(values[i])))
                return false;
            p = close + 1;
        } else if (!append(out, size, &used, p++, 1)) {
            return false;
        }
    }
    return true;
}

/* The text with each {reply} replaced by a stand-in of the link's length
 * ("r" is in the GSM alphabet, as every character of a URL is), or with
 * the link after a space when it has none: what the server sends. */
static char *as_received(const char *message)
{
    size_t placeholder = strlen(MASSALERT_REPLY_PLACEHOLDER), links = 0;
    for (const char *p = strstr(message, MASSALERT_REPLY_PLACEHOLDER); p;
         p = strstr(p + placeholder, MASSALERT_REPLY_PLACEHOLDER))
        links++;
    size_t length = strlen(message) + (links ? links : 1) * (MASSALERT_REPLY_LINK_LENGTH + 1) + 1;
    char *text = malloc(length), *q = text;
    if (!text)
        return NULL;
    for (const char *p = message; *p;) {
        if (strncmp(p, MASSALERT_REPLY_PLACEHOLDER, placeholder) == 0) {
            memset(q, 'r', MASSALERT_REPLY_LINK_LENGTH);
            q += MASSALERT_REPLY_LINK_LENGTH;
            p += placeholder;
        } else {
            *q++ = *p++;
        }
    }
    if (links == 0) {
        *q++ = ' ';
        memset(q, 'r', MASSALERT_REPLY_LINK_LENGTH);
        q += MASSALERT_REPLY_LINK_LENGTH;
    }
    *q = '\0';
    return text;
}

bool massalert_measure(const char *message, struct sms_measure *out)
{
    char *text = as_received(message ? message : "");
    size_t bad;
    bool ok = text && sms_measure(text, strlen(text), out, &bad);
    free(text);
    return ok;
}

/* The character that forced UCS-2, as UTF-8 ("ç"). */
static void forcing_character(const char *message, char out[8])
{
    char *text = as_received(message);
    struct sms_measure measure;
    size_t bad;
    out[0] = '\0';
    if (text && sms_measure(text, strlen(text), &measure, &bad) && measure.encoding == SMS_UCS2) {
        const unsigned char *p = (const unsigned char *)text + measure.first_non_gsm;
        size_t length = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        memcpy(out, p, length);
        out[length] = '\0';
    }
    free(text);
}

void massalert_meter_line(const char *message, char *out, size_t size, bool *too_long)
{
    struct sms_measure measure;
    *too_long = false;
    if (!massalert_measure(message, &measure)) {
        snprintf(out, size, "%s", _("SMS: the text is not valid UTF-8"));
        *too_long = true;
        return;
    }
    size_t capacity = measure.parts * measure.per_part;
    char parts[48];
    snprintf(parts, sizeof parts, ngettext("%zu part", "%zu parts", measure.parts), measure.parts);
    if (measure.parts > SMS_PARTS_MAX) {
        snprintf(out, size, _("SMS: %s, too long (at most %d): shorten it"), parts, SMS_PARTS_MAX);
        *too_long = true;
        return;
    }
    if (measure.encoding == SMS_GSM7) {
        snprintf(out, size, _("SMS: %s, %zu/%zu GSM 7-bit"), parts, measure.units, capacity);
        return;
    }
    char forcing[8];
    forcing_character(message, forcing);
    snprintf(out, size, _("SMS: %s, %zu/%zu UCS-2 (\"%s\" forces it)"), parts, measure.units,
             capacity, forcing);
}
