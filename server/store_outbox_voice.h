/* store_outbox_voice.h: what the voice worker reads about a call it was
 * handed: the mass alert and recipient behind an outbox row, and the
 * alert's language (the voice speaks it). */
#ifndef VIGIE_STORE_OUTBOX_VOICE_H
#define VIGIE_STORE_OUTBOX_VOICE_H

#include <stdint.h>

#include "server/store.h"

#define STORE_VOICE_LANGUAGE_SIZE 8

struct store_outbox_voice_call {
    int64_t alert_id, recipient_id;           /* 0: the row is not a mass alert's */
    char language[STORE_VOICE_LANGUAGE_SIZE]; /* "fr", "en"; "" when unknown */
};

/* STORE_NOT_FOUND when no outbox row has that id. */
int store_outbox_voice_call(struct store *store, int64_t outbox_id,
                            struct store_outbox_voice_call *out, struct store_error *error);

#endif
