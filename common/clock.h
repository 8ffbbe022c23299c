/* clock.h: wall-clock time in milliseconds since the Unix epoch (UTC), the
 * only time unit stored and exchanged, and its RFC 3339 text form. */
#ifndef VIGIE_CLOCK_H
#define VIGIE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "2026-11-25T00:49:46.123Z" plus NUL, with room for any year. */
#define CLOCK_RFC3339_SIZE 64

int64_t clock_now_ms(void);
/* Monotonic milliseconds, for timeouts and latencies only. */
int64_t clock_monotonic_ms(void);
int64_t clock_monotonic_us(void);
void clock_format_rfc3339(int64_t ms, char out[CLOCK_RFC3339_SIZE]);
/* Accepts "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)". */
bool clock_parse_rfc3339(const char *text, int64_t *ms_out);

#endif
