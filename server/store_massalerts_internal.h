/* store_massalerts_internal.h: what the store_massalert*.c files share. */
#ifndef VIGIE_STORE_MASSALERTS_INTERNAL_H
#define VIGIE_STORE_MASSALERTS_INTERNAL_H

#include <stdint.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

/* {"sms":{"queued":N,"sent":N,"delivered":N,"failed":N,"replied":N},...,
 * "total":{...}} from the trigger-kept massalert_counts. */
cJSON *store_massalert_counts_json(sqlite3 *db, int64_t alert_id);

#endif
