/* massalert_reply_text.h: the text of an agent's reply, made safe to
 * keep and to show. Replies come from strangers' phones and browsers and
 * end up on operators' terminals, in JSON and in HTML: the text is cut to
 * a bound on a character boundary, invalid UTF-8 becomes '?', and control
 * characters (terminal escapes, C1 controls, bidirectional overrides)
 * become spaces. Pure functions, no allocation. */
#ifndef VIGIE_MASSALERT_REPLY_TEXT_H
#define VIGIE_MASSALERT_REPLY_TEXT_H

#include <stddef.h>

/* Copies `text` (NULL: "") into `out` of `size` bytes (at least 1),
 * cleaned as above, with leading and trailing blanks removed; returns the
 * length written. Newlines are kept (a description may have lines). */
size_t massalert_reply_text_clean(const char *text, char *out, size_t size);

/* "received" for an empty text or an acknowledgement alone ("1", "OK",
 * "reçu", "bien reçu", "received", "yes", "oui"... in any case, with
 * punctuation), else "seen": an agent who writes more is telling
 * something, and the operator reads it. */
const char *massalert_reply_kind_of_text(const char *text);

#endif
