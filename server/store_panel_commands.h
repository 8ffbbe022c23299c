/* store_panel_commands.h: remote arm/disarm in the store. A panel link is
 * how to reach one panel's control interface (protocol, address,
 * partition) with its secrets (the interface's password, the centre's
 * user code): written by `vigied panel set`, read whole only by the
 * command tracker, never given to the API or to a log line.
 *
 * A panel command is what an operator asked (arm away, arm stay, disarm,
 * bypass a zone) and what became of it: pending, then confirmed (by the
 * panel's answer, by the DC-09 opening or closing that follows, or both:
 * both are recorded), refused (the panel's error answer), timed out, or
 * failed (the panel could not be reached or logged in to). Every change
 * is audited and, when the command came from an alarm, written to its
 * timeline and announced with store_tx_alarm_changed, so consoles see it
 * live. */
#ifndef VIGIE_STORE_PANEL_COMMANDS_H
#define VIGIE_STORE_PANEL_COMMANDS_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "server/panel_driver.h"
#include "server/store.h"

/* Commands listed in a panel document: enough for a shift's history of
 * one site; older ones stay in the store and the audit. */
#define PANEL_COMMANDS_RECENT_MAX 20
/* A DC-09 opening or closing this long after a command still confirms
 * it: a panel reports at the end of its exit delay, over a link that may
 * retry for minutes. */
#define PANEL_REPORT_WINDOW_MS (10 * 60 * 1000)
/* A command's state word: pending, confirmed, refused, timed-out, failed. */
#define PANEL_STATE_NAME_MAX 16
#define PANEL_MESSAGE_MAX    256

/* ---- links (store_panel_links.c) ---- */

/* Which fields store_panel_link_set changes. */
enum panel_link_field {
    PANEL_LINK_PROTOCOL = 1u << 0,
    PANEL_LINK_ADDRESS = 1u << 1,
    PANEL_LINK_PARTITION = 1u << 2,
    PANEL_LINK_PASSWORD = 1u << 3,
    PANEL_LINK_CODE = 1u << 4,
};

/* Sets the link of the panel with DC-09 account `account` (creating it:
 * protocol and address are then required). The audit row says which
 * fields changed, never their secret values. STORE_NOT_FOUND for an
 * unknown account, STORE_INVALID for an unknown protocol. */
int store_panel_link_set(struct store *store, const struct actor *actor, const char *account,
                         const struct panel_link *link, unsigned fields, struct store_error *error);
int store_panel_link_remove(struct store *store, const struct actor *actor, const char *account,
                            struct store_error *error);

/* A link as an administrator lists it: no secret, only whether it is set. */
struct panel_link_summary {
    char account[ALARM_ACCOUNT_MAX];
    int64_t site_id;
    char site_name[ALARM_NAME_MAX];
    char protocol[PANEL_PROTOCOL_MAX];
    char address[PANEL_ADDRESS_MAX];
    int partition;
    bool password_set, code_set;
    int64_t updated_at;
};
typedef void (*store_panel_link_visitor)(void *context, const struct panel_link_summary *link);
int store_panel_links_list(struct store *store, store_panel_link_visitor visit, void *context,
                           struct store_error *error);

/* ---- commands (store_panel_commands.c) ---- */

struct panel_command_new {
    int64_t site_id;
    int64_t alarm_id; /* 0: not sent from an alarm */
    enum panel_command_kind kind;
    int zone; /* bypass only */
};
/* Records a pending command for the site's panel. STORE_NOT_FOUND: no
 * such site; STORE_INVALID: the site has no panel link, the alarm is not
 * the site's, or the link cannot carry the command (no user code for a
 * disarm...), each with a sentence; STORE_CONFLICT: a command for the same
 * panel is still pending. */
int store_panel_command_create(struct store *store, const struct actor *actor,
                               const struct panel_command_new *command, int64_t *id_out,
                               struct store_error *error);

/* A command as the tracker carries it out. */
struct panel_command {
    int64_t id, site_id, panel_id, alarm_id;
    enum panel_command_kind kind;
    int zone;
    char state[PANEL_STATE_NAME_MAX];
    int64_t created_at;
};
/* Reads a command and its panel's link, secrets included: for the tracker
 * only, which wipes `link` when done. */
int store_panel_command_load(struct store *store, int64_t id, struct panel_command *command,
                             struct panel_link *link, struct store_error *error);

/* How a command ended, as the tracker saw it. */
struct panel_command_end {
    const char *state;          /* confirmed, refused, timed-out, failed */
    const char *answer;         /* the panel's decisive answer; NULL when none came */
    const char *message;        /* why, for refused, timed-out and failed; may be NULL */
    enum panel_arm_state armed; /* what the panel says it is; UNKNOWN: no change */
};
/* Records the end of a pending command (a command a DC-09 report already
 * confirmed keeps that state; the answer is recorded beside it). */
int store_panel_command_finish(struct store *store, int64_t id, const struct panel_command_end *end,
                               struct store_error *error);
/* Every command still pending becomes failed with `why` (vigied stopped
 * or started again while it was in flight); how many in *count. */
int store_panel_commands_abandon(struct store *store, const char *why, int *count,
                                 struct store_error *error);

/* The panel document of a site: {site_id, arm_state, arm_since, link
 * (protocol, address, partition, whether a password and a code are set;
 * null when none), commands (newest first, up to `limit`)}. */
int store_site_panel_json(struct store *store, int64_t site_id, int limit, cJSON **out,
                          struct store_error *error);

/* ---- the DC-09 ingest's hook (inside its job) ---- */
struct store_tx;
struct ingest_event;
/* An event of the site's panel was stored as alarm `alarm_id`: an
 * opening, a closing or a zone bypass confirms the pending command it
 * answers; a closing in stay mode sets the site's state to armed-stay.
 * Any other event returns at once, without a statement. */
int store_tx_panel_reported(struct store_tx *tx, int64_t site_id, const struct ingest_event *event,
                            int64_t alarm_id, struct store_error *error);

#endif
