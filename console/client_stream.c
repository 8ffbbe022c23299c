/* client_stream.c: the event stream, opened at the list's last_sequence
 * (client_list.c) and resumed with Last-Event-ID. Stream events arrive
 * inside libcurl's write callback: they update the model and call the
 * screens there, but anything that needs the multi handle (a resync's
 * reload) waits for client_process. */
#include "console/client_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"

/* Sequence ids are decimal numbers below 2^53. */
static bool parse_sequence(const char *text, int64_t *out)
{
    if (text[0] < '0' || text[0] > '9')
        return false;
    errno = 0;
    char *end;
    long long value = strtoll(text, &end, 10);
    if (errno || *end != '\0' || value < 0)
        return false;
    *out = value;
    return true;
}

static void take_heartbeat(struct client *client, const cJSON *data)
{
    const cJSON *time = cJSON_GetObjectItemCaseSensitive(data, "time");
    const cJSON *node = cJSON_GetObjectItemCaseSensitive(data, "node");
    int64_t server_ms;
    if (cJSON_IsString(time) && clock_parse_rfc3339(time->valuestring, &server_ms))
        client->clock_offset_ms = server_ms - clock_now_ms();
    if (cJSON_IsString(node))
        snprintf(client->node, sizeof client->node, "%s", node->valuestring);
    int64_t now = clock_monotonic_ms();
    client->last_heartbeat_ms = now;
    client->link_deadline_ms = now + client->heartbeat_lost_ms;
    if (client->link == CLIENT_LINK_LIVE)
        return;
    /* Live once the stream has replayed what the server had when it
     * opened. A resume point ahead of the server's means a resync follows:
     * never live before it. */
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(data, "last_sequence");
    int64_t ours = model_last_sequence(client->model);
    int64_t theirs = cJSON_IsNumber(last) ? (int64_t)last->valuedouble : ours;
    client->catch_up_to = ours <= theirs ? theirs : -1;
}

/* A change the model cannot take would be lost silently: reload instead. */
static void want_resync(struct client *client, const char *why)
{
    log_warn("client", "%s: reloading the alarms", why);
    client->resync_wanted = true;
    client->stream.ignore_rest = true;
}

static void take_alarm(struct client *client, const cJSON *data)
{
    const struct console_alarm *alarm = NULL;
    enum model_change change = model_apply_json(client->model, data, &alarm);
    if (!alarm) {
        want_resync(client, "an alarm event could not be read");
        return;
    }
    if (change != MODEL_UNCHANGED && client->callbacks.alarm_changed)
        client->callbacks.alarm_changed(client->callbacks.context, alarm, change);
}

/* `site` events (a site's file changed) go to the screens as a document
 * with request id 0; other event types are skipped. Every event that has
 * an id moves the resume point, whatever its type. */
static void on_message(void *context, const struct sse_message *message)
{
    struct client *client = context;
    if (client->stream.ignore_rest)
        return;
    int64_t sequence = -1;
    if (message->has_id && !parse_sequence(message->id, &sequence))
        log_warn("client", "an event id that is not a sequence was ignored");
    cJSON *data = cJSON_ParseWithLength(message->data, message->data_length);
    if (strcmp(message->type, "heartbeat") == 0) {
        take_heartbeat(client, data);
    } else if (strcmp(message->type, "alarm") == 0) {
        take_alarm(client, data);
    } else if (strcmp(message->type, "resync") == 0) {
        const cJSON *reason = cJSON_GetObjectItemCaseSensitive(data, "reason");
        log_info("client", "the server asked for a resync (%s)",
                 cJSON_IsString(reason) ? reason->valuestring : "?");
        client->resync_wanted = true;
        client->stream.ignore_rest = true;
        sequence = -1; /* the reload's list gives the resume point */
    } else if ((strcmp(message->type, "site") == 0 || strcmp(message->type, "massalert") == 0 ||
                strcmp(message->type, "massalert_reply") == 0) &&
               data && client->callbacks.document_loaded) {
        /* Not about one alarm: screens that show it take it as a document
         * with request id 0 (the mass alert monitor ticks on these). */
        client->callbacks.document_loaded(client->callbacks.context, 0, 200, data);
    }
    cJSON_Delete(data);
    if (!client->stream.ignore_rest && sequence > model_last_sequence(client->model))
        model_set_last_sequence(client->model, sequence);
}

static size_t on_stream_data(char *data, size_t size, size_t count, void *closure)
{
    struct client *client = closure;
    struct client_stream *stream = &client->stream;
    size_t length = size * count;
    long status = 0;
    curl_easy_getinfo(stream->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        /* A refusal: keep its JSON error for the sentence. */
        size_t room = sizeof stream->refusal - 1 - stream->refusal_length;
        size_t taken = length < room ? length : room;
        memcpy(stream->refusal + stream->refusal_length, data, taken);
        stream->refusal_length += taken;
        stream->refusal[stream->refusal_length] = '\0';
        return length;
    }
    if (stream->ignore_rest)
        return length;
    sse_parser_feed(stream->parser, data, length);
    size_t dropped = sse_parser_dropped(stream->parser);
    if (dropped != stream->dropped_seen) {
        stream->dropped_seen = dropped;
        want_resync(client, "an event was too long to read");
    }
    return length;
}

static bool stream_headers(struct client *client, struct client_stream *stream)
{
    char header[CLIENT_TOKEN_SIZE + 32];
    struct curl_slist *list = curl_slist_append(NULL, "Accept: text/event-stream");
    snprintf(header, sizeof header, "Last-Event-ID: %lld",
             (long long)model_last_sequence(client->model));
    struct curl_slist *more = list ? curl_slist_append(list, header) : NULL;
    list = more ? more : list;
    snprintf(header, sizeof header, "Authorization: Bearer %s", client->token);
    more = more ? curl_slist_append(list, header) : NULL;
    list = more ? more : list;
    explicit_bzero(header, sizeof header);
    stream->headers = list;
    return more != NULL;
}

bool client_stream_open(struct client *client, char *why, size_t why_size)
{
    struct client_stream *stream = &client->stream;
    char url[CLIENT_URL_SIZE + 16];
    client_stream_close(client);
    if (!stream->parser && !(stream->parser = sse_parser_new(on_message, client)))
        goto no_memory;
    sse_parser_reset(stream->parser);
    client->catch_up_to = -1;
    stream->dropped_seen = 0;
    stream->ignore_rest = false;
    stream->refusal_length = 0;
    stream->refusal[0] = '\0';
    if (!client_url(client, "/v1/stream", url, sizeof url) || !(stream->easy = curl_easy_init()) ||
        !stream_headers(client, stream))
        goto no_memory;
    client_easy_defaults(stream->easy);
    curl_easy_setopt(stream->easy, CURLOPT_URL, url);
    curl_easy_setopt(stream->easy, CURLOPT_HTTPHEADER, stream->headers);
    curl_easy_setopt(stream->easy, CURLOPT_WRITEFUNCTION, on_stream_data);
    curl_easy_setopt(stream->easy, CURLOPT_WRITEDATA, client);
    if (curl_multi_add_handle(client->multi, stream->easy) != CURLM_OK)
        goto no_memory;
    client->phase = CLIENT_PHASE_STREAM;
    /* A heartbeat comes as soon as the stream opens: wait as long as
     * between two of them. */
    client->link_deadline_ms = clock_monotonic_ms() + client->heartbeat_lost_ms;
    return true;
no_memory:
    if (stream->easy) {
        curl_easy_cleanup(stream->easy);
        stream->easy = NULL;
    }
    curl_slist_free_all(stream->headers);
    stream->headers = NULL;
    snprintf(why, why_size, "%s", _("out of memory"));
    return false;
}

void client_stream_close(struct client *client)
{
    struct client_stream *stream = &client->stream;
    if (stream->easy) {
        curl_multi_remove_handle(client->multi, stream->easy);
        curl_easy_cleanup(stream->easy);
        stream->easy = NULL;
    }
    curl_slist_free_all(stream->headers);
    stream->headers = NULL;
    stream->ignore_rest = false;
}

void client_stream_done(struct client *client, CURLcode result)
{
    struct client_stream *stream = &client->stream;
    long status = 0;
    curl_easy_getinfo(stream->easy, CURLINFO_RESPONSE_CODE, &status);
    cJSON *refusal = cJSON_Parse(stream->refusal);
    char why[CLIENT_MESSAGE_SIZE];
    if (result != CURLE_OK)
        snprintf(why, sizeof why, "%s", client_curl_sentence(result));
    else if (status == 200)
        snprintf(why, sizeof why, "%s", _("the server closed the event stream"));
    else
        client_error_sentence(status, refusal, why, sizeof why);
    cJSON_Delete(refusal);
    client_stream_close(client);
    if (client->resync_wanted)
        return; /* client_process reloads */
    if (status == 401 && client->has_password && !client->relogged) {
        /* The token is no longer good here (expired, or another node's
         * store): log in again before anything else. */
        client->token[0] = '\0';
        client_attempt_continue(client);
        return;
    }
    client_attempt_failed(client, why, result == CURLE_COULDNT_CONNECT);
}
