/* client_procedures.h: the client calls of the procedure checklist. The
 * checklist itself is a document (client_get of
 * "/v1/alarms/ID/procedure"); marking a step is a POST whose answer is the
 * checklist after the change, delivered through document_loaded like any
 * document, so that the screen that asked shows it at once. */
#ifndef VIGIE_CONSOLE_CLIENT_PROCEDURES_H
#define VIGIE_CONSOLE_CLIENT_PROCEDURES_H

#include <stdint.h>

#include "console/client.h"

/* Bytes of a step's note: the server's bound (500) and its NUL. */
#define CLIENT_STEP_NOTE_SIZE 501

/* POST /v1/alarms/ALARM/procedure/steps/STEP {"state":STATE,"note":NOTE}.
 * state: "done", "skipped", "failed" or "pending"; note may be NULL. A
 * request id whose answer comes through document_loaded, or -1 when it
 * cannot be sent now (the link is not live: nothing is queued behind the
 * operator's back). */
int client_procedure_mark(struct client *client, int64_t alarm_id, int64_t step_id,
                          const char *state, const char *note);

#endif
