/* store_alarms.c: alarms, their timeline and their state changes. Each
 * change is one job in the group commit: the alarm row, a timeline entry,
 * an audit row and a stream event are written together or not at all. */
#include "server/store_internal.h"
#include "server/alarm_summary.h"
#include "server/text_fast.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALARM_SELECT                                                                               \
    "SELECT a.id, a.seq, a.source, COALESCE(a.account,''), COALESCE(a.site_id,0),"                 \
    " COALESCE(a.device_id,0), COALESCE(a.victim_id,0),"                                           \
    " COALESCE(s.name, v.reference, a.account, ''),"                                               \
    " CASE WHEN s.id IS NULL THEN '' WHEN s.address = '' THEN s.city"                              \
    "      ELSE s.address || ', ' || s.city END,"                                                  \
    " COALESCE(a.event_code,''), a.class, a.label, a.priority, COALESCE(a.zone,-1),"               \
    " a.received_at, COALESCE(a.raw,''), a.state, COALESCE(a.claim_user_id,0),"                    \
    " COALESCE(a.claim_session_id,0), COALESCE(u.username,''), COALESCE(u.display_name,''),"       \
    " COALESCE(a.claim_expires_at,0), COALESCE(a.resolution,''), COALESCE(a.closed_at,0),"         \
    " a.flags, p.id, p.lat, p.lon, p.accuracy_m, p.source, COALESCE(p.fix_at,0),"                  \
    " COALESCE(p.battery,-1)"                                                                      \
    " FROM alarms a LEFT JOIN sites s ON s.id = a.site_id"                                         \
    " LEFT JOIN victims v ON v.id = a.victim_id LEFT JOIN users u ON u.id = a.claim_user_id"       \
    " LEFT JOIN positions p ON p.id = (SELECT id FROM positions WHERE alarm_id = a.id"             \
    "  ORDER BY captured_at DESC, id DESC LIMIT 1)"

static void read_alarm_row(sqlite3_stmt *st, struct alarm *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    a->seq = sqlite3_column_int64(st, 1);
    store_copy_text(a->source, sizeof a->source, sqlite3_column_text(st, 2));
    store_copy_text(a->account, sizeof a->account, sqlite3_column_text(st, 3));
    a->site_id = sqlite3_column_int64(st, 4);
    a->device_id = sqlite3_column_int64(st, 5);
    a->victim_id = sqlite3_column_int64(st, 6);
    store_copy_text(a->subject, sizeof a->subject, sqlite3_column_text(st, 7));
    store_copy_text(a->place, sizeof a->place, sqlite3_column_text(st, 8));
    store_copy_text(a->event_code, sizeof a->event_code, sqlite3_column_text(st, 9));
    store_copy_text(a->class_name, sizeof a->class_name, sqlite3_column_text(st, 10));
    store_copy_text(a->label, sizeof a->label, sqlite3_column_text(st, 11));
    a->priority = sqlite3_column_int(st, 12);
    a->zone = sqlite3_column_int(st, 13);
    a->received_at = sqlite3_column_int64(st, 14);
    store_copy_text(a->raw, sizeof a->raw, sqlite3_column_text(st, 15));
    alarm_state_parse((const char *)sqlite3_column_text(st, 16), &a->state);
    a->claim.user_id = sqlite3_column_int64(st, 17);
    a->claim.session_id = sqlite3_column_int64(st, 18);
    store_copy_text(a->claim.username, sizeof a->claim.username, sqlite3_column_text(st, 19));
    store_copy_text(a->claim.display_name, sizeof a->claim.display_name,
                    sqlite3_column_text(st, 20));
    a->claim.expires_at = sqlite3_column_int64(st, 21);
    store_copy_text(a->resolution, sizeof a->resolution, sqlite3_column_text(st, 22));
    a->closed_at = sqlite3_column_int64(st, 23);
    a->flags = (unsigned)sqlite3_column_int(st, 24);
    a->position.present = sqlite3_column_type(st, 25) != SQLITE_NULL;
    a->position.battery = -1;
    if (a->position.present) {
        a->position.id = sqlite3_column_int64(st, 25);
        a->position.lat = sqlite3_column_double(st, 26);
        a->position.lon = sqlite3_column_double(st, 27);
        a->position.accuracy_m = sqlite3_column_double(st, 28);
        store_copy_text(a->position.source, sizeof a->position.source, sqlite3_column_text(st, 29));
        a->position.fix_at = sqlite3_column_int64(st, 30);
        a->position.battery = sqlite3_column_int(st, 31);
    }
}

int store_alarm_read(sqlite3 *db, int64_t id, struct alarm *out, struct store_error *error)
{
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v2(db, ALARM_SELECT " WHERE a.id = ?", -1, &statement, NULL) != SQLITE_OK)
        return store_sql_error(db, "reading an alarm", error);
    sqlite3_bind_int64(statement, 1, id);
    int status = STORE_NOT_FOUND;
    if (sqlite3_step(statement) == SQLITE_ROW) {
        read_alarm_row(statement, out);
        status = STORE_OK;
    } else {
        store_error_set(error, "no alarm %lld", (long long)id);
    }
    sqlite3_finalize(statement);
    return status;
}

int store_tx_alarm_read(struct store_tx *tx, int64_t id, struct alarm *out,
                        struct store_error *error)
{
    static const char sql[] = ALARM_SELECT " WHERE a.id = ?";
    sqlite3_stmt *statement = store_tx_statement(tx, sql);
    if (!statement)
        return store_sql_error(tx->db, "reading an alarm", error);
    sqlite3_bind_int64(statement, 1, id);
    int status = STORE_NOT_FOUND;
    if (sqlite3_step(statement) == SQLITE_ROW) {
        read_alarm_row(statement, out);
        status = STORE_OK;
    } else {
        store_error_set(error, "no alarm %lld", (long long)id);
    }
    sqlite3_reset(statement);
    return status;
}

int store_alarm_get(struct store *store, int64_t id, struct alarm *out, struct store_error *error)
{
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    int status = store_alarm_read(db, id, out, error);
    store_reader_release(store, db);
    return status;
}

/* Emits the stream event of alarm `alarm_id`, whose row already carries
 * `seq` (the sequence this event gets). */
static int emit_alarm_event(struct store_tx *tx, int64_t alarm_id, int64_t seq,
                            struct store_error *error)
{
    struct alarm *alarm = malloc(sizeof *alarm);
    if (!alarm) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    int status = store_tx_alarm_read(tx, alarm_id, alarm, error);
    if (status == STORE_OK) {
        char text[ALARM_SUMMARY_MAX];
        if (alarm_summary_write(alarm, text, sizeof text) == 0 ||
            store_tx_event(tx, "alarm", alarm_id, text) != seq) {
            store_error_set(error, "cannot record the stream event");
            status = STORE_ERROR;
        }
    }
    free(alarm);
    return status;
}

/* The stream event of an alarm just inserted without a device or victim,
 * written from what the insert knows (and its site's name and place)
 * instead of reading the row back: the same summary, fewer steps per
 * event. */
static int emit_new_alarm_event(struct store_tx *tx, int64_t id, int64_t seq,
                                const struct alarm_new *a, bool closed, int64_t received_at,
                                struct store_error *error)
{
    static const char site_sql[] = "SELECT name, address, city FROM sites WHERE id = ?";
    struct alarm alarm; /* its raw text, last and largest, is not summarised */
    memset(&alarm, 0, offsetof(struct alarm, raw));
    alarm.id = id;
    alarm.seq = seq;
    text_copy(alarm.source, sizeof alarm.source, a->source);
    text_copy(alarm.account, sizeof alarm.account, a->account ? a->account : "");
    alarm.site_id = a->site_id > 0 ? a->site_id : 0;
    text_copy(alarm.subject, sizeof alarm.subject, alarm.account);
    if (alarm.site_id > 0) {
        sqlite3_stmt *st = store_tx_statement(tx, site_sql);
        if (!st)
            return store_sql_error(tx->db, "reading a site", error);
        sqlite3_bind_int64(st, 1, alarm.site_id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            const char *address = (const char *)sqlite3_column_text(st, 1);
            const char *city = (const char *)sqlite3_column_text(st, 2);
            const char *name = (const char *)sqlite3_column_text(st, 0);
            text_copy(alarm.subject, sizeof alarm.subject, name ? name : "");
            size_t used = 0;
            if (address && address[0]) {
                used = text_append(alarm.place, sizeof alarm.place, used, address);
                used = text_append(alarm.place, sizeof alarm.place, used, ", ");
            }
            text_append(alarm.place, sizeof alarm.place, used, city ? city : "");
        }
        sqlite3_reset(st);
    }
    text_copy(alarm.event_code, sizeof alarm.event_code, a->event_code ? a->event_code : "");
    text_copy(alarm.class_name, sizeof alarm.class_name, a->class_name);
    text_copy(alarm.label, sizeof alarm.label, a->label ? a->label : "");
    alarm.priority = a->priority;
    alarm.zone = a->zone >= 0 ? a->zone : -1;
    alarm.received_at = received_at;
    alarm.state = closed ? ALARM_STATE_CLOSED : ALARM_STATE_NEW;
    if (closed) {
        text_copy(alarm.resolution, sizeof alarm.resolution, a->closed_resolution);
        alarm.closed_at = tx->now_ms;
    }
    alarm.flags = a->flags;
    char text[ALARM_SUMMARY_MAX];
    if (alarm_summary_write(&alarm, text, sizeof text) == 0 ||
        store_tx_event(tx, "alarm", id, text) != seq) {
        store_error_set(error, "cannot record the stream event");
        return STORE_ERROR;
    }
    return STORE_OK;
}

/* Gives the alarm the sequence of the event about to be emitted, and emits
 * that event with the alarm's new summary. */
int store_tx_alarm_changed(struct store_tx *tx, int64_t alarm_id, struct store_error *error)
{
    static const char sql[] = "UPDATE alarms SET seq = ? WHERE id = ?";
    int64_t seq = store_tx_peek_sequence(tx);
    sqlite3_stmt *statement = store_tx_statement(tx, sql);
    if (!statement)
        return store_sql_error(tx->db, "sequencing an alarm", error);
    sqlite3_bind_int64(statement, 1, seq);
    sqlite3_bind_int64(statement, 2, alarm_id);
    int rc = sqlite3_step(statement);
    sqlite3_reset(statement);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "sequencing an alarm", error);
    return emit_alarm_event(tx, alarm_id, seq, error);
}

int store_tx_timeline(struct store_tx *tx, int64_t alarm_id, int64_t user_id, const char *kind,
                      const char *text, struct store_error *error)
{
    static const char sql[] = "INSERT INTO alarm_timeline(alarm_id, ts, user_id, kind, text)"
                              " VALUES(?,?,?,?,?)";
    sqlite3_stmt *statement = store_tx_statement(tx, sql);
    if (!statement)
        return store_sql_error(tx->db, "writing the timeline", error);
    sqlite3_bind_int64(statement, 1, alarm_id);
    sqlite3_bind_int64(statement, 2, tx->now_ms);
    if (user_id > 0)
        sqlite3_bind_int64(statement, 3, user_id);
    else
        sqlite3_bind_null(statement, 3);
    sqlite3_bind_text(statement, 4, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(statement, 5, text ? text : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(statement);
    sqlite3_reset(statement);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(tx->db, "writing the timeline", error);
}

static void bind_optional_text(sqlite3_stmt *statement, int index, const char *text)
{
    if (text && text[0])
        sqlite3_bind_text(statement, index, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(statement, index);
}

static void bind_optional_id(sqlite3_stmt *statement, int index, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(statement, index, id);
    else
        sqlite3_bind_null(statement, index);
}

int store_tx_alarm_insert(struct store_tx *tx, const struct actor *actor, const struct alarm_new *a,
                          int64_t *id_out, struct store_error *error)
{
    static const char sql[] =
        "INSERT INTO alarms(source, account, site_id, device_id, victim_id, event_code,"
        " class, label, priority, zone, received_at, raw, flags, state, resolution, closed_at,"
        " seq) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "recording an alarm", error);
    bool closed = a->closed_resolution && a->closed_resolution[0];
    sqlite3_bind_text(st, 1, a->source, -1, SQLITE_STATIC);
    bind_optional_text(st, 2, a->account);
    bind_optional_id(st, 3, a->site_id);
    bind_optional_id(st, 4, a->device_id);
    bind_optional_id(st, 5, a->victim_id);
    bind_optional_text(st, 6, a->event_code);
    sqlite3_bind_text(st, 7, a->class_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, a->label ? a->label : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 9, a->priority);
    if (a->zone >= 0)
        sqlite3_bind_int(st, 10, a->zone);
    else
        sqlite3_bind_null(st, 10);
    int64_t received_at = a->received_at > 0 ? a->received_at : tx->now_ms;
    sqlite3_bind_int64(st, 11, received_at);
    bind_optional_text(st, 12, a->raw);
    sqlite3_bind_int(st, 13, (int)a->flags);
    sqlite3_bind_text(st, 14, closed ? "closed" : "new", -1, SQLITE_STATIC);
    bind_optional_text(st, 15, closed ? a->closed_resolution : NULL);
    if (closed)
        sqlite3_bind_int64(st, 16, tx->now_ms);
    else
        sqlite3_bind_null(st, 16);
    /* The row is born with the sequence of the event it is announced by:
     * nothing else emits an event before that one in this job. */
    int64_t seq = store_tx_peek_sequence(tx);
    sqlite3_bind_int64(st, 17, seq);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        store_error_set(error, "the site, device or victim named does not exist");
        return STORE_INVALID;
    }
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "recording an alarm", error);
    int64_t id = sqlite3_last_insert_rowid(tx->db);
    if (store_tx_timeline(tx, id, actor->user_id, "created", a->note, error) != STORE_OK)
        return STORE_ERROR;
    /* People's actions are audited; what a machine sends is recorded by
     * the alarm itself, its raw message and (for DC-09) its receipt. */
    if (actor->user_id > 0) {
        char detail[160];
        snprintf(detail, sizeof detail, "{\"source\":\"%s\",\"class\":\"%s\",\"priority\":%d}",
                 a->source, a->class_name, a->priority);
        if (store_tx_audit(tx, actor, "alarm.create", "alarm", id, detail, error) != STORE_OK)
            return STORE_ERROR;
    }
    if (id_out)
        *id_out = id;
    /* A device's or a victim's alarm may carry a position and names from
     * other tables: read back; a panel's or a person's has none. */
    if (a->device_id > 0 || a->victim_id > 0)
        return emit_alarm_event(tx, id, seq, error);
    return emit_new_alarm_event(tx, id, seq, a, closed, received_at, error);
}

struct alarm_create_job {
    const struct actor *actor;
    const struct alarm_new *alarm;
    int64_t id;
};

static int alarm_create_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct alarm_create_job *job = context;
    return store_tx_alarm_insert(tx, job->actor, job->alarm, &job->id, error);
}

int store_alarm_create(struct store *store, const struct actor *actor,
                       const struct alarm_new *alarm, int64_t *id_out, struct store_error *error)
{
    if (!alarm_class_is_known(alarm->class_name)) {
        store_error_set(error, "unknown alarm class %s", alarm->class_name);
        return STORE_INVALID;
    }
    if (alarm->priority < 1 || alarm->priority > 5) {
        store_error_set(error, "priority must be between 1 and 5");
        return STORE_INVALID;
    }
    struct alarm_create_job job = {actor, alarm, 0};
    int status = store_write(store, alarm_create_job, &job, error);
    if (status == STORE_OK && id_out)
        *id_out = job.id;
    return status;
}

int store_alarm_list_read(sqlite3 *db, const struct store_alarm_query *query,
                          store_alarm_visitor visit, void *context, struct store_error *error)
{
    static const char *const state_clauses[] = {
        [STORE_ALARMS_OPEN] = " WHERE a.state <> 'closed' AND a.seq > ?",
        [STORE_ALARMS_CLOSED] = " WHERE a.state = 'closed' AND a.seq > ?",
        [STORE_ALARMS_ALL] = " WHERE a.seq > ?",
    };
    char sql[4096];
    if (query->queue_order) /* alarms_queue: no sort, LIMIT rows read */
        snprintf(sql, sizeof sql,
                 "%s WHERE a.state <> 'closed' AND a.seq > ?"
                 " ORDER BY a.priority, a.received_at, a.id LIMIT ?",
                 ALARM_SELECT);
    else
        snprintf(sql, sizeof sql, "%s%s ORDER BY a.seq LIMIT ?", ALARM_SELECT,
                 state_clauses[query->state]);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(db, "listing alarms", error);
    sqlite3_bind_int64(st, 1, query->since_seq);
    sqlite3_bind_int(st, 2, query->limit);
    struct alarm *alarm = malloc(sizeof *alarm);
    int status = STORE_OK, rc;
    if (!alarm) {
        store_error_set(error, "out of memory");
        status = STORE_ERROR;
    }
    while (status == STORE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_alarm_row(st, alarm);
        visit(context, alarm);
    }
    if (status == STORE_OK && rc != SQLITE_DONE)
        status = store_sql_error(db, "listing alarms", error);
    free(alarm);
    sqlite3_finalize(st);
    return status;
}
