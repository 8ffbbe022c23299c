/* notify.c: libnotify is tried once at start; a failing notify_init (no
 * notification daemon, a bus that does not answer) means the terminal
 * sequences instead, never an error on screen. The sequences are written
 * with one write() after curses has flushed, so they never split a curses
 * escape sequence. */
#include "console/notify.h"

#include <curses.h>
#include <errno.h>
#include <libnotify/notify.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

struct notify {
    enum notify_channel channel;
    bool bell;
    int out_fd;
};

struct notify *notify_new(bool notifications, bool bell, int out_fd)
{
    struct notify *notify = calloc(1, sizeof *notify);
    if (!notify)
        return NULL;
    notify->bell = bell;
    notify->out_fd = out_fd;
    notify->channel = notifications ? NOTIFY_TERMINAL : NOTIFY_NONE;
    const char *bus = getenv("DBUS_SESSION_BUS_ADDRESS");
    if (notifications && bus && bus[0]) {
        if (notify_init("Vigie"))
            notify->channel = NOTIFY_DESKTOP;
        else
            log_info("notify", "libnotify is not available; using terminal notifications");
    }
    return notify;
}

void notify_free(struct notify *notify)
{
    if (!notify)
        return;
    if (notify->channel == NOTIFY_DESKTOP)
        notify_uninit();
    free(notify);
}

enum notify_channel notify_channel(const struct notify *notify)
{
    return notify ? notify->channel : NOTIFY_NONE;
}

/* Keeps printable bytes and drops what would end or split an OSC
 * sequence: control characters and ';'. A text cut for length loses its
 * last character, which may be incomplete. */
static void clean_text(const char *in, char *out, size_t size)
{
    size_t used = 0;
    const unsigned char *c = (const unsigned char *)(in ? in : "");
    for (; *c; c++) {
        if (*c < 0x20 || *c == 0x7F || *c == ';')
            continue;
        if (used + 1 >= size)
            break;
        out[used++] = (char)*c;
    }
    if (*c) {
        while (used > 0 && ((unsigned char)out[used - 1] & 0xC0) == 0x80)
            used--;
        if (used > 0 && (unsigned char)out[used - 1] >= 0xC0)
            used--;
    }
    out[used] = '\0';
}

size_t notify_terminal_sequences(const char *title, const char *body, char *out, size_t size)
{
    char clean_title[NOTIFY_TEXT_MAX], clean_body[NOTIFY_TEXT_MAX];
    clean_text(title, clean_title, sizeof clean_title);
    clean_text(body, clean_body, sizeof clean_body);
    int length = snprintf(out, size, "\033]777;notify;%s;%s\a\033]9;%s: %s\a", clean_title,
                          clean_body, clean_title, clean_body);
    if (length < 0)
        return 0;
    return (size_t)length < size ? (size_t)length : size - 1;
}

static void write_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return; /* a notification is not worth blocking or failing for */
        data += written;
        length -= (size_t)written;
    }
}

static bool show_desktop(const char *title, const char *body)
{
    NotifyNotification *note = notify_notification_new(title, body, "dialog-warning");
    if (!note)
        return false;
    notify_notification_set_urgency(note, NOTIFY_URGENCY_CRITICAL);
    GError *error = NULL;
    bool shown = notify_notification_show(note, &error);
    if (!shown) {
        log_warn("notify", "desktop notification failed: %s",
                 error && error->message ? error->message : "?");
        if (error)
            g_error_free(error);
    }
    g_object_unref(G_OBJECT(note));
    return shown;
}

void notify_alert(struct notify *notify, const char *title, const char *body)
{
    if (!notify)
        return;
    if (notify->bell)
        beep();
    if (notify->channel == NOTIFY_DESKTOP && show_desktop(title, body))
        return;
    if (notify->channel == NOTIFY_NONE)
        return;
    char sequences[2 * NOTIFY_TEXT_MAX * 2 + 32];
    size_t length = notify_terminal_sequences(title, body, sequences, sizeof sequences);
    fflush(stdout);
    write_all(notify->out_fd, sequences, length);
}
