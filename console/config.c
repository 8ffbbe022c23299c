/* config.c: the console's settings file and the places its other files
 * live. Each setting is checked as it is set, so a bad value in the file
 * is a FILE:LINE warning and the setting keeps its previous value. */
#include "console/config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/i18n.h"

#ifndef VIGIE_DATADIR
#define VIGIE_DATADIR "/usr/local/share/vigie"
#endif

void console_config_defaults(struct console_config *config)
{
    memset(config, 0, sizeof *config);
    config->read_only = false;
    config->bell = true;
    config->notifications = true;
    config->charset = CONSOLE_CONFIG_CHARSET_AUTO;
}

static bool fail(char *error, size_t error_size, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(char *error, size_t error_size, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(error, error_size, format, args);
    va_end(args);
    return false;
}

static bool parse_bool(const char *value, bool *out)
{
    static const char *const truths[] = {"yes", "true", "on", "1"};
    static const char *const lies[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(value, truths[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(value, lies[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool is_url(const char *url)
{
    size_t scheme = strncmp(url, "https://", 8) == 0 ? 8 : strncmp(url, "http://", 7) == 0 ? 7 : 0;
    if (scheme == 0 || url[scheme] == '\0')
        return false;
    for (const char *c = url; *c != '\0'; c++)
        if ((unsigned char)*c <= ' ' || *c == 0x7F)
            return false;
    return true;
}

static bool set_servers(struct console_config *config, const char *value, char *error,
                        size_t error_size)
{
    char servers[CONSOLE_CONFIG_SERVERS_MAX][CONSOLE_CONFIG_URL_SIZE];
    size_t count = 0;
    const char *cursor = value;
    for (;;) {
        while (*cursor == ' ' || *cursor == '\t')
            cursor++;
        size_t length = strcspn(cursor, ",");
        size_t trimmed = length;
        while (trimmed > 0 && (cursor[trimmed - 1] == ' ' || cursor[trimmed - 1] == '\t'))
            trimmed--;
        if (trimmed >= CONSOLE_CONFIG_URL_SIZE)
            return fail(error, error_size, _("a server URL is longer than %d characters"),
                        CONSOLE_CONFIG_URL_SIZE - 1);
        if (trimmed > 0) {
            if (count == CONSOLE_CONFIG_SERVERS_MAX)
                return fail(error, error_size, _("more than %d servers"),
                            CONSOLE_CONFIG_SERVERS_MAX);
            memcpy(servers[count], cursor, trimmed);
            servers[count][trimmed] = '\0';
            if (!is_url(servers[count]))
                return fail(error, error_size, _("'%s' is not an http:// or https:// URL"),
                            servers[count]);
            count++;
        }
        if (cursor[length] == '\0')
            break;
        cursor += length + 1;
    }
    if (count == 0)
        return fail(error, error_size, "%s", _("no server URL given"));
    memcpy(config->servers, servers, sizeof servers[0] * count);
    config->server_count = count;
    return true;
}

static bool set_user(struct console_config *config, const char *value, char *error,
                     size_t error_size)
{
    size_t length = strlen(value);
    if (length == 0 || length >= CONSOLE_CONFIG_USER_SIZE)
        return fail(error, error_size, _("the user name must have 1 to %d characters"),
                    CONSOLE_CONFIG_USER_SIZE - 1);
    for (size_t i = 0; i < length; i++)
        if ((unsigned char)value[i] <= ' ' || value[i] == 0x7F)
            return fail(error, error_size, "%s", _("the user name cannot hold blanks"));
    memcpy(config->user, value, length + 1);
    return true;
}

/* "~/x" is $HOME/x: settings files are shared between machines. */
static bool set_path(char out[CONSOLE_CONFIG_PATH_SIZE], const char *value, char *error,
                     size_t error_size)
{
    char path[CONSOLE_CONFIG_PATH_SIZE];
    const char *home = getenv("HOME");
    int written;
    if (strncmp(value, "~/", 2) == 0 && home != NULL && home[0] != '\0')
        written = snprintf(path, sizeof path, "%s/%s", home, value + 2);
    else
        written = snprintf(path, sizeof path, "%s", value);
    if (written < 0 || (size_t)written >= sizeof path)
        return fail(error, error_size, "%s", _("path too long"));
    memcpy(out, path, (size_t)written + 1);
    return true;
}

static bool is_theme_name(const char *name)
{
    if (name[0] == '\0' || name[0] == '.')
        return false;
    for (const char *c = name; *c != '\0'; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_' || *c == '.'))
            return false;
    return true;
}

static bool set_theme(struct console_config *config, const char *value, char *error,
                      size_t error_size)
{
    if (value[0] != '\0' && strchr(value, '/') == NULL && !is_theme_name(value))
        return fail(error, error_size,
                    _("'%s' is neither a theme name (letters, digits, - and _) nor a path"), value);
    return set_path(config->theme, value, error, error_size);
}

/* "\n" is a newline and "\\" a backslash; nothing else is escaped. */
static bool set_instructions(struct console_config *config, const char *value, char *error,
                             size_t error_size)
{
    char text[CONSOLE_CONFIG_INSTRUCTIONS_SIZE];
    size_t length = 0;
    for (const char *c = value; *c != '\0'; c++) {
        char out = *c;
        if (*c == '\\') {
            c++;
            if (*c == 'n')
                out = '\n';
            else if (*c == '\\')
                out = '\\';
            else
                return fail(error, error_size, "%s",
                            _("only \\n (new line) and \\\\ (backslash) may follow a backslash"));
        }
        if (length + 1 >= sizeof text)
            return fail(error, error_size, _("longer than %d bytes"),
                        CONSOLE_CONFIG_INSTRUCTIONS_SIZE - 1);
        text[length++] = out;
    }
    text[length] = '\0';
    memcpy(config->fallback_instructions, text, length + 1);
    return true;
}

static bool set_charset(struct console_config *config, const char *value, char *error,
                        size_t error_size)
{
    static const char *const names[] = {"auto", "unicode", "ascii"};
    for (int i = 0; i < 3; i++) {
        if (strcasecmp(value, names[i]) == 0) {
            config->charset = (enum console_config_charset)i;
            return true;
        }
    }
    return fail(error, error_size, _("'%s' is not a charset (auto, unicode or ascii)"), value);
}

static bool set_flag(bool *flag, const char *value, char *error, size_t error_size)
{
    if (parse_bool(value, flag))
        return true;
    return fail(error, error_size, _("'%s' is not yes or no"), value);
}

bool console_config_set(struct console_config *config, const char *key, const char *value,
                        char *error, size_t error_size)
{
    if (strcmp(key, "server") == 0)
        return set_servers(config, value, error, error_size);
    if (strcmp(key, "user") == 0)
        return set_user(config, value, error, error_size);
    if (strcmp(key, "theme") == 0)
        return set_theme(config, value, error, error_size);
    if (strcmp(key, "keys") == 0)
        return set_path(config->keys, value, error, error_size);
    if (strcmp(key, "read-only") == 0)
        return set_flag(&config->read_only, value, error, error_size);
    if (strcmp(key, "fallback-instructions") == 0)
        return set_instructions(config, value, error, error_size);
    if (strcmp(key, "bell") == 0)
        return set_flag(&config->bell, value, error, error_size);
    if (strcmp(key, "notifications") == 0)
        return set_flag(&config->notifications, value, error, error_size);
    if (strcmp(key, "charset") == 0)
        return set_charset(config, value, error, error_size);
    if (strcmp(key, "password") == 0 || strcmp(key, "token") == 0)
        return fail(error, error_size,
                    _("'%s' is never read from a file: the console asks for the password, "
                      "or takes VIGIE_TOKEN"),
                    key);
    return fail(error, error_size, _("unknown setting '%s'"), key);
}

static char *trim(char *text)
{
    while (*text == ' ' || *text == '\t')
        text++;
    char *end = text + strlen(text);
    while (end > text && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    return text;
}

size_t console_config_parse(struct console_config *config, const char *text, const char *file,
                            struct config_file_warnings *warnings)
{
    size_t skipped = 0;
    struct config_file_lines lines;
    struct config_file_line line;
    config_file_lines_init(&lines, text, file);
    while (config_file_lines_next(&lines, &line, warnings)) {
        if (config_file_line_is_blank(line.text))
            continue;
        char *equals = strchr(line.text, '=');
        if (equals == NULL) {
            config_file_warn(warnings, file, line.number, "%s",
                             _("expected 'setting = value'; line skipped"));
            skipped++;
            continue;
        }
        *equals = '\0';
        char *key = trim(line.text);
        char *value = trim(equals + 1);
        size_t length = strlen(value);
        if (length >= 2 && value[0] == '"' && value[length - 1] == '"') {
            value[length - 1] = '\0'; /* quotes keep blanks at either end */
            value++;
        }
        char error[CONFIG_FILE_WARNING_SIZE / 2];
        if (!console_config_set(config, key, value, error, sizeof error)) {
            config_file_warn(warnings, file, line.number, _("%s; line skipped"), error);
            skipped++;
        }
    }
    return skipped + lines.skipped;
}

enum config_file_status console_config_load(struct console_config *config, const char *path,
                                            struct config_file_warnings *warnings)
{
    char *text;
    enum config_file_status status = config_file_read(path, &text, warnings);
    if (status == CONFIG_FILE_READ) {
        console_config_parse(config, text, path, warnings);
        free(text);
    }
    return status;
}

/* Whether snprintf's result fitted in a path buffer. */
static bool fits(int written)
{
    return written >= 0 && written < CONSOLE_CONFIG_PATH_SIZE;
}

bool console_config_user_path(const char *leaf, char out[CONSOLE_CONFIG_PATH_SIZE])
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg != NULL && xdg[0] == '/')
        return fits(snprintf(out, CONSOLE_CONFIG_PATH_SIZE, "%s/vigie/%s", xdg, leaf));
    const char *home = getenv("HOME");
    if (home != NULL && home[0] != '\0')
        return fits(snprintf(out, CONSOLE_CONFIG_PATH_SIZE, "%s/.config/vigie/%s", home, leaf));
    return false;
}

bool console_config_file_path(char out[CONSOLE_CONFIG_PATH_SIZE])
{
    const char *override = getenv("VIGIE_CONFIG");
    if (override != NULL && override[0] != '\0')
        return fits(snprintf(out, CONSOLE_CONFIG_PATH_SIZE, "%s", override));
    return console_config_user_path("config", out);
}

bool console_config_keys_path(const struct console_config *config,
                              char out[CONSOLE_CONFIG_PATH_SIZE])
{
    if (config->keys[0] != '\0')
        return fits(snprintf(out, CONSOLE_CONFIG_PATH_SIZE, "%s", config->keys));
    return console_config_user_path("keys", out);
}

bool console_config_find_theme(const char *name, char out[CONSOLE_CONFIG_PATH_SIZE])
{
    if (strchr(name, '/') != NULL)
        return fits(snprintf(out, CONSOLE_CONFIG_PATH_SIZE, "%s", name)) && access(out, R_OK) == 0;
    if (!is_theme_name(name))
        return false;
    char leaf[CONSOLE_CONFIG_PATH_SIZE];
    if (!fits(snprintf(leaf, sizeof leaf, "themes/%s.theme", name)))
        return false;
    if (console_config_user_path(leaf, out) && access(out, R_OK) == 0)
        return true;
    /* VIGIE_DATADIR in the environment runs an uninstalled console. */
    const char *datadir = getenv("VIGIE_DATADIR");
    if (datadir == NULL || datadir[0] == '\0')
        datadir = VIGIE_DATADIR;
    return fits(snprintf(out, CONSOLE_CONFIG_PATH_SIZE, "%s/%s", datadir, leaf)) &&
           access(out, R_OK) == 0;
}
