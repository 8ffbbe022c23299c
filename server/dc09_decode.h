/* dc09_decode.h: turns a parsed DC-09 frame into the ingest message the
 * store records: each Contact ID or SIA DC-03 event looked up in the event
 * code table. Pure: no sockets, no store. A data block that cannot be read
 * still becomes one alarm of class unknown, so nothing a panel sends is
 * lost. */
#ifndef VIGIE_DC09_DECODE_H
#define VIGIE_DC09_DECODE_H

#include <stddef.h>

#include "server/dc09.h"
#include "server/event_codes.h"
#include "server/ingest.h"

enum label_language { LABEL_ENGLISH, LABEL_FRENCH };

/* Fills `message` (source, account, seq, digest, events, raw) from `frame`
 * received as `raw` bytes. Returns the number of events. */
int dc09_decode(const struct dc09_frame *frame, const uint8_t *raw, size_t raw_length,
                const struct event_code_table *codes, enum label_language language,
                struct ingest_message *message);

/* SHA-256 (hex) of what a message says, as a retransmission check: token,
 * data and extended data, not the pad or encryption. */
void dc09_digest(const struct dc09_frame *frame, char out[INGEST_DIGEST_SIZE]);

#endif
