/* sim_agents.h: what the two halves of `vigie-sim agents` share: the
 * watcher (sim_agents.c), which reads what the demo's gateways handed to
 * the agents' phones, mailboxes and browsers and decides who answers and
 * when, and the answers (sim_agents_reply.c), which go back through the
 * paths a real agent's would: an SMS through Kannel's SMS centre, an
 * e-mail through `vigied mail-in` (what the mail server runs for each
 * reply), a form posted on the reply page. */
#ifndef VIGIE_SIM_AGENTS_H
#define VIGIE_SIM_AGENTS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A reply link is public_url + "/r/" + a 43-character token. */
#define SIM_AGENTS_LINK_MAX 512
/* An e-mail address (RFC 5321 allows 254) or an E.164 number. */
#define SIM_AGENTS_ADDRESS_MAX 320
/* What an agent writes, and what his mail client quotes of the alert. */
#define SIM_AGENTS_TEXT_MAX 640
/* A header value the answer copies (Subject, Message-ID). */
#define SIM_AGENTS_HEADER_MAX 1024

enum sim_agents_channel {
    SIM_AGENTS_SMS,
    SIM_AGENTS_EMAIL,
    SIM_AGENTS_PUSH, /* received only: a push is answered on the page */
    SIM_AGENTS_WEB,  /* answered only: the reply page's forms */
};

/* A message an agent received, as the inboxes read it. */
struct sim_agents_message {
    enum sim_agents_channel channel;
    const char *text;  /* what it says, with the agent's reply link */
    const char *phone; /* SMS: the agent's number */
    /* E-mail: the agent's address, where replies go (empty when the
     * centre set no reply domain), and what a reply quotes. */
    const char *agent_email, *reply_to, *subject, *message_id;
};

typedef void sim_agents_receive_fn(void *closure, const struct sim_agents_message *message);

/* What the gateways handed to agents (sim_agents_inbox.c): the output of
 * the fakesmsc that plays the phones (its "Got message" lines, long SMS
 * put back together from their parts), the SMTP sink's directory
 * (NNNN.eml), the push service's (messages/NNNN-ID.txt). Each NULL when
 * that gateway is not there. */
struct sim_agents_inbox;
struct sim_agents_inbox *sim_agents_inbox_new(const char *sms_log, const char *mail_dir,
                                              const char *push_dir);
/* Calls `receive` for each message that arrived since the last call. */
void sim_agents_inbox_read(struct sim_agents_inbox *inbox, sim_agents_receive_fn *receive,
                           void *closure);
void sim_agents_inbox_free(struct sim_agents_inbox *inbox);

/* One agent's answer, as the watcher planned it. */
struct sim_agents_answer {
    enum sim_agents_channel channel;
    int64_t due_ms;                 /* monotonic */
    bool sighting;                  /* else an acknowledgement */
    char link[SIM_AGENTS_LINK_MAX]; /* his own reply link */
    char phone[32];                 /* SMS: his number */
    char agent_email[SIM_AGENTS_ADDRESS_MAX];
    char reply_to[SIM_AGENTS_ADDRESS_MAX]; /* e-mail: where it goes */
    char subject[SIM_AGENTS_HEADER_MAX];
    char message_id[SIM_AGENTS_HEADER_MAX];
    char quoted[SIM_AGENTS_TEXT_MAX]; /* the alert's text, quoted */
    char text[SIM_AGENTS_TEXT_MAX];   /* what he writes */
};

/* Where the answers go. */
struct sim_agents_paths {
    const char *server;     /* vigied's base URL, for mail-in */
    const char *vigied;     /* the vigied binary: `vigied mail-in` */
    const char *fakesmsc;   /* Kannel's fake SMS centre client */
    const char *sms_centre; /* HOST:PORT of the centre agents answer through */
    const char *short_code; /* the number agents answer to */
};

/* Set by SIGINT or SIGTERM: an answer under way gives up at once. */
extern volatile sig_atomic_t sim_agents_stopping;

/* What an agent's browser does once it has shown a push message: its
 * service worker tells the reply link (POST <link>/delivered), which
 * makes the message delivered. False with why. */
bool sim_agents_push_shown(const char *link, char *why, size_t why_size);

/* Sends one answer; false with why. Blocks for at most a few seconds (an
 * SMS waits for the centre to take it). */
bool sim_agents_answer(const struct sim_agents_paths *paths, const struct sim_agents_answer *answer,
                       char *why, size_t why_size);

#endif
