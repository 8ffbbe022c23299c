/* api_massalert_report.c: the report of a mass alert, who received what,
 * when, by which channel, and who replied: as CSV (one line per recipient
 * and channel) and as a CAP 1.2 document of the alert with its <circle>
 * (kilometres, as CAP wants) and the counts as parameters. Each download
 * is audited ("massalert.report"). */
#include "server/api.h"
#include "server/cap.h"
#include "server/store_escalations.h"
#include "server/store_massalerts.h"
#include "common/i18n.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing text; `failed` once memory ran out. */
struct text {
    char *data;
    size_t length, capacity;
    bool failed;
};

static void text_put(struct text *t, const char *bytes, size_t count)
{
    if (t->failed)
        return;
    if (t->length + count + 1 > t->capacity) {
        size_t capacity = t->capacity ? t->capacity : 4096;
        while (capacity < t->length + count + 1)
            capacity *= 2;
        char *grown = realloc(t->data, capacity);
        if (!grown) {
            t->failed = true;
            return;
        }
        t->data = grown;
        t->capacity = capacity;
    }
    memcpy(t->data + t->length, bytes, count);
    t->length += count;
    t->data[t->length] = '\0';
}

static void text_printf(struct text *t, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void text_printf(struct text *t, const char *format, ...)
{
    char line[1024];
    va_list args;
    va_start(args, format);
    int written = vsnprintf(line, sizeof line, format, args);
    va_end(args);
    if (written > 0)
        text_put(t, line, (size_t)written < sizeof line ? (size_t)written : sizeof line - 1);
}

/* ---- CSV (RFC 4180) ---- */

static void csv_field(struct text *t, const char *value, bool last)
{
    text_put(t, "\"", 1);
    for (const char *c = value ? value : ""; *c; c++)
        text_put(t, *c == '"' ? "\"\"" : c, *c == '"' ? 2 : 1);
    text_put(t, last ? "\"\r\n" : "\",", last ? 3 : 2);
}

static void csv_time(struct text *t, int64_t ms)
{
    char when[CAP_TIME_SIZE] = "";
    if (ms > 0)
        cap_format_time(ms, 0, when);
    csv_field(t, when, false);
}

/* A push subscription holds the keys of the agent's browser: the report,
 * which may leave the centre, names only the push service it went
 * through ("push service fcm.googleapis.com"). */
static void push_address(const char *subscription, char *out, size_t size)
{
    snprintf(out, size, "%s", _("push service"));
    cJSON *json = cJSON_Parse(subscription);
    const cJSON *endpoint = cJSON_GetObjectItemCaseSensitive(json, "endpoint");
    CURLU *url = cJSON_IsString(endpoint) ? curl_url() : NULL;
    char *host = NULL;
    if (url && curl_url_set(url, CURLUPART_URL, endpoint->valuestring, 0) == CURLUE_OK &&
        curl_url_get(url, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        snprintf(out, size, _("push service %s"), host);
    curl_free(host);
    curl_url_cleanup(url);
    cJSON_Delete(json);
}

static void csv_row(void *context, const struct massalert_report_row *row)
{
    struct text *t = context;
    char number[32];
    snprintf(number, sizeof number, "%lld", (long long)row->recipient_id);
    csv_field(t, number, false);
    csv_field(t, row->agent_ext_id, false);
    csv_field(t, row->agent_name, false);
    csv_field(t, row->site_name, false);
    snprintf(number, sizeof number, "%.0f", row->distance_m);
    csv_field(t, number, false);
    csv_field(t, row->channel, false);
    char service[300];
    if (strcmp(row->channel, "push") == 0) {
        push_address(row->address, service, sizeof service);
        csv_field(t, service, false);
    } else {
        csv_field(t, row->address, false);
    }
    csv_field(t, row->status, false);
    csv_time(t, row->sent_at);
    csv_time(t, row->confirmed_at);
    csv_time(t, row->replied_at);
    csv_field(t, row->reply_text, false);
    csv_field(t, row->error, true);
}

static void answer_document(struct api_response *response, struct text *t, const char *type,
                            const char *filename)
{
    if (t->failed || !t->data) {
        free(t->data);
        api_error(response, MHD_HTTP_SERVICE_UNAVAILABLE, "no_memory", _("out of memory"));
        return;
    }
    response->raw = MHD_create_response_from_buffer(t->length, t->data, MHD_RESPMEM_MUST_FREE);
    if (!response->raw) {
        free(t->data);
        api_error(response, MHD_HTTP_SERVICE_UNAVAILABLE, "no_memory", _("out of memory"));
        return;
    }
    char disposition[128];
    snprintf(disposition, sizeof disposition, "attachment; filename=\"%s\"", filename);
    MHD_add_response_header(response->raw, "Content-Type", type);
    MHD_add_response_header(response->raw, "Content-Disposition", disposition);
    response->status = MHD_HTTP_OK;
}

void api_massalerts_report_csv(struct api_request *request, struct api_response *response)
{
    int64_t id = 0;
    if (!api_param_id(request, 0, &id, response))
        return;
    struct text t = {0};
    text_printf(&t, "recipient,agent_id,agent,site,distance_m,channel,address,status,sent_at,"
                    "confirmed_at,replied_at,reply,error\r\n");
    cJSON *alert = NULL;
    struct store_error error = {{0}};
    int status = store_massalert_report(request->api->store, &request->actor, id, "csv", &alert,
                                        csv_row, &t, &error);
    cJSON_Delete(alert);
    if (status != STORE_OK) {
        free(t.data);
        api_store_error(response, status, &error);
        return;
    }
    char filename[64];
    snprintf(filename, sizeof filename, "massalert-%lld.csv", (long long)id);
    answer_document(response, &t, "text/csv; charset=utf-8", filename);
}

/* ---- CAP 1.2 ---- */

static void xml_escaped(struct text *t, const char *value)
{
    for (const unsigned char *c = (const unsigned char *)(value ? value : ""); *c; c++) {
        switch (*c) {
        case '&':
            text_put(t, "&amp;", 5);
            break;
        case '<':
            text_put(t, "&lt;", 4);
            break;
        case '>':
            text_put(t, "&gt;", 4);
            break;
        case '"':
            text_put(t, "&quot;", 6);
            break;
        default:
            /* XML 1.0 forbids control characters other than tab and newline. */
            text_put(t, *c < 0x20 && *c != '\t' && *c != '\n' ? " " : (const char *)c, 1);
        }
    }
}

static void xml_element(struct text *t, const char *indent, const char *name, const char *value)
{
    text_printf(t, "%s<%s>", indent, name);
    xml_escaped(t, value);
    text_printf(t, "</%s>\n", name);
}

static void xml_parameter(struct text *t, const char *name, const char *value)
{
    text_printf(t, "    <parameter>\n");
    xml_element(t, "      ", "valueName", name);
    xml_element(t, "      ", "value", value);
    text_printf(t, "    </parameter>\n");
}

static const char *string_of(const cJSON *object, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsString(item) ? item->valuestring : "";
}

static double number_of(const cJSON *object, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);
    return cJSON_IsNumber(item) ? item->valuedouble : 0;
}

/* Counts are tallied while the report's rows go by. */
struct cap_tally {
    int64_t rows, recipients, delivered, sent, failed, replied, last_recipient;
};

static void tally_row(void *context, const struct massalert_report_row *row)
{
    struct cap_tally *tally = context;
    tally->rows++;
    if (row->recipient_id != tally->last_recipient) {
        tally->recipients++;
        tally->replied += row->replied_at > 0;
        tally->last_recipient = row->recipient_id;
    }
    tally->delivered += strcmp(row->status, "delivered") == 0;
    tally->sent += strcmp(row->status, "sent") == 0;
    tally->failed += strcmp(row->status, "failed") == 0 || strcmp(row->status, "cancelled") == 0;
}

static void cap_document(struct text *t, const struct api_context *api, const cJSON *alert,
                         const struct cap_tally *tally)
{
    const struct server_config *config = api->config;
    int64_t id = (int64_t)number_of(alert, "id");
    int offset =
        escalation_utc_offset(config->centre_timezone, (int64_t)number_of(alert, "created_at"));
    char value[CAP_TIME_SIZE + 64], sender[CAP_SENDER_SIZE];
    snprintf(sender, sizeof sender, "%s", config->escalation_sender);
    if (!sender[0])
        snprintf(sender, sizeof sender, "vigie@%s", config->node_name);
    cap_identifier_clean(sender);
    text_printf(t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n");
    snprintf(value, sizeof value, "vigie-massalert-%s-%lld", config->node_name, (long long)id);
    cap_identifier_clean(value);
    xml_element(t, "  ", "identifier", value);
    xml_element(t, "  ", "sender", sender);
    cap_format_time((int64_t)number_of(alert, "created_at"), offset, value);
    xml_element(t, "  ", "sent", value);
    xml_element(t, "  ", "status", "Actual");
    xml_element(t, "  ", "msgType", "Alert");
    xml_element(t, "  ", "scope", "Restricted");
    xml_element(t, "  ", "restriction", "vetted private-security agents on duty in the area");
    if (strcmp(string_of(alert, "state"), "cancelled") == 0)
        xml_element(t, "  ", "note",
                    "cancelled by the operator: what was not yet sent was not sent");
    text_printf(t, "  <info>\n");
    xml_element(t, "    ", "language",
                strcmp(string_of(alert, "language"), "en") == 0 ? "en" : "fr-FR");
    xml_element(t, "    ", "category", "Security");
    xml_element(t, "    ", "event", "Mass alert to security agents");
    xml_element(t, "    ", "urgency", "Immediate");
    xml_element(t, "    ", "severity", "Severe");
    xml_element(t, "    ", "certainty", "Likely");
    cap_format_time((int64_t)number_of(alert, "expires_at"), offset, value);
    xml_element(t, "    ", "expires", value);
    xml_element(t, "    ", "description", string_of(alert, "message"));
    struct {
        const char *name;
        int64_t value;
    } figures[] = {
        {"massalert", id},           {"recipients", tally->recipients}, {"messages", tally->rows},
        {"sent", tally->sent},       {"delivered", tally->delivered},   {"failed", tally->failed},
        {"replied", tally->replied},
    };
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
        snprintf(value, sizeof value, "%lld", (long long)figures[i].value);
        xml_parameter(t, figures[i].name, value);
    }
    const cJSON *circle =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(alert, "area"), "circle");
    double radius = number_of(circle, "radius_m");
    text_printf(t, "    <area>\n");
    const char *label = string_of(alert, "centre_label");
    char description[300];
    snprintf(description, sizeof description, "%s%s%.0f m", label, label[0] ? ", " : "", radius);
    xml_element(t, "      ", "areaDesc", description);
    cap_format_circle(number_of(circle, "lat"), number_of(circle, "lon"), radius, value,
                      sizeof value);
    xml_element(t, "      ", "circle", value);
    text_printf(t, "    </area>\n  </info>\n</alert>\n");
}

void api_massalerts_report_cap(struct api_request *request, struct api_response *response)
{
    int64_t id = 0;
    if (!api_param_id(request, 0, &id, response))
        return;
    struct cap_tally tally = {0};
    cJSON *alert = NULL;
    struct store_error error = {{0}};
    int status = store_massalert_report(request->api->store, &request->actor, id, "cap", &alert,
                                        tally_row, &tally, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    struct text t = {0};
    cap_document(&t, request->api, alert, &tally);
    cJSON_Delete(alert);
    char filename[64];
    snprintf(filename, sizeof filename, "massalert-%lld.cap.xml", (long long)id);
    answer_document(response, &t, "application/cap+xml; charset=utf-8", filename);
}
