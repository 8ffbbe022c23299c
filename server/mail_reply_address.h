/* mail_reply_address.h: the Reply-To address of a mass-alert e-mail,
 * reply+<recipient id>.<token>@<mail_reply_domain>, and its check when a
 * reply comes back (vigied mail-in). The token is HMAC-SHA256 of the
 * recipient row's id under the setting mail_reply_secret, cut to 80 bits
 * and written in lower-case base32 (RFC 4648 alphabet, no padding): an
 * agent cannot turn its own address into another agent's, and lower case
 * survives the MTAs that fold the local part. Pure functions. */
#ifndef VIGIE_MAIL_REPLY_ADDRESS_H
#define VIGIE_MAIL_REPLY_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 80 bits of the HMAC: forging one address takes 2^80 guesses, each one
 * an e-mail; 16 base32 characters keep the address short. */
#define MAIL_REPLY_TOKEN_BYTES 10
#define MAIL_REPLY_TOKEN_CHARS 16
/* A secret shorter than this is refused by config_validate: it would be
 * guessed before the HMAC is. */
#define MAIL_REPLY_SECRET_MIN 16
/* An address is at most 254 characters (RFC 5321 path minus brackets). */
#define MAIL_REPLY_ADDRESS_SIZE 256

/* The token of recipient `recipient_id` (MAIL_REPLY_TOKEN_CHARS + 1
 * bytes); false when the secret is empty. */
bool mail_reply_token(const char *secret, int64_t recipient_id,
                      char out[MAIL_REPLY_TOKEN_CHARS + 1]);

/* reply+<id>.<token>@<domain> into `out`; false when the secret or the
 * domain is empty or the result does not fit. */
bool mail_reply_address_format(const char *secret, const char *domain, int64_t recipient_id,
                               char *out, size_t size);

enum mail_reply_check {
    MAIL_REPLY_VALID,    /* ours, and the token is the recipient's */
    MAIL_REPLY_NOT_OURS, /* not reply+<digits>.<token>@ the domain */
    MAIL_REPLY_FORGED,   /* the shape is ours but the token is wrong */
};

/* Checks an address (an addr-spec, without angle brackets; the domain is
 * compared without case). `domain` may be NULL or empty to accept any
 * domain (the MTA already routed it to us). On VALID the id is written. */
enum mail_reply_check mail_reply_address_check(const char *address, const char *secret,
                                               const char *domain, int64_t *recipient_id_out);

/* True when `text` has the shape reply+<digits>.<token>@something, before
 * any secret is known: how mail-in picks our address out of a header. */
bool mail_reply_address_looks_ours(const char *address);

#endif
