/* screen_alarms.c: the alarm table of the queue and the closed list. The
 * order is a compare callback over the alarms themselves (never the
 * table's text fallback), with fixed tie-breaks (priority, then the
 * oldest, then the id), so two consoles show equal rows in the same
 * order; a sort key per column lets the table sort 100,000 rows by
 * numbers. The "/" filter is alarm_filter.c. */
#include "console/screen_alarms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/i18n.h"
#include "console/alarm_filter.h"
#include "console/alarm_marker.h"
#include "console/ui.h"

/* Ticks a flash lasts when the caller does not blink it itself. */
#define ALARM_FLASH_TICKS 1
/* From this width on the Class column grows too, up to its longest name
 * ("communication-failure"); narrower, every column keeps what 80x24
 * needs and the rest goes to the site and the place. */
#define ALARM_CLASS_WIDE_COLUMNS 120
/* Sort keys: a column's rank in the top bits, then the priority (3 bits)
 * and the time received in milliseconds (48 bits: until the year 10889). */
#define ALARM_KEY_TIME_BITS  48
#define ALARM_KEY_RANK_SHIFT (ALARM_KEY_TIME_BITS + 3)

struct field_info {
    const char *title;
    int min_width, max_width, flex;
    enum table_align align;
    bool live;
};

static const struct field_info field_infos[ALARM_FIELD_COUNT] = {
    [ALARM_FIELD_PRIORITY] = {N_("P"), 1, 1, 0, TABLE_ALIGN_CENTER, false},
    [ALARM_FIELD_AGE] = {N_("Age"), 6, 6, 0, TABLE_ALIGN_RIGHT, true},
    [ALARM_FIELD_CLASS] = {N_("Class"), 10, 21, 0, TABLE_ALIGN_LEFT, false},
    [ALARM_FIELD_SUBJECT] = {N_("Site/person"), 16, 0, 3, TABLE_ALIGN_LEFT, false},
    [ALARM_FIELD_PLACE] = {N_("Place"), 10, 0, 2, TABLE_ALIGN_LEFT, false},
    [ALARM_FIELD_STATE] = {N_("State"), 12, 12, 0, TABLE_ALIGN_LEFT, false},
    [ALARM_FIELD_HANDLER] = {N_("Handled by"), 13, 24, 1, TABLE_ALIGN_LEFT, false},
    [ALARM_FIELD_CLOSED_AT] = {N_("Closed"), 11, 11, 0, TABLE_ALIGN_LEFT, false},
    [ALARM_FIELD_RESOLUTION] = {N_("Resolution"), 12, 20, 1, TABLE_ALIGN_LEFT, false},
};

struct alarm_table {
    struct ui *ui;
    struct table *table;
    struct alarm_rows rows;
    enum alarm_field fields[ALARM_FIELD_COUNT];
    size_t field_count;
    bool closed; /* rows are closed alarms: greyed */
    struct alarm_filter *match;
    const struct filter *filter;       /* the pattern of match */
    char previous[FILTER_PATTERN_MAX]; /* restored when the prompt is cancelled */
    struct lineedit_history *history;
};

void alarm_format_age(int64_t milliseconds, char *out, size_t size)
{
    long long seconds = milliseconds > 0 ? (long long)(milliseconds / 1000) : 0;
    if (seconds < 60)
        snprintf(out, size, "%llds", seconds);
    else if (seconds < 3600)
        snprintf(out, size, "%lldm%02llds", seconds / 60, seconds % 60);
    else if (seconds < 86400)
        snprintf(out, size, "%lldh%02lldm", seconds / 3600, seconds % 3600 / 60);
    else
        snprintf(out, size, "%lldd%02lldh", seconds / 86400, seconds % 86400 / 3600);
}

static void format_closed_at(int64_t ms, char *out, size_t size)
{
    time_t when = (time_t)(ms / 1000);
    struct tm local;
    if (ms <= 0 || !localtime_r(&when, &local) || strftime(out, size, "%m-%d %H:%M", &local) == 0)
        snprintf(out, size, "-");
}

static const struct console_alarm *alarm_at(struct alarm_table *table, size_t row)
{
    return table->rows.at(table->rows.context, row);
}

void alarm_field_text(const struct console_alarm *alarm, enum alarm_field field, int64_t now_ms,
                      char *out, size_t size)
{
    switch (field) {
    case ALARM_FIELD_PRIORITY:
        snprintf(out, size, "%d", alarm->priority);
        break;
    case ALARM_FIELD_AGE:
        alarm_format_age(now_ms - alarm->received_at, out, size);
        break;
    case ALARM_FIELD_CLASS: /* DURESS, EARLY OPEN: a possible hold-up */
        alarm_marker_class_cell(alarm, out, size);
        break;
    case ALARM_FIELD_SUBJECT:
        snprintf(out, size, "%s", alarm->subject);
        break;
    case ALARM_FIELD_PLACE:
        snprintf(out, size, "%s", alarm->place);
        break;
    case ALARM_FIELD_STATE:
        snprintf(out, size, "%s", alarm->state);
        break;
    case ALARM_FIELD_HANDLER:
        snprintf(out, size, "%s", alarm->claim_name[0] ? alarm->claim_name : alarm->claim_user);
        break;
    case ALARM_FIELD_CLOSED_AT:
        format_closed_at(alarm->closed_at, out, size);
        break;
    case ALARM_FIELD_RESOLUTION:
        snprintf(out, size, "%s", alarm->resolution);
        break;
    case ALARM_FIELD_COUNT:
        out[0] = '\0';
        break;
    }
}

/* ---- the table's data source ---- */

static size_t source_count(void *context)
{
    struct alarm_table *table = context;
    return table->rows.count(table->rows.context);
}

static uint64_t source_id(void *context, size_t row)
{
    return (uint64_t)alarm_at(context, row)->id;
}

static void source_cell(void *context, size_t row, size_t column, char *buffer, size_t size)
{
    struct alarm_table *table = context;
    alarm_field_text(alarm_at(table, row), table->fields[column], ui_now_ms(table->ui), buffer,
                     size);
}

static attr_t source_attr(void *context, size_t row)
{
    struct alarm_table *table = context;
    const struct console_alarm *alarm = alarm_at(table, row);
    if (table->closed)
        return ui_attr(table->ui, THEME_SLOT_ROW_CLOSED);
    if (alarm->claim_user[0])
        return ui_attr(table->ui, strcmp(alarm->claim_user, ui_username(table->ui)) == 0
                                      ? THEME_SLOT_CLAIMED_BY_ME
                                      : THEME_SLOT_CLAIMED_BY_OTHER);
    if (alarm->priority <= 1)
        return ui_attr(table->ui, THEME_SLOT_ROW_P1);
    return ui_attr(table->ui, alarm->priority == 2 ? THEME_SLOT_ROW_P2 : THEME_SLOT_ROW_P3);
}

static int compare_numbers(int64_t a, int64_t b)
{
    return a < b ? -1 : (a > b ? 1 : 0);
}

static int state_rank(const char *state)
{
    static const char *const order[] = {"new", "claimed", "acknowledged", "escalated", "closed"};
    for (int i = 0; i < 5; i++)
        if (strcmp(state, order[i]) == 0)
            return i;
    return 5;
}

static int compare_field(const struct console_alarm *a, const struct console_alarm *b,
                         enum alarm_field field)
{
    switch (field) {
    case ALARM_FIELD_PRIORITY:
        return compare_numbers(a->priority, b->priority);
    case ALARM_FIELD_AGE: /* the youngest first */
        return compare_numbers(b->received_at, a->received_at);
    case ALARM_FIELD_CLASS:
        return strcmp(a->class_name, b->class_name);
    case ALARM_FIELD_SUBJECT:
        return strcmp(a->subject, b->subject);
    case ALARM_FIELD_PLACE:
        return strcmp(a->place, b->place);
    case ALARM_FIELD_STATE:
        return compare_numbers(state_rank(a->state), state_rank(b->state));
    case ALARM_FIELD_HANDLER:
        return strcmp(a->claim_name, b->claim_name);
    case ALARM_FIELD_CLOSED_AT:
        return compare_numbers(a->closed_at, b->closed_at);
    case ALARM_FIELD_RESOLUTION:
        return strcmp(a->resolution, b->resolution);
    case ALARM_FIELD_COUNT:
        break;
    }
    return 0;
}

static int source_compare(void *context, size_t row_a, size_t row_b, size_t column)
{
    struct alarm_table *table = context;
    const struct console_alarm *a = alarm_at(table, row_a), *b = alarm_at(table, row_b);
    int order = compare_field(a, b, table->fields[column]);
    if (order == 0)
        order = compare_numbers(a->priority, b->priority);
    if (order == 0) /* the one waiting longest first */
        order = compare_numbers(a->received_at, b->received_at);
    return order ? order : compare_numbers(a->id, b->id);
}

/* The first 8 bytes of a text, as strcmp orders them. */
static uint64_t text_prefix(const char *text)
{
    uint64_t key = 0;
    for (int i = 0; i < 8; i++) {
        key = key << 8 | (unsigned char)*text;
        text += *text != '\0';
    }
    return key;
}

/* Keys in the order source_compare gives (ties are left to it): a rank,
 * then the priority and the time received, the tie-breaks of every
 * column; or the start of a text. */
static bool source_key(void *context, size_t row, size_t column, uint64_t *key)
{
    struct alarm_table *table = context;
    const struct console_alarm *alarm = alarm_at(table, row);
    const uint64_t time_max = (1ULL << ALARM_KEY_TIME_BITS) - 1;
    if (alarm->received_at < 0 || (uint64_t)alarm->received_at > time_max)
        return false;
    uint64_t tail = (uint64_t)alarm->priority << ALARM_KEY_TIME_BITS | (uint64_t)alarm->received_at;
    switch (table->fields[column]) {
    case ALARM_FIELD_PRIORITY:
        *key = tail;
        return true;
    case ALARM_FIELD_AGE: /* the youngest first */
        *key = time_max - (uint64_t)alarm->received_at;
        return true;
    case ALARM_FIELD_STATE:
        *key = (uint64_t)state_rank(alarm->state) << ALARM_KEY_RANK_SHIFT | tail;
        return true;
    case ALARM_FIELD_CLOSED_AT:
        *key = alarm->closed_at >= 0 ? (uint64_t)alarm->closed_at : 0;
        return alarm->closed_at >= 0;
    case ALARM_FIELD_CLASS:
        *key = text_prefix(alarm->class_name);
        return true;
    case ALARM_FIELD_SUBJECT:
        *key = text_prefix(alarm->subject);
        return true;
    case ALARM_FIELD_PLACE:
        *key = text_prefix(alarm->place);
        return true;
    case ALARM_FIELD_HANDLER:
        *key = text_prefix(alarm->claim_name);
        return true;
    case ALARM_FIELD_RESOLUTION:
        *key = text_prefix(alarm->resolution);
        return true;
    case ALARM_FIELD_COUNT:
        break;
    }
    return false;
}

/* ---- filter ---- */

static bool keep_row(void *context, size_t row)
{
    struct alarm_table *table = context;
    return alarm_filter_match(table->match, alarm_at(table, row));
}

/* What an empty table says: with a filter, that the filter hides the
 * rows, never that there is no alarm. */
static void set_empty_text(struct alarm_table *table)
{
    char text[FILTER_PATTERN_MAX + 64];
    if (filter_active(table->filter))
        snprintf(text, sizeof text, _("No alarm matches /%s/"), filter_pattern(table->filter));
    else
        snprintf(text, sizeof text, "%s",
                 table->closed ? _("No closed alarm") : _("No open alarm"));
    table_set_empty_text(table->table, text);
}

/* Applies pattern; an invalid one is reported and filters nothing. */
static bool apply_filter(struct alarm_table *table, const char *pattern)
{
    char error[FILTER_ERROR_MAX];
    bool ok = alarm_filter_set(table->match, pattern, error, sizeof error);
    table_set_filter(table->table, filter_active(table->filter) ? keep_row : NULL, table);
    set_empty_text(table);
    if (!ok)
        ui_status(table->ui, STATUS_ERROR, _("Invalid pattern: %s"), error);
    else
        ui_status_clear(table->ui);
    return ok;
}

static void filter_changed(struct ui *ui, void *context, const char *text)
{
    (void)ui;
    apply_filter(context, text);
}

static void filter_done(struct ui *ui, void *context, bool accepted, const char *text)
{
    struct alarm_table *table = context;
    if (!accepted) {
        apply_filter(table, table->previous);
        return;
    }
    if (!apply_filter(table, text) || !text[0])
        return;
    size_t count = table_visible_count(table->table);
    ui_status(ui, STATUS_INFO, P_("%zu alarm matches /%s/%s", "%zu alarms match /%s/%s", count),
              count, text, filter_caseless(table->filter) ? _(" (any case)") : "");
}

static int open_filter(struct alarm_table *table, const char *argument)
{
    if (argument) {
        apply_filter(table, argument);
        return WIDGET_HANDLED | WIDGET_REDRAW;
    }
    snprintf(table->previous, sizeof table->previous, "%s", filter_pattern(table->filter));
    struct ui_prompt_spec spec = {
        .prompt = "/",
        .initial = table->previous,
        .done = filter_done,
        .changed = filter_changed,
        .history = table->history,
        .context = table,
    };
    ui_prompt(table->ui, &spec);
    return WIDGET_HANDLED;
}

/* ---- sorting ---- */

static int sort(struct alarm_table *table, bool next)
{
    size_t column = 0;
    bool descending = false;
    table_sort_column(table->table, &column, &descending);
    if (next) {
        column = (column + 1) % table->field_count;
        descending = false;
    } else {
        descending = !descending;
    }
    table_sort(table->table, column, descending);
    ui_status(table->ui, STATUS_INFO, _("Sorted by %s%s"),
              _(field_infos[table->fields[column]].title), descending ? _(", reversed") : "");
    return WIDGET_HANDLED | WIDGET_REDRAW;
}

int alarm_table_handle_action(struct alarm_table *table, enum action action, const char *argument)
{
    switch (action) {
    case ACTION_MOVE_UP:
    case ACTION_PREVIOUS_MATCH:
        table_select_move(table->table, -1);
        break;
    case ACTION_MOVE_DOWN:
    case ACTION_NEXT_MATCH:
        table_select_move(table->table, 1);
        break;
    case ACTION_PAGE_UP:
        table_select_page(table->table, -1);
        break;
    case ACTION_PAGE_DOWN:
        table_select_page(table->table, 1);
        break;
    case ACTION_FIRST:
        table_select_first(table->table);
        break;
    case ACTION_LAST:
        table_select_last(table->table);
        break;
    case ACTION_FILTER:
        return open_filter(table, argument);
    case ACTION_SORT_NEXT:
        return sort(table, true);
    case ACTION_SORT_REVERSE:
        return sort(table, false);
    case ACTION_BACK:
        if (!filter_active(table->filter))
            return WIDGET_IGNORED;
        apply_filter(table, "");
        ui_status(table->ui, STATUS_INFO, "%s", _("Filter cleared"));
        break;
    default:
        return WIDGET_IGNORED;
    }
    return WIDGET_HANDLED | WIDGET_REDRAW;
}

/* ---- the rest ---- */

struct alarm_table *alarm_table_new(struct ui *ui, const enum alarm_field *fields, size_t count,
                                    const struct alarm_rows *rows, enum alarm_field sort_field,
                                    bool descending, bool closed)
{
    struct alarm_table *table = calloc(1, sizeof *table);
    if (!table || count == 0 || count > ALARM_FIELD_COUNT) {
        free(table);
        return NULL;
    }
    table->ui = ui;
    table->rows = *rows;
    table->closed = closed;
    table->field_count = count;
    struct table_column columns[ALARM_FIELD_COUNT];
    size_t sort_column = 0;
    for (size_t i = 0; i < count; i++) {
        const struct field_info *info = &field_infos[fields[i]];
        table->fields[i] = fields[i];
        columns[i] = (struct table_column){_(info->title), info->min_width, info->max_width,
                                           info->flex,     info->align,     true,
                                           info->live};
        if (fields[i] == sort_field)
            sort_column = i;
    }
    struct table_source source = {
        .context = table,
        .row_count = source_count,
        .row_id = source_id,
        .cell_text = source_cell,
        .row_attr = source_attr,
        .compare = source_compare,
        .sort_key = source_key,
    };
    struct table_style style = {
        .header = ui_attr(ui, THEME_SLOT_LABEL) | A_BOLD,
        .row = ui_attr(ui, THEME_SLOT_ROW),
        .selected = ui_attr(ui, THEME_SLOT_ROW_SELECTED),
        .flash = ui_attr(ui, THEME_SLOT_ROW_FLASH),
    };
    table->match = alarm_filter_new(fields, count);
    table->filter = table->match ? alarm_filter_pattern(table->match) : NULL;
    table->history = lineedit_history_new(LINEEDIT_HISTORY_MAX);
    table->table = table_new(ui_window(ui), ui_charset(ui), columns, count, &source, &style);
    if (!table->match || !table->history || !table->table) {
        alarm_table_free(table);
        return NULL;
    }
    table_sort(table->table, sort_column, descending);
    set_empty_text(table);
    return table;
}

void alarm_table_free(struct alarm_table *table)
{
    if (!table)
        return;
    table_free(table->table);
    alarm_filter_free(table->match);
    lineedit_history_free(table->history);
    free(table);
}

void alarm_table_layout(struct alarm_table *table, int y, int x, int height, int width)
{
    for (size_t i = 0; i < table->field_count; i++)
        if (table->fields[i] == ALARM_FIELD_CLASS)
            table_set_column_flex(table->table, i, width >= ALARM_CLASS_WIDE_COLUMNS ? 1 : 0);
    widget_resize(table_widget(table->table), y, x, height, width);
}

void alarm_table_invalidate(struct alarm_table *table)
{
    widget_invalidate(table_widget(table->table));
}

void alarm_table_draw(struct alarm_table *table)
{
    table_draw(table->table);
}

void alarm_table_rows_changed(struct alarm_table *table)
{
    table_rows_changed(table->table);
}

void alarm_table_row_added(struct alarm_table *table, size_t row)
{
    table_row_added(table->table, row);
}

void alarm_table_row_removed(struct alarm_table *table, int64_t id)
{
    table_row_removed(table->table, (uint64_t)id, table->rows.renumber);
}

void alarm_table_row_updated(struct alarm_table *table, int64_t id)
{
    table_row_updated(table->table, (uint64_t)id);
}

void alarm_table_tick(struct alarm_table *table)
{
    table_tick(table->table);
}

void alarm_table_flash(struct alarm_table *table, int64_t id)
{
    table_flash(table->table, (uint64_t)id, ALARM_FLASH_TICKS);
}

bool alarm_table_selected(struct alarm_table *table, int64_t *id)
{
    uint64_t selected;
    if (!table_selected(table->table, NULL, &selected))
        return false;
    *id = (int64_t)selected;
    return true;
}

const struct console_alarm *alarm_table_selected_alarm(struct alarm_table *table)
{
    size_t row;
    if (!table_selected(table->table, &row, NULL))
        return NULL;
    return alarm_at(table, row);
}

void alarm_table_status(struct alarm_table *table, const char *what, char *out, size_t size)
{
    size_t total = table->rows.count(table->rows.context);
    if (!filter_active(table->filter)) {
        snprintf(out, size, _("%zu %s"), total, what);
        return;
    }
    snprintf(out, size, _("%zu/%zu %s  /%s/%s"), table_visible_count(table->table), total, what,
             filter_pattern(table->filter), filter_caseless(table->filter) ? "i" : "");
}
