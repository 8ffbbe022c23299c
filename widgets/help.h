/* help.h: the '?' overlay: a framed, scrollable list of (key, action,
 * description) rows that the caller takes from its action table, with
 * section headings. Closes on ?, q or Esc. */
#ifndef VIGIE_WIDGETS_HELP_H
#define VIGIE_WIDGETS_HELP_H

#include "widgets/widget.h"

/* Columns the key and action names may take before they are cut: a
 * description needs the rest of an 80-column screen. */
#define HELP_KEY_WIDTH_MAX    14
#define HELP_ACTION_WIDTH_MAX 24

/* key NULL makes a section heading of action ("Queue", "Alarm"). */
struct help_entry {
    const char *key;
    const char *action;
    const char *description;
};

struct help_style {
    attr_t frame;
    attr_t title;
    attr_t heading;
    attr_t key;
    attr_t text;
};

struct help;

/* Fills the window (the caller may set a smaller rectangle). entries are
 * not copied: they are the caller's static action table. The title is
 * copied. NULL when memory is short. */
struct help *help_new(WINDOW *win, const struct charset *charset, const struct help_style *style,
                      const char *title, const struct help_entry *entries, size_t count);
void help_free(struct help *help);
struct widget *help_widget(struct help *help);

/* The first row shown. */
size_t help_top(const struct help *help);

void help_draw(struct help *help);
/* Up/Down, PgUp/PgDn/space, Home/End scroll; ?, q, Esc return WIDGET_QUIT. */
int help_handle_key(struct help *help, struct widget_key key);

#endif
