/* dc09_frame.c: reading DC-09 frames: framing of a byte stream, parsing of
 * one frame (CRC, length, header fields, decryption, data, x-data and
 * timestamp), the timestamp window, and what each outcome is answered. The
 * frame layout is in dc09.h. Every read is bounded by the frame's length;
 * nothing here assumes a NUL. */
#include "server/dc09.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "common/i18n.h"
#include "server/crc16.h"

#define LF '\n'
#define CR '\r'
/* The smallest frame: LF bb 0LLL "X"0000[] CR (binary CRC, 1-letter token). */
#define FRAME_MIN (DC09_HEADER_BINARY + 9 + 1)

_Static_assert(DC09_HEADER_ASCII + 18 + 4 + 7 + 7 + 17 + 1 +
                       2 * ((16 + 1 + DC09_DATA_SIZE + DC09_EXTENDED_SIZE + 20 + 15) / 16 * 16) +
                       1 <=
                   DC09_FRAME_MAX,
               "DC09_FRAME_MAX must hold the largest frame whose fields fit their bounds");

enum header_form { FORM_NONE, FORM_MAYBE, FORM_ASCII, FORM_BINARY };

static bool is_hex(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(int c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_printable(int c)
{
    return c >= 0x20 && c <= 0x7E;
}

static unsigned hex_digit(int c)
{
    if (is_digit(c))
        return (unsigned)(c - '0');
    return (unsigned)((c | 0x20) - 'a' + 10);
}

/* Which CRC form a header has, given the avail bytes from its LF: ASCII is
 * LF hhhh 0LLL '"', binary LF bb 0LLL '"'. With 8 bytes at most one form is
 * still possible (the '"' of the binary form is a hex digit of the ASCII
 * one); FORM_MAYBE means "not enough bytes yet to tell". */
static enum header_form header_form(const uint8_t *p, size_t avail)
{
    bool ascii = true, binary = true;
    for (size_t i = 1; i < avail && i < DC09_HEADER_ASCII + 1; i++) {
        int c = p[i];
        if (i == 5)
            ascii = ascii && c == '0';
        else if (i == 9)
            ascii = ascii && c == '"';
        else
            ascii = ascii && is_hex(c);
        if (i == 3)
            binary = binary && c == '0';
        else if (i >= 4 && i <= 6)
            binary = binary && is_hex(c);
        else if (i == 7)
            binary = binary && c == '"';
    }
    if (!ascii && !binary)
        return FORM_NONE;
    if (ascii && avail >= DC09_HEADER_ASCII + 1)
        return FORM_ASCII;
    if (binary && !ascii && avail >= DC09_HEADER_BINARY + 1)
        return FORM_BINARY;
    return FORM_MAYBE;
}

/* The three hex digits after the '0' of 0LLL. */
static size_t length_field(const uint8_t *lll)
{
    return hex_digit(lll[0]) << 8 | hex_digit(lll[1]) << 4 | hex_digit(lll[2]);
}

/* Some panels write the length in decimal ("0047" for 47 bytes; seen in
 * pysiaalarm's test cases). Read that way when all three are digits. */
static bool length_field_decimal(const uint8_t *lll, size_t *value)
{
    if (!is_digit(lll[0]) || !is_digit(lll[1]) || !is_digit(lll[2]))
        return false;
    *value = (size_t)((lll[0] - '0') * 100 + (lll[1] - '0') * 10 + (lll[2] - '0'));
    return true;
}

static size_t header_size(enum header_form form)
{
    return form == FORM_ASCII ? DC09_HEADER_ASCII : DC09_HEADER_BINARY;
}

/* The smallest message length the length field may mean. */
static size_t declared_length_min(const uint8_t *p, enum header_form form)
{
    const uint8_t *lll = p + header_size(form) - 3;
    size_t hex = length_field(lll), decimal;
    if (form == FORM_ASCII && length_field_decimal(lll, &decimal) && decimal < hex)
        return decimal;
    return hex;
}

/* The candidate frame at p (avail bytes, p[0] is LF). Returns FIND_FRAME with
 * *len, FIND_NEED_MORE, FIND_TOO_LONG, or FIND_GARBAGE when p is no frame. */
static enum dc09_find candidate(const uint8_t *p, size_t avail, size_t *len)
{
    enum header_form form = header_form(p, avail);
    if (form == FORM_NONE)
        return DC09_FIND_GARBAGE;
    if (form == FORM_MAYBE)
        return DC09_FIND_NEED_MORE;
    size_t header = header_size(form);
    if (header + declared_length_min(p, form) + 1 > DC09_FRAME_MAX)
        return DC09_FIND_TOO_LONG;
    if (form == FORM_BINARY) {
        /* After the CRC bytes all is text: a CR or LF before the end the
         * length announces means a cut frame, so do not wait for the rest. */
        size_t total = header + length_field(p + 4) + 1;
        for (size_t i = header + 1; i < avail && i < total - 1; i++)
            if (p[i] == CR || p[i] == LF)
                return DC09_FIND_GARBAGE;
        if (avail < total)
            return DC09_FIND_NEED_MORE;
        if (p[total - 1] != CR)
            return DC09_FIND_GARBAGE;
        *len = total;
        return DC09_FIND_FRAME;
    }
    size_t limit = avail < DC09_FRAME_MAX ? avail : DC09_FRAME_MAX;
    for (size_t i = header + 1; i < limit; i++) {
        if (p[i] == CR) {
            *len = i + 1;
            return DC09_FIND_FRAME;
        }
        if (p[i] == LF) /* a cut frame followed by the next one */
            return DC09_FIND_GARBAGE;
    }
    return avail >= DC09_FRAME_MAX ? DC09_FIND_TOO_LONG : DC09_FIND_NEED_MORE;
}

enum dc09_find dc09_frame_find(const uint8_t *buf, size_t len, size_t *frame_start,
                               size_t *frame_len)
{
    *frame_start = 0;
    *frame_len = 0;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != LF)
            continue;
        size_t found = 0;
        switch (candidate(buf + i, len - i, &found)) {
        case DC09_FIND_FRAME:
            *frame_start = i;
            *frame_len = found;
            return DC09_FIND_FRAME;
        case DC09_FIND_NEED_MORE:
            if (i == 0)
                return DC09_FIND_NEED_MORE;
            *frame_len = i;
            return DC09_FIND_GARBAGE;
        case DC09_FIND_TOO_LONG:
            *frame_len = i + 1;
            return DC09_FIND_TOO_LONG;
        case DC09_FIND_GARBAGE:
            break;
        }
    }
    if (len == 0)
        return DC09_FIND_NEED_MORE;
    *frame_len = len;
    return DC09_FIND_GARBAGE;
}

static enum dc09_status fail(struct dc09_error *err, enum dc09_status status, const char *format,
                             ...) __attribute__((format(printf, 3, 4)));

static enum dc09_status fail(struct dc09_error *err, enum dc09_status status, const char *format,
                             ...)
{
    if (err != NULL) {
        va_list args;
        va_start(args, format);
        vsnprintf(err->message, sizeof err->message, format, args);
        va_end(args);
    }
    return status;
}

/* A cursor over the message: [p, end). */
struct cursor {
    const uint8_t *p, *end;
};

static bool take(struct cursor *c, int wanted)
{
    if (c->p >= c->end || *c->p != wanted)
        return false;
    c->p++;
    return true;
}

/* Copies 1..max characters accepted by allowed into out (NUL-terminated). */
static bool take_run(struct cursor *c, bool (*allowed)(int), size_t min, size_t max, char *out)
{
    size_t n = 0;
    while (c->p + n < c->end && allowed(c->p[n]) && n < max)
        n++;
    if (n < min || (c->p + n < c->end && allowed(c->p[n])))
        return false;
    memcpy(out, c->p, n);
    out[n] = '\0';
    c->p += n;
    return true;
}

static bool is_token_char(int c)
{
    return is_printable(c) && c != '"' && c != '*';
}

static enum dc09_token token_from_text(const char *text)
{
    for (enum dc09_token t = DC09_SIA_DCS; t < DC09_OTHER; t++)
        if (strcmp(text, dc09_token_name(t)) == 0)
            return t;
    return DC09_OTHER;
}

/* "id" seq [Rrcvr] [Lpref] [#acct | A0] '[' */
static bool parse_header(struct cursor *c, struct dc09_frame *out)
{
    char seq[5], placeholder[DC09_ACCOUNT_SIZE];
    if (!take(c, '"'))
        return false;
    out->encrypted = take(c, '*');
    if (!take_run(c, is_token_char, 1, DC09_TOKEN_SIZE - 1, out->token_text) || !take(c, '"'))
        return false;
    out->token = token_from_text(out->token_text);
    if (!take_run(c, is_digit, 4, 4, seq))
        return false;
    out->seq = (unsigned)(seq[0] - '0') * 1000 + (unsigned)(seq[1] - '0') * 100 +
               (unsigned)(seq[2] - '0') * 10 + (unsigned)(seq[3] - '0');
    if (take(c, 'R') && !take_run(c, is_hex, 1, DC09_RECEIVER_SIZE - 2, out->receiver))
        return false;
    if (take(c, 'L') && !take_run(c, is_hex, 1, DC09_PREFIX_SIZE - 2, out->line_prefix))
        return false;
    /* Accounts are 3 to 16 hex digits in the standard; panels also use
     * letters beyond F and shorter numbers, which cost nothing to accept. */
    if (take(c, '#') && !take_run(c, is_alnum, 1, DC09_ACCOUNT_SIZE - 1, out->account))
        return false;
    /* The NAK of DC-09 5.5.3.2 has "A0" where an account would be. */
    if (out->account[0] == '\0' && take(c, 'A') &&
        !take_run(c, is_hex, 1, DC09_ACCOUNT_SIZE - 1, placeholder))
        return false;
    /* Being hex, that "A0" also reads as the end of the prefix ("L0A0"):
     * in a NAK without an account, the prefix stops before its 'A'. */
    if (out->token == DC09_NAK && out->account[0] == '\0' && out->line_prefix[0] != '\0') {
        char *placeholder_in_prefix = strchr(out->line_prefix + 1, 'A');
        if (placeholder_in_prefix != NULL)
            *placeholder_in_prefix = '\0';
    }
    return take(c, '[');
}

static bool is_data_char(int c)
{
    return is_printable(c) && c != '[' && c != ']';
}

/* data ']' {'[' x-data ']'} ['_' timestamp], the content after the first
 * '[' (after the pad's '|' when encrypted). */
static enum dc09_status parse_content(struct cursor *c, struct dc09_frame *out,
                                      struct dc09_error *err)
{
    if (!take_run(c, is_data_char, 0, DC09_DATA_SIZE - 1, out->data) || !take(c, ']'))
        return fail(err, DC09_BAD_FORMAT,
                    _("the data field is not closed by ']' within %d printable characters"),
                    DC09_DATA_SIZE - 1);
    size_t used = 0;
    while (c->p < c->end && *c->p == '[') {
        const uint8_t *start = c->p++;
        char block[DC09_EXTENDED_SIZE];
        if (!take_run(c, is_data_char, 1, sizeof block - 1, block) || !take(c, ']'))
            return fail(err, DC09_BAD_FORMAT, _("an x-data block is empty or not closed by ']'"));
        size_t n = (size_t)(c->p - start);
        if (used + n >= sizeof out->extended)
            return fail(err, DC09_BAD_FORMAT, _("the x-data blocks exceed %d characters"),
                        DC09_EXTENDED_SIZE - 1);
        memcpy(out->extended + used, start, n);
        used += n;
        out->extended[used] = '\0';
    }
    if (take(c, '_')) {
        size_t n = (size_t)(c->end - c->p);
        if (n != DC09_TIMESTAMP_SIZE - 1 ||
            !dc09_timestamp_parse((const char *)c->p, n, &out->timestamp_ms))
            return fail(err, DC09_BAD_FORMAT,
                        _("the timestamp is not a valid _HH:MM:SS,MM-DD-YYYY"));
        out->has_timestamp = true;
        c->p = c->end;
    }
    if (c->p != c->end)
        return fail(err, DC09_BAD_FORMAT, _("unexpected character '%c' after the data"),
                    is_printable(*c->p) ? *c->p : '?');
    return DC09_OK;
}

/* The encrypted part, hex after '[': decrypt, check and skip the pad. */
static enum dc09_status parse_encrypted(struct cursor *c, const struct dc09_key *key,
                                        struct dc09_frame *out, struct dc09_error *err)
{
    uint8_t plain[DC09_FRAME_MAX / 2];
    size_t hex_len = (size_t)(c->end - c->p), plain_len = 0;
    for (size_t i = 0; i < hex_len; i++)
        if (!is_hex(c->p[i]))
            return fail(err, DC09_BAD_FORMAT, _("the encrypted part is not hexadecimal"));
    if (hex_len == 0 || hex_len % 32 != 0)
        return fail(err, DC09_BAD_FORMAT,
                    _("the encrypted part has %zu hex digits, not a multiple of 32"), hex_len);
    if (!dc09_decrypt(key, (const char *)c->p, hex_len, plain, sizeof plain, &plain_len))
        return fail(err, DC09_BAD_DECRYPT, _("the frame cannot be decrypted with this key"));
    size_t bar = 0;
    while (bar < plain_len && bar <= DC09_PAD_MAX && plain[bar] != '|' && plain[bar] != '[' &&
           plain[bar] != ']')
        bar++;
    if (bar == 0 || bar > DC09_PAD_MAX || bar >= plain_len || plain[bar] != '|')
        return fail(err, DC09_BAD_DECRYPT,
                    _("no pad ended by '|' after decryption: wrong key for account %s?"),
                    out->account);
    for (size_t i = bar + 1; i < plain_len; i++)
        if (!is_printable(plain[i]))
            return fail(err, DC09_BAD_DECRYPT,
                        _("the decrypted text is not printable: wrong key for account %s?"),
                        out->account);
    struct cursor inner = {plain + bar + 1, plain + plain_len};
    enum dc09_status status = parse_content(&inner, out, err);
    if (status == DC09_OK && !out->has_timestamp)
        return fail(err, DC09_BAD_FORMAT, _("an encrypted frame must carry a timestamp"));
    return status;
}

/* The frame's envelope: LF, CRC, length, CR. Sets the message bounds. */
static enum dc09_status check_envelope(const uint8_t *frame, size_t len, struct dc09_frame *out,
                                       struct cursor *message, struct dc09_error *err)
{
    if (len < FRAME_MIN || len > DC09_FRAME_MAX)
        return fail(err, DC09_BAD_FRAME, _("a frame has %d to %d bytes, this one %zu"), FRAME_MIN,
                    DC09_FRAME_MAX, len);
    if (frame[0] != LF || frame[len - 1] != CR)
        return fail(err, DC09_BAD_FRAME, _("a frame starts with LF and ends with CR"));
    enum header_form form = header_form(frame, len);
    if (form != FORM_ASCII && form != FORM_BINARY)
        return fail(err, DC09_BAD_FRAME, _("no CRC and length (hhhh0LLL) after the LF"));
    out->crc_form = form == FORM_ASCII ? DC09_CRC_ASCII : DC09_CRC_BINARY;
    size_t header = header_size(form);
    message->p = frame + header;
    message->end = frame + len - 1;
    size_t message_len = len - header - 1;
    unsigned stated = form == FORM_ASCII ? hex_digit(frame[1]) << 12 | hex_digit(frame[2]) << 8 |
                                               hex_digit(frame[3]) << 4 | hex_digit(frame[4])
                                         : (unsigned)frame[1] << 8 | frame[2];
    unsigned computed = crc16_arc(message->p, message_len);
    if (stated != computed)
        return fail(err, DC09_BAD_CRC, _("CRC mismatch: frame says %04X, computed %04X"), stated,
                    computed);
    const uint8_t *lll = frame + header - 3;
    size_t declared = length_field(lll), decimal;
    if (declared != message_len &&
        !(form == FORM_ASCII && length_field_decimal(lll, &decimal) && decimal == message_len))
        return fail(err, DC09_BAD_LENGTH,
                    _("length mismatch: frame says %03zX, the message has %03zX bytes"), declared,
                    message_len);
    return DC09_OK;
}

enum dc09_status dc09_frame_parse(const uint8_t *frame, size_t len,
                                  const struct dc09_key *key_or_null, struct dc09_frame *out,
                                  struct dc09_error *err)
{
    memset(out, 0, sizeof *out);
    if (err != NULL)
        err->message[0] = '\0';
    struct cursor c;
    enum dc09_status status = check_envelope(frame, len, out, &c, err);
    if (status != DC09_OK)
        return status;
    if (!parse_header(&c, out))
        return fail(err, DC09_BAD_FORMAT,
                    _("the header is not \"id\"seq[Rrcvr][Lpref][#acct] followed by '['"));
    if (out->token == DC09_OTHER)
        return fail(err, DC09_UNKNOWN_TOKEN, _("unknown message token \"%s\""), out->token_text);
    if (!out->encrypted)
        return parse_content(&c, out, err);
    if (key_or_null == NULL)
        return fail(err, DC09_NEED_KEY, _("encrypted frame and no key for account %s"),
                    out->account[0] ? out->account : "?");
    return parse_encrypted(&c, key_or_null, out, err);
}

bool dc09_timestamp_check(int64_t frame_ms, int64_t now_ms, int window_before_s, int window_after_s)
{
    return frame_ms >= now_ms - (int64_t)window_before_s * 1000 &&
           frame_ms <= now_ms + (int64_t)window_after_s * 1000;
}

static bool two_digits(const char *p, int *value)
{
    if (!is_digit(p[0]) || !is_digit(p[1]))
        return false;
    *value = (p[0] - '0') * 10 + (p[1] - '0');
    return true;
}

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* HH:MM:SS,MM-DD-YYYY */
bool dc09_timestamp_parse(const char *t, size_t len, int64_t *ms_out)
{
    int hour, minute, second, month, day, century, year;
    if (len != DC09_TIMESTAMP_SIZE - 1 || t[2] != ':' || t[5] != ':' || t[8] != ',' ||
        t[11] != '-' || t[14] != '-' || !two_digits(t, &hour) || !two_digits(t + 3, &minute) ||
        !two_digits(t + 6, &second) || !two_digits(t + 9, &month) || !two_digits(t + 12, &day) ||
        !two_digits(t + 15, &century) || !two_digits(t + 17, &year))
        return false;
    year += century * 100;
    if (hour > 23 || minute > 59 || second > 59 || month < 1 || month > 12 || day < 1 ||
        day > days_in_month(year, month))
        return false;
    /* Days since 1970 of a valid civil date (H. Hinnant's
     * days_from_civil): what timegm would say, without its locks, for
     * every timestamped frame. */
    int shifted = year - (month <= 2);
    int era = shifted / 400; /* years here are 0 to 9999 */
    int yoe = shifted - era * 400;
    int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    *ms_out = ((days * 24 + hour) * 60 + minute) * 60000 + (int64_t)second * 1000;
    return true;
}

void dc09_timestamp_format(int64_t ms, char out[DC09_TIMESTAMP_SIZE])
{
    char r[CLOCK_RFC3339_SIZE]; /* YYYY-MM-DDTHH:MM:SS.mmmZ */
    clock_format_rfc3339(ms, r);
    snprintf(out, DC09_TIMESTAMP_SIZE, "%.2s:%.2s:%.2s,%.2s-%.2s-%.4s", r + 11, r + 14, r + 17,
             r + 5, r + 8, r);
}

enum dc09_reply dc09_status_reply(enum dc09_status status)
{
    switch (status) {
    case DC09_OK:
        return DC09_REPLY_ACK;
    case DC09_BAD_LENGTH:
    case DC09_BAD_FORMAT:
    case DC09_BAD_TIMESTAMP:
        return DC09_REPLY_NAK;
    case DC09_NEED_KEY:
    case DC09_BAD_DECRYPT:
    case DC09_UNKNOWN_TOKEN:
        return DC09_REPLY_DUH;
    case DC09_BAD_FRAME:
    case DC09_BAD_CRC:
        break;
    }
    return DC09_REPLY_NONE;
}

const char *dc09_status_name(enum dc09_status status)
{
    static const char *const names[] = {
        [DC09_OK] = "ok",
        [DC09_BAD_FRAME] = "bad_frame",
        [DC09_BAD_CRC] = "bad_crc",
        [DC09_BAD_LENGTH] = "bad_length",
        [DC09_BAD_FORMAT] = "bad_format",
        [DC09_NEED_KEY] = "need_key",
        [DC09_BAD_DECRYPT] = "bad_decrypt",
        [DC09_UNKNOWN_TOKEN] = "unknown_token",
        [DC09_BAD_TIMESTAMP] = "bad_timestamp",
    };
    if ((unsigned)status >= sizeof names / sizeof names[0])
        return "unknown";
    return names[status];
}

const char *dc09_token_name(enum dc09_token token)
{
    static const char *const names[] = {
        [DC09_SIA_DCS] = "SIA-DCS", [DC09_ADM_CID] = "ADM-CID", [DC09_NULL] = "NULL",
        [DC09_ACK] = "ACK",         [DC09_NAK] = "NAK",         [DC09_DUH] = "DUH",
    };
    if ((unsigned)token >= sizeof names / sizeof names[0])
        return NULL;
    return names[token];
}
