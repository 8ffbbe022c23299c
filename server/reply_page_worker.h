/* reply_page_worker.h: the service worker of the agents' reply pages
 * (GET /r/sw.js, scope /r/). A phone whose browser subscribed to Web Push
 * through its agent's reply page runs it when a push message arrives: it
 * shows the message as a notification and, once it is shown, tells
 * vigied that the message reached the phone (POST /r/<token>/delivered,
 * the token being that of the reply link the message carries). That
 * acknowledgement is the push channel's "delivered": the public push
 * services (FCM, Mozilla autopush) do not send RFC 8030 receipts, and a
 * notification on the screen is better proof than a receipt would be. A
 * tap on the notification opens the reply page. Pure: builds text. */
#ifndef VIGIE_REPLY_PAGE_WORKER_H
#define VIGIE_REPLY_PAGE_WORKER_H

#include <stddef.h>

/* The script, its notification's title in `language` (a code of
 * reply_page_language.h), as a NUL-terminated string (free()); NULL when
 * out of memory. */
char *reply_page_worker_render(const char *language, size_t *length_out);

#endif
