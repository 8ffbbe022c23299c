/* screen_massalert_monitor.h: the state of the mass alert monitor, shared
 * by its two files: screen_massalert_monitor.c (loading, keys, cancel,
 * relay, report) and screen_massalert_monitor_draw.c (the counts table
 * and the lists). Nothing else includes it. */
#ifndef VIGIE_CONSOLE_SCREEN_MASSALERT_MONITOR_H
#define VIGIE_CONSOLE_SCREEN_MASSALERT_MONITOR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "console/screen_massalert_internal.h"

/* Lines above the list: the alert, its message, the counts table (a
 * header, four channels, the total) and the list's title. */
#define MONITOR_LIST_TOP 10
/* Lines under the list: the keys. */
#define MONITOR_FOOTER_LINES 1
/* A recipients page when the screen is not laid out yet. */
#define MONITOR_PAGE_MIN 10
/* Alerts or alarms offered in a choice: a screenful of the newest. */
#define MONITOR_CHOICES_MAX 20
#define MONITOR_CHOICE_SIZE 128

enum monitor_mode { MONITOR_REPLIES, MONITOR_RECIPIENTS };

struct monitor_screen {
    struct screen base;
    int y, x, height, width, list_rows;
    bool shown, dirty;

    int64_t alert_id;
    cJSON *alert; /* GET /v1/massalerts/{id} */
    int alert_request;

    enum monitor_mode mode;
    int selected;      /* in the list shown */
    cJSON *recipients; /* one page */
    int recipients_offset;
    int recipients_request;

    int list_request; /* GET /v1/massalerts, for the choice */
    cJSON *list;
    char choices[MONITOR_CHOICES_MAX][MONITOR_CHOICE_SIZE];

    int cancel_request;
    int relay_request;
    int64_t relay_reply, relay_alarm;
    bool relay_to_services;
    int64_t relay_alarms[MONITOR_CHOICES_MAX];
    bool relay_services[MONITOR_CHOICES_MAX]; /* to the services, not the log */
    size_t relay_count;

    int report_request;
    FILE *report_file;
    char report_path[256];
};

/* ---- screen_massalert_monitor.c ---- */
void monitor_show(struct monitor_screen *screen, int64_t alert_id);
void monitor_fetch_alert(struct monitor_screen *screen);
void monitor_fetch_recipients(struct monitor_screen *screen);
/* The report's answer came (status 0: abandoned): closes the file, keeps
 * it only when it holds the report. */
void monitor_report_done(struct monitor_screen *screen, int http_status);

/* ---- screen_massalert_monitor_draw.c ---- */
void monitor_draw(struct screen *base);
/* "12  sending  800 m around Alarm 3: ..." for the choice of alerts. */
void monitor_alert_line(const cJSON *alert, char *out, size_t size);
/* "sending", "cancelled", "done", in the operator's language. */
const char *monitor_state_label(const char *state);
/* The reply under the selection, or NULL. */
const cJSON *monitor_selected_reply(const struct monitor_screen *screen);

#endif
