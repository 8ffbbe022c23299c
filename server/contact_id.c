/* contact_id.c: Contact ID as DC-09 ADM-CID data and as the 16-digit
 * dialler message. Strict on shape (a wrong digit count is an error, never
 * a guess) and lenient only where panels are known to differ: brackets,
 * the account prefix, the spaces, a four-digit zone. */
#include "server/contact_id.h"
#include "common/i18n.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* The value a Contact ID digit counts for in the checksum, or -1. */
static int digit_value(char c)
{
    if (c == '0')
        return 10;
    if (c >= '1' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

char contact_id_check_digit(const char *digits)
{
    int sum = 0;
    for (size_t i = 0; i < CONTACT_ID_MESSAGE_LENGTH - 1; i++) {
        int value = digits[i] ? digit_value(digits[i]) : -1;
        if (value < 0)
            return '\0';
        sum += value;
    }
    int check = 15 - sum % 15; /* 1..15: a sum already whole needs 15, "F" */
    if (check == 10)
        return '0';
    return check < 10 ? (char)('0' + check) : (char)('A' + check - 10);
}

static bool all_digits(const char *text, size_t length)
{
    for (size_t i = 0; i < length; i++)
        if (!isdigit((unsigned char)text[i]))
            return false;
    return true;
}

static int number(const char *text, size_t length)
{
    int value = 0;
    for (size_t i = 0; i < length; i++)
        value = value * 10 + (text[i] - '0');
    return value;
}

/* Input as it may appear in a message: printable ASCII, at most 40. */
static void printable(const char *text, size_t length, char *out, size_t size)
{
    size_t used = 0;
    for (size_t i = 0; i < length && i < 40 && used + 1 < size; i++)
        out[used++] = text[i] >= 0x20 && text[i] < 0x7F ? text[i] : '?';
    out[used] = '\0';
}

static bool qualifier_is_valid(int qualifier)
{
    return qualifier == 1 || qualifier == 3 || qualifier == 6;
}

/* Fills the event from "QEEEGGZZZ" or "QEEEGGZZZZ", digits only. */
static bool fill_event(const char *digits, size_t length, struct contact_id_event *event,
                       char *error, size_t error_size)
{
    event->qualifier = digits[0] - '0';
    if (!qualifier_is_valid(event->qualifier)) {
        snprintf(error, error_size, _("Contact ID qualifier must be 1, 3 or 6, not %c"), digits[0]);
        return false;
    }
    memcpy(event->code, digits + 1, 3);
    event->code[3] = '\0';
    event->partition = number(digits + 4, 2);
    event->zone_or_user = number(digits + 6, length - 6);
    return true;
}

/* Removes the spaces of "QEEE GG ZZZ"; refuses spaces anywhere else. */
static bool compact(const char *text, size_t length, char *out, size_t *out_length)
{
    size_t used = 0;
    for (size_t i = 0; i < length; i++) {
        if (text[i] == ' ') {
            if (used != 4 && used != 6)
                return false;
            if (i + 1 < length && text[i + 1] == ' ')
                return false;
            continue;
        }
        if (used == 10)
            return false;
        out[used++] = text[i];
    }
    *out_length = used;
    return true;
}

static bool parse_account(const char *text, size_t length, struct contact_id_event *event,
                          char *error, size_t error_size)
{
    if (length < 3 || length >= CONTACT_ID_ACCOUNT_MAX) {
        snprintf(error, error_size, _("account must have 3 to 16 hex digits, not %zu"), length);
        return false;
    }
    for (size_t i = 0; i < length; i++) {
        if (!isxdigit((unsigned char)text[i])) {
            snprintf(error, error_size, _("account holds a character that is not a hex digit"));
            return false;
        }
        event->account[i] = (char)toupper((unsigned char)text[i]);
    }
    event->account[length] = '\0';
    return true;
}

/* Skips "[", "]", "#ACCT|" or "|" and leaves `text`/`length` on the event. */
static bool strip_envelope(const char **text, size_t *length, struct contact_id_event *event,
                           char *error, size_t error_size)
{
    const char *p = *text;
    size_t n = *length;
    if (n > 0 && p[0] == '[') {
        p++;
        n--;
    }
    if (n > 0 && p[n - 1] == ']')
        n--;
    if (n > 0 && p[0] == '#') {
        const char *bar = memchr(p, '|', n);
        if (!bar) {
            snprintf(error, error_size, _("account \"#...\" is not followed by \"|\""));
            return false;
        }
        if (!parse_account(p + 1, (size_t)(bar - p - 1), event, error, error_size))
            return false;
        n -= (size_t)(bar + 1 - p);
        p = bar + 1;
    } else if (n > 0 && p[0] == '|') {
        p++;
        n--;
    }
    *text = p;
    *length = n;
    return true;
}

bool contact_id_parse_block(const char *data, size_t length, struct contact_id_event *event,
                            char *error, size_t error_size)
{
    memset(event, 0, sizeof *event);
    if (!strip_envelope(&data, &length, event, error, error_size))
        return false;
    char digits[10];
    size_t count = 0;
    if (length > 12 || !compact(data, length, digits, &count) || count < 9 ||
        !all_digits(digits, count)) {
        char shown[48];
        printable(data, length, shown, sizeof shown);
        snprintf(error, error_size,
                 _("Contact ID data must be \"QEEE GG ZZZ\" (qualifier, event, partition, "
                   "zone), got \"%s\""),
                 shown);
        return false;
    }
    return fill_event(digits, count, event, error, error_size);
}

bool contact_id_parse_message(const char *message, size_t length, struct contact_id_event *event,
                              char *error, size_t error_size)
{
    memset(event, 0, sizeof *event);
    char digits[CONTACT_ID_MESSAGE_LENGTH + 1];
    size_t count = 0;
    for (size_t i = 0; i < length; i++) {
        if (message[i] == ' ')
            continue;
        if (count == CONTACT_ID_MESSAGE_LENGTH || digit_value(message[i]) < 0) {
            snprintf(error, error_size, _("a Contact ID message is 16 hex digits"));
            return false;
        }
        digits[count++] = (char)toupper((unsigned char)message[i]);
    }
    digits[count] = '\0';
    if (count != CONTACT_ID_MESSAGE_LENGTH) {
        snprintf(error, error_size, _("a Contact ID message is 16 digits, not %zu"), count);
        return false;
    }
    if (contact_id_check_digit(digits) != digits[15]) {
        snprintf(error, error_size, _("Contact ID checksum does not match"));
        return false;
    }
    if (!(digits[4] == '1' || digits[4] == '9') || digits[5] != '8') {
        snprintf(error, error_size, _("Contact ID message type must be 18 or 98, not %.2s"),
                 digits + 4);
        return false;
    }
    if (!all_digits(digits + 6, 9)) {
        snprintf(error, error_size, _("Contact ID event, partition and zone must be decimal"));
        return false;
    }
    memcpy(event->account, digits, 4);
    event->account[4] = '\0';
    return fill_event(digits + 6, 9, event, error, error_size);
}
