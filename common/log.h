/* log.h: one line per event on standard error, with time, level and
 * module. Passwords, tokens and keys are never passed here. */
#ifndef VIGIE_LOG_H
#define VIGIE_LOG_H

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR };

void log_set_level(enum log_level level);
void log_write(enum log_level level, const char *module, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(module, ...) log_write(LOG_LEVEL_DEBUG, module, __VA_ARGS__)
#define log_info(module, ...)  log_write(LOG_LEVEL_INFO, module, __VA_ARGS__)
#define log_warn(module, ...)  log_write(LOG_LEVEL_WARN, module, __VA_ARGS__)
#define log_error(module, ...) log_write(LOG_LEVEL_ERROR, module, __VA_ARGS__)

#endif
