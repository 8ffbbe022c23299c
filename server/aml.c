/* aml.c: the Advanced Mobile Location HTTPS form, read without trusting a
 * byte of it: URL-decoding with bounds, known fields checked, unknown ones
 * skipped, and the HMAC over the pairs as sent. Numbers are read in the C
 * locale whatever the process's locale, as the handset writes them. */
#include "server/aml.h"
#include "common/i18n.h"

#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* A number is at most this many characters ("-122.084741312345678"). */
#define AML_DECIMAL_MAX 32
/* Accuracy beyond 100 km says nothing useful about where the caller is. */
#define AML_ACCURACY_MAX_M 100000.0

enum aml_field {
    FIELD_VERSION,
    FIELD_EMERGENCY_NUMBER,
    FIELD_DEVICE_NUMBER,
    FIELD_TIME,
    FIELD_LATITUDE,
    FIELD_LONGITUDE,
    FIELD_ACCURACY,
    FIELD_LOCATION_TIME,
    FIELD_SOURCE,
    FIELD_CONFIDENCE, /* a fraction, 0.6827 (Android) */
    FIELD_CERTAINTY,  /* a percentage, 68 (the SMS form's "lc") */
    FIELD_ALTITUDE,
    FIELD_FLOOR,
    FIELD_IMEI,
    FIELD_IMSI,
    FIELD_HMAC,
    FIELD_UNKNOWN,
};

static const struct {
    const char *key;
    enum aml_field field;
} known_fields[] = {
    {"v", FIELD_VERSION},
    {"emergency_number", FIELD_EMERGENCY_NUMBER},
    {"device_number", FIELD_DEVICE_NUMBER},
    {"time", FIELD_TIME},
    {"location_latitude", FIELD_LATITUDE},
    {"location_longitude", FIELD_LONGITUDE},
    {"location_accuracy", FIELD_ACCURACY},
    {"location_time", FIELD_LOCATION_TIME},
    {"location_source", FIELD_SOURCE},
    {"location_confidence", FIELD_CONFIDENCE},
    {"location_certainty", FIELD_CERTAINTY},
    {"location_altitude", FIELD_ALTITUDE},
    {"location_floor", FIELD_FLOOR},
    {"device_imei", FIELD_IMEI},
    {"device_imsi", FIELD_IMSI},
    {"hmac", FIELD_HMAC},
};

static bool fail(struct aml_error *error, const char *field, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(struct aml_error *error, const char *field, const char *format, ...)
{
    snprintf(error->field, sizeof error->field, "%s", field);
    va_list args;
    va_start(args, format);
    vsnprintf(error->message, sizeof error->message, format, args);
    va_end(args);
    return false;
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

/* application/x-www-form-urlencoded: "+" is a space, "%XX" a byte. A NUL
 * or control byte, a broken escape or a value too long is refused. */
static bool form_decode(const char *text, size_t length, char *out, size_t capacity)
{
    size_t used = 0;
    for (size_t i = 0; i < length; i++) {
        int byte = (unsigned char)text[i];
        if (byte == '+') {
            byte = ' ';
        } else if (byte == '%') {
            if (i + 2 >= length)
                return false;
            int high = hex_value(text[i + 1]), low = hex_value(text[i + 2]);
            if (high < 0 || low < 0)
                return false;
            byte = high * 16 + low;
            i += 2;
        }
        if (byte < 0x20 || byte == 0x7f || used + 1 >= capacity)
            return false;
        out[used++] = (char)byte;
    }
    out[used] = '\0';
    return true;
}

static locale_t c_numeric;
static pthread_once_t c_numeric_once = PTHREAD_ONCE_INIT;

static void c_numeric_create(void)
{
    c_numeric = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* [+-]digits[.digits]: what handsets write; no exponent, no "nan". */
static bool parse_decimal(const char *text, double min, double max, double *out)
{
    size_t length = strlen(text), digits = 0, i = 0;
    if (length == 0 || length > AML_DECIMAL_MAX)
        return false;
    if (text[i] == '+' || text[i] == '-')
        i++;
    for (; isdigit((unsigned char)text[i]); i++)
        digits++;
    if (text[i] == '.')
        for (i++; isdigit((unsigned char)text[i]); i++)
            digits++;
    if (digits == 0 || i != length)
        return false;
    pthread_once(&c_numeric_once, c_numeric_create);
    if (!c_numeric)
        return false;
    double value = strtod_l(text, NULL, c_numeric);
    if (!isfinite(value) || value < min || value > max)
        return false;
    *out = value;
    return true;
}

static bool all_digits(const char *text, size_t min_length, size_t max_length)
{
    size_t length = strlen(text);
    if (length < min_length || length > max_length)
        return false;
    for (size_t i = 0; i < length; i++)
        if (!isdigit((unsigned char)text[i]))
            return false;
    return true;
}

/* Milliseconds since the epoch (Android), seconds (10 digits or fewer), or
 * yyyyMMddHHmmss in UTC (the SMS form's "top"). */
static bool parse_time(const char *text, int64_t *ms_out)
{
    if (!all_digits(text, 1, 14))
        return false;
    if (strlen(text) == 14) {
        struct tm tm = {0};
        if (sscanf(text, "%4d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                   &tm.tm_min, &tm.tm_sec) != 6)
            return false;
        struct tm given = tm;
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        time_t seconds = timegm(&tm);
        /* timegm normalises 31 February into March: refuse what moved. */
        if (seconds <= 0 || tm.tm_year + 1900 != given.tm_year || tm.tm_mon + 1 != given.tm_mon ||
            tm.tm_mday != given.tm_mday || tm.tm_hour != given.tm_hour ||
            tm.tm_min != given.tm_min || tm.tm_sec != given.tm_sec)
            return false;
        *ms_out = (int64_t)seconds * 1000;
        return true;
    }
    long long value = strtoll(text, NULL, 10);
    if (value <= 0)
        return false;
    /* Below 10^11 a count is seconds (until the year 5138), else ms. */
    *ms_out = value < 100000000000LL ? value * 1000 : value;
    return true;
}

/* E.164. A "+" sent unencoded arrives as a space: it is taken back. */
static bool parse_msisdn(const char *text, char out[AML_NUMBER_SIZE])
{
    const char *digits = text[0] == '+' || text[0] == ' ' ? text + 1 : NULL;
    if (!digits || !all_digits(digits, 6, AML_NUMBER_SIZE - 2))
        return false;
    out[0] = '+';
    memcpy(out + 1, digits, strlen(digits) + 1);
    return true;
}

static void normalise_source(const char *text, char out[8])
{
    static const struct {
        const char *given, *source;
    } names[] = {
        {"gps", "gps"},   {"gnss", "gps"},     {"wifi", "wifi"},   {"wlan", "wifi"},
        {"cell", "cell"}, {"network", "cell"}, {"cellid", "cell"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(text, names[i].given) == 0) {
            snprintf(out, 8, "%s", names[i].source);
            return;
        }
    }
    /* hybrid, fused, unknown...: a fix whose method the handset did not say. */
    snprintf(out, 8, "unknown");
}

static enum aml_field field_of(const char *key)
{
    for (size_t i = 0; i < sizeof known_fields / sizeof known_fields[0]; i++)
        if (strcmp(key, known_fields[i].key) == 0)
            return known_fields[i].field;
    return FIELD_UNKNOWN;
}

/* Notes a known field whose value was malformed and is left out: the
 * message still counts (an emergency is never refused for its extras). */
static void drop(struct aml_message *m, const char *key)
{
    size_t used = strlen(m->dropped);
    snprintf(m->dropped + used, sizeof m->dropped - used, "%s%s", used ? "," : "", key);
    m->dropped_count++;
}

static bool copy_if(bool valid, char *out, size_t size, const char *value, struct aml_message *m,
                    const char *key)
{
    size_t length = strlen(value);
    if (valid && length < size)
        memcpy(out, value, length + 1);
    else
        drop(m, key);
    return true;
}

static bool apply_field(enum aml_field field, const char *key, const char *value,
                        struct aml_message *m, struct aml_error *error)
{
    double number = 0;
    int64_t when = 0;
    switch (field) {
    case FIELD_VERSION:
        if (all_digits(value, 1, 3))
            m->version = atoi(value);
        else
            drop(m, key);
        return true;
    case FIELD_EMERGENCY_NUMBER:
        return copy_if(all_digits(value, 2, sizeof m->emergency_number - 1), m->emergency_number,
                       sizeof m->emergency_number, value, m, key);
    case FIELD_DEVICE_NUMBER:
        return parse_msisdn(value, m->device_number) ||
               fail(error, key, _("device_number must be an E.164 number such as +33612345678"));
    case FIELD_TIME:
    case FIELD_LOCATION_TIME:
        if (!parse_time(value, &when))
            drop(m, key);
        else if (field == FIELD_TIME)
            m->call_time_ms = when;
        else
            m->location_time_ms = when;
        return true;
    case FIELD_LATITUDE:
        if (!parse_decimal(value, -90, 90, &m->latitude))
            drop(m, key);
        return true;
    case FIELD_LONGITUDE:
        if (!parse_decimal(value, -180, 180, &m->longitude))
            drop(m, key);
        return true;
    case FIELD_ACCURACY:
        if (!parse_decimal(value, 0, AML_ACCURACY_MAX_M, &m->accuracy_m))
            drop(m, key);
        return true;
    case FIELD_SOURCE:
        normalise_source(value, m->location_source);
        return true;
    case FIELD_CONFIDENCE:
    case FIELD_CERTAINTY:
        if (parse_decimal(value, 0, field == FIELD_CONFIDENCE ? 1 : 100, &number))
            m->confidence_percent = (int)lround(field == FIELD_CONFIDENCE ? number * 100 : number);
        else
            drop(m, key);
        return true;
    case FIELD_ALTITUDE:
        m->has_altitude = parse_decimal(value, -1000, 100000, &m->altitude_m);
        if (!m->has_altitude)
            drop(m, key);
        return true;
    case FIELD_FLOOR:
        return copy_if(true, m->floor, sizeof m->floor, value, m, key);
    case FIELD_IMEI:
        return copy_if(all_digits(value, 14, 16), m->imei, sizeof m->imei, value, m, key);
    case FIELD_IMSI:
        return copy_if(all_digits(value, 5, 15), m->imsi, sizeof m->imsi, value, m, key);
    case FIELD_HMAC:
        if (strlen(value) != AML_HMAC_HEX_SIZE - 1)
            return fail(error, key, _("hmac must be 64 hexadecimal digits (HMAC-SHA256)"));
        for (size_t i = 0; i < AML_HMAC_HEX_SIZE - 1; i++) {
            if (hex_value(value[i]) < 0)
                return fail(error, key, _("hmac must be 64 hexadecimal digits (HMAC-SHA256)"));
            m->hmac_hex[i] = (char)tolower((unsigned char)value[i]);
        }
        return true;
    case FIELD_UNKNOWN:
        m->unknown_fields++;
        return true;
    }
    return true;
}

static bool valid_key(const char *key)
{
    if (!key[0])
        return false;
    for (const char *c = key; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-' && *c != '.')
            return false;
    return true;
}

/* Reads one "key=value" pair and applies it; `seen` catches repeats. */
static bool read_pair(const char *pair, size_t length, uint32_t *seen, enum aml_field *field_out,
                      struct aml_message *m, struct aml_error *error)
{
    const char *equals = memchr(pair, '=', length);
    size_t key_length = equals ? (size_t)(equals - pair) : length;
    char key[AML_KEY_MAX], value[AML_VALUE_MAX + 1];
    if (!form_decode(pair, key_length, key, sizeof key) || !valid_key(key))
        return fail(error, "", _("a pair of the body has no valid name (letters, digits, _)"));
    const char *value_start = equals ? equals + 1 : pair + length;
    if (!form_decode(value_start, (size_t)(pair + length - value_start), value, sizeof value))
        return fail(error, key,
                    _("the value of %s is not URL-encoded text or is longer than %d bytes"), key,
                    AML_VALUE_MAX);
    enum aml_field field = *field_out = field_of(key);
    if (field != FIELD_UNKNOWN) {
        if (*seen & (1u << field))
            return fail(error, key, _("the field %s appears twice"), key);
        *seen |= 1u << field;
        if (!value[0])
            return true; /* empty: as if absent */
    }
    return apply_field(field, key, value, m, error);
}

/* A position needs both coordinates; 0,0 is how handsets say "no fix". */
static void settle_position(struct aml_message *m)
{
    bool latitude = isfinite(m->latitude), longitude = isfinite(m->longitude);
    if (latitude != longitude) /* half a position is left out too */
        drop(m, latitude ? "location_latitude" : "location_longitude");
    m->has_position = latitude && longitude && !(m->latitude == 0 && m->longitude == 0);
    if (!m->has_position) {
        m->latitude = m->longitude = 0;
        m->accuracy_m = -1;
    } else if (!m->location_source[0]) {
        snprintf(m->location_source, sizeof m->location_source, "unknown");
    }
}

bool aml_parse(const char *body, size_t length, struct aml_message *m, struct aml_error *error)
{
    memset(m, 0, sizeof *m);
    memset(error, 0, sizeof *error);
    m->latitude = m->longitude = NAN;
    m->accuracy_m = -1;
    m->confidence_percent = -1;
    if (!body || length == 0)
        return fail(error, "", _("the AML body is empty"));
    if (length > AML_BODY_MAX)
        return fail(error, "", _("the AML body is longer than %d bytes"), AML_BODY_MAX);
    uint32_t seen = 0;
    int pairs = 0;
    for (size_t start = 0; start < length;) {
        const char *found = memchr(body + start, '&', length - start);
        size_t stop = found ? (size_t)(found - body) : length;
        size_t pair_length = stop - start;
        if (pair_length > 0) {
            if (++pairs > AML_PAIRS_MAX)
                return fail(error, "", _("the AML body has more than %d fields"), AML_PAIRS_MAX);
            enum aml_field field = FIELD_UNKNOWN;
            if (!read_pair(body + start, pair_length, &seen, &field, m, error))
                return false;
            if (field != FIELD_HMAC) {
                if (m->signed_length > 0)
                    m->signed_bytes[m->signed_length++] = '&';
                memcpy(m->signed_bytes + m->signed_length, body + start, pair_length);
                m->signed_length += pair_length;
            }
        }
        start = stop + 1;
    }
    if (!m->device_number[0])
        return fail(error, "device_number",
                    _("the AML message has no device_number: the phone that sent it is unknown"));
    if (!m->hmac_hex[0])
        return fail(error, "hmac", _("the AML message has no hmac: it cannot be authenticated"));
    settle_position(m);
    return true;
}

bool aml_key_from_hex(const char *hex, uint8_t out[AML_KEY_BYTES_MAX], size_t *length_out)
{
    size_t length = hex ? strlen(hex) : 0;
    if (length % 2 != 0 || length < 2 * AML_KEY_BYTES_MIN || length > 2 * AML_KEY_BYTES_MAX)
        return false;
    for (size_t i = 0; i < length; i += 2) {
        int high = hex_value(hex[i]), low = hex_value(hex[i + 1]);
        if (high < 0 || low < 0)
            return false;
        out[i / 2] = (uint8_t)(high * 16 + low);
    }
    *length_out = length / 2;
    return true;
}

static bool hmac_bytes(const uint8_t *key, size_t key_length, const char *data, size_t length,
                       unsigned char digest[32])
{
    unsigned int digest_length = 0;
    if (key_length == 0 || key_length > AML_KEY_BYTES_MAX)
        return false;
    return HMAC(EVP_sha256(), key, (int)key_length, (const unsigned char *)data, length, digest,
                &digest_length) != NULL &&
           digest_length == 32;
}

bool aml_hmac_hex(const uint8_t *key, size_t key_length, const char *data, size_t length,
                  char out[AML_HMAC_HEX_SIZE])
{
    unsigned char digest[32];
    if (!hmac_bytes(key, key_length, data, length, digest))
        return false;
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    return true;
}

bool aml_hmac_verify(const struct aml_message *message, const uint8_t *key, size_t key_length)
{
    unsigned char expected[32], given[32];
    if (strlen(message->hmac_hex) != AML_HMAC_HEX_SIZE - 1 ||
        !hmac_bytes(key, key_length, message->signed_bytes, message->signed_length, expected))
        return false;
    for (int i = 0; i < 32; i++)
        given[i] = (unsigned char)(hex_value(message->hmac_hex[2 * i]) * 16 +
                                   hex_value(message->hmac_hex[2 * i + 1]));
    return CRYPTO_memcmp(expected, given, sizeof expected) == 0;
}
