/* screen_help.c: "?" shows the keys of the screen it was opened from,
 * made from the keymap in force (keymap_help_rows) and the action table,
 * so an operator's own keymap file shows as it is. In read-only mode the
 * actions that would change data are marked. Enter runs the action on the
 * top line; "?" or q goes back. */
#include "console/screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "console/keymap.h"
#include "console/ui.h"
#include "widgets/help.h"

/* Rows: every action once, and a heading per section. */
#define HELP_ROWS_MAX (ACTION_COUNT + 4)
/* Bytes of a description with its read-only mark. */
#define HELP_TEXT_MAX 256

struct help_row {
    enum action action; /* ACTION_NONE: a heading */
    char keys[KEYMAP_KEYS_TEXT_SIZE];
    char description[HELP_TEXT_MAX];
};

struct help_screen {
    struct screen base;
    struct help *widget;
    enum screen_id from;
    struct help_row rows[HELP_ROWS_MAX];
    struct help_entry entries[HELP_ROWS_MAX];
    size_t count;
    enum action_screen section; /* of the last row added */
    int y, x, height, width;
};

static const enum action help_hints[] = {ACTION_BACK, ACTION_OPEN, ACTION_NONE};

static const char *section_title(enum action_screen section)
{
    switch (section) {
    case ACTION_SCREEN_QUEUE:
        return _("Alarm queue");
    case ACTION_SCREEN_DETAIL:
        return _("Alarm detail");
    case ACTION_SCREEN_HELP:
        return _("Help");
    case ACTION_SCREEN_GLOBAL:
        return _("Everywhere");
    case ACTION_SCREEN_VICTIM:
        return _("Victim file");
    case ACTION_SCREEN_MAP:
        return _("Map");
    case ACTION_SCREEN_PROCEDURES:
        return _("Procedure checklist");
    case ACTION_SCREEN_MASSALERT:
        return _("Mass alert");
    case ACTION_SCREEN_COUNT:
        break;
    }
    return action_screen_name(section);
}

static void add_row(const struct keymap_help_row *row, void *data)
{
    struct help_screen *help = data;
    if (help->count + 2 > HELP_ROWS_MAX)
        return;
    if (help->count == 0 || row->section != help->section) {
        help->rows[help->count] = (struct help_row){.action = ACTION_NONE};
        help->entries[help->count] = (struct help_entry){NULL, section_title(row->section), ""};
        help->count++;
        help->section = row->section;
    }
    struct help_row *out = &help->rows[help->count];
    out->action = row->action;
    snprintf(out->keys, sizeof out->keys, "%s", row->keys[0] ? row->keys : ":");
    bool refused = row->mutates && ui_read_only(help->base.ui);
    snprintf(out->description, sizeof out->description, "%s%s", refused ? _("(read-only) ") : "",
             row->help);
    help->entries[help->count] = (struct help_entry){out->keys, row->name, out->description};
    help->count++;
}

static struct screen *help_screen_create(struct ui *ui)
{
    struct help_screen *help = calloc(1, sizeof *help);
    if (!help)
        return NULL;
    help->base = (struct screen){&screen_help_ops, ui};
    return &help->base;
}

static void help_screen_destroy(struct screen *screen)
{
    struct help_screen *help = (struct help_screen *)screen;
    help_free(help->widget);
    free(help);
}

static void help_screen_enter(struct screen *screen, enum screen_id from, int64_t alarm_id)
{
    (void)alarm_id;
    struct help_screen *help = (struct help_screen *)screen;
    struct ui *ui = screen->ui;
    if (from == SCREEN_HELP)
        return; /* back from an action run from here: keep the page */
    help->from = from;
    help->count = 0;
    enum action_screen keys = screen_table[from]->keys;
    keymap_help_rows(ui_keymap(ui), keys, add_row, help);
    struct help_style style = {
        .frame = ui_attr(ui, THEME_SLOT_BORDER),
        .title = ui_attr(ui, THEME_SLOT_HELP_SECTION),
        .heading = ui_attr(ui, THEME_SLOT_HELP_SECTION),
        .key = ui_attr(ui, THEME_SLOT_HELP_KEY),
        .text = ui_attr(ui, THEME_SLOT_HELP),
    };
    char title[128];
    snprintf(title, sizeof title, _("Keys: %s"), section_title(keys));
    help_free(help->widget);
    help->widget =
        help_new(ui_window(ui), ui_charset(ui), &style, title, help->entries, help->count);
    if (help->widget)
        widget_resize(help_widget(help->widget), help->y, help->x, help->height, help->width);
}

static void help_screen_layout(struct screen *screen, int y, int x, int height, int width)
{
    struct help_screen *help = (struct help_screen *)screen;
    help->y = y, help->x = x, help->height = height, help->width = width;
    if (help->widget)
        widget_resize(help_widget(help->widget), y, x, height, width);
}

static void help_screen_invalidate(struct screen *screen)
{
    struct help_screen *help = (struct help_screen *)screen;
    if (help->widget)
        widget_invalidate(help_widget(help->widget));
}

static void help_screen_draw(struct screen *screen)
{
    struct help_screen *help = (struct help_screen *)screen;
    if (help->widget)
        help_draw(help->widget);
}

/* The action on the top line of the page (headings skipped). */
static enum action top_action(struct help_screen *help)
{
    for (size_t i = help_top(help->widget); i < help->count; i++)
        if (help->rows[i].action != ACTION_NONE)
            return help->rows[i].action;
    return ACTION_NONE;
}

/* Enter runs the top line's action on the screen help came from; one
 * that changes data is only named with its key, since the help shows no
 * selection and a slip must not claim or close an alarm. */
static int run_top(struct help_screen *help)
{
    struct ui *ui = help->base.ui;
    enum action chosen = top_action(help);
    if (chosen == ACTION_NONE || chosen == ACTION_HELP)
        return WIDGET_HANDLED;
    if (action_mutates(chosen)) {
        char key[KEYMAP_KEY_TEXT_SIZE];
        ui_key_for_action(ui, screen_table[help->from]->keys, chosen, key);
        ui_status(ui, STATUS_INFO, _("%s changes data: press %s on the alarm"), action_name(chosen),
                  key[0] ? key : action_name(chosen));
        return WIDGET_HANDLED;
    }
    ui_back(ui);
    ui_run_action(ui, chosen, NULL);
    return WIDGET_HANDLED | WIDGET_REDRAW;
}

static int help_scroll(struct help_screen *help, int key_code)
{
    help_handle_key(help->widget, widget_key_function(key_code));
    return WIDGET_HANDLED | WIDGET_REDRAW;
}

static int help_screen_handle_action(struct screen *screen, enum action action,
                                     const char *argument)
{
    (void)argument;
    struct help_screen *help = (struct help_screen *)screen;
    if (!help->widget)
        return WIDGET_IGNORED;
    switch (action) {
    case ACTION_MOVE_UP:
        return help_scroll(help, KEY_UP);
    case ACTION_MOVE_DOWN:
        return help_scroll(help, KEY_DOWN);
    case ACTION_PAGE_UP:
        return help_scroll(help, KEY_PPAGE);
    case ACTION_PAGE_DOWN:
        return help_scroll(help, KEY_NPAGE);
    case ACTION_FIRST:
        return help_scroll(help, KEY_HOME);
    case ACTION_LAST:
        return help_scroll(help, KEY_END);
    case ACTION_HELP:
        ui_back(screen->ui);
        return WIDGET_HANDLED | WIDGET_REDRAW;
    case ACTION_OPEN:
        return run_top(help);
    default:
        return WIDGET_IGNORED;
    }
}

static void help_screen_status(struct screen *screen, char *out, size_t size)
{
    struct help_screen *help = (struct help_screen *)screen;
    enum action top = help->widget ? top_action(help) : ACTION_NONE;
    if (top != ACTION_NONE && !action_mutates(top))
        snprintf(out, size, _("Enter runs: %s"), action_name(top));
    else
        out[0] = '\0';
}

const struct screen_ops screen_help_ops = {
    .name = "help",
    .keys = ACTION_SCREEN_HELP,
    .create = help_screen_create,
    .destroy = help_screen_destroy,
    .enter = help_screen_enter,
    .layout = help_screen_layout,
    .invalidate = help_screen_invalidate,
    .draw = help_screen_draw,
    .handle_action = help_screen_handle_action,
    .status = help_screen_status,
    .hints = help_hints,
};
