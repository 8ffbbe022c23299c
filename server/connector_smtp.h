/* connector_smtp.h: the e-mail connector of the outbox. One message is one
 * SMTP transaction through libcurl (smtp_url: smtp:// with STARTTLS, or
 * smtps://), as an easy handle the delivery worker runs on its multi
 * handle: MAIL FROM smtp_from's address, RCPT TO the agent's address, and
 * DATA the RFC 5322 message of connector_smtp_message.h uploaded from
 * memory. With smtp_username, libcurl authenticates (the best mechanism
 * the server offers). Certificates and host names are verified.
 *
 * A mass-alert message (key "massalert-<alert>-<recipient>-email") gets a
 * Reply-To reply+<recipient>.<token>@mail_reply_domain (mail_reply_address.h)
 * that `vigied mail-in` recognises when the agent answers. Its Message-ID
 * is made from the key, so that a message sent again after a crash is the
 * same message to the agent's mail software.
 *
 * Outcome: 250 after DATA is "sent"; the reference is the server's queue
 * id when its answer names one ("250 2.0.0 Ok: queued as 4XyZ"), else the
 * Message-ID. A 4xx answer, a connection that fails or is cut, a refused
 * login and a STARTTLS that is not offered are retried (the last two can
 * be mended while the alert lasts); a 5xx answer refuses the message
 * itself and is final, as is a message that cannot be built (an address
 * or a header that would hold a line break).
 *
 * Settings: smtp_url, smtp_username, smtp_password, smtp_from,
 * smtp_starttls (required, try or off), mail_reply_domain,
 * mail_reply_secret. Without smtp_url or smtp_from the connector does not
 * start (the message waits, as for any missing setting). */
#ifndef VIGIE_CONNECTOR_SMTP_H
#define VIGIE_CONNECTOR_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "server/connector.h"

/* The server's answers are short lines; a longer one is cut. */
#define SMTP_ANSWER_LINE_MAX 512

void *connector_smtp_start(const struct store_outbox_message *message,
                           const struct connector_options *options);
CURL *connector_smtp_easy(void *transfer);
void connector_smtp_outcome(void *transfer, CURLcode code, struct connector_outcome *out);
void connector_smtp_release(void *transfer);

/* The recipient row of a mass-alert message key
 * ("massalert-<alert>-<recipient>-<channel>"); 0 when it is not one. */
int64_t connector_smtp_recipient_of_key(const char *message_key);

/* The message as it is uploaded (malloc'd, with its length), at `now`;
 * NULL with why when it cannot be built. For start and for tests. */
char *connector_smtp_compose(const struct store_outbox_message *message,
                             const struct server_config *config, time_t now, size_t *length_out,
                             char *why, size_t why_size);

/* The queue id in a "250 ... queued as ID" answer; false when none. */
bool connector_smtp_queue_id(const char *answer, char *out, size_t size);

#endif
