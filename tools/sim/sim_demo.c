/* sim_demo.c: `vigie-sim demo`: a plausible, endless life of a small centre
 * for `make demo`: panels open and close their sites, send periodic tests
 * and the odd technical fault; now and then a burglary; rarely a duress
 * code; and every few minutes a victim's protection phone presses SOS and
 * follows with a few positions. Each message goes through the real
 * protocols (the dc09 and phone commands), so the demo shows exactly what
 * a centre would see. */
#include "tools/sim/sim.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEMO_ACCOUNTS_MAX 128
#define DEMO_PHONES_MAX   32
/* Seconds between panel events, and between phone SOS: a calm night. */
#define DEMO_EVENT_GAP_MIN_S 2
#define DEMO_EVENT_GAP_MAX_S 6
#define DEMO_SOS_EVERY_S     120
/* The first SOS comes at once, so that `make demo` shows a victim's file
 * with a live track within its first minute. */
#define DEMO_FIRST_SOS_S 5

struct demo_phone {
    char uid[32];
    char token[80];
};

struct demo {
    const char *server, *dc09;
    char accounts[DEMO_ACCOUNTS_MAX][DC09_ACCOUNT_SIZE];
    int account_count;
    struct demo_phone phones[DEMO_PHONES_MAX];
    int phone_count;
    int seconds; /* 0: until killed */
    unsigned seed;
};

/* The mix of what panels send, in percent. */
static const struct {
    int weight;
    const char *code;
} panel_mix[] = {
    {20, "1401"}, /* disarm (open) */
    {20, "3401"}, /* arm (close) */
    {25, "1602"}, /* periodic test: recorded closed */
    {8, "1301"},  /* AC power lost */
    {7, "3301"},  /* AC power restored */
    {5, "1384"},  /* detector battery low */
    {12, "1130"}, /* burglary */
    {2, "1110"},  /* fire */
    {1, "1121"},  /* duress: priority 1 */
};

/* Where the demo's victims are (city centres of the demo data). */
static const double places[][2] = {
    {48.8534, 2.3488}, {48.8795, 2.3566}, {43.7031, 7.2661}, {50.8467, 4.3525}, {48.8420, 2.3210},
};

static const char *pick_code(void)
{
    int total = 0;
    for (size_t i = 0; i < sizeof panel_mix / sizeof panel_mix[0]; i++)
        total += panel_mix[i].weight;
    int roll = rand() % total;
    for (size_t i = 0; i < sizeof panel_mix / sizeof panel_mix[0]; i++) {
        if (roll < panel_mix[i].weight)
            return panel_mix[i].code;
        roll -= panel_mix[i].weight;
    }
    return "1602";
}

static void panel_event(struct demo *demo, unsigned *seq)
{
    char zone[8], sequence[8];
    *seq = *seq % DC09_SEQ_MAX + 1;
    snprintf(zone, sizeof zone, "%d", rand() % 6 + 1);
    snprintf(sequence, sizeof sequence, "%u", *seq);
    const char *account = demo->accounts[rand() % demo->account_count];
    char *argv[] = {"dc09",
                    "--to",
                    (char *)demo->dc09,
                    "--account",
                    (char *)account,
                    "--code",
                    (char *)pick_code(),
                    "--zone",
                    zone,
                    "--seq",
                    sequence,
                    NULL};
    sim_command_dc09((int)(sizeof argv / sizeof argv[0]) - 1, argv);
}

static void phone_sos(struct demo *demo)
{
    const struct demo_phone *phone = &demo->phones[rand() % demo->phone_count];
    const double *place = places[rand() % (int)(sizeof places / sizeof places[0])];
    char lat[24], lon[24], battery[8];
    snprintf(lat, sizeof lat, "%.5f", place[0] + (rand() % 200 - 100) / 10000.0);
    snprintf(lon, sizeof lon, "%.5f", place[1] + (rand() % 200 - 100) / 10000.0);
    snprintf(battery, sizeof battery, "%d", rand() % 70 + 20);
    char *argv[] = {"phone",
                    "--server",
                    (char *)demo->server,
                    "--device",
                    (char *)phone->uid,
                    "--token",
                    (char *)phone->token,
                    "--lat",
                    lat,
                    "--lon",
                    lon,
                    "--trigger",
                    "sos",
                    "--source",
                    "gps",
                    "--accuracy",
                    "12",
                    "--battery",
                    battery,
                    "--follow",
                    "--count",
                    "3",
                    "--interval",
                    "3",
                    NULL};
    sim_command_phone((int)(sizeof argv / sizeof argv[0]) - 1, argv);
}

static bool add_phone(struct demo *demo, const char *value)
{
    const char *colon = strchr(value, ':');
    if (!colon || demo->phone_count == DEMO_PHONES_MAX)
        return false;
    struct demo_phone *phone = &demo->phones[demo->phone_count++];
    snprintf(phone->uid, sizeof phone->uid, "%.*s", (int)(colon - value), value);
    snprintf(phone->token, sizeof phone->token, "%s", colon + 1);
    return phone->uid[0] && phone->token[0];
}

static bool parse(int argc, char **argv, struct demo *demo)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *value = argv[i + 1];
        if (strcmp(argv[i], "--server") == 0)
            demo->server = value;
        else if (strcmp(argv[i], "--dc09") == 0)
            demo->dc09 = value;
        else if (strcmp(argv[i], "--account") == 0 && demo->account_count < DEMO_ACCOUNTS_MAX)
            snprintf(demo->accounts[demo->account_count++], DC09_ACCOUNT_SIZE, "%s", value);
        else if (strcmp(argv[i], "--phone") == 0) {
            if (!add_phone(demo, value))
                return false;
        } else if (strcmp(argv[i], "--seconds") == 0)
            demo->seconds = atoi(value);
        else if (strcmp(argv[i], "--seed") == 0)
            demo->seed = (unsigned)strtoul(value, NULL, 10);
        else
            return false;
    }
    return (argc - 1) % 2 == 0 && demo->dc09 && demo->seconds >= 0;
}

int sim_command_demo(int argc, char **argv)
{
    struct demo demo = {.seed = (unsigned)clock_now_ms()};
    if (!parse(argc, argv, &demo)) {
        fprintf(stderr, "%s",
                _("usage: vigie-sim demo --dc09 HOST:PORT [--server URL] [--account ACCT]...\n"
                  "                      [--phone DEVICE:TOKEN]... [--seconds S] [--seed N]\n"
                  "  an endless mix of panel events and, with --server and --phone, SOS\n"));
        return SIM_EXIT_USAGE;
    }
    if (demo.account_count == 0) {
        /* The demo dataset's first two panels. */
        snprintf(demo.accounts[demo.account_count++], DC09_ACCOUNT_SIZE, "1234");
        snprintf(demo.accounts[demo.account_count++], DC09_ACCOUNT_SIZE, "A1B2C");
    }
    srand(demo.seed);
    unsigned seq = (unsigned)(rand() % DC09_SEQ_MAX);
    int64_t start = clock_monotonic_ms();
    int64_t next_sos = start + DEMO_FIRST_SOS_S * 1000;
    while (demo.seconds == 0 || clock_monotonic_ms() - start < (int64_t)demo.seconds * 1000) {
        if (demo.server && demo.phone_count > 0 && clock_monotonic_ms() >= next_sos) {
            phone_sos(&demo);
            next_sos = clock_monotonic_ms() + DEMO_SOS_EVERY_S * 1000;
        } else {
            panel_event(&demo, &seq);
        }
        sleep((unsigned)(DEMO_EVENT_GAP_MIN_S +
                         rand() % (DEMO_EVENT_GAP_MAX_S - DEMO_EVENT_GAP_MIN_S + 1)));
    }
    return SIM_EXIT_OK;
}
