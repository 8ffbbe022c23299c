/* massalert_audience.h: who in a circle a mass alert reaches, and on which
 * channels. Only vetted agents of validated sites who are on duty at send
 * time (their duty hours in their site's time zone) are selected, and
 * only on the channels they can be reached by: an SMS needs a mobile
 * number, a voice call any number, an e-mail an address, a push a Web
 * Push subscription. Everyone left out is counted under the first reason
 * that applies, in the order the console shows them. Pure functions: the
 * store finds the candidates in the circle, this decides. */
#ifndef VIGIE_MASSALERT_AUDIENCE_H
#define VIGIE_MASSALERT_AUDIENCE_H

#include <stdbool.h>
#include <stdint.h>

enum massalert_channel {
    MASSALERT_SMS,
    MASSALERT_EMAIL,
    MASSALERT_VOICE,
    MASSALERT_PUSH,
    MASSALERT_CHANNELS
};
#define MASSALERT_CHANNEL_BIT(channel) (1u << (channel))

enum massalert_verdict {
    MASSALERT_SELECTED,
    MASSALERT_NOT_VETTED,
    MASSALERT_SITE_NOT_VALIDATED,
    MASSALERT_OFF_DUTY,
    MASSALERT_NO_CONTACT, /* none of the channels asked for reaches him */
    MASSALERT_VERDICTS
};

struct massalert_candidate {
    bool vetted;
    bool site_validated;
    const char *duty;       /* "24/7", "Mo-Fr 07:00-19:00" */
    const char *timezone;   /* the site's */
    const char *phone;      /* E.164 or NULL */
    const char *phone_kind; /* "mobile", "fixed-or-mobile", "fixed", "other" or NULL */
    const char *email;      /* or NULL */
    bool has_push;
};

/* "sms", "email", "voice", "push". */
const char *massalert_channel_name(enum massalert_channel channel);
bool massalert_channel_parse(const char *text, enum massalert_channel *out);
/* "not_vetted", "site_not_validated", "off_duty", "no_contact" (the API's keys). */
const char *massalert_verdict_name(enum massalert_verdict verdict);

/* The verdict on one agent at `now_ms` for the channels asked for (a
 * mask of MASSALERT_CHANNEL_BIT); *reachable gets the channels he will
 * receive on when selected. A duty text or zone that cannot be read
 * counts as off duty: an alert never goes to someone whose hours are not
 * known to include now. */
enum massalert_verdict massalert_judge(const struct massalert_candidate *candidate,
                                       unsigned channels, int64_t now_ms, unsigned *reachable);

/* The same rules in parts, for a selection that judges a million agents
 * (store_massalert_audience.c): the channels that reach a candidate
 * (whatever was asked), whether a duty text includes now in a zone (an
 * unreadable text or zone: no), and the verdict from those facts. A
 * duty's answer is the same for every agent with the same text and zone,
 * so a caller evaluates it once per pair and alert. */
unsigned massalert_reach(const struct massalert_candidate *candidate);
bool massalert_on_duty(const char *duty, const char *timezone, int64_t now_ms);
enum massalert_verdict massalert_judge_known(bool vetted, bool site_validated, bool on_duty,
                                             unsigned reach, unsigned channels,
                                             unsigned *reachable);

#endif
