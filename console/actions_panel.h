/* actions_panel.h: arm away (L), arm stay (H), disarm (D) and bypass zone
 * (B) on the alarm on screen. Each asks first, in a dialog that names the
 * site and the command, and only a "y" sends it; the answer of vigied
 * (accepted as pending, or refused with its reason) goes to the status
 * line, and the panel's own answer shows in the alarm's detail as the
 * server reports it. Read-only consoles never get here (ui_run_action). */
#ifndef VIGIE_CONSOLE_ACTIONS_PANEL_H
#define VIGIE_CONSOLE_ACTIONS_PANEL_H

#include <stdbool.h>
#include <stdint.h>

#include "console/actions.h"

struct ui;
struct actions_panel;

struct actions_panel *actions_panel_new(struct ui *ui);
void actions_panel_free(struct actions_panel *panel);

/* ACTION_ARM_AWAY, _ARM_STAY, _DISARM or _BYPASS_ZONE on the alarm. */
void actions_panel_run(struct actions_panel *panel, enum action action, int64_t alarm_id);
/* The client's answer to a command; false when the request is not ours. */
bool actions_panel_done(struct actions_panel *panel, int request_id, bool ok, const char *message);

#endif
