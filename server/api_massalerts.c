/* api_massalerts.c: POST /v1/massalerts. With "dry_run": true it answers
 * how many agents the alert would reach, per channel, how many in the
 * circle were left out and why, and the sites with selected agents (for
 * the console's map), without sending anything. Without it, the same
 * selection is sent (api_massalert_send.c). */
#include "server/api.h"
#include "server/api_massalerts.h"
#include "server/metrics.h"
#include "server/store_massalert_audience.h"
#include "common/clock.h"
#include "common/i18n.h"
#include "common/sms.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sites listed in a dry run's answer, nearest first: a map shows these;
 * the counts cover every agent. */
#define MASSALERT_SITES_MAX 500

struct site_tally {
    int64_t id;
    const char *name_copy;
    struct geo_point point;
    double distance_m;
    int64_t agents;
};

struct audience_tally {
    int64_t in_area, selected;
    int64_t per_channel[MASSALERT_CHANNELS];
    int64_t excluded[MASSALERT_VERDICTS];
    struct site_tally *sites;
    size_t site_count;
    bool sites_truncated;
    /* The sites by id (keys point into sites[]), so that each selected
     * agent (75,000 around Paris) finds his site at once: a search of
     * the list cost most of a dry run. */
    GHashTable *by_id;
};

static void tally_site(struct audience_tally *tally, const struct massalert_agent *agent)
{
    struct site_tally *known = g_hash_table_lookup(tally->by_id, &agent->site_id);
    if (known) {
        known->agents++;
        if (agent->distance_m < known->distance_m)
            known->distance_m = agent->distance_m;
        return;
    }
    if (tally->site_count == MASSALERT_SITES_MAX) {
        tally->sites_truncated = true;
        return;
    }
    struct site_tally *site = &tally->sites[tally->site_count++];
    *site = (struct site_tally){agent->site_id, strdup(agent->site_name ? agent->site_name : ""),
                                agent->site, agent->distance_m, 1};
    g_hash_table_insert(tally->by_id, &site->id, site);
}

static void tally_agent(void *context, const struct massalert_agent *agent)
{
    struct audience_tally *tally = context;
    tally->in_area++;
    if (agent->verdict != MASSALERT_SELECTED) {
        tally->excluded[agent->verdict]++;
        return;
    }
    tally->selected++;
    for (int c = 0; c < MASSALERT_CHANNELS; c++)
        tally->per_channel[c] += (agent->reachable & MASSALERT_CHANNEL_BIT(c)) != 0;
    if (agent->site_id > 0)
        tally_site(tally, agent);
}

static int by_distance(const void *a, const void *b)
{
    const struct site_tally *x = a, *y = b;
    return (x->distance_m > y->distance_m) - (x->distance_m < y->distance_m);
}

static bool number_field(cJSON *object, const char *name, double *out,
                         struct api_response *response)
{
    cJSON *field = cJSON_GetObjectItemCaseSensitive(object, name);
    if (!cJSON_IsNumber(field)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_area", _("area.circle.%s must be a number"),
                  name);
        return false;
    }
    *out = field->valuedouble;
    return true;
}

bool api_massalerts_parse_area(cJSON *body, struct massalert_area *area,
                               struct api_response *response)
{
    cJSON *circle =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(body, "area"), "circle");
    if (!cJSON_IsObject(circle)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_area",
                  _("area must be {\"circle\":{\"lat\":L,\"lon\":L,\"radius_m\":R}}"));
        return false;
    }
    if (!number_field(circle, "lat", &area->centre.lat, response) ||
        !number_field(circle, "lon", &area->centre.lon, response) ||
        !number_field(circle, "radius_m", &area->radius_m, response))
        return false;
    if (!geo_point_valid(area->centre) || !(area->radius_m >= 1) ||
        area->radius_m > MASSALERT_RADIUS_MAX_M) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_area",
                  _("the circle needs a latitude, a longitude and a radius of 1 m to %.0f km"),
                  MASSALERT_RADIUS_MAX_M / 1000);
        return false;
    }
    return true;
}

bool api_massalerts_parse_channels(cJSON *body, unsigned *channels, struct api_response *response)
{
    cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "channels");
    *channels = 0;
    cJSON *item;
    if (!cJSON_IsArray(list))
        list = NULL;
    cJSON_ArrayForEach(item, list)
    {
        enum massalert_channel channel;
        if (!cJSON_IsString(item) || !massalert_channel_parse(item->valuestring, &channel)) {
            api_error(response, MHD_HTTP_BAD_REQUEST, "bad_channel",
                      _("channels are \"sms\", \"email\", \"voice\" and \"push\""));
            return false;
        }
        *channels |= MASSALERT_CHANNEL_BIT(channel);
    }
    if (*channels == 0)
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_channel",
                  _("channels must name at least one of sms, email, voice and push"));
    return *channels != 0;
}

/* {"encoding":"GSM 7-bit","parts":2,...} for the message, or NULL when it
 * is not valid UTF-8 (the answer is then a 400). */
cJSON *api_massalerts_measure(const char *message, struct api_response *response)
{
    struct sms_measure measure;
    size_t bad = 0;
    if (!sms_measure(message, strlen(message), &measure, &bad)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_message",
                  _("the message is not valid UTF-8 (byte %zu)"), bad);
        return NULL;
    }
    if (measure.parts > SMS_PARTS_MAX) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "message_too_long",
                  _("the message takes %zu SMS parts; at most %d"), measure.parts, SMS_PARTS_MAX);
        return NULL;
    }
    cJSON *sms = cJSON_CreateObject();
    cJSON_AddStringToObject(sms, "encoding", measure.encoding == SMS_GSM7 ? "gsm7" : "ucs2");
    cJSON_AddNumberToObject(sms, "units", (double)measure.units);
    cJSON_AddNumberToObject(sms, "parts", (double)measure.parts);
    cJSON_AddNumberToObject(sms, "left_in_part", (double)measure.left_in_part);
    return sms;
}

static cJSON *tally_json(struct audience_tally *tally, cJSON *sms)
{
    cJSON *answer = cJSON_CreateObject();
    cJSON_AddNumberToObject(answer, "recipients", (double)tally->selected);
    cJSON *excluded = cJSON_AddObjectToObject(answer, "excluded");
    for (int v = MASSALERT_NOT_VETTED; v < MASSALERT_VERDICTS; v++)
        cJSON_AddNumberToObject(excluded, massalert_verdict_name((enum massalert_verdict)v),
                                (double)tally->excluded[v]);
    cJSON *channels = cJSON_AddObjectToObject(answer, "channels");
    for (int c = 0; c < MASSALERT_CHANNELS; c++)
        cJSON_AddNumberToObject(channels, massalert_channel_name((enum massalert_channel)c),
                                (double)tally->per_channel[c]);
    cJSON_AddNumberToObject(answer, "in_area", (double)tally->in_area);
    qsort(tally->sites, tally->site_count, sizeof *tally->sites, by_distance);
    cJSON *sites = cJSON_AddArrayToObject(answer, "sites");
    for (size_t i = 0; i < tally->site_count; i++) {
        cJSON *site = cJSON_CreateObject();
        cJSON_AddNumberToObject(site, "id", (double)tally->sites[i].id);
        cJSON_AddStringToObject(site, "name", tally->sites[i].name_copy);
        cJSON_AddNumberToObject(site, "lat", tally->sites[i].point.lat);
        cJSON_AddNumberToObject(site, "lon", tally->sites[i].point.lon);
        cJSON_AddNumberToObject(site, "agents", (double)tally->sites[i].agents);
        cJSON_AddItemToArray(sites, site);
    }
    cJSON_AddBoolToObject(answer, "sites_truncated", tally->sites_truncated);
    if (sms)
        cJSON_AddItemToObject(answer, "sms", sms);
    cJSON_AddBoolToObject(answer, "dry_run", true);
    return answer;
}

/* The channels this centre has a gateway for: a channel without one would
 * only queue messages that can never leave. */
static unsigned configured_channels(const struct server_config *config)
{
    unsigned channels = 0;
    if (config->sms_gateway_url[0])
        channels |= MASSALERT_CHANNEL_BIT(MASSALERT_SMS);
    if (config->smtp_url[0])
        channels |= MASSALERT_CHANNEL_BIT(MASSALERT_EMAIL);
    if (config->sip_uri[0])
        channels |= MASSALERT_CHANNEL_BIT(MASSALERT_VOICE);
    if (config->webpush_vapid_key[0])
        channels |= MASSALERT_CHANNEL_BIT(MASSALERT_PUSH);
    return channels;
}

static void add_channel_names(cJSON *array, unsigned channels)
{
    for (int c = 0; c < MASSALERT_CHANNELS; c++)
        if (channels & MASSALERT_CHANNEL_BIT(c))
            cJSON_AddItemToArray(
                array, cJSON_CreateString(massalert_channel_name((enum massalert_channel)c)));
}

void api_massalerts_create(struct api_request *request, struct api_response *response)
{
    static const char *const allowed[] = {"area",    "message",      "channels",
                                          "dry_run", "template",     "language",
                                          "centre",  "expires_in_s", NULL};
    cJSON *body = api_body_object(request, response, allowed);
    if (!body)
        return;
    struct massalert_area area;
    unsigned channels = 0;
    const char *message = NULL;
    cJSON *sms = NULL;
    cJSON *dry_run = cJSON_GetObjectItemCaseSensitive(body, "dry_run");
    /* Anyone may count whom an area reaches (a supervisor follows what
     * the operator prepares); only operators and admins send. */
    if (!cJSON_IsTrue(dry_run) && request->actor.role == ROLE_SUPERVISOR) {
        metrics_add(request->api->metrics, METRICS_REQUESTS_REFUSED_ROLE, 1);
        api_error(response, MHD_HTTP_FORBIDDEN, "forbidden",
                  _("supervisors have read-only access: this change is refused"));
        cJSON_Delete(body);
        return;
    }
    if (!api_massalerts_parse_area(body, &area, response) ||
        !api_massalerts_parse_channels(body, &channels, response) ||
        !api_field_string(body, "message", false, MASSALERT_MESSAGE_MAX, &message, response) ||
        (message && !(sms = api_massalerts_measure(message, response)))) {
        cJSON_Delete(body);
        return;
    }
    if (!cJSON_IsTrue(dry_run)) {
        cJSON_Delete(sms);
        api_massalerts_send(request, response, body, &area, channels, message);
        cJSON_Delete(body);
        return;
    }
    struct audience_tally tally = {0};
    tally.sites = calloc(MASSALERT_SITES_MAX, sizeof *tally.sites);
    tally.by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
    struct store_error error = {{0}};
    int status = STORE_ERROR;
    if (tally.sites)
        status = store_massalert_audience(request->api->store, &area, channels, clock_now_ms(),
                                          tally_agent, &tally, &error);
    else
        snprintf(error.message, sizeof error.message, "out of memory");
    if (status == STORE_OK) {
        cJSON *answer = tally_json(&tally, sms);
        /* Asked for but without a gateway on this centre: its messages
         * would wait in the outbox until they fail; the composer warns. */
        unsigned unconfigured = channels & ~configured_channels(request->api->config);
        add_channel_names(cJSON_AddArrayToObject(answer, "unconfigured"), unconfigured);
        api_json(response, MHD_HTTP_OK, answer);
    } else {
        cJSON_Delete(sms);
        api_store_error(response, status, &error);
    }
    for (size_t i = 0; i < tally.site_count; i++)
        free((void *)tally.sites[i].name_copy);
    g_hash_table_destroy(tally.by_id);
    free(tally.sites);
    cJSON_Delete(body);
}
