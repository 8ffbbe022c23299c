/* reply_form.h: what an agent's reply page posts (POST /r/<token>/seen
 * and /received), read from an application/x-www-form-urlencoded body (the
 * page's own forms, which work without JavaScript) or a JSON object (a
 * script, a push action). Pure: no I/O, bounded, no allocation. */
#ifndef VIGIE_REPLY_FORM_H
#define VIGIE_REPLY_FORM_H

#include <stdbool.h>
#include <stddef.h>

#include "server/store_massalert_replies.h"

/* A reply's body is a short text and three numbers: a few KiB is plenty
 * even with every character percent-encoded three times over. */
#define REPLY_FORM_BODY_MAX (4 * MASSALERT_REPLY_TEXT_MAX + 1024)

enum reply_form_status {
    REPLY_FORM_OK,
    REPLY_FORM_TOO_LARGE,   /* the body, or the text, is beyond its bound */
    REPLY_FORM_MALFORMED,   /* not the declared encoding, or a number that is not one */
    REPLY_FORM_UNSUPPORTED, /* a content type we do not read */
};

struct reply_form {
    /* Room for a text a little longer than the bound, which the store
     * then cuts on a character boundary. */
    char text[MASSALERT_REPLY_TEXT_MAX * 2 + 1];
    bool located, has_accuracy;
    double lat, lon, accuracy_m;
};

/* Reads `body` (`length` bytes, may be NULL when 0) declared as
 * `content_type` (NULL: a form). Empty "lat", "lon", "accuracy" fields are
 * absent (the page sends them empty when the browser gave no position);
 * fields the page does not have are ignored in a form, refused in JSON. */
enum reply_form_status reply_form_parse(const char *content_type, const char *body, size_t length,
                                        struct reply_form *out);

#endif
