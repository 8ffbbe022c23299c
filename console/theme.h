/* theme.h: the console's colour slots and the theme files that colour them
 * (vigie-theme(5)). A screen draws with a slot ("row-p1"), never with a
 * colour. Resolving a slot for a terminal is pure (theme_resolve) and
 * degrades 256 colours to 16, 8 or none; theme_apply then makes the curses
 * colour pairs. With no colour (or NO_COLOR set) the monochrome theme's
 * attributes are used, so that every slot stays distinguishable. */
#ifndef VIGIE_THEME_H
#define VIGIE_THEME_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "console/config_file.h"

/* X(ID, "name"). vigie-theme(5) describes each one. */
#define THEME_SLOT_TABLE(X)                                                                        \
    X(TEXT, "text")                                                                                \
    X(HEADER, "header")                                                                            \
    X(STATUS, "status")                                                                            \
    X(STATUS_WARNING, "status-warning")                                                            \
    X(STATUS_ERROR, "status-error")                                                                \
    X(STATUS_KEY, "status-key")                                                                    \
    X(COMMAND_LINE, "command-line")                                                                \
    X(BORDER, "border")                                                                            \
    X(ROW, "row")                                                                                  \
    X(ROW_SELECTED, "row-selected")                                                                \
    X(ROW_P1, "row-p1")                                                                            \
    X(ROW_P2, "row-p2")                                                                            \
    X(ROW_P3, "row-p3")                                                                            \
    X(ROW_CLOSED, "row-closed")                                                                    \
    X(ROW_FLASH, "row-flash")                                                                      \
    X(CLAIMED_BY_ME, "claimed-by-me")                                                              \
    X(CLAIMED_BY_OTHER, "claimed-by-other")                                                        \
    X(BANNER_LOST, "banner-lost")                                                                  \
    X(BANNER_STALE, "banner-stale")                                                                \
    X(READONLY_MARKER, "readonly-marker")                                                          \
    X(DIALOG, "dialog")                                                                            \
    X(DIALOG_TITLE, "dialog-title")                                                                \
    X(DIALOG_KEY, "dialog-key")                                                                    \
    X(DIALOG_SELECTED, "dialog-selected")                                                          \
    X(LABEL, "label")                                                                              \
    X(HELP, "help")                                                                                \
    X(HELP_KEY, "help-key")                                                                        \
    X(HELP_SECTION, "help-section")                                                                \
    X(MATCH, "match")                                                                              \
    X(STEP_DONE, "step-done")                                                                      \
    X(STEP_PENDING, "step-pending")                                                                \
    X(STEP_SKIPPED, "step-skipped")                                                                \
    X(STEP_FAILED, "step-failed")                                                                  \
    X(ALARM_MARKER, "alarm-marker")                                                                \
    X(MAP_BASE, "map-base")                                                                        \
    X(MAP_POSITION, "map-position")                                                                \
    X(MAP_ACCURACY, "map-accuracy")                                                                \
    X(MAP_SITE, "map-site")                                                                        \
    X(MAP_POLICE, "map-police")                                                                    \
    X(MAP_AGENT, "map-agent")                                                                      \
    X(MAP_CIRCLE, "map-circle")                                                                    \
    X(DELIVERY_OK, "delivery-ok")                                                                  \
    X(DELIVERY_FAILED, "delivery-failed")

#define THEME_SLOT_ENUM(id, name) THEME_SLOT_##id,
enum theme_slot { THEME_SLOT_TABLE(THEME_SLOT_ENUM) THEME_SLOT_COUNT };
#undef THEME_SLOT_ENUM

/* The terminal's default colour (curses -1, after use_default_colors). */
#define THEME_COLOR_DEFAULT (-1)
/* Colour numbers a theme may use: the xterm 256-colour palette. */
#define THEME_COLORS_MAX 256

/* A slot's look: colours -1 (default) or 0-255, and A_* attributes. */
struct theme_style {
    short fg;
    short bg;
    attr_t attrs;
};

struct theme {
    struct theme_style styles[THEME_SLOT_COUNT]; /* as the files say */
    attr_t drawn[THEME_SLOT_COUNT];              /* pair and attributes, from theme_apply */
};

const char *theme_slot_name(enum theme_slot slot);
bool theme_slot_from_name(const char *name, enum theme_slot *slot);

/* Every slot default on default, no attribute. */
void theme_init(struct theme *theme);
/* Reads theme text on top of what theme already holds; returns how many
 * lines were skipped with a warning. */
size_t theme_parse(struct theme *theme, const char *text, const char *file,
                   struct config_file_warnings *warnings);
enum config_file_status theme_load_file(struct theme *theme, const char *path,
                                        struct config_file_warnings *warnings);
/* The text of a theme compiled in ("dark", "light", "high-contrast",
 * "monochrome"), or NULL. */
const char *theme_builtin_text(const char *name);

/* The colour depth to use: 256, 16, 8, or 0 (attributes only) when the
 * terminal has fewer than 8 colours or no_color (the NO_COLOR variable)
 * is set and not empty. */
int theme_color_depth(int colors, const char *no_color);
/* A colour of the 256-colour palette as depth colours allow: itself, or
 * the nearest of the first depth colours. *bright (if not NULL) says the
 * colour was bright and lost it, for A_BOLD to stand in at 8 colours. */
short theme_color_reduce(short color, int depth, bool *bright);
/* The look of slot under depth colours: colours reduced, attributes kept;
 * at depth 0, default colours and attributes only. */
struct theme_style theme_resolve(const struct theme *theme, enum theme_slot slot, int depth);

/* Loads the theme for the terminal: the built-in default (dark, or
 * monochrome at depth 0) and then, layered on it, the theme called name
 * (a name or a path; NULL or "" for the default): its built-in copy, then
 * the file console_config_find_theme finds. At depth 0 the name is ignored and
 * "monochrome" is used. Returns false (warned) if name was not found. */
bool theme_load(struct theme *theme, const char *name, int depth,
                struct config_file_warnings *warnings);

/* Curses side, after initscr. The depth of this terminal, calling
 * start_color unless NO_COLOR is set or the terminal has no colour. */
int theme_terminal_depth(void);
/* Makes one colour pair per slot and fills theme->drawn. */
void theme_apply(struct theme *theme, int depth);
/* What to pass to wattrset to draw in slot, once theme_apply has run. */
attr_t theme_attr(const struct theme *theme, enum theme_slot slot);

#endif
