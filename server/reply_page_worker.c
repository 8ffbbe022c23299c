/* reply_page_worker.c: the reply pages' service worker as text (see
 * reply_page_worker.h). The script is fixed but for its title, a JSON
 * string; it finds the reply link in the message by its own scope's path
 * (/r/), so that it acknowledges to the very server that installed it,
 * whatever public_url the message names. */
#include "server/reply_page_worker.h"
#include "server/reply_page_language.h"
#include "common/i18n.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The script around its title. The acknowledgement is sent only once the
 * notification is shown (a phone that refuses notifications proves
 * nothing), without credentials (the token is the key), and its failure
 * is silent: the message is sent at least, and the page still works. */
static const char script_head[] = "\"use strict\";\nvar TITLE = ";
static const char script_body[] =
    ";\n"
    "self.addEventListener(\"install\", function () { self.skipWaiting(); });\n"
    "self.addEventListener(\"activate\", function (event) {\n"
    "  event.waitUntil(self.clients.claim());\n"
    "});\n"
    "/* The reply link in the message: its token follows this worker's path. */\n"
    "function findLink(text) {\n"
    "  var path = new URL(self.registration.scope).pathname;\n"
    "  for (var at = text.indexOf(path); at >= 0; at = text.indexOf(path, at + 1)) {\n"
    "    var m = /^[A-Za-z0-9_-]{16,64}/.exec(text.slice(at + path.length));\n"
    "    if (!m) continue;\n"
    "    var start = at;\n"
    "    while (start > 0 && !/\\s/.test(text.charAt(start - 1))) start--;\n"
    "    return {token: m[0], whole: text.slice(start, at + path.length + m[0].length)};\n"
    "  }\n"
    "  return null;\n"
    "}\n"
    "self.addEventListener(\"push\", function (event) {\n"
    "  var text = event.data ? event.data.text() : \"\";\n"
    "  var link = findLink(text);\n"
    "  var page = link ? new URL(link.token, self.registration.scope).href : null;\n"
    "  var body = link ? text.replace(link.whole, \"\").trim() : text;\n"
    "  var shown = self.registration.showNotification(TITLE, {\n"
    "    body: body, tag: page || \"vigie\", requireInteraction: true, data: {page: page}\n"
    "  });\n"
    "  event.waitUntil(shown.then(function () {\n"
    "    if (!page) return;\n"
    "    return fetch(page + \"/delivered\", {method: \"POST\", credentials: \"omit\",\n"
    "                                         cache: \"no-store\"});\n"
    "  }).catch(function () {}));\n"
    "});\n"
    "self.addEventListener(\"notificationclick\", function (event) {\n"
    "  event.notification.close();\n"
    "  var page = event.notification.data && event.notification.data.page;\n"
    "  if (page) event.waitUntil(self.clients.openWindow(page));\n"
    "});\n";

char *reply_page_worker_render(const char *language, size_t *length_out)
{
    struct reply_page_language_scope scope;
    reply_page_language_enter(language, &scope);
    /* TRANSLATORS: the title of the phone's notification of a mass alert. */
    cJSON *title = cJSON_CreateString(_("Security alert"));
    reply_page_language_leave(&scope);
    char *quoted = title ? cJSON_PrintUnformatted(title) : NULL;
    cJSON_Delete(title);
    if (!quoted)
        return NULL;
    size_t length = strlen(script_head) + strlen(quoted) + strlen(script_body);
    char *script = malloc(length + 1);
    if (script)
        snprintf(script, length + 1, "%s%s%s", script_head, quoted, script_body);
    free(quoted);
    *length_out = script ? length : 0;
    return script;
}
