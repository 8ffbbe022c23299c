/* store_panel_internal.h: what the store_panel_*.c files share inside a
 * write job: the site's arm state, and the record of a command's change
 * (timeline of its alarm, the alarm's stream event, the audit row). */
#ifndef VIGIE_STORE_PANEL_INTERNAL_H
#define VIGIE_STORE_PANEL_INTERNAL_H

#include "server/store_internal.h"
#include "server/store_panel_commands.h"

/* A command row as the jobs read it. */
struct panel_command_row {
    int64_t id, site_id, alarm_id;
    enum panel_command_kind kind;
    int zone;
    char state[PANEL_STATE_NAME_MAX];
    char username[64];
    bool reported;
};

/* Sets the site's arm state (and since when) if it differs, with a "site"
 * stream event as the DC-09 ingest sends. */
int store_tx_panel_site_state(struct store_tx *tx, int64_t site_id, enum panel_arm_state state,
                              struct store_error *error);

/* Writes what happened to a command: a "panel" timeline entry on its
 * alarm (if any) by `user_id` (0: vigied) and the alarm's stream event,
 * then an audit row `action` on the command by `actor` with `detail`
 * (a JSON object, consumed). */
int store_tx_panel_record(struct store_tx *tx, const struct panel_command_row *row,
                          const struct actor *actor, const char *action, const char *timeline,
                          cJSON *detail, struct store_error *error);

/* "disarm" / "arm away"...: the command as the timeline says it. */
const char *store_panel_command_words(enum panel_command_kind kind);

#endif
