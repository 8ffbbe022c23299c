/* voice_sip.c: the SIP user agent of the voice calls (see voice_sip.h). */
#include "server/voice_sip.h"
#include "server/voice_re.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hash table sizes of libre's SIP stack (client and server transactions,
 * connections): buckets, not limits; a few times the calls at once. */
#define VOICE_SIP_HASH_SIZE 64
/* Name servers read from the system's resolver configuration. */
#define VOICE_SIP_NAMESERVERS_MAX 8

struct voice_sip {
    struct dnsc *dnsc;
    struct sip *sip;
    struct sipsess_sock *sessions;
    struct sa address;
};

/* Nobody calls vigied: an INVITE is declined. */
static void refuse_call(const struct sip_msg *msg, void *arg)
{
    struct voice_sip *voice = arg;
    (void)sip_treply(NULL, voice->sip, msg, 603, "Decline");
}

static bool local_address(const char *listen, struct sa *address)
{
    if (listen && listen[0]) {
        if (sa_decode(address, listen, str_len(listen)) == 0)
            return true;
        return sa_set_str(address, listen, 0) == 0;
    }
    if (net_default_source_addr_get(AF_INET, address) != 0)
        return false;
    sa_set_port(address, 0);
    return true;
}

struct voice_sip *voice_sip_open(const char *listen, char *error, size_t error_size)
{
    struct voice_sip *voice = calloc(1, sizeof *voice);
    if (!voice) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    if (!local_address(listen, &voice->address)) {
        snprintf(error, error_size, "voice: bad local SIP address \"%s\"", listen);
        free(voice);
        return NULL;
    }
    struct sa servers[VOICE_SIP_NAMESERVERS_MAX];
    uint32_t server_count = VOICE_SIP_NAMESERVERS_MAX;
    char domain[64] = "";
    int err = dns_srv_get(domain, sizeof domain, servers, &server_count);
    if (err)
        server_count = 0; /* gateways given by address still work */
    err = dnsc_alloc(&voice->dnsc, NULL, servers, server_count);
    if (!err)
        err = sip_alloc(&voice->sip, voice->dnsc, VOICE_SIP_HASH_SIZE, VOICE_SIP_HASH_SIZE,
                        VOICE_SIP_HASH_SIZE, "vigied", NULL, NULL);
    if (!err)
        err = sip_transp_add(voice->sip, SIP_TRANSP_UDP, &voice->address);
    if (!err)
        err = sip_transp_laddr(voice->sip, &voice->address, SIP_TRANSP_UDP, NULL);
    if (!err)
        err = sipsess_listen(&voice->sessions, voice->sip, VOICE_SIP_HASH_SIZE, refuse_call, voice);
    if (err) {
        snprintf(error, error_size, "voice: cannot start SIP on %s: %s",
                 listen && listen[0] ? listen : "the default address", strerror(err));
        voice_sip_close(voice);
        return NULL;
    }
    return voice;
}

void voice_sip_close(struct voice_sip *voice)
{
    if (!voice)
        return;
    voice->sessions = mem_deref(voice->sessions);
    if (voice->sip)
        sip_close(voice->sip, true);
    voice->sip = mem_deref(voice->sip);
    voice->dnsc = mem_deref(voice->dnsc);
    free(voice);
}

struct sipsess_sock *voice_sip_sessions(struct voice_sip *voice)
{
    return voice->sessions;
}

const struct sa *voice_sip_address(const struct voice_sip *voice)
{
    return &voice->address;
}
