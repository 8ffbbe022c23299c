/* procedure_lines.h: an alarm's checklist (GET /v1/alarms/{id}/procedure)
 * as the lines the procedure screen paints: a header that says whose alarm
 * it is, which plan applies and, for a duress or an early open, the marker
 * and the warning not to call the site; then each step with its box
 * ([ ] pending, [x] done, [-] skipped, [!] failed), its detail, the site's
 * call list under a keyholder step, and who marked it, when, with the
 * note. Lines are wrapped at the screen's width; a step's lines know their
 * step, so the screen can select steps rather than lines. */
#ifndef VIGIE_CONSOLE_PROCEDURE_LINES_H
#define VIGIE_CONSOLE_PROCEDURE_LINES_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "console/model.h"
#include "console/theme.h"
#include "widgets/charset.h"

/* Lines of one checklist: two plans of 99 steps, each with a call list
 * of a handful of people, wrapped; more is cut. */
#define PROCEDURE_LINES_MAX 4000
/* Columns a step's continuation lines are indented by: "[x] 99. ". */
#define PROCEDURE_INDENT 8

struct procedure_line {
    int step;   /* index in the document's "steps"; -1 for the header */
    bool first; /* the step's first line, where the selection shows */
    enum theme_slot slot;
    char *text; /* UTF-8, at most the width it was built for */
};

struct procedure_lines {
    struct procedure_line *lines;
    size_t count, capacity;
    int steps;   /* steps in the document */
    bool failed; /* memory ran short: the lines are incomplete */
};

/* Rebuilds `out` from the document for `width` columns. `alarm` (the
 * model's copy, NULL when the alarm is not in it) gives the state and who
 * handles it. */
void procedure_lines_build(struct procedure_lines *out, const cJSON *procedure,
                           const struct console_alarm *alarm, int width,
                           const struct charset *charset);
void procedure_lines_free(struct procedure_lines *lines);
/* The first and last line of step `step`; false when it has none. */
bool procedure_lines_span(const struct procedure_lines *lines, int step, size_t *first,
                          size_t *last);

#endif
