/* voice_ack.c: the "received" reply of a voice key (see voice_ack.h).
 * Apart from the worker so that it includes only the replies' store. */
#include "server/voice_ack.h"
#include "server/store_massalert_replies.h"

int voice_ack_record(struct store *store, int64_t recipient_id, struct store_error *error)
{
    struct store_massalert_reply_result result;
    return store_massalert_reply_by_recipient(store, recipient_id, "voice",
                                              MASSALERT_REPLY_RECEIVED, "", &result, error);
}
