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

enum model_flag {
    MODEL_FLAG_UNKNOWN_ACCOUNT = 1u << 0,
    MODEL_FLAG_EARLY_OPEN = 1u << 1,
};

/* One alarm as the queue shows it (the summary JSON of the API). */
struct console_alarm {
    int64_t id, seq;
    char source[16];
    char account[24];
    int64_t site_id, device_id, victim_id; /* 0 when absent */
    char subject[128];
    char place[256];
    char event_code[16];
    char class_name[32];
    char label[160];
    int priority; /* 1..5 */
    int zone;     /* -1 when none */
    int64_t received_at; /* epoch ms */
    char state[16];      /* new, claimed, acknowledged, escalated, closed */
    char claim_user[64]; /* "" when nobody handles it */
    char claim_name[128];
    char resolution[32];
    int64_t closed_at;
    unsigned flags; /* enum model_flag */
    bool has_position;
};

enum model_change { MODEL_UNCHANGED, MODEL_ADDED, MODEL_UPDATED, MODEL_REMOVED };

struct model;

struct model *model_new(void);
void model_free(struct model *model);
/* Forgets everything (before a reload after "resync"). */
void model_clear(struct model *model);

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

/* Open alarms, in no particular order (screens sort them). */
size_t model_open_count(const struct model *model);
const struct console_alarm *model_open_at(const struct model *model, size_t index);
const struct console_alarm *model_find(const struct model *model, int64_t id);
/* Closed alarms seen, newest first. */
size_t model_closed_count(const struct model *model);
const struct console_alarm *model_closed_at(const struct model *model, size_t index);

/* The sequence of the last event applied (the stream resumes after it). */
int64_t model_last_sequence(const struct model *model);
void model_set_last_sequence(struct model *model, int64_t sequence);

#endif
