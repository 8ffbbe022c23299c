/* client_escalation.h: the console's request to escalate an alarm to the
 * emergency services. Unlike the other actions its answer comes back
 * through document_loaded, to the escalation dialog that sent it: the
 * dialog needs the server's verdict (queued, or why not: no gateway, the
 * alarm closed or held by someone else) to close itself or stay open. The
 * delivery's progress (queued, delivered with the gateway's reference,
 * failed) then comes through the alarm: the server announces each change
 * as a change of that alarm, and the detail shows its "escalations". */
#ifndef VIGIE_CONSOLE_CLIENT_ESCALATION_H
#define VIGIE_CONSOLE_CLIENT_ESCALATION_H

#include <stdint.h>

#include "console/client.h"

/* POST /v1/alarms/ALARM/escalations {"agency", "text" (when not empty)}.
 * A request id (> 0) whose answer comes through document_loaded (201 and
 * the alarm, or an error), or -1 when it cannot be sent now (the link is
 * not live: nothing is queued behind the operator's back). */
int client_escalate(struct client *client, int64_t alarm_id, const char *agency, const char *text);

#endif
