/* api_reply_pages.c: the agent's reply page behind each mass-alert link,
 * GET /r/<token>, and its two forms, POST /r/<token>/received and
 * /r/<token>/seen. No session: the link's token is the key (only its
 * SHA-256 is stored), and it dies with the alert. Pages, not JSON, so that
 * any phone's browser works without JavaScript; every answer carries a
 * strict Content-Security-Policy (nothing external, inline style and script
 * only with this response's nonce), no-referrer (the token is in the URL)
 * and no caching. */
#include "server/api.h"
#include "server/reply_form.h"
#include "server/reply_page.h"
#include "server/store_massalert_replies.h"
#include "server/webpush_base64url.h"
#include "common/clock.h"
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
    char policy[320];
    snprintf(policy, sizeof policy,
             "default-src 'none'; style-src 'nonce-%s'; script-src 'nonce-%s'; img-src 'none'; "
             "connect-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
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
                         unsigned status, bool french, const char *token,
                         enum reply_page_error error)
{
    struct reply_page page = {
        .kind = REPLY_PAGE_ERROR, .french = french, .token = token, .error = error};
    answer(request, response, status, &page);
}

/* Finds the token's alert; answers the request itself (404, 410, 503)
 * and returns false when there is no live alert to show or reply to. */
static bool find_alert(struct api_request *request, struct api_response *response,
                       struct store_massalert_token_view *view)
{
    struct store_error error = {{0}};
    int status = store_massalert_token_find(request->api->store, request->params[0], clock_now_ms(),
                                            view, &error);
    bool french = reply_page_prefers_french(header(request, "Accept-Language"));
    if (status == STORE_NOT_FOUND) {
        struct reply_page page = {.kind = REPLY_PAGE_UNKNOWN, .french = french};
        answer(request, response, MHD_HTTP_NOT_FOUND, &page);
        return false;
    }
    if (status != STORE_OK) {
        log_warn("reply", "reading a reply link: %s", error.message);
        answer_error(request, response, MHD_HTTP_SERVICE_UNAVAILABLE, french, NULL,
                     REPLY_ERROR_SERVER);
        return false;
    }
    if (view->expired) {
        /* Gone for good: the alert's message is not shown any more. */
        struct reply_page page = {.kind = REPLY_PAGE_EXPIRED,
                                  .french = strcmp(view->language, "fr") == 0};
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
                              .french = strcmp(view.language, "fr") == 0,
                              .token = request->params[0],
                              .view = &view};
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
    bool french = strcmp(view.language, "fr") == 0;
    const char *token = request->params[0];
    if (!posted_from_page(request)) {
        answer_error(request, response, MHD_HTTP_FORBIDDEN, french, token, REPLY_ERROR_CROSS_SITE);
        return;
    }
    struct reply_form form;
    enum reply_form_status parsed = reply_form_parse(header(request, MHD_HTTP_HEADER_CONTENT_TYPE),
                                                     request->body, request->body_size, &form);
    if (parsed == REPLY_FORM_TOO_LARGE) {
        answer_error(request, response, MHD_HTTP_CONTENT_TOO_LARGE, french, token,
                     REPLY_ERROR_TOO_LONG);
        return;
    }
    if (parsed != REPLY_FORM_OK) {
        answer_error(request, response,
                     parsed == REPLY_FORM_UNSUPPORTED ? MHD_HTTP_UNSUPPORTED_MEDIA_TYPE
                                                      : MHD_HTTP_BAD_REQUEST,
                     french, token, REPLY_ERROR_UNREADABLE);
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
                                  .french = french,
                                  .token = token,
                                  .view = &view};
        answer(request, response, MHD_HTTP_OK, &page);
        return;
    }
    case STORE_INVALID: {
        /* Blanks alone are no description: the store cleans them away. */
        char cleaned[MASSALERT_REPLY_TEXT_MAX + 1];
        bool empty = massalert_reply_text_clean(form.text, cleaned, sizeof cleaned) == 0;
        answer_error(request, response, MHD_HTTP_BAD_REQUEST, french, token,
                     seen && empty && !form.located ? REPLY_ERROR_EMPTY : REPLY_ERROR_UNREADABLE);
        return;
    }
    case STORE_CONFLICT:
        /* The alert expired between the read and the write, or the link
         * used up its replies. */
        if (store_massalert_token_find(request->api->store, token, clock_now_ms(), &view, &error) ==
                STORE_OK &&
            view.expired) {
            struct reply_page page = {.kind = REPLY_PAGE_EXPIRED, .french = french};
            answer(request, response, MHD_HTTP_GONE, &page);
        } else {
            answer_error(request, response, MHD_HTTP_TOO_MANY_REQUESTS, french, token,
                         REPLY_ERROR_TOO_MANY);
        }
        return;
    case STORE_NOT_FOUND: {
        struct reply_page page = {.kind = REPLY_PAGE_UNKNOWN, .french = french};
        answer(request, response, MHD_HTTP_NOT_FOUND, &page);
        return;
    }
    default:
        log_warn("reply", "writing a reply: %s", error.message);
        answer_error(request, response, MHD_HTTP_SERVICE_UNAVAILABLE, french, token,
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
