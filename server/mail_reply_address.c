/* mail_reply_address.c: reply+<id>.<token>@domain (see mail_reply_address.h). */
#include "server/mail_reply_address.h"

#include <ctype.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define MAIL_REPLY_PREFIX "reply+"
/* A recipient id in decimal: 19 digits hold any int64. */
#define MAIL_REPLY_ID_DIGITS_MAX 19

/* The HMAC's message names its purpose, so that the same secret could
 * never sign something else that looks like an id. */
#define MAIL_REPLY_CONTEXT "vigie-mail-reply:"

bool mail_reply_token(const char *secret, int64_t recipient_id,
                      char out[MAIL_REPLY_TOKEN_CHARS + 1])
{
    out[0] = '\0';
    if (!secret || !secret[0] || recipient_id <= 0)
        return false;
    char message[64];
    int length = snprintf(message, sizeof message, MAIL_REPLY_CONTEXT "%" PRId64, recipient_id);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    if (!HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)message,
              (size_t)length, digest, &digest_length))
        return false;
    /* 10 bytes are 80 bits: exactly 16 base32 characters of 5 bits. */
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    uint64_t bits = 0;
    int held = 0, used = 0;
    for (int i = 0; i < MAIL_REPLY_TOKEN_BYTES; i++) {
        bits = (bits << 8) | digest[i];
        held += 8;
        while (held >= 5) {
            out[used++] = alphabet[(bits >> (held - 5)) & 31];
            held -= 5;
        }
    }
    out[used] = '\0';
    return used == MAIL_REPLY_TOKEN_CHARS;
}

bool mail_reply_address_format(const char *secret, const char *domain, int64_t recipient_id,
                               char *out, size_t size)
{
    char token[MAIL_REPLY_TOKEN_CHARS + 1];
    if (!domain || !domain[0] || !mail_reply_token(secret, recipient_id, token))
        return false;
    int length =
        snprintf(out, size, MAIL_REPLY_PREFIX "%" PRId64 ".%s@%s", recipient_id, token, domain);
    return length > 0 && (size_t)length < size;
}

/* Splits reply+<digits>.<token>@domain; false when it has another shape. */
static bool split(const char *address, int64_t *id_out, char token[MAIL_REPLY_TOKEN_CHARS + 1],
                  const char **domain_out)
{
    if (!address || strncasecmp(address, MAIL_REPLY_PREFIX, strlen(MAIL_REPLY_PREFIX)) != 0)
        return false;
    const char *p = address + strlen(MAIL_REPLY_PREFIX);
    int64_t id = 0;
    int digits = 0;
    while (isdigit((unsigned char)*p) && digits < MAIL_REPLY_ID_DIGITS_MAX) {
        id = id * 10 + (*p++ - '0');
        digits++;
    }
    if (digits == 0 || id <= 0 || *p++ != '.')
        return false;
    int length = 0;
    while (isalnum((unsigned char)*p) && length < MAIL_REPLY_TOKEN_CHARS)
        token[length++] = (char)tolower((unsigned char)*p++);
    token[length] = '\0';
    if (length != MAIL_REPLY_TOKEN_CHARS || *p != '@' || p[1] == '\0')
        return false;
    *id_out = id;
    *domain_out = p + 1;
    return true;
}

bool mail_reply_address_looks_ours(const char *address)
{
    int64_t id;
    char token[MAIL_REPLY_TOKEN_CHARS + 1];
    const char *domain;
    return split(address, &id, token, &domain);
}

enum mail_reply_check mail_reply_address_check(const char *address, const char *secret,
                                               const char *domain, int64_t *recipient_id_out)
{
    int64_t id;
    char given[MAIL_REPLY_TOKEN_CHARS + 1], expected[MAIL_REPLY_TOKEN_CHARS + 1];
    const char *address_domain;
    if (!split(address, &id, given, &address_domain))
        return MAIL_REPLY_NOT_OURS;
    if (domain && domain[0] && strcasecmp(address_domain, domain) != 0)
        return MAIL_REPLY_NOT_OURS;
    if (!mail_reply_token(secret, id, expected) ||
        CRYPTO_memcmp(given, expected, MAIL_REPLY_TOKEN_CHARS) != 0)
        return MAIL_REPLY_FORGED;
    *recipient_id_out = id;
    return MAIL_REPLY_VALID;
}
