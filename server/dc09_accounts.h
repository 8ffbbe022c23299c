/* dc09_accounts.h: what the receiver must know of an account before it can
 * read a frame (its key, timestamp window, CRC form), kept in memory and
 * reloaded from the store every few seconds by a thread of its own, so
 * that the receiver's loop never waits for the disk. */
#ifndef VIGIE_DC09_ACCOUNTS_H
#define VIGIE_DC09_ACCOUNTS_H

#include <stdbool.h>

#include "server/dc09.h"
#include "server/store.h"

struct dc09_account {
    char account[DC09_ACCOUNT_SIZE];
    bool has_key;
    struct dc09_key key;
    int window_before_s, window_after_s;
    enum dc09_crc_form crc_form;
};

struct dc09_accounts;

struct dc09_accounts *dc09_accounts_start(struct store *store);
/* Copies the account's settings; false when the centre does not know it. */
bool dc09_accounts_find(struct dc09_accounts *accounts, const char *account,
                        struct dc09_account *out);
void dc09_accounts_stop(struct dc09_accounts *accounts);

#endif
