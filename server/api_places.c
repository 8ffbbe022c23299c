/* api_places.c: GET /v1/places?lat=L&lon=L&radius_m=R[&kinds=site,police,agent][&limit=N]:
 * the sites, police and gendarmerie stations and agents around a point,
 * nearest first, each with its great-circle distance and bearing from the
 * point, at most `limit` of each kind. The console's map asks it around an
 * alarm; the mass alert around its circle. */
#include "server/api.h"
#include "server/store_places.h"
#include "common/geo.h"
#include "common/i18n.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Places of each kind when the request does not say: a side list's worth. */
#define PLACES_LIMIT_DEFAULT 20
/* "site,police,agent" and a little more: anything longer is not a list of
 * kinds. */
#define PLACES_KINDS_TEXT_MAX 64

static bool query_degrees(struct api_request *request, struct api_response *response,
                          const char *name, double min, double max, double *out)
{
    const char *text = api_query(request, name);
    if (!text) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "missing_parameter",
                  _("the parameter \"%s\" is required"), name);
        return false;
    }
    if (!geo_parse_decimal(text, out) || *out < min || *out > max) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                  _("the parameter \"%s\" must be a decimal number of degrees from %g to %g"), name,
                  min, max);
        return false;
    }
    return true;
}

/* "site,police" -> a mask of STORE_PLACE_BIT()s; every kind when absent. */
static bool query_kinds(struct api_request *request, struct api_response *response, unsigned *kinds)
{
    const char *text = api_query(request, "kinds");
    *kinds = text ? 0 : STORE_PLACE_ALL;
    if (!text)
        return true;
    char copy[PLACES_KINDS_TEXT_MAX];
    if (strlen(text) >= sizeof copy) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                  _("the parameter \"kinds\" is a list of site, police and agent"));
        return false;
    }
    snprintf(copy, sizeof copy, "%s", text);
    char *saved = NULL;
    for (char *word = strtok_r(copy, ",", &saved); word; word = strtok_r(NULL, ",", &saved)) {
        enum store_place_kind kind;
        if (!store_place_kind_parse(word, &kind)) {
            api_error(response, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                      _("unknown kind of place \"%s\": site, police or agent"), word);
            return false;
        }
        *kinds |= STORE_PLACE_BIT(kind);
    }
    if (*kinds == 0) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                  _("the parameter \"kinds\" is a list of site, police and agent"));
        return false;
    }
    return true;
}

/* Distances to the decimetre, bearings to the tenth of a degree: what a
 * person reads, without the noise of a double's last digits. */
static double tenths(double value)
{
    return round(value * 10.0) / 10.0;
}

static void add_place(void *context, const struct store_place *place)
{
    cJSON *item = cJSON_CreateObject();
    cJSON_AddStringToObject(item, "kind", store_place_kind_name(place->kind));
    cJSON_AddNumberToObject(item, "id", (double)place->id);
    cJSON_AddStringToObject(item, "name", place->name);
    if (place->service[0])
        cJSON_AddStringToObject(item, "service", place->service);
    else
        cJSON_AddNullToObject(item, "service");
    cJSON_AddStringToObject(item, "address", place->address);
    if (place->phone[0])
        cJSON_AddStringToObject(item, "phone", place->phone);
    else
        cJSON_AddNullToObject(item, "phone");
    cJSON_AddNumberToObject(item, "lat", place->point.lat);
    cJSON_AddNumberToObject(item, "lon", place->point.lon);
    cJSON_AddNumberToObject(item, "distance_m", tenths(place->distance_m));
    cJSON_AddNumberToObject(item, "bearing_deg", tenths(place->bearing_deg));
    cJSON_AddStringToObject(item, "compass", geo_compass_point(place->bearing_deg));
    cJSON_AddItemToArray(context, item);
}

void api_places_list(struct api_request *request, struct api_response *response)
{
    struct store_places_query query = {0};
    int64_t radius, limit;
    if (!query_degrees(request, response, "lat", -90, 90, &query.centre.lat) ||
        !query_degrees(request, response, "lon", -180, 180, &query.centre.lon))
        return;
    if (!api_query(request, "radius_m")) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "missing_parameter",
                  _("the parameter \"%s\" is required"), "radius_m");
        return;
    }
    if (!api_query_int(request, "radius_m", 1, STORE_PLACES_RADIUS_MAX_M, 0, &radius, response) ||
        !api_query_int(request, "limit", 1, STORE_PLACES_LIMIT_MAX, PLACES_LIMIT_DEFAULT, &limit,
                       response) ||
        !query_kinds(request, response, &query.kinds))
        return;
    query.radius_m = (double)radius;
    query.limit = (int)limit;
    cJSON *places = cJSON_CreateArray();
    int64_t found[STORE_PLACE_KINDS] = {0};
    struct store_error error = {{0}};
    int status = store_places_near(request->api->store, &query, add_place, places, found, &error);
    if (status != STORE_OK) {
        cJSON_Delete(places);
        api_store_error(response, status, &error);
        return;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON *centre = cJSON_AddObjectToObject(body, "center");
    cJSON_AddNumberToObject(centre, "lat", query.centre.lat);
    cJSON_AddNumberToObject(centre, "lon", query.centre.lon);
    cJSON_AddNumberToObject(body, "radius_m", (double)radius);
    cJSON_AddItemToObject(body, "places", places);
    /* How many of each kind are within the radius, shown or not. */
    cJSON *counts = cJSON_AddObjectToObject(body, "found");
    bool truncated = false;
    for (int kind = 0; kind < STORE_PLACE_KINDS; kind++) {
        if (!(query.kinds & STORE_PLACE_BIT(kind)))
            continue;
        cJSON_AddNumberToObject(counts, store_place_kind_name((enum store_place_kind)kind),
                                (double)found[kind]);
        truncated = truncated || found[kind] > query.limit;
    }
    cJSON_AddBoolToObject(body, "truncated", truncated);
    api_json(response, MHD_HTTP_OK, body);
}
