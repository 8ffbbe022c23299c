/* cap.h: what an escalation tells the emergency services, written two
 * ways from the same facts: an OASIS CAP 1.2 <alert> (XML) and a JSON
 * document. Pure functions: no store, no clock, no locale; the caller
 * gathers the facts (store_escalations.c) and gives the time and its UTC
 * offset. Every field is bounded, so a document is too. */
#ifndef VIGIE_CAP_H
#define VIGIE_CAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Who an alarm is escalated to. The order is that of the settings
 * (server/config.h, CONFIG_AGENCIES). */
enum cap_agency {
    CAP_AGENCY_POLICE,
    CAP_AGENCY_GENDARMERIE,
    CAP_AGENCY_FIRE,
    CAP_AGENCY_MEDICAL,
    CAP_AGENCY_COUNT
};

/* The language of the documents' words (headline, labels): that of the
 * centre's stored event labels, not the process's locale. */
enum cap_language { CAP_LANGUAGE_ENGLISH, CAP_LANGUAGE_FRENCH };

/* Bounds. An identifier or a sender is a short token; names and phones
 * are what the directory stores; a description of the aggressor is a few
 * sentences; the operator adds one line. */
#define CAP_IDENTIFIER_SIZE   128
#define CAP_SENDER_SIZE       128
#define CAP_NAME_SIZE         160
#define CAP_PHONE_SIZE        48
#define CAP_ADDRESS_SIZE      320
#define CAP_TEXT_SIZE         1024
#define CAP_OPERATOR_TEXT_MAX 500
/* "2026-05-01T12:34:56+02:00" plus NUL, with room for any year and
 * what the compiler cannot prove of struct tm's ranges. */
#define CAP_TIME_SIZE 96
/* "sender,identifier,sent" of the alert an update refers to. */
#define CAP_REFERENCES_SIZE (CAP_SENDER_SIZE + CAP_IDENTIFIER_SIZE + CAP_TIME_SIZE)
/* The largest document either writer makes from bounded facts: every field
 * at its bound, each character escaped to six bytes, fits below it. */
#define CAP_DOCUMENT_MAX (64 * 1024)

struct cap_facts {
    enum cap_agency agency;
    enum cap_language language;
    char identifier[CAP_IDENTIFIER_SIZE];
    char sender[CAP_SENDER_SIZE];
    /* Empty for a new alert; for an update of an earlier one (a sighting
     * relayed after the escalation), CAP's <references> to it, and the
     * message type becomes "Update". Made by cap_format_references. */
    char references[CAP_REFERENCES_SIZE];
    int64_t sent_ms;
    int utc_offset_minutes;      /* of the centre's local time at sent_ms */
    char contact[CAP_NAME_SIZE]; /* whom the services call back */

    /* What. */
    int64_t alarm_id;
    char alarm_class[32];
    char label[CAP_NAME_SIZE];
    char event_code[16];
    int priority; /* 1 (most urgent) .. 5 */
    int64_t received_ms;
    int zone; /* -1 when none */
    char zone_name[CAP_NAME_SIZE];

    /* Where: a site (name, address) or a person (victim's reference), and
     * a position when one is known: a device's fix with its accuracy, or
     * the site's coordinates (accuracy 0: a point). */
    char subject[CAP_NAME_SIZE];
    char address[CAP_ADDRESS_SIZE];
    char site_phone[CAP_PHONE_SIZE];
    bool located;
    double lat, lon, accuracy_m;
    char position_source[8]; /* gps, cell, wifi, site, agent */
    int64_t fix_ms;          /* 0 when unknown */
    /* Set when the position is not the subject's (an update carrying a
     * sighting): what the <area> is, in place of subject and address. */
    char area_label[CAP_ADDRESS_SIZE];

    /* Who is in danger and who threatens (protection phones). The
     * victim's id is for the caller's audit, not written. */
    int64_t victim_id;
    char victim_reference[64];
    char victim_name[CAP_NAME_SIZE];
    char victim_phone[CAP_PHONE_SIZE];
    char aggressor_name[CAP_NAME_SIZE];
    char aggressor_description[CAP_TEXT_SIZE];
    char aggressor_vehicle[CAP_NAME_SIZE];
    char aggressor_plate[32];

    /* The operator who escalates, and the line she added. */
    char operator_name[CAP_NAME_SIZE];
    char operator_text[CAP_OPERATOR_TEXT_MAX + 1];
};

const char *cap_agency_name(enum cap_agency agency); /* "police", ... */
bool cap_agency_parse(const char *text, enum cap_agency *out);

/* CAP 1.2 forbids spaces, commas, '<' and '&' in an identifier or a
 * sender; control characters are refused too. */
bool cap_identifier_valid(const char *text);
/* Replaces every character an identifier may not hold with '-'. */
void cap_identifier_clean(char *text);

/* "YYYY-MM-DDThh:mm:ss+hh:mm" at ms shifted by the offset. UTC is written
 * "-00:00", as CAP 1.2 requires (never "Z"). */
void cap_format_time(int64_t ms, int utc_offset_minutes, char out[CAP_TIME_SIZE]);

/* CAP's reference to an earlier alert: "sender,identifier,sent". */
void cap_format_references(const char *sender, const char *identifier, int64_t sent_ms,
                           int utc_offset_minutes, char out[CAP_REFERENCES_SIZE]);

/* The <circle> value, "lat,lon radius" with the radius in kilometres. */
void cap_format_circle(double lat, double lon, double accuracy_m, char *out, size_t size);

/* The CAP 1.2 <alert> into out (size bytes). Returns its length, or -1
 * when the facts cannot make a valid alert (an identifier or a sender
 * CAP forbids) or out is too small. */
int cap_write_xml(const struct cap_facts *facts, char *out, size_t size);

/* The same facts as a JSON object (a new string to free), or NULL when
 * memory is short or the facts are invalid. */
char *cap_write_json(const struct cap_facts *facts);

/* The headline both documents carry ("Panic / SOS: TGD-75-0001 - ..."). */
void cap_headline(const struct cap_facts *facts, char *out, size_t size);

#endif
