/* store_massalert_audience.c: the agents in a circle, read through the
 * agents_geo R*Tree and judged one by one. */
#include "server/store_massalert_audience.h"
#include "server/store_internal.h"

#include <math.h>

static const char audience_sql[] =
    "SELECT a.id, COALESCE(a.site_id, 0), COALESCE(s.name, ''), a.lat, a.lon,"
    " COALESCE(s.lat, a.lat), COALESCE(s.lon, a.lon), a.vetted, s.validated_at IS NOT NULL,"
    " a.duty, COALESCE(s.timezone, ''), a.phone, a.phone_kind, a.email,"
    " a.push_subscription IS NOT NULL"
    " FROM agents_geo g JOIN agents a ON a.id = g.id LEFT JOIN sites s ON s.id = a.site_id"
    " WHERE g.max_lat >= ?1 AND g.min_lat <= ?2 AND g.max_lon >= ?3 AND g.min_lon <= ?4";

static const char *text_or_null(sqlite3_stmt *st, int column)
{
    return (const char *)sqlite3_column_text(st, column);
}

/* Judges the row and visits it if it lies inside the circle. */
static void visit_row(sqlite3_stmt *st, const struct massalert_area *area, unsigned channels,
                      int64_t now_ms, massalert_agent_visitor visit, void *context)
{
    struct geo_point where = {sqlite3_column_double(st, 3), sqlite3_column_double(st, 4)};
    double distance = geo_distance_m(area->centre, where);
    if (distance > area->radius_m)
        return;
    struct massalert_candidate candidate = {
        .vetted = sqlite3_column_int(st, 7) != 0,
        .site_validated = sqlite3_column_int(st, 8) != 0,
        .duty = text_or_null(st, 9),
        .timezone = text_or_null(st, 10),
        .phone = text_or_null(st, 11),
        .phone_kind = text_or_null(st, 12),
        .email = text_or_null(st, 13),
        .has_push = sqlite3_column_int(st, 14) != 0,
    };
    struct massalert_agent agent = {
        .agent_id = sqlite3_column_int64(st, 0),
        .site_id = sqlite3_column_int64(st, 1),
        .site_name = text_or_null(st, 2),
        .site = {sqlite3_column_double(st, 5), sqlite3_column_double(st, 6)},
        .distance_m = distance,
    };
    agent.verdict = massalert_judge(&candidate, channels, now_ms, &agent.reachable);
    visit(context, &agent);
}

int store_massalert_audience(struct store *store, const struct massalert_area *area,
                             unsigned channels, int64_t now_ms, massalert_agent_visitor visit,
                             void *context, struct store_error *error)
{
    if (!geo_point_valid(area->centre) || !(area->radius_m > 0) ||
        area->radius_m > MASSALERT_RADIUS_MAX_M) {
        store_error_set(error, "the circle needs a valid centre and a radius of 1 m to %.0f km",
                        MASSALERT_RADIUS_MAX_M / 1000);
        return STORE_INVALID;
    }
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_OK;
    if (sqlite3_prepare_v2(db, audience_sql, -1, &st, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "selecting a mass alert's audience", error);
    } else {
        struct geo_box box = geo_box_around(area->centre, area->radius_m);
        sqlite3_bind_double(st, 1, box.min_lat);
        sqlite3_bind_double(st, 2, box.max_lat);
        sqlite3_bind_double(st, 3, box.min_lon);
        sqlite3_bind_double(st, 4, box.max_lon);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            visit_row(st, area, channels, now_ms, visit, context);
        if (rc != SQLITE_DONE)
            status = store_sql_error(db, "selecting a mass alert's audience", error);
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}
