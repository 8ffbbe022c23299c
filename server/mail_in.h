/* mail_in.h: an agent's e-mail reply to a mass alert, as the mail server
 * hands it over (one RFC 5322 message): whose reply it is, from the
 * reply+<recipient>.<token>@ address it was sent to (the envelope
 * recipient the MTA passes, else Delivered-To, X-Original-To, To, Cc),
 * and what the agent wrote (mail_in_mime.h, then mail_in_text.h).
 * Vacation auto-replies and bounces (RFC 3834 Auto-Submitted, Precedence,
 * a null envelope sender, multipart/report) are recognised: they are not
 * an agent speaking, and answering them would loop. Pure functions. */
#ifndef VIGIE_MAIL_IN_H
#define VIGIE_MAIL_IN_H

#include <stdbool.h>
#include <stddef.h>

#include "server/mail_reply_address.h"

/* A reply is read up to this size: the agent's words come first, and
 * what follows (quoted alerts, attachments) is not needed. */
#define MAIL_IN_MESSAGE_MAX (1024 * 1024)
/* The text taken from it, before the store cuts it to its own bound. */
#define MAIL_IN_TEXT_MAX 8192

struct mail_in_reply {
    char address[MAIL_REPLY_ADDRESS_SIZE]; /* ours, "" when none was found */
    bool automatic;                        /* an auto-reply or a bounce */
    char why_automatic[64];
    char text[MAIL_IN_TEXT_MAX]; /* the new text, UTF-8 */
};

/* Reads `message`. `envelope_recipient` and `envelope_sender` are what
 * the MTA passed (may be NULL when unknown; "" for the sender is the null
 * sender of a bounce). */
void mail_in_read(const char *message, size_t length, const char *envelope_recipient,
                  const char *envelope_sender, struct mail_in_reply *out);

/* Finds a reply+<id>.<token>@ address in a header value ("Name
 * <reply+12.abc@x>, other@y"); false when there is none. */
bool mail_in_find_address(const char *value, char *out, size_t size);

#endif
