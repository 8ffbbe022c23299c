/* voice_call.c: one outgoing call (see voice_call.h). libre does the SIP
 * (transactions, dialog, CANCEL, BYE, digest authentication) and the SDP
 * (offer, answer, format matching), librem the G.711 tables; this file
 * only ties them to the message's audio and the agent's key. */
#include "server/voice_call.h"
#include "server/voice_re.h"
#include "server/voice_sip.h"
#include "server/voice_uri.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 20 ms of 8 kHz audio per RTP packet: the usual telephone packetization. */
#define VOICE_FRAME_MS      20
#define VOICE_FRAME_SAMPLES (VOICE_SAMPLE_RATE * VOICE_FRAME_MS / 1000)
/* A late timer sends the frames it owes, at most this many at once, so
 * that a stalled loop does not burst seconds of audio. */
#define VOICE_CATCH_UP_FRAMES 10
/* After the agent pressed 1, the line stays up this long so that the
 * key's last telephone-event packets are not answered by a BYE. */
#define VOICE_AFTER_KEY_MS 800
/* RTP payload type offered for telephone events (dynamic range). */
#define VOICE_TELEV_PT 101

struct voice_call {
    struct sipsess *session;
    struct rtp_sock *rtp;
    struct sdp_session *sdp;
    struct sdp_media *media;
    struct telev *telev;
    struct tmr ring_timer, frame_timer, end_timer, done_timer;
    const struct voice_audio *audio;
    const struct voice_call_settings *settings;
    voice_call_done *done;
    void *context;
    char *user, *password;
    bool established, finished;
    bool alaw;        /* PCMA, else PCMU */
    int pt;           /* the payload type both sides agreed on */
    int telev_pt;     /* the peer's telephone-event type; -1: none */
    struct sa remote; /* where our RTP goes */
    uint64_t started_ms;
    uint64_t frames_sent, frames_total;
    uint32_t timestamp;
    struct voice_call_result result;
};

enum voice_call_end voice_call_classify(uint16_t status)
{
    if (status == 486 || status == 600)
        return VOICE_CALL_BUSY;
    if (status == 408 || status == 480 || status == 487)
        return VOICE_CALL_NO_ANSWER;
    if (status >= 400 && status < 500)
        return VOICE_CALL_REFUSED;
    return VOICE_CALL_FAILED;
}

/* ---- ending ---- */

static void call_back(void *arg)
{
    struct voice_call *call = arg;
    call->done(call->context, call, &call->result);
}

/* Records how the call ended and calls back from a fresh timer, outside
 * the libre handler that is running (the owner may free the call). */
static void finish(struct voice_call *call, enum voice_call_end end, uint16_t status,
                   const char *reason)
{
    if (call->finished)
        return;
    call->finished = true;
    call->result.end = end;
    call->result.status = status;
    snprintf(call->result.reason, sizeof call->result.reason, "%s", reason);
    tmr_cancel(&call->ring_timer);
    tmr_cancel(&call->frame_timer);
    tmr_cancel(&call->end_timer);
    /* Hang up now: BYE (or CANCEL) goes out while the owner writes the outcome. */
    call->session = mem_deref(call->session);
    tmr_start(&call->done_timer, 0, call_back, call);
}

static void ring_timeout(void *arg)
{
    struct voice_call *call = arg;
    char reason[VOICE_REASON_SIZE];
    snprintf(reason, sizeof reason, "no answer in %d s", call->settings->ring_timeout_s);
    finish(call, VOICE_CALL_NO_ANSWER, 0, reason);
}

static void hang_up(void *arg)
{
    struct voice_call *call = arg;
    finish(call, VOICE_CALL_COMPLETED, 0,
           call->result.acknowledged ? "answered, acknowledged with key 1" : "answered");
}

/* ---- audio out ---- */

static void send_frame(struct voice_call *call)
{
    struct mbuf *mb = mbuf_alloc(RTP_HEADER_SIZE + VOICE_FRAME_SAMPLES);
    if (!mb)
        return;
    mb->pos = mb->end = RTP_HEADER_SIZE;
    size_t first = (size_t)call->frames_sent * VOICE_FRAME_SAMPLES;
    for (size_t i = 0; i < VOICE_FRAME_SAMPLES; i++) {
        /* After the message: silence while the agent may still press 1. */
        int16_t sample = first + i < call->audio->count ? call->audio->samples[first + i] : 0;
        (void)mbuf_write_u8(mb, call->alaw ? g711_pcm2alaw(sample) : g711_pcm2ulaw(sample));
    }
    mb->pos = RTP_HEADER_SIZE;
    (void)rtp_send(call->rtp, &call->remote, false, call->frames_sent == 0, (uint8_t)call->pt,
                   call->timestamp, mb);
    mem_deref(mb);
    call->timestamp += VOICE_FRAME_SAMPLES;
    call->frames_sent++;
}

/* Sends the frames due by now (paced on the clock, not on timer ticks). */
static void frame_tick(void *arg)
{
    struct voice_call *call = arg;
    uint64_t due = (tmr_jiffies() - call->started_ms) / VOICE_FRAME_MS + 1;
    for (int n = 0; call->frames_sent < due && n < VOICE_CATCH_UP_FRAMES; n++)
        send_frame(call);
    if (call->frames_sent >= call->frames_total) {
        hang_up(call);
        return;
    }
    tmr_start(&call->frame_timer, VOICE_FRAME_MS, frame_tick, call);
}

/* ---- audio in: only the agent's keys matter ---- */

static void rtp_received(const struct sa *src, const struct rtp_header *header, struct mbuf *mb,
                         void *arg)
{
    (void)src;
    struct voice_call *call = arg;
    if (!call->established || call->finished || call->telev_pt < 0 || header->pt != call->telev_pt)
        return;
    int event = 0;
    bool end = false;
    if (telev_recv(call->telev, mb, &event, &end) != 0)
        return;
    if (telev_code2digit(event) != '1' || call->result.acknowledged)
        return;
    call->result.acknowledged = true;
    tmr_start(&call->end_timer, VOICE_AFTER_KEY_MS, hang_up, call);
}

/* ---- SIP and SDP ---- */

/* Reads the peer's SDP: its address and the formats it accepted. */
static int take_answer(struct voice_call *call, const struct sip_msg *msg, bool offer)
{
    int err = sdp_decode(call->sdp, msg->mb, offer);
    if (err)
        return err;
    /* The peer's first choice if it is G.711, else whichever it took. */
    const struct sdp_format *format = sdp_media_rformat(call->media, NULL);
    if (format && strcmp(format->name, "PCMU") != 0 && strcmp(format->name, "PCMA") != 0)
        format = NULL;
    if (!format)
        format = sdp_media_rformat(call->media, "PCMU");
    if (!format)
        format = sdp_media_rformat(call->media, "PCMA");
    if (!format || !sa_isset(sdp_media_raddr(call->media), SA_ALL))
        return EPROTO;
    call->pt = format->pt;
    call->alaw = strcmp(format->name, "PCMA") == 0;
    const struct sdp_format *telev = sdp_media_rformat(call->media, "telephone-event");
    call->telev_pt = telev ? telev->pt : -1;
    sa_cpy(&call->remote, sdp_media_raddr(call->media));
    return 0;
}

static int on_answer(const struct sip_msg *msg, void *arg)
{
    return take_answer(arg, msg, false);
}

/* A re-INVITE with an offer (hold, a new address): answered from the same
 * formats, the audio goes on. */
static int on_offer(struct mbuf **description, const struct sip_msg *msg, void *arg)
{
    struct voice_call *call = arg;
    int err = take_answer(call, msg, true);
    return err ? err : sdp_encode(description, call->sdp, false);
}

static void on_established(const struct sip_msg *msg, void *arg)
{
    (void)msg;
    struct voice_call *call = arg;
    if (call->finished)
        return;
    tmr_cancel(&call->ring_timer);
    if (call->pt < 0) {
        finish(call, VOICE_CALL_FAILED, 0, "answered without a usable audio format");
        return;
    }
    call->established = true;
    call->started_ms = tmr_jiffies();
    uint64_t key_wait = (uint64_t)call->settings->key_wait_s * 1000 / VOICE_FRAME_MS;
    call->frames_total =
        (call->audio->count + VOICE_FRAME_SAMPLES - 1) / VOICE_FRAME_SAMPLES + key_wait;
    frame_tick(call);
}

static void on_close(int err, const struct sip_msg *msg, void *arg)
{
    struct voice_call *call = arg;
    call->session = mem_deref(call->session); /* libre ended it: nothing to send */
    if (call->established) {
        /* The agent hung up: the message was (perhaps partly) heard. */
        finish(call, VOICE_CALL_COMPLETED, 0,
               call->result.acknowledged ? "answered, acknowledged with key 1"
                                         : "answered, the agent hung up");
        return;
    }
    char reason[VOICE_REASON_SIZE];
    if (msg && msg->scode >= 300) {
        snprintf(reason, sizeof reason, "%u %.*s", msg->scode, (int)msg->reason.l, msg->reason.p);
        finish(call, voice_call_classify(msg->scode), msg->scode, reason);
        return;
    }
    snprintf(reason, sizeof reason, "call failed: %s", err ? strerror(err) : "no answer");
    finish(call, err == ETIMEDOUT ? VOICE_CALL_NO_ANSWER : VOICE_CALL_FAILED, 0, reason);
}

static int on_auth(char **user, char **password, const char *realm, void *arg)
{
    (void)realm;
    struct voice_call *call = arg;
    int err = str_dup(user, call->user);
    return err ? err : str_dup(password, call->password);
}

static int offer(struct voice_call *call, const struct sa *local, struct mbuf **description)
{
    struct sa media_address;
    sa_cpy(&media_address, local);
    int err = rtp_listen(&call->rtp, IPPROTO_UDP, &media_address, call->settings->rtp_port_min,
                         call->settings->rtp_port_max, false, rtp_received, NULL, call);
    if (!err)
        err = sdp_session_alloc(&call->sdp, &media_address);
    if (!err)
        err = sdp_media_add(&call->media, call->sdp, "audio", sa_port(rtp_local(call->rtp)),
                            "RTP/AVP");
    if (!err)
        err = sdp_format_add(NULL, call->media, false, "0", "PCMU", VOICE_SAMPLE_RATE, 1, NULL,
                             NULL, NULL, false, NULL);
    if (!err)
        err = sdp_format_add(NULL, call->media, false, "8", "PCMA", VOICE_SAMPLE_RATE, 1, NULL,
                             NULL, NULL, false, NULL);
    if (!err)
        err = sdp_format_add(NULL, call->media, false, "101", telev_rtpfmt, VOICE_SAMPLE_RATE, 1,
                             NULL, NULL, NULL, false, "0-15");
    if (!err)
        err = telev_alloc(&call->telev, TELEV_PTIME);
    if (!err)
        err = sdp_encode(description, call->sdp, true);
    return err;
}

struct voice_call *voice_call_start(struct voice_sip *sip,
                                    const struct voice_call_settings *settings, const char *number,
                                    const struct voice_audio *audio, voice_call_done *done,
                                    void *context, bool *permanent, char *error, size_t error_size)
{
    struct voice_call *call = calloc(1, sizeof *call);
    if (!call) {
        snprintf(error, error_size, "out of memory");
        return NULL;
    }
    call->audio = audio;
    call->settings = settings;
    call->done = done;
    call->context = context;
    call->pt = -1;
    call->telev_pt = -1;
    tmr_init(&call->ring_timer);
    tmr_init(&call->frame_timer);
    tmr_init(&call->end_timer);
    tmr_init(&call->done_timer);

    char to[VOICE_URI_SIZE] = "", from[VOICE_URI_SIZE];
    *permanent = false;
    if (!voice_uri_make(settings->uri_template, number, to, sizeof to)) {
        snprintf(error, error_size, "\"%s\" cannot be called: not an E.164 number", number);
        *permanent = true;
        voice_call_free(call);
        return NULL;
    }
    const struct sa *local = voice_sip_address(sip);
    if (settings->from && settings->from[0])
        snprintf(from, sizeof from, "%s", settings->from);
    else
        re_snprintf(from, sizeof from, "sip:vigied@%j", local);
    struct mbuf *description = NULL;
    int err = offer(call, local, &description);
    bool authenticate = settings->user && settings->user[0];
    if (!err && authenticate) {
        err = str_dup(&call->user, settings->user);
        if (!err)
            err = str_dup(&call->password, settings->password ? settings->password : "");
    }
    const char *routes[1] = {settings->proxy};
    uint32_t route_count = settings->proxy && settings->proxy[0] ? 1 : 0;
    if (!err)
        err = sipsess_connect(&call->session, voice_sip_sessions(sip), to, NULL, from, "vigied",
                              routes, route_count, "application/sdp", description,
                              authenticate ? on_auth : NULL, call, false, on_offer, on_answer, NULL,
                              on_established, NULL, NULL, on_close, call, NULL);
    mem_deref(description);
    if (err) {
        snprintf(error, error_size, "cannot call %s: %s", to, strerror(err));
        voice_call_free(call);
        return NULL;
    }
    snprintf(call->result.call_id, sizeof call->result.call_id, "%s",
             sip_dialog_callid(sipsess_dialog(call->session)));
    tmr_start(&call->ring_timer, (uint64_t)settings->ring_timeout_s * 1000, ring_timeout, call);
    return call;
}

void voice_call_free(struct voice_call *call)
{
    if (!call)
        return;
    tmr_cancel(&call->ring_timer);
    tmr_cancel(&call->frame_timer);
    tmr_cancel(&call->end_timer);
    tmr_cancel(&call->done_timer);
    mem_deref(call->session);
    mem_deref(call->rtp);
    mem_deref(call->telev);
    mem_deref(call->sdp); /* owns the media */
    mem_deref(call->user);
    mem_deref(call->password);
    free(call);
}
