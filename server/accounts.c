/* accounts.c: the rules for a new account, in one place. */
#include "server/accounts.h"
#include "common/i18n.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

bool account_name_valid(const char *name)
{
    size_t length = strlen(name);
    if (length == 0 || length > ACCOUNT_NAME_MAX || !isalnum((unsigned char)name[0]))
        return false;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)name[i];
        if (!isalnum(c) && c != '.' && c != '_' && c != '-')
            return false;
    }
    return true;
}

int account_create(struct store *store, const struct actor *actor, const char *name,
                   const char *display_name, enum role role, const char *password,
                   const struct password_cost *cost, char *message, size_t message_size)
{
    if (!account_name_valid(name)) {
        snprintf(message, message_size,
                 _("user names are 1 to 63 letters, digits, '.', '_' or '-', starting with a "
                   "letter or digit"));
        return STORE_INVALID;
    }
    size_t length = strlen(password);
    if (length < ACCOUNT_PASSWORD_MIN || length > PASSWORD_MAX) {
        snprintf(message, message_size, _("a password has %d to %d characters"),
                 ACCOUNT_PASSWORD_MIN, PASSWORD_MAX);
        return STORE_INVALID;
    }
    char hash[PASSWORD_HASH_MAX];
    if (!password_hash(password, cost, hash)) {
        snprintf(message, message_size, _("cannot hash the password"));
        return STORE_ERROR;
    }
    struct store_error error = {{0}};
    int status =
        store_user_add(store, actor, name, display_name && *display_name ? display_name : name,
                       role, hash, NULL, &error);
    if (status != STORE_OK)
        snprintf(message, message_size, "%s", error.message);
    return status;
}
