/* store_massalert_audience.c: the agents in a circle, judged one by one.
 *
 * Reading a million-agent registry row by row through SQLite costs about
 * a microsecond or more per agent in the circle (R*Tree cell, agent row,
 * site row, duty parsed in its zone): 150,000 agents in 30 km of Paris
 * took seconds. The selection therefore reads the registry into memory
 * once (one read transaction: agents with their site's facts, as plain
 * arrays sorted by a 0.01-degree grid), and reads it again only when the
 * registry_version counter, bumped by triggers on every change of an
 * agent or of a site's selection facts, has moved: a selection costs one
 * one-row read to check, then a scan of the grid rows the circle's box
 * covers, a great-circle distance per agent, and one duty evaluation per
 * distinct (duty, time zone) pair, not per agent. Everything the visitor
 * sees is the snapshot's, consistent with one committed state. */
#include "server/store_massalert_audience.h"
#include "server/store_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Grid rows and columns of 0.01 degree (1.1 km of latitude): a circle's
 * box is covered by whole rows, each one binary search and a run of
 * agents whose longitude cell is inside the box. */
#define GRID_PER_DEGREE 100
#define GRID_COLUMNS    (360 * GRID_PER_DEGREE + 1)
/* Flags of an agent in the snapshot. */
#define AGENT_VETTED         0x1u
#define AGENT_SITE_VALIDATED 0x2u

struct snap_site {
    int64_t id;
    char *name;
    struct geo_point point;
};

struct snap_agent {
    int64_t key; /* grid row * GRID_COLUMNS + grid column: the sort order */
    int64_t id;
    double lat, lon;
    uint32_t site; /* index + 1 in sites; 0: none */
    uint32_t duty; /* index in duties */
    uint8_t flags;
    uint8_t reach; /* MASSALERT_CHANNEL_BIT()s that reach him */
};

struct snap_duty {
    char *duty, *timezone;
};

struct snapshot {
    const struct store *store;
    char path[512];
    int64_t version;
    struct snap_agent *agents;
    size_t agent_count;
    struct snap_site *sites;
    size_t site_count;
    struct snap_duty *duties;
    size_t duty_count, duty_capacity;
    size_t *duty_slots; /* open addressing over duties: index + 1, 0 empty */
    size_t duty_slot_count;
};

/* One snapshot per process (vigied has one store): a selection reads it
 * under the read lock; a rebuild swaps it under the write lock. */
static pthread_rwlock_t snapshot_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct snapshot *current;

static void snapshot_free(struct snapshot *snap)
{
    if (!snap)
        return;
    for (size_t i = 0; i < snap->site_count; i++)
        free(snap->sites[i].name);
    for (size_t i = 0; i < snap->duty_count; i++) {
        free(snap->duties[i].duty);
        free(snap->duties[i].timezone);
    }
    free(snap->sites);
    free(snap->agents);
    free(snap->duties);
    free(snap->duty_slots);
    free(snap);
}

static int64_t grid_row(double lat)
{
    return (int64_t)floor((lat + 90.0) * GRID_PER_DEGREE);
}

static int64_t grid_column(double lon)
{
    return (int64_t)floor((lon + 180.0) * GRID_PER_DEGREE);
}

static uint64_t text_hash(const char *a, const char *b)
{
    uint64_t hash = 1469598103934665603u; /* FNV-1a */
    for (const char *p = a; *p; p++)
        hash = (hash ^ (unsigned char)*p) * 1099511628211u;
    hash = (hash ^ 0xffu) * 1099511628211u;
    for (const char *p = b; *p; p++)
        hash = (hash ^ (unsigned char)*p) * 1099511628211u;
    return hash;
}

static bool duty_slots_grow(struct snapshot *snap)
{
    size_t count = snap->duty_slot_count ? snap->duty_slot_count * 2 : 64;
    size_t *slots = calloc(count, sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < snap->duty_count; i++) {
        size_t at = text_hash(snap->duties[i].duty, snap->duties[i].timezone) & (count - 1);
        while (slots[at])
            at = (at + 1) & (count - 1);
        slots[at] = i + 1;
    }
    free(snap->duty_slots);
    snap->duty_slots = slots;
    snap->duty_slot_count = count;
    return true;
}

/* The index of the (duty, zone) pair, added when new; false when memory is short. */
static bool duty_index(struct snapshot *snap, const char *duty, const char *timezone, uint32_t *out)
{
    if ((snap->duty_count + 1) * 2 > snap->duty_slot_count && !duty_slots_grow(snap))
        return false;
    size_t mask = snap->duty_slot_count - 1;
    size_t at = text_hash(duty, timezone) & mask;
    for (; snap->duty_slots[at]; at = (at + 1) & mask) {
        const struct snap_duty *d = &snap->duties[snap->duty_slots[at] - 1];
        if (strcmp(d->duty, duty) == 0 && strcmp(d->timezone, timezone) == 0) {
            *out = (uint32_t)(snap->duty_slots[at] - 1);
            return true;
        }
    }
    if (snap->duty_count == snap->duty_capacity) {
        size_t capacity = snap->duty_capacity ? snap->duty_capacity * 2 : 32;
        struct snap_duty *bigger = realloc(snap->duties, capacity * sizeof *bigger);
        if (!bigger)
            return false;
        snap->duties = bigger;
        snap->duty_capacity = capacity;
    }
    struct snap_duty *d = &snap->duties[snap->duty_count];
    d->duty = strdup(duty);
    d->timezone = strdup(timezone);
    if (!d->duty || !d->timezone) {
        free(d->duty);
        free(d->timezone);
        return false;
    }
    snap->duty_slots[at] = ++snap->duty_count;
    *out = (uint32_t)(snap->duty_count - 1);
    return true;
}

static const char *column_text(sqlite3_stmt *st, int column)
{
    const char *text = (const char *)sqlite3_column_text(st, column);
    return text ? text : "";
}

/* Sites referenced by agents, by id (sorted), with their facts. */
static const char sites_sql[] =
    "SELECT id, name, lat, lon FROM sites WHERE id IN (SELECT site_id FROM agents) ORDER BY id";
/* Agents with a position; their site's validation and zone. */
static const char agents_sql[] =
    "SELECT a.id, COALESCE(a.site_id, 0), a.lat, a.lon, a.vetted, s.validated_at IS NOT NULL,"
    " a.duty, COALESCE(s.timezone, ''), a.phone, a.phone_kind, a.email,"
    " a.push_subscription IS NOT NULL"
    " FROM agents a LEFT JOIN sites s ON s.id = a.site_id"
    " WHERE a.lat IS NOT NULL AND a.lon IS NOT NULL";

static uint32_t site_slot(const struct snapshot *snap, int64_t id)
{
    size_t low = 0, high = snap->site_count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (snap->sites[middle].id < id)
            low = middle + 1;
        else
            high = middle;
    }
    return low < snap->site_count && snap->sites[low].id == id ? (uint32_t)low + 1 : 0;
}

static int read_sites(sqlite3 *db, struct snapshot *snap, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sites_sql, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(db, "reading the registry's sites", error);
    size_t capacity = 0;
    int rc, status = STORE_OK;
    while (status == STORE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (snap->site_count == capacity) {
            capacity = capacity ? capacity * 2 : 256;
            struct snap_site *bigger = realloc(snap->sites, capacity * sizeof *bigger);
            if (!bigger) {
                store_error_set(error, "out of memory");
                status = STORE_ERROR;
                break;
            }
            snap->sites = bigger;
        }
        struct snap_site *site = &snap->sites[snap->site_count];
        site->id = sqlite3_column_int64(st, 0);
        site->name = strdup(column_text(st, 1));
        site->point =
            (struct geo_point){sqlite3_column_double(st, 2), sqlite3_column_double(st, 3)};
        if (!site->name) {
            store_error_set(error, "out of memory");
            status = STORE_ERROR;
            break;
        }
        snap->site_count++;
    }
    if (status == STORE_OK && rc != SQLITE_DONE)
        status = store_sql_error(db, "reading the registry's sites", error);
    sqlite3_finalize(st);
    return status;
}

static bool add_agent(struct snapshot *snap, sqlite3_stmt *st, size_t *capacity)
{
    if (snap->agent_count == *capacity) {
        *capacity = *capacity ? *capacity * 2 : 1024;
        struct snap_agent *bigger = realloc(snap->agents, *capacity * sizeof *bigger);
        if (!bigger)
            return false;
        snap->agents = bigger;
    }
    struct snap_agent *agent = &snap->agents[snap->agent_count];
    agent->id = sqlite3_column_int64(st, 0);
    agent->site = site_slot(snap, sqlite3_column_int64(st, 1));
    agent->lat = sqlite3_column_double(st, 2);
    agent->lon = sqlite3_column_double(st, 3);
    agent->key = grid_row(agent->lat) * GRID_COLUMNS + grid_column(agent->lon);
    agent->flags = (uint8_t)((sqlite3_column_int(st, 4) ? AGENT_VETTED : 0) |
                             (sqlite3_column_int(st, 5) ? AGENT_SITE_VALIDATED : 0));
    struct massalert_candidate facts = {
        .phone = (const char *)sqlite3_column_text(st, 8),
        .phone_kind = (const char *)sqlite3_column_text(st, 9),
        .email = (const char *)sqlite3_column_text(st, 10),
        .has_push = sqlite3_column_int(st, 11) != 0,
    };
    agent->reach = (uint8_t)massalert_reach(&facts);
    if (!duty_index(snap, column_text(st, 6), column_text(st, 7), &agent->duty))
        return false;
    snap->agent_count++;
    return true;
}

static int by_key(const void *a, const void *b)
{
    const struct snap_agent *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static int read_agents(sqlite3 *db, struct snapshot *snap, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, agents_sql, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(db, "reading the registry", error);
    size_t capacity = 0;
    int rc, status = STORE_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (!add_agent(snap, st, &capacity)) {
            store_error_set(error, "out of memory");
            status = STORE_ERROR;
            break;
        }
    if (status == STORE_OK && rc != SQLITE_DONE)
        status = store_sql_error(db, "reading the registry", error);
    sqlite3_finalize(st);
    if (status == STORE_OK && snap->agent_count > 1)
        qsort(snap->agents, snap->agent_count, sizeof *snap->agents, by_key);
    return status;
}

static int read_version(sqlite3 *db, int64_t *version, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT version FROM registry_version WHERE id = 1", -1, &st,
                           NULL) != SQLITE_OK)
        return store_sql_error(db, "reading the registry's version", error);
    int rc = sqlite3_step(st);
    *version = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? STORE_OK
               : store_sql_error(db, "reading the registry's version", error);
}

/* Reads the registry at `version` in the read transaction open on `db`. */
static int snapshot_build(sqlite3 *db, const struct store *store, int64_t version,
                          struct snapshot **out, struct store_error *error)
{
    struct snapshot *snap = calloc(1, sizeof *snap);
    if (!snap) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    snap->store = store;
    snap->version = version;
    const char *path = sqlite3_db_filename(db, "main");
    snprintf(snap->path, sizeof snap->path, "%s", path ? path : "");
    int status = read_sites(db, snap, error);
    if (status == STORE_OK)
        status = read_agents(db, snap, error);
    if (status != STORE_OK) {
        snapshot_free(snap);
        return status;
    }
    *out = snap;
    return STORE_OK;
}

/* A snapshot of this database at the version read, or later (the counter
 * only grows: a newer snapshot holds every change the reader saw). */
static bool snapshot_fits(const struct snapshot *snap, const struct store *store, sqlite3 *db,
                          int64_t version)
{
    const char *path = sqlite3_db_filename(db, "main");
    return snap && snap->store == store && snap->version >= version &&
           strcmp(snap->path, path ? path : "") == 0;
}

/* Rebuilds under the write lock, unless another thread did meanwhile. */
static int snapshot_refresh(sqlite3 *db, struct store *store, int64_t version,
                            struct store_error *error)
{
    int status = STORE_OK;
    pthread_rwlock_wrlock(&snapshot_lock);
    if (!snapshot_fits(current, store, db, version)) {
        struct snapshot *fresh = NULL;
        status = snapshot_build(db, store, version, &fresh, error);
        if (status == STORE_OK) {
            snapshot_free(current);
            current = fresh;
        }
    }
    pthread_rwlock_unlock(&snapshot_lock);
    return status;
}

/* Tries to take a fitting snapshot: a rebuild by another store of the
 * same process between the write and the read lock makes one more turn. */
#define SNAPSHOT_TRIES 3

/* Takes the read lock on a snapshot of the registry as committed now,
 * reading it again if it changed. */
static int snapshot_acquire(struct store *store, struct store_error *error)
{
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    int64_t version = 0;
    int status = store_exec(db, "BEGIN", error);
    if (status == STORE_OK)
        status = read_version(db, &version, error);
    bool held = false;
    for (int i = 0; status == STORE_OK && !held && i < SNAPSHOT_TRIES; i++) {
        pthread_rwlock_rdlock(&snapshot_lock);
        held = snapshot_fits(current, store, db, version);
        if (!held) {
            pthread_rwlock_unlock(&snapshot_lock);
            status = snapshot_refresh(db, store, version, error);
        }
    }
    if (status == STORE_OK && !held) {
        store_error_set(error, "the registry's snapshot keeps changing hands");
        status = STORE_ERROR;
    }
    store_exec(db, "COMMIT", NULL);
    store_reader_release(store, db);
    return status;
}

/* ---- The selection ---- */

struct selection {
    const struct massalert_area *area;
    unsigned channels;
    int64_t now_ms;
    int8_t *on_duty; /* per duty pair: -1 not evaluated yet, else 0 or 1 */
    massalert_agent_visitor visit;
    void *context;
};

static void judge(struct selection *sel, const struct snapshot *snap, const struct snap_agent *a)
{
    struct geo_point where = {a->lat, a->lon};
    double distance = geo_distance_m(sel->area->centre, where);
    if (distance > sel->area->radius_m)
        return;
    bool vetted = a->flags & AGENT_VETTED, validated = a->flags & AGENT_SITE_VALIDATED;
    bool on_duty = false;
    if (vetted && validated) {
        int8_t *known = &sel->on_duty[a->duty];
        if (*known < 0)
            *known = massalert_on_duty(snap->duties[a->duty].duty, snap->duties[a->duty].timezone,
                                       sel->now_ms);
        on_duty = *known == 1;
    }
    const struct snap_site *site = a->site ? &snap->sites[a->site - 1] : NULL;
    struct massalert_agent agent = {
        .agent_id = a->id,
        .site_id = site ? site->id : 0,
        .site_name = site ? site->name : "",
        .site = site ? site->point : where,
        .distance_m = distance,
    };
    agent.verdict = massalert_judge_known(vetted, validated, on_duty, a->reach, sel->channels,
                                          &agent.reachable);
    sel->visit(sel->context, &agent);
}

/* The first agent whose key is at least `key`. */
static size_t lower_bound(const struct snapshot *snap, int64_t key)
{
    size_t low = 0, high = snap->agent_count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (snap->agents[middle].key < key)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

static void select_in(struct selection *sel, const struct snapshot *snap)
{
    struct geo_box box = geo_box_around(sel->area->centre, sel->area->radius_m);
    int64_t first_column = grid_column(box.min_lon), last_column = grid_column(box.max_lon);
    for (int64_t row = grid_row(box.min_lat); row <= grid_row(box.max_lat); row++) {
        int64_t last = row * GRID_COLUMNS + last_column;
        for (size_t i = lower_bound(snap, row * GRID_COLUMNS + first_column);
             i < snap->agent_count && snap->agents[i].key <= last; i++)
            judge(sel, snap, &snap->agents[i]);
    }
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
    int status = snapshot_acquire(store, error);
    if (status != STORE_OK)
        return status;
    const struct snapshot *snap = current;
    int8_t *on_duty = malloc(snap->duty_count ? snap->duty_count : 1);
    if (!on_duty) {
        pthread_rwlock_unlock(&snapshot_lock);
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    memset(on_duty, -1, snap->duty_count);
    struct selection sel = {area, channels, now_ms, on_duty, visit, context};
    select_in(&sel, snap);
    pthread_rwlock_unlock(&snapshot_lock);
    free(on_duty);
    return STORE_OK;
}
