/* store_massalert_fanout.c: a mass alert's recipients and messages,
 * written all at once for a small selection or a chunk per job from the
 * frozen selection (see store_massalert_fanout.h). */
#include "server/store_massalert_fanout.h"
#include "server/config.h"
#include "server/massalert_token.h"
#include "server/store_internal.h"
#include "server/store_outbox.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The clock is read once every this many recipients while a chunk runs. */
#define FANOUT_CLOCK_EVERY 32

/* ---- the frozen selection ---- */

static void put_le(unsigned char *out, uint64_t value, int bytes)
{
    for (int i = 0; i < bytes; i++)
        out[i] = (unsigned char)(value >> (8 * i));
}

static uint64_t get_le(const unsigned char *in, int bytes)
{
    uint64_t value = 0;
    for (int i = bytes - 1; i >= 0; i--)
        value = (value << 8) | in[i];
    return value;
}

void massalert_picks_pack(const struct massalert_pick *picks, size_t count, unsigned char *out)
{
    for (size_t i = 0; i < count; i++, out += MASSALERT_PICK_SIZE) {
        const struct massalert_pick *p = &picks[i];
        double metres = p->distance_m > 0 ? round(p->distance_m) : 0;
        put_le(out, (uint64_t)p->agent_id, 8);
        put_le(out + 8, (uint64_t)(p->site_id > 0 ? p->site_id : 0), 8);
        put_le(out + 16, metres < 4e9 ? (uint64_t)metres : 4000000000u, 4);
        put_le(out + 20, p->reachable, 4);
    }
}

void massalert_pick_unpack(const unsigned char *in, struct massalert_pick *out)
{
    out->agent_id = (int64_t)get_le(in, 8);
    out->site_id = (int64_t)get_le(in + 8, 8);
    out->distance_m = (double)get_le(in + 16, 4);
    out->reachable = (unsigned)get_le(in + 20, 4);
}

/* ---- one recipient ---- */

/* The agent's address on each channel: phone, e-mail, push subscription. */
struct contact {
    char phone[OUTBOX_RECIPIENT_SIZE];
    char email[OUTBOX_RECIPIENT_SIZE];
    char push[OUTBOX_RECIPIENT_SIZE];
};

static bool read_contact(struct store_tx *tx, int64_t agent_id, struct contact *out)
{
    static const char sql[] = "SELECT COALESCE(phone,''), COALESCE(email,''),"
                              " COALESCE(push_subscription,'') FROM agents WHERE id = ?";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return false;
    sqlite3_bind_int64(st, 1, agent_id);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        store_copy_text(out->phone, sizeof out->phone, sqlite3_column_text(st, 0));
        store_copy_text(out->email, sizeof out->email, sqlite3_column_text(st, 1));
        store_copy_text(out->push, sizeof out->push, sqlite3_column_text(st, 2));
    }
    sqlite3_reset(st);
    return found;
}

static int insert_recipient(struct store_tx *tx, int64_t alert_id, const struct massalert_pick *p,
                            const char *hash, int64_t *id_out, struct store_error *error)
{
    static const char sql[] = "INSERT INTO massalert_recipients(alert_id, agent_id, site_id,"
                              " distance_m, token_hash) VALUES(?,?,?,?,?)";
    sqlite3_stmt *st = store_tx_statement(tx, sql);
    if (!st)
        return store_sql_error(tx->db, "writing a mass alert's recipient", error);
    sqlite3_bind_int64(st, 1, alert_id);
    sqlite3_bind_int64(st, 2, p->agent_id);
    if (p->site_id > 0)
        sqlite3_bind_int64(st, 3, p->site_id);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_int64(st, 4, llround(p->distance_m));
    sqlite3_bind_text(st, 5, hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return store_sql_error(tx->db, "writing a mass alert's recipient", error);
    *id_out = sqlite3_last_insert_rowid(tx->db);
    return STORE_OK;
}

static const char *address_of(const struct contact *contact, enum massalert_channel channel)
{
    switch (channel) {
    case MASSALERT_SMS:
    case MASSALERT_VOICE:
        return contact->phone;
    case MASSALERT_EMAIL:
        return contact->email;
    case MASSALERT_PUSH:
        return contact->push;
    default:
        return "";
    }
}

/* One outbox row per channel the agent is reached by (an address
 * removed since the selection: that channel is skipped). */
static int queue_messages(struct store_tx *tx, const struct massalert_fanout_alert *a,
                          int64_t recipient_id, const struct massalert_pick *p, const char *body,
                          struct store_error *error)
{
    struct contact contact;
    if (!read_contact(tx, p->agent_id, &contact))
        return store_sql_error(tx->db, "reading an agent's contact", error);
    for (int c = 0; c < MASSALERT_CHANNELS; c++) {
        unsigned bit = MASSALERT_CHANNEL_BIT(c);
        const char *address = address_of(&contact, (enum massalert_channel)c);
        if (!(a->channels & bit) || !(p->reachable & bit) || !address[0])
            continue;
        const char *name = massalert_channel_name((enum massalert_channel)c);
        char key[OUTBOX_KEY_SIZE], label[OUTBOX_LABEL_SIZE];
        snprintf(key, sizeof key, "massalert-%lld-%lld-%s", (long long)a->id,
                 (long long)recipient_id, name);
        snprintf(label, sizeof label, _("mass alert %lld (%s)"), (long long)a->id, name);
        struct store_outbox_new message = {
            .kind = "massalert",
            .owner_id = recipient_id,
            .label = label,
            .channel = name,
            .format = "text",
            .recipient = address,
            .content_type = "text/plain; charset=utf-8",
            .message_key = key,
            .body = body,
            .max_attempts = MASSALERT_ATTEMPTS_MAX,
            .deadline_at = a->expires_at,
            .priority = OUTBOX_PRIORITY_MASSALERT,
        };
        if (store_tx_outbox_add(tx, &message, NULL, error) != STORE_OK)
            return STORE_ERROR;
    }
    return STORE_OK;
}

int store_tx_massalert_fanout_write(struct store_tx *tx, const struct massalert_fanout_alert *a,
                                    const struct massalert_pick *picks, size_t count,
                                    int64_t until_ms, size_t *written_out,
                                    struct store_error *error)
{
    *written_out = 0;
    size_t body_size = strlen(a->message) + strlen(a->public_url) + MASSALERT_TOKEN_SIZE + 16;
    char *body = malloc(body_size);
    if (!body) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    int status = STORE_OK;
    for (size_t i = 0; status == STORE_OK && i < count; i++) {
        if (until_ms > 0 && i > 0 && i % FANOUT_CLOCK_EVERY == 0 &&
            clock_monotonic_ms() >= until_ms)
            break;
        char token[MASSALERT_TOKEN_SIZE], hash[MASSALERT_HASH_SIZE];
        char link[CONFIG_TEXT_MAX + MASSALERT_TOKEN_SIZE + 8];
        int64_t recipient_id = 0;
        if (!massalert_token_new(token, hash) ||
            !massalert_reply_link(a->public_url, token, link, sizeof link) ||
            !massalert_body(a->message, link, body, body_size)) {
            store_error_set(error, "cannot make a reply link");
            status = STORE_ERROR;
            break;
        }
        status = insert_recipient(tx, a->id, &picks[i], hash, &recipient_id, error);
        if (status == STORE_OK)
            status = queue_messages(tx, a, recipient_id, &picks[i], body, error);
        *written_out += status == STORE_OK;
    }
    free(body);
    return status;
}

/* ---- the fan-out's jobs ---- */

int store_massalert_fanout_next(struct store *store, int64_t *alert_id_out,
                                struct store_error *error)
{
    *alert_id_out = 0;
    sqlite3 *db = store_reader_acquire(store, error);
    if (!db)
        return STORE_ERROR;
    sqlite3_stmt *st = NULL;
    int status = STORE_OK;
    if (sqlite3_prepare_v2(db, "SELECT MIN(alert_id) FROM massalert_fanout", -1, &st, NULL) !=
        SQLITE_OK)
        status = store_sql_error(db, "reading the mass alerts' fan-out", error);
    else if (sqlite3_step(st) == SQLITE_ROW)
        *alert_id_out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    store_reader_release(store, db);
    return status;
}

static unsigned channels_mask(const char *text)
{
    char list[64];
    snprintf(list, sizeof list, "%s", text ? text : "");
    unsigned mask = 0;
    char *saved = NULL;
    for (char *name = strtok_r(list, ",", &saved); name; name = strtok_r(NULL, ",", &saved)) {
        enum massalert_channel channel;
        if (massalert_channel_parse(name, &channel))
            mask |= MASSALERT_CHANNEL_BIT(channel);
    }
    return mask;
}

/* What a chunk needs of its alert (texts copied: the statement is reset). */
struct fanout_state {
    char state[16];
    char *message, *public_url;
    unsigned channels;
    int64_t expires_at, cursor, total;
};

static int read_state(struct store_tx *tx, int64_t alert_id, struct fanout_state *out, bool *found,
                      struct store_error *error)
{
    static const char sql[] =
        "SELECT m.state, m.message, m.channels, m.expires_at, m.fanout_cursor, m.recipient_count,"
        " f.public_url FROM massalerts m JOIN massalert_fanout f ON f.alert_id = m.id"
        " WHERE m.id = ?";
    /* Prepared per chunk, not cached: a few a second at most. */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "reading a mass alert's fan-out", error);
    sqlite3_bind_int64(st, 1, alert_id);
    *found = sqlite3_step(st) == SQLITE_ROW;
    if (*found) {
        store_copy_text(out->state, sizeof out->state, sqlite3_column_text(st, 0));
        out->message = strdup((const char *)sqlite3_column_text(st, 1));
        out->channels = channels_mask((const char *)sqlite3_column_text(st, 2));
        out->expires_at = sqlite3_column_int64(st, 3);
        out->cursor = sqlite3_column_int64(st, 4);
        out->total = sqlite3_column_int64(st, 5);
        out->public_url = strdup((const char *)sqlite3_column_text(st, 6));
    }
    sqlite3_finalize(st);
    if (*found && (!out->message || !out->public_url)) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    return STORE_OK;
}

/* Picks [from, from + count) of the alert's frozen selection. */
static int read_picks(struct store_tx *tx, int64_t alert_id, int64_t from, size_t count,
                      struct massalert_pick *out, struct store_error *error)
{
    sqlite3_blob *blob = NULL;
    if (sqlite3_blob_open(tx->db, "main", "massalert_fanout", "picks", alert_id, 0, &blob) !=
        SQLITE_OK) {
        sqlite3_blob_close(blob);
        return store_sql_error(tx->db, "reading a mass alert's selection", error);
    }
    int64_t offset = from * MASSALERT_PICK_SIZE;
    size_t length = count * MASSALERT_PICK_SIZE;
    unsigned char *bytes = malloc(length ? length : 1);
    int status = STORE_OK;
    if (!bytes) {
        store_error_set(error, "out of memory");
        status = STORE_ERROR;
    } else if (offset + (int64_t)length > sqlite3_blob_bytes(blob) ||
               sqlite3_blob_read(blob, bytes, (int)length, (int)offset) != SQLITE_OK) {
        store_error_set(error, "mass alert %lld: its frozen selection is shorter than its count",
                        (long long)alert_id);
        status = STORE_ERROR;
    } else {
        for (size_t i = 0; i < count; i++)
            massalert_pick_unpack(bytes + i * MASSALERT_PICK_SIZE, &out[i]);
    }
    free(bytes);
    sqlite3_blob_close(blob);
    return status;
}

static int run_sql(struct store_tx *tx, const char *sql, int64_t a, int64_t b,
                   struct store_error *error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(tx->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_sql_error(tx->db, "writing a mass alert's fan-out", error);
    sqlite3_bind_int64(st, 1, a);
    if (sqlite3_bind_parameter_count(st) >= 2)
        sqlite3_bind_int64(st, 2, b);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? STORE_OK
                             : store_sql_error(tx->db, "writing a mass alert's fan-out", error);
}

static const char drop_sql[] = "DELETE FROM massalert_fanout WHERE alert_id = ?1";

struct step_job {
    int64_t alert_id;
    struct store_massalert_fanout_progress *out;
    struct massalert_pick *picks; /* room for MASSALERT_FANOUT_CHUNK */
};

static int write_chunk(struct store_tx *tx, struct step_job *job, const struct fanout_state *s,
                       struct store_error *error)
{
    struct store_massalert_fanout_progress *out = job->out;
    size_t count = (size_t)(s->total - s->cursor);
    if (count > MASSALERT_FANOUT_CHUNK)
        count = MASSALERT_FANOUT_CHUNK;
    if (read_picks(tx, job->alert_id, s->cursor, count, job->picks, error) != STORE_OK)
        return STORE_ERROR;
    struct massalert_fanout_alert alert = {job->alert_id, s->channels, s->message, s->public_url,
                                           s->expires_at};
    size_t written = 0;
    if (store_tx_massalert_fanout_write(tx, &alert, job->picks, count,
                                        clock_monotonic_ms() + MASSALERT_FANOUT_SLICE_MS, &written,
                                        error) != STORE_OK)
        return STORE_ERROR;
    static const char cursor_sql[] = "UPDATE massalerts SET fanout_cursor = ?2 WHERE id = ?1";
    out->written = (int64_t)written;
    out->cursor = s->cursor + out->written;
    out->finished = out->cursor >= s->total;
    if (run_sql(tx, cursor_sql, job->alert_id, out->cursor, error) != STORE_OK ||
        (out->finished && run_sql(tx, drop_sql, job->alert_id, 0, error) != STORE_OK))
        return STORE_ERROR;
    return store_tx_massalert_changed(tx, job->alert_id, error);
}

static int step_job(struct store_tx *tx, void *context, struct store_error *error)
{
    struct step_job *job = context;
    struct store_massalert_fanout_progress *out = job->out;
    memset(out, 0, sizeof *out);
    struct fanout_state s = {0};
    bool found = false;
    int status = read_state(tx, job->alert_id, &s, &found, error);
    if (status == STORE_OK && !found) {
        out->finished = true; /* finished or dropped meanwhile */
    } else if (status == STORE_OK && (strcmp(s.state, "sending") != 0 || s.cursor >= s.total)) {
        /* A cancel drops the rest itself; this is the belt to its braces. */
        out->cursor = s.cursor;
        out->total = s.total;
        out->finished = true;
        status = run_sql(tx, drop_sql, job->alert_id, 0, error);
    } else if (status == STORE_OK) {
        out->total = s.total;
        status = write_chunk(tx, job, &s, error);
    }
    free(s.message);
    free(s.public_url);
    return status;
}

int store_massalert_fanout_step(struct store *store, int64_t alert_id,
                                struct store_massalert_fanout_progress *out,
                                struct store_error *error)
{
    struct step_job job = {alert_id, out, calloc(MASSALERT_FANOUT_CHUNK, sizeof *job.picks)};
    memset(out, 0, sizeof *out);
    if (!job.picks) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    int status = store_write(store, step_job, &job, error);
    free(job.picks);
    return status;
}

/* ---- cancelling ---- */

int store_tx_massalert_fanout_drop(struct store_tx *tx, int64_t alert_id, int64_t *unwritten_out,
                                   struct store_error *error)
{
    *unwritten_out = 0;
    struct fanout_state s = {0};
    bool found = false;
    int status = read_state(tx, alert_id, &s, &found, error);
    free(s.message);
    free(s.public_url);
    if (status != STORE_OK || !found)
        return status;
    /* Counted a chunk at a time: the selection may be a million. */
    struct massalert_pick *picks = calloc(MASSALERT_FANOUT_CHUNK, sizeof *picks);
    if (!picks) {
        store_error_set(error, "out of memory");
        return STORE_ERROR;
    }
    for (int64_t at = s.cursor; status == STORE_OK && at < s.total;) {
        size_t count = (size_t)(s.total - at);
        if (count > MASSALERT_FANOUT_CHUNK)
            count = MASSALERT_FANOUT_CHUNK;
        status = read_picks(tx, alert_id, at, count, picks, error);
        for (size_t i = 0; status == STORE_OK && i < count; i++)
            for (int c = 0; c < MASSALERT_CHANNELS; c++)
                *unwritten_out += (picks[i].reachable & s.channels & MASSALERT_CHANNEL_BIT(c)) != 0;
        at += (int64_t)count;
    }
    free(picks);
    return status == STORE_OK ? run_sql(tx, drop_sql, alert_id, 0, error) : status;
}
