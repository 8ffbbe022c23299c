/* reply_page.c: the agent's reply page and its answers as HTML (see
 * reply_page.h). One skeleton, one stylesheet and one small script; the
 * body differs by page. */
#include "server/reply_page.h"
#include "server/reply_page_language.h"
#include "common/i18n.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

enum text_id {
    T_TITLE,
    T_CANCELLED,
    T_SENT_TO,
    T_ALREADY_RECEIVED,
    T_RECEIVED_BUTTON,
    T_SEEN_TITLE,
    T_SEEN_HELP,
    T_DESCRIBE,
    T_POSITION_BUTTON,
    T_POSITION_WAIT,
    T_POSITION_DONE,
    T_POSITION_FAILED,
    T_SEND,
    T_REPLIES,
    T_THANKS_RECEIVED,
    T_THANKS_SEEN,
    T_STAY,
    T_BACK,
    T_UNKNOWN_TITLE,
    T_UNKNOWN,
    T_EXPIRED_TITLE,
    T_EXPIRED,
    T_ERROR_TITLE,
    T_ERROR_EMPTY,
    T_ERROR_UNREADABLE,
    T_ERROR_TOO_LONG,
    T_ERROR_TOO_MANY,
    T_ERROR_CROSS_SITE,
    T_ERROR_SERVER,
    T_PUSH_TITLE,
    T_PUSH_HELP,
    T_PUSH_BUTTON,
    T_PUSH_WAIT,
    T_PUSH_DONE,
    T_PUSH_FAILED,
    T_COUNT
};

/* The page's texts, English msgids translated (in _()) by the catalogue
 * of the page's language while reply_page_render runs. */
static const char *const texts[T_COUNT] = {
    [T_TITLE] = N_("Security alert"),
    [T_CANCELLED] =
        N_("The control room has cancelled this alert. You can still report what you saw."),
    /* TRANSLATORS: followed by the agent's name and site. */
    [T_SENT_TO] = N_("Sent to:"),
    [T_ALREADY_RECEIVED] = N_("You have confirmed that you received this message."),
    [T_RECEIVED_BUTTON] = N_("I received this message"),
    [T_SEEN_TITLE] = N_("I saw something"),
    [T_SEEN_HELP] =
        N_("Say what you saw, where and when. Do not leave your site. Do not intervene."),
    [T_DESCRIBE] = N_("What did you see?"),
    [T_POSITION_BUTTON] = N_("Add my position"),
    [T_POSITION_WAIT] = N_("Looking for your position..."),
    /* TRANSLATORS: %d is the accuracy in metres (filled in by the page's script). */
    [T_POSITION_DONE] = N_("Position added (within %d m)."),
    [T_POSITION_FAILED] = N_("Your position is not available; send your report without it."),
    [T_SEND] = N_("Send my report"),
    [T_REPLIES] = N_("Replies sent from this page: %d"),
    [T_THANKS_RECEIVED] = N_("Thank you. The control room knows that you received the message."),
    [T_THANKS_SEEN] = N_("Thank you. Your report has been sent to the control room."),
    [T_STAY] = N_("Stay on your site. Do not intervene."),
    [T_BACK] = N_("Back to the alert"),
    [T_UNKNOWN_TITLE] = N_("Link not valid"),
    [T_UNKNOWN] = N_("This reply link is not valid. Open the whole link from the message you "
                     "received."),
    [T_EXPIRED_TITLE] = N_("Alert ended"),
    [T_EXPIRED] = N_("This alert has ended and no longer takes replies. In an emergency, call "
                     "17 or 112."),
    [T_ERROR_TITLE] = N_("Reply not sent"),
    [T_ERROR_EMPTY] = N_("Say what you saw, or add your position, before sending."),
    [T_ERROR_UNREADABLE] = N_("Your reply could not be read. Go back to the alert and try again."),
    [T_ERROR_TOO_LONG] = N_("Your text is too long. Shorten it and send it again."),
    [T_ERROR_TOO_MANY] = N_("This link has sent too many replies. Call the control room."),
    [T_ERROR_CROSS_SITE] = N_("This reply must be sent from its own page."),
    [T_ERROR_SERVER] = N_("The control room could not record your reply. Try again in a "
                          "moment, or call it."),
    [T_PUSH_TITLE] = N_("Alerts on this phone"),
    [T_PUSH_HELP] = N_("Get the next alerts as notifications on this phone, even when this page "
                       "is closed."),
    [T_PUSH_BUTTON] = N_("Receive alerts on this phone"),
    [T_PUSH_WAIT] = N_("Setting up notifications..."),
    [T_PUSH_DONE] = N_("Done: the next alerts will also come to this phone."),
    [T_PUSH_FAILED] = N_("Notifications could not be set up on this phone; the alerts still "
                         "come by your other channels."),
};

/* The text in the page's language: the thread's locale is the page's
 * while it renders (reply_page_render). */
static const char *text(const struct reply_page *page, enum text_id id)
{
    (void)page;
    return _(texts[id]);
}

void reply_page_escape(GString *out, const char *value)
{
    for (const char *s = value ? value : ""; *s; s++) {
        switch (*s) {
        case '&':
            g_string_append(out, "&amp;");
            break;
        case '<':
            g_string_append(out, "&lt;");
            break;
        case '>':
            g_string_append(out, "&gt;");
            break;
        case '"':
            g_string_append(out, "&quot;");
            break;
        case '\'':
            g_string_append(out, "&#39;");
            break;
        default:
            g_string_append_c(out, *s);
        }
    }
}

static void put_text(GString *out, const struct reply_page *page, enum text_id id)
{
    reply_page_escape(out, text(page, id));
}

/* Sized for a phone held in one hand: one column, large buttons. */
static const char style[] =
    "body{margin:0;font:17px/1.45 system-ui,sans-serif;background:#f3f3f3;color:#111}"
    "main{max-width:34em;margin:0 auto;padding:1em}"
    "h1{font-size:1.35em;margin:.2em 0 .6em;color:#a00}h2{font-size:1.15em;margin:1.4em 0 .3em}"
    ".message{white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;"
    "border-left:6px solid #c00;padding:.8em;font-weight:600}"
    ".note{color:#444;font-size:.92em}"
    ".done{background:#e2f3e6;padding:.8em;border-radius:.3em}"
    ".error{background:#fbe3e3;padding:.8em;border-radius:.3em}"
    "button{display:block;width:100%;font:inherit;font-size:1.15em;padding:.9em;border:0;"
    "border-radius:.4em;margin:.5em 0}"
    ".received{background:#0a6e2d;color:#fff}.seen{background:#a00;color:#fff}"
    ".position{background:#ddd;color:#111;font-size:1em}"
    "label{display:block;margin:.4em 0 .2em}"
    "textarea{display:block;width:100%;box-sizing:border-box;font:inherit;min-height:6em}"
    "a{color:#0645ad}";

/* Fills the hidden fields with the browser's position, on request only;
 * and, where the browser has service workers and Push, subscribes the
 * phone on request: notifications allowed, /r/sw.js registered (scope
 * /r/), PushManager.subscribe with the centre's key, and the subscription
 * posted to /r/<token>/push-subscription. */
static const char script[] = "(function(){var b=document.getElementById('push'),"
                             "s=document.getElementById('push-state');"
                             "if(!b||!('serviceWorker' in navigator)||!('PushManager' in window)||"
                             "!('Notification' in window))return;"
                             "document.getElementById('push-section').hidden=false;"
                             "function key(t){var p=t.replace(/-/g,'+').replace(/_/g,'/');"
                             "while(p.length%4)p+='=';var r=atob(p),a=new Uint8Array(r.length);"
                             "for(var i=0;i<r.length;i++)a[i]=r.charCodeAt(i);return a;}"
                             "b.addEventListener('click',function(){s.textContent=b.dataset.wait;"
                             "Notification.requestPermission().then(function(p){"
                             "if(p!=='granted')throw p;return navigator.serviceWorker.register("
                             "'sw.js?lang='+document.documentElement.lang,{scope:'./'});})"
                             ".then(function(){return navigator.serviceWorker.ready;})"
                             ".then(function(r){return r.pushManager.getSubscription().then("
                             "function(x){return x||r.pushManager.subscribe({userVisibleOnly:true,"
                             "applicationServerKey:key(b.dataset.key)});});})"
                             ".then(function(x){return fetch(b.dataset.action,{method:'POST',"
                             "headers:{'Content-Type':'application/json'},"
                             "body:JSON.stringify(x)});})"
                             ".then(function(a){if(!a.ok)throw a.status;"
                             "s.textContent=b.dataset.done;b.hidden=true;})"
                             ".catch(function(){s.textContent=b.dataset.fail;});});})();"
                             "(function(){var b=document.getElementById('position'),"
                             "s=document.getElementById('position-state');"
                             "if(!b||!navigator.geolocation)return;b.hidden=false;"
                             "b.addEventListener('click',function(){s.textContent=b.dataset.wait;"
                             "navigator.geolocation.getCurrentPosition(function(p){"
                             "var a=Math.round(p.coords.accuracy);"
                             "document.getElementById('lat').value=p.coords.latitude;"
                             "document.getElementById('lon').value=p.coords.longitude;"
                             "document.getElementById('accuracy').value=a;"
                             "s.textContent=b.dataset.done.replace('%d',a);},"
                             "function(){s.textContent=b.dataset.fail;},"
                             "{enableHighAccuracy:true,timeout:20000,maximumAge:60000});});})();";

/* The page's language code, for <html lang> and its texts. */
static const char *page_language(const struct reply_page *page)
{
    return reply_page_language_available(page->language) ? page->language : "en";
}

static void open_page(GString *out, const struct reply_page *page, enum text_id title)
{
    g_string_append_printf(out,
                           "<!DOCTYPE html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
                           "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                           "<meta name=\"referrer\" content=\"no-referrer\"><title>",
                           page_language(page));
    put_text(out, page, title);
    g_string_append(out, "</title><style nonce=\"");
    reply_page_escape(out, page->nonce);
    g_string_append_printf(out, "\">%s</style></head><body><main><h1>", style);
    put_text(out, page, title);
    g_string_append(out, "</h1>");
}

static void close_page(GString *out, const struct reply_page *page, bool with_script)
{
    g_string_append(out, "</main>");
    if (with_script) {
        g_string_append(out, "<script nonce=\"");
        reply_page_escape(out, page->nonce);
        g_string_append_printf(out, "\">%s</script>", script);
    }
    g_string_append(out, "</body></html>\n");
}

static void paragraph(GString *out, const struct reply_page *page, const char *class_name,
                      const char *id, enum text_id text_id)
{
    g_string_append_printf(out, "<p class=\"%s\" id=\"%s\">", class_name, id);
    put_text(out, page, text_id);
    g_string_append(out, "</p>");
}

/* A form posting to /r/<token>/<what>, relative to the page's URL. */
static void form_open(GString *out, const struct reply_page *page, const char *what, const char *id)
{
    g_string_append_printf(out, "<form method=\"post\" id=\"%s\" action=\"", id);
    reply_page_escape(out, page->token);
    g_string_append_printf(out, "/%s\">", what);
}

static void seen_form(GString *out, const struct reply_page *page)
{
    g_string_append(out, "<h2>");
    put_text(out, page, T_SEEN_TITLE);
    g_string_append(out, "</h2><p class=\"note\">");
    put_text(out, page, T_SEEN_HELP);
    g_string_append(out, "</p>");
    form_open(out, page, "seen", "seen-form");
    g_string_append(out, "<label for=\"text\">");
    put_text(out, page, T_DESCRIBE);
    g_string_append_printf(out,
                           "</label><textarea id=\"text\" name=\"text\" maxlength=\"%d\" "
                           "rows=\"5\"></textarea>"
                           "<input type=\"hidden\" name=\"lat\" id=\"lat\" value=\"\">"
                           "<input type=\"hidden\" name=\"lon\" id=\"lon\" value=\"\">"
                           "<input type=\"hidden\" name=\"accuracy\" id=\"accuracy\" value=\"\">"
                           "<button type=\"button\" class=\"position\" id=\"position\" hidden "
                           "data-wait=\"",
                           MASSALERT_REPLY_TEXT_MAX);
    put_text(out, page, T_POSITION_WAIT);
    g_string_append(out, "\" data-done=\"");
    put_text(out, page, T_POSITION_DONE);
    g_string_append(out, "\" data-fail=\"");
    put_text(out, page, T_POSITION_FAILED);
    g_string_append(out, "\">");
    put_text(out, page, T_POSITION_BUTTON);
    g_string_append(out, "</button><p class=\"note\" id=\"position-state\" aria-live=\"polite\">"
                         "</p><button type=\"submit\" class=\"seen\" id=\"send-seen\">");
    put_text(out, page, T_SEND);
    g_string_append(out, "</button></form>");
}

/* Hidden until the script finds that the browser can take push. */
static void push_section(GString *out, const struct reply_page *page)
{
    g_string_append(out, "<section id=\"push-section\" hidden><h2>");
    put_text(out, page, T_PUSH_TITLE);
    g_string_append(out, "</h2><p class=\"note\">");
    put_text(out, page, T_PUSH_HELP);
    g_string_append(out, "</p><button type=\"button\" class=\"position\" id=\"push\" data-key=\"");
    reply_page_escape(out, page->push_key);
    g_string_append(out, "\" data-action=\"");
    reply_page_escape(out, page->token);
    g_string_append(out, "/push-subscription\" data-wait=\"");
    put_text(out, page, T_PUSH_WAIT);
    g_string_append(out, "\" data-done=\"");
    put_text(out, page, T_PUSH_DONE);
    g_string_append(out, "\" data-fail=\"");
    put_text(out, page, T_PUSH_FAILED);
    g_string_append(out, "\">");
    put_text(out, page, T_PUSH_BUTTON);
    g_string_append(out, "</button><p class=\"note\" id=\"push-state\" aria-live=\"polite\"></p>"
                         "</section>");
}

static void alert_body(GString *out, const struct reply_page *page)
{
    const struct store_massalert_token_view *view = page->view;
    if (strcmp(view->state, "cancelled") == 0)
        paragraph(out, page, "note", "cancelled", T_CANCELLED);
    g_string_append(out, "<div class=\"message\" id=\"message\">");
    reply_page_escape(out, view->message);
    g_string_append(out, "</div><p class=\"note\" id=\"sent-to\">");
    put_text(out, page, T_SENT_TO);
    g_string_append_c(out, ' ');
    reply_page_escape(out, view->agent_name);
    if (view->site_name[0]) {
        g_string_append(out, ", ");
        reply_page_escape(out, view->site_name);
    }
    g_string_append(out, "</p>");
    if (view->received_at > 0)
        paragraph(out, page, "done", "received-note", T_ALREADY_RECEIVED);
    form_open(out, page, "received", "received-form");
    g_string_append(out, "<button type=\"submit\" class=\"received\" id=\"received\">");
    put_text(out, page, T_RECEIVED_BUTTON);
    g_string_append(out, "</button></form>");
    seen_form(out, page);
    if (page->push_key)
        push_section(out, page);
    if (view->replies > 0) {
        g_string_append(out, "<p class=\"note\" id=\"replies\">");
        g_autofree char *count = g_strdup_printf(text(page, T_REPLIES), view->replies);
        reply_page_escape(out, count);
        g_string_append(out, "</p>");
    }
}

/* A link back to /r/<token> from /r/<token>/<what>. */
static void back_link(GString *out, const struct reply_page *page)
{
    g_string_append(out, "<p><a id=\"back\" href=\"../");
    reply_page_escape(out, page->token);
    g_string_append(out, "\">");
    put_text(out, page, T_BACK);
    g_string_append(out, "</a></p>");
}

static const enum text_id error_texts[] = {
    [REPLY_ERROR_EMPTY] = T_ERROR_EMPTY,           [REPLY_ERROR_UNREADABLE] = T_ERROR_UNREADABLE,
    [REPLY_ERROR_TOO_LONG] = T_ERROR_TOO_LONG,     [REPLY_ERROR_TOO_MANY] = T_ERROR_TOO_MANY,
    [REPLY_ERROR_CROSS_SITE] = T_ERROR_CROSS_SITE, [REPLY_ERROR_SERVER] = T_ERROR_SERVER,
};

char *reply_page_render(const struct reply_page *page, size_t *length_out)
{
    struct reply_page_language_scope scope;
    reply_page_language_enter(page_language(page), &scope);
    GString *out = g_string_sized_new(8192);
    switch (page->kind) {
    case REPLY_PAGE_ALERT:
        open_page(out, page, T_TITLE);
        alert_body(out, page);
        close_page(out, page, true);
        break;
    case REPLY_PAGE_THANKS_RECEIVED:
    case REPLY_PAGE_THANKS_SEEN:
        open_page(out, page, T_TITLE);
        paragraph(out, page, "done", "thanks",
                  page->kind == REPLY_PAGE_THANKS_SEEN ? T_THANKS_SEEN : T_THANKS_RECEIVED);
        paragraph(out, page, "note", "stay", T_STAY);
        back_link(out, page);
        close_page(out, page, false);
        break;
    case REPLY_PAGE_UNKNOWN:
        open_page(out, page, T_UNKNOWN_TITLE);
        paragraph(out, page, "error", "unknown", T_UNKNOWN);
        close_page(out, page, false);
        break;
    case REPLY_PAGE_EXPIRED:
        open_page(out, page, T_EXPIRED_TITLE);
        paragraph(out, page, "error", "expired", T_EXPIRED);
        close_page(out, page, false);
        break;
    case REPLY_PAGE_ERROR:
        open_page(out, page, T_ERROR_TITLE);
        paragraph(out, page, "error", "error", error_texts[page->error]);
        if (page->token)
            back_link(out, page);
        close_page(out, page, false);
        break;
    }
    reply_page_language_leave(&scope);
    *length_out = out->len;
    /* GLib allocates with the system allocator: the caller frees with free(). */
    char *html = malloc(out->len + 1);
    if (html)
        memcpy(html, out->str, out->len + 1);
    g_string_free(out, TRUE);
    return html;
}
