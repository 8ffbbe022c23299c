/* sim_agents.c: `vigie-sim agents`: the security agents of `make demo`
 * who answer a mass alert. It watches what the demo's gateways handed to
 * the agents (sim_agents_inbox.c) and, for a share of them, a few seconds
 * later, answers through the real paths (sim_agents_reply.c): mostly an
 * acknowledgement ("Bien recu"), now and then a sighting ("Homme veste
 * noire vu arret de bus face au centre DUPOND"), by SMS or e-mail as the
 * alert came, and on the reply page for those alerted by push or who
 * follow their link. The first agent an alert reaches always answers,
 * with a sighting: each alert of the demo has one to relay. Each browser
 * that gets a push says it showed it, as the page's service worker does.
 * An agent answers once, whatever the number of channels that reached
 * him (his reply link is the same on each). Counts and pace are bounded:
 * a demo, not a load test. One line per answer on standard output. */
#include "tools/sim/sim_agents.h"
#include "tools/sim/sim.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The gateways' output is looked at this often. */
#define AGENTS_POLL_MS 250
/* Answers waiting for their time; an agent beyond it does not answer. */
#define AGENTS_PENDING_MAX 64
/* Reply links already seen (each agent decides once): several alerts of
 * a demo's 30 km circles. */
#define AGENTS_TOKENS_MAX 16384
/* At most two answers a second: the console shows them come in. */
#define AGENTS_GAP_MS 500
/* Defaults: one agent in five answers, 3 to 15 s after the message. */
#define AGENTS_SHARE_DEFAULT     20
#define AGENTS_DELAY_MIN_DEFAULT 3
#define AGENTS_DELAY_MAX_DEFAULT 15
/* Messages further apart than this belong to another alert. */
#define AGENTS_WAVE_GAP_MS 30000
/* The first answer to an alert is a sighting, then one in this many. */
#define AGENTS_SIGHTING_EVERY 5
/* One answer in this many by SMS or e-mail goes on the page instead. */
#define AGENTS_WEB_EVERY 7
/* A reply token: 32 bytes in base64url. */
#define AGENTS_TOKEN_LEN 43

/* What agents write. SMS texts are ASCII: phones type them without
 * accents, and GSM 03.38 has no "â". The acknowledgements are words
 * vigied reads as "received" (massalert_reply_text.c). */
static const char *const sms_acks[] = {"Bien recu", "OK", "Recu", "Compris", "Message recu"};
static const char *const mail_acks[] = {"Bien reçu", "Reçu", "Compris", "Message reçu"};
static const struct {
    const char *sms, *full;
} sightings[] = {
    {"Homme veste noire vu arret de bus face au centre DUPOND",
     "Homme veste noire vu à l'arrêt de bus face au centre DUPOND"},
    {"Individu correspondant au signalement devant l'entree du parking, part vers la gare",
     "Individu correspondant au signalement devant l'entrée du parking, part vers la gare"},
    {"Vu un homme pantalon blanc qui court rue de la Paix direction Opera",
     "Vu un homme pantalon blanc qui court rue de la Paix, direction Opéra"},
    {"Suspect vu il y a 5 min pres des quais, sac a dos gris",
     "Suspect vu il y a 5 min près des quais, sac à dos gris"},
};
#define COUNT(array) (sizeof array / sizeof array[0])

struct agents {
    struct sim_agents_paths paths;
    struct sim_agents_inbox *inbox;
    int share, delay_min_s, delay_max_s, seconds;
    uint64_t tokens[AGENTS_TOKENS_MAX];
    size_t token_count;
    bool tokens_full_said;
    struct sim_agents_answer *pending[AGENTS_PENDING_MAX];
    int pending_count;
    long planned; /* answers planned since the alert's first message */
    long answered, failed;
    int64_t last_message_ms;
    int64_t last_answer_ms;
};

volatile sig_atomic_t sim_agents_stopping;

static void on_signal(int signal_number)
{
    (void)signal_number;
    sim_agents_stopping = 1;
}

/* ---- deciding who answers ---- */

/* The reply link in a message: "http..." up to the token after "/r/". */
static bool find_link(const char *text, char *link, size_t size)
{
    const char *mark = strstr(text, "/r/");
    if (!mark)
        return false;
    const char *start = mark;
    while (start > text && start[-1] != ' ' && start[-1] != '\n' && start[-1] != '"' &&
           start[-1] != '\t')
        start--;
    const char *token = mark + 3, *end = token;
    while ((*end >= 'A' && *end <= 'Z') || (*end >= 'a' && *end <= 'z') ||
           (*end >= '0' && *end <= '9') || *end == '-' || *end == '_')
        end++;
    if (end - token != AGENTS_TOKEN_LEN || strncmp(start, "http", 4) != 0 ||
        (size_t)(end - start) >= size)
        return false;
    snprintf(link, size, "%.*s", (int)(end - start), start);
    return true;
}

/* FNV-1a of the token: the set keeps 8 bytes per agent, not 43. */
static uint64_t token_hash(const char *link)
{
    uint64_t hash = 0xcbf29ce484222325u;
    for (const char *c = strstr(link, "/r/") + 3; *c; c++)
        hash = (hash ^ (unsigned char)*c) * 0x100000001b3u;
    return hash;
}

/* True the first time an agent's link is seen. */
static bool first_sight(struct agents *agents, const char *link)
{
    uint64_t hash = token_hash(link);
    for (size_t i = 0; i < agents->token_count; i++)
        if (agents->tokens[i] == hash)
            return false;
    if (agents->token_count == AGENTS_TOKENS_MAX) {
        if (!agents->tokens_full_said)
            fprintf(stderr, _("vigie-sim agents: %d agents answered or not: no more answers\n"),
                    AGENTS_TOKENS_MAX);
        agents->tokens_full_said = true;
        return false;
    }
    agents->tokens[agents->token_count++] = hash;
    return true;
}

static int between(int low, int high)
{
    return high > low ? low + rand() % (high - low + 1) : low;
}

/* Copies what fits of a UTF-8 text, never half a character. */
static void copy_whole_characters(char *out, size_t size, const char *text)
{
    size_t length = strnlen(text, size - 1);
    if (text[length])
        while (length > 0 && ((unsigned char)text[length] & 0xc0) == 0x80)
            length--; /* text[length] starts the first character left out */
    memcpy(out, text, length);
    out[length] = '\0';
}

/* What the agent writes, and where, for the planned-th answer. */
static void choose_words(struct sim_agents_answer *answer, long planned)
{
    answer->sighting = planned % AGENTS_SIGHTING_EVERY == 0;
    bool ascii = answer->channel == SIM_AGENTS_SMS;
    if (answer->sighting) {
        size_t which = (size_t)(planned / AGENTS_SIGHTING_EVERY) % COUNT(sightings);
        snprintf(answer->text, sizeof answer->text, "%s",
                 ascii ? sightings[which].sms : sightings[which].full);
    } else if (ascii) {
        snprintf(answer->text, sizeof answer->text, "%s", sms_acks[rand() % COUNT(sms_acks)]);
    } else {
        snprintf(answer->text, sizeof answer->text, "%s", mail_acks[rand() % COUNT(mail_acks)]);
    }
}

static void plan(void *closure, const struct sim_agents_message *message)
{
    struct agents *agents = closure;
    char link[SIM_AGENTS_LINK_MAX], why[512];
    if (!find_link(message->text, link, sizeof link))
        return;
    /* Every browser shows its push and says so, answering or not. */
    if (message->channel == SIM_AGENTS_PUSH && !sim_agents_push_shown(link, why, sizeof why)) {
        printf("not acknowledged %s: %s\n", link, why);
        fflush(stdout);
    }
    if (!first_sight(agents, link))
        return;
    /* A new alert's messages come after a quiet spell: its first agent
     * reached answers, with a sighting, so that each alert has one. */
    int64_t now = clock_monotonic_ms();
    if (now - agents->last_message_ms > AGENTS_WAVE_GAP_MS)
        agents->planned = 0;
    agents->last_message_ms = now;
    if ((agents->planned > 0 && rand() % 100 >= agents->share) ||
        agents->pending_count == AGENTS_PENDING_MAX)
        return; /* this one reads it and stays at his post */
    struct sim_agents_answer *answer = calloc(1, sizeof *answer);
    if (!answer)
        return;
    snprintf(answer->link, sizeof answer->link, "%s", link);
    long planned = agents->planned++;
    answer->channel = message->channel;
    if (message->channel == SIM_AGENTS_PUSH || planned % AGENTS_WEB_EVERY == 3 ||
        (message->channel == SIM_AGENTS_EMAIL && !message->reply_to[0]))
        answer->channel = SIM_AGENTS_WEB; /* he taps the notification, or the link */
    if (message->channel == SIM_AGENTS_SMS)
        snprintf(answer->phone, sizeof answer->phone, "%s", message->phone);
    if (message->channel == SIM_AGENTS_EMAIL) {
        snprintf(answer->agent_email, sizeof answer->agent_email, "%s", message->agent_email);
        snprintf(answer->reply_to, sizeof answer->reply_to, "%s", message->reply_to);
        snprintf(answer->subject, sizeof answer->subject, "%s", message->subject);
        snprintf(answer->message_id, sizeof answer->message_id, "%s", message->message_id);
        copy_whole_characters(answer->quoted, sizeof answer->quoted, message->text);
    }
    choose_words(answer, planned);
    answer->due_ms = clock_monotonic_ms() +
                     (int64_t)between(agents->delay_min_s * 1000, agents->delay_max_s * 1000);
    agents->pending[agents->pending_count++] = answer;
}

/* ---- answering ---- */

static const char *channel_name(enum sim_agents_channel channel)
{
    return channel == SIM_AGENTS_SMS     ? "SMS"
           : channel == SIM_AGENTS_EMAIL ? "e-mail"
           : channel == SIM_AGENTS_WEB   ? "web"
                                         : "push";
}

/* Sends the answer that is due first, if one is and the pace allows. */
static void answer_due(struct agents *agents)
{
    int64_t now = clock_monotonic_ms();
    if (now - agents->last_answer_ms < AGENTS_GAP_MS)
        return;
    int first = -1;
    for (int i = 0; i < agents->pending_count; i++)
        if (agents->pending[i]->due_ms <= now &&
            (first < 0 || agents->pending[i]->due_ms < agents->pending[first]->due_ms))
            first = i;
    if (first < 0)
        return;
    struct sim_agents_answer *answer = agents->pending[first];
    agents->pending[first] = agents->pending[--agents->pending_count];
    char why[512];
    const char *who = answer->channel == SIM_AGENTS_SMS     ? answer->phone
                      : answer->channel == SIM_AGENTS_EMAIL ? answer->agent_email
                                                            : answer->link;
    if (sim_agents_answer(&agents->paths, answer, why, sizeof why)) {
        agents->answered++;
        printf("answered %s by %s (%s): %s\n", who, channel_name(answer->channel),
               answer->sighting ? "seen" : "received", answer->text);
    } else {
        agents->failed++;
        printf("not answered %s by %s: %s\n", who, channel_name(answer->channel), why);
    }
    fflush(stdout);
    free(answer);
    agents->last_answer_ms = clock_monotonic_ms();
}

static int run(struct agents *agents)
{
    struct sigaction action = {.sa_handler = on_signal};
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    signal(SIGPIPE, SIG_IGN); /* a mail-in that died early fails its answer */
    int64_t end = agents->seconds > 0 ? clock_monotonic_ms() + agents->seconds * 1000LL : 0;
    printf("agents: watching (%d%% answer, %d to %d s later)\n", agents->share, agents->delay_min_s,
           agents->delay_max_s);
    fflush(stdout);
    while (!sim_agents_stopping && (!end || clock_monotonic_ms() < end)) {
        sim_agents_inbox_read(agents->inbox, plan, agents);
        answer_due(agents);
        usleep(AGENTS_POLL_MS * 1000);
    }
    for (int i = 0; i < agents->pending_count; i++)
        free(agents->pending[i]);
    printf("agents: stopped after %ld answer(s), %ld failed\n", agents->answered, agents->failed);
    return SIM_EXIT_OK;
}

/* ---- the command ---- */

static void usage(void)
{
    fprintf(stderr, "%s",
            _("usage: vigie-sim agents --server URL [--sms-log FILE --sms-centre HOST:PORT]\n"
              "                        [--short-code N] [--fakesmsc PATH]\n"
              "                        [--mail-dir DIR --vigied PATH] [--push-dir DIR]\n"
              "                        [--share PERCENT] [--delay-min S] [--delay-max S]\n"
              "                        [--seed N] [--seconds S]\n"
              "  agents who answer mass alerts: reads what the phones' fakesmsc printed\n"
              "  (FILE), what the SMTP sink kept (DIR/NNNN.eml) and what the push service\n"
              "  decrypted (DIR/messages); PERCENT of the agents (default 20) answer 3 to\n"
              "  15 s later: by SMS through Kannel's centre at HOST:PORT, by e-mail through\n"
              "  `vigied mail-in`, or on their reply page; runs until SIGINT or SIGTERM\n"));
}

static bool parse(int argc, char **argv, struct agents *agents, const char **sms_log,
                  const char **mail_dir, const char **push_dir, unsigned *seed)
{
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!value)
            return false;
        const char **texts[] = {&agents->paths.server,
                                &agents->paths.sms_centre,
                                &agents->paths.short_code,
                                &agents->paths.fakesmsc,
                                &agents->paths.vigied,
                                sms_log,
                                mail_dir,
                                push_dir};
        static const char *const text_names[] = {"--server",   "--sms-centre", "--short-code",
                                                 "--fakesmsc", "--vigied",     "--sms-log",
                                                 "--mail-dir", "--push-dir"};
        int *numbers[] = {&agents->share, &agents->delay_min_s, &agents->delay_max_s,
                          &agents->seconds};
        static const char *const number_names[] = {"--share", "--delay-min", "--delay-max",
                                                   "--seconds"};
        bool known = false;
        for (size_t t = 0; t < COUNT(text_names) && !known; t++)
            if (strcmp(argv[i], text_names[t]) == 0)
                *texts[t] = value, known = true;
        for (size_t n = 0; n < COUNT(number_names) && !known; n++)
            if (strcmp(argv[i], number_names[n]) == 0)
                *numbers[n] = atoi(value), known = true;
        if (!known && strcmp(argv[i], "--seed") == 0)
            *seed = (unsigned)strtoul(value, NULL, 10), known = true;
        if (!known)
            return false;
        i++;
    }
    return agents->paths.server && agents->share >= 0 && agents->share <= 100 &&
           agents->delay_min_s >= 0 && agents->delay_max_s >= agents->delay_min_s &&
           agents->seconds >= 0 && (*sms_log || *mail_dir || *push_dir) &&
           (!*sms_log || agents->paths.sms_centre) && (!*mail_dir || agents->paths.vigied);
}

int sim_command_agents(int argc, char **argv)
{
    static struct agents agents; /* its token set is large */
    agents.share = AGENTS_SHARE_DEFAULT;
    agents.delay_min_s = AGENTS_DELAY_MIN_DEFAULT;
    agents.delay_max_s = AGENTS_DELAY_MAX_DEFAULT;
    agents.paths.short_code = "38000";
    agents.paths.fakesmsc = "/usr/lib/kannel/test/fakesmsc";
    const char *sms_log = NULL, *mail_dir = NULL, *push_dir = NULL;
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    if (argc > 1 && strcmp(argv[1], "--help") == 0) {
        usage();
        return SIM_EXIT_OK;
    }
    if (!parse(argc, argv, &agents, &sms_log, &mail_dir, &push_dir, &seed)) {
        usage();
        return SIM_EXIT_USAGE;
    }
    if (sms_log && access(agents.paths.fakesmsc, X_OK) != 0) {
        fprintf(stderr,
                _("vigie-sim agents: %s is missing: no SMS answers (apt-get install "
                  "kannel-extras)\n"),
                agents.paths.fakesmsc);
        sms_log = NULL;
    }
    srand(seed);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    agents.inbox = sim_agents_inbox_new(sms_log, mail_dir, push_dir);
    int status = agents.inbox ? run(&agents) : SIM_EXIT_USAGE;
    sim_agents_inbox_free(agents.inbox);
    curl_global_cleanup();
    return status;
}
