/* screen_queue.c: the main screen, the queue of open alarms, ordered by
 * priority then age. A priority-1 alarm that arrives blinks its row until
 * someone takes it (at most QUEUE_FLASH_SECONDS), rings the bell and sends
 * a notification, once per alarm. When another console claims the alarm
 * under the selection the status line says who handles it at once. */
#include "console/screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "console/screen_alarms.h"
#include "console/ui.h"

/* Priority-1 rows blinking at once: more than a centre sees in a minute. */
#define QUEUE_FLASH_MAX 16
/* A new priority-1 row blinks this long unless claimed sooner. */
#define QUEUE_FLASH_SECONDS 30
/* Alarms announced (bell, notification) remembered, so that a reload or
 * a failover does not ring again for the same alarm. */
#define QUEUE_ANNOUNCED_MAX 1024
/* Only alarms received this recently are announced when they appear: a
 * reload brings back old ones as "added". */
#define QUEUE_ANNOUNCE_WINDOW_MS (120 * 1000)

struct queue_flash {
    int64_t id;
    int seconds;
};

struct queue_screen {
    struct screen base;
    struct alarm_table *table;
    struct queue_flash flashes[QUEUE_FLASH_MAX];
    size_t flash_count;
    int64_t announced[QUEUE_ANNOUNCED_MAX]; /* a ring */
    size_t announced_count, announced_next;
    int64_t watched_id;        /* the selection, to say when another console takes it */
    const char *watched_claim; /* its claim_user (texts of alarms are never freed) */
};

static const enum alarm_field queue_fields[] = {
    ALARM_FIELD_PRIORITY, ALARM_FIELD_AGE,   ALARM_FIELD_CLASS,   ALARM_FIELD_SUBJECT,
    ALARM_FIELD_PLACE,    ALARM_FIELD_STATE, ALARM_FIELD_HANDLER,
};

static const enum action queue_hints[] = {
    ACTION_HELP,  ACTION_OPEN,   ACTION_CLAIM, ACTION_ACKNOWLEDGE, ACTION_NOTE,
    ACTION_CLOSE, ACTION_FILTER, ACTION_QUIT,  ACTION_NONE,
};

static size_t rows_count(void *context)
{
    struct queue_screen *queue = context;
    return model_open_count(ui_model(queue->base.ui));
}

static const struct console_alarm *rows_at(void *context, size_t index)
{
    struct queue_screen *queue = context;
    return model_open_at(ui_model(queue->base.ui), index);
}

static struct screen *queue_create(struct ui *ui)
{
    struct queue_screen *queue = calloc(1, sizeof *queue);
    if (!queue)
        return NULL;
    queue->base = (struct screen){&screen_queue_ops, ui};
    struct alarm_rows rows = {queue, rows_count, rows_at, TABLE_RENUMBER_LAST_MOVES};
    queue->table = alarm_table_new(ui, queue_fields, sizeof queue_fields / sizeof queue_fields[0],
                                   &rows, ALARM_FIELD_PRIORITY, false, false);
    if (!queue->table) {
        free(queue);
        return NULL;
    }
    return &queue->base;
}

static void queue_destroy(struct screen *screen)
{
    struct queue_screen *queue = (struct queue_screen *)screen;
    alarm_table_free(queue->table);
    free(queue);
}

static void queue_layout(struct screen *screen, int y, int x, int height, int width)
{
    alarm_table_layout(((struct queue_screen *)screen)->table, y, x, height, width);
}

static void queue_invalidate(struct screen *screen)
{
    alarm_table_invalidate(((struct queue_screen *)screen)->table);
}

static bool is_mine(struct queue_screen *queue, const char *claim_user)
{
    return strcmp(claim_user, ui_username(queue->base.ui)) == 0;
}

/* Remembers which alarm is selected and who held it, so that a claim by
 * another console can be told as it happens. */
static void watch_selection(struct queue_screen *queue)
{
    const struct console_alarm *alarm = alarm_table_selected_alarm(queue->table);
    queue->watched_id = alarm ? alarm->id : 0;
    queue->watched_claim = alarm ? alarm->claim_user : "";
}

static void queue_draw(struct screen *screen)
{
    struct queue_screen *queue = (struct queue_screen *)screen;
    alarm_table_draw(queue->table);
    watch_selection(queue);
}

static int queue_handle_action(struct screen *screen, enum action action, const char *argument)
{
    struct queue_screen *queue = (struct queue_screen *)screen;
    int64_t id;
    switch (action) {
    case ACTION_OPEN:
        if (!alarm_table_selected(queue->table, &id)) {
            ui_status(screen->ui, STATUS_WARN, "%s", _("No alarm selected"));
            return WIDGET_HANDLED;
        }
        ui_open_screen(screen->ui, SCREEN_DETAIL, id);
        return WIDGET_HANDLED | WIDGET_REDRAW;
    case ACTION_TOGGLE_CLOSED:
        ui_open_screen(screen->ui, SCREEN_CLOSED, 0);
        return WIDGET_HANDLED | WIDGET_REDRAW;
    default:
        return alarm_table_handle_action(queue->table, action, argument);
    }
}

static bool announced(struct queue_screen *queue, int64_t id)
{
    for (size_t i = 0; i < queue->announced_count; i++)
        if (queue->announced[i] == id)
            return true;
    queue->announced[queue->announced_next] = id;
    queue->announced_next = (queue->announced_next + 1) % QUEUE_ANNOUNCED_MAX;
    if (queue->announced_count < QUEUE_ANNOUNCED_MAX)
        queue->announced_count++;
    return false;
}

static void start_flash(struct queue_screen *queue, int64_t id)
{
    if (queue->flash_count == QUEUE_FLASH_MAX) /* the oldest gives way */
        memmove(queue->flashes, queue->flashes + 1,
                (QUEUE_FLASH_MAX - 1) * sizeof queue->flashes[0]);
    else
        queue->flash_count++;
    queue->flashes[queue->flash_count - 1] = (struct queue_flash){id, QUEUE_FLASH_SECONDS};
    alarm_table_flash(queue->table, id);
}

static void announce(struct queue_screen *queue, const struct console_alarm *alarm)
{
    struct ui *ui = queue->base.ui;
    if (alarm->priority != 1 || strcmp(alarm->state, "new") != 0 ||
        ui_now_ms(ui) - alarm->received_at > QUEUE_ANNOUNCE_WINDOW_MS ||
        announced(queue, alarm->id))
        return;
    start_flash(queue, alarm->id);
    char title[128], body[512];
    snprintf(title, sizeof title, _("Priority 1: %s"), alarm->class_name);
    snprintf(body, sizeof body, "%s%s%s (#%lld)", alarm->subject, alarm->place[0] ? " - " : "",
             alarm->place, (long long)alarm->id);
    ui_status(ui, STATUS_WARN, _("Priority 1 alarm %lld: %s, %s"), (long long)alarm->id,
              alarm->class_name, alarm->subject);
    ui_alert(ui, title, body);
}

static void tell_claim(struct queue_screen *queue, const struct console_alarm *alarm)
{
    if (alarm->id != queue->watched_id || strcmp(alarm->claim_user, queue->watched_claim) == 0)
        return;
    queue->watched_claim = alarm->claim_user;
    if (alarm->claim_user[0] && !is_mine(queue, alarm->claim_user))
        ui_status(queue->base.ui, STATUS_WARN, _("Alarm %lld is now handled by %s"),
                  (long long)alarm->id,
                  alarm->claim_name[0] ? alarm->claim_name : alarm->claim_user);
}

/* The table follows the model one row at a time: an added alarm is the
 * model's last, a removed one's index goes to the last (model.h). */
static void queue_alarm_changed(struct screen *screen, const struct console_alarm *alarm,
                                enum model_change change)
{
    struct queue_screen *queue = (struct queue_screen *)screen;
    size_t row;
    switch (change) {
    case MODEL_ADDED:
        if (model_open_index(ui_model(screen->ui), alarm->id, &row))
            alarm_table_row_added(queue->table, row);
        else
            alarm_table_rows_changed(queue->table);
        announce(queue, alarm);
        break;
    case MODEL_UPDATED:
        alarm_table_row_updated(queue->table, alarm->id);
        tell_claim(queue, alarm);
        break;
    case MODEL_REMOVED: /* or closed without ever being open: the table knows it not */
        alarm_table_row_removed(queue->table, alarm->id);
        break;
    case MODEL_UNCHANGED:
        break;
    }
}

static void queue_model_reloaded(struct screen *screen)
{
    alarm_table_rows_changed(((struct queue_screen *)screen)->table);
}

/* Blinks the new priority-1 rows: on one second, off the next, until
 * someone takes the alarm or the time is up. */
static void queue_tick(struct screen *screen)
{
    struct queue_screen *queue = (struct queue_screen *)screen;
    alarm_table_tick(queue->table);
    size_t kept = 0;
    for (size_t i = 0; i < queue->flash_count; i++) {
        struct queue_flash *flash = &queue->flashes[i];
        const struct console_alarm *alarm = model_find(ui_model(screen->ui), flash->id);
        if (--flash->seconds <= 0 || !alarm || alarm->closed_at || strcmp(alarm->state, "new") != 0)
            continue;
        if (flash->seconds % 2 == 0)
            alarm_table_flash(queue->table, flash->id);
        queue->flashes[kept++] = *flash;
    }
    queue->flash_count = kept;
}

static bool queue_selected_alarm(struct screen *screen, int64_t *alarm_id)
{
    return alarm_table_selected(((struct queue_screen *)screen)->table, alarm_id);
}

static void queue_status(struct screen *screen, char *out, size_t size)
{
    struct queue_screen *queue = (struct queue_screen *)screen;
    char summary[256];
    alarm_table_status(queue->table, _("open"), summary, sizeof summary);
    const struct console_alarm *alarm = alarm_table_selected_alarm(queue->table);
    if (alarm && alarm->claim_user[0] && !is_mine(queue, alarm->claim_user))
        snprintf(out, size, _("%s  #%lld handled by %s"), summary, (long long)alarm->id,
                 alarm->claim_name[0] ? alarm->claim_name : alarm->claim_user);
    else
        snprintf(out, size, "%s", summary);
}

const struct screen_ops screen_queue_ops = {
    .name = "queue",
    .keys = ACTION_SCREEN_QUEUE,
    .create = queue_create,
    .destroy = queue_destroy,
    .layout = queue_layout,
    .invalidate = queue_invalidate,
    .draw = queue_draw,
    .handle_action = queue_handle_action,
    .alarm_changed = queue_alarm_changed,
    .model_reloaded = queue_model_reloaded,
    .tick = queue_tick,
    .selected_alarm = queue_selected_alarm,
    .status = queue_status,
    .hints = queue_hints,
};
