/* harness_http.c: requests to the world's vigied with libcurl, answers
 * as status, headers and parsed JSON, and small readers of JSON paths. */
#include "tests/lib/harness.h"

#include <curl/curl.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct body_buffer {
    char *data;
    size_t size, capacity;
};

struct upload {
    const char *data;
    size_t size, offset;
};

static size_t on_body(char *data, size_t size, size_t count, void *closure)
{
    struct body_buffer *buffer = closure;
    size_t length = size * count;
    if (buffer->size + length + 1 > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity * 2 : 4096;
        while (capacity < buffer->size + length + 1)
            capacity *= 2;
        char *grown = realloc(buffer->data, capacity);
        if (!grown)
            return 0;
        buffer->data = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->data + buffer->size, data, length);
    buffer->size += length;
    buffer->data[buffer->size] = '\0';
    return length;
}

/* Copies the value of header NAME from LINE into OUT when it matches. */
static void take_header(const char *line, size_t length, const char *name, char *out,
                        size_t out_size)
{
    size_t name_length = strlen(name);
    if (length <= name_length + 1 || strncasecmp(line, name, name_length) != 0 ||
        line[name_length] != ':')
        return;
    const char *value = line + name_length + 1;
    const char *end = line + length;
    while (value < end && isspace((unsigned char)*value))
        value++;
    while (end > value && isspace((unsigned char)end[-1]))
        end--;
    snprintf(out, out_size, "%.*s", (int)(end - value), value);
}

static size_t on_header(char *line, size_t size, size_t count, void *closure)
{
    struct http_reply *reply = closure;
    size_t length = size * count;
    take_header(line, length, "Allow", reply->allow, sizeof reply->allow);
    take_header(line, length, "Content-Type", reply->content_type, sizeof reply->content_type);
    take_header(line, length, "WWW-Authenticate", reply->www_authenticate,
                sizeof reply->www_authenticate);
    return length;
}

static size_t on_upload(char *buffer, size_t size, size_t count, void *closure)
{
    struct upload *upload = closure;
    size_t room = size * count, left = upload->size - upload->offset;
    size_t take = left < room ? left : room;
    memcpy(buffer, upload->data + upload->offset, take);
    upload->offset += take;
    return take;
}

static void free_json(void *json)
{
    cJSON_Delete(json);
}

static void free_text(void *text)
{
    free(text);
}

bool http_send(struct world *world, const char *method, const char *path, const char *token,
               const char *body, size_t body_size, bool chunked, struct http_reply *reply)
{
    memset(reply, 0, sizeof *reply);
    reply->body = "";
    if (!world->port)
        return false;
    CURL *curl = curl_easy_init();
    if (!curl)
        return false;
    char url[1024], authorization[300];
    snprintf(url, sizeof url, "%s%s", world->base_url, path);
    struct curl_slist *headers = NULL;
    if (token) {
        /* A value with a space is a whole Authorization header value. */
        snprintf(authorization, sizeof authorization, "Authorization: %s%s",
                 strchr(token, ' ') ? "" : "Bearer ", token);
        headers = curl_slist_append(headers, authorization);
    }
    struct body_buffer buffer = {0};
    struct upload upload = {body, body_size, 0};
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)HTTP_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buffer);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, reply);
    if (body) {
        headers = curl_slist_append(headers, "Content-Type: application/json");
        /* No "Expect: 100-continue" pause: a console sends its body at once. */
        headers = curl_slist_append(headers, "Expect:");
        if (chunked) {
            headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
            curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
            curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_upload);
            curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
        } else {
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_size);
        }
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    CURLcode result = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (buffer.data) {
        world_keep(world, buffer.data, free_text);
        reply->body = buffer.data;
        reply->body_size = buffer.size;
        reply->json = world_keep(world, cJSON_Parse(buffer.data), free_json);
    }
    /* A server may answer before it has read a body it refuses, and
     * close: the answer counts even if the upload was cut. */
    return result == CURLE_OK || reply->status != 0;
}

bool http_request(struct world *world, const char *method, const char *path, const char *token,
                  const char *json_body, long *status, cJSON **json)
{
    struct http_reply reply;
    bool ok = http_send(world, method, path, token, json_body, json_body ? strlen(json_body) : 0,
                        false, &reply);
    if (status)
        *status = reply.status;
    if (json)
        *json = reply.json;
    return ok;
}

const char *login(struct world *world, const char *username, const char *password)
{
    cJSON *request = cJSON_CreateObject();
    cJSON_AddStringToObject(request, "username", username);
    cJSON_AddStringToObject(request, "password", password);
    char *text = cJSON_PrintUnformatted(request);
    cJSON_Delete(request);
    long status = 0;
    cJSON *json = NULL;
    bool ok = text && http_request(world, "POST", "/v1/sessions", NULL, text, &status, &json);
    free(text);
    return ok && status == 201 ? json_string(json, "token") : NULL;
}

int64_t alarm_create(struct world *world, const char *token, int64_t site_id,
                     const char *class_name, int priority)
{
    char body[256];
    snprintf(body, sizeof body, "{\"class\":\"%s\",\"priority\":%d,\"site_id\":%lld}", class_name,
             priority, (long long)site_id);
    long status = 0;
    cJSON *json = NULL;
    if (!http_request(world, "POST", "/v1/alarms", token, body, &status, &json) || status != 201)
        return -1;
    int64_t id = json_int(json, "id");
    return id == INT64_MIN ? -1 : id;
}

cJSON *alarm_get(struct world *world, const char *token, int64_t id)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/alarms/%lld", (long long)id);
    long status = 0;
    cJSON *json = NULL;
    if (!http_request(world, "GET", path, token, NULL, &status, &json) || status != 200)
        return NULL;
    return json;
}

long alarm_act(struct world *world, const char *token, int64_t id, const char *action,
               const char *json_body, cJSON **json)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/alarms/%lld/%s", (long long)id, action);
    long status = 0;
    cJSON *reply = NULL;
    if (!json_body)
        json_body = "";
    http_request(world, "POST", path, token, json_body, &status, &reply);
    if (json)
        *json = reply;
    return status;
}

/* ---- JSON paths ---- */

const cJSON *json_get(const cJSON *json, const char *path)
{
    const cJSON *node = json;
    const char *segment = path;
    while (node && *segment) {
        const char *end = strchrnul(segment, '.');
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(end - segment), segment);
        if (cJSON_IsArray(node) && isdigit((unsigned char)name[0]))
            node = cJSON_GetArrayItem(node, atoi(name));
        else if (cJSON_IsObject(node))
            node = cJSON_GetObjectItemCaseSensitive(node, name);
        else
            node = NULL;
        segment = *end ? end + 1 : end;
    }
    return node;
}

const char *json_string(const cJSON *json, const char *path)
{
    const cJSON *node = json_get(json, path);
    return cJSON_IsString(node) ? node->valuestring : NULL;
}

int64_t json_int(const cJSON *json, const char *path)
{
    const cJSON *node = json_get(json, path);
    return cJSON_IsNumber(node) ? (int64_t)node->valuedouble : INT64_MIN;
}

bool json_is_null(const cJSON *json, const char *path)
{
    return cJSON_IsNull(json_get(json, path));
}

int json_count(const cJSON *json, const char *path)
{
    const cJSON *node = json_get(json, path);
    return cJSON_IsArray(node) ? cJSON_GetArraySize(node) : -1;
}

/* ---- metrics and alarm lists ---- */

int64_t world_metric(struct world *world, const char *name)
{
    struct http_reply reply;
    if (!http_send(world, "GET", "/metrics", NULL, NULL, 0, false, &reply) || reply.status != 200)
        return INT64_MIN;
    size_t length = strlen(name);
    for (const char *line = reply.body; *line;) {
        const char *end = strchrnul(line, '\n');
        if (line[0] != '#' && strncmp(line, name, length) == 0 && line[length] == ' ')
            return strtoll(line + length + 1, NULL, 10);
        line = *end ? end + 1 : end;
    }
    return INT64_MIN;
}

/* Alarms a test may list at once: the API's own bound. */
#define ALARMS_OF_LIMIT 5000
/* Pages read at most: a million alarms, far beyond any test's. */
#define ALARMS_OF_PAGES_MAX 200

cJSON *alarms_of(struct world *world, const char *token, const char *account,
                 const char *event_code)
{
    cJSON *matching = world_keep(world, cJSON_CreateArray(), free_json);
    if (!matching)
        return NULL;
    /* Page through every alarm (a flood may have stored more than a page)
     * in sequence order, as a console does. */
    int64_t since = 0;
    for (int page = 0; page < ALARMS_OF_PAGES_MAX; page++) {
        char path[96];
        snprintf(path, sizeof path, "/v1/alarms?state=all&limit=%d&since=%lld", ALARMS_OF_LIMIT,
                 (long long)since);
        long status = 0;
        cJSON *json = NULL;
        if (!http_request(world, "GET", path, token, NULL, &status, &json) || status != 200)
            return NULL;
        const cJSON *alarm;
        cJSON_ArrayForEach(alarm, json_get(json, "alarms"))
        {
            since = json_int(alarm, "sequence");
            const char *its_account = json_string(alarm, "account");
            const char *its_code = json_string(alarm, "event_code");
            if (account && (!its_account || strcmp(its_account, account) != 0))
                continue;
            if (event_code && (!its_code || strcmp(its_code, event_code) != 0))
                continue;
            cJSON_AddItemToArray(matching, cJSON_Duplicate(alarm, true));
        }
        if (!cJSON_IsTrue(json_get(json, "more")))
            return matching;
    }
    return NULL; /* more alarms than a test ever makes */
}

cJSON *alarms_wait(struct world *world, const char *token, const char *account,
                   const char *event_code, int count, int timeout_ms)
{
    int64_t deadline = harness_now_ms() + timeout_ms;
    for (;;) {
        cJSON *alarms = alarms_of(world, token, account, event_code);
        if (alarms && cJSON_GetArraySize(alarms) >= count)
            return alarms;
        if (harness_now_ms() >= deadline)
            return NULL;
        harness_sleep_ms(25);
    }
}
