/* connector_smtp_message.h: the RFC 5322 message of one mass-alert
 * e-mail, as the SMTP connector uploads it: Date, From, To, Reply-To,
 * Subject (RFC 2047 encoded-words when it is not ASCII), a Message-ID
 * made from the outbox message key (a message sent again after a crash
 * carries the same one, so that mail software can tell), MIME 1.0, UTF-8
 * plain text in quoted-printable (7-bit clean: no relay needs 8BITMIME),
 * and Auto-Submitted (RFC 3834) so that vacation responders stay quiet.
 * Lines end in CRLF; libcurl does the SMTP dot-stuffing.
 *
 * No header can be injected: a CR, LF or other control character in any
 * field that goes into a header refuses the whole message. Pure functions. */
#ifndef VIGIE_CONNECTOR_SMTP_MESSAGE_H
#define VIGIE_CONNECTOR_SMTP_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* RFC 5321: a path is at most 256 characters with its brackets. */
#define SMTP_ADDRESS_MAX 254
/* A subject made from the body: the first line, cut on a word to this
 * many characters, so that it reads whole on a phone's list. */
#define SMTP_SUBJECT_CHARS 64
#define SMTP_SUBJECT_SIZE  (SMTP_SUBJECT_CHARS * 4 + 8)
/* <key@domain> */
#define SMTP_MESSAGE_ID_SIZE 512

struct smtp_message_fields {
    const char *from;        /* as configured: "alerts@x" or "Vigie <alerts@x>" */
    const char *to;          /* an addr-spec */
    const char *reply_to;    /* an addr-spec; NULL or "": no Reply-To */
    const char *subject;     /* UTF-8; NULL or "": made from the body */
    const char *message_key; /* the outbox key, made into the Message-ID */
    const char *id_domain;   /* the Message-ID's right side */
    const char *body;        /* UTF-8 text, LF or CRLF lines */
    size_t body_length;
    time_t date;
};

/* The whole message, malloc'd, with its length; NULL with why in `why`
 * (a field is missing, too long, holds a line break, or memory is short). */
char *smtp_message_build(const struct smtp_message_fields *fields, size_t *length_out, char *why,
                         size_t why_size);

/* True when `address` is an addr-spec this connector sends to: one '@'
 * with something on both sides, printable ASCII without spaces, quotes,
 * brackets, commas or semicolons, at most SMTP_ADDRESS_MAX characters. */
bool smtp_address_valid(const char *address);
/* The address of a From setting ("Name <a@b>" or "a@b"); false when
 * there is none or it is not valid. */
bool smtp_address_of(const char *from, char *out, size_t size);
/* "<key@domain>", the key's characters outside RFC 5322's dot-atom made
 * into '-'; false when the key or domain is empty or it does not fit. */
bool smtp_message_id(const char *key, const char *domain, char *out, size_t size);
/* A subject from the body's first line (see SMTP_SUBJECT_CHARS), "…"
 * added when cut. */
void smtp_subject_of_body(const char *body, size_t length, char *out, size_t size);

#endif
