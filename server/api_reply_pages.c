/* api_reply_pages.c: the agent's reply page behind each mass-alert link,
 * GET /r/<token>, and its two forms, POST /r/<token>/received and
 * /r/<token>/seen; the pages' service worker, GET /r/sw.js, and what it
 * says when it has shown a push message, POST /r/<token>/delivered. No
 * session: the link's token is the key (only its SHA-256 is stored), and
 * it dies with the alert. Pages, not JSON, so that any phone's browser
 * works without JavaScript; every answer carries a strict
 * Content-Security-Policy (nothing external, inline style and script only
 * with this response's nonce), no-referrer (the token is in the URL) and
 * no caching. A page speaks the alert's language, else the browser's,
 * else the centre's (reply_page_language.h). */
#include "server/api.h"
#include "server/api_agents_push.h"
#include "server/connector_push.h"
#include "server/reply_form.h"
#include "server/reply_page.h"
#include "server/reply_page_language.h"
#include "server/reply_page_worker.h"
#include "server/store_agents_push.h"
#include "server/store_massalert_replies.h"
#include "server/store_outbox.h"
#include "server/webpush_base64url.h"
#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Random bytes of a CSP nonce: 128 bits, as CSP recommends. */
#define REPLY_NONCE_BYTES 16

static bool make_nonce(char out[REPLY_PAGE_NONCE_SIZE])
{
    uint8_t bytes[REPLY_NONCE_BYTES];
    return RAND_bytes(bytes, sizeof bytes) == 1 &&
           webpush_base64url_encode(bytes, sizeof bytes, out, REPLY_PAGE_NONCE_SIZE);
}

static const char *header(struct api_request *request, const char *name)
{
    return MHD_lookup_connection_value(request->connection, MHD_HEADER_KIND, name);
}

static void answer(struct api_request *request, struct api_response *response, unsigned status,
                   struct reply_page *page)
{
    char nonce[REPLY_PAGE_NONCE_SIZE];
    if (!make_nonce(nonce)) {
        api_error(response, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "no random bytes");
        return;
    }
    page->nonce = nonce;
    size_t length = 0;
    char *html = reply_page_render(page, &length);
    struct MHD_Response *reply =
        html ? MHD_create_response_from_buffer(length, html, MHD_RESPMEM_MUST_FREE) : NULL;
    if (!reply) {
        free(html);
        api_error(response, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "out of memory");
        return;
    }
    char policy[360];
    snprintf(policy, sizeof policy,
             "default-src 'none'; style-src 'nonce-%s'; script-src 'nonce-%s'; img-src 'none'; "
             "connect-src 'self'; worker-src 'self'; form-action 'self'; frame-ancestors 'none'; "
             "base-uri 'none'",
             nonce, nonce);
    MHD_add_response_header(reply, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(reply, "Content-Security-Policy", policy);
    MHD_add_response_header(reply, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(reply, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(reply, "X-Frame-Options", "DENY");
    MHD_add_response_header(reply, "Pragma", "no-cache");
    MHD_add_response_header(reply, "Permissions-Policy", "geolocation=(self)");
    if (request->api->config->tls_cert[0])
        /* Served over HTTPS: a phone that came once never tries plain HTTP. */
        MHD_add_response_header(reply, "Strict-Transport-Security", "max-age=31536000");
    response->status = status;
    response->raw = reply;
}

static void answer_error(struct api_request *request, struct api_response *response,
                         unsigned status, const char *language, const char *token,
                         enum reply_page_error error)
{
    struct reply_page page = {
        .kind = REPLY_PAGE_ERROR, .language = language, .token = token, .error = error};
    answer(request, response, status, &page);
}

/* The language of a page about `view`'s alert (NULL: no alert known). */
static const char *language_of(struct api_request *request,
                               const struct store_massalert_token_view *view)
{
    return reply_page_language_choose(view ? view->language : NULL,
                                      header(request, "Accept-Language"),
                                      request->api->config->event_labels);
}

/* Finds the token's alert; answers the request itself (404, 410, 503)
 * and returns false when there is no live alert to show or reply to. */
static bool find_alert(struct api_request *request, struct api_response *response,
                       struct store_massalert_token_view *view)
{
    struct store_error error = {{0}};
    int status = store_massalert_token_find(request->api->store, request->params[0], clock_now_ms(),
                                            view, &error);
    const char *language = language_of(request, NULL);
    if (status == STORE_NOT_FOUND) {
        struct reply_page page = {.kind = REPLY_PAGE_UNKNOWN, .language = language};
        answer(request, response, MHD_HTTP_NOT_FOUND, &page);
        return false;
    }
    if (status != STORE_OK) {
        log_warn("reply", "reading a reply link: %s", error.message);
        answer_error(request, response, MHD_HTTP_SERVICE_UNAVAILABLE, language, NULL,
                     REPLY_ERROR_SERVER);
        return false;
    }
    if (view->expired) {
        /* Gone for good: the alert's message is not shown any more. */
        struct reply_page page = {.kind = REPLY_PAGE_EXPIRED,
                                  .language = language_of(request, view)};
        answer(request, response, MHD_HTTP_GONE, &page);
        return false;
    }
    return true;
}

void api_reply_page_get(struct api_request *request, struct api_response *response)
{
    struct store_massalert_token_view view;
    if (!find_alert(request, response, &view))
        return;
    struct reply_page page = {.kind = REPLY_PAGE_ALERT,
                              .language = language_of(request, &view),
                              .token = request->params[0],
                              .view = &view};
    /* With Web Push configured, the page offers the agent to get the
     * next alerts on this phone. */
    char push_key[WEBPUSH_POINT_BASE64_SIZE];
    if (request->api->config->push_enrol_from_reply_page &&
        connector_push_application_server_key(request->api->config, push_key))
        page.push_key = push_key;
    answer(request, response, MHD_HTTP_OK, &page);
}

/* The token is not an ambient credential (no cookie), so a forged form
 * could only post what its author already could; still, a reply must come
 * from its own page: browsers say where a form was posted from in
 * Sec-Fetch-Site, older ones in Origin ("null" under no-referrer). Clients
 * that send neither (a script with the link) are let through. */
static bool posted_from_page(struct api_request *request)
{
    const char *site = header(request, "Sec-Fetch-Site");
    if (site)
        return strcmp(site, "same-origin") == 0 || strcmp(site, "none") == 0;
    const char *origin = header(request, "Origin");
    if (!origin || strcmp(origin, "null") == 0)
        return true;
    const char *host = header(request, "Host");
    const char *origin_host = strstr(origin, "://");
    return host && origin_host && strcmp(origin_host + 3, host) == 0;
}

static void reply(struct api_request *request, struct api_response *response, const char *kind)
{
    struct store_massalert_token_view view;
    if (!find_alert(request, response, &view))
        return;
    const char *language = language_of(request, &view);
    const char *token = request->params[0];
    if (!posted_from_page(request)) {
        answer_error(request, response, MHD_HTTP_FORBIDDEN, language, token,
                     REPLY_ERROR_CROSS_SITE);
        return;
    }
    struct reply_form form;
    enum reply_form_status parsed = reply_form_parse(header(request, MHD_HTTP_HEADER_CONTENT_TYPE),
                                                     request->body, request->body_size, &form);
    if (parsed == REPLY_FORM_TOO_LARGE) {
        answer_error(request, response, MHD_HTTP_CONTENT_TOO_LARGE, language, token,
                     REPLY_ERROR_TOO_LONG);
        return;
    }
    if (parsed != REPLY_FORM_OK) {
        answer_error(request, response,
                     parsed == REPLY_FORM_UNSUPPORTED ? MHD_HTTP_UNSUPPORTED_MEDIA_TYPE
                                                      : MHD_HTTP_BAD_REQUEST,
                     language, token, REPLY_ERROR_UNREADABLE);
        return;
    }
    bool seen = strcmp(kind, MASSALERT_REPLY_SEEN) == 0;
    struct store_massalert_reply_result result;
    struct store_error error = {{0}};
    int status = store_massalert_reply_by_token(
        request->api->store, token, "web", kind, form.text, form.located ? &form.lat : NULL,
        form.located ? &form.lon : NULL, form.has_accuracy ? &form.accuracy_m : NULL, &result,
        &error);
    switch (status) {
    case STORE_OK: {
        struct reply_page page = {.kind =
                                      seen ? REPLY_PAGE_THANKS_SEEN : REPLY_PAGE_THANKS_RECEIVED,
                                  .language = language,
                                  .token = token,
                                  .view = &view};
        answer(request, response, MHD_HTTP_OK, &page);
        return;
    }
    case STORE_INVALID: {
        /* Blanks alone are no description: the store cleans them away. */
        char cleaned[MASSALERT_REPLY_TEXT_MAX + 1];
        bool empty = massalert_reply_text_clean(form.text, cleaned, sizeof cleaned) == 0;
        answer_error(request, response, MHD_HTTP_BAD_REQUEST, language, token,
                     seen && empty && !form.located ? REPLY_ERROR_EMPTY : REPLY_ERROR_UNREADABLE);
        return;
    }
    case STORE_CONFLICT:
        /* The alert expired between the read and the write, or the link
         * used up its replies. */
        if (store_massalert_token_find(request->api->store, token, clock_now_ms(), &view, &error) ==
                STORE_OK &&
            view.expired) {
            struct reply_page page = {.kind = REPLY_PAGE_EXPIRED, .language = language};
            answer(request, response, MHD_HTTP_GONE, &page);
        } else {
            answer_error(request, response, MHD_HTTP_TOO_MANY_REQUESTS, language, token,
                         REPLY_ERROR_TOO_MANY);
        }
        return;
    case STORE_NOT_FOUND: {
        struct reply_page page = {.kind = REPLY_PAGE_UNKNOWN, .language = language};
        answer(request, response, MHD_HTTP_NOT_FOUND, &page);
        return;
    }
    default:
        log_warn("reply", "writing a reply: %s", error.message);
        answer_error(request, response, MHD_HTTP_SERVICE_UNAVAILABLE, language, token,
                     REPLY_ERROR_SERVER);
        return;
    }
}

void api_reply_page_received(struct api_request *request, struct api_response *response)
{
    reply(request, response, MASSALERT_REPLY_RECEIVED);
}

void api_reply_page_seen(struct api_request *request, struct api_response *response)
{
    reply(request, response, MASSALERT_REPLY_SEEN);
}

/* ---- the service worker and its acknowledgement ---- */

void api_reply_page_worker(struct api_request *request, struct api_response *response)
{
    /* The page registers sw.js?lang=<its language>. */
    const char *language =
        reply_page_language_choose(api_query(request, "lang"), header(request, "Accept-Language"),
                                   request->api->config->event_labels);
    size_t length = 0;
    char *script = reply_page_worker_render(language, &length);
    struct MHD_Response *reply =
        script ? MHD_create_response_from_buffer(length, script, MHD_RESPMEM_MUST_FREE) : NULL;
    if (!reply) {
        free(script);
        api_error(response, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "out of memory");
        return;
    }
    MHD_add_response_header(reply, "Content-Type", "text/javascript; charset=utf-8");
    /* A worker's own policy: it talks to this server only. */
    MHD_add_response_header(reply, "Content-Security-Policy",
                            "default-src 'none'; connect-src 'self'");
    MHD_add_response_header(reply, "X-Content-Type-Options", "nosniff");
    response->status = MHD_HTTP_OK;
    response->raw = reply;
}

/* The live link a page's script posts to (the path's token): false, with
 * the answer filled (404 unknown, 410 over, 403 not from the page
 * itself, why_not saying what the page is for), when there is none. */
static bool live_link_from_page(struct api_request *request, struct api_response *response,
                                const char *why_not, struct store_massalert_token_view *view)
{
    struct store_error error = {{0}};
    int status = store_massalert_token_find(request->api->store, request->params[0], clock_now_ms(),
                                            view, &error);
    if (status == STORE_NOT_FOUND) {
        api_error(response, MHD_HTTP_NOT_FOUND, "not_found", "%s",
                  _("this reply link is not valid"));
        return false;
    }
    if (status != STORE_OK) {
        log_warn("reply", "reading a reply link: %s", error.message);
        api_store_error(response, status, &error);
        return false;
    }
    /* A dead link gives no more than the alert it came with. */
    if (view->expired) {
        api_error(response, MHD_HTTP_GONE, "expired", "%s", _("this alert has ended"));
        return false;
    }
    if (!posted_from_page(request)) {
        api_error(response, MHD_HTTP_FORBIDDEN, "forbidden", "%s", why_not);
        return false;
    }
    return true;
}

void api_reply_page_delivered(struct api_request *request, struct api_response *response)
{
    struct store_massalert_token_view view;
    if (!live_link_from_page(request, response,
                             _("a delivery is acknowledged by the reply pages' own service worker"),
                             &view))
        return;
    struct store_error error = {{0}};
    bool found = false;
    int status = store_outbox_confirm_recipient(request->api->store, view.recipient_id, "push",
                                                clock_now_ms(), &found, &error);
    if (status != STORE_OK) {
        log_warn("reply", "acknowledging a push message: %s", error.message);
        api_store_error(response, status, &error);
        return;
    }
    if (!found) {
        api_error(response, MHD_HTTP_NOT_FOUND, "not_found", "%s",
                  _("no push message of this alert has left for this link's agent"));
        return;
    }
    /* Said again (the worker ran twice, the service sent twice): the
     * same answer, nothing written. */
    struct MHD_Response *reply = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!reply) {
        api_error(response, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "out of memory");
        return;
    }
    response->status = MHD_HTTP_NO_CONTENT;
    response->raw = reply;
}

void api_reply_page_push_subscription(struct api_request *request, struct api_response *response)
{
    struct store_massalert_token_view view;
    if (!live_link_from_page(request, response,
                             _("a phone subscribes from its agent's own reply page"), &view))
        return;
    struct store_error error = {{0}};
    if (!request->api->config->push_enrol_from_reply_page) {
        api_error(response, MHD_HTTP_FORBIDDEN, "forbidden", "%s",
                  _("this centre enrols phones for push through its administrators"));
        return;
    }
    char *json = NULL, origin[WEBPUSH_ORIGIN_MAX + 1];
    if (!api_agents_push_read(request, response, &json, origin))
        return;
    int status = store_agent_push_subscription_set_by_recipient(
        request->api->store, view.recipient_id, json, origin, &error);
    free(json);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "push_service", origin);
    api_json(response, MHD_HTTP_OK, body);
}
