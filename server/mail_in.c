/* mail_in.c: whose reply, and what it says (see mail_in.h). */
#include "server/mail_in.h"
#include "server/mail_in_mime.h"
#include "server/mail_in_text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Occurrences of one header looked at (a message relayed many times has
 * many Delivered-To). */
#define MAIL_IN_HEADER_REPEATS_MAX 16

static bool address_char(char c)
{
    return isalnum((unsigned char)c) || strchr(".+-_=", c);
}

bool mail_in_find_address(const char *value, char *out, size_t size)
{
    for (const char *at = strchr(value, '@'); at; at = strchr(at + 1, '@')) {
        const char *start = at, *end = at + 1;
        while (start > value && address_char(start[-1]))
            start--;
        while (*end && (address_char(*end) && *end != '+'))
            end++;
        size_t length = (size_t)(end - start);
        if (length == 0 || length >= size || length >= MAIL_REPLY_ADDRESS_SIZE)
            continue;
        char candidate[MAIL_REPLY_ADDRESS_SIZE];
        memcpy(candidate, start, length);
        candidate[length] = '\0';
        /* A trailing dot ends a sentence, not a domain. */
        while (length > 0 && candidate[length - 1] == '.')
            candidate[--length] = '\0';
        if (mail_reply_address_looks_ours(candidate)) {
            memcpy(out, candidate, length + 1);
            return true;
        }
    }
    return false;
}

static void find_recipient(const char *headers, size_t length, const char *envelope,
                           struct mail_in_reply *out)
{
    if (envelope && mail_in_find_address(envelope, out->address, sizeof out->address))
        return;
    static const char *const names[] = {"Delivered-To", "X-Original-To", "To", "Cc"};
    char value[MAIL_IN_HEADER_MAX];
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++)
        for (int i = 0; i < MAIL_IN_HEADER_REPEATS_MAX &&
                        mail_in_header(headers, length, names[n], i, value, sizeof value);
             i++)
            if (mail_in_find_address(value, out->address, sizeof out->address))
                return;
    out->address[0] = '\0';
}

static bool header_is(const char *headers, size_t length, const char *name,
                      const char *const *values)
{
    char value[MAIL_IN_HEADER_MAX];
    if (!mail_in_header(headers, length, name, 0, value, sizeof value))
        return false;
    for (const char *const *v = values; *v; v++)
        if (strncasecmp(value, *v, strlen(*v)) == 0)
            return true;
    return false;
}

/* RFC 3834 and the headers vacation responders and bounces carry. */
static void detect_automatic(const char *headers, size_t length, const char *sender,
                             struct mail_in_reply *out)
{
    static const char *const auto_submitted[] = {"auto-replied", "auto-generated", "auto-notified",
                                                 NULL};
    static const char *const precedence[] = {"bulk", "junk", "list", "auto_reply", NULL};
    static const char *const report[] = {"multipart/report", NULL};
    static const char *const anything[] = {"", NULL};
    char value[MAIL_IN_HEADER_MAX];
    const char *why = NULL;
    if (sender && (sender[0] == '\0' || strcmp(sender, "<>") == 0))
        why = "bounce (null sender)";
    else if (header_is(headers, length, "Auto-Submitted", auto_submitted))
        why = "Auto-Submitted";
    else if (header_is(headers, length, "Precedence", precedence))
        why = "Precedence";
    else if (header_is(headers, length, "X-Autoreply", anything) ||
             header_is(headers, length, "X-Autorespond", anything))
        why = "auto-reply";
    else if (header_is(headers, length, "Content-Type", report))
        why = "delivery report";
    else if (mail_in_header(headers, length, "From", 0, value, sizeof value) &&
             (strcasestr(value, "mailer-daemon@") || strcasestr(value, "postmaster@")))
        why = "bounce";
    out->automatic = why != NULL;
    snprintf(out->why_automatic, sizeof out->why_automatic, "%s", why ? why : "");
}

void mail_in_read(const char *message, size_t length, const char *envelope_recipient,
                  const char *envelope_sender, struct mail_in_reply *out)
{
    memset(out, 0, sizeof *out);
    size_t headers_length, body_length;
    const char *body;
    mail_in_split(message, length, &headers_length, &body, &body_length);
    find_recipient(message, headers_length, envelope_recipient, out);
    detect_automatic(message, headers_length, envelope_sender, out);
    char *text = malloc(MAIL_IN_TEXT_MAX * 2);
    if (!text)
        return;
    if (mail_in_mime_text(message, length, text, MAIL_IN_TEXT_MAX * 2))
        mail_in_text_strip_quotes(text, strlen(text), out->text, sizeof out->text);
    free(text);
}
