/* sse.c: the Server-Sent Events parser. Bytes are cut into lines (CRLF, LF
 * or CR, a CRLF possibly split between two chunks); each line is a field
 * of the event being built, a comment, or the empty line that dispatches
 * it, as the WHATWG algorithm says. */
#include "console/sse.h"

#include <stdlib.h>
#include <string.h>

struct sse_parser {
    sse_message_fn on_message;
    void *context;
    char line[SSE_LINE_MAX + 1];
    size_t line_length;
    bool line_too_long; /* the current line is being skipped */
    bool long_comment;  /* ...and it is a comment, which harms no event */
    bool after_cr;      /* a CR ended the last line: a LF next is its end too */
    bool first_line;    /* a byte order mark may open the stream */
    char data[SSE_DATA_MAX + 1];
    size_t data_length;
    char type[SSE_TYPE_MAX];
    char id[SSE_ID_MAX]; /* the last event ID buffer */
    bool event_has_id;   /* the current event carried an id: line */
    bool event_broken;   /* something of the current event was too long */
    int64_t retry_ms;
    size_t dropped;
};

struct sse_parser *sse_parser_new(sse_message_fn on_message, void *context)
{
    struct sse_parser *parser = malloc(sizeof *parser);
    if (!parser)
        return NULL;
    parser->on_message = on_message;
    parser->context = context;
    sse_parser_reset(parser);
    return parser;
}

void sse_parser_free(struct sse_parser *parser)
{
    free(parser);
}

static void event_reset(struct sse_parser *parser)
{
    parser->data_length = 0;
    parser->data[0] = '\0';
    parser->type[0] = '\0';
    parser->event_has_id = false;
    parser->event_broken = false;
}

void sse_parser_reset(struct sse_parser *parser)
{
    parser->line_length = 0;
    parser->line_too_long = false;
    parser->long_comment = false;
    parser->after_cr = false;
    parser->first_line = true;
    parser->id[0] = '\0';
    parser->retry_ms = -1;
    parser->dropped = 0;
    event_reset(parser);
}

static void dispatch(struct sse_parser *parser)
{
    if (parser->event_broken) {
        parser->dropped++;
        event_reset(parser);
        return;
    }
    /* An event without data (an id: alone, say) only moves the last id. */
    if (parser->data_length == 0) {
        event_reset(parser);
        return;
    }
    parser->data[--parser->data_length] = '\0'; /* the last line's \n */
    struct sse_message message = {
        .type = parser->type[0] ? parser->type : "message",
        .data = parser->data,
        .data_length = parser->data_length,
        .id = parser->id,
        .has_id = parser->event_has_id,
    };
    if (parser->on_message)
        parser->on_message(parser->context, &message);
    event_reset(parser);
}

static bool field_is(const char *field, size_t length, const char *name)
{
    return strlen(name) == length && memcmp(field, name, length) == 0;
}

static void take_data(struct sse_parser *parser, const char *value, size_t length)
{
    if (parser->data_length + length + 1 > SSE_DATA_MAX) {
        parser->event_broken = true;
        return;
    }
    memcpy(parser->data + parser->data_length, value, length);
    parser->data_length += length;
    parser->data[parser->data_length++] = '\n';
    parser->data[parser->data_length] = '\0';
}

/* Copies a field value into a small buffer; false when it does not fit. */
static bool take_short(char *out, size_t size, const char *value, size_t length)
{
    if (length >= size || memchr(value, '\0', length))
        return false;
    memcpy(out, value, length);
    out[length] = '\0';
    return true;
}

static void take_retry(struct sse_parser *parser, const char *value, size_t length)
{
    /* Only ASCII digits count; ten of them already exceed any sane wait. */
    if (length == 0 || length > 10)
        return;
    int64_t ms = 0;
    for (size_t i = 0; i < length; i++) {
        if (value[i] < '0' || value[i] > '9')
            return;
        ms = ms * 10 + (value[i] - '0');
    }
    parser->retry_ms = ms;
}

static void process_line(struct sse_parser *parser, const char *line, size_t length)
{
    if (length == 0) {
        dispatch(parser);
        return;
    }
    if (line[0] == ':')
        return; /* a comment */
    const char *colon = memchr(line, ':', length);
    size_t field_length = colon ? (size_t)(colon - line) : length;
    const char *value = colon ? colon + 1 : line + length;
    size_t value_length = length - field_length - (colon ? 1 : 0);
    if (value_length > 0 && value[0] == ' ') {
        value++;
        value_length--;
    }
    if (field_is(line, field_length, "data")) {
        take_data(parser, value, value_length);
    } else if (field_is(line, field_length, "event")) {
        if (!take_short(parser->type, sizeof parser->type, value, value_length))
            parser->event_broken = true;
    } else if (field_is(line, field_length, "id")) {
        /* The spec ignores an id holding NUL; an overlong one breaks the
         * event, since a wrong resume point would be worse than none. */
        if (memchr(value, '\0', value_length))
            return;
        if (take_short(parser->id, sizeof parser->id, value, value_length))
            parser->event_has_id = true;
        else
            parser->event_broken = true;
    } else if (field_is(line, field_length, "retry")) {
        take_retry(parser, value, value_length);
    }
    /* Other fields are ignored, as the spec says. */
}

static void end_line(struct sse_parser *parser)
{
    if (parser->line_too_long) {
        parser->line_too_long = false;
        parser->line_length = 0;
        parser->first_line = false;
        if (!parser->long_comment)
            parser->event_broken = true;
        return;
    }
    const char *line = parser->line;
    size_t length = parser->line_length;
    if (parser->first_line && length >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
        line += 3;
        length -= 3;
    }
    parser->first_line = false;
    parser->line_length = 0;
    process_line(parser, line, length);
}

static void append_line(struct sse_parser *parser, const char *bytes, size_t length)
{
    if (parser->line_too_long || length == 0)
        return;
    if (parser->line_length + length > SSE_LINE_MAX) {
        parser->line_too_long = true;
        parser->long_comment = (parser->line_length ? parser->line[0] : bytes[0]) == ':';
        return;
    }
    memcpy(parser->line + parser->line_length, bytes, length);
    parser->line_length += length;
}

void sse_parser_feed(struct sse_parser *parser, const char *bytes, size_t length)
{
    size_t at = 0;
    while (at < length) {
        if (parser->after_cr) {
            parser->after_cr = false;
            if (bytes[at] == '\n') {
                at++;
                continue;
            }
        }
        size_t run = 0;
        while (at + run < length && bytes[at + run] != '\n' && bytes[at + run] != '\r')
            run++;
        append_line(parser, bytes + at, run);
        at += run;
        if (at < length) {
            parser->after_cr = bytes[at] == '\r';
            at++;
            end_line(parser);
        }
    }
}

const char *sse_parser_last_id(const struct sse_parser *parser)
{
    return parser->id;
}

int64_t sse_parser_retry_ms(const struct sse_parser *parser)
{
    return parser->retry_ms;
}

size_t sse_parser_dropped(const struct sse_parser *parser)
{
    return parser->dropped;
}
