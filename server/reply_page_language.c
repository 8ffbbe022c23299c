/* reply_page_language.c: which language a reply page speaks, and gettext
 * in it for one thread (see reply_page_language.h). The locales are made
 * once and kept for the life of the process: a locale_t may be used by
 * any number of threads at once. */
#include "server/reply_page_language.h"
#include "common/log.h"

#include <ctype.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* An Accept-Language header longer than this is read up to here: a
 * browser sends a few tags, and the first ones are its preferred. */
#define REPLY_LANGUAGE_HEADER_MAX 512
/* A language tag's primary subtag: two or three letters (RFC 5646). */
#define REPLY_LANGUAGE_PRIMARY_MAX 3

/* Locales in which glibc reads the French catalogue, tried in this order:
 * any French locale will do, the catalogue being "fr". */
static const char *const french_locales[] = {"fr_FR.UTF-8", "fr_BE.UTF-8", "fr_CH.UTF-8",
                                             "fr_CA.UTF-8", "fr_LU.UTF-8", NULL};

struct language {
    const char *code;
    const char *const *locales; /* NULL: English, the msgids (the C locale) */
    locale_t locale;            /* (locale_t)0 when none could be made */
};

static struct language languages[] = {
    {"en", NULL, (locale_t)0},
    {"fr", french_locales, (locale_t)0},
};
#define LANGUAGE_COUNT (sizeof languages / sizeof languages[0])

static pthread_once_t languages_once = PTHREAD_ONCE_INIT;

static void languages_load(void)
{
    for (size_t i = 0; i < LANGUAGE_COUNT; i++) {
        struct language *language = &languages[i];
        if (!language->locales) {
            /* The C locale also makes glibc ignore LANGUAGE: English stays English. */
            language->locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
            continue;
        }
        for (const char *const *name = language->locales; *name && !language->locale; name++)
            language->locale = newlocale(LC_MESSAGES_MASK | LC_CTYPE_MASK, *name, (locale_t)0);
        if (!language->locale)
            log_warn("reply",
                     "no \"%s\" locale is installed (such as %s): reply pages in that language "
                     "come in English; generate one (make deps, or locale-gen)",
                     language->code, language->locales[0]);
    }
}

static const struct language *language_of(const char *tag, size_t length)
{
    pthread_once(&languages_once, languages_load);
    if (length == 0 || length > REPLY_LANGUAGE_PRIMARY_MAX)
        return NULL;
    for (size_t i = 0; i < LANGUAGE_COUNT; i++)
        if (strlen(languages[i].code) == length && strncasecmp(languages[i].code, tag, length) == 0)
            return languages[i].locale ? &languages[i] : NULL;
    return NULL;
}

/* The language of a whole tag ("fr", "fr-BE", "FR_fr"), or NULL. */
static const struct language *language_of_tag(const char *tag)
{
    if (!tag)
        return NULL;
    size_t length = 0;
    while (isalpha((unsigned char)tag[length]))
        length++;
    if (tag[length] != '\0' && tag[length] != '-' && tag[length] != '_')
        return NULL;
    return language_of(tag, length);
}

/* A q-value ("1", "0.8", "0.125") in thousandths; -1 when unreadable. */
static int quality(const char *text, size_t length)
{
    if (length == 0 || (text[0] != '0' && text[0] != '1'))
        return -1;
    int value = (text[0] - '0') * 1000, scale = 100;
    if (length == 1)
        return value;
    if (text[1] != '.')
        return -1;
    for (size_t i = 2; i < length; i++) {
        if (!isdigit((unsigned char)text[i]) || i > 4)
            return -1;
        value += (text[i] - '0') * scale;
        scale /= 10;
    }
    return value > 1000 ? -1 : value;
}

/* The preferred language of an Accept-Language header that we speak. */
static const struct language *language_of_header(const char *header)
{
    if (!header)
        return NULL;
    size_t length = strnlen(header, REPLY_LANGUAGE_HEADER_MAX);
    const struct language *best = NULL;
    int best_quality = 0;
    for (size_t at = 0; at < length;) {
        size_t end = at;
        while (end < length && header[end] != ',')
            end++;
        /* One item: "tag" or "tag;q=0.8" (spaces around the parts). */
        const char *item = header + at;
        size_t item_length = end - at;
        at = end + 1;
        while (item_length > 0 && isspace((unsigned char)*item)) {
            item++;
            item_length--;
        }
        size_t primary = 0;
        while (primary < item_length && isalpha((unsigned char)item[primary]))
            primary++;
        int q = 1000;
        const char *parameter = memchr(item, ';', item_length);
        if (parameter) {
            parameter++;
            size_t left = (size_t)(item + item_length - parameter);
            while (left > 0 && isspace((unsigned char)*parameter)) {
                parameter++;
                left--;
            }
            while (left > 0 && isspace((unsigned char)parameter[left - 1]))
                left--;
            q = left > 2 && strncasecmp(parameter, "q=", 2) == 0 ? quality(parameter + 2, left - 2)
                                                                 : -1;
        }
        const struct language *language = language_of(item, primary);
        if (language && q > best_quality) {
            best = language;
            best_quality = q;
        }
    }
    return best;
}

const char *reply_page_language_choose(const char *alert_language, const char *accept_language,
                                       const char *centre)
{
    const struct language *language = language_of_tag(alert_language);
    if (!language)
        language = language_of_header(accept_language);
    if (!language)
        language = language_of_tag(centre);
    return language ? language->code : "en";
}

bool reply_page_language_available(const char *language)
{
    return language_of_tag(language) != NULL;
}

void reply_page_language_enter(const char *code, struct reply_page_language_scope *scope)
{
    const struct language *language = language_of_tag(code);
    if (!language)
        language = language_of_tag("en");
    scope->entered = language != NULL;
    scope->previous = scope->entered ? uselocale(language->locale) : (locale_t)0;
    if (scope->previous == (locale_t)0)
        scope->entered = false;
}

void reply_page_language_leave(struct reply_page_language_scope *scope)
{
    if (scope->entered)
        uselocale(scope->previous);
    scope->entered = false;
}
