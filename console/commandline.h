/* commandline.h: the ":" prompt. A line is an action's name (the names of
 * actions.h, as keymap files use them) and, for a few, an argument:
 * ":save-display FILE", ":filter PATTERN", ":note TEXT". ":NUMBER" opens
 * that alarm. Tab completes the names that apply on the current screen. */
#ifndef VIGIE_CONSOLE_COMMANDLINE_H
#define VIGIE_CONSOLE_COMMANDLINE_H

#include <stdbool.h>
#include <stddef.h>

struct ui;
struct commandline;

struct commandline *commandline_new(struct ui *ui);
void commandline_free(struct commandline *commandline);

/* Opens the prompt; false when another prompt or dialog is open. */
bool commandline_open(struct commandline *commandline);
/* Runs one command line (without the ':'). */
void commandline_execute(struct ui *ui, const char *line);

/* Tab: completes text (the cursor at byte cursor) into out. Also shows the
 * candidates in the status line when there are several. A
 * lineedit_complete_fn; context is the commandline. */
bool commandline_complete(void *context, const char *text, size_t cursor, char *out,
                          size_t out_size, size_t *out_cursor);

#endif
