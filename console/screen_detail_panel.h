/* screen_detail_panel.h: the "panel" section of an alarm's detail as
 * text: the site's arm state with since when, how its panel is reached,
 * and its recent commands with their state (pending, confirmed, refused,
 * timed out, failed), the panel's answer and the DC-09 report. */
#ifndef VIGIE_CONSOLE_SCREEN_DETAIL_PANEL_H
#define VIGIE_CONSOLE_SCREEN_DETAIL_PANEL_H

#include <stdint.h>

#include <cjson/cJSON.h>

/* The lines for alarm's "panel" member (nothing when it has none: an
 * alarm without a site); ages are counted to now_ms. A new string to
 * free, "" when there is nothing to say, NULL when memory is short. */
char *screen_detail_panel_format(const cJSON *alarm, int64_t now_ms);

#endif
