/* store_places.c: the places around a point. One read transaction asks
 * each kind's R*Tree for the rows inside the circle's bounding box, keeps
 * those truly within the radius (haversine) in a bounded max-heap per kind
 * (the nearest `limit`), then visits all kept, nearest first. The R*Tree
 * stores 32-bit floats rounded outwards, so a box query never misses a
 * point on its edge; the exact distance decides. */
#include "server/store_places.h"
#include "server/store_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[STORE_PLACE_KINDS] = {
    [STORE_PLACE_SITE] = "site",
    [STORE_PLACE_POLICE] = "police",
    [STORE_PLACE_AGENT] = "agent",
};

/* ?1..?4: min_lat, max_lat, min_lon, max_lon of the box. Columns: id,
 * name, service, address, phone, lat, lon. */
static const char *const kind_sql[STORE_PLACE_KINDS] = {
    [STORE_PLACE_SITE] =
        "SELECT s.id, s.name, '', trim(s.address || ', ' || s.city, ', '), s.phone, s.lat, s.lon"
        " FROM sites_geo g JOIN sites s ON s.id = g.id"
        " WHERE g.max_lat >= ?1 AND g.min_lat <= ?2 AND g.max_lon >= ?3 AND g.min_lon <= ?4",
    [STORE_PLACE_POLICE] =
        "SELECT p.id, p.name, p.service, trim(p.address || ', ' || p.city, ', '), p.phone,"
        " p.lat, p.lon FROM police_stations_geo g JOIN police_stations p ON p.id = g.id"
        " WHERE g.max_lat >= ?1 AND g.min_lat <= ?2 AND g.max_lon >= ?3 AND g.min_lon <= ?4",
    [STORE_PLACE_AGENT] =
        "SELECT a.id, a.name, '', coalesce(s.name, ''), a.phone, a.lat, a.lon"
        " FROM agents_geo g JOIN agents a ON a.id = g.id LEFT JOIN sites s ON s.id = a.site_id"
        " WHERE g.max_lat >= ?1 AND g.min_lat <= ?2 AND g.max_lon >= ?3 AND g.min_lon <= ?4",
};

const char *store_place_kind_name(enum store_place_kind kind)
{
    return kind >= 0 && kind < STORE_PLACE_KINDS ? kind_names[kind] : "";
}

bool store_place_kind_parse(const char *text, enum store_place_kind *out)
{
    for (int kind = 0; kind < STORE_PLACE_KINDS; kind++) {
        if (strcmp(text, kind_names[kind]) == 0) {
            *out = (enum store_place_kind)kind;
            return true;
        }
    }
    return false;
}

/* ---- the nearest N of a kind: a max-heap on distance ---- */

struct nearest {
    struct store_place *places;
    int count, limit;
    int64_t found;
};

static void heap_swap(struct store_place *a, struct store_place *b)
{
    struct store_place kept = *a;
    *a = *b;
    *b = kept;
}

static void heap_sift_down(struct nearest *heap, int at)
{
    for (;;) {
        int largest = at, left = 2 * at + 1, right = left + 1;
        if (left < heap->count && heap->places[left].distance_m > heap->places[largest].distance_m)
            largest = left;
        if (right < heap->count &&
            heap->places[right].distance_m > heap->places[largest].distance_m)
            largest = right;
        if (largest == at)
            return;
        heap_swap(&heap->places[at], &heap->places[largest]);
        at = largest;
    }
}

/* Keeps place if it is among the `limit` nearest seen so far. */
static void heap_offer(struct nearest *heap, const struct store_place *place)
{
    heap->found++;
    if (heap->count < heap->limit) {
        int at = heap->count++;
        heap->places[at] = *place;
        while (at > 0 && heap->places[(at - 1) / 2].distance_m < heap->places[at].distance_m) {
            heap_swap(&heap->places[at], &heap->places[(at - 1) / 2]);
            at = (at - 1) / 2;
        }
    } else if (heap->count > 0 && place->distance_m < heap->places[0].distance_m) {
        heap->places[0] = *place;
        heap_sift_down(heap, 0);
    }
}

/* ---- reading ---- */

static void read_place(sqlite3_stmt *st, enum store_place_kind kind, struct store_place *place)
{
    memset(place, 0, sizeof *place);
    place->kind = kind;
    place->id = sqlite3_column_int64(st, 0);
    store_copy_text(place->name, sizeof place->name, sqlite3_column_text(st, 1));
    store_copy_text(place->service, sizeof place->service, sqlite3_column_text(st, 2));
    store_copy_text(place->address, sizeof place->address, sqlite3_column_text(st, 3));
    store_copy_text(place->phone, sizeof place->phone, sqlite3_column_text(st, 4));
    place->point.lat = sqlite3_column_double(st, 5);
    place->point.lon = sqlite3_column_double(st, 6);
}

static int search_kind(sqlite3 *db, const struct store_places_query *query,
                       const struct geo_box *box, enum store_place_kind kind, struct nearest *heap,
                       struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, kind_sql[kind], -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(db, "searching places", error);
    sqlite3_bind_double(st, 1, box->min_lat);
    sqlite3_bind_double(st, 2, box->max_lat);
    sqlite3_bind_double(st, 3, box->min_lon);
    sqlite3_bind_double(st, 4, box->max_lon);
    int rc;
    struct store_place place;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_place(st, kind, &place);
        place.distance_m = geo_distance_m(query->centre, place.point);
        if (place.distance_m > query->radius_m)
            continue; /* in the box's corners, outside the circle */
        place.bearing_deg = geo_bearing_deg(query->centre, place.point);
        heap_offer(heap, &place);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(db, "searching places", error);
    return STORE_OK;
}

static int compare_distance(const void *left, const void *right)
{
    const struct store_place *a = left, *b = right;
    if (a->distance_m != b->distance_m)
        return a->distance_m < b->distance_m ? -1 : 1;
    if (a->kind != b->kind) /* the same spot: a police station first */
        return a->kind == STORE_PLACE_POLICE ? -1 : b->kind == STORE_PLACE_POLICE ? 1 : 0;
    return a->id < b->id ? -1 : a->id > b->id;
}

static bool query_valid(const struct store_places_query *query, struct store_error *error)
{
    if (!geo_point_valid(query->centre)) {
        store_error_set(error, "the centre's latitude or longitude is out of range");
        return false;
    }
    if (!(query->radius_m > 0) || query->radius_m > STORE_PLACES_RADIUS_MAX_M) {
        store_error_set(error, "the radius must be above 0 and at most %d m",
                        STORE_PLACES_RADIUS_MAX_M);
        return false;
    }
    if (query->limit < 1 || query->limit > STORE_PLACES_LIMIT_MAX ||
        (query->kinds & STORE_PLACE_ALL) == 0) {
        store_error_set(error, "a search needs a kind of place and a limit of 1 to %d",
                        STORE_PLACES_LIMIT_MAX);
        return false;
    }
    return true;
}

static int search_all(sqlite3 *db, const struct store_places_query *query,
                      struct nearest heaps[STORE_PLACE_KINDS], struct store_error *error)
{
    struct geo_box box = geo_box_around(query->centre, query->radius_m);
    int status = store_exec(db, "BEGIN", error); /* one snapshot for every kind */
    for (int kind = 0; kind < STORE_PLACE_KINDS && status == STORE_OK; kind++)
        if (query->kinds & STORE_PLACE_BIT(kind))
            status = search_kind(db, query, &box, (enum store_place_kind)kind, &heaps[kind], error);
    store_exec(db, "COMMIT", NULL);
    return status;
}

int store_places_near(struct store *store, const struct store_places_query *query,
                      store_place_visitor visit, void *context,
                      int64_t found_out[STORE_PLACE_KINDS], struct store_error *error)
{
    if (!query_valid(query, error))
        return STORE_INVALID;
    size_t capacity = (size_t)query->limit * STORE_PLACE_KINDS;
    struct store_place *places = calloc(capacity, sizeof *places);
    if (!places) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    struct nearest heaps[STORE_PLACE_KINDS];
    for (int kind = 0; kind < STORE_PLACE_KINDS; kind++)
        heaps[kind] = (struct nearest){places + kind * query->limit, 0, query->limit, 0};
    sqlite3 *db = store_reader_acquire(store, error);
    int status = db ? search_all(db, query, heaps, error) : STORE_ERROR;
    if (db)
        store_reader_release(store, db);
    if (status == STORE_OK) {
        /* Pack the heaps together, then one sort for the merged order. */
        size_t count = 0;
        for (int kind = 0; kind < STORE_PLACE_KINDS; kind++) {
            memmove(places + count, heaps[kind].places, (size_t)heaps[kind].count * sizeof *places);
            count += (size_t)heaps[kind].count;
            if (found_out)
                found_out[kind] = heaps[kind].found;
        }
        qsort(places, count, sizeof *places, compare_distance);
        for (size_t i = 0; i < count; i++)
            visit(context, &places[i]);
    }
    free(places);
    return status;
}

/* ---- writing ---- */

static bool has_text(const char *text)
{
    return text && text[0];
}

static int audit_station(struct store_tx *tx, const struct actor *actor, int64_t id,
                         const struct store_police_station_new *station, struct store_error *error)
{
    cJSON *detail = cJSON_CreateObject();
    char *text = NULL;
    if (detail && cJSON_AddStringToObject(detail, "name", station->name) &&
        cJSON_AddStringToObject(detail, "service", station->service))
        text = cJSON_PrintUnformatted(detail);
    cJSON_Delete(detail);
    if (!text) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    int status = store_tx_audit(tx, actor, "police_station.add", "police_station", id, text, error);
    free(text);
    return status;
}

int store_police_station_add(struct store_tx *tx, const struct actor *actor,
                             const struct store_police_station_new *station, int64_t *id_out,
                             struct store_error *error)
{
    if (!has_text(station->name) || !has_text(station->service) ||
        (strcmp(station->service, "police") != 0 && strcmp(station->service, "gendarmerie") != 0)) {
        store_error_set(error, "a station needs a name and a service (police, gendarmerie)");
        return STORE_INVALID;
    }
    if (!geo_point_valid((struct geo_point){station->lat, station->lon})) {
        store_error_set(error, "a station's latitude or longitude is out of range");
        return STORE_INVALID;
    }
    /* Reference data is added rarely: no cached statement for it. */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db,
                           "INSERT INTO police_stations(name, service, address, city, phone, lat,"
                           " lon) VALUES(?,?,?,?,?,?,?)",
                           -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "adding a police station", error);
    sqlite3_bind_text(st, 1, station->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, station->service, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, station->address ? station->address : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, station->city ? station->city : "", -1, SQLITE_STATIC);
    if (has_text(station->phone))
        sqlite3_bind_text(st, 5, station->phone, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 5);
    sqlite3_bind_double(st, 6, station->lat);
    sqlite3_bind_double(st, 7, station->lon);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "adding a police station", error);
    int64_t id = sqlite3_last_insert_rowid(tx->db);
    int status = audit_station(tx, actor, id, station, error);
    if (status == STORE_OK && id_out)
        *id_out = id;
    return status;
}
