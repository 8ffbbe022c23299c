/* store_devices.h: protection phones and lone-worker devices as senders.
 * Who a token or a phone number belongs to; what a message does (a new
 * priority-1 alarm linked to the victim's file or the worker's site, a
 * point on the track of the device's open alarm, or a test recorded
 * closed); the purge of their technical data; the check of overdue tests.
 *
 * Technical data (positions, battery) lives only in `positions`, and the
 * raw message in the alarm until the purge redacts it. Audit rows,
 * timeline entries and stream events name positions by id, never copy
 * them. */
#ifndef VIGIE_STORE_DEVICES_H
#define VIGIE_STORE_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

#include "server/store.h"

#define DEVICE_UID_MAX     64
#define DEVICE_KIND_MAX    24
#define DEVICE_KEY_HEX_MAX 129 /* a 64-byte HMAC key in hex */
/* What a raw device message becomes at the purge. */
#define DEVICE_RAW_REDACTED "[redacted at purge]"

struct device_identity {
    int64_t id;
    char uid[DEVICE_UID_MAX];
    char kind[DEVICE_KIND_MAX];           /* protection-phone, lone-worker */
    char aml_key_hex[DEVICE_KEY_HEX_MAX]; /* "" when the device sends no AML */
};

/* The device whose token hashes to `token_hash`; STORE_NOT_FOUND if none. */
int store_device_find_by_token(struct store *store, const char *token_hash,
                               struct device_identity *out, struct store_error *error);
/* The device with this MSISDN (E.164), for the AML form. */
int store_device_find_by_msisdn(struct store *store, const char *msisdn,
                                struct device_identity *out, struct store_error *error);

enum device_trigger {
    DEVICE_TRIGGER_SOS,
    DEVICE_TRIGGER_POWER_BUTTON,   /* the power key pressed three times */
    DEVICE_TRIGGER_FALL,           /* the phone's fall detector */
    DEVICE_TRIGGER_TEST,           /* the periodic test */
    DEVICE_TRIGGER_POSITION,       /* a position update, no new alarm */
    DEVICE_TRIGGER_EMERGENCY_CALL, /* an AML message: the phone called 112 */
};
/* The names a device sends in JSON (not emergency-call, which is AML's). */
bool device_trigger_parse(const char *text, enum device_trigger *out);
const char *device_trigger_name(enum device_trigger trigger);

struct device_fix {
    bool present;
    double lat, lon;   /* degrees, WGS 84 */
    double accuracy_m; /* radius */
    char source[8];    /* gps, cell, wifi, unknown */
    int64_t fix_at;    /* ms, 0 when unknown */
};

struct device_message {
    int64_t device_id;
    const char *source; /* "device" (JSON) or "aml" */
    enum device_trigger trigger;
    struct device_fix fix;
    int battery;         /* percent; -1 when not sent. Kept with a fix only. */
    const char *raw;     /* as received; redacted at the purge */
    const char *receipt; /* AML: its HMAC, so that a repeat is stored once */
    const char *note;    /* optional timeline text (fields left out...) */
};

struct device_outcome {
    int64_t alarm_id; /* 0 when the message made none (a position, nothing open) */
    bool created;     /* a new alarm in the queue (or a test, recorded closed) */
    bool tracking;    /* added to the track of the device's open alarm */
    bool duplicate;   /* an AML message already stored: nothing new */
};

/* Applies one message in one durable write: returns once committed.
 * STORE_NOT_FOUND when the device is gone. */
int store_device_message(struct store *store, const struct device_message *message,
                         struct device_outcome *out, struct store_error *error);

struct store_purge_report {
    int64_t positions; /* rows deleted */
    int64_t raws;      /* raw messages redacted */
    int64_t alarms;    /* alarms whose technical data changed (one event each) */
    int64_t events_trimmed;
};
/* Whether anything is older than `older_than_ms` (a read, no write). */
int store_technical_purge_due(struct store *store, int64_t older_than_ms, bool *due_out,
                              struct store_error *error);
/* Deletes positions captured before `older_than_ms`, redacts the raw
 * messages of device alarms received before it and forgets old AML
 * receipts; each alarm touched gets a stream event. Then it trims the
 * events written before the purge, so that a stream resuming from before
 * it is told to resync. */
int store_technical_purge(struct store *store, int64_t older_than_ms,
                          struct store_purge_report *report, struct store_error *error);

/* Raises one technical alarm (priority 4) for each device whose last test
 * or alarm is older than its test interval, and flags the device with it
 * until the device tests itself or raises an alarm again. A device never
 * heard of is watched from the first check that sees it. */
int store_device_tests_check(struct store *store, int *raised_out, struct store_error *error);

#endif
