/* notify.h: telling the operator that a priority-1 alarm arrived when the
 * console may not be looked at: a desktop notification through libnotify
 * when a session bus is there and answers, otherwise the OSC 777 and OSC 9
 * sequences that terminal emulators turn into notifications; and the
 * terminal bell, unless the bell setting is off. */
#ifndef VIGIE_CONSOLE_NOTIFY_H
#define VIGIE_CONSOLE_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of a notification's title and body once cleaned. */
#define NOTIFY_TEXT_MAX 256

enum notify_channel {
    NOTIFY_NONE,     /* notifications off: the bell only */
    NOTIFY_DESKTOP,  /* libnotify */
    NOTIFY_TERMINAL, /* OSC 777 and OSC 9 */
};

struct notify;

/* Tries libnotify when notifications are on and DBUS_SESSION_BUS_ADDRESS
 * is set; falls back to terminal sequences when notify_init fails. out_fd
 * is the terminal the sequences go to. */
struct notify *notify_new(bool notifications, bool bell, int out_fd);
void notify_free(struct notify *notify);
enum notify_channel notify_channel(const struct notify *notify);

/* One alert: bell (if on) and a notification. Call between two screen
 * updates (after doupdate): the sequences are written straight to the
 * terminal. */
void notify_alert(struct notify *notify, const char *title, const char *body);

/* Writes the OSC 777 and OSC 9 sequences for title and body into out
 * (control characters and ';' removed from the texts); returns the
 * length. For the tests. */
size_t notify_terminal_sequences(const char *title, const char *body, char *out, size_t size);

#endif
