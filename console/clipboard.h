/* clipboard.h: copying a text to the operator's clipboard with the OSC 52
 * sequence, which the terminal emulator (xterm, kitty, foot, iTerm2,
 * Windows Terminal; tmux with set-clipboard on) puts on the clipboard of
 * the machine the operator sits at, even through SSH: the console never
 * needs an X display or a clipboard daemon. Terminals that do not know the
 * sequence ignore it. */
#ifndef VIGIE_CONSOLE_CLIPBOARD_H
#define VIGIE_CONSOLE_CLIPBOARD_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of text copied at most: a position and a link are a few hundred;
 * terminals cap OSC 52 at a few KiB (xterm: 100 KiB base64). */
#define CLIPBOARD_TEXT_MAX 1024
/* The sequence for CLIPBOARD_TEXT_MAX bytes: base64 takes 4 for every 3. */
#define CLIPBOARD_SEQUENCE_MAX (16 + (CLIPBOARD_TEXT_MAX + 2) / 3 * 4)

/* Writes "ESC ] 52 ; c ; BASE64 BEL" for text into out; returns its length,
 * 0 when the text is empty, longer than CLIPBOARD_TEXT_MAX or out too small. */
size_t clipboard_sequence(const char *text, char *out, size_t size);

/* Sends the sequence to the terminal on fd, in one write after curses has
 * flushed (call between two screen updates, not inside one). False when
 * nothing could be written. */
bool clipboard_copy(int fd, const char *text);

#endif
