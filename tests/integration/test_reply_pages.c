/* The agent's reply page, against a real vigied: an operator sends a mass
 * alert around the Opéra; an agent opens the link from the SMS written to
 * the outbox, says "received", then reports a sighting with a position;
 * each reply reaches the operators' stream at once with the agent, the
 * site and the distance, and is in the alert's detail. A link that is
 * unknown, expired or used up gets a clear page, never a reply. Each page
 * speaks the alert's language (from the French catalogue when French),
 * else the browser's, else the centre's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <glib.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/harness.h"

#define PASSWORD "night-shift-42"

/* Two agents of one site near the Opéra in Paris (48.8708, 2.3318). */
static const char registry[] =
    "agent_id,name,site_id,site_name,site_validated,lat,lon,phone,email,vetted,duty\n"
    "A1,Jean Martin,S1,Galeries <Opéra>,yes,48.8710,2.3320,06 11 11 11 11,,yes,24/7\n"
    "A2,Léa Durand,S1,Galeries <Opéra>,yes,48.8712,2.3322,06 22 22 22 22,,yes,24/7\n";

static const char send_body[] =
    "{\"area\":{\"circle\":{\"lat\":48.8708,\"lon\":2.3318,\"radius_m\":800}},"
    "\"message\":\"NE QUITTEZ PAS VOTRE SITE - homme <30 ans> veste \\\"noire\\\"\","
    "\"channels\":[\"sms\"],\"language\":\"fr\",\"centre\":{\"label\":\"Opéra\"}}";

struct story {
    struct world *world;
    const char *operator;
    int64_t alert_id;
    char tokens[2][80]; /* the agents' reply-link tokens, from their SMS */
    char phones[2][32];
};

static struct world *template;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    if (!template || !world_add_user(template, "night-op", "operator", PASSWORD) ||
        !world_set(template, "public_url=https://vigie.example.org"))
        return -1;
    char path[600], output[4096];
    snprintf(path, sizeof path, "%s/registry.csv", template->dir);
    FILE *file = fopen(path, "w");
    if (!file || fputs(registry, file) < 0 || fclose(file) != 0)
        return -1;
    int status = world_run(template, NULL, output, sizeof output, "agents", "import", path, "--db",
                           template->db, NULL);
    if (status != 0)
        fprintf(stderr, "agents import: %s\n", output);
    return status == 0 ? 0 : -1;
}

static int template_down(void **state)
{
    (void)state;
    return world_destroy(template) ? 0 : -1;
}

/* The reply tokens, from the SMS bodies in the outbox (what each agent's
 * phone received), in the order of the agents. */
static bool read_tokens(struct story *story)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sqlite3_open_v2(story->world->db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT o.body, o.recipient FROM outbox o"
                           " JOIN massalert_recipients r ON r.id = o.owner_id"
                           " JOIN agents a ON a.id = r.agent_id"
                           " WHERE o.kind = 'massalert' AND o.channel = 'sms' ORDER BY a.ext_id",
                           -1, &st, NULL) == SQLITE_OK) {
        while (found < 2 && sqlite3_step(st) == SQLITE_ROW) {
            const char *body = (const char *)sqlite3_column_text(st, 0);
            const char *link = body ? strstr(body, "https://vigie.example.org/r/") : NULL;
            if (!link)
                break;
            link += strlen("https://vigie.example.org/r/");
            size_t length = strspn(link, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789-_");
            if (length == 0 || length >= sizeof story->tokens[0])
                break;
            memcpy(story->tokens[found], link, length);
            story->tokens[found][length] = '\0';
            snprintf(story->phones[found], sizeof story->phones[found], "%s",
                     (const char *)sqlite3_column_text(st, 1));
            found++;
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return found == 2;
}

static int story_up(void **state)
{
    struct story *story = calloc(1, sizeof *story);
    *state = story;
    if (!story || !(story->world = world_clone(template)) || !world_start(story->world) ||
        !(story->operator= login(story->world, "night-op", PASSWORD)))
        return -1;
    long status = 0;
    cJSON *json = NULL;
    if (!http_request(story->world, "POST", "/v1/massalerts", story->operator, send_body, &status,
                      &json) ||
        status != 201) {
        fprintf(stderr, "send: %ld %s\n", status, json ? cJSON_PrintUnformatted(json) : "");
        return -1;
    }
    story->alert_id = json_int(json, "id");
    return json_int(json, "recipients") == 2 && read_tokens(story) ? 0 : -1;
}

static int story_down(void **state)
{
    struct story *story = *state;
    bool clean = story ? world_destroy(story->world) : true;
    free(story);
    return clean ? 0 : -1;
}

static void page(struct story *story, const char *method, const char *path, const char *body,
                 struct http_reply *reply)
{
    assert_true(
        http_send(story->world, method, path, NULL, body, body ? strlen(body) : 0, false, reply));
}

static void test_the_page_shows_the_alert_escaped(void **state)
{
    struct story *story = *state;
    char path[160];
    snprintf(path, sizeof path, "/r/%s", story->tokens[0]);
    struct http_reply reply;
    page(story, "GET", path, NULL, &reply);
    assert_int_equal(reply.status, 200);
    assert_non_null(strstr(reply.content_type, "text/html"));
    assert_non_null(strstr(reply.body, "lang=\"fr\""));
    assert_non_null(strstr(reply.body, "NE QUITTEZ PAS VOTRE SITE - homme &lt;30 ans&gt; veste "
                                       "&quot;noire&quot;"));
    assert_non_null(strstr(reply.body, "Jean Martin, Galeries &lt;Opéra&gt;"));
    assert_null(strstr(reply.body, "<Opéra>"));
    assert_non_null(strstr(reply.body, "id=\"received\""));
    assert_non_null(strstr(reply.body, "id=\"seen-form\""));
}

static void test_received_then_a_sighting_reach_the_console(void **state)
{
    struct story *story = *state;
    struct sse_client *stream = sse_open(story->world, story->operator, NULL);
    assert_int_equal(sse_status(stream), 200);
    char path[160];
    struct http_reply reply;
    snprintf(path, sizeof path, "/r/%s/received", story->tokens[0]);
    page(story, "POST", path, NULL, &reply);
    assert_int_equal(reply.status, 200);
    assert_non_null(strstr(reply.body, "Le centre sait que vous avez reçu le message"));
    assert_true(sse_wait(stream, "massalert_reply", 1, 5000));
    const struct sse_event *event = sse_get(stream, "massalert_reply", 0);
    assert_string_equal(json_string(event->json, "kind"), "received");
    assert_string_equal(json_string(event->json, "channel"), "web");
    assert_string_equal(json_string(event->json, "agent.name"), "Jean Martin");
    assert_int_equal(json_int(event->json, "alert_id"), story->alert_id);

    snprintf(path, sizeof path, "/r/%s/seen", story->tokens[0]);
    page(story, "POST", path,
         "{\"text\":\"homme veste noire à l'arrêt de bus en face\",\"lat\":48.8705,"
         "\"lon\":2.3311,\"accuracy_m\":15}",
         &reply);
    assert_int_equal(reply.status, 200);
    assert_non_null(strstr(reply.body, "Votre signalement a été transmis au centre"));
    assert_true(sse_wait(stream, "massalert_reply", 2, 5000));
    event = sse_get(stream, "massalert_reply", 1);
    assert_string_equal(json_string(event->json, "kind"), "seen");
    assert_string_equal(json_string(event->json, "text"),
                        "homme veste noire à l'arrêt de bus en face");
    assert_string_equal(json_string(event->json, "site.name"), "Galeries <Opéra>");
    assert_true(json_int(event->json, "distance_m") > 0 &&
                json_int(event->json, "distance_m") < 100);
    assert_true(sse_wait(stream, "massalert", 1, 5000));

    /* The operator's detail of the alert lists both replies. */
    char detail[64];
    snprintf(detail, sizeof detail, "/v1/massalerts/%lld", (long long)story->alert_id);
    long status = 0;
    cJSON *json = NULL;
    assert_true(http_request(story->world, "GET", detail, story->operator, NULL, &status, &json));
    assert_int_equal(status, 200);
    assert_int_equal(json_count(json, "replies"), 2);
    bool sighting = false;
    for (int i = 0; i < 2; i++) {
        char key[32];
        snprintf(key, sizeof key, "replies.%d.kind", i);
        if (strcmp(json_string(json, key), "seen") == 0)
            sighting = true;
    }
    assert_true(sighting);

    /* The page now says the message was received. */
    snprintf(path, sizeof path, "/r/%s", story->tokens[0]);
    page(story, "GET", path, NULL, &reply);
    assert_non_null(strstr(reply.body, "id=\"received-note\""));
    assert_non_null(strstr(reply.body, "depuis cette page\u00a0: 2"));
    /* And the audit has each reply, in a chain that still verifies. */
    assert_int_equal(world_sql_int(story->world, NULL,
                                   "SELECT COUNT(*) FROM audit WHERE action = 'massalert.reply'"),
                     2);
    char output[4096];
    assert_int_equal(world_run(story->world, NULL, output, sizeof output, "audit", "verify", "--db",
                               story->world->db, NULL),
                     0);
}

static void test_bad_replies_get_clear_pages(void **state)
{
    struct story *story = *state;
    char path[160];
    struct http_reply reply;
    snprintf(path, sizeof path, "/r/%s/seen", story->tokens[1]);
    page(story, "POST", path, "{\"text\":\"   \"}", &reply);
    assert_int_equal(reply.status, 400);
    assert_non_null(strstr(reply.body, "ajoutez votre position"));
    page(story, "POST", path, "{\"text\":\"vu\",\"lat\":95,\"lon\":2}", &reply);
    assert_int_equal(reply.status, 400);
    page(story, "POST", path, "{\"text\":\"vu\",\"color\":\"red\"}", &reply);
    assert_int_equal(reply.status, 400);
    page(story, "GET", "/r/NotARealToken", NULL, &reply);
    assert_int_equal(reply.status, 404);
    assert_non_null(strstr(reply.content_type, "text/html"));
    assert_non_null(strstr(reply.body, "not valid"));
    page(story, "POST", "/r/NotARealToken/seen", "{\"text\":\"vu\"}", &reply);
    assert_int_equal(reply.status, 404);
    assert_int_equal(world_sql_int(story->world, NULL, "SELECT COUNT(*) FROM massalert_replies"),
                     0);

    /* The alert expires: the link is gone, the message no longer shown. */
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE massalerts SET expires_at = 1 WHERE id = %lld",
             (long long)story->alert_id);
    assert_true(world_sql(story->world, NULL, sql));
    snprintf(path, sizeof path, "/r/%s", story->tokens[1]);
    page(story, "GET", path, NULL, &reply);
    assert_int_equal(reply.status, 410);
    assert_non_null(strstr(reply.body, "Alerte terminée"));
    assert_null(strstr(reply.body, "NE QUITTEZ PAS"));
    snprintf(path, sizeof path, "/r/%s/seen", story->tokens[1]);
    page(story, "POST", path, "{\"text\":\"trop tard\"}", &reply);
    assert_int_equal(reply.status, 410);
    assert_int_equal(world_sql_int(story->world, NULL, "SELECT COUNT(*) FROM massalert_replies"),
                     0);
}

static void test_a_cancelled_alert_still_takes_sightings(void **state)
{
    struct story *story = *state;
    char path[160];
    snprintf(path, sizeof path, "/v1/massalerts/%lld/cancel", (long long)story->alert_id);
    long status = 0;
    cJSON *json = NULL;
    assert_true(http_request(story->world, "POST", path, story->operator, "{}", &status, &json));
    assert_int_equal(status, 200);
    struct http_reply reply;
    snprintf(path, sizeof path, "/r/%s", story->tokens[1]);
    page(story, "GET", path, NULL, &reply);
    assert_int_equal(reply.status, 200);
    assert_non_null(strstr(reply.body, "id=\"cancelled\""));
    snprintf(path, sizeof path, "/r/%s/seen", story->tokens[1]);
    page(story, "POST", path, "{\"text\":\"il part vers la gare\"}", &reply);
    assert_int_equal(reply.status, 200);
    assert_int_equal(
        world_sql_int(story->world, NULL,
                      "SELECT COUNT(*) FROM massalert_replies WHERE text = 'il part vers la gare'"),
        1);
}

/* ---- the page's language ---- */

/* GET `path` as a browser whose Accept-Language is `languages` (NULL:
 * none); the status, and the body in `body` (freed with the world). */
static size_t keep_body(char *data, size_t size, size_t count, void *closure)
{
    GString *body = closure;
    g_string_append_len(body, data, (gssize)(size * count));
    return size * count;
}

static long get_as_browser(struct story *story, const char *path, const char *languages,
                           const char **body_out)
{
    CURL *curl = curl_easy_init();
    GString *body = g_string_new("");
    struct curl_slist *headers = NULL;
    char url[256], header[128];
    snprintf(url, sizeof url, "%s%s", story->world->base_url, path);
    if (languages) {
        snprintf(header, sizeof header, "Accept-Language: %s", languages);
        headers = curl_slist_append(headers, header);
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)HTTP_TIMEOUT_MS);
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    *body_out = world_keep(story->world, g_string_free(body, FALSE), g_free);
    return status;
}

/* Sends an alert in `language` ("" for none given) and returns the reply
 * token of its first recipient, from the SMS in the outbox. */
static const char *alert_in(struct story *story, const char *language)
{
    char body[512], language_field[48] = "";
    if (language[0])
        snprintf(language_field, sizeof language_field, ",\"language\":\"%s\"", language);
    snprintf(body, sizeof body,
             "{\"area\":{\"circle\":{\"lat\":48.8708,\"lon\":2.3318,\"radius_m\":800}},"
             "\"message\":\"DO NOT LEAVE YOUR SITE\",\"channels\":[\"sms\"]%s}",
             language_field);
    long status = 0;
    cJSON *json = NULL;
    assert_true(http_request(story->world, "POST", "/v1/massalerts", story->operator, body, &status,
                             &json));
    assert_int_equal(status, 201);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT o.body FROM outbox o JOIN massalert_recipients r ON r.id = o.owner_id"
             " WHERE r.alert_id = %lld AND o.channel = 'sms' ORDER BY o.id LIMIT 1",
             (long long)json_int(json, "id"));
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char *token = NULL;
    if (sqlite3_open_v2(story->world->db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *link = strstr((const char *)sqlite3_column_text(st, 0), "/r/");
        if (link)
            token = world_keep(story->world, g_strdup(link + 3), g_free);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_non_null(token);
    return token;
}

static void test_each_page_speaks_its_language(void **state)
{
    struct story *story = *state;
    char path[160];
    const char *body = NULL;
    /* A French alert: French, whatever the browser prefers. */
    snprintf(path, sizeof path, "/r/%s", story->tokens[0]);
    assert_int_equal(get_as_browser(story, path, "en-GB,en;q=0.9", &body), 200);
    assert_non_null(strstr(body, "<html lang=\"fr\">"));
    assert_non_null(strstr(body, "J&#39;ai bien reçu ce message"));
    assert_non_null(strstr(body, "Qu&#39;avez-vous vu\u00a0?"));

    /* An English alert: English, even for a French browser. */
    snprintf(path, sizeof path, "/r/%s", alert_in(story, "en"));
    assert_int_equal(get_as_browser(story, path, "fr-FR,fr;q=0.9", &body), 200);
    assert_non_null(strstr(body, "<html lang=\"en\">"));
    assert_non_null(strstr(body, "<title>Security alert</title>"));
    assert_non_null(strstr(body, "I received this message"));
    assert_null(strstr(body, "reçu"));

    /* An alert in a language we do not speak: the browser's choice. */
    snprintf(path, sizeof path, "/r/%s", alert_in(story, "de"));
    assert_int_equal(get_as_browser(story, path, "de-DE,fr;q=0.8,en;q=0.5", &body), 200);
    assert_non_null(strstr(body, "<title>Alerte de sécurité</title>"));
    assert_non_null(strstr(body, "Envoyer mon signalement"));
    assert_int_equal(get_as_browser(story, path, "en-US,en;q=0.9,fr;q=0.8", &body), 200);
    assert_non_null(strstr(body, "Send my report"));
    /* No preference: the centre's language (event_labels, English here). */
    assert_int_equal(get_as_browser(story, path, NULL, &body), 200);
    assert_non_null(strstr(body, "Send my report"));

    /* No alert at all (a broken link): the browser's language. */
    assert_int_equal(get_as_browser(story, "/r/NotARealToken", "fr", &body), 404);
    assert_non_null(strstr(body, "Ce lien de réponse n&#39;est pas valable"));
    assert_int_equal(get_as_browser(story, "/r/NotARealToken", "en", &body), 404);
    assert_non_null(strstr(body, "This reply link is not valid"));

    /* The thanks of a reply to the English alert are English. */
    snprintf(path, sizeof path, "/r/%s/received", alert_in(story, "en"));
    struct http_reply reply;
    page(story, "POST", path, NULL, &reply);
    assert_int_equal(reply.status, 200);
    assert_non_null(strstr(reply.body, "The control room knows that you received the message"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_the_page_shows_the_alert_escaped, story_up,
                                        story_down),
        cmocka_unit_test_setup_teardown(test_received_then_a_sighting_reach_the_console, story_up,
                                        story_down),
        cmocka_unit_test_setup_teardown(test_bad_replies_get_clear_pages, story_up, story_down),
        cmocka_unit_test_setup_teardown(test_a_cancelled_alert_still_takes_sightings, story_up,
                                        story_down),
        cmocka_unit_test_setup_teardown(test_each_page_speaks_its_language, story_up, story_down),
    };
    return cmocka_run_group_tests(tests, template_up, template_down);
}
