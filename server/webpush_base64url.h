/* webpush_base64url.h: base64url (RFC 4648 section 5), the alphabet every
 * Web Push value travels in: subscription keys, the VAPID token and key,
 * the RFC test vectors. We write it without padding, as RFC 7515 and the
 * browsers do; we read it without padding, and also with correct
 * trailing '=' padding since some tools add it, but nothing else: no
 * '+', '/', spaces or stray bits, so one value has one spelling. */
#ifndef VIGIE_WEBPUSH_BASE64URL_H
#define VIGIE_WEBPUSH_BASE64URL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Characters (without the terminating NUL) that `len` bytes encode to. */
#define WEBPUSH_BASE64URL_LEN(len) (((len) / 3) * 4 + ((len) % 3 ? (len) % 3 + 1 : 0))

/* Writes `len` bytes as base64url and a NUL into out; false when out
 * (out_size bytes, NUL included) is too small. */
bool webpush_base64url_encode(const uint8_t *bytes, size_t len, char *out, size_t out_size);

/* Reads `text_len` characters of base64url into out (out_cap bytes);
 * false for a character outside the alphabet, a length no encoding has,
 * non-zero unused bits, misplaced padding, or more bytes than out_cap. */
bool webpush_base64url_decode(const char *text, size_t text_len, uint8_t *out, size_t out_cap,
                              size_t *out_len);

#endif
