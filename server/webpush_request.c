/* webpush_request.c: a Web Push delivery request from its parts: the
 * encrypted body and the headers RFC 8030, 8291 and 8292 ask for. */
#include "server/webpush_request.h"

#include <stdio.h>
#include <string.h>

#include "common/i18n.h"

/* Appends one "Name: value" line; false when it does not fit. */
static bool add_header(struct webpush_request *out, const char *name, const char *value)
{
    if (out->header_count >= WEBPUSH_REQUEST_HEADERS)
        return false;
    char *line = out->headers[out->header_count];
    int n = snprintf(line, WEBPUSH_HEADER_LINE_MAX, "%s: %s", name, value);
    if (n < 0 || (size_t)n >= WEBPUSH_HEADER_LINE_MAX)
        return false;
    out->header_count++;
    return true;
}

bool webpush_request_build(const struct webpush_subscription *subscription, EVP_PKEY *vapid_key,
                           const char *subject, const uint8_t *payload, size_t len, int64_t ttl,
                           int64_t now, struct webpush_request *out, char *why, size_t why_size)
{
    out->header_count = 0;
    out->url[0] = '\0';
    if (ttl < 0 || ttl > WEBPUSH_TTL_MAX) {
        snprintf(why, why_size, _("a push message is kept from 0 to %d days, not %lld seconds"),
                 WEBPUSH_TTL_MAX / (24 * 3600), (long long)ttl);
        return false;
    }
    char authorization[WEBPUSH_AUTHORIZATION_MAX], ttl_text[24];
    if (!webpush_vapid_authorization(vapid_key, subscription->endpoint, subject, now,
                                     WEBPUSH_VAPID_LIFETIME_DEFAULT, authorization,
                                     sizeof authorization, why, why_size) ||
        !webpush_encrypt(subscription, payload, len, &out->message, why, why_size))
        return false;
    snprintf(ttl_text, sizeof ttl_text, "%lld", (long long)ttl);
    /* Content-Encoding has exactly one value, aes128gcm (RFC 8291 4). */
    bool ok = add_header(out, "Content-Encoding", "aes128gcm") &&
              add_header(out, "Content-Type", "application/octet-stream") &&
              add_header(out, "TTL", ttl_text) && add_header(out, "Urgency", "high") &&
              add_header(out, "Authorization", authorization);
    if (!ok) {
        snprintf(why, why_size, "%s", _("no room for the push request's headers"));
        return false;
    }
    snprintf(out->url, sizeof out->url, "%s", subscription->endpoint);
    return true;
}
