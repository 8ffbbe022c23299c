/* screen_map_draw.c: the map's picture and its side panel. The picture is
 * an equirectangular projection around the view's centre (geo.h says why
 * that is exact enough here) at a fixed number of metres per braille dot;
 * on a terminal whose cells are twice as high as wide the dots are square,
 * so a circle stays a circle. North is up, the scale bar is a round
 * distance, and the side panel says in words and numbers what the picture
 * shows. */
#include "console/screen_map_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/i18n.h"
#include "console/ui.h"
#include "widgets/cells.h"

/* The least a view shows around the alarm, in metres from the centre to
 * the nearest edge: the block and its streets, even for a GPS fix. */
#define MAP_VIEW_MIN_M 300.0
/* The accuracy circle takes at most this share of the view's half-size. */
#define MAP_CIRCLE_SHARE 0.8
/* A circle smaller than this (dots) would hide under the position's
 * marker: it is left out, and the panel says the accuracy. */
#define MAP_CIRCLE_MIN_DOTS 2

struct glyph {
    wchar_t unicode;
    char ascii;
    enum theme_slot slot;
};

static struct glyph place_glyph(char kind)
{
    switch (kind) {
    case 'p':
        return (struct glyph){L'P', 'P', THEME_SLOT_MAP_POLICE};
    case 'g':
        return (struct glyph){L'G', 'G', THEME_SLOT_MAP_POLICE};
    case 'a':
        return (struct glyph){L'\u2022', '*', THEME_SLOT_MAP_AGENT};
    default:
        return (struct glyph){L'\u25A0', 'o', THEME_SLOT_MAP_SITE};
    }
}

static const struct glyph position_glyph = {L'\u25C9', '+', THEME_SLOT_MAP_POSITION};

int map_zoom_to_fit(const struct map_screen *map)
{
    return map_view_zoom_to_fit(map->canvas, map->accuracy_m, MAP_CIRCLE_SHARE, MAP_VIEW_MIN_M);
}

/* ---- the picture ---- */

static void mark(struct map_screen *map, int x, int y, struct glyph glyph)
{
    canvas_mark(map->canvas, x, y, glyph.unicode, glyph.ascii, ui_attr(map->base.ui, glyph.slot));
}

void map_paint_picture(struct map_screen *map)
{
    struct canvas *canvas = map->canvas;
    canvas_clear(canvas);
    struct map_view view;
    map_view_init(&view, canvas, map->centre, map->zoom);
    if (view.width == 0 || view.height == 0)
        return;
    if (map->origin == MAP_ORIGIN_NONE) {
        canvas_text(canvas, CANVAS_DOTS_ACROSS, view.height / 2, map->message,
                    ui_attr(map->base.ui, THEME_SLOT_TEXT));
        return;
    }
    int x, y;
    /* The farthest first, so that the nearest are on top. */
    for (size_t i = map->place_count; i-- > 0;) {
        map_view_to_dots(&view, map->places[i].point, &x, &y);
        if (!map_view_in_legend(&view, x, y))
            mark(map, x, y, place_glyph(map->places[i].kind));
    }
    map_view_to_dots(&view, map->position, &x, &y);
    long radius = map->accuracy_m > 0 ? lround(map->accuracy_m / view.scale) : 0;
    if (radius >= MAP_CIRCLE_MIN_DOTS)
        canvas_circle(canvas, x, y, radius, ui_attr(map->base.ui, THEME_SLOT_MAP_ACCURACY));
    mark(map, x, y, position_glyph);
    map_view_paint_legend(&view, canvas, ui_attr(map->base.ui, THEME_SLOT_LABEL));
}

/* ---- the side panel ---- */

struct panel {
    struct map_screen *map;
    WINDOW *win;
    const struct charset *charset;
    int row, last_row, x, width;
};

static void panel_line(struct panel *panel, enum theme_slot slot, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void panel_line(struct panel *panel, enum theme_slot slot, const char *format, ...)
{
    if (panel->row > panel->last_row)
        return;
    char text[512];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    cells_put(panel->win, panel->row++, panel->x, panel->width, text, CELLS_LEFT,
              ui_attr(panel->map->base.ui, slot), panel->charset);
}

/* The glyph of a kind as the panel writes it (the canvas's own). */
static const char *glyph_text(const struct panel *panel, struct glyph glyph, char out[8])
{
    wchar_t wide = panel->charset->kind == CHARSET_ASCII ? (wchar_t)glyph.ascii : glyph.unicode;
    cells_encode_utf8(&wide, 1, out, 8);
    return out;
}

static const char *source_name(const char *source)
{
    if (strcmp(source, "gps") == 0)
        return _("GPS");
    if (strcmp(source, "cell") == 0)
        return _("Cell");
    if (strcmp(source, "wifi") == 0)
        return _("Wi-Fi");
    return _("Device");
}

static void format_age(int64_t ms, char *out, size_t size)
{
    long seconds = ms > 0 ? (long)(ms / 1000) : 0;
    if (seconds < 60)
        snprintf(out, size, _("%lds"), seconds);
    else if (seconds < 3600)
        snprintf(out, size, _("%ld min"), seconds / 60);
    else
        snprintf(out, size, _("%ld h %02ld"), seconds / 3600, seconds / 60 % 60);
}

static void panel_position(struct panel *panel)
{
    struct map_screen *map = panel->map;
    char accuracy[32], text[GEO_TEXT_SIZE];
    if (map->origin == MAP_ORIGIN_NONE) {
        panel_line(panel, THEME_SLOT_TEXT, "%s", map->message);
        return;
    }
    if (map->origin == MAP_ORIGIN_SITE) {
        panel_line(panel, THEME_SLOT_TEXT, "%s", _("Site address (no device position)"));
    } else if (map->accuracy_m > 0) {
        map_format_distance(map->accuracy_m, accuracy, sizeof accuracy);
        panel_line(panel, THEME_SLOT_TEXT, _("%s position, accuracy %s"), source_name(map->source),
                   accuracy);
    } else {
        panel_line(panel, THEME_SLOT_TEXT, _("%s position, accuracy unknown"),
                   source_name(map->source));
    }
    if (map->origin == MAP_ORIGIN_DEVICE && map->fix_at > 0) {
        time_t seconds = (time_t)(map->fix_at / 1000);
        struct tm local;
        char clock[16], age[32];
        localtime_r(&seconds, &local);
        strftime(clock, sizeof clock, "%H:%M:%S", &local);
        format_age(ui_now_ms(map->base.ui) - map->fix_at, age, sizeof age);
        panel_line(panel, THEME_SLOT_TEXT, _("fix at %s (%s ago)"), clock, age);
    }
    geo_format_decimal(map->position, text);
    panel_line(panel, THEME_SLOT_TEXT, "%s", text);
    geo_format_dms(map->position, text);
    panel_line(panel, THEME_SLOT_TEXT, "%s", text);
}

static const struct map_place *nearest_station(const struct map_screen *map)
{
    for (size_t i = 0; i < map->place_count; i++) /* nearest first */
        if (map->places[i].kind == 'p' || map->places[i].kind == 'g')
            return &map->places[i];
    return NULL;
}

static void panel_police(struct panel *panel)
{
    struct map_screen *map = panel->map;
    const struct map_place *station = nearest_station(map);
    char distance[32], glyph[8];
    if (!map->places_loaded)
        return;
    panel_line(panel, THEME_SLOT_LABEL, "%s", _("Nearest police station"));
    if (!station) {
        map_format_distance(map->places_radius_m, distance, sizeof distance);
        panel_line(panel, THEME_SLOT_TEXT, _("none within %s"), distance);
        return;
    }
    panel_line(panel, THEME_SLOT_MAP_POLICE, "%s %s",
               glyph_text(panel, place_glyph(station->kind), glyph), station->name);
    map_format_distance(station->distance_m, distance, sizeof distance);
    panel_line(panel, THEME_SLOT_TEXT, "  %s %s  %s", distance,
               _(geo_compass_point(station->bearing_deg)), station->phone);
}

static void panel_place(struct panel *panel, const struct map_place *place)
{
    char right[48], distance[32], glyph[8];
    map_format_distance(place->distance_m, distance, sizeof distance);
    snprintf(right, sizeof right, " %s %-2s", distance, _(geo_compass_point(place->bearing_deg)));
    int right_width = (int)strlen(right);
    if (panel->row > panel->last_row || right_width + 4 > panel->width)
        return;
    struct glyph shape = place_glyph(place->kind);
    attr_t text = ui_attr(panel->map->base.ui, THEME_SLOT_TEXT);
    int x = panel->x;
    cells_put(panel->win, panel->row, x, 2, glyph_text(panel, shape, glyph), CELLS_LEFT,
              ui_attr(panel->map->base.ui, shape.slot), panel->charset);
    cells_put(panel->win, panel->row, x + 2, panel->width - 2 - right_width, place->name,
              CELLS_LEFT, text, panel->charset);
    cells_put(panel->win, panel->row, x + panel->width - right_width, right_width, right,
              CELLS_RIGHT, text, panel->charset);
    panel->row++;
}

static void panel_legend(struct panel *panel)
{
    char position[8], police[8], site[8], agent[8];
    glyph_text(panel, position_glyph, position);
    glyph_text(panel, place_glyph('p'), police);
    glyph_text(panel, place_glyph('s'), site);
    glyph_text(panel, place_glyph('a'), agent);
    panel->row = panel->last_row - 1;
    panel_line(panel, THEME_SLOT_BORDER, _("%s alarm  %s/G police"), position, police);
    panel_line(panel, THEME_SLOT_BORDER, _("%s site  %s agent"), site, agent);
}

void map_draw_panel(struct map_screen *map)
{
    if (!map->panel_dirty || map->height <= 0)
        return;
    struct panel panel = {
        .map = map,
        .win = ui_window(map->base.ui),
        .charset = ui_charset(map->base.ui),
        .row = map->y,
        .last_row = map->y + map->height - 1,
        .x = map->x + map->map_columns + 1,
        .width = map->width - map->map_columns - 1,
    };
    attr_t border = ui_attr(map->base.ui, THEME_SLOT_BORDER);
    wchar_t bar[2] = {panel.charset->vertical, L'\0'};
    for (int row = panel.row; row <= panel.last_row; row++) {
        cells_put_wide(panel.win, row, panel.x - 1, 1, bar, 1, CELLS_LEFT, border, panel.charset);
        cells_fill(panel.win, row, panel.x, panel.width, ui_attr(map->base.ui, THEME_SLOT_TEXT));
    }
    panel.last_row -= 2; /* the legend's */
    panel_line(&panel, THEME_SLOT_LABEL, _("Alarm %lld  %s"), (long long)map->alarm_id,
               map->alarm_class);
    panel_line(&panel, THEME_SLOT_TEXT, "%s", map->subject);
    panel_position(&panel);
    panel.row++;
    panel_police(&panel);
    panel.row++;
    if (map->places_loaded && map->place_count > 0) {
        char radius[32];
        map_format_distance(map->places_radius_m, radius, sizeof radius);
        panel_line(&panel, THEME_SLOT_LABEL, _("Around, within %s"), radius);
        for (size_t i = 0; i < map->place_count; i++)
            panel_place(&panel, &map->places[i]);
    } else if (map->origin != MAP_ORIGIN_NONE && !map->places_loaded) {
        panel_line(&panel, THEME_SLOT_TEXT, "%s", _("Loading the places around..."));
    }
    panel.last_row += 2;
    panel_legend(&panel);
    map->panel_dirty = false;
}
