/* store_directory_write.c: adding reference data (clients, sites, panels,
 * zones, keyholders, procedures, victims, devices, agents). Each add checks
 * its input, inserts one row and audits it in the caller's transaction;
 * the audit detail names the row, never a victim's personal data. */
#include "server/store_directory.h"
#include "server/procedure.h"
#include "server/store_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int store_directory_write(struct store *store, store_directory_job job, void *context,
                          struct store_error *error)
{
    return store_write(store, job, context, error);
}

static bool has_text(const char *text)
{
    return text && text[0];
}

static void bind_text(sqlite3_stmt *statement, int index, const char *text)
{
    if (has_text(text))
        sqlite3_bind_text(statement, index, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(statement, index);
}

static void bind_id(sqlite3_stmt *statement, int index, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(statement, index, id);
    else
        sqlite3_bind_null(statement, index);
}

static void bind_position(sqlite3_stmt *statement, int index, bool located, double lat, double lon)
{
    if (located) {
        sqlite3_bind_double(statement, index, lat);
        sqlite3_bind_double(statement, index + 1, lon);
    } else {
        sqlite3_bind_null(statement, index);
        sqlite3_bind_null(statement, index + 1);
    }
}

static bool position_valid(bool located, double lat, double lon)
{
    return !located || (lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180);
}

static int invalid(struct store_error *error, const char *message)
{
    store_error_set(error, "%s", message);
    return STORE_INVALID;
}

static int prepare(struct store_tx *tx, const char *sql, sqlite3_stmt **out, const char *what,
                   struct store_error *error)
{
    if (sqlite3_prepare_v2(tx->db, sql, -1, out, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, what, error);
    return STORE_OK;
}

/* Runs a prepared INSERT and finalizes it; a duplicate is a conflict and a
 * reference to a missing row is invalid input, not a store failure. */
static int insert_run(struct store_tx *tx, sqlite3_stmt *statement, const char *what,
                      const char *duplicate, int64_t *id_out, struct store_error *error)
{
    int rc = sqlite3_step(statement);
    sqlite3_finalize(statement);
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        store_error_set(error, "%s", duplicate);
        return STORE_CONFLICT;
    }
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        store_error_set(error, "%s: the client, site, panel or victim named does not exist", what);
        return STORE_INVALID;
    }
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, what, error);
    if (id_out)
        *id_out = sqlite3_last_insert_rowid(tx->db);
    return STORE_OK;
}

/* Audits with a JSON detail built by the caller; takes ownership of it. */
static int audit(struct store_tx *tx, const struct actor *actor, const char *action,
                 const char *object_type, int64_t object_id, cJSON *detail,
                 struct store_error *error)
{
    char *text = detail ? cJSON_PrintUnformatted(detail) : NULL;
    cJSON_Delete(detail);
    if (!text) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    int status = store_tx_audit(tx, actor, action, object_type, object_id, text, error);
    free(text);
    return status;
}

static cJSON *detail_text(const char *name, const char *value)
{
    cJSON *detail = cJSON_CreateObject();
    if (detail && !cJSON_AddStringToObject(detail, name, value ? value : "")) {
        cJSON_Delete(detail);
        return NULL;
    }
    return detail;
}

static cJSON *detail_number(cJSON *detail, const char *name, int64_t value)
{
    if (detail && !cJSON_AddNumberToObject(detail, name, (double)value)) {
        cJSON_Delete(detail);
        return NULL;
    }
    return detail;
}

int store_client_add(struct store_tx *tx, const struct actor *actor,
                     const struct store_client_new *client, int64_t *id_out,
                     struct store_error *error)
{
    if (!has_text(client->name) || !has_text(client->kind))
        return invalid(error, "a client needs a name and a kind");
    sqlite3_stmt *st = NULL;
    if (prepare(tx, "INSERT INTO clients(name, kind, phone, contract) VALUES(?,?,?,?)", &st,
                "adding a client", error))
        return STORE_ERROR;
    sqlite3_bind_text(st, 1, client->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, client->kind, -1, SQLITE_STATIC);
    bind_text(st, 3, client->phone);
    bind_text(st, 4, client->contract);
    int64_t id = 0;
    int status = insert_run(tx, st, "adding a client", "this client already exists", &id, error);
    if (status == STORE_OK)
        status =
            audit(tx, actor, "client.add", "client", id, detail_text("name", client->name), error);
    if (status == STORE_OK && id_out)
        *id_out = id;
    return status;
}

static bool arm_state_valid(const char *state)
{
    return !state || strcmp(state, "armed") == 0 || strcmp(state, "disarmed") == 0 ||
           strcmp(state, "unknown") == 0;
}

int store_site_add(struct store_tx *tx, const struct actor *actor,
                   const struct store_site_new *site, int64_t *id_out, struct store_error *error)
{
    if (site->client_id <= 0 || !has_text(site->name))
        return invalid(error, "a site needs a client and a name");
    if (!position_valid(site->located, site->lat, site->lon))
        return invalid(error, "a site's latitude or longitude is out of range");
    if (!arm_state_valid(site->arm_state))
        return invalid(error, "a site's arm state is armed, disarmed or unknown");
    sqlite3_stmt *st = NULL;
    const char *sql = "INSERT INTO sites(client_id, name, address, city, country, lat, lon,"
                      " timezone, phone, arm_state, arm_since, schedule, notes, validated_by,"
                      " validated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    if (prepare(tx, sql, &st, "adding a site", error))
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, site->client_id);
    sqlite3_bind_text(st, 2, site->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, site->address ? site->address : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, site->city ? site->city : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, has_text(site->country) ? site->country : "FR", -1, SQLITE_STATIC);
    bind_position(st, 6, site->located, site->lat, site->lon);
    sqlite3_bind_text(st, 8, has_text(site->timezone) ? site->timezone : "Europe/Paris", -1,
                      SQLITE_STATIC);
    bind_text(st, 9, site->phone);
    sqlite3_bind_text(st, 10, site->arm_state ? site->arm_state : "unknown", -1, SQLITE_STATIC);
    bind_id(st, 11, site->arm_since);
    bind_text(st, 12, site->schedule);
    bind_text(st, 13, site->notes);
    bind_text(st, 14, site->validated_by);
    bind_id(st, 15, has_text(site->validated_by) ? tx->now_ms : 0);
    int64_t id = 0;
    int status = insert_run(tx, st, "adding a site", "this site already exists", &id, error);
    if (status == STORE_OK)
        status = audit(tx, actor, "site.add", "site", id,
                       detail_number(detail_text("name", site->name), "client_id", site->client_id),
                       error);
    if (status == STORE_OK && id_out)
        *id_out = id;
    return status;
}

static bool account_valid(const char *account)
{
    size_t length = account ? strlen(account) : 0;
    if (length == 0 || length > DIRECTORY_ACCOUNT_MAX)
        return false;
    for (size_t i = 0; i < length; i++)
        if (!isxdigit((unsigned char)account[i]))
            return false;
    return true;
}

int store_panel_add(struct store_tx *tx, const struct actor *actor,
                    const struct store_panel_new *panel, int64_t *id_out, struct store_error *error)
{
    if (panel->site_id <= 0)
        return invalid(error, "a panel needs a site");
    if (!account_valid(panel->account))
        return invalid(error, "a panel's account is 1 to 16 hexadecimal digits");
    sqlite3_stmt *st = NULL;
    if (prepare(tx, "INSERT INTO panels(site_id, account, model, protocol) VALUES(?,?,?,?)", &st,
                "adding a panel", error))
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, panel->site_id);
    sqlite3_bind_text(st, 2, panel->account, -1, SQLITE_STATIC);
    bind_text(st, 3, panel->model);
    bind_text(st, 4, panel->protocol);
    int64_t id = 0;
    int status =
        insert_run(tx, st, "adding a panel", "another panel already has this account", &id, error);
    if (status == STORE_OK)
        status =
            audit(tx, actor, "panel.add", "panel", id,
                  detail_number(detail_text("account", panel->account), "site_id", panel->site_id),
                  error);
    if (status == STORE_OK && id_out)
        *id_out = id;
    return status;
}

int store_zone_add(struct store_tx *tx, const struct actor *actor, int64_t panel_id, int number,
                   const char *name, struct store_error *error)
{
    if (panel_id <= 0 || number < 0 || number > DIRECTORY_ZONE_MAX || !has_text(name))
        return invalid(error, "a zone needs a panel, a number from 0 to 9999 and a name");
    sqlite3_stmt *st = NULL;
    if (prepare(tx, "INSERT INTO zones(panel_id, number, name) VALUES(?,?,?)", &st, "adding a zone",
                error))
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, panel_id);
    sqlite3_bind_int(st, 2, number);
    sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
    int status = insert_run(tx, st, "adding a zone",
                            "this panel already has a zone with this number", NULL, error);
    if (status == STORE_OK)
        status = audit(tx, actor, "zone.add", "panel", panel_id,
                       detail_number(cJSON_CreateObject(), "zone", number), error);
    return status;
}

int store_keyholder_add(struct store_tx *tx, const struct actor *actor,
                        const struct store_keyholder_new *keyholder, int64_t *id_out,
                        struct store_error *error)
{
    if (keyholder->site_id <= 0 || !has_text(keyholder->name) || !has_text(keyholder->phone))
        return invalid(error, "a keyholder needs a site, a name and a phone");
    if (keyholder->position < 1 || keyholder->position > DIRECTORY_KEYHOLDERS_MAX)
        return invalid(error, "a keyholder's position in the call list is 1 to 99");
    sqlite3_stmt *st = NULL;
    if (prepare(tx,
                "INSERT INTO keyholders(site_id, position, name, phone, availability)"
                " VALUES(?,?,?,?,?)",
                &st, "adding a keyholder", error))
        return STORE_ERROR;
    sqlite3_bind_int64(st, 1, keyholder->site_id);
    sqlite3_bind_int(st, 2, keyholder->position);
    sqlite3_bind_text(st, 3, keyholder->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, keyholder->phone, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, has_text(keyholder->availability) ? keyholder->availability : "24/7",
                      -1, SQLITE_STATIC);
    int64_t id = 0;
    int status =
        insert_run(tx, st, "adding a keyholder", "this keyholder already exists", &id, error);
    if (status == STORE_OK)
        status =
            audit(tx, actor, "keyholder.add", "keyholder", id,
                  detail_number(detail_number(cJSON_CreateObject(), "site_id", keyholder->site_id),
                                "position", keyholder->position),
                  error);
    if (status == STORE_OK && id_out)
        *id_out = id;
    return status;
}

int store_procedure_step_add(struct store_tx *tx, const struct actor *actor,
                             const struct store_procedure_step_new *step, int64_t *id_out,
                             struct store_error *error)
{
    if ((step->client_id > 0) == (step->site_id > 0))
        return invalid(error, "a procedure step belongs to a client or to a site, not both");
    if (!step->alarm_class || (!alarm_class_is_known(step->alarm_class) &&
                               strcmp(step->alarm_class, DIRECTORY_DEFAULT_CLASS) != 0))
        return invalid(error, "a procedure step needs a known alarm class or \"default\"");
    if (step->step < 1 || step->step > DIRECTORY_STEP_MAX || !has_text(step->action))
        return invalid(error, "a procedure step needs a number from 1 to 99 and an action");
    sqlite3_stmt *st = NULL;
    if (prepare(tx,
                "INSERT INTO procedures(client_id, site_id, alarm_class, step, action, detail,"
                " kind) VALUES(?,?,?,?,?,?,?)",
                &st, "adding a procedure step", error))
        return STORE_ERROR;
    bind_id(st, 1, step->client_id);
    bind_id(st, 2, step->site_id);
    sqlite3_bind_text(st, 3, step->alarm_class, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, step->step);
    sqlite3_bind_text(st, 5, step->action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, step->detail ? step->detail : "", -1, SQLITE_STATIC);
    /* Stored, so that a plan written in another wording can be corrected. */
    sqlite3_bind_text(st, 7, procedure_kind_name(procedure_kind_guess(step->action)), -1,
                      SQLITE_STATIC);
    int64_t id = 0;
    int status =
        insert_run(tx, st, "adding a procedure step", "this step already exists", &id, error);
    cJSON *detail = detail_text("class", step->alarm_class);
    detail = detail_number(detail, step->site_id > 0 ? "site_id" : "client_id",
                           step->site_id > 0 ? step->site_id : step->client_id);
    detail = detail_number(detail, "step", step->step);
    if (status == STORE_OK)
        status = audit(tx, actor, "procedure.add", "procedure", id, detail, error);
    else
        cJSON_Delete(detail);
    if (status == STORE_OK && id_out)
        *id_out = id;
    return status;
}

static bool contacts_valid(const char *contacts)
{
    if (!contacts)
        return true;
    cJSON *parsed = cJSON_Parse(contacts);
    bool valid = cJSON_IsArray(parsed);
    for (cJSON *item = valid ? parsed->child : NULL; item && valid; item = item->next)
        valid = cJSON_IsObject(item);
    cJSON_Delete(parsed);
    return valid;
}

int store_victim_add(struct store_tx *tx, const struct actor *actor,
                     const struct store_victim_new *victim, int64_t *id_out,
                     struct store_error *error)
{
    const struct store_victim_new *v = victim;
    if (!has_text(v->reference) || !has_text(v->full_name) || !has_text(v->phone))
        return invalid(error, "a victim's file needs a reference, a name and a phone");
    if (!contacts_valid(v->contacts))
        return invalid(error, "a victim's contacts are a JSON array of objects");
    sqlite3_stmt *st = NULL;
    const char *sql = "INSERT INTO victims(reference, full_name, birth_date, phone, address_home,"
                      " address_other, order_court, order_date, order_expiry, order_prohibition,"
                      " aggressor_name, aggressor_description, aggressor_vehicle,"
                      " aggressor_plate, association, notes, contacts)"
                      " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    if (prepare(tx, sql, &st, "adding a victim's file", error))
        return STORE_ERROR;
    const char *const fields[] = {
        v->reference,         v->full_name,         v->birth_date,     v->phone,
        v->address_home,      v->address_other,     v->order_court,    v->order_date,
        v->order_expiry,      v->order_prohibition, v->aggressor_name, v->aggressor_description,
        v->aggressor_vehicle, v->aggressor_plate,   v->association,    v->notes,
    };
    int count = (int)(sizeof fields / sizeof fields[0]);
    for (int i = 0; i < count; i++)
        bind_text(st, i + 1, fields[i]);
    sqlite3_bind_text(st, count + 1, v->contacts ? v->contacts : "[]", -1, SQLITE_STATIC);
    int64_t id = 0;
    int status = insert_run(tx, st, "adding a victim's file",
                            "a victim's file with this reference already exists", &id, error);
    if (status == STORE_OK)
        status = audit(tx, actor, "victim.add", "victim", id,
                       detail_text("reference", v->reference), error);
    if (status == STORE_OK && id_out)
        *id_out = id;
    return status;
}

int store_device_add(struct store_tx *tx, const struct actor *actor,
                     const struct store_device_new *device, int64_t *id_out,
                     struct store_error *error)
{
    if (!has_text(device->device_uid) || !device->kind ||
        (strcmp(device->kind, "protection-phone") != 0 && strcmp(device->kind, "lone-worker") != 0))
        return invalid(error, "a device needs a uid and a kind (protection-phone, lone-worker)");
    if ((device->victim_id > 0) == (device->site_id > 0))
        return invalid(error, "a device belongs to a victim or to a site, not both");
    if (device->test_interval_s != 0 && (device->test_interval_s < DIRECTORY_TEST_INTERVAL_MIN ||
                                         device->test_interval_s > DIRECTORY_TEST_INTERVAL_MAX))
        return invalid(error, "a device's test interval is one minute to 60 days");
    sqlite3_stmt *st = NULL;
    if (prepare(tx,
                "INSERT INTO devices(device_uid, kind, victim_id, site_id, token_hash,"
                " test_interval_s) VALUES(?,?,?,?,?,COALESCE(?,1296000))",
                &st, "adding a device", error))
        return STORE_ERROR;
    sqlite3_bind_text(st, 1, device->device_uid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, device->kind, -1, SQLITE_STATIC);
    bind_id(st, 3, device->victim_id);
    bind_id(st, 4, device->site_id);
    bind_text(st, 5, device->token_hash);
    bind_id(st, 6, device->test_interval_s);
    int64_t id = 0;
    int status =
        insert_run(tx, st, "adding a device", "a device with this uid already exists", &id, error);
    if (status == STORE_OK)
        status = audit(tx, actor, "device.add", "device", id,
                       detail_text("device_uid", device->device_uid), error);
    if (status == STORE_OK && id_out)
        *id_out = id;
    return status;
}

int store_agent_add(struct store_tx *tx, const struct actor *actor,
                    const struct store_agent_new *agent, int64_t *id_out, struct store_error *error)
{
    if (!has_text(agent->ext_id) || !has_text(agent->name))
        return invalid(error, "an agent needs an identifier and a name");
    if (!position_valid(agent->located, agent->lat, agent->lon))
        return invalid(error, "an agent's latitude or longitude is out of range");
    sqlite3_stmt *st = NULL;
    if (prepare(tx,
                "INSERT INTO agents(ext_id, site_id, name, phone, email, lat, lon, vetted,"
                " vetted_by, vetted_at, duty) VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                &st, "adding an agent", error))
        return STORE_ERROR;
    sqlite3_bind_text(st, 1, agent->ext_id, -1, SQLITE_STATIC);
    bind_id(st, 2, agent->site_id);
    sqlite3_bind_text(st, 3, agent->name, -1, SQLITE_STATIC);
    bind_text(st, 4, agent->phone);
    bind_text(st, 5, agent->email);
    bind_position(st, 6, agent->located, agent->lat, agent->lon);
    sqlite3_bind_int(st, 8, agent->vetted);
    bind_text(st, 9, agent->vetted ? agent->vetted_by : NULL);
    bind_id(st, 10, agent->vetted ? tx->now_ms : 0);
    sqlite3_bind_text(st, 11, has_text(agent->duty) ? agent->duty : "24/7", -1, SQLITE_STATIC);
    int64_t id = 0;
    int status = insert_run(tx, st, "adding an agent",
                            "an agent with this identifier already exists", &id, error);
    if (status == STORE_OK)
        status =
            audit(tx, actor, "agent.add", "agent", id, detail_text("ext_id", agent->ext_id), error);
    if (status == STORE_OK && id_out)
        *id_out = id;
    return status;
}
