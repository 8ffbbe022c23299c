/* screen_massalert_internal.h: the state of the mass alert composer,
 * shared by its files: screen_massalert.c (the screen's callbacks, the
 * centre, the circle, the dry run's counts), screen_massalert_message.c
 * (templates, the form, the text and its SMS meter, sending with a
 * confirmation) and screen_massalert_draw.c (the map and the panel).
 * Nothing else includes it. */
#ifndef VIGIE_CONSOLE_SCREEN_MASSALERT_INTERNAL_H
#define VIGIE_CONSOLE_SCREEN_MASSALERT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/geo.h"
#include "console/client_massalert.h"
#include "console/map_view.h"
#include "console/massalert_text.h"
#include "console/screen.h"
#include "widgets/canvas.h"
#include "widgets/lineedit.h"

/* The panel: wide enough for "SMS 1234  e-mail 1234  voice 1234" and the
 * SMS meter; the map takes the rest, and is left out below this many
 * columns (the counts matter more than the picture). */
#define MASSALERT_PANEL_COLUMNS   42
#define MASSALERT_MAP_MIN_COLUMNS 24
/* The label of the circle's centre, as the confirmation and the report
 * name it ("Alarm 12: Boulangerie Dupond, Nice"). */
#define MASSALERT_LABEL_SIZE 160
/* The radius a composer starts with: the smallest preset (an aggression):
 * the operator widens it on purpose, never narrows it by surprise. */
#define MASSALERT_RADIUS_DEFAULT_M MASSALERT_PRESET_AGGRESSION_M

/* Where the circle's centre stands. */
enum massalert_centre_state {
    MASSALERT_CENTRE_NONE,    /* none yet: type one (c) */
    MASSALERT_CENTRE_LOADING, /* an alarm's or a site's position is being read */
    MASSALERT_CENTRE_SET,
};

struct massalert_screen {
    struct screen base;
    struct canvas *canvas;
    int y, x, height, width; /* the body */
    int map_columns;         /* 0: no map (a narrow terminal) */
    bool panel_dirty, picture_dirty;
    bool shown;

    /* the circle */
    enum massalert_centre_state centre_state;
    struct geo_point centre;
    char label[MASSALERT_LABEL_SIZE];
    int64_t alarm_id; /* the alarm it is centred on; 0: none */
    double radius_m;
    unsigned channels;               /* MASSALERT_CHANNEL() bits */
    int alarm_request, site_request; /* loading the centre; 0: none */
    char problem[256];               /* why there is no centre */

    /* the view */
    struct geo_point view_centre;
    int zoom;
    bool panned, zoomed;

    /* the dry run: one in flight at most; changes meanwhile ask again
     * when it answers, so holding > costs one request per answer */
    int count_request;
    bool count_again;
    cJSON *counts; /* the last answer, for this circle and these channels */
    bool counts_stale;
    char count_error[256];

    /* the message */
    int templates_request;
    cJSON *templates;   /* GET /v1/massalert-templates' list */
    int template_index; /* -1: none (free text) */
    char language[4];   /* "en", "fr" */
    int field_index;    /* the blank being asked in the form */
    char values[MASSALERT_FIELDS_MAX][MASSALERT_FIELD_VALUE_MAX];
    char message[MASSALERT_MESSAGE_MAX + 1];
    char meter[128];
    bool too_long;
    struct lineedit_history *history;

    /* sending */
    int send_request;
    int64_t sent_people; /* what the confirmation named */
};

/* ---- screen_massalert.c ---- */
/* The circle, the channels or the text changed: ask the counts again. */
void massalert_recount(struct massalert_screen *screen);
/* JSON helpers of the three files. */
const char *massalert_json_text(const cJSON *object, const char *name);
double massalert_json_number(const cJSON *object, const char *name, double otherwise);

/* ---- screen_massalert_message.c ---- */
void massalert_choose_template(struct massalert_screen *screen);
void massalert_edit_message(struct massalert_screen *screen);
void massalert_toggle_language(struct massalert_screen *screen);
void massalert_load_templates(struct massalert_screen *screen);
bool massalert_templates_loaded(struct massalert_screen *screen, int http_status,
                                const cJSON *body);
/* The template's name in the composer's language ("" when none). */
const char *massalert_template_name(const struct massalert_screen *screen);
/* Measures the text again (the meter's line). */
void massalert_measure_message(struct massalert_screen *screen);
void massalert_ask_send(struct massalert_screen *screen);
void massalert_sent(struct massalert_screen *screen, int http_status, const cJSON *body);

/* ---- screen_massalert_draw.c ---- */
void massalert_paint_picture(struct massalert_screen *screen);
void massalert_draw_panel(struct massalert_screen *screen);

#endif
