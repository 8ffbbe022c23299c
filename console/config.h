/* config.h: the console's settings ($XDG_CONFIG_HOME/vigie/config, or the
 * file VIGIE_CONFIG names) as "key = value" lines, and where the console
 * looks for its other files: the keymap ($XDG_CONFIG_HOME/vigie/keys) and
 * themes (the user's, then the installed ones). Command-line options go
 * through console_config_set too, after the file, so they win. No password or
 * token is ever read from here: the console prompts, or takes VIGIE_TOKEN. */
#ifndef VIGIE_CONSOLE_CONFIG_H
#define VIGIE_CONSOLE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "console/config_file.h"

/* Redundant backend nodes: a handful in practice; more is a typo. */
#define CONSOLE_CONFIG_SERVERS_MAX 8
#define CONSOLE_CONFIG_URL_SIZE    256
/* Operator names are short; the server bounds them the same way. */
#define CONSOLE_CONFIG_USER_SIZE 64
#define CONSOLE_CONFIG_PATH_SIZE 4096
/* Shown in the lost-backend banner of an 80x24 terminal: a dozen lines. */
#define CONSOLE_CONFIG_INSTRUCTIONS_SIZE 1024

enum console_config_charset {
    CONSOLE_CONFIG_CHARSET_AUTO,    /* from the locale */
    CONSOLE_CONFIG_CHARSET_UNICODE, /* box drawing, braille map */
    CONSOLE_CONFIG_CHARSET_ASCII,   /* for terminals and links that mangle UTF-8 */
};

struct console_config {
    char servers[CONSOLE_CONFIG_SERVERS_MAX][CONSOLE_CONFIG_URL_SIZE];
    size_t server_count;
    char user[CONSOLE_CONFIG_USER_SIZE];
    char theme[CONSOLE_CONFIG_PATH_SIZE]; /* a theme name or a path; "" for the default */
    char keys[CONSOLE_CONFIG_PATH_SIZE];  /* the keymap file; "" for the XDG default */
    bool read_only;
    /* The centre's fallback instructions ("Call the backup centre: ..."),
     * shown when the console loses every backend; may hold newlines. */
    char fallback_instructions[CONSOLE_CONFIG_INSTRUCTIONS_SIZE];
    bool bell;
    bool notifications;
    enum console_config_charset charset;
};

/* No server, no user, default theme and keys, read-write, bell and
 * notifications on, charset auto, no fallback instructions. */
void console_config_defaults(struct console_config *config);

/* Sets one setting by its file name ("server", "read-only"...), for the
 * file and for command-line options alike. On a bad name or value returns
 * false with a sentence in error and leaves the setting unchanged. */
bool console_config_set(struct console_config *config, const char *key, const char *value,
                        char *error, size_t error_size);

/* Reads "key = value" text; returns how many lines were skipped, each
 * with a FILE:LINE warning. */
size_t console_config_parse(struct console_config *config, const char *text, const char *file,
                            struct config_file_warnings *warnings);
/* Reads the settings file at path; a missing file is not an error. */
enum config_file_status console_config_load(struct console_config *config, const char *path,
                                            struct config_file_warnings *warnings);

/* $XDG_CONFIG_HOME/vigie/LEAF, or ~/.config/vigie/LEAF when that variable
 * is unset, empty or relative (as the XDG specification asks); false
 * when neither it nor HOME gives a directory. */
bool console_config_user_path(const char *leaf, char out[CONSOLE_CONFIG_PATH_SIZE]);
/* The settings file: VIGIE_CONFIG if set, else console_config_user_path("config"). */
bool console_config_file_path(char out[CONSOLE_CONFIG_PATH_SIZE]);
/* The keymap file: the "keys" setting if given, else
 * console_config_user_path("keys"). */
bool console_config_keys_path(const struct console_config *config,
                              char out[CONSOLE_CONFIG_PATH_SIZE]);
/* A theme file: name itself if it contains a '/', else the first of
 * $XDG_CONFIG_HOME/vigie/themes/NAME.theme and
 * VIGIE_DATADIR/themes/NAME.theme that exists. False if none does (the
 * built-in themes are theme.c's business). */
bool console_config_find_theme(const char *name, char out[CONSOLE_CONFIG_PATH_SIZE]);

#endif
