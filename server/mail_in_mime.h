/* mail_in_mime.h: reading an RFC 5322 message as mail clients write
 * replies: header fields (folded lines joined), and the text of the body
 * through MIME (RFC 2045-2046): multipart parts at any depth up to a
 * bound, quoted-printable and base64, any charset iconv knows made UTF-8.
 * The first text/plain part that is not an attachment is the text; when
 * there is none (an HTML-only client), the first text/html part made
 * plain. Pure functions over the bytes given; bounded recursion. */
#ifndef VIGIE_MAIL_IN_MIME_H
#define VIGIE_MAIL_IN_MIME_H

#include <stdbool.h>
#include <stddef.h>

/* multipart/alternative inside multipart/mixed inside a forwarded
 * message/rfc822 is three; nothing a mail client writes goes deeper. */
#define MAIL_IN_MIME_DEPTH_MAX 4
/* Parts looked at in one multipart. */
#define MAIL_IN_MIME_PARTS_MAX 32
/* One header field's value, unfolded. */
#define MAIL_IN_HEADER_MAX 2048

/* Splits an entity into its header block and its body (after the blank
 * line; none: the body is empty). */
void mail_in_split(const char *entity, size_t length, size_t *headers_length, const char **body,
                   size_t *body_length);

/* The value of the `index`-th field named `name` (case-insensitive) in a
 * header block, unfolded and trimmed; false when there are not that many. */
bool mail_in_header(const char *headers, size_t length, const char *name, int index, char *out,
                    size_t size);

/* The message's text in UTF-8 (see above) into `out`; false when the
 * message has no text part at all. */
bool mail_in_mime_text(const char *message, size_t length, char *out, size_t size);

/* Decoders, for tests: each returns the decoded length (at most the
 * input's length, so `out` of that size always holds it). */
size_t mail_in_decode_quoted_printable(const char *in, size_t length, char *out);
size_t mail_in_decode_base64(const char *in, size_t length, char *out);

#endif
