/* sip_ua.h: the agents' telephones for voice tests: a real SIP user
 * agent (baresip, Debian's baresip-core) on loopback, in a directory of
 * its own, with one account per phone number that answers at once and
 * records what it hears (its sndfile module), driven and watched through
 * its ctrl_tcp interface (netstring JSON): the test sees each call ring,
 * start and end, and presses keys (RFC 4733 telephone events). A phone
 * may also ring and never answer; a number without an account gets
 * baresip's "404 Not Found". */
#ifndef VIGIE_TEST_SIP_UA_H
#define VIGIE_TEST_SIP_UA_H

#include <stdbool.h>
#include <stddef.h>

/* Phone numbers one test's agent may have. */
#define SIP_UA_NUMBERS_MAX 16

struct sip_ua;

/* Starts baresip under DIR/baresip with an account for each E.164
 * number: those of `answering` answer at once, those of `ringing` ring
 * until the caller gives up. NULL (and why on stderr) when it does not
 * come up. */
struct sip_ua *sip_ua_start(const char *dir, const char *const *answering, int answering_count,
                            const char *const *ringing, int ringing_count);
/* Stops baresip and frees; false when it had to be killed. */
bool sip_ua_stop(struct sip_ua *ua);

/* The UDP port SIP is received on (127.0.0.1). */
unsigned sip_ua_port(const struct sip_ua *ua);

/* Reads events until a call is established (true) or `timeout_ms`. */
bool sip_ua_wait_established(struct sip_ua *ua, int timeout_ms);
/* Reads events until every call ended and at least `count` calls were
 * established and closed in all, or `timeout_ms`. */
bool sip_ua_wait_closed(struct sip_ua *ua, int count, int timeout_ms);
/* Presses a key on the call in progress (a telephone event). */
bool sip_ua_press(struct sip_ua *ua, char key);

/* Reads events until `count` calls rang in all, or `timeout_ms`. */
bool sip_ua_wait_rings(struct sip_ua *ua, int count, int timeout_ms);

/* Calls established so far, in progress now, and the most at once. */
int sip_ua_calls_total(const struct sip_ua *ua);
int sip_ua_calls_now(const struct sip_ua *ua);
int sip_ua_calls_max(const struct sip_ua *ua);

/* What the newest recording heard (sox's "stat"): length in seconds and
 * RMS amplitude (0..1). False when there is no recording. */
bool sip_ua_recording(struct sip_ua *ua, double *seconds, double *rms);

#endif
