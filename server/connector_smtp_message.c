/* connector_smtp_message.c: one RFC 5322 message (see connector_smtp_message.h). */
#include "server/connector_smtp_message.h"
#include "common/i18n.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Quoted-printable lines are at most 76 characters (RFC 2045). */
#define QP_LINE_MAX 76
/* Raw bytes per encoded-word: 42 bytes are 56 base64 characters; with
 * "=?UTF-8?B?" and "?=" the word is 68, and "Subject: " before it keeps
 * the line within RFC 5322's 78. */
#define WORD_BYTES_MAX 42
/* A subject given by the caller is bounded too: it is one line on a
 * screen, not a paragraph. */
#define SUBJECT_BYTES_MAX 400
/* Headers take a few hundred bytes; the body grows at most threefold in
 * quoted-printable, plus a soft break every 76 characters. */
#define MESSAGE_HEADERS_MAX 4096

struct text {
    char *data;
    size_t length, capacity;
    bool failed;
};

static void put(struct text *t, const char *bytes, size_t length)
{
    if (t->failed)
        return;
    if (t->length + length + 1 > t->capacity) {
        size_t capacity = t->capacity ? t->capacity : 1024;
        while (capacity < t->length + length + 1)
            capacity *= 2;
        char *data = realloc(t->data, capacity);
        if (!data) {
            t->failed = true;
            return;
        }
        t->data = data;
        t->capacity = capacity;
    }
    memcpy(t->data + t->length, bytes, length);
    t->length += length;
    t->data[t->length] = '\0';
}

static void puts_text(struct text *t, const char *s)
{
    put(t, s, strlen(s));
}

/* A header field may hold no control character at all: a CR or LF would
 * start a header of the sender's choosing. */
static bool header_safe(const char *value)
{
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return false;
    return true;
}

static bool ascii_printable(const char *value)
{
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if (*p < 0x20 || *p > 0x7E)
            return false;
    return true;
}

bool smtp_address_valid(const char *address)
{
    if (!address)
        return false;
    size_t length = strlen(address);
    const char *at = strrchr(address, '@');
    if (length == 0 || length > SMTP_ADDRESS_MAX || !at || at == address || at[1] == '\0' ||
        strchr(address, '@') != at)
        return false;
    for (const unsigned char *p = (const unsigned char *)address; *p; p++)
        if (*p <= 0x20 || *p >= 0x7F || strchr("\"<>(),;:[]\\", *p))
            return false;
    return true;
}

bool smtp_address_of(const char *from, char *out, size_t size)
{
    if (!from || !header_safe(from))
        return false;
    const char *open = strrchr(from, '<');
    const char *start = from, *end = from + strlen(from);
    if (open) {
        const char *close = strchr(open, '>');
        if (!close || close[1] != '\0')
            return false;
        start = open + 1;
        end = close;
    }
    while (start < end && *start == ' ')
        start++;
    while (end > start && end[-1] == ' ')
        end--;
    size_t length = (size_t)(end - start);
    if (length >= size)
        return false;
    memcpy(out, start, length);
    out[length] = '\0';
    return smtp_address_valid(out);
}

bool smtp_message_id(const char *key, const char *domain, char *out, size_t size)
{
    if (!key || !key[0] || !domain || !domain[0] || !header_safe(key) || !header_safe(domain) ||
        strlen(key) + strlen(domain) + 4 > size)
        return false;
    size_t used = 0;
    out[used++] = '<';
    for (const char *p = key; *p; p++) {
        char c = *p;
        bool atext = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     strchr("!#$%&'*+-/=?^_`{|}~.", c);
        out[used++] = atext ? c : '-';
    }
    out[used++] = '@';
    for (const char *p = domain; *p; p++)
        out[used++] = (*p == ' ' || *p == '<' || *p == '>' || *p == '@') ? '-' : *p;
    out[used++] = '>';
    out[used] = '\0';
    return true;
}

/* Bytes of the UTF-8 character that starts with `lead` (1 for a stray
 * continuation byte, so that a cut never loops). */
static size_t utf8_width(unsigned char lead)
{
    return lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
}

void smtp_subject_of_body(const char *body, size_t length, char *out, size_t size)
{
    out[0] = '\0';
    if (size < 8)
        return;
    size_t end = 0;
    while (end < length && body[end] != '\n' && body[end] != '\r')
        end++;
    size_t used = 0, last_space = 0, characters = 0;
    bool cut = false;
    for (size_t i = 0; i < end;) {
        size_t width = utf8_width((unsigned char)body[i]);
        if (i + width > end)
            break;
        if (characters == SMTP_SUBJECT_CHARS || used + width + 4 >= size) {
            cut = true;
            break;
        }
        unsigned char c = (unsigned char)body[i];
        if (c == ' ' || c == '\t')
            last_space = used;
        out[used++] = (c < 0x20 || c == 0x7F) ? ' ' : body[i];
        for (size_t k = 1; k < width; k++)
            out[used++] = body[i + k];
        i += width;
        characters++;
    }
    if (cut && last_space > SMTP_SUBJECT_CHARS / 2)
        used = last_space;
    while (used > 0 && out[used - 1] == ' ')
        used--;
    out[used] = '\0';
    if (cut)
        memcpy(out + used, "\xE2\x80\xA6", 4); /* … */
}

/* "Wed, 25 Nov 2026 06:46:23 +0000": English names whatever the locale. */
static void put_date(struct text *t, time_t when)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&when, &tm);
    char line[64];
    snprintf(line, sizeof line, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
             tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    puts_text(t, line);
}

/* Encoded-words (RFC 2047, "B"), one per folded line, never cutting a
 * UTF-8 character. */
static void put_encoded_words(struct text *t, const char *value)
{
    size_t length = strlen(value);
    for (size_t i = 0; i < length;) {
        size_t chunk = 0;
        while (i + chunk < length) {
            size_t width = utf8_width((unsigned char)value[i + chunk]);
            if (chunk + width > WORD_BYTES_MAX)
                break;
            chunk += width;
        }
        if (chunk == 0)
            chunk = 1;
        if (i + chunk > length)
            chunk = length - i;
        unsigned char encoded[4 * ((WORD_BYTES_MAX + 2) / 3) + 1];
        EVP_EncodeBlock(encoded, (const unsigned char *)value + i, (int)chunk);
        if (i > 0)
            puts_text(t, "\r\n ");
        puts_text(t, "=?UTF-8?B?");
        puts_text(t, (const char *)encoded);
        puts_text(t, "?=");
        i += chunk;
    }
}

/* An unstructured value: as is when it is plain ASCII, else encoded. */
static void put_unstructured(struct text *t, const char *name, const char *value)
{
    puts_text(t, name);
    puts_text(t, ": ");
    if (ascii_printable(value) && strlen(value) + strlen(name) + 2 <= QP_LINE_MAX)
        puts_text(t, value);
    else
        put_encoded_words(t, value);
    puts_text(t, "\r\n");
}

/* From: the display name quoted or encoded, then <address>. */
static bool put_from(struct text *t, const char *from)
{
    char address[SMTP_ADDRESS_MAX + 1];
    if (!smtp_address_of(from, address, sizeof address))
        return false;
    const char *open = strrchr(from, '<');
    size_t line_start = t->length;
    puts_text(t, "From: ");
    if (open) {
        char name[256];
        size_t length = (size_t)(open - from);
        while (length > 0 && from[length - 1] == ' ')
            length--;
        const char *start = from;
        if (length >= 2 && from[0] == '"' && from[length - 1] == '"') {
            start++;
            length -= 2;
        }
        if (length >= sizeof name)
            return false;
        memcpy(name, start, length);
        name[length] = '\0';
        if (length > 0 && ascii_printable(name)) {
            puts_text(t, "\"");
            for (const char *p = name; *p; p++) {
                if (*p == '"' || *p == '\\')
                    put(t, "\\", 1);
                put(t, p, 1);
            }
            puts_text(t, "\" ");
        } else if (length > 0) {
            put_encoded_words(t, name);
            puts_text(t, " ");
        }
    }
    /* The address on a line of its own when the name took the room. */
    const char *last_break = t->data ? strrchr(t->data + line_start, '\n') : NULL;
    size_t column = t->length - (last_break ? (size_t)(last_break + 1 - t->data) : line_start);
    if (column + strlen(address) + 2 > QP_LINE_MAX) {
        if (t->length > 0 && t->data[t->length - 1] == ' ')
            t->length--;
        puts_text(t, "\r\n ");
    }
    puts_text(t, "<");
    puts_text(t, address);
    puts_text(t, ">\r\n");
    return true;
}

/* Quoted-printable (RFC 2045) of the body, lines made CRLF. A space or
 * tab before a line break, a '.' or "From " at a line's start are
 * encoded too, so that no relay trims, doubles or mangles them. */
static void put_quoted_printable(struct text *t, const char *body, size_t length)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t column = 0;
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)body[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < length && body[i + 1] == '\n')
                i++;
            puts_text(t, "\r\n");
            column = 0;
            continue;
        }
        bool at_end = i + 1 == length || body[i + 1] == '\n' || body[i + 1] == '\r';
        bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end);
        if (column == 0 &&
            (c == '.' || (c == 'F' && length - i >= 5 && memcmp(body + i, "From ", 5) == 0)))
            literal = false;
        size_t width = literal ? 1 : 3;
        /* Room for a '=' soft break after this one, unless the line ends. */
        if (column + width > QP_LINE_MAX - (at_end ? 0 : 1)) {
            puts_text(t, "=\r\n");
            column = 0;
        }
        if (literal) {
            put(t, (const char *)&c, 1);
        } else {
            char encoded[3] = {'=', hex[c >> 4], hex[c & 15]};
            put(t, encoded, 3);
        }
        column += width;
    }
    if (column > 0)
        puts_text(t, "\r\n");
}

static bool fail(char *why, size_t why_size, const char *reason)
{
    snprintf(why, why_size, "%s", reason);
    return false;
}

static bool check_fields(const struct smtp_message_fields *f, char *why, size_t why_size)
{
    const char *headers[] = {f->from, f->to, f->reply_to, f->subject, f->message_key, f->id_domain};
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++)
        if (headers[i] && !header_safe(headers[i]))
            return fail(why, why_size,
                        _("a header of the e-mail would hold a line break: message refused"));
    if (!smtp_address_valid(f->to))
        return fail(why, why_size, _("the recipient is not a valid e-mail address"));
    if (f->reply_to && f->reply_to[0] && !smtp_address_valid(f->reply_to))
        return fail(why, why_size, _("the Reply-To address is not valid"));
    char address[SMTP_ADDRESS_MAX + 1];
    if (!smtp_address_of(f->from, address, sizeof address))
        return fail(why, why_size, _("smtp_from is not a valid sender address"));
    if (f->subject && strlen(f->subject) > SUBJECT_BYTES_MAX)
        return fail(why, why_size, _("the subject is too long"));
    if (!f->body)
        return fail(why, why_size, _("the e-mail has no text"));
    return true;
}

char *smtp_message_build(const struct smtp_message_fields *f, size_t *length_out, char *why,
                         size_t why_size)
{
    if (!check_fields(f, why, why_size))
        return NULL;
    char message_id[SMTP_MESSAGE_ID_SIZE];
    if (!smtp_message_id(f->message_key, f->id_domain, message_id, sizeof message_id)) {
        fail(why, why_size, _("the message has no key to make its Message-ID from"));
        return NULL;
    }
    char subject[SMTP_SUBJECT_SIZE];
    if (f->subject && f->subject[0])
        snprintf(subject, sizeof subject, "%s", f->subject);
    else
        smtp_subject_of_body(f->body, f->body_length, subject, sizeof subject);
    struct text t = {0};
    put_date(&t, f->date);
    if (!put_from(&t, f->from)) {
        free(t.data);
        fail(why, why_size, _("smtp_from is not a valid sender address"));
        return NULL;
    }
    puts_text(&t, "To: <");
    puts_text(&t, f->to);
    puts_text(&t, ">\r\n");
    if (f->reply_to && f->reply_to[0]) {
        puts_text(&t, "Reply-To: <");
        puts_text(&t, f->reply_to);
        puts_text(&t, ">\r\n");
    }
    put_unstructured(&t, "Subject", subject);
    puts_text(&t, "Message-ID: ");
    puts_text(&t, message_id);
    puts_text(&t, "\r\nMIME-Version: 1.0\r\n"
                  "Content-Type: text/plain; charset=UTF-8\r\n"
                  "Content-Transfer-Encoding: quoted-printable\r\n"
                  "Auto-Submitted: auto-generated\r\n"
                  "X-Auto-Response-Suppress: OOF, AutoReply\r\n"
                  "\r\n");
    put_quoted_printable(&t, f->body, f->body_length);
    if (t.failed || !t.data) {
        free(t.data);
        fail(why, why_size, _("out of memory"));
        return NULL;
    }
    *length_out = t.length;
    return t.data;
}
