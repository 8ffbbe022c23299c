/* sia_dcs.c: reads the DC-03 data block item by item. Modifiers stay in
 * force for the events that follow them, as DC-03 sends them first; every
 * item is checked, and a block that does not parse whole is refused rather
 * than partly read, so that the ingest keeps the raw frame instead. */
#include "server/sia_dcs.h"
#include "common/i18n.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct cursor {
    const char *text;
    size_t length;
    size_t at;
    char *error;
    size_t error_size;
    /* modifiers in force */
    int area, user, peripheral;
    char time[9];
};

__attribute__((format(printf, 2, 3))) static bool fail(struct cursor *cursor, const char *format,
                                                       ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(cursor->error, cursor->error_size, format, args);
    va_end(args);
    return false;
}

static bool at_end(const struct cursor *cursor)
{
    return cursor->at >= cursor->length;
}

static char peek(const struct cursor *cursor, size_t ahead)
{
    return cursor->at + ahead < cursor->length ? cursor->text[cursor->at + ahead] : '\0';
}

/* Reads up to SIA_NUMBER_DIGITS digits; -1 when there are none. */
static bool read_number(struct cursor *cursor, int *out, bool required, const char *what)
{
    int value = 0;
    size_t digits = 0;
    while (isdigit((unsigned char)peek(cursor, 0))) {
        if (++digits > SIA_NUMBER_DIGITS)
            return fail(cursor, _("SIA %s number longer than %d digits at position %zu"), what,
                        SIA_NUMBER_DIGITS, cursor->at);
        value = value * 10 + (peek(cursor, 0) - '0');
        cursor->at++;
    }
    if (digits == 0 && required)
        return fail(cursor, _("SIA %s modifier without a number at position %zu"), what,
                    cursor->at);
    *out = digits ? value : -1;
    return true;
}

/* "HH:MM" or "HH:MM:SS". */
static bool read_time(struct cursor *cursor)
{
    size_t start = cursor->at;
    size_t length = 0;
    while (length < 8 &&
           (isdigit((unsigned char)peek(cursor, length)) || peek(cursor, length) == ':'))
        length++;
    const char *t = cursor->text + start;
    bool shaped = (length == 5 || length == 8) && t[2] == ':' && (length == 5 || t[5] == ':');
    for (size_t i = 0; shaped && i < length; i++)
        shaped = (i % 3 == 2) ? t[i] == ':' : isdigit((unsigned char)t[i]) != 0;
    if (!shaped || isdigit((unsigned char)peek(cursor, length)) || peek(cursor, length) == ':')
        return fail(cursor, _("SIA time must be HH:MM or HH:MM:SS at position %zu"), start);
    if ((t[0] - '0') * 10 + (t[1] - '0') > 23 || (t[3] - '0') * 10 + (t[4] - '0') > 59 ||
        (length == 8 && (t[6] - '0') * 10 + (t[7] - '0') > 59))
        return fail(cursor, _("SIA time out of range at position %zu"), start);
    memcpy(cursor->time, t, length);
    cursor->time[length] = '\0';
    cursor->at += length;
    return true;
}

/* Other lower-case modifiers (a date, a video index...) are skipped with
 * their value, which is digits and separators. */
static void skip_value(struct cursor *cursor)
{
    while (!at_end(cursor)) {
        char c = peek(cursor, 0);
        if (!isdigit((unsigned char)c) && c != ':' && c != '-' && c != '.')
            return;
        cursor->at++;
    }
}

static bool read_modifier(struct cursor *cursor, char first, char second)
{
    char name[3] = {(char)tolower((unsigned char)first), (char)tolower((unsigned char)second), 0};
    cursor->at += 2;
    if (strcmp(name, "ri") == 0)
        return read_number(cursor, &cursor->area, true, "ri");
    if (strcmp(name, "id") == 0)
        return read_number(cursor, &cursor->user, true, "id");
    if (strcmp(name, "pi") == 0)
        return read_number(cursor, &cursor->peripheral, true, "pi");
    if (strcmp(name, "ti") == 0)
        return read_time(cursor);
    skip_value(cursor);
    return true;
}

static bool is_capital_modifier(char first, char second)
{
    static const char *const names[] = {"RI", "ID", "PI", "TI"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i][0] == first && names[i][1] == second)
            return true;
    return false;
}

static bool read_event(struct cursor *cursor, struct sia_block *block)
{
    if (block->count == SIA_EVENTS_MAX)
        return fail(cursor, _("more than %d events in one SIA block"), SIA_EVENTS_MAX);
    struct sia_event *event = &block->events[block->count];
    event->code[0] = peek(cursor, 0);
    event->code[1] = peek(cursor, 1);
    event->code[2] = '\0';
    cursor->at += 2;
    if (!read_number(cursor, &event->zone, false, "zone"))
        return false;
    event->area = cursor->area;
    event->user = cursor->user;
    event->peripheral = cursor->peripheral;
    memcpy(event->time, cursor->time, sizeof event->time);
    block->count++;
    return true;
}

static bool skip_text(struct cursor *cursor)
{
    size_t start = cursor->at++;
    while (!at_end(cursor) && peek(cursor, 0) != '^')
        cursor->at++;
    if (at_end(cursor))
        return fail(cursor, _("SIA text opened at position %zu is not closed by \"^\""), start);
    cursor->at++;
    return true;
}

static bool read_item(struct cursor *cursor, struct sia_block *block)
{
    char first = peek(cursor, 0), second = peek(cursor, 1);
    if (first == '/') {
        cursor->at++;
        return true;
    }
    if (first == '^')
        return skip_text(cursor);
    if (islower((unsigned char)first) && islower((unsigned char)second))
        return read_modifier(cursor, first, second);
    if (is_capital_modifier(first, second))
        return read_modifier(cursor, first, second);
    if (isupper((unsigned char)first) && isupper((unsigned char)second))
        return read_event(cursor, block);
    if (first >= 0x20 && first < 0x7F)
        return fail(cursor, _("unexpected \"%c\" at position %zu of the SIA block"), first,
                    cursor->at);
    return fail(cursor, _("unexpected byte 0x%02X at position %zu of the SIA block"),
                (unsigned char)first, cursor->at);
}

static bool read_account(struct cursor *cursor, struct sia_block *block)
{
    size_t start = ++cursor->at; /* after '#' */
    while (!at_end(cursor) && isxdigit((unsigned char)peek(cursor, 0)))
        cursor->at++;
    size_t length = cursor->at - start;
    if (peek(cursor, 0) != '|')
        return fail(cursor, _("SIA account \"#...\" must be hex digits followed by \"|\""));
    if (length < 3 || length >= SIA_ACCOUNT_MAX)
        return fail(cursor, _("account must have 3 to 16 hex digits, not %zu"), length);
    for (size_t i = 0; i < length; i++)
        block->account[i] = (char)toupper((unsigned char)cursor->text[start + i]);
    block->account[length] = '\0';
    cursor->at++; /* '|' */
    return true;
}

bool sia_dcs_parse(const char *data, size_t length, struct sia_block *block, char *error,
                   size_t error_size)
{
    memset(block, 0, sizeof *block);
    struct cursor cursor = {.text = data,
                            .length = length,
                            .error = error,
                            .error_size = error_size,
                            .area = -1,
                            .user = -1,
                            .peripheral = -1};
    if (peek(&cursor, 0) == '[')
        cursor.at++;
    if (cursor.length > cursor.at && data[cursor.length - 1] == ']')
        cursor.length--;
    if (peek(&cursor, 0) == '#' && !read_account(&cursor, block))
        return false;
    if (peek(&cursor, 0) == '|')
        cursor.at++;
    if (peek(&cursor, 0) != 'N')
        return fail(&cursor, _("SIA block must start with the function code N (new event)"));
    cursor.at++;
    while (!at_end(&cursor))
        if (!read_item(&cursor, block))
            return false;
    if (block->count == 0)
        return fail(&cursor, _("SIA block has no event code"));
    return true;
}
