/* api_common.c: the small vocabulary shared by all handlers: JSON errors,
 * strict body parsing, typed fields, path and query parameters. */
#include "server/api.h"
#include "common/i18n.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_json(struct api_response *response, unsigned status, cJSON *body)
{
    cJSON_Delete(response->json);
    response->status = status;
    response->json = body;
}

bool api_json_text(struct api_response *response, unsigned status, char *text, size_t length)
{
    struct MHD_Response *reply =
        MHD_create_response_from_buffer(length, text, MHD_RESPMEM_MUST_FREE);
    if (!reply) {
        free(text);
        api_error(response, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", _("out of memory"));
        return false;
    }
    MHD_add_response_header(reply, "Content-Type", "application/json; charset=utf-8");
    cJSON_Delete(response->json);
    response->json = NULL;
    response->status = status;
    response->raw = reply;
    return true;
}

void api_error(struct api_response *response, unsigned status, const char *code, const char *format,
               ...)
{
    char message[512];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    cJSON *body = cJSON_CreateObject();
    cJSON *error = cJSON_AddObjectToObject(body, "error");
    cJSON_AddStringToObject(error, "code", code);
    cJSON_AddStringToObject(error, "message", message);
    api_json(response, status, body);
}

void api_store_error(struct api_response *response, int status, const struct store_error *error)
{
    switch (status) {
    case STORE_NOT_FOUND:
        api_error(response, MHD_HTTP_NOT_FOUND, "not_found", "%s", error->message);
        break;
    case STORE_CONFLICT:
        api_error(response, MHD_HTTP_CONFLICT, "conflict", "%s", error->message);
        break;
    case STORE_INVALID:
        api_error(response, 422, "invalid", "%s", error->message);
        break;
    default:
        api_error(response, MHD_HTTP_SERVICE_UNAVAILABLE, "store_unavailable",
                  _("the alarm store failed: %s"), error->message);
        break;
    }
}

const char *api_query(struct api_request *request, const char *name)
{
    return MHD_lookup_connection_value(request->connection, MHD_GET_ARGUMENT_KIND, name);
}

cJSON *api_body_object(struct api_request *request, struct api_response *response,
                       const char *const *allowed)
{
    if (request->body_size == 0) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_request",
                  _("a JSON object is required in the request body"));
        return NULL;
    }
    const char *end = NULL, *limit = request->body + request->body_size;
    cJSON *object = cJSON_ParseWithLengthOpts(request->body, request->body_size, &end, false);
    /* One JSON value, then nothing but white space: bytes after it (a
     * second object, stray text) are an error, never silently dropped. */
    while (object && end && end < limit &&
           (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
        end++;
    if (object && end != limit) {
        cJSON_Delete(object);
        object = NULL;
    }
    if (!object) {
        size_t offset = end && end >= request->body ? (size_t)(end - request->body) : 0;
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_json",
                  _("the request body is not valid JSON (near byte %zu)"), offset);
        return NULL;
    }
    if (!cJSON_IsObject(object)) {
        cJSON_Delete(object);
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_request",
                  _("the request body must be a JSON object"));
        return NULL;
    }
    for (cJSON *field = object->child; field; field = field->next) {
        bool known = false;
        for (size_t i = 0; allowed && allowed[i] && !known; i++)
            known = strcmp(field->string, allowed[i]) == 0;
        if (!known) {
            api_error(response, MHD_HTTP_BAD_REQUEST, "unknown_field", _("unknown field \"%s\""),
                      field->string);
            cJSON_Delete(object);
            return NULL;
        }
    }
    return object;
}

bool api_field_string(cJSON *object, const char *name, bool required, size_t max_length,
                      const char **out, struct api_response *response)
{
    cJSON *field = cJSON_GetObjectItemCaseSensitive(object, name);
    *out = NULL;
    if (!field || cJSON_IsNull(field)) {
        if (required)
            api_error(response, MHD_HTTP_BAD_REQUEST, "missing_field",
                      _("the field \"%s\" is required"), name);
        return !required;
    }
    if (!cJSON_IsString(field)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "wrong_type",
                  _("the field \"%s\" must be a string"), name);
        return false;
    }
    if (strlen(field->valuestring) > max_length) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "too_long",
                  _("the field \"%s\" is longer than %zu bytes"), name, max_length);
        return false;
    }
    if (required && field->valuestring[0] == '\0') {
        api_error(response, MHD_HTTP_BAD_REQUEST, "missing_field",
                  _("the field \"%s\" must not be empty"), name);
        return false;
    }
    *out = field->valuestring;
    return true;
}

bool api_field_int(cJSON *object, const char *name, bool required, int64_t min, int64_t max,
                   int64_t *out, struct api_response *response)
{
    cJSON *field = cJSON_GetObjectItemCaseSensitive(object, name);
    if (!field || cJSON_IsNull(field)) {
        if (required)
            api_error(response, MHD_HTTP_BAD_REQUEST, "missing_field",
                      _("the field \"%s\" is required"), name);
        return !required;
    }
    double value = cJSON_IsNumber(field) ? field->valuedouble : 0.5;
    /* Range first: converting a double outside int64_t is undefined. */
    bool in_range = value >= (double)min && value <= (double)max;
    if (!cJSON_IsNumber(field) || (in_range && value != (double)(int64_t)value)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "wrong_type",
                  _("the field \"%s\" must be a whole number"), name);
        return false;
    }
    if (!in_range) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "out_of_range",
                  _("the field \"%s\" must be between %lld and %lld"), name, (long long)min,
                  (long long)max);
        return false;
    }
    *out = (int64_t)value;
    return true;
}

static bool parse_int64(const char *text, int64_t *out)
{
    if (!text || !*text)
        return false;
    char *end = NULL;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno || *end != '\0')
        return false;
    *out = value;
    return true;
}

bool api_param_id(struct api_request *request, int index, int64_t *out,
                  struct api_response *response)
{
    if (!parse_int64(request->params[index], out) || *out <= 0) {
        api_error(response, MHD_HTTP_NOT_FOUND, "not_found", _("no such object: %s"),
                  request->params[index] ? request->params[index] : "");
        return false;
    }
    return true;
}

bool api_query_int(struct api_request *request, const char *name, int64_t min, int64_t max,
                   int64_t fallback, int64_t *out, struct api_response *response)
{
    const char *text = api_query(request, name);
    if (!text) {
        *out = fallback;
        return true;
    }
    if (!parse_int64(text, out) || *out < min || *out > max) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_parameter",
                  _("the parameter \"%s\" must be a whole number from %lld to %lld"), name,
                  (long long)min, (long long)max);
        return false;
    }
    return true;
}
