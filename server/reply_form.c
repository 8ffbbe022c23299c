/* reply_form.c: reading a reply page's form or JSON body (see
 * reply_form.h). Numbers are read in the C locale, whatever the process's
 * LC_NUMERIC says. */
#include "server/reply_form.h"

#include <cjson/cJSON.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A field's name or a number's text: short by nature. */
#define REPLY_FORM_SHORT_MAX 64

static locale_t c_numeric;
static pthread_once_t c_numeric_once = PTHREAD_ONCE_INIT;

static void c_numeric_init(void)
{
    c_numeric = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* A decimal number alone (no hex, no inf or nan). */
static bool parse_number(const char *text, double *out)
{
    pthread_once(&c_numeric_once, c_numeric_init);
    if (!c_numeric || !text[0] || strspn(text, "+-0123456789.eE") != strlen(text))
        return false;
    char *end = NULL;
    double value = strtod_l(text, &end, c_numeric);
    if (!end || *end || !isfinite(value))
        return false;
    *out = value;
    return true;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "+" is a space, "%XX" a byte; a NUL byte or a broken escape is refused.
 * False with *too_large when the result does not fit. */
static bool form_decode(const char *text, size_t length, char *out, size_t capacity,
                        bool *too_large)
{
    size_t used = 0;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int high = i + 2 < length ? hex_value(text[i + 1]) : -1;
            int low = i + 2 < length ? hex_value(text[i + 2]) : -1;
            if (high < 0 || low < 0 || (high == 0 && low == 0))
                return false;
            c = (char)(high * 16 + low);
            i += 2;
        }
        if (used + 1 >= capacity) {
            *too_large = true;
            return false;
        }
        out[used++] = c;
    }
    out[used] = '\0';
    return true;
}

/* Sets a number field from its text; empty means absent. */
static bool set_number(const char *text, bool *present, double *value)
{
    if (!text[0])
        return true;
    *present = true;
    return parse_number(text, value);
}

static enum reply_form_status parse_urlencoded(const char *body, size_t length,
                                               struct reply_form *out)
{
    bool has_lat = false, has_lon = false;
    size_t at = 0;
    while (at < length) {
        const char *pair = body + at;
        const char *end = memchr(pair, '&', length - at);
        size_t pair_length = end ? (size_t)(end - pair) : length - at;
        at += pair_length + 1;
        if (pair_length == 0)
            continue;
        const char *equals = memchr(pair, '=', pair_length);
        size_t key_length = equals ? (size_t)(equals - pair) : pair_length;
        const char *value = equals ? equals + 1 : pair + pair_length;
        size_t value_length = (size_t)(pair + pair_length - value);
        char key[REPLY_FORM_SHORT_MAX], number[REPLY_FORM_SHORT_MAX];
        bool too_large = false;
        if (!form_decode(pair, key_length, key, sizeof key, &too_large))
            continue; /* a field name we cannot have written */
        bool ok = true;
        if (strcmp(key, "text") == 0) {
            ok = form_decode(value, value_length, out->text, sizeof out->text, &too_large);
        } else if (!strcmp(key, "lat") || !strcmp(key, "lon") || !strcmp(key, "accuracy")) {
            ok = form_decode(value, value_length, number, sizeof number, &too_large);
            if (ok && key[1] == 'a')
                ok = set_number(number, &has_lat, &out->lat);
            else if (ok && key[1] == 'o')
                ok = set_number(number, &has_lon, &out->lon);
            else if (ok)
                ok = set_number(number, &out->has_accuracy, &out->accuracy_m);
        }
        if (too_large)
            return REPLY_FORM_TOO_LARGE;
        if (!ok)
            return REPLY_FORM_MALFORMED;
    }
    if (has_lat != has_lon)
        return REPLY_FORM_MALFORMED;
    out->located = has_lat;
    return REPLY_FORM_OK;
}

static bool json_number(const cJSON *object, const char *name, bool *present, double *value)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    if (!item || cJSON_IsNull(item))
        return true;
    if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
        return false;
    *present = true;
    *value = item->valuedouble;
    return true;
}

static enum reply_form_status parse_json(const char *body, size_t length, struct reply_form *out)
{
    cJSON *root = cJSON_ParseWithLength(body, length);
    enum reply_form_status status = REPLY_FORM_OK;
    bool has_lat = false, has_lon = false;
    if (!cJSON_IsObject(root)) {
        status = REPLY_FORM_MALFORMED;
        goto done;
    }
    for (const cJSON *item = root->child; item; item = item->next) {
        static const char *const known[] = {"text", "lat", "lon", "accuracy_m"};
        bool is_known = false;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            is_known = is_known || strcmp(item->string, known[i]) == 0;
        if (!is_known) {
            status = REPLY_FORM_MALFORMED;
            goto done;
        }
    }
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(root, "text");
    if (text && !cJSON_IsNull(text)) {
        if (!cJSON_IsString(text)) {
            status = REPLY_FORM_MALFORMED;
            goto done;
        }
        if (strlen(text->valuestring) >= sizeof out->text) {
            status = REPLY_FORM_TOO_LARGE;
            goto done;
        }
        strcpy(out->text, text->valuestring);
    }
    if (!json_number(root, "lat", &has_lat, &out->lat) ||
        !json_number(root, "lon", &has_lon, &out->lon) ||
        !json_number(root, "accuracy_m", &out->has_accuracy, &out->accuracy_m) ||
        has_lat != has_lon)
        status = REPLY_FORM_MALFORMED;
    out->located = has_lat && has_lon;
done:
    cJSON_Delete(root);
    return status;
}

/* True when `type` is `expected`, alone or followed by parameters. */
static bool type_is(const char *type, const char *expected)
{
    size_t length = strlen(expected);
    return strncasecmp(type, expected, length) == 0 &&
           (type[length] == '\0' || type[length] == ';' || type[length] == ' ');
}

enum reply_form_status reply_form_parse(const char *content_type, const char *body, size_t length,
                                        struct reply_form *out)
{
    memset(out, 0, sizeof *out);
    if (length > REPLY_FORM_BODY_MAX)
        return REPLY_FORM_TOO_LARGE;
    if (length > 0 && (!body || memchr(body, '\0', length)))
        return REPLY_FORM_MALFORMED;
    if (!content_type || type_is(content_type, "application/x-www-form-urlencoded"))
        return parse_urlencoded(body ? body : "", length, out);
    if (type_is(content_type, "application/json"))
        return length ? parse_json(body, length, out) : REPLY_FORM_MALFORMED;
    return REPLY_FORM_UNSUPPORTED;
}
