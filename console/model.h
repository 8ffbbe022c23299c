/* model.h: the console's one picture of the centre: the open alarms by id,
 * exactly as the server last described them, and the closed ones recently
 * seen. Only the client writes it (from list answers and stream events,
 * each applied only when its sequence is newer than what the model has);
 * screens only read it. */
#ifndef VIGIE_CONSOLE_MODEL_H
#define VIGIE_CONSOLE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* Closed alarms kept for the ":closed" view; older ones are fetched. */
#define MODEL_CLOSED_MAX 1000
/* Bytes a text field keeps (with its NUL): the server's own bounds. A
 * longer text is cut on a character boundary rather than lost. */
#define MODEL_SOURCE_MAX     16
#define MODEL_ACCOUNT_MAX    24
#define MODEL_NAME_MAX       128 /* subject, claim_name */
#define MODEL_PLACE_MAX      256
#define MODEL_CODE_MAX       16
#define MODEL_CLASS_MAX      32
#define MODEL_LABEL_MAX      160
#define MODEL_STATE_MAX      16
#define MODEL_USERNAME_MAX   64
#define MODEL_RESOLUTION_MAX 32
/* Priorities an alarm can have (the API's 1..5). */
#define MODEL_PRIORITIES 5

enum model_flag {
    MODEL_FLAG_UNKNOWN_ACCOUNT = 1u << 0,
    MODEL_FLAG_EARLY_OPEN = 1u << 1,
};

/* One alarm as the queue shows it (the summary JSON of the API). Its texts
 * are never NULL ("" when absent) and live in the pool of model_strings.h:
 * they stay valid for the life of the process, so the struct may be copied
 * and kept; equal texts are the same pointer. */
struct console_alarm {
    int64_t id, seq;
    int64_t site_id, device_id, victim_id; /* 0 when absent */
    int64_t received_at;                   /* epoch ms */
    int64_t closed_at;
    const char *source;
    const char *account;
    const char *subject;
    const char *place;
    const char *event_code;
    const char *class_name;
    const char *label;
    const char *state;      /* new, claimed, acknowledged, escalated, closed */
    const char *claim_user; /* "" when nobody handles it */
    const char *claim_name;
    const char *resolution;
    int priority;   /* 1..5 */
    int zone;       /* -1 when none */
    unsigned flags; /* enum model_flag */
    bool has_position;
};

enum model_change { MODEL_UNCHANGED, MODEL_ADDED, MODEL_UPDATED, MODEL_REMOVED };

struct model;

struct model *model_new(void);
void model_free(struct model *model);
/* Forgets everything (before a reload after "resync"). */
void model_clear(struct model *model);
/* Exchanges the contents of two models: a list loaded into a second model
 * takes the place of the one on screen at once. */
void model_swap(struct model *a, struct model *b);

/* Applies an alarm summary as the API gives it (list item or "alarm" event
 * data). An alarm whose sequence is not newer than the model's copy is
 * ignored (MODEL_UNCHANGED); a closed one leaves the open set
 * (MODEL_REMOVED) and joins the closed ring. *out (optional) points to the
 * model's copy, valid until the next change. */
enum model_change model_apply_json(struct model *model, const cJSON *alarm,
                                   const struct console_alarm **out);
/* Parses a summary without applying it; false when a field is missing or of
 * the wrong type. */
bool model_alarm_from_json(const cJSON *alarm, struct console_alarm *out);

/* Open alarms, in no particular order (screens sort them). An alarm
 * added is the last one; when one leaves, the last one takes its index
 * (a screen that keeps an index of its own follows this). */
size_t model_open_count(const struct model *model);
const struct console_alarm *model_open_at(const struct model *model, size_t index);
/* The index of an open alarm for model_open_at; false when it is not open. */
bool model_open_index(const struct model *model, int64_t id, size_t *index);
/* Open alarms of one priority (1..5; 0 for any other), kept as changes
 * apply rather than counted. */
size_t model_open_count_priority(const struct model *model, int priority);
const struct console_alarm *model_find(const struct model *model, int64_t id);
/* Closed alarms seen, newest first. */
size_t model_closed_count(const struct model *model);
const struct console_alarm *model_closed_at(const struct model *model, size_t index);

/* The sequence of the last event applied (the stream resumes after it). */
int64_t model_last_sequence(const struct model *model);
void model_set_last_sequence(struct model *model, int64_t sequence);

#endif
