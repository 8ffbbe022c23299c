/* connector_kannel.h: the SMS connector of the outbox, through Kannel's
 * smsbox `sendsms` HTTP interface (one GET per message, as a libcurl easy
 * handle the delivery worker runs on its multi handle).
 *
 * The request carries the account (sms_username, sms_password), the
 * sender (sms_from), the E.164 number, the UTF-8 text with the coding
 * common/sms.c measures (0: GSM 03.38, 2: UCS-2; Kannel converts), and a
 * delivery-report request: dlr-mask=31 and a dlr-url pointing back at
 * vigied (sms_callback_url + /v1/connectors/kannel/dlr) that carries the
 * outbox row's id and an HMAC-SHA256 of it under kannel_secret, so that
 * nobody but our Kannel can confirm or deny a delivery. Without
 * sms_callback_url or kannel_secret no report is asked for.
 *
 * Kannel answers 202 ("0: Accepted for delivery", "3: Queued for later
 * delivery"): the message is sent (the reference is the outbox id, which
 * the report brings back). 401/403 (a wrong account, fixable while the
 * alert lasts), 429 and 5xx are retried; other 4xx refuse the message
 * itself (a bad number, an empty text) and are final.
 *
 * Kannel's sendsms has no idempotency key: a message whose request was
 * under way when vigied died is sent again at restart (at least once);
 * only those in flight at that instant can be doubled. */
#ifndef VIGIE_CONNECTOR_KANNEL_H
#define VIGIE_CONNECTOR_KANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/connector.h"

/* Hex digits of the dlr-url's signature (128 bits of the HMAC). */
#define KANNEL_SIGNATURE_SIZE 33
/* Kannel's answer is one line; more is read and dropped. */
#define KANNEL_ANSWER_MAX 512

void *connector_kannel_start(const struct store_outbox_message *message,
                             const struct connector_options *options);
CURL *connector_kannel_easy(void *transfer);
void connector_kannel_outcome(void *transfer, CURLcode code, struct connector_outcome *out);
void connector_kannel_release(void *transfer);

/* The signature of outbox row `id` under `secret`; false when the secret
 * is empty. */
bool connector_kannel_sign(const char *secret, int64_t id, char out[KANNEL_SIGNATURE_SIZE]);
/* True when `signature` is id's under secret (constant time). */
bool connector_kannel_verify(const char *secret, int64_t id, const char *signature);
/* True when `given` equals the shared secret (constant time; an empty
 * secret matches nothing). */
bool connector_kannel_secret_ok(const char *secret, const char *given);

/* The sendsms URL of a message (malloc'd; NULL when memory is short or a
 * setting is missing, with why in `error`). For tests and the log. */
char *connector_kannel_url(CURL *easy, const struct store_outbox_message *message,
                           const struct server_config *config, char *error, size_t error_size);

#endif
