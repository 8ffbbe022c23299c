/* api_massalert_templates.c: GET /v1/massalert-templates, the mass alert
 * messages of the data file (alert_templates.ini) for the console's form:
 * each template's name and text in English and French and the blanks the
 * operator fills, with their labels and longest values. The file is read
 * at each request: it is a few kilobytes, read a few times a day, and an
 * administrator's edit shows without a restart. */
#include "server/api.h"
#include "server/alert_templates.h"
#include "common/i18n.h"

#include <stdlib.h>

static const char *const language_codes[ALERT_LANGUAGES] = {[ALERT_EN] = "en", [ALERT_FR] = "fr"};

/* {"en": ..., "fr": ...} */
static cJSON *texts(const char (*by_language)[ALERT_TEMPLATE_NAME_MAX])
{
    cJSON *object = cJSON_CreateObject();
    for (int l = 0; l < ALERT_LANGUAGES; l++)
        cJSON_AddStringToObject(object, language_codes[l], by_language[l]);
    return object;
}

static cJSON *template_json(const struct alert_template *template)
{
    cJSON *json = cJSON_CreateObject();
    cJSON_AddStringToObject(json, "id", template->id);
    cJSON_AddItemToObject(json, "name", texts(template->name));
    cJSON *text = cJSON_AddObjectToObject(json, "text");
    for (int l = 0; l < ALERT_LANGUAGES; l++)
        cJSON_AddStringToObject(text, language_codes[l], template->text[l]);
    cJSON *fields = cJSON_AddArrayToObject(json, "fields");
    for (int f = 0; f < template->field_count; f++) {
        const struct alert_field *field = &template->fields[f];
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "name", field->name);
        cJSON_AddItemToObject(item, "label", texts(field->label));
        cJSON_AddNumberToObject(item, "max_length", field->max_length);
        cJSON_AddItemToArray(fields, item);
    }
    return json;
}

void api_massalert_templates_list(struct api_request *request, struct api_response *response)
{
    (void)request;
    struct alert_templates *templates = calloc(1, sizeof *templates);
    char why[512];
    if (!templates) {
        api_error(response, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", _("out of memory"));
        return;
    }
    if (!alert_templates_load(alert_templates_default_path(), templates, why, sizeof why)) {
        api_error(response, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal",
                  _("the mass alert templates cannot be read: %s"), why);
        free(templates);
        return;
    }
    cJSON *answer = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(answer, "templates");
    for (int i = 0; i < templates->count; i++)
        cJSON_AddItemToArray(list, template_json(&templates->templates[i]));
    free(templates);
    api_json(response, MHD_HTTP_OK, answer);
}
