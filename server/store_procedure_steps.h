/* store_procedure_steps.h: an alarm's procedure as a checklist. The store
 * resolves which plan the alarm follows (the site's plan for its class,
 * else its client's, else the client's default; a duress code or an early
 * open follows the duress plan first and is never offered a call to the
 * site), and keeps the state of each step per alarm: done, skipped or
 * failed, with a note, who and when. Every mark is audited, written to the
 * alarm's timeline and sent on the stream as a change of the alarm, so
 * that every console showing the checklist sees it at once.
 *
 * Protection-phone alarms have no site: they follow the plan of the
 * centre's protection programme (the first client of kind "protection"). */
#ifndef VIGIE_STORE_PROCEDURE_STEPS_H
#define VIGIE_STORE_PROCEDURE_STEPS_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "server/procedure.h"
#include "server/store.h"

/* The client kind whose plan protection-phone alarms follow. */
#define PROCEDURE_PROTECTION_CLIENT_KIND "protection"

/* The alarm's checklist: {alarm_id, class, marker, call_site_allowed,
 * site {id, name, phone (null when marked)}, client {id, name, kind,
 * phone}, plans [{class, scope}], hidden_steps, steps [{id, number, class,
 * kind, action, detail, state, note, by, by_name, at, keyholders}]}.
 * STORE_NOT_FOUND for an unknown alarm. */
int store_alarm_procedure_json(struct store *store, int64_t alarm_id, cJSON **out,
                               struct store_error *error);

/* Marks step `procedure_id` of the alarm's plan. STORE_NOT_FOUND when the
 * alarm is unknown or the step is not in its plan (a step hidden from a
 * marked alarm included); STORE_CONFLICT when the alarm is closed or held
 * by another operator. `note` may be NULL. */
int store_alarm_procedure_mark(struct store *store, const struct actor *actor, int64_t alarm_id,
                               int64_t procedure_id, enum procedure_step_state state,
                               const char *note, struct store_error *error);

/* Gives every step of the array a "kind": the stored one, or the one its
 * action's text suggests when none was stored. */
void procedure_steps_fill_kind(cJSON *steps);

#endif
