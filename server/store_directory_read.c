/* store_directory_read.c: the reference documents an operator opens with
 * an alarm (a site, a victim's file, the action plan that applies). Each is
 * read in one read transaction so that its parts agree with each other.
 * Column aliases are the JSON keys; empty text becomes null. */
#include "server/store_directory.h"
#include "server/store_internal.h"
#include "server/store_procedure_steps.h"
#include "common/clock.h"

#include <stdio.h>
#include <string.h>

/* Integer columns whose alias ends with one of these hold epoch
 * milliseconds and are given as RFC 3339 text. */
static bool is_time_column(const char *name)
{
    size_t length = strlen(name);
    return (length > 3 && strcmp(name + length - 3, "_at") == 0) ||
           (length > 6 && strcmp(name + length - 6, "_since") == 0);
}

static void add_column(cJSON *object, sqlite3_stmt *st, int column)
{
    const char *name = sqlite3_column_name(st, column);
    switch (sqlite3_column_type(st, column)) {
    case SQLITE_INTEGER: {
        int64_t value = sqlite3_column_int64(st, column);
        if (is_time_column(name)) {
            char text[CLOCK_RFC3339_SIZE];
            clock_format_rfc3339(value, text);
            cJSON_AddStringToObject(object, name, text);
        } else {
            cJSON_AddNumberToObject(object, name, (double)value);
        }
        break;
    }
    case SQLITE_FLOAT:
        cJSON_AddNumberToObject(object, name, sqlite3_column_double(st, column));
        break;
    case SQLITE_TEXT: {
        const char *text = (const char *)sqlite3_column_text(st, column);
        if (text && text[0])
            cJSON_AddStringToObject(object, name, text);
        else
            cJSON_AddNullToObject(object, name);
        break;
    }
    default:
        cJSON_AddNullToObject(object, name);
        break;
    }
}

/* Adds columns [from, to) of the current row to `object`. */
static void add_columns(cJSON *object, sqlite3_stmt *st, int from, int to)
{
    for (int column = from; column < to; column++)
        add_column(object, st, column);
}

/* Runs `st` (bound to one id) and appends each row as an object to a new
 * array named `name` in `parent`. */
static int add_rows(cJSON *parent, const char *name, sqlite3 *db, sqlite3_stmt *st,
                    const char *what, struct store_error *error)
{
    cJSON *array = cJSON_AddArrayToObject(parent, name);
    int rc;
    while (array && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        cJSON *item = cJSON_CreateObject();
        add_columns(item, st, 0, sqlite3_column_count(st));
        cJSON_AddItemToArray(array, item);
    }
    if (!array) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    return rc == SQLITE_DONE ? STORE_OK : store_sql_error(db, what, error);
}

static int add_rows_for_id(cJSON *parent, const char *name, sqlite3 *db, const char *sql,
                           int64_t id, const char *what, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(db, what, error);
    sqlite3_bind_int64(st, 1, id);
    int status = add_rows(parent, name, db, st, what, error);
    sqlite3_finalize(st);
    return status;
}

/* A document reader: opens a read transaction, builds, closes. */
typedef int (*document_builder)(sqlite3 *db, int64_t id, const void *argument, cJSON *out,
                                struct store_error *error);

static int read_document(struct store *store, document_builder build, int64_t id,
                         const void *argument, cJSON **out, struct store_error *error)
{
    *out = NULL;
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    cJSON *document = cJSON_CreateObject();
    int status = document ? store_exec(db, "BEGIN", error) : STORE_ERROR;
    if (!document)
        store_error_set(error, "out of memory");
    if (status == STORE_OK) {
        status = build(db, id, argument, document, error);
        store_exec(db, "COMMIT", NULL);
    }
    store_reader_release(store, db);
    if (status != STORE_OK) {
        cJSON_Delete(document);
        return status;
    }
    *out = document;
    return STORE_OK;
}

/* Reads one row by id into `object`: columns before `split` go to the
 * object itself, the rest to a sub-object named `nested` (if any). */
static int add_single_row(cJSON *object, sqlite3 *db, const char *sql, int64_t id, int split,
                          const char *nested, const char *what, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(db, what, error);
    sqlite3_bind_int64(st, 1, id);
    int status = STORE_OK;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int count = sqlite3_column_count(st);
        add_columns(object, st, 0, nested ? split : count);
        if (nested)
            add_columns(cJSON_AddObjectToObject(object, nested), st, split, count);
    } else if (rc == SQLITE_DONE) {
        store_error_set(error, "no %s %lld", what, (long long)id);
        status = STORE_NOT_FOUND;
    } else {
        status = store_sql_error(db, what, error);
    }
    sqlite3_finalize(st);
    return status;
}

/* ---- Sites ---- */

static int panels_with_zones(sqlite3 *db, int64_t site_id, cJSON *site, struct store_error *error)
{
    int status = add_rows_for_id(site, "panels", db,
                                 "SELECT id, account, model, protocol FROM panels"
                                 " WHERE site_id = ? ORDER BY id",
                                 site_id, "reading a site's panels", error);
    cJSON *panel = NULL;
    cJSON_ArrayForEach(panel, cJSON_GetObjectItemCaseSensitive(site, "panels"))
    {
        if (status != STORE_OK)
            break;
        cJSON *id = cJSON_GetObjectItemCaseSensitive(panel, "id");
        status =
            add_rows_for_id(panel, "zones", db,
                            "SELECT number, name FROM zones WHERE panel_id = ?"
                            " ORDER BY number",
                            (int64_t)cJSON_GetNumberValue(id), "reading a panel's zones", error);
    }
    return status;
}

static int build_site(sqlite3 *db, int64_t id, const void *argument, cJSON *site,
                      struct store_error *error)
{
    (void)argument;
    int status =
        add_single_row(site, db,
                       "SELECT s.id AS id, s.name AS name, s.address AS address, s.city AS city,"
                       " s.country AS country, s.lat AS lat, s.lon AS lon, s.timezone AS timezone,"
                       " s.phone AS phone, s.schedule AS schedule, s.notes AS notes,"
                       " s.arm_state AS arm_state, s.arm_since AS arm_since,"
                       " s.validated_by AS validated_by, s.validated_at AS validated_at,"
                       " c.id AS id, c.name AS name, c.kind AS kind, c.phone AS phone,"
                       " c.contract AS contract"
                       " FROM sites s JOIN clients c ON c.id = s.client_id WHERE s.id = ?",
                       id, 15, "client", "site", error);
    if (status == STORE_OK)
        status = panels_with_zones(db, id, site, error);
    if (status == STORE_OK)
        status = add_rows_for_id(site, "keyholders", db,
                                 "SELECT id, position, name, phone, availability"
                                 " FROM keyholders WHERE site_id = ? ORDER BY position, id",
                                 id, "reading a site's keyholders", error);
    if (status == STORE_OK)
        status = add_rows_for_id(site, "devices", db,
                                 "SELECT id, device_uid, kind, test_interval_s, last_test_at"
                                 " FROM devices WHERE site_id = ? ORDER BY id",
                                 id, "reading a site's devices", error);
    return status;
}

int store_site_json(struct store *store, int64_t id, cJSON **out, struct store_error *error)
{
    return read_document(store, build_site, id, NULL, out, error);
}

/* ---- Victims ---- */

static void add_nested(cJSON *victim, const char *name, const char *const *keys, size_t count)
{
    cJSON *nested = cJSON_AddObjectToObject(victim, name);
    for (size_t i = 0; nested && i < count; i++) {
        cJSON *value = cJSON_DetachItemFromObjectCaseSensitive(victim, keys[2 * i]);
        if (value)
            cJSON_AddItemToObject(nested, keys[2 * i + 1], value);
    }
}

/* Moves the flat columns of the file into the groups an operator reads. */
static void group_victim_fields(cJSON *victim)
{
    static const char *const addresses[] = {"address_home", "home", "address_other", "other"};
    static const char *const order[] = {
        "order_court",  "court",  "order_date",        "date",
        "order_expiry", "expiry", "order_prohibition", "prohibition"};
    static const char *const aggressor[] = {
        "aggressor_name",    "name",    "aggressor_description", "description",
        "aggressor_vehicle", "vehicle", "aggressor_plate",       "plate"};
    add_nested(victim, "addresses", addresses, 2);
    add_nested(victim, "protection_order", order, 4);
    add_nested(victim, "aggressor", aggressor, 4);
}

static int build_victim(sqlite3 *db, int64_t id, const void *argument, cJSON *victim,
                        struct store_error *error)
{
    (void)argument;
    int status = add_single_row(
        victim, db,
        "SELECT id, reference, full_name, birth_date, phone, address_home, address_other,"
        " order_court, order_date, order_expiry, order_prohibition, aggressor_name,"
        " aggressor_description, aggressor_vehicle, aggressor_plate, association, notes,"
        " contacts AS emergency_contacts FROM victims WHERE id = ?",
        id, 0, NULL, "victim", error);
    if (status != STORE_OK)
        return status;
    group_victim_fields(victim);
    /* The contacts column holds a JSON array: give it as one, not as text. */
    cJSON *text = cJSON_GetObjectItemCaseSensitive(victim, "emergency_contacts");
    cJSON *contacts = cJSON_IsString(text) ? cJSON_Parse(text->valuestring) : NULL;
    if (!cJSON_IsArray(contacts)) {
        cJSON_Delete(contacts);
        contacts = cJSON_CreateArray();
    }
    cJSON_ReplaceItemInObjectCaseSensitive(victim, "emergency_contacts", contacts);
    return add_rows_for_id(victim, "devices", db,
                           "SELECT id, device_uid, kind, test_interval_s, last_test_at"
                           " FROM devices WHERE victim_id = ? ORDER BY id",
                           id, "reading a victim's devices", error);
}

int store_victim_json(struct store *store, int64_t id, cJSON **out, struct store_error *error)
{
    return read_document(store, build_victim, id, NULL, out, error);
}

/* ---- Procedures ---- */

/* Adds the steps of one level to `out`; says whether there were any. */
static int add_steps(sqlite3 *db, const char *where, int64_t owner_id, const char *alarm_class,
                     cJSON *out, bool *found, struct store_error *error)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT step, action, detail, kind FROM procedures WHERE %s AND alarm_class = ?"
             " ORDER BY step, id",
             where);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(db, "reading procedures", error);
    sqlite3_bind_int64(st, 1, owner_id);
    sqlite3_bind_text(st, 2, alarm_class, -1, SQLITE_STATIC);
    cJSON_DeleteItemFromObjectCaseSensitive(out, "steps");
    int status = add_rows(out, "steps", db, st, "reading procedures", error);
    sqlite3_finalize(st);
    *found = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(out, "steps")) > 0;
    procedure_steps_fill_kind(cJSON_GetObjectItemCaseSensitive(out, "steps"));
    return status;
}

static int site_client(sqlite3 *db, int64_t site_id, int64_t *client_id, struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT client_id FROM sites WHERE id = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return store_sql_error(db, "reading a site", error);
    sqlite3_bind_int64(st, 1, site_id);
    int rc = sqlite3_step(st);
    int status = STORE_OK;
    if (rc == SQLITE_ROW) {
        *client_id = sqlite3_column_int64(st, 0);
    } else if (rc == SQLITE_DONE) {
        store_error_set(error, "no site %lld", (long long)site_id);
        status = STORE_NOT_FOUND;
    } else {
        status = store_sql_error(db, "reading a site", error);
    }
    sqlite3_finalize(st);
    return status;
}

static int build_procedures(sqlite3 *db, int64_t site_id, const void *argument, cJSON *out,
                            struct store_error *error)
{
    const char *alarm_class = argument;
    int64_t client_id = 0;
    int status = site_client(db, site_id, &client_id, error);
    if (status != STORE_OK)
        return status;
    cJSON_AddNumberToObject(out, "site_id", (double)site_id);
    cJSON_AddNumberToObject(out, "client_id", (double)client_id);
    cJSON_AddStringToObject(out, "class", alarm_class);
    /* Most specific first: the site's plan, the client's plan for the
     * class, then the client's plan for any class. */
    const struct {
        const char *scope, *where, *alarm_class;
        int64_t owner_id;
    } levels[] = {
        {"site", "site_id = ?", alarm_class, site_id},
        {"client", "client_id = ? AND site_id IS NULL", alarm_class, client_id},
        {"default", "client_id = ? AND site_id IS NULL", DIRECTORY_DEFAULT_CLASS, client_id},
    };
    const char *scope = "none";
    bool found = false;
    for (size_t i = 0; i < sizeof levels / sizeof levels[0] && !found && status == STORE_OK; i++) {
        status = add_steps(db, levels[i].where, levels[i].owner_id, levels[i].alarm_class, out,
                           &found, error);
        if (found)
            scope = levels[i].scope;
    }
    cJSON_AddStringToObject(out, "scope", scope);
    return status;
}

int store_procedures_json(struct store *store, int64_t site_id, const char *alarm_class,
                          cJSON **out, struct store_error *error)
{
    return read_document(store, build_procedures, site_id, alarm_class, out, error);
}
