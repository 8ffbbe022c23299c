/* panel_tpi.h: the EnvisaLink TPI, DSC flavour (EyezOn's "TPI
 * programmer's document"), as pure functions over text: a line is three
 * digits of command or answer code, its data, a checksum of two uppercase
 * hex digits (the low byte of the sum of the preceding characters), CR LF.
 * The client logs in with 005 and a password, then sends 030 (arm away),
 * 031 (arm stay), 040 (disarm with a code), 071 (keys, e.g. a bypass) and
 * 200 (a code the panel asked for with 900); the panel answers 500
 * (acknowledged), 501 (bad checksum), 502 (system error NNN) and reports
 * partition and zone states (650-674, 616). No sockets here: the driver
 * (panel_tpi_driver.c) and vigie-sim's panel side both use this codec, and
 * the unit tests and a fuzzer can feed it anything. */
#ifndef VIGIE_PANEL_TPI_H
#define VIGIE_PANEL_TPI_H

#include <stdbool.h>
#include <stddef.h>

#include "server/panel_driver.h"

/* The EnvisaLink listens for TPI clients on this TCP port. */
#define PANEL_TPI_PORT 4025
/* The longest line either side sends is a 616 bypass field of 32 hex
 * digits (128 zones) with its code and checksum; keypad text lines stay
 * under 80. Longer input is garbage. */
#define PANEL_TPI_LINE_MAX 128
/* 005 takes a password of 1 to 6 characters; codes are 4 or 6 digits. */
#define PANEL_TPI_PASSWORD_LENGTH_MAX 6
#define PANEL_TPI_CODE_LENGTH_MIN     4
#define PANEL_TPI_CODE_LENGTH_MAX     6
/* Zones a DSC keystring bypass can name (*1 then two digits). */
#define PANEL_TPI_ZONE_MAX 64

/* Command codes (client to panel). */
enum {
    PANEL_TPI_POLL = 0,
    PANEL_TPI_LOGIN = 5,
    PANEL_TPI_ARM_AWAY = 30,
    PANEL_TPI_ARM_STAY = 31,
    PANEL_TPI_ARM_WITH_CODE = 33,
    PANEL_TPI_DISARM = 40,
    PANEL_TPI_KEYS = 71,
    PANEL_TPI_CODE_SEND = 200,
};

/* Answer codes (panel to client). */
enum {
    PANEL_TPI_ACK = 500,
    PANEL_TPI_BAD_CHECKSUM = 501,
    PANEL_TPI_SYSTEM_ERROR = 502,
    PANEL_TPI_LOGIN_STATE = 505, /* data 0 refused, 1 accepted, 2 timed out, 3 asked */
    PANEL_TPI_BYPASS_FIELD = 616,
    PANEL_TPI_READY = 650,
    PANEL_TPI_NOT_READY = 651,
    PANEL_TPI_ARMED =
        652, /* data: partition, mode 0 away, 1 stay, 2 and 3 the same with no entry delay */
    PANEL_TPI_DISARMED = 655,
    PANEL_TPI_EXIT_DELAY = 656,
    PANEL_TPI_KEYPAD_LOCKOUT = 658,
    PANEL_TPI_FAILED_TO_ARM = 659,
    PANEL_TPI_INVALID_CODE = 670,
    PANEL_TPI_NOT_AVAILABLE = 671,
    PANEL_TPI_FAILURE_TO_ARM = 672,
    PANEL_TPI_BUSY = 673,
    PANEL_TPI_ARMING = 674,
    PANEL_TPI_CODE_REQUIRED = 900,
};

struct panel_tpi_message {
    int code; /* 0..999 */
    char data[PANEL_TPI_LINE_MAX];
    size_t data_length;
};

/* The TPI checksum of `length` characters: the low byte of their sum. */
unsigned panel_tpi_checksum(const char *text, size_t length);

/* CODE (three digits), DATA, checksum, CR LF into `out`; the length
 * written (NUL-terminated too), or 0 when the code is out of range, the
 * data holds a character outside printable ASCII, or it does not fit. */
size_t panel_tpi_format(int code, const char *data, char *out, size_t size);

enum panel_tpi_status {
    PANEL_TPI_OK,
    PANEL_TPI_CHECKSUM_WRONG, /* well formed, but the checksum does not match */
    PANEL_TPI_MALFORMED,      /* too short, too long, not digits, not printable */
};
/* Reads one line (without its CR LF). Checksum digits are read in either
 * case, as peers differ; what we send is always uppercase. */
enum panel_tpi_status panel_tpi_parse(const char *line, size_t length,
                                      struct panel_tpi_message *out);

/* Cuts a byte stream into lines: bytes come in any cut, a line ends with
 * LF (a CR before it is dropped). A line longer than PANEL_TPI_LINE_MAX is
 * reported as too long, never overflows. */
struct panel_tpi_reader {
    char line[PANEL_TPI_LINE_MAX + 2]; /* the line, a CR, a NUL */
    size_t length;
    bool too_long;
    bool ended; /* the last call ended a line: the next one starts afresh */
};
/* Consumes bytes up to and including the first LF; returns how many.
 * When a line ended, *complete is true and the line is in reader->line
 * (NUL-terminated, reader->length bytes, or reader->too_long set); the
 * next call starts a new line. */
size_t panel_tpi_reader_feed(struct panel_tpi_reader *reader, const char *data, size_t length,
                             bool *complete);

/* Client lines. Each returns the length written into `out`, 0 when an
 * argument is out of bounds (a password of 7 characters, a code that is
 * not 4 or 6 digits, a zone past PANEL_TPI_ZONE_MAX...). */
size_t panel_tpi_login(const char *password, char *out, size_t size);
size_t panel_tpi_request(const struct panel_request *request, int partition, const char *code,
                         char *out, size_t size);
size_t panel_tpi_code_send(const char *code, char *out, size_t size);

bool panel_tpi_password_valid(const char *password);
bool panel_tpi_code_valid(const char *code);

/* Whether a 616 field (16 or 32 hex digits, zone 1 the low bit of the
 * first byte) says the zone is bypassed. */
bool panel_tpi_zone_bypassed(const char *field, size_t length, int zone);
/* The 616 field for 64 zones (16 hex digits) from one flag per zone
 * (bypassed[0] is zone 1); out holds 17 bytes. */
void panel_tpi_bypass_field(const bool bypassed[PANEL_TPI_ZONE_MAX], char out[17]);

/* What an answer code means ("partition armed"), and a 502 error code
 * ("partition not ready to arm"), for the record and the console. */
const char *panel_tpi_answer_name(int code);
const char *panel_tpi_error_name(int error);

/* The DSC TPI driver (panel_tpi_driver.c). */
extern const struct panel_driver panel_driver_tpi;

#endif
