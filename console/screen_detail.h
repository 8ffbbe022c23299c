/* screen_detail.h: the text of the alarm detail screen, made from the
 * answer of GET /v1/alarms/{id} (screen_detail_text.c). */
#ifndef VIGIE_CONSOLE_SCREEN_DETAIL_H
#define VIGIE_CONSOLE_SCREEN_DETAIL_H

#include <stdint.h>

#include <cjson/cJSON.h>

/* Every field of alarm as lines of text (labels, timeline, raw message,
 * unknown fields); ages are counted to now_ms. A new string to free, or
 * NULL when memory is short. */
char *screen_detail_format(const cJSON *alarm, int64_t now_ms);

#endif
