/* dc09_build.c: writing DC-09 frames: events (what a panel or a simulator
 * sends) and the receiver's ACK, NAK and DUH, byte for byte as DC-09-2013
 * 5.5.3 shows them. A message is composed as text, then wrapped in LF, CRC,
 * length and CR. Fields are checked against the same grammar the parser
 * reads, so whatever is built parses back to the same fields. */
#include "server/dc09.h"
#include "server/text_fast.h"

#include <stdio.h>
#include <string.h>

#include "server/crc16.h"

/* The message between the header and the CR. */
#define MESSAGE_MAX (DC09_FRAME_MAX - DC09_HEADER_ASCII - 1)

static bool is_hex(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

static bool is_alnum(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_token_char(int c)
{
    return c >= 0x20 && c <= 0x7E && c != '"' && c != '*';
}

static bool is_data_char(int c)
{
    return c >= 0x20 && c <= 0x7E && c != '[' && c != ']';
}

/* size is the field's array size: the text must end within it. */
static bool valid_field(const char *text, size_t size, size_t min, bool (*allowed)(int))
{
    size_t len = strnlen(text, size);
    if (len == size || len < min)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!allowed((unsigned char)text[i]))
            return false;
    return true;
}

/* Zero or more "[...]" blocks, as the parser reads x-data. */
static bool valid_extended(const char *text)
{
    size_t len = strnlen(text, DC09_EXTENDED_SIZE);
    if (len == DC09_EXTENDED_SIZE)
        return false;
    for (size_t i = 0; i < len;) {
        if (text[i++] != '[')
            return false;
        size_t start = i;
        while (i < len && is_data_char((unsigned char)text[i]))
            i++;
        if (i == start || i == len || text[i++] != ']')
            return false;
    }
    return true;
}

static bool valid_event(const struct dc09_frame *event)
{
    if ((unsigned)event->token > DC09_OTHER || event->seq > DC09_SEQ_MAX)
        return false;
    if (event->token == DC09_OTHER &&
        !valid_field(event->token_text, DC09_TOKEN_SIZE, 1, is_token_char))
        return false;
    return valid_field(event->receiver, DC09_RECEIVER_SIZE, 0, is_hex) &&
           valid_field(event->line_prefix, DC09_PREFIX_SIZE, 0, is_hex) &&
           valid_field(event->account, DC09_ACCOUNT_SIZE, 0, is_alnum) &&
           valid_field(event->data, DC09_DATA_SIZE, 0, is_data_char) &&
           valid_extended(event->extended) && (event->has_timestamp || !event->encrypted);
}

/* Appends `text` whole; false when it does not fit (with its NUL). The
 * frames' hot path: no format to parse. */
static bool append_text(char *text, size_t cap, size_t *used, const char *part)
{
    size_t length = strlen(part);
    if (length >= cap - *used)
        return false;
    memcpy(text + *used, part, length + 1);
    *used += length;
    return true;
}

static void hex_digits(char *out, unsigned value, int width)
{
    static const char hex[] = "0123456789ABCDEF";
    for (int i = width - 1; i >= 0; i--) {
        out[i] = hex[value & 0xF];
        value >>= 4;
    }
}

/* LF crc 0LLL message CR. */
static size_t wrap(const char *message, size_t len, enum dc09_crc_form form, uint8_t *out,
                   size_t cap)
{
    size_t header = form == DC09_CRC_BINARY ? DC09_HEADER_BINARY : DC09_HEADER_ASCII;
    if (len > 0xFFF || header + len + 1 > DC09_FRAME_MAX || header + len + 1 > cap)
        return 0;
    uint16_t crc = crc16_arc((const uint8_t *)message, len);
    char field[10];
    out[0] = '\n';
    if (form == DC09_CRC_BINARY) {
        out[1] = (uint8_t)(crc >> 8);
        out[2] = (uint8_t)(crc & 0xFF);
        field[0] = '0';
        hex_digits(field + 1, (unsigned)len, 3);
        memcpy(out + 3, field, 4);
    } else {
        hex_digits(field, crc, 4);
        field[4] = '0';
        hex_digits(field + 5, (unsigned)len, 3);
        memcpy(out + 1, field, 8);
    }
    memcpy(out + header, message, len);
    out[header + len] = '\r';
    return header + len + 1;
}

/* "id"seq[Rrcvr][Lpref][#acct][ */
static bool compose_header(const struct dc09_frame *event, char *text, size_t cap, size_t *used)
{
    const char *token =
        event->token == DC09_OTHER ? event->token_text : dc09_token_name(event->token);
    char seq[5]; /* four digits: valid_event refused more than DC09_SEQ_MAX */
    text_digits(seq, event->seq, 4);
    seq[4] = '\0';
    return append_text(text, cap, used, event->encrypted ? "\"*" : "\"") &&
           append_text(text, cap, used, token) && append_text(text, cap, used, "\"") &&
           append_text(text, cap, used, seq) &&
           (!event->receiver[0] ||
            (append_text(text, cap, used, "R") && append_text(text, cap, used, event->receiver))) &&
           (!event->line_prefix[0] || (append_text(text, cap, used, "L") &&
                                       append_text(text, cap, used, event->line_prefix))) &&
           (!event->account[0] ||
            (append_text(text, cap, used, "#") && append_text(text, cap, used, event->account))) &&
           append_text(text, cap, used, "[");
}

size_t dc09_build_event(const struct dc09_frame *event, const struct dc09_key *key_or_null,
                        uint8_t *out, size_t cap)
{
    if (!valid_event(event) || (event->encrypted && key_or_null == NULL))
        return 0;
    char message[MESSAGE_MAX + 1], content[MESSAGE_MAX + 1];
    size_t used = 0, content_len = 0;
    if (!compose_header(event, message, sizeof message, &used) ||
        !append_text(content, sizeof content, &content_len, event->data) ||
        !append_text(content, sizeof content, &content_len, "]") ||
        !append_text(content, sizeof content, &content_len, event->extended))
        return 0;
    if (event->has_timestamp) {
        char stamp[DC09_TIMESTAMP_SIZE];
        dc09_timestamp_format(event->timestamp_ms, stamp);
        if (!append_text(content, sizeof content, &content_len, "_") ||
            !append_text(content, sizeof content, &content_len, stamp))
            return 0;
    }
    if (!event->encrypted) {
        if (!append_text(message, sizeof message, &used, content))
            return 0;
    } else {
        size_t hex =
            dc09_encrypt(key_or_null, content, content_len, message + used, sizeof message - used);
        if (hex == 0)
            return 0;
        used += hex;
    }
    return wrap(message, used, event->crc_form, out, cap);
}

/* The answer's fields: the request's seq, receiver, prefix and account. */
static void answer_to(const struct dc09_frame *request, enum dc09_token token,
                      enum dc09_crc_form crc_form, struct dc09_frame *answer)
{
    memset(answer, 0, sizeof *answer);
    answer->token = token;
    answer->seq = request->seq;
    memcpy(answer->receiver, request->receiver, sizeof answer->receiver);
    memcpy(answer->line_prefix, request->line_prefix, sizeof answer->line_prefix);
    memcpy(answer->account, request->account, sizeof answer->account);
    answer->crc_form = crc_form;
}

size_t dc09_build_ack(const struct dc09_frame *request, const struct dc09_key *key_or_null,
                      int64_t now_ms, enum dc09_crc_form crc_form, uint8_t *out, size_t cap)
{
    struct dc09_frame ack;
    answer_to(request, DC09_ACK, crc_form, &ack);
    if (request->encrypted) {
        ack.encrypted = true;
        ack.has_timestamp = true;
        ack.timestamp_ms = now_ms;
    }
    return dc09_build_event(&ack, request->encrypted ? key_or_null : NULL, out, cap);
}

size_t dc09_build_nak(int64_t now_ms, enum dc09_crc_form crc_form, uint8_t *out, size_t cap)
{
    char stamp[DC09_TIMESTAMP_SIZE], message[64];
    dc09_timestamp_format(now_ms, stamp);
    int len = snprintf(message, sizeof message, "\"NAK\"0000R0L0A0[]_%s", stamp);
    if (len < 0 || (size_t)len >= sizeof message)
        return 0;
    return wrap(message, (size_t)len, crc_form, out, cap);
}

size_t dc09_build_duh(const struct dc09_frame *request, enum dc09_crc_form crc_form, uint8_t *out,
                      size_t cap)
{
    struct dc09_frame duh;
    answer_to(request, DC09_DUH, crc_form, &duh);
    return dc09_build_event(&duh, NULL, out, cap);
}
