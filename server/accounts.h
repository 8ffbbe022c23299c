/* accounts.h: creating user accounts, shared by `vigied user add` and
 * POST /v1/users so that both apply the same rules. */
#ifndef VIGIE_ACCOUNTS_H
#define VIGIE_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "server/password.h"
#include "server/store.h"

#define ACCOUNT_NAME_MAX     63
#define ACCOUNT_PASSWORD_MIN 8

/* Letters, digits, '.', '_' and '-', 1 to 63 of them, not starting with
 * a punctuation mark: names appear in logs, audit rows and screens. */
bool account_name_valid(const char *name);
/* Validates, hashes and stores; fills `message` with a readable reason. */
int account_create(struct store *store, const struct actor *actor, const char *name,
                   const char *display_name, enum role role, const char *password,
                   const struct password_cost *cost, char *message, size_t message_size);

#endif
