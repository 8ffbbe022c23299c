/* webpush_vapid.h: how the centre identifies itself to push services
 * (VAPID, RFC 8292). Each request carries `Authorization: vapid t=JWT,
 * k=KEY`: a JWT signed ES256 with the centre's P-256 key (webpush_keys.h)
 * naming the push service's origin ("aud"), an expiry at most 24 hours
 * ahead ("exp") and a contact ("sub", mailto: or https:), and the public
 * key it verifies with. Browsers bind each subscription to that key (the
 * applicationServerKey), so the key must stay the same across restarts. */
#ifndef VIGIE_WEBPUSH_VAPID_H
#define VIGIE_WEBPUSH_VAPID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/webpush_base64url.h"
#include "server/webpush_keys.h"

/* RFC 8292 2: "exp" MUST NOT be more than 24 hours from the request. */
#define WEBPUSH_VAPID_LIFETIME_MAX (24 * 3600)
/* What we ask for: half the limit, so that a push service whose clock is
 * ahead of ours, or a request retried later, still sees a valid token. */
#define WEBPUSH_VAPID_LIFETIME_DEFAULT (12 * 3600)
/* A contact URI: an address or a web page, short in practice; the bound
 * keeps the token (sent with every message) small. */
#define WEBPUSH_SUBJECT_MAX 256
/* "vapid t=" + JWT + ", k=" + key: the JWT's claims hold an origin of at
 * most WEBPUSH_ORIGIN_MAX and a subject of at most WEBPUSH_SUBJECT_MAX;
 * the arithmetic is checked in webpush_vapid.c. */
#define WEBPUSH_AUTHORIZATION_MAX 2560
/* A public point in base64url, with its NUL. */
#define WEBPUSH_POINT_BASE64_SIZE (WEBPUSH_BASE64URL_LEN(WEBPUSH_POINT_LEN) + 1)

/* Whether `subject` is a contact VAPID allows: "mailto:..." or
 * "https://...", printable ASCII (a URI needs nothing else), at most
 * WEBPUSH_SUBJECT_MAX characters. */
bool webpush_vapid_subject_check(const char *subject, char *why, size_t why_size);

/* The public key in base64url: the `k` parameter, and the
 * applicationServerKey a browser subscribes with. */
bool webpush_vapid_public_key(EVP_PKEY *key, char out[WEBPUSH_POINT_BASE64_SIZE]);

/* The value of the Authorization header ("vapid t=..., k=...") for a
 * request to `endpoint` at `now` (Unix seconds), valid `lifetime` seconds
 * (1 to WEBPUSH_VAPID_LIFETIME_MAX). False with `why` for a key not on
 * P-256, an endpoint that is not https, a bad subject or lifetime. */
bool webpush_vapid_authorization(EVP_PKEY *key, const char *endpoint, const char *subject,
                                 int64_t now, int64_t lifetime, char *out, size_t out_size,
                                 char *why, size_t why_size);

#endif
