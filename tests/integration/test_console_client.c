/* The console's client against a real vigied, driven by a poll() loop as
 * the console drives it: an operator logs in, the queue loads, a new alarm
 * shows within a second, a claim made here is seen by a second console and
 * refused to it; a frozen server is called lost within six seconds, a
 * killed one at once; after a restart the console's queue is exactly the
 * server's, a dead first URL costs nothing, and a console too far behind
 * reloads its queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "console/client.h"
#include "console/model.h"
#include "tests/lib/harness.h"

#define PASSWORD "night-shift-42"
/* Bounds of the waits: what must be quick, and what takes a reconnection. */
#define LIVE_WAIT_MS      10000
#define ARRIVAL_WAIT_MS   1000
#define RECONNECT_WAIT_MS 20000
#define CONSOLES_MAX      2

/* One console: its model, its client, and what its callbacks heard. */
struct console {
    struct model *model;
    struct client *client;
    int reloads;
    int start_reloads; /* at the first LIVE: the list, after the queue's head if any */
    int changes;
    enum model_change last_change;
    int64_t last_changed_id;
    int link_changes;
    int action_id;
    bool action_ok;
    char action_message[256];
    int document_id;
    int document_status;
    int64_t document_alarm_id;
};

struct story {
    struct world *world;
    struct world *spare; /* a second node, when a test needs one */
    int64_t site;
    const char *alice; /* the harness's own session, for the API */
    struct console consoles[CONSOLES_MAX];
};

static struct world *template;
static int64_t template_site;

static int template_up(void **state)
{
    (void)state;
    template = world_create();
    return template && world_add_user(template, "alice", "operator", PASSWORD) &&
                   world_add_user(template, "bob", "operator", PASSWORD) &&
                   world_add_user(template, "sam", "supervisor", PASSWORD) &&
                   world_add_user(template, "ada", "admin", PASSWORD) &&
                   (template_site = world_add_site(template, "Mairie du 2e", "Lyon")) > 0
               ? 0
               : -1;
}

static int template_down(void **state)
{
    (void)state;
    return world_destroy(template) ? 0 : -1;
}

static int world_down(void **state)
{
    struct story *story = *state;
    if (!story)
        return 0;
    for (int i = 0; i < CONSOLES_MAX; i++) {
        client_free(story->consoles[i].client);
        model_free(story->consoles[i].model);
    }
    if (story->world && story->world->pid > 0)
        kill(story->world->pid, SIGCONT); /* a test that froze it and failed */
    bool clean = world_destroy(story->world);
    if (story->spare && !world_destroy(story->spare))
        clean = false;
    free(story);
    *state = NULL;
    return clean ? 0 : -1;
}

/* A world whose vigied keeps its port across restarts, so that the
 * console's URL stays good. */
static int world_up_with(void **state, const char *setting)
{
    struct story *story = calloc(1, sizeof *story);
    *state = story;
    if (!story)
        return -1;
    struct world *world = story->world = world_clone(template);
    story->site = template_site;
    char listen[64];
    if (world && (!setting || world_set(world, setting)) && world_start(world) &&
        snprintf(listen, sizeof listen, "listen=127.0.0.1:%u", world->port) > 0 &&
        world_set(world, listen) && (story->alice = login(world, "alice", PASSWORD)))
        return 0;
    world_down(state); /* cmocka runs no teardown after a failed setup */
    return -1;
}

static int world_up(void **state)
{
    return world_up_with(state, NULL);
}

static int world_up_short_retention(void **state)
{
    return world_up_with(state, "event_retention=10");
}

/* ---- the callbacks ---- */

static void on_alarm(void *context, const struct console_alarm *alarm, enum model_change change)
{
    struct console *console = context;
    console->changes++;
    console->last_change = change;
    console->last_changed_id = alarm->id;
}

static void on_reloaded(void *context)
{
    ((struct console *)context)->reloads++;
}

static void on_link(void *context, enum client_link link, const char *why)
{
    (void)link;
    assert_non_null(why);
    ((struct console *)context)->link_changes++;
}

static void on_action(void *context, int request_id, bool ok, const char *message)
{
    struct console *console = context;
    console->action_id = request_id;
    console->action_ok = ok;
    snprintf(console->action_message, sizeof console->action_message, "%s", message);
}

static void on_document(void *context, int request_id, int status, const cJSON *body)
{
    struct console *console = context;
    console->document_id = request_id;
    console->document_status = status;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(body, "id");
    console->document_alarm_id = cJSON_IsNumber(id) ? (int64_t)id->valuedouble : 0;
}

/* Starts a console for `user` on `first_url` (if any), the world's URL,
 * then `last_url` (if any). */
static struct client *console_start_on(struct story *story, int index, const char *user,
                                       const char *password, const char *token,
                                       const char *first_url, const char *last_url, char *error,
                                       size_t error_size)
{
    struct console *console = &story->consoles[index];
    if (!console->model)
        console->model = model_new();
    struct client_options options = {.username = user, .password = password, .token = token};
    if (first_url)
        options.servers[options.server_count++] = first_url;
    options.servers[options.server_count++] = story->world->base_url;
    if (last_url)
        options.servers[options.server_count++] = last_url;
    struct client_callbacks callbacks = {console, on_alarm,  on_reloaded,
                                         on_link, on_action, on_document};
    console->client = client_start(&options, console->model, &callbacks, error, error_size);
    return console->client;
}

static struct client *console_start(struct story *story, int index, const char *user,
                                    const char *password, const char *token, const char *first_url,
                                    char *error, size_t error_size)
{
    return console_start_on(story, index, user, password, token, first_url, NULL, error,
                            error_size);
}

/* ---- the loop, as the console runs it ---- */

static void pump(struct story *story, int max_ms)
{
    struct pollfd fds[CONSOLES_MAX * CLIENT_POLL_MAX];
    size_t start[CONSOLES_MAX], count[CONSOLES_MAX], total = 0;
    int wait = max_ms;
    for (int i = 0; i < CONSOLES_MAX; i++) {
        struct client *client = story->consoles[i].client;
        start[i] = total;
        count[i] = client ? client_poll_fds(client, fds + total, CLIENT_POLL_MAX) : 0;
        total += count[i];
        int timeout = client ? client_timeout_ms(client) : max_ms;
        if (timeout >= 0 && timeout < wait)
            wait = timeout;
    }
    poll(fds, total, wait);
    for (int i = 0; i < CONSOLES_MAX; i++)
        if (story->consoles[i].client)
            client_process(story->consoles[i].client, fds + start[i], count[i]);
}

typedef bool (*condition_fn)(struct story *story, struct console *console, int64_t argument);

static bool run_until(struct story *story, struct console *console, condition_fn condition,
                      int64_t argument, int timeout_ms)
{
    int64_t deadline = harness_now_ms() + timeout_ms;
    while (!condition(story, console, argument)) {
        int64_t left = deadline - harness_now_ms();
        if (left <= 0)
            return false;
        pump(story, left < 50 ? (int)left : 50);
    }
    return true;
}

static bool is_link(struct story *story, struct console *console, int64_t link)
{
    (void)story;
    return client_link_state(console->client) == (enum client_link)link;
}

static bool has_open_alarm(struct story *story, struct console *console, int64_t id)
{
    (void)story;
    const struct console_alarm *alarm = model_find(console->model, id);
    return alarm && strcmp(alarm->state, "closed") != 0;
}

static bool action_finished(struct story *story, struct console *console, int64_t id)
{
    (void)story;
    return console->action_id == id;
}

static bool document_arrived(struct story *story, struct console *console, int64_t id)
{
    (void)story;
    return console->document_id == id;
}

static bool claimed_by_alice(struct story *story, struct console *console, int64_t id)
{
    (void)story;
    const struct console_alarm *alarm = model_find(console->model, id);
    return alarm && strcmp(alarm->claim_user, "alice") == 0;
}

static bool is_closed(struct story *story, struct console *console, int64_t id)
{
    (void)story;
    const struct console_alarm *alarm = model_find(console->model, id);
    return alarm && strcmp(alarm->state, "closed") == 0;
}

/* Live, and the open alarms are exactly the server's: the same ids with
 * the same sequences, none missing, none extra. */
static bool matches_server(struct story *story, struct console *console, int64_t unused)
{
    (void)unused;
    if (client_link_state(console->client) != CLIENT_LINK_LIVE)
        return false;
    long status = 0;
    cJSON *list = NULL;
    if (!http_request(story->world, "GET", "/v1/alarms?state=open&limit=5000", story->alice, NULL,
                      &status, &list) ||
        status != 200)
        return false;
    int count = json_count(list, "alarms");
    if (count < 0 || (size_t)count != model_open_count(console->model))
        return false;
    const cJSON *alarm;
    cJSON_ArrayForEach(alarm, cJSON_GetObjectItemCaseSensitive(list, "alarms"))
    {
        const struct console_alarm *held = model_find(console->model, json_int(alarm, "id"));
        if (!held || held->seq != json_int(alarm, "sequence") || strcmp(held->state, "closed") == 0)
            return false;
    }
    return true;
}

static struct console *console_live(struct story *story, int index, const char *user)
{
    char error[256] = "";
    struct client *client =
        console_start(story, index, user, PASSWORD, NULL, NULL, error, sizeof error);
    if (!client)
        fprintf(stderr, "# %s\n", error);
    assert_non_null(client);
    struct console *console = &story->consoles[index];
    assert_true(run_until(story, console, is_link, CLIENT_LINK_LIVE, LIVE_WAIT_MS));
    /* The list; before it, the queue's head when there were open alarms
     * and it came before the list was whole. */
    assert_true(console->reloads == 1 ||
                (console->reloads == 2 && model_open_count(console->model) > 0));
    console->start_reloads = console->reloads;
    return console;
}

/* COUNT changes: new alarms, each then claimed, and every third closed. */
static void make_changes(struct story *story, int count)
{
    int64_t pending = -1;
    for (int i = 0; i < count; i++) {
        if (pending > 0 && i % 3 == 2) {
            assert_int_equal(alarm_act(story->world, story->alice, pending, "close",
                                       "{\"resolution\":\"false-alarm\"}", NULL),
                             200);
            pending = -1;
        } else if (pending > 0) {
            assert_int_equal(alarm_act(story->world, story->alice, pending, "claim", NULL, NULL),
                             200);
        } else {
            pending = alarm_create(story->world, story->alice, story->site, "burglary", 3);
            assert_true(pending > 0);
        }
    }
}

/* ---- the stories ---- */

static void test_an_operator_logs_in_and_follows_the_queue_live(void **state)
{
    struct story *story = *state;
    int64_t first = alarm_create(story->world, story->alice, story->site, "fire", 1);
    int64_t gone = alarm_create(story->world, story->alice, story->site, "burglary", 3);
    assert_int_equal(alarm_act(story->world, story->alice, gone, "close",
                               "{\"resolution\":\"false-alarm\"}", NULL),
                     200);
    struct console *alice = console_live(story, 0, "alice");
    assert_int_equal(client_role(alice->client), CLIENT_ROLE_OPERATOR);
    assert_string_equal(client_username(alice->client), "alice");
    assert_string_equal(client_server_url(alice->client), story->world->base_url);
    assert_string_equal(client_node_name(alice->client), story->world->node_name);
    assert_true(client_last_heartbeat_ms(alice->client) > 0);
    assert_int_equal(client_lost_since_ms(alice->client), 0);
    /* Same machine, same clock: the offset is the delivery time at most. */
    assert_true(llabs(client_clock_offset_ms(alice->client)) < 2000);
    assert_true(matches_server(story, alice, 0));
    assert_true(has_open_alarm(story, alice, first));
    assert_null(model_find(alice->model, gone));

    /* A new alarm shows within a second. */
    int64_t arriving = alarm_create(story->world, story->alice, story->site, "panic", 1);
    assert_true(run_until(story, alice, has_open_alarm, arriving, ARRIVAL_WAIT_MS));
    assert_int_equal(alice->last_changed_id, arriving);
    assert_int_equal(alice->last_change, MODEL_ADDED);

    /* Alice claims it; Bob's console sees her name and cannot take it. */
    struct console *bob = console_live(story, 1, "bob");
    int request = client_claim(alice->client, arriving);
    assert_true(request > 0);
    assert_true(run_until(story, alice, action_finished, request, ARRIVAL_WAIT_MS));
    assert_true(alice->action_ok);
    assert_string_equal(model_find(alice->model, arriving)->claim_user, "alice");
    assert_true(run_until(story, bob, claimed_by_alice, arriving, ARRIVAL_WAIT_MS));
    request = client_claim(bob->client, arriving);
    assert_true(run_until(story, bob, action_finished, request, ARRIVAL_WAIT_MS));
    assert_false(bob->action_ok);
    assert_non_null(strstr(bob->action_message, "is handling this alarm"));

    /* A note, then the close: the alarm leaves both queues. */
    request = client_note(alice->client, arriving, "Keyholder on his way");
    assert_true(run_until(story, alice, action_finished, request, ARRIVAL_WAIT_MS));
    assert_true(alice->action_ok);
    request = client_close_alarm(alice->client, arriving, "false-alarm", "Cat in the hall");
    assert_true(run_until(story, alice, action_finished, request, ARRIVAL_WAIT_MS));
    assert_true(alice->action_ok);
    assert_false(has_open_alarm(story, alice, arriving));
    assert_int_equal(model_closed_at(alice->model, 0)->id, arriving);
    assert_true(run_until(story, bob, is_closed, arriving, ARRIVAL_WAIT_MS));
    assert_true(matches_server(story, bob, 0));

    /* Documents come through document_loaded, refusals too. */
    char path[64];
    snprintf(path, sizeof path, "/v1/alarms/%lld", (long long)first);
    request = client_get(alice->client, path);
    assert_true(run_until(story, alice, document_arrived, request, ARRIVAL_WAIT_MS));
    assert_int_equal(alice->document_status, 200);
    assert_int_equal(alice->document_alarm_id, first);
    request = client_get(alice->client, "/v1/alarms/99999");
    assert_true(run_until(story, alice, document_arrived, request, ARRIVAL_WAIT_MS));
    assert_int_equal(alice->document_status, 404);
    assert_int_equal(client_get(alice->client, "no-slash"), -1);
}

static void test_wrong_credentials_and_no_server_are_said_at_start(void **state)
{
    struct story *story = *state;
    char error[256] = "";
    assert_null(
        console_start(story, 0, "alice", "wrong-password", NULL, NULL, error, sizeof error));
    assert_non_null(strstr(error, "wrong user name or password"));
    assert_null(
        console_start(story, 0, "alice", NULL, "0123456789abcdef", NULL, error, sizeof error));
    assert_non_null(strstr(error, "log in again"));
    world_kill(story->world);
    error[0] = '\0';
    assert_null(console_start(story, 0, "alice", PASSWORD, NULL, NULL, error, sizeof error));
    assert_non_null(strstr(error, "refused the connection"));
}

static void test_a_token_is_checked_and_its_role_asked(void **state)
{
    struct story *story = *state;
    static const struct {
        const char *user;
        enum client_role role;
    } cases[] = {{"sam", CLIENT_ROLE_SUPERVISOR},
                 {"ada", CLIENT_ROLE_ADMIN},
                 {"alice", CLIENT_ROLE_OPERATOR}};
    int64_t alarm = alarm_create(story->world, story->alice, story->site, "fire", 1);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *token = login(story->world, cases[i].user, PASSWORD);
        char error[256] = "";
        assert_non_null(console_start(story, 0, NULL, NULL, token, NULL, error, sizeof error));
        struct console *console = &story->consoles[0];
        assert_int_equal(client_role(console->client), cases[i].role);
        assert_true(run_until(story, console, matches_server, 0, LIVE_WAIT_MS));
        if (cases[i].role == CLIENT_ROLE_SUPERVISOR) {
            int request = client_claim(console->client, alarm);
            assert_true(run_until(story, console, action_finished, request, ARRIVAL_WAIT_MS));
            assert_false(console->action_ok);
            assert_non_null(strstr(console->action_message, "read-only"));
        }
        client_free(console->client);
        console->client = NULL;
        console->reloads = 0;
    }
}

static void test_a_dead_first_url_costs_nothing(void **state)
{
    struct story *story = *state;
    /* A port that was just free and is closed: connections are refused. */
    int probe = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7F000001)};
    socklen_t length = sizeof address;
    assert_int_equal(bind(probe, (struct sockaddr *)&address, sizeof address), 0);
    assert_int_equal(getsockname(probe, (struct sockaddr *)&address, &length), 0);
    close(probe);
    char dead[64];
    snprintf(dead, sizeof dead, "http://127.0.0.1:%u", (unsigned)ntohs(address.sin_port));
    char error[256] = "";
    assert_non_null(console_start(story, 0, "alice", PASSWORD, NULL, dead, error, sizeof error));
    struct console *console = &story->consoles[0];
    assert_string_equal(client_server_url(console->client), story->world->base_url);
    assert_true(run_until(story, console, is_link, CLIENT_LINK_LIVE, LIVE_WAIT_MS));
    int64_t arriving = alarm_create(story->world, story->alice, story->site, "panic", 1);
    assert_true(run_until(story, console, has_open_alarm, arriving, ARRIVAL_WAIT_MS));
}

static void test_a_frozen_server_is_lost_within_six_seconds(void **state)
{
    struct story *story = *state;
    struct console *alice = console_live(story, 0, "alice");
    int64_t alarm = alarm_create(story->world, story->alice, story->site, "fire", 1);
    assert_true(run_until(story, alice, has_open_alarm, alarm, ARRIVAL_WAIT_MS));
    /* Stopped, not dead: the connection stays open and only the missing
     * heartbeats tell. */
    kill(story->world->pid, SIGSTOP);
    int64_t frozen = harness_now_ms();
    bool lost = run_until(story, alice, is_link, CLIENT_LINK_LOST, 8000);
    int64_t noticed = harness_now_ms() - frozen;
    if (!lost || noticed > 6000)
        kill(story->world->pid, SIGCONT);
    assert_true(lost);
    printf("# lost %lld ms after the freeze\n", (long long)noticed);
    assert_true(noticed <= 6000);
    assert_true(client_lost_since_ms(alice->client) > 0);
    /* Nothing is sent to a backend that may be gone. */
    assert_int_equal(client_claim(alice->client, alarm), -1);
    kill(story->world->pid, SIGCONT);
    assert_true(run_until(story, alice, matches_server, 0, RECONNECT_WAIT_MS));
    assert_int_equal(client_lost_since_ms(alice->client), 0);
    assert_int_equal(alice->reloads - alice->start_reloads, 0);
}

static void test_after_a_restart_the_queue_is_exactly_the_servers(void **state)
{
    struct story *story = *state;
    make_changes(story, 6);
    struct console *alice = console_live(story, 0, "alice");
    make_changes(story, 4);
    assert_true(run_until(story, alice, matches_server, 0, ARRIVAL_WAIT_MS));

    /* A crash is noticed at once: the connection breaks. */
    world_kill(story->world);
    int64_t killed = harness_now_ms();
    assert_true(run_until(story, alice, is_link, CLIENT_LINK_LOST, 6000));
    printf("# lost %lld ms after the kill\n", (long long)(harness_now_ms() - killed));

    /* Changes the console does not see: it is not run until they are made. */
    assert_true(world_start(story->world));
    make_changes(story, 9);
    assert_true(run_until(story, alice, matches_server, 0, RECONNECT_WAIT_MS));
    /* It resumed where it was: no reload was needed. */
    assert_int_equal(alice->reloads - alice->start_reloads, 0);
    make_changes(story, 2);
    assert_true(run_until(story, alice, matches_server, 0, ARRIVAL_WAIT_MS));
}

/* Whether a stream resumed after `last` starts with a resync. */
static bool server_would_resync(struct story *story, int64_t last)
{
    char resume[32];
    snprintf(resume, sizeof resume, "%lld", (long long)last);
    struct sse_client *stream = sse_open(story->world, story->alice, resume);
    bool resync = sse_status(stream) == 200 && sse_wait(stream, "resync", 1, 800);
    sse_close(stream);
    return resync;
}

static void test_a_console_too_far_behind_reloads_its_queue(void **state)
{
    struct story *story = *state;
    struct console *alice = console_live(story, 0, "alice");
    make_changes(story, 3);
    assert_true(run_until(story, alice, matches_server, 0, ARRIVAL_WAIT_MS));
    int64_t last = model_last_sequence(alice->model);
    assert_int_equal(world_stop(story->world), 0);
    assert_true(run_until(story, alice, is_link, CLIENT_LINK_LOST, 6000));

    /* While the console is away, more changes than the server keeps. */
    assert_true(world_start(story->world));
    make_changes(story, 40);
    int64_t deadline = harness_now_ms() + 8000;
    while (!server_would_resync(story, last) && harness_now_ms() < deadline)
        harness_sleep_ms(200);
    assert_true(server_would_resync(story, last));

    assert_true(run_until(story, alice, matches_server, 0, RECONNECT_WAIT_MS));
    assert_int_equal(alice->reloads - alice->start_reloads, 1);
    make_changes(story, 2);
    assert_true(run_until(story, alice, matches_server, 0, ARRIVAL_WAIT_MS));
}

/* Another node with its own store (until PostgreSQL, nodes share
 * nothing): the console's session is unknown there and its sequences mean
 * nothing, so it logs in again and reloads, and then shows that node's
 * queue exactly. */
static void test_when_its_node_dies_the_console_fails_over_to_the_next(void **state)
{
    struct story *story = *state;
    struct world *spare = story->spare = world_clone(template);
    assert_non_null(spare);
    assert_true(world_start(spare));
    const char *spare_alice = login(spare, "alice", PASSWORD);
    assert_non_null(spare_alice);
    assert_true(alarm_create(spare, spare_alice, story->site, "fire", 1) > 0);
    make_changes(story, 5);
    char error[256] = "";
    assert_non_null(console_start_on(story, 0, "alice", PASSWORD, NULL, NULL, spare->base_url,
                                     error, sizeof error));
    struct console *alice = &story->consoles[0];
    assert_true(run_until(story, alice, matches_server, 0, LIVE_WAIT_MS));
    alice->start_reloads = alice->reloads;

    world_kill(story->world);
    assert_true(run_until(story, alice, is_link, CLIENT_LINK_LOST, 6000));
    int64_t lost = harness_now_ms();
    /* From here the story's server is the spare node. */
    struct world *dead = story->world;
    story->world = spare;
    story->spare = dead;
    story->alice = spare_alice;
    assert_true(run_until(story, alice, matches_server, 0, RECONNECT_WAIT_MS));
    /* The dead node refuses the connection: the console moves on at once,
     * not after the backoff on it (250 ms doubling past 4 s, 7.75 s). */
    int64_t moved = harness_now_ms() - lost;
    printf("# on the next node %lld ms after the link was lost\n", (long long)moved);
    assert_true(moved < CLIENT_BACKOFF_MAX_MS);
    assert_string_equal(client_server_url(alice->client), spare->base_url);
    assert_string_equal(client_node_name(alice->client), spare->node_name);
    assert_int_equal(alice->reloads - alice->start_reloads, 1);
    int64_t arriving = alarm_create(spare, spare_alice, story->site, "panic", 1);
    assert_true(run_until(story, alice, has_open_alarm, arriving, ARRIVAL_WAIT_MS));
    int request = client_claim(alice->client, arriving);
    assert_true(run_until(story, alice, action_finished, request, ARRIVAL_WAIT_MS));
    assert_true(alice->action_ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_an_operator_logs_in_and_follows_the_queue_live,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(test_wrong_credentials_and_no_server_are_said_at_start,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(test_a_token_is_checked_and_its_role_asked, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_a_dead_first_url_costs_nothing, world_up, world_down),
        cmocka_unit_test_setup_teardown(test_a_frozen_server_is_lost_within_six_seconds, world_up,
                                        world_down),
        cmocka_unit_test_setup_teardown(test_after_a_restart_the_queue_is_exactly_the_servers,
                                        world_up, world_down),
        cmocka_unit_test_setup_teardown(test_a_console_too_far_behind_reloads_its_queue,
                                        world_up_short_retention, world_down),
        cmocka_unit_test_setup_teardown(test_when_its_node_dies_the_console_fails_over_to_the_next,
                                        world_up, world_down),
    };
    return cmocka_run_group_tests(tests, template_up, template_down);
}
