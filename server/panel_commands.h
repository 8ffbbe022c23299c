/* panel_commands.h: the command tracker. One thread carries out the panel
 * commands the API recorded: it connects to each panel's control
 * interface, lets the panel's driver (panel_driver.h) speak, and writes
 * the outcome to the store: confirmed, refused, failed, or timed out once
 * panel_command_timeout_s (30 s by default) have passed since the operator
 * asked. Several panels are served at once, each on its own connection,
 * opened for one command and closed after it. */
#ifndef VIGIE_PANEL_COMMANDS_H
#define VIGIE_PANEL_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>

#include "server/config.h"
#include "server/store.h"

/* Commands in flight at once: a centre's operators send a few a minute. */
#define PANEL_COMMANDS_SESSIONS_MAX 32
/* Commands waiting to be picked up by the tracker's thread. */
#define PANEL_COMMANDS_QUEUE_MAX 64

struct panel_commands;

/* Starts the tracker; commands left pending by a previous run are marked
 * failed first (nobody knows what their panel did). NULL on failure. */
struct panel_commands *panel_commands_start(struct store *store,
                                            const struct server_config *config);
/* Stops the thread; commands still in flight are marked failed. */
void panel_commands_stop(struct panel_commands *tracker);
/* Hands a recorded (pending) command to the tracker; false when the
 * queue is full or the tracker stopped (the caller marks it failed). */
bool panel_commands_submit(struct panel_commands *tracker, int64_t command_id);

#endif
