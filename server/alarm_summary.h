/* alarm_summary.h: an alarm's summary as JSON text, written straight into
 * a buffer: the same bytes as cJSON_PrintUnformatted(alarm_summary_json())
 * without building a tree. The store writes one per alarm change into the
 * stream, inside the writer's transaction, where every microsecond is
 * paid by every event. */
#ifndef VIGIE_ALARM_SUMMARY_H
#define VIGIE_ALARM_SUMMARY_H

#include "server/alarm.h"

#include <stddef.h>

/* A buffer every summary fits: each text field at its bound, every byte
 * escaped as \u00XX (6 bytes), plus the names and numbers. */
#define ALARM_SUMMARY_MAX                                                                          \
    (6 * (ALARM_SOURCE_MAX + ALARM_ACCOUNT_MAX + ALARM_NAME_MAX + ALARM_PLACE_MAX +                \
          ALARM_CODE_MAX + ALARM_CLASS_MAX + ALARM_LABEL_MAX + ALARM_RESOLUTION_MAX + 64 +         \
          ALARM_NAME_MAX) +                                                                        \
     1024)

/* Writes the summary of `alarm` and a NUL into `out`; returns its length,
 * or 0 when `size` is too small. */
size_t alarm_summary_write(const struct alarm *alarm, char *out, size_t size);

#endif
