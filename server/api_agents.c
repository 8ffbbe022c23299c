/* api_agents.c: the agents' registry through the API: GET /v1/agents
 * (around a point, nearest first, or by site, a page at a time), GET
 * /v1/agents/{id}, POST /v1/agents, PUT /v1/agents/{id}, DELETE
 * /v1/agents/{id} and POST /v1/agents/{id}/vetting. Every field is checked
 * before the store sees it: the phone normalised to E.164 by
 * libphonenumber (a national number is read in the centre's country), the
 * e-mail's form, the duty hours in schedule.c's grammar (kept in its
 * canonical form), the coordinates. (A Web Push subscription comes from
 * the agent's browser through its own route.) The
 * route table gives the reads to every role and the changes to
 * administrators: the registry decides who receives what the police
 * share, like the list of users. */
#include "server/api.h"
#include "server/schedule.h"
#include "server/store_agents_admin.h"
#include "common/clock.h"
#include "common/geo.h"
#include "common/i18n.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Agents per page when the request does not say: a screen's worth. */
#define AGENTS_PAGE_DEFAULT 100
/* An offset past this is not paging through a registry (200,000 agents
 * is a national one); it is a mistake. */
#define AGENTS_OFFSET_MAX 10000000
/* A phone number as people type it, spaces and all. */
#define AGENT_PHONE_TEXT_MAX 32

static void add_time(cJSON *object, const char *name, int64_t ms)
{
    if (ms <= 0) {
        cJSON_AddNullToObject(object, name);
        return;
    }
    char text[CLOCK_RFC3339_SIZE];
    clock_format_rfc3339(ms, text);
    cJSON_AddStringToObject(object, name, text);
}

static void add_text_or_null(cJSON *object, const char *name, const char *text)
{
    if (text[0])
        cJSON_AddStringToObject(object, name, text);
    else
        cJSON_AddNullToObject(object, name);
}

static cJSON *agent_json(const struct store_agent *agent)
{
    cJSON *item = cJSON_CreateObject();
    cJSON_AddNumberToObject(item, "id", (double)agent->id);
    cJSON_AddStringToObject(item, "ext_id", agent->ext_id);
    cJSON_AddStringToObject(item, "name", agent->name);
    if (agent->site_id > 0) {
        cJSON *site = cJSON_AddObjectToObject(item, "site");
        cJSON_AddNumberToObject(site, "id", (double)agent->site_id);
        cJSON_AddStringToObject(site, "name", agent->site_name);
        cJSON_AddBoolToObject(site, "validated", agent->site_validated);
    } else {
        cJSON_AddNullToObject(item, "site");
    }
    add_text_or_null(item, "phone", agent->phone);
    add_text_or_null(item, "phone_kind", agent->phone[0] ? agent->phone_kind : "");
    add_text_or_null(item, "email", agent->email);
    if (agent->located) {
        cJSON_AddNumberToObject(item, "lat", agent->lat);
        cJSON_AddNumberToObject(item, "lon", agent->lon);
    } else {
        cJSON_AddNullToObject(item, "lat");
        cJSON_AddNullToObject(item, "lon");
    }
    cJSON_AddStringToObject(item, "duty", agent->duty);
    cJSON_AddBoolToObject(item, "push", agent->has_push);
    cJSON_AddBoolToObject(item, "vetted", agent->vetted);
    add_text_or_null(item, "vetted_by", agent->vetted ? agent->vetted_by : "");
    add_time(item, "vetted_at", agent->vetted ? agent->vetted_at : 0);
    if (agent->distance_m >= 0)
        cJSON_AddNumberToObject(item, "distance_m", round(agent->distance_m * 10.0) / 10.0);
    return item;
}

static void add_agent(void *context, const struct store_agent *agent)
{
    cJSON_AddItemToArray(context, agent_json(agent));
}

/* lat, lon and radius_m: all three or none. */
static bool query_circle(struct api_request *request, struct api_response *response,
                         struct store_agents_query *query)
{
    const char *lat = api_query(request, "lat"), *lon = api_query(request, "lon");
    const char *radius = api_query(request, "radius_m");
    if (!lat && !lon && !radius)
        return true;
    if (!lat || !lon || !radius) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "missing_parameter",
                  _("lat, lon and radius_m go together"));
        return false;
    }
    int64_t radius_m = 0;
    if (!geo_parse_decimal(lat, &query->centre.lat) ||
        !geo_parse_decimal(lon, &query->centre.lon) || !geo_point_valid(query->centre)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                  _("lat and lon must be decimal degrees (-90 to 90, -180 to 180)"));
        return false;
    }
    if (!api_query_int(request, "radius_m", 1, (int64_t)STORE_AGENTS_RADIUS_MAX_M, 0, &radius_m,
                       response))
        return false;
    query->near = true;
    query->radius_m = (double)radius_m;
    return true;
}

void api_agents_list(struct api_request *request, struct api_response *response)
{
    struct store_agents_query query = {0};
    int64_t limit = 0;
    if (!query_circle(request, response, &query) ||
        !api_query_int(request, "site_id", 1, INT64_MAX, 0, &query.site_id, response) ||
        !api_query_int(request, "offset", 0, AGENTS_OFFSET_MAX, 0, &query.offset, response) ||
        !api_query_int(request, "limit", 1, STORE_AGENTS_PAGE_MAX, AGENTS_PAGE_DEFAULT, &limit,
                       response))
        return;
    query.limit = (int)limit;
    cJSON *agents = cJSON_CreateArray();
    int64_t total = 0;
    struct store_error error = {{0}};
    int status = store_agents_list(request->api->store, &query, add_agent, agents, &total, &error);
    if (status != STORE_OK) {
        cJSON_Delete(agents);
        api_store_error(response, status, &error);
        return;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddItemToObject(body, "agents", agents);
    cJSON_AddNumberToObject(body, "total", (double)total);
    cJSON_AddNumberToObject(body, "offset", (double)query.offset);
    cJSON_AddNumberToObject(body, "limit", (double)query.limit);
    api_json(response, MHD_HTTP_OK, body);
}

/* Answers the agent as the store has him now, with `http_status`. */
static void answer_agent(struct api_request *request, struct api_response *response, int64_t id,
                         unsigned http_status)
{
    struct store_agent agent;
    struct store_error error = {{0}};
    int status = store_agent_get(request->api->store, id, &agent, &error);
    if (status == STORE_OK)
        api_json(response, http_status, agent_json(&agent));
    else
        api_store_error(response, status, &error);
}

void api_agents_get(struct api_request *request, struct api_response *response)
{
    int64_t id = 0;
    if (api_param_id(request, 0, &id, response))
        answer_agent(request, response, id, MHD_HTTP_OK);
}

/* ---- Checking a record ---- */

/* Room for the checked and normalised fields the store reads. */
struct agent_input {
    struct store_agent_fields fields;
    char phone[PHONE_E164_SIZE];
    char duty[SCHEDULE_FORMAT_MAX];
    bool vetted;
};

/* A plausible address (the mail server has the last word): one '@', a
 * local part, a dotted domain, nothing blank or a control character. */
static bool email_plausible(const char *text)
{
    const char *at = strchr(text, '@');
    if (!at || at == text || strchr(at + 1, '@'))
        return false;
    const char *dot = strrchr(at, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0')
        return false;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (isspace(*p) || *p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

static bool bad_field(struct api_response *response, const char *code, const char *format,
                      const char *name, const char *why)
{
    api_error(response, MHD_HTTP_BAD_REQUEST, code, format, name, why);
    return false;
}

static bool check_phone(struct api_request *request, cJSON *body, struct agent_input *in,
                        struct api_response *response)
{
    const char *phone = NULL;
    if (!api_field_string(body, "phone", false, AGENT_PHONE_TEXT_MAX, &phone, response))
        return false;
    if (!phone || !phone[0])
        return true;
    enum phone_kind kind;
    char why[128];
    if (!phone_number_normalise(phone, request->api->config->centre_region, in->phone, &kind, why,
                                sizeof why))
        return bad_field(response, "bad_phone", _("the field \"%s\" is not a phone number: %s"),
                         "phone", why);
    static const char *const kinds[] = {"mobile", "fixed-or-mobile", "fixed", "other"};
    in->fields.phone = in->phone;
    in->fields.phone_kind = kinds[kind];
    return true;
}

static bool check_position(cJSON *body, struct agent_input *in, struct api_response *response)
{
    cJSON *lat = cJSON_GetObjectItemCaseSensitive(body, "lat");
    cJSON *lon = cJSON_GetObjectItemCaseSensitive(body, "lon");
    bool lat_absent = !lat || cJSON_IsNull(lat), lon_absent = !lon || cJSON_IsNull(lon);
    if (lat_absent && lon_absent)
        return true; /* the site's position */
    struct geo_point point = {cJSON_IsNumber(lat) ? lat->valuedouble : NAN,
                              cJSON_IsNumber(lon) ? lon->valuedouble : NAN};
    if (!cJSON_IsNumber(lat) || !cJSON_IsNumber(lon) || !geo_point_valid(point)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_position",
                  _("lat and lon are decimal degrees, -90 to 90 and -180 to 180, given together"));
        return false;
    }
    in->fields.located = true;
    in->fields.lat = point.lat;
    in->fields.lon = point.lon;
    return true;
}

static bool check_duty(cJSON *body, struct agent_input *in, struct api_response *response)
{
    const char *duty = NULL;
    if (!api_field_string(body, "duty", false, SCHEDULE_TEXT_MAX - 1, &duty, response))
        return false;
    struct schedule schedule;
    char why[SCHEDULE_ERROR_MAX];
    if (!schedule_parse(duty && duty[0] ? duty : "24/7", &schedule, why, sizeof why))
        return bad_field(response, "bad_duty", _("the field \"%s\" is not a weekly schedule: %s"),
                         "duty", why);
    schedule_format(&schedule, in->duty, sizeof in->duty);
    in->fields.duty = in->duty;
    return true;
}

/* Reads and checks the record of a POST or PUT; false after a 400. */
static bool agent_input_read(struct api_request *request, cJSON *body, bool with_vetting,
                             struct agent_input *in, struct api_response *response)
{
    memset(in, 0, sizeof *in);
    const char *email = NULL;
    int64_t site_id = 0;
    cJSON *vetted = cJSON_GetObjectItemCaseSensitive(body, "vetted");
    if (!api_field_string(body, "ext_id", true, STORE_AGENT_ID_MAX - 1, &in->fields.ext_id,
                          response) ||
        !api_field_string(body, "name", true, STORE_AGENT_NAME_MAX - 1, &in->fields.name,
                          response) ||
        !api_field_int(body, "site_id", false, 1, INT64_MAX, &site_id, response) ||
        !api_field_string(body, "email", false, STORE_AGENT_EMAIL_MAX - 1, &email, response) ||
        !check_phone(request, body, in, response) || !check_position(body, in, response) ||
        !check_duty(body, in, response))
        return false;
    if (email && email[0] && !email_plausible(email)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_email",
                  _("the field \"%s\" is not an e-mail address"), "email");
        return false;
    }
    if (vetted && !cJSON_IsBool(vetted)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "wrong_type",
                  _("the field \"%s\" must be true or false"), "vetted");
        return false;
    }
    in->fields.email = email;
    in->fields.site_id = site_id;
    in->vetted = with_vetting && cJSON_IsTrue(vetted);
    return true;
}

static const char *const create_fields[] = {"ext_id", "name", "site_id", "phone",  "email",
                                            "lat",    "lon",  "duty",    "vetted", NULL};
/* Vetting is its own act (POST .../vetting), never a side effect of an edit. */
static const char *const update_fields[] = {"ext_id", "name", "site_id", "phone", "email",
                                            "lat",    "lon",  "duty",    NULL};

void api_agents_create(struct api_request *request, struct api_response *response)
{
    cJSON *body = api_body_object(request, response, create_fields);
    if (!body)
        return;
    struct agent_input in;
    if (agent_input_read(request, body, true, &in, response)) {
        int64_t id = 0;
        struct store_error error = {{0}};
        int status = store_agent_create(request->api->store, &request->actor, &in.fields, in.vetted,
                                        &id, &error);
        if (status == STORE_OK)
            answer_agent(request, response, id, MHD_HTTP_CREATED);
        else
            api_store_error(response, status, &error);
    }
    cJSON_Delete(body);
}

void api_agents_update(struct api_request *request, struct api_response *response)
{
    int64_t id = 0;
    if (!api_param_id(request, 0, &id, response))
        return;
    cJSON *body = api_body_object(request, response, update_fields);
    if (!body)
        return;
    struct agent_input in;
    if (agent_input_read(request, body, false, &in, response)) {
        struct store_error error = {{0}};
        int status =
            store_agent_update(request->api->store, &request->actor, id, &in.fields, &error);
        if (status == STORE_OK)
            answer_agent(request, response, id, MHD_HTTP_OK);
        else
            api_store_error(response, status, &error);
    }
    cJSON_Delete(body);
}

void api_agents_delete(struct api_request *request, struct api_response *response)
{
    int64_t id = 0;
    if (!api_param_id(request, 0, &id, response))
        return;
    struct store_error error = {{0}};
    int status = store_agent_delete(request->api->store, &request->actor, id, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddNumberToObject(body, "id", (double)id);
    cJSON_AddBoolToObject(body, "deleted", true);
    api_json(response, MHD_HTTP_OK, body);
}

void api_agents_vetting(struct api_request *request, struct api_response *response)
{
    static const char *const fields[] = {"vetted", NULL};
    int64_t id = 0;
    if (!api_param_id(request, 0, &id, response))
        return;
    cJSON *body = api_body_object(request, response, fields);
    if (!body)
        return;
    cJSON *vetted = cJSON_GetObjectItemCaseSensitive(body, "vetted");
    if (!cJSON_IsBool(vetted)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "missing_field",
                  _("the field \"%s\" must be true or false"), "vetted");
    } else {
        struct store_error error = {{0}};
        int status =
            store_agent_vet(request->api->store, &request->actor, id, cJSON_IsTrue(vetted), &error);
        if (status == STORE_OK)
            answer_agent(request, response, id, MHD_HTTP_OK);
        else
            api_store_error(response, status, &error);
    }
    cJSON_Delete(body);
}
