/* screen_escalate.c: the escalation dialog (e on an alarm). It shows what
 * the server would send now (GET /v1/alarms/{id}/escalations?draft=true):
 * who (the agency, chosen with Up/Down, with its gateways and the number
 * to phone), where (coordinates, accuracy, address), what (class, zone,
 * victim and aggressor); n adds the operator's line; e asks for a
 * confirmation that names the agency and the place, and only then sends.
 * Once the server has queued it, the alarm's detail shows the delivery.
 * The screen reads the draft once per opening (each read of a victim's
 * details is audited); F5 reads it again. A read-only console never gets
 * here: escalate changes data, so the keymap's check refuses it first. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "console/client.h"
#include "console/client_escalation.h"
#include "console/screen.h"
#include "console/screen_detail_escalations.h"
#include "console/ui.h"
#include "widgets/textview.h"

/* The API's bound on the operator's line. */
#define ESCALATE_TEXT_MAX 500
/* The agencies, in the server's order. */
#define ESCALATE_AGENCIES 4
/* Width of the labels column. */
#define ESCALATE_LABEL_WIDTH 11

static const char *const agency_names[ESCALATE_AGENCIES] = {"police", "gendarmerie", "fire",
                                                            "medical"};

struct escalate_screen {
    struct screen base;
    struct textview *view;
    int64_t alarm_id;
    int draft_request, send_request; /* in flight; 0: none */
    cJSON *answer;                   /* the draft and the agencies, once loaded */
    int agency;                      /* index in agency_names */
    char text[ESCALATE_TEXT_MAX + 1];
    int height;
    struct lineedit_history *history;
};

static const enum action escalate_hints[] = {
    ACTION_MOVE_DOWN, ACTION_NOTE, ACTION_ESCALATE, ACTION_BACK, ACTION_NONE,
};

static const char *string_at(const cJSON *json, const char *first, const char *second)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, first);
    if (second)
        item = cJSON_GetObjectItemCaseSensitive(item, second);
    return cJSON_IsString(item) && item->valuestring ? item->valuestring : "";
}

static const cJSON *agency_info(const struct escalate_screen *screen, int index)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(screen->answer, "agencies"))
    {
        if (strcmp(string_at(item, "agency", NULL), agency_names[index]) == 0)
            return item;
    }
    return NULL;
}

static bool agency_configured(const struct escalate_screen *screen, int index)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(agency_info(screen, index), "configured"));
}

static const char *agency_phone(const struct escalate_screen *screen, int index)
{
    return string_at(agency_info(screen, index), "phone", NULL);
}

/* ---- the text ---- */

struct text {
    char data[16384];
    size_t length;
};

static void add(struct text *text, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void add(struct text *text, const char *format, ...)
{
    if (text->length >= sizeof text->data - 1)
        return;
    va_list args;
    va_start(args, format);
    int written =
        vsnprintf(text->data + text->length, sizeof text->data - text->length, format, args);
    va_end(args);
    if (written > 0)
        text->length += (size_t)written < sizeof text->data - text->length
                            ? (size_t)written
                            : sizeof text->data - text->length - 1;
}

static void who(const struct escalate_screen *screen, struct text *text)
{
    for (int i = 0; i < ESCALATE_AGENCIES; i++) {
        const cJSON *info = agency_info(screen, i);
        bool cap = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(info, "cap"));
        bool json = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(info, "json"));
        const char *gateway = cap && json ? _("CAP and JSON gateways")
                              : cap       ? _("CAP gateway")
                              : json      ? _("JSON gateway")
                                          : _("no gateway");
        add(text, "%-*s%s %-16s %-22s %s %s\n", ESCALATE_LABEL_WIDTH, i == 0 ? _("Who") : "",
            i == screen->agency ? ">" : " ", escalation_agency_label(agency_names[i]), gateway,
            _("phone"), agency_phone(screen, i));
    }
}

static void where(const cJSON *draft, struct text *text)
{
    const cJSON *location = cJSON_GetObjectItemCaseSensitive(draft, "location");
    const cJSON *position = cJSON_GetObjectItemCaseSensitive(location, "position");
    bool first = true;
    if (cJSON_IsObject(position)) {
        double lat = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(position, "lat"));
        double lon = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(position, "lon"));
        double accuracy =
            cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(position, "accuracy_m"));
        const char *source = string_at(position, "source", NULL);
        add(text, "%-*s%.6f, %.6f", ESCALATE_LABEL_WIDTH, _("Where"), lat, lon);
        if (accuracy > 0)
            add(text, _("  +/- %.0f m"), accuracy);
        add(text, " (%s)\n", strcmp(source, "site") == 0 ? _("the site's address") : source);
        first = false;
    }
    const char *address = string_at(location, "address", NULL);
    add(text, "%-*s%s%s%s\n", ESCALATE_LABEL_WIDTH, first ? _("Where") : "",
        string_at(location, "subject", NULL), address[0] ? ", " : "", address);
    if (first)
        add(text, "%-*s%s\n", ESCALATE_LABEL_WIDTH, "", _("no position: the address only"));
}

static void what(const cJSON *draft, struct text *text)
{
    const cJSON *alarm = cJSON_GetObjectItemCaseSensitive(draft, "alarm");
    const cJSON *zone = cJSON_GetObjectItemCaseSensitive(alarm, "zone");
    add(text, _("%-*s%s (%s), priority %d"), ESCALATE_LABEL_WIDTH, _("What"),
        string_at(alarm, "event", NULL), string_at(alarm, "class", NULL),
        (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(alarm, "priority")));
    if (cJSON_IsObject(zone))
        add(text, _(", zone %d%s%s"),
            (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(zone, "number")),
            string_at(zone, "name", NULL)[0] ? ": " : "", string_at(zone, "name", NULL));
    add(text, "\n");
    const cJSON *victim = cJSON_GetObjectItemCaseSensitive(draft, "victim");
    if (cJSON_IsObject(victim))
        add(text, _("%-*s%s (%s), phone %s\n"), ESCALATE_LABEL_WIDTH, _("Victim"),
            string_at(victim, "name", NULL), string_at(victim, "reference", NULL),
            string_at(victim, "phone", NULL));
    const cJSON *aggressor = cJSON_GetObjectItemCaseSensitive(draft, "aggressor");
    if (cJSON_IsObject(aggressor))
        add(text, _("%-*s%s - %s - vehicle %s, plate %s\n"), ESCALATE_LABEL_WIDTH, _("Aggressor"),
            string_at(aggressor, "name", NULL), string_at(aggressor, "description", NULL),
            string_at(aggressor, "vehicle", NULL), string_at(aggressor, "plate", NULL));
}

static void render(struct escalate_screen *screen)
{
    struct text *text = calloc(1, sizeof *text);
    if (!text)
        return;
    const cJSON *draft = cJSON_GetObjectItemCaseSensitive(screen->answer, "draft");
    add(text, _("Escalate alarm %lld to the emergency services\n\n"), (long long)screen->alarm_id);
    who(screen, text);
    where(draft, text);
    what(draft, text);
    add(text, "%-*s%s\n\n", ESCALATE_LABEL_WIDTH, _("Your line"),
        screen->text[0] ? screen->text : _("(none: n adds one)"));
    add(text, "%s\n", _("Up/Down: who   n: your line   e: send (you confirm first)   q: cancel"));
    size_t top = textview_top(screen->view);
    if (textview_set_text(screen->view, text->data) < 0)
        ui_status(screen->base.ui, STATUS_ERROR, "%s", _("Not enough memory for the escalation"));
    textview_scroll_to(screen->view, top);
    free(text);
}

/* ---- reading the draft ---- */

static void fetch(struct escalate_screen *screen)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/alarms/%lld/escalations?draft=true",
             (long long)screen->alarm_id);
    screen->draft_request = client_get(ui_client(screen->base.ui), path);
    if (screen->draft_request < 0) {
        screen->draft_request = 0;
        ui_status(screen->base.ui, STATUS_ERROR,
                  _("Cannot prepare the escalation: the backend is not reachable. Phone the "
                    "emergency services."));
    }
}

/* The agency a class calls for first: the operator changes it with a key. */
static int agency_for_class(const char *class_name)
{
    if (strcmp(class_name, "fire") == 0)
        return 2;
    if (strcmp(class_name, "medical") == 0)
        return 3;
    return 0;
}

static void take_draft(struct escalate_screen *screen, int http_status, const cJSON *body)
{
    if (http_status != 200 || !cJSON_IsObject(body)) {
        char message[256];
        const char *why =
            string_at(cJSON_GetObjectItemCaseSensitive(body, "error"), "message", NULL);
        snprintf(message, sizeof message, _("Cannot prepare the escalation (HTTP %d): %s"),
                 http_status, why);
        textview_set_text(screen->view, message);
        ui_status(screen->base.ui, STATUS_ERROR, "%s", message);
        return;
    }
    bool first = !screen->answer;
    cJSON_Delete(screen->answer);
    screen->answer = cJSON_Duplicate(body, true);
    if (first)
        screen->agency = agency_for_class(
            string_at(cJSON_GetObjectItemCaseSensitive(screen->answer, "draft"), "alarm", "class"));
    render(screen);
}

/* ---- sending ---- */

static void confirmed(struct ui *ui, void *context, enum dialog_answer answer, size_t choice)
{
    (void)choice;
    struct escalate_screen *screen = context;
    const char *agency = escalation_agency_label(agency_names[screen->agency]);
    if (answer != DIALOG_YES) {
        ui_status(ui, STATUS_INFO, _("Escalation to %s cancelled: nothing was sent"), agency);
        return;
    }
    screen->send_request = client_escalate(ui_client(ui), screen->alarm_id,
                                           agency_names[screen->agency], screen->text);
    if (screen->send_request < 0) {
        screen->send_request = 0;
        ui_status(ui, STATUS_ERROR,
                  _("Cannot escalate: the backend is not reachable; nothing was sent. Phone %s"),
                  agency_phone(screen, screen->agency));
        return;
    }
    ui_status(ui, STATUS_INFO, _("Escalating alarm %lld to %s..."), (long long)screen->alarm_id,
              agency);
}

static void ask_confirmation(struct escalate_screen *screen)
{
    struct ui *ui = screen->base.ui;
    int index = screen->agency;
    const char *agency = escalation_agency_label(agency_names[index]);
    if (!screen->answer) {
        ui_status(ui, STATUS_WARN, "%s", _("The escalation is still being prepared"));
        return;
    }
    if (screen->send_request > 0) {
        ui_status(ui, STATUS_WARN, "%s", _("The escalation is being sent: wait for the answer"));
        return;
    }
    if (!agency_configured(screen, index)) {
        ui_status(ui, STATUS_ERROR, _("No gateway is configured for %s: phone %s instead"), agency,
                  agency_phone(screen, index));
        return;
    }
    const cJSON *location = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(screen->answer, "draft"), "location");
    const cJSON *position = cJSON_GetObjectItemCaseSensitive(location, "position");
    const char *address = string_at(location, "address", NULL);
    char title[96], message[768], place[512];
    int used = snprintf(place, sizeof place, "%s%s%s", string_at(location, "subject", NULL),
                        address[0] ? ", " : "", address);
    if (cJSON_IsObject(position) && used > 0 && (size_t)used < sizeof place) {
        double accuracy =
            cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(position, "accuracy_m"));
        used += snprintf(place + used, sizeof place - (size_t)used, "\n       %.6f, %.6f",
                         cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(position, "lat")),
                         cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(position, "lon")));
        if (accuracy > 0 && used > 0 && (size_t)used < sizeof place)
            snprintf(place + used, sizeof place - (size_t)used, _("  +/- %.0f m"), accuracy);
    }
    snprintf(title, sizeof title, _("Escalate to %s"), agency);
    snprintf(message, sizeof message,
             _("Send alarm %lld to %s now?\n\nWhere: %s\n\nIf it cannot be delivered, you will be "
               "told to phone %s."),
             (long long)screen->alarm_id, agency, place, agency_phone(screen, index));
    char yes[96];
    snprintf(yes, sizeof yes, _("Send to %s"), agency);
    if (!ui_confirm(ui, title, message, L'y', yes, _("Cancel"), confirmed, screen))
        ui_status(ui, STATUS_WARN, "%s", _("Finish the question on screen first"));
}

static void sent(struct escalate_screen *screen, int http_status, const cJSON *body)
{
    struct ui *ui = screen->base.ui;
    const char *agency = escalation_agency_label(agency_names[screen->agency]);
    if (http_status != 201) {
        const char *why =
            string_at(cJSON_GetObjectItemCaseSensitive(body, "error"), "message", NULL);
        ui_status(ui, STATUS_ERROR, _("Escalation to %s refused: %s"), agency,
                  why[0] ? why : _("no answer"));
        return;
    }
    int64_t alarm_id = screen->alarm_id;
    ui_status(ui, STATUS_INFO, _("Alarm %lld escalated to %s: queued for delivery"),
              (long long)alarm_id, agency);
    screen->text[0] = '\0';
    /* Back where the operator came from, then the alarm's detail, where
     * the delivery shows. */
    ui_back(ui);
    ui_open_screen(ui, SCREEN_DETAIL, alarm_id);
}

static void line_done(struct ui *ui, void *context, bool accepted, const char *line)
{
    (void)ui;
    struct escalate_screen *screen = context;
    if (!accepted)
        return;
    snprintf(screen->text, sizeof screen->text, "%s", line);
    render(screen);
}

static void ask_line(struct escalate_screen *screen)
{
    char prompt[96];
    snprintf(prompt, sizeof prompt, _("Your line for %s: "),
             escalation_agency_label(agency_names[screen->agency]));
    struct ui_prompt_spec spec = {
        .prompt = prompt,
        .initial = screen->text,
        .done = line_done,
        .history = screen->history,
        .context = screen,
    };
    ui_prompt(screen->base.ui, &spec);
}

/* ---- the screen ---- */

static struct screen *escalate_create(struct ui *ui)
{
    struct escalate_screen *screen = calloc(1, sizeof *screen);
    if (!screen)
        return NULL;
    screen->base = (struct screen){&screen_escalate_ops, ui};
    struct textview_style style = {
        .text = ui_attr(ui, THEME_SLOT_TEXT),
        .match = ui_attr(ui, THEME_SLOT_MATCH),
        .current_match = ui_attr(ui, THEME_SLOT_MATCH) | A_REVERSE,
        .marker = ui_attr(ui, THEME_SLOT_BORDER),
    };
    screen->view = textview_new(ui_window(ui), ui_charset(ui), &style);
    screen->history = lineedit_history_new(LINEEDIT_HISTORY_MAX);
    if (!screen->view || !screen->history) {
        textview_free(screen->view);
        lineedit_history_free(screen->history);
        free(screen);
        return NULL;
    }
    return &screen->base;
}

static void escalate_destroy(struct screen *base)
{
    struct escalate_screen *screen = (struct escalate_screen *)base;
    textview_free(screen->view);
    lineedit_history_free(screen->history);
    cJSON_Delete(screen->answer);
    free(screen);
}

static void escalate_enter(struct screen *base, enum screen_id from, int64_t alarm_id)
{
    (void)from;
    struct escalate_screen *screen = (struct escalate_screen *)base;
    if (alarm_id <= 0)
        return; /* back here from the help: as it was */
    if (alarm_id != screen->alarm_id)
        screen->text[0] = '\0';
    screen->alarm_id = alarm_id;
    cJSON_Delete(screen->answer);
    screen->answer = NULL;
    screen->send_request = 0;
    char loading[128];
    snprintf(loading, sizeof loading, _("Preparing the escalation of alarm %lld..."),
             (long long)alarm_id);
    textview_set_text(screen->view, loading);
    fetch(screen);
}

static void escalate_layout(struct screen *base, int y, int x, int height, int width)
{
    struct escalate_screen *screen = (struct escalate_screen *)base;
    screen->height = height;
    widget_resize(textview_widget(screen->view), y, x, height, width);
}

static void escalate_invalidate(struct screen *base)
{
    widget_invalidate(textview_widget(((struct escalate_screen *)base)->view));
}

static void escalate_draw(struct screen *base)
{
    textview_draw(((struct escalate_screen *)base)->view);
}

static int escalate_handle_action(struct screen *base, enum action action, const char *argument)
{
    (void)argument;
    struct escalate_screen *screen = (struct escalate_screen *)base;
    switch (action) {
    case ACTION_MOVE_UP:
    case ACTION_MOVE_DOWN:
        if (!screen->answer)
            break;
        screen->agency = (screen->agency + (action == ACTION_MOVE_UP ? ESCALATE_AGENCIES - 1 : 1)) %
                         ESCALATE_AGENCIES;
        render(screen);
        break;
    case ACTION_PAGE_UP:
    case ACTION_PAGE_DOWN:
        textview_scroll(screen->view, action == ACTION_PAGE_UP ? -screen->height : screen->height);
        break;
    case ACTION_NOTE:
        ask_line(screen);
        return WIDGET_HANDLED;
    case ACTION_ESCALATE:
        ask_confirmation(screen);
        return WIDGET_HANDLED;
    case ACTION_REFRESH:
        fetch(screen);
        break;
    default:
        return WIDGET_IGNORED;
    }
    return WIDGET_HANDLED | WIDGET_REDRAW;
}

static bool escalate_document_loaded(struct screen *base, int request_id, int http_status,
                                     const cJSON *body)
{
    struct escalate_screen *screen = (struct escalate_screen *)base;
    if (request_id <= 0)
        return false;
    if (request_id == screen->draft_request) {
        screen->draft_request = 0;
        take_draft(screen, http_status, body);
        return true;
    }
    if (request_id == screen->send_request) {
        screen->send_request = 0;
        sent(screen, http_status, body);
        return true;
    }
    return false;
}

static bool escalate_selected_alarm(struct screen *base, int64_t *alarm_id)
{
    struct escalate_screen *screen = (struct escalate_screen *)base;
    *alarm_id = screen->alarm_id;
    return screen->alarm_id > 0;
}

static void escalate_status(struct screen *base, char *out, size_t size)
{
    struct escalate_screen *screen = (struct escalate_screen *)base;
    snprintf(out, size, _("Escalate alarm %lld to %s"), (long long)screen->alarm_id,
             escalation_agency_label(agency_names[screen->agency]));
}

const struct screen_ops screen_escalate_ops = {
    .name = "escalate",
    .keys = ACTION_SCREEN_DETAIL,
    .create = escalate_create,
    .destroy = escalate_destroy,
    .enter = escalate_enter,
    .layout = escalate_layout,
    .invalidate = escalate_invalidate,
    .draw = escalate_draw,
    .handle_action = escalate_handle_action,
    .document_loaded = escalate_document_loaded,
    .selected_alarm = escalate_selected_alarm,
    .status = escalate_status,
    .hints = escalate_hints,
};
