/* store_devices.c: what a message from a protection phone or a lone-worker
 * device does, in one job of the group commit: the device is heard (and
 * its overdue flag cleared by a test or an alarm), then the message opens
 * a priority-1 alarm, adds a point to the track of the alarm the device
 * already has open, or records a test closed. Device messages are audited
 * by id: their raw text is redacted at the purge, so the audit row is what
 * keeps the fact that they came. */
#include "server/store_devices.h"
#include "server/store_internal.h"
#include "common/i18n.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    bool from_json; /* a name a device may send */
    const char *code, *class_name;
    int priority;
} triggers[] = {
    [DEVICE_TRIGGER_SOS] = {"sos", true, "SOS", "panic", 1},
    [DEVICE_TRIGGER_POWER_BUTTON] = {"power-button", true, "POWER-KEY", "panic", 1},
    [DEVICE_TRIGGER_FALL] = {"fall", true, "FALL", "medical", 1},
    [DEVICE_TRIGGER_TEST] = {"test", true, "TEST", "technical", 5},
    [DEVICE_TRIGGER_POSITION] = {"position", true, NULL, NULL, 0},
    [DEVICE_TRIGGER_EMERGENCY_CALL] = {"emergency-call", false, "AML", "panic", 1},
};

bool device_trigger_parse(const char *text, enum device_trigger *out)
{
    for (size_t i = 0; i < sizeof triggers / sizeof triggers[0]; i++) {
        if (triggers[i].from_json && strcmp(text, triggers[i].name) == 0) {
            *out = (enum device_trigger)i;
            return true;
        }
    }
    return false;
}

const char *device_trigger_name(enum device_trigger trigger)
{
    return triggers[trigger].name;
}

static bool trigger_is_alarm(enum device_trigger trigger)
{
    return trigger != DEVICE_TRIGGER_TEST && trigger != DEVICE_TRIGGER_POSITION;
}

/* ---- identity ---- */

static int find_device(struct store *store, const char *sql, const char *key,
                       struct device_identity *out, struct store_error *error)
{
    memset(out, 0, sizeof *out);
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_NOT_FOUND;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "finding a device", error);
    } else {
        sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            out->id = sqlite3_column_int64(st, 0);
            store_copy_text(out->uid, sizeof out->uid, sqlite3_column_text(st, 1));
            store_copy_text(out->kind, sizeof out->kind, sqlite3_column_text(st, 2));
            store_copy_text(out->aml_key_hex, sizeof out->aml_key_hex, sqlite3_column_text(st, 3));
            status = STORE_OK;
        } else if (rc == SQLITE_DONE) {
            store_error_set(error, "no such device");
        } else {
            status = store_sql_error(db, "finding a device", error);
        }
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}

int store_device_find_by_token(struct store *store, const char *token_hash,
                               struct device_identity *out, struct store_error *error)
{
    return find_device(store,
                       "SELECT id, device_uid, kind, COALESCE(aml_key_hex,'') FROM devices"
                       " WHERE token_hash = ? AND token_hash IS NOT NULL",
                       token_hash, out, error);
}

int store_device_find_by_msisdn(struct store *store, const char *msisdn,
                                struct device_identity *out, struct store_error *error)
{
    return find_device(store,
                       "SELECT id, device_uid, kind, COALESCE(aml_key_hex,'') FROM devices"
                       " WHERE msisdn = ? AND msisdn IS NOT NULL",
                       msisdn, out, error);
}

/* ---- the message job ---- */

struct device_row {
    int64_t id, victim_id, site_id, overdue_alarm_id;
    char uid[DEVICE_UID_MAX];
    char kind[DEVICE_KIND_MAX];
};

static int device_read(struct store_tx *tx, int64_t id, struct device_row *row,
                       struct store_error *error)
{
    static const char sql[] = "SELECT id, device_uid, kind, COALESCE(victim_id,0),"
                              " COALESCE(site_id,0), COALESCE(overdue_alarm_id,0)"
                              " FROM devices WHERE id = ?";
    memset(row, 0, sizeof *row);
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "reading a device", error);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        row->id = sqlite3_column_int64(st, 0);
        store_copy_text(row->uid, sizeof row->uid, sqlite3_column_text(st, 1));
        store_copy_text(row->kind, sizeof row->kind, sqlite3_column_text(st, 2));
        row->victim_id = sqlite3_column_int64(st, 3);
        row->site_id = sqlite3_column_int64(st, 4);
        row->overdue_alarm_id = sqlite3_column_int64(st, 5);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) {
        store_error_set(error, "no device %lld", (long long)id);
        return STORE_NOT_FOUND;
    }
    return rc == SQLITE_ROW ? STORE_OK : store_sql_error(tx->db, "reading a device", error);
}

static const char *kind_label(const struct device_row *row)
{
    return strcmp(row->kind, "lone-worker") == 0 ? _("lone-worker device") : _("protection phone");
}

static int receipt_find(struct store_tx *tx, int64_t device_id, const char *hmac,
                        struct device_outcome *out, struct store_error *error)
{
    static const char sql[] = "SELECT COALESCE(alarm_id,0) FROM aml_receipts"
                              " WHERE device_id = ? AND hmac = ?";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "checking AML receipts", error);
    sqlite3_bind_int64(st, 1, device_id);
    sqlite3_bind_text(st, 2, hmac, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->duplicate = true;
        out->alarm_id = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? STORE_OK
               : store_sql_error(tx->db, "checking AML receipts", error);
}

static int receipt_record(struct store_tx *tx, int64_t device_id, const char *hmac,
                          int64_t alarm_id, struct store_error *error)
{
    static const char sql[] = "INSERT INTO aml_receipts(device_id, hmac, received_at, alarm_id)"
                              " VALUES(?,?,?,?)";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "recording an AML receipt", error);
    sqlite3_bind_int64(st, 1, device_id);
    sqlite3_bind_text(st, 2, hmac, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, tx->now_ms);
    if (alarm_id > 0)
        sqlite3_bind_int64(st, 4, alarm_id);
    else
        sqlite3_bind_null(st, 4);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK
                             : store_sql_error(tx->db, "recording an AML receipt", error);
}

/* A sign of life. A test or an alarm proves the device works: its overdue
 * flag goes, and the overdue alarm (left for the operator to close) says
 * so in its timeline. */
static int device_heard(struct store_tx *tx, const struct device_row *row,
                        enum device_trigger trigger, struct store_error *error)
{
    static const char sql[] =
        "UPDATE devices SET last_seen_at = ?1,"
        " last_test_at = CASE WHEN ?2 THEN ?1 ELSE last_test_at END,"
        " last_alarm_at = CASE WHEN ?3 THEN ?1 ELSE last_alarm_at END,"
        " overdue_alarm_id = CASE WHEN ?2 OR ?3 THEN NULL ELSE overdue_alarm_id END"
        " WHERE id = ?4";
    bool tested = trigger == DEVICE_TRIGGER_TEST, alarmed = trigger_is_alarm(trigger);
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "updating a device", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    sqlite3_bind_int(st, 2, tested);
    sqlite3_bind_int(st, 3, alarmed);
    sqlite3_bind_int64(st, 4, row->id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "updating a device", error);
    if (row->overdue_alarm_id == 0 || !(tested || alarmed))
        return STORE_OK;
    const char *text = tested ? _("the device has tested itself again")
                              : _("the device has raised an alarm: it works again");
    if (store_tx_timeline(tx, row->overdue_alarm_id, 0, "restored", text, error) != STORE_OK)
        return STORE_ERROR;
    return store_tx_alarm_changed(tx, row->overdue_alarm_id, error);
}

static int open_alarm_find(struct store_tx *tx, int64_t device_id, int64_t *alarm_id,
                           struct store_error *error)
{
    static const char sql[] = "SELECT id FROM alarms WHERE device_id = ? AND state <> 'closed'"
                              " AND source IN ('device','aml') ORDER BY id DESC LIMIT 1";
    *alarm_id = 0;
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "finding a device's alarm", error);
    sqlite3_bind_int64(st, 1, device_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *alarm_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? STORE_OK
               : store_sql_error(tx->db, "finding a device's alarm", error);
}

static int position_add(struct store_tx *tx, int64_t alarm_id, const struct device_message *m,
                        int64_t *position_id, struct store_error *error)
{
    static const char sql[] = "INSERT INTO positions(alarm_id, captured_at, lat, lon, accuracy_m,"
                              " source, fix_at, battery) VALUES(?,?,?,?,?,?,?,?)";
    *position_id = 0;
    if (!m->fix.present)
        return STORE_OK;
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "recording a position", error);
    sqlite3_bind_int64(st, 1, alarm_id);
    sqlite3_bind_int64(st, 2, tx->now_ms);
    sqlite3_bind_double(st, 3, m->fix.lat);
    sqlite3_bind_double(st, 4, m->fix.lon);
    sqlite3_bind_double(st, 5, m->fix.accuracy_m);
    sqlite3_bind_text(st, 6, m->fix.source, -1, SQLITE_STATIC);
    if (m->fix.fix_at > 0)
        sqlite3_bind_int64(st, 7, m->fix.fix_at);
    else
        sqlite3_bind_null(st, 7);
    if (m->battery >= 0)
        sqlite3_bind_int(st, 8, m->battery);
    else
        sqlite3_bind_null(st, 8);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "recording a position", error);
    *position_id = sqlite3_last_insert_rowid(tx->db);
    return STORE_OK;
}

/* The audit row of a device message: ids only, never the data. */
static int audit_message(struct store_tx *tx, const struct device_row *row, const char *action,
                         const struct device_message *m, int64_t alarm_id, int64_t position_id,
                         struct store_error *error)
{
    struct actor device;
    actor_system(&device);
    snprintf(device.username, sizeof device.username, "device:%.56s", row->uid);
    char detail[192], position[24] = "null";
    if (position_id > 0)
        snprintf(position, sizeof position, "%lld", (long long)position_id);
    snprintf(detail, sizeof detail,
             "{\"device_id\":%lld,\"source\":\"%s\",\"trigger\":\"%s\",\"position_id\":%s}",
             (long long)row->id, m->source, device_trigger_name(m->trigger), position);
    return store_tx_audit(tx, &device, action, "alarm", alarm_id, detail, error);
}

static void alarm_label(const struct device_row *row, enum device_trigger trigger, char *out,
                        size_t size)
{
    const char *kind = kind_label(row);
    switch (trigger) {
    case DEVICE_TRIGGER_POWER_BUTTON:
        snprintf(out, size, _("Power key pressed three times on %s %s"), kind, row->uid);
        break;
    case DEVICE_TRIGGER_FALL:
        snprintf(out, size, _("Fall detected by %s %s"), kind, row->uid);
        break;
    case DEVICE_TRIGGER_TEST:
        snprintf(out, size, _("Test of %s %s"), kind, row->uid);
        break;
    case DEVICE_TRIGGER_EMERGENCY_CALL:
        snprintf(out, size, _("Emergency call from %s %s (AML location)"), kind, row->uid);
        break;
    default:
        snprintf(out, size, _("SOS from %s %s"), kind, row->uid);
        break;
    }
}

/* What the timeline of an open alarm says when the device triggers again
 * (a plain position update says nothing: the track shows it). */
static const char *repeat_text(enum device_trigger trigger)
{
    switch (trigger) {
    case DEVICE_TRIGGER_SOS:
        return _("SOS pressed again");
    case DEVICE_TRIGGER_POWER_BUTTON:
        return _("power key pressed three times again");
    case DEVICE_TRIGGER_FALL:
        return _("fall detected");
    case DEVICE_TRIGGER_EMERGENCY_CALL:
        return _("new AML message from an emergency call");
    default:
        return NULL;
    }
}

/* A new alarm (or a test, recorded closed) with its first position. The
 * alarm's creation event goes out before the position exists; a second
 * event then says that it has one. */
static int alarm_open(struct store_tx *tx, const struct device_row *row,
                      const struct device_message *m, struct device_outcome *out,
                      struct store_error *error)
{
    char label[ALARM_LABEL_MAX];
    alarm_label(row, m->trigger, label, sizeof label);
    bool test = m->trigger == DEVICE_TRIGGER_TEST;
    struct alarm_new alarm = {
        .source = m->source,
        .site_id = row->site_id,
        .device_id = row->id,
        .victim_id = row->victim_id,
        .event_code = triggers[m->trigger].code,
        .class_name = triggers[m->trigger].class_name,
        .label = label,
        .priority = triggers[m->trigger].priority,
        .zone = -1,
        .raw = m->raw,
        .note = m->note,
        .closed_resolution = test ? "test" : NULL,
    };
    struct actor system;
    actor_system(&system);
    int64_t position_id = 0;
    if (store_tx_alarm_insert(tx, &system, &alarm, &out->alarm_id, error) != STORE_OK ||
        position_add(tx, out->alarm_id, m, &position_id, error) != STORE_OK ||
        audit_message(tx, row, test ? "device.test" : "device.alarm", m, out->alarm_id, position_id,
                      error) != STORE_OK)
        return STORE_ERROR;
    out->created = true;
    return position_id > 0 ? store_tx_alarm_changed(tx, out->alarm_id, error) : STORE_OK;
}

/* A point on the track of the alarm already open, and a timeline entry
 * when the device triggered again rather than just moved. */
static int alarm_track(struct store_tx *tx, const struct device_row *row,
                       const struct device_message *m, int64_t alarm_id, struct device_outcome *out,
                       struct store_error *error)
{
    out->alarm_id = alarm_id;
    out->tracking = true;
    int64_t position_id = 0;
    if (position_add(tx, alarm_id, m, &position_id, error) != STORE_OK)
        return STORE_ERROR;
    const char *text = repeat_text(m->trigger);
    if (text && store_tx_timeline(tx, alarm_id, 0, "device", text, error) != STORE_OK)
        return STORE_ERROR;
    if (m->note && m->note[0] &&
        store_tx_timeline(tx, alarm_id, 0, "device", m->note, error) != STORE_OK)
        return STORE_ERROR;
    if (position_id == 0 && !text)
        return STORE_OK; /* nothing new for the operator: a sign of life */
    if (audit_message(tx, row, "device.track", m, alarm_id, position_id, error) != STORE_OK)
        return STORE_ERROR;
    return store_tx_alarm_changed(tx, alarm_id, error);
}

struct device_message_job {
    const struct device_message *message;
    struct device_outcome outcome;
};

static int device_message_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct device_message_job *job = context;
    const struct device_message *m = job->message;
    struct device_outcome *out = &job->outcome;
    memset(out, 0, sizeof *out);
    struct device_row row;
    int status = device_read(tx, m->device_id, &row, error);
    if (status != STORE_OK)
        return status;
    if (m->receipt && receipt_find(tx, row.id, m->receipt, out, error) != STORE_OK)
        return STORE_ERROR;
    if (out->duplicate)
        return STORE_OK; /* answered again, stored once */
    if (device_heard(tx, &row, m->trigger, error) != STORE_OK)
        return STORE_ERROR;
    int64_t open_id = 0;
    if (m->trigger == DEVICE_TRIGGER_TEST)
        status = alarm_open(tx, &row, m, out, error);
    else if ((status = open_alarm_find(tx, row.id, &open_id, error)) != STORE_OK)
        return status;
    else if (open_id > 0)
        status = alarm_track(tx, &row, m, open_id, out, error);
    else if (trigger_is_alarm(m->trigger))
        status = alarm_open(tx, &row, m, out, error);
    /* else: a position with no alarm open is a sign of life, not kept. */
    if (status == STORE_OK && m->receipt)
        status = receipt_record(tx, row.id, m->receipt, out->alarm_id, error);
    return status;
}

int store_device_message(struct store *store, const struct device_message *message,
                         struct device_outcome *out, struct store_error *error)
{
    struct device_message_job job = {.message = message};
    int status = store_write(store, device_message_job, &job, error);
    *out = job.outcome;
    return status;
}
