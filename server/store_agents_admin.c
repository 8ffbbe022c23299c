/* store_agents_admin.c: the agents' registry one record at a time (see
 * store_agents_admin.h). Lists around a point read the agents_geo R*Tree
 * for the circle's box, measure each agent on the sphere, sort and cut
 * the page; the rows of the page are then read by id. */
#include "server/store_agents_admin.h"
#include "server/store_internal.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AGENT_COLUMNS                                                                              \
    "a.id, a.ext_id, COALESCE(a.site_id, 0), COALESCE(s.name, ''), s.validated_at IS NOT NULL,"    \
    " a.name, COALESCE(a.phone, ''), COALESCE(a.phone_kind, ''), COALESCE(a.email, ''),"           \
    " a.lat IS NOT NULL AND a.lon IS NOT NULL, a.lat, a.lon, a.vetted, COALESCE(a.vetted_by, '')," \
    " COALESCE(a.vetted_at, 0), a.duty, a.push_subscription IS NOT NULL"
#define AGENT_FROM " FROM agents a LEFT JOIN sites s ON s.id = a.site_id"

static const char agent_by_id_sql[] = "SELECT " AGENT_COLUMNS AGENT_FROM " WHERE a.id = ?1";
static const char agents_page_sql[] =
    "SELECT " AGENT_COLUMNS AGENT_FROM " WHERE ?1 = 0 OR a.site_id = ?1 ORDER BY a.id"
    " LIMIT ?2 OFFSET ?3";
static const char agents_count_sql[] = "SELECT COUNT(*) FROM agents WHERE ?1 = 0 OR site_id = ?1";
static const char agents_box_sql[] =
    "SELECT a.id, a.lat, a.lon FROM agents_geo g JOIN agents a ON a.id = g.id"
    " WHERE g.max_lat >= ?1 AND g.min_lat <= ?2 AND g.max_lon >= ?3 AND g.min_lon <= ?4"
    " AND (?5 = 0 OR a.site_id = ?5)";

static bool has_text(const char *text)
{
    return text && text[0];
}

static void read_agent(sqlite3_stmt *st, struct store_agent *out)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    store_copy_text(out->ext_id, sizeof out->ext_id, sqlite3_column_text(st, 1));
    out->site_id = sqlite3_column_int64(st, 2);
    store_copy_text(out->site_name, sizeof out->site_name, sqlite3_column_text(st, 3));
    out->site_validated = sqlite3_column_int(st, 4) != 0;
    store_copy_text(out->name, sizeof out->name, sqlite3_column_text(st, 5));
    store_copy_text(out->phone, sizeof out->phone, sqlite3_column_text(st, 6));
    store_copy_text(out->phone_kind, sizeof out->phone_kind, sqlite3_column_text(st, 7));
    store_copy_text(out->email, sizeof out->email, sqlite3_column_text(st, 8));
    out->located = sqlite3_column_int(st, 9) != 0;
    out->lat = sqlite3_column_double(st, 10);
    out->lon = sqlite3_column_double(st, 11);
    out->vetted = sqlite3_column_int(st, 12) != 0;
    store_copy_text(out->vetted_by, sizeof out->vetted_by, sqlite3_column_text(st, 13));
    out->vetted_at = sqlite3_column_int64(st, 14);
    store_copy_text(out->duty, sizeof out->duty, sqlite3_column_text(st, 15));
    out->has_push = sqlite3_column_int(st, 16) != 0;
    out->distance_m = -1;
}

/* Reads one agent with a statement of agent_by_id_sql. */
static int agent_read(sqlite3 *db, sqlite3_stmt *st, int64_t id, struct store_agent *out,
                      struct store_error *error)
{
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_agent(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    if (rc != SQLITE_DONE)
        return store_sql_error(db, "reading an agent", error);
    store_error_set(error, "no agent %lld", (long long)id);
    return STORE_NOT_FOUND;
}

int store_agent_get(struct store *store, int64_t id, struct store_agent *out,
                    struct store_error *error)
{
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = sqlite3_prepare_v2(db, agent_by_id_sql, -1, &st, NULL) == SQLITE_OK
                     ? agent_read(db, st, id, out, error)
                     : store_sql_error(db, "reading an agent", error);
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}

/* ---- Lists ---- */

struct near_agent {
    int64_t id;
    double distance_m;
};

static int by_distance(const void *a, const void *b)
{
    const struct near_agent *x = a, *y = b;
    if (x->distance_m != y->distance_m)
        return x->distance_m < y->distance_m ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* Every agent within the circle (and of the site, if asked), nearest first. */
static int near_ids(sqlite3 *db, const struct store_agents_query *query, struct near_agent **out,
                    size_t *count, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, agents_box_sql, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(db, "listing agents around a point", error);
    struct geo_box box = geo_box_around(query->centre, query->radius_m);
    sqlite3_bind_double(st, 1, box.min_lat);
    sqlite3_bind_double(st, 2, box.max_lat);
    sqlite3_bind_double(st, 3, box.min_lon);
    sqlite3_bind_double(st, 4, box.max_lon);
    sqlite3_bind_int64(st, 5, query->site_id);
    size_t capacity = 0;
    int rc, status = STORE_OK;
    while (status == STORE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct geo_point where = {sqlite3_column_double(st, 1), sqlite3_column_double(st, 2)};
        double distance = geo_distance_m(query->centre, where);
        if (distance > query->radius_m)
            continue;
        if (*count == capacity) {
            size_t grown = capacity ? capacity * 2 : 256;
            struct near_agent *bigger = realloc(*out, grown * sizeof *bigger);
            if (!bigger) {
                store_error_set(error, "out of memory");
                status = STORE_ERROR;
                break;
            }
            *out = bigger;
            capacity = grown;
        }
        (*out)[(*count)++] = (struct near_agent){sqlite3_column_int64(st, 0), distance};
    }
    if (status == STORE_OK && rc != SQLITE_DONE)
        status = store_sql_error(db, "listing agents around a point", error);
    sqlite3_finalize(st);
    if (status == STORE_OK && *count > 1)
        qsort(*out, *count, sizeof **out, by_distance);
    return status;
}

static int list_near(sqlite3 *db, const struct store_agents_query *query, store_agent_visitor visit,
                     void *context, int64_t *total, struct store_error *error)
{
    struct near_agent *near = NULL;
    size_t count = 0;
    int status = near_ids(db, query, &near, &count, error);
    sqlite3_stmt *st = NULL;
    if (status == STORE_OK && sqlite3_prepare_v2(db, agent_by_id_sql, -1, &st, NULL) != SQLITE_OK)
        status = store_sql_error(db, "reading an agent", error);
    *total = (int64_t)count;
    for (size_t i = (size_t)query->offset;
         status == STORE_OK && i < count && i < (size_t)query->offset + (size_t)query->limit; i++) {
        struct store_agent agent;
        status = agent_read(db, st, near[i].id, &agent, error);
        agent.distance_m = near[i].distance_m;
        if (status == STORE_OK)
            visit(context, &agent);
    }
    sqlite3_finalize(st);
    free(near);
    return status;
}

static int list_page(sqlite3 *db, const struct store_agents_query *query, store_agent_visitor visit,
                     void *context, int64_t *total, struct store_error *error)
{
    sqlite3_stmt *count = NULL, *page = NULL;
    if (sqlite3_prepare_v2(db, agents_count_sql, -1, &count, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, agents_page_sql, -1, &page, NULL) != SQLITE_OK) {
        sqlite3_finalize(count);
        return store_sql_error(db, "listing agents", error);
    }
    sqlite3_bind_int64(count, 1, query->site_id);
    *total = sqlite3_step(count) == SQLITE_ROW ? sqlite3_column_int64(count, 0) : 0;
    sqlite3_bind_int64(page, 1, query->site_id);
    sqlite3_bind_int(page, 2, query->limit);
    sqlite3_bind_int64(page, 3, query->offset);
    int rc;
    while ((rc = sqlite3_step(page)) == SQLITE_ROW) {
        struct store_agent agent;
        read_agent(page, &agent);
        visit(context, &agent);
    }
    int status = rc == SQLITE_DONE ? STORE_OK : store_sql_error(db, "listing agents", error);
    sqlite3_finalize(count);
    sqlite3_finalize(page);
    return status;
}

int store_agents_list(struct store *store, const struct store_agents_query *query,
                      store_agent_visitor visit, void *context, int64_t *total,
                      struct store_error *error)
{
    *total = 0;
    if (query->limit < 1 || query->limit > STORE_AGENTS_PAGE_MAX || query->offset < 0 ||
        (query->near && (!geo_point_valid(query->centre) || !(query->radius_m > 0) ||
                         query->radius_m > STORE_AGENTS_RADIUS_MAX_M))) {
        store_error_set(error, "a list of agents needs a valid centre, radius and page");
        return STORE_INVALID;
    }
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    /* One read transaction: the total and the page agree. */
    int status = store_exec(db, "BEGIN", error);
    if (status == STORE_OK) {
        status = query->near ? list_near(db, query, visit, context, total, error)
                             : list_page(db, query, visit, context, total, error);
        store_exec(db, "COMMIT", NULL);
    }
    store_reader_release(store, db);
    return status;
}

/* ---- Writes ---- */

static int audit_agent(struct store_tx *tx, const struct actor *actor, const char *action,
                       int64_t id, const char *ext_id, cJSON *fields, struct store_error *error)
{
    cJSON *detail = cJSON_CreateObject();
    cJSON_AddStringToObject(detail, "ext_id", ext_id);
    if (fields)
        cJSON_AddItemToObject(detail, "fields", fields);
    char *text = cJSON_PrintUnformatted(detail);
    cJSON_Delete(detail);
    if (!text) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    int status = store_tx_audit(tx, actor, action, "agent", id, text, error);
    cJSON_free(text);
    return status;
}

static void bind_text_or_null(sqlite3_stmt *st, int index, const char *text)
{
    if (has_text(text))
        sqlite3_bind_text(st, index, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, index);
}

/* The agent's position: his own, or his site's when he has none. Checks
 * that the site exists. */
static int agent_position(struct store_tx *tx, const struct store_agent_fields *fields,
                          bool *located, double *lat, double *lon, struct store_error *error)
{
    *located = fields->located;
    *lat = fields->lat;
    *lon = fields->lon;
    if (fields->site_id <= 0)
        return STORE_OK;
    static const char sql[] = "SELECT lat, lon FROM sites WHERE id = ?1";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "finding an agent's site", error);
    sqlite3_bind_int64(st, 1, fields->site_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && !*located && sqlite3_column_type(st, 0) != SQLITE_NULL &&
        sqlite3_column_type(st, 1) != SQLITE_NULL) {
        *located = true;
        *lat = sqlite3_column_double(st, 0);
        *lon = sqlite3_column_double(st, 1);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "finding an agent's site", error);
    store_error_set(error, "no site %lld", (long long)fields->site_id);
    return STORE_INVALID;
}

static void bind_fields(sqlite3_stmt *st, const struct store_agent_fields *fields, bool located,
                        double lat, double lon)
{
    sqlite3_bind_text(st, 2, fields->ext_id, -1, SQLITE_STATIC);
    if (fields->site_id > 0)
        sqlite3_bind_int64(st, 3, fields->site_id);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_text(st, 4, fields->name, -1, SQLITE_STATIC);
    bind_text_or_null(st, 5, fields->phone);
    bind_text_or_null(st, 6, has_text(fields->phone) ? fields->phone_kind : NULL);
    bind_text_or_null(st, 7, fields->email);
    if (located) {
        sqlite3_bind_double(st, 8, lat);
        sqlite3_bind_double(st, 9, lon);
    } else {
        sqlite3_bind_null(st, 8);
        sqlite3_bind_null(st, 9);
    }
    sqlite3_bind_text(st, 10, has_text(fields->duty) ? fields->duty : "24/7", -1, SQLITE_STATIC);
}

/* Statements of the rare writes (one agent changed by hand) are prepared
 * for the job and finalized after it, leaving the writer's bounded cache
 * to the hot paths (the insert, used by the demo and bulk loads). */
static sqlite3_stmt *prepare(struct store_tx *tx, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* Runs a statement to its end, then resets a cached one or finalizes one
 * of prepare(). A UNIQUE failure is the taken identifier. */
static int run_write(struct store_tx *tx, sqlite3_stmt *st, bool cached, const char *what,
                     struct store_error *error)
{
    int rc = sqlite3_step(st);
    int extended = sqlite3_extended_errcode(tx->db);
    if (cached) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    } else {
        sqlite3_finalize(st);
    }
    if (rc == SQLITE_DONE)
        return STORE_OK;
    if (extended == SQLITE_CONSTRAINT_UNIQUE) {
        store_error_set(error, "an agent with this identifier already exists");
        return STORE_CONFLICT;
    }
    return store_sql_error(tx->db, what, error);
}

int store_tx_agent_insert(struct store_tx *tx, const struct actor *actor,
                          const struct store_agent_fields *fields, const char *vetted_by,
                          int64_t *id_out, struct store_error *error)
{
    static const char sql[] =
        "INSERT INTO agents(ext_id, site_id, name, phone, phone_kind, email, lat, lon, duty,"
        " vetted, vetted_by, vetted_at)"
        " VALUES(?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?12, ?13, ?14)";
    bool located;
    double lat, lon;
    int status = agent_position(tx, fields, &located, &lat, &lon, error);
    if (status != STORE_OK)
        return status;
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "adding an agent", error);
    bind_fields(st, fields, located, lat, lon);
    sqlite3_bind_int(st, 12, vetted_by != NULL);
    bind_text_or_null(st, 13, vetted_by);
    if (vetted_by)
        sqlite3_bind_int64(st, 14, tx->now_ms);
    else
        sqlite3_bind_null(st, 14);
    status = run_write(tx, st, true, "adding an agent", error);
    int64_t id = sqlite3_last_insert_rowid(tx->db);
    if (status == STORE_OK)
        status = audit_agent(tx, actor, "agent.add", id, fields->ext_id, NULL, error);
    if (status == STORE_OK && id_out)
        *id_out = id;
    return status;
}

struct agent_job {
    const struct actor *actor;
    const struct store_agent_fields *fields;
    int64_t id;
    bool flag; /* vetted (create, vet) */
};

static int create_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct agent_job *job = context;
    return store_tx_agent_insert(tx, job->actor, job->fields,
                                 job->flag ? job->actor->username : NULL, &job->id, error);
}

int store_agent_create(struct store *store, const struct actor *actor,
                       const struct store_agent_fields *fields, bool vetted, int64_t *id_out,
                       struct store_error *error)
{
    struct agent_job job = {.actor = actor, .fields = fields, .flag = vetted};
    int status = store_write(store, create_job, &job, error);
    if (status == STORE_OK && id_out)
        *id_out = job.id;
    return status;
}

static bool text_differs(const char *stored, const char *wanted)
{
    return strcmp(stored, wanted ? wanted : "") != 0;
}

static void changed(cJSON **fields, bool differs, const char *name)
{
    if (!differs)
        return;
    if (!*fields)
        *fields = cJSON_CreateArray();
    cJSON_AddItemToArray(*fields, cJSON_CreateString(name));
}

/* The names of the fields that the change would alter, or NULL. */
static cJSON *differences(sqlite3_stmt *row, const struct store_agent_fields *f, bool located,
                          double lat, double lon)
{
    struct store_agent now;
    read_agent(row, &now);
    cJSON *fields = NULL;
    changed(&fields, text_differs(now.ext_id, f->ext_id), "ext_id");
    changed(&fields, now.site_id != (f->site_id > 0 ? f->site_id : 0), "site");
    changed(&fields, text_differs(now.name, f->name), "name");
    changed(&fields, text_differs(now.phone, f->phone), "phone");
    changed(&fields, has_text(f->phone) && text_differs(now.phone_kind, f->phone_kind),
            "phone_kind");
    changed(&fields, text_differs(now.email, f->email), "email");
    changed(&fields, now.located != located || (located && (now.lat != lat || now.lon != lon)),
            "position");
    changed(&fields, text_differs(now.duty, has_text(f->duty) ? f->duty : "24/7"), "duty");
    return fields;
}

static int update_job(struct store_tx *tx, void *context, struct store_error *error)
{
    static const char change_sql[] =
        "UPDATE agents SET ext_id = ?2, site_id = ?3, name = ?4, phone = ?5, phone_kind = ?6,"
        " email = ?7, lat = ?8, lon = ?9, duty = ?10 WHERE id = ?1";
    struct agent_job *job = context;
    bool located;
    double lat, lon;
    int status = agent_position(tx, job->fields, &located, &lat, &lon, error);
    if (status != STORE_OK)
        return status;
    sqlite3_stmt *read = prepare(tx, agent_by_id_sql);
    if (!read)
        return store_sql_error(tx->db, "reading an agent", error);
    sqlite3_bind_int64(read, 1, job->id);
    int rc = sqlite3_step(read);
    cJSON *fields = rc == SQLITE_ROW ? differences(read, job->fields, located, lat, lon) : NULL;
    char ext_id[STORE_AGENT_ID_MAX] = "";
    if (rc == SQLITE_ROW)
        store_copy_text(ext_id, sizeof ext_id, sqlite3_column_text(read, 1));
    sqlite3_finalize(read);
    if (rc == SQLITE_DONE) {
        store_error_set(error, "no agent %lld", (long long)job->id);
        return STORE_NOT_FOUND;
    }
    if (rc != SQLITE_ROW)
        return store_sql_error(tx->db, "reading an agent", error);
    if (!fields)
        return STORE_OK; /* the same record again: nothing written */
    sqlite3_stmt *st = prepare(tx, change_sql);
    if (!st) {
        cJSON_Delete(fields);
        return store_sql_error(tx->db, "changing an agent", error);
    }
    sqlite3_bind_int64(st, 1, job->id);
    bind_fields(st, job->fields, located, lat, lon);
    status = run_write(tx, st, false, "changing an agent", error);
    if (status != STORE_OK) {
        cJSON_Delete(fields);
        return status;
    }
    return audit_agent(tx, job->actor, "agent.change", job->id, ext_id, fields, error);
}

int store_agent_update(struct store *store, const struct actor *actor, int64_t id,
                       const struct store_agent_fields *fields, struct store_error *error)
{
    struct agent_job job = {.actor = actor, .fields = fields, .id = id};
    return store_write(store, update_job, &job, error);
}

/* The agent's registry identifier, or STORE_NOT_FOUND. */
static int agent_ext_id(struct store_tx *tx, int64_t id, char ext_id[STORE_AGENT_ID_MAX],
                        struct store_error *error)
{
    static const char sql[] = "SELECT ext_id FROM agents WHERE id = ?1";
    sqlite3_stmt *st = prepare(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "finding an agent", error);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        store_copy_text(ext_id, STORE_AGENT_ID_MAX, sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return STORE_OK;
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "finding an agent", error);
    store_error_set(error, "no agent %lld", (long long)id);
    return STORE_NOT_FOUND;
}

static int delete_job(struct store_tx *tx, void *context, struct store_error *error)
{
    static const char reached_sql[] =
        "SELECT COUNT(*) FROM massalert_recipients WHERE agent_id = ?1";
    static const char delete_sql[] = "DELETE FROM agents WHERE id = ?1";
    struct agent_job *job = context;
    char ext_id[STORE_AGENT_ID_MAX];
    int status = agent_ext_id(tx, job->id, ext_id, error);
    if (status != STORE_OK)
        return status;
    sqlite3_stmt *st = prepare(tx, reached_sql);
    if (!st)
        return store_sql_error(tx->db, "checking an agent's alerts", error);
    sqlite3_bind_int64(st, 1, job->id);
    int64_t reached = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (reached > 0) {
        store_error_set(error,
                        "agent %s received %lld mass alerts and stays in their reports: "
                        "unvet him instead",
                        ext_id, (long long)reached);
        return STORE_CONFLICT;
    }
    st = prepare(tx, delete_sql);
    if (!st)
        return store_sql_error(tx->db, "removing an agent", error);
    sqlite3_bind_int64(st, 1, job->id);
    status = run_write(tx, st, false, "removing an agent", error);
    return status == STORE_OK
               ? audit_agent(tx, job->actor, "agent.delete", job->id, ext_id, NULL, error)
               : status;
}

int store_agent_delete(struct store *store, const struct actor *actor, int64_t id,
                       struct store_error *error)
{
    struct agent_job job = {.actor = actor, .id = id};
    return store_write(store, delete_job, &job, error);
}

static int vet_job(struct store_tx *tx, void *context, struct store_error *error)
{
    static const char sql[] = "UPDATE agents SET vetted = ?2, vetted_by = CASE WHEN ?2 THEN ?3 END,"
                              " vetted_at = CASE WHEN ?2 THEN ?4 END WHERE id = ?1";
    struct agent_job *job = context;
    char ext_id[STORE_AGENT_ID_MAX];
    int status = agent_ext_id(tx, job->id, ext_id, error);
    if (status != STORE_OK)
        return status;
    sqlite3_stmt *st = prepare(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "vetting an agent", error);
    sqlite3_bind_int64(st, 1, job->id);
    sqlite3_bind_int(st, 2, job->flag);
    sqlite3_bind_text(st, 3, job->actor->username, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, tx->now_ms);
    status = run_write(tx, st, false, "vetting an agent", error);
    return status == STORE_OK ? audit_agent(tx, job->actor, job->flag ? "agent.vet" : "agent.unvet",
                                            job->id, ext_id, NULL, error)
                              : status;
}

int store_agent_vet(struct store *store, const struct actor *actor, int64_t id, bool vetted,
                    struct store_error *error)
{
    struct agent_job job = {.actor = actor, .id = id, .flag = vetted};
    return store_write(store, vet_job, &job, error);
}
