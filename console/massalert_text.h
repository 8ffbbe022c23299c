/* massalert_text.h: the pure parts of the mass alert composer: the radius
 * ladder that > and < climb (with the presets 800 m, 3 km and 30 km on
 * it), filling a template's {blanks}, and the SMS meter the operator
 * reads as she types (length, GSM 03.38 or UCS-2, parts), measured on the
 * text as an agent will receive it, with its reply link in place. No
 * curses, no network: unit-tested alone. */
#ifndef VIGIE_CONSOLE_MASSALERT_TEXT_H
#define VIGIE_CONSOLE_MASSALERT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/sms.h"

/* The presets the issue names: an aggression, a hit-and-run, an attack. */
#define MASSALERT_PRESET_AGGRESSION_M  800.0
#define MASSALERT_PRESET_HIT_AND_RUN_M 3000.0
#define MASSALERT_PRESET_ATTACK_M      30000.0

/* What replaces {reply} in an agent's message: "<public_url>/r/<token>",
 * a 43-character base64url token after a base URL such as
 * "https://vigie.example.org" (25). The meter counts this many characters
 * for it, so that "1 part" stays true once the link is in. */
#define MASSALERT_REPLY_LINK_LENGTH 72
#define MASSALERT_REPLY_PLACEHOLDER "{reply}"

/* A message as sent: the API's bound (server/api_massalerts.c). */
#define MASSALERT_MESSAGE_MAX 2048
/* Blanks of one template, and the bytes of one value (alert_templates.h). */
#define MASSALERT_FIELDS_MAX      8
#define MASSALERT_FIELD_NAME_SIZE 32
#define MASSALERT_FIELD_VALUE_MAX 256

/* The next radius up (direction > 0) or down the ladder from metres; the
 * same value at either end. */
double massalert_radius_step(double metres, int direction);

/* "800 m", "3 km", "2.5 km": the radius as the confirmation names it. */
void massalert_format_radius(double metres, char *out, size_t size);

/* Replaces each {name} of `text` by its value (names[i] -> values[i]);
 * {reply} and unknown blanks stay as they are. False when the result
 * would not fit `size`. */
bool massalert_fill(const char *text, const char *const names[], const char *const values[],
                    size_t count, char *out, size_t size);

/* Measures the message as an agent gets it ({reply} counted as
 * MASSALERT_REPLY_LINK_LENGTH characters). False when it is not UTF-8. */
bool massalert_measure(const char *message, struct sms_measure *out);

/* The meter's line: "SMS 1 part, 142/160 GSM 7-bit" or "SMS 3 parts,
 * 150/201 UCS-2 (\"ç\" forces it)" or a warning past SMS_PARTS_MAX parts.
 * Sets *too_long when the message cannot be sent as it is. */
void massalert_meter_line(const char *message, char *out, size_t size, bool *too_long);

#endif
