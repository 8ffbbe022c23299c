/* screen_massalert_monitor.c: one mass alert once sent (opened by the
 * composer after sending, or with A from anywhere: the list of alerts,
 * newest first). Per channel, queued / sent / delivered / failed /
 * replied as they change (GET /v1/massalerts/{id}, read again each second
 * while the alert is being sent, and at once when the stream announces
 * the alert or a reply); below, the agents' replies as they arrive, with
 * the agent, the site and its distance from the centre, or (Tab) the
 * recipients page by page with their status on each channel. R relays
 * the selected reply into an alarm (its log, or the services it was
 * escalated to, as an update of their alert), X cancels what is not yet sent, w
 * writes the CSV report to a file. Read-only consoles see all of it; the
 * keymap's check refuses them R and X. */
#include "console/screen_massalert_monitor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/i18n.h"
#include "console/ui.h"

static const enum action monitor_hints[] = {
    ACTION_HELP,        ACTION_TOGGLE_LIST, ACTION_RELAY_REPLY, ACTION_CANCEL_ALERT,
    ACTION_SAVE_REPORT, ACTION_BACK,        ACTION_NONE,
};

/* ---- loading ---- */

static void get(struct monitor_screen *screen, int *request, const char *path)
{
    if (*request > 0)
        return; /* the answer in flight will do */
    *request = client_get(ui_client(screen->base.ui), path);
    if (*request < 0)
        *request = 0;
}

void monitor_fetch_alert(struct monitor_screen *screen)
{
    char path[64];
    if (screen->alert_id <= 0)
        return;
    snprintf(path, sizeof path, "/v1/massalerts/%lld", (long long)screen->alert_id);
    get(screen, &screen->alert_request, path);
}

void monitor_fetch_recipients(struct monitor_screen *screen)
{
    char path[128];
    if (screen->alert_id <= 0)
        return;
    int limit = screen->list_rows > 0 ? screen->list_rows : MONITOR_PAGE_MIN;
    snprintf(path, sizeof path, "/v1/massalerts/%lld/recipients?offset=%d&limit=%d",
             (long long)screen->alert_id, screen->recipients_offset, limit);
    get(screen, &screen->recipients_request, path);
}

static void take(cJSON **slot, const cJSON *body)
{
    cJSON_Delete(*slot);
    *slot = cJSON_Duplicate(body, true);
}

static bool failed(struct monitor_screen *screen, int http_status, const cJSON *body,
                   const char *what)
{
    if (http_status >= 200 && http_status < 300)
        return false;
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(body, "error");
    ui_status(screen->base.ui, STATUS_ERROR, _("%s (HTTP %d): %s"), what, http_status,
              massalert_json_text(error, "message"));
    return true;
}

/* ---- choosing an alert (A) ---- */

static void alert_chosen(struct ui *ui, void *context, enum dialog_answer answer, size_t choice)
{
    (void)ui;
    struct monitor_screen *screen = context;
    const cJSON *alert = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(screen->list, "massalerts"), (int)choice);
    if (answer != DIALOG_CHOSEN || !alert)
        return;
    monitor_show(screen, (int64_t)massalert_json_number(alert, "id", 0));
}

static void list_loaded(struct monitor_screen *screen, int http_status, const cJSON *body)
{
    if (failed(screen, http_status, body, _("Cannot list the mass alerts")))
        return;
    take(&screen->list, body);
    const cJSON *alerts = cJSON_GetObjectItemCaseSensitive(screen->list, "massalerts");
    int count = cJSON_GetArraySize(alerts);
    if (count == 0) {
        ui_status(screen->base.ui, STATUS_INFO, "%s", _("No mass alert was sent yet"));
        return;
    }
    count = count > MONITOR_CHOICES_MAX ? MONITOR_CHOICES_MAX : count;
    const char *items[MONITOR_CHOICES_MAX];
    for (int i = 0; i < count; i++) {
        const cJSON *alert = cJSON_GetArrayItem(alerts, i);
        char line[MONITOR_CHOICE_SIZE];
        monitor_alert_line(alert, line, sizeof line);
        snprintf(screen->choices[i], sizeof screen->choices[i], "#%.*s", MONITOR_CHOICE_SIZE - 2,
                 line);
        items[i] = screen->choices[i];
    }
    if (!ui_choose(screen->base.ui, _("Mass alerts, newest first"), items, (size_t)count,
                   alert_chosen, screen))
        ui_status(screen->base.ui, STATUS_WARN, "%s", _("Finish the question on screen first"));
}

/* ---- cancel ---- */

static void cancel_confirmed(struct ui *ui, void *context, enum dialog_answer answer, size_t choice)
{
    (void)choice;
    struct monitor_screen *screen = context;
    if (answer != DIALOG_YES) {
        ui_status(ui, STATUS_INFO, "%s", _("The alert goes on"));
        return;
    }
    screen->cancel_request = client_massalert_cancel(ui_client(ui), screen->alert_id);
    if (screen->cancel_request < 0) {
        screen->cancel_request = 0;
        ui_status(ui, STATUS_ERROR, "%s",
                  _("Cannot cancel: the backend is not reachable; the alert goes on"));
    }
}

static void ask_cancel(struct monitor_screen *screen)
{
    struct ui *ui = screen->base.ui;
    if (!screen->alert || strcmp(massalert_json_text(screen->alert, "state"), "sending") != 0) {
        ui_status(ui, STATUS_WARN, "%s", _("Only an alert being sent can be cancelled"));
        return;
    }
    char message[512];
    snprintf(message, sizeof message,
             _("Cancel mass alert %lld (%s)?\n\nWhat is not sent yet will not be sent. What "
               "already left cannot be called back."),
             (long long)screen->alert_id, massalert_json_text(screen->alert, "centre_label"));
    if (!ui_confirm(ui, _("Cancel the mass alert"), message, L'y', _("Cancel the alert"),
                    _("Keep sending"), cancel_confirmed, screen))
        ui_status(ui, STATUS_WARN, "%s", _("Finish the question on screen first"));
}

static void cancelled(struct monitor_screen *screen, int http_status, const cJSON *body)
{
    if (failed(screen, http_status, body, _("Cancel refused")))
        return;
    ui_status(screen->base.ui, STATUS_INFO, _("Mass alert %lld cancelled: %.0f messages not sent"),
              (long long)screen->alert_id, massalert_json_number(body, "not_sent", 0));
    monitor_fetch_alert(screen);
}

/* ---- relay ---- */

static void relay_chosen(struct ui *ui, void *context, enum dialog_answer answer, size_t choice)
{
    struct monitor_screen *screen = context;
    if (answer != DIALOG_CHOSEN || choice >= screen->relay_count)
        return;
    screen->relay_alarm = screen->relay_alarms[choice];
    screen->relay_to_services = screen->relay_services[choice];
    screen->relay_request =
        client_massalert_relay(ui_client(ui), screen->alert_id, screen->relay_reply,
                               screen->relay_alarm, screen->relay_to_services);
    if (screen->relay_request < 0) {
        screen->relay_request = 0;
        ui_status(ui, STATUS_ERROR, "%s",
                  _("Cannot relay: the backend is not reachable; nothing was sent"));
    }
}

/* One choice of the relay's list. */
static void add_relay_choice(struct monitor_screen *screen, const char **items,
                             const struct console_alarm *alarm, bool to_services)
{
    size_t k = screen->relay_count++;
    screen->relay_alarms[k] = alarm->id;
    screen->relay_services[k] = to_services;
    if (to_services)
        snprintf(screen->choices[k], sizeof screen->choices[k], _("%lld  %s: to the services"),
                 (long long)alarm->id, alarm->subject ? alarm->subject : "");
    else
        snprintf(screen->choices[k], sizeof screen->choices[k], "%lld  %s", (long long)alarm->id,
                 alarm->subject ? alarm->subject : "");
    items[k] = screen->choices[k];
}

/* The open alarms to relay into, the alert's own alarm first; an alarm
 * escalated to the services offers them too (a CAP update of its alert). */
static void ask_relay(struct monitor_screen *screen)
{
    struct ui *ui = screen->base.ui;
    const cJSON *reply = monitor_selected_reply(screen);
    if (!reply) {
        ui_status(ui, STATUS_WARN, "%s", _("Select a reply first (Tab shows the replies)"));
        return;
    }
    screen->relay_reply = (int64_t)massalert_json_number(reply, "id", 0);
    const struct model *model = ui_model(ui);
    int64_t own = (int64_t)massalert_json_number(screen->alert, "alarm_id", 0);
    const char *items[MONITOR_CHOICES_MAX];
    screen->relay_count = 0;
    const struct console_alarm *first = own > 0 ? model_find(model, own) : NULL;
    for (size_t i = 0, n = model_open_count(model);
         (first || i < n) && screen->relay_count < MONITOR_CHOICES_MAX;) {
        const struct console_alarm *alarm = first ? first : model_open_at(model, i++);
        if (!first && alarm->id == own)
            continue;
        first = NULL;
        bool escalated = alarm->state && strcmp(alarm->state, "escalated") == 0;
        if (escalated)
            add_relay_choice(screen, items, alarm, true);
        if (screen->relay_count < MONITOR_CHOICES_MAX)
            add_relay_choice(screen, items, alarm, false);
    }
    if (screen->relay_count == 0) {
        ui_status(ui, STATUS_WARN, "%s", _("No open alarm to relay the reply into"));
        return;
    }
    if (!ui_choose(ui, _("Relay the reply into alarm"), items, screen->relay_count, relay_chosen,
                   screen))
        ui_status(ui, STATUS_WARN, "%s", _("Finish the question on screen first"));
}

static void relayed(struct monitor_screen *screen, int http_status, const cJSON *body)
{
    if (failed(screen, http_status, body, _("Relay refused")))
        return;
    int updates = (int)massalert_json_number(body, "escalation_updates", 0);
    if (screen->relay_to_services)
        ui_status(screen->base.ui, STATUS_INFO,
                  P_("Sighting sent to %d service as an update of alarm %lld's escalation",
                     "Sighting sent to %d services as updates of alarm %lld's escalations",
                     (unsigned long)updates),
                  updates, (long long)screen->relay_alarm);
    else
        ui_status(screen->base.ui, STATUS_INFO, _("Reply relayed into alarm %lld's log"),
                  (long long)screen->relay_alarm);
    monitor_fetch_alert(screen);
}

/* ---- the report ---- */

static void report_named(struct ui *ui, void *context, bool accepted, const char *text)
{
    struct monitor_screen *screen = context;
    if (!accepted || !text[0])
        return;
    if (screen->report_file) {
        ui_status(ui, STATUS_WARN, "%s", _("A report is being written already"));
        return;
    }
    snprintf(screen->report_path, sizeof screen->report_path, "%s", text);
    screen->report_file = fopen(screen->report_path, "wx"); /* never over another file */
    if (!screen->report_file) {
        ui_status(ui, STATUS_ERROR, _("Cannot create %s: %m (it may exist already)"),
                  screen->report_path);
        return;
    }
    screen->report_request =
        client_massalert_report(ui_client(ui), screen->alert_id, screen->report_file);
    if (screen->report_request < 0) {
        monitor_report_done(screen, 0);
        ui_status(ui, STATUS_ERROR, "%s",
                  _("Cannot ask for the report: the backend is not reachable"));
    }
}

static void ask_report(struct monitor_screen *screen, const char *argument)
{
    char initial[64];
    if (argument && argument[0]) {
        report_named(screen->base.ui, screen, true, argument);
        return;
    }
    snprintf(initial, sizeof initial, "massalert-%lld-report.csv", (long long)screen->alert_id);
    struct ui_prompt_spec spec = {
        .prompt = _("Write the CSV report to: "),
        .initial = initial,
        .done = report_named,
        .context = screen,
    };
    ui_prompt(screen->base.ui, &spec);
}

void monitor_report_done(struct monitor_screen *screen, int http_status)
{
    screen->report_request = 0;
    if (!screen->report_file)
        return;
    bool written = fclose(screen->report_file) == 0 && http_status == 200;
    screen->report_file = NULL;
    if (written) {
        ui_status(screen->base.ui, STATUS_INFO, _("Report of mass alert %lld written to %s"),
                  (long long)screen->alert_id, screen->report_path);
        return;
    }
    unlink(screen->report_path); /* an error's JSON, or half a report: not a report */
    if (http_status != 0)
        ui_status(screen->base.ui, STATUS_ERROR, _("The server refused the report (HTTP %d)"),
                  http_status);
}

/* ---- the screen ---- */

void monitor_show(struct monitor_screen *screen, int64_t alert_id)
{
    if (alert_id != screen->alert_id) {
        cJSON_Delete(screen->alert);
        cJSON_Delete(screen->recipients);
        screen->alert = screen->recipients = NULL;
        screen->alert_request = screen->recipients_request = 0;
        screen->selected = screen->recipients_offset = 0;
    }
    screen->alert_id = alert_id;
    monitor_fetch_alert(screen);
    if (screen->mode == MONITOR_RECIPIENTS)
        monitor_fetch_recipients(screen);
    screen->dirty = true;
}

static struct screen *monitor_create(struct ui *ui)
{
    struct monitor_screen *screen = calloc(1, sizeof *screen);
    if (!screen)
        return NULL;
    screen->base = (struct screen){&screen_massalert_monitor_ops, ui};
    return &screen->base;
}

static void monitor_destroy(struct screen *base)
{
    struct monitor_screen *screen = (struct monitor_screen *)base;
    if (screen->report_file)
        monitor_report_done(screen, 0);
    cJSON_Delete(screen->alert);
    cJSON_Delete(screen->recipients);
    cJSON_Delete(screen->list);
    free(screen);
}

static void monitor_enter(struct screen *base, enum screen_id from, int64_t alert_id)
{
    (void)from;
    struct monitor_screen *screen = (struct monitor_screen *)base;
    screen->shown = true;
    screen->dirty = true;
    if (alert_id > 0) {
        monitor_show(screen, alert_id);
        return;
    }
    if (screen->alert_id > 0)
        monitor_show(screen, screen->alert_id); /* back from the help: as it was, fresh */
    get(screen, &screen->list_request, "/v1/massalerts");
}

static void monitor_leave(struct screen *base)
{
    ((struct monitor_screen *)base)->shown = false;
}

static void monitor_layout(struct screen *base, int y, int x, int height, int width)
{
    struct monitor_screen *screen = (struct monitor_screen *)base;
    screen->y = y, screen->x = x, screen->height = height, screen->width = width;
    screen->list_rows = height - MONITOR_LIST_TOP - MONITOR_FOOTER_LINES;
    if (screen->list_rows < 1)
        screen->list_rows = 1;
    screen->dirty = true;
}

static void monitor_invalidate(struct screen *base)
{
    ((struct monitor_screen *)base)->dirty = true;
}

static int list_length(const struct monitor_screen *screen)
{
    if (screen->mode == MONITOR_REPLIES)
        return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(screen->alert, "replies"));
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(screen->recipients, "recipients"));
}

/* Moves the selection; in the recipients, past the page loads the next. */
static void move_selection(struct monitor_screen *screen, int step)
{
    int length = list_length(screen), next = screen->selected + step;
    if (screen->mode == MONITOR_RECIPIENTS && (next >= length || next < 0)) {
        int total = (int)massalert_json_number(screen->recipients, "total", 0);
        int offset =
            screen->recipients_offset + (next < 0 ? -screen->list_rows : screen->list_rows);
        if (offset >= 0 && offset < total) {
            screen->recipients_offset = offset;
            screen->selected = next < 0 ? screen->list_rows - 1 : 0;
            monitor_fetch_recipients(screen);
        }
        return;
    }
    screen->selected = next < 0 ? 0 : next >= length ? (length > 0 ? length - 1 : 0) : next;
}

static int monitor_handle_action(struct screen *base, enum action action, const char *argument)
{
    struct monitor_screen *screen = (struct monitor_screen *)base;
    switch (action) {
    case ACTION_MOVE_UP:
    case ACTION_MOVE_DOWN:
        move_selection(screen, action == ACTION_MOVE_UP ? -1 : 1);
        break;
    case ACTION_PAGE_UP:
    case ACTION_PAGE_DOWN:
        move_selection(screen, action == ACTION_PAGE_UP ? -screen->list_rows : screen->list_rows);
        break;
    case ACTION_FIRST:
        screen->selected = 0;
        break;
    case ACTION_TOGGLE_LIST:
        screen->mode = screen->mode == MONITOR_REPLIES ? MONITOR_RECIPIENTS : MONITOR_REPLIES;
        screen->selected = 0;
        if (screen->mode == MONITOR_RECIPIENTS)
            monitor_fetch_recipients(screen);
        break;
    case ACTION_RELAY_REPLY:
        ask_relay(screen);
        break;
    case ACTION_CANCEL_ALERT:
        ask_cancel(screen);
        break;
    case ACTION_SAVE_REPORT:
        if (screen->alert_id > 0)
            ask_report(screen, argument);
        break;
    case ACTION_MASS_ALERTS:
        get(screen, &screen->list_request, "/v1/massalerts");
        break;
    case ACTION_REFRESH:
        monitor_show(screen, screen->alert_id);
        break;
    default:
        return WIDGET_IGNORED;
    }
    screen->dirty = true;
    return WIDGET_HANDLED | WIDGET_REDRAW;
}

/* A stream event about this alert (it comes as a document with request
 * id 0, as "site" events do): its counts or a reply changed. */
static bool stream_event(struct monitor_screen *screen, const cJSON *body)
{
    int64_t about = (int64_t)massalert_json_number(body, "alert_id", 0);
    if (about == 0 && cJSON_GetObjectItemCaseSensitive(body, "counts"))
        about = (int64_t)massalert_json_number(body, "id", 0);
    if (about <= 0 || about != screen->alert_id)
        return false;
    if (screen->shown)
        monitor_fetch_alert(screen);
    return true;
}

static bool monitor_document_loaded(struct screen *base, int request_id, int http_status,
                                    const cJSON *body)
{
    struct monitor_screen *screen = (struct monitor_screen *)base;
    if (request_id == 0) {
        stream_event(screen, body);
        return false; /* other screens may want the event too */
    }
    if (request_id < 0)
        return false;
    if (request_id == screen->alert_request) {
        screen->alert_request = 0;
        if (!failed(screen, http_status, body, _("Cannot load the mass alert")))
            take(&screen->alert, body);
    } else if (request_id == screen->recipients_request) {
        screen->recipients_request = 0;
        if (!failed(screen, http_status, body, _("Cannot load the recipients")))
            take(&screen->recipients, body);
    } else if (request_id == screen->list_request) {
        screen->list_request = 0;
        list_loaded(screen, http_status, body);
    } else if (request_id == screen->cancel_request) {
        screen->cancel_request = 0;
        cancelled(screen, http_status, body);
    } else if (request_id == screen->relay_request) {
        screen->relay_request = 0;
        relayed(screen, http_status, body);
    } else if (request_id == screen->report_request) {
        monitor_report_done(screen, http_status);
    } else {
        return false;
    }
    screen->dirty = true;
    return true;
}

/* While the alert lives (being sent, then until it expires: delivery
 * reports and replies keep coming after the last message left), what the
 * screen shows is read again each second: the stream's events make it
 * sooner, this makes it certain. */
static void monitor_tick(struct screen *base)
{
    struct monitor_screen *screen = (struct monitor_screen *)base;
    if (!screen->shown || !screen->alert)
        return;
    bool sending = strcmp(massalert_json_text(screen->alert, "state"), "sending") == 0;
    double expires = massalert_json_number(screen->alert, "expires_at", 0);
    if (!sending && (double)ui_now_ms(base->ui) >= expires)
        return;
    monitor_fetch_alert(screen);
    if (screen->mode == MONITOR_RECIPIENTS)
        monitor_fetch_recipients(screen);
}

static bool monitor_selected_alarm(struct screen *base, int64_t *alarm_id)
{
    struct monitor_screen *screen = (struct monitor_screen *)base;
    *alarm_id = (int64_t)massalert_json_number(screen->alert, "alarm_id", 0);
    return *alarm_id > 0;
}

static void monitor_status(struct screen *base, char *out, size_t size)
{
    struct monitor_screen *screen = (struct monitor_screen *)base;
    if (screen->alert_id <= 0)
        snprintf(out, size, "%s", _("Mass alerts"));
    else
        snprintf(out, size, _("Mass alert %lld: %s"), (long long)screen->alert_id,
                 monitor_state_label(massalert_json_text(screen->alert, "state")));
}

const struct screen_ops screen_massalert_monitor_ops = {
    .name = "massalert-monitor",
    .keys = ACTION_SCREEN_MASSALERT,
    .create = monitor_create,
    .destroy = monitor_destroy,
    .enter = monitor_enter,
    .leave = monitor_leave,
    .layout = monitor_layout,
    .invalidate = monitor_invalidate,
    .draw = monitor_draw,
    .handle_action = monitor_handle_action,
    .document_loaded = monitor_document_loaded,
    .tick = monitor_tick,
    .selected_alarm = monitor_selected_alarm,
    .status = monitor_status,
    .hints = monitor_hints,
};
