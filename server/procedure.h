/* procedure.h: what a step of a client's action plan is (its kind: call a
 * keyholder, check a camera, call the site...) and which plan an alarm
 * follows. Pure functions, no SQL: the store applies them when it resolves
 * an alarm's plan, so that every console shows the same checklist.
 *
 * A duress code, or an early open (a disarm outside the site's hours, which
 * may be a worker disarming under threat), is "marked": the duress plan
 * comes first, and no step that calls the site is ever offered, because a
 * call to the site can put the person under threat in danger. */
#ifndef VIGIE_PROCEDURE_H
#define VIGIE_PROCEDURE_H

#include <stdbool.h>

#include "server/alarm.h"

/* The class whose plan a marked alarm follows first. */
#define PROCEDURE_DURESS_CLASS "duress"
/* Bytes of a step's note (one or two sentences an operator types). */
#define PROCEDURE_NOTE_MAX 500
/* Steps of one resolved plan: two plans of at most DIRECTORY_STEP_MAX. */
#define PROCEDURE_STEPS_MAX 198

enum procedure_kind {
    PROCEDURE_KIND_OTHER,
    PROCEDURE_KIND_CALL_KEYHOLDER,
    PROCEDURE_KIND_CHECK_CAMERA,
    PROCEDURE_KIND_DISPATCH_GUARD,
    PROCEDURE_KIND_CALL_POLICE,
    PROCEDURE_KIND_CALL_FIRE_BRIGADE,
    PROCEDURE_KIND_CALL_SITE,
    PROCEDURE_KIND_DO_NOT_CALL_SITE,
    PROCEDURE_KIND_COUNT
};

/* "call-keyholder", "call-site"...; "other" for an out-of-range value. */
const char *procedure_kind_name(enum procedure_kind kind);
bool procedure_kind_parse(const char *text, enum procedure_kind *out);
/* The kind a step's action text most likely has, in English or French
 * ("Call keyholder 1", "Do NOT call the site", "Appeler le site"...), for
 * plans written without one. */
enum procedure_kind procedure_kind_guess(const char *action);

enum procedure_marker {
    PROCEDURE_MARKER_NONE,
    PROCEDURE_MARKER_DURESS,     /* a duress (hold-up) code */
    PROCEDURE_MARKER_EARLY_OPEN, /* a disarm outside the site's hours */
};
/* "duress", "early-open", or NULL for none. */
const char *procedure_marker_name(enum procedure_marker marker);
/* Duress wins over early open: the class says more than the flag. */
enum procedure_marker procedure_marker_of(const char *class_name, unsigned flags);
/* Whether a step of this kind is offered for an alarm with this marker:
 * calling the site never is for a marked alarm. */
bool procedure_step_offered(enum procedure_kind kind, enum procedure_marker marker);

enum procedure_step_state {
    PROCEDURE_STEP_PENDING,
    PROCEDURE_STEP_DONE,
    PROCEDURE_STEP_SKIPPED,
    PROCEDURE_STEP_FAILED,
};
const char *procedure_step_state_name(enum procedure_step_state state);
bool procedure_step_state_parse(const char *text, enum procedure_step_state *out);

#endif
