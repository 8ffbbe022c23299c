/* map_view.c: the projection, scale and legend of a braille map
 * (map_view.h), taken out of the alarm's map so that the mass alert
 * composer draws with the very same. North is up, the scale bar is a
 * round distance; on a terminal whose cells are twice as high as wide the
 * dots are square, so a circle stays a circle. */
#include "console/map_view.h"

#include <math.h>
#include <stdio.h>

#include "common/i18n.h"

/* From a doorway to a region: 0.5 m a dot shows a GPS fix's few metres,
 * 5 km a dot a 200 km circle on an 80-column terminal. */
const double map_scales[] = {0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000};
const int map_scale_count = (int)(sizeof map_scales / sizeof map_scales[0]);

/* Dot coordinates are kept within this, far off any screen but far from
 * overflowing an int. */
#define MAP_DOT_FAR 100000000.0
/* Dots between the scale bar's end and its label. */
#define MAP_SCALE_GAP 3
/* A canvas not laid out yet is taken to be this many dots across. */
#define MAP_DEFAULT_DOTS 80

void map_format_distance(double metres, char *out, size_t size)
{
    if (metres < 1.0)
        snprintf(out, size, _("%.1f m"), metres);
    else if (metres < 1000.0)
        snprintf(out, size, _("%.0f m"), metres);
    else if (metres < 10000.0 && fmod(metres, 1000.0) != 0.0)
        snprintf(out, size, _("%.1f km"), metres / 1000.0);
    else
        snprintf(out, size, _("%.0f km"), metres / 1000.0);
}

void map_view_init(struct map_view *view, const struct canvas *canvas, struct geo_point centre,
                   int zoom)
{
    zoom = zoom < 0 ? 0 : zoom >= map_scale_count ? map_scale_count - 1 : zoom;
    *view = (struct map_view){
        .scale = map_scales[zoom], .width = canvas_width(canvas), .height = canvas_height(canvas)};
    geo_projection_init(&view->projection, centre);
}

void map_view_to_dots(const struct map_view *view, struct geo_point point, int *x, int *y)
{
    double east, north;
    geo_project(&view->projection, point, &east, &north);
    double dx = view->width / 2.0 + east / view->scale;
    double dy = view->height / 2.0 - north / view->scale;
    *x = (int)lround(fmax(-MAP_DOT_FAR, fmin(MAP_DOT_FAR, dx)));
    *y = (int)lround(fmax(-MAP_DOT_FAR, fmin(MAP_DOT_FAR, dy)));
}

int map_view_zoom_to_fit(const struct canvas *canvas, double radius_m, double share, double min_m)
{
    int width = canvas_width(canvas), height = canvas_height(canvas);
    double half = (width && height ? (width < height ? width : height) : MAP_DEFAULT_DOTS) / 2.0;
    double wanted = fmax(radius_m / share, min_m);
    for (int zoom = 0; zoom < map_scale_count; zoom++)
        if (half * map_scales[zoom] >= wanted)
            return zoom;
    return map_scale_count - 1;
}

/* The largest 1, 2 or 5 times a power of ten that is at most `most`. */
static double round_distance(double most)
{
    double power = pow(10.0, floor(log10(most)));
    return most >= 5 * power ? 5 * power : most >= 2 * power ? 2 * power : power;
}

/* The scale bar: a round distance about a quarter of the view's width. */
static double scale_distance(const struct map_view *view, int *length)
{
    double distance = round_distance(view->width * view->scale / 4.0);
    *length = (int)lround(distance / view->scale);
    return distance;
}

bool map_view_in_legend(const struct map_view *view, int x, int y)
{
    int length;
    scale_distance(view, &length);
    int bar_cells = (1 + length + MAP_SCALE_GAP) / CANVAS_DOTS_ACROSS + 8; /* "200 km" */
    bool bottom = y / CANVAS_DOTS_DOWN == view->height / CANVAS_DOTS_DOWN - 1;
    bool corner =
        x / CANVAS_DOTS_ACROSS == view->width / CANVAS_DOTS_ACROSS - 1 && y / CANVAS_DOTS_DOWN < 2;
    return (bottom && x / CANVAS_DOTS_ACROSS < bar_cells) || corner;
}

void map_view_paint_legend(const struct map_view *view, struct canvas *canvas, attr_t attr)
{
    int length;
    double distance = scale_distance(view, &length);
    int y = view->height - 2, left = 1, right = left + length;
    canvas_line(canvas, left, y, right, y, attr);
    canvas_line(canvas, left, y - 2, left, y, attr);
    canvas_line(canvas, right, y - 2, right, y, attr);
    char text[32];
    map_format_distance(distance, text, sizeof text);
    canvas_text(canvas, right + MAP_SCALE_GAP, y, text, attr);
    /* North, in the top right corner. */
    canvas_text(canvas, view->width - 1, 0, _("N"), attr);
    canvas_mark(canvas, view->width - 1, CANVAS_DOTS_DOWN, L'\u2191', '^', attr);
}
