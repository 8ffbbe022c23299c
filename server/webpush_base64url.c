/* webpush_base64url.c: base64url both ways, strict on input (see the
 * header). Not cryptography: a table and shifts. */
#include "server/webpush_base64url.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool webpush_base64url_encode(const uint8_t *bytes, size_t len, char *out, size_t out_size)
{
    if (out_size == 0 || WEBPUSH_BASE64URL_LEN(len) > out_size - 1)
        return false;
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t group = (uint32_t)bytes[i] << 16 | (uint32_t)bytes[i + 1] << 8 | bytes[i + 2];
        out[o++] = alphabet[group >> 18 & 0x3F];
        out[o++] = alphabet[group >> 12 & 0x3F];
        out[o++] = alphabet[group >> 6 & 0x3F];
        out[o++] = alphabet[group & 0x3F];
    }
    if (len - i == 1) {
        out[o++] = alphabet[bytes[i] >> 2];
        out[o++] = alphabet[(bytes[i] & 0x03) << 4];
    } else if (len - i == 2) {
        uint32_t group = (uint32_t)bytes[i] << 8 | bytes[i + 1];
        out[o++] = alphabet[group >> 10 & 0x3F];
        out[o++] = alphabet[group >> 4 & 0x3F];
        out[o++] = alphabet[(group & 0x0F) << 2];
    }
    out[o] = '\0';
    return true;
}

static int sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

/* The length without padding, or false when the padding is not the one
 * or two '=' that complete the last group of four. */
static bool strip_padding(const char *text, size_t *len)
{
    size_t pads = 0;
    while (*len > 0 && text[*len - 1] == '=' && pads < 3) {
        (*len)--;
        pads++;
    }
    if (pads == 0)
        return true;
    return pads <= 2 && *len % 4 + pads == 4;
}

bool webpush_base64url_decode(const char *text, size_t text_len, uint8_t *out, size_t out_cap,
                              size_t *out_len)
{
    size_t len = text_len;
    if (!strip_padding(text, &len) || len % 4 == 1)
        return false;
    size_t need = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
    if (need > out_cap)
        return false;
    uint32_t bits = 0;
    unsigned held = 0;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int value = sextet((unsigned char)text[i]);
        if (value < 0)
            return false;
        bits = bits << 6 | (uint32_t)value;
        held += 6;
        if (held >= 8) {
            held -= 8;
            out[o++] = (uint8_t)(bits >> held);
            bits &= (1u << held) - 1;
        }
    }
    /* The bits left over pad the last character: RFC 4648 3.5 lets a
     * decoder refuse them when not zero, and we do (one spelling). */
    if (bits != 0)
        return false;
    *out_len = o;
    return true;
}
