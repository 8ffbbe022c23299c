/* screen_detail.c: one alarm in full (Enter on the queue). The text comes
 * from GET /v1/alarms/{id} through client_get and is fetched again each
 * time the model says this alarm changed, keeping the scroll position, so
 * a note or a claim from another console shows without a key. Claim,
 * acknowledge, note and close work here on the alarm shown. */
#include "console/screen_detail.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "console/client.h"
#include "console/screen.h"
#include "console/screen_detail_escalations.h"
#include "console/ui.h"
#include "widgets/textview.h"

struct detail_screen {
    struct screen base;
    struct textview *view;
    int64_t alarm_id;
    int request; /* in flight; 0: none */
    bool again;  /* the alarm changed while a request was in flight */
    bool loaded; /* the text is the alarm's, not a "Loading" line */
    bool shown;
    bool stale; /* changed while another screen was shown */
    int height; /* of the text, below the escalation lines */
    int y, x, width, full_height;
    struct detail_escalations escalations; /* coloured lines above the text */
    char search[TEXTVIEW_PATTERN_MAX];
    struct lineedit_history *history;
};

static const enum action detail_hints[] = {
    ACTION_HELP,  ACTION_CLAIM, ACTION_ACKNOWLEDGE, ACTION_NOTE,
    ACTION_CLOSE, ACTION_BACK,  ACTION_NONE,
};

static void set_text(struct detail_screen *detail, const char *text)
{
    if (textview_set_text(detail->view, text) < 0)
        ui_status(detail->base.ui, STATUS_ERROR, "%s", _("Not enough memory for the alarm"));
}

/* The escalation lines on top (never the whole screen), the text below. */
static void place(struct detail_screen *detail)
{
    int rows = (int)detail->escalations.count;
    if (rows >= detail->full_height)
        rows = detail->full_height > 1 ? detail->full_height - 1 : 0;
    detail->height = detail->full_height - rows;
    widget_resize(textview_widget(detail->view), detail->y + rows, detail->x, detail->height,
                  detail->width);
    detail->escalations.dirty = true;
}

static void fetch(struct detail_screen *detail)
{
    if (detail->alarm_id <= 0)
        return;
    if (detail->request > 0) {
        detail->again = true;
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/v1/alarms/%lld", (long long)detail->alarm_id);
    detail->request = client_get(ui_client(detail->base.ui), path);
    detail->again = false;
    if (detail->request < 0) {
        detail->request = 0;
        ui_status(detail->base.ui, STATUS_WARN,
                  _("Cannot load alarm %lld: the backend is not reachable"),
                  (long long)detail->alarm_id);
    }
}

static struct screen *detail_create(struct ui *ui)
{
    struct detail_screen *detail = calloc(1, sizeof *detail);
    if (!detail)
        return NULL;
    detail->base = (struct screen){&screen_detail_ops, ui};
    struct textview_style style = {
        .text = ui_attr(ui, THEME_SLOT_TEXT),
        .match = ui_attr(ui, THEME_SLOT_MATCH),
        .current_match = ui_attr(ui, THEME_SLOT_MATCH) | A_REVERSE,
        .marker = ui_attr(ui, THEME_SLOT_BORDER),
    };
    detail->view = textview_new(ui_window(ui), ui_charset(ui), &style);
    detail->history = lineedit_history_new(LINEEDIT_HISTORY_MAX);
    if (!detail->view || !detail->history) {
        textview_free(detail->view);
        lineedit_history_free(detail->history);
        free(detail);
        return NULL;
    }
    return &detail->base;
}

static void detail_destroy(struct screen *screen)
{
    struct detail_screen *detail = (struct detail_screen *)screen;
    textview_free(detail->view);
    lineedit_history_free(detail->history);
    free(detail);
}

static void detail_enter(struct screen *screen, enum screen_id from, int64_t alarm_id)
{
    (void)from;
    struct detail_screen *detail = (struct detail_screen *)screen;
    detail->shown = true;
    if (alarm_id > 0 && alarm_id != detail->alarm_id) {
        detail->alarm_id = alarm_id;
        detail->loaded = false;
        detail->request = 0; /* an answer for the previous alarm is ignored */
        if (detail_escalations_update(&detail->escalations, NULL))
            place(detail);
        char text[128];
        snprintf(text, sizeof text, _("Loading alarm %lld..."), (long long)alarm_id);
        set_text(detail, text);
        fetch(detail);
    } else if (detail->stale || alarm_id == detail->alarm_id) {
        fetch(detail);
    }
    detail->stale = false;
}

static void detail_leave(struct screen *screen)
{
    ((struct detail_screen *)screen)->shown = false;
}

static void detail_layout(struct screen *screen, int y, int x, int height, int width)
{
    struct detail_screen *detail = (struct detail_screen *)screen;
    detail->y = y;
    detail->x = x;
    detail->full_height = height;
    detail->width = width;
    place(detail);
}

static void detail_invalidate(struct screen *screen)
{
    struct detail_screen *detail = (struct detail_screen *)screen;
    detail->escalations.dirty = true;
    widget_invalidate(textview_widget(detail->view));
}

static void detail_draw(struct screen *screen)
{
    struct detail_screen *detail = (struct detail_screen *)screen;
    detail_escalations_draw(&detail->escalations, screen->ui, detail->y, detail->x, detail->width);
    textview_draw(detail->view);
}

static void search_done(struct ui *ui, void *context, bool accepted, const char *text)
{
    struct detail_screen *detail = context;
    if (!accepted)
        return;
    snprintf(detail->search, sizeof detail->search, "%s", text);
    size_t found = textview_search(detail->view, text);
    if (text[0] && found == 0)
        ui_status(ui, STATUS_WARN, _("No match for '%s'"), text);
    else if (text[0])
        ui_status(ui, STATUS_INFO, _("%zu matches for '%s'"), found, text);
}

static int open_search(struct detail_screen *detail, const char *argument)
{
    if (argument) {
        search_done(detail->base.ui, detail, true, argument);
        return WIDGET_HANDLED | WIDGET_REDRAW;
    }
    struct ui_prompt_spec spec = {
        .prompt = _("Search: "),
        .initial = detail->search,
        .done = search_done,
        .history = detail->history,
        .context = detail,
    };
    ui_prompt(detail->base.ui, &spec);
    return WIDGET_HANDLED;
}

static int detail_handle_action(struct screen *screen, enum action action, const char *argument)
{
    struct detail_screen *detail = (struct detail_screen *)screen;
    long page = detail->height > 1 ? detail->height - 1 : 1;
    switch (action) {
    case ACTION_MOVE_UP:
        textview_scroll(detail->view, -1);
        break;
    case ACTION_MOVE_DOWN:
        textview_scroll(detail->view, 1);
        break;
    case ACTION_PAGE_UP:
        textview_scroll(detail->view, -page);
        break;
    case ACTION_PAGE_DOWN:
        textview_scroll(detail->view, page);
        break;
    case ACTION_FIRST:
        textview_scroll_to(detail->view, 0);
        break;
    case ACTION_LAST:
        textview_scroll_to(detail->view, textview_line_count(detail->view));
        break;
    case ACTION_FILTER:
        return open_search(detail, argument);
    case ACTION_NEXT_MATCH:
    case ACTION_PREVIOUS_MATCH:
        if (!textview_search_next(detail->view, action == ACTION_PREVIOUS_MATCH))
            ui_status(screen->ui, STATUS_INFO, "%s", _("No search in force: / searches"));
        break;
    case ACTION_REFRESH:
        fetch(detail);
        break;
    default:
        return WIDGET_IGNORED;
    }
    return WIDGET_HANDLED | WIDGET_REDRAW;
}

static void detail_alarm_changed(struct screen *screen, const struct console_alarm *alarm,
                                 enum model_change change)
{
    struct detail_screen *detail = (struct detail_screen *)screen;
    if (change == MODEL_UNCHANGED || !alarm || alarm->id != detail->alarm_id)
        return;
    if (detail->shown)
        fetch(detail);
    else
        detail->stale = true;
}

static void detail_model_reloaded(struct screen *screen)
{
    struct detail_screen *detail = (struct detail_screen *)screen;
    if (detail->shown)
        fetch(detail);
    else
        detail->stale = true;
}

static void show_error(struct detail_screen *detail, int http_status, const cJSON *body)
{
    const cJSON *error = body ? cJSON_GetObjectItemCaseSensitive(body, "error") : NULL;
    const cJSON *message = error ? cJSON_GetObjectItemCaseSensitive(error, "message") : NULL;
    char text[512];
    snprintf(text, sizeof text, _("Cannot load alarm %lld: HTTP %d%s%s"),
             (long long)detail->alarm_id, http_status, cJSON_IsString(message) ? ", " : "",
             cJSON_IsString(message) ? message->valuestring : "");
    if (!detail->loaded)
        set_text(detail, text);
    ui_status(detail->base.ui, STATUS_WARN, "%s", text);
}

static bool detail_document_loaded(struct screen *screen, int request_id, int http_status,
                                   const cJSON *body)
{
    struct detail_screen *detail = (struct detail_screen *)screen;
    if (detail->request <= 0 || request_id != detail->request)
        return false;
    detail->request = 0;
    if (http_status != 200 || !cJSON_IsObject(body)) {
        show_error(detail, http_status, body);
    } else {
        if (detail_escalations_update(&detail->escalations, body))
            place(detail);
        char *text = screen_detail_format(body, ui_now_ms(screen->ui));
        size_t top = detail->loaded ? textview_top(detail->view) : 0;
        set_text(detail, text ? text : _("Not enough memory for the alarm"));
        textview_scroll_to(detail->view, top);
        free(text);
        detail->loaded = text != NULL;
    }
    if (detail->again)
        fetch(detail);
    return true;
}

static bool detail_selected_alarm(struct screen *screen, int64_t *alarm_id)
{
    struct detail_screen *detail = (struct detail_screen *)screen;
    *alarm_id = detail->alarm_id;
    return detail->alarm_id > 0;
}

static void detail_status(struct screen *screen, char *out, size_t size)
{
    struct detail_screen *detail = (struct detail_screen *)screen;
    size_t lines = textview_line_count(detail->view), top = textview_top(detail->view);
    size_t bottom = top + (size_t)(detail->height > 0 ? detail->height : 0);
    int used = snprintf(out, size, _("Alarm %lld  lines %zu-%zu/%zu"), (long long)detail->alarm_id,
                        lines ? top + 1 : 0, bottom < lines ? bottom : lines, lines);
    size_t matches = textview_match_count(detail->view);
    if (used > 0 && (size_t)used < size && detail->search[0])
        snprintf(out + used, size - (size_t)used, _("  '%s' %zu/%zu"), detail->search,
                 matches ? textview_current_match(detail->view) + 1 : 0, matches);
}

const struct screen_ops screen_detail_ops = {
    .name = "detail",
    .keys = ACTION_SCREEN_DETAIL,
    .create = detail_create,
    .destroy = detail_destroy,
    .enter = detail_enter,
    .leave = detail_leave,
    .layout = detail_layout,
    .invalidate = detail_invalidate,
    .draw = detail_draw,
    .handle_action = detail_handle_action,
    .alarm_changed = detail_alarm_changed,
    .model_reloaded = detail_model_reloaded,
    .document_loaded = detail_document_loaded,
    .selected_alarm = detail_selected_alarm,
    .status = detail_status,
    .hints = detail_hints,
};
