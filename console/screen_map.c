/* screen_map.c: the map of one alarm (m on the queue or the detail). It
 * loads the alarm (GET /v1/alarms/{id}: a protection phone's last position
 * and its accuracy), or its site's address when no device gave a position
 * (GET /v1/sites/{id}), then what is around it (GET /v1/places), and draws
 * them with the braille canvas beside a side panel. When the model says
 * the alarm changed (a phone sent a new position), it loads it again and
 * the view follows, unless the operator moved it. Keys zoom, pan,
 * recentre and copy the location (OSC 52). */
#include "console/screen_map.h"
#include "console/screen_map_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/i18n.h"
#include "console/client.h"
#include "console/clipboard.h"
#include "console/ui.h"

/* A new position nearer than this to the last one is the same place (a
 * phone's fixes jitter); the places around are not asked for again. */
#define MAP_SAME_PLACE_M 25.0
/* A pan moves the view by this share of its width or height. */
#define MAP_PAN_SHARE 0.25

static const enum action map_hints[] = {
    ACTION_HELP,     ACTION_ZOOM_IN,       ACTION_ZOOM_OUT, ACTION_RECENTER,
    ACTION_PAN_LEFT, ACTION_COPY_LOCATION, ACTION_BACK,     ACTION_NONE,
};

/* ---- loading ---- */

static void fetch(struct map_screen *map, int *request, const char *path, const char *what)
{
    *request = client_get(ui_client(map->base.ui), path);
    if (*request < 0) {
        *request = 0;
        ui_status(map->base.ui, STATUS_WARN, _("Cannot load %s: the backend is not reachable"),
                  what);
    }
}

static void fetch_alarm(struct map_screen *map)
{
    if (map->alarm_id <= 0)
        return;
    if (map->detail_request > 0) {
        map->again = true;
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/v1/alarms/%lld", (long long)map->alarm_id);
    map->again = false;
    fetch(map, &map->detail_request, path, _("the alarm"));
}

static void fetch_places(struct map_screen *map)
{
    char lat[24], lon[24], path[160];
    geo_format_number(map->position.lat, 6, lat, sizeof lat);
    geo_format_number(map->position.lon, 6, lon, sizeof lon);
    /* Wide enough for the nearest gendarmerie, and for the whole of a
     * cell position's circle. */
    double radius = fmax(MAP_PLACES_RADIUS_M, 2.0 * map->accuracy_m);
    radius = fmin(radius, MAP_PLACES_RADIUS_MAX_M);
    snprintf(path, sizeof path, "/v1/places?lat=%s&lon=%s&radius_m=%.0f&limit=%d", lat, lon, radius,
             MAP_PLACES_PER_KIND);
    map->places_radius_m = radius;
    map->places_centre = map->position;
    fetch(map, &map->places_request, path, _("the places around the alarm"));
}

static void set_message(struct map_screen *map, const char *text)
{
    snprintf(map->message, sizeof map->message, "%s", text ? text : "");
    map->panel_dirty = map->picture_dirty = true;
}

/* A position came (the phone's, or the site's): the view follows it unless
 * the operator moved or zoomed it, and the places around are asked again
 * when it moved enough to change them. */
static void take_position(struct map_screen *map, enum map_origin origin, struct geo_point point,
                          double accuracy_m, const char *source, int64_t fix_at)
{
    bool first = map->origin == MAP_ORIGIN_NONE;
    bool moved = first || geo_distance_m(map->position, point) > MAP_SAME_PLACE_M;
    bool wider = accuracy_m > map->accuracy_m * 1.5 || accuracy_m < map->accuracy_m / 1.5;
    map->origin = origin;
    map->position = point;
    map->accuracy_m = accuracy_m;
    snprintf(map->source, sizeof map->source, "%s", source);
    map->fix_at = fix_at;
    if (first || !map->panned)
        map->centre = point;
    if (first || (!map->zoomed && wider))
        map->zoom = map_zoom_to_fit(map);
    if (moved || !map->places_loaded || accuracy_m * 2.0 > map->places_radius_m)
        fetch_places(map);
    set_message(map, NULL);
}

static const char *json_text(const cJSON *object, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsString(item) ? item->valuestring : "";
}

static bool json_number(const cJSON *object, const char *name, double *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    if (!cJSON_IsNumber(item))
        return false;
    *out = item->valuedouble;
    return true;
}

/* The alarm's position (the detail's "position"), false when it has none. */
static bool read_position(const cJSON *alarm, struct geo_point *point, double *accuracy,
                          const char **source, int64_t *fix_at)
{
    const cJSON *position = cJSON_GetObjectItemCaseSensitive(alarm, "position");
    if (!cJSON_IsObject(position) || !json_number(position, "lat", &point->lat) ||
        !json_number(position, "lon", &point->lon) || !geo_point_valid(*point))
        return false;
    if (!json_number(position, "accuracy_m", accuracy))
        *accuracy = -1;
    *source = json_text(position, "source");
    *fix_at = 0;
    const char *when = json_text(position, "fix_at");
    if (when[0] && !clock_parse_rfc3339(when, fix_at))
        *fix_at = 0;
    return true;
}

static void fetch_site(struct map_screen *map, int64_t site_id, int *request)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/sites/%lld", (long long)site_id);
    fetch(map, request, path, _("the site"));
}

static void alarm_loaded(struct map_screen *map, int http_status, const cJSON *alarm)
{
    char text[256];
    if (http_status != 200 || !cJSON_IsObject(alarm)) {
        snprintf(text, sizeof text, _("Cannot load alarm %lld (HTTP %d)"), (long long)map->alarm_id,
                 http_status);
        ui_status(map->base.ui, STATUS_WARN, "%s", text);
        if (map->origin == MAP_ORIGIN_NONE)
            set_message(map, text);
        return;
    }
    snprintf(map->alarm_class, sizeof map->alarm_class, "%s", json_text(alarm, "class"));
    snprintf(map->subject, sizeof map->subject, "%s", json_text(alarm, "subject"));
    double site_id = 0;
    map->site_id = json_number(alarm, "site_id", &site_id) ? (int64_t)site_id : 0;
    map->panel_dirty = true;
    struct geo_point point;
    double accuracy;
    const char *source;
    int64_t fix_at;
    if (read_position(alarm, &point, &accuracy, &source, &fix_at)) {
        take_position(map, MAP_ORIGIN_DEVICE, point, accuracy, source, fix_at);
    } else if (map->site_id > 0) {
        if (map->site_request == 0)
            fetch_site(map, map->site_id, &map->site_request);
    } else {
        snprintf(text, sizeof text, _("Alarm %lld has no position and no site to show"),
                 (long long)map->alarm_id);
        map->origin = MAP_ORIGIN_NONE;
        set_message(map, text);
    }
}

static void site_loaded(struct map_screen *map, int http_status, const cJSON *site)
{
    struct geo_point point;
    if (http_status == 200 && json_number(site, "lat", &point.lat) &&
        json_number(site, "lon", &point.lon) && geo_point_valid(point)) {
        take_position(map, MAP_ORIGIN_SITE, point, 0, "site", 0);
        return;
    }
    char text[256];
    snprintf(text, sizeof text, _("Alarm %lld has no position, and its site none on file"),
             (long long)map->alarm_id);
    map->origin = MAP_ORIGIN_NONE;
    set_message(map, text);
}

static char place_kind(const cJSON *place)
{
    const char *kind = json_text(place, "kind");
    if (strcmp(kind, "police") == 0)
        return strcmp(json_text(place, "service"), "gendarmerie") == 0 ? 'g' : 'p';
    return strcmp(kind, "agent") == 0 ? 'a' : strcmp(kind, "site") == 0 ? 's' : 0;
}

static void places_loaded(struct map_screen *map, int http_status, const cJSON *body)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "places");
    if (http_status != 200 || !cJSON_IsArray(list)) {
        ui_status(map->base.ui, STATUS_WARN, _("Cannot load the places around the alarm (HTTP %d)"),
                  http_status);
        return;
    }
    map->place_count = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, list)
    {
        struct map_place place = {.kind = place_kind(item)};
        if (!place.kind || map->place_count == MAP_PLACES_MAX ||
            !json_number(item, "lat", &place.point.lat) ||
            !json_number(item, "lon", &place.point.lon) || !geo_point_valid(place.point))
            continue;
        snprintf(place.name, sizeof place.name, "%s", json_text(item, "name"));
        snprintf(place.phone, sizeof place.phone, "%s", json_text(item, "phone"));
        /* Measured from the position the list was asked around. */
        place.distance_m = geo_distance_m(map->places_centre, place.point);
        place.bearing_deg = geo_bearing_deg(map->places_centre, place.point);
        map->places[map->place_count++] = place;
    }
    map->places_loaded = true;
    map->panel_dirty = map->picture_dirty = true;
}

/* ---- copying the location ---- */

static void copy_location(struct ui *ui, int64_t alarm_id, struct geo_point point,
                          double accuracy_m)
{
    char uri[GEO_TEXT_SIZE], link[GEO_TEXT_SIZE], text[2 * GEO_TEXT_SIZE + 2];
    geo_format_uri(point, accuracy_m, uri);
    int zoom = geo_osm_zoom_for_radius(accuracy_m > 0 ? accuracy_m : 50, point.lat);
    geo_format_osm(point, zoom, link);
    snprintf(text, sizeof text, "%s\n%s", uri, link);
    if (clipboard_copy(STDOUT_FILENO, text))
        ui_status(ui, STATUS_INFO, _("Copied %s and an OpenStreetMap link (alarm %lld)"), uri,
                  (long long)alarm_id);
    else
        ui_status(ui, STATUS_ERROR, "%s", _("Cannot write to the terminal: nothing was copied"));
}

void screen_map_copy_location(struct screen *screen, int64_t alarm_id)
{
    struct map_screen *map = (struct map_screen *)screen;
    if (alarm_id == map->alarm_id && map->origin != MAP_ORIGIN_NONE) {
        copy_location(screen->ui, alarm_id, map->position, map->accuracy_m);
        return;
    }
    char path[64];
    snprintf(path, sizeof path, "/v1/alarms/%lld", (long long)alarm_id);
    map->copy_alarm_id = alarm_id;
    map->copy_site_request = 0;
    fetch(map, &map->copy_request, path, _("the alarm's location"));
}

static void copy_loaded(struct map_screen *map, int request_id, int http_status, const cJSON *body)
{
    struct ui *ui = map->base.ui;
    struct geo_point point;
    double accuracy = 0, site_id = 0;
    const char *source;
    int64_t fix_at;
    bool is_alarm = request_id == map->copy_request;
    map->copy_request = is_alarm ? 0 : map->copy_request;
    map->copy_site_request = is_alarm ? map->copy_site_request : 0;
    if (http_status != 200) {
        ui_status(ui, STATUS_WARN, _("Cannot load the location of alarm %lld (HTTP %d)"),
                  (long long)map->copy_alarm_id, http_status);
    } else if (is_alarm && read_position(body, &point, &accuracy, &source, &fix_at)) {
        copy_location(ui, map->copy_alarm_id, point, accuracy);
    } else if (is_alarm && json_number(body, "site_id", &site_id) && site_id > 0) {
        fetch_site(map, (int64_t)site_id, &map->copy_site_request);
    } else if (!is_alarm && json_number(body, "lat", &point.lat) &&
               json_number(body, "lon", &point.lon) && geo_point_valid(point)) {
        copy_location(ui, map->copy_alarm_id, point, 0);
    } else {
        ui_status(ui, STATUS_WARN, _("Alarm %lld has no position to copy"),
                  (long long)map->copy_alarm_id);
    }
}

/* ---- the screen ---- */

static struct screen *map_create(struct ui *ui)
{
    struct map_screen *map = calloc(1, sizeof *map);
    if (!map)
        return NULL;
    map->base = (struct screen){&screen_map_ops, ui};
    map->canvas = canvas_new(ui_window(ui), ui_charset(ui), ui_attr(ui, THEME_SLOT_MAP_BASE));
    if (!map->canvas) {
        free(map);
        return NULL;
    }
    map->zoom = map_zoom_to_fit(map);
    return &map->base;
}

static void map_destroy(struct screen *screen)
{
    struct map_screen *map = (struct map_screen *)screen;
    canvas_free(map->canvas);
    free(map);
}

static void start_alarm(struct map_screen *map, int64_t alarm_id)
{
    map->alarm_id = alarm_id;
    map->origin = MAP_ORIGIN_NONE;
    map->alarm_class[0] = map->subject[0] = '\0';
    map->site_id = 0;
    map->accuracy_m = 0;
    map->place_count = 0;
    map->places_loaded = map->panned = map->zoomed = false;
    /* Answers for the previous alarm are ignored. */
    map->detail_request = map->site_request = map->places_request = 0;
    char text[128];
    snprintf(text, sizeof text, _("Loading the position of alarm %lld..."), (long long)alarm_id);
    set_message(map, text);
}

static void map_enter(struct screen *screen, enum screen_id from, int64_t alarm_id)
{
    (void)from;
    struct map_screen *map = (struct map_screen *)screen;
    map->shown = true;
    if (alarm_id > 0 && alarm_id != map->alarm_id) {
        start_alarm(map, alarm_id);
        fetch_alarm(map);
    } else if (map->stale || alarm_id == map->alarm_id) {
        fetch_alarm(map);
    }
    map->stale = false;
    map->panel_dirty = map->picture_dirty = true;
}

static void map_leave(struct screen *screen)
{
    ((struct map_screen *)screen)->shown = false;
}

static void map_layout(struct screen *screen, int y, int x, int height, int width)
{
    struct map_screen *map = (struct map_screen *)screen;
    int side = width / 3;
    side = side < MAP_SIDE_MIN_COLUMNS ? MAP_SIDE_MIN_COLUMNS : side;
    side = side > MAP_SIDE_MAX_COLUMNS ? MAP_SIDE_MAX_COLUMNS : side;
    map->y = y, map->x = x, map->height = height, map->width = width;
    map->map_columns = width - side - 1 > 0 ? width - side - 1 : 0;
    widget_resize(canvas_widget(map->canvas), y, x, height, map->map_columns);
    map->panel_dirty = map->picture_dirty = true;
}

static void map_invalidate(struct screen *screen)
{
    struct map_screen *map = (struct map_screen *)screen;
    widget_invalidate(canvas_widget(map->canvas));
    map->panel_dirty = true;
}

static void map_draw(struct screen *screen)
{
    struct map_screen *map = (struct map_screen *)screen;
    if (map->picture_dirty) {
        map_paint_picture(map);
        map->picture_dirty = false;
    }
    canvas_draw(map->canvas);
    map_draw_panel(map);
}

/* Moves the view by a share of its size: east and north in those shares. */
static void pan(struct map_screen *map, double east, double north)
{
    struct geo_projection projection;
    geo_projection_init(&projection, map->centre);
    double scale = map_scales[map->zoom];
    double width_m = canvas_width(map->canvas) * scale,
           height_m = canvas_height(map->canvas) * scale;
    map->centre = geo_unproject(&projection, east * width_m, north * height_m);
    map->panned = true;
    map->picture_dirty = map->panel_dirty = true;
}

static int zoom(struct map_screen *map, int step)
{
    int next = map->zoom + step;
    if (next < 0 || next >= map_scale_count) {
        ui_status(map->base.ui, STATUS_INFO, "%s",
                  step < 0 ? _("The map is at its closest") : _("The map is at its widest"));
        return WIDGET_HANDLED;
    }
    map->zoom = next;
    map->zoomed = true;
    map->picture_dirty = map->panel_dirty = true;
    return WIDGET_HANDLED | WIDGET_REDRAW;
}

static int map_handle_action(struct screen *screen, enum action action, const char *argument)
{
    (void)argument;
    struct map_screen *map = (struct map_screen *)screen;
    bool located = map->origin != MAP_ORIGIN_NONE;
    switch (action) {
    case ACTION_ZOOM_IN:
        return zoom(map, -1);
    case ACTION_ZOOM_OUT:
        return zoom(map, 1);
    case ACTION_PAN_LEFT:
    case ACTION_PAN_RIGHT:
    case ACTION_PAN_UP:
    case ACTION_PAN_DOWN:
        if (located)
            pan(map,
                action == ACTION_PAN_LEFT    ? -MAP_PAN_SHARE
                : action == ACTION_PAN_RIGHT ? MAP_PAN_SHARE
                                             : 0,
                action == ACTION_PAN_UP     ? MAP_PAN_SHARE
                : action == ACTION_PAN_DOWN ? -MAP_PAN_SHARE
                                            : 0);
        break;
    case ACTION_RECENTER:
        map->centre = map->position;
        map->panned = false;
        map->picture_dirty = map->panel_dirty = true;
        break;
    case ACTION_COPY_LOCATION:
        if (located)
            copy_location(screen->ui, map->alarm_id, map->position, map->accuracy_m);
        else
            ui_status(screen->ui, STATUS_WARN, _("Alarm %lld has no position to copy"),
                      (long long)map->alarm_id);
        break;
    case ACTION_REFRESH:
        fetch_alarm(map);
        if (located)
            fetch_places(map);
        break;
    default:
        return WIDGET_IGNORED;
    }
    return WIDGET_HANDLED | WIDGET_REDRAW;
}

static void map_alarm_changed(struct screen *screen, const struct console_alarm *alarm,
                              enum model_change change)
{
    struct map_screen *map = (struct map_screen *)screen;
    if (change == MODEL_UNCHANGED || !alarm || alarm->id != map->alarm_id)
        return;
    if (map->shown)
        fetch_alarm(map);
    else
        map->stale = true;
}

static void map_model_reloaded(struct screen *screen)
{
    struct map_screen *map = (struct map_screen *)screen;
    if (map->shown)
        fetch_alarm(map);
    else
        map->stale = true;
}

static bool map_document_loaded(struct screen *screen, int request_id, int http_status,
                                const cJSON *body)
{
    struct map_screen *map = (struct map_screen *)screen;
    if (request_id <= 0)
        return false;
    if (request_id == map->detail_request) {
        map->detail_request = 0;
        alarm_loaded(map, http_status, body);
        if (map->again)
            fetch_alarm(map);
    } else if (request_id == map->site_request) {
        map->site_request = 0;
        site_loaded(map, http_status, body);
    } else if (request_id == map->places_request) {
        map->places_request = 0;
        places_loaded(map, http_status, body);
    } else if (request_id == map->copy_request || request_id == map->copy_site_request) {
        copy_loaded(map, request_id, http_status, body);
    } else {
        return false;
    }
    return true;
}

static void map_tick(struct screen *screen)
{
    struct map_screen *map = (struct map_screen *)screen;
    if (map->shown && map->fix_at > 0)
        map->panel_dirty = true; /* the fix's age */
}

static bool map_selected_alarm(struct screen *screen, int64_t *alarm_id)
{
    struct map_screen *map = (struct map_screen *)screen;
    *alarm_id = map->alarm_id;
    return map->alarm_id > 0;
}

static void map_status(struct screen *screen, char *out, size_t size)
{
    struct map_screen *map = (struct map_screen *)screen;
    char scale[32];
    map_format_distance(map_scales[map->zoom], scale, sizeof scale);
    snprintf(out, size, _("Map of alarm %lld  1 dot = %s%s"), (long long)map->alarm_id, scale,
             map->panned ? _("  (moved: . recentres)") : "");
}

const struct screen_ops screen_map_ops = {
    .name = "map",
    .keys = ACTION_SCREEN_MAP,
    .create = map_create,
    .destroy = map_destroy,
    .enter = map_enter,
    .leave = map_leave,
    .layout = map_layout,
    .invalidate = map_invalidate,
    .draw = map_draw,
    .handle_action = map_handle_action,
    .alarm_changed = map_alarm_changed,
    .model_reloaded = map_model_reloaded,
    .document_loaded = map_document_loaded,
    .tick = map_tick,
    .selected_alarm = map_selected_alarm,
    .status = map_status,
    .hints = map_hints,
};
