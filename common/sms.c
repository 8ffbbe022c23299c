/* sms.c: GSM 03.38 / UCS-2 measure of a text (3GPP TS 23.038 for the
 * alphabets, TS 23.040 for the concatenation header's cost). The tables
 * are the standard's, as Unicode code points. */
#include "common/sms.h"

#include <stdint.h>

/* The default alphabet: every code point that is one septet. */
static const uint16_t gsm7_basic[] = {
    '@',    0x00A3, '$',    0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2, 0x00C7, '\n',
    0x00D8, 0x00F8, '\r',   0x00C5, 0x00E5, 0x0394, '_',    0x03A6, 0x0393, 0x039B, 0x03A9,
    0x03A0, 0x03A8, 0x03A3, 0x0398, 0x039E, 0x00C6, 0x00E6, 0x00DF, 0x00C9, ' ',    '!',
    '"',    '#',    0x00A4, '%',    '&',    '\'',   '(',    ')',    '*',    '+',    ',',
    '-',    '.',    '/',    ':',    ';',    '<',    '=',    '>',    '?',    0x00A1, 0x00C4,
    0x00D6, 0x00D1, 0x00DC, 0x00A7, 0x00BF, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,
};
/* The extension table: an escape septet plus one, so two septets each. */
static const uint16_t gsm7_extension[] = {0x000C, '^', '{', '}', '\\', '[', '~', ']', '|', 0x20AC};

/* Septets for a code point: 1, 2, or 0 when the default alphabet lacks it. */
static int gsm7_septets(uint32_t code_point)
{
    if ((code_point >= '0' && code_point <= '9') || (code_point >= 'A' && code_point <= 'Z') ||
        (code_point >= 'a' && code_point <= 'z'))
        return 1;
    for (size_t i = 0; i < sizeof gsm7_basic / sizeof gsm7_basic[0]; i++)
        if (gsm7_basic[i] == code_point)
            return 1;
    for (size_t i = 0; i < sizeof gsm7_extension / sizeof gsm7_extension[0]; i++)
        if (gsm7_extension[i] == code_point)
            return 2;
    return 0;
}

/* Decodes one UTF-8 sequence at text[*at]; false when it is malformed
 * (overlong, a surrogate, past U+10FFFF or cut short). */
static bool utf8_next(const unsigned char *text, size_t length, size_t *at, uint32_t *out)
{
    unsigned char lead = text[*at];
    size_t extra = lead < 0x80             ? 0
                   : (lead & 0xE0) == 0xC0 ? 1
                   : (lead & 0xF0) == 0xE0 ? 2
                   : (lead & 0xF8) == 0xF0 ? 3
                                           : 4;
    if (extra == 4 || *at + extra >= length)
        return false;
    uint32_t code = extra == 0 ? lead : lead & (0x3F >> extra);
    for (size_t i = 1; i <= extra; i++) {
        if ((text[*at + i] & 0xC0) != 0x80)
            return false;
        code = (code << 6) | (text[*at + i] & 0x3F);
    }
    static const uint32_t smallest[] = {0, 0x80, 0x800, 0x10000};
    if (code < smallest[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        return false;
    *at += extra + 1;
    *out = code;
    return true;
}

/* Units of one character in the chosen encoding; 0 past the text's end. */
static size_t character_units(const unsigned char *bytes, size_t length, size_t *at, bool gsm7)
{
    uint32_t code = 0;
    if (*at >= length || !utf8_next(bytes, length, at, &code))
        return 0;
    return gsm7 ? (size_t)gsm7_septets(code) : code > 0xFFFF ? 2 : 1;
}

/* Parts of a long message, filled greedily: an escape septet and its
 * character, or the two halves of a surrogate pair, never straddle two
 * parts, as encoders send them. */
static size_t parts_needed(const unsigned char *bytes, size_t length, bool gsm7, size_t multi,
                           size_t *left)
{
    size_t parts = 1, used = 0;
    for (size_t at = 0, cost; (cost = character_units(bytes, length, &at, gsm7)) > 0;) {
        if (used + cost > multi) {
            parts++;
            used = 0;
        }
        used += cost;
    }
    *left = multi - used;
    return parts;
}

bool sms_measure(const char *text, size_t length, struct sms_measure *out, size_t *bad_offset)
{
    const unsigned char *bytes = (const unsigned char *)text;
    size_t septets = 0, utf16_units = 0;
    bool gsm7 = true;
    out->first_non_gsm = 0;
    for (size_t at = 0; at < length;) {
        size_t start = at;
        uint32_t code = 0;
        if (!utf8_next(bytes, length, &at, &code)) {
            if (bad_offset)
                *bad_offset = start;
            return false;
        }
        int cost = gsm7_septets(code);
        if (cost == 0 && gsm7) {
            gsm7 = false;
            out->first_non_gsm = start;
        }
        septets += (size_t)cost;
        utf16_units += code > 0xFFFF ? 2 : 1;
    }
    out->encoding = gsm7 ? SMS_GSM7 : SMS_UCS2;
    out->units = gsm7 ? septets : utf16_units;
    size_t single = gsm7 ? 160 : 70, multi = gsm7 ? 153 : 67;
    if (out->units <= single) {
        out->parts = 1;
        out->per_part = single;
        out->left_in_part = single - out->units;
    } else {
        out->per_part = multi;
        out->parts = parts_needed(bytes, length, gsm7, multi, &out->left_in_part);
    }
    return true;
}

const char *sms_encoding_name(enum sms_encoding encoding)
{
    return encoding == SMS_GSM7 ? "GSM 7-bit" : "UCS-2";
}
