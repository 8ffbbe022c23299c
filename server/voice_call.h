/* voice_call.h: one outgoing voice call of a mass alert (libre): an
 * INVITE offering PCMU, PCMA and RFC 4733 telephone events, the spoken
 * message streamed as G.711 RTP once the call is answered, key 1 (a
 * telephone event) recorded as the agent's acknowledgement, then BYE.
 * Runs in the voice worker's thread (libre's loop); the result comes
 * once, through the callback, outside libre's own handlers. */
#ifndef VIGIE_VOICE_CALL_H
#define VIGIE_VOICE_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/voice_speech.h"

struct voice_sip;
struct voice_call;

/* How calls are placed (from the settings). */
struct voice_call_settings {
    const char *uri_template;    /* "sip:%s@gateway": %s is the E.164 number */
    const char *from;            /* our From URI; empty: sip:vigied@<local address> */
    const char *proxy;           /* outbound proxy URI (a route); empty: none */
    const char *user, *password; /* digest credentials; empty user: none */
    int ring_timeout_s;          /* unanswered this long: cancelled */
    int key_wait_s;              /* after the message: time left to press 1 */
    uint16_t rtp_port_min, rtp_port_max;
};

/* The largest a call URI or a SIP reason can be. */
#define VOICE_URI_SIZE     256
#define VOICE_REASON_SIZE  160
#define VOICE_CALL_ID_SIZE 128

enum voice_call_end {
    VOICE_CALL_COMPLETED, /* answered: the message was played (or cut by the agent) */
    VOICE_CALL_BUSY,      /* 486, 600: try again later */
    VOICE_CALL_NO_ANSWER, /* ring timeout, 408, 480: try again later */
    VOICE_CALL_REFUSED,   /* another 4xx (404 unknown number...): never again */
    VOICE_CALL_FAILED,    /* 5xx, 6xx, no route, a network error: try again later */
};

struct voice_call_result {
    enum voice_call_end end;
    bool acknowledged;                /* the agent pressed 1 */
    uint16_t status;                  /* the SIP final status of a call not answered; 0 otherwise */
    char reason[VOICE_REASON_SIZE];   /* for people: "486 Busy Here", "no answer in 30 s" */
    char call_id[VOICE_CALL_ID_SIZE]; /* the SIP Call-ID: the outbox row's reference */
};

/* What a final SIP status that is not 2xx means for the message. */
enum voice_call_end voice_call_classify(uint16_t status);

typedef void voice_call_done(void *context, struct voice_call *call,
                             const struct voice_call_result *result);

/* Dials `number` (E.164, "+33612345678") and plays `audio`, which must
 * live until the callback. The callback runs once; the caller then frees
 * the call with voice_call_free. NULL with `error` when the call could
 * not even start (*permanent: it never will, the number is not one). */
struct voice_call *voice_call_start(struct voice_sip *sip,
                                    const struct voice_call_settings *settings, const char *number,
                                    const struct voice_audio *audio, voice_call_done *done,
                                    void *context, bool *permanent, char *error, size_t error_size);
/* Hangs up (or cancels) without calling back; frees the call. */
void voice_call_free(struct voice_call *call);

#endif
