/* store_alarm_track.c: an alarm's track, read in one read transaction so
 * that the alarm's existence and its points agree. */
#include "server/store_alarm_track.h"
#include "server/store_internal.h"
#include "common/clock.h"

static void add_time(cJSON *object, const char *name, sqlite3_stmt *st, int column)
{
    if (sqlite3_column_type(st, column) == SQLITE_NULL) {
        cJSON_AddNullToObject(object, name);
        return;
    }
    char text[CLOCK_RFC3339_SIZE];
    clock_format_rfc3339(sqlite3_column_int64(st, column), text);
    cJSON_AddStringToObject(object, name, text);
}

static cJSON *point_json(sqlite3_stmt *st)
{
    cJSON *point = cJSON_CreateObject();
    cJSON_AddNumberToObject(point, "id", (double)sqlite3_column_int64(st, 0));
    add_time(point, "captured_at", st, 1);
    cJSON_AddNumberToObject(point, "lat", sqlite3_column_double(st, 2));
    cJSON_AddNumberToObject(point, "lon", sqlite3_column_double(st, 3));
    cJSON_AddNumberToObject(point, "accuracy_m", sqlite3_column_double(st, 4));
    cJSON_AddStringToObject(point, "source", (const char *)sqlite3_column_text(st, 5));
    add_time(point, "fix_at", st, 6);
    if (sqlite3_column_type(st, 7) == SQLITE_NULL)
        cJSON_AddNullToObject(point, "battery");
    else
        cJSON_AddNumberToObject(point, "battery", sqlite3_column_int(st, 7));
    return point;
}

static int alarm_exists(sqlite3 *db, int64_t alarm_id, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM alarms WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(db, "reading an alarm", error);
    sqlite3_bind_int64(st, 1, alarm_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    if (rc != SQLITE_DONE)
        return store_sql_error(db, "reading an alarm", error);
    store_error_set(error, "no alarm %lld", (long long)alarm_id);
    return STORE_NOT_FOUND;
}

static int read_points(sqlite3 *db, int64_t alarm_id, int limit, cJSON *positions,
                       struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, captured_at, lat, lon, accuracy_m, source, fix_at, battery"
                           " FROM positions WHERE alarm_id = ?"
                           " ORDER BY captured_at DESC, id DESC LIMIT ?",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(db, "reading a track", error);
    sqlite3_bind_int64(st, 1, alarm_id);
    sqlite3_bind_int(st, 2, limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        cJSON_AddItemToArray(positions, point_json(st));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(db, "reading a track", error);
}

int store_alarm_track_json(struct store *store, int64_t alarm_id, int limit, cJSON **out,
                           struct store_error *error)
{
    *out = NULL;
    if (limit < 1 || limit > STORE_TRACK_LIMIT_MAX)
        limit = STORE_TRACK_LIMIT_DEFAULT;
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    cJSON *doc = cJSON_CreateObject();
    cJSON *positions = doc ? cJSON_CreateArray() : NULL;
    int status = positions ? store_exec(db, "BEGIN", error) : STORE_ERROR;
    if (!positions)
        store_error_set(error, "out of memory");
    if (status == STORE_OK) {
        status = alarm_exists(db, alarm_id, error);
        if (status == STORE_OK)
            status = read_points(db, alarm_id, limit, positions, error);
        store_exec(db, "COMMIT", NULL);
    }
    store_reader_release(store, db);
    if (status != STORE_OK) {
        cJSON_Delete(positions);
        cJSON_Delete(doc);
        return status;
    }
    cJSON_AddNumberToObject(doc, "alarm_id", (double)alarm_id);
    cJSON_AddNumberToObject(doc, "count", cJSON_GetArraySize(positions));
    cJSON_AddItemToObject(doc, "positions", positions);
    *out = doc;
    return STORE_OK;
}
