/* theme.c: theme files (color SLOT FG BG ATTR...), the reduction of the
 * 256-colour palette to what the terminal has, and the curses colour
 * pairs. Colours are reduced to the nearest one by the xterm palette's
 * RGB values; nothing here needs a terminal except theme_apply and
 * theme_terminal_depth. */
#include "console/theme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "console/config.h"

/* Generated from themes/ by tools/embed.sh. */
extern const char builtin_theme_dark[];
extern const char builtin_theme_light[];
extern const char builtin_theme_high_contrast[];
extern const char builtin_theme_monochrome[];

#define THEME_DEFAULT_NAME    "dark"
#define THEME_MONOCHROME_NAME "monochrome"
/* Words on a theme line: color, slot, fg, bg and up to seven attributes,
 * the last word holding the rest of the line (a comment, or an error). */
#define THEME_LINE_WORDS 12

#define THEME_SLOT_NAME(id, text) [THEME_SLOT_##id] = text,
static const char *const slot_names[THEME_SLOT_COUNT] = {THEME_SLOT_TABLE(THEME_SLOT_NAME)};
#undef THEME_SLOT_NAME

static const struct {
    const char *name;
    const char *text;
} builtin_themes[] = {
    {"dark", builtin_theme_dark},
    {"light", builtin_theme_light},
    {"high-contrast", builtin_theme_high_contrast},
    {"monochrome", builtin_theme_monochrome},
};

static const char *const color_names[16] = {
    "black",        "red",           "green",       "yellow",         "blue",
    "magenta",      "cyan",          "white",       "bright-black",   "bright-red",
    "bright-green", "bright-yellow", "bright-blue", "bright-magenta", "bright-cyan",
    "bright-white",
};

static const struct {
    const char *name;
    attr_t attr;
} attr_names[] = {
    {"normal", A_NORMAL}, {"bold", A_BOLD},   {"underline", A_UNDERLINE}, {"reverse", A_REVERSE},
    {"dim", A_DIM},       {"blink", A_BLINK}, {"standout", A_STANDOUT},   {"italic", A_ITALIC},
};

const char *theme_slot_name(enum theme_slot slot)
{
    if (slot < 0 || slot >= THEME_SLOT_COUNT)
        return "";
    return slot_names[slot];
}

bool theme_slot_from_name(const char *name, enum theme_slot *slot)
{
    for (int candidate = 0; candidate < THEME_SLOT_COUNT; candidate++) {
        if (strcmp(slot_names[candidate], name) == 0) {
            *slot = (enum theme_slot)candidate;
            return true;
        }
    }
    return false;
}

void theme_init(struct theme *theme)
{
    for (int slot = 0; slot < THEME_SLOT_COUNT; slot++) {
        theme->styles[slot] = (struct theme_style){THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, 0};
        theme->drawn[slot] = A_NORMAL;
    }
}

const char *theme_builtin_text(const char *name)
{
    for (size_t i = 0; i < sizeof builtin_themes / sizeof builtin_themes[0]; i++)
        if (strcmp(builtin_themes[i].name, name) == 0)
            return builtin_themes[i].text;
    return NULL;
}

/* "default", a name ("red", "bright-red" or "brightred") or 0-255. */
static bool parse_color(const char *word, short *color)
{
    if (strcmp(word, "default") == 0) {
        *color = THEME_COLOR_DEFAULT;
        return true;
    }
    for (int i = 0; i < 16; i++) {
        const char *name = color_names[i];
        bool same = strcmp(name, word) == 0;
        if (!same && i >= 8) /* "brightred" for "bright-red" */
            same = strncmp(word, "bright", 6) == 0 && strcmp(word + 6, name + 7) == 0;
        if (same) {
            *color = (short)i;
            return true;
        }
    }
    if (word[0] < '0' || word[0] > '9' || strlen(word) > 3)
        return false;
    char *end;
    long number = strtol(word, &end, 10);
    if (*end != '\0' || number >= THEME_COLORS_MAX)
        return false;
    *color = (short)number;
    return true;
}

static bool parse_attr(const char *word, attr_t *attrs)
{
    for (size_t i = 0; i < sizeof attr_names / sizeof attr_names[0]; i++) {
        if (strcmp(attr_names[i].name, word) == 0) {
            *attrs |= attr_names[i].attr;
            return true;
        }
    }
    return false;
}

static bool parse_color_line(struct theme *theme, char *const words[], int count, const char *file,
                             int line, struct config_file_warnings *warnings)
{
    if (count < 4 || words[2][0] == '#' || words[3][0] == '#') {
        config_file_warn(
            warnings, file, line, "%s",
            _("expected 'color SLOT FOREGROUND BACKGROUND [ATTRIBUTE...]'; line skipped"));
        return false;
    }
    enum theme_slot slot;
    if (!theme_slot_from_name(words[1], &slot)) {
        config_file_warn(warnings, file, line, _("unknown colour slot '%s'; line skipped"),
                         words[1]);
        return false;
    }
    struct theme_style style = {0, 0, A_NORMAL};
    for (int i = 2; i < 4; i++) {
        if (!parse_color(words[i], i == 2 ? &style.fg : &style.bg)) {
            config_file_warn(
                warnings, file, line,
                _("bad colour '%s' (a name, bright-NAME, default or 0-255); line skipped"),
                words[i]);
            return false;
        }
    }
    for (int i = 4; i < count && words[i][0] != '#'; i++) {
        if (!parse_attr(words[i], &style.attrs)) {
            config_file_warn(warnings, file, line,
                             _("unknown attribute '%s' (bold, underline, reverse, dim, blink, "
                               "standout, italic or normal); line skipped"),
                             words[i]);
            return false;
        }
    }
    theme->styles[slot] = style;
    return true;
}

size_t theme_parse(struct theme *theme, const char *text, const char *file,
                   struct config_file_warnings *warnings)
{
    size_t skipped = 0;
    struct config_file_lines lines;
    struct config_file_line line;
    config_file_lines_init(&lines, text, file);
    while (config_file_lines_next(&lines, &line, warnings)) {
        if (config_file_line_is_blank(line.text))
            continue;
        char *words[THEME_LINE_WORDS];
        int count = config_file_split_words(line.text, words, THEME_LINE_WORDS);
        if (strcmp(words[0], "color") != 0 && strcmp(words[0], "colour") != 0) {
            config_file_warn(warnings, file, line.number,
                             _("unknown command '%s' (expected color); line skipped"), words[0]);
            skipped++;
        } else if (!parse_color_line(theme, words, count, file, line.number, warnings)) {
            skipped++;
        }
    }
    return skipped + lines.skipped;
}

enum config_file_status theme_load_file(struct theme *theme, const char *path,
                                        struct config_file_warnings *warnings)
{
    char *text;
    enum config_file_status status = config_file_read(path, &text, warnings);
    if (status == CONFIG_FILE_READ) {
        theme_parse(theme, text, path, warnings);
        free(text);
    }
    return status;
}

int theme_color_depth(int colors, const char *no_color)
{
    if (no_color != NULL && no_color[0] != '\0')
        return 0;
    if (colors >= 256)
        return 256;
    if (colors >= 16)
        return 16;
    if (colors >= 8)
        return 8;
    return 0;
}

/* The xterm default palette: 16 system colours, a 6x6x6 cube, 24 greys. */
static void palette_rgb(int color, int rgb[3])
{
    static const unsigned char system[16][3] = {
        {0, 0, 0},       {205, 0, 0},   {0, 205, 0},   {205, 205, 0},
        {0, 0, 238},     {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
        {127, 127, 127}, {255, 0, 0},   {0, 255, 0},   {255, 255, 0},
        {92, 92, 255},   {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
    };
    static const unsigned char cube_levels[6] = {0, 95, 135, 175, 215, 255};
    if (color < 16) {
        for (int i = 0; i < 3; i++)
            rgb[i] = system[color][i];
    } else if (color < 232) {
        int index = color - 16;
        rgb[0] = cube_levels[index / 36];
        rgb[1] = cube_levels[(index / 6) % 6];
        rgb[2] = cube_levels[index % 6];
    } else {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (color - 232);
    }
}

/* Squared distance weighted for the eye's greater sensitivity to green. */
static long color_distance(const int a[3], const int b[3])
{
    static const long weights[3] = {3, 4, 2};
    long sum = 0;
    for (int i = 0; i < 3; i++)
        sum += weights[i] * (long)(a[i] - b[i]) * (a[i] - b[i]);
    return sum;
}

/* Below this spread between its strongest and weakest component a colour
 * reads as grey, and must stay grey: by plain distance the 8-colour
 * palette's nearest to a mid grey is its (dark) yellow. */
#define GREY_SPREAD 40

static bool is_grey(const int rgb[3])
{
    int high = rgb[0], low = rgb[0];
    for (int i = 1; i < 3; i++) {
        high = rgb[i] > high ? rgb[i] : high;
        low = rgb[i] < low ? rgb[i] : low;
    }
    return high - low < GREY_SPREAD;
}

static short nearest_color(short color, int count)
{
    int target[3];
    palette_rgb(color, target);
    bool grey = is_grey(target);
    short best = 0;
    long best_distance = -1;
    for (short candidate = 0; candidate < count; candidate++) {
        int rgb[3];
        palette_rgb(candidate, rgb);
        if (grey && !is_grey(rgb))
            continue; /* greys go to black, white and the two greys */
        long distance = color_distance(target, rgb);
        if (best_distance < 0 || distance < best_distance) {
            best = candidate;
            best_distance = distance;
        }
    }
    return best;
}

short theme_color_reduce(short color, int depth, bool *bright)
{
    if (bright != NULL)
        *bright = false;
    if (color < 0 || color >= THEME_COLORS_MAX || depth <= 0)
        return THEME_COLOR_DEFAULT;
    if (color < depth)
        return color;
    if (bright != NULL && depth < 16) {
        short as_sixteen = color < 16 ? color : nearest_color(color, 16);
        *bright = as_sixteen > 8; /* bright-black is grey: bold would not help */
    }
    return nearest_color(color, depth);
}

static bool is_light(short color)
{
    int rgb[3];
    palette_rgb(color, rgb);
    return 299 * rgb[0] + 587 * rgb[1] + 114 * rgb[2] > 128 * 1000;
}

struct theme_style theme_resolve(const struct theme *theme, enum theme_slot slot, int depth)
{
    struct theme_style style = theme->styles[slot];
    if (depth <= 0)
        return (struct theme_style){THEME_COLOR_DEFAULT, THEME_COLOR_DEFAULT, style.attrs};
    bool bright;
    struct theme_style resolved = {
        .fg = theme_color_reduce(style.fg, depth, &bright),
        .bg = theme_color_reduce(style.bg, depth, NULL),
        .attrs = style.attrs,
    };
    if (bright)
        resolved.attrs |= A_BOLD; /* most 8-colour terminals show bold as bright */
    /* Two colours that were different may meet: the text would vanish. */
    if (style.fg != style.bg && resolved.fg == resolved.bg && resolved.fg >= 0)
        resolved.fg = is_light(resolved.bg) ? COLOR_BLACK : COLOR_WHITE;
    return resolved;
}

static void parse_builtin(struct theme *theme, const char *name,
                          struct config_file_warnings *warnings)
{
    char label[64];
    snprintf(label, sizeof label, "themes/%s.theme", name);
    theme_parse(theme, theme_builtin_text(name), label, warnings);
}

bool theme_load(struct theme *theme, const char *name, int depth,
                struct config_file_warnings *warnings)
{
    const char *base = depth <= 0 ? THEME_MONOCHROME_NAME : THEME_DEFAULT_NAME;
    if (depth <= 0 || name == NULL || name[0] == '\0')
        name = base;
    theme_init(theme);
    parse_builtin(theme, base, warnings);
    bool found = false;
    if (strcmp(name, base) != 0 && theme_builtin_text(name) != NULL) {
        parse_builtin(theme, name, warnings);
        found = true;
    } else if (strcmp(name, base) == 0) {
        found = true;
    }
    char path[CONSOLE_CONFIG_PATH_SIZE];
    if (console_config_find_theme(name, path) &&
        theme_load_file(theme, path, warnings) == CONFIG_FILE_READ)
        found = true;
    if (!found)
        config_file_warn(warnings, name, 0, _("no such theme; using %s"), base);
    return found;
}

int theme_terminal_depth(void)
{
    const char *no_color = getenv("NO_COLOR");
    if (theme_color_depth(256, no_color) == 0 || !has_colors())
        return 0;
    if (start_color() == ERR)
        return 0;
    return theme_color_depth(COLORS, NULL);
}

void theme_apply(struct theme *theme, int depth)
{
    bool defaults = depth > 0 && use_default_colors() == OK;
    for (int slot = 0; slot < THEME_SLOT_COUNT; slot++) {
        struct theme_style style = theme_resolve(theme, (enum theme_slot)slot, depth);
        theme->drawn[slot] = style.attrs;
        if (depth <= 0)
            continue;
        if (!defaults) { /* the terminal cannot keep its own colours */
            style.fg = style.fg < 0 ? COLOR_WHITE : style.fg;
            style.bg = style.bg < 0 ? COLOR_BLACK : style.bg;
            if (style.fg == style.bg)
                style.fg = is_light(style.bg) ? COLOR_BLACK : COLOR_WHITE;
        }
        /* Pair 0 is the terminal's; slot n uses pair n + 1. */
        short pair = (short)(slot + 1);
        if (pair < COLOR_PAIRS && init_pair(pair, style.fg, style.bg) == OK)
            theme->drawn[slot] |= COLOR_PAIR(pair);
    }
}

attr_t theme_attr(const struct theme *theme, enum theme_slot slot)
{
    if (slot < 0 || slot >= THEME_SLOT_COUNT)
        return A_NORMAL;
    return theme->drawn[slot];
}
