/* config_file.c: reading settings files for the keymap, theme and config
 * parsers. Every problem becomes a warning naming the file and the line;
 * the caller goes on with what it could read. */
#include "console/config_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/i18n.h"

void config_file_warnings_init(struct config_file_warnings *warnings)
{
    warnings->count = 0;
    warnings->dropped = 0;
}

void config_file_warn(struct config_file_warnings *warnings, const char *file, int line,
                      const char *format, ...)
{
    if (warnings == NULL)
        return;
    if (warnings->count == CONFIG_FILE_WARNINGS_MAX) {
        warnings->dropped++;
        return;
    }
    /* Long paths or messages are cut: a warning is for a person to read. */
    char *out = warnings->text[warnings->count++];
    int prefix = line > 0 ? snprintf(out, CONFIG_FILE_WARNING_SIZE, "%s:%d: ", file, line)
                          : snprintf(out, CONFIG_FILE_WARNING_SIZE, "%s: ", file);
    if (prefix < 0)
        prefix = 0;
    if (prefix >= CONFIG_FILE_WARNING_SIZE)
        prefix = CONFIG_FILE_WARNING_SIZE - 1;
    va_list args;
    va_start(args, format);
    vsnprintf(out + prefix, CONFIG_FILE_WARNING_SIZE - (size_t)prefix, format, args);
    va_end(args);
}

size_t config_file_warnings_total(const struct config_file_warnings *warnings)
{
    return warnings->count + warnings->dropped;
}

static enum config_file_status read_open_file(FILE *stream, const char *path, char **text,
                                              struct config_file_warnings *warnings)
{
    struct stat info;
    if (fstat(fileno(stream), &info) != 0 || !S_ISREG(info.st_mode)) {
        config_file_warn(warnings, path, 0, "%s", _("not a regular file; ignored"));
        return CONFIG_FILE_ERROR;
    }
    if (info.st_size > CONFIG_FILE_MAX) {
        config_file_warn(warnings, path, 0, _("larger than %d bytes; ignored"), CONFIG_FILE_MAX);
        return CONFIG_FILE_ERROR;
    }
    char *buffer = malloc((size_t)info.st_size + 1);
    if (buffer == NULL) {
        config_file_warn(warnings, path, 0, "%s", _("out of memory; ignored"));
        return CONFIG_FILE_ERROR;
    }
    /* Read one byte more than the size to notice a file that grew. */
    size_t length = fread(buffer, 1, (size_t)info.st_size + 1, stream);
    if (ferror(stream) || length > (size_t)info.st_size) {
        config_file_warn(warnings, path, 0, "%s", _("could not be read whole; ignored"));
        free(buffer);
        return CONFIG_FILE_ERROR;
    }
    if (memchr(buffer, '\0', length) != NULL) {
        config_file_warn(warnings, path, 0, "%s",
                         _("contains a NUL byte (not a text file); ignored"));
        free(buffer);
        return CONFIG_FILE_ERROR;
    }
    buffer[length] = '\0';
    *text = buffer;
    return CONFIG_FILE_READ;
}

enum config_file_status config_file_read(const char *path, char **text,
                                         struct config_file_warnings *warnings)
{
    *text = NULL;
    FILE *stream = fopen(path, "r");
    if (stream == NULL) {
        if (errno == ENOENT || errno == ENOTDIR)
            return CONFIG_FILE_MISSING;
        config_file_warn(warnings, path, 0, _("cannot be opened: %s; ignored"), strerror(errno));
        return CONFIG_FILE_ERROR;
    }
    enum config_file_status status = read_open_file(stream, path, text, warnings);
    fclose(stream);
    return status;
}

void config_file_lines_init(struct config_file_lines *lines, const char *text, const char *file)
{
    lines->next = text;
    lines->file = file;
    lines->number = 0;
    lines->skipped = 0;
}

bool config_file_lines_next(struct config_file_lines *lines, struct config_file_line *line,
                            struct config_file_warnings *warnings)
{
    while (lines->next != NULL && *lines->next != '\0') {
        const char *start = lines->next;
        const char *end = strchr(start, '\n');
        size_t length = end != NULL ? (size_t)(end - start) : strlen(start);
        lines->next = end != NULL ? end + 1 : start + length;
        lines->number++;
        if (length > 0 && start[length - 1] == '\r')
            length--; /* a file saved on Windows */
        if (length > CONFIG_FILE_LINE_MAX) {
            config_file_warn(warnings, lines->file, lines->number,
                             _("line longer than %d characters; skipped"), CONFIG_FILE_LINE_MAX);
            lines->skipped++;
            continue;
        }
        memcpy(line->text, start, length);
        line->text[length] = '\0';
        line->number = lines->number;
        return true;
    }
    return false;
}

static bool is_blank_char(char c)
{
    return c == ' ' || c == '\t';
}

int config_file_split_words(char *line, char *words[], int max)
{
    int count = 0;
    char *cursor = line;
    while (count < max) {
        while (is_blank_char(*cursor))
            cursor++;
        if (*cursor == '\0')
            break;
        words[count++] = cursor;
        if (count == max) {
            /* The last word keeps the rest of the line, trailing blanks cut. */
            char *end = cursor + strlen(cursor);
            while (end > cursor && is_blank_char(end[-1]))
                *--end = '\0';
            break;
        }
        while (*cursor != '\0' && !is_blank_char(*cursor))
            cursor++;
        if (*cursor != '\0')
            *cursor++ = '\0';
    }
    return count;
}

bool config_file_line_is_blank(const char *text)
{
    while (is_blank_char(*text))
        text++;
    return *text == '\0' || *text == '#';
}
