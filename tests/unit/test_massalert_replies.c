/* Unit tests of agents' replies to a mass alert, against a real store on a
 * temporary database: by the reply link's token, by SMS from the number
 * the alert was sent to, by recipient (e-mail); what each writes (the
 * reply, received_at, the stream event with agent, site and distance, the
 * audit row), and what is refused (expired alert, unknown link, a
 * sighting with nothing in it, a bad position, too many replies). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/password.h"
#include "server/store.h"
#include "server/store_massalert_replies.h"

#define LIVE_TOKEN      "LiveToken-0123456789_abcdefghijklmnopqrstuv"
#define SECOND_TOKEN    "SecondToken-0123456789_abcdefghijklmnopqrs"
#define EXPIRED_TOKEN   "ExpiredToken-0123456789_abcdefghijklmnopqr"
#define CANCELLED_TOKEN "CancelledToken-0123456789_abcdefghijklmnop"

struct world {
    char dir[64];
    char path[128];
    struct store *store;
};

static void exec_sql(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *message = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK)
        fail_msg("SQL failed: %s", message);
    sqlite3_close(db);
}

static int64_t sql_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("SQL failed: %s", sqlite3_errmsg(db));
    int64_t value = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : INT64_MIN;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return value;
}

static void hash_of(const char *token, char out[TOKEN_HASH_SIZE])
{
    assert_true(token_hash(token, out));
}

/* Two agents of one validated site; alert 1 live (French), alert 2
 * expired an hour ago, alert 3 cancelled but live (English). Agent 1 got alert 1 by
 * SMS; agent 2 got alert 2 by SMS and alert 1 by e-mail only. */
static void add_alerts(const char *path)
{
    char live[TOKEN_HASH_SIZE], second[TOKEN_HASH_SIZE], expired[TOKEN_HASH_SIZE],
        cancelled[TOKEN_HASH_SIZE];
    hash_of(LIVE_TOKEN, live);
    hash_of(SECOND_TOKEN, second);
    hash_of(EXPIRED_TOKEN, expired);
    hash_of(CANCELLED_TOKEN, cancelled);
    char sql[4096];
    snprintf(
        sql, sizeof sql,
        "INSERT INTO clients(name, kind) VALUES('Sécurité Sud', 'guarding');"
        "INSERT INTO sites(client_id, name, city, lat, lon, validated_by, validated_at)"
        " VALUES(1, 'Centre commercial DUPOND', 'Nice', 43.70, 7.26, 'x', 1);"
        "INSERT INTO agents(ext_id, site_id, name, phone, email, lat, lon, vetted)"
        " VALUES('A1', 1, 'Jean Martin', '+33612345678', 'jean@example.org', 43.70, 7.26, 1),"
        " ('A2', 1, 'Léa Durand', '+33698765432', 'lea@example.org', 43.70, 7.26, 1);"
        "INSERT INTO massalerts(id, created_at, lat, lon, radius_m, language, message, channels,"
        " expires_at, state) VALUES"
        " (1, 1, 43.7, 7.26, 800, 'fr', 'NE QUITTEZ PAS VOTRE SITE', 'sms,email', 9e15, 'sending'),"
        " (2, 1, 43.7, 7.26, 800, 'fr', 'ancienne alerte', 'sms',"
        "  CAST(strftime('%%s', 'now') AS INTEGER) * 1000 - 3600000, 'done'),"
        " (3, 1, 43.7, 7.26, 800, 'en', 'DO NOT LEAVE YOUR SITE', 'sms', 9e15, 'cancelled');"
        "INSERT INTO massalert_recipients(id, alert_id, agent_id, site_id, distance_m, token_hash)"
        " VALUES(1, 1, 1, 1, 420, '%s'), (2, 1, 2, 1, 515, '%s'), (3, 2, 2, 1, 515, '%s'),"
        " (4, 3, 1, 1, 420, '%s');"
        "INSERT INTO outbox(kind, owner_id, label, channel, format, recipient, content_type,"
        " message_key, body, state, max_attempts, next_attempt_at, deadline_at, created_at,"
        " updated_at, priority) VALUES"
        " ('massalert', 1, 'SMS', 'sms', 'text', '+33612345678', 'text/plain', 'k1', 'b',"
        "  'delivered', 3, 0, 9e15, 1, 1, 1),"
        " ('massalert', 2, 'e-mail', 'email', 'text', 'lea@example.org', 'text/plain', 'k2',"
        "  'b', 'delivered', 3, 0, 9e15, 1, 1, 1),"
        " ('massalert', 3, 'SMS', 'sms', 'text', '+33698765432', 'text/plain', 'k3', 'b',"
        "  'delivered', 3, 0, 1000, 1, 1, 1);",
        live, second, expired, cancelled);
    exec_sql(path, sql);
}

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    snprintf(w->dir, sizeof w->dir, "/tmp/vigie-replies-XXXXXX");
    assert_non_null(mkdtemp(w->dir));
    snprintf(w->path, sizeof w->path, "%s/test.db", w->dir);
    struct store_options options = {
        .create = true, .claim_lease_ms = 30000, .event_retention = 100000};
    struct store_error error = {{0}};
    if (store_open(w->path, &options, &w->store, &error) != STORE_OK)
        fail_msg("store_open: %s", error.message);
    store_close(w->store);
    add_alerts(w->path);
    if (store_open(w->path, &options, &w->store, &error) != STORE_OK)
        fail_msg("store_open: %s", error.message);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    store_close(w->store);
    char command[160];
    snprintf(command, sizeof command, "rm -rf %s", w->dir);
    assert_int_equal(system(command), 0);
    free(w);
    return 0;
}

/* The events of one type after `after`, parsed (the caller frees). */
struct collected {
    const char *type;
    cJSON *events; /* an array */
};

static void collect(void *context, const struct store_event *event)
{
    struct collected *collected = context;
    if (strcmp(event->type, collected->type) == 0)
        cJSON_AddItemToArray(collected->events, cJSON_Parse(event->data));
}

static cJSON *events_of(struct world *w, const char *type)
{
    struct collected collected = {type, cJSON_CreateArray()};
    struct store_error error = {{0}};
    assert_int_equal(store_events_after(w->store, 0, 1000, collect, &collected, &error), STORE_OK);
    return collected.events;
}

static int64_t count(struct world *w, const char *sql)
{
    return sql_int(w->path, sql);
}

static void test_received_by_token(void **state)
{
    struct world *w = *state;
    struct store_massalert_reply_result result;
    struct store_error error = {{0}};
    assert_int_equal(store_massalert_reply_by_token(w->store, LIVE_TOKEN, "web", "received", NULL,
                                                    NULL, NULL, NULL, &result, &error),
                     STORE_OK);
    assert_int_equal(result.alert_id, 1);
    assert_int_equal(result.recipient_id, 1);
    assert_true(result.reply_id > 0);
    assert_false(result.repeated);
    assert_true(count(w, "SELECT received_at FROM massalert_recipients WHERE id = 1") > 0);
    assert_int_equal(count(w, "SELECT COUNT(*) FROM massalert_recipients"
                              " WHERE received_at IS NOT NULL"),
                     1);

    cJSON *events = events_of(w, "massalert_reply");
    assert_int_equal(cJSON_GetArraySize(events), 1);
    cJSON *reply = cJSON_GetArrayItem(events, 0);
    assert_int_equal(cJSON_GetObjectItem(reply, "alert_id")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(reply, "id")->valueint, (int)result.reply_id);
    assert_string_equal(cJSON_GetObjectItem(reply, "kind")->valuestring, "received");
    assert_string_equal(cJSON_GetObjectItem(reply, "channel")->valuestring, "web");
    assert_int_equal(cJSON_GetObjectItem(reply, "distance_m")->valueint, 420);
    cJSON *agent = cJSON_GetObjectItem(reply, "agent");
    assert_string_equal(cJSON_GetObjectItem(agent, "name")->valuestring, "Jean Martin");
    assert_string_equal(cJSON_GetObjectItem(agent, "phone")->valuestring, "+33612345678");
    cJSON *site = cJSON_GetObjectItem(reply, "site");
    assert_string_equal(cJSON_GetObjectItem(site, "name")->valuestring, "Centre commercial DUPOND");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(reply, "lat")));
    cJSON_Delete(events);
    assert_int_equal(count(w, "SELECT COUNT(*) FROM audit WHERE action = 'massalert.reply'"
                              " AND object_type = 'massalert' AND object_id = 1"),
                     1);

    /* Received again (the voice key after the page): nothing new. */
    struct store_massalert_reply_result again;
    assert_int_equal(store_massalert_reply_by_token(w->store, LIVE_TOKEN, "voice", "received", NULL,
                                                    NULL, NULL, NULL, &again, &error),
                     STORE_OK);
    assert_true(again.repeated);
    assert_int_equal(again.reply_id, result.reply_id);
    assert_int_equal(count(w, "SELECT COUNT(*) FROM massalert_replies"), 1);
    events = events_of(w, "massalert_reply");
    assert_int_equal(cJSON_GetArraySize(events), 1);
    cJSON_Delete(events);
}

static void test_sighting_with_position_and_hostile_text(void **state)
{
    struct world *w = *state;
    double lat = 43.7012, lon = 7.2655, accuracy = 12;
    struct store_massalert_reply_result result;
    struct store_error error = {{0}};
    const char *text = "  homme veste noire\x1b[2J arr\xc3\xaat de bus\r\nen face \xff DUPOND  ";
    assert_int_equal(store_massalert_reply_by_token(w->store, SECOND_TOKEN, "web", "seen", text,
                                                    &lat, &lon, &accuracy, &result, &error),
                     STORE_OK);
    assert_int_equal(result.recipient_id, 2);
    assert_int_equal(count(w, "SELECT text = 'homme veste noire [2J arrêt de bus' || char(10) ||"
                              " 'en face ? DUPOND' FROM massalert_replies"),
                     1);
    assert_int_equal(count(w, "SELECT CAST(lat * 10000 AS INTEGER) FROM massalert_replies"),
                     437012);
    assert_int_equal(count(w, "SELECT accuracy_m FROM massalert_replies"), 12);
    /* A sighting also says the message was received. */
    assert_true(count(w, "SELECT received_at FROM massalert_recipients WHERE id = 2") > 0);
    cJSON *events = events_of(w, "massalert_reply");
    cJSON *reply = cJSON_GetArrayItem(events, 0);
    assert_string_equal(cJSON_GetObjectItem(reply, "kind")->valuestring, "seen");
    assert_true(cJSON_GetObjectItem(reply, "lat")->valuedouble > 43.70);
    assert_int_equal(cJSON_GetObjectItem(reply, "accuracy_m")->valueint, 12);
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(reply, "agent"), "name")->valuestring,
        "Léa Durand");
    assert_int_equal(cJSON_GetObjectItem(reply, "distance_m")->valueint, 515);
    cJSON_Delete(events);
}

static void test_refusals(void **state)
{
    struct world *w = *state;
    struct store_massalert_reply_result result;
    struct store_error error = {{0}};
    double lat = 43.7, lon = 7.2, bad = 91, accuracy = 250000;
    assert_int_equal(store_massalert_reply_by_token(w->store, LIVE_TOKEN, "web", "seen", "   ",
                                                    NULL, NULL, NULL, &result, &error),
                     STORE_INVALID);
    assert_non_null(strstr(error.message, "description or a position"));
    assert_int_equal(store_massalert_reply_by_token(w->store, LIVE_TOKEN, "web", "seen", "x", &bad,
                                                    &lon, NULL, &result, &error),
                     STORE_INVALID);
    assert_int_equal(store_massalert_reply_by_token(w->store, LIVE_TOKEN, "web", "seen", "x", &lat,
                                                    NULL, NULL, &result, &error),
                     STORE_INVALID);
    assert_int_equal(store_massalert_reply_by_token(w->store, LIVE_TOKEN, "web", "seen", "x", &lat,
                                                    &lon, &accuracy, &result, &error),
                     STORE_INVALID);
    assert_int_equal(store_massalert_reply_by_token(w->store, LIVE_TOKEN, "fax", "seen", "x", NULL,
                                                    NULL, NULL, &result, &error),
                     STORE_INVALID);
    assert_int_equal(store_massalert_reply_by_token(w->store, LIVE_TOKEN, "web", "maybe", "x", NULL,
                                                    NULL, NULL, &result, &error),
                     STORE_INVALID);
    assert_int_equal(store_massalert_reply_by_token(w->store, "NoSuchToken", "web", "received",
                                                    NULL, NULL, NULL, NULL, &result, &error),
                     STORE_NOT_FOUND);
    assert_int_equal(store_massalert_reply_by_token(w->store, "../etc'--", "web", "received", NULL,
                                                    NULL, NULL, NULL, &result, &error),
                     STORE_NOT_FOUND);
    assert_int_equal(store_massalert_reply_by_token(w->store, EXPIRED_TOKEN, "web", "seen",
                                                    "trop tard", NULL, NULL, NULL, &result, &error),
                     STORE_CONFLICT);
    assert_non_null(strstr(error.message, "expired"));
    assert_int_equal(count(w, "SELECT COUNT(*) FROM massalert_replies"), 0);
    assert_int_equal(count(w, "SELECT COUNT(*) FROM massalert_recipients"
                              " WHERE received_at IS NOT NULL"),
                     0);
    cJSON *events = events_of(w, "massalert_reply");
    assert_int_equal(cJSON_GetArraySize(events), 0);
    cJSON_Delete(events);
}

static void test_cancelled_alert_still_hears_sightings(void **state)
{
    struct world *w = *state;
    struct store_massalert_reply_result result;
    struct store_error error = {{0}};
    assert_int_equal(store_massalert_reply_by_token(w->store, CANCELLED_TOKEN, "web", "seen",
                                                    "man in black jacket", NULL, NULL, NULL,
                                                    &result, &error),
                     STORE_OK);
    assert_int_equal(result.alert_id, 3);
}

static void test_sms_answer_goes_to_latest_live_alert(void **state)
{
    struct world *w = *state;
    struct store_massalert_reply_result result;
    struct store_error error = {{0}};
    assert_int_equal(
        store_massalert_reply_by_phone(w->store, "+33612345678", "Ok!", &result, &error), STORE_OK);
    assert_int_equal(result.alert_id, 1);
    assert_int_equal(result.recipient_id, 1);
    assert_int_equal(count(w, "SELECT COUNT(*) FROM massalert_replies WHERE kind = 'received'"
                              " AND channel = 'sms'"),
                     1);
    assert_int_equal(store_massalert_reply_by_phone(w->store, "+33612345678",
                                                    "homme vu devant la porte 3", &result, &error),
                     STORE_OK);
    assert_int_equal(count(w, "SELECT COUNT(*) FROM massalert_replies WHERE kind = 'seen'"
                              " AND text = 'homme vu devant la porte 3'"),
                     1);
    /* Léa got an SMS only for the expired alert 2 (alert 1 by e-mail). */
    assert_int_equal(
        store_massalert_reply_by_phone(w->store, "+33698765432", "vu", &result, &error),
        STORE_CONFLICT);
    assert_int_equal(
        store_massalert_reply_by_phone(w->store, "+33100000000", "vu", &result, &error),
        STORE_NOT_FOUND);
}

static void test_email_reply_by_recipient(void **state)
{
    struct world *w = *state;
    struct store_massalert_reply_result result;
    struct store_error error = {{0}};
    assert_int_equal(store_massalert_reply_by_recipient(w->store, 2, "email", "seen",
                                                        "Vu un homme rue de France", &result,
                                                        &error),
                     STORE_OK);
    assert_int_equal(result.alert_id, 1);
    assert_int_equal(
        store_massalert_reply_by_recipient(w->store, 3, "email", "seen", "tard", &result, &error),
        STORE_CONFLICT);
    assert_int_equal(
        store_massalert_reply_by_recipient(w->store, 99, "email", "seen", "x", &result, &error),
        STORE_NOT_FOUND);
}

static void test_replies_are_bounded_per_link(void **state)
{
    struct world *w = *state;
    struct store_massalert_reply_result result;
    struct store_error error = {{0}};
    for (int i = 0; i < MASSALERT_REPLIES_PER_RECIPIENT_MAX; i++)
        assert_int_equal(store_massalert_reply_by_token(w->store, LIVE_TOKEN, "web", "seen",
                                                        "encore", NULL, NULL, NULL, &result,
                                                        &error),
                         STORE_OK);
    assert_int_equal(store_massalert_reply_by_token(w->store, LIVE_TOKEN, "web", "seen", "encore",
                                                    NULL, NULL, NULL, &result, &error),
                     STORE_CONFLICT);
    assert_int_equal(count(w, "SELECT COUNT(*) FROM massalert_replies"),
                     MASSALERT_REPLIES_PER_RECIPIENT_MAX);
}

static int64_t now_ms(void)
{
    return (int64_t)time(NULL) * 1000;
}

static void test_token_find_for_the_page(void **state)
{
    struct world *w = *state;
    struct store_massalert_token_view view;
    struct store_error error = {{0}};
    assert_int_equal(store_massalert_token_find(w->store, LIVE_TOKEN, now_ms(), &view, &error),
                     STORE_OK);
    assert_int_equal(view.alert_id, 1);
    assert_string_equal(view.language, "fr");
    assert_string_equal(view.message, "NE QUITTEZ PAS VOTRE SITE");
    assert_string_equal(view.agent_name, "Jean Martin");
    assert_string_equal(view.site_name, "Centre commercial DUPOND");
    assert_false(view.expired);
    assert_int_equal(view.received_at, 0);
    assert_int_equal(store_massalert_token_find(w->store, EXPIRED_TOKEN, now_ms(), &view, &error),
                     STORE_OK);
    assert_true(view.expired);
    assert_int_equal(store_massalert_token_find(w->store, "unknown", 5000, &view, &error),
                     STORE_NOT_FOUND);
    assert_int_equal(store_massalert_token_find(w->store, "", 5000, &view, &error),
                     STORE_NOT_FOUND);
}

static void test_kind_of_sms_text(void **state)
{
    (void)state;
    assert_string_equal(massalert_reply_kind_of_text(""), "received");
    assert_string_equal(massalert_reply_kind_of_text(" 1 "), "received");
    assert_string_equal(massalert_reply_kind_of_text("OK."), "received");
    assert_string_equal(massalert_reply_kind_of_text("Bien reçu !"), "received");
    assert_string_equal(massalert_reply_kind_of_text("REÇU"), "received");
    assert_string_equal(massalert_reply_kind_of_text("received"), "received");
    assert_string_equal(massalert_reply_kind_of_text("vu un homme"), "seen");
    assert_string_equal(massalert_reply_kind_of_text("ok vu au parking"), "seen");
    assert_string_equal(massalert_reply_kind_of_text("Zürich"), "seen");
}

static void test_text_clean_cuts_on_characters(void **state)
{
    (void)state;
    char out[7];
    /* "aéé" + "é" would need 8 bytes with the NUL: cut before it. */
    assert_int_equal(massalert_reply_text_clean("a\xc3\xa9\xc3\xa9\xc3\xa9", out, sizeof out), 5);
    assert_string_equal(out, "a\xc3\xa9\xc3\xa9");
    char wide[64];
    massalert_reply_text_clean("x\xe2\x80\xaey\xc2\x9bz\x7f", wide, sizeof wide);
    assert_string_equal(wide, "x y z");
    massalert_reply_text_clean("\xed\xa0\x80ok\xc0\xaf", wide, sizeof wide);
    assert_string_equal(wide, "???ok??");
    massalert_reply_text_clean(NULL, wide, sizeof wide);
    assert_string_equal(wide, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_received_by_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sighting_with_position_and_hostile_text, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancelled_alert_still_hears_sightings, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sms_answer_goes_to_latest_live_alert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_email_reply_by_recipient, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replies_are_bounded_per_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_find_for_the_page, setup, teardown),
        cmocka_unit_test(test_kind_of_sms_text),
        cmocka_unit_test(test_text_clean_cuts_on_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
