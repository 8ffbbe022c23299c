/* massalert_token.h: an agent's reply link. Each recipient of a mass
 * alert gets a token of 32 random bytes (OpenSSL's RAND_bytes) written in
 * base64url without padding (43 characters, safe in a URL and an SMS);
 * the store keeps only the SHA-256 of that text, in hex, so that a copy
 * of the database lets nobody answer in an agent's name. The link is
 * <public_url>/r/<token>. */
#ifndef VIGIE_MASSALERT_TOKEN_H
#define VIGIE_MASSALERT_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define MASSALERT_TOKEN_BYTES 32
#define MASSALERT_TOKEN_SIZE  44 /* 43 characters and the NUL */
#define MASSALERT_HASH_SIZE   65 /* SHA-256 in hex and the NUL */

/* A new token and its hash; false when the random source fails. */
bool massalert_token_new(char token[MASSALERT_TOKEN_SIZE], char hash[MASSALERT_HASH_SIZE]);
/* The hash a token is stored under (what a reply page looks up). */
bool massalert_token_hash(const char *token, char hash[MASSALERT_HASH_SIZE]);
/* "<public_url>/r/<token>" (one trailing slash of the base dropped);
 * false when it does not fit. */
bool massalert_reply_link(const char *public_url, const char *token, char *out, size_t size);
/* What an agent receives: the message with each {reply} replaced by the
 * link, or (none) followed by a space and the link; false when it does
 * not fit. */
bool massalert_body(const char *message, const char *link, char *out, size_t size);

#endif
