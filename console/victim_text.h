/* victim_text.h: the texts of the victim screen. The file (GET
 * /v1/victims/{id}) is ordered by what an operator needs first on an SOS:
 * who she is and the number to call back, who to look out for (the
 * aggressor, his vehicle and plate), the protection order, where she lives,
 * whom else to call, the rest. The position text (the alarm's last fix and
 * its track, newest first) is what is updated live. */
#ifndef VIGIE_CONSOLE_VICTIM_TEXT_H
#define VIGIE_CONSOLE_VICTIM_TEXT_H

#include <stdint.h>

#include <cjson/cJSON.h>

/* Track points the position text lists: the newest, which say where she
 * is going; the API is asked for no more. */
#define VICTIM_TRACK_SHOWN 50

/* New strings to free, or NULL when memory is short. */
char *victim_file_format(const cJSON *victim);
/* alarm: GET /v1/alarms/{id} (may be NULL while loading); track: GET
 * /v1/alarms/{id}/track (may be NULL). */
char *victim_position_format(const cJSON *alarm, const cJSON *track);

#endif
