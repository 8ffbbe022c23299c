/* screen_map.h: what other parts of the console ask of the map screen
 * (console/screen_map.c). */
#ifndef VIGIE_CONSOLE_SCREEN_MAP_H
#define VIGIE_CONSOLE_SCREEN_MAP_H

#include <stdint.h>

struct screen;

/* copy-location on a screen other than the map (the alarm detail, the
 * victim's file): copies the geo: URI and the OpenStreetMap link of the
 * alarm's position, or of its site's address, through OSC 52, loading
 * them first when the map does not hold them; the status line says what
 * was copied. `map` is the map screen (ui_screen(ui, SCREEN_MAP)). */
void screen_map_copy_location(struct screen *map, int64_t alarm_id);

#endif
