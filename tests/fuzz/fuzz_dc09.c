/* libFuzzer target of the DC-09 codec. Arbitrary bytes go through framing
 * (as a TCP stream read into a DC09_FRAME_MAX buffer) and through parsing
 * (each frame found, and the whole input as one UDP datagram), without a key
 * and then with the keys of tests/data/dc09. Since a fuzzer seldom forges a
 * CRC, the input is also parsed as a message wrapped with its right CRC and
 * length, and as the plaintext of an encrypted frame. Beyond "no crash", it
 * checks the codec's promises: framing never reports bytes it was not given,
 * and whatever parses is rebuilt into a frame that parses back to the same
 * fields, and gets an ACK and a DUH that parse too. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/crc16.h"
#include "server/dc09.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The keys of the encrypted seed frames (tests/data/dc09/README.md). */
static const struct dc09_key keys[] = {
    {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 16},
    {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}, 24},
    {{0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
      16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31},
     32},
};

#define CHECK(condition)                                                                           \
    do {                                                                                           \
        if (!(condition))                                                                          \
            abort();                                                                               \
    } while (0)

static bool same_frame(const struct dc09_frame *a, const struct dc09_frame *b)
{
    return a->token == b->token && a->encrypted == b->encrypted &&
           strcmp(a->token_text, b->token_text) == 0 && a->seq == b->seq &&
           strcmp(a->receiver, b->receiver) == 0 && strcmp(a->line_prefix, b->line_prefix) == 0 &&
           strcmp(a->account, b->account) == 0 && strcmp(a->data, b->data) == 0 &&
           strcmp(a->extended, b->extended) == 0 && a->has_timestamp == b->has_timestamp &&
           a->timestamp_ms == b->timestamp_ms && a->crc_form == b->crc_form;
}

static void check_parses(const uint8_t *frame, size_t len, const struct dc09_key *key)
{
    struct dc09_frame parsed;
    CHECK(len > 0 && dc09_frame_parse(frame, len, key, &parsed, NULL) == DC09_OK);
}

/* A frame that parsed: rebuild it, answer it. */
static void check_round_trip(const struct dc09_frame *frame, const struct dc09_key *key)
{
    uint8_t out[DC09_FRAME_MAX];
    struct dc09_frame again;
    size_t len = dc09_build_event(frame, key, out, sizeof out);
    CHECK(len > 0);
    CHECK(dc09_frame_parse(out, len, key, &again, NULL) == DC09_OK);
    CHECK(same_frame(frame, &again));
    check_parses(out, dc09_build_ack(frame, key, 1619124346000LL, frame->crc_form, out, sizeof out),
                 key);
    check_parses(out, dc09_build_duh(frame, frame->crc_form, out, sizeof out), NULL);
}

static void check_frame(const uint8_t *frame, size_t len)
{
    struct dc09_frame parsed;
    struct dc09_error err;
    enum dc09_status status = dc09_frame_parse(frame, len, NULL, &parsed, &err);
    CHECK(status <= DC09_BAD_TIMESTAMP && status != DC09_BAD_TIMESTAMP);
    CHECK(memchr(err.message, '\0', sizeof err.message) != NULL);
    if (status == DC09_OK)
        check_round_trip(&parsed, NULL);
    if (status == DC09_NEED_KEY || status == DC09_UNKNOWN_TOKEN) {
        uint8_t out[DC09_FRAME_MAX];
        check_parses(out, dc09_build_duh(&parsed, parsed.crc_form, out, sizeof out), NULL);
    }
    if (status != DC09_NEED_KEY)
        return;
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        status = dc09_frame_parse(frame, len, &keys[k], &parsed, &err);
        CHECK(memchr(err.message, '\0', sizeof err.message) != NULL);
        if (status == DC09_OK)
            check_round_trip(&parsed, &keys[k]);
    }
}

/* LF crc 0LLL message CR, the CRC in the form the message's length picks. */
static size_t wrap(const uint8_t *message, size_t len, uint8_t *frame)
{
    uint16_t crc = crc16_arc(message, len);
    char field[16];
    size_t header = len % 2 ? DC09_HEADER_BINARY : DC09_HEADER_ASCII;
    frame[0] = '\n';
    if (header == DC09_HEADER_BINARY) {
        frame[1] = (uint8_t)(crc >> 8);
        frame[2] = (uint8_t)crc;
        snprintf(field, sizeof field, "0%03zX", len);
        memcpy(frame + 3, field, 4);
    } else {
        snprintf(field, sizeof field, "%04X0%03zX", (unsigned)crc, len);
        memcpy(frame + 1, field, 8);
    }
    memcpy(frame + header, message, len);
    frame[header + len] = '\r';
    return header + len + 1;
}

static void check_as_message(const uint8_t *data, size_t size)
{
    uint8_t frame[DC09_FRAME_MAX];
    if (size == 0 || size + DC09_HEADER_ASCII + 1 > sizeof frame)
        return;
    check_frame(frame, wrap(data, size, frame));
}

/* The input as what follows the pad of an encrypted SIA-DCS frame. */
static void check_as_plaintext(const uint8_t *data, size_t size)
{
    static const char head[] = "\"*SIA-DCS\"0001R1L1#1234[";
    uint8_t message[DC09_FRAME_MAX], frame[DC09_FRAME_MAX];
    const struct dc09_key *key = &keys[size % 3];
    memcpy(message, head, sizeof head - 1);
    size_t hex = dc09_encrypt(key, (const char *)data, size, (char *)message + sizeof head - 1,
                              sizeof message - (sizeof head - 1) - DC09_HEADER_ASCII - 1);
    if (hex == 0)
        return;
    struct dc09_frame parsed;
    size_t len = wrap(message, sizeof head - 1 + hex, frame);
    enum dc09_status status = dc09_frame_parse(frame, len, key, &parsed, NULL);
    CHECK(status == DC09_OK || status == DC09_BAD_FORMAT || status == DC09_BAD_DECRYPT);
    if (status == DC09_OK)
        check_round_trip(&parsed, key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_frame(data, size);
    check_as_message(data, size);
    check_as_plaintext(data, size);
    size_t offset = 0;
    while (offset < size) {
        size_t window = size - offset < DC09_FRAME_MAX ? size - offset : DC09_FRAME_MAX;
        size_t start = 0, len = 0;
        switch (dc09_frame_find(data + offset, window, &start, &len)) {
        case DC09_FIND_FRAME:
            CHECK(len > 0 && start + len <= window);
            check_frame(data + offset + start, len);
            offset += start + len;
            break;
        case DC09_FIND_GARBAGE:
        case DC09_FIND_TOO_LONG:
            CHECK(start == 0 && len > 0 && len <= window);
            offset += len;
            break;
        case DC09_FIND_NEED_MORE:
            CHECK(window < DC09_FRAME_MAX);
            return 0;
        }
    }
    return 0;
}
