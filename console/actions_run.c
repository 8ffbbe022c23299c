/* actions_run.c: actions the screen in front left to the console. Alarm
 * actions go to the client and are remembered by request id until the
 * answer says how they went, in the status line. Nothing is sent when
 * the link cannot carry it: the operator is told, and nothing is queued
 * behind their back. Closing asks for one of the server's resolutions
 * (GET /v1/resolutions, read once) and then for an optional note. */
#include "console/actions_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/i18n.h"
#include "console/actions_panel.h"
#include "console/client.h"
#include "console/commandline.h"
#include "console/screen_map.h"
#include "console/screen.h"
#include "console/ui.h"

/* Bytes of a resolution code and its label (the API bounds codes to 31). */
#define RESOLUTION_CODE_SIZE  32
#define RESOLUTION_LABEL_SIZE 128

struct pending {
    int request_id; /* 0: free */
    enum action action;
    int64_t alarm_id;
    char resolution[RESOLUTION_CODE_SIZE];
};

struct actions_run {
    struct ui *ui;
    struct commandline *commandline;
    struct lineedit_history *notes;
    struct pending pending[ACTIONS_RUN_PENDING_MAX];
    size_t next_slot;
    /* closing: the alarm, then its resolution, then the note */
    int resolutions_request;
    int64_t closing_id;
    size_t resolution_count;
    char codes[ACTIONS_RUN_RESOLUTIONS_MAX][RESOLUTION_CODE_SIZE];
    char labels[ACTIONS_RUN_RESOLUTIONS_MAX][RESOLUTION_LABEL_SIZE];
    size_t chosen;
    int64_t noting_id;
    struct actions_panel *panel; /* arm, disarm, bypass (actions_panel.c) */
};

struct actions_run *actions_run_new(struct ui *ui)
{
    struct actions_run *runner = calloc(1, sizeof *runner);
    if (!runner)
        return NULL;
    runner->ui = ui;
    runner->commandline = commandline_new(ui);
    runner->notes = lineedit_history_new(LINEEDIT_HISTORY_MAX);
    runner->panel = actions_panel_new(ui);
    if (!runner->commandline || !runner->notes || !runner->panel) {
        actions_run_free(runner);
        return NULL;
    }
    return runner;
}

void actions_run_free(struct actions_run *runner)
{
    if (!runner)
        return;
    commandline_free(runner->commandline);
    lineedit_history_free(runner->notes);
    actions_panel_free(runner->panel);
    free(runner);
}

/* What the action does, for the status line. */
static const char *done_text(enum action action)
{
    switch (action) {
    case ACTION_CLAIM:
        return _("claimed: you handle it");
    case ACTION_RELEASE:
        return _("released");
    case ACTION_ACKNOWLEDGE:
        return _("acknowledged");
    case ACTION_NOTE:
        return _("note added");
    case ACTION_CLOSE:
        return _("closed");
    default:
        return _("done");
    }
}

static void remember(struct actions_run *runner, int request_id, enum action action,
                     int64_t alarm_id, const char *resolution)
{
    struct pending *slot = &runner->pending[runner->next_slot];
    runner->next_slot = (runner->next_slot + 1) % ACTIONS_RUN_PENDING_MAX;
    *slot = (struct pending){.request_id = request_id, .action = action, .alarm_id = alarm_id};
    snprintf(slot->resolution, sizeof slot->resolution, "%s", resolution ? resolution : "");
}

/* Reports a request that could not be sent, or remembers it. */
static void sent(struct actions_run *runner, int request_id, enum action action, int64_t alarm_id,
                 const char *resolution)
{
    if (request_id < 0) {
        ui_status(runner->ui, STATUS_ERROR,
                  _("Cannot %s alarm %lld: the backend is not reachable; nothing was sent"),
                  action_name(action), (long long)alarm_id);
        return;
    }
    remember(runner, request_id, action, alarm_id, resolution);
    ui_status(runner->ui, STATUS_INFO, _("Sending %s for alarm %lld..."), action_name(action),
              (long long)alarm_id);
}

void actions_run_done(struct actions_run *runner, int request_id, bool ok, const char *message)
{
    if (actions_panel_done(runner->panel, request_id, ok, message))
        return;
    struct pending *found = NULL;
    for (size_t i = 0; i < ACTIONS_RUN_PENDING_MAX; i++)
        if (runner->pending[i].request_id == request_id && request_id > 0)
            found = &runner->pending[i];
    if (!found) {
        if (!ok)
            ui_status(runner->ui, STATUS_ERROR, _("An action failed: %s"), message ? message : "");
        return;
    }
    if (ok && found->action == ACTION_CLOSE)
        ui_status(runner->ui, STATUS_INFO, _("Alarm %lld closed (%s)"), (long long)found->alarm_id,
                  found->resolution);
    else if (ok)
        ui_status(runner->ui, STATUS_INFO, _("Alarm %lld %s"), (long long)found->alarm_id,
                  done_text(found->action));
    else
        ui_status(runner->ui, STATUS_ERROR, _("Cannot %s alarm %lld: %s"),
                  action_name(found->action), (long long)found->alarm_id,
                  message && message[0] ? message : _("refused"));
    found->request_id = 0;
}

/* ---- note ---- */

static void send_note(struct actions_run *runner, int64_t alarm_id, const char *text)
{
    if (!text[0]) {
        ui_status(runner->ui, STATUS_INFO, "%s", _("Empty note: nothing was sent"));
        return;
    }
    sent(runner, client_note(ui_client(runner->ui), alarm_id, text), ACTION_NOTE, alarm_id, NULL);
}

static void note_done(struct ui *ui, void *context, bool accepted, const char *text)
{
    struct actions_run *runner = context;
    if (!accepted) {
        ui_status(ui, STATUS_INFO, "%s", _("Note cancelled"));
        return;
    }
    send_note(runner, runner->noting_id, text);
}

static void note(struct actions_run *runner, int64_t alarm_id, const char *argument)
{
    if (argument && argument[0]) {
        send_note(runner, alarm_id, argument);
        return;
    }
    char prompt[64];
    snprintf(prompt, sizeof prompt, _("Note for alarm %lld: "), (long long)alarm_id);
    runner->noting_id = alarm_id;
    struct ui_prompt_spec spec = {
        .prompt = prompt,
        .done = note_done,
        .history = runner->notes,
        .context = runner,
    };
    ui_prompt(runner->ui, &spec);
}

/* ---- close ---- */

static void close_note_done(struct ui *ui, void *context, bool accepted, const char *text)
{
    struct actions_run *runner = context;
    if (!accepted) {
        ui_status(ui, STATUS_INFO, "%s", _("Close cancelled"));
        return;
    }
    const char *code = runner->codes[runner->chosen];
    int request =
        client_close_alarm(ui_client(ui), runner->closing_id, code, text[0] ? text : NULL);
    sent(runner, request, ACTION_CLOSE, runner->closing_id, code);
}

static void resolution_chosen(struct ui *ui, void *context, enum dialog_answer answer,
                              size_t choice)
{
    struct actions_run *runner = context;
    if (answer != DIALOG_CHOSEN || choice >= runner->resolution_count) {
        ui_status(ui, STATUS_INFO, "%s", _("Close cancelled"));
        return;
    }
    runner->chosen = choice;
    ui_status(ui, STATUS_INFO, _("Closing alarm %lld as %s: type a note, or Enter for none"),
              (long long)runner->closing_id, runner->codes[choice]);
    struct ui_prompt_spec spec = {
        .prompt = _("Closing note: "),
        .done = close_note_done,
        .history = runner->notes,
        .context = runner,
    };
    ui_prompt(ui, &spec);
}

static void offer_resolutions(struct actions_run *runner)
{
    const char *items[ACTIONS_RUN_RESOLUTIONS_MAX];
    for (size_t i = 0; i < runner->resolution_count; i++)
        items[i] = runner->labels[i];
    char title[64];
    snprintf(title, sizeof title, _("Close alarm %lld"), (long long)runner->closing_id);
    if (ui_choose(runner->ui, title, items, runner->resolution_count, resolution_chosen, runner))
        ui_status(runner->ui, STATUS_INFO, _("How was alarm %lld dealt with?"),
                  (long long)runner->closing_id);
    else
        ui_status(runner->ui, STATUS_WARN, "%s", _("Finish the question on screen first"));
}

static void close_alarm(struct actions_run *runner, int64_t alarm_id)
{
    runner->closing_id = alarm_id;
    if (runner->resolution_count > 0) {
        offer_resolutions(runner);
        return;
    }
    runner->resolutions_request = client_get(ui_client(runner->ui), "/v1/resolutions");
    if (runner->resolutions_request < 0)
        ui_status(runner->ui, STATUS_ERROR, "%s",
                  _("Cannot close: the backend is not reachable; nothing was sent"));
    else
        ui_status(runner->ui, STATUS_INFO, "%s", _("Loading the resolution codes..."));
}

bool actions_run_document(struct actions_run *runner, int request_id, int http_status,
                          const cJSON *body)
{
    if (request_id <= 0 || request_id != runner->resolutions_request)
        return false;
    runner->resolutions_request = 0;
    const cJSON *list = body ? cJSON_GetObjectItemCaseSensitive(body, "resolutions") : NULL;
    const cJSON *item;
    runner->resolution_count = 0;
    cJSON_ArrayForEach(item, list)
    {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(item, "code");
        const cJSON *label = cJSON_GetObjectItemCaseSensitive(item, "label");
        if (!cJSON_IsString(code) || runner->resolution_count == ACTIONS_RUN_RESOLUTIONS_MAX)
            continue;
        size_t i = runner->resolution_count++;
        snprintf(runner->codes[i], sizeof runner->codes[i], "%s", code->valuestring);
        snprintf(runner->labels[i], sizeof runner->labels[i], "%s",
                 cJSON_IsString(label) ? label->valuestring : code->valuestring);
    }
    if (http_status != 200 || runner->resolution_count == 0) {
        ui_status(runner->ui, STATUS_ERROR, _("Cannot close: no resolution codes (HTTP %d)"),
                  http_status);
        return true;
    }
    offer_resolutions(runner);
    return true;
}

/* ---- the rest ---- */

static void quit_answered(struct ui *ui, void *context, enum dialog_answer answer, size_t choice)
{
    (void)context;
    (void)choice;
    if (answer == DIALOG_YES)
        ui_quit(ui, 0);
}

static void save_display(struct actions_run *runner, const char *argument)
{
    char path[256], error[512];
    if (argument && argument[0]) {
        snprintf(path, sizeof path, "%s", argument);
    } else {
        time_t now = time(NULL);
        struct tm local;
        localtime_r(&now, &local);
        strftime(path, sizeof path, "vigie-display-%Y%m%d-%H%M%S.txt", &local);
    }
    if (ui_save_display(runner->ui, path, error, sizeof error))
        ui_status(runner->ui, STATUS_INFO, _("Screen written to %s"), path);
    else
        ui_status(runner->ui, STATUS_ERROR, _("Cannot write the screen: %s"), error);
}

static bool alarm_of_screen(struct actions_run *runner, int64_t *alarm_id)
{
    struct screen *screen = ui_screen(runner->ui, ui_current_screen_id(runner->ui));
    if (screen->ops->selected_alarm && screen->ops->selected_alarm(screen, alarm_id))
        return true;
    ui_status(runner->ui, STATUS_WARN, "%s", _("No alarm selected"));
    return false;
}

static void alarm_action(struct actions_run *runner, enum action action, const char *argument)
{
    int64_t id;
    if (!alarm_of_screen(runner, &id))
        return;
    struct client *client = ui_client(runner->ui);
    switch (action) {
    case ACTION_CLAIM:
        sent(runner, client_claim(client, id), action, id, NULL);
        break;
    case ACTION_RELEASE:
        sent(runner, client_release(client, id), action, id, NULL);
        break;
    case ACTION_ACKNOWLEDGE:
        sent(runner, client_acknowledge(client, id), action, id, NULL);
        break;
    case ACTION_NOTE:
        note(runner, id, argument);
        break;
    case ACTION_CLOSE:
        close_alarm(runner, id);
        break;
    default:
        break;
    }
}

/* v and p: the victim's file (only a protection phone's alarm has one)
 * and the procedure checklist of the alarm on screen. */
static void open_alarm_screen(struct actions_run *runner, enum action action)
{
    int64_t id;
    if (!alarm_of_screen(runner, &id))
        return;
    const struct console_alarm *alarm = model_find(ui_model(runner->ui), id);
    if (action == ACTION_VICTIM_FILE && alarm && alarm->victim_id <= 0) {
        ui_status(runner->ui, STATUS_WARN,
                  _("Alarm %lld has no victim's file: it does not come from a protection phone"),
                  (long long)id);
        return;
    }
    ui_open_screen(runner->ui, action == ACTION_VICTIM_FILE ? SCREEN_VICTIM : SCREEN_PROCEDURES,
                   id);
}

/* m opens the map of the alarm on screen; y on a screen other than the map
 * (which copies itself) has the map screen load and copy the location. */
static void map_action(struct actions_run *runner, enum action action)
{
    int64_t id;
    if (!alarm_of_screen(runner, &id))
        return;
    if (action == ACTION_MAP)
        ui_open_screen(runner->ui, SCREEN_MAP, id);
    else
        screen_map_copy_location(ui_screen(runner->ui, SCREEN_MAP), id);
}

/* The composer and the monitor share their keys: an action of one typed
 * on the other says where it works. */
static void massalert_elsewhere(struct ui *ui, enum action action)
{
    switch (action) {
    case ACTION_TOGGLE_LIST:
    case ACTION_RELAY_REPLY:
    case ACTION_CANCEL_ALERT:
    case ACTION_SAVE_REPORT:
        ui_status(ui, STATUS_WARN, _("%s works on a mass alert once sent (A lists them)"),
                  action_name(action));
        break;
    case ACTION_MOVE_UP:
    case ACTION_MOVE_DOWN:
    case ACTION_PAGE_UP:
    case ACTION_PAGE_DOWN:
    case ACTION_FIRST:
    case ACTION_LAST:
        break; /* nothing to move on the composer */
    default:
        if (action_applies(action, ACTION_SCREEN_MASSALERT) &&
            ui_current_screen_id(ui) == SCREEN_MASSALERT_MONITOR)
            ui_status(ui, STATUS_WARN, _("%s works on the mass alert composer (M on an alarm)"),
                      action_name(action));
        else
            ui_status(ui, STATUS_WARN, _("%s is not available in this version"),
                      action_name(action));
        break;
    }
}

void actions_run(struct actions_run *runner, enum action action, const char *argument)
{
    struct ui *ui = runner->ui;
    switch (action) {
    case ACTION_QUIT:
        ui_confirm(ui, _("Quit"), _("Quit the Vigie console?"), L'y', _("Quit"), _("Stay"),
                   quit_answered, runner);
        break;
    case ACTION_HELP:
        ui_open_screen(ui, SCREEN_HELP, 0);
        break;
    case ACTION_COMMAND_LINE:
        commandline_open(runner->commandline);
        break;
    case ACTION_BACK:
        ui_back(ui);
        break;
    case ACTION_ALARMS:
        ui_open_screen(ui, SCREEN_QUEUE, 0);
        break;
    case ACTION_CLOSED:
        ui_open_screen(ui, SCREEN_CLOSED, 0);
        break;
    case ACTION_REFRESH:
        ui_repaint_all(ui);
        ui_status(ui, STATUS_INFO, "%s", _("The queue follows the server live; screen repainted"));
        break;
    case ACTION_REDRAW:
        ui_repaint_all(ui);
        break;
    case ACTION_SAVE_DISPLAY:
        save_display(runner, argument);
        break;
    case ACTION_CLAIM:
    case ACTION_RELEASE:
    case ACTION_ACKNOWLEDGE:
    case ACTION_NOTE:
    case ACTION_CLOSE:
        alarm_action(runner, action, argument);
        break;
    case ACTION_VICTIM_FILE:
    case ACTION_PROCEDURES:
        open_alarm_screen(runner, action);
        break;
    case ACTION_MAP:
    case ACTION_COPY_LOCATION:
        map_action(runner, action);
        break;
    case ACTION_ARM_AWAY:
    case ACTION_ARM_STAY:
    case ACTION_DISARM:
    case ACTION_BYPASS_ZONE: {
        int64_t id;
        if (alarm_of_screen(runner, &id))
            actions_panel_run(runner->panel, action, id);
        break;
    }
    case ACTION_ESCALATE: {
        /* The dialog shows what would be sent and asks before sending. */
        int64_t id;
        if (alarm_of_screen(runner, &id))
            ui_open_screen(ui, SCREEN_ESCALATE, id);
        break;
    }
    case ACTION_MASS_ALERT: {
        /* The composer, its circle centred on the alarm on screen. */
        int64_t id;
        if (alarm_of_screen(runner, &id))
            ui_open_screen(ui, SCREEN_MASSALERT, id);
        break;
    }
    case ACTION_MASS_ALERTS:
        ui_open_screen(ui, SCREEN_MASSALERT_MONITOR, 0);
        break;
    default:
        massalert_elsewhere(ui, action);
        break;
    }
}
