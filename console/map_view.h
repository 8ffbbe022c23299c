/* map_view.h: a view of the Earth on the braille canvas, shared by the
 * alarm's map (screen_map*.c) and the mass alert composer
 * (screen_massalert*.c): the fixed ladder of scales (metres a dot), the
 * equirectangular projection of a point to dots around the view's centre
 * (common/geo.h says why that is exact enough here), the scale bar and
 * the north mark, and distances as the panels write them. */
#ifndef VIGIE_CONSOLE_MAP_VIEW_H
#define VIGIE_CONSOLE_MAP_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "common/geo.h"
#include "widgets/canvas.h"

/* Metres a dot stands for at each zoom level, finest first. */
extern const double map_scales[];
extern const int map_scale_count;

struct map_view {
    struct geo_projection projection;
    double scale;      /* metres a dot */
    int width, height; /* dots */
};

/* The view of the whole canvas around centre at a zoom level. */
void map_view_init(struct map_view *view, const struct canvas *canvas, struct geo_point centre,
                   int zoom);
/* Where a point falls, in dots (far-away points stay far off the canvas,
 * without overflowing). */
void map_view_to_dots(const struct map_view *view, struct geo_point point, int *x, int *y);
/* The zoom at which a circle of radius_m takes at most `share` of the
 * canvas's half-size, and the view shows at least min_m either way. */
int map_view_zoom_to_fit(const struct canvas *canvas, double radius_m, double share, double min_m);
/* Whether (x, y) is under the scale bar or the north mark: markers there
 * are left out. */
bool map_view_in_legend(const struct map_view *view, int x, int y);
/* The scale bar (a round distance, bottom left) and north (top right). */
void map_view_paint_legend(const struct map_view *view, struct canvas *canvas, attr_t attr);
/* "660 m", "1.2 km", "35 km". */
void map_format_distance(double metres, char *out, size_t size);

#endif
