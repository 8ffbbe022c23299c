/* massalert_reply_text.c: cleaning a reply's text and telling an
 * acknowledgement from a sighting (see massalert_reply_text.h). */
#include "server/massalert_reply_text.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Length of the UTF-8 sequence at `s` (1-4) and its code point; 0 when the
 * bytes are not valid UTF-8 (overlong forms and surrogates included). */
static size_t utf8_decode(const unsigned char *s, uint32_t *code_point)
{
    if (s[0] < 0x80) {
        *code_point = s[0];
        return 1;
    }
    size_t length;
    uint32_t value, minimum;
    if ((s[0] & 0xe0) == 0xc0) {
        length = 2, value = s[0] & 0x1f, minimum = 0x80;
    } else if ((s[0] & 0xf0) == 0xe0) {
        length = 3, value = s[0] & 0x0f, minimum = 0x800;
    } else if ((s[0] & 0xf8) == 0xf0) {
        length = 4, value = s[0] & 0x07, minimum = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < length; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        value = (value << 6) | (s[i] & 0x3f);
    }
    if (value < minimum || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff))
        return 0;
    *code_point = value;
    return length;
}

/* Characters that would act on a terminal or reorder the text around
 * them rather than be read: C0 (but the newline), DEL, C1, the
 * bidirectional embeddings, overrides and isolates. */
static bool is_control(uint32_t c)
{
    return (c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069);
}

size_t massalert_reply_text_clean(const char *text, char *out, size_t size)
{
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    size_t used = 0;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    while (*s) {
        uint32_t c = 0;
        size_t length = utf8_decode(s, &c);
        const char *piece = (const char *)s;
        size_t piece_length = length;
        if (length == 0) {
            piece = "?", piece_length = 1, length = 1;
        } else if (c == '\r') {
            piece_length = 0; /* CR LF is a newline; a lone CR is nothing */
        } else if (is_control(c)) {
            piece = " ", piece_length = 1;
        }
        if (used + piece_length + 1 > size)
            break; /* cut before a character, never inside one */
        memcpy(out + used, piece, piece_length);
        used += piece_length;
        s += length;
    }
    while (used > 0 && (out[used - 1] == ' ' || out[used - 1] == '\n'))
        used--;
    out[used] = '\0';
    return used;
}

/* Acknowledgements once lowered, with everything but letters and digits
 * removed and "ç" read as "c". */
static const char *const acknowledgements[] = {
    "",    "1",   "ok",  "okay",  "recu",    "bienrecu",   "messagerecu", "received",
    "yes", "oui", "ack", "roger", "compris", "understood", "bienrecuok",
};

/* Bytes of a reply that can still be an acknowledgement: beyond it, it
 * is a sighting whatever it says. */
#define ACKNOWLEDGEMENT_MAX 32

const char *massalert_reply_kind_of_text(const char *text)
{
    char folded[ACKNOWLEDGEMENT_MAX + 1];
    size_t used = 0;
    for (const unsigned char *s = (const unsigned char *)(text ? text : ""); *s; s++) {
        char c = 0;
        if ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
            c = (char)*s;
        else if (*s >= 'A' && *s <= 'Z')
            c = (char)(*s - 'A' + 'a');
        else if (s[0] == 0xc3 && (s[1] == 0xa7 || s[1] == 0x87)) /* ç Ç */
            c = 'c', s++;
        else if (*s >= 0x80)
            return "seen"; /* any other letter: words we do not list */
        if (!c)
            continue;
        if (used == ACKNOWLEDGEMENT_MAX)
            return "seen";
        folded[used++] = c;
    }
    folded[used] = '\0';
    for (size_t i = 0; i < sizeof acknowledgements / sizeof acknowledgements[0]; i++)
        if (strcmp(folded, acknowledgements[i]) == 0)
            return "received";
    return "seen";
}
