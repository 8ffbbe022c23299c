/* panel_driver.h: how vigied commands an alarm panel. SIA DC-09 only
 * reports; arming and disarming go over each vendor's own control
 * protocol. A driver speaks one of them as a pure state machine over the
 * bytes of one TCP connection: the command tracker (panel_commands.c)
 * connects, hands the driver what the panel sends, writes what the driver
 * asks it to write, and closes; the driver says where the command stands.
 * Drivers are listed once, by protocol name, in panel_driver.c. */
#ifndef VIGIE_PANEL_DRIVER_H
#define VIGIE_PANEL_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds of a panel connection's settings: a protocol name is a word, an
 * address a host name and a port, the TPI password 6 characters (room for
 * other protocols' longer ones), a user code 4 to 8 digits. */
#define PANEL_PROTOCOL_MAX 16
#define PANEL_ADDRESS_MAX  128
#define PANEL_PASSWORD_MAX 64
#define PANEL_CODE_MAX     16
/* What the panel said, kept for the record ("655 partition 1 disarmed"). */
#define PANEL_ANSWER_MAX 160
/* Bytes a driver may queue to send at once: a few command lines. */
#define PANEL_OUTPUT_MAX 256
/* Partitions (areas) a panel has: DSC PowerSeries has 8. */
#define PANEL_PARTITION_MAX 8
/* Zones a bypass may name: the EnvisaLink 4 follows 128 (DSC up to 64). */
#define PANEL_ZONE_MAX 128

/* What an operator asks of a panel. */
enum panel_command_kind {
    PANEL_COMMAND_ARM_AWAY,    /* every zone armed: nobody on site */
    PANEL_COMMAND_ARM_STAY,    /* perimeter only: people inside */
    PANEL_COMMAND_DISARM,      /* with the centre's user code */
    PANEL_COMMAND_BYPASS_ZONE, /* until the panel is next disarmed */
    PANEL_COMMAND_COUNT
};

/* A site's arm state, as the store keeps it ("armed" is armed away). */
enum panel_arm_state {
    PANEL_STATE_UNKNOWN,
    PANEL_STATE_DISARMED,
    PANEL_STATE_ARMED_AWAY,
    PANEL_STATE_ARMED_STAY,
};

/* "arm-away", "arm-stay", "disarm", "bypass-zone" (the API's words). */
const char *panel_command_name(enum panel_command_kind kind);
bool panel_command_parse(const char *text, enum panel_command_kind *out);
/* "unknown", "disarmed", "armed", "armed-stay": the values of
 * sites.arm_state and of the API's arm_state. */
const char *panel_arm_state_name(enum panel_arm_state state);
bool panel_arm_state_parse(const char *text, enum panel_arm_state *out);
/* The state a command leads to; UNKNOWN for a bypass (no change). */
enum panel_arm_state panel_command_target(enum panel_command_kind kind);

/* How to reach one panel. The password and the user code are secrets:
 * only the tracker reads them, never the API nor a log line. */
struct panel_link {
    char protocol[PANEL_PROTOCOL_MAX];
    char address[PANEL_ADDRESS_MAX]; /* HOST:PORT */
    int partition;                   /* 1.. PANEL_PARTITION_MAX */
    char password[PANEL_PASSWORD_MAX];
    char user_code[PANEL_CODE_MAX];
};

struct panel_request {
    enum panel_command_kind kind;
    int zone; /* bypass only */
};

enum panel_outcome {
    PANEL_OUTCOME_PENDING,   /* keep reading */
    PANEL_OUTCOME_CONFIRMED, /* the panel says it did it */
    PANEL_OUTCOME_REFUSED,   /* the panel said no (bad code, not ready...) */
    PANEL_OUTCOME_FAILED,    /* the exchange failed (login, checksum, protocol) */
};

/* Where a command stands after the driver read something. */
struct panel_result {
    enum panel_outcome outcome;
    enum panel_arm_state state;    /* what the panel says it is; UNKNOWN if it did not */
    char answer[PANEL_ANSWER_MAX]; /* the decisive answer, readable, no secret in it */
};

/* Bytes the driver wants written to the panel, in order. */
struct panel_output {
    char data[PANEL_OUTPUT_MAX];
    size_t length;
};

struct panel_driver {
    const char *name;  /* the protocol name administrators give: "tpi" */
    const char *title; /* "EnvisaLink TPI (DSC)" */
    unsigned default_port;
    size_t session_size; /* the tracker allocates this much, zeroed, per command */
    /* The link can carry this command (a disarm needs a user code...);
     * false with a sentence in `why`. */
    bool (*check)(const struct panel_link *link, const struct panel_request *request, char *why,
                  size_t why_size);
    /* Connected: remembers the link and the request, may queue the first
     * bytes (a protocol where the client speaks first). */
    void (*connected)(void *session, const struct panel_link *link,
                      const struct panel_request *request, struct panel_output *out,
                      struct panel_result *result);
    /* Bytes from the panel, in any cut: consumes them, may queue bytes to
     * send (login, the command, a code asked for), and updates `result`. */
    void (*received)(void *session, const char *data, size_t length, struct panel_output *out,
                     struct panel_result *result);
    /* The connection is closing (verdict, time-out, error): the session
     * wipes the secrets it copied. */
    void (*closing)(void *session);
};

/* The driver for a protocol name; NULL when there is none. */
const struct panel_driver *panel_driver_find(const char *name);
/* Every driver, for `vigied panel` and the documentation. */
size_t panel_driver_count(void);
const struct panel_driver *panel_driver_at(size_t index);

/* Appends bytes to an output; false (nothing appended) when they do not fit. */
bool panel_output_append(struct panel_output *out, const char *data, size_t length);

#endif
