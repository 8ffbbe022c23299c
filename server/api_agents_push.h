/* api_agents_push.h: reading an agent's Web Push subscription from a
 * request body (what PushSubscription.toJSON() gave his browser), shared
 * by the registry's route (an operator) and the agent's reply page. */
#ifndef VIGIE_API_AGENTS_PUSH_H
#define VIGIE_API_AGENTS_PUSH_H

#include <stdbool.h>

#include "server/api.h"
#include "server/webpush.h"

/* The body checked (an https endpoint, a P-256 point, a 16-byte secret)
 * and normalised to the JSON we keep (*json_out, free()), with the push
 * service's origin; false with the 400 (or 500) filled in. */
bool api_agents_push_read(struct api_request *request, struct api_response *response,
                          char **json_out, char origin[WEBPUSH_ORIGIN_MAX + 1]);

#endif
