/* screen_massalert_message.c: the composer's message and its sending. t
 * chooses one of the server's templates (GET /v1/massalert-templates),
 * whose blanks are asked one by one in the operator's form, then filled
 * into the template's text in the composer's language (l switches French
 * and English); i edits the text itself, and the SMS meter (length, GSM
 * 03.38 or UCS-2, parts, with each agent's reply link counted) follows
 * every key. Ctrl-X asks a confirmation that names the area and the
 * number of people, and only then sends; the monitor takes over once the
 * server has written the alert. */
#include "console/screen_massalert_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "console/ui.h"

/* Templates offered in the choice (the server's file holds at most 32). */
#define MASSALERT_TEMPLATES_MAX 32
/* The confirmation quotes the message's start: enough to recognise it. */
#define MASSALERT_QUOTE_MAX 90

/* ---- templates ---- */

void massalert_load_templates(struct massalert_screen *screen)
{
    screen->templates_request = client_get(ui_client(screen->base.ui), "/v1/massalert-templates");
    if (screen->templates_request < 0)
        screen->templates_request = 0;
}

bool massalert_templates_loaded(struct massalert_screen *screen, int http_status, const cJSON *body)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "templates");
    if (http_status != 200 || !cJSON_IsArray(list)) {
        ui_status(screen->base.ui, STATUS_WARN,
                  _("No templates from the server (HTTP %d): write the message with i"),
                  http_status);
        return false;
    }
    cJSON_Delete(screen->templates);
    screen->templates = cJSON_Duplicate(list, true);
    return true;
}

/* A {"en": ..., "fr": ...} text in the composer's language (English when
 * the other is missing). */
static const char *in_language(const struct massalert_screen *screen, const cJSON *texts)
{
    const char *text = massalert_json_text(texts, screen->language);
    return text[0] ? text : massalert_json_text(texts, "en");
}

static const cJSON *chosen_template(const struct massalert_screen *screen)
{
    return screen->template_index >= 0
               ? cJSON_GetArrayItem(screen->templates, screen->template_index)
               : NULL;
}

const char *massalert_template_name(const struct massalert_screen *screen)
{
    const cJSON *template = chosen_template(screen);
    return template ? in_language(screen, cJSON_GetObjectItemCaseSensitive(template, "name")) : "";
}

void massalert_measure_message(struct massalert_screen *screen)
{
    massalert_meter_line(screen->message, screen->meter, sizeof screen->meter, &screen->too_long);
    screen->panel_dirty = true;
}

/* The template's text with the form's values, into the message. */
static void fill_message(struct massalert_screen *screen)
{
    const cJSON *template = chosen_template(screen);
    const cJSON *fields = cJSON_GetObjectItemCaseSensitive(template, "fields");
    const char *names[MASSALERT_FIELDS_MAX], *values[MASSALERT_FIELDS_MAX];
    size_t count = 0;
    const cJSON *field;
    cJSON_ArrayForEach(field, fields)
    {
        if (count == MASSALERT_FIELDS_MAX)
            break;
        names[count] = massalert_json_text(field, "name");
        values[count] = screen->values[count];
        count++;
    }
    const char *text = in_language(screen, cJSON_GetObjectItemCaseSensitive(template, "text"));
    if (!massalert_fill(text, names, values, count, screen->message, sizeof screen->message)) {
        ui_status(screen->base.ui, STATUS_ERROR, "%s",
                  _("The filled message is too long: shorten the fields"));
        return;
    }
    massalert_measure_message(screen);
    ui_status(screen->base.ui, STATUS_INFO, "%s",
              _("Message ready: i edits it, Ctrl-X sends (you confirm first)"));
}

static void ask_field(struct massalert_screen *screen);

/* UTF-8 characters of a text. */
static size_t characters(const char *text)
{
    size_t count = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        count += (*p & 0xC0) != 0x80;
    return count;
}

static void field_typed(struct ui *ui, void *context, bool accepted, const char *text)
{
    struct massalert_screen *screen = context;
    if (!accepted) {
        ui_status(ui, STATUS_INFO, "%s", _("Form cancelled: the message is unchanged"));
        return;
    }
    const cJSON *field = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(chosen_template(screen), "fields"), screen->field_index);
    const char *label = in_language(screen, cJSON_GetObjectItemCaseSensitive(field, "label"));
    double most = massalert_json_number(field, "max_length", MASSALERT_FIELD_VALUE_MAX - 1);
    if (!text[0] || (double)characters(text) > most || strpbrk(text, "{}")) {
        ui_status(ui, STATUS_ERROR, _("%s: %s"), label,
                  !text[0]              ? _("it cannot be empty")
                  : strpbrk(text, "{}") ? _("no braces")
                                        : _("too long"));
        ask_field(screen); /* the same blank again, with what was typed */
        return;
    }
    snprintf(screen->values[screen->field_index], sizeof screen->values[0], "%s", text);
    screen->field_index++;
    ask_field(screen);
}

static void ask_field(struct massalert_screen *screen)
{
    const cJSON *fields = cJSON_GetObjectItemCaseSensitive(chosen_template(screen), "fields");
    int count = cJSON_GetArraySize(fields);
    if (screen->field_index >= count || screen->field_index >= MASSALERT_FIELDS_MAX) {
        fill_message(screen);
        return;
    }
    const cJSON *field = cJSON_GetArrayItem(fields, screen->field_index);
    char prompt[MASSALERT_FIELD_VALUE_MAX];
    snprintf(prompt, sizeof prompt, _("%s (%d/%d): "),
             in_language(screen, cJSON_GetObjectItemCaseSensitive(field, "label")),
             screen->field_index + 1, count);
    struct ui_prompt_spec spec = {
        .prompt = prompt,
        .initial = screen->values[screen->field_index],
        .done = field_typed,
        .history = screen->history,
        .context = screen,
    };
    ui_prompt(screen->base.ui, &spec);
}

static void template_chosen(struct ui *ui, void *context, enum dialog_answer answer, size_t choice)
{
    struct massalert_screen *screen = context;
    if (answer != DIALOG_CHOSEN)
        return;
    int count = cJSON_GetArraySize(screen->templates);
    if ((int)choice >= count) { /* the last line: free text */
        screen->template_index = -1;
        ui_status(ui, STATUS_INFO, "%s", _("No template: write the message with i"));
        screen->panel_dirty = true;
        return;
    }
    if ((int)choice != screen->template_index)
        memset(screen->values, 0, sizeof screen->values);
    screen->template_index = (int)choice;
    screen->field_index = 0;
    screen->panel_dirty = true;
    ask_field(screen);
}

void massalert_choose_template(struct massalert_screen *screen)
{
    struct ui *ui = screen->base.ui;
    if (!screen->templates) {
        if (screen->templates_request == 0)
            massalert_load_templates(screen);
        ui_status(ui, STATUS_WARN, "%s",
                  _("The templates are not loaded yet: write the message with i, or try again"));
        return;
    }
    const char *items[MASSALERT_TEMPLATES_MAX + 1];
    size_t count = 0;
    const cJSON *template;
    cJSON_ArrayForEach(template, screen->templates)
    {
        if (count == MASSALERT_TEMPLATES_MAX)
            break;
        items[count++] = in_language(screen, cJSON_GetObjectItemCaseSensitive(template, "name"));
    }
    items[count++] = _("Free text (no template)");
    if (!ui_choose(ui, _("Message template"), items, count, template_chosen, screen))
        ui_status(ui, STATUS_WARN, "%s", _("Finish the question on screen first"));
}

void massalert_toggle_language(struct massalert_screen *screen)
{
    snprintf(screen->language, sizeof screen->language, "%s",
             strcmp(screen->language, "fr") == 0 ? "en" : "fr");
    screen->panel_dirty = true;
    if (chosen_template(screen)) {
        fill_message(screen); /* the same blanks in the other language */
        return;
    }
    ui_status(screen->base.ui, STATUS_INFO, _("Template language: %s"),
              strcmp(screen->language, "fr") == 0 ? _("French") : _("English"));
}

/* ---- the text ---- */

static void message_changed(struct ui *ui, void *context, const char *text)
{
    (void)ui;
    struct massalert_screen *screen = context;
    bool too_long;
    massalert_meter_line(text, screen->meter, sizeof screen->meter, &too_long);
    screen->panel_dirty = true;
}

static void message_typed(struct ui *ui, void *context, bool accepted, const char *text)
{
    (void)ui;
    struct massalert_screen *screen = context;
    if (accepted)
        snprintf(screen->message, sizeof screen->message, "%s", text);
    massalert_measure_message(screen); /* the meter of the text kept */
}

void massalert_edit_message(struct massalert_screen *screen)
{
    struct ui_prompt_spec spec = {
        .prompt = _("Message: "),
        .initial = screen->message,
        .done = message_typed,
        .changed = message_changed,
        .history = screen->history,
        .context = screen,
    };
    ui_prompt(screen->base.ui, &spec);
}

/* ---- sending ---- */

static void channel_list(unsigned channels, char *out, size_t size)
{
    static const char *const names[MASSALERT_CHANNEL_COUNT] = {N_("SMS"), N_("e-mail"), N_("voice"),
                                                               N_("push")};
    size_t used = 0;
    out[0] = '\0';
    for (int c = 0; c < MASSALERT_CHANNEL_COUNT; c++)
        if (channels & MASSALERT_CHANNEL(c) && used < size)
            used +=
                (size_t)snprintf(out + used, size - used, "%s%s", used ? ", " : "", _(names[c]));
}

static void confirmed(struct ui *ui, void *context, enum dialog_answer answer, size_t choice)
{
    (void)choice;
    struct massalert_screen *screen = context;
    if (answer != DIALOG_YES) {
        ui_status(ui, STATUS_INFO, "%s", _("Mass alert not sent"));
        return;
    }
    struct client_massalert_body body = {
        .centre = screen->centre,
        .radius_m = screen->radius_m,
        .channels = screen->channels,
        .message = screen->message,
        .template_id = massalert_json_text(chosen_template(screen), "id"),
        .language = screen->language,
        .centre_label = screen->label,
        .alarm_id = screen->alarm_id,
    };
    screen->send_request = client_massalert_send(ui_client(ui), &body);
    if (screen->send_request < 0) {
        screen->send_request = 0;
        ui_status(ui, STATUS_ERROR, "%s",
                  _("Cannot send: the backend is not reachable; nothing was sent"));
        return;
    }
    ui_status(ui, STATUS_INFO, "%s", _("Sending the mass alert..."));
}

/* Why the alert cannot be sent as it stands; NULL when it can. */
static const char *not_ready(const struct massalert_screen *screen)
{
    if (screen->send_request > 0)
        return _("The alert is being sent: wait for the answer");
    if (screen->centre_state != MASSALERT_CENTRE_SET)
        return _("No centre yet: c sets one");
    if (!screen->message[0])
        return _("No message yet: t chooses a template, i writes the text");
    if (screen->too_long)
        return _("The message is too long for SMS: shorten it (i)");
    if (!screen->counts || screen->counts_stale || screen->count_request > 0)
        return _("The count of agents is not up to date yet: wait a moment");
    if (massalert_json_number(screen->counts, "recipients", 0) < 1)
        return _("Nobody would receive it: widen the circle or add channels");
    return NULL;
}

void massalert_ask_send(struct massalert_screen *screen)
{
    struct ui *ui = screen->base.ui;
    const char *why = not_ready(screen);
    if (why) {
        ui_status(ui, STATUS_WARN, "%s", why);
        return;
    }
    char radius[32], channels[64], quote[MASSALERT_QUOTE_MAX + 8], message[1024], yes[64],
        people[64];
    long long count = (long long)massalert_json_number(screen->counts, "recipients", 0);
    massalert_format_radius(screen->radius_m, radius, sizeof radius);
    channel_list(screen->channels, channels, sizeof channels);
    snprintf(quote, sizeof quote, "%.*s%s", MASSALERT_QUOTE_MAX, screen->message,
             strlen(screen->message) > MASSALERT_QUOTE_MAX ? "..." : "");
    snprintf(people, sizeof people, ngettext("%lld person", "%lld people", count), count);
    snprintf(message, sizeof message, _("Send this alert to %s within %s of %s?\n\nBy: %s\n\"%s\""),
             people, radius, screen->label, channels, quote);
    snprintf(yes, sizeof yes, _("Send to %s"), people);
    screen->sent_people = count;
    if (!ui_confirm(ui, _("Send the mass alert"), message, L'y', yes, _("Cancel"), confirmed,
                    screen))
        ui_status(ui, STATUS_WARN, "%s", _("Finish the question on screen first"));
}

void massalert_sent(struct massalert_screen *screen, int http_status, const cJSON *body)
{
    struct ui *ui = screen->base.ui;
    if (http_status != 201 || !cJSON_IsObject(body)) {
        const char *why =
            massalert_json_text(cJSON_GetObjectItemCaseSensitive(body, "error"), "message");
        ui_status(ui, STATUS_ERROR, _("Mass alert refused (HTTP %d): %s"), http_status,
                  why[0] ? why : _("no answer"));
        return;
    }
    int64_t id = (int64_t)massalert_json_number(body, "id", 0);
    long long people = (long long)massalert_json_number(body, "recipients", 0);
    ui_status(ui, STATUS_INFO,
              ngettext("Mass alert %lld sent to %lld person", "Mass alert %lld sent to %lld people",
                       people),
              (long long)id, people);
    ui_open_screen(ui, SCREEN_MASSALERT_MONITOR, id);
}
