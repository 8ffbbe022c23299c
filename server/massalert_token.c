/* massalert_token.c: reply-link tokens (see massalert_token.h). */
#include "server/massalert_token.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

static void base64url(const unsigned char *bytes, size_t count, char *out)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t used = 0;
    unsigned value = 0;
    int bits = 0;
    for (size_t i = 0; i < count; i++) {
        value = (value << 8) | bytes[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out[used++] = alphabet[(value >> bits) & 63];
        }
    }
    if (bits > 0)
        out[used++] = alphabet[(value << (6 - bits)) & 63];
    out[used] = '\0';
}

bool massalert_token_hash(const char *token, char hash[MASSALERT_HASH_SIZE])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!token || EVP_Digest(token, strlen(token), digest, &length, EVP_sha256(), NULL) != 1 ||
        length != 32)
        return false;
    for (unsigned i = 0; i < length; i++)
        snprintf(hash + 2 * i, 3, "%02x", digest[i]);
    return true;
}

bool massalert_token_new(char token[MASSALERT_TOKEN_SIZE], char hash[MASSALERT_HASH_SIZE])
{
    unsigned char bytes[MASSALERT_TOKEN_BYTES];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        return false;
    base64url(bytes, sizeof bytes, token);
    return massalert_token_hash(token, hash);
}

bool massalert_reply_link(const char *public_url, const char *token, char *out, size_t size)
{
    size_t base = strlen(public_url);
    if (base > 0 && public_url[base - 1] == '/')
        base--;
    int written = snprintf(out, size, "%.*s/r/%s", (int)base, public_url, token);
    return written > 0 && (size_t)written < size;
}

bool massalert_body(const char *message, const char *link, char *out, size_t size)
{
    static const char placeholder[] = "{reply}";
    const size_t placeholder_length = sizeof placeholder - 1, link_length = strlen(link);
    size_t used = 0;
    bool placed = false;
    for (const char *p = message; *p;) {
        const char *next = strstr(p, placeholder);
        size_t plain = next ? (size_t)(next - p) : strlen(p);
        if (used + plain >= size)
            return false;
        memcpy(out + used, p, plain);
        used += plain;
        p += plain;
        if (!next)
            break;
        if (used + link_length >= size)
            return false;
        memcpy(out + used, link, link_length);
        used += link_length;
        p += placeholder_length;
        placed = true;
    }
    out[used] = '\0';
    if (placed)
        return used < size;
    /* A text without {reply} gets the link at its end. */
    int written = snprintf(out + used, size - used, " %s", link);
    return written > 0 && (size_t)written < size - used;
}
