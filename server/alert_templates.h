/* alert_templates.h: the mass alert messages a centre sends, from a data
 * file (alert_templates.ini, a GLib key file with French translations):
 * search for a person, for a vehicle, Vigipirate confinement, vigilance,
 * fallback instructions during an outage. Each names the blanks the
 * operator fills; filling checks them and leaves {reply}, each agent's own
 * reply link, to the sender. */
#ifndef VIGIE_ALERT_TEMPLATES_H
#define VIGIE_ALERT_TEMPLATES_H

#include <stdbool.h>
#include <stddef.h>

#define ALERT_TEMPLATES_MAX       32
#define ALERT_TEMPLATE_FIELDS_MAX 8
#define ALERT_TEMPLATE_ID_MAX     32
#define ALERT_TEMPLATE_NAME_MAX   96
/* A template's text; filled, it is the message before {reply}. SMS
 * concatenation past ten parts is refused anyway (common/sms.h). */
#define ALERT_TEMPLATE_TEXT_MAX 1024
#define ALERT_FIELD_VALUE_MAX   256
/* The placeholder each recipient's reply link replaces. */
#define ALERT_REPLY_PLACEHOLDER "{reply}"

enum alert_language { ALERT_EN, ALERT_FR, ALERT_LANGUAGES };

struct alert_field {
    char name[ALERT_TEMPLATE_ID_MAX];
    char label[ALERT_LANGUAGES][ALERT_TEMPLATE_NAME_MAX];
    int max_length; /* characters */
};

struct alert_template {
    char id[ALERT_TEMPLATE_ID_MAX];
    char name[ALERT_LANGUAGES][ALERT_TEMPLATE_NAME_MAX];
    char text[ALERT_LANGUAGES][ALERT_TEMPLATE_TEXT_MAX];
    struct alert_field fields[ALERT_TEMPLATE_FIELDS_MAX];
    int field_count;
};

struct alert_templates {
    struct alert_template templates[ALERT_TEMPLATES_MAX];
    int count;
};

/* Reads and checks the file: every field a template lists is described,
 * every {name} in a text is one of its fields or {reply}, each text has
 * {reply} once. False with "FILE: template X: why" in `why`. */
bool alert_templates_load(const char *path, struct alert_templates *out, char *why,
                          size_t why_size);
/* $VIGIE_ALERT_TEMPLATES, the installed file, or the source tree's (from
 * the working directory or a build tree's binary): common/data_path.h. */
const char *alert_templates_default_path(void);
const struct alert_template *alert_templates_find(const struct alert_templates *templates,
                                                  const char *id);
bool alert_language_parse(const char *text, enum alert_language *out);

/* Fills the template's blanks with `values` (one per field, in order) in
 * `language`; {reply} is left in place. A missing or too long value, or a
 * value with a line break or a brace, is refused with the field's label in
 * `why`. */
bool alert_template_fill(const struct alert_template *template, enum alert_language language,
                         const char *const values[], int value_count, char *out, size_t out_size,
                         char *why, size_t why_size);

#endif
