/* reply_page.h: the HTML of an agent's reply page (GET /r/<token>) and of
 * the pages that answer its forms. A small page for a small phone: no
 * external resource, inline style and script under the response's
 * Content-Security-Policy nonce, every value HTML-escaped. The forms work
 * without JavaScript; the script only adds the browser's position and,
 * where the browser can, subscribes the phone to Web Push.
 *
 * The page speaks its own language (reply_page_language.h: the alert's,
 * else the browser's, else the centre's), not the server's: its texts are
 * gettext messages (English msgids) translated by the vigie catalogue of
 * that language, in the rendering thread only. Pure: builds text, no
 * I/O. */
#ifndef VIGIE_REPLY_PAGE_H
#define VIGIE_REPLY_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "server/store_massalert_replies.h"

/* The CSP nonce: 16 random bytes in base64url. */
#define REPLY_PAGE_NONCE_SIZE 32

enum reply_page_kind {
    REPLY_PAGE_ALERT,           /* the message, "received" and "seen" forms */
    REPLY_PAGE_THANKS_RECEIVED, /* after "received" */
    REPLY_PAGE_THANKS_SEEN,     /* after a sighting */
    REPLY_PAGE_UNKNOWN,         /* no such link (404) */
    REPLY_PAGE_EXPIRED,         /* the alert ended (410) */
    REPLY_PAGE_ERROR,           /* a reply that could not be taken */
};

/* Why a reply could not be taken (REPLY_PAGE_ERROR). */
enum reply_page_error {
    REPLY_ERROR_EMPTY,      /* a sighting with neither text nor position */
    REPLY_ERROR_UNREADABLE, /* the form could not be read */
    REPLY_ERROR_TOO_LONG,   /* the body or text beyond its bound */
    REPLY_ERROR_TOO_MANY,   /* the link's replies are used up */
    REPLY_ERROR_CROSS_SITE, /* posted from another site */
    REPLY_ERROR_SERVER,     /* the store failed */
};

struct reply_page {
    enum reply_page_kind kind;
    const char *language; /* "fr", "en" (reply_page_language_choose); NULL: English */
    const char *token;    /* the link's token (base64url), for the forms' actions */
    const struct store_massalert_token_view *view; /* ALERT and THANKS pages */
    enum reply_page_error error;
    const char *nonce; /* for the inline style and script */
    /* ALERT page: the centre's applicationServerKey when Web Push is
     * configured; the page then offers to get the next alerts on this
     * phone (its service worker, /r/sw.js; reply_page_worker.h). */
    const char *push_key;
};

/* The page as a NUL-terminated string (free()), its length in
 * `length_out`; NULL when out of memory. */
char *reply_page_render(const struct reply_page *page, size_t *length_out);

/* Appends `text` HTML-escaped (& < > " ') to `out` (a GString). */
struct _GString;
void reply_page_escape(struct _GString *out, const char *text);

#endif
