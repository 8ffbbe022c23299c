/* screen_map_internal.h: the state of the map screen, shared by its two
 * files: screen_map.c (the screen's callbacks, what it loads and the keys)
 * and screen_map_draw.c (the picture and the side panel). Nothing else
 * includes it. */
#ifndef VIGIE_CONSOLE_SCREEN_MAP_INTERNAL_H
#define VIGIE_CONSOLE_SCREEN_MAP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "common/geo.h"
#include "console/map_view.h"
#include "console/screen.h"
#include "widgets/canvas.h"

/* Places asked of the server, of each kind (sites, police, agents): the
 * side list shows a screenful, the map what falls in view. */
#define MAP_PLACES_PER_KIND 20
#define MAP_PLACES_MAX      (3 * MAP_PLACES_PER_KIND)
/* The radius of that search: a gendarmerie brigade can be 20 km away in
 * the country; a cell position's circle can be wider still. */
#define MAP_PLACES_RADIUS_M     20000.0
#define MAP_PLACES_RADIUS_MAX_M 200000.0
/* The side panel: wide enough for "48°51'24.1"N 2°21'03.2"E" and a
 * station's name with its distance; the map takes the rest. */
#define MAP_SIDE_MIN_COLUMNS 33
#define MAP_SIDE_MAX_COLUMNS 48

enum map_origin {
    MAP_ORIGIN_NONE,   /* not known (yet) */
    MAP_ORIGIN_DEVICE, /* the alarm's last position from the phone */
    MAP_ORIGIN_SITE,   /* the site's address: no device position */
};

struct map_place {
    char kind; /* 's' site, 'p' police, 'g' gendarmerie, 'a' agent */
    char name[128];
    char phone[32];
    struct geo_point point;
    double distance_m, bearing_deg; /* from the alarm's position */
};

struct map_screen {
    struct screen base;
    struct canvas *canvas;
    int y, x, height, width; /* the body */
    int map_columns;         /* the canvas's share of the width */
    bool panel_dirty;        /* the side panel must be painted again */
    bool picture_dirty;      /* the canvas must be drawn again from the view */
    bool shown, stale;

    /* the alarm */
    int64_t alarm_id;
    char alarm_class[32];
    char subject[128];
    int64_t site_id;
    int detail_request, site_request, places_request; /* in flight; 0: none */
    bool again;        /* the alarm changed while its detail was loading */
    char message[256]; /* "Loading...", or why there is no map */

    /* where it is */
    enum map_origin origin;
    struct geo_point position;
    double accuracy_m; /* <= 0: unknown */
    char source[16];   /* gps, cell, wifi, unknown; "site" */
    int64_t fix_at;    /* epoch ms; 0: unknown */

    /* what the operator looks at */
    struct geo_point centre;
    int zoom;    /* index into the scales */
    bool panned; /* moved off the alarm: a new position does not recentre */
    bool zoomed; /* zoomed by hand: a new accuracy does not rezoom */

    /* around it */
    struct map_place places[MAP_PLACES_MAX];
    size_t place_count;
    bool places_loaded;
    double places_radius_m;
    struct geo_point places_centre;

    /* y on another screen: copy the location of an alarm not shown */
    int64_t copy_alarm_id;
    int copy_request, copy_site_request;
};

/* ---- screen_map_draw.c ---- */

/* The zoom that shows the accuracy circle whole with room around it (at
 * least a few hundred metres either way, so that streets and the nearest
 * places are in view). */
int map_zoom_to_fit(const struct map_screen *map);
/* Redraws the canvas from the view: places, accuracy circle, position,
 * north, scale bar. */
void map_paint_picture(struct map_screen *map);
/* Paints the side panel (position, coordinates, nearest police station,
 * the places around) if it is dirty. */
void map_draw_panel(struct map_screen *map);

#endif
