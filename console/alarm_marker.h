/* alarm_marker.h: the word that marks a possible hold-up in the console: a
 * duress code ("DURESS") or an early open ("EARLY OPEN", a disarm outside
 * the site's hours, which may be a worker disarming under threat). Shown
 * as a word, never only as a colour, in the queue's class cell, the alarm
 * detail and the procedure and victim screens. The server decides the
 * plan such an alarm follows; this only names it. */
#ifndef VIGIE_CONSOLE_ALARM_MARKER_H
#define VIGIE_CONSOLE_ALARM_MARKER_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "console/model.h"

enum alarm_marker_kind {
    ALARM_MARKER_NONE,
    ALARM_MARKER_DURESS,
    ALARM_MARKER_EARLY_OPEN,
};

/* Duress wins over early open, as on the server. */
enum alarm_marker_kind alarm_marker_of(const char *class_name, unsigned flags);
/* From an alarm's JSON (its "class" and "flags"). */
enum alarm_marker_kind alarm_marker_of_json(const cJSON *alarm);
/* From the API's "marker" field of a procedure ("duress", "early-open"). */
enum alarm_marker_kind alarm_marker_parse(const char *marker);
/* "DURESS", "EARLY OPEN" (translated); NULL for none. */
const char *alarm_marker_word(enum alarm_marker_kind kind);
/* What the operator must know at once, after the word. */
const char *alarm_marker_warning(enum alarm_marker_kind kind);

/* The marker word of a queue row, NULL when it has none. */
const char *alarm_marker(const struct console_alarm *alarm);
/* The queue's class cell: the marker word, or the class. */
void alarm_marker_class_cell(const struct console_alarm *alarm, char *out, size_t size);
/* "DURESS: possible hold-up..." for the alarm detail; false when none. */
bool alarm_marker_detail_line(const cJSON *alarm, char *out, size_t size);

#endif
