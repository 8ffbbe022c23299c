/* libFuzzer target of the EnvisaLink TPI codec (server/panel_tpi.c), the
 * protocol vigied speaks to a panel's network module for remote arm and
 * disarm: a peer we do not control, on the centre's network. Arbitrary
 * bytes are cut into lines by the stream reader (fed in uneven cuts, as
 * TCP delivers them) and every line is parsed. Beyond "no crash", it
 * checks the codec's promises: the reader consumes only what it was
 * given and never reports a line longer than PANEL_TPI_LINE_MAX; a line
 * that parses is formatted back into a line that parses to the same
 * message; a 616 bypass field is read for every zone without reading
 * past it; the names of answers and errors are always strings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/panel_tpi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(condition)                                                                           \
    do {                                                                                           \
        if (!(condition))                                                                          \
            abort();                                                                               \
    } while (0)

/* A parsed message, formatted again, parses to itself. */
static void check_round_trip(const struct panel_tpi_message *message)
{
    char data[PANEL_TPI_LINE_MAX + 1];
    memcpy(data, message->data, message->data_length);
    data[message->data_length] = '\0';
    char line[PANEL_TPI_LINE_MAX + 8];
    size_t length = panel_tpi_format(message->code, data, line, sizeof line);
    if (length == 0)
        return; /* a message too long to send back whole: allowed */
    CHECK(length >= 2 && line[length - 2] == '\r' && line[length - 1] == '\n');
    struct panel_tpi_message again;
    CHECK(panel_tpi_parse(line, length - 2, &again) == PANEL_TPI_OK);
    CHECK(again.code == message->code && again.data_length == message->data_length &&
          memcmp(again.data, message->data, message->data_length) == 0);
}

static void check_line(const char *line, size_t length)
{
    CHECK(length <= PANEL_TPI_LINE_MAX);
    struct panel_tpi_message message;
    enum panel_tpi_status status = panel_tpi_parse(line, length, &message);
    CHECK(status == PANEL_TPI_OK || status == PANEL_TPI_CHECKSUM_WRONG ||
          status == PANEL_TPI_MALFORMED);
    if (status != PANEL_TPI_OK)
        return;
    CHECK(message.code >= 0 && message.code <= 999);
    CHECK(message.data_length < sizeof message.data);
    CHECK(panel_tpi_answer_name(message.code) != NULL);
    check_round_trip(&message);
    for (int zone = 1; zone <= PANEL_TPI_ZONE_MAX; zone++)
        (void)panel_tpi_zone_bypassed(message.data, message.data_length, zone);
    if (message.data_length > 0)
        CHECK(panel_tpi_error_name(atoi(message.data)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct panel_tpi_reader reader = {0};
    const char *at = (const char *)data;
    size_t left = size, cut = 1;
    while (left > 0) {
        /* Uneven cuts: 1, 2, 3... bytes, then the rest, as reads come. */
        size_t offered = cut < left ? cut : left;
        bool complete = false;
        size_t used = panel_tpi_reader_feed(&reader, at, offered, &complete);
        CHECK(used <= offered);
        CHECK(used > 0 || offered == 0);
        at += used;
        left -= used;
        cut = cut % 7 + 1;
        if (complete && !reader.too_long) {
            CHECK(reader.length <= PANEL_TPI_LINE_MAX && reader.line[reader.length] == '\0');
            check_line(reader.line, reader.length);
        }
    }
    /* The whole input as one line, when it could be one. */
    if (size <= PANEL_TPI_LINE_MAX)
        check_line((const char *)data, size);
    return 0;
}
