/* password.h: Argon2id password hashes (libargon2) and bearer tokens
 * (random from OpenSSL, stored only as their SHA-256). */
#ifndef VIGIE_PASSWORD_H
#define VIGIE_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PASSWORD_HASH_MAX 160
#define PASSWORD_MAX      256 /* longer input is refused, not truncated */
#define TOKEN_TEXT_SIZE   65  /* 32 random bytes in hex, plus NUL */
#define TOKEN_HASH_SIZE   65

struct password_cost {
    uint32_t memory_kib;
    uint32_t iterations;
};

bool password_hash(const char *password, const struct password_cost *cost,
                   char out[PASSWORD_HASH_MAX]);
bool password_verify(const char *encoded_hash, const char *password);
/* Spends the time of a verification without a real hash, so that an
 * unknown user name is not told apart by timing. */
void password_verify_dummy(const char *password, const struct password_cost *cost);

bool token_generate(char out[TOKEN_TEXT_SIZE]);
bool token_hash(const char *token, char out[TOKEN_HASH_SIZE]);

#endif
