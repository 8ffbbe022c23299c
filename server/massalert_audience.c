/* massalert_audience.c: the selection rules of a mass alert. */
#include "server/massalert_audience.h"
#include "server/schedule.h"

#include <string.h>

static const char *const channel_names[MASSALERT_CHANNELS] = {"sms", "email", "voice", "push"};
static const char *const verdict_names[MASSALERT_VERDICTS] = {
    "selected", "not_vetted", "site_not_validated", "off_duty", "no_contact"};

const char *massalert_channel_name(enum massalert_channel channel)
{
    return channel_names[channel];
}

bool massalert_channel_parse(const char *text, enum massalert_channel *out)
{
    for (int i = 0; i < MASSALERT_CHANNELS; i++)
        if (strcmp(text, channel_names[i]) == 0) {
            *out = (enum massalert_channel)i;
            return true;
        }
    return false;
}

const char *massalert_verdict_name(enum massalert_verdict verdict)
{
    return verdict_names[verdict];
}

static bool has_text(const char *text)
{
    return text && text[0];
}

unsigned massalert_reach(const struct massalert_candidate *c)
{
    unsigned reach = 0;
    bool mobile =
        has_text(c->phone) && c->phone_kind &&
        (strcmp(c->phone_kind, "mobile") == 0 || strcmp(c->phone_kind, "fixed-or-mobile") == 0);
    if (mobile)
        reach |= MASSALERT_CHANNEL_BIT(MASSALERT_SMS);
    if (has_text(c->phone))
        reach |= MASSALERT_CHANNEL_BIT(MASSALERT_VOICE);
    if (has_text(c->email))
        reach |= MASSALERT_CHANNEL_BIT(MASSALERT_EMAIL);
    if (c->has_push)
        reach |= MASSALERT_CHANNEL_BIT(MASSALERT_PUSH);
    return reach;
}

bool massalert_on_duty(const char *duty, const char *timezone, int64_t now_ms)
{
    struct schedule schedule;
    char why[SCHEDULE_ERROR_MAX];
    bool contains = false;
    return has_text(duty) && has_text(timezone) &&
           schedule_parse(duty, &schedule, why, sizeof why) &&
           schedule_contains(&schedule, timezone, now_ms, &contains, why, sizeof why) && contains;
}

enum massalert_verdict massalert_judge_known(bool vetted, bool site_validated, bool on_duty,
                                             unsigned reach, unsigned channels, unsigned *reachable)
{
    *reachable = 0;
    if (!vetted)
        return MASSALERT_NOT_VETTED;
    if (!site_validated)
        return MASSALERT_SITE_NOT_VALIDATED;
    if (!on_duty)
        return MASSALERT_OFF_DUTY;
    *reachable = reach & channels;
    return *reachable ? MASSALERT_SELECTED : MASSALERT_NO_CONTACT;
}

enum massalert_verdict massalert_judge(const struct massalert_candidate *candidate,
                                       unsigned channels, int64_t now_ms, unsigned *reachable)
{
    /* Duty last and only when it decides: it is the costly rule. */
    bool on_duty = candidate->vetted && candidate->site_validated &&
                   massalert_on_duty(candidate->duty, candidate->timezone, now_ms);
    return massalert_judge_known(candidate->vetted, candidate->site_validated, on_duty,
                                 massalert_reach(candidate), channels, reachable);
}
