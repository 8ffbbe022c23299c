/* screen_massalert.c: the mass alert composer (M on an alarm). The circle
 * is centred on the alarm's position (its phone's last fix, or its site's
 * address), or on what the operator types with c: coordinates in decimal
 * degrees or degrees-minutes-seconds, "site N" or "alarm N". Its radius
 * climbs the ladder with > and < (the presets 800 m, 3 km and 30 km are on
 * it) or is typed with r; s, e, v and p switch the channels. Each change
 * asks the server for a dry run (POST /v1/massalerts "dry_run": true):
 * how many agents the alert would reach on each channel, how many in the
 * circle are left out and why, and the sites with selected agents, drawn
 * on the braille map with the circle. The message, its template and the
 * sending are in screen_massalert_message.c. */
#include "console/screen_massalert_internal.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "console/geo_input.h"
#include "console/ui.h"

/* The circle takes at most this share of the view's half-size, and the
 * view shows at least this far around the centre. */
#define MASSALERT_CIRCLE_SHARE 0.85
#define MASSALERT_VIEW_MIN_M   300.0
/* A pan moves the view by this share of its size. */
#define MASSALERT_PAN_SHARE 0.25

static const enum action massalert_hints[] = {
    ACTION_HELP,
    ACTION_CIRCLE_GROW,
    ACTION_CIRCLE_SHRINK,
    ACTION_SET_CENTRE,
    ACTION_CHOOSE_TEMPLATE,
    ACTION_EDIT_MESSAGE,
    ACTION_SEND_ALERT,
    ACTION_BACK,
    ACTION_NONE,
};

const char *massalert_json_text(const cJSON *object, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsString(item) && item->valuestring ? item->valuestring : "";
}

double massalert_json_number(const cJSON *object, const char *name, double otherwise)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsNumber(item) ? item->valuedouble : otherwise;
}

/* ---- the counts ---- */

static struct client_massalert_body draft_body(const struct massalert_screen *screen)
{
    return (struct client_massalert_body){
        .centre = screen->centre,
        .radius_m = screen->radius_m,
        .channels = screen->channels,
        .message = screen->message,
    };
}

void massalert_recount(struct massalert_screen *screen)
{
    screen->counts_stale = true;
    screen->panel_dirty = true;
    if (screen->centre_state != MASSALERT_CENTRE_SET || screen->channels == 0)
        return;
    if (screen->count_request > 0) {
        screen->count_again = true;
        return;
    }
    struct client_massalert_body body = draft_body(screen);
    if (screen->too_long)
        body.message = NULL; /* the server would refuse it: count without it */
    screen->count_again = false;
    screen->count_request = client_massalert_dry_run(ui_client(screen->base.ui), &body);
    if (screen->count_request < 0) {
        screen->count_request = 0;
        snprintf(screen->count_error, sizeof screen->count_error, "%s",
                 _("Cannot count: the backend is not reachable"));
    }
}

static void counts_loaded(struct massalert_screen *screen, int http_status, const cJSON *body)
{
    screen->count_request = 0;
    if (screen->count_again) {
        massalert_recount(screen); /* the circle moved meanwhile: this answer is old */
        return;
    }
    screen->panel_dirty = screen->picture_dirty = true;
    if (http_status != 200 || !cJSON_IsObject(body)) {
        const char *why =
            massalert_json_text(cJSON_GetObjectItemCaseSensitive(body, "error"), "message");
        snprintf(screen->count_error, sizeof screen->count_error, _("Cannot count (HTTP %d): %s"),
                 http_status, why);
        return;
    }
    screen->count_error[0] = '\0';
    cJSON_Delete(screen->counts);
    screen->counts = cJSON_Duplicate(body, true);
    screen->counts_stale = false;
}

/* ---- the centre ---- */

static void view_follows(struct massalert_screen *screen)
{
    if (!screen->panned)
        screen->view_centre = screen->centre;
    if (!screen->zoomed)
        screen->zoom = map_view_zoom_to_fit(screen->canvas, screen->radius_m,
                                            MASSALERT_CIRCLE_SHARE, MASSALERT_VIEW_MIN_M);
    screen->picture_dirty = screen->panel_dirty = true;
}

static void set_centre(struct massalert_screen *screen, struct geo_point point, const char *label)
{
    screen->centre = point;
    screen->centre_state = MASSALERT_CENTRE_SET;
    screen->panned = false;
    snprintf(screen->label, sizeof screen->label, "%s", label);
    screen->problem[0] = '\0';
    view_follows(screen);
    massalert_recount(screen);
}

static void no_centre(struct massalert_screen *screen, const char *why)
{
    screen->centre_state = MASSALERT_CENTRE_NONE;
    snprintf(screen->problem, sizeof screen->problem, "%s", why);
    ui_status(screen->base.ui, STATUS_WARN, "%s", why);
    screen->panel_dirty = screen->picture_dirty = true;
}

static void fetch(struct massalert_screen *screen, int *request, const char *path)
{
    *request = client_get(ui_client(screen->base.ui), path);
    if (*request < 0) {
        *request = 0;
        no_centre(screen, _("Cannot load the centre: the backend is not reachable"));
        return;
    }
    screen->centre_state = MASSALERT_CENTRE_LOADING;
    screen->panel_dirty = true;
}

static void load_alarm(struct massalert_screen *screen, int64_t alarm_id)
{
    char path[64];
    screen->alarm_id = alarm_id;
    screen->site_request = 0;
    snprintf(path, sizeof path, "/v1/alarms/%lld", (long long)alarm_id);
    fetch(screen, &screen->alarm_request, path);
}

static void load_site(struct massalert_screen *screen, int64_t site_id)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/sites/%lld", (long long)site_id);
    fetch(screen, &screen->site_request, path);
}

/* An alarm: its phone's position, else its site's address. */
static void alarm_loaded(struct massalert_screen *screen, int http_status, const cJSON *alarm)
{
    char label[MASSALERT_LABEL_SIZE];
    if (http_status != 200 || !cJSON_IsObject(alarm)) {
        snprintf(label, sizeof label, _("Cannot load alarm %lld (HTTP %d)"),
                 (long long)screen->alarm_id, http_status);
        screen->alarm_id = 0;
        no_centre(screen, label);
        return;
    }
    snprintf(label, sizeof label, _("Alarm %lld: %s"), (long long)screen->alarm_id,
             massalert_json_text(alarm, "subject"));
    const cJSON *position = cJSON_GetObjectItemCaseSensitive(alarm, "position");
    struct geo_point point = {massalert_json_number(position, "lat", NAN),
                              massalert_json_number(position, "lon", NAN)};
    if (geo_point_valid(point)) {
        set_centre(screen, point, label);
        return;
    }
    double site_id = massalert_json_number(alarm, "site_id", 0);
    snprintf(screen->label, sizeof screen->label, "%s", label);
    if (site_id > 0) {
        load_site(screen, (int64_t)site_id);
        return;
    }
    snprintf(label, sizeof label, _("Alarm %lld has no position and no site: type a centre (c)"),
             (long long)screen->alarm_id);
    screen->alarm_id = 0;
    no_centre(screen, label);
}

static void site_loaded(struct massalert_screen *screen, int http_status, const cJSON *site)
{
    struct geo_point point = {massalert_json_number(site, "lat", NAN),
                              massalert_json_number(site, "lon", NAN)};
    char label[MASSALERT_LABEL_SIZE];
    if (http_status != 200 || !geo_point_valid(point)) {
        snprintf(label, sizeof label, "%s",
                 http_status == 200 ? _("The site has no position on file: type a centre (c)")
                                    : _("Cannot load the site: type a centre (c)"));
        screen->alarm_id = 0;
        no_centre(screen, label);
        return;
    }
    if (screen->alarm_id > 0) {
        snprintf(label, sizeof label, "%s", screen->label); /* the alarm's, at its site */
    } else {
        snprintf(label, sizeof label, _("Site %lld: %s"),
                 (long long)massalert_json_number(site, "id", 0),
                 massalert_json_text(site, "name"));
    }
    set_centre(screen, point, label);
}

static void centre_typed(struct ui *ui, void *context, bool accepted, const char *text)
{
    struct massalert_screen *screen = context;
    struct geo_input_centre centre;
    char error[GEO_ERROR_SIZE], label[MASSALERT_LABEL_SIZE];
    if (!accepted || !text[0])
        return;
    if (!geo_input_parse_centre(text, &centre, error)) {
        ui_status(ui, STATUS_ERROR, _("Not a centre: %s"), error);
        return;
    }
    screen->alarm_request = screen->site_request = 0; /* answers for the old centre are moot */
    switch (centre.kind) {
    case GEO_INPUT_ALARM:
        load_alarm(screen, centre.id);
        break;
    case GEO_INPUT_SITE:
        screen->alarm_id = 0;
        load_site(screen, centre.id);
        break;
    case GEO_INPUT_POINT:
        screen->alarm_id = 0;
        geo_format_decimal(centre.point, label);
        set_centre(screen, centre.point, label);
        break;
    }
}

static void ask_centre(struct massalert_screen *screen)
{
    struct ui_prompt_spec spec = {
        .prompt = _("Centre (43.7102, 7.262 / N 43 42 36.7 E 7 15 43.2 / site N / alarm N): "),
        .done = centre_typed,
        .history = screen->history,
        .context = screen,
    };
    ui_prompt(screen->base.ui, &spec);
}

/* ---- the radius and the channels ---- */

static void set_radius(struct massalert_screen *screen, double metres)
{
    char text[32];
    screen->radius_m = metres;
    screen->zoomed = false;
    view_follows(screen);
    massalert_format_radius(metres, text, sizeof text);
    ui_status(screen->base.ui, STATUS_INFO, _("Radius %s"), text);
    massalert_recount(screen);
}

static void radius_typed(struct ui *ui, void *context, bool accepted, const char *text)
{
    struct massalert_screen *screen = context;
    char error[GEO_ERROR_SIZE];
    double metres;
    if (!accepted || !text[0])
        return;
    if (!geo_input_parse_radius(text, &metres, error)) {
        ui_status(ui, STATUS_ERROR, _("Not a radius: %s"), error);
        return;
    }
    set_radius(screen, metres);
}

static void ask_radius(struct massalert_screen *screen, const char *argument)
{
    if (argument && argument[0]) {
        radius_typed(screen->base.ui, screen, true, argument);
        return;
    }
    struct ui_prompt_spec spec = {
        .prompt = _("Radius (800 m, 3 km, 30 km...): "),
        .done = radius_typed,
        .history = screen->history,
        .context = screen,
    };
    ui_prompt(screen->base.ui, &spec);
}

static void toggle_channel(struct massalert_screen *screen, enum client_massalert_channel channel)
{
    screen->channels ^= MASSALERT_CHANNEL(channel);
    if (screen->channels == 0) {
        screen->channels = MASSALERT_CHANNEL(channel);
        ui_status(screen->base.ui, STATUS_WARN, "%s",
                  _("At least one channel is needed: the last one stays on"));
        return;
    }
    massalert_recount(screen);
}

/* ---- the screen ---- */

static struct screen *massalert_create(struct ui *ui)
{
    struct massalert_screen *screen = calloc(1, sizeof *screen);
    if (!screen)
        return NULL;
    screen->base = (struct screen){&screen_massalert_ops, ui};
    screen->canvas = canvas_new(ui_window(ui), ui_charset(ui), ui_attr(ui, THEME_SLOT_MAP_BASE));
    screen->history = lineedit_history_new(LINEEDIT_HISTORY_MAX);
    if (!screen->canvas || !screen->history) {
        canvas_free(screen->canvas);
        lineedit_history_free(screen->history);
        free(screen);
        return NULL;
    }
    screen->radius_m = MASSALERT_RADIUS_DEFAULT_M;
    screen->channels = MASSALERT_CHANNEL(MASSALERT_SMS) | MASSALERT_CHANNEL(MASSALERT_EMAIL) |
                       MASSALERT_CHANNEL(MASSALERT_VOICE) | MASSALERT_CHANNEL(MASSALERT_PUSH);
    screen->template_index = -1;
    const char *locale = setlocale(LC_MESSAGES, NULL);
    snprintf(screen->language, sizeof screen->language, "%s",
             locale && strncmp(locale, "fr", 2) == 0 ? "fr" : "en");
    massalert_measure_message(screen);
    return &screen->base;
}

static void massalert_destroy(struct screen *base)
{
    struct massalert_screen *screen = (struct massalert_screen *)base;
    canvas_free(screen->canvas);
    lineedit_history_free(screen->history);
    cJSON_Delete(screen->counts);
    cJSON_Delete(screen->templates);
    free(screen);
}

static void massalert_enter(struct screen *base, enum screen_id from, int64_t alarm_id)
{
    (void)from;
    struct massalert_screen *screen = (struct massalert_screen *)base;
    screen->shown = true;
    screen->panel_dirty = screen->picture_dirty = true;
    if (!screen->templates && screen->templates_request == 0)
        massalert_load_templates(screen);
    if (alarm_id <= 0 || alarm_id == screen->alarm_id) {
        massalert_recount(screen); /* back from the help or the monitor: fresh counts */
        return;
    }
    /* A new alarm: a new circle around it; the message stays (the same
     * description often goes to a second area). */
    screen->radius_m = MASSALERT_RADIUS_DEFAULT_M;
    screen->panned = screen->zoomed = false;
    cJSON_Delete(screen->counts);
    screen->counts = NULL;
    screen->alarm_request = screen->site_request = 0;
    screen->label[0] = '\0';
    load_alarm(screen, alarm_id);
}

static void massalert_leave(struct screen *base)
{
    ((struct massalert_screen *)base)->shown = false;
}

static void massalert_layout(struct screen *base, int y, int x, int height, int width)
{
    struct massalert_screen *screen = (struct massalert_screen *)base;
    screen->y = y, screen->x = x, screen->height = height, screen->width = width;
    int map = width - MASSALERT_PANEL_COLUMNS - 1;
    screen->map_columns = map >= MASSALERT_MAP_MIN_COLUMNS ? map : 0;
    widget_resize(canvas_widget(screen->canvas), y, x, height, screen->map_columns);
    if (!screen->zoomed)
        view_follows(screen);
    screen->panel_dirty = screen->picture_dirty = true;
}

static void massalert_invalidate(struct screen *base)
{
    struct massalert_screen *screen = (struct massalert_screen *)base;
    widget_invalidate(canvas_widget(screen->canvas));
    screen->panel_dirty = true;
}

static void massalert_draw(struct screen *base)
{
    struct massalert_screen *screen = (struct massalert_screen *)base;
    if (screen->map_columns > 0) {
        if (screen->picture_dirty)
            massalert_paint_picture(screen);
        canvas_draw(screen->canvas);
    }
    screen->picture_dirty = false;
    massalert_draw_panel(screen);
}

static void pan(struct massalert_screen *screen, double east, double north)
{
    struct map_view view;
    map_view_init(&view, screen->canvas, screen->view_centre, screen->zoom);
    screen->view_centre = geo_unproject(&view.projection, east * view.width * view.scale,
                                        north * view.height * view.scale);
    screen->panned = true;
    screen->picture_dirty = true;
}

static int zoom(struct massalert_screen *screen, int step)
{
    int next = screen->zoom + step;
    if (next < 0 || next >= map_scale_count)
        return WIDGET_HANDLED;
    screen->zoom = next;
    screen->zoomed = true;
    screen->picture_dirty = true;
    return WIDGET_HANDLED | WIDGET_REDRAW;
}

static int massalert_handle_action(struct screen *base, enum action action, const char *argument)
{
    struct massalert_screen *screen = (struct massalert_screen *)base;
    switch (action) {
    case ACTION_CIRCLE_GROW:
    case ACTION_CIRCLE_SHRINK:
        set_radius(screen,
                   massalert_radius_step(screen->radius_m, action == ACTION_CIRCLE_GROW ? 1 : -1));
        break;
    case ACTION_SET_RADIUS:
        ask_radius(screen, argument);
        break;
    case ACTION_SET_CENTRE:
        if (argument && argument[0])
            centre_typed(base->ui, screen, true, argument);
        else
            ask_centre(screen);
        break;
    case ACTION_TOGGLE_SMS:
    case ACTION_TOGGLE_EMAIL:
    case ACTION_TOGGLE_VOICE:
    case ACTION_TOGGLE_PUSH:
        toggle_channel(screen, action == ACTION_TOGGLE_SMS     ? MASSALERT_SMS
                               : action == ACTION_TOGGLE_EMAIL ? MASSALERT_EMAIL
                               : action == ACTION_TOGGLE_VOICE ? MASSALERT_VOICE
                                                               : MASSALERT_PUSH);
        break;
    case ACTION_CHOOSE_TEMPLATE:
        massalert_choose_template(screen);
        break;
    case ACTION_TOGGLE_LANGUAGE:
        massalert_toggle_language(screen);
        break;
    case ACTION_EDIT_MESSAGE:
        massalert_edit_message(screen);
        break;
    case ACTION_SEND_ALERT:
        massalert_ask_send(screen);
        break;
    case ACTION_ZOOM_IN:
        return zoom(screen, -1);
    case ACTION_ZOOM_OUT:
        return zoom(screen, 1);
    case ACTION_PAN_LEFT:
    case ACTION_PAN_RIGHT:
    case ACTION_PAN_UP:
    case ACTION_PAN_DOWN:
        if (screen->centre_state == MASSALERT_CENTRE_SET)
            pan(screen,
                action == ACTION_PAN_LEFT    ? -MASSALERT_PAN_SHARE
                : action == ACTION_PAN_RIGHT ? MASSALERT_PAN_SHARE
                                             : 0,
                action == ACTION_PAN_UP     ? MASSALERT_PAN_SHARE
                : action == ACTION_PAN_DOWN ? -MASSALERT_PAN_SHARE
                                            : 0);
        break;
    case ACTION_RECENTER:
        screen->panned = screen->zoomed = false;
        view_follows(screen);
        break;
    case ACTION_REFRESH:
        if (!screen->templates)
            massalert_load_templates(screen);
        massalert_recount(screen);
        break;
    default:
        return WIDGET_IGNORED;
    }
    return WIDGET_HANDLED | WIDGET_REDRAW;
}

static bool massalert_document_loaded(struct screen *base, int request_id, int http_status,
                                      const cJSON *body)
{
    struct massalert_screen *screen = (struct massalert_screen *)base;
    if (request_id <= 0)
        return false;
    if (request_id == screen->count_request) {
        counts_loaded(screen, http_status, body);
    } else if (request_id == screen->alarm_request) {
        screen->alarm_request = 0;
        alarm_loaded(screen, http_status, body);
    } else if (request_id == screen->site_request) {
        screen->site_request = 0;
        site_loaded(screen, http_status, body);
    } else if (request_id == screen->templates_request) {
        screen->templates_request = 0;
        massalert_templates_loaded(screen, http_status, body);
    } else if (request_id == screen->send_request) {
        screen->send_request = 0;
        massalert_sent(screen, http_status, body);
    } else {
        return false;
    }
    return true;
}

static bool massalert_selected_alarm(struct screen *base, int64_t *alarm_id)
{
    struct massalert_screen *screen = (struct massalert_screen *)base;
    *alarm_id = screen->alarm_id;
    return screen->alarm_id > 0;
}

static void massalert_status(struct screen *base, char *out, size_t size)
{
    struct massalert_screen *screen = (struct massalert_screen *)base;
    char radius[32];
    massalert_format_radius(screen->radius_m, radius, sizeof radius);
    snprintf(out, size, _("Mass alert: %s around %s"), radius,
             screen->centre_state == MASSALERT_CENTRE_SET ? screen->label : _("(no centre)"));
}

const struct screen_ops screen_massalert_ops = {
    .name = "massalert",
    .keys = ACTION_SCREEN_MASSALERT,
    .create = massalert_create,
    .destroy = massalert_destroy,
    .enter = massalert_enter,
    .leave = massalert_leave,
    .layout = massalert_layout,
    .invalidate = massalert_invalidate,
    .draw = massalert_draw,
    .handle_action = massalert_handle_action,
    .document_loaded = massalert_document_loaded,
    .selected_alarm = massalert_selected_alarm,
    .status = massalert_status,
    .hints = massalert_hints,
};
