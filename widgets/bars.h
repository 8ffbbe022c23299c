/* bars.h: the bars around every screen: a header (left, centre, right), a
 * status bar (a message with its level, key hints) and a banner of a few
 * full-width lines ("BACKEND LOST"). Each repaints only when its text changed. */
#ifndef VIGIE_WIDGETS_BARS_H
#define VIGIE_WIDGETS_BARS_H

#include "widgets/widget.h"

/* Bytes of one segment or message: one line of a wide terminal. */
#define BARS_TEXT_MAX 512
/* Key hints a status bar shows: what fits on 200 columns. */
#define BARS_HINTS_MAX 16
/* Lines of a banner: more would push the work off an 80x24 screen. */
#define BANNER_LINES_MAX 4

enum header_segment { HEADER_LEFT, HEADER_CENTER, HEADER_RIGHT };

struct header_bar;

/* On the first line of the window to begin with. */
struct header_bar *header_bar_new(WINDOW *win, const struct charset *charset, attr_t attr);
void header_bar_free(struct header_bar *bar);
struct widget *header_bar_widget(struct header_bar *bar);
/* Copies text (NULL clears); the bar is dirty only if it changed. When the
 * line is short, the right segment keeps up to half of it, the left what
 * remains, and the centre is cut first. */
void header_bar_set(struct header_bar *bar, enum header_segment segment, const char *text);
void header_bar_draw(struct header_bar *bar);

enum status_level { STATUS_INFO, STATUS_WARN, STATUS_ERROR };

struct status_style {
    attr_t bar;
    attr_t info, warn, error; /* the message, by level */
    attr_t key;               /* key names in the hints */
};

struct status_hint {
    const char *key;   /* "F1", "a" */
    const char *label; /* "Help", "Acknowledge" */
};

struct status_bar;

/* On the last line of the window to begin with. */
struct status_bar *status_bar_new(WINDOW *win, const struct charset *charset,
                                  const struct status_style *style);
void status_bar_free(struct status_bar *bar);
struct widget *status_bar_widget(struct status_bar *bar);
/* The message takes the left of the line; NULL or "" clears it. Hints that
 * do not fit beside it are left out, from the last. */
void status_bar_set_message(struct status_bar *bar, enum status_level level, const char *text);
/* Copied, at most BARS_HINTS_MAX. Returns -1 when memory is short. */
int status_bar_set_hints(struct status_bar *bar, const struct status_hint *hints, size_t count);
void status_bar_draw(struct status_bar *bar);

struct banner;

/* Hidden to begin with; its rectangle is set by the caller from
 * banner_lines. */
struct banner *banner_new(WINDOW *win, const struct charset *charset);
void banner_free(struct banner *banner);
struct widget *banner_widget(struct banner *banner);
/* Shows text (lines split on '\n', centred, at most BANNER_LINES_MAX) over
 * the banner's whole rectangle in attr. */
void banner_set(struct banner *banner, const char *text, attr_t attr);
void banner_clear(struct banner *banner);
/* Lines the banner needs: 0 when hidden. */
int banner_lines(const struct banner *banner);
void banner_draw(struct banner *banner);

#endif
