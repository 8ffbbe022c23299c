/* dc09.h: the SIA DC-09 frame codec (ANSI/SIA DC-09-2013, "Internet
 * Protocol Event Reporting"), as pure functions over bytes: framing of a TCP
 * byte stream, parsing of one frame (with AES-CBC decryption), and building
 * of events and of the receiver's ACK, NAK and DUH answers. No sockets, no
 * store, no globals; the only allocation is OpenSSL's cipher context.
 *
 * A frame on the wire:
 *   LF crc 0LLL "id" seq [Rrcvr] [Lpref] [#acct] [data][x-data]... [_timestamp] CR
 * crc is CRC-16/ARC of the message (from the first '"' to the end of the
 * timestamp) as 4 ASCII hex digits, or as 2 binary bytes, most significant
 * first (sent by some panels, e.g. Lupusec); LLL is the message length in
 * hex. An encrypted frame has id "*SIA-DCS" etc. and carries, after '[', the
 * hex of AES-CBC(zero IV) over: pad '|' data ']' x-data timestamp. */
#ifndef VIGIE_DC09_H
#define VIGIE_DC09_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Field bounds. Each is the standard's own limit where it has one; data and
 * x-data have none in DC-09, so they are sized far above what panels send (a
 * Contact ID event is 15 characters, a SIA DC-03 event with its text block
 * under 100; an x-data block is a position, a MAC address or a URL). */
#define DC09_TOKEN_SIZE    16  /* "SIA-DCS", "ADM-CID", "NULL" ...: 15 at most */
#define DC09_RECEIVER_SIZE 8   /* R + 1..6 hex digits (stored without the R) */
#define DC09_PREFIX_SIZE   8   /* L + 1..6 hex digits (stored without the L) */
#define DC09_ACCOUNT_SIZE  17  /* # + 3..16 characters (stored without the #) */
#define DC09_DATA_SIZE     257 /* what lies between the first '[' and ']' */
#define DC09_EXTENDED_SIZE 513 /* the x-data blocks, brackets included */
#define DC09_SEQ_MAX       9999
/* "HH:MM:SS,MM-DD-YYYY" plus NUL; on the wire it follows a '_'. */
#define DC09_TIMESTAMP_SIZE 20
/* A pad is 1 to 16 bytes (DC-09 5.4.4.3); some senders pad one more
 * (dc09_spt pads 2 to 17), so a receiver accepts up to two blocks. */
#define DC09_PAD_MAX 32
/* The longest frame accepted, LF and CR included. The longest frame whose
 * fields fit the bounds above (encrypted, 15-character token, 6-digit
 * receiver and prefix, 16-character account, full data and x-data, pad and
 * timestamp) is 1,696 bytes; rounded up to 2 KiB. Anything longer cannot be
 * a frame we could parse, so framing refuses it as soon as it passes this
 * bound, and a connection never buffers more than this per frame. It also
 * fits ALARM_RAW_MAX, so a raw frame can always be kept. */
#define DC09_FRAME_MAX 2048
/* The header before the message: LF, 4 ASCII CRC digits (or 2 bytes), 0LLL. */
#define DC09_HEADER_ASCII  9
#define DC09_HEADER_BINARY 7
/* Timestamp window of the standard (DC-09 5.5.1.8, as pysiaalarm and
 * ioBroker.sia apply it): a frame may be stamped at most 40 s before the
 * receiver's clock and at most 20 s after it. The CLI writes it -40,+20. */
#define DC09_WINDOW_BEFORE_S 40
#define DC09_WINDOW_AFTER_S  20
#define DC09_ERROR_SIZE      192

enum dc09_token {
    DC09_SIA_DCS, /* SIA DC-03 event data */
    DC09_ADM_CID, /* Ademco Contact ID (DC-05) event data */
    DC09_NULL,    /* link test: no event */
    DC09_ACK,     /* receiver answers */
    DC09_NAK,
    DC09_DUH,
    DC09_OTHER /* any other token: its text is in token_text */
};

enum dc09_crc_form { DC09_CRC_ASCII, DC09_CRC_BINARY };

/* What parsing a frame found, and so what the receiver answers (see
 * dc09_status_reply). */
enum dc09_status {
    DC09_OK,
    DC09_BAD_FRAME,     /* not LF..CR with a readable CRC and length: no answer */
    DC09_BAD_CRC,       /* no answer (DC-09: a corrupted frame is ignored) */
    DC09_BAD_LENGTH,    /* CRC right, length field wrong: NAK */
    DC09_BAD_FORMAT,    /* CRC right, fields malformed: NAK */
    DC09_NEED_KEY,      /* encrypted, and no key given: DUH (header filled) */
    DC09_BAD_DECRYPT,   /* the key does not decrypt it: DUH (header filled) */
    DC09_UNKNOWN_TOKEN, /* DUH (header filled) */
    DC09_BAD_TIMESTAMP, /* outside the window (dc09_timestamp_check): NAK */
};

enum dc09_reply { DC09_REPLY_NONE, DC09_REPLY_ACK, DC09_REPLY_NAK, DC09_REPLY_DUH };

/* What dc09_frame_find found at the start of a buffer. */
enum dc09_find {
    DC09_FIND_NEED_MORE, /* no complete frame yet: keep the bytes, read more */
    DC09_FIND_FRAME,     /* a frame at [start, start + len); drop start + len */
    DC09_FIND_GARBAGE,   /* no frame begins in the first len bytes: drop them */
    DC09_FIND_TOO_LONG,  /* a frame start with no end within DC09_FRAME_MAX:
                            drop len bytes and count a bad frame */
};

/* An AES key: 16, 24 or 32 bytes (AES-128, -192, -256). */
struct dc09_key {
    uint8_t bytes[32];
    size_t len;
};

struct dc09_frame {
    enum dc09_token token;
    bool encrypted;                     /* the token had a '*' */
    char token_text[DC09_TOKEN_SIZE];   /* without the '*' */
    unsigned seq;                       /* 0..9999; NAK uses 0 */
    char receiver[DC09_RECEIVER_SIZE];  /* hex digits, "" when absent */
    char line_prefix[DC09_PREFIX_SIZE]; /* hex digits, "" when absent */
    char account[DC09_ACCOUNT_SIZE];    /* "" when absent (a NAK's "A0") */
    char data[DC09_DATA_SIZE];          /* e.g. "#1234|Nri1/BA01" */
    char extended[DC09_EXTENDED_SIZE];  /* e.g. "[X006E07.77][Y49N06.66]" */
    bool has_timestamp;
    int64_t timestamp_ms; /* UTC, whole seconds; 0 when absent */
    enum dc09_crc_form crc_form;
};

struct dc09_error {
    char message[DC09_ERROR_SIZE];
};

/* Framing (dc09_frame.c). Looks at buf[0..len) for the next complete frame.
 * Garbage before an LF is skipped; an LF whose header is not a DC-09 header
 * is garbage too. With an ASCII CRC the frame ends at the first CR (no CR
 * can occur inside a message); with a binary CRC, whose bytes may be CR or
 * LF, it ends where the length field says. *start and *len are set for FRAME
 * (start may be > 0: the bytes before are garbage), and *len for GARBAGE and
 * TOO_LONG (*start is then 0). A connection's buffer holds at least
 * DC09_FRAME_MAX bytes, so that a frame always fits and an endless one is
 * reported TOO_LONG before the buffer fills. */
enum dc09_find dc09_frame_find(const uint8_t *buf, size_t len, size_t *frame_start,
                               size_t *frame_len);

/* Parses one frame, LF to CR included. key_or_null decrypts an encrypted
 * frame. On NEED_KEY, BAD_DECRYPT and UNKNOWN_TOKEN the header fields (token,
 * seq, receiver, prefix, account, crc_form) are filled, so that the caller
 * can look the account's key up and parse again, or answer DUH. err may be
 * NULL; otherwise it says what is wrong, in words. The timestamp window is
 * not checked here (see dc09_timestamp_check): parsing does not read the
 * clock. */
enum dc09_status dc09_frame_parse(const uint8_t *frame, size_t len,
                                  const struct dc09_key *key_or_null, struct dc09_frame *out,
                                  struct dc09_error *err);

/* True when frame_ms lies in [now - before, now + after] (seconds). */
bool dc09_timestamp_check(int64_t frame_ms, int64_t now_ms, int window_before_s,
                          int window_after_s);
/* "HH:MM:SS,MM-DD-YYYY" (UTC, as DC-09 writes it) <-> epoch milliseconds.
 * Parsing takes exactly 19 characters and refuses impossible dates. */
bool dc09_timestamp_parse(const char *text, size_t len, int64_t *ms_out);
void dc09_timestamp_format(int64_t ms, char out[DC09_TIMESTAMP_SIZE]);

enum dc09_reply dc09_status_reply(enum dc09_status status);
/* A short stable name for logs and counters: "ok", "bad_crc", ... */
const char *dc09_status_name(enum dc09_status status);
/* "SIA-DCS", "ADM-CID", ...; NULL for DC09_OTHER. */
const char *dc09_token_name(enum dc09_token token);

/* Builders (dc09_build.c). Each writes a whole frame, LF to CR, into out and
 * returns its length, or 0 when a field is invalid, cap is too small or
 * encryption fails. */

/* Any frame, as a panel or a simulator sends it: the token, seq, receiver,
 * prefix, account, data, x-data, timestamp and CRC form come from event. An
 * encrypted event needs a key and a timestamp (DC-09 5.4.4); its pad is
 * random. */
size_t dc09_build_event(const struct dc09_frame *event, const struct dc09_key *key_or_null,
                        uint8_t *out, size_t cap);
/* "ACK" echoing the request's seq, receiver, prefix and account, with [];
 * to an encrypted request "*ACK", encrypted with the same key (required)
 * and carrying now_ms as its timestamp. */
size_t dc09_build_ack(const struct dc09_frame *request, const struct dc09_key *key_or_null,
                      int64_t now_ms, enum dc09_crc_form crc_form, uint8_t *out, size_t cap);
/* "NAK"0000R0L0A0[]_timestamp, exactly as DC-09 5.5.3.2 shows it: never
 * encrypted, always stamped with the receiver's time so that a panel whose
 * clock is wrong can correct it. */
size_t dc09_build_nak(int64_t now_ms, enum dc09_crc_form crc_form, uint8_t *out, size_t cap);
/* "DUH" echoing seq, receiver, prefix and account, with []; never
 * encrypted (it answers frames the receiver could not decrypt). */
size_t dc09_build_duh(const struct dc09_frame *request, enum dc09_crc_form crc_form, uint8_t *out,
                      size_t cap);

/* Crypto (dc09_crypto.c). */

/* 32, 48 or 64 hex digits: an AES-128, -192 or -256 key. */
bool dc09_key_from_hex(const char *hex, struct dc09_key *out);
/* Decrypts hex_len hex digits (a multiple of 32) into plain, which must hold
 * hex_len / 2 bytes. False on bad hex, bad length or a crypto failure. */
bool dc09_decrypt(const struct dc09_key *key, const char *hex, size_t hex_len, uint8_t *plain,
                  size_t plain_cap, size_t *plain_len);
/* Prepends a random pad and '|' to text (DC-09 5.4.4: the pad makes the whole
 * a multiple of 16 bytes and never holds '|', '[' or ']'), encrypts and writes
 * the ciphertext as upper-case hex, NUL-terminated. Returns the number of hex
 * digits, 0 on failure. */
size_t dc09_encrypt(const struct dc09_key *key, const char *text, size_t text_len, char *hex_out,
                    size_t hex_cap);

#endif
