/* screen_detail_escalations.h: what the alarm detail shows of its
 * escalations to the emergency services (the "escalations" member of GET
 * /v1/alarms/{id}): a coloured line per escalation above the text, where
 * the operator cannot miss it (queued, delivered with the gateway's
 * reference, or failed: phone instead, with the number), and a section of
 * the text with every delivery's details. */
#ifndef VIGIE_CONSOLE_SCREEN_DETAIL_ESCALATIONS_H
#define VIGIE_CONSOLE_SCREEN_DETAIL_ESCALATIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "console/theme.h"

struct ui;

/* Lines above the text: the latest escalations; an alarm is rarely
 * escalated to more than police and an ambulance. */
#define DETAIL_ESCALATION_ROWS_MAX 3
#define DETAIL_ESCALATION_ROW_SIZE 320

struct detail_escalations {
    size_t count;
    char text[DETAIL_ESCALATION_ROWS_MAX][DETAIL_ESCALATION_ROW_SIZE];
    enum theme_slot slot[DETAIL_ESCALATION_ROWS_MAX];
    bool dirty;
};

/* The agency as the operator reads it ("Police", "Fire brigade"...). */
const char *escalation_agency_label(const char *agency);

/* Takes the alarm's escalations; true when the number of lines changed
 * (the caller lays its text out again, below them). */
bool detail_escalations_update(struct detail_escalations *lines, const cJSON *alarm);
/* Paints the lines at (y, x), width columns wide, when dirty. */
void detail_escalations_draw(struct detail_escalations *lines, struct ui *ui, int y, int x,
                             int width);

/* The "Escalations" section of the detail text: "" when there are none,
 * NULL when memory is short; a new string to free. */
char *screen_detail_escalations_format(const cJSON *alarm, int64_t now_ms);

#endif
