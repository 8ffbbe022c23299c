/* connector_push.h: the Web Push connector of the outbox: one message of
 * a mass alert to one agent's browser, as a libcurl easy handle the
 * delivery worker runs in its multi handle (the shape of
 * connector_http.h). The row's recipient is the agent's subscription
 * JSON ({endpoint, keys: {p256dh, auth}}), its body the payload. The
 * payload is encrypted for that browser (aes128gcm, RFC 8291) and the
 * request signed with the centre's VAPID key (RFC 8292), then POSTed to
 * the endpoint (RFC 8030 5) with a TTL that ends at the alert's deadline,
 * `Urgency: high` and a Topic derived from the message key, so that a
 * copy sent again after a crash replaces the undelivered one at the push
 * service instead of arriving twice.
 *
 * Outcomes: 201 (any 2xx) is "sent", the reference being the Location
 * header (the push message resource, RFC 8030 5). 404 and 410 say the
 * subscription is gone (the agent unsubscribed or the browser dropped
 * it): permanent, and `gone` is set so that the caller can say so. 408,
 * 429, 5xx and transfers that failed are retried, after Retry-After when
 * the service gave one. Other answers (400, 401, 403 for a VAPID identity
 * refused, 413 too large) are permanent. */
#ifndef VIGIE_CONNECTOR_PUSH_H
#define VIGIE_CONNECTOR_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <openssl/types.h>

#include "server/config.h"
#include "server/connector.h"
#include "server/store_outbox.h"
#include "server/webpush_vapid.h"

/* RFC 8030 5.4: a Topic is at most 32 characters of base64url. */
#define CONNECTOR_PUSH_TOPIC_LEN 32
/* A Retry-After further ahead than this is read as this: the outbox's
 * deadline decides anyway, and a typo in a push service must not park a
 * mass alert for days. */
#define CONNECTOR_PUSH_RETRY_AFTER_MAX_S 3600

struct connector_push_options {
    long timeout_ms;         /* the whole transfer */
    long connect_timeout_ms; /* connecting, TLS included */
    const char *ca_file;     /* PEM bundle; NULL or "": the system's */
    EVP_PKEY *vapid_key;     /* the centre's key (connector_push_load_key) */
    const char *subject;     /* VAPID "sub": mailto: or https: */
    int64_t now_ms;          /* wall clock: the token's time and the TTL's start */
};

struct connector_push_outcome {
    bool delivered;
    bool permanent;         /* a failure that retrying cannot mend */
    bool gone;              /* 404 or 410: the subscription no longer exists */
    long status;            /* HTTP status, 0 when no answer came */
    int64_t retry_after_ms; /* what Retry-After asked for; 0: nothing */
    char reference[OUTBOX_REFERENCE_SIZE];
    char error[OUTBOX_ERROR_SIZE];
};

struct connector_push;

/* The centre's VAPID key for the outbox: webpush_vapid_key's file,
 * created on first use (webpush_keys.h). NULL with why when the setting
 * is empty (push is then not configured) or the file is unreadable. */
EVP_PKEY *connector_push_load_key(const struct server_config *config, char *why, size_t why_size);

/* A transfer ready to add to a multi handle; NULL when the message cannot
 * be sent at all (a bad subscription, a payload too long, no key): `out`
 * then says why, permanently, and the caller records it. The message must
 * outlive the transfer. */
struct connector_push *connector_push_new(const struct store_outbox_message *message,
                                          const struct connector_push_options *options,
                                          struct connector_push_outcome *out);
CURL *connector_push_curl(const struct connector_push *transfer);
/* What the finished transfer (libcurl's `code`) came to. */
void connector_push_result(const struct connector_push *transfer, CURLcode code,
                           struct connector_push_outcome *out);
void connector_push_free(struct connector_push *transfer);

/* ---- the outbox's row (connector.h): CONNECTOR_ROW("push", connector_push) ----
 * The key is webpush_vapid_key's, loaded once and kept (the outbox's one
 * worker thread calls these; a mutex guards the key all the same), the
 * contact webpush_subject, the CA file webpush_ca_file (not the
 * gateways' outbox_ca_file: the public push services need the system's
 * CAs). A message that cannot be built is logged with its reason and
 * not started (the worker then retries it until its deadline: a missing
 * setting may be fixed meanwhile). Retry-After and a subscription gone
 * are passed on (connector_outcome): the worker waits as long as the
 * service asked, and the store forgets a subscription that is gone. */
void *connector_push_start(const struct store_outbox_message *message,
                           const struct connector_options *options);
/* The centre's applicationServerKey (base64url of its VAPID public key),
 * with which an agent's browser subscribes; false when Web Push is not
 * configured (webpush_vapid_key or webpush_subject empty) or the key
 * cannot be had. The key is the outbox's, loaded (or made) once. */
bool connector_push_application_server_key(const struct server_config *config,
                                           char out[WEBPUSH_POINT_BASE64_SIZE]);
CURL *connector_push_easy(void *transfer);
void connector_push_outcome(void *transfer, CURLcode code, struct connector_outcome *out);
void connector_push_release(void *transfer);

/* ---- pure parts, exposed for the tests ---- */

/* The TTL header for a message whose deadline is `deadline_ms`, sent at
 * `now_ms`: the seconds left, 0 when none, at most WEBPUSH_TTL_MAX. */
int64_t connector_push_ttl(int64_t deadline_ms, int64_t now_ms);
/* The Topic of a message key: base64url of its SHA-256, cut to 32
 * characters (the same key gives the same topic on every attempt). */
void connector_push_topic(const char *message_key, char out[CONNECTOR_PUSH_TOPIC_LEN + 1]);
/* Retry-After in milliseconds: delay-seconds or an HTTP-date (RFC 9110
 * 10.2.3) read at `now_ms`; 0 for none or unreadable; capped. */
int64_t connector_push_retry_after(const char *value, int64_t now_ms);
/* The outcome of an answer with `status` (no transfer error). */
void connector_push_classify(long status, const char *location, int64_t retry_after_ms,
                             struct connector_push_outcome *out);

#endif
