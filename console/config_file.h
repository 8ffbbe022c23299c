/* config_file.h: what the console's settings files share: reading a whole
 * file with a size bound, walking it line by line with line numbers, and
 * collecting warnings as "FILE:LINE: message". A bad line is reported and
 * skipped; nothing in a settings file can stop the console from starting. */
#ifndef VIGIE_CONFIG_FILE_H
#define VIGIE_CONFIG_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* Settings files are written by hand: 256 KiB is far beyond any real one,
 * and refusing more catches a path that points at a binary or a log. */
#define CONFIG_FILE_MAX (256 * 1024)
/* Longest line of a settings file, newline excluded (a long
 * fallback-instructions value fits comfortably). */
#define CONFIG_FILE_LINE_MAX 2048
/* Warnings kept for the operator: a screenful. Later ones are counted. */
#define CONFIG_FILE_WARNINGS_MAX 32
/* One warning: a path, a line number and a sentence. */
#define CONFIG_FILE_WARNING_SIZE 512

struct config_file_warnings {
    size_t count;   /* entries in text[] */
    size_t dropped; /* warnings beyond CONFIG_FILE_WARNINGS_MAX, counted only */
    char text[CONFIG_FILE_WARNINGS_MAX][CONFIG_FILE_WARNING_SIZE];
};

enum config_file_status {
    CONFIG_FILE_READ,    /* the text was read */
    CONFIG_FILE_MISSING, /* no such file: the defaults apply, no warning */
    CONFIG_FILE_ERROR,   /* unreadable, not a regular file or too big: warned */
};

/* One line handed out by config_file_lines_next: NUL-terminated, without its
 * newline, and numbered from 1 as an editor does. */
struct config_file_line {
    char text[CONFIG_FILE_LINE_MAX + 1];
    int number;
};

struct config_file_lines {
    const char *next; /* start of the next line in the text */
    const char *file; /* label used in warnings */
    int number;
    size_t skipped; /* over-long lines, warned and skipped */
};

void config_file_warnings_init(struct config_file_warnings *warnings);
/* Records "FILE:LINE: message" ("FILE: message" when line is 0). */
void config_file_warn(struct config_file_warnings *warnings, const char *file, int line,
                      const char *format, ...) __attribute__((format(printf, 4, 5)));
size_t config_file_warnings_total(const struct config_file_warnings *warnings);

/* Reads the file at path into a new NUL-terminated buffer (*text, freed by
 * the caller) when it returns CONFIG_FILE_READ; warns on CONFIG_FILE_ERROR. */
enum config_file_status config_file_read(const char *path, char **text,
                                         struct config_file_warnings *warnings);

void config_file_lines_init(struct config_file_lines *lines, const char *text, const char *file);
/* Fills line with the next line; false at the end of the text. A line
 * longer than CONFIG_FILE_LINE_MAX is warned about and skipped. */
bool config_file_lines_next(struct config_file_lines *lines, struct config_file_line *line,
                            struct config_file_warnings *warnings);

/* Splits line in place into at most max words separated by blanks; the
 * last word receives the rest of the line unsplit, as Python's
 * split(maxsplit) does, so the caller can see a trailing "# comment" or
 * stray text. Returns the number of words. */
int config_file_split_words(char *line, char *words[], int max);

/* True for a line that is empty, blank or a '#' comment. */
bool config_file_line_is_blank(const char *text);

#endif
