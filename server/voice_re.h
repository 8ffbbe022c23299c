/* voice_re.h: libre and librem (the SIP, SDP, RTP and G.711 of the voice
 * channel), included with the feature macros their headers expect, so
 * that every voice file sees the same declarations. Only voice_*.c and
 * connector_voice.c include it: libre's names stay out of the rest. */
#ifndef VIGIE_VOICE_RE_H
#define VIGIE_VOICE_RE_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>

#ifndef HAVE_INTTYPES_H
#define HAVE_INTTYPES_H 1
#endif
#ifndef HAVE_STDBOOL_H
#define HAVE_STDBOOL_H 1
#endif

#include <re.h>
#include <rem.h>

#endif
