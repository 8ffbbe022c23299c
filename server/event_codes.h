/* event_codes.h: what an alarm panel's event code means to the centre
 * (class, priority, what to do with it, a label in English and French),
 * read from a data file (server/events.tsv), never decided in code. A code
 * the file does not know is still an alarm: lookups never fail. */
#ifndef VIGIE_SERVER_EVENT_CODES_H
#define VIGIE_SERVER_EVENT_CODES_H

#include <stdbool.h>
#include <stddef.h>

#include "server/alarm.h"

#ifndef VIGIE_DATADIR
#define VIGIE_DATADIR "/usr/local/share/vigie"
#endif

/* A Contact ID code is 3 digits and an SIA code 2 letters. */
#define EVENT_CODE_MAX 4
/* One label cell in bytes of UTF-8, both forms of a CID label included;
 * the longest French label of the file is under half of it. */
#define EVENT_LABEL_MAX 128
/* Contact ID has at most 1000 codes and SIA 676: room for both. */
#define EVENT_CODES_ROWS_MAX 2048
/* A row is seven short cells; a longer line is a broken file. */
#define EVENT_CODES_LINE_MAX 1024
/* An unknown code is urgent until someone has read it. */
#define EVENT_UNKNOWN_PRIORITY 2

enum event_format {
    EVENT_FORMAT_CID, /* Ademco Contact ID (DC-09 ADM-CID) */
    EVENT_FORMAT_SIA, /* SIA DC-03 (DC-09 SIA-DCS) */
};

/* What the ingest does with an event. Only `alarm` puts it in the queue;
 * every other one is stored already closed. An `open` outside the site's
 * schedule is the ingest's business (it raises an early-open alarm). */
enum event_disposition {
    EVENT_DISPOSITION_ALARM,
    EVENT_DISPOSITION_RESTORE,
    EVENT_DISPOSITION_TEST,
    EVENT_DISPOSITION_OPEN,
    EVENT_DISPOSITION_CLOSE,
    EVENT_DISPOSITION_INFO,
};

/* Contact ID qualifiers. */
#define CONTACT_ID_QUALIFIER_EVENT   1 /* new event, or an opening */
#define CONTACT_ID_QUALIFIER_RESTORE 3 /* restore, or a closing */
#define CONTACT_ID_QUALIFIER_STATUS  6 /* condition still present */

struct event_code_row {
    enum event_format format;
    char code[EVENT_CODE_MAX];
    char class_name[ALARM_CLASS_MAX];
    int priority;
    enum event_disposition disposition;
    char label_en[EVENT_LABEL_MAX];
    char label_fr[EVENT_LABEL_MAX];
    unsigned line; /* in the file, for messages */
};

/* Sorted by format and code once loaded; read-only, so threads may share
 * it without a lock. */
struct event_code_table {
    struct event_code_row *rows;
    size_t count;
};

struct event_code_result {
    bool known; /* false: the code is not in the table */
    char class_name[ALARM_CLASS_MAX];
    int priority;
    enum event_disposition disposition; /* after the CID qualifier */
    char label_en[ALARM_LABEL_MAX];
    char label_fr[ALARM_LABEL_MAX];
};

/* Reads a TSV file (see server/events.tsv for its columns). On failure
 * returns false, leaves `table` empty and fills `error` ("FILE:LINE:
 * why"). */
bool event_codes_load(const char *path, struct event_code_table *table, char *error,
                      size_t error_size);
void event_codes_free(struct event_code_table *table);

/* What CODE means. `qualifier` is the Contact ID qualifier (1, 3 or 6;
 * anything else reads as 1) and is ignored for SIA. An unknown code gives
 * class "unknown", priority 2, disposition alarm and the label "Unknown
 * event CODE". `table` may be NULL (every code is then unknown). */
void event_codes_lookup(const struct event_code_table *table, enum event_format format,
                        const char *code, int qualifier, struct event_code_result *result);

/* The first of $VIGIE_EVENTS_FILE, VIGIE_DATADIR/events.tsv and
 * server/events.tsv (the source tree, from the working directory or a
 * build tree's binary: common/data_path.h) that can be read; when none can,
 * the one an administrator would look for first, so that the load error
 * names it. */
const char *event_codes_default_path(void);

const char *event_format_name(enum event_format format);
bool event_format_parse(const char *text, enum event_format *out);
const char *event_disposition_name(enum event_disposition disposition);
bool event_disposition_parse(const char *text, enum event_disposition *out);
/* True only for `alarm`: the other dispositions are stored closed (an
 * early open is made an alarm by the ingest, not here). */
bool event_disposition_needs_operator(enum event_disposition disposition);

#endif
