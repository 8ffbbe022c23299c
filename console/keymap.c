/* keymap.c: the keymap file parser (bind/unbind lines), key spelling in
 * both directions, look-up with the global fallback, and the rows of the ?
 * help, which come from the active keymap and the action table. */
#include "console/keymap.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/i18n.h"

/* Generated from keymaps/default.keys by tools/embed.sh. */
extern const char builtin_default_keys[];

#define KEYMAP_ESCAPE_CHAR 27
#define KEYMAP_DELETE_CHAR 127
/* Highest function key a keymap file may name. */
#define KEYMAP_FUNCTION_KEYS_MAX 12

/* Names written between < and >. The first name of a key is the one
 * keymap_describe_key writes; the others are accepted aliases. */
static const struct key_name {
    const char *name;
    int key;
} key_names[] = {
    {"Enter", '\n'},
    {"Return", '\n'},
    {"Esc", KEYMAP_ESCAPE_CHAR},
    {"Escape", KEYMAP_ESCAPE_CHAR},
    {"Tab", '\t'},
    {"S-Tab", KEYMAP_CODE(KEY_BTAB)},
    {"Space", ' '},
    {"Up", KEYMAP_CODE(KEY_UP)},
    {"Down", KEYMAP_CODE(KEY_DOWN)},
    {"Left", KEYMAP_CODE(KEY_LEFT)},
    {"Right", KEYMAP_CODE(KEY_RIGHT)},
    {"PgUp", KEYMAP_CODE(KEY_PPAGE)},
    {"PageUp", KEYMAP_CODE(KEY_PPAGE)},
    {"PgDn", KEYMAP_CODE(KEY_NPAGE)},
    {"PageDown", KEYMAP_CODE(KEY_NPAGE)},
    {"Home", KEYMAP_CODE(KEY_HOME)},
    {"End", KEYMAP_CODE(KEY_END)},
    {"Insert", KEYMAP_CODE(KEY_IC)},
    {"Delete", KEYMAP_CODE(KEY_DC)},
    {"Del", KEYMAP_CODE(KEY_DC)},
    {"Backspace", KEYMAP_CODE(KEY_BACKSPACE)},
    {"BS", KEYMAP_CODE(KEY_BACKSPACE)},
};

#define KEY_NAME_COUNT (sizeof key_names / sizeof key_names[0])

/* Folds the spellings one physical key has on different terminals. */
static int fold_key(int key)
{
    if (key == '\r' || key == KEYMAP_CODE(KEY_ENTER))
        return '\n';
    if (key == KEYMAP_DELETE_CHAR)
        return KEYMAP_CODE(KEY_BACKSPACE);
    return key;
}

int keymap_key_from_input(int status, unsigned int value)
{
    if (status == KEY_CODE_YES)
        return fold_key(KEYMAP_CODE((int)value));
    if (status == OK && value < KEYMAP_CODE_BASE)
        return fold_key((int)value);
    return KEYMAP_KEY_NONE;
}

/* Decodes text as exactly one UTF-8 code point; -1 if it is not. */
static int decode_one_code_point(const char *text)
{
    const unsigned char *bytes = (const unsigned char *)text;
    int length;
    int point;
    if (bytes[0] == '\0') {
        return -1;
    } else if (bytes[0] < 0x80) {
        length = 1;
        point = bytes[0];
    } else if ((bytes[0] & 0xE0) == 0xC0) {
        length = 2;
        point = bytes[0] & 0x1F;
    } else if ((bytes[0] & 0xF0) == 0xE0) {
        length = 3;
        point = bytes[0] & 0x0F;
    } else if ((bytes[0] & 0xF8) == 0xF0) {
        length = 4;
        point = bytes[0] & 0x07;
    } else {
        return -1;
    }
    for (int i = 1; i < length; i++) {
        if ((bytes[i] & 0xC0) != 0x80)
            return -1;
        point = (point << 6) | (bytes[i] & 0x3F);
    }
    static const int smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (bytes[length] != '\0' || point < smallest[length] || point >= KEYMAP_CODE_BASE ||
        (point >= 0xD800 && point <= 0xDFFF))
        return -1;
    return point;
}

static bool is_printable(int point)
{
    return point > ' ' && point != KEYMAP_DELETE_CHAR && !(point >= 0x80 && point < 0xA0) &&
           point < KEYMAP_CODE_BASE;
}

/* "C-x" (x a letter or one of @[\]^_) gives the control character. */
static bool parse_control(const char *inside, int *key)
{
    if ((inside[0] != 'C' && inside[0] != 'c') || inside[1] != '-' || inside[2] == '\0' ||
        inside[3] != '\0')
        return false;
    int c = (unsigned char)inside[2];
    if (c >= 'a' && c <= 'z')
        c -= 'a' - 'A';
    if (c < '@' || c > '_')
        return false;
    *key = fold_key(c ^ 0x40);
    return true;
}

static bool parse_function(const char *inside, int *key)
{
    if ((inside[0] != 'F' && inside[0] != 'f') || inside[1] < '1' || inside[1] > '9')
        return false;
    int number = 0;
    for (const char *digit = inside + 1; *digit != '\0'; digit++) {
        if (*digit < '0' || *digit > '9' || number > KEYMAP_FUNCTION_KEYS_MAX)
            return false;
        number = number * 10 + (*digit - '0');
    }
    if (number > KEYMAP_FUNCTION_KEYS_MAX)
        return false;
    *key = KEYMAP_CODE(KEY_F(number));
    return true;
}

bool keymap_key_parse(const char *text, int *key)
{
    size_t length = strlen(text);
    if (length >= 3 && text[0] == '<' && text[length - 1] == '>') {
        char inside[KEYMAP_KEY_TEXT_SIZE];
        if (length - 2 >= sizeof inside)
            return false;
        memcpy(inside, text + 1, length - 2);
        inside[length - 2] = '\0';
        for (size_t i = 0; i < KEY_NAME_COUNT; i++) {
            if (strcasecmp(key_names[i].name, inside) == 0) {
                *key = key_names[i].key;
                return true;
            }
        }
        return parse_control(inside, key) || parse_function(inside, key);
    }
    int point = decode_one_code_point(text);
    if (point < 0 || !is_printable(point))
        return false;
    *key = point;
    return true;
}

static void encode_utf8(int point, char out[KEYMAP_KEY_TEXT_SIZE])
{
    unsigned char *bytes = (unsigned char *)out;
    if (point < 0x80) {
        bytes[0] = (unsigned char)point;
        bytes[1] = '\0';
    } else if (point < 0x800) {
        bytes[0] = (unsigned char)(0xC0 | (point >> 6));
        bytes[1] = (unsigned char)(0x80 | (point & 0x3F));
        bytes[2] = '\0';
    } else if (point < 0x10000) {
        bytes[0] = (unsigned char)(0xE0 | (point >> 12));
        bytes[1] = (unsigned char)(0x80 | ((point >> 6) & 0x3F));
        bytes[2] = (unsigned char)(0x80 | (point & 0x3F));
        bytes[3] = '\0';
    } else {
        bytes[0] = (unsigned char)(0xF0 | (point >> 18));
        bytes[1] = (unsigned char)(0x80 | ((point >> 12) & 0x3F));
        bytes[2] = (unsigned char)(0x80 | ((point >> 6) & 0x3F));
        bytes[3] = (unsigned char)(0x80 | (point & 0x3F));
        bytes[4] = '\0';
    }
}

void keymap_describe_key(int key, char out[KEYMAP_KEY_TEXT_SIZE])
{
    for (size_t i = 0; i < KEY_NAME_COUNT; i++) {
        if (key_names[i].key == key) {
            snprintf(out, KEYMAP_KEY_TEXT_SIZE, "<%s>", key_names[i].name);
            return;
        }
    }
    if (key >= 0 && key < ' ') {
        int c = key ^ 0x40; /* '@' to '_'; letters are written in lower case */
        snprintf(out, KEYMAP_KEY_TEXT_SIZE, "<C-%c>", c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        return;
    }
    for (int number = 1; number <= KEYMAP_FUNCTION_KEYS_MAX; number++) {
        if (key == KEYMAP_CODE(KEY_F(number))) {
            snprintf(out, KEYMAP_KEY_TEXT_SIZE, "<F%d>", number);
            return;
        }
    }
    if (key >= 0 && key < KEYMAP_CODE_BASE && is_printable(key)) {
        encode_utf8(key, out);
        return;
    }
    snprintf(out, KEYMAP_KEY_TEXT_SIZE, "<%d>", key);
}

void keymap_init(struct keymap *keymap)
{
    for (int screen = 0; screen < ACTION_SCREEN_COUNT; screen++)
        keymap->screens[screen].count = 0;
}

/* The index of key's binding, or -1. */
static long find_binding(const struct keymap_bindings *bindings, int key)
{
    for (size_t i = 0; i < bindings->count; i++)
        if (bindings->bindings[i].key == key)
            return (long)i;
    return -1;
}

bool keymap_bind(struct keymap *keymap, enum action_screen screen, int key, enum action action)
{
    struct keymap_bindings *bindings = &keymap->screens[screen];
    long index = find_binding(bindings, key);
    if (index < 0) {
        if (bindings->count == KEYMAP_BINDINGS_MAX)
            return false;
        index = (long)bindings->count++;
        bindings->bindings[index].key = key;
    }
    bindings->bindings[index].action = action;
    return true;
}

bool keymap_unbind(struct keymap *keymap, enum action_screen screen, int key)
{
    /* A screen keeps an explicit "nothing" so that the global binding of
     * the same key does not show through. */
    if (screen != ACTION_SCREEN_GLOBAL)
        return keymap_bind(keymap, screen, key, ACTION_NONE);
    struct keymap_bindings *bindings = &keymap->screens[screen];
    long index = find_binding(bindings, key);
    if (index >= 0) {
        memmove(&bindings->bindings[index], &bindings->bindings[index + 1],
                (bindings->count - (size_t)index - 1) * sizeof bindings->bindings[0]);
        bindings->count--;
    }
    return true;
}

enum action keymap_action(const struct keymap *keymap, enum action_screen screen, int key)
{
    if (screen < 0 || screen >= ACTION_SCREEN_COUNT)
        return ACTION_NONE;
    long own = find_binding(&keymap->screens[screen], key);
    if (own >= 0)
        return keymap->screens[screen].bindings[own].action;
    const struct keymap_bindings *globals = &keymap->screens[ACTION_SCREEN_GLOBAL];
    long global = find_binding(globals, key);
    if (global < 0)
        return ACTION_NONE;
    enum action action = globals->bindings[global].action;
    if (screen != ACTION_SCREEN_GLOBAL && !action_applies(action, screen))
        return ACTION_NONE;
    return action;
}

/* Words after the last argument must be a "# comment". */
static bool rest_is_comment(char *const words[], int count, int arguments)
{
    return count <= arguments || words[arguments][0] == '#';
}

static bool parse_screen(const char *word, enum action_screen *screen, const char *file, int line,
                         struct config_file_warnings *warnings)
{
    if (action_screen_from_name(word, screen))
        return true;
    config_file_warn(warnings, file, line,
                     _("unknown screen '%s' (global, queue, detail, victim, map, procedures, "
                       "massalert or help); line skipped"),
                     word);
    return false;
}

static bool parse_key(const char *word, int *key, const char *file, int line,
                      struct config_file_warnings *warnings)
{
    if (keymap_key_parse(word, key))
        return true;
    config_file_warn(warnings, file, line, _("bad key '%s' (see vigie-keys(5)); line skipped"),
                     word);
    return false;
}

static bool parse_bind(struct keymap *keymap, char *const words[], int count, const char *file,
                       int line, struct config_file_warnings *warnings)
{
    if (count < 4 || !rest_is_comment(words, count, 4)) {
        config_file_warn(warnings, file, line, "%s",
                         _("expected 'bind SCREEN KEY ACTION'; line skipped"));
        return false;
    }
    enum action_screen screen;
    int key;
    if (!parse_screen(words[1], &screen, file, line, warnings) ||
        !parse_key(words[2], &key, file, line, warnings))
        return false;
    enum action action = action_from_name(words[3]);
    if (action == ACTION_NONE) {
        config_file_warn(warnings, file, line, _("unknown action '%s'; line skipped"), words[3]);
        return false;
    }
    if (screen != ACTION_SCREEN_GLOBAL && !action_applies(action, screen)) {
        config_file_warn(warnings, file, line,
                         _("action '%s' does not apply to screen '%s'; line skipped"), words[3],
                         words[1]);
        return false;
    }
    if (!keymap_bind(keymap, screen, key, action)) {
        config_file_warn(warnings, file, line,
                         _("more than %d bindings for screen '%s'; line skipped"),
                         KEYMAP_BINDINGS_MAX, words[1]);
        return false;
    }
    return true;
}

static bool parse_unbind(struct keymap *keymap, char *const words[], int count, const char *file,
                         int line, struct config_file_warnings *warnings)
{
    if (count < 3 || !rest_is_comment(words, count, 3)) {
        config_file_warn(warnings, file, line, "%s",
                         _("expected 'unbind SCREEN KEY'; line skipped"));
        return false;
    }
    enum action_screen screen;
    int key;
    if (!parse_screen(words[1], &screen, file, line, warnings) ||
        !parse_key(words[2], &key, file, line, warnings))
        return false;
    if (!keymap_unbind(keymap, screen, key)) {
        config_file_warn(warnings, file, line,
                         _("more than %d bindings for screen '%s'; line skipped"),
                         KEYMAP_BINDINGS_MAX, words[1]);
        return false;
    }
    return true;
}

size_t keymap_parse(struct keymap *keymap, const char *text, const char *file,
                    struct config_file_warnings *warnings)
{
    size_t skipped = 0;
    struct config_file_lines lines;
    struct config_file_line line;
    config_file_lines_init(&lines, text, file);
    while (config_file_lines_next(&lines, &line, warnings)) {
        if (config_file_line_is_blank(line.text))
            continue;
        /* bind SCREEN KEY ACTION, then perhaps a comment. */
        char *words[5];
        int count = config_file_split_words(line.text, words, 5);
        bool ok;
        if (strcmp(words[0], "bind") == 0) {
            ok = parse_bind(keymap, words, count, file, line.number, warnings);
        } else if (strcmp(words[0], "unbind") == 0) {
            ok = parse_unbind(keymap, words, count, file, line.number, warnings);
        } else {
            config_file_warn(warnings, file, line.number,
                             _("unknown command '%s' (expected bind or unbind); line skipped"),
                             words[0]);
            ok = false;
        }
        if (!ok)
            skipped++;
    }
    return skipped + lines.skipped;
}

const char *keymap_default_text(void)
{
    return builtin_default_keys;
}

size_t keymap_load_defaults(struct keymap *keymap, struct config_file_warnings *warnings)
{
    return keymap_parse(keymap, builtin_default_keys, "keymaps/default.keys", warnings);
}

enum config_file_status keymap_load_file(struct keymap *keymap, const char *path,
                                         struct config_file_warnings *warnings)
{
    char *text;
    enum config_file_status status = config_file_read(path, &text, warnings);
    if (status == CONFIG_FILE_READ) {
        keymap_parse(keymap, text, path, warnings);
        free(text);
    }
    return status;
}

static void append_key(char keys[KEYMAP_KEYS_TEXT_SIZE], int key)
{
    char name[KEYMAP_KEY_TEXT_SIZE];
    keymap_describe_key(key, name);
    size_t used = strlen(keys);
    const char *separator = used > 0 ? ", " : "";
    /* Keys that do not fit are left out rather than cut in the middle. */
    if (used + strlen(separator) + strlen(name) < KEYMAP_KEYS_TEXT_SIZE)
        snprintf(keys + used, KEYMAP_KEYS_TEXT_SIZE - used, "%s%s", separator, name);
}

static void keys_of(const struct keymap *keymap, enum action_screen screen, enum action action,
                    char keys[KEYMAP_KEYS_TEXT_SIZE])
{
    keys[0] = '\0';
    const struct keymap_bindings *own = &keymap->screens[screen];
    for (size_t i = 0; i < own->count; i++)
        if (own->bindings[i].action == action)
            append_key(keys, own->bindings[i].key);
    if (screen == ACTION_SCREEN_GLOBAL)
        return;
    const struct keymap_bindings *global = &keymap->screens[ACTION_SCREEN_GLOBAL];
    for (size_t i = 0; i < global->count; i++) {
        int key = global->bindings[i].key;
        if (global->bindings[i].action == action && find_binding(own, key) < 0 &&
            keymap_action(keymap, screen, key) == action)
            append_key(keys, key);
    }
}

static void emit_row(const struct keymap *keymap, enum action_screen screen, enum action action,
                     enum action_screen section, keymap_help_fn *row, void *data)
{
    struct keymap_help_row help = {
        .action = action,
        .name = action_name(action),
        .help = action_help(action),
        .section = section,
        .mutates = action_mutates(action),
    };
    keys_of(keymap, screen, action, help.keys);
    row(&help, data);
}

void keymap_help_rows(const struct keymap *keymap, enum action_screen screen, keymap_help_fn *row,
                      void *data)
{
    if (screen < 0 || screen >= ACTION_SCREEN_COUNT)
        return;
    for (int action = ACTION_NONE + 1; action < ACTION_COUNT; action++) {
        if (screen != ACTION_SCREEN_GLOBAL && action_applies((enum action)action, screen) &&
            !action_applies((enum action)action, ACTION_SCREEN_GLOBAL))
            emit_row(keymap, screen, (enum action)action, screen, row, data);
    }
    for (int action = ACTION_NONE + 1; action < ACTION_COUNT; action++) {
        if (action_applies((enum action)action, ACTION_SCREEN_GLOBAL))
            emit_row(keymap, screen, (enum action)action, ACTION_SCREEN_GLOBAL, row, data);
    }
}
