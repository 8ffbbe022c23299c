/* voice_sip.h: the SIP user agent the voice calls go out through (libre):
 * one UDP transport on a local address, a DNS client for gateways named
 * by host name, and a session socket that refuses incoming calls (vigied
 * places calls, it does not take them). Lives in the voice worker's
 * thread, which runs libre's loop. */
#ifndef VIGIE_VOICE_SIP_H
#define VIGIE_VOICE_SIP_H

#include <stdbool.h>
#include <stddef.h>

struct voice_sip;

/* `listen`: "IP" or "IP:PORT" for SIP over UDP (an empty text: the
 * machine's default source address, any port). */
struct voice_sip *voice_sip_open(const char *listen, char *error, size_t error_size);
/* Stops the transport at once (calls must have ended). */
void voice_sip_close(struct voice_sip *sip);

/* What the calls need of it (libre types, see voice_re.h). */
struct sip;
struct sipsess_sock;
struct sa;
struct sipsess_sock *voice_sip_sessions(struct voice_sip *sip);
const struct sa *voice_sip_address(const struct voice_sip *sip); /* IP and port */

#endif
