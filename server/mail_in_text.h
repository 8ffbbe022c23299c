/* mail_in_text.h: the new text of an e-mail reply. Mail clients quote the
 * message they answer ("> ..." lines, under "On <date>, <someone> wrote:"
 * or "Le <date>, <quelqu'un> a écrit :", or below "-----Original
 * Message-----" in Outlook) and append a signature after "-- ": the
 * operator reads only what the agent wrote. HTML parts become plain text,
 * their <blockquote> (the quoted message) dropped. Pure functions over
 * UTF-8, no allocation beyond the caller's buffers. */
#ifndef VIGIE_MAIL_IN_TEXT_H
#define VIGIE_MAIL_IN_TEXT_H

#include <stddef.h>

/* Writes the reply's own lines of `text` into `out` (always terminated),
 * quoted lines, attribution lines, the forwarded original and the
 * signature removed, blank lines at either end dropped and runs of blank
 * lines made one; returns its length. */
size_t mail_in_text_strip_quotes(const char *text, size_t length, char *out, size_t size);

/* The text of an HTML part: tags removed, <br>, <p>, <div> and <li> made
 * line breaks, the usual entities decoded, <blockquote>, <style>,
 * <script> and <head> dropped with their content. Returns the length. */
size_t mail_in_text_from_html(const char *html, size_t length, char *out, size_t size);

#endif
