/* webpush_request.h: one Web Push delivery (RFC 8030 5): the endpoint to
 * POST to, the header lines and the encrypted body, ready for libcurl
 * (curl_slist_append each line). The payload is encrypted for the
 * subscription (webpush.h) and the request signed with the centre's
 * VAPID key (webpush_vapid.h); mass alerts go out with `Urgency: high`
 * so that a phone in power saving still wakes for them (RFC 8030 5.3). */
#ifndef VIGIE_WEBPUSH_REQUEST_H
#define VIGIE_WEBPUSH_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/webpush.h"
#include "server/webpush_vapid.h"

/* Four weeks: the longest the big push services keep a message (FCM's
 * limit); a longer TTL would be cut by them anyway. */
#define WEBPUSH_TTL_MAX (28 * 24 * 3600)
/* Content-Encoding, Content-Type, TTL, Urgency, Authorization. */
#define WEBPUSH_REQUEST_HEADERS 5
/* The longest line: "Authorization: " and its value. */
#define WEBPUSH_HEADER_LINE_MAX (sizeof "Authorization: " + WEBPUSH_AUTHORIZATION_MAX)

struct webpush_request {
    char url[WEBPUSH_ENDPOINT_MAX + 1];
    char headers[WEBPUSH_REQUEST_HEADERS][WEBPUSH_HEADER_LINE_MAX]; /* "Name: value" */
    size_t header_count;
    struct webpush_message message; /* the body */
};

/* Builds the request that delivers `len` bytes of payload to
 * `subscription`, kept by the push service `ttl` seconds (0 to
 * WEBPUSH_TTL_MAX) when the browser is away, signed by `vapid_key` with
 * the contact `subject`, its token valid WEBPUSH_VAPID_LIFETIME_DEFAULT
 * from `now` (Unix seconds). False with a sentence in `why`. */
bool webpush_request_build(const struct webpush_subscription *subscription, EVP_PKEY *vapid_key,
                           const char *subject, const uint8_t *payload, size_t len, int64_t ttl,
                           int64_t now, struct webpush_request *out, char *why, size_t why_size);

#endif
