/* clipboard.c: the OSC 52 sequence ("c" selects the clipboard rather than
 * the primary selection). The text is base64 (glib), so no byte of it can
 * end the sequence early or reach the terminal as a command. */
#include "console/clipboard.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

size_t clipboard_sequence(const char *text, char *out, size_t size)
{
    size_t length = text ? strlen(text) : 0;
    if (length == 0 || length > CLIPBOARD_TEXT_MAX)
        return 0;
    gchar *encoded = g_base64_encode((const guchar *)text, length);
    if (!encoded)
        return 0;
    int written = snprintf(out, size, "\033]52;c;%s\a", encoded);
    g_free(encoded);
    return written > 0 && (size_t)written < size ? (size_t)written : 0;
}

bool clipboard_copy(int fd, const char *text)
{
    char sequence[CLIPBOARD_SEQUENCE_MAX];
    size_t length = clipboard_sequence(text, sequence, sizeof sequence);
    if (length == 0)
        return false;
    fflush(stdout); /* what curses left in stdio's buffer goes first */
    const char *data = sequence;
    while (length > 0) {
        ssize_t written = write(fd, data, length);
        if (written < 0 && errno == EINTR)
            continue;
        if (written <= 0)
            return false;
        data += written;
        length -= (size_t)written;
    }
    return true;
}
