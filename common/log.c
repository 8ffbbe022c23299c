/* log.c: writes whole lines with one write() so that lines from several
 * threads never interleave. */
#include "common/log.h"
#include "common/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

/* A log line longer than this is cut; no message needs more. */
#define LOG_LINE_MAX 2048

static enum log_level minimum_level = LOG_LEVEL_INFO;

void log_set_level(enum log_level level)
{
    minimum_level = level;
}

void log_write(enum log_level level, const char *module, const char *format, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    if (level < minimum_level)
        return;
    char line[LOG_LINE_MAX];
    char now[CLOCK_RFC3339_SIZE];
    clock_format_rfc3339(clock_now_ms(), now);
    int used = snprintf(line, sizeof line, "%s %s %s: ", now, names[level], module);
    va_list args;
    va_start(args, format);
    int more = vsnprintf(line + used, sizeof line - (size_t)used - 1, format, args);
    va_end(args);
    size_t length = (size_t)used + (more < 0 ? 0 : (size_t)more);
    if (length > sizeof line - 2)
        length = sizeof line - 2;
    line[length++] = '\n';
    ssize_t ignored = write(STDERR_FILENO, line, length);
    (void)ignored;
}
