/* procedure.c: step kinds, the guess of a kind from a step's text, the
 * marker of an alarm (duress, early open) and the rule that a marked alarm
 * is never offered a call to the site. */
#include "server/procedure.h"

#include <string.h>

static const char *const kind_names[PROCEDURE_KIND_COUNT] = {
    [PROCEDURE_KIND_OTHER] = "other",
    [PROCEDURE_KIND_CALL_KEYHOLDER] = "call-keyholder",
    [PROCEDURE_KIND_CHECK_CAMERA] = "check-camera",
    [PROCEDURE_KIND_DISPATCH_GUARD] = "dispatch-guard",
    [PROCEDURE_KIND_CALL_POLICE] = "call-police",
    [PROCEDURE_KIND_CALL_FIRE_BRIGADE] = "call-fire-brigade",
    [PROCEDURE_KIND_CALL_SITE] = "call-site",
    [PROCEDURE_KIND_DO_NOT_CALL_SITE] = "do-not-call-site",
};

const char *procedure_kind_name(enum procedure_kind kind)
{
    return kind >= 0 && kind < PROCEDURE_KIND_COUNT ? kind_names[kind] : "other";
}

bool procedure_kind_parse(const char *text, enum procedure_kind *out)
{
    for (int kind = 0; text && kind < PROCEDURE_KIND_COUNT; kind++) {
        if (strcmp(text, kind_names[kind]) == 0) {
            *out = (enum procedure_kind)kind;
            return true;
        }
    }
    return false;
}

/* Whether `text` holds one of the NULL-terminated words, ignoring case
 * (ASCII only: the accented letters of the French words are written as
 * they come, in lower case, which is how plans write them). */
static bool has_any(const char *text, const char *const *words)
{
    for (size_t i = 0; words[i]; i++)
        if (strcasestr(text, words[i]))
            return true;
    return false;
}

enum procedure_kind procedure_kind_guess(const char *action)
{
    static const char *const refusal[] = {"not call", "don't call", "ne pas appeler",
                                          "n'appelez pas", NULL};
    static const char *const calling[] = {"call", "phone", "appel", "téléphon", NULL};
    static const char *const site[] = {"the site", "on site", "site's",    "le site",
                                       "sur site", "du site", "sur place", NULL};
    static const char *const keyholder[] = {"keyholder", "key holder", "détenteur", "dépositaire",
                                            NULL};
    static const char *const police[] = {"police", "gendarmerie", " 17", "112", NULL};
    static const char *const fire[] = {"fire brigade", "firemen", "pompiers", " 18", NULL};
    static const char *const camera[] = {"camera", "caméra", "video", "vidéo", NULL};
    static const char *const guard[] = {"guard",        "dispatch",    "gardien",
                                        "maître-chien", "intervenant", NULL};
    if (!action)
        return PROCEDURE_KIND_OTHER;
    bool about_site = has_any(action, site);
    if (about_site && has_any(action, refusal))
        return PROCEDURE_KIND_DO_NOT_CALL_SITE;
    if (about_site && has_any(action, calling))
        return PROCEDURE_KIND_CALL_SITE;
    if (has_any(action, keyholder))
        return PROCEDURE_KIND_CALL_KEYHOLDER;
    if (has_any(action, police))
        return PROCEDURE_KIND_CALL_POLICE;
    if (has_any(action, fire))
        return PROCEDURE_KIND_CALL_FIRE_BRIGADE;
    if (has_any(action, camera))
        return PROCEDURE_KIND_CHECK_CAMERA;
    if (has_any(action, guard))
        return PROCEDURE_KIND_DISPATCH_GUARD;
    return PROCEDURE_KIND_OTHER;
}

const char *procedure_marker_name(enum procedure_marker marker)
{
    switch (marker) {
    case PROCEDURE_MARKER_DURESS:
        return "duress";
    case PROCEDURE_MARKER_EARLY_OPEN:
        return "early-open";
    case PROCEDURE_MARKER_NONE:
        break;
    }
    return NULL;
}

enum procedure_marker procedure_marker_of(const char *class_name, unsigned flags)
{
    if (class_name && strcmp(class_name, PROCEDURE_DURESS_CLASS) == 0)
        return PROCEDURE_MARKER_DURESS;
    if (flags & ALARM_FLAG_EARLY_OPEN)
        return PROCEDURE_MARKER_EARLY_OPEN;
    return PROCEDURE_MARKER_NONE;
}

bool procedure_step_offered(enum procedure_kind kind, enum procedure_marker marker)
{
    return !(marker != PROCEDURE_MARKER_NONE && kind == PROCEDURE_KIND_CALL_SITE);
}

static const char *const state_names[] = {
    [PROCEDURE_STEP_PENDING] = "pending",
    [PROCEDURE_STEP_DONE] = "done",
    [PROCEDURE_STEP_SKIPPED] = "skipped",
    [PROCEDURE_STEP_FAILED] = "failed",
};

const char *procedure_step_state_name(enum procedure_step_state state)
{
    return state <= PROCEDURE_STEP_FAILED ? state_names[state] : "pending";
}

bool procedure_step_state_parse(const char *text, enum procedure_step_state *out)
{
    for (size_t i = 0; text && i < sizeof state_names / sizeof state_names[0]; i++) {
        if (strcmp(text, state_names[i]) == 0) {
            *out = (enum procedure_step_state)i;
            return true;
        }
    }
    return false;
}
