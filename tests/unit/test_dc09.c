/* Unit tests of the DC-09 codec: frames from the standard and from others'
 * captures, every token plain and encrypted with each key size, every way a
 * frame can be wrong and the answer it gets, and the exact bytes of ACK, NAK
 * and DUH. Framing of byte streams is in test_dc09_framing.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "server/crc16.h"
#include "server/dc09.h"

#define KEY128 "000102030405060708090A0B0C0D0E0F"
#define KEY192 "000102030405060708090A0B0C0D0E0F1011121314151617"
#define KEY256 "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"
/* 2011-09-25T14:12:04Z and 2021-04-22T20:45:46Z */
#define T_2011 1316959924000LL
#define T_2021 1619124346000LL

static struct dc09_key key_of(const char *hex)
{
    struct dc09_key key;
    assert_true(dc09_key_from_hex(hex, &key));
    return key;
}

static size_t load(const char *name, uint8_t *buf, size_t cap)
{
    char path[256];
    snprintf(path, sizeof path, "tests/data/dc09/%s", name);
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        fail_msg("cannot open %s (run from the source tree)", path);
    size_t len = fread(buf, 1, cap, file);
    fclose(file);
    return len;
}

/* Wraps a message in LF, ASCII CRC, length and CR, as a sender would. */
static size_t wrap(const char *message, uint8_t *out)
{
    size_t len = strlen(message);
    char header[24];
    snprintf(header, sizeof header, "%04X0%03zX", crc16_arc((const uint8_t *)message, len), len);
    out[0] = '\n';
    memcpy(out + 1, header, 8);
    memcpy(out + 9, message, len);
    out[9 + len] = '\r';
    return len + 10;
}

static enum dc09_status parse_text(const char *message, const struct dc09_key *key,
                                   struct dc09_frame *out, struct dc09_error *err)
{
    uint8_t frame[DC09_FRAME_MAX];
    size_t len = wrap(message, frame);
    return dc09_frame_parse(frame, len, key, out, err);
}

static void assert_bytes(const uint8_t *got, size_t got_len, const char *want)
{
    assert_int_equal(got_len, strlen(want));
    assert_memory_equal(got, want, got_len);
}

static void test_standard_sia_dcs_example_parses(void **state)
{
    (void)state;
    uint8_t buf[DC09_FRAME_MAX];
    size_t len = load("sia-dcs-standard.frame", buf, sizeof buf);
    struct dc09_frame frame;
    struct dc09_error err;
    assert_int_equal(dc09_frame_parse(buf, len, NULL, &frame, &err), DC09_OK);
    assert_int_equal(frame.token, DC09_SIA_DCS);
    assert_false(frame.encrypted);
    assert_string_equal(frame.token_text, "SIA-DCS");
    assert_int_equal(frame.seq, 9876);
    assert_string_equal(frame.receiver, "579BDF");
    assert_string_equal(frame.line_prefix, "789ABC");
    assert_string_equal(frame.account, "12345A");
    assert_string_equal(frame.data, "#12345A|NFA129");
    assert_string_equal(frame.extended, "");
    assert_false(frame.has_timestamp);
    assert_int_equal(frame.crc_form, DC09_CRC_ASCII);
}

static void test_standard_adm_cid_example_parses(void **state)
{
    (void)state;
    uint8_t buf[DC09_FRAME_MAX];
    size_t len = load("adm-cid-standard.frame", buf, sizeof buf);
    struct dc09_frame frame;
    assert_int_equal(dc09_frame_parse(buf, len, NULL, &frame, NULL), DC09_OK);
    assert_int_equal(frame.token, DC09_ADM_CID);
    assert_string_equal(frame.data, "#12345A|1110 00 129");
}

static void test_captured_quirks_are_accepted(void **state)
{
    (void)state;
    uint8_t buf[DC09_FRAME_MAX];
    struct dc09_frame frame;
    /* Length written in decimal: "0047" for 47 bytes. */
    size_t len = load("adm-cid-decimal-length.frame", buf, sizeof buf);
    assert_int_equal(dc09_frame_parse(buf, len, NULL, &frame, NULL), DC09_OK);
    assert_string_equal(frame.data, "#4F39|3401 01 057");
    /* No receiver and no line prefix. */
    len = load("sia-dcs-no-receiver.frame", buf, sizeof buf);
    assert_int_equal(dc09_frame_parse(buf, len, NULL, &frame, NULL), DC09_OK);
    assert_string_equal(frame.receiver, "");
    assert_string_equal(frame.line_prefix, "");
    assert_string_equal(frame.account, "0123");
}

static void test_xdata_and_timestamp_parse(void **state)
{
    (void)state;
    uint8_t buf[DC09_FRAME_MAX];
    size_t len = load("sia-dcs-xdata-timestamp.frame", buf, sizeof buf);
    struct dc09_frame frame;
    assert_int_equal(dc09_frame_parse(buf, len, NULL, &frame, NULL), DC09_OK);
    assert_string_equal(frame.data, "#1234|Nri1/PA501");
    assert_string_equal(frame.extended, "[X006E07.7777777][Y49N06.6666666]");
    assert_true(frame.has_timestamp);
    assert_int_equal(frame.timestamp_ms, T_2021);
}

static void test_every_data_file_parses_as_documented(void **state)
{
    (void)state;
    static const struct {
        const char *file, *key;
        enum dc09_token token;
    } files[] = {
        {"ack.frame", NULL, DC09_ACK},
        {"nak.frame", NULL, DC09_NAK},
        {"duh.frame", NULL, DC09_DUH},
        {"null-plain.frame", NULL, DC09_NULL},
        {"sia-dcs-binary-crc.frame", NULL, DC09_SIA_DCS},
        {"sia-dcs-aes128.frame", KEY128, DC09_SIA_DCS},
        {"adm-cid-aes192.frame", KEY192, DC09_ADM_CID},
        {"null-aes256.frame", KEY256, DC09_NULL},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        uint8_t buf[DC09_FRAME_MAX];
        size_t len = load(files[i].file, buf, sizeof buf);
        struct dc09_frame frame;
        struct dc09_error err;
        struct dc09_key key;
        if (files[i].key != NULL) {
            key = key_of(files[i].key);
            assert_int_equal(dc09_frame_parse(buf, len, NULL, &frame, &err), DC09_NEED_KEY);
            assert_string_equal(frame.account, "1234");
        }
        enum dc09_status status =
            dc09_frame_parse(buf, len, files[i].key ? &key : NULL, &frame, &err);
        if (status != DC09_OK)
            fail_msg("%s: %s", files[i].file, err.message);
        assert_int_equal(frame.token, files[i].token);
        assert_int_equal(frame.encrypted, files[i].key != NULL);
    }
}

static void test_encrypted_data_files_carry_their_content(void **state)
{
    (void)state;
    uint8_t buf[DC09_FRAME_MAX];
    struct dc09_key key = key_of(KEY192);
    size_t len = load("adm-cid-aes192.frame", buf, sizeof buf);
    struct dc09_frame frame;
    assert_int_equal(dc09_frame_parse(buf, len, &key, &frame, NULL), DC09_OK);
    assert_string_equal(frame.data, "#1234|1130 01 015");
    assert_string_equal(frame.extended, "[X006E07.7777777][Y49N06.6666666]");
    assert_int_equal(frame.timestamp_ms, T_2021 + 1000);
}

static struct dc09_frame sample_event(enum dc09_token token, bool encrypted)
{
    struct dc09_frame event;
    memset(&event, 0, sizeof event);
    event.token = token;
    event.encrypted = encrypted;
    strcpy(event.token_text, dc09_token_name(token));
    event.seq = 42;
    strcpy(event.receiver, "12");
    strcpy(event.line_prefix, "3");
    strcpy(event.account, "ABC123");
    if (token == DC09_SIA_DCS)
        strcpy(event.data, "#ABC123|Nri1/BA01");
    else if (token == DC09_ADM_CID)
        strcpy(event.data, "#ABC123|1130 01 015");
    if (token == DC09_SIA_DCS)
        strcpy(event.extended, "[X006E07.7777777][Y49N06.6666666][Vhttp://cam.example/1]");
    event.has_timestamp = encrypted || token == DC09_ADM_CID;
    event.timestamp_ms = event.has_timestamp ? T_2021 : 0;
    return event;
}

static void assert_same_frame(const struct dc09_frame *a, const struct dc09_frame *b)
{
    assert_int_equal(a->token, b->token);
    assert_int_equal(a->encrypted, b->encrypted);
    assert_string_equal(a->token_text, b->token_text);
    assert_int_equal(a->seq, b->seq);
    assert_string_equal(a->receiver, b->receiver);
    assert_string_equal(a->line_prefix, b->line_prefix);
    assert_string_equal(a->account, b->account);
    assert_string_equal(a->data, b->data);
    assert_string_equal(a->extended, b->extended);
    assert_int_equal(a->has_timestamp, b->has_timestamp);
    assert_int_equal(a->timestamp_ms, b->timestamp_ms);
    assert_int_equal(a->crc_form, b->crc_form);
}

static void round_trip(const struct dc09_frame *event, const struct dc09_key *key)
{
    uint8_t buf[DC09_FRAME_MAX];
    size_t len = dc09_build_event(event, key, buf, sizeof buf);
    assert_true(len > 0);
    size_t start, frame_len;
    assert_int_equal(dc09_frame_find(buf, len, &start, &frame_len), DC09_FIND_FRAME);
    assert_int_equal(start, 0);
    assert_int_equal(frame_len, len);
    struct dc09_frame parsed;
    struct dc09_error err;
    enum dc09_status status = dc09_frame_parse(buf, len, key, &parsed, &err);
    if (status != DC09_OK)
        fail_msg("%s: %s", dc09_status_name(status), err.message);
    assert_same_frame(&parsed, event);
}

static void test_round_trip_of_every_token_plain(void **state)
{
    (void)state;
    enum dc09_token tokens[] = {DC09_SIA_DCS, DC09_ADM_CID, DC09_NULL,
                                DC09_ACK,     DC09_NAK,     DC09_DUH};
    for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
        for (int form = DC09_CRC_ASCII; form <= DC09_CRC_BINARY; form++) {
            struct dc09_frame event = sample_event(tokens[i], false);
            event.crc_form = (enum dc09_crc_form)form;
            round_trip(&event, NULL);
            event.has_timestamp = !event.has_timestamp;
            event.timestamp_ms = event.has_timestamp ? T_2011 : 0;
            round_trip(&event, NULL);
        }
    }
}

static void test_round_trip_encrypted_with_each_key_size(void **state)
{
    (void)state;
    const char *keys[] = {KEY128, KEY192, KEY256};
    enum dc09_token tokens[] = {DC09_SIA_DCS, DC09_ADM_CID, DC09_NULL, DC09_ACK};
    for (size_t k = 0; k < 3; k++) {
        struct dc09_key key = key_of(keys[k]);
        assert_int_equal(key.len, 16 + 8 * k);
        for (size_t i = 0; i < sizeof tokens / sizeof tokens[0]; i++) {
            struct dc09_frame event = sample_event(tokens[i], true);
            event.crc_form = i % 2 ? DC09_CRC_BINARY : DC09_CRC_ASCII;
            round_trip(&event, &key);
        }
    }
}

static void test_encrypted_frame_hides_its_content(void **state)
{
    (void)state;
    struct dc09_key key = key_of(KEY128);
    struct dc09_frame event = sample_event(DC09_SIA_DCS, true);
    uint8_t buf[DC09_FRAME_MAX];
    size_t len = dc09_build_event(&event, &key, buf, sizeof buf);
    const char *head = "\"*SIA-DCS\"0042R12L3#ABC123[";
    assert_memory_equal(buf + 9, head, strlen(head));
    assert_null(memmem(buf, len, "BA01", 4));
    size_t hex = len - 9 - strlen(head) - 1;
    assert_int_equal(hex % 32, 0);
}

static void test_wrong_crc_gets_no_answer(void **state)
{
    (void)state;
    uint8_t buf[DC09_FRAME_MAX];
    size_t len = load("sia-dcs-standard.frame", buf, sizeof buf);
    memcpy(buf + 1, "1A2B", 4);
    struct dc09_frame frame;
    struct dc09_error err;
    assert_int_equal(dc09_frame_parse(buf, len, NULL, &frame, &err), DC09_BAD_CRC);
    assert_string_equal(err.message, "CRC mismatch: frame says 1A2B, computed CE11");
    assert_int_equal(dc09_status_reply(DC09_BAD_CRC), DC09_REPLY_NONE);
    /* One changed byte of the message is caught too. */
    len = load("sia-dcs-standard.frame", buf, sizeof buf);
    buf[40] ^= 0x01;
    assert_int_equal(dc09_frame_parse(buf, len, NULL, &frame, NULL), DC09_BAD_CRC);
}

static void test_wrong_length_gets_nak(void **state)
{
    (void)state;
    uint8_t buf[DC09_FRAME_MAX];
    size_t len = load("sia-dcs-standard.frame", buf, sizeof buf);
    memcpy(buf + 5, "0033", 4);
    struct dc09_frame frame;
    struct dc09_error err;
    assert_int_equal(dc09_frame_parse(buf, len, NULL, &frame, &err), DC09_BAD_LENGTH);
    assert_string_equal(err.message, "length mismatch: frame says 033, the message has 032 bytes");
    assert_int_equal(dc09_status_reply(DC09_BAD_LENGTH), DC09_REPLY_NAK);
}

static void test_missing_cr_or_lf_is_no_frame(void **state)
{
    (void)state;
    uint8_t buf[DC09_FRAME_MAX];
    size_t len = load("sia-dcs-standard.frame", buf, sizeof buf);
    struct dc09_frame frame;
    struct dc09_error err;
    assert_int_equal(dc09_frame_parse(buf, len - 1, NULL, &frame, &err), DC09_BAD_FRAME);
    assert_string_equal(err.message, "a frame starts with LF and ends with CR");
    assert_int_equal(dc09_frame_parse(buf + 1, len - 1, NULL, &frame, NULL), DC09_BAD_FRAME);
    assert_int_equal(dc09_frame_parse(buf, 5, NULL, &frame, NULL), DC09_BAD_FRAME);
    size_t start, found;
    assert_int_equal(dc09_frame_find(buf, len - 1, &start, &found), DC09_FIND_NEED_MORE);
}

static void test_unknown_token_gets_duh_with_its_header(void **state)
{
    (void)state;
    struct dc09_frame frame;
    struct dc09_error err;
    assert_int_equal(parse_text("\"XYZ-ABC\"0017R1L2#1234[#1234|foo]", NULL, &frame, &err),
                     DC09_UNKNOWN_TOKEN);
    assert_string_equal(err.message, "unknown message token \"XYZ-ABC\"");
    assert_int_equal(frame.token, DC09_OTHER);
    assert_int_equal(frame.seq, 17);
    assert_string_equal(frame.account, "1234");
    assert_int_equal(dc09_status_reply(DC09_UNKNOWN_TOKEN), DC09_REPLY_DUH);
    uint8_t out[128];
    size_t len = dc09_build_duh(&frame, DC09_CRC_ASCII, out, sizeof out);
    uint8_t want[128];
    size_t want_len = wrap("\"DUH\"0017R1L2#1234[]", want);
    assert_int_equal(len, want_len);
    assert_memory_equal(out, want, len);
}

static void test_encrypted_without_key_gets_duh(void **state)
{
    (void)state;
    uint8_t buf[DC09_FRAME_MAX];
    size_t len = load("sia-dcs-aes128.frame", buf, sizeof buf);
    struct dc09_frame frame;
    struct dc09_error err;
    assert_int_equal(dc09_frame_parse(buf, len, NULL, &frame, &err), DC09_NEED_KEY);
    assert_string_equal(err.message, "encrypted frame and no key for account 1234");
    assert_true(frame.encrypted);
    assert_int_equal(frame.seq, 6);
    assert_int_equal(dc09_status_reply(DC09_NEED_KEY), DC09_REPLY_DUH);
}

static void test_wrong_key_does_not_decrypt(void **state)
{
    (void)state;
    const char *files[] = {"sia-dcs-aes128.frame", "adm-cid-aes192.frame", "null-aes256.frame"};
    const char *wrong[] = {"0F0E0D0C0B0A09080706050403020100", KEY128, KEY128};
    for (size_t i = 0; i < 3; i++) {
        uint8_t buf[DC09_FRAME_MAX];
        size_t len = load(files[i], buf, sizeof buf);
        struct dc09_key key = key_of(wrong[i]);
        struct dc09_frame frame;
        assert_int_equal(dc09_frame_parse(buf, len, &key, &frame, NULL), DC09_BAD_DECRYPT);
        assert_string_equal(frame.account, "1234");
    }
    assert_int_equal(dc09_status_reply(DC09_BAD_DECRYPT), DC09_REPLY_DUH);
}

static void test_bad_hex_and_missing_timestamp_get_nak(void **state)
{
    (void)state;
    struct dc09_key key = key_of(KEY128);
    struct dc09_frame frame;
    struct dc09_error err;
    char message[256], hex[128];
    const char *cipher = "E0907D15C53F063F956F4CCF6E5B6AEAED7BA88E86F13EA1662B473BB39AB2A8";
    snprintf(message, sizeof message, "\"*SIA-DCS\"0001L0#1234[%.31sG", cipher);
    assert_int_equal(parse_text(message, &key, &frame, &err), DC09_BAD_FORMAT);
    assert_string_equal(err.message, "the encrypted part is not hexadecimal");
    snprintf(message, sizeof message, "\"*SIA-DCS\"0001L0#1234[%.30s", cipher);
    assert_int_equal(parse_text(message, &key, &frame, NULL), DC09_BAD_FORMAT);
    /* Encrypted, well padded, but without the timestamp DC-09 requires. */
    assert_true(dc09_encrypt(&key, "#1234|Nri1/BA01]", 16, hex, sizeof hex) > 0);
    snprintf(message, sizeof message, "\"*SIA-DCS\"0001L0#1234[%s", hex);
    assert_int_equal(parse_text(message, &key, &frame, &err), DC09_BAD_FORMAT);
    assert_string_equal(err.message, "an encrypted frame must carry a timestamp");
    assert_int_equal(dc09_status_reply(DC09_BAD_FORMAT), DC09_REPLY_NAK);
}

static void test_malformed_plain_frames_get_nak(void **state)
{
    (void)state;
    const char *bad[] = {
        "\"SIA-DCS\"01R1L0#1234[#1234|Nri1/BA01]",     /* short sequence */
        "\"SIA-DCS\"0001RXL0#1234[#1234|Nri1/BA01]",   /* receiver not hex */
        "\"SIA-DCS\"0001L0#1234#1234|Nri1/BA01]",      /* no '[' */
        "\"SIA-DCS\"0001L0#1234[#1234|Nri1/BA01",      /* data not closed */
        "\"SIA-DCS\"0001L0#1234[#1234|Nri1/BA01][]",   /* empty x-data */
        "\"SIA-DCS\"0001L0#1234[#1234|Nri1/BA01]junk", /* trailing text */
        "\"SIA-DCS\"0001L0#1234[#1234|Nri1/BA01]_25:00:00,01-01-2021",
        "\"SIA-DCS\"0001L0#1234[#1234|Nri1/BA01]_12:00:00,02-29-2021",
        "\"SIA-DCS\"0001L0#1234[#1234|Nri1/BA01]_12:00:00,01-01-21",
        "\"SIA-DCS\"0001L0#12345678901234567[#1234|N]", /* account > 16 */
        "\"SIA-DCS\"0001L0#1234[#1234|\x01]",           /* control byte */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct dc09_frame frame;
        if (parse_text(bad[i], NULL, &frame, NULL) != DC09_BAD_FORMAT)
            fail_msg("accepted: %s", bad[i]);
    }
}

static void test_timestamp_window_is_minus_40_plus_20(void **state)
{
    (void)state;
    int64_t now = T_2021;
    assert_true(dc09_timestamp_check(now, now, DC09_WINDOW_BEFORE_S, DC09_WINDOW_AFTER_S));
    assert_true(dc09_timestamp_check(now - 40000, now, 40, 20));
    assert_false(dc09_timestamp_check(now - 41000, now, 40, 20));
    assert_true(dc09_timestamp_check(now + 20000, now, 40, 20));
    assert_false(dc09_timestamp_check(now + 21000, now, 40, 20));
    assert_int_equal(dc09_status_reply(DC09_BAD_TIMESTAMP), DC09_REPLY_NAK);
}

static void test_timestamp_text(void **state)
{
    (void)state;
    int64_t ms;
    assert_true(dc09_timestamp_parse("00:00:00,01-01-1970", 19, &ms));
    assert_int_equal(ms, 0);
    assert_true(dc09_timestamp_parse("23:59:59,12-31-1999", 19, &ms));
    assert_int_equal(ms, 946684799000LL);
    assert_true(dc09_timestamp_parse("00:00:00,02-29-2020", 19, &ms));
    assert_int_equal(ms, 1582934400000LL);
    assert_false(dc09_timestamp_parse("00:00:00,02-29-2021", 19, &ms));
    assert_false(dc09_timestamp_parse("00:00:00,13-01-2021", 19, &ms));
    assert_false(dc09_timestamp_parse("00:00:00 01-01-2021", 19, &ms));
    char text[DC09_TIMESTAMP_SIZE];
    dc09_timestamp_format(T_2011 + 999, text);
    assert_string_equal(text, "14:12:04,09-25-2011");
}

static void test_ack_nak_duh_bytes_are_the_standard_ones(void **state)
{
    (void)state;
    uint8_t buf[DC09_FRAME_MAX], out[256];
    size_t len = load("sia-dcs-standard.frame", buf, sizeof buf);
    struct dc09_frame request;
    assert_int_equal(dc09_frame_parse(buf, len, NULL, &request, NULL), DC09_OK);
    len = dc09_build_ack(&request, NULL, T_2011, DC09_CRC_ASCII, out, sizeof out);
    assert_bytes(out, len, "\n1B990020\"ACK\"9876R579BDFL789ABC#12345A[]\r");
    len = dc09_build_ack(&request, NULL, T_2011, DC09_CRC_BINARY, out, sizeof out);
    assert_bytes(out, len,
                 "\n\x1B\x99"
                 "0020\"ACK\"9876R579BDFL789ABC#12345A[]\r");
    len = dc09_build_duh(&request, DC09_CRC_ASCII, out, sizeof out);
    assert_bytes(out, len, "\nBB100020\"DUH\"9876R579BDFL789ABC#12345A[]\r");
    len = dc09_build_nak(T_2011, DC09_CRC_ASCII, out, sizeof out);
    assert_bytes(out, len, "\n422E0025\"NAK\"0000R0L0A0[]_14:12:04,09-25-2011\r");
    len = dc09_build_nak(T_2011, DC09_CRC_BINARY, out, sizeof out);
    assert_bytes(out, len,
                 "\n\x42\x2E"
                 "0025\"NAK\"0000R0L0A0[]_14:12:04,09-25-2011\r");
    /* The NAK reads back: seq 0, R0, L0, no account, the receiver's time. */
    struct dc09_frame nak;
    assert_int_equal(dc09_frame_parse(out, len, NULL, &nak, NULL), DC09_OK);
    assert_int_equal(nak.token, DC09_NAK);
    assert_int_equal(nak.seq, 0);
    assert_string_equal(nak.receiver, "0");
    assert_string_equal(nak.line_prefix, "0");
    assert_string_equal(nak.account, "");
    assert_int_equal(nak.timestamp_ms, T_2011);
    /* Too small a buffer: nothing. */
    assert_int_equal(dc09_build_nak(T_2011, DC09_CRC_ASCII, out, 46), 0);
}

static void test_ack_to_encrypted_frame_is_encrypted(void **state)
{
    (void)state;
    struct dc09_key key = key_of(KEY128);
    uint8_t buf[DC09_FRAME_MAX], out[256], plain[128];
    size_t len = load("sia-dcs-aes128.frame", buf, sizeof buf);
    struct dc09_frame request, ack;
    assert_int_equal(dc09_frame_parse(buf, len, &key, &request, NULL), DC09_OK);
    assert_int_equal(dc09_build_ack(&request, NULL, T_2011, DC09_CRC_ASCII, out, sizeof out), 0);
    len = dc09_build_ack(&request, &key, T_2011 + 500, DC09_CRC_ASCII, out, sizeof out);
    const char *head = "\"*ACK\"0006R1L1#1234[";
    assert_true(len > 9 + strlen(head));
    assert_memory_equal(out + 9, head, strlen(head));
    assert_int_equal(dc09_frame_parse(out, len, &key, &ack, NULL), DC09_OK);
    assert_int_equal(ack.token, DC09_ACK);
    assert_true(ack.encrypted);
    assert_string_equal(ack.data, "");
    assert_int_equal(ack.timestamp_ms, T_2011);
    /* Decrypted by hand: a pad without '|', '[' or ']', then the text. */
    const char *hex = (const char *)out + 9 + strlen(head);
    size_t hex_len = len - 9 - strlen(head) - 1, plain_len;
    assert_true(dc09_decrypt(&key, hex, hex_len, plain, sizeof plain, &plain_len));
    const char *tail = "|]_14:12:04,09-25-2011";
    size_t pad = plain_len - strlen(tail);
    assert_true(pad >= 1 && pad <= 16);
    assert_memory_equal(plain + pad, tail, strlen(tail));
    for (size_t i = 0; i < pad; i++)
        assert_true(plain[i] >= 0x20 && plain[i] <= 0x7E && plain[i] != '|' && plain[i] != '[' &&
                    plain[i] != ']');
}

static void test_keys_from_hex(void **state)
{
    (void)state;
    struct dc09_key key;
    assert_true(dc09_key_from_hex(KEY256, &key));
    assert_int_equal(key.len, 32);
    assert_int_equal(key.bytes[31], 0x1F);
    assert_true(dc09_key_from_hex("ffffffffffffffffffffffffffffffff", &key));
    assert_false(dc09_key_from_hex("000102030405060708090A0B0C0D0E0", &key));
    assert_false(dc09_key_from_hex("000102030405060708090A0B0C0D0E0F0", &key));
    assert_false(dc09_key_from_hex("G00102030405060708090A0B0C0D0E0F", &key));
    assert_false(dc09_key_from_hex("", &key));
}

static void test_builder_refuses_what_it_cannot_write(void **state)
{
    (void)state;
    uint8_t out[DC09_FRAME_MAX];
    struct dc09_key key = key_of(KEY128);
    struct dc09_frame event = sample_event(DC09_SIA_DCS, false);
    strcpy(event.receiver, "XYZ");
    assert_int_equal(dc09_build_event(&event, NULL, out, sizeof out), 0);
    event = sample_event(DC09_SIA_DCS, false);
    strcpy(event.data, "#1234|]");
    assert_int_equal(dc09_build_event(&event, NULL, out, sizeof out), 0);
    event = sample_event(DC09_SIA_DCS, false);
    strcpy(event.extended, "[X1][");
    assert_int_equal(dc09_build_event(&event, NULL, out, sizeof out), 0);
    event = sample_event(DC09_SIA_DCS, false);
    event.seq = 10000;
    assert_int_equal(dc09_build_event(&event, NULL, out, sizeof out), 0);
    event = sample_event(DC09_SIA_DCS, true);
    assert_int_equal(dc09_build_event(&event, NULL, out, sizeof out), 0);
    event.has_timestamp = false;
    assert_int_equal(dc09_build_event(&event, &key, out, sizeof out), 0);
    event = sample_event(DC09_SIA_DCS, false);
    assert_int_equal(dc09_build_event(&event, NULL, out, 20), 0);
    event.token = DC09_OTHER;
    strcpy(event.token_text, "RSP");
    assert_true(dc09_build_event(&event, NULL, out, sizeof out) > 0);
}

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(dc09_status_name(DC09_OK), "ok");
    assert_string_equal(dc09_status_name(DC09_BAD_CRC), "bad_crc");
    assert_string_equal(dc09_status_name(DC09_BAD_TIMESTAMP), "bad_timestamp");
    assert_string_equal(dc09_token_name(DC09_ADM_CID), "ADM-CID");
    assert_null(dc09_token_name(DC09_OTHER));
    assert_int_equal(dc09_status_reply(DC09_OK), DC09_REPLY_ACK);
    assert_int_equal(dc09_status_reply(DC09_BAD_FRAME), DC09_REPLY_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standard_sia_dcs_example_parses),
        cmocka_unit_test(test_standard_adm_cid_example_parses),
        cmocka_unit_test(test_captured_quirks_are_accepted),
        cmocka_unit_test(test_xdata_and_timestamp_parse),
        cmocka_unit_test(test_every_data_file_parses_as_documented),
        cmocka_unit_test(test_encrypted_data_files_carry_their_content),
        cmocka_unit_test(test_round_trip_of_every_token_plain),
        cmocka_unit_test(test_round_trip_encrypted_with_each_key_size),
        cmocka_unit_test(test_encrypted_frame_hides_its_content),
        cmocka_unit_test(test_wrong_crc_gets_no_answer),
        cmocka_unit_test(test_wrong_length_gets_nak),
        cmocka_unit_test(test_missing_cr_or_lf_is_no_frame),
        cmocka_unit_test(test_unknown_token_gets_duh_with_its_header),
        cmocka_unit_test(test_encrypted_without_key_gets_duh),
        cmocka_unit_test(test_wrong_key_does_not_decrypt),
        cmocka_unit_test(test_bad_hex_and_missing_timestamp_get_nak),
        cmocka_unit_test(test_malformed_plain_frames_get_nak),
        cmocka_unit_test(test_timestamp_window_is_minus_40_plus_20),
        cmocka_unit_test(test_timestamp_text),
        cmocka_unit_test(test_ack_nak_duh_bytes_are_the_standard_ones),
        cmocka_unit_test(test_ack_to_encrypted_frame_is_encrypted),
        cmocka_unit_test(test_keys_from_hex),
        cmocka_unit_test(test_builder_refuses_what_it_cannot_write),
        cmocka_unit_test(test_status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
