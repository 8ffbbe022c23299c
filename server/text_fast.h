/* text_fast.h: the few string operations of the ingest's hot path without
 * printf: a format string parsed for every field costs more than the work
 * itself, and these run several times for every event. */
#ifndef VIGIE_TEXT_FAST_H
#define VIGIE_TEXT_FAST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* snprintf(dest, size, "%s", src): cut to fit, always terminated (size >
 * 0). Returns the length written. */
static inline size_t text_copy(char *dest, size_t size, const char *src)
{
    size_t length = strnlen(src, size - 1);
    memcpy(dest, src, length);
    dest[length] = '\0';
    return length;
}

/* Appends `src` to the `used` bytes of `dest`, cut to fit `size` and
 * terminated, as one snprintf of both would. Returns the new length. */
static inline size_t text_append(char *dest, size_t size, size_t used, const char *src)
{
    return used + text_copy(dest + used, size - used, src);
}

/* The decimal digits of `value` (as "%lld" writes them) into `out`, which
 * has room for 21 bytes; no NUL. Returns the length. */
static inline size_t text_integer(char *out, int64_t value)
{
    char digits[20];
    size_t count = 0, length = 0;
    uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
    do {
        digits[count++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude > 0);
    if (value < 0)
        out[length++] = '-';
    while (count > 0)
        out[length++] = digits[--count];
    return length;
}

/* `value` (0 to 10^width - 1) as exactly `width` zero-padded digits. */
static inline void text_digits(char *out, unsigned value, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + value % 10);
        value /= 10;
    }
}

#endif
