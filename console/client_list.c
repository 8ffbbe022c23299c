/* client_list.c: loading the open alarms, page after page of
 * GET /v1/alarms, into a second model that takes the place of the one on
 * screen only when the list is whole: a screen never sees half a list.
 * Each page is read as it comes and let go: its alarms are parsed one at
 * a time (a JSON scanner finds where each begins and ends), so the
 * console never holds more than one alarm's cJSON tree, where a page's
 * whole tree took about 14 MB and the 100,000-alarm list 280 MB. The next
 * page is asked for before this one is read (its cursor, the last
 * alarm's sequence, is found in the raw text), so vigied prepares it
 * while the console parses. The stream then starts at the first page's
 * last_sequence, and since every change is applied only when newer than
 * the model's copy, what a later page already gave is harmless again. */
#include "console/client_internal.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"

/* ---- a page's text ---- */

static const char *skip_space(const char *at, const char *end)
{
    while (at < end && (*at == ' ' || *at == '\t' || *at == '\n' || *at == '\r'))
        at++;
    return at;
}

/* After the string that starts at `at` (a quote); NULL when it does not end. */
static const char *skip_string(const char *at, const char *end)
{
    for (at++; at < end; at++) {
        if (*at == '\\')
            at++;
        else if (*at == '"')
            return at + 1;
    }
    return NULL;
}

/* After the JSON value that starts at `at`; NULL when it does not end
 * before `end`. Only where values begin and end is found: cJSON reads
 * what is inside. */
static const char *skip_value(const char *at, const char *end)
{
    at = skip_space(at, end);
    if (at >= end)
        return NULL;
    if (*at == '"')
        return skip_string(at, end);
    if (*at != '{' && *at != '[') { /* a number, true, false or null */
        const char *start = at;
        while (at < end && *at && !strchr(",]} \t\r\n", *at))
            at++;
        return at > start ? at : NULL;
    }
    size_t depth = 0;
    while (at < end) {
        if (*at == '"') {
            if (!(at = skip_string(at, end)))
                return NULL;
            continue;
        }
        if (*at == '{' || *at == '[')
            depth++;
        else if ((*at == '}' || *at == ']') && --depth == 0)
            return at + 1;
        at++;
    }
    return NULL;
}

/* The page's "alarms" array, brackets included: [*start, *finish). */
static bool find_alarms(const char *text, size_t length, const char **start, const char **finish)
{
    const char *end = text + length, *at = skip_space(text, end);
    if (at >= end || *at != '{')
        return false;
    for (at++;;) {
        at = skip_space(at, end);
        if (at >= end || *at != '"')
            return false;
        const char *key = at;
        if (!(at = skip_string(at, end)))
            return false;
        bool alarms = at - key == 8 && memcmp(key, "\"alarms\"", 8) == 0;
        at = skip_space(at, end);
        if (at >= end || *at != ':')
            return false;
        const char *value = skip_space(at + 1, end);
        if (!(at = skip_value(value, end)))
            return false;
        if (alarms && *value == '[') {
            *start = value;
            *finish = at;
            return true;
        }
        at = skip_space(at, end);
        if (at >= end || *at != ',')
            return false;
        at++;
    }
}

/* The page without its alarms ("alarms":[]), parsed: last_sequence and more. */
static bool read_envelope(const char *text, size_t length, const char *start, const char *finish,
                          int64_t *last_sequence, bool *more)
{
    size_t head = (size_t)(start - text), tail = length - (size_t)(finish - text);
    char *envelope = malloc(head + 2 + tail);
    if (!envelope)
        return false;
    memcpy(envelope, text, head);
    memcpy(envelope + head, "[]", 2);
    memcpy(envelope + head + 2, finish, tail);
    cJSON *page = cJSON_ParseWithLength(envelope, head + 2 + tail);
    free(envelope);
    const cJSON *alarms = cJSON_GetObjectItemCaseSensitive(page, "alarms");
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(page, "last_sequence");
    const cJSON *more_item = cJSON_GetObjectItemCaseSensitive(page, "more");
    bool ok = cJSON_IsArray(alarms) && cJSON_IsNumber(last) && cJSON_IsBool(more_item);
    if (ok) {
        *last_sequence = (int64_t)last->valuedouble;
        *more = cJSON_IsTrue(more_item);
    }
    cJSON_Delete(page);
    return ok;
}

/* The sequence of the array's last alarm, from the raw text: the last
 * "sequence" key in it (a key cannot hide in a string, where its quotes
 * would be escaped). The parse of that alarm confirms it. */
static bool tail_sequence(const char *start, const char *finish, int64_t *sequence)
{
    static const char key[] = "\"sequence\":";
    size_t key_length = sizeof key - 1;
    for (const char *at = finish - key_length; at >= start; at--) {
        if (memcmp(at, key, key_length) != 0)
            continue;
        char number[24];
        size_t length = 0;
        for (const char *digit = at + key_length;
             digit < finish && *digit >= '0' && *digit <= '9' && length < sizeof number - 1;)
            number[length++] = *digit++;
        number[length] = '\0';
        errno = 0;
        char *end;
        long long value = strtoll(number, &end, 10);
        if (length == 0 || errno || *end)
            return false;
        *sequence = value;
        return true;
    }
    return false;
}

/* Applies each alarm of the array to `model`; the sequence of the last
 * one in *tail. False when the array cannot be read. */
static bool apply_alarms(struct model *model, const char *start, const char *finish, int64_t *tail)
{
    const char *at = start + 1; /* after '[' */
    *tail = -1;
    for (;;) {
        at = skip_space(at, finish);
        if (at < finish && *at == ']')
            return true;
        const char *end = skip_value(at, finish);
        cJSON *alarm = end ? cJSON_ParseWithLength(at, (size_t)(end - at)) : NULL;
        if (!alarm)
            return false;
        const cJSON *sequence = cJSON_GetObjectItemCaseSensitive(alarm, "sequence");
        *tail = cJSON_IsNumber(sequence) ? (int64_t)sequence->valuedouble : -1;
        if (model_apply_json(model, alarm, NULL) == MODEL_UNCHANGED)
            log_warn("client", "an alarm of the list could not be read");
        cJSON_Delete(alarm);
        at = skip_space(end, finish);
        if (at < finish && *at == ',')
            at++;
        else if (at >= finish || *at != ']')
            return false;
    }
}

/* ---- the load ---- */

void client_list_forget(struct client *client)
{
    if (client->list_next)
        client_request_cancel(client, client->list_next);
    client->list_next = NULL;
    if (client->list_head)
        client_request_cancel(client, client->list_head);
    client->list_head = NULL;
    model_free(client->staging);
    client->staging = NULL;
    client->page_count = 0;
}

static struct client_request *list_request(struct client *client, int64_t since, char *why,
                                           size_t why_size)
{
    char path[CLIENT_PATH_SIZE];
    snprintf(path, sizeof path, "/v1/alarms?state=open&limit=%d&since=%lld", CLIENT_LIST_LIMIT,
             (long long)since);
    struct client_request *request = client_request_new(client, CLIENT_REQUEST_LIST, path, NULL);
    if (!request || !client_request_submit(client, request)) {
        snprintf(why, why_size, "%s", _("out of memory"));
        return NULL;
    }
    client->phase = CLIENT_PHASE_LOAD;
    return request;
}

/* When the screen has had nothing yet (the console has just started), the
 * queue's head is asked for beside the first page: a few rows, read from
 * an index, that show the most urgent alarms within tens of milliseconds
 * while the whole list (100,000 alarms: most of a second) loads. They go
 * into the model on screen, which is not live ("loading"); the whole list
 * takes its place as usual. A reload over a screen that already shows a
 * queue keeps that screen until the new list is whole. */
static void head_request(struct client *client)
{
    if (client->ever_loaded || model_open_count(client->model) > 0)
        return;
    char path[CLIENT_PATH_SIZE];
    snprintf(path, sizeof path, "/v1/alarms?state=open&order=queue&limit=%d", CLIENT_HEAD_LIMIT);
    struct client_request *request = client_request_new(client, CLIENT_REQUEST_HEAD, path, NULL);
    if (request && client_request_submit(client, request))
        client->list_head = request;
}

void client_list_head_done(struct client *client, struct client_request *request, long status,
                           CURLcode result)
{
    client->list_head = NULL;
    const char *text = request->answer ? request->answer : "";
    const char *start, *finish;
    int64_t tail;
    /* The whole list follows: a head that cannot be had is only logged. */
    if (result != CURLE_OK || status != 200 || client->loaded ||
        !find_alarms(text, request->answer_length, &start, &finish) ||
        !apply_alarms(client->model, start, finish, &tail)) {
        log_info("client", "the queue's head was not shown before the list (HTTP %ld)", status);
        return;
    }
    size_t shown = model_open_count(client->model);
    if (shown == 0)
        return; /* an empty queue: nothing to show before the list */
    log_info("client", "the queue's head: %zu alarms shown while the list loads", shown);
    if (client->callbacks.model_reloaded)
        client->callbacks.model_reloaded(client->callbacks.context);
}

bool client_list_start(struct client *client, char *why, size_t why_size)
{
    client_list_forget(client);
    client->link_deadline_ms = clock_monotonic_ms() + client->heartbeat_lost_ms;
    if (!(client->staging = model_new())) {
        snprintf(why, why_size, "%s", _("out of memory"));
        return false;
    }
    /* The head first: it takes the connection the login left open. */
    head_request(client);
    client->attempt_request = list_request(client, 0, why, why_size);
    return client->attempt_request != NULL;
}

/* The whole list is in the staging model: it takes the place of the one
 * on screen, and the stream starts. */
static void list_finish(struct client *client)
{
    model_swap(client->model, client->staging);
    model_free(client->staging);
    client->staging = NULL;
    /* The pages and the old model went back to malloc: give the memory
     * back to the system rather than keep the load's peak for the shift. */
    malloc_trim(0);
    model_set_last_sequence(client->model, client->list_sequence);
    log_info("client", "%zu open alarms loaded up to sequence %lld",
             model_open_count(client->model), (long long)client->list_sequence);
    client->page_count = 0;
    client->loaded = true;
    client->ever_loaded = true;
    client->resync_wanted = false;
    if (client->callbacks.model_reloaded)
        client->callbacks.model_reloaded(client->callbacks.context);
    client_attempt_continue(client);
}

/* Reads one page into the staging model, having asked for the next one
 * first when there is one. False with a sentence in why. */
static bool take_page(struct client *client, const struct client_request *request, bool *more,
                      char *why, size_t why_size)
{
    const char *text = request->answer ? request->answer : "";
    const char *start, *finish;
    int64_t last_sequence = 0, tail = -1, read_tail;
    if (!find_alarms(text, request->answer_length, &start, &finish) ||
        !read_envelope(text, request->answer_length, start, finish, &last_sequence, more) ||
        (*more && !tail_sequence(start, finish, &tail))) {
        snprintf(why, why_size, "%s", _("the server's list of alarms could not be read"));
        return false;
    }
    if (*more && !(client->list_next = list_request(client, tail, why, why_size)))
        return false;
    if (client->list_next)
        client_multi_run(client); /* sent now: vigied works while we parse */
    if (!apply_alarms(client->staging, start, finish, &read_tail) || (*more && read_tail != tail)) {
        snprintf(why, why_size, "%s", _("the server's list of alarms could not be read"));
        return false;
    }
    if (client->page_count++ == 0)
        client->list_sequence = last_sequence;
    return true;
}

void client_list_page_done(struct client *client, struct client_request *request, long status,
                           CURLcode result)
{
    char why[CLIENT_MESSAGE_SIZE];
    bool more = false;
    if (result != CURLE_OK) {
        client_attempt_failed(client, client_curl_sentence(result),
                              result == CURLE_COULDNT_CONNECT);
        return;
    }
    if (status == 401 && client->has_password && !client->relogged) {
        client->token[0] = '\0';
        client_attempt_continue(client);
        return;
    }
    if (status != 200) {
        cJSON *answer = client_request_json(request);
        client_error_sentence(status, answer, why, sizeof why);
        cJSON_Delete(answer);
    } else if (client->page_count == CLIENT_LIST_PAGES_MAX) {
        snprintf(why, sizeof why, "%s", _("too many open alarms to load"));
    } else if (take_page(client, request, &more, why, sizeof why)) {
        client->attempt_request = client->list_next;
        client->list_next = NULL;
        if (!more)
            list_finish(client);
        return;
    }
    client_attempt_failed(client, why, false);
}
