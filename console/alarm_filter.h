/* alarm_filter.h: the "/" filter of an alarm table. A row matches when
 * the pattern matches its text (its columns but the live age, then the
 * alarm's label, account and event code, separated by tabs) or its
 * number written "#N". Many alarms share the same text (the same site,
 * class, label and state), and their texts are interned pointers, so the
 * answer is remembered per distinct text while the pattern stays: a
 * keystroke over 100,000 alarms runs the regular expression a few
 * thousand times, not 100,000. */
#ifndef VIGIE_CONSOLE_ALARM_FILTER_H
#define VIGIE_CONSOLE_ALARM_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "console/filter.h"
#include "console/model.h"
#include "console/screen_alarms.h"

struct alarm_filter;

/* fields: the table's columns, in order (copied). NULL when memory is
 * short. */
struct alarm_filter *alarm_filter_new(const enum alarm_field *fields, size_t count);
void alarm_filter_free(struct alarm_filter *filter);

/* As filter_set, and forgets the answers remembered. */
bool alarm_filter_set(struct alarm_filter *filter, const char *pattern, char *error,
                      size_t error_size);
/* The compiled pattern: active, pattern, caseless (filter.h). */
const struct filter *alarm_filter_pattern(const struct alarm_filter *filter);
/* Whether the row of this alarm passes; true when no pattern is set. */
bool alarm_filter_match(struct alarm_filter *filter, const struct console_alarm *alarm);
/* The text a row is matched on (without "#N"), for tests and the log. */
void alarm_filter_text(const struct alarm_filter *filter, const struct console_alarm *alarm,
                       char *out, size_t size);

#endif
