/* Unit tests of DC-09 framing over a TCP byte stream: two frames in one
 * read, one frame over many reads, garbage and cut frames before a frame,
 * binary CRCs holding CR or LF bytes, and a 10 MB line refused as soon as
 * it passes the bound. A small "connection" drives dc09_frame_find the way
 * the ingest does: append what was read, take frames out, drop garbage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/dc09.h"

#define MAX_FRAMES 8

struct connection {
    uint8_t buf[DC09_FRAME_MAX];
    size_t used;
    size_t frames, garbage_bytes, too_long;
    uint8_t frame[MAX_FRAMES][DC09_FRAME_MAX];
    size_t frame_len[MAX_FRAMES];
};

/* Takes every complete frame out of the buffer. */
static void drain(struct connection *c)
{
    for (;;) {
        size_t start, len;
        enum dc09_find found = dc09_frame_find(c->buf, c->used, &start, &len);
        size_t drop = 0;
        switch (found) {
        case DC09_FIND_NEED_MORE:
            assert_true(c->used < DC09_FRAME_MAX);
            return;
        case DC09_FIND_FRAME:
            assert_true(start + len <= c->used);
            assert_true(c->frames < MAX_FRAMES);
            memcpy(c->frame[c->frames], c->buf + start, len);
            c->frame_len[c->frames++] = len;
            c->garbage_bytes += start;
            drop = start + len;
            break;
        case DC09_FIND_GARBAGE:
            c->garbage_bytes += len;
            drop = len;
            break;
        case DC09_FIND_TOO_LONG:
            c->too_long++;
            c->garbage_bytes += len;
            drop = len;
            break;
        }
        assert_true(drop > 0 && drop <= c->used);
        memmove(c->buf, c->buf + drop, c->used - drop);
        c->used -= drop;
    }
}

/* Feeds bytes as reads of at most chunk bytes, draining after each. */
static void feed(struct connection *c, const uint8_t *bytes, size_t len, size_t chunk)
{
    while (len > 0) {
        size_t room = DC09_FRAME_MAX - c->used;
        size_t n = len < chunk ? len : chunk;
        n = n < room ? n : room;
        assert_true(n > 0);
        memcpy(c->buf + c->used, bytes, n);
        c->used += n;
        bytes += n;
        len -= n;
        drain(c);
    }
}

static size_t build(unsigned seq, enum dc09_crc_form form, uint8_t *out)
{
    struct dc09_frame event;
    memset(&event, 0, sizeof event);
    event.token = DC09_SIA_DCS;
    event.seq = seq;
    strcpy(event.line_prefix, "0");
    strcpy(event.account, "1234");
    snprintf(event.data, sizeof event.data, "#1234|Nri1/BA%02u", seq % 100);
    event.crc_form = form;
    size_t len = dc09_build_event(&event, NULL, out, DC09_FRAME_MAX);
    assert_true(len > 0);
    return len;
}

static void assert_frame_parses(const uint8_t *frame, size_t len, unsigned seq)
{
    struct dc09_frame parsed;
    struct dc09_error err;
    enum dc09_status status = dc09_frame_parse(frame, len, NULL, &parsed, &err);
    if (status != DC09_OK)
        fail_msg("%s", err.message);
    assert_int_equal(parsed.seq, seq);
}

static void test_two_frames_in_one_read(void **state)
{
    (void)state;
    uint8_t stream[2 * DC09_FRAME_MAX];
    size_t len = build(1, DC09_CRC_ASCII, stream);
    len += build(2, DC09_CRC_BINARY, stream + len);
    struct connection *c = calloc(1, sizeof *c);
    feed(c, stream, len, sizeof stream);
    assert_int_equal(c->frames, 2);
    assert_int_equal(c->garbage_bytes, 0);
    assert_int_equal(c->used, 0);
    assert_frame_parses(c->frame[0], c->frame_len[0], 1);
    assert_frame_parses(c->frame[1], c->frame_len[1], 2);
    free(c);
}

static void test_frames_fed_one_byte_at_a_time(void **state)
{
    (void)state;
    uint8_t stream[3 * DC09_FRAME_MAX];
    size_t len = build(7, DC09_CRC_ASCII, stream);
    len += build(8, DC09_CRC_BINARY, stream + len);
    len += build(9, DC09_CRC_ASCII, stream + len);
    struct connection *c = calloc(1, sizeof *c);
    feed(c, stream, len, 1);
    assert_int_equal(c->frames, 3);
    assert_int_equal(c->garbage_bytes, 0);
    for (unsigned i = 0; i < 3; i++)
        assert_frame_parses(c->frame[i], c->frame_len[i], 7 + i);
    free(c);
}

/* tests/data/dc09/stream-garbage-two-frames.bin: an HTTP request line, a
 * stray LF, the first 14 bytes of a frame, then two whole frames. */
static void test_garbage_and_cut_frame_before_frames(void **state)
{
    (void)state;
    uint8_t stream[512];
    FILE *file = fopen("tests/data/dc09/stream-garbage-two-frames.bin", "rb");
    assert_non_null(file);
    size_t len = fread(stream, 1, sizeof stream, file);
    fclose(file);
    for (size_t chunk = 1; chunk <= len; chunk = chunk * 3 + 1) {
        struct connection *c = calloc(1, sizeof *c);
        feed(c, stream, len, chunk);
        assert_int_equal(c->frames, 2);
        assert_int_equal(c->garbage_bytes, 16 + 4 + 14);
        assert_frame_parses(c->frame[0], c->frame_len[0], 9);
        assert_frame_parses(c->frame[1], c->frame_len[1], 10);
        free(c);
    }
}

/* A binary CRC is two raw bytes: when one is CR or LF, only the length
 * field can tell where the frame ends. */
static void test_binary_crc_holding_cr_or_lf(void **state)
{
    (void)state;
    bool seen_cr = false, seen_lf = false;
    for (unsigned seq = 0; seq <= DC09_SEQ_MAX && !(seen_cr && seen_lf); seq++) {
        uint8_t frame[DC09_FRAME_MAX];
        size_t len = build(seq, DC09_CRC_BINARY, frame);
        bool cr = frame[1] == '\r' || frame[2] == '\r';
        bool lf = frame[1] == '\n' || frame[2] == '\n';
        if (!(cr && !seen_cr) && !(lf && !seen_lf))
            continue;
        seen_cr = seen_cr || cr;
        seen_lf = seen_lf || lf;
        uint8_t stream[2 * DC09_FRAME_MAX];
        memcpy(stream, frame, len);
        size_t total = len + build(seq == 0 ? 1 : seq - 1, DC09_CRC_ASCII, stream + len);
        struct connection *c = calloc(1, sizeof *c);
        feed(c, stream, total, 5);
        assert_int_equal(c->frames, 2);
        assert_int_equal(c->frame_len[0], len);
        assert_frame_parses(c->frame[0], c->frame_len[0], seq);
        struct dc09_frame parsed;
        assert_int_equal(dc09_frame_parse(frame, len, NULL, &parsed, NULL), DC09_OK);
        assert_int_equal(parsed.crc_form, DC09_CRC_BINARY);
        free(c);
    }
    assert_true(seen_cr);
    assert_true(seen_lf);
}

/* A binary-CRC frame cut short, then a whole frame: the whole frame is
 * found at once, not after as many bytes as the cut one announced. */
static void test_cut_binary_frame_does_not_hold_the_next(void **state)
{
    (void)state;
    uint8_t stream[2 * DC09_FRAME_MAX];
    size_t cut = build(4, DC09_CRC_BINARY, stream) / 2;
    size_t len = cut + build(5, DC09_CRC_ASCII, stream + cut);
    struct connection *c = calloc(1, sizeof *c);
    feed(c, stream, len, len);
    assert_int_equal(c->frames, 1);
    assert_int_equal(c->garbage_bytes, cut);
    assert_int_equal(c->used, 0);
    assert_frame_parses(c->frame[0], c->frame_len[0], 5);
    free(c);
}

/* A 10 MB line after a plausible header: refused when it passes
 * DC09_FRAME_MAX, never buffered beyond it, and the frame after it is
 * still found. */
static void test_ten_megabyte_line_is_refused_at_the_bound(void **state)
{
    (void)state;
    const size_t line = 10 * 1024 * 1024;
    static const char header[] = "\nABCD0010\"SIA-DCS\"0001L0#1234[";
    struct connection *c = calloc(1, sizeof *c);
    feed(c, (const uint8_t *)header, strlen(header), 4096);
    uint8_t chunk[4096];
    memset(chunk, 'A', sizeof chunk);
    size_t fed = strlen(header);
    while (c->too_long == 0) {
        feed(c, chunk, sizeof chunk, sizeof chunk);
        fed += sizeof chunk;
        assert_true(fed <= DC09_FRAME_MAX + sizeof chunk);
    }
    for (; fed < line; fed += sizeof chunk)
        feed(c, chunk, sizeof chunk, sizeof chunk);
    assert_int_equal(c->too_long, 1);
    assert_int_equal(c->frames, 0);
    uint8_t frame[DC09_FRAME_MAX];
    size_t len = build(3, DC09_CRC_ASCII, frame);
    feed(c, frame, len, len);
    assert_int_equal(c->frames, 1);
    assert_frame_parses(c->frame[0], c->frame_len[0], 3);
    free(c);
}

static void test_declared_length_beyond_the_bound_is_refused_at_once(void **state)
{
    (void)state;
    const uint8_t header[] = "\nABCD0FFF\"";
    size_t start, len;
    assert_int_equal(dc09_frame_find(header, sizeof header - 1, &start, &len), DC09_FIND_TOO_LONG);
    assert_int_equal(len, 1);
    const uint8_t binary[] = "\n\x01\x02"
                             "0FFF\"";
    assert_int_equal(dc09_frame_find(binary, sizeof binary - 1, &start, &len), DC09_FIND_TOO_LONG);
}

static void test_empty_and_partial_headers(void **state)
{
    (void)state;
    size_t start, len;
    assert_int_equal(dc09_frame_find((const uint8_t *)"", 0, &start, &len), DC09_FIND_NEED_MORE);
    assert_int_equal(dc09_frame_find((const uint8_t *)"\nAB", 3, &start, &len),
                     DC09_FIND_NEED_MORE);
    assert_int_equal(dc09_frame_find((const uint8_t *)"xy\nAB", 5, &start, &len),
                     DC09_FIND_GARBAGE);
    assert_int_equal(len, 2);
    assert_int_equal(dc09_frame_find((const uint8_t *)"\nZZZZ", 5, &start, &len),
                     DC09_FIND_GARBAGE);
    assert_int_equal(len, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_frames_in_one_read),
        cmocka_unit_test(test_frames_fed_one_byte_at_a_time),
        cmocka_unit_test(test_garbage_and_cut_frame_before_frames),
        cmocka_unit_test(test_binary_crc_holding_cr_or_lf),
        cmocka_unit_test(test_cut_binary_frame_does_not_hold_the_next),
        cmocka_unit_test(test_ten_megabyte_line_is_refused_at_the_bound),
        cmocka_unit_test(test_declared_length_beyond_the_bound_is_refused_at_once),
        cmocka_unit_test(test_empty_and_partial_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
