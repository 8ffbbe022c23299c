/* screen_closed.c: the closed alarms (":closed", or t on the queue),
 * newest closure first: those this console saw closing (the model keeps
 * them) and those the server lists as closed among the recent changes,
 * fetched each time the screen opens. An alarm in both shows once, as its
 * newest sequence says. */
#include "console/screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "console/client.h"
#include "console/screen_alarms.h"
#include "console/ui.h"

/* Closed alarms asked of the server: the recent ones a shift looks back
 * at; the model keeps MODEL_CLOSED_MAX more. */
#define CLOSED_FETCH_MAX 1000
/* How far back in the store's events the server's list looks. */
#define CLOSED_FETCH_EVENTS 20000

struct closed_screen {
    struct screen base;
    struct alarm_table *table;
    struct console_alarm *fetched;
    size_t fetched_count;
    struct console_alarm *rows; /* fetched and the model's, merged */
    size_t row_count;
    int request;
    bool shown, stale;
};

static const enum alarm_field closed_fields[] = {
    ALARM_FIELD_PRIORITY, ALARM_FIELD_CLOSED_AT, ALARM_FIELD_CLASS,
    ALARM_FIELD_SUBJECT,  ALARM_FIELD_PLACE,     ALARM_FIELD_RESOLUTION,
};

static const enum action closed_hints[] = {
    ACTION_HELP, ACTION_OPEN, ACTION_FILTER, ACTION_TOGGLE_CLOSED, ACTION_BACK, ACTION_NONE,
};

static size_t rows_count(void *context)
{
    return ((struct closed_screen *)context)->row_count;
}

static const struct console_alarm *rows_at(void *context, size_t index)
{
    return &((struct closed_screen *)context)->rows[index];
}

/* Adds alarm to the merged rows, or keeps the newer of two copies. */
static void merge_one(struct closed_screen *closed, const struct console_alarm *alarm)
{
    for (size_t i = 0; i < closed->row_count; i++) {
        if (closed->rows[i].id == alarm->id) {
            if (alarm->seq > closed->rows[i].seq)
                closed->rows[i] = *alarm;
            return;
        }
    }
    closed->rows[closed->row_count++] = *alarm;
}

static void rebuild(struct closed_screen *closed)
{
    const struct model *model = ui_model(closed->base.ui);
    closed->row_count = 0;
    for (size_t i = 0; i < closed->fetched_count; i++)
        merge_one(closed, &closed->fetched[i]);
    for (size_t i = 0, n = model_closed_count(model); i < n && i < MODEL_CLOSED_MAX; i++)
        merge_one(closed, model_closed_at(model, i));
    /* an alarm reopened since it was fetched is no longer closed */
    size_t kept = 0;
    for (size_t i = 0; i < closed->row_count; i++) {
        const struct console_alarm *open = model_find(model, closed->rows[i].id);
        if (!open || open->closed_at || open->seq < closed->rows[i].seq)
            closed->rows[kept++] = closed->rows[i];
    }
    closed->row_count = kept;
    closed->stale = false;
    alarm_table_rows_changed(closed->table);
}

static void fetch(struct closed_screen *closed)
{
    struct ui *ui = closed->base.ui;
    int64_t last = model_last_sequence(ui_model(ui));
    int64_t since = last > CLOSED_FETCH_EVENTS ? last - CLOSED_FETCH_EVENTS : 0;
    char path[128];
    snprintf(path, sizeof path, "/v1/alarms?state=closed&since=%lld&limit=%d", (long long)since,
             CLOSED_FETCH_MAX);
    closed->request = client_get(ui_client(ui), path);
    if (closed->request < 0)
        ui_status(ui, STATUS_WARN, "%s",
                  _("The backend is not reachable: showing the closed alarms this console saw"));
}

static struct screen *closed_create(struct ui *ui)
{
    struct closed_screen *closed = calloc(1, sizeof *closed);
    if (!closed)
        return NULL;
    closed->base = (struct screen){&screen_closed_ops, ui};
    closed->fetched = calloc(CLOSED_FETCH_MAX, sizeof *closed->fetched);
    closed->rows = calloc(CLOSED_FETCH_MAX + MODEL_CLOSED_MAX, sizeof *closed->rows);
    struct alarm_rows rows = {closed, rows_count, rows_at, TABLE_RENUMBER_SHIFT};
    closed->table =
        alarm_table_new(ui, closed_fields, sizeof closed_fields / sizeof closed_fields[0], &rows,
                        ALARM_FIELD_CLOSED_AT, true, true);
    if (!closed->fetched || !closed->rows || !closed->table) {
        alarm_table_free(closed->table);
        free(closed->fetched);
        free(closed->rows);
        free(closed);
        return NULL;
    }
    return &closed->base;
}

static void closed_destroy(struct screen *screen)
{
    struct closed_screen *closed = (struct closed_screen *)screen;
    alarm_table_free(closed->table);
    free(closed->fetched);
    free(closed->rows);
    free(closed);
}

static void closed_enter(struct screen *screen, enum screen_id from, int64_t alarm_id)
{
    (void)from;
    (void)alarm_id;
    struct closed_screen *closed = (struct closed_screen *)screen;
    closed->shown = true;
    rebuild(closed);
    fetch(closed);
}

static void closed_leave(struct screen *screen)
{
    ((struct closed_screen *)screen)->shown = false;
}

static void closed_layout(struct screen *screen, int y, int x, int height, int width)
{
    alarm_table_layout(((struct closed_screen *)screen)->table, y, x, height, width);
}

static void closed_invalidate(struct screen *screen)
{
    alarm_table_invalidate(((struct closed_screen *)screen)->table);
}

static void closed_draw(struct screen *screen)
{
    struct closed_screen *closed = (struct closed_screen *)screen;
    if (closed->stale)
        rebuild(closed);
    alarm_table_draw(closed->table);
}

static int closed_handle_action(struct screen *screen, enum action action, const char *argument)
{
    struct closed_screen *closed = (struct closed_screen *)screen;
    int64_t id;
    switch (action) {
    case ACTION_OPEN:
        if (alarm_table_selected(closed->table, &id))
            ui_open_screen(screen->ui, SCREEN_DETAIL, id);
        return WIDGET_HANDLED | WIDGET_REDRAW;
    case ACTION_TOGGLE_CLOSED:
        ui_open_screen(screen->ui, SCREEN_QUEUE, 0);
        return WIDGET_HANDLED | WIDGET_REDRAW;
    case ACTION_CLOSED:
    case ACTION_REFRESH:
        fetch(closed);
        return WIDGET_HANDLED;
    default:
        return alarm_table_handle_action(closed->table, action, argument);
    }
}

static bool in_rows(const struct closed_screen *closed, int64_t id)
{
    for (size_t i = 0; i < closed->row_count; i++)
        if (closed->rows[i].id == id)
            return true;
    return false;
}

/* Rebuilt at the next draw, if shown, when the closed alarms changed: one
 * closed, or one of them open again. An arrival or a claim in the queue
 * (a hundred a second in a storm) changes nothing here. */
static void closed_alarm_changed(struct screen *screen, const struct console_alarm *alarm,
                                 enum model_change change)
{
    struct closed_screen *closed = (struct closed_screen *)screen;
    if (change == MODEL_REMOVED || (change == MODEL_ADDED && in_rows(closed, alarm->id)))
        closed->stale = true;
}

static void closed_model_reloaded(struct screen *screen)
{
    ((struct closed_screen *)screen)->stale = true;
}

static bool closed_document_loaded(struct screen *screen, int request_id, int http_status,
                                   const cJSON *body)
{
    struct closed_screen *closed = (struct closed_screen *)screen;
    if (request_id != closed->request || closed->request <= 0)
        return false;
    closed->request = 0;
    const cJSON *alarms = body ? cJSON_GetObjectItemCaseSensitive(body, "alarms") : NULL;
    if (http_status != 200 || !cJSON_IsArray(alarms)) {
        ui_status(screen->ui, STATUS_WARN, _("Cannot list the closed alarms (HTTP %d)"),
                  http_status);
        return true;
    }
    closed->fetched_count = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, alarms)
    {
        if (closed->fetched_count < CLOSED_FETCH_MAX &&
            model_alarm_from_json(item, &closed->fetched[closed->fetched_count]))
            closed->fetched_count++;
    }
    closed->stale = true;
    return true;
}

static void closed_tick(struct screen *screen)
{
    alarm_table_tick(((struct closed_screen *)screen)->table);
}

static bool closed_selected_alarm(struct screen *screen, int64_t *alarm_id)
{
    return alarm_table_selected(((struct closed_screen *)screen)->table, alarm_id);
}

static void closed_status(struct screen *screen, char *out, size_t size)
{
    alarm_table_status(((struct closed_screen *)screen)->table, _("closed"), out, size);
}

const struct screen_ops screen_closed_ops = {
    .name = "closed",
    .keys = ACTION_SCREEN_QUEUE,
    .create = closed_create,
    .destroy = closed_destroy,
    .enter = closed_enter,
    .leave = closed_leave,
    .layout = closed_layout,
    .invalidate = closed_invalidate,
    .draw = closed_draw,
    .handle_action = closed_handle_action,
    .alarm_changed = closed_alarm_changed,
    .model_reloaded = closed_model_reloaded,
    .document_loaded = closed_document_loaded,
    .tick = closed_tick,
    .selected_alarm = closed_selected_alarm,
    .status = closed_status,
    .hints = closed_hints,
};
