/* screen_alarms.h: the alarm table that the queue and the closed list
 * share: the columns (priority, live age, class, site or person, place,
 * state, who handles it; or when and how it was closed), their text and
 * order, row colours, the "/" filter, sorting and moving. The rows come
 * from a source the screen gives (the model's open alarms, a list of
 * closed ones); the table never copies them. */
#ifndef VIGIE_CONSOLE_SCREEN_ALARMS_H
#define VIGIE_CONSOLE_SCREEN_ALARMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "console/actions.h"
#include "console/model.h"
#include "widgets/table.h"

struct ui;

enum alarm_field {
    ALARM_FIELD_PRIORITY,
    ALARM_FIELD_AGE, /* live: since received_at, in the server's clock */
    ALARM_FIELD_CLASS,
    ALARM_FIELD_SUBJECT, /* the site or the person */
    ALARM_FIELD_PLACE,
    ALARM_FIELD_STATE,
    ALARM_FIELD_HANDLER, /* who handles it: the claim's display name */
    ALARM_FIELD_CLOSED_AT,
    ALARM_FIELD_RESOLUTION,
    ALARM_FIELD_COUNT
};

/* Where the rows come from. */
struct alarm_rows {
    void *context;
    size_t (*count)(void *context);
    const struct console_alarm *(*at)(void *context, size_t index);
    /* How the rows are numbered again when one leaves: the model's open
     * alarms give its place to the last one (TABLE_RENUMBER_LAST_MOVES). */
    enum table_renumber renumber;
};

struct alarm_table;

/* fields: the columns, in order; sort_field is the order to begin with
 * (priority first, then the oldest, for the queue). */
struct alarm_table *alarm_table_new(struct ui *ui, const enum alarm_field *fields, size_t count,
                                    const struct alarm_rows *rows, enum alarm_field sort_field,
                                    bool descending, bool closed);
void alarm_table_free(struct alarm_table *table);

void alarm_table_layout(struct alarm_table *table, int y, int x, int height, int width);
void alarm_table_invalidate(struct alarm_table *table);
void alarm_table_draw(struct alarm_table *table);
/* The rows changed (added, removed, edited): the order is made again. */
void alarm_table_rows_changed(struct alarm_table *table);
/* One row changed: it takes its place in the order by a binary search. */
void alarm_table_row_added(struct alarm_table *table, size_t row);
void alarm_table_row_removed(struct alarm_table *table, int64_t id);
void alarm_table_row_updated(struct alarm_table *table, int64_t id);
/* Live ages and flashes. */
void alarm_table_tick(struct alarm_table *table);
void alarm_table_flash(struct alarm_table *table, int64_t id);
/* Moves, pages, filter, sort, back (clears the filter). Returns
 * WIDGET_* flags; WIDGET_IGNORED for the actions it does not know. */
int alarm_table_handle_action(struct alarm_table *table, enum action action, const char *argument);
/* The selected alarm; false when the table shows no row. */
bool alarm_table_selected(struct alarm_table *table, int64_t *id);
const struct console_alarm *alarm_table_selected_alarm(struct alarm_table *table);
/* "3/12" and the filter in force, for the status line. */
void alarm_table_status(struct alarm_table *table, const char *what, char *out, size_t size);

/* The age of an alarm as the queue shows it: "42s", "3m05s", "2h10m",
 * "3d04h". */
void alarm_format_age(int64_t milliseconds, char *out, size_t size);
/* The text of one column for an alarm; now_ms (the server's clock) is
 * only read for the age. */
void alarm_field_text(const struct console_alarm *alarm, enum alarm_field field, int64_t now_ms,
                      char *out, size_t size);

#endif
