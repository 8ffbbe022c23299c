/* api_ingest.c: POST /v1/ingest/device, the door of protection phones and
 * lone-worker devices, reached from the internet. A device sends JSON with
 * its own bearer token (never a user's session); a handset's Advanced
 * Mobile Location form carries no token and is authenticated by its HMAC
 * under the key of the device that has its number. The answer is sent only
 * once the message is durable. Refusals are counted by reason. */
#include "server/aml.h"
#include "server/api.h"
#include "server/metrics.h"
#include "server/password.h"
#include "server/store_devices.h"
#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"

#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A device's JSON message is a few hundred bytes; its raw text is kept
 * with the alarm (until the purge), so it must fit there. */
#define INGEST_JSON_MAX (ALARM_RAW_MAX - 1)
/* The longest bearer token looked up (ours are 64 characters). */
#define INGEST_TOKEN_MAX 128
/* Accuracy beyond 100 km says nothing useful about where the person is. */
#define INGEST_ACCURACY_MAX_M 100000

static const char form_type[] = "application/x-www-form-urlencoded";

static bool is_aml_form(struct api_request *request)
{
    const char *type = MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_CONTENT_TYPE);
    size_t length = sizeof form_type - 1;
    return type && strncasecmp(type, form_type, length) == 0 &&
           (type[length] == '\0' || type[length] == ';' || type[length] == ' ');
}

static void refuse(struct api_request *request, struct api_response *response,
                   enum metrics_counter counter, unsigned status, const char *code,
                   const char *message)
{
    metrics_add(request->api->metrics, counter, 1);
    api_error(response, status, code, "%s", message);
}

bool api_device_authenticate(struct api_request *request, struct api_response *response)
{
    request->device_id = 0;
    request->device_uid[0] = '\0';
    if (is_aml_form(request))
        return true; /* no token: the handler checks the HMAC */
    const char *header =
        MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND, "Authorization");
    if (!header || strncasecmp(header, "Bearer ", 7) != 0 || !header[7] ||
        strlen(header + 7) > INGEST_TOKEN_MAX) {
        refuse(request, response, METRICS_DEVICE_REFUSED_TOKEN, MHD_HTTP_UNAUTHORIZED,
               "unauthorized",
               _("a device token is required (Authorization: Bearer DEVICE_TOKEN), or an AML "
                 "form authenticated by its HMAC"));
        response->www_authenticate = true;
        return false;
    }
    char hash[TOKEN_HASH_SIZE];
    if (!token_hash(header + 7, hash)) {
        api_error(response, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", _("cannot hash token"));
        return false;
    }
    struct device_identity device;
    struct store_error error = {{0}};
    int status = store_device_find_by_token(request->api->store, hash, &device, &error);
    if (status == STORE_NOT_FOUND) {
        refuse(request, response, METRICS_DEVICE_REFUSED_TOKEN, MHD_HTTP_UNAUTHORIZED,
               "unauthorized", _("the device token is unknown"));
        response->www_authenticate = true;
        return false;
    }
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return false;
    }
    request->device_id = device.id;
    snprintf(request->device_uid, sizeof request->device_uid, "%s", device.uid);
    return true;
}

/* ---- answers ---- */

static void answer(struct api_request *request, struct api_response *response,
                   const struct device_message *message)
{
    struct device_outcome outcome;
    struct store_error error = {{0}};
    int status = store_device_message(request->api->store, message, &outcome, &error);
    if (status != STORE_OK) {
        log_error("ingest", "device %lld: cannot store its message: %s",
                  (long long)message->device_id, error.message);
        api_store_error(response, status, &error);
        return;
    }
    metrics_add(request->api->metrics, METRICS_DEVICE_MESSAGES, 1);
    if (outcome.created && message->trigger != DEVICE_TRIGGER_TEST)
        metrics_add(request->api->metrics, METRICS_ALARMS_RECEIVED_DEVICE, 1);
    cJSON *body = cJSON_CreateObject();
    if (outcome.alarm_id > 0)
        cJSON_AddNumberToObject(body, "alarm_id", (double)outcome.alarm_id);
    else
        cJSON_AddNullToObject(body, "alarm_id");
    cJSON_AddBoolToObject(body, "tracking", outcome.tracking);
    cJSON_AddBoolToObject(body, "duplicate", outcome.duplicate);
    /* 201: something was recorded; 200: a repeat, or a position with no
     * alarm open (a sign of life, not kept). */
    bool recorded = !outcome.duplicate && (outcome.created || outcome.tracking);
    api_json(response, recorded ? MHD_HTTP_CREATED : MHD_HTTP_OK, body);
}

/* ---- the JSON form ---- */

static bool number_field(cJSON *object, const char *name, double min, double max, bool required,
                         double *out, struct api_response *response)
{
    cJSON *field = cJSON_GetObjectItemCaseSensitive(object, name);
    if (!field || cJSON_IsNull(field)) {
        if (required)
            api_error(response, MHD_HTTP_BAD_REQUEST, "missing_field",
                      _("the field \"position.%s\" is required"), name);
        return !required;
    }
    if (!cJSON_IsNumber(field) || !isfinite(field->valuedouble)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "wrong_type",
                  _("the field \"position.%s\" must be a number"), name);
        return false;
    }
    if (field->valuedouble < min || field->valuedouble > max) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "out_of_range",
                  _("the field \"position.%s\" must be between %g and %g"), name, min, max);
        return false;
    }
    *out = field->valuedouble;
    return true;
}

static bool position_fields_known(cJSON *position, struct api_response *response)
{
    static const char *const allowed[] = {"lat", "lon", "accuracy_m", "source", "fix_time"};
    for (cJSON *field = position->child; field; field = field->next) {
        bool known = false;
        for (size_t i = 0; i < sizeof allowed / sizeof allowed[0] && !known; i++)
            known = strcmp(field->string, allowed[i]) == 0;
        if (!known) {
            api_error(response, MHD_HTTP_BAD_REQUEST, "unknown_field",
                      _("unknown field \"position.%s\""), field->string);
            return false;
        }
    }
    return true;
}

static bool parse_position(cJSON *position, struct device_fix *fix, struct api_response *response)
{
    if (!cJSON_IsObject(position)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "wrong_type",
                  _("the field \"position\" must be an object"));
        return false;
    }
    if (!position_fields_known(position, response) ||
        !number_field(position, "lat", -90, 90, true, &fix->lat, response) ||
        !number_field(position, "lon", -180, 180, true, &fix->lon, response) ||
        !number_field(position, "accuracy_m", 0, INGEST_ACCURACY_MAX_M, true, &fix->accuracy_m,
                      response))
        return false;
    cJSON *source = cJSON_GetObjectItemCaseSensitive(position, "source");
    const char *name = cJSON_IsString(source) ? source->valuestring : "";
    if (strcmp(name, "gps") != 0 && strcmp(name, "cell") != 0 && strcmp(name, "wifi") != 0) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_source",
                  _("the field \"position.source\" must be gps, cell or wifi"));
        return false;
    }
    snprintf(fix->source, sizeof fix->source, "%s", name);
    cJSON *when = cJSON_GetObjectItemCaseSensitive(position, "fix_time");
    if (when && !cJSON_IsNull(when) &&
        (!cJSON_IsString(when) || !clock_parse_rfc3339(when->valuestring, &fix->fix_at))) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_time",
                  _("the field \"position.fix_time\" must be an RFC 3339 time"));
        return false;
    }
    fix->present = true;
    return true;
}

/* The fields of the body, checked in order; false once a 400 is filled. */
static bool read_json(struct api_request *request, cJSON *body, struct device_message *message,
                      struct api_response *response)
{
    const char *device_uid = NULL, *trigger = NULL;
    int64_t battery = -1;
    if (!api_field_string(body, "device_id", true, DEVICE_UID_MAX - 1, &device_uid, response) ||
        !api_field_string(body, "trigger", true, 31, &trigger, response) ||
        !api_field_int(body, "battery", false, 0, 100, &battery, response))
        return false;
    if (strcmp(device_uid, request->device_uid) != 0) {
        refuse(request, response, METRICS_DEVICE_REFUSED_MISMATCH, MHD_HTTP_FORBIDDEN,
               "device_mismatch", _("this token belongs to another device"));
        return false;
    }
    if (!device_trigger_parse(trigger, &message->trigger)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_trigger",
                  _("the field \"trigger\" must be sos, power-button, fall, test or position"));
        return false;
    }
    cJSON *position = cJSON_GetObjectItemCaseSensitive(body, "position");
    if (position && !cJSON_IsNull(position) && !parse_position(position, &message->fix, response))
        return false;
    if (message->trigger == DEVICE_TRIGGER_POSITION && !message->fix.present) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "missing_field",
                  _("the field \"position\" is required for a position update"));
        return false;
    }
    message->battery = (int)battery;
    return true;
}

static void ingest_json(struct api_request *request, struct api_response *response)
{
    static const char *const fields[] = {"device_id", "trigger", "position", "battery", NULL};
    if (request->body_size > INGEST_JSON_MAX) {
        refuse(request, response, METRICS_DEVICE_REFUSED_INVALID, MHD_HTTP_CONTENT_TOO_LARGE,
               "too_large", _("a device message is at most 4095 bytes"));
        return;
    }
    cJSON *body = api_body_object(request, response, fields);
    struct device_message message = {
        .device_id = request->device_id,
        .source = "device",
        .battery = -1,
        .raw = request->body,
    };
    bool ok = body && read_json(request, body, &message, response);
    cJSON_Delete(body);
    if (!ok) {
        if (response->status == MHD_HTTP_BAD_REQUEST)
            metrics_add(request->api->metrics, METRICS_DEVICE_REFUSED_INVALID, 1);
        return;
    }
    answer(request, response, &message);
}

/* ---- the AML form ---- */

/* The sender's address for the log (never the phone number: the log is
 * not purged, and the number is a victim's). */
static void peer_of(struct api_request *request, char *out, size_t size)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(request->connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, size, "?");
    if (info && info->client_addr)
        getnameinfo(info->client_addr,
                    info->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                             : sizeof(struct sockaddr_in),
                    out, (socklen_t)size, NULL, 0, NI_NUMERICHOST);
}

static void refuse_hmac(struct api_request *request, struct api_response *response)
{
    char peer[64];
    peer_of(request, peer, sizeof peer);
    log_warn("ingest", "an AML message from %s was refused: its HMAC does not verify", peer);
    refuse(request, response, METRICS_DEVICE_REFUSED_HMAC, MHD_HTTP_UNAUTHORIZED, "bad_hmac",
           _("the AML message is refused: its HMAC does not verify for this device number "
             "(unknown number, no key, or a wrong key)"));
}

/* Finds the device of the number and checks the HMAC with its key; the
 * same refusal whatever failed, so that numbers cannot be probed. */
static bool aml_authenticate(struct api_request *request, struct api_response *response,
                             const struct aml_message *m, int64_t *device_id)
{
    struct device_identity device;
    struct store_error error = {{0}};
    int status =
        store_device_find_by_msisdn(request->api->store, m->device_number, &device, &error);
    if (status != STORE_OK && status != STORE_NOT_FOUND) {
        api_store_error(response, status, &error);
        return false;
    }
    /* Without a device or a key, an HMAC is still computed (with a key of
     * zeros), so that the time taken does not tell numbers apart. */
    uint8_t key[AML_KEY_BYTES_MAX] = {0};
    size_t key_length = 0;
    bool keyed = status == STORE_OK && aml_key_from_hex(device.aml_key_hex, key, &key_length);
    bool verified = aml_hmac_verify(m, key, keyed ? key_length : 32) && keyed;
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(device.aml_key_hex, sizeof device.aml_key_hex);
    if (!verified) {
        refuse_hmac(request, response);
        return false;
    }
    *device_id = device.id;
    return true;
}

static void ingest_aml(struct api_request *request, struct api_response *response)
{
    struct aml_message *m = malloc(sizeof *m);
    if (!m) {
        api_error(response, MHD_HTTP_SERVICE_UNAVAILABLE, "no_memory", _("out of memory"));
        return;
    }
    struct aml_error error;
    if (!aml_parse(request->body, request->body_size, m, &error)) {
        refuse(request, response, METRICS_DEVICE_REFUSED_INVALID, MHD_HTTP_BAD_REQUEST, "bad_aml",
               error.message);
        free(m);
        return;
    }
    struct device_message message = {.source = "aml",
                                     .trigger = DEVICE_TRIGGER_EMERGENCY_CALL,
                                     .battery = -1,
                                     .receipt = m->hmac_hex};
    if (!aml_authenticate(request, response, m, &message.device_id)) {
        free(m);
        return;
    }
    if (m->has_position) {
        message.fix = (struct device_fix){.present = true,
                                          .lat = m->latitude,
                                          .lon = m->longitude,
                                          .accuracy_m = m->accuracy_m,
                                          .fix_at = m->location_time_ms};
        snprintf(message.fix.source, sizeof message.fix.source, "%s", m->location_source);
    }
    char note[ALARM_NOTE_MAX / 16], raw[ALARM_RAW_MAX];
    if (m->dropped_count > 0) {
        snprintf(note, sizeof note, _("AML fields left out as malformed: %s"), m->dropped);
        message.note = note;
    }
    /* The body is form-encoded text; what does not fit is not kept. */
    snprintf(raw, sizeof raw, "%.*s", (int)request->body_size, request->body);
    message.raw = raw;
    answer(request, response, &message);
    free(m);
}

void api_ingest_device(struct api_request *request, struct api_response *response)
{
    if (request->device_id > 0)
        ingest_json(request, response);
    else
        ingest_aml(request, response);
}
