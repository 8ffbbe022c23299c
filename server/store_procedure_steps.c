/* store_procedure_steps.c: the checklist of an alarm. One function
 * resolves the plan, for the read and for the mark alike, so that a step
 * can only be marked if it is offered; the read adds each step's state and
 * the site's call list; the mark checks the step against the plan inside
 * the writer's transaction, so that a plan changed meanwhile is seen. */
#include "server/store_procedure_steps.h"
#include "server/store_directory.h"
#include "server/store_internal.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The levels of plans, most specific first: the site's plan for the class,
 * the client's plan for the class, the client's plan for any class. */
#define PLAN_LEVELS 3

/* ---- small readers ---- */

static void add_text_column(cJSON *object, const char *name, sqlite3_stmt *st, int column)
{
    const unsigned char *text = sqlite3_column_text(st, column);
    if (text && text[0])
        cJSON_AddStringToObject(object, name, (const char *)text);
    else
        cJSON_AddNullToObject(object, name);
}

static void add_time(cJSON *object, const char *name, int64_t ms)
{
    char text[CLOCK_RFC3339_SIZE];
    clock_format_rfc3339(ms, text);
    cJSON_AddStringToObject(object, name, text);
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **out, const char *what,
                   struct store_error *error)
{
    return sqlite3_prepare_v2(db, sql, -1, out, NULL) == SQLITE_OK
               ? STORE_OK
               : store_sql_error(db, what, error);
}

void procedure_steps_fill_kind(cJSON *steps)
{
    cJSON *step;
    cJSON_ArrayForEach(step, steps)
    {
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(step, "kind");
        enum procedure_kind parsed;
        if (cJSON_IsString(kind) && procedure_kind_parse(kind->valuestring, &parsed))
            continue;
        const cJSON *action = cJSON_GetObjectItemCaseSensitive(step, "action");
        const char *guess = procedure_kind_name(procedure_kind_guess(cJSON_GetStringValue(action)));
        cJSON *value = cJSON_CreateString(guess);
        if (value && !cJSON_ReplaceItemInObjectCaseSensitive(step, "kind", value) &&
            !cJSON_AddItemToObject(step, "kind", value))
            cJSON_Delete(value);
    }
}

/* ---- who the alarm belongs to ---- */

/* The site and its client, or (an alarm without a site) the protection
 * programme's client; `client_id` 0 when there is none. */
static int add_owner(sqlite3 *db, const struct alarm *alarm, bool marked, cJSON *doc,
                     int64_t *client_id, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    const char *sql =
        alarm->site_id > 0
            ? "SELECT c.id, c.name, c.kind, c.phone, s.id, s.name, s.phone"
              " FROM sites s JOIN clients c ON c.id = s.client_id WHERE s.id = ?"
            : "SELECT id, name, kind, phone FROM clients WHERE kind = ? ORDER BY id LIMIT 1";
    if (prepare(db, sql, &st, "reading an alarm's client", error) != STORE_OK)
        return STORE_ERROR;
    if (alarm->site_id > 0)
        sqlite3_bind_int64(st, 1, alarm->site_id);
    else
        sqlite3_bind_text(st, 1, PROCEDURE_PROTECTION_CLIENT_KIND, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *client_id = 0;
    cJSON *site = NULL, *client = NULL;
    if (rc == SQLITE_ROW) {
        *client_id = sqlite3_column_int64(st, 0);
        client = cJSON_AddObjectToObject(doc, "client");
        cJSON_AddNumberToObject(client, "id", (double)*client_id);
        add_text_column(client, "name", st, 1);
        add_text_column(client, "kind", st, 2);
        add_text_column(client, "phone", st, 3);
    }
    if (rc == SQLITE_ROW && alarm->site_id > 0) {
        site = cJSON_AddObjectToObject(doc, "site");
        cJSON_AddNumberToObject(site, "id", (double)sqlite3_column_int64(st, 4));
        add_text_column(site, "name", st, 5);
        /* The site's number is not one to call when the call may be
         * answered by the person under threat. */
        if (marked)
            cJSON_AddNullToObject(site, "phone");
        else
            add_text_column(site, "phone", st, 6);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_sql_error(db, "reading an alarm's client", error);
    if (!site)
        cJSON_AddNullToObject(doc, "site");
    if (!client)
        cJSON_AddNullToObject(doc, "client");
    return STORE_OK;
}

/* ---- the plan ---- */

struct plan_walk {
    sqlite3 *db;
    const struct alarm *alarm;
    enum procedure_marker marker;
    int64_t client_id;
    cJSON *steps; /* the resolved steps so far */
    int number;   /* of the last step offered */
    int hidden;   /* steps left out for the marker */
};

/* Appends the steps of one plan level that are offered; says whether the
 * level had any step at all (then it is the plan, even if all are hidden). */
static int add_level(struct plan_walk *walk, const char *where, int64_t owner_id,
                     const char *alarm_class, bool *found, struct store_error *error)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT id, action, detail, kind FROM procedures WHERE %s AND alarm_class = ?"
             " ORDER BY step, id",
             where);
    sqlite3_stmt *st = NULL;
    if (prepare(walk->db, sql, &st, "reading procedures", error) != STORE_OK)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, owner_id);
    sqlite3_bind_text(st, 2, alarm_class, -1, SQLITE_STATIC);
    int rc;
    *found = false;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        *found = true;
        const char *action = (const char *)sqlite3_column_text(st, 1);
        enum procedure_kind kind;
        if (!procedure_kind_parse((const char *)sqlite3_column_text(st, 3), &kind))
            kind = procedure_kind_guess(action);
        if (!procedure_step_offered(kind, walk->marker)) {
            walk->hidden++;
            continue;
        }
        if (cJSON_GetArraySize(walk->steps) >= PROCEDURE_STEPS_MAX)
            break;
        cJSON *step = cJSON_CreateObject();
        cJSON_AddNumberToObject(step, "id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddNumberToObject(step, "number", ++walk->number);
        cJSON_AddStringToObject(step, "class", alarm_class);
        cJSON_AddStringToObject(step, "kind", procedure_kind_name(kind));
        cJSON_AddStringToObject(step, "action", action ? action : "");
        add_text_column(step, "detail", st, 2);
        cJSON_AddItemToArray(walk->steps, step);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW
               ? STORE_OK
               : store_sql_error(walk->db, "reading procedures", error);
}

/* Resolves the plan of one class and notes which level it came from. */
static int add_plan(struct plan_walk *walk, const char *alarm_class, cJSON *plans,
                    struct store_error *error)
{
    const struct {
        const char *scope, *where, *alarm_class;
        int64_t owner_id;
    } levels[PLAN_LEVELS] = {
        {"site", "site_id = ?", alarm_class, walk->alarm->site_id},
        {"client", "client_id = ? AND site_id IS NULL", alarm_class, walk->client_id},
        {"default", "client_id = ? AND site_id IS NULL", DIRECTORY_DEFAULT_CLASS, walk->client_id},
    };
    const char *scope = "none";
    bool found = false;
    int status = STORE_OK;
    for (size_t i = 0; i < PLAN_LEVELS && !found && status == STORE_OK; i++) {
        if (levels[i].owner_id <= 0)
            continue;
        status = add_level(walk, levels[i].where, levels[i].owner_id, levels[i].alarm_class, &found,
                           error);
        if (found)
            scope = levels[i].scope;
    }
    cJSON *plan = cJSON_CreateObject();
    cJSON_AddStringToObject(plan, "class", alarm_class);
    cJSON_AddStringToObject(plan, "scope", scope);
    cJSON_AddItemToArray(plans, plan);
    return status;
}

/* Fills doc with the alarm's owner, marker and resolved steps. */
static int resolve(sqlite3 *db, const struct alarm *alarm, cJSON *doc, struct store_error *error)
{
    enum procedure_marker marker = procedure_marker_of(alarm->class_name, alarm->flags);
    const char *marker_name = procedure_marker_name(marker);
    cJSON_AddNumberToObject(doc, "alarm_id", (double)alarm->id);
    cJSON_AddStringToObject(doc, "class", alarm->class_name);
    if (marker_name)
        cJSON_AddStringToObject(doc, "marker", marker_name);
    else
        cJSON_AddNullToObject(doc, "marker");
    cJSON_AddBoolToObject(doc, "call_site_allowed", marker == PROCEDURE_MARKER_NONE);
    struct plan_walk walk = {.db = db, .alarm = alarm, .marker = marker};
    int status = add_owner(db, alarm, marker != PROCEDURE_MARKER_NONE, doc, &walk.client_id, error);
    cJSON *plans = cJSON_AddArrayToObject(doc, "plans");
    walk.steps = cJSON_CreateArray();
    if (!plans || !walk.steps) {
        cJSON_Delete(walk.steps);
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    /* A marked alarm is a possible hold-up: the duress plan before
     * anything else, then (an early open) the plan of its own class. */
    if (status == STORE_OK && marker != PROCEDURE_MARKER_NONE)
        status = add_plan(&walk, PROCEDURE_DURESS_CLASS, plans, error);
    if (status == STORE_OK && strcmp(alarm->class_name, PROCEDURE_DURESS_CLASS) != 0)
        status = add_plan(&walk, alarm->class_name, plans, error);
    cJSON_AddNumberToObject(doc, "hidden_steps", walk.hidden);
    cJSON_AddItemToObject(doc, "steps", walk.steps);
    return status;
}

static cJSON *find_step(cJSON *doc, int64_t procedure_id)
{
    cJSON *step;
    cJSON_ArrayForEach(step, cJSON_GetObjectItemCaseSensitive(doc, "steps"))
    {
        if ((int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(step, "id")) ==
            procedure_id)
            return step;
    }
    return NULL;
}

/* ---- the read ---- */

static int add_states(sqlite3 *db, int64_t alarm_id, cJSON *doc, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (prepare(db,
                "SELECT p.procedure_id, p.state, p.note, p.changed_at, u.username,"
                " u.display_name FROM alarm_procedure_steps p"
                " LEFT JOIN users u ON u.id = p.user_id WHERE p.alarm_id = ?",
                &st, "reading an alarm's steps", error) != STORE_OK)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, alarm_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *step = find_step(doc, sqlite3_column_int64(st, 0));
        if (!step)
            continue; /* a step of an earlier plan: its record is in the timeline */
        cJSON_DeleteItemFromObjectCaseSensitive(step, "state");
        add_text_column(step, "state", st, 1);
        add_text_column(step, "note", st, 2);
        add_text_column(step, "by", st, 4);
        add_text_column(step, "by_name", st, 5);
        add_time(step, "at", sqlite3_column_int64(st, 3));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(db, "reading an alarm's steps", error);
}

/* The site's call list, in order. */
static int read_keyholders(sqlite3 *db, int64_t site_id, cJSON **out, struct store_error *error)
{
    *out = cJSON_CreateArray();
    sqlite3_stmt *st = NULL;
    if (!*out || prepare(db,
                         "SELECT position, name, phone, availability FROM keyholders"
                         " WHERE site_id = ? ORDER BY position, id",
                         &st, "reading a site's keyholders", error) != STORE_OK)
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, site_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *keyholder = cJSON_CreateObject();
        cJSON_AddNumberToObject(keyholder, "position", sqlite3_column_int(st, 0));
        add_text_column(keyholder, "name", st, 1);
        add_text_column(keyholder, "phone", st, 2);
        add_text_column(keyholder, "availability", st, 3);
        cJSON_AddItemToArray(*out, keyholder);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(db, "reading a site's keyholders", error);
}

/* Every step starts pending; a keyholder step carries the call list. */
static int add_defaults(sqlite3 *db, const struct alarm *alarm, cJSON *doc,
                        struct store_error *error)
{
    cJSON *keyholders = NULL;
    int status =
        alarm->site_id > 0 ? read_keyholders(db, alarm->site_id, &keyholders, error) : STORE_OK;
    cJSON *step;
    cJSON_ArrayForEach(step, cJSON_GetObjectItemCaseSensitive(doc, "steps"))
    {
        cJSON_AddStringToObject(step, "state", "pending");
        const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(step, "kind"));
        if (status == STORE_OK && kind && strcmp(kind, "call-keyholder") == 0)
            cJSON_AddItemToObject(step, "keyholders",
                                  keyholders ? cJSON_Duplicate(keyholders, true)
                                             : cJSON_CreateArray());
    }
    cJSON_Delete(keyholders);
    return status;
}

static int read_alarm(sqlite3 *db, int64_t alarm_id, struct alarm **out, struct store_error *error)
{
    *out = malloc(sizeof **out);
    if (!*out) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    int status = store_alarm_read(db, alarm_id, *out, error);
    if (status != STORE_OK) {
        free(*out);
        *out = NULL;
    }
    return status;
}

int store_alarm_procedure_json(struct store *store, int64_t alarm_id, cJSON **out,
                               struct store_error *error)
{
    *out = NULL;
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    cJSON *doc = cJSON_CreateObject();
    struct alarm *alarm = NULL;
    int status = doc ? store_exec(db, "BEGIN", error) : STORE_ERROR;
    if (!doc)
        store_error_set(error, "out of memory");
    if (status == STORE_OK) {
        status = read_alarm(db, alarm_id, &alarm, error);
        if (status == STORE_OK)
            status = resolve(db, alarm, doc, error);
        if (status == STORE_OK)
            status = add_defaults(db, alarm, doc, error);
        if (status == STORE_OK)
            status = add_states(db, alarm_id, doc, error);
        store_exec(db, "COMMIT", NULL);
    }
    store_reader_release(store, db);
    free(alarm);
    if (status != STORE_OK) {
        cJSON_Delete(doc);
        return status;
    }
    *out = doc;
    return STORE_OK;
}

/* ---- the mark ---- */

struct mark_job {
    const struct actor *actor;
    int64_t alarm_id, procedure_id;
    enum procedure_step_state state;
    const char *note;
};

/* The same rule as a note: anyone may work an alarm nobody holds; one
 * held by another operator is theirs. */
static int check_alarm(struct store_tx *tx, const struct mark_job *job, const struct alarm *alarm,
                       struct store_error *error)
{
    enum alarm_verdict verdict =
        alarm_action_check(alarm, ALARM_ACTION_NOTE, job->actor->user_id, tx->now_ms);
    if (verdict == ALARM_ALLOWED)
        return STORE_OK;
    if (verdict == ALARM_REFUSED_HELD)
        store_error_set(error, _("%s is handling this alarm"), alarm->claim.display_name);
    else
        store_error_set(error, "%s", alarm_verdict_message(verdict));
    return STORE_CONFLICT;
}

static int save_state(struct store_tx *tx, const struct mark_job *job, const char *action,
                      struct store_error *error)
{
    static const char sql[] =
        "INSERT INTO alarm_procedure_steps(alarm_id, procedure_id, state, note, user_id,"
        " changed_at, action) VALUES(?,?,?,?,?,?,?)"
        " ON CONFLICT(alarm_id, procedure_id) DO UPDATE SET state = excluded.state,"
        " note = excluded.note, user_id = excluded.user_id, changed_at = excluded.changed_at,"
        " action = excluded.action";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "marking a step", error);
    sqlite3_bind_int64(st, 1, job->alarm_id);
    sqlite3_bind_int64(st, 2, job->procedure_id);
    sqlite3_bind_text(st, 3, procedure_step_state_name(job->state), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, job->note ? job->note : "", -1, SQLITE_STATIC);
    if (job->actor->user_id > 0)
        sqlite3_bind_int64(st, 5, job->actor->user_id);
    else
        sqlite3_bind_null(st, 5);
    sqlite3_bind_int64(st, 6, tx->now_ms);
    sqlite3_bind_text(st, 7, action, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(tx->db, "marking a step", error);
}

/* The timeline says which step, what became of it and the note; the audit
 * row names the step and the timeline entry. */
static int record(struct store_tx *tx, const struct mark_job *job, const cJSON *step,
                  struct store_error *error)
{
    char text[ALARM_NOTE_MAX + 1];
    const char *action = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(step, "action"));
    int number = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(step, "number"));
    bool noted = job->note && job->note[0];
    snprintf(text, sizeof text, _("step %d %s: %.300s%s%.500s"), number,
             procedure_step_state_name(job->state), action ? action : "", noted ? " - " : "",
             noted ? job->note : "");
    int status = store_tx_timeline(tx, job->alarm_id, job->actor->user_id, "step", text, error);
    if (status != STORE_OK)
        return status;
    char detail[160];
    snprintf(detail, sizeof detail,
             "{\"procedure_id\":%lld,\"number\":%d,\"state\":\"%s\",\"timeline_id\":%lld}",
             (long long)job->procedure_id, number, procedure_step_state_name(job->state),
             (long long)sqlite3_last_insert_rowid(tx->db));
    status = store_tx_audit(tx, job->actor, "alarm.procedure_step", "alarm", job->alarm_id, detail,
                            error);
    return status == STORE_OK ? store_tx_alarm_changed(tx, job->alarm_id, error) : status;
}

static int mark_job_run(struct store_tx *tx, void *context, struct store_error *error)
{
    struct mark_job *job = context;
    struct alarm *alarm = NULL;
    int status = read_alarm(tx->db, job->alarm_id, &alarm, error);
    if (status == STORE_OK)
        status = check_alarm(tx, job, alarm, error);
    cJSON *doc = status == STORE_OK ? cJSON_CreateObject() : NULL;
    if (status == STORE_OK && !doc) {
        store_error_set(error, "out of memory");
        status = STORE_ERROR;
    }
    if (status == STORE_OK)
        status = resolve(tx->db, alarm, doc, error);
    const cJSON *step = status == STORE_OK ? find_step(doc, job->procedure_id) : NULL;
    if (status == STORE_OK && !step) {
        store_error_set(error, _("step %lld is not in the procedure of alarm %lld"),
                        (long long)job->procedure_id, (long long)job->alarm_id);
        status = STORE_NOT_FOUND;
    }
    if (status == STORE_OK)
        status = save_state(
            tx, job, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(step, "action")), error);
    if (status == STORE_OK)
        status = record(tx, job, step, error);
    cJSON_Delete(doc);
    free(alarm);
    return status;
}

int store_alarm_procedure_mark(struct store *store, const struct actor *actor, int64_t alarm_id,
                               int64_t procedure_id, enum procedure_step_state state,
                               const char *note, struct store_error *error)
{
    struct mark_job job = {actor, alarm_id, procedure_id, state, note};
    return store_write(store, mark_job_run, &job, error);
}
