/* clock.c: epoch milliseconds and RFC 3339, without touching TZ (the
 * server is threaded, so no setenv/tzset and no localtime here). */
#include "common/clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t clock_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_monotonic_ms(void)
{
    return clock_monotonic_us() / 1000;
}

int64_t clock_monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void clock_format_rfc3339(int64_t ms, char out[CLOCK_RFC3339_SIZE])
{
    time_t seconds = (time_t)(ms / 1000);
    int millis = (int)(ms % 1000);
    if (millis < 0) {
        millis += 1000;
        seconds -= 1;
    }
    struct tm tm;
    gmtime_r(&seconds, &tm);
    snprintf(out, CLOCK_RFC3339_SIZE, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

static bool parse_digits(const char **cursor, int count, int *value)
{
    int result = 0;
    for (int i = 0; i < count; i++) {
        char c = (*cursor)[i];
        if (c < '0' || c > '9')
            return false;
        result = result * 10 + (c - '0');
    }
    *cursor += count;
    *value = result;
    return true;
}

static bool expect_char(const char **cursor, char wanted)
{
    if (**cursor != wanted)
        return false;
    (*cursor)++;
    return true;
}

bool clock_parse_rfc3339(const char *text, int64_t *ms_out)
{
    const char *p = text;
    int year, month, day, hour, minute, second, millis = 0;
    if (!parse_digits(&p, 4, &year) || !expect_char(&p, '-') || !parse_digits(&p, 2, &month) ||
        !expect_char(&p, '-') || !parse_digits(&p, 2, &day))
        return false;
    if (*p != 'T' && *p != 't' && *p != ' ')
        return false;
    p++;
    if (!parse_digits(&p, 2, &hour) || !expect_char(&p, ':') || !parse_digits(&p, 2, &minute) ||
        !expect_char(&p, ':') || !parse_digits(&p, 2, &second))
        return false;
    if (*p == '.') {
        p++;
        int scale = 100, digits = 0;
        while (*p >= '0' && *p <= '9') {
            if (digits < 3)
                millis += (*p - '0') * scale;
            scale /= 10;
            digits++;
            p++;
        }
        if (digits == 0)
            return false;
    }
    int offset_minutes = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om;
        p++;
        if (!parse_digits(&p, 2, &oh) || !expect_char(&p, ':') || !parse_digits(&p, 2, &om))
            return false;
        offset_minutes = sign * (oh * 60 + om);
    } else {
        return false;
    }
    if (*p != '\0' || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
        second > 60)
        return false;
    struct tm tm = {.tm_year = year - 1900,
                    .tm_mon = month - 1,
                    .tm_mday = day,
                    .tm_hour = hour,
                    .tm_min = minute,
                    .tm_sec = second};
    time_t seconds = timegm(&tm);
    *ms_out = ((int64_t)seconds - offset_minutes * 60) * 1000 + millis;
    return true;
}
