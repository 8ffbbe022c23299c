/* cap.c: the escalation documents. The XML follows the element order of
 * the OASIS CAP 1.2 schema; what the schema cannot check is done here:
 * times carry an explicit offset ("-00:00" for UTC), a circle's radius is
 * in kilometres, identifiers and senders hold no space, comma, '<' or '&'.
 * Text is XML-escaped, invalid UTF-8 and control characters replaced, so a
 * name typed badly in the directory never makes an unreadable alert. The
 * words of the documents come from a small table in the centre's language
 * (the process's locale is the operator's business, not the police's). */
#include "server/cap.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const agency_names[CAP_AGENCY_COUNT] = {
    [CAP_AGENCY_POLICE] = "police",
    [CAP_AGENCY_GENDARMERIE] = "gendarmerie",
    [CAP_AGENCY_FIRE] = "fire",
    [CAP_AGENCY_MEDICAL] = "medical",
};

/* CAP categories: the services' own domain first, then rescue for the
 * services that also rescue people. */
static const char *const agency_categories[CAP_AGENCY_COUNT][2] = {
    [CAP_AGENCY_POLICE] = {"Security", NULL},
    [CAP_AGENCY_GENDARMERIE] = {"Security", NULL},
    [CAP_AGENCY_FIRE] = {"Fire", "Rescue"},
    [CAP_AGENCY_MEDICAL] = {"Health", "Rescue"},
};

enum word {
    WORD_ALARM,
    WORD_PRIORITY,
    WORD_RECEIVED,
    WORD_ZONE,
    WORD_SITE,
    WORD_SITE_PHONE,
    WORD_VICTIM,
    WORD_PHONE,
    WORD_AGGRESSOR,
    WORD_VEHICLE,
    WORD_PLATE,
    WORD_POSITION,
    WORD_FIX,
    WORD_OPERATOR,
    WORD_RESTRICTION,
    WORD_POSITION_OF,
    WORD_COUNT
};

static const char *const words[2][WORD_COUNT] = {
    [CAP_LANGUAGE_ENGLISH] =
        {
            [WORD_ALARM] = "Alarm",
            [WORD_PRIORITY] = "priority",
            [WORD_RECEIVED] = "received",
            [WORD_ZONE] = "Zone",
            [WORD_SITE] = "Site",
            [WORD_SITE_PHONE] = "site phone",
            [WORD_VICTIM] = "Victim",
            [WORD_PHONE] = "phone",
            [WORD_AGGRESSOR] = "Aggressor",
            [WORD_VEHICLE] = "vehicle",
            [WORD_PLATE] = "plate",
            [WORD_POSITION] = "Position",
            [WORD_FIX] = "fix",
            [WORD_OPERATOR] = "Operator",
            [WORD_RESTRICTION] = "For the emergency service addressed only: contains personal data",
            [WORD_POSITION_OF] = "position",
        },
    [CAP_LANGUAGE_FRENCH] =
        {
            [WORD_ALARM] = "Alarme",
            [WORD_PRIORITY] = "priorité",
            [WORD_RECEIVED] = "reçue",
            [WORD_ZONE] = "Zone",
            [WORD_SITE] = "Site",
            [WORD_SITE_PHONE] = "tél. du site",
            [WORD_VICTIM] = "Victime",
            [WORD_PHONE] = "tél.",
            [WORD_AGGRESSOR] = "Agresseur",
            [WORD_VEHICLE] = "véhicule",
            [WORD_PLATE] = "immatriculation",
            [WORD_POSITION] = "Position",
            [WORD_FIX] = "relevée",
            [WORD_OPERATOR] = "Opérateur",
            [WORD_RESTRICTION] =
                "Réservé au service d'urgence destinataire : contient des données personnelles",
            [WORD_POSITION_OF] = "position",
        },
};

/* The event as the services name it, per alarm class. */
static const struct {
    const char *class_name;
    const char *event[2];
} events[] = {
    {"burglary", {"Burglary", "Intrusion"}},
    {"fire", {"Fire", "Incendie"}},
    {"duress", {"Duress (hold-up)", "Contrainte (hold-up)"}},
    {"panic", {"Panic / SOS", "Panique / SOS"}},
    {"medical", {"Medical emergency", "Urgence médicale"}},
    {"technical", {"Technical alarm", "Alarme technique"}},
    {"communication-failure", {"Communication failure", "Défaut de transmission"}},
    {"low-battery", {"Low battery", "Batterie faible"}},
    {"open-close", {"Opening or closing", "Mise en/hors service"}},
};

const char *cap_agency_name(enum cap_agency agency)
{
    return agency >= 0 && agency < CAP_AGENCY_COUNT ? agency_names[agency] : "";
}

bool cap_agency_parse(const char *text, enum cap_agency *out)
{
    for (int i = 0; text && i < CAP_AGENCY_COUNT; i++) {
        if (strcmp(text, agency_names[i]) == 0) {
            *out = (enum cap_agency)i;
            return true;
        }
    }
    return false;
}

static bool identifier_char_ok(unsigned char c)
{
    return c > 0x20 && c != 0x7F && c != ',' && c != '<' && c != '&';
}

bool cap_identifier_valid(const char *text)
{
    if (!text || !text[0] || strlen(text) >= CAP_IDENTIFIER_SIZE)
        return false;
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        if (!identifier_char_ok(*c))
            return false;
    return true;
}

void cap_identifier_clean(char *text)
{
    for (unsigned char *c = (unsigned char *)text; *c; c++)
        if (!identifier_char_ok(*c) || *c >= 0x80)
            *c = '-';
}

void cap_format_time(int64_t ms, int utc_offset_minutes, char out[CAP_TIME_SIZE])
{
    int64_t seconds = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
    /* Real offsets lie within +/-14 h; anything else is a caller's bug. */
    if (utc_offset_minutes > 14 * 60 || utc_offset_minutes < -14 * 60)
        utc_offset_minutes = 0;
    time_t local = (time_t)(seconds + (int64_t)utc_offset_minutes * 60);
    struct tm tm;
    gmtime_r(&local, &tm);
    int offset = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
    /* CAP 1.2, 3.3.2: "the timezone for UTC MUST be represented as -00:00". */
    char sign = utc_offset_minutes > 0 ? '+' : '-';
    snprintf(out, CAP_TIME_SIZE, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, offset / 60,
             offset % 60);
}

void cap_format_circle(double lat, double lon, double accuracy_m, char *out, size_t size)
{
    double radius_km = isfinite(accuracy_m) && accuracy_m > 0 ? accuracy_m / 1000.0 : 0.0;
    /* Six decimals of a degree are 0.1 m; three of a kilometre are 1 m. */
    snprintf(out, size, "%.6f,%.6f %.3f", lat, lon, radius_km);
}

static bool located(const struct cap_facts *facts)
{
    return facts->located && isfinite(facts->lat) && isfinite(facts->lon) && facts->lat >= -90 &&
           facts->lat <= 90 && facts->lon >= -180 && facts->lon <= 180;
}

static const char *event_name(const struct cap_facts *facts)
{
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
        if (strcmp(facts->alarm_class, events[i].class_name) == 0)
            return events[i].event[facts->language];
    return words[facts->language][WORD_ALARM];
}

static const char *severity(int priority)
{
    switch (priority) {
    case 1:
        return "Extreme"; /* a life is threatened: SOS, duress, fire */
    case 2:
        return "Severe";
    case 3:
        return "Moderate";
    default:
        return "Minor";
    }
}

/* ---- a bounded text buffer ---- */

struct buffer {
    char *data;
    size_t size, length;
    bool overflow;
};

static void put_bytes(struct buffer *b, const char *bytes, size_t count)
{
    if (b->overflow || count >= b->size - b->length) {
        b->overflow = true;
        return;
    }
    memcpy(b->data + b->length, bytes, count);
    b->length += count;
    b->data[b->length] = '\0';
}

static void put(struct buffer *b, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void put(struct buffer *b, const char *format, ...)
{
    if (b->overflow)
        return;
    va_list args;
    va_start(args, format);
    int written = vsnprintf(b->data + b->length, b->size - b->length, format, args);
    va_end(args);
    if (written < 0 || (size_t)written >= b->size - b->length) {
        b->overflow = true;
        b->data[b->length] = '\0';
        return;
    }
    b->length += (size_t)written;
}

/* Length of the valid UTF-8 sequence at text (1-4), or 0 when invalid. */
static size_t utf8_sequence(const unsigned char *text)
{
    unsigned char c = text[0];
    size_t length = c < 0x80             ? 1
                    : (c & 0xE0) == 0xC0 ? 2
                    : (c & 0xF0) == 0xE0 ? 3
                    : (c & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (length == 0 || (length == 2 && c < 0xC2) || (length == 4 && c > 0xF4))
        return 0;
    for (size_t i = 1; i < length; i++)
        if ((text[i] & 0xC0) != 0x80)
            return 0;
    return length;
}

/* Text as XML character data: markup escaped, control characters other
 * than tab and newline made spaces (XML 1.0 forbids them), invalid UTF-8
 * made '?'. */
static void put_escaped(struct buffer *b, const char *text)
{
    const unsigned char *c = (const unsigned char *)text;
    while (*c) {
        size_t length = utf8_sequence(c);
        if (length == 0) {
            put_bytes(b, "?", 1);
            c++;
            continue;
        }
        switch (*c) {
        case '&':
            put_bytes(b, "&amp;", 5);
            break;
        case '<':
            put_bytes(b, "&lt;", 4);
            break;
        case '>':
            put_bytes(b, "&gt;", 4);
            break;
        case '"':
            put_bytes(b, "&quot;", 6);
            break;
        case '\'':
            put_bytes(b, "&apos;", 6);
            break;
        case '\t':
        case '\n':
            put_bytes(b, (const char *)c, 1);
            break;
        default:
            if (*c < 0x20 || *c == 0x7F)
                put_bytes(b, " ", 1);
            else
                put_bytes(b, (const char *)c, length);
        }
        c += length;
    }
}

static void element(struct buffer *b, const char *indent, const char *name, const char *text)
{
    put(b, "%s<%s>", indent, name);
    put_escaped(b, text);
    put(b, "</%s>\n", name);
}

/* ---- the facts in words ---- */

void cap_headline(const struct cap_facts *facts, char *out, size_t size)
{
    /* CAP asks for a headline under 160 characters: bounded pieces. */
    snprintf(out, size, "%s: %.60s%s%.60s", event_name(facts), facts->subject,
             facts->address[0] ? " - " : "", facts->address);
}

static void area_description(const struct cap_facts *facts, char *out, size_t size)
{
    const char *const *w = words[facts->language];
    if (facts->area_label[0])
        snprintf(out, size, "%s", facts->area_label);
    else if (facts->address[0])
        snprintf(out, size, "%s, %s", facts->subject, facts->address);
    else if (located(facts))
        snprintf(out, size, "%s: %s %s +/- %.0f m", facts->subject, w[WORD_POSITION_OF],
                 facts->position_source, facts->accuracy_m);
    else
        snprintf(out, size, "%s", facts->subject);
}

/* The description: one line per fact the services need, in the order
 * they read them: what, where, who is in danger, who threatens, what the
 * operator adds. Raw text here; each writer escapes it. */
static void description(const struct cap_facts *facts, struct buffer *b)
{
    const char *const *w = words[facts->language];
    char when[CAP_TIME_SIZE];
    cap_format_time(facts->received_ms, facts->utc_offset_minutes, when);
    put(b, "%s %lld: %s (%s), %s %d, %s %s", w[WORD_ALARM], (long long)facts->alarm_id,
        event_name(facts), facts->label[0] ? facts->label : facts->alarm_class, w[WORD_PRIORITY],
        facts->priority, w[WORD_RECEIVED], when);
    if (facts->zone >= 0)
        put(b, "\n%s %d%s%s", w[WORD_ZONE], facts->zone, facts->zone_name[0] ? ": " : "",
            facts->zone_name);
    if (facts->address[0]) {
        put(b, "\n%s: %s, %s", w[WORD_SITE], facts->subject, facts->address);
        if (facts->site_phone[0])
            put(b, " (%s %s)", w[WORD_SITE_PHONE], facts->site_phone);
    }
    if (facts->victim_reference[0] || facts->victim_name[0]) {
        put(b, "\n%s: %s (%s)", w[WORD_VICTIM], facts->victim_name, facts->victim_reference);
        if (facts->victim_phone[0])
            put(b, ", %s %s", w[WORD_PHONE], facts->victim_phone);
    }
    if (facts->aggressor_name[0] || facts->aggressor_description[0] ||
        facts->aggressor_vehicle[0] || facts->aggressor_plate[0]) {
        put(b, "\n%s: %s", w[WORD_AGGRESSOR], facts->aggressor_name);
        if (facts->aggressor_description[0])
            put(b, " - %s", facts->aggressor_description);
        if (facts->aggressor_vehicle[0])
            put(b, " - %s: %s", w[WORD_VEHICLE], facts->aggressor_vehicle);
        if (facts->aggressor_plate[0])
            put(b, ", %s %s", w[WORD_PLATE], facts->aggressor_plate);
    }
    if (located(facts)) {
        put(b, "\n%s: %.6f, %.6f", w[WORD_POSITION], facts->lat, facts->lon);
        if (facts->accuracy_m > 0)
            put(b, " +/- %.0f m", facts->accuracy_m);
        put(b, " (%s", facts->position_source);
        if (facts->fix_ms > 0) {
            cap_format_time(facts->fix_ms, facts->utc_offset_minutes, when);
            put(b, ", %s %s", w[WORD_FIX], when);
        }
        put(b, ")");
    }
    if (facts->operator_text[0])
        put(b, "\n%s%s%s%s: %s", w[WORD_OPERATOR], facts->operator_name[0] ? " (" : "",
            facts->operator_name, facts->operator_name[0] ? ")" : "", facts->operator_text);
}

void cap_format_references(const char *sender, const char *identifier, int64_t sent_ms,
                           int utc_offset_minutes, char out[CAP_REFERENCES_SIZE])
{
    char sent[CAP_TIME_SIZE];
    cap_format_time(sent_ms, utc_offset_minutes, sent);
    snprintf(out, CAP_REFERENCES_SIZE, "%s,%s,%s", sender, identifier, sent);
}

/* A reference is "sender,identifier,sent": two valid tokens and a time,
 * nothing CAP would read as a second reference or as markup. */
static bool references_valid(const char *text)
{
    for (const char *c = text; *c; c++)
        if (*c == ' ' || *c == '<' || *c == '&' || (unsigned char)*c < 0x20)
            return false;
    return true;
}

static bool facts_valid(const struct cap_facts *facts)
{
    return facts->agency >= 0 && facts->agency < CAP_AGENCY_COUNT &&
           (facts->language == CAP_LANGUAGE_ENGLISH || facts->language == CAP_LANGUAGE_FRENCH) &&
           cap_identifier_valid(facts->identifier) && cap_identifier_valid(facts->sender) &&
           references_valid(facts->references);
}

/* ---- CAP 1.2 XML ---- */

static void parameter(struct buffer *b, const char *name, const char *value)
{
    put(b, "    <parameter>\n");
    element(b, "      ", "valueName", name);
    element(b, "      ", "value", value);
    put(b, "    </parameter>\n");
}

static void xml_info(const struct cap_facts *facts, struct buffer *b, const char *text)
{
    char line[CAP_ADDRESS_SIZE + CAP_NAME_SIZE + 64];
    put(b, "  <info>\n");
    element(b, "    ", "language", facts->language == CAP_LANGUAGE_FRENCH ? "fr-FR" : "en");
    for (int i = 0; i < 2; i++)
        if (agency_categories[facts->agency][i])
            element(b, "    ", "category", agency_categories[facts->agency][i]);
    element(b, "    ", "event", event_name(facts));
    element(b, "    ", "urgency", "Immediate");
    element(b, "    ", "severity", severity(facts->priority));
    element(b, "    ", "certainty", "Likely");
    cap_headline(facts, line, sizeof line);
    element(b, "    ", "headline", line);
    element(b, "    ", "description", text);
    if (facts->contact[0])
        element(b, "    ", "contact", facts->contact);
    snprintf(line, sizeof line, "%lld", (long long)facts->alarm_id);
    parameter(b, "alarm", line);
    parameter(b, "class", facts->alarm_class);
    parameter(b, "agency", cap_agency_name(facts->agency));
    put(b, "    <area>\n");
    area_description(facts, line, sizeof line);
    element(b, "      ", "areaDesc", line);
    if (located(facts)) {
        cap_format_circle(facts->lat, facts->lon, facts->accuracy_m, line, sizeof line);
        element(b, "      ", "circle", line);
    }
    put(b, "    </area>\n");
    put(b, "  </info>\n");
}

int cap_write_xml(const struct cap_facts *facts, char *out, size_t size)
{
    if (!facts_valid(facts) || size == 0)
        return -1;
    char *text = malloc(CAP_DOCUMENT_MAX);
    if (!text)
        return -1;
    struct buffer words_buffer = {text, CAP_DOCUMENT_MAX, 0, false};
    text[0] = '\0';
    description(facts, &words_buffer);
    struct buffer b = {out, size, 0, false};
    char sent[CAP_TIME_SIZE];
    cap_format_time(facts->sent_ms, facts->utc_offset_minutes, sent);
    out[0] = '\0';
    put(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n");
    element(&b, "  ", "identifier", facts->identifier);
    element(&b, "  ", "sender", facts->sender);
    element(&b, "  ", "sent", sent);
    element(&b, "  ", "status", "Actual");
    element(&b, "  ", "msgType", facts->references[0] ? "Update" : "Alert");
    element(&b, "  ", "scope", "Restricted");
    element(&b, "  ", "restriction", words[facts->language][WORD_RESTRICTION]);
    if (facts->references[0])
        element(&b, "  ", "references", facts->references);
    xml_info(facts, &b, text);
    put(&b, "</alert>\n");
    bool failed = b.overflow || words_buffer.overflow;
    free(text);
    return failed ? -1 : (int)b.length;
}

/* ---- JSON ---- */

static void add_text(cJSON *object, const char *name, const char *text)
{
    if (text && text[0])
        cJSON_AddStringToObject(object, name, text);
    else
        cJSON_AddNullToObject(object, name);
}

static void json_where(const struct cap_facts *facts, cJSON *root)
{
    char line[CAP_ADDRESS_SIZE + CAP_NAME_SIZE + 64], when[CAP_TIME_SIZE];
    cJSON *where = cJSON_AddObjectToObject(root, "location");
    add_text(where, "subject", facts->subject);
    add_text(where, "address", facts->address);
    add_text(where, "site_phone", facts->site_phone);
    area_description(facts, line, sizeof line);
    cJSON_AddStringToObject(where, "description", line);
    if (!located(facts)) {
        cJSON_AddNullToObject(where, "position");
        return;
    }
    cJSON *position = cJSON_AddObjectToObject(where, "position");
    cJSON_AddNumberToObject(position, "lat", facts->lat);
    cJSON_AddNumberToObject(position, "lon", facts->lon);
    cJSON_AddNumberToObject(position, "accuracy_m", facts->accuracy_m);
    cap_format_circle(facts->lat, facts->lon, facts->accuracy_m, line, sizeof line);
    cJSON_AddStringToObject(position, "circle", line);
    add_text(position, "source", facts->position_source);
    if (facts->fix_ms > 0) {
        cap_format_time(facts->fix_ms, facts->utc_offset_minutes, when);
        cJSON_AddStringToObject(position, "fix_at", when);
    } else {
        cJSON_AddNullToObject(position, "fix_at");
    }
}

static void json_people(const struct cap_facts *facts, cJSON *root)
{
    if (facts->victim_reference[0] || facts->victim_name[0]) {
        cJSON *victim = cJSON_AddObjectToObject(root, "victim");
        add_text(victim, "reference", facts->victim_reference);
        add_text(victim, "name", facts->victim_name);
        add_text(victim, "phone", facts->victim_phone);
    } else {
        cJSON_AddNullToObject(root, "victim");
    }
    if (facts->aggressor_name[0] || facts->aggressor_description[0] ||
        facts->aggressor_vehicle[0] || facts->aggressor_plate[0]) {
        cJSON *aggressor = cJSON_AddObjectToObject(root, "aggressor");
        add_text(aggressor, "name", facts->aggressor_name);
        add_text(aggressor, "description", facts->aggressor_description);
        add_text(aggressor, "vehicle", facts->aggressor_vehicle);
        add_text(aggressor, "plate", facts->aggressor_plate);
    } else {
        cJSON_AddNullToObject(root, "aggressor");
    }
    cJSON *operator= cJSON_AddObjectToObject(root, "operator");
    add_text(operator, "name", facts->operator_name);
    add_text(operator, "text", facts->operator_text);
}

static cJSON *json_document(const struct cap_facts *facts, const char *text)
{
    char line[CAP_ADDRESS_SIZE + CAP_NAME_SIZE + 64], when[CAP_TIME_SIZE];
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    cJSON_AddStringToObject(root, "identifier", facts->identifier);
    cJSON_AddStringToObject(root, "sender", facts->sender);
    cap_format_time(facts->sent_ms, facts->utc_offset_minutes, when);
    cJSON_AddStringToObject(root, "sent", when);
    cJSON_AddStringToObject(root, "msg_type", facts->references[0] ? "Update" : "Alert");
    add_text(root, "references", facts->references);
    cJSON_AddStringToObject(root, "agency", cap_agency_name(facts->agency));
    cJSON_AddStringToObject(root, "language",
                            facts->language == CAP_LANGUAGE_FRENCH ? "fr-FR" : "en");
    cJSON_AddStringToObject(root, "urgency", "Immediate");
    cJSON_AddStringToObject(root, "severity", severity(facts->priority));
    cJSON_AddStringToObject(root, "certainty", "Likely");
    cap_headline(facts, line, sizeof line);
    cJSON_AddStringToObject(root, "headline", line);
    cJSON_AddStringToObject(root, "description", text);
    add_text(root, "contact", facts->contact);
    cJSON *alarm = cJSON_AddObjectToObject(root, "alarm");
    cJSON_AddNumberToObject(alarm, "id", (double)facts->alarm_id);
    cJSON_AddStringToObject(alarm, "class", facts->alarm_class);
    cJSON_AddStringToObject(alarm, "event", event_name(facts));
    add_text(alarm, "label", facts->label);
    add_text(alarm, "event_code", facts->event_code);
    cJSON_AddNumberToObject(alarm, "priority", facts->priority);
    cap_format_time(facts->received_ms, facts->utc_offset_minutes, when);
    cJSON_AddStringToObject(alarm, "received_at", when);
    if (facts->zone >= 0) {
        cJSON *zone = cJSON_AddObjectToObject(alarm, "zone");
        cJSON_AddNumberToObject(zone, "number", facts->zone);
        add_text(zone, "name", facts->zone_name);
    } else {
        cJSON_AddNullToObject(alarm, "zone");
    }
    json_where(facts, root);
    json_people(facts, root);
    return root;
}

/* Invalid UTF-8 becomes '?' and control characters other than tab and
 * newline spaces, in place (one byte for one byte): cJSON would copy them
 * into the document as they are. */
static void clean_text(char *text)
{
    unsigned char *c = (unsigned char *)text;
    while (*c) {
        size_t length = utf8_sequence(c);
        if (length == 0) {
            *c++ = '?';
            continue;
        }
        if (length == 1 && (*c < 0x20 || *c == 0x7F) && *c != '\t' && *c != '\n')
            *c = ' ';
        c += length;
    }
}

static void clean_facts(struct cap_facts *f)
{
    char *const texts[] = {
        f->contact,          f->alarm_class,       f->label,
        f->event_code,       f->zone_name,         f->subject,
        f->address,          f->site_phone,        f->position_source,
        f->victim_reference, f->victim_name,       f->victim_phone,
        f->aggressor_name,   f->aggressor_vehicle, f->aggressor_description,
        f->aggressor_plate,  f->operator_name,     f->operator_text,
        f->area_label,
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        clean_text(texts[i]);
}

char *cap_write_json(const struct cap_facts *facts)
{
    if (!facts_valid(facts))
        return NULL;
    struct cap_facts *clean = malloc(sizeof *clean);
    char *text = malloc(CAP_DOCUMENT_MAX);
    cJSON *document = NULL;
    if (clean && text) {
        *clean = *facts;
        clean_facts(clean);
        struct buffer b = {text, CAP_DOCUMENT_MAX, 0, false};
        text[0] = '\0';
        description(clean, &b);
        document = b.overflow ? NULL : json_document(clean, text);
    }
    free(text);
    free(clean);
    char *json = document ? cJSON_PrintUnformatted(document) : NULL;
    cJSON_Delete(document);
    return json;
}
