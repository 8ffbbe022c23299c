/* store_common.c: the small vocabulary every store file shares: error
 * messages, statement helpers, roles and the system actor. */
#include "server/store_engine.h"
#include "server/text_fast.h"
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- small helpers ---- */

void store_error_set(struct store_error *error, const char *format, ...)
{
    if (!error)
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(error->message, sizeof error->message, format, args);
    va_end(args);
}

int store_sql_error(sqlite3 *db, const char *what, struct store_error *error)
{
    store_error_set(error, "%s: %s", what, sqlite3_errmsg(db));
    log_error("store", "%s: %s", what, sqlite3_errmsg(db));
    return STORE_ERROR;
}

int store_exec(sqlite3 *db, const char *sql, struct store_error *error)
{
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK) {
        store_error_set(error, "%s", message ? message : "SQL failed");
        log_error("store", "exec failed: %s", message ? message : "?");
        sqlite3_free(message);
        return STORE_ERROR;
    }
    return STORE_OK;
}

void store_copy_text(char *dest, size_t size, const unsigned char *text)
{
    if (!text) {
        dest[0] = '\0';
        return;
    }
    text_copy(dest, size, (const char *)text);
}

int64_t store_claim_lease_ms(const struct store *store)
{
    return store->options.claim_lease_ms;
}

const char *role_name(enum role role)
{
    switch (role) {
    case ROLE_OPERATOR:
        return "operator";
    case ROLE_SUPERVISOR:
        return "supervisor";
    case ROLE_ADMIN:
        return "admin";
    }
    return "operator";
}

bool role_parse(const char *text, enum role *out)
{
    static const enum role roles[] = {ROLE_OPERATOR, ROLE_SUPERVISOR, ROLE_ADMIN};
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(text, role_name(roles[i])) == 0) {
            *out = roles[i];
            return true;
        }
    }
    return false;
}

void actor_system(struct actor *actor)
{
    memset(actor, 0, sizeof *actor);
    snprintf(actor->username, sizeof actor->username, "system");
    actor->role = ROLE_ADMIN;
}
