/* screen_victim.c: the victim's file of a protection-phone alarm (v), with
 * the alarm's last position, its source and accuracy, the battery and the
 * track beside it (below it on an 80-column terminal). The file is read
 * once per opening, because every read is audited by the server; the
 * position and the track are read again each time the model says the
 * alarm changed, which a phone's new position does. Claim, note, close...
 * act on the alarm shown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "console/client.h"
#include "console/screen.h"
#include "console/ui.h"
#include "console/victim_text.h"
#include "widgets/cells.h"
#include "widgets/textview.h"

/* Side by side from a classic wide terminal's 132 columns: the file keeps
 * 77 columns beside a position pane as wide as a track line. */
#define VICTIM_SIDE_MIN_COLUMNS 132
#define VICTIM_SIDE_WIDTH       54
/* Below the file: the title, the fix, the battery and four track points. */
#define VICTIM_BELOW_LINES 8

struct victim_screen {
    struct screen base;
    struct textview *file, *position;
    int64_t alarm_id, victim_id;
    int alarm_request, track_request, file_request; /* in flight; 0: none */
    bool alarm_again, track_again;
    bool open_file;  /* read the file once the alarm says whose it is */
    bool file_shown; /* the file on screen is the alarm's victim's */
    cJSON *alarm, *track;
    char reference[64];
    bool shown, separator_dirty;
    int y, x, height, width;
    bool side; /* the panes side by side (else the position below) */
    int file_height;
    char search[TEXTVIEW_PATTERN_MAX];
    struct lineedit_history *history;
};

static const enum action victim_hints[] = {
    ACTION_HELP,  ACTION_CLAIM, ACTION_NOTE, ACTION_PROCEDURES,
    ACTION_CLOSE, ACTION_BACK,  ACTION_NONE,
};

static void set_text(struct victim_screen *victim, struct textview *view, const char *text)
{
    if (textview_set_text(view, text) < 0)
        ui_status(victim->base.ui, STATUS_ERROR, "%s",
                  _("Not enough memory for the victim's file"));
}

/* ---- requests ---- */

static int get(struct victim_screen *victim, const char *path)
{
    int request = client_get(ui_client(victim->base.ui), path);
    if (request < 0) {
        ui_status(victim->base.ui, STATUS_WARN,
                  _("Cannot load alarm %lld: the backend is not reachable"),
                  (long long)victim->alarm_id);
        return 0;
    }
    return request;
}

static void fetch_alarm(struct victim_screen *victim)
{
    char path[64];
    if (victim->alarm_request > 0) {
        victim->alarm_again = true;
        return;
    }
    snprintf(path, sizeof path, "/v1/alarms/%lld", (long long)victim->alarm_id);
    victim->alarm_request = get(victim, path);
    victim->alarm_again = false;
}

static void fetch_track(struct victim_screen *victim)
{
    char path[80];
    if (victim->track_request > 0) {
        victim->track_again = true;
        return;
    }
    snprintf(path, sizeof path, "/v1/alarms/%lld/track?limit=%d", (long long)victim->alarm_id,
             VICTIM_TRACK_SHOWN);
    victim->track_request = get(victim, path);
    victim->track_again = false;
}

/* One read of the file: one audit row on the server. */
static void fetch_file(struct victim_screen *victim)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/victims/%lld", (long long)victim->victim_id);
    victim->file_request = get(victim, path);
    victim->open_file = false;
}

static void fetch_live(struct victim_screen *victim)
{
    if (victim->alarm_id <= 0)
        return;
    fetch_alarm(victim);
    fetch_track(victim);
}

/* ---- lifecycle ---- */

static struct screen *victim_create(struct ui *ui)
{
    struct victim_screen *victim = calloc(1, sizeof *victim);
    if (!victim)
        return NULL;
    victim->base = (struct screen){&screen_victim_ops, ui};
    struct textview_style style = {
        .text = ui_attr(ui, THEME_SLOT_TEXT),
        .match = ui_attr(ui, THEME_SLOT_MATCH),
        .current_match = ui_attr(ui, THEME_SLOT_MATCH) | A_REVERSE,
        .marker = ui_attr(ui, THEME_SLOT_BORDER),
    };
    victim->file = textview_new(ui_window(ui), ui_charset(ui), &style);
    style.text = ui_attr(ui, THEME_SLOT_LABEL);
    victim->position = textview_new(ui_window(ui), ui_charset(ui), &style);
    victim->history = lineedit_history_new(LINEEDIT_HISTORY_MAX);
    if (!victim->file || !victim->position || !victim->history) {
        textview_free(victim->file);
        textview_free(victim->position);
        lineedit_history_free(victim->history);
        free(victim);
        return NULL;
    }
    return &victim->base;
}

static void victim_destroy(struct screen *screen)
{
    struct victim_screen *victim = (struct victim_screen *)screen;
    textview_free(victim->file);
    textview_free(victim->position);
    lineedit_history_free(victim->history);
    cJSON_Delete(victim->alarm);
    cJSON_Delete(victim->track);
    free(victim);
}

static void show_position(struct victim_screen *victim)
{
    char *text = victim_position_format(victim->alarm, victim->track);
    size_t top = textview_top(victim->position);
    set_text(victim, victim->position, text ? text : _("Not enough memory for the position"));
    textview_scroll_to(victim->position, top);
    free(text);
}

/* A new opening: a new alarm, or v pressed again. Coming back from
 * another screen (alarm_id 0) is not one: the file shown stays. */
static void victim_enter(struct screen *screen, enum screen_id from, int64_t alarm_id)
{
    (void)from;
    struct victim_screen *victim = (struct victim_screen *)screen;
    victim->shown = true;
    if (alarm_id > 0 && alarm_id != victim->alarm_id) {
        victim->alarm_id = alarm_id;
        victim->victim_id = 0;
        victim->alarm_request = victim->track_request = victim->file_request = 0;
        cJSON_Delete(victim->alarm);
        cJSON_Delete(victim->track);
        victim->alarm = victim->track = NULL;
        victim->reference[0] = '\0';
        victim->file_shown = false;
        char text[128];
        snprintf(text, sizeof text, _("Loading the victim's file of alarm %lld..."),
                 (long long)alarm_id);
        set_text(victim, victim->file, text);
        show_position(victim);
    }
    if (alarm_id > 0)
        victim->open_file = true;
    /* The model knows whose alarm it is: no need to wait for the alarm. */
    const struct console_alarm *known = model_find(ui_model(screen->ui), victim->alarm_id);
    if (victim->open_file && known && known->victim_id > 0) {
        victim->victim_id = known->victim_id;
        fetch_file(victim);
    }
    fetch_live(victim); /* the position may have moved while away */
}

static void victim_leave(struct screen *screen)
{
    ((struct victim_screen *)screen)->shown = false;
}

static void victim_layout(struct screen *screen, int y, int x, int height, int width)
{
    struct victim_screen *victim = (struct victim_screen *)screen;
    victim->y = y;
    victim->x = x;
    victim->height = height;
    victim->width = width;
    victim->side = width >= VICTIM_SIDE_MIN_COLUMNS;
    victim->separator_dirty = true;
    if (victim->side) {
        int left = width - VICTIM_SIDE_WIDTH - 1;
        victim->file_height = height;
        widget_resize(textview_widget(victim->file), y, x, height, left);
        widget_resize(textview_widget(victim->position), y, x + left + 1, height,
                      VICTIM_SIDE_WIDTH);
        return;
    }
    int below = height / 3 < VICTIM_BELOW_LINES ? height / 3 : VICTIM_BELOW_LINES;
    victim->file_height = height - below - 1;
    widget_resize(textview_widget(victim->file), y, x, victim->file_height, width);
    widget_resize(textview_widget(victim->position), y + victim->file_height + 1, x, below, width);
}

static void victim_invalidate(struct screen *screen)
{
    struct victim_screen *victim = (struct victim_screen *)screen;
    widget_invalidate(textview_widget(victim->file));
    widget_invalidate(textview_widget(victim->position));
    victim->separator_dirty = true;
}

/* The line between the panes. */
static void draw_separator(struct victim_screen *victim)
{
    if (!victim->separator_dirty || victim->height <= 0)
        return;
    victim->separator_dirty = false;
    WINDOW *win = ui_window(victim->base.ui);
    const struct charset *charset = ui_charset(victim->base.ui);
    attr_t attr = ui_attr(victim->base.ui, THEME_SLOT_BORDER);
    if (victim->side) {
        int column = victim->x + victim->width - VICTIM_SIDE_WIDTH - 1;
        for (int row = 0; row < victim->height; row++)
            cells_put_wide(win, victim->y + row, column, 1, &charset->vertical, 1, CELLS_LEFT, attr,
                           charset);
        return;
    }
    wchar_t line[CELLS_RUN_MAX];
    int count = victim->width < CELLS_RUN_MAX ? victim->width : CELLS_RUN_MAX;
    for (int i = 0; i < count; i++)
        line[i] = charset->horizontal;
    cells_put_wide(win, victim->y + victim->file_height, victim->x, victim->width, line,
                   (size_t)count, CELLS_LEFT, attr, charset);
}

static void victim_draw(struct screen *screen)
{
    struct victim_screen *victim = (struct victim_screen *)screen;
    textview_draw(victim->file);
    textview_draw(victim->position);
    draw_separator(victim);
}

/* ---- actions ---- */

static void search_done(struct ui *ui, void *context, bool accepted, const char *text)
{
    struct victim_screen *victim = context;
    if (!accepted)
        return;
    snprintf(victim->search, sizeof victim->search, "%s", text);
    size_t found = textview_search(victim->file, text);
    if (text[0] && found == 0)
        ui_status(ui, STATUS_WARN, _("No match for '%s'"), text);
    else if (text[0])
        ui_status(ui, STATUS_INFO, _("%zu matches for '%s'"), found, text);
}

static int open_search(struct victim_screen *victim, const char *argument)
{
    if (argument) {
        search_done(victim->base.ui, victim, true, argument);
        return WIDGET_HANDLED | WIDGET_REDRAW;
    }
    struct ui_prompt_spec spec = {
        .prompt = _("Search: "),
        .initial = victim->search,
        .done = search_done,
        .history = victim->history,
        .context = victim,
    };
    ui_prompt(victim->base.ui, &spec);
    return WIDGET_HANDLED;
}

static int victim_handle_action(struct screen *screen, enum action action, const char *argument)
{
    struct victim_screen *victim = (struct victim_screen *)screen;
    long page = victim->file_height > 1 ? victim->file_height - 1 : 1;
    switch (action) {
    case ACTION_MOVE_UP:
        textview_scroll(victim->file, -1);
        break;
    case ACTION_MOVE_DOWN:
        textview_scroll(victim->file, 1);
        break;
    case ACTION_PAGE_UP:
        textview_scroll(victim->file, -page);
        break;
    case ACTION_PAGE_DOWN:
        textview_scroll(victim->file, page);
        break;
    case ACTION_FIRST:
        textview_scroll_to(victim->file, 0);
        break;
    case ACTION_LAST:
        textview_scroll_to(victim->file, textview_line_count(victim->file));
        break;
    case ACTION_FILTER:
        return open_search(victim, argument);
    case ACTION_NEXT_MATCH:
    case ACTION_PREVIOUS_MATCH:
        if (!textview_search_next(victim->file, action == ACTION_PREVIOUS_MATCH))
            ui_status(screen->ui, STATUS_INFO, "%s", _("No search in force: / searches"));
        break;
    case ACTION_REFRESH:
        victim->open_file = victim->victim_id > 0;
        if (victim->open_file)
            fetch_file(victim);
        fetch_live(victim);
        break;
    case ACTION_VICTIM_FILE:
        victim_enter(screen, SCREEN_VICTIM, victim->alarm_id);
        break;
    default:
        return WIDGET_IGNORED;
    }
    return WIDGET_HANDLED | WIDGET_REDRAW;
}

static void victim_alarm_changed(struct screen *screen, const struct console_alarm *alarm,
                                 enum model_change change)
{
    struct victim_screen *victim = (struct victim_screen *)screen;
    /* Not shown: entering it again fetches the position anyway. */
    if (change != MODEL_UNCHANGED && alarm && alarm->id == victim->alarm_id && victim->shown)
        fetch_live(victim);
}

static void victim_model_reloaded(struct screen *screen)
{
    struct victim_screen *victim = (struct victim_screen *)screen;
    if (victim->shown)
        fetch_live(victim);
}

/* ---- answers ---- */

static void error_text(const char *what, long long id, int http_status, const cJSON *body,
                       char *out, size_t size)
{
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(body, "error");
    const char *message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(error, "message"));
    snprintf(out, size, _("Cannot load %s %lld: HTTP %d%s%s"), what, id, http_status,
             message ? ", " : "", message ? message : "");
}

static void alarm_loaded(struct victim_screen *victim, int http_status, const cJSON *body)
{
    if (http_status != 200 || !cJSON_IsObject(body)) {
        char text[512];
        error_text(_("alarm"), (long long)victim->alarm_id, http_status, body, text, sizeof text);
        ui_status(victim->base.ui, STATUS_WARN, "%s", text);
        return;
    }
    cJSON_Delete(victim->alarm);
    victim->alarm = cJSON_Duplicate(body, true);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(body, "victim_id");
    int64_t victim_id = cJSON_IsNumber(id) ? (int64_t)id->valuedouble : 0;
    if (victim_id <= 0) {
        char text[256];
        snprintf(text, sizeof text,
                 _("Alarm %lld has no victim's file: it does not come from a protection phone."),
                 (long long)victim->alarm_id);
        set_text(victim, victim->file, text);
    } else if (victim->open_file || victim_id != victim->victim_id) {
        victim->victim_id = victim_id;
        if (victim->file_request <= 0)
            fetch_file(victim);
    }
    show_position(victim);
}

static void file_loaded(struct victim_screen *victim, int http_status, const cJSON *body)
{
    if (http_status != 200 || !cJSON_IsObject(body)) {
        char text[512];
        error_text(_("victim's file"), (long long)victim->victim_id, http_status, body, text,
                   sizeof text);
        set_text(victim, victim->file, text);
        ui_status(victim->base.ui, STATUS_WARN, "%s", text);
        return;
    }
    char *text = victim_file_format(body);
    size_t top = victim->file_shown ? textview_top(victim->file) : 0;
    set_text(victim, victim->file, text ? text : _("Not enough memory for the victim's file"));
    textview_scroll_to(victim->file, top);
    free(text);
    victim->file_shown = text != NULL;
    snprintf(victim->reference, sizeof victim->reference, "%s",
             cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "reference"))
                 ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "reference"))
                 : "");
}

static bool victim_document_loaded(struct screen *screen, int request_id, int http_status,
                                   const cJSON *body)
{
    struct victim_screen *victim = (struct victim_screen *)screen;
    if (request_id <= 0)
        return false;
    if (request_id == victim->alarm_request) {
        victim->alarm_request = 0;
        alarm_loaded(victim, http_status, body);
        if (victim->alarm_again)
            fetch_alarm(victim);
    } else if (request_id == victim->track_request) {
        victim->track_request = 0;
        if (http_status == 200 && cJSON_IsObject(body)) {
            cJSON_Delete(victim->track);
            victim->track = cJSON_Duplicate(body, true);
            show_position(victim);
        }
        if (victim->track_again)
            fetch_track(victim);
    } else if (request_id == victim->file_request) {
        victim->file_request = 0;
        file_loaded(victim, http_status, body);
    } else {
        return false;
    }
    return true;
}

static bool victim_selected_alarm(struct screen *screen, int64_t *alarm_id)
{
    struct victim_screen *victim = (struct victim_screen *)screen;
    *alarm_id = victim->alarm_id;
    return victim->alarm_id > 0;
}

static void victim_status(struct screen *screen, char *out, size_t size)
{
    struct victim_screen *victim = (struct victim_screen *)screen;
    size_t lines = textview_line_count(victim->file), top = textview_top(victim->file);
    size_t bottom = top + (size_t)(victim->file_height > 0 ? victim->file_height : 0);
    snprintf(out, size, _("Victim's file %s  alarm %lld  lines %zu-%zu/%zu"),
             victim->reference[0] ? victim->reference : "-", (long long)victim->alarm_id,
             lines ? top + 1 : 0, bottom < lines ? bottom : lines, lines);
}

const struct screen_ops screen_victim_ops = {
    .name = "victim",
    .keys = ACTION_SCREEN_VICTIM,
    .create = victim_create,
    .destroy = victim_destroy,
    .enter = victim_enter,
    .leave = victim_leave,
    .layout = victim_layout,
    .invalidate = victim_invalidate,
    .draw = victim_draw,
    .handle_action = victim_handle_action,
    .alarm_changed = victim_alarm_changed,
    .model_reloaded = victim_model_reloaded,
    .document_loaded = victim_document_loaded,
    .selected_alarm = victim_selected_alarm,
    .status = victim_status,
    .hints = victim_hints,
};
