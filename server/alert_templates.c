/* alert_templates.c: reading the templates' key file with GLib's GKeyFile
 * (which also picks the French strings) and filling their blanks. */
#include "server/alert_templates.h"
#include "common/data_path.h"
#include "common/i18n.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const language_codes[ALERT_LANGUAGES] = {"en", "fr"};

bool alert_language_parse(const char *text, enum alert_language *out)
{
    for (int i = 0; i < ALERT_LANGUAGES; i++)
        if (strcmp(text, language_codes[i]) == 0) {
            *out = (enum alert_language)i;
            return true;
        }
    return false;
}

/* Copies a localised string of the key file ("Key" for English,
 * "Key[fr]" for French, no fallback from one to the other); false when it
 * is missing or too long. */
static bool copy_localised(GKeyFile *file, const char *group, const char *key, int language,
                           char *out, size_t size)
{
    char name[64];
    if (language == ALERT_EN)
        snprintf(name, sizeof name, "%s", key);
    else
        snprintf(name, sizeof name, "%s[%s]", key, language_codes[language]);
    gchar *text = g_key_file_get_string(file, group, name, NULL);
    bool fits = text && text[0] && strlen(text) < size;
    if (fits)
        memcpy(out, text, strlen(text) + 1);
    g_free(text);
    return fits;
}

static bool load_field(GKeyFile *file, const char *name, struct alert_field *out)
{
    char group[ALERT_TEMPLATE_ID_MAX + 8];
    snprintf(group, sizeof group, "field:%s", name);
    if (strlen(name) >= sizeof out->name || !g_key_file_has_group(file, group))
        return false;
    snprintf(out->name, sizeof out->name, "%s", name);
    for (int l = 0; l < ALERT_LANGUAGES; l++)
        if (!copy_localised(file, group, "Label", l, out->label[l], sizeof out->label[l]))
            return false;
    GError *error = NULL;
    out->max_length = g_key_file_get_integer(file, group, "Max", &error);
    bool valid = !error && out->max_length > 0 && out->max_length < ALERT_FIELD_VALUE_MAX;
    g_clear_error(&error);
    return valid;
}

/* Every {name} in `text` is a field of the template or {reply}, and
 * {reply} is there exactly once. */
static bool placeholders_valid(const struct alert_template *t, const char *text, char *bad,
                               size_t bad_size)
{
    int replies = 0;
    for (const char *open = strchr(text, '{'); open; open = strchr(open + 1, '{')) {
        const char *close = strchr(open, '}');
        size_t length = close ? (size_t)(close - open - 1) : 0;
        bool known = close && strncmp(open, ALERT_REPLY_PLACEHOLDER, length + 2) == 0;
        replies += known;
        for (int f = 0; !known && close && f < t->field_count; f++)
            known = strlen(t->fields[f].name) == length &&
                    strncmp(open + 1, t->fields[f].name, length) == 0;
        if (!known) {
            snprintf(bad, bad_size, "%.*s", close ? (int)(length + 2) : 16, open);
            return false;
        }
    }
    if (replies != 1)
        snprintf(bad, bad_size, "%s", ALERT_REPLY_PLACEHOLDER);
    return replies == 1;
}

static bool load_template(GKeyFile *file, const char *group, struct alert_template *t, char *why,
                          size_t why_size)
{
    memset(t, 0, sizeof *t);
    if (strlen(group) >= sizeof t->id) {
        snprintf(why, why_size, "template %.40s: name too long", group);
        return false;
    }
    snprintf(t->id, sizeof t->id, "%s", group);
    gsize count = 0;
    gchar **fields = g_key_file_get_string_list(file, group, "Fields", &count, NULL);
    bool valid = fields && count <= ALERT_TEMPLATE_FIELDS_MAX;
    for (gsize i = 0; valid && i < count; i++) {
        valid = load_field(file, fields[i], &t->fields[t->field_count]);
        if (!valid)
            snprintf(why, why_size,
                     "template %s: field %s is not described ([field:%s] with "
                     "Label, Label[fr] and Max)",
                     group, fields[i], fields[i]);
        t->field_count++;
    }
    if (!fields)
        snprintf(why, why_size, "template %s: no Fields", group);
    g_strfreev(fields);
    for (int l = 0; valid && l < ALERT_LANGUAGES; l++) {
        char bad[64] = "";
        valid = copy_localised(file, group, "Name", l, t->name[l], sizeof t->name[l]) &&
                copy_localised(file, group, "Text", l, t->text[l], sizeof t->text[l]);
        if (!valid)
            snprintf(why, why_size, "template %s: Name or Text missing in %s", group,
                     language_codes[l]);
        else if (!(valid = placeholders_valid(t, t->text[l], bad, sizeof bad)))
            snprintf(why, why_size,
                     "template %s (%s): placeholder %s is not a field, or {reply} "
                     "is not there once",
                     group, language_codes[l], bad);
    }
    return valid;
}

bool alert_templates_load(const char *path, struct alert_templates *out, char *why, size_t why_size)
{
    memset(out, 0, sizeof *out);
    GKeyFile *file = g_key_file_new();
    GError *error = NULL;
    char problem[384] = "";
    bool valid = g_key_file_load_from_file(file, path, G_KEY_FILE_KEEP_TRANSLATIONS, &error);
    if (!valid)
        snprintf(problem, sizeof problem, "%s", error->message);
    g_clear_error(&error);
    gchar **groups = valid ? g_key_file_get_groups(file, NULL) : NULL;
    for (gchar **group = groups; valid && group && *group; group++) {
        if (strncmp(*group, "field:", 6) == 0)
            continue;
        if (out->count == ALERT_TEMPLATES_MAX) {
            snprintf(problem, sizeof problem, "more than %d templates", ALERT_TEMPLATES_MAX);
            valid = false;
        } else {
            valid =
                load_template(file, *group, &out->templates[out->count++], problem, sizeof problem);
        }
    }
    if (valid && out->count == 0) {
        snprintf(problem, sizeof problem, "no template");
        valid = false;
    }
    g_strfreev(groups);
    g_key_file_free(file);
    if (!valid)
        snprintf(why, why_size, "%s: %s", path, problem);
    return valid;
}

const char *alert_templates_default_path(void)
{
    static char path[4096];
    return data_path_find("alert_templates.ini", "VIGIE_ALERT_TEMPLATES", path, sizeof path);
}

const struct alert_template *alert_templates_find(const struct alert_templates *templates,
                                                  const char *id)
{
    for (int i = 0; i < templates->count; i++)
        if (strcmp(templates->templates[i].id, id) == 0)
            return &templates->templates[i];
    return NULL;
}

/* Characters (not bytes) of a UTF-8 value. */
static size_t utf8_length(const char *text)
{
    size_t count = 0;
    for (; *text; text++)
        count += ((unsigned char)*text & 0xC0) != 0x80;
    return count;
}

static bool value_valid(const struct alert_field *field, enum alert_language language,
                        const char *value, char *why, size_t why_size)
{
    const char *label = field->label[language];
    if (!value || !value[0]) {
        snprintf(why, why_size, _("%s: this field is needed"), label);
        return false;
    }
    if (!g_utf8_validate(value, -1, NULL) || strpbrk(value, "{}\r\n")) {
        snprintf(why, why_size, _("%s: one line of text, without braces"), label);
        return false;
    }
    if (utf8_length(value) > (size_t)field->max_length) {
        snprintf(why, why_size, _("%s: at most %d characters"), label, field->max_length);
        return false;
    }
    return true;
}

bool alert_template_fill(const struct alert_template *template, enum alert_language language,
                         const char *const values[], int value_count, char *out, size_t out_size,
                         char *why, size_t why_size)
{
    if (value_count != template->field_count) {
        snprintf(why, why_size, _("template %s has %d fields, not %d"), template->id,
                 template->field_count, value_count);
        return false;
    }
    for (int f = 0; f < value_count; f++)
        if (!value_valid(&template->fields[f], language, values[f], why, why_size))
            return false;
    GString *text = g_string_sized_new(ALERT_TEMPLATE_TEXT_MAX);
    for (const char *at = template->text[language]; *at;) {
        const char *open = strchr(at, '{');
        if (!open) {
            g_string_append(text, at);
            break;
        }
        g_string_append_len(text, at, open - at);
        const char *close = strchr(open, '}');
        size_t length = (size_t)(close - open - 1);
        int field = -1;
        for (int f = 0; f < value_count && field < 0; f++)
            if (strlen(template->fields[f].name) == length &&
                strncmp(open + 1, template->fields[f].name, length) == 0)
                field = f;
        if (field >= 0)
            g_string_append(text, values[field]);
        else
            g_string_append_len(text, open, (gssize)(length + 2)); /* {reply} */
        at = close + 1;
    }
    bool fits = text->len < out_size;
    if (fits)
        memcpy(out, text->str, text->len + 1);
    else
        snprintf(why, why_size, _("the message is longer than %zu bytes"), out_size - 1);
    g_string_free(text, TRUE);
    return fits;
}
