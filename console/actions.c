/* actions.c: the action table and look-ups by name. The table itself is
 * ACTION_TABLE in actions.h, so the enum and the names cannot drift. */
#include "console/actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"

#define ACTION_ROW(id, text, on, bits, help_text)                                                  \
    [ACTION_##id] = {.name = text, .help = help_text, .screens = on, .flags = bits},
static const struct action_info action_table[ACTION_COUNT] = {ACTION_TABLE(ACTION_ROW)};
#undef ACTION_ROW

static const char *const screen_names[ACTION_SCREEN_COUNT] = {
    [ACTION_SCREEN_GLOBAL] = "global",
    [ACTION_SCREEN_QUEUE] = "queue",
    [ACTION_SCREEN_DETAIL] = "detail",
    [ACTION_SCREEN_VICTIM] = "victim",
    [ACTION_SCREEN_MAP] = "map",
    [ACTION_SCREEN_PROCEDURES] = "procedures",
    [ACTION_SCREEN_MASSALERT] = "massalert",
    [ACTION_SCREEN_HELP] = "help",
};

const struct action_info *action_info(enum action action)
{
    if (action <= ACTION_NONE || action >= ACTION_COUNT)
        return NULL;
    return &action_table[action];
}

const char *action_name(enum action action)
{
    const struct action_info *info = action_info(action);
    return info != NULL ? info->name : "";
}

const char *action_help(enum action action)
{
    const struct action_info *info = action_info(action);
    return info != NULL ? _(info->help) : "";
}

bool action_mutates(enum action action)
{
    const struct action_info *info = action_info(action);
    return info != NULL && (info->flags & ACTION_MUTATES) != 0;
}

bool action_applies(enum action action, enum action_screen screen)
{
    const struct action_info *info = action_info(action);
    if (info == NULL || screen < 0 || screen >= ACTION_SCREEN_COUNT)
        return false;
    if (screen == ACTION_SCREEN_GLOBAL)
        return info->screens == ACTION_ON_EVERY;
    return (info->screens & (1u << screen)) != 0;
}

enum action action_from_name(const char *name)
{
    for (int action = ACTION_NONE + 1; action < ACTION_COUNT; action++)
        if (strcmp(action_table[action].name, name) == 0)
            return (enum action)action;
    return ACTION_NONE;
}

const char *action_screen_name(enum action_screen screen)
{
    if (screen < 0 || screen >= ACTION_SCREEN_COUNT)
        return "";
    return screen_names[screen];
}

bool action_screen_from_name(const char *name, enum action_screen *screen)
{
    for (int candidate = 0; candidate < ACTION_SCREEN_COUNT; candidate++) {
        if (strcmp(screen_names[candidate], name) == 0) {
            *screen = (enum action_screen)candidate;
            return true;
        }
    }
    return false;
}

static int compare_names(const void *left, const void *right)
{
    return strcmp(action_name(*(const enum action *)left),
                  action_name(*(const enum action *)right));
}

static void shorten_to_common(char common[ACTION_NAME_SIZE], const char *name, bool first)
{
    if (first) {
        snprintf(common, ACTION_NAME_SIZE, "%s", name);
        return;
    }
    size_t same = 0;
    while (common[same] != '\0' && common[same] == name[same])
        same++;
    common[same] = '\0';
}

size_t action_complete(const char *prefix, enum action_screen screen, enum action matches[],
                       size_t max, char common[ACTION_NAME_SIZE])
{
    enum action all[ACTION_COUNT];
    size_t found = 0;
    size_t prefix_length = strlen(prefix);
    for (int action = ACTION_NONE + 1; action < ACTION_COUNT; action++) {
        if (!action_applies((enum action)action, screen) &&
            !action_applies((enum action)action, ACTION_SCREEN_GLOBAL))
            continue;
        if (strncmp(action_table[action].name, prefix, prefix_length) == 0)
            all[found++] = (enum action)action;
    }
    qsort(all, found, sizeof all[0], compare_names);
    for (size_t i = 0; i < found && i < max; i++)
        matches[i] = all[i];
    if (common != NULL) {
        snprintf(common, ACTION_NAME_SIZE, "%s", prefix);
        for (size_t i = 0; i < found; i++)
            shorten_to_common(common, action_name(all[i]), i == 0);
    }
    return found;
}
