/* panel_tpi.c: the EnvisaLink TPI (DSC) codec: checksums, lines, the
 * client's commands, and the names of the panel's answers. Pure: no
 * sockets, no allocation, every length bounded. */
#include "server/panel_tpi.h"
#include "common/i18n.h"

#include <stdio.h>
#include <string.h>

/* A line is at least a code and a checksum. */
#define TPI_CODE_DIGITS     3
#define TPI_CHECKSUM_DIGITS 2

unsigned panel_tpi_checksum(const char *text, size_t length)
{
    unsigned sum = 0;
    for (size_t i = 0; i < length; i++)
        sum += (unsigned char)text[i];
    return sum & 0xFFu;
}

static bool printable(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7E)
            return false;
    return true;
}

size_t panel_tpi_format(int code, const char *data, char *out, size_t size)
{
    size_t data_length = data ? strlen(data) : 0;
    /* code + data + checksum + CR LF + NUL */
    size_t needed = TPI_CODE_DIGITS + data_length + TPI_CHECKSUM_DIGITS + 3;
    if (code < 0 || code > 999 || !printable(data ? data : "", data_length) || needed > size ||
        TPI_CODE_DIGITS + data_length + TPI_CHECKSUM_DIGITS > PANEL_TPI_LINE_MAX)
        return 0;
    int length = snprintf(out, size, "%03d%s", code, data ? data : "");
    unsigned checksum = panel_tpi_checksum(out, (size_t)length);
    length += snprintf(out + length, size - (size_t)length, "%02X\r\n", checksum);
    return (size_t)length;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

enum panel_tpi_status panel_tpi_parse(const char *line, size_t length,
                                      struct panel_tpi_message *out)
{
    memset(out, 0, sizeof *out);
    if (length < TPI_CODE_DIGITS + TPI_CHECKSUM_DIGITS || length > PANEL_TPI_LINE_MAX ||
        !printable(line, length))
        return PANEL_TPI_MALFORMED;
    int code = 0;
    for (int i = 0; i < TPI_CODE_DIGITS; i++) {
        if (line[i] < '0' || line[i] > '9')
            return PANEL_TPI_MALFORMED;
        code = code * 10 + (line[i] - '0');
    }
    int high = hex_value(line[length - 2]), low = hex_value(line[length - 1]);
    if (high < 0 || low < 0)
        return PANEL_TPI_MALFORMED;
    size_t body = length - TPI_CHECKSUM_DIGITS;
    out->code = code;
    out->data_length = body - TPI_CODE_DIGITS;
    memcpy(out->data, line + TPI_CODE_DIGITS, out->data_length);
    out->data[out->data_length] = '\0';
    if (panel_tpi_checksum(line, body) != (unsigned)(high * 16 + low))
        return PANEL_TPI_CHECKSUM_WRONG;
    return PANEL_TPI_OK;
}

size_t panel_tpi_reader_feed(struct panel_tpi_reader *reader, const char *data, size_t length,
                             bool *complete)
{
    *complete = false;
    if (reader->ended) {
        reader->length = 0;
        reader->too_long = false;
        reader->ended = false;
    }
    size_t used = 0;
    while (used < length) {
        char c = data[used++];
        if (c == '\n') {
            if (reader->length > 0 && reader->line[reader->length - 1] == '\r')
                reader->length--;
            if (reader->length > PANEL_TPI_LINE_MAX)
                reader->too_long = true;
            reader->line[reader->length] = '\0';
            reader->ended = true;
            *complete = true;
            return used;
        }
        /* One byte past the bound is kept: it may be the CR of the end. */
        if (reader->length < PANEL_TPI_LINE_MAX + 1)
            reader->line[reader->length++] = c;
        else
            reader->too_long = true;
    }
    return used;
}

bool panel_tpi_password_valid(const char *password)
{
    size_t length = password ? strlen(password) : 0;
    return length >= 1 && length <= PANEL_TPI_PASSWORD_LENGTH_MAX && printable(password, length);
}

bool panel_tpi_code_valid(const char *code)
{
    size_t length = code ? strlen(code) : 0;
    if (length != PANEL_TPI_CODE_LENGTH_MIN && length != PANEL_TPI_CODE_LENGTH_MAX)
        return false;
    for (size_t i = 0; i < length; i++)
        if (code[i] < '0' || code[i] > '9')
            return false;
    return true;
}

size_t panel_tpi_login(const char *password, char *out, size_t size)
{
    return panel_tpi_password_valid(password)
               ? panel_tpi_format(PANEL_TPI_LOGIN, password, out, size)
               : 0;
}

size_t panel_tpi_code_send(const char *code, char *out, size_t size)
{
    return panel_tpi_code_valid(code) ? panel_tpi_format(PANEL_TPI_CODE_SEND, code, out, size) : 0;
}

size_t panel_tpi_request(const struct panel_request *request, int partition, const char *code,
                         char *out, size_t size)
{
    if (partition < 1 || partition > PANEL_PARTITION_MAX)
        return 0;
    char data[32];
    switch (request->kind) {
    case PANEL_COMMAND_ARM_AWAY:
        snprintf(data, sizeof data, "%d", partition);
        return panel_tpi_format(PANEL_TPI_ARM_AWAY, data, out, size);
    case PANEL_COMMAND_ARM_STAY:
        snprintf(data, sizeof data, "%d", partition);
        return panel_tpi_format(PANEL_TPI_ARM_STAY, data, out, size);
    case PANEL_COMMAND_DISARM:
        if (!panel_tpi_code_valid(code))
            return 0;
        snprintf(data, sizeof data, "%d%s", partition, code);
        return panel_tpi_format(PANEL_TPI_DISARM, data, out, size);
    case PANEL_COMMAND_BYPASS_ZONE:
        /* The keypad's way: *1, the zone in two digits, # to leave. */
        if (request->zone < 1 || request->zone > PANEL_TPI_ZONE_MAX)
            return 0;
        snprintf(data, sizeof data, "%d*1%02d#", partition, request->zone);
        return panel_tpi_format(PANEL_TPI_KEYS, data, out, size);
    default:
        return 0;
    }
}

bool panel_tpi_zone_bypassed(const char *field, size_t length, int zone)
{
    size_t byte = (size_t)(zone - 1) / 8;
    if (zone < 1 || length % 2 != 0 || 2 * byte + 1 >= length)
        return false;
    int high = hex_value(field[2 * byte]), low = hex_value(field[2 * byte + 1]);
    if (high < 0 || low < 0)
        return false;
    return ((high * 16 + low) >> ((zone - 1) % 8)) & 1;
}

void panel_tpi_bypass_field(const bool bypassed[PANEL_TPI_ZONE_MAX], char out[17])
{
    for (int byte = 0; byte < PANEL_TPI_ZONE_MAX / 8; byte++) {
        unsigned value = 0;
        for (int bit = 0; bit < 8; bit++)
            if (bypassed[byte * 8 + bit])
                value |= 1u << bit;
        snprintf(out + 2 * byte, 3, "%02X", value);
    }
}

const char *panel_tpi_answer_name(int code)
{
    switch (code) {
    case PANEL_TPI_ACK:
        return _("command acknowledged");
    case PANEL_TPI_BAD_CHECKSUM:
        return _("command error: bad checksum");
    case PANEL_TPI_SYSTEM_ERROR:
        return _("system error");
    case PANEL_TPI_LOGIN_STATE:
        return _("login");
    case PANEL_TPI_BYPASS_FIELD:
        return _("bypassed zones");
    case PANEL_TPI_READY:
        return _("partition ready");
    case PANEL_TPI_NOT_READY:
        return _("partition not ready");
    case PANEL_TPI_ARMED:
        return _("partition armed");
    case PANEL_TPI_DISARMED:
        return _("partition disarmed");
    case PANEL_TPI_EXIT_DELAY:
        return _("exit delay in progress");
    case PANEL_TPI_KEYPAD_LOCKOUT:
        return _("keypad lock-out");
    case PANEL_TPI_FAILED_TO_ARM:
        return _("partition failed to arm");
    case PANEL_TPI_INVALID_CODE:
        return _("invalid access code");
    case PANEL_TPI_NOT_AVAILABLE:
        return _("function not available");
    case PANEL_TPI_FAILURE_TO_ARM:
        return _("failure to arm");
    case PANEL_TPI_BUSY:
        return _("partition busy");
    case PANEL_TPI_ARMING:
        return _("system arming in progress");
    case PANEL_TPI_CODE_REQUIRED:
        return _("code required");
    default:
        return _("unknown answer");
    }
}

const char *panel_tpi_error_name(int error)
{
    switch (error) {
    case 0:
        return _("no error");
    case 1:
    case 2:
        return _("receive buffer overrun");
    case 3:
        return _("transmit buffer overflow");
    case 10:
    case 11:
    case 12:
    case 13:
        return _("keybus transmit failure");
    case 14:
        return _("keybus interface not functioning");
    case 15:
        return _("keybus busy");
    case 16:
        return _("keybus busy: keypad lock-out");
    case 17:
        return _("keybus busy: installer's mode");
    case 18:
        return _("keybus busy: partition busy");
    case 20:
        return _("command syntax error");
    case 21:
        return _("partition out of bounds");
    case 22:
        return _("command not supported");
    case 23:
        return _("partition not armed");
    case 24:
        return _("partition not ready to arm");
    case 25:
        return _("command of invalid length");
    case 26:
        return _("user code not required");
    case 27:
        return _("invalid characters in command");
    default:
        return _("unknown system error");
    }
}
