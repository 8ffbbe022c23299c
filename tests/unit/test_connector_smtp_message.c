/* The e-mail of a mass alert as the SMTP connector uploads it: headers an
 * agent's mail client reads right (accents in the subject as RFC 2047
 * words, the body in quoted-printable that decodes back to the exact
 * text), a Message-ID from the outbox key, a Reply-To whose token only
 * the secret makes, and no header injection through any field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/config.h"
#include "server/connector_smtp.h"
#include "server/connector_smtp_message.h"
#include "server/mail_in_mime.h"
#include "server/mail_reply_address.h"

#define SECRET "a-long-secret-for-replies-0123456789"

static const char french[] =
    "NE QUITTEZ PAS VOTRE SITE - N'INTERVENEZ PAS - Recherche : homme d'environ 30 ans, "
    "blouson noir, pantalon blanc. Si vous le voyez, appelez le 01 23 45 67 89 ou répondez : "
    "https://vigie.example.org/r/abcDEF\n"
    "Deuxième ligne: élève à l'école, ça va ?\n"
    ".point en tête\n"
    "From the start\n";

static struct store_outbox_message message_of(const char *to, const char *key, const char *body)
{
    struct store_outbox_message m;
    memset(&m, 0, sizeof m);
    m.id = 7;
    snprintf(m.channel, sizeof m.channel, "email");
    snprintf(m.recipient, sizeof m.recipient, "%s", to);
    snprintf(m.message_key, sizeof m.message_key, "%s", key);
    m.body = (char *)body;
    m.body_length = strlen(body);
    return m;
}

static void config_of(struct server_config *config)
{
    config_defaults(config);
    snprintf(config->smtp_url, sizeof config->smtp_url, "smtp://127.0.0.1:25");
    snprintf(config->smtp_from, sizeof config->smtp_from,
             "Centre Vigie Île-de-France <alertes@vigie.example.org>");
    snprintf(config->mail_reply_domain, sizeof config->mail_reply_domain,
             "reply.vigie.example.org");
    snprintf(config->mail_reply_secret, sizeof config->mail_reply_secret, SECRET);
}

/* The header block's field NAME, unfolded (owned by the caller). */
static char *field(const char *message, const char *name)
{
    size_t headers, body_length;
    const char *body;
    mail_in_split(message, strlen(message), &headers, &body, &body_length);
    char *out = calloc(1, 2048);
    if (!mail_in_header(message, headers, name, 0, out, 2048)) {
        free(out);
        return NULL;
    }
    return out;
}

/* Decodes "=?UTF-8?B?...?=" words separated by blanks. */
static void decode_words(const char *value, char *out)
{
    size_t used = 0;
    for (const char *p = strstr(value, "=?UTF-8?B?"); p; p = strstr(p, "=?UTF-8?B?")) {
        p += strlen("=?UTF-8?B?");
        const char *end = strstr(p, "?=");
        assert_non_null(end);
        used += mail_in_decode_base64(p, (size_t)(end - p), out + used);
        p = end + 2;
    }
    out[used] = '\0';
}

static void test_headers_and_body_of_a_french_alert(void **state)
{
    (void)state;
    struct server_config config;
    config_of(&config);
    struct store_outbox_message m =
        message_of("agent.dupont@example.net", "massalert-12-345-email", french);
    char why[256] = "";
    size_t length = 0;
    char *text = connector_smtp_compose(&m, &config, 1764053183, &length, why, sizeof why);
    assert_non_null(text);
    assert_int_equal(strlen(text), length);

    char *date = field(text, "Date");
    assert_string_equal(date, "Tue, 25 Nov 2025 06:46:23 +0000");
    char *to = field(text, "To");
    assert_string_equal(to, "<agent.dupont@example.net>");
    char *id = field(text, "Message-ID");
    assert_string_equal(id, "<massalert-12-345-email@reply.vigie.example.org>");
    char *mime = field(text, "MIME-Version");
    assert_string_equal(mime, "1.0");
    char *type = field(text, "Content-Type");
    assert_string_equal(type, "text/plain; charset=UTF-8");
    char *encoding = field(text, "Content-Transfer-Encoding");
    assert_string_equal(encoding, "quoted-printable");
    char *automatic = field(text, "Auto-Submitted");
    assert_string_equal(automatic, "auto-generated");

    /* The sender's name has an accent: an encoded-word before <address>. */
    char *from = field(text, "From");
    assert_non_null(strstr(from, "<alertes@vigie.example.org>"));
    char decoded[512];
    decode_words(from, decoded);
    assert_string_equal(decoded, "Centre Vigie Île-de-France");

    /* Reply-To: reply+345.<token>@domain, the token the secret's. */
    char *reply_to = field(text, "Reply-To");
    char expected[MAIL_REPLY_ADDRESS_SIZE + 2], address[MAIL_REPLY_ADDRESS_SIZE];
    assert_true(
        mail_reply_address_format(SECRET, "reply.vigie.example.org", 345, address, sizeof address));
    snprintf(expected, sizeof expected, "<%s>", address);
    assert_string_equal(reply_to, expected);

    /* Subject: the first line cut on a word, accents as encoded-words. */
    char *subject = field(text, "Subject");
    assert_non_null(strstr(subject, "=?UTF-8?B?"));
    decode_words(subject, decoded);
    assert_string_equal(decoded, "NE QUITTEZ PAS VOTRE SITE - N'INTERVENEZ PAS - Recherche :…");

    /* Every line is CRLF and at most 78 characters; 7-bit clean. */
    for (const char *line = text; *line;) {
        const char *end = strstr(line, "\r\n");
        assert_non_null(end);
        assert_true(end - line <= 78);
        line = end + 2;
    }
    for (size_t i = 0; i < length; i++)
        assert_true((unsigned char)text[i] < 0x80);
    assert_null(strstr(text, "\n.point")); /* a leading dot is encoded */
    assert_non_null(strstr(text, "\r\n=46rom the start"));

    /* The body decodes back to the very text, line breaks as CRLF. */
    const char *body = strstr(text, "\r\n\r\n") + 4;
    char *plain = malloc(length + 1);
    size_t plain_length = mail_in_decode_quoted_printable(body, strlen(body), plain);
    plain[plain_length] = '\0';
    char *expected_body = malloc(sizeof french * 2);
    size_t used = 0;
    for (const char *p = french; *p; p++) {
        if (*p == '\n')
            expected_body[used++] = '\r';
        expected_body[used++] = *p;
    }
    expected_body[used] = '\0';
    assert_string_equal(plain, expected_body);

    free(expected_body);
    free(plain);
    free(date), free(to), free(id), free(mime), free(type), free(encoding), free(automatic);
    free(from), free(reply_to), free(subject);
    free(text);
}

static void test_header_injection_is_refused(void **state)
{
    (void)state;
    struct server_config config;
    config_of(&config);
    char why[256];
    size_t length;
    /* In the recipient: a second header, or a Bcc to a third party. */
    const char *bad_recipients[] = {"agent@example.net\r\nBcc: spy@evil.example",
                                    "agent@example.net\nSubject: fake",
                                    "agent@example.net>",
                                    "two@example.net, three@example.net",
                                    "no-at-sign",
                                    ""};
    for (size_t i = 0; i < sizeof bad_recipients / sizeof bad_recipients[0]; i++) {
        struct store_outbox_message m =
            message_of(bad_recipients[i], "massalert-1-2-email", "text");
        why[0] = '\0';
        assert_null(connector_smtp_compose(&m, &config, 0, &length, why, sizeof why));
        assert_true(why[0] != '\0');
    }
    /* In the key (Message-ID), the sender, the subject. */
    struct store_outbox_message m =
        message_of("agent@example.net", "massalert-1-2-email\r\nBcc: x@y", "text");
    assert_null(connector_smtp_compose(&m, &config, 0, &length, why, sizeof why));
    m = message_of("agent@example.net", "massalert-1-2-email", "text");
    snprintf(config.smtp_from, sizeof config.smtp_from, "Vigie <a@b.org>\r\nBcc: x@y");
    assert_null(connector_smtp_compose(&m, &config, 0, &length, why, sizeof why));
    config_of(&config);
    struct smtp_message_fields fields = {.from = "a@b.org",
                                         .to = "c@d.org",
                                         .subject = "Hello\r\nBcc: x@y",
                                         .message_key = "k",
                                         .id_domain = "d.org",
                                         .body = "x",
                                         .body_length = 1};
    assert_null(smtp_message_build(&fields, &length, why, sizeof why));
    fields.subject = "Hello";
    char *ok = smtp_message_build(&fields, &length, why, sizeof why);
    assert_non_null(ok);
    free(ok);
}

static void test_reply_address_needs_the_secret(void **state)
{
    (void)state;
    char address[MAIL_REPLY_ADDRESS_SIZE], other[MAIL_REPLY_ADDRESS_SIZE];
    assert_true(mail_reply_address_format(SECRET, "r.example.org", 345, address, sizeof address));
    assert_int_equal(strlen(address),
                     strlen("reply+345.") + MAIL_REPLY_TOKEN_CHARS + strlen("@r.example.org"));
    int64_t id = 0;
    assert_int_equal(mail_reply_address_check(address, SECRET, "r.example.org", &id),
                     MAIL_REPLY_VALID);
    assert_int_equal(id, 345);
    /* Case folded by an MTA: still valid. */
    char upper[MAIL_REPLY_ADDRESS_SIZE];
    for (size_t i = 0; i <= strlen(address); i++)
        upper[i] = (char)(address[i] >= 'a' && address[i] <= 'z' ? address[i] - 32 : address[i]);
    assert_int_equal(mail_reply_address_check(upper, SECRET, "r.example.org", &id),
                     MAIL_REPLY_VALID);
    /* Another recipient's id with this token: forged. */
    assert_true(mail_reply_address_format(SECRET, "r.example.org", 346, other, sizeof other));
    char forged[MAIL_REPLY_ADDRESS_SIZE];
    snprintf(forged, sizeof forged, "reply+346.%s", strchr(address, '.') + 1);
    assert_int_equal(mail_reply_address_check(forged, SECRET, "r.example.org", &id),
                     MAIL_REPLY_FORGED);
    /* Another secret: forged; another domain or shape: not ours. */
    assert_int_equal(
        mail_reply_address_check(address, "another-secret-0123456789", "r.example.org", &id),
        MAIL_REPLY_FORGED);
    assert_int_equal(mail_reply_address_check(address, SECRET, "other.example.org", &id),
                     MAIL_REPLY_NOT_OURS);
    assert_int_equal(mail_reply_address_check("agent@r.example.org", SECRET, NULL, &id),
                     MAIL_REPLY_NOT_OURS);
    assert_int_equal(mail_reply_address_check("reply+x.abc@r.example.org", SECRET, NULL, &id),
                     MAIL_REPLY_NOT_OURS);
    assert_false(mail_reply_address_format("", "r.example.org", 1, address, sizeof address));
}

static void test_message_key_and_queue_id(void **state)
{
    (void)state;
    assert_int_equal(connector_smtp_recipient_of_key("massalert-12-345-email"), 345);
    assert_int_equal(connector_smtp_recipient_of_key("escalation-3"), 0);
    assert_int_equal(connector_smtp_recipient_of_key("massalert-12-email"), 0);
    char id[128];
    assert_true(connector_smtp_queue_id("250 2.0.0 Ok: queued as 4XyZ12AbC", id, sizeof id));
    assert_string_equal(id, "4XyZ12AbC");
    assert_true(connector_smtp_queue_id("250 Ok queued as <abc-1@host>", id, sizeof id));
    assert_string_equal(id, "abc-1@host");
    assert_false(connector_smtp_queue_id("250 OK", id, sizeof id));
    /* Without a reply domain, no Reply-To and the Message-ID on the sender's domain. */
    struct server_config config;
    config_of(&config);
    config.mail_reply_domain[0] = '\0';
    struct store_outbox_message m = message_of("a@example.net", "massalert-1-2-email", "Hello");
    char why[256];
    size_t length;
    char *text = connector_smtp_compose(&m, &config, 0, &length, why, sizeof why);
    assert_non_null(text);
    assert_null(strstr(text, "Reply-To"));
    assert_non_null(strstr(text, "Message-ID: <massalert-1-2-email@vigie.example.org>\r\n"));
    assert_non_null(strstr(text, "Subject: Hello\r\n"));
    free(text);
}

/* A message that cannot be built still runs through the worker's multi
 * handle, touches no network, and fails for good with the reason. */
static void test_refused_message_fails_at_once_for_good(void **state)
{
    (void)state;
    struct server_config config;
    config_of(&config);
    /* A port where nothing listens: the test fails if anything connects. */
    snprintf(config.smtp_url, sizeof config.smtp_url, "smtp://127.0.0.1:1");
    struct store_outbox_message m =
        message_of("agent@example.net\r\nBcc: spy@evil.example", "massalert-1-2-email", "x");
    struct connector_options options = {
        .config = &config, .timeout_ms = 5000, .connect_timeout_ms = 5000};
    void *transfer = connector_smtp_start(&m, &options);
    assert_non_null(transfer);
    CURLM *multi = curl_multi_init();
    assert_int_equal(curl_multi_add_handle(multi, connector_smtp_easy(transfer)), CURLM_OK);
    int running = 1;
    CURLcode code = CURLE_OK;
    for (int round = 0; round < 100 && running; round++) {
        curl_multi_perform(multi, &running);
        curl_multi_poll(multi, NULL, 0, 50, NULL);
    }
    int left;
    CURLMsg *done = curl_multi_info_read(multi, &left);
    assert_non_null(done);
    code = done->data.result;
    struct connector_outcome outcome;
    connector_smtp_outcome(transfer, code, &outcome);
    assert_false(outcome.delivered);
    assert_true(outcome.permanent);
    assert_non_null(strstr(outcome.error, "line break"));
    curl_multi_remove_handle(multi, connector_smtp_easy(transfer));
    connector_smtp_release(transfer);
    curl_multi_cleanup(multi);
    /* Without smtp_url the connector does not start: the message waits. */
    config.smtp_url[0] = '\0';
    m = message_of("agent@example.net", "massalert-1-2-email", "x");
    assert_null(connector_smtp_start(&m, &options));
}

static void test_settings_are_checked(void **state)
{
    (void)state;
    struct server_config config;
    char error[512];
    config_of(&config);
    assert_true(config_validate(&config, error, sizeof error));
    assert_true(config_set(&config, "smtp_starttls", "maybe", error, sizeof error));
    assert_false(config_validate(&config, error, sizeof error));
    assert_non_null(strstr(error, "smtp_starttls"));
    config_of(&config);
    assert_true(config_set(&config, "mail_reply_secret", "short", error, sizeof error));
    assert_false(config_validate(&config, error, sizeof error));
    assert_non_null(strstr(error, "mail_reply_secret"));
    config_of(&config);
    assert_true(config_set(&config, "smtp_url", "http://mail.example.org", error, sizeof error));
    assert_false(config_validate(&config, error, sizeof error));
    config_of(&config);
    assert_true(config_set(&config, "smtp_from", "Vigie <not an address>", error, sizeof error));
    assert_false(config_validate(&config, error, sizeof error));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers_and_body_of_a_french_alert),
        cmocka_unit_test(test_header_injection_is_refused),
        cmocka_unit_test(test_reply_address_needs_the_secret),
        cmocka_unit_test(test_message_key_and_queue_id),
        cmocka_unit_test(test_refused_message_fails_at_once_for_good),
        cmocka_unit_test(test_settings_are_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
