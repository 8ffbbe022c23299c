/* store_massalert_replies.h: what agents answer to a mass alert, from
 * every channel (the reply page, an SMS answer, an e-mail reply, a voice
 * key, a push action).
 *
 * Each reply is one job: the massalert_replies row, the recipient's
 * received_at on its first reply, a "massalert_reply" stream event (the
 * reply as GET /v1/massalerts/{id} shows it, plus "alert_id"), the
 * alert's "massalert" event (store_tx_massalert_changed), and an audit
 * row by vigied itself (the agent has no account).
 *
 * A reply is accepted until the alert's expires_at, also after the alert
 * was cancelled: cancelling stops what was not yet sent, but an agent who
 * received the message and then sees the suspect must still be heard.
 * After expires_at the reply link is dead (STORE_CONFLICT). */
#ifndef VIGIE_STORE_MASSALERT_REPLIES_H
#define VIGIE_STORE_MASSALERT_REPLIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/massalert_reply_text.h"
#include "server/store.h"

/* A reply's text is kept up to this many bytes (cut on a character
 * boundary): a description of what was seen, not a document; also the
 * reply page's maxlength. */
#define MASSALERT_REPLY_TEXT_MAX 1000
/* A reply link's token: 32 random bytes in base64url are 43 characters;
 * anything longer is not one of ours and is refused before hashing. */
#define MASSALERT_TOKEN_MAX 64
/* Replies one recipient may leave on one alert: a leaked link must not
 * flood the operators' list. Far above what a real agent sends. */
#define MASSALERT_REPLIES_PER_RECIPIENT_MAX 30
/* A browser's position is refused beyond this accuracy radius (metres):
 * a position known to within 100 km says nothing useful about a suspect. */
#define MASSALERT_REPLY_ACCURACY_MAX_M 100000.0
/* Sizes of the names a reply page shows. */
#define MASSALERT_NAME_SIZE     160
#define MASSALERT_MESSAGE_SIZE  2048
#define MASSALERT_LANGUAGE_SIZE 8

/* Reply kinds, as stored ("received" | "seen"). */
#define MASSALERT_REPLY_RECEIVED "received"
#define MASSALERT_REPLY_SEEN     "seen"

/* What a reply came to. */
struct store_massalert_reply_result {
    int64_t reply_id; /* the new row; for a repeated "received", the first one */
    int64_t alert_id;
    int64_t recipient_id;
    bool repeated; /* a second "received" from the same agent: nothing was written */
};

/* The web page, a voice key, a push action: `token` is the reply link's
 * token (the page's URL segment), found by its SHA-256 hex. `channel` is
 * "web", "voice", "push", "sms" or "email"; `kind` "received" or "seen";
 * `text` may be NULL. `lat`, `lon`, `accuracy_m` may be NULL (both lat and
 * lon or neither; accuracy only with a position).
 * STORE_NOT_FOUND: unknown token. STORE_CONFLICT: the alert expired, or
 * the recipient already left MASSALERT_REPLIES_PER_RECIPIENT_MAX replies.
 * STORE_INVALID: a bad kind, channel or position, or a sighting with
 * neither text nor position. A "received" after a first one is not
 * written again (result->repeated). */
int store_massalert_reply_by_token(struct store *store, const char *token, const char *channel,
                                   const char *kind, const char *text, const double *lat,
                                   const double *lon, const double *accuracy_m,
                                   struct store_massalert_reply_result *result,
                                   struct store_error *error);

/* An SMS answer from `e164`: goes to the latest alert still live whose
 * "sms" outbox row went to that number. Its kind comes from its text
 * (massalert_reply_kind_of_text). STORE_NOT_FOUND: no alert ever messaged
 * that number; STORE_CONFLICT: those that did have expired. */
int store_massalert_reply_by_phone(struct store *store, const char *e164, const char *text,
                                   struct store_massalert_reply_result *result,
                                   struct store_error *error);

/* An e-mail reply (or any channel that already knows the recipient row). */
int store_massalert_reply_by_recipient(struct store *store, int64_t recipient_id,
                                       const char *channel, const char *kind, const char *text,
                                       struct store_massalert_reply_result *result,
                                       struct store_error *error);

/* What the network said after a message left (an SMS delivery report, a
 * push receipt, a call answered) is store_outbox_confirm and
 * store_outbox_confirm_id in server/store_outbox.h. */

/* What a reply page shows about the alert behind a token. */
struct store_massalert_token_view {
    int64_t alert_id, recipient_id;
    char state[16]; /* sending | cancelled | done */
    char language[MASSALERT_LANGUAGE_SIZE];
    char message[MASSALERT_MESSAGE_SIZE];
    char agent_name[MASSALERT_NAME_SIZE];
    char site_name[MASSALERT_NAME_SIZE];
    int64_t created_at, expires_at;
    int64_t received_at; /* 0: no reply yet */
    int replies;         /* replies this recipient left */
    bool expired;        /* expires_at has passed (now_ms given) */
};
/* STORE_NOT_FOUND for an unknown (or malformed) token. */
int store_massalert_token_find(struct store *store, const char *token, int64_t now_ms,
                               struct store_massalert_token_view *out, struct store_error *error);

#endif
