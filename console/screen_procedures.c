/* screen_procedures.c: the alarm's procedure as a checklist (p). The
 * server resolves the plan (the site's, the client's, the default; the
 * duress plan first for a duress or an early open, never a call to the
 * site then) and keeps each step's state; this screen shows it and marks
 * steps: Space done (again: not done), s skipped and f failed, each with a
 * note asked for. The answer to a mark is the checklist after it; any
 * change to the alarm (a step ticked on another console) fetches it again,
 * so two consoles show the same boxes. Claim, note, close... act on the
 * alarm shown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "console/client.h"
#include "console/client_procedures.h"
#include "console/procedure_lines.h"
#include "console/screen.h"
#include "console/ui.h"
#include "widgets/cells.h"

struct procedures_screen {
    struct screen base;
    int64_t alarm_id;
    int request, mark_request; /* in flight; 0: none */
    bool again;                /* the alarm changed while a request was in flight */
    cJSON *procedure;          /* the last checklist received; NULL while loading */
    char loading[256];         /* what shows while there is none */
    struct procedure_lines lines;
    int selected; /* step index */
    size_t top;   /* first line shown */
    int marking;  /* step number of the mark in flight, for its message */
    char marking_state[16];
    /* the step a note is being typed for */
    int64_t noting_id;
    int noting_number;
    const char *noting_state;
    struct lineedit_history *notes;
    bool shown, dirty, rebuild;
    int y, x, height, width;
};

static const enum action procedures_hints[] = {
    ACTION_HELP,  ACTION_CHECK_STEP, ACTION_SKIP_STEP, ACTION_FAIL_STEP,
    ACTION_CLOSE, ACTION_BACK,       ACTION_NONE,
};

static const cJSON *step_at(const struct procedures_screen *screen, int index)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(screen->procedure, "steps"), index);
}

/* ---- lines and scrolling ---- */

static void keep_selection_shown(struct procedures_screen *screen)
{
    size_t first, last;
    if (screen->height <= 0 ||
        !procedure_lines_span(&screen->lines, screen->selected, &first, &last))
        return;
    size_t height = (size_t)screen->height;
    if (screen->selected == 0)
        first = 0; /* the first step brings the header back into view */
    if (first < screen->top)
        screen->top = first;
    else if (last >= screen->top + height)
        screen->top = last - height + 1 > first ? first : last - height + 1;
}

static void rebuild(struct procedures_screen *screen)
{
    screen->rebuild = false;
    screen->dirty = true;
    if (!screen->procedure) {
        procedure_lines_free(&screen->lines);
        return;
    }
    procedure_lines_build(&screen->lines, screen->procedure,
                          model_find(ui_model(screen->base.ui), screen->alarm_id), screen->width,
                          ui_charset(screen->base.ui));
    if (screen->selected >= screen->lines.steps)
        screen->selected = screen->lines.steps > 0 ? screen->lines.steps - 1 : 0;
    if (screen->top >= screen->lines.count)
        screen->top = 0;
    keep_selection_shown(screen);
}

/* ---- requests ---- */

static void fetch(struct procedures_screen *screen)
{
    if (screen->alarm_id <= 0)
        return;
    if (screen->request > 0) {
        screen->again = true;
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/v1/alarms/%lld/procedure", (long long)screen->alarm_id);
    screen->request = client_get(ui_client(screen->base.ui), path);
    screen->again = false;
    if (screen->request < 0) {
        screen->request = 0;
        ui_status(screen->base.ui, STATUS_WARN,
                  _("Cannot load the procedure of alarm %lld: the backend is not reachable"),
                  (long long)screen->alarm_id);
    }
}

static void send_mark(struct procedures_screen *screen, int64_t step_id, int number,
                      const char *state, const char *note)
{
    int request =
        client_procedure_mark(ui_client(screen->base.ui), screen->alarm_id, step_id, state, note);
    if (request < 0) {
        ui_status(screen->base.ui, STATUS_ERROR,
                  _("Cannot mark step %d: the backend is not reachable; nothing was sent"), number);
        return;
    }
    screen->mark_request = request;
    screen->marking = number;
    snprintf(screen->marking_state, sizeof screen->marking_state, "%s", state);
    ui_status(screen->base.ui, STATUS_INFO, _("Marking step %d %s..."), number, state);
}

/* ---- lifecycle ---- */

static struct screen *procedures_create(struct ui *ui)
{
    struct procedures_screen *screen = calloc(1, sizeof *screen);
    if (!screen)
        return NULL;
    screen->base = (struct screen){&screen_procedures_ops, ui};
    screen->notes = lineedit_history_new(LINEEDIT_HISTORY_MAX);
    if (!screen->notes) {
        free(screen);
        return NULL;
    }
    return &screen->base;
}

static void procedures_destroy(struct screen *base)
{
    struct procedures_screen *screen = (struct procedures_screen *)base;
    procedure_lines_free(&screen->lines);
    cJSON_Delete(screen->procedure);
    lineedit_history_free(screen->notes);
    free(screen);
}

static void procedures_enter(struct screen *base, enum screen_id from, int64_t alarm_id)
{
    (void)from;
    struct procedures_screen *screen = (struct procedures_screen *)base;
    screen->shown = true;
    if (alarm_id > 0 && alarm_id != screen->alarm_id) {
        screen->alarm_id = alarm_id;
        screen->request = screen->mark_request = 0; /* answers for another alarm are ignored */
        cJSON_Delete(screen->procedure);
        screen->procedure = NULL;
        screen->selected = 0;
        screen->top = 0;
        snprintf(screen->loading, sizeof screen->loading,
                 _("Loading the procedure of alarm %lld..."), (long long)alarm_id);
        rebuild(screen);
    }
    fetch(screen);
}

static void procedures_leave(struct screen *base)
{
    ((struct procedures_screen *)base)->shown = false;
}

static void procedures_layout(struct screen *base, int y, int x, int height, int width)
{
    struct procedures_screen *screen = (struct procedures_screen *)base;
    screen->y = y;
    screen->x = x;
    screen->height = height;
    screen->width = width;
    rebuild(screen);
}

static void procedures_invalidate(struct screen *base)
{
    ((struct procedures_screen *)base)->dirty = true;
}

static void procedures_draw(struct screen *base)
{
    struct procedures_screen *screen = (struct procedures_screen *)base;
    if (screen->rebuild)
        rebuild(screen);
    if (!screen->dirty)
        return;
    screen->dirty = false;
    struct ui *ui = base->ui;
    WINDOW *win = ui_window(ui);
    const struct charset *charset = ui_charset(ui);
    for (int row = 0; row < screen->height; row++) {
        size_t index = screen->top + (size_t)row;
        if (!screen->procedure && row == 0) {
            cells_put(win, screen->y, screen->x, screen->width, screen->loading, CELLS_LEFT,
                      ui_attr(ui, THEME_SLOT_TEXT), charset);
            continue;
        }
        if (!screen->procedure || index >= screen->lines.count) {
            cells_fill(win, screen->y + row, screen->x, screen->width,
                       ui_attr(ui, THEME_SLOT_TEXT));
            continue;
        }
        const struct procedure_line *line = &screen->lines.lines[index];
        bool selected = line->step == screen->selected && line->first;
        cells_put(win, screen->y + row, screen->x, screen->width, line->text, CELLS_LEFT,
                  ui_attr(ui, selected ? THEME_SLOT_ROW_SELECTED : line->slot), charset);
    }
}

/* ---- actions ---- */

static void note_done(struct ui *ui, void *context, bool accepted, const char *text)
{
    struct procedures_screen *screen = context;
    if (!accepted) {
        ui_status(ui, STATUS_INFO, "%s", _("Nothing marked"));
        return;
    }
    send_mark(screen, screen->noting_id, screen->noting_number, screen->noting_state, text);
}

/* Skipped and failed ask why, unless the command line said it. */
static void ask_note(struct procedures_screen *screen, int64_t step_id, int number,
                     const char *state, const char *argument)
{
    if (argument) {
        send_mark(screen, step_id, number, state, argument);
        return;
    }
    /* Short: the prompt gets at most half of an 80-column line. */
    char prompt[96];
    if (strcmp(state, "skipped") == 0)
        snprintf(prompt, sizeof prompt, _("Why skip step %d? (Enter: none) "), number);
    else
        snprintf(prompt, sizeof prompt, _("What failed in step %d? (Enter: none) "), number);
    screen->noting_id = step_id;
    screen->noting_number = number;
    screen->noting_state = state;
    struct ui_prompt_spec spec = {
        .prompt = prompt,
        .done = note_done,
        .history = screen->notes,
        .context = screen,
    };
    if (!ui_prompt(screen->base.ui, &spec))
        ui_status(screen->base.ui, STATUS_WARN, "%s", _("Finish the question on screen first"));
}

static int mark(struct procedures_screen *screen, enum action action, const char *argument)
{
    const cJSON *step = step_at(screen, screen->selected);
    if (!step) {
        ui_status(screen->base.ui, STATUS_WARN, "%s", _("No step selected"));
        return WIDGET_HANDLED;
    }
    int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(step, "id"));
    int number = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(step, "number"));
    const char *state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(step, "state"));
    if (action == ACTION_CHECK_STEP) /* done, or back to pending if it was done */
        send_mark(screen, id, number, state && strcmp(state, "done") == 0 ? "pending" : "done",
                  argument);
    else
        ask_note(screen, id, number, action == ACTION_SKIP_STEP ? "skipped" : "failed", argument);
    return WIDGET_HANDLED;
}

/* Selects the first step shown at or after line `line`. */
static void select_from_line(struct procedures_screen *screen, size_t line)
{
    for (size_t i = line; i < screen->lines.count; i++) {
        if (screen->lines.lines[i].step >= 0) {
            screen->selected = screen->lines.lines[i].step;
            return;
        }
    }
}

static void move_selection(struct procedures_screen *screen, enum action action)
{
    int steps = screen->lines.steps;
    size_t page = screen->height > 1 ? (size_t)screen->height - 1 : 1;
    switch (action) {
    case ACTION_MOVE_UP:
        screen->selected -= screen->selected > 0;
        break;
    case ACTION_MOVE_DOWN:
        screen->selected += screen->selected + 1 < steps;
        break;
    case ACTION_PAGE_UP:
        screen->top = screen->top > page ? screen->top - page : 0;
        select_from_line(screen, screen->top);
        break;
    case ACTION_PAGE_DOWN:
        if (screen->top + page < screen->lines.count)
            screen->top += page;
        select_from_line(screen, screen->top);
        break;
    case ACTION_FIRST:
        screen->selected = 0;
        break;
    case ACTION_LAST:
        screen->selected = steps > 0 ? steps - 1 : 0;
        break;
    default:
        break;
    }
    keep_selection_shown(screen);
    screen->dirty = true;
}

static int procedures_handle_action(struct screen *base, enum action action, const char *argument)
{
    struct procedures_screen *screen = (struct procedures_screen *)base;
    switch (action) {
    case ACTION_MOVE_UP:
    case ACTION_MOVE_DOWN:
    case ACTION_PAGE_UP:
    case ACTION_PAGE_DOWN:
    case ACTION_FIRST:
    case ACTION_LAST:
        move_selection(screen, action);
        return WIDGET_HANDLED | WIDGET_REDRAW;
    case ACTION_CHECK_STEP:
    case ACTION_SKIP_STEP:
    case ACTION_FAIL_STEP:
        return mark(screen, action, argument);
    case ACTION_REFRESH:
    case ACTION_PROCEDURES:
        fetch(screen);
        return WIDGET_HANDLED;
    default:
        return WIDGET_IGNORED;
    }
}

static void procedures_alarm_changed(struct screen *base, const struct console_alarm *alarm,
                                     enum model_change change)
{
    struct procedures_screen *screen = (struct procedures_screen *)base;
    if (change == MODEL_UNCHANGED || !alarm || alarm->id != screen->alarm_id)
        return;
    /* Fetched even when not shown: the checklist is small, and the screen
     * is up to date the moment the operator comes back to it. */
    fetch(screen);
}

static void procedures_model_reloaded(struct screen *base)
{
    fetch((struct procedures_screen *)base);
}

/* ---- answers ---- */

static void take(struct procedures_screen *screen, const cJSON *body)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(body, "alarm_id");
    if (!cJSON_IsNumber(id) || (int64_t)id->valuedouble != screen->alarm_id)
        return;
    cJSON *copy = cJSON_Duplicate(body, true);
    if (!copy) {
        ui_status(screen->base.ui, STATUS_ERROR, "%s", _("Not enough memory for the procedure"));
        return;
    }
    cJSON_Delete(screen->procedure);
    screen->procedure = copy;
    screen->rebuild = true;
}

static void error_sentence(int http_status, const cJSON *body, char *out, size_t size)
{
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(body, "error");
    const char *message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(error, "message"));
    if (message && message[0])
        snprintf(out, size, "%s", message);
    else
        snprintf(out, size, _("HTTP status %d"), http_status);
}

static void mark_answered(struct procedures_screen *screen, int http_status, const cJSON *body)
{
    char why[256];
    if (http_status == 200 && cJSON_IsObject(body)) {
        take(screen, body);
        if (strcmp(screen->marking_state, "pending") == 0)
            ui_status(screen->base.ui, STATUS_INFO, _("Step %d is to do again"), screen->marking);
        else
            ui_status(screen->base.ui, STATUS_INFO, _("Step %d %s"), screen->marking,
                      screen->marking_state);
        return;
    }
    error_sentence(http_status, body, why, sizeof why);
    ui_status(screen->base.ui, STATUS_ERROR, _("Cannot mark step %d: %s"), screen->marking, why);
    fetch(screen);
}

static bool procedures_document_loaded(struct screen *base, int request_id, int http_status,
                                       const cJSON *body)
{
    struct procedures_screen *screen = (struct procedures_screen *)base;
    if (request_id <= 0)
        return false;
    if (request_id == screen->mark_request) {
        screen->mark_request = 0;
        mark_answered(screen, http_status, body);
        return true;
    }
    if (request_id != screen->request)
        return false;
    screen->request = 0;
    if (http_status == 200 && cJSON_IsObject(body)) {
        take(screen, body);
    } else {
        char why[256];
        error_sentence(http_status, body, why, sizeof why);
        if (!screen->procedure) {
            snprintf(screen->loading, sizeof screen->loading,
                     _("Cannot load the procedure of alarm %lld: %s"), (long long)screen->alarm_id,
                     why);
            screen->dirty = true;
        }
        ui_status(base->ui, STATUS_WARN, _("Cannot load the procedure of alarm %lld: %s"),
                  (long long)screen->alarm_id, why);
    }
    if (screen->again)
        fetch(screen);
    return true;
}

static bool procedures_selected_alarm(struct screen *base, int64_t *alarm_id)
{
    struct procedures_screen *screen = (struct procedures_screen *)base;
    *alarm_id = screen->alarm_id;
    return screen->alarm_id > 0;
}

static void procedures_status(struct screen *base, char *out, size_t size)
{
    struct procedures_screen *screen = (struct procedures_screen *)base;
    int done = 0;
    const cJSON *step;
    cJSON_ArrayForEach(step, cJSON_GetObjectItemCaseSensitive(screen->procedure, "steps"))
    {
        const char *state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(step, "state"));
        done += state && strcmp(state, "pending") != 0;
    }
    snprintf(out, size, _("Procedure of alarm %lld  step %d/%d  %d marked"),
             (long long)screen->alarm_id, screen->lines.steps ? screen->selected + 1 : 0,
             screen->lines.steps, done);
}

const struct screen_ops screen_procedures_ops = {
    .name = "procedures",
    .keys = ACTION_SCREEN_PROCEDURES,
    .create = procedures_create,
    .destroy = procedures_destroy,
    .enter = procedures_enter,
    .leave = procedures_leave,
    .layout = procedures_layout,
    .invalidate = procedures_invalidate,
    .draw = procedures_draw,
    .handle_action = procedures_handle_action,
    .alarm_changed = procedures_alarm_changed,
    .model_reloaded = procedures_model_reloaded,
    .document_loaded = procedures_document_loaded,
    .selected_alarm = procedures_selected_alarm,
    .status = procedures_status,
    .hints = procedures_hints,
};
