/* store_panel_reports.c: the DC-09 side of remote arm/disarm, called by
 * the ingest job for each event it stores. An opening confirms a pending
 * disarm of the site, a closing an arm (and a closing in stay mode sets
 * the site's state to armed-stay), a zone-bypass event a bypass of that
 * zone. The ingest is the hot path: any other event returns before a
 * statement, and an opening or closing costs one look-up in an index that
 * holds only the commands still waiting for their report. */
#include "server/ingest.h"
#include "server/store_panel_internal.h"
#include "common/i18n.h"

#include <stdio.h>
#include <string.h>

/* Commands of one site looked at per report: one is pending at a time,
 * a few more may wait for a late report. */
#define PANEL_REPORT_CANDIDATES 8

/* Contact ID codes (qualifier 3) and SIA codes of an arm in stay mode. */
static bool is_stay_closing(const char *code)
{
    static const char *const stay[] = {"3441", "3442", "3456", "NL", "NF", "NM"};
    for (size_t i = 0; i < sizeof stay / sizeof stay[0]; i++)
        if (strcmp(code, stay[i]) == 0)
            return true;
    return false;
}

/* Contact ID 570-579 with qualifier 1 ("zone bypassed"), SIA BB and UB. */
static bool is_bypass(const char *code)
{
    return (strlen(code) == 4 && strncmp(code, "157", 3) == 0) || strcmp(code, "BB") == 0 ||
           strcmp(code, "UB") == 0;
}

static bool answers(const struct panel_command_row *row, const struct ingest_event *event)
{
    switch (event->disposition) {
    case EVENT_DISPOSITION_OPEN:
        return row->kind == PANEL_COMMAND_DISARM;
    case EVENT_DISPOSITION_CLOSE:
        return row->kind == PANEL_COMMAND_ARM_AWAY || row->kind == PANEL_COMMAND_ARM_STAY;
    default:
        return row->kind == PANEL_COMMAND_BYPASS_ZONE && row->zone == event->zone;
    }
}

/* The oldest command of the site still waiting for a report that this
 * event answers; row->id is 0 when there is none. */
static int find_awaiting(struct store_tx *tx, int64_t site_id, const struct ingest_event *event,
                         struct panel_command_row *row, struct store_error *error)
{
    static const char sql[] =
        "SELECT id, COALESCE(alarm_id, 0), command, COALESCE(zone, 0), state, username"
        " FROM panel_commands WHERE site_id = ? AND reported_at IS NULL"
        " AND state IN('pending','confirmed','timed-out') AND created_at >= ?"
        " ORDER BY created_at LIMIT ?";
    *row = (struct panel_command_row){0};
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "finding a panel command", error);
    sqlite3_bind_int64(st, 1, site_id);
    sqlite3_bind_int64(st, 2, tx->now_ms - PANEL_REPORT_WINDOW_MS);
    sqlite3_bind_int(st, 3, PANEL_REPORT_CANDIDATES);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct panel_command_row candidate = {.site_id = site_id};
        candidate.id = sqlite3_column_int64(st, 0);
        candidate.alarm_id = sqlite3_column_int64(st, 1);
        if (!panel_command_parse((const char *)sqlite3_column_text(st, 2), &candidate.kind))
            continue;
        candidate.zone = sqlite3_column_int(st, 3);
        store_copy_text(candidate.state, sizeof candidate.state, sqlite3_column_text(st, 4));
        store_copy_text(candidate.username, sizeof candidate.username, sqlite3_column_text(st, 5));
        if (answers(&candidate, event)) {
            *row = candidate;
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(tx->db, "finding a panel command", error);
}

static int mark_reported(struct store_tx *tx, const struct panel_command_row *row, int64_t alarm_id,
                         struct store_error *error)
{
    /* A late report (after a time-out) still confirms: the site did
     * change, and the operator must know it. */
    static const char sql[] =
        "UPDATE panel_commands SET reported_at = ?1, report_alarm_id = ?2,"
        " state = CASE WHEN state = 'confirmed' THEN state ELSE 'confirmed' END,"
        " finished_at = COALESCE(finished_at, ?1) WHERE id = ?3";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "confirming a panel command", error);
    sqlite3_bind_int64(st, 1, tx->now_ms);
    sqlite3_bind_int64(st, 2, alarm_id);
    sqlite3_bind_int64(st, 3, row->id);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? STORE_OK
                             : store_sql_error(tx->db, "confirming a panel command", error);
}

static int confirm(struct store_tx *tx, const struct panel_command_row *row,
                   const struct ingest_event *event, int64_t alarm_id, struct store_error *error)
{
    int status = mark_reported(tx, row, alarm_id, error);
    if (status != STORE_OK)
        return status;
    char timeline[ALARM_NOTE_MAX];
    snprintf(timeline, sizeof timeline,
             _("%s confirmed by the panel's DC-09 report: %s (alarm %lld)"),
             store_panel_command_words(row->kind), event->label, (long long)alarm_id);
    /* The report's own alarm says what it answers: an opening at night
     * that the centre asked for is not a hold-up. */
    char note[ALARM_NOTE_MAX];
    snprintf(note, sizeof note,
             _("this report answers the %s sent from the centre by %s (command %lld)"),
             store_panel_command_words(row->kind), row->username, (long long)row->id);
    status = store_tx_timeline(tx, alarm_id, 0, "panel", note, error);
    if (status != STORE_OK)
        return status;
    cJSON *detail = cJSON_CreateObject();
    cJSON_AddNumberToObject(detail, "report_alarm_id", (double)alarm_id);
    cJSON_AddStringToObject(detail, "event_code", event->event_code);
    cJSON_AddBoolToObject(detail, "after_time_out", strcmp(row->state, "timed-out") == 0);
    struct actor system;
    actor_system(&system);
    return store_tx_panel_record(tx, row, &system, "panel.command.reported", timeline, detail,
                                 error);
}

int store_tx_panel_reported(struct store_tx *tx, int64_t site_id, const struct ingest_event *event,
                            int64_t alarm_id, struct store_error *error)
{
    bool opening = event->disposition == EVENT_DISPOSITION_OPEN;
    bool closing = event->disposition == EVENT_DISPOSITION_CLOSE;
    if (!opening && !closing && !is_bypass(event->event_code))
        return STORE_OK;
    if (closing && is_stay_closing(event->event_code) &&
        store_tx_panel_site_state(tx, site_id, PANEL_STATE_ARMED_STAY, error) != STORE_OK)
        return STORE_ERROR;
    struct panel_command_row row;
    if (find_awaiting(tx, site_id, event, &row, error) != STORE_OK)
        return STORE_ERROR;
    return row.id > 0 ? confirm(tx, &row, event, alarm_id, error) : STORE_OK;
}
