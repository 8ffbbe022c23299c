/* password.c: Argon2id from libargon2, randomness and SHA-256 from
 * OpenSSL's libcrypto. Nothing here logs a password or a token. */
#include "server/password.h"

#include <argon2.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#define PASSWORD_SALT_BYTES 16
#define PASSWORD_HASH_BYTES 32

bool password_hash(const char *password, const struct password_cost *cost,
                   char out[PASSWORD_HASH_MAX])
{
    unsigned char salt[PASSWORD_SALT_BYTES];
    if (RAND_bytes(salt, sizeof salt) != 1)
        return false;
    return argon2id_hash_encoded(cost->iterations, cost->memory_kib, 1, password, strlen(password),
                                 salt, sizeof salt, PASSWORD_HASH_BYTES, out,
                                 PASSWORD_HASH_MAX) == ARGON2_OK;
}

bool password_verify(const char *encoded_hash, const char *password)
{
    return argon2id_verify(encoded_hash, password, strlen(password)) == ARGON2_OK;
}

void password_verify_dummy(const char *password, const struct password_cost *cost)
{
    char unused[PASSWORD_HASH_MAX];
    password_hash(password, cost, unused);
}

static void hex_encode(const unsigned char *bytes, size_t count, char *out)
{
    for (size_t i = 0; i < count; i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

bool token_generate(char out[TOKEN_TEXT_SIZE])
{
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        return false;
    hex_encode(bytes, sizeof bytes, out);
    return true;
}

bool token_hash(const char *token, char out[TOKEN_HASH_SIZE])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(token, strlen(token), digest, &length, EVP_sha256(), NULL) != 1 || length != 32)
        return false;
    hex_encode(digest, length, out);
    return true;
}
