/* reply_page_language.h: the language of an agent's reply page, chosen
 * for each request, and gettext in that language for the request's
 * thread only. vigied answers many pages at once on a thread pool, so the
 * process's locale is never changed: the thread's locale is switched with
 * uselocale() around the rendering, and the page's _() texts come from
 * the vigie catalogue of that language (po/LANG.po, compiled by make).
 *
 * English is the texts themselves (the msgids); another language needs
 * its catalogue and a system locale of that language (glibc's gettext
 * reads the language from the thread's LC_MESSAGES locale: `make deps`
 * generates fr_FR.UTF-8). A language without its locale is not offered:
 * its pages come in English, and the log says so once. */
#ifndef VIGIE_REPLY_PAGE_LANGUAGE_H
#define VIGIE_REPLY_PAGE_LANGUAGE_H

#include <locale.h>
#include <stdbool.h>

/* The page's language ("en" or "fr", a static string): the alert's own
 * language when we speak it, else the first language of the browser's
 * Accept-Language (by preference) that we speak, else the centre's
 * default (`centre` may be NULL), else English. Each argument may be NULL
 * or empty; tags are matched on their primary subtag ("fr-BE" is "fr"). */
const char *reply_page_language_choose(const char *alert_language, const char *accept_language,
                                       const char *centre);

/* Whether pages can be rendered in `language` (English always). */
bool reply_page_language_available(const char *language);

/* The calling thread's gettext speaks `language` until _leave (which
 * gives the thread its previous locale back). An unknown or unavailable
 * language is English. Nest nothing inside. */
struct reply_page_language_scope {
    locale_t previous;
    bool entered;
};
void reply_page_language_enter(const char *language, struct reply_page_language_scope *scope);
void reply_page_language_leave(struct reply_page_language_scope *scope);

#endif
