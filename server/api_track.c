/* api_track.c: GET /v1/alarms/{id}/track: the positions a device sent for
 * an alarm, newest first (?limit=N). Readable by every role, like the
 * alarm itself; the 24-hour purge empties it. */
#include "server/api.h"
#include "server/store_alarm_track.h"

#include <stdint.h>

void api_alarm_track(struct api_request *request, struct api_response *response)
{
    int64_t alarm_id, limit;
    if (!api_param_id(request, 0, &alarm_id, response) ||
        !api_query_int(request, "limit", 1, STORE_TRACK_LIMIT_MAX, STORE_TRACK_LIMIT_DEFAULT,
                       &limit, response))
        return;
    cJSON *track = NULL;
    struct store_error error = {{0}};
    int status = store_alarm_track_json(request->api->store, alarm_id, (int)limit, &track, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    api_json(response, MHD_HTTP_OK, track);
}
