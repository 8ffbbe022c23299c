/* commandline.c: the ":" prompt. Names are the action table's, so every
 * action has a command and Tab completes among those that apply on the
 * current screen (action_complete); a unique match gets a space after
 * it, several are listed in the status line. */
#include "console/commandline.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "console/actions.h"
#include "console/ui.h"

/* Candidates listed in the status line after a Tab. */
#define COMMANDLINE_CANDIDATES_MAX 12

struct commandline {
    struct ui *ui;
    struct lineedit_history *history;
};

struct commandline *commandline_new(struct ui *ui)
{
    struct commandline *commandline = calloc(1, sizeof *commandline);
    if (!commandline)
        return NULL;
    commandline->ui = ui;
    commandline->history = lineedit_history_new(LINEEDIT_HISTORY_MAX);
    if (!commandline->history) {
        free(commandline);
        return NULL;
    }
    return commandline;
}

void commandline_free(struct commandline *commandline)
{
    if (!commandline)
        return;
    lineedit_history_free(commandline->history);
    free(commandline);
}

static enum action_screen current_keys(struct ui *ui)
{
    return ui_screen(ui, ui_current_screen_id(ui))->ops->keys;
}

bool commandline_complete(void *context, const char *text, size_t cursor, char *out,
                          size_t out_size, size_t *out_cursor)
{
    struct commandline *commandline = context;
    struct ui *ui = commandline->ui;
    char prefix[ACTION_NAME_SIZE];
    if (cursor >= sizeof prefix || memchr(text, ' ', cursor))
        return false; /* only the name completes */
    memcpy(prefix, text, cursor);
    prefix[cursor] = '\0';
    enum action matches[COMMANDLINE_CANDIDATES_MAX];
    char common[ACTION_NAME_SIZE];
    size_t count =
        action_complete(prefix, current_keys(ui), matches, COMMANDLINE_CANDIDATES_MAX, common);
    if (count == 0) {
        ui_status(ui, STATUS_WARN, _("No command starts with '%s'"), prefix);
        return false;
    }
    if (count == 1) {
        snprintf(out, out_size, "%s %s", action_name(matches[0]), text + cursor);
        *out_cursor = strlen(action_name(matches[0])) + 1;
        ui_status_clear(ui);
        return true;
    }
    char list[512] = "";
    for (size_t i = 0; i < count && i < COMMANDLINE_CANDIDATES_MAX; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? " " : "",
                 action_name(matches[i]));
    if (count > COMMANDLINE_CANDIDATES_MAX)
        snprintf(list + strlen(list), sizeof list - strlen(list), " ...");
    ui_status(ui, STATUS_INFO, "%s", list);
    if (strlen(common) <= cursor)
        return false;
    snprintf(out, out_size, "%s%s", common, text + cursor);
    *out_cursor = strlen(common);
    return true;
}

static void done(struct ui *ui, void *context, bool accepted, const char *text)
{
    (void)context;
    if (accepted)
        commandline_execute(ui, text);
}

bool commandline_open(struct commandline *commandline)
{
    struct ui_prompt_spec spec = {
        .prompt = ":",
        .done = done,
        .complete = commandline_complete,
        .history = commandline->history,
        .context = commandline,
    };
    return ui_prompt(commandline->ui, &spec);
}

/* ":42" opens alarm 42. */
static bool open_number(struct ui *ui, const char *name)
{
    char *end;
    long long id = strtoll(name, &end, 10);
    if (*end != '\0' || id <= 0 || !isdigit((unsigned char)name[0]))
        return false;
    ui_open_screen(ui, SCREEN_DETAIL, id);
    return true;
}

void commandline_execute(struct ui *ui, const char *line)
{
    char copy[LINEEDIT_UTF8_MAX];
    snprintf(copy, sizeof copy, "%s", line);
    char *name = copy;
    while (*name == ' ' || *name == ':')
        name++;
    if (!*name)
        return;
    char *argument = strchr(name, ' ');
    if (argument) {
        *argument++ = '\0';
        while (*argument == ' ')
            argument++;
        size_t length = strlen(argument);
        while (length > 0 && argument[length - 1] == ' ')
            argument[--length] = '\0';
        if (!*argument)
            argument = NULL;
    }
    if (open_number(ui, name))
        return;
    enum action action = action_from_name(name);
    if (action == ACTION_NONE && strcmp(name, "q") == 0)
        action = ACTION_QUIT;
    if (action == ACTION_NONE) {
        ui_status(ui, STATUS_ERROR, _("Unknown command: %s (Tab lists the commands)"), name);
        return;
    }
    ui_run_action(ui, action, argument);
}
