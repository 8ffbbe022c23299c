/* mail_in_text.c: the agent's own words in a reply (see mail_in_text.h). */
#include "server/mail_in_text.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Lines of a reply looked at: a reply longer than this is cut (the store
 * keeps a thousand bytes anyway). */
#define MAIL_IN_LINES_MAX 2000
/* An attribution line is a sentence, not a paragraph. */
#define ATTRIBUTION_MAX 300

struct line {
    const char *start;
    size_t length; /* without the line break */
};

static size_t split_lines(const char *text, size_t length, struct line *lines, size_t max)
{
    size_t count = 0, i = 0;
    while (i < length && count < max) {
        size_t end = i;
        while (end < length && text[end] != '\n' && text[end] != '\r')
            end++;
        lines[count].start = text + i;
        lines[count].length = end - i;
        count++;
        if (end < length && text[end] == '\r' && end + 1 < length && text[end + 1] == '\n')
            end++;
        i = end + 1;
    }
    return count;
}

static bool is_blank(const struct line *line)
{
    for (size_t i = 0; i < line->length; i++)
        if (!isspace((unsigned char)line->start[i]))
            return false;
    return true;
}

static bool is_quoted(const struct line *line)
{
    size_t i = 0;
    while (i < line->length && line->start[i] == ' ')
        i++;
    return i < line->length && line->start[i] == '>';
}

static bool starts_with(const struct line *line, const char *prefix)
{
    size_t length = strlen(prefix);
    return line->length >= length && strncasecmp(line->start, prefix, length) == 0;
}

/* The line ends (trailing blanks aside) with one of the endings. */
static bool ends_with_any(const struct line *line, const char *const *endings)
{
    size_t length = line->length;
    while (length > 0 && isspace((unsigned char)line->start[length - 1]))
        length--;
    for (const char *const *e = endings; *e; e++) {
        size_t n = strlen(*e);
        if (length >= n && strncasecmp(line->start + length - n, *e, n) == 0)
            return true;
    }
    return false;
}

static bool is_attribution(const struct line *line)
{
    static const char *const endings[] = {"wrote:",
                                          "a écrit :",
                                          "a écrit:",
                                          "a écrit\xC2\xA0:",
                                          "a écrit\xE2\x80\xAF:",
                                          "schrieb:",
                                          "escribió:",
                                          "ha scritto:",
                                          NULL};
    return line->length < ATTRIBUTION_MAX && ends_with_any(line, endings);
}

/* Where a client puts the whole original below the reply: everything
 * from here on is the old message. */
static bool is_original_marker(const struct line *line)
{
    static const char *const markers[] = {"-----Original Message-----",
                                          "-----Message d'origine-----",
                                          "-------- Original Message --------",
                                          "-------- Message original --------",
                                          "________________________________",
                                          "Begin forwarded message:",
                                          NULL};
    for (const char *const *m = markers; *m; m++)
        if (starts_with(line, *m))
            return true;
    /* The signature delimiter is exactly "-- " (RFC 3676), or "--". */
    return (line->length == 3 && memcmp(line->start, "-- ", 3) == 0) ||
           (line->length == 2 && memcmp(line->start, "--", 2) == 0);
}

size_t mail_in_text_strip_quotes(const char *text, size_t length, char *out, size_t size)
{
    static __thread struct line lines[MAIL_IN_LINES_MAX];
    size_t count = split_lines(text, length, lines, MAIL_IN_LINES_MAX);
    static __thread bool keep[MAIL_IN_LINES_MAX];
    size_t end = count;
    for (size_t i = 0; i < count; i++)
        if (is_original_marker(&lines[i])) {
            end = i;
            break;
        }
    for (size_t i = 0; i < end; i++)
        keep[i] = !is_quoted(&lines[i]);
    /* An attribution line, and the line before it when the client wrapped
     * "On Mon, 25 Nov 2026 at 07:12, Vigie <" / "alerts@x> wrote:". */
    for (size_t i = 0; i < end; i++) {
        if (!keep[i] || !is_attribution(&lines[i]))
            continue;
        keep[i] = false;
        if (i > 0 && keep[i - 1] && !starts_with(&lines[i], "On ") &&
            !starts_with(&lines[i], "Le ") &&
            (starts_with(&lines[i - 1], "On ") || starts_with(&lines[i - 1], "Le ")))
            keep[i - 1] = false;
    }
    size_t used = 0;
    bool pending_blank = false, wrote = false;
    for (size_t i = 0; i < end && size > 0; i++) {
        if (!keep[i])
            continue;
        if (is_blank(&lines[i])) {
            pending_blank = wrote;
            continue;
        }
        const char *separator = !wrote ? "" : pending_blank ? "\n\n" : "\n";
        size_t need = strlen(separator) + lines[i].length;
        if (used + need + 1 > size)
            break;
        memcpy(out + used, separator, strlen(separator));
        used += strlen(separator);
        memcpy(out + used, lines[i].start, lines[i].length);
        used += lines[i].length;
        wrote = true;
        pending_blank = false;
    }
    if (size > 0)
        out[used] = '\0';
    return used;
}

/* ---- HTML ---- */

struct html_out {
    char *out;
    size_t size, used;
};

static void emit(struct html_out *h, const char *bytes, size_t length)
{
    if (h->used + length + 1 > h->size)
        return;
    memcpy(h->out + h->used, bytes, length);
    h->used += length;
}

/* Tags whose content is not the reply's text. */
static int skipping_tag(const char *name, size_t length)
{
    static const char *const skipped[] = {"blockquote", "style", "script", "head", NULL};
    for (int i = 0; skipped[i]; i++)
        if (strlen(skipped[i]) == length && strncasecmp(name, skipped[i], length) == 0)
            return 1;
    return 0;
}

static bool breaks_line(const char *name, size_t length)
{
    static const char *const breaking[] = {"br", "p", "div", "li", "tr", "h1", "h2", "h3", NULL};
    for (int i = 0; breaking[i]; i++)
        if (strlen(breaking[i]) == length && strncasecmp(name, breaking[i], length) == 0)
            return true;
    return false;
}

static size_t decode_entity(const char *html, size_t length, struct html_out *h)
{
    static const struct {
        const char *name, *text;
    } entities[] = {{"&amp;", "&"},    {"&lt;", "<"},     {"&gt;", ">"},    {"&quot;", "\""},
                    {"&#39;", "'"},    {"&apos;", "'"},   {"&nbsp;", " "},  {"&eacute;", "é"},
                    {"&egrave;", "è"}, {"&agrave;", "à"}, {"&ccedil;", "ç"}};
    for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++) {
        size_t n = strlen(entities[i].name);
        if (length >= n && strncasecmp(html, entities[i].name, n) == 0) {
            emit(h, entities[i].text, strlen(entities[i].text));
            return n;
        }
    }
    emit(h, "&", 1);
    return 1;
}

size_t mail_in_text_from_html(const char *html, size_t length, char *out, size_t size)
{
    struct html_out h = {out, size, 0};
    int skip_depth = 0;
    for (size_t i = 0; i < length;) {
        if (html[i] == '<') {
            size_t close = i + 1;
            while (close < length && html[close] != '>')
                close++;
            bool ending = i + 1 < length && html[i + 1] == '/';
            size_t name_start = i + 1 + (ending ? 1 : 0), name_end = name_start;
            while (name_end < close && isalnum((unsigned char)html[name_end]))
                name_end++;
            size_t name_length = name_end - name_start;
            if (skipping_tag(html + name_start, name_length))
                skip_depth += ending ? (skip_depth > 0 ? -1 : 0) : 1;
            else if (skip_depth == 0 && breaks_line(html + name_start, name_length))
                emit(&h, "\n", 1);
            i = close + 1;
            continue;
        }
        if (skip_depth > 0) {
            i++;
            continue;
        }
        if (html[i] == '&') {
            i += decode_entity(html + i, length - i, &h);
            continue;
        }
        /* HTML source line breaks are spaces. */
        char c = (html[i] == '\n' || html[i] == '\r') ? ' ' : html[i];
        emit(&h, &c, 1);
        i++;
    }
    if (size > 0)
        out[h.used < size ? h.used : size - 1] = '\0';
    return h.used;
}
