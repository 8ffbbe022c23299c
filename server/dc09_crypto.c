/* dc09_crypto.c: DC-09 encryption (5.4): AES-CBC with a zero IV and no
 * cipher padding, over text that the sender pads itself with random bytes
 * and a '|'. Keys of 128, 192 or 256 bits. OpenSSL's EVP does the cipher;
 * its context is the only allocation of the codec. */
#include "server/dc09.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#define AES_BLOCK 16
/* The largest plaintext a frame can carry: its hex fits in a frame. */
#define PLAIN_MAX (DC09_FRAME_MAX / 2)

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static bool hex_decode(const char *hex, size_t hex_len, uint8_t *out)
{
    if (hex_len % 2 != 0)
        return false;
    for (size_t i = 0; i < hex_len / 2; i++) {
        int high = hex_value((unsigned char)hex[2 * i]);
        int low = hex_value((unsigned char)hex[2 * i + 1]);
        if (high < 0 || low < 0)
            return false;
        out[i] = (uint8_t)(high << 4 | low);
    }
    return true;
}

static void hex_encode(const uint8_t *bytes, size_t len, char *out)
{
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 0x0F];
    }
    out[2 * len] = '\0';
}

bool dc09_key_from_hex(const char *hex, struct dc09_key *out)
{
    size_t len = strlen(hex);
    if (len != 32 && len != 48 && len != 64)
        return false;
    if (!hex_decode(hex, len, out->bytes))
        return false;
    out->len = len / 2;
    return true;
}

static const EVP_CIPHER *cipher_for(const struct dc09_key *key)
{
    switch (key->len) {
    case 16:
        return EVP_aes_128_cbc();
    case 24:
        return EVP_aes_192_cbc();
    case 32:
        return EVP_aes_256_cbc();
    default:
        return NULL;
    }
}

/* One pass of AES-CBC over len bytes (a multiple of the block). */
static bool aes_cbc(const struct dc09_key *key, bool encrypt, const uint8_t *in, size_t len,
                    uint8_t *out)
{
    static const uint8_t zero_iv[AES_BLOCK] = {0};
    const EVP_CIPHER *cipher = cipher_for(key);
    if (cipher == NULL || len % AES_BLOCK != 0 || len > PLAIN_MAX)
        return false;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return false;
    int written = 0, final_written = 0;
    bool ok = EVP_CipherInit_ex(ctx, cipher, NULL, key->bytes, zero_iv, encrypt ? 1 : 0) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
              EVP_CipherUpdate(ctx, out, &written, in, (int)len) == 1 &&
              EVP_CipherFinal_ex(ctx, out + written, &final_written) == 1 &&
              (size_t)(written + final_written) == len;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

bool dc09_decrypt(const struct dc09_key *key, const char *hex, size_t hex_len, uint8_t *plain,
                  size_t plain_cap, size_t *plain_len)
{
    uint8_t cipher_text[PLAIN_MAX];
    size_t len = hex_len / 2;
    if (hex_len == 0 || hex_len % (2 * AES_BLOCK) != 0 || len > sizeof cipher_text ||
        len > plain_cap)
        return false;
    if (!hex_decode(hex, hex_len, cipher_text))
        return false;
    if (!aes_cbc(key, false, cipher_text, len, plain))
        return false;
    *plain_len = len;
    return true;
}

/* Pad bytes are drawn at random from the printable characters other than
 * '|', '[' and ']': the standard allows any byte but those three, and
 * printable ones also suit receivers that read the plaintext as text. */
static bool random_pad(uint8_t *pad, size_t len)
{
    if (RAND_bytes(pad, (int)len) != 1)
        return false;
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)(0x20 + pad[i] % 0x5F);
        if (c == '|' || c == '[' || c == ']')
            c = '0';
        pad[i] = c;
    }
    return true;
}

size_t dc09_encrypt(const struct dc09_key *key, const char *text, size_t text_len, char *hex_out,
                    size_t hex_cap)
{
    uint8_t plain[PLAIN_MAX], cipher_text[PLAIN_MAX];
    /* 1 to 16 pad bytes, so that pad + '|' + text is a multiple of 16. */
    size_t pad_len = AES_BLOCK - (text_len + 1) % AES_BLOCK;
    size_t len = pad_len + 1 + text_len;
    if (len > sizeof plain || 2 * len + 1 > hex_cap)
        return 0;
    if (!random_pad(plain, pad_len))
        return 0;
    plain[pad_len] = '|';
    memcpy(plain + pad_len + 1, text, text_len);
    if (!aes_cbc(key, true, plain, len, cipher_text))
        return 0;
    hex_encode(cipher_text, len, hex_out);
    return 2 * len;
}
