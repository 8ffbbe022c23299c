/* Unit tests of the agent's reply page as text: what it says in French and
 * in English, that nothing the store holds reaches the HTML unescaped, that
 * style and script carry the response's nonce; and of the form reader:
 * form-encoded and JSON bodies, empty position fields, broken encodings and
 * bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/reply_form.h"
#include "server/reply_page.h"
#include "server/reply_page_language.h"
#include "server/reply_page_worker.h"
#include "common/i18n.h"

/* The catalogues `make` compiled for this build: build/KIND/locale, two
 * levels above this test's build/KIND/tests/unit; and a French locale,
 * without which French pages cannot be had (make deps makes one). */
static int catalogue_up(void **state)
{
    (void)state;
    char executable[PATH_MAX], dir[PATH_MAX + 32];
    ssize_t length = readlink("/proc/self/exe", executable, sizeof executable - 1);
    if (length <= 0)
        return -1;
    executable[length] = '\0';
    snprintf(dir, sizeof dir, "%s/../../locale", dirname(executable));
    if (!bindtextdomain(VIGIE_TEXT_DOMAIN, dir) ||
        !bind_textdomain_codeset(VIGIE_TEXT_DOMAIN, "UTF-8"))
        return -1;
    if (!reply_page_language_available("fr")) {
        fprintf(stderr, "no French locale (fr_FR.UTF-8): run make deps\n");
        return -1;
    }
    return 0;
}

static struct store_massalert_token_view hostile_view(void)
{
    struct store_massalert_token_view view = {.alert_id = 7, .recipient_id = 9};
    strcpy(view.state, "sending");
    strcpy(view.language, "fr");
    strcpy(view.message, "NE QUITTEZ PAS <script>alert(1)</script> & \"fuyez\" l'homme");
    strcpy(view.agent_name, "Jean <b>Martin</b>");
    strcpy(view.site_name, "DUPOND\" onload=\"x");
    return view;
}

static char *render(const struct reply_page *page)
{
    size_t length = 0;
    char *html = reply_page_render(page, &length);
    assert_non_null(html);
    assert_int_equal(strlen(html), length);
    return html;
}

static void test_alert_page_escapes_everything(void **state)
{
    (void)state;
    struct store_massalert_token_view view = hostile_view();
    struct reply_page page = {.kind = REPLY_PAGE_ALERT,
                              .language = "fr",
                              .token = "Tok_en-1",
                              .view = &view,
                              .nonce = "N0nce"};
    char *html = render(&page);
    assert_null(strstr(html, "<script>alert"));
    assert_non_null(strstr(html, "NE QUITTEZ PAS &lt;script&gt;alert(1)&lt;/script&gt; &amp; "
                                 "&quot;fuyez&quot; l&#39;homme"));
    assert_non_null(strstr(html, "Jean &lt;b&gt;Martin&lt;/b&gt;"));
    assert_non_null(strstr(html, "DUPOND&quot; onload=&quot;x"));
    /* The forms post next to the page; the script and style carry the nonce. */
    assert_non_null(strstr(html, "action=\"Tok_en-1/received\""));
    assert_non_null(strstr(html, "action=\"Tok_en-1/seen\""));
    assert_non_null(strstr(html, "<style nonce=\"N0nce\">"));
    assert_non_null(strstr(html, "<script nonce=\"N0nce\">"));
    assert_non_null(strstr(html, "lang=\"fr\""));
    assert_non_null(strstr(html, "J&#39;ai bien reçu ce message"));
    assert_non_null(strstr(html, "name=\"text\" maxlength=\"1000\""));
    assert_null(strstr(html, "http://"));
    assert_null(strstr(html, "https://"));
    /* Without Web Push configured, no offer to subscribe the phone. */
    assert_null(strstr(html, "<section id=\"push-section\""));
    free(html);
    /* With it, the offer carries the centre's key and posts next to the page. */
    page.push_key = "BKey_1-\"x";
    html = render(&page);
    assert_non_null(strstr(html, "<section id=\"push-section\" hidden>"));
    assert_non_null(strstr(html, "data-key=\"BKey_1-&quot;x\""));
    assert_non_null(strstr(html, "data-action=\"Tok_en-1/push-subscription\""));
    assert_non_null(strstr(html, "Recevoir les alertes sur ce téléphone"));
    free(html);
}

static void test_english_and_state_notes(void **state)
{
    (void)state;
    struct store_massalert_token_view view = hostile_view();
    strcpy(view.state, "cancelled");
    view.received_at = 1000;
    view.replies = 2;
    struct reply_page page = {.kind = REPLY_PAGE_ALERT, .token = "t", .view = &view, .nonce = "n"};
    char *html = render(&page);
    assert_non_null(strstr(html, "lang=\"en\""));
    assert_non_null(strstr(html, "I received this message"));
    assert_non_null(strstr(html, "id=\"cancelled\""));
    assert_non_null(strstr(html, "id=\"received-note\""));
    assert_non_null(strstr(html, "Replies sent from this page: 2"));
    free(html);
}

static void test_answer_pages(void **state)
{
    (void)state;
    struct reply_page page = {.kind = REPLY_PAGE_EXPIRED, .language = "fr", .nonce = "n"};
    char *html = render(&page);
    assert_non_null(strstr(html, "Alerte terminée"));
    assert_null(strstr(html, "<form"));
    assert_null(strstr(html, "<script"));
    free(html);
    page = (struct reply_page){.kind = REPLY_PAGE_UNKNOWN, .nonce = "n"};
    html = render(&page);
    assert_non_null(strstr(html, "This reply link is not valid"));
    free(html);
    page = (struct reply_page){
        .kind = REPLY_PAGE_THANKS_SEEN, .language = "fr", .token = "abc", .nonce = "n"};
    html = render(&page);
    assert_non_null(strstr(html, "Votre signalement a été transmis au centre"));
    assert_non_null(strstr(html, "href=\"../abc\""));
    free(html);
    page = (struct reply_page){
        .kind = REPLY_PAGE_ERROR, .token = "abc", .error = REPLY_ERROR_EMPTY, .nonce = "n"};
    html = render(&page);
    assert_non_null(strstr(html, "Say what you saw, or add your position"));
    free(html);
}

static void test_the_language_of_a_page(void **state)
{
    (void)state;
    /* The alert's language first, whatever the browser says. */
    assert_string_equal(reply_page_language_choose("fr", "en-GB,en", "en"), "fr");
    assert_string_equal(reply_page_language_choose("en", "fr-FR,fr", "fr"), "en");
    assert_string_equal(reply_page_language_choose("FR-be", NULL, NULL), "fr");
    /* Then the browser's preference, by q-value, among what we speak. */
    assert_string_equal(reply_page_language_choose("", "fr-FR,fr;q=0.9,en;q=0.8", "en"), "fr");
    assert_string_equal(reply_page_language_choose(NULL, "en-GB,fr;q=0.5", "fr"), "en");
    assert_string_equal(reply_page_language_choose("de", "de-DE, fr;q=0.3, en;q=0.2", "en"), "fr");
    assert_string_equal(reply_page_language_choose(NULL, "en;q=0.4, fr;q=0.7", "en"), "fr");
    /* Then the centre's; then English. */
    assert_string_equal(reply_page_language_choose(NULL, "fr;q=0, de", "en"), "en");
    assert_string_equal(reply_page_language_choose(NULL, "fry", "fr"), "fr");
    assert_string_equal(reply_page_language_choose(NULL, "*", "fr"), "fr");
    assert_string_equal(reply_page_language_choose("xx", "q=1;fr", NULL), "en");
    assert_string_equal(reply_page_language_choose(NULL, NULL, NULL), "en");
}

static void test_the_worker_speaks_the_page_language(void **state)
{
    (void)state;
    size_t length = 0;
    char *script = reply_page_worker_render("fr", &length);
    assert_non_null(script);
    assert_int_equal(strlen(script), length);
    assert_non_null(strstr(script, "var TITLE = \"Alerte de sécurité\";"));
    assert_non_null(strstr(script, "self.addEventListener(\"push\""));
    assert_non_null(strstr(script, "/delivered"));
    assert_non_null(strstr(script, "showNotification(TITLE"));
    free(script);
    script = reply_page_worker_render("en", &length);
    assert_non_null(strstr(script, "var TITLE = \"Security alert\";"));
    free(script);
}

static void test_form_encoded(void **state)
{
    (void)state;
    struct reply_form form;
    const char *body = "text=homme+%C3%A0+la+veste%0Anoire%26blanc&lat=43.7012&lon=7.2655"
                       "&accuracy=12.5&extra=ignored";
    assert_int_equal(
        reply_form_parse("application/x-www-form-urlencoded", body, strlen(body), &form),
        REPLY_FORM_OK);
    assert_string_equal(form.text, "homme \xc3\xa0 la veste\nnoire&blanc");
    assert_true(form.located);
    assert_true(form.lat > 43.7011 && form.lat < 43.7013);
    assert_true(form.lon > 7.2654 && form.lon < 7.2656);
    assert_true(form.has_accuracy);
    /* No position: the page sends its hidden fields empty. */
    body = "text=vu&lat=&lon=&accuracy=";
    assert_int_equal(reply_form_parse("application/x-www-form-urlencoded; charset=UTF-8", body,
                                      strlen(body), &form),
                     REPLY_FORM_OK);
    assert_false(form.located);
    assert_false(form.has_accuracy);
    assert_int_equal(reply_form_parse(NULL, NULL, 0, &form), REPLY_FORM_OK);
    assert_string_equal(form.text, "");
}

static void test_form_refusals(void **state)
{
    (void)state;
    struct reply_form form;
    const char *type = "application/x-www-form-urlencoded";
    const char *bad[] = {"text=%4",        "text=%zz",      "text=a%00b",    "lat=43.7",
                         "lat=1&lon=0x10", "lat=nan&lon=1", "lat=1&lon=inf", "accuracy=12m"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(reply_form_parse(type, bad[i], strlen(bad[i]), &form),
                         REPLY_FORM_MALFORMED);
    size_t size = REPLY_FORM_BODY_MAX + 1;
    char *large = malloc(size + 1);
    memset(large, 'a', size);
    large[size] = '\0';
    memcpy(large, "text=", 5);
    assert_int_equal(reply_form_parse(type, large, size, &form), REPLY_FORM_TOO_LARGE);
    size = sizeof form.text + 10;
    large[size] = '\0';
    assert_int_equal(reply_form_parse(type, large, size, &form), REPLY_FORM_TOO_LARGE);
    free(large);
    assert_int_equal(reply_form_parse("text/plain", "x", 1, &form), REPLY_FORM_UNSUPPORTED);
}

static void test_json_body(void **state)
{
    (void)state;
    struct reply_form form;
    const char *type = "application/json";
    const char *body = "{\"text\":\"vu\",\"lat\":43.7,\"lon\":7.26,\"accuracy_m\":30}";
    assert_int_equal(reply_form_parse(type, body, strlen(body), &form), REPLY_FORM_OK);
    assert_string_equal(form.text, "vu");
    assert_true(form.located && form.has_accuracy);
    body = "{\"text\":\"vu\",\"lat\":null,\"lon\":null}";
    assert_int_equal(reply_form_parse(type, body, strlen(body), &form), REPLY_FORM_OK);
    assert_false(form.located);
    const char *bad[] = {"[]", "{\"text\":1}", "{\"lat\":1}", "{\"txt\":\"x\"}", "{", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(reply_form_parse(type, bad[i], strlen(bad[i]), &form),
                         REPLY_FORM_MALFORMED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alert_page_escapes_everything),
        cmocka_unit_test(test_english_and_state_notes),
        cmocka_unit_test(test_answer_pages),
        cmocka_unit_test(test_the_language_of_a_page),
        cmocka_unit_test(test_the_worker_speaks_the_page_language),
        cmocka_unit_test(test_form_encoded),
        cmocka_unit_test(test_form_refusals),
        cmocka_unit_test(test_json_body),
    };
    return cmocka_run_group_tests(tests, catalogue_up, NULL);
}
