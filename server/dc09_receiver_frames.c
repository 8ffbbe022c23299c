/* dc09_receiver_frames.c: the frame side of the DC-09 receiver: a
 * connection's bytes cut into frames, each frame checked (CRC, account,
 * key, timestamp window) and decoded, the message handed to the store,
 * and the answer (ACK, NAK, DUH) built and sent once the outcome is
 * certain: ACK only after the store has committed. Runs on the
 * receiver's thread, except dc09_receiver_done (the store's syncer). */
#include "server/dc09_receiver_internal.h"
#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- answers ---- */

static size_t build_answer(enum dc09_reply reply, const struct dc09_frame *frame,
                           const struct dc09_key *key, enum dc09_crc_form crc, uint8_t *out,
                           size_t capacity)
{
    int64_t now = clock_now_ms();
    switch (reply) {
    case DC09_REPLY_ACK:
        return dc09_build_ack(frame, frame->encrypted ? key : NULL, now, crc, out, capacity);
    case DC09_REPLY_NAK:
        return dc09_build_nak(now, crc, out, capacity);
    case DC09_REPLY_DUH:
        return dc09_build_duh(frame, crc, out, capacity);
    case DC09_REPLY_NONE:
        break;
    }
    return 0;
}

static void send_answer(struct dc09_receiver *r, bool udp, int slot,
                        const struct sockaddr_storage *peer, socklen_t peer_length,
                        enum dc09_reply reply, const struct dc09_frame *frame,
                        const struct dc09_key *key, enum dc09_crc_form crc)
{
    uint8_t bytes[512];
    size_t length = build_answer(reply, frame, key, crc, bytes, sizeof bytes);
    static const enum metrics_counter counters[] = {
        [DC09_REPLY_ACK] = METRICS_DC09_ACK,
        [DC09_REPLY_NAK] = METRICS_DC09_NAK,
        [DC09_REPLY_DUH] = METRICS_DC09_DUH,
    };
    if (reply != DC09_REPLY_NONE)
        metrics_add(r->metrics, counters[reply], 1);
    if (udp) {
        if (length > 0)
            sendto(r->udp_fd, bytes, length, MSG_NOSIGNAL, (const struct sockaddr *)peer,
                   peer_length);
    } else {
        dc09_receiver_answer_tcp(r, slot, bytes, length);
    }
}

/* ---- frames ---- */

void dc09_receiver_note_bad_frame(struct dc09_receiver *r, const struct origin *origin,
                                  const char *status, const char *why)
{
    struct connection *c = origin->udp ? NULL : r->slots[origin->slot];
    if (!c || c->logged++ < LOG_BAD_FRAMES)
        log_warn("dc09", "%s: %s frame: %s", origin->peer, status, why);
    if (c)
        c->bad_frames++;
}

/* Bytes outside any frame are skipped (line noise, a probe before a
 * frame), but a sender of nothing else is no panel: each DC09_FRAME_MAX of
 * them since the last good frame counts as a bad frame, so that an endless
 * line without a CR is closed after a few KiB, not read forever. */
static void note_garbage(struct dc09_receiver *r, const struct origin *origin, size_t length)
{
    struct connection *c = r->slots[origin->slot];
    c->garbage_run += length;
    while (c->garbage_run >= DC09_FRAME_MAX) {
        c->garbage_run -= DC09_FRAME_MAX;
        dc09_receiver_note_bad_frame(r, origin, "garbage", _("no frame in the bytes sent"));
    }
}

static void submit(struct dc09_receiver *r, const struct origin *origin, const uint8_t *bytes,
                   size_t length, const struct dc09_frame *frame,
                   const struct dc09_account *account, bool known)
{
    struct pending *p = dc09_pending_take(r);
    if (!p) {
        /* Not stored, so not acknowledged: the panel will send it again. */
        send_answer(r, origin->udp, origin->slot, &origin->address, origin->address_length,
                    DC09_REPLY_NAK, frame, NULL, frame->crc_form);
        return;
    }
    /* A reused message must carry nothing of the last one: all but its
     * raw text and events (which dc09_decode writes, and of which those
     * past event_count are never read) is zeroed. */
    memset(&p->message, 0, offsetof(struct ingest_message, raw));
    memset(&p->message.dedup_window_s, 0,
           sizeof p->message - offsetof(struct ingest_message, dedup_window_s));
    p->receiver = r;
    p->generation = 0;
    p->status = STORE_OK;
    p->next = NULL;
    p->frame = *frame;
    p->account = *account;
    p->known_account = known;
    p->answer_crc = known ? account->crc_form : frame->crc_form;
    p->udp = origin->udp;
    p->slot = origin->slot;
    p->peer_length = origin->address_length;
    memcpy(&p->peer, &origin->address, sizeof p->peer);
    dc09_decode(frame, bytes, length, r->codes, r->language, &p->message);
    p->message.dedup_window_s = r->config->dc09_dedup_window_s;
    p->message.early_open_grace_min = r->config->early_open_grace_minutes;
    p->message.owner = p;
    p->message.done = dc09_receiver_done;

    if (origin->udp) {
        r->udp_in_flight++;
    } else {
        p->generation = r->slots[origin->slot]->generation;
        r->slots[origin->slot]->in_flight = true;
    }
    if (store_ingest_submit(r->store, &p->message) != STORE_OK) {
        if (origin->udp)
            r->udp_in_flight--;
        else
            r->slots[origin->slot]->in_flight = false;
        send_answer(r, origin->udp, origin->slot, &origin->address, origin->address_length,
                    DC09_REPLY_NAK, frame, NULL, p->answer_crc);
        dc09_pending_give(r, p);
    }
}

void dc09_receiver_handle_frame(struct dc09_receiver *r, const struct origin *origin,
                                const uint8_t *bytes, size_t length)
{
    struct dc09_frame frame;
    struct dc09_error error = {{0}};
    enum dc09_status status = dc09_frame_parse(bytes, length, NULL, &frame, &error);
    struct dc09_account account = {0};
    bool known = frame.account[0] && dc09_accounts_find(r->accounts, frame.account, &account);
    if (status == DC09_NEED_KEY && known && account.has_key)
        status = dc09_frame_parse(bytes, length, &account.key, &frame, &error);
    if (status == DC09_OK && frame.encrypted &&
        !dc09_timestamp_check(frame.timestamp_ms, clock_now_ms(), account.window_before_s,
                              account.window_after_s)) {
        status = DC09_BAD_TIMESTAMP;
        snprintf(error.message, sizeof error.message, "%s",
                 _("timestamp outside the account's window"));
    }
    enum dc09_crc_form crc = known ? account.crc_form : frame.crc_form;
    if (status != DC09_OK) {
        metrics_add(r->metrics,
                    status == DC09_BAD_CRC ? METRICS_DC09_BAD_CRC : METRICS_DC09_BAD_FRAMES, 1);
        dc09_receiver_note_bad_frame(r, origin, dc09_status_name(status), error.message);
        if (status == DC09_NEED_KEY || status == DC09_BAD_DECRYPT) {
            bool missing = status == DC09_NEED_KEY;
            char label[ALARM_LABEL_MAX];
            snprintf(label, sizeof label,
                     missing ? _("Encrypted frames from account %s and no key for it")
                             : _("Account %s sends frames its key cannot decrypt"),
                     frame.account);
            char raw[DC09_FRAME_MAX + 1];
            size_t n = length < DC09_FRAME_MAX ? length : DC09_FRAME_MAX;
            for (size_t i = 0; i < n; i++)
                raw[i] = bytes[i] < 0x20 || bytes[i] == 0x7f ? '.' : (char)bytes[i];
            raw[n] = '\0';
            store_ingest_unreadable(r->store, "dc09", origin->peer, frame.account,
                                    missing ? "KEY-MISSING" : "KEY-MISMATCH", label, raw);
        }
        send_answer(r, origin->udp, origin->slot, &origin->address, origin->address_length,
                    dc09_status_reply(status), &frame, NULL, crc);
        return;
    }
    if (!origin->udp) {
        r->slots[origin->slot]->bad_frames = 0;
        r->slots[origin->slot]->garbage_run = 0;
    }
    if (frame.token == DC09_ACK || frame.token == DC09_NAK || frame.token == DC09_DUH)
        return; /* answers are for panels, not for us */
    metrics_add(r->metrics, METRICS_DC09_FRAMES, 1);
    submit(r, origin, bytes, length, &frame, &account, known);
}

/* Reads frames from a connection's buffer while it has none in the store. */
void dc09_receiver_process_input(struct dc09_receiver *r, int slot)
{
    struct connection *c = r->slots[slot];
    struct origin origin = {.udp = false, .slot = slot, .peer = c->peer};
    while (r->slots[slot] == c && !c->in_flight && c->in_length > 0) {
        size_t start = 0, length = 0;
        enum dc09_find found = dc09_frame_find(c->in, c->in_length, &start, &length);
        if (found == DC09_FIND_NEED_MORE) {
            if (c->partial_since_ms == 0)
                c->partial_since_ms = clock_monotonic_ms();
            return;
        }
        size_t consumed = found == DC09_FIND_FRAME ? start + length : length;
        if (found == DC09_FIND_FRAME) {
            metrics_add(r->metrics, METRICS_DC09_GARBAGE_BYTES, start);
            note_garbage(r, &origin, start);
            dc09_receiver_handle_frame(r, &origin, c->in + start, length);
        } else {
            metrics_add(r->metrics, METRICS_DC09_GARBAGE_BYTES, length);
            if (found == DC09_FIND_TOO_LONG)
                dc09_receiver_note_bad_frame(r, &origin, "too_long",
                                             _("no end within the longest frame"));
            else
                note_garbage(r, &origin, length);
        }
        if (r->slots[slot] != c)
            return; /* closed while answering */
        memmove(c->in, c->in + consumed, c->in_length - consumed);
        c->in_length -= consumed;
        c->partial_since_ms = 0;
        if (c->bad_frames >= r->config->dc09_bad_frames_max) {
            metrics_add(r->metrics, METRICS_DC09_CLOSED_BAD, 1);
            dc09_receiver_close(r, slot, _("too many bad frames in a row"));
            return;
        }
    }
}

/* ---- completions from the store ---- */

void dc09_receiver_done(struct ingest_message *message, int status, const struct store_error *error)
{
    struct pending *p = message->owner;
    struct dc09_receiver *r = p->receiver;
    p->status = status;
    if (status != STORE_OK)
        log_error("dc09", "account %s seq %u not stored (NAK sent): %s", message->account,
                  message->seq, error ? error->message : "?");
    pthread_mutex_lock(&r->done_lock);
    bool was_empty = r->done_head == NULL;
    p->next = r->done_head;
    r->done_head = p;
    pthread_mutex_unlock(&r->done_lock);
    if (was_empty) {
        uint64_t one = 1;
        ssize_t ignored = write(r->wake_fd, &one, sizeof one);
        (void)ignored;
    }
}

static void answer_completion(struct dc09_receiver *r, struct pending *p)
{
    enum dc09_reply reply = p->status == STORE_OK ? DC09_REPLY_ACK : DC09_REPLY_NAK;
    if (p->status != STORE_OK)
        metrics_add(r->metrics, METRICS_DC09_STORE_FAILED, 1);
    if (p->message.duplicate)
        metrics_add(r->metrics, METRICS_DC09_DUPLICATES, 1);
    if (p->message.unknown_account && !p->message.duplicate)
        metrics_add(r->metrics, METRICS_DC09_UNKNOWN_ACCOUNT, 1);
    if (p->message.alarms_created > 0)
        metrics_add(r->metrics, METRICS_ALARMS_RECEIVED_DC09, (uint64_t)p->message.alarms_created);
    const struct dc09_key *key = p->known_account && p->account.has_key ? &p->account.key : NULL;
    if (p->udp) {
        r->udp_in_flight--;
        send_answer(r, true, -1, &p->peer, p->peer_length, reply, &p->frame, key, p->answer_crc);
        return;
    }
    struct connection *c = r->slots[p->slot];
    if (!c || c->generation != p->generation)
        return; /* the panel hung up; its retransmission will be recognised */
    c->in_flight = false;
    send_answer(r, false, p->slot, NULL, 0, reply, &p->frame, key, p->answer_crc);
    if (r->slots[p->slot] == c) {
        dc09_receiver_process_input(r, p->slot);
        if (r->slots[p->slot] == c)
            dc09_receiver_watch(r, p->slot);
    }
}

void dc09_receiver_drain_completions(struct dc09_receiver *r)
{
    uint64_t count;
    ssize_t ignored = read(r->wake_fd, &count, sizeof count);
    (void)ignored;
    pthread_mutex_lock(&r->done_lock);
    struct pending *list = r->done_head;
    r->done_head = NULL;
    pthread_mutex_unlock(&r->done_lock);
    /* The list is newest first; answer in arrival order. */
    struct pending *ordered = NULL;
    while (list) {
        struct pending *next = list->next;
        list->next = ordered;
        ordered = list;
        list = next;
    }
    while (ordered) {
        struct pending *next = ordered->next;
        answer_completion(r, ordered);
        dc09_pending_give(r, ordered);
        ordered = next;
    }
}
