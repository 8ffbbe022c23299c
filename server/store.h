/* store.h: the one door to persistent state. Every SQL statement of vigied
 * lives behind these functions (SQLite today, PostgreSQL for shared
 * clusters later), so the HTTP layer and the protocol code know no SQL.
 *
 * Writes go through one writer that commits in groups: every write that
 * arrives while the previous commit is being flushed joins the next one,
 * and each caller returns only once its own write is durable
 * (synchronous=FULL). Every committed change to an alarm produces a stream
 * event with a sequence number; the event listener hears them in order. */
#ifndef VIGIE_STORE_H
#define VIGIE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/alarm.h"

struct store;

enum store_status {
    STORE_OK = 0,
    STORE_NOT_FOUND,
    STORE_CONFLICT, /* the change is not allowed in the object's state */
    STORE_INVALID,  /* the request contradicts the data (unknown site...) */
    STORE_ERROR,    /* the store itself failed: disk, corruption */
};

struct store_error {
    char message[256];
};

enum role { ROLE_OPERATOR, ROLE_SUPERVISOR, ROLE_ADMIN };
const char *role_name(enum role role);
bool role_parse(const char *text, enum role *out);

/* Who does something: a user's session, or vigied itself (user_id 0). */
struct actor {
    int64_t user_id;
    int64_t session_id;
    char username[64];
    enum role role;
};
void actor_system(struct actor *actor);

struct store_options {
    bool create;            /* create the file and schema if missing */
    int64_t claim_lease_ms; /* how long a claim lives without a sign of life */
    /* Events older than this many are trimmed; a stream client resuming
     * from before the oldest kept event gets "resync". */
    int64_t event_retention;
};

int store_open(const char *path, const struct store_options *options, struct store **out,
               struct store_error *error);
void store_close(struct store *store);
int store_schema_version(struct store *store);

/* ---- Stream events ---- */
struct store_event {
    int64_t seq;
    int64_t ts;
    const char *type; /* "alarm" ... */
    int64_t alarm_id;
    const char *data; /* JSON text */
};
/* Called by the writer after each group commit, with the events of that
 * commit in sequence order. Must not block: copy and return. */
typedef void (*store_event_listener)(void *context, const struct store_event *events, size_t count);
void store_set_event_listener(struct store *store, store_event_listener listener, void *context);
int64_t store_last_sequence(struct store *store);
/* Oldest sequence still kept (0 when no event was ever trimmed). */
int64_t store_first_kept_sequence(struct store *store);
/* Deletes events older than the newest `keep`; says how many went. */
int store_events_trim(struct store *store, int64_t keep, int64_t *trimmed_out,
                      struct store_error *error);
typedef void (*store_event_visitor)(void *context, const struct store_event *event);
/* Visits up to `limit` events with seq > after, in order. */
int store_events_after(struct store *store, int64_t after, int limit, store_event_visitor visit,
                       void *context, struct store_error *error);

/* ---- Users and sessions ---- */
struct store_user {
    int64_t id;
    char username[64];
    char display_name[128];
    enum role role;
    bool disabled;
    int64_t created_at;
    char password_hash[160];
};
int store_user_add(struct store *store, const struct actor *actor, const char *username,
                   const char *display_name, enum role role, const char *password_hash,
                   int64_t *id_out, struct store_error *error);
int store_user_find(struct store *store, const char *username, struct store_user *out,
                    struct store_error *error);
int store_user_set_disabled(struct store *store, const struct actor *actor, const char *username,
                            bool disabled, struct store_error *error);
typedef void (*store_user_visitor)(void *context, const struct store_user *user);
int store_users_list(struct store *store, store_user_visitor visit, void *context,
                     struct store_error *error);

struct store_session {
    int64_t id;
    int64_t user_id;
    char username[64];
    char display_name[128];
    enum role role;
    int64_t expires_at;
};
int store_session_create(struct store *store, const struct store_user *user, const char *token_hash,
                         int64_t expires_at, int64_t *id_out, struct store_error *error);
/* Finds a live session (not revoked, not expired, user not disabled). */
int store_session_find(struct store *store, const char *token_hash, int64_t now_ms,
                       struct store_session *out, struct store_error *error);
int store_session_revoke(struct store *store, const struct actor *actor, struct store_error *error);
/* A sign of life from these sessions: the claims of those still live are
 * renewed; `live_out` (optional, `count` entries) says which are. */
int store_sessions_touch(struct store *store, const int64_t *session_ids, size_t count,
                         bool *live_out, struct store_error *error);

/* ---- Alarms ---- */
int store_alarm_create(struct store *store, const struct actor *actor,
                       const struct alarm_new *alarm, int64_t *id_out, struct store_error *error);
int store_alarm_get(struct store *store, int64_t id, struct alarm *out, struct store_error *error);
/* Applies an operator action; STORE_CONFLICT with a readable message when
 * the alarm's state refuses it. `text` is the note, or the resolution note
 * on close; `resolution` is only for close. */
int store_alarm_act(struct store *store, const struct actor *actor, int64_t id,
                    enum alarm_action action, const char *resolution, const char *text,
                    struct store_error *error);
/* Releases every claim whose lease has run out; returns how many. */
int store_claims_expire(struct store *store, int64_t now_ms, int *released_out,
                        struct store_error *error);

enum store_alarm_filter_state {
    STORE_ALARMS_OPEN,
    STORE_ALARMS_CLOSED,
    STORE_ALARMS_ALL,
};
struct store_alarm_query {
    enum store_alarm_filter_state state;
    int64_t since_seq; /* only alarms whose last change is after this */
    int limit;
    /* The queue's head instead: open alarms by priority, then the longest
     * waiting (the console's first screen, before its whole list). */
    bool queue_order;
};
typedef void (*store_alarm_visitor)(void *context, const struct alarm *alarm);
/* Visits matching alarms ordered by sequence, and says the last sequence
 * of the store at the time of the read (consistent with what was seen). */
int store_alarms_list(struct store *store, const struct store_alarm_query *query,
                      store_alarm_visitor visit, void *context, int64_t *last_sequence_out,
                      struct store_error *error);

struct store_timeline_entry {
    int64_t id;
    int64_t ts;
    char kind[24]; /* created, claimed, released, expired, acknowledged, note, closed */
    char username[64];
    char text[ALARM_NOTE_MAX + 1];
};
typedef void (*store_timeline_visitor)(void *context, const struct store_timeline_entry *entry);
int store_alarm_timeline(struct store *store, int64_t alarm_id, store_timeline_visitor visit,
                         void *context, struct store_error *error);

int store_alarm_counts(struct store *store, int64_t *open_out, int64_t *total_out,
                       struct store_error *error);

/* ---- Resolutions (server-defined list for closing) ---- */
struct store_resolution {
    char code[ALARM_RESOLUTION_MAX];
    char label[128];
};
typedef void (*store_resolution_visitor)(void *context, const struct store_resolution *entry);
int store_resolutions_list(struct store *store, store_resolution_visitor visit, void *context,
                           struct store_error *error);

/* ---- Audit ---- */
/* Appends an audit row chained to the previous one (used for reads that
 * must be audited, such as a victim's file; mutations audit themselves). */
int store_audit_record(struct store *store, const struct actor *actor, const char *action,
                       const char *object_type, int64_t object_id, const char *detail_json,
                       struct store_error *error);
struct store_audit_report {
    int64_t rows_checked;
    int64_t first_bad_row; /* 0 when the chain is intact */
    char problem[256];
};
int store_audit_verify(struct store *store, struct store_audit_report *report,
                       struct store_error *error);

/* ---- Health ---- */
/* Group commits so far, and the writes they carried (their ratio is the
 * batch size the group commit achieves). */
void store_commit_stats(struct store *store, int64_t *commits, int64_t *jobs);
int store_ping(struct store *store, struct store_error *error);

#endif
