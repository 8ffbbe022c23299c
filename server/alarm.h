/* alarm.h: the alarm model shared by the store, the API and (through JSON)
 * the console: states, classes, priorities, and the rules that say which
 * operator action is allowed in which state. No SQL and no HTTP here. */
#ifndef VIGIE_ALARM_H
#define VIGIE_ALARM_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* Field bounds: each comes from what the field carries (a DC-09 account is
 * at most 16 hex digits, a zone name a label on a panel keypad). */
#define ALARM_SOURCE_MAX     16
#define ALARM_ACCOUNT_MAX    24
#define ALARM_CODE_MAX       16
#define ALARM_CLASS_MAX      32
#define ALARM_LABEL_MAX      160
#define ALARM_NAME_MAX       128
#define ALARM_PLACE_MAX      256
#define ALARM_RESOLUTION_MAX 32
/* A raw message is a DC-09 frame or a device's JSON body; longer input is
 * refused by the ingest before it gets here. */
#define ALARM_RAW_MAX  4096
#define ALARM_NOTE_MAX 4000

enum alarm_state {
    ALARM_STATE_NEW,
    ALARM_STATE_CLAIMED,
    ALARM_STATE_ACKNOWLEDGED,
    ALARM_STATE_ESCALATED,
    ALARM_STATE_CLOSED,
};

/* Flags are facts about an alarm that are not its class. */
enum alarm_flag {
    ALARM_FLAG_UNKNOWN_ACCOUNT = 1u << 0,
    ALARM_FLAG_EARLY_OPEN = 1u << 1,
};

struct alarm_position {
    bool present;
    int64_t id;
    double lat, lon, accuracy_m;
    char source[8]; /* gps | cell | wifi */
    int64_t fix_at;
    int battery; /* percent, -1 when unknown */
};

struct alarm_claim {
    int64_t user_id; /* 0 when nobody holds the alarm */
    int64_t session_id;
    char username[64];
    char display_name[ALARM_NAME_MAX];
    int64_t expires_at;
};

struct alarm {
    int64_t id;
    int64_t seq; /* sequence of the alarm's last change */
    char source[ALARM_SOURCE_MAX];
    char account[ALARM_ACCOUNT_MAX];
    int64_t site_id, device_id, victim_id; /* 0 when absent */
    char subject[ALARM_NAME_MAX];          /* site name or victim reference */
    char place[ALARM_PLACE_MAX];           /* address or city */
    char event_code[ALARM_CODE_MAX];
    char class_name[ALARM_CLASS_MAX];
    char label[ALARM_LABEL_MAX];
    int priority; /* 1 (most urgent) .. 5 */
    int zone;     /* -1 when none */
    int64_t received_at;
    enum alarm_state state;
    struct alarm_claim claim;
    char resolution[ALARM_RESOLUTION_MAX];
    int64_t closed_at;
    unsigned flags;
    struct alarm_position position;
    char raw[ALARM_RAW_MAX];
};

/* What a caller supplies to create an alarm. */
struct alarm_new {
    const char *source;
    const char *account;
    int64_t site_id, device_id, victim_id;
    const char *event_code;
    const char *class_name;
    const char *label;
    int priority;
    int zone;
    const char *raw;
    const char *note; /* first timeline entry, optional */
    unsigned flags;
    int64_t received_at; /* 0: now */
    /* Events that need no operator action (a restore, a test, a scheduled
     * open or close) are recorded already closed with this resolution. */
    const char *closed_resolution;
};

enum alarm_action {
    ALARM_ACTION_CLAIM,
    ALARM_ACTION_RELEASE,
    ALARM_ACTION_ACK,
    ALARM_ACTION_NOTE,
    ALARM_ACTION_CLOSE,
};

/* Why an action is refused, as a value a handler maps to a status. */
enum alarm_verdict {
    ALARM_ALLOWED,
    ALARM_REFUSED_CLOSED,     /* the alarm is closed */
    ALARM_REFUSED_HELD,       /* another operator holds it */
    ALARM_REFUSED_NOT_HELD,   /* release of an alarm the caller does not hold */
    ALARM_REFUSED_WRONG_STATE /* e.g. acknowledging twice */
};

const char *alarm_state_name(enum alarm_state state);
bool alarm_state_parse(const char *text, enum alarm_state *out);
bool alarm_class_is_known(const char *name);
/* The classes, NULL-terminated, for validation and documentation. */
extern const char *const alarm_class_names[];

enum alarm_verdict alarm_action_check(const struct alarm *alarm, enum alarm_action action,
                                      int64_t user_id, int64_t now_ms);
/* The state an alarm is in after an allowed action. */
enum alarm_state alarm_state_after(const struct alarm *alarm, enum alarm_action action);
const char *alarm_verdict_message(enum alarm_verdict verdict);

/* JSON for lists and the stream: no raw message and no technical data
 * (position, battery), which live in tables of their own. */
cJSON *alarm_summary_json(const struct alarm *alarm);
/* JSON for GET /v1/alarms/{id}: the summary plus raw and position. */
cJSON *alarm_detail_json(const struct alarm *alarm);

#endif
