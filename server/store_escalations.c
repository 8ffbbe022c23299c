/* store_escalations.c: an escalation in one job (see store_escalations.h),
 * the facts it carries, and the list of an alarm's escalations. The facts
 * are read with the same SQL by the job and by the dialog's preview, so
 * that the operator confirms what is then sent. */
#include "server/store_escalations.h"
#include "server/store_internal.h"
#include "server/store_outbox.h"
#include "common/i18n.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the facts ---- */

static void copy_column(char *dest, size_t size, sqlite3_stmt *st, int column)
{
    store_copy_text(dest, size, sqlite3_column_text(st, column));
}

/* Runs `sql` with ?1, ?2 and ?3 bound to a, b and text (a parameter the
 * SQL does not hold is not bound); true when a row came. */
static bool query_row(sqlite3 *db, sqlite3_stmt **st, const char *sql, int64_t a, int64_t b,
                      const char *text)
{
    *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return false;
    int parameters = sqlite3_bind_parameter_count(*st);
    if (parameters >= 1)
        sqlite3_bind_int64(*st, 1, a);
    if (parameters >= 2)
        sqlite3_bind_int64(*st, 2, b);
    if (parameters >= 3)
        sqlite3_bind_text(*st, 3, text ? text : "", -1, SQLITE_STATIC);
    return sqlite3_step(*st) == SQLITE_ROW;
}

static void site_facts(sqlite3 *db, const struct alarm *alarm, struct cap_facts *f)
{
    sqlite3_stmt *st = NULL;
    if (alarm->site_id > 0 &&
        query_row(db, &st,
                  "SELECT name, address, city, lat, lon, COALESCE(phone,'') FROM sites"
                  " WHERE id = ?1",
                  alarm->site_id, 0, NULL)) {
        copy_column(f->subject, sizeof f->subject, st, 0);
        const char *address = (const char *)sqlite3_column_text(st, 1);
        const char *city = (const char *)sqlite3_column_text(st, 2);
        snprintf(f->address, sizeof f->address, "%s%s%s", address ? address : "",
                 address && address[0] && city && city[0] ? ", " : "", city ? city : "");
        if (!f->located && sqlite3_column_type(st, 3) != SQLITE_NULL &&
            sqlite3_column_type(st, 4) != SQLITE_NULL) {
            /* The site's own coordinates: a point (no accuracy circle). */
            f->located = true;
            f->lat = sqlite3_column_double(st, 3);
            f->lon = sqlite3_column_double(st, 4);
            f->accuracy_m = 0;
            snprintf(f->position_source, sizeof f->position_source, "site");
        }
        copy_column(f->site_phone, sizeof f->site_phone, st, 5);
    }
    sqlite3_finalize(st);
    if (alarm->zone < 0)
        return;
    /* The zone's name, from the panel that sent the alarm (else the site's). */
    if (query_row(db, &st,
                  "SELECT z.name FROM zones z JOIN panels p ON p.id = z.panel_id"
                  " WHERE z.number = ?1 AND (p.account = ?3 OR p.site_id = ?2)"
                  " ORDER BY p.account = ?3 DESC LIMIT 1",
                  alarm->zone, alarm->site_id, alarm->account))
        copy_column(f->zone_name, sizeof f->zone_name, st, 0);
    sqlite3_finalize(st);
}

static void victim_facts(sqlite3 *db, const struct alarm *alarm, struct cap_facts *f)
{
    sqlite3_stmt *st = NULL;
    int64_t victim_id = alarm->victim_id;
    if (victim_id <= 0 && alarm->device_id > 0 &&
        query_row(db, &st, "SELECT COALESCE(victim_id,0) FROM devices WHERE id = ?1",
                  alarm->device_id, 0, NULL))
        victim_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (victim_id <= 0)
        return;
    if (query_row(db, &st,
                  "SELECT reference, full_name, phone, COALESCE(aggressor_name,''),"
                  " COALESCE(aggressor_description,''), COALESCE(aggressor_vehicle,''),"
                  " COALESCE(aggressor_plate,'') FROM victims WHERE id = ?1",
                  victim_id, 0, NULL)) {
        f->victim_id = victim_id;
        copy_column(f->victim_reference, sizeof f->victim_reference, st, 0);
        copy_column(f->victim_name, sizeof f->victim_name, st, 1);
        copy_column(f->victim_phone, sizeof f->victim_phone, st, 2);
        copy_column(f->aggressor_name, sizeof f->aggressor_name, st, 3);
        copy_column(f->aggressor_description, sizeof f->aggressor_description, st, 4);
        copy_column(f->aggressor_vehicle, sizeof f->aggressor_vehicle, st, 5);
        copy_column(f->aggressor_plate, sizeof f->aggressor_plate, st, 6);
        if (!f->subject[0])
            snprintf(f->subject, sizeof f->subject, "%s", f->victim_reference);
    }
    sqlite3_finalize(st);
}

/* Fills the facts of `alarm` (already read) from db. */
static void gather_facts(sqlite3 *db, const struct alarm *alarm, struct cap_facts *f)
{
    memset(f, 0, sizeof *f);
    f->alarm_id = alarm->id;
    snprintf(f->alarm_class, sizeof f->alarm_class, "%s", alarm->class_name);
    snprintf(f->label, sizeof f->label, "%s", alarm->label);
    snprintf(f->event_code, sizeof f->event_code, "%s", alarm->event_code);
    f->priority = alarm->priority;
    f->received_ms = alarm->received_at;
    f->zone = alarm->zone;
    /* A device's latest fix comes first: it is where the person is. */
    if (alarm->position.present) {
        f->located = true;
        f->lat = alarm->position.lat;
        f->lon = alarm->position.lon;
        f->accuracy_m = alarm->position.accuracy_m;
        f->fix_ms = alarm->position.fix_at;
        snprintf(f->position_source, sizeof f->position_source, "%s", alarm->position.source);
    }
    site_facts(db, alarm, f);
    victim_facts(db, alarm, f);
    if (!f->subject[0])
        snprintf(f->subject, sizeof f->subject, "%s", alarm->subject);
}

int store_escalation_facts(struct store *store, int64_t alarm_id, struct cap_facts *out,
                           struct store_error *error)
{
    struct alarm *alarm = malloc(sizeof *alarm);
    if (!alarm) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    sqlite3 *db = store_reader_acquire(store, error);
    int status = db ? store_exec(db, "BEGIN", error) : STORE_ERROR;
    if (status == STORE_OK) {
        status = store_alarm_read(db, alarm_id, alarm, error);
        if (status == STORE_OK)
            gather_facts(db, alarm, out);
        store_exec(db, "COMMIT", NULL);
    }
    if (db)
        store_reader_release(store, db);
    free(alarm);
    return status;
}

int escalation_utc_offset(const char *zone, int64_t utc_ms)
{
    GTimeZone *tz = zone && zone[0] ? g_time_zone_new_identifier(zone) : NULL;
    if (tz) {
        int interval = g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, utc_ms / 1000);
        int offset = interval >= 0 ? g_time_zone_get_offset(tz, interval) / 60 : 0;
        g_time_zone_unref(tz);
        return offset;
    }
    time_t now = (time_t)(utc_ms / 1000);
    struct tm local;
    return localtime_r(&now, &local) ? (int)(local.tm_gmtoff / 60) : 0;
}

/* ---- the escalation job ---- */

struct escalation_job {
    const struct actor *actor;
    const struct escalation_request *request;
    const struct escalation_policy *policy;
    int64_t id;
    struct alarm alarm;
    struct cap_facts facts;
};

static int check_alarm(struct store_tx *tx, struct escalation_job *job, struct store_error *error)
{
    int status = store_tx_alarm_read(tx, job->request->alarm_id, &job->alarm, error);
    if (status != STORE_OK)
        return status;
    /* The rules of a note: refused on a closed alarm or one another
     * operator holds; the one who escalates is shown handling it. */
    enum alarm_verdict verdict =
        alarm_action_check(&job->alarm, ALARM_ACTION_NOTE, job->actor->user_id, tx->now_ms);
    if (verdict == ALARM_REFUSED_HELD) {
        store_error_set(error, _("%s is handling this alarm"), job->alarm.claim.display_name);
        return STORE_CONFLICT;
    }
    if (verdict != ALARM_ALLOWED) {
        store_error_set(error, "%s", alarm_verdict_message(verdict));
        return STORE_CONFLICT;
    }
    if (!job->policy->cap_urls[0] && !job->policy->json_urls[0]) {
        store_error_set(error, _("no gateway is configured for %s: phone %s instead"),
                        cap_agency_name(job->request->agency), job->policy->phone);
        return STORE_CONFLICT;
    }
    return STORE_OK;
}

static int operator_name(struct store_tx *tx, const struct actor *actor, char *out, size_t size)
{
    sqlite3_stmt *st = NULL;
    snprintf(out, size, "%s", actor->username);
    if (query_row(tx->db, &st, "SELECT display_name FROM users WHERE id = ?1", actor->user_id, 0,
                  NULL))
        snprintf(out, size, "%s (%s)", (const char *)sqlite3_column_text(st, 0), actor->username);
    sqlite3_finalize(st);
    return STORE_OK;
}

static int insert_escalation(struct store_tx *tx, struct escalation_job *job,
                             struct store_error *error)
{
    /* The writer is the only one inserting: the next id is known, and the
     * identifier (unique per sender, as CAP wants) is made from it. */
    sqlite3_stmt *st = NULL;
    job->id = query_row(tx->db, &st, "SELECT COALESCE(MAX(id),0) + 1 FROM escalations", 0, 0, NULL)
                  ? sqlite3_column_int64(st, 0)
                  : 0;
    sqlite3_finalize(st);
    if (job->id <= 0)
        return store_sql_error(tx->db, "numbering an escalation", error);
    struct cap_facts *f = &job->facts;
    snprintf(f->identifier, sizeof f->identifier, "vigie-%lld-%lld-%lld", (long long)job->alarm.id,
             (long long)job->id, (long long)(tx->now_ms / 1000));
    if (sqlite3_prepare_v2(tx->db,
                           "INSERT INTO escalations(id, alarm_id, agency, identifier, text,"
                           " user_id, created_at, updates_id) VALUES(?,?,?,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "recording an escalation", error);
    sqlite3_bind_int64(st, 1, job->id);
    sqlite3_bind_int64(st, 2, job->alarm.id);
    sqlite3_bind_text(st, 3, cap_agency_name(job->request->agency), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, f->identifier, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, job->request->text ? job->request->text : "", -1, SQLITE_STATIC);
    if (job->actor->user_id > 0)
        sqlite3_bind_int64(st, 6, job->actor->user_id);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_int64(st, 7, tx->now_ms);
    if (job->request->updates_id > 0)
        sqlite3_bind_int64(st, 8, job->request->updates_id);
    else
        sqlite3_bind_null(st, 8);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(tx->db, "recording an escalation", error);
}

/* One outbox row per URL of `urls` (space-separated). */
static int queue_documents(struct store_tx *tx, struct escalation_job *job, const char *urls,
                           const char *format, const char *content_type, const char *body,
                           int *count, struct store_error *error)
{
    char copy[1024], *save = NULL, label[64], key[CAP_IDENTIFIER_SIZE + 8];
    snprintf(copy, sizeof copy, "%s", urls);
    /* The alert's identifier, per format: the CAP alert and its JSON twin
     * are two documents, each sent again under its own key. */
    snprintf(key, sizeof key, "%s-%s", job->facts.identifier, format);
    snprintf(label, sizeof label, "%s (%s)", cap_agency_name(job->request->agency),
             strcmp(format, "cap") == 0 ? "CAP" : "JSON");
    for (char *url = strtok_r(copy, " \t", &save); url; url = strtok_r(NULL, " \t", &save)) {
        struct store_outbox_new message = {
            .kind = ESCALATION_OUTBOX_KIND,
            .owner_id = job->id,
            .alarm_id = job->alarm.id,
            .label = label,
            .channel = "http",
            .format = format,
            .recipient = url,
            .content_type = content_type,
            .message_key = key,
            .body = body,
            .max_attempts = job->policy->max_attempts,
            .deadline_at = tx->now_ms + job->policy->deadline_ms,
        };
        if (store_tx_outbox_add(tx, &message, NULL, error) != STORE_OK)
            return STORE_ERROR;
        (*count)++;
    }
    return STORE_OK;
}

static int write_documents(struct store_tx *tx, struct escalation_job *job, int *count,
                           struct store_error *error)
{
    char *xml = malloc(CAP_DOCUMENT_MAX);
    char *json = cap_write_json(&job->facts);
    int status = STORE_OK;
    if (!xml || !json || cap_write_xml(&job->facts, xml, CAP_DOCUMENT_MAX) < 0) {
        store_error_set(error, "the escalation's documents cannot be written");
        status = STORE_ERROR;
    }
    if (status == STORE_OK)
        status = queue_documents(tx, job, job->policy->cap_urls, "cap", "application/cap+xml", xml,
                                 count, error);
    if (status == STORE_OK)
        status = queue_documents(tx, job, job->policy->json_urls, "json", "application/json", json,
                                 count, error);
    free(xml);
    free(json);
    return status;
}

static int mark_escalated(struct store_tx *tx, const struct escalation_job *job,
                          struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db,
                           "UPDATE alarms SET state = 'escalated', claim_user_id = ?,"
                           " claim_session_id = ?, claim_expires_at = ? WHERE id = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "escalating an alarm", error);
    sqlite3_bind_int64(st, 1, job->actor->user_id);
    sqlite3_bind_int64(st, 2, job->actor->session_id);
    sqlite3_bind_int64(st, 3, tx->now_ms + store_claim_lease_ms(tx->store));
    sqlite3_bind_int64(st, 4, job->alarm.id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(tx->db, "escalating an alarm", error);
}

static int record(struct store_tx *tx, const struct escalation_job *job, int messages,
                  struct store_error *error)
{
    char text[CAP_OPERATOR_TEXT_MAX + 160], detail[160];
    const char *line = job->request->text ? job->request->text : "";
    snprintf(text, sizeof text,
             job->request->updates_id > 0 ? _("update to %s (%d message(s) queued)%s%s")
                                          : _("to %s (%d message(s) queued)%s%s"),
             cap_agency_name(job->request->agency), messages, line[0] ? ": " : "", line);
    if (store_tx_timeline(tx, job->alarm.id, job->actor->user_id, "escalated", text, error) !=
        STORE_OK)
        return STORE_ERROR;
    snprintf(detail, sizeof detail,
             "{\"escalation_id\":%lld,\"agency\":\"%s\",\"messages\":%d,\"updates_id\":%lld}",
             (long long)job->id, cap_agency_name(job->request->agency), messages,
             (long long)job->request->updates_id);
    if (store_tx_audit(tx, job->actor, "alarm.escalate", "alarm", job->alarm.id, detail, error) !=
        STORE_OK)
        return STORE_ERROR;
    return store_tx_alarm_changed(tx, job->alarm.id, error);
}

/* An update refers to the alarm's earlier escalation to the same agency:
 * its CAP reference (sender, identifier, time sent). */
static int refer_to_earlier(struct store_tx *tx, struct escalation_job *job,
                            struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    int status = STORE_OK;
    if (query_row(tx->db, &st,
                  "SELECT identifier, created_at FROM escalations"
                  " WHERE id = ?1 AND alarm_id = ?2 AND agency = ?3",
                  job->request->updates_id, job->alarm.id, cap_agency_name(job->request->agency))) {
        cap_format_references(
            job->facts.sender, (const char *)sqlite3_column_text(st, 0),
            sqlite3_column_int64(st, 1),
            escalation_utc_offset(job->policy->timezone, sqlite3_column_int64(st, 1)),
            job->facts.references);
    } else {
        store_error_set(error, _("alarm %lld has no escalation %lld to %s"),
                        (long long)job->alarm.id, (long long)job->request->updates_id,
                        cap_agency_name(job->request->agency));
        status = STORE_NOT_FOUND;
    }
    sqlite3_finalize(st);
    return status;
}

/* A sighting's place replaces the alarm's in the documents' area. */
static void place_sighting(struct cap_facts *f, const struct escalation_sighting *sighting)
{
    f->located = true;
    f->lat = sighting->lat;
    f->lon = sighting->lon;
    f->accuracy_m = sighting->accuracy_m;
    f->fix_ms = 0;
    snprintf(f->position_source, sizeof f->position_source, "%s", sighting->source);
    snprintf(f->area_label, sizeof f->area_label, "%s", sighting->label);
}

static int escalation_write(struct store_tx *tx, struct escalation_job *job,
                            struct store_error *error)
{
    int status = check_alarm(tx, job, error);
    if (status != STORE_OK)
        return status;
    const struct escalation_policy *policy = job->policy;
    struct cap_facts *f = &job->facts;
    gather_facts(tx->db, &job->alarm, f);
    f->agency = job->request->agency;
    f->language = policy->language;
    snprintf(f->sender, sizeof f->sender, "%s", policy->sender);
    snprintf(f->contact, sizeof f->contact, "%s", policy->contact ? policy->contact : "");
    f->sent_ms = tx->now_ms;
    f->utc_offset_minutes = escalation_utc_offset(policy->timezone, tx->now_ms);
    operator_name(tx, job->actor, f->operator_name, sizeof f->operator_name);
    snprintf(f->operator_text, sizeof f->operator_text, "%s",
             job->request->text ? job->request->text : "");
    bool update = job->request->updates_id > 0;
    if (update && (status = refer_to_earlier(tx, job, error)) != STORE_OK)
        return status;
    if (job->request->sighting)
        place_sighting(f, job->request->sighting);
    int messages = 0;
    if ((status = insert_escalation(tx, job, error)) != STORE_OK ||
        (status = write_documents(tx, job, &messages, error)) != STORE_OK ||
        (!update && (status = mark_escalated(tx, job, error)) != STORE_OK))
        return status;
    return record(tx, job, messages, error);
}

int store_tx_escalation_write(struct store_tx *tx, const struct actor *actor,
                              const struct escalation_request *request,
                              const struct escalation_policy *policy, int64_t *id_out,
                              struct store_error *error)
{
    if (request->text && strlen(request->text) > CAP_OPERATOR_TEXT_MAX) {
        store_error_set(error, "the operator's text is too long");
        return STORE_INVALID;
    }
    struct escalation_job *job = calloc(1, sizeof *job);
    if (!job) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    job->actor = actor;
    job->request = request;
    job->policy = policy;
    int status = escalation_write(tx, job, error);
    if (status == STORE_OK && id_out)
        *id_out = job->id;
    free(job);
    return status;
}

struct create_job {
    const struct actor *actor;
    const struct escalation_request *request;
    const struct escalation_policy *policy;
    int64_t id;
};

static int create_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct create_job *job = context;
    return store_tx_escalation_write(tx, job->actor, job->request, job->policy, &job->id, error);
}

int store_escalation_create(struct store *store, const struct actor *actor,
                            const struct escalation_request *request,
                            const struct escalation_policy *policy, int64_t *id_out,
                            struct store_error *error)
{
    struct create_job job = {actor, request, policy, 0};
    int status = store_write(store, create_job, &job, error);
    if (status == STORE_OK && id_out)
        *id_out = job.id;
    return status;
}

/* ---- reading ---- */

int store_escalations_list(struct store *store, int64_t alarm_id, store_escalation_visitor visit,
                           void *context, struct store_error *error)
{
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_OK, rc = SQLITE_DONE;
    if (sqlite3_prepare_v2(db,
                           "SELECT e.id, e.alarm_id, e.agency, e.identifier, e.text,"
                           " COALESCE(u.username,''), e.created_at, COALESCE(e.updates_id,0)"
                           " FROM escalations e"
                           " LEFT JOIN users u ON u.id = e.user_id WHERE e.alarm_id = ?"
                           " ORDER BY e.id",
                           -1, &st, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "reading escalations", error);
    } else {
        sqlite3_bind_int64(st, 1, alarm_id);
        struct store_escalation escalation;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            memset(&escalation, 0, sizeof escalation);
            escalation.id = sqlite3_column_int64(st, 0);
            escalation.alarm_id = sqlite3_column_int64(st, 1);
            cap_agency_parse((const char *)sqlite3_column_text(st, 2), &escalation.agency);
            copy_column(escalation.identifier, sizeof escalation.identifier, st, 3);
            copy_column(escalation.text, sizeof escalation.text, st, 4);
            copy_column(escalation.username, sizeof escalation.username, st, 5);
            escalation.created_at = sqlite3_column_int64(st, 6);
            escalation.updates_id = sqlite3_column_int64(st, 7);
            visit(context, &escalation);
        }
        if (rc != SQLITE_DONE)
            status = store_sql_error(db, "reading escalations", error);
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}
