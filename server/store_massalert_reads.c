/* store_massalert_reads.c: a mass alert as the API shows it (list,
 * detail with its replies, recipients page, report), and the relay of a
 * reply into an alarm (see store_massalerts.h). */
#include "server/store_escalations.h"
#include "server/store_internal.h"
#include "server/store_massalerts.h"
#include "server/store_massalerts_internal.h"
#include "common/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One outbox row's status as a console shows it. */
#define STATUS_SQL(o)                                                                              \
    "CASE WHEN " o ".confirm_state = 'delivered' THEN 'delivered'"                                 \
    " WHEN " o ".confirm_state = 'undelivered' THEN 'failed'"                                      \
    " WHEN " o ".state = 'failed' AND " o ".last_error = 'cancelled' THEN 'cancelled'"             \
    " WHEN " o ".state = 'failed' THEN 'failed' WHEN " o ".state = 'delivered' THEN 'sent'"        \
    " ELSE 'queued' END"

static const char alert_sql[] =
    "SELECT m.id, m.state, m.lat, m.lon, m.radius_m, m.centre_label, COALESCE(m.alarm_id,0),"
    " m.message, m.channels, m.created_at, COALESCE(u.username,''), m.expires_at,"
    " COALESCE(m.cancelled_at,0), COALESCE(m.finished_at,0), m.template, m.language,"
    " m.recipient_count, m.fanout_cursor"
    " FROM massalerts m LEFT JOIN users u ON u.id = m.created_by";

static const char *column_text(sqlite3_stmt *st, int column)
{
    const char *text = (const char *)sqlite3_column_text(st, column);
    return text ? text : "";
}

static void add_time(cJSON *object, const char *name, int64_t ms)
{
    if (ms > 0)
        cJSON_AddNumberToObject(object, name, (double)ms);
    else
        cJSON_AddNullToObject(object, name);
}

static cJSON *alert_json(sqlite3 *db, sqlite3_stmt *st)
{
    cJSON *alert = cJSON_CreateObject();
    int64_t id = sqlite3_column_int64(st, 0);
    cJSON_AddNumberToObject(alert, "id", (double)id);
    cJSON_AddStringToObject(alert, "state", column_text(st, 1));
    cJSON *circle = cJSON_AddObjectToObject(cJSON_AddObjectToObject(alert, "area"), "circle");
    cJSON_AddNumberToObject(circle, "lat", sqlite3_column_double(st, 2));
    cJSON_AddNumberToObject(circle, "lon", sqlite3_column_double(st, 3));
    cJSON_AddNumberToObject(circle, "radius_m", (double)sqlite3_column_int64(st, 4));
    cJSON_AddStringToObject(alert, "centre_label", column_text(st, 5));
    if (sqlite3_column_int64(st, 6) > 0)
        cJSON_AddNumberToObject(alert, "alarm_id", (double)sqlite3_column_int64(st, 6));
    else
        cJSON_AddNullToObject(alert, "alarm_id");
    cJSON_AddStringToObject(alert, "message", column_text(st, 7));
    cJSON *channels = cJSON_AddArrayToObject(alert, "channels");
    char list[64];
    snprintf(list, sizeof list, "%s", column_text(st, 8));
    char *saved = NULL;
    for (char *name = strtok_r(list, ",", &saved); name; name = strtok_r(NULL, ",", &saved))
        cJSON_AddItemToArray(channels, cJSON_CreateString(name));
    cJSON_AddNumberToObject(alert, "created_at", (double)sqlite3_column_int64(st, 9));
    cJSON_AddStringToObject(alert, "created_by", column_text(st, 10));
    cJSON_AddNumberToObject(alert, "expires_at", (double)sqlite3_column_int64(st, 11));
    add_time(alert, "cancelled_at", sqlite3_column_int64(st, 12));
    add_time(alert, "finished_at", sqlite3_column_int64(st, 13));
    cJSON_AddStringToObject(alert, "template", column_text(st, 14));
    cJSON_AddStringToObject(alert, "language", column_text(st, 15));
    cJSON_AddNumberToObject(alert, "recipients", (double)sqlite3_column_int64(st, 16));
    /* How many recipients have their messages written (the fan-out's
     * progress: "recipients" once it is over). */
    cJSON_AddNumberToObject(alert, "written", (double)sqlite3_column_int64(st, 17));
    cJSON_AddItemToObject(alert, "counts", store_massalert_counts_json(db, id));
    return alert;
}

int store_massalerts_list_json(struct store *store, int limit, cJSON **out,
                               struct store_error *error)
{
    *out = NULL;
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    static const char sql[] = "%s ORDER BY m.id DESC LIMIT ?";
    char text[sizeof alert_sql + sizeof sql];
    snprintf(text, sizeof text, sql, alert_sql);
    sqlite3_stmt *st = NULL;
    int status = STORE_OK;
    if (sqlite3_prepare_v2(db, text, -1, &st, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "listing mass alerts", error);
    } else {
        sqlite3_bind_int(st, 1, limit);
        cJSON *list = cJSON_CreateArray();
        while (sqlite3_step(st) == SQLITE_ROW)
            cJSON_AddItemToArray(list, alert_json(db, st));
        *out = list;
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}

static cJSON *replies_json(sqlite3 *db, int64_t alert_id)
{
    cJSON *replies = cJSON_CreateArray();
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(
            db,
            "SELECT p.id, p.at, p.channel, p.kind, p.text, p.lat, p.lon, a.id, a.name,"
            " COALESCE(a.phone,''), COALESCE(s.id,0), COALESCE(s.name,''), r.distance_m,"
            " COALESCE(p.relayed_alarm_id,0), p.relayed_escalations FROM massalert_replies p"
            " JOIN massalert_recipients r ON r.id = p.recipient_id"
            " JOIN agents a ON a.id = r.agent_id LEFT JOIN sites s ON s.id = r.site_id"
            " WHERE p.alert_id = ? ORDER BY p.id DESC",
            -1, &st, NULL) != SQLITE_OK)
        return replies;
    sqlite3_bind_int64(st, 1, alert_id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        cJSON *reply = cJSON_CreateObject();
        cJSON_AddNumberToObject(reply, "id", (double)sqlite3_column_int64(st, 0));
        cJSON_AddNumberToObject(reply, "at", (double)sqlite3_column_int64(st, 1));
        cJSON_AddStringToObject(reply, "channel", column_text(st, 2));
        cJSON_AddStringToObject(reply, "kind", column_text(st, 3));
        cJSON_AddStringToObject(reply, "text", column_text(st, 4));
        for (int c = 5; c <= 6; c++)
            if (sqlite3_column_type(st, c) == SQLITE_NULL)
                cJSON_AddNullToObject(reply, c == 5 ? "lat" : "lon");
            else
                cJSON_AddNumberToObject(reply, c == 5 ? "lat" : "lon",
                                        sqlite3_column_double(st, c));
        cJSON *agent = cJSON_AddObjectToObject(reply, "agent");
        cJSON_AddNumberToObject(agent, "id", (double)sqlite3_column_int64(st, 7));
        cJSON_AddStringToObject(agent, "name", column_text(st, 8));
        cJSON_AddStringToObject(agent, "phone", column_text(st, 9));
        cJSON *site = cJSON_AddObjectToObject(reply, "site");
        cJSON_AddNumberToObject(site, "id", (double)sqlite3_column_int64(st, 10));
        cJSON_AddStringToObject(site, "name", column_text(st, 11));
        cJSON_AddNumberToObject(reply, "distance_m", (double)sqlite3_column_int64(st, 12));
        if (sqlite3_column_int64(st, 13) > 0)
            cJSON_AddNumberToObject(reply, "relayed_alarm_id",
                                    (double)sqlite3_column_int64(st, 13));
        else
            cJSON_AddNullToObject(reply, "relayed_alarm_id");
        cJSON_AddNumberToObject(reply, "relayed_escalations", sqlite3_column_int(st, 14));
        cJSON_AddItemToArray(replies, reply);
    }
    sqlite3_finalize(st);
    return replies;
}

static int read_alert(sqlite3 *db, int64_t id, cJSON **out, struct store_error *error)
{
    static const char sql[] = "%s WHERE m.id = ?";
    char text[sizeof alert_sql + sizeof sql];
    snprintf(text, sizeof text, sql, alert_sql);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, text, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(db, "reading a mass alert", error);
    sqlite3_bind_int64(st, 1, id);
    int status = STORE_OK;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *out = alert_json(db, st);
    } else {
        store_error_set(error, _("no mass alert %lld"), (long long)id);
        status = STORE_NOT_FOUND;
    }
    sqlite3_finalize(st);
    return status;
}

int store_massalert_json(struct store *store, int64_t id, cJSON **out, struct store_error *error)
{
    *out = NULL;
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    int status = read_alert(db, id, out, error);
    if (status == STORE_OK)
        cJSON_AddItemToObject(*out, "replies", replies_json(db, id));
    store_reader_release(store, db);
    return status;
}

static void recipient_channels(sqlite3 *db, int64_t recipient_id, cJSON *channels)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(
            db,
            "SELECT channel, " STATUS_SQL(
                "o") " FROM outbox o"
                     " WHERE o.kind = 'massalert' AND o.owner_id = ? ORDER BY channel",
            -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, recipient_id);
    while (sqlite3_step(st) == SQLITE_ROW)
        cJSON_AddStringToObject(channels, column_text(st, 0), column_text(st, 1));
    sqlite3_finalize(st);
}

int store_massalert_recipients_json(struct store *store, int64_t id, int64_t offset, int64_t limit,
                                    cJSON **out, struct store_error *error)
{
    *out = NULL;
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    cJSON *alert = NULL;
    int status = read_alert(db, id, &alert, error);
    cJSON_Delete(alert);
    sqlite3_stmt *st = NULL;
    if (status == STORE_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT r.id, a.id, a.name, COALESCE(s.id,0), COALESCE(s.name,''),"
                           " r.distance_m, r.received_at IS NOT NULL,"
                           " (SELECT COUNT(*) FROM massalert_recipients WHERE alert_id = ?1)"
                           " FROM massalert_recipients r JOIN agents a ON a.id = r.agent_id"
                           " LEFT JOIN sites s ON s.id = r.site_id WHERE r.alert_id = ?1"
                           " ORDER BY r.distance_m, r.id LIMIT ?2 OFFSET ?3",
                           -1, &st, NULL) != SQLITE_OK)
        status = store_sql_error(db, "reading a mass alert's recipients", error);
    if (status == STORE_OK) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, limit);
        sqlite3_bind_int64(st, 3, offset);
        cJSON *answer = cJSON_CreateObject();
        cJSON *list = cJSON_AddArrayToObject(answer, "recipients");
        int64_t total = -1;
        while (sqlite3_step(st) == SQLITE_ROW) {
            cJSON *one = cJSON_CreateObject();
            cJSON_AddNumberToObject(one, "id", (double)sqlite3_column_int64(st, 0));
            cJSON *agent = cJSON_AddObjectToObject(one, "agent");
            cJSON_AddNumberToObject(agent, "id", (double)sqlite3_column_int64(st, 1));
            cJSON_AddStringToObject(agent, "name", column_text(st, 2));
            cJSON *site = cJSON_AddObjectToObject(one, "site");
            cJSON_AddNumberToObject(site, "id", (double)sqlite3_column_int64(st, 3));
            cJSON_AddStringToObject(site, "name", column_text(st, 4));
            cJSON_AddNumberToObject(one, "distance_m", (double)sqlite3_column_int64(st, 5));
            recipient_channels(db, sqlite3_column_int64(st, 0),
                               cJSON_AddObjectToObject(one, "channels"));
            cJSON_AddBoolToObject(one, "replied", sqlite3_column_int(st, 6) != 0);
            total = sqlite3_column_int64(st, 7);
            cJSON_AddItemToArray(list, one);
        }
        if (total < 0) {
            sqlite3_stmt *count = NULL;
            total = 0;
            if (sqlite3_prepare_v2(db,
                                   "SELECT COUNT(*) FROM massalert_recipients"
                                   " WHERE alert_id = ?",
                                   -1, &count, NULL) == SQLITE_OK) {
                sqlite3_bind_int64(count, 1, id);
                if (sqlite3_step(count) == SQLITE_ROW)
                    total = sqlite3_column_int64(count, 0);
            }
            sqlite3_finalize(count);
        }
        cJSON_AddNumberToObject(answer, "total", (double)total);
        *out = answer;
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}

/* ---- the report ---- */

struct report_audit {
    const struct actor *actor;
    int64_t id;
    const char *format;
};

static int report_audit_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct report_audit *job = context;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db, "SELECT 1 FROM massalerts WHERE id = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return store_sql_error(tx->db, "reading a mass alert", error);
    sqlite3_bind_int64(st, 1, job->id);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!found) {
        store_error_set(error, _("no mass alert %lld"), (long long)job->id);
        return STORE_NOT_FOUND;
    }
    char detail[64];
    snprintf(detail, sizeof detail, "{\"format\":\"%s\"}", job->format);
    return store_tx_audit(tx, job->actor, "massalert.report", "massalert", job->id, detail, error);
}

int store_massalert_report(struct store *store, const struct actor *actor, int64_t id,
                           const char *format, cJSON **alert_out, massalert_report_visitor visit,
                           void *context, struct store_error *error)
{
    *alert_out = NULL;
    struct report_audit audit = {actor, id, format};
    int status = store_write(store, report_audit_job, &audit, error);
    if (status != STORE_OK)
        return status;
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    status = read_alert(db, id, alert_out, error);
    sqlite3_stmt *st = NULL;
    if (status == STORE_OK &&
        sqlite3_prepare_v2(
            db,
            "SELECT r.id, a.id, a.name, a.ext_id, COALESCE(s.name,''), r.distance_m,"
            " COALESCE(o.channel,''), COALESCE(o.recipient,''),"
            " CASE WHEN o.id IS NULL THEN '' ELSE " STATUS_SQL(
                "o") " END,"
                     " COALESCE(o.delivered_at,0), COALESCE(o.confirmed_at,0), "
                     "COALESCE(r.received_at,0),"
                     " COALESCE((SELECT text FROM massalert_replies p WHERE p.recipient_id = r.id"
                     " ORDER BY p.id DESC LIMIT 1),''),"
                     " CASE WHEN o.state = 'failed' THEN COALESCE(o.last_error,'') ELSE '' END"
                     " FROM massalert_recipients r JOIN agents a ON a.id = r.agent_id"
                     " LEFT JOIN sites s ON s.id = r.site_id"
                     " LEFT JOIN outbox o ON o.kind = 'massalert' AND o.owner_id = r.id"
                     " WHERE r.alert_id = ? ORDER BY r.distance_m, r.id, o.channel",
            -1, &st, NULL) != SQLITE_OK)
        status = store_sql_error(db, "reading a mass alert's report", error);
    if (status == STORE_OK) {
        sqlite3_bind_int64(st, 1, id);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            struct massalert_report_row row = {
                .recipient_id = sqlite3_column_int64(st, 0),
                .agent_id = sqlite3_column_int64(st, 1),
                .agent_name = column_text(st, 2),
                .agent_ext_id = column_text(st, 3),
                .site_name = column_text(st, 4),
                .distance_m = (double)sqlite3_column_int64(st, 5),
                .channel = column_text(st, 6),
                .address = column_text(st, 7),
                .status = column_text(st, 8),
                .sent_at = sqlite3_column_int64(st, 9),
                .confirmed_at = sqlite3_column_int64(st, 10),
                .replied_at = sqlite3_column_int64(st, 11),
                .reply_text = column_text(st, 12),
                .error = column_text(st, 13),
            };
            visit(context, &row);
        }
        if (rc != SQLITE_DONE)
            status = store_sql_error(db, "reading a mass alert's report", error);
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    if (status != STORE_OK) {
        cJSON_Delete(*alert_out);
        *alert_out = NULL;
    }
    return status;
}

/* ---- relaying a reply ---- */

struct relay_job {
    const struct actor *actor;
    const struct store_massalert_relay *relay;
    char text[2048];
    struct escalation_sighting sighting;
    int updates;
};

/* The reply as the alarm's log and the services read it, and where it
 * was made: the agent's own fix when the page sent one, else the site. */
static int read_reply(struct store_tx *tx, struct relay_job *job, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(
            tx->db,
            "SELECT a.name, COALESCE(s.name,''), r.distance_m, p.text, p.kind,"
            " p.lat, p.lon, COALESCE(p.accuracy_m,0), s.lat, s.lon FROM massalert_replies p"
            " JOIN massalert_recipients r ON r.id = p.recipient_id"
            " JOIN agents a ON a.id = r.agent_id LEFT JOIN sites s ON s.id = r.site_id"
            " WHERE p.id = ?1 AND p.alert_id = ?2",
            -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "reading a reply", error);
    sqlite3_bind_int64(st, 1, job->relay->reply_id);
    sqlite3_bind_int64(st, 2, job->relay->alert_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        store_error_set(error, _("mass alert %lld has no reply %lld"),
                        (long long)job->relay->alert_id, (long long)job->relay->reply_id);
        return STORE_NOT_FOUND;
    }
    char position[96] = "";
    struct escalation_sighting *where = &job->sighting;
    if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
        snprintf(position, sizeof position, " (%.5f, %.5f)", sqlite3_column_double(st, 5),
                 sqlite3_column_double(st, 6));
        where->lat = sqlite3_column_double(st, 5);
        where->lon = sqlite3_column_double(st, 6);
        where->accuracy_m = sqlite3_column_double(st, 7);
        snprintf(where->source, sizeof where->source, "agent");
    } else {
        where->lat = sqlite3_column_double(st, 8);
        where->lon = sqlite3_column_double(st, 9);
        snprintf(where->source, sizeof where->source, "site");
    }
    const char *said = column_text(st, 3);
    snprintf(job->text, sizeof job->text, _("sighting relayed: %s, %s, %lld m: %s%s"),
             column_text(st, 0), column_text(st, 1), (long long)sqlite3_column_int64(st, 2),
             said[0] ? said : column_text(st, 4), position);
    snprintf(where->label, sizeof where->label, _("sighting by %s, %s"), column_text(st, 0),
             column_text(st, 1));
    sqlite3_finalize(st);
    return STORE_OK;
}

/* Cuts text to at most max bytes without splitting a UTF-8 character. */
static void cut_utf8(char *text, size_t max)
{
    size_t length = strlen(text);
    if (length <= max)
        return;
    while (max > 0 && ((unsigned char)text[max] & 0xC0) == 0x80)
        max--;
    text[max] = '\0';
}

/* A CAP Update with the sighting to each service the alarm was escalated
 * to: the latest first escalation per agency (updates refer to it). */
static int update_services(struct store_tx *tx, struct relay_job *job, struct store_error *error)
{
    enum { AGENCIES_MAX = CAP_AGENCY_COUNT };
    int64_t escalations[AGENCIES_MAX];
    enum cap_agency agencies[AGENCIES_MAX];
    int count = 0, rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db,
                           "SELECT agency, MAX(id) FROM escalations WHERE alarm_id = ?1"
                           " AND updates_id IS NULL GROUP BY agency ORDER BY MAX(id)",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "reading an alarm's escalations", error);
    sqlite3_bind_int64(st, 1, job->relay->alarm_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && count < AGENCIES_MAX)
        if (cap_agency_parse(column_text(st, 0), &agencies[count]))
            escalations[count++] = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return store_sql_error(tx->db, "reading an alarm's escalations", error);
    if (count == 0) {
        store_error_set(error, _("alarm %lld was not escalated: there is no service to relay to"),
                        (long long)job->relay->alarm_id);
        return STORE_CONFLICT;
    }
    /* The services take one operator's line of bounded length. */
    cut_utf8(job->text, CAP_OPERATOR_TEXT_MAX);
    for (int i = 0; i < count; i++) {
        struct escalation_request request = {
            .alarm_id = job->relay->alarm_id,
            .agency = agencies[i],
            .text = job->text,
            .updates_id = escalations[i],
            .sighting = &job->sighting,
        };
        int status = store_tx_escalation_write(tx, job->actor, &request,
                                               &job->relay->policies[agencies[i]], NULL, error);
        if (status != STORE_OK)
            return status;
        job->updates++;
    }
    return STORE_OK;
}

static int mark_relayed(struct store_tx *tx, struct relay_job *job, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db,
                           "UPDATE massalert_replies SET relayed_alarm_id = ?1, relayed_at = ?2,"
                           " relayed_by = ?3, relayed_escalations = relayed_escalations + ?5"
                           " WHERE id = ?4",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "relaying a reply", error);
    sqlite3_bind_int64(st, 1, job->relay->alarm_id);
    sqlite3_bind_int64(st, 2, tx->now_ms);
    if (job->actor->user_id > 0)
        sqlite3_bind_int64(st, 3, job->actor->user_id);
    sqlite3_bind_int64(st, 4, job->relay->reply_id);
    sqlite3_bind_int(st, 5, job->updates);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(tx->db, "relaying a reply", error);
}

static int relay_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct relay_job *job = context;
    const struct store_massalert_relay *relay = job->relay;
    int status = read_reply(tx, job, error);
    if (status != STORE_OK)
        return status;
    struct alarm alarm;
    if (store_tx_alarm_read(tx, relay->alarm_id, &alarm, error) != STORE_OK) {
        store_error_set(error, _("there is no alarm %lld"), (long long)relay->alarm_id);
        return STORE_INVALID;
    }
    /* To the services, the escalation's own log line says it all. */
    if (relay->policies)
        status = update_services(tx, job, error);
    else
        status = store_tx_timeline(tx, relay->alarm_id, job->actor->user_id, "sighting", job->text,
                                   error);
    if (status != STORE_OK || (status = mark_relayed(tx, job, error)) != STORE_OK)
        return status;
    char detail[160];
    snprintf(detail, sizeof detail,
             "{\"reply_id\":%lld,\"alarm_id\":%lld,\"escalation_updates\":%d}",
             (long long)relay->reply_id, (long long)relay->alarm_id, job->updates);
    if (store_tx_audit(tx, job->actor, "massalert.relay", "massalert", relay->alert_id, detail,
                       error) != STORE_OK ||
        store_tx_alarm_changed(tx, relay->alarm_id, error) != STORE_OK)
        return STORE_ERROR;
    return store_tx_massalert_changed(tx, relay->alert_id, error);
}

int store_massalert_relay(struct store *store, const struct actor *actor,
                          const struct store_massalert_relay *relay, int *updates_out,
                          struct store_error *error)
{
    struct relay_job *job = calloc(1, sizeof *job);
    if (!job) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    job->actor = actor;
    job->relay = relay;
    int status = store_write(store, relay_job, job, error);
    if (updates_out)
        *updates_out = status == STORE_OK ? job->updates : 0;
    free(job);
    return status;
}
