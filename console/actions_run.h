/* actions_run.h: what the console does with an action that the screen in
 * front did not take: the alarm actions become client calls (claim,
 * release, acknowledge, note with a prompt for its text, close with a
 * choice of the server's resolutions and an optional note), navigation
 * opens screens, quit asks first. Mutating actions are refused before
 * this in read-only mode (ui_run_action), so nothing is ever sent then. */
#ifndef VIGIE_CONSOLE_ACTIONS_RUN_H
#define VIGIE_CONSOLE_ACTIONS_RUN_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "console/actions.h"

/* Requests in flight an operator can have started: a few keys a second
 * over a slow link. Past this the oldest is forgotten (its answer is
 * then reported without naming the alarm). */
#define ACTIONS_RUN_PENDING_MAX 32
/* Resolution codes offered when closing: the server's list is short. */
#define ACTIONS_RUN_RESOLUTIONS_MAX 32

struct ui;
struct actions_run;

struct actions_run *actions_run_new(struct ui *ui);
void actions_run_free(struct actions_run *runner);

/* Runs action on the current screen (after the screen ignored it). */
void actions_run(struct actions_run *runner, enum action action, const char *argument);
/* The client's answer to an action this module sent. */
void actions_run_done(struct actions_run *runner, int request_id, bool ok, const char *message);
/* The client's answer to a client_get; true if this module asked for it. */
bool actions_run_document(struct actions_run *runner, int request_id, int http_status,
                          const cJSON *body);

#endif
