/* client_panel.h: the console's requests for remote arm/disarm: a command
 * for a site's panel, sent from the alarm on screen. The outcome (pending,
 * confirmed, refused, timed out) comes back through the alarm: the server
 * announces each change of the command as a change of that alarm, and the
 * detail screen reads it from the alarm's "panel" section. */
#ifndef VIGIE_CONSOLE_CLIENT_PANEL_H
#define VIGIE_CONSOLE_CLIENT_PANEL_H

#include <stdint.h>

#include "console/client.h"

/* POST /v1/sites/SITE/panel/commands {"command", "zone" (bypass-zone
 * only), "alarm_id"}. A request id (> 0) whose result comes through
 * action_done, or -1 when it cannot be sent now (the link is not live:
 * nothing is queued behind the operator's back). */
int client_panel_command(struct client *client, int64_t site_id, int64_t alarm_id,
                         const char *command, int zone);

#endif
