/* Unit tests of the Server-Sent Events parser: the same bytes give the
 * same events however the network cuts them (byte by byte included), LF,
 * CRLF and CR all end lines, data lines are joined with \n, comments and
 * unknown fields are skipped, an id without data moves only the last id,
 * retry is read, and an overlong line drops its event, not the stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/sse.h"

#define EVENTS_MAX 16

struct seen {
    size_t count;
    char type[EVENTS_MAX][SSE_TYPE_MAX];
    char id[EVENTS_MAX][SSE_ID_MAX];
    bool has_id[EVENTS_MAX];
    char *data[EVENTS_MAX];
};

static void on_message(void *context, const struct sse_message *message)
{
    struct seen *seen = context;
    assert_true(seen->count < EVENTS_MAX);
    assert_int_equal(strlen(message->data), message->data_length);
    size_t i = seen->count++;
    snprintf(seen->type[i], sizeof seen->type[i], "%s", message->type);
    snprintf(seen->id[i], sizeof seen->id[i], "%s", message->id);
    seen->has_id[i] = message->has_id;
    seen->data[i] = strdup(message->data);
}

static void seen_free(struct seen *seen)
{
    for (size_t i = 0; i < seen->count; i++)
        free(seen->data[i]);
    memset(seen, 0, sizeof *seen);
}

/* Feeds `text` in pieces of `piece` bytes (0: all at once). */
static struct sse_parser *feed(struct seen *seen, const char *text, size_t piece)
{
    struct sse_parser *parser = sse_parser_new(on_message, seen);
    assert_non_null(parser);
    size_t length = strlen(text);
    if (piece == 0)
        piece = length ? length : 1;
    for (size_t at = 0; at < length; at += piece)
        sse_parser_feed(parser, text + at, length - at < piece ? length - at : piece);
    return parser;
}

/* What vigied sends when a stream opens and a change follows. */
static const char stream_text[] =
    ": vigie event stream\n"
    "retry: 2000\n"
    "\n"
    "event: heartbeat\n"
    "data: {\"time\":\"2025-03-14T09:26:53.589Z\",\"node\":\"arc-a\",\"last_sequence\":41}\n"
    "\n"
    "id: 42\n"
    "event: alarm\n"
    "data: {\"id\":7,\"sequence\":42}\n"
    "\n";

static void assert_stream_events(struct seen *seen)
{
    assert_int_equal(seen->count, 2);
    assert_string_equal(seen->type[0], "heartbeat");
    assert_false(seen->has_id[0]);
    assert_string_equal(seen->id[0], "");
    assert_string_equal(
        seen->data[0],
        "{\"time\":\"2025-03-14T09:26:53.589Z\",\"node\":\"arc-a\",\"last_sequence\":41}");
    assert_string_equal(seen->type[1], "alarm");
    assert_true(seen->has_id[1]);
    assert_string_equal(seen->id[1], "42");
    assert_string_equal(seen->data[1], "{\"id\":7,\"sequence\":42}");
}

static void test_any_chunking_gives_the_same_events(void **state)
{
    (void)state;
    static const size_t pieces[] = {0, 1, 2, 3, 7, 13, 64};
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
        struct seen seen = {0};
        struct sse_parser *parser = feed(&seen, stream_text, pieces[i]);
        assert_stream_events(&seen);
        assert_int_equal(sse_parser_retry_ms(parser), 2000);
        assert_string_equal(sse_parser_last_id(parser), "42");
        sse_parser_free(parser);
        seen_free(&seen);
    }
}

/* The same stream with every \n turned into `ending`. */
static char *with_line_ending(const char *ending)
{
    size_t lines = 0;
    for (const char *c = stream_text; *c; c++)
        lines += *c == '\n';
    char *out = malloc(sizeof stream_text + lines * strlen(ending));
    char *at = out;
    for (const char *c = stream_text; *c; c++) {
        if (*c == '\n')
            at += sprintf(at, "%s", ending);
        else
            *at++ = *c;
    }
    *at = '\0';
    return out;
}

static void test_crlf_and_cr_end_lines_like_lf(void **state)
{
    (void)state;
    static const char *const endings[] = {"\r\n", "\r"};
    for (size_t e = 0; e < 2; e++) {
        char *text = with_line_ending(endings[e]);
        /* Byte by byte, a CRLF is cut between two feeds. */
        for (size_t piece = 0; piece <= 1; piece++) {
            struct seen seen = {0};
            struct sse_parser *parser = feed(&seen, text, piece);
            assert_stream_events(&seen);
            sse_parser_free(parser);
            seen_free(&seen);
        }
        free(text);
    }
}

static void test_data_lines_are_joined_with_newlines(void **state)
{
    (void)state;
    struct seen seen = {0};
    struct sse_parser *parser =
        feed(&seen, "data: first\ndata:second\ndata\ndata:  two spaces\n\n", 1);
    assert_int_equal(seen.count, 1);
    assert_string_equal(seen.type[0], "message");
    /* One space after the colon is dropped, not two; "data" alone is empty. */
    assert_string_equal(seen.data[0], "first\nsecond\n\n two spaces");
    sse_parser_free(parser);
    seen_free(&seen);
}

static void test_comments_and_unknown_fields_are_ignored(void **state)
{
    (void)state;
    struct seen seen = {0};
    struct sse_parser *parser = feed(&seen,
                                     ":comment\n: another\nfoo: bar\nevent: alarm\n:in the "
                                     "middle\ndata: x\nretry: soon\n\n",
                                     0);
    assert_int_equal(seen.count, 1);
    assert_string_equal(seen.type[0], "alarm");
    assert_string_equal(seen.data[0], "x");
    assert_int_equal(sse_parser_retry_ms(parser), -1); /* "soon" is not a number */
    sse_parser_free(parser);
    seen_free(&seen);
}

static void test_an_id_without_data_moves_only_the_last_id(void **state)
{
    (void)state;
    struct seen seen = {0};
    struct sse_parser *parser =
        feed(&seen, "id: 7\n\nevent: heartbeat\n\nevent: heartbeat\ndata: {}\n\n", 2);
    /* No event for the id alone nor for the event without data... */
    assert_int_equal(seen.count, 1);
    assert_string_equal(seen.type[0], "heartbeat");
    /* ...and the one that came carries the last id without having set it. */
    assert_string_equal(seen.id[0], "7");
    assert_false(seen.has_id[0]);
    assert_string_equal(sse_parser_last_id(parser), "7");
    sse_parser_free(parser);
    seen_free(&seen);
}

static void test_an_event_without_its_blank_line_is_not_dispatched(void **state)
{
    (void)state;
    struct seen seen = {0};
    struct sse_parser *parser = feed(&seen, "event: alarm\ndata: half", 0);
    assert_int_equal(seen.count, 0);
    sse_parser_feed(parser, "\n", 1);
    assert_int_equal(seen.count, 0);
    sse_parser_feed(parser, "\n", 1);
    assert_int_equal(seen.count, 1);
    assert_string_equal(seen.data[0], "half");
    /* A reset (a new connection) forgets the partial event and the id. */
    sse_parser_feed(parser, "id: 9\ndata: lost", 16);
    sse_parser_reset(parser);
    sse_parser_feed(parser, "\n\n", 2);
    assert_int_equal(seen.count, 1);
    assert_string_equal(sse_parser_last_id(parser), "");
    sse_parser_free(parser);
    seen_free(&seen);
}

static void test_an_overlong_line_drops_its_event_only(void **state)
{
    (void)state;
    struct seen seen = {0};
    struct sse_parser *parser = sse_parser_new(on_message, &seen);
    size_t length = SSE_LINE_MAX + 100;
    char *line = malloc(length);
    memset(line, 'a', length);
    memcpy(line, "data: ", 6);
    static const char before[] = "id: 1\nevent: alarm\ndata: fine\n\nid: 2\nevent: alarm\n";
    sse_parser_feed(parser, before, strlen(before));
    /* In pieces, as a network would bring it. */
    for (size_t at = 0; at < length; at += 4096)
        sse_parser_feed(parser, line + at, length - at < 4096 ? length - at : 4096);
    static const char after[] = "\n\nid: 3\nevent: alarm\ndata: fine again\n\n";
    sse_parser_feed(parser, after, strlen(after));
    assert_int_equal(seen.count, 2);
    assert_string_equal(seen.id[0], "1");
    assert_string_equal(seen.id[1], "3");
    assert_string_equal(seen.data[1], "fine again");
    assert_int_equal(sse_parser_dropped(parser), 1);
    /* An overlong comment harms nothing. */
    line[0] = ':';
    sse_parser_feed(parser, line, length);
    sse_parser_feed(parser, "\ndata: after the comment\n\n", 26);
    assert_int_equal(seen.count, 3);
    assert_string_equal(seen.data[2], "after the comment");
    assert_int_equal(sse_parser_dropped(parser), 1);
    free(line);
    sse_parser_free(parser);
    seen_free(&seen);
}

static void test_data_beyond_its_bound_drops_the_event(void **state)
{
    (void)state;
    struct seen seen = {0};
    struct sse_parser *parser = sse_parser_new(on_message, &seen);
    /* Lines each within the bound, together beyond it. */
    size_t half = SSE_DATA_MAX / 2 + 10;
    char *line = malloc(half + 8);
    memcpy(line, "data: ", 6);
    memset(line + 6, 'b', half);
    line[6 + half] = '\n';
    sse_parser_feed(parser, line, half + 7);
    sse_parser_feed(parser, line, half + 7);
    sse_parser_feed(parser, "\ndata: next\n\n", 13);
    assert_int_equal(seen.count, 1);
    assert_string_equal(seen.data[0], "next");
    assert_int_equal(sse_parser_dropped(parser), 1);
    /* An overlong event name or id drops the event as well. */
    char name[SSE_TYPE_MAX + 32];
    snprintf(name, sizeof name, "event: %0*d\ndata: x\n\n", SSE_TYPE_MAX, 0);
    sse_parser_feed(parser, name, strlen(name));
    assert_int_equal(seen.count, 1);
    assert_int_equal(sse_parser_dropped(parser), 2);
    free(line);
    sse_parser_free(parser);
    seen_free(&seen);
}

static void test_a_byte_order_mark_opens_the_stream(void **state)
{
    (void)state;
    struct seen seen = {0};
    struct sse_parser *parser = feed(&seen,
                                     "\xEF\xBB\xBF"
                                     "data: x\n\n",
                                     1);
    assert_int_equal(seen.count, 1);
    assert_string_equal(seen.data[0], "x");
    sse_parser_free(parser);
    seen_free(&seen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_any_chunking_gives_the_same_events),
        cmocka_unit_test(test_crlf_and_cr_end_lines_like_lf),
        cmocka_unit_test(test_data_lines_are_joined_with_newlines),
        cmocka_unit_test(test_comments_and_unknown_fields_are_ignored),
        cmocka_unit_test(test_an_id_without_data_moves_only_the_last_id),
        cmocka_unit_test(test_an_event_without_its_blank_line_is_not_dispatched),
        cmocka_unit_test(test_an_overlong_line_drops_its_event_only),
        cmocka_unit_test(test_data_beyond_its_bound_drops_the_event),
        cmocka_unit_test(test_a_byte_order_mark_opens_the_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
