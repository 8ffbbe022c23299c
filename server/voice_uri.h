/* voice_uri.h: the SIP URI a voice call dials, from the sip_uri setting
 * ("sip:%s@gateway.example.org", %s the agent's E.164 number). The
 * template comes from a settings file, so it is never given to printf:
 * its one %s is replaced here and any other % is refused. */
#ifndef VIGIE_VOICE_URI_H
#define VIGIE_VOICE_URI_H

#include <stdbool.h>
#include <stddef.h>

/* Whether `template` is a usable sip_uri (sip: or sips:, exactly one %s,
 * no other %); `why` says what is wrong. */
bool voice_uri_check(const char *template, char *why, size_t why_size);
/* The URI for `number` (E.164: "+" and digits only, else false). */
bool voice_uri_make(const char *template, const char *number, char *out, size_t out_size);

#endif
