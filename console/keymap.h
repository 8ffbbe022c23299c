/* keymap.h: which key runs which action on which screen. A keymap is
 * built by reading keymap files (vigie-keys(5)) in order: the built-in
 * keymaps/default.keys first, then the operator's file, each line
 * overriding what came before. A bad line is a warning and is skipped. */
#ifndef VIGIE_KEYMAP_H
#define VIGIE_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "console/actions.h"
#include "console/config_file.h"

/* A key is an int: a Unicode code point for a character (control
 * characters included: <C-a> is 1, <Enter> is '\n', <Esc> is 27), or
 * KEYMAP_CODE(k) for an ncurses key code k (KEY_UP, KEY_F(1)...). The two
 * ranges cannot collide, unlike get_wch's, where KEY_UP is also U+0103. */
#define KEYMAP_KEY_NONE   (-1)
#define KEYMAP_CODE_BASE  0x110000 /* one past the last code point */
#define KEYMAP_CODE(code) (KEYMAP_CODE_BASE + (code))

/* Bindings per screen: about 50 actions, two or three keys each for the
 * global screen; overriding a key replaces its binding. */
#define KEYMAP_BINDINGS_MAX 160
/* "<Backspace>", "<F12>", or one character of at most 4 UTF-8 bytes. */
#define KEYMAP_KEY_TEXT_SIZE 16
/* The keys column of one help row: several key names and separators. */
#define KEYMAP_KEYS_TEXT_SIZE 64

struct keymap_binding {
    int key;
    enum action action; /* ACTION_NONE: unbound here, global ignored */
};

struct keymap {
    struct keymap_bindings {
        size_t count;
        struct keymap_binding bindings[KEYMAP_BINDINGS_MAX];
    } screens[ACTION_SCREEN_COUNT];
};

/* One line of the ? help. */
struct keymap_help_row {
    enum action action;
    const char *name;                 /* "claim" */
    const char *help;                 /* translated help text */
    char keys[KEYMAP_KEYS_TEXT_SIZE]; /* "c, <F2>"; "" when unbound */
    enum action_screen section;       /* the screen, or global */
    bool mutates;                     /* to grey out in read-only mode */
};

typedef void keymap_help_fn(const struct keymap_help_row *row, void *data);

/* An empty keymap: no key does anything. */
void keymap_init(struct keymap *keymap);
/* Reads keymap text; file labels the warnings. Returns how many lines
 * were skipped with a warning. */
size_t keymap_parse(struct keymap *keymap, const char *text, const char *file,
                    struct config_file_warnings *warnings);
/* Reads the built-in default keymap (keymaps/default.keys). */
size_t keymap_load_defaults(struct keymap *keymap, struct config_file_warnings *warnings);
/* Reads a keymap file; a missing file is not an error. */
enum config_file_status keymap_load_file(struct keymap *keymap, const char *path,
                                         struct config_file_warnings *warnings);
/* The embedded copy of keymaps/default.keys (generated, see tools/embed.sh). */
const char *keymap_default_text(void);

bool keymap_bind(struct keymap *keymap, enum action_screen screen, int key, enum action action);
/* After this, key does nothing on screen (global bindings included); on
 * the global screen it only removes the global binding. Both return false
 * when the screen already has KEYMAP_BINDINGS_MAX bindings. */
bool keymap_unbind(struct keymap *keymap, enum action_screen screen, int key);

/* The action for key on screen: the screen's own binding first, then the
 * global one if that action applies on screen; ACTION_NONE otherwise. */
enum action keymap_action(const struct keymap *keymap, enum action_screen screen, int key);

/* Parses a key as written in a keymap file ("c", "<C-x>", "<PgDn>"). */
bool keymap_key_parse(const char *text, int *key);
/* Writes the keymap-file spelling of key (the inverse of keymap_key_parse). */
void keymap_describe_key(int key, char out[KEYMAP_KEY_TEXT_SIZE]);
/* Turns what get_wch returned (OK or KEY_CODE_YES, and the value) into a
 * key, folding the variants terminals send: '\r' and KEY_ENTER are
 * <Enter>, DEL (127) is <Backspace>. */
int keymap_key_from_input(int status, unsigned int value);

/* Calls row once per action that applies on screen: first the screen's
 * own actions, then the global ones, each in table order, with every key
 * that runs it there. Unbound actions are included (":name" runs them). */
void keymap_help_rows(const struct keymap *keymap, enum action_screen screen, keymap_help_fn *row,
                      void *data);

#endif
