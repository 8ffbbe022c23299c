/* store_outbox_voice.c: the mass alert behind a voice call (see
 * store_outbox_voice.h). One read on the read pool. */
#include "server/store_outbox_voice.h"
#include "server/store_internal.h"

#include <string.h>

int store_outbox_voice_call(struct store *store, int64_t outbox_id,
                            struct store_outbox_voice_call *out, struct store_error *error)
{
    memset(out, 0, sizeof *out);
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_OK;
    if (sqlite3_prepare_v2(db,
                           "SELECT COALESCE(r.alert_id,0), COALESCE(r.id,0), m.language"
                           " FROM outbox o LEFT JOIN massalert_recipients r"
                           " ON o.kind = 'massalert' AND r.id = o.owner_id"
                           " LEFT JOIN massalerts m ON m.id = r.alert_id WHERE o.id = ?",
                           -1, &st, NULL) != SQLITE_OK) {
        status = store_sql_error(db, "reading a voice call's alert", error);
    } else {
        sqlite3_bind_int64(st, 1, outbox_id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            out->alert_id = sqlite3_column_int64(st, 0);
            out->recipient_id = sqlite3_column_int64(st, 1);
            store_copy_text(out->language, sizeof out->language, sqlite3_column_text(st, 2));
        } else if (rc == SQLITE_DONE) {
            store_error_set(error, "no such outbox message");
            status = STORE_NOT_FOUND;
        } else {
            status = store_sql_error(db, "reading a voice call's alert", error);
        }
    }
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}
