/* mail_in_mime.c: headers and the text part of a reply (see mail_in_mime.h). */
#include "server/mail_in_mime.h"
#include "server/mail_in_text.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A boundary is at most 70 characters (RFC 2046). */
#define BOUNDARY_MAX 72
#define CHARSET_MAX  48
#define TYPE_MAX     96

void mail_in_split(const char *entity, size_t length, size_t *headers_length, const char **body,
                   size_t *body_length)
{
    /* A part may have no header at all: a blank first line. */
    if (length >= 2 && entity[0] == '\r' && entity[1] == '\n') {
        *headers_length = 0, *body = entity + 2, *body_length = length - 2;
        return;
    }
    if (length >= 1 && entity[0] == '\n') {
        *headers_length = 0, *body = entity + 1, *body_length = length - 1;
        return;
    }
    for (size_t i = 0; i + 1 < length; i++) {
        if (entity[i] != '\n')
            continue;
        size_t next = i + 1;
        if (next < length && entity[next] == '\r')
            next++;
        if (next < length && entity[next] == '\n') {
            *headers_length = i + 1;
            *body = entity + next + 1;
            *body_length = length - next - 1;
            return;
        }
    }
    *headers_length = length;
    *body = entity + length;
    *body_length = 0;
}

bool mail_in_header(const char *headers, size_t length, const char *name, int index, char *out,
                    size_t size)
{
    size_t name_length = strlen(name);
    int seen = 0;
    for (size_t i = 0; i < length;) {
        size_t end = i;
        while (end < length && headers[end] != '\n')
            end++;
        bool match = end - i > name_length && strncasecmp(headers + i, name, name_length) == 0 &&
                     headers[i + name_length] == ':';
        if (match && seen++ == index) {
            size_t used = 0;
            size_t p = i + name_length + 1;
            /* The field and its continuation lines (starting with a blank). */
            while (p < length) {
                char c = headers[p];
                if (c == '\r' || c == '\n') {
                    size_t q = p;
                    while (q < length && (headers[q] == '\r' || headers[q] == '\n'))
                        q++;
                    if (q >= length || (headers[q] != ' ' && headers[q] != '\t') || q - p > 2)
                        break;
                    p = q;
                    c = ' ';
                }
                if (used + 1 < size)
                    out[used++] = c == '\t' ? ' ' : c;
                p++;
            }
            while (used > 0 && out[used - 1] == ' ')
                used--;
            size_t start = 0;
            while (start < used && out[start] == ' ')
                start++;
            memmove(out, out + start, used - start);
            out[used - start] = '\0';
            return true;
        }
        i = end + 1;
    }
    return false;
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

size_t mail_in_decode_quoted_printable(const char *in, size_t length, char *out)
{
    size_t used = 0;
    for (size_t i = 0; i < length; i++) {
        if (in[i] != '=') {
            out[used++] = in[i];
            continue;
        }
        /* A soft line break: '=' then optional blanks then the line's end. */
        size_t j = i + 1;
        while (j < length && (in[j] == ' ' || in[j] == '\t'))
            j++;
        if (j < length && (in[j] == '\r' || in[j] == '\n')) {
            if (in[j] == '\r' && j + 1 < length && in[j + 1] == '\n')
                j++;
            i = j;
            continue;
        }
        if (j >= length) {
            i = j;
            continue;
        }
        int high = i + 1 < length ? hex_value(in[i + 1]) : -1;
        int low = i + 2 < length ? hex_value(in[i + 2]) : -1;
        if (high >= 0 && low >= 0) {
            out[used++] = (char)(high * 16 + low);
            i += 2;
        } else {
            out[used++] = '='; /* not an escape: kept, as RFC 2045 advises */
        }
    }
    return used;
}

size_t mail_in_decode_base64(const char *in, size_t length, char *out)
{
    uint32_t bits = 0;
    int held = 0;
    size_t used = 0;
    for (size_t i = 0; i < length; i++) {
        char c = in[i];
        int value = c >= 'A' && c <= 'Z'   ? c - 'A'
                    : c >= 'a' && c <= 'z' ? c - 'a' + 26
                    : c >= '0' && c <= '9' ? c - '0' + 52
                    : c == '+'             ? 62
                    : c == '/'             ? 63
                                           : -1;
        if (c == '=')
            break;
        if (value < 0)
            continue; /* line breaks and blanks */
        bits = (bits << 6) | (uint32_t)value;
        held += 6;
        if (held >= 8) {
            held -= 8;
            out[used++] = (char)((bits >> held) & 0xFF);
        }
    }
    return used;
}

/* ---- Content-Type and friends ---- */

struct entity_type {
    char type[TYPE_MAX]; /* "text/plain", lower case */
    char charset[CHARSET_MAX];
    char boundary[BOUNDARY_MAX];
    char encoding[32]; /* Content-Transfer-Encoding, lower case */
    bool attachment;
};

/* The value of parameter `name` in a header value ("a; b=c; d=\"e\""). */
static void parameter(const char *value, const char *name, char *out, size_t size)
{
    out[0] = '\0';
    size_t name_length = strlen(name);
    for (const char *p = strchr(value, ';'); p; p = strchr(p + 1, ';')) {
        const char *q = p + 1;
        while (*q == ' ')
            q++;
        if (strncasecmp(q, name, name_length) != 0 || q[name_length] != '=')
            continue;
        q += name_length + 1;
        bool quoted = *q == '"';
        if (quoted)
            q++;
        size_t used = 0;
        while (*q && used + 1 < size && (quoted ? *q != '"' : (*q != ';' && *q != ' ')))
            out[used++] = *q++;
        out[used] = '\0';
        return;
    }
}

static void lower(char *text)
{
    for (; *text; text++)
        *text = (char)tolower((unsigned char)*text);
}

static void read_type(const char *headers, size_t length, struct entity_type *t)
{
    char value[MAIL_IN_HEADER_MAX];
    memset(t, 0, sizeof *t);
    snprintf(t->type, sizeof t->type, "text/plain");
    if (mail_in_header(headers, length, "Content-Type", 0, value, sizeof value)) {
        size_t type_length = strcspn(value, "; ");
        if (type_length > 0 && type_length < sizeof t->type)
            snprintf(t->type, sizeof t->type, "%.*s", (int)type_length, value);
        parameter(value, "charset", t->charset, sizeof t->charset);
        parameter(value, "boundary", t->boundary, sizeof t->boundary);
    }
    lower(t->type);
    if (mail_in_header(headers, length, "Content-Transfer-Encoding", 0, value, sizeof value))
        snprintf(t->encoding, sizeof t->encoding, "%.*s", (int)strcspn(value, " ;"), value);
    lower(t->encoding);
    if (mail_in_header(headers, length, "Content-Disposition", 0, value, sizeof value))
        t->attachment = strncasecmp(value, "attachment", strlen("attachment")) == 0;
}

struct candidate {
    const char *body;
    size_t length;
    struct entity_type type;
    bool found;
};

struct search {
    struct candidate plain, html;
};

/* The delimiter line "--boundary" at `i` (a line's start)? */
static bool delimiter_at(const char *body, size_t length, size_t i, const char *boundary)
{
    size_t n = strlen(boundary);
    return i + 2 + n <= length && body[i] == '-' && body[i + 1] == '-' &&
           memcmp(body + i + 2, boundary, n) == 0;
}

static void walk(const char *entity, size_t length, int depth, struct search *search);

static void walk_multipart(const char *body, size_t length, const char *boundary, int depth,
                           struct search *search)
{
    size_t part_start = 0;
    bool in_part = false;
    int parts = 0;
    for (size_t i = 0; i < length && parts < MAIL_IN_MIME_PARTS_MAX;) {
        size_t end = i;
        while (end < length && body[end] != '\n')
            end++;
        if (delimiter_at(body, length, i, boundary)) {
            if (in_part) {
                size_t part_end = i;
                /* The line break before the delimiter belongs to it. */
                if (part_end > part_start && body[part_end - 1] == '\n')
                    part_end--;
                if (part_end > part_start && body[part_end - 1] == '\r')
                    part_end--;
                walk(body + part_start, part_end - part_start, depth + 1, search);
                parts++;
            }
            size_t n = strlen(boundary);
            if (i + 4 + n <= length && body[i + 2 + n] == '-' && body[i + 3 + n] == '-')
                return; /* the close delimiter */
            in_part = true;
            part_start = end < length ? end + 1 : length;
        }
        i = end + 1;
    }
}

static void walk(const char *entity, size_t length, int depth, struct search *search)
{
    if (depth > MAIL_IN_MIME_DEPTH_MAX)
        return;
    size_t headers_length, body_length;
    const char *body;
    mail_in_split(entity, length, &headers_length, &body, &body_length);
    struct entity_type type;
    read_type(entity, headers_length, &type);
    if (strncmp(type.type, "multipart/", 10) == 0 && type.boundary[0]) {
        walk_multipart(body, body_length, type.boundary, depth, search);
    } else if (strcmp(type.type, "message/rfc822") == 0) {
        walk(body, body_length, depth + 1, search);
    } else if (!type.attachment) {
        struct candidate *slot = strcmp(type.type, "text/plain") == 0  ? &search->plain
                                 : strcmp(type.type, "text/html") == 0 ? &search->html
                                                                       : NULL;
        if (slot && !slot->found)
            *slot = (struct candidate){body, body_length, type, true};
    }
}

/* Into UTF-8 from the part's charset, with iconv; bytes it cannot read
 * become '?' (the store cleans the rest). */
static size_t to_utf8(const char *in, size_t length, const char *charset, char *out, size_t size)
{
    if (size == 0)
        return 0;
    bool plain = !charset[0] || strcasecmp(charset, "utf-8") == 0 ||
                 strcasecmp(charset, "utf8") == 0 || strcasecmp(charset, "us-ascii") == 0;
    iconv_t cd = plain ? (iconv_t)-1 : iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1) {
        size_t n = length < size - 1 ? length : size - 1;
        memcpy(out, in, n);
        out[n] = '\0';
        return n;
    }
    char *source = (char *)in, *target = out;
    size_t source_left = length, target_left = size - 1;
    while (source_left > 0 && target_left > 0) {
        if (iconv(cd, &source, &source_left, &target, &target_left) != (size_t)-1)
            break;
        if (errno == E2BIG)
            break;
        /* EILSEQ or EINVAL: one byte it cannot read. */
        *target++ = '?';
        target_left--;
        source++;
        source_left--;
    }
    iconv_close(cd);
    *target = '\0';
    return (size_t)(target - out);
}

static size_t decode_candidate(const struct candidate *c, char *out, size_t size)
{
    char *decoded = malloc(c->length + 1);
    if (!decoded)
        return 0;
    size_t length;
    if (strcmp(c->type.encoding, "quoted-printable") == 0)
        length = mail_in_decode_quoted_printable(c->body, c->length, decoded);
    else if (strcmp(c->type.encoding, "base64") == 0)
        length = mail_in_decode_base64(c->body, c->length, decoded);
    else {
        memcpy(decoded, c->body, c->length);
        length = c->length;
    }
    size_t written = to_utf8(decoded, length, c->type.charset, out, size);
    free(decoded);
    return written;
}

bool mail_in_mime_text(const char *message, size_t length, char *out, size_t size)
{
    struct search search;
    memset(&search, 0, sizeof search);
    walk(message, length, 0, &search);
    if (size == 0)
        return false;
    out[0] = '\0';
    if (search.plain.found) {
        decode_candidate(&search.plain, out, size);
        return true;
    }
    if (!search.html.found)
        return false;
    /* An HTML part: made UTF-8 first, then plain. */
    char *html = malloc(size);
    if (!html)
        return false;
    size_t html_length = decode_candidate(&search.html, html, size);
    mail_in_text_from_html(html, html_length, out, size);
    free(html);
    return true;
}
