/* sse.h: a Server-Sent Events parser (WHATWG HTML, section 9.2) that turns
 * bytes, in whatever pieces the network delivers them, into events. Pure:
 * no I/O and no allocation after sse_parser_new. Lines and an event's data
 * are bounded; an event with a line or data beyond the bound is dropped
 * whole (never delivered cut), and the parser goes on with the next one. */
#ifndef VIGIE_CONSOLE_SSE_H
#define VIGIE_CONSOLE_SSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An alarm summary is a few KiB of JSON at most (its longest strings are
 * bounded by the API); 64 KiB leaves room for escaping and later fields. */
#define SSE_LINE_MAX (64 * 1024)
#define SSE_DATA_MAX (64 * 1024)
/* Event names ("alarm", "heartbeat") and ids (decimal sequences) are short. */
#define SSE_TYPE_MAX 64
#define SSE_ID_MAX   64

struct sse_message {
    const char *type; /* "message" when the event named none */
    const char *data; /* data: lines joined with \n, NUL-terminated */
    size_t data_length;
    const char *id; /* the last event ID in effect ("" when none yet) */
    bool has_id;    /* this event itself carried an id: line */
};

/* Called once per complete event; it must not feed or reset the parser. */
typedef void (*sse_message_fn)(void *context, const struct sse_message *message);

struct sse_parser;

/* NULL when out of memory. */
struct sse_parser *sse_parser_new(sse_message_fn on_message, void *context);
void sse_parser_free(struct sse_parser *parser);
/* Forgets everything (a new connection): partial line, event, last id. */
void sse_parser_reset(struct sse_parser *parser);
/* Any number of bytes, any chunking; lines end with CRLF, LF or CR. */
void sse_parser_feed(struct sse_parser *parser, const char *bytes, size_t length);

/* The last event ID set by an id: line ("" when none). */
const char *sse_parser_last_id(const struct sse_parser *parser);
/* The reconnection time of the last valid retry: line; -1 when none. */
int64_t sse_parser_retry_ms(const struct sse_parser *parser);
/* Events dropped because a line, the data, the type or the id was too long. */
size_t sse_parser_dropped(const struct sse_parser *parser);

#endif
