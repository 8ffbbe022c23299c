/* A mass alert by e-mail through a real SMTP server (aiosmtpd on
 * loopback), and the agents' answers back by e-mail. The police ask for
 * every agent around the Opéra; the operator sends a French message:
 * each agent with an address gets one e-mail whose subject and body keep
 * their accents, with a Reply-To of his own; a server that says 451 once
 * is tried again and delivers, a 550 fails at once and for good, a mail
 * server that is down is retried until it is back. An agent answers from
 * his mail client, quoting the alert: the mail server hands the reply to
 * `vigied mail-in`, and the operator sees only the agent's words, live; a
 * forged reply address bounces (67), an auto-reply is dropped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/mail_in_mime.h"
#include "server/mail_reply_address.h"
#include "tests/lib/harness.h"
#include "tests/lib/harness_smtp.h"

#define PASSWORD   "night-shift-42"
#define PUBLIC_URL "https://vigie.example.org"
#define DOMAIN     "reply.vigie.example.org"
#define SECRET     "test-secret-of-the-reply-addresses"
#define FROM       "Centre Vigie Île-de-France <alertes@vigie.example.org>"
#define MESSAGE                                                                                    \
    "NE QUITTEZ PAS VOTRE SITE - N'INTERVENEZ PAS - homme d'environ 30 ans, blouson noir, "        \
    "pantalon blanc. Si vous le voyez, appelez le 01 23 45 67 89 ou répondez :"
#define CENTRE_LAT 48.8708
#define CENTRE_LON 2.3318
/* Sending, retries and replies all come within this on a loaded machine. */
#define WAIT_MS 30000

#define JEAN  "jean.dupont@example.net"
#define TEMP  "temp@example.net"
#define BAD   "bad@example.net"
#define MARIE "marie.curie@example.net"

struct story {
    struct world *world;
    struct smtp_sink *sink;
    const char *operator;
    const char *supervisor;
};

static struct world *template;

/* Five agents around the Opéra, four with an address (one with none). */
static bool import_agents(struct world *world)
{
    char path[WORLD_PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/agents.csv", world->dir);
    FILE *file = fopen(path, "w");
    if (!file)
        return false;
    fprintf(file,
            "agent_id,name,site_id,site_name,site_validated,lat,lon,phone,email,vetted,duty\n"
            "A1,Jean Dupont,S1,Galeries Opéra,yes,48.8710,2.3320,+33610000001," JEAN ",yes,24/7\n"
            "A2,Paul Temp,S1,Galeries Opéra,yes,48.8711,2.3321,+33610000002," TEMP ",yes,24/7\n"
            "A3,Luc Bad,S2,Banque Scribe,yes,48.8705,2.3310,+33610000003," BAD ",yes,24/7\n"
            "A4,Marie Curie,S2,Banque Scribe,yes,48.8706,2.3311,+33610000004," MARIE ",yes,24/7\n"
            "A5,Sans Mail,S2,Banque Scribe,yes,48.8707,2.3312,+33610000005,,yes,24/7\n");
    if (fclose(file) != 0)
        return false;
    char output[4096];
    int status = world_run(world, NULL, output, sizeof output, "agents", "import", path, "--db",
                           world->db, NULL);
    if (status != 0)
        fprintf(stderr, "# agents import: %s\n", output);
    return status == 0;
}

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    return template && world_add_user(template, "night-op", "operator", PASSWORD) &&
                   world_add_user(template, "chief", "supervisor", PASSWORD) &&
                   import_agents(template)
               ? 0
               : -1;
}

static int template_down(void **state)
{
    (void)state;
    return world_destroy(template) ? 0 : -1;
}

/* A world whose mail server is at `port`; the sink is started by the test. */
static struct story *story_new(void **state, unsigned port, int backoff_max_ms)
{
    struct story *story = calloc(1, sizeof *story);
    *state = story;
    if (!story || !(story->world = world_clone(template)))
        return NULL;
    char setting[256];
    snprintf(setting, sizeof setting, "smtp_url=smtp://127.0.0.1:%u", port);
    world_set(story->world, setting);
    world_set(story->world, "smtp_starttls=off"); /* aiosmtpd on loopback has no TLS */
    world_set(story->world, "smtp_from=" FROM);
    world_set(story->world, "mail_reply_domain=" DOMAIN);
    world_set(story->world, "mail_reply_secret=" SECRET);
    world_set(story->world, "public_url=" PUBLIC_URL);
    world_set(story->world, "outbox_backoff_first_ms=100");
    snprintf(setting, sizeof setting, "outbox_backoff_max_ms=%d", backoff_max_ms);
    world_set(story->world, setting);
    return story;
}

static bool story_start(struct story *story)
{
    if (!world_start(story->world))
        return false;
    story->operator= login(story->world, "night-op", PASSWORD);
    story->supervisor = login(story->world, "chief", PASSWORD);
    return story->operator&& story->supervisor;
}

static int story_down(void **state)
{
    struct story *story = *state;
    bool clean = story ? world_destroy(story->world) : true;
    free(story);
    return clean ? 0 : -1;
}

static int64_t send_alert(struct story *story)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"area\":{\"circle\":{\"lat\":%.4f,\"lon\":%.4f,\"radius_m\":800}},"
             "\"channels\":[\"email\"],\"language\":\"fr\",\"message\":\"" MESSAGE "\"}",
             CENTRE_LAT, CENTRE_LON);
    long status = 0;
    cJSON *answer = NULL;
    assert_true(http_request(story->world, "POST", "/v1/massalerts", story->operator, body, &status,
                             &answer));
    if (status != 201)
        fail_msg("status %ld: %s", status, answer ? cJSON_PrintUnformatted(answer) : "");
    assert_int_equal(json_int(answer, "deliveries.email"), 4);
    return json_int(answer, "id");
}

static cJSON *alert_get(struct story *story, int64_t id)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/massalerts/%lld", (long long)id);
    long status = 0;
    cJSON *answer = NULL;
    assert_true(http_request(story->world, "GET", path, story->supervisor, NULL, &status, &answer));
    assert_int_equal(status, 200);
    return answer;
}

static cJSON *alert_wait(struct story *story, int64_t id, const char *path, int64_t value)
{
    int64_t deadline = harness_now_ms() + WAIT_MS;
    cJSON *alert = NULL;
    do {
        alert = alert_get(story, id);
        if (json_int(alert, path) >= value)
            return alert;
        harness_sleep_ms(200);
    } while (harness_now_ms() < deadline);
    fail_msg("%s stayed below %lld: %s", path, (long long)value, cJSON_PrintUnformatted(alert));
    return NULL;
}

static int64_t recipient_of(struct story *story, const char *email)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT r.id FROM massalert_recipients r JOIN agents a ON a.id = r.agent_id"
             " WHERE a.email = '%s'",
             email);
    return world_sql_int(story->world, NULL, sql);
}

static int64_t outbox_int(struct story *story, const char *column, int64_t recipient)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT %s FROM outbox WHERE channel = 'email' AND owner_id = %lld",
             column, (long long)recipient);
    return world_sql_int(story->world, NULL, sql);
}

/* A header of a received message, unfolded; encoded-words decoded. */
static void header_of(const char *message, const char *name, char *out, size_t size)
{
    size_t headers, body_length;
    const char *body;
    mail_in_split(message, strlen(message), &headers, &body, &body_length);
    char raw[2048];
    if (!mail_in_header(message, headers, name, 0, raw, sizeof raw))
        fail_msg("no %s header in:\n%s", name, message);
    size_t used = 0;
    const char *p = raw;
    for (const char *word = strstr(p, "=?UTF-8?B?"); word; word = strstr(p, "=?UTF-8?B?")) {
        const char *text = p;
        /* Blanks between two encoded-words are not text (RFC 2047). */
        if (used == 0 || word > text + strspn(text, " ")) {
            memcpy(out + used, text, (size_t)(word - text));
            used += (size_t)(word - text);
        }
        word += strlen("=?UTF-8?B?");
        const char *end = strstr(word, "?=");
        assert_non_null(end);
        used += mail_in_decode_base64(word, (size_t)(end - word), out + used);
        p = end + 2;
    }
    snprintf(out + used, size - used, "%s", p);
}

static void test_each_agent_gets_one_email_in_french_with_a_reply_to_of_his_own(void **state)
{
    const char *const rules[] = {TEMP "=451:1", BAD "=550", NULL};
    struct story *story = story_new(state, smtp_free_port(), 400);
    assert_non_null(story);
    /* The port the world was given is the sink's. */
    const char *url = NULL;
    for (int i = 0; i < story->world->setting_count; i++)
        if (strncmp(story->world->settings[i], "smtp_url=", 9) == 0)
            url = story->world->settings[i];
    unsigned port = (unsigned)atoi(strrchr(url, ':') + 1);
    assert_non_null(story->sink = smtp_sink_start(story->world, port, rules));
    assert_true(story_start(story));
    struct sse_client *stream = sse_open(story->world, story->supervisor, NULL);
    assert_int_equal(sse_status(stream), 200);

    int64_t id = send_alert(story);
    /* Jean, Marie, and Paul after his server's 451; never Luc (550). */
    cJSON *alert = alert_wait(story, id, "counts.email.failed", 1);
    alert = alert_wait(story, id, "counts.email.sent", 3);
    assert_int_equal(json_int(alert, "counts.email.queued"), 0);
    assert_int_equal(smtp_sink_count(story->sink), 3);
    int copies = 0;
    assert_non_null(smtp_sink_message_to(story->sink, TEMP, &copies));
    assert_int_equal(copies, 1);
    assert_int_equal(outbox_int(story, "attempts", recipient_of(story, TEMP)), 2);
    assert_null(smtp_sink_message_to(story->sink, BAD, &copies));
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM outbox WHERE owner_id = %lld AND state = 'failed'"
             " AND attempts = 1 AND last_error LIKE '%%550%%'",
             (long long)recipient_of(story, BAD));
    assert_int_equal(world_sql_int(story->world, NULL, sql), 1);

    /* Jean's e-mail, as his mail client reads it. */
    const char *mail = smtp_sink_message_to(story->sink, JEAN, &copies);
    assert_non_null(mail);
    assert_int_equal(copies, 1);
    int64_t recipient = recipient_of(story, JEAN);
    char value[2048], expected[512], address[MAIL_REPLY_ADDRESS_SIZE];
    header_of(mail, "From", value, sizeof value);
    assert_string_equal(value, "Centre Vigie Île-de-France <alertes@vigie.example.org>");
    header_of(mail, "To", value, sizeof value);
    assert_string_equal(value, "<" JEAN ">");
    header_of(mail, "Subject", value, sizeof value);
    assert_string_equal(value, "NE QUITTEZ PAS VOTRE SITE - N'INTERVENEZ PAS - homme d'environ…");
    assert_true(mail_reply_address_format(SECRET, DOMAIN, recipient, address, sizeof address));
    snprintf(expected, sizeof expected, "<%s>", address);
    header_of(mail, "Reply-To", value, sizeof value);
    assert_string_equal(value, expected);
    snprintf(expected, sizeof expected, "<massalert-%lld-%lld-email@" DOMAIN ">", (long long)id,
             (long long)recipient);
    header_of(mail, "Message-ID", value, sizeof value);
    assert_string_equal(value, expected);
    header_of(mail, "Content-Type", value, sizeof value);
    assert_string_equal(value, "text/plain; charset=UTF-8");
    /* The body: the message with its accents, then Jean's own link. */
    char text[4096];
    assert_true(mail_in_mime_text(mail, strlen(mail), text, sizeof text));
    assert_non_null(strstr(text, MESSAGE));
    assert_non_null(strstr(text, PUBLIC_URL "/r/"));
    /* The server's queue id is the outbox's reference. */
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM outbox WHERE owner_id = %lld AND reference LIKE 'SINK%%'",
             (long long)recipient);
    assert_int_equal(world_sql_int(story->world, NULL, sql), 1);

    /* Jean answers from Thunderbird, quoting the alert. */
    char reply[8192];
    int used = snprintf(reply, sizeof reply,
                        "Return-Path: <" JEAN ">\r\n"
                        "Delivered-To: %s\r\n"
                        "From: Jean Dupont <" JEAN ">\r\n"
                        "To: Centre Vigie <%s>\r\n"
                        "Subject: Re: alerte\r\n"
                        "In-Reply-To: <massalert-%lld-%lld-email@" DOMAIN ">\r\n"
                        "MIME-Version: 1.0\r\n"
                        "Content-Type: text/plain; charset=UTF-8; format=flowed\r\n"
                        "Content-Transfer-Encoding: 8bit\r\n"
                        "\r\n"
                        "Un homme correspondant à l'arrêt de bus en face du centre DUPOND.\r\n"
                        "\r\n"
                        "Le 25/11/2026 à 07:12, Centre Vigie Île-de-France a écrit :\r\n",
                        address, address, (long long)id, (long long)recipient);
    for (const char *line = text; *line && used < (int)sizeof reply - 200;) {
        size_t length = strcspn(line, "\r\n");
        used +=
            snprintf(reply + used, sizeof reply - (size_t)used, "> %.*s\r\n", (int)length, line);
        line += length;
        line += strspn(line, "\r\n");
    }
    char output[4096];
    int status = world_run(story->world, reply, output, sizeof output, "mail-in", "--server",
                           story->world->base_url, "--recipient", address, "--sender", JEAN, NULL);
    if (status != 0)
        fail_msg("mail-in exited %d: %s", status, output);
    assert_true(sse_wait(stream, "massalert_reply", 1, WAIT_MS));
    alert = alert_get(story, id);
    assert_int_equal(json_count(alert, "replies"), 1);
    assert_string_equal(json_string(alert, "replies.0.text"),
                        "Un homme correspondant à l'arrêt de bus en face du centre DUPOND.");
    assert_string_equal(json_string(alert, "replies.0.channel"), "email");
    assert_string_equal(json_string(alert, "replies.0.kind"), "seen");
    assert_string_equal(json_string(alert, "replies.0.agent.name"), "Jean Dupont");

    /* Marie's address with Jean's token: forged, bounced as unknown. */
    char forged[MAIL_REPLY_ADDRESS_SIZE];
    snprintf(forged, sizeof forged, "reply+%lld.%s", (long long)recipient_of(story, MARIE),
             strchr(address, '.') + 1);
    status = world_run(story->world, "To: x\r\n\r\nIt was me.\r\n", output, sizeof output,
                       "mail-in", "--server", story->world->base_url, "--recipient", forged, NULL);
    assert_int_equal(status, 67);
    assert_non_null(strstr(output, "no such reply address"));
    /* No reply address of ours at all. */
    status = world_run(story->world, "To: alertes@vigie.example.org\r\n\r\nHello\r\n", output,
                       sizeof output, "mail-in", "--server", story->world->base_url, NULL);
    assert_int_equal(status, 67);
    /* Jean's vacation notice: taken and dropped. */
    snprintf(reply, sizeof reply, "To: %s\r\nAuto-Submitted: auto-replied\r\n\r\nAbsent.\r\n",
             address);
    status = world_run(story->world, reply, output, sizeof output, "mail-in", "--server",
                       story->world->base_url, NULL);
    assert_int_equal(status, 0);
    /* vigied unreachable: the mail server keeps the reply and retries. */
    char dead[64];
    snprintf(dead, sizeof dead, "http://127.0.0.1:%u", smtp_free_port());
    snprintf(reply, sizeof reply, "To: %s\r\n\r\nStill there.\r\n", address);
    status =
        world_run(story->world, reply, output, sizeof output, "mail-in", "--server", dead, NULL);
    assert_int_equal(status, 75);
    alert = alert_get(story, id);
    assert_int_equal(json_count(alert, "replies"), 1);
    /* Audited, by vigied itself. */
    assert_true(world_sql_int(story->world, NULL,
                              "SELECT COUNT(*) FROM audit WHERE action LIKE 'massalert.repl%'") >=
                1);
}

static void test_a_mail_server_that_is_down_is_retried_until_it_is_back(void **state)
{
    unsigned port = smtp_free_port();
    struct story *story = story_new(state, port, 1000);
    assert_non_null(story);
    assert_true(story_start(story));
    int64_t id = send_alert(story);
    /* Nobody listens: every message is tried, fails, and waits. */
    int64_t deadline = harness_now_ms() + WAIT_MS;
    while (world_sql_int(story->world, NULL,
                         "SELECT MIN(attempts) FROM outbox WHERE channel = 'email'") < 2 &&
           harness_now_ms() < deadline)
        harness_sleep_ms(100);
    assert_int_equal(
        world_sql_int(story->world, NULL,
                      "SELECT COUNT(*) FROM outbox WHERE channel = 'email'"
                      " AND state IN ('queued', 'sending') AND last_error LIKE '%refused%'"),
        4);
    cJSON *alert = alert_get(story, id);
    assert_int_equal(json_int(alert, "counts.email.sent"), 0);
    /* The server comes back: each agent gets his e-mail, once. */
    assert_non_null(story->sink = smtp_sink_start(story->world, port, NULL));
    alert = alert_wait(story, id, "counts.email.sent", 4);
    assert_int_equal(json_int(alert, "counts.email.failed"), 0);
    assert_int_equal(smtp_sink_count(story->sink), 4);
    const char *const everyone[] = {JEAN, TEMP, BAD, MARIE};
    for (int i = 0; i < 4; i++) {
        int copies = 0;
        assert_non_null(smtp_sink_message_to(story->sink, everyone[i], &copies));
        assert_int_equal(copies, 1);
    }
}

/* Waits until at least `count` e-mail rows wait for another attempt (queued,
 * or taken again for it: the backoff is short) with an
 * error like `pattern`. */
static void wait_errors(struct story *story, const char *pattern, int count)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT COUNT(*) FROM outbox WHERE channel = 'email'"
             " AND state IN ('queued', 'sending')"
             " AND last_error LIKE '%s'",
             pattern);
    int64_t deadline = harness_now_ms() + WAIT_MS;
    while (world_sql_int(story->world, NULL, sql) < count && harness_now_ms() < deadline)
        harness_sleep_ms(100);
    if (world_sql_int(story->world, NULL, sql) < count)
        fail_msg("not %d rows with an error like %s; log:\n%s", count, pattern,
                 world_log(story->world));
}

static void test_starttls_required_sends_nothing_in_clear(void **state)
{
    unsigned port = smtp_free_port();
    struct story *story = story_new(state, port, 1000);
    assert_non_null(story);
    assert_non_null(story->sink = smtp_sink_start(story->world, port, NULL));
    world_set(story->world, "smtp_starttls=required");
    assert_true(story_start(story));
    int64_t id = send_alert(story);
    wait_errors(story, "%STARTTLS%", 4);
    assert_int_equal(smtp_sink_count(story->sink), 0);
    cJSON *alert = alert_get(story, id);
    assert_int_equal(json_int(alert, "counts.email.sent"), 0);
    assert_int_equal(json_int(alert, "counts.email.failed"), 0);
}

static void test_starttls_checks_the_certificate_then_delivers_once_trusted(void **state)
{
    unsigned port = smtp_free_port();
    struct story *story = story_new(state, port, 1000);
    assert_non_null(story);
    assert_non_null(story->sink = smtp_sink_start_tls(story->world, port, NULL));
    world_set(story->world, "smtp_starttls=required");
    assert_true(story_start(story));
    /* A self-signed certificate nobody trusts: nothing is sent. (Python's
     * TLS server may take a while over the handshakes the client aborts,
     * so some attempts end in a timeout instead: one verdict is enough.) */
    int64_t id = send_alert(story);
    wait_errors(story, "%certificate%", 1);
    assert_int_equal(smtp_sink_count(story->sink), 0);
    assert_int_equal(
        world_sql_int(story->world, NULL, "SELECT COUNT(*) FROM outbox WHERE state = 'delivered'"),
        0);
    /* The administrator names the server's CA and restarts: all go, once. */
    char setting[WORLD_PATH_MAX + 32];
    snprintf(setting, sizeof setting, "outbox_ca_file=%s", smtp_sink_ca_file(story->sink));
    world_set(story->world, setting);
    assert_true(world_restart(story->world));
    story->supervisor = login(story->world, "chief", PASSWORD);
    cJSON *alert = alert_wait(story, id, "counts.email.sent", 4);
    assert_int_equal(json_int(alert, "counts.email.failed"), 0);
    assert_int_equal(smtp_sink_count(story->sink), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(
            test_each_agent_gets_one_email_in_french_with_a_reply_to_of_his_own, story_down),
        cmocka_unit_test_teardown(test_a_mail_server_that_is_down_is_retried_until_it_is_back,
                                  story_down),
        cmocka_unit_test_teardown(test_starttls_required_sends_nothing_in_clear, story_down),
        cmocka_unit_test_teardown(test_starttls_checks_the_certificate_then_delivers_once_trusted,
                                  story_down),
    };
    return cmocka_run_group_tests(tests, template_up, template_down);
}
