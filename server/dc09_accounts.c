/* dc09_accounts.c: a sorted, immutable table of account settings, swapped
 * whole on each reload (every 2 s), looked up by binary search under a
 * mutex held only for the copy. */
#include "server/dc09_accounts.h"
#include "server/store_accounts.h"
#include "server/text_fast.h"
#include "common/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DC09_ACCOUNTS_RELOAD_MS 2000

struct account_table {
    struct dc09_account *rows;
    size_t count, capacity;
};

struct dc09_accounts {
    struct store *store;
    pthread_mutex_t lock;
    pthread_cond_t stop_signal;
    struct account_table table;
    bool stopping;
    pthread_t thread;
};

static void collect(void *context, const struct account_settings *settings)
{
    struct account_table *table = context;
    if (table->count == table->capacity) {
        size_t capacity = table->capacity ? table->capacity * 2 : 64;
        struct dc09_account *grown = realloc(table->rows, capacity * sizeof *grown);
        if (!grown)
            return;
        table->rows = grown;
        table->capacity = capacity;
    }
    struct dc09_account *row = &table->rows[table->count];
    memset(row, 0, sizeof *row);
    snprintf(row->account, sizeof row->account, "%.16s", settings->account);
    row->has_key = settings->key_hex[0] && dc09_key_from_hex(settings->key_hex, &row->key);
    if (settings->key_hex[0] && !row->has_key)
        log_warn("dc09", "account %s: its key is not 32, 48 or 64 hex digits", settings->account);
    row->window_before_s = settings->window_before_s;
    row->window_after_s = settings->window_after_s;
    row->crc_form = settings->crc_binary ? DC09_CRC_BINARY : DC09_CRC_ASCII;
    table->count++;
}

static int compare_rows(const void *a, const void *b)
{
    return strcmp(((const struct dc09_account *)a)->account,
                  ((const struct dc09_account *)b)->account);
}

static void reload(struct dc09_accounts *accounts)
{
    struct account_table fresh = {0};
    struct store_error error = {{0}};
    if (store_accounts_list(accounts->store, collect, &fresh, &error) != STORE_OK) {
        log_error("dc09", "cannot reload accounts (keeping the last ones): %s", error.message);
        free(fresh.rows);
        return;
    }
    qsort(fresh.rows, fresh.count, sizeof *fresh.rows, compare_rows);
    pthread_mutex_lock(&accounts->lock);
    struct account_table old = accounts->table;
    accounts->table = fresh;
    pthread_mutex_unlock(&accounts->lock);
    /* Keys leave memory when they are no longer needed. */
    if (old.rows)
        memset(old.rows, 0, old.count * sizeof *old.rows);
    free(old.rows);
}

static void *reload_main(void *argument)
{
    struct dc09_accounts *accounts = argument;
    pthread_mutex_lock(&accounts->lock);
    while (!accounts->stopping) {
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        deadline.tv_sec += DC09_ACCOUNTS_RELOAD_MS / 1000;
        while (!accounts->stopping &&
               pthread_cond_timedwait(&accounts->stop_signal, &accounts->lock, &deadline) !=
                   ETIMEDOUT)
            ;
        if (accounts->stopping)
            break;
        pthread_mutex_unlock(&accounts->lock);
        reload(accounts);
        pthread_mutex_lock(&accounts->lock);
    }
    pthread_mutex_unlock(&accounts->lock);
    return NULL;
}

struct dc09_accounts *dc09_accounts_start(struct store *store)
{
    struct dc09_accounts *accounts = calloc(1, sizeof *accounts);
    if (!accounts)
        return NULL;
    accounts->store = store;
    pthread_mutex_init(&accounts->lock, NULL);
    pthread_cond_init(&accounts->stop_signal, NULL);
    reload(accounts);
    if (pthread_create(&accounts->thread, NULL, reload_main, accounts) != 0) {
        free(accounts->table.rows);
        free(accounts);
        return NULL;
    }
    return accounts;
}

bool dc09_accounts_find(struct dc09_accounts *accounts, const char *account,
                        struct dc09_account *out)
{
    struct dc09_account probe;
    text_copy(probe.account, sizeof probe.account < 17 ? sizeof probe.account : 17, account);
    pthread_mutex_lock(&accounts->lock);
    const struct dc09_account *row =
        accounts->table.count ? bsearch(&probe, accounts->table.rows, accounts->table.count,
                                        sizeof *accounts->table.rows, compare_rows)
                              : NULL;
    if (row)
        *out = *row;
    pthread_mutex_unlock(&accounts->lock);
    return row != NULL;
}

void dc09_accounts_stop(struct dc09_accounts *accounts)
{
    if (!accounts)
        return;
    pthread_mutex_lock(&accounts->lock);
    accounts->stopping = true;
    pthread_cond_signal(&accounts->stop_signal);
    pthread_mutex_unlock(&accounts->lock);
    pthread_join(accounts->thread, NULL);
    if (accounts->table.rows)
        memset(accounts->table.rows, 0, accounts->table.count * sizeof *accounts->table.rows);
    free(accounts->table.rows);
    pthread_mutex_destroy(&accounts->lock);
    pthread_cond_destroy(&accounts->stop_signal);
    free(accounts);
}
