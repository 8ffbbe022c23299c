/* event_codes.c: the event data file, read once at start-up into a sorted
 * table, and the lookup the ingest does for every event. A bad file is
 * refused whole, with the file and line of its first fault, so that a
 * centre never runs on half a table. */
#include "server/event_codes.h"
#include "common/data_path.h"
#include "common/i18n.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A composed label is one form of a cell plus a suffix such as
 * " — toujours présent". */
_Static_assert(EVENT_LABEL_MAX + 32 <= ALARM_LABEL_MAX, "composed labels must fit an alarm");

enum { COLUMN_COUNT = 7 };

static const char *const column_names[COLUMN_COUNT] = {
    "format", "code", "class", "priority", "disposition", "label_en", "label_fr",
};

static const char *const format_names[] = {
    [EVENT_FORMAT_CID] = "CID",
    [EVENT_FORMAT_SIA] = "SIA",
};

static const char *const disposition_names[] = {
    [EVENT_DISPOSITION_ALARM] = "alarm", [EVENT_DISPOSITION_RESTORE] = "restore",
    [EVENT_DISPOSITION_TEST] = "test",   [EVENT_DISPOSITION_OPEN] = "open",
    [EVENT_DISPOSITION_CLOSE] = "close", [EVENT_DISPOSITION_INFO] = "info",
};

const char *event_format_name(enum event_format format)
{
    return format_names[format];
}

bool event_format_parse(const char *text, enum event_format *out)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++) {
        if (strcmp(text, format_names[i]) == 0) {
            *out = (enum event_format)i;
            return true;
        }
    }
    return false;
}

const char *event_disposition_name(enum event_disposition disposition)
{
    return disposition_names[disposition];
}

bool event_disposition_parse(const char *text, enum event_disposition *out)
{
    for (size_t i = 0; i < sizeof disposition_names / sizeof disposition_names[0]; i++) {
        if (strcmp(text, disposition_names[i]) == 0) {
            *out = (enum event_disposition)i;
            return true;
        }
    }
    return false;
}

bool event_disposition_needs_operator(enum event_disposition disposition)
{
    return disposition == EVENT_DISPOSITION_ALARM;
}

/* ---- Loading ---- */

struct loader {
    const char *path;
    unsigned line;
    char *error;
    size_t error_size;
};

__attribute__((format(printf, 2, 3))) static bool fail(struct loader *loader, const char *format,
                                                       ...)
{
    int used = snprintf(loader->error, loader->error_size, "%s:%u: ", loader->path, loader->line);
    if (used < 0 || (size_t)used >= loader->error_size)
        return false;
    va_list args;
    va_start(args, format);
    vsnprintf(loader->error + used, loader->error_size - (size_t)used, format, args);
    va_end(args);
    return false;
}

enum line_status { LINE_OK, LINE_END, LINE_TOO_LONG, LINE_NUL, LINE_READ_ERROR };

/* One line without its end ("\n" or "\r\n"), read byte by byte so that a
 * NUL or an overlong line is seen rather than silently cut. */
static enum line_status read_line(FILE *file, char *buffer, size_t size)
{
    size_t length = 0;
    int c;
    while ((c = getc(file)) != EOF && c != '\n') {
        if (c == '\0')
            return LINE_NUL;
        if (length + 1 >= size)
            return LINE_TOO_LONG;
        buffer[length++] = (char)c;
    }
    if (c == EOF && ferror(file))
        return LINE_READ_ERROR;
    if (c == EOF && length == 0)
        return LINE_END;
    if (length > 0 && buffer[length - 1] == '\r')
        length--;
    buffer[length] = '\0';
    return LINE_OK;
}

static size_t split_cells(char *line, char **cells, size_t max)
{
    size_t count = 0;
    char *cursor = line;
    for (;;) {
        if (count < max)
            cells[count] = cursor;
        count++;
        char *tab = strchr(cursor, '\t');
        if (!tab)
            return count;
        *tab = '\0';
        cursor = tab + 1;
    }
}

static bool all_of(const char *text, size_t length, int low, int high)
{
    if (strlen(text) != length)
        return false;
    for (size_t i = 0; i < length; i++)
        if (text[i] < low || text[i] > high)
            return false;
    return true;
}

static bool parse_code(struct loader *loader, enum event_format format, const char *cell,
                       struct event_code_row *row)
{
    bool valid = format == EVENT_FORMAT_CID ? all_of(cell, 3, '0', '9') : all_of(cell, 2, 'A', 'Z');
    if (!valid)
        return fail(loader,
                    format == EVENT_FORMAT_CID ? _("a Contact ID code is 3 digits, not \"%s\"")
                                               : _("an SIA code is 2 capital letters, not \"%s\""),
                    cell);
    memcpy(row->code, cell, strlen(cell) + 1);
    return true;
}

/* Well-formed UTF-8 without control characters. */
static bool text_is_clean(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        int extra = *p < 0x80             ? 0
                    : (*p & 0xE0) == 0xC0 ? 1
                    : (*p & 0xF0) == 0xE0 ? 2
                    : (*p & 0xF8) == 0xF0 ? 3
                                          : -1;
        if (extra < 0 || *p < 0x20 || *p == 0x7F || (*p >= 0xC0 && *p < 0xC2))
            return false;
        p++;
        for (int i = 0; i < extra; i++, p++)
            if ((*p & 0xC0) != 0x80)
                return false;
    }
    return true;
}

static bool parse_label(struct loader *loader, enum event_format format, const char *column,
                        const char *cell, char *out)
{
    size_t length = strlen(cell);
    if (length == 0)
        return fail(loader, _("%s is empty"), column);
    if (length >= EVENT_LABEL_MAX)
        return fail(loader, _("%s is longer than %d bytes"), column, EVENT_LABEL_MAX - 1);
    if (!text_is_clean(cell))
        return fail(loader, _("%s is not clean UTF-8 text"), column);
    const char *bar = strchr(cell, '|');
    if (bar && format == EVENT_FORMAT_SIA)
        return fail(loader, _("%s: only Contact ID labels have two forms (\"a|b\")"), column);
    if (bar && (bar == cell || bar[1] == '\0' || strchr(bar + 1, '|')))
        return fail(loader, _("%s: two forms are written \"for qualifier 1|for qualifier 3\""),
                    column);
    memcpy(out, cell, length + 1);
    return true;
}

static bool parse_row(struct loader *loader, char **cells, struct event_code_row *row)
{
    memset(row, 0, sizeof *row);
    row->line = loader->line;
    if (!event_format_parse(cells[0], &row->format))
        return fail(loader, _("format must be CID or SIA, not \"%s\""), cells[0]);
    if (!parse_code(loader, row->format, cells[1], row))
        return false;
    if (!alarm_class_is_known(cells[2]))
        return fail(loader, _("unknown alarm class \"%s\""), cells[2]);
    snprintf(row->class_name, sizeof row->class_name, "%s", cells[2]);
    if (!all_of(cells[3], 1, '1', '5'))
        return fail(loader, _("priority must be 1 to 5, not \"%s\""), cells[3]);
    row->priority = cells[3][0] - '0';
    if (!event_disposition_parse(cells[4], &row->disposition))
        return fail(loader,
                    _("disposition must be alarm, restore, test, open, close or info, not \"%s\""),
                    cells[4]);
    return parse_label(loader, row->format, column_names[5], cells[5], row->label_en) &&
           parse_label(loader, row->format, column_names[6], cells[6], row->label_fr);
}

static bool header_is_valid(char **cells, size_t count)
{
    if (count != COLUMN_COUNT)
        return false;
    for (size_t i = 0; i < COLUMN_COUNT; i++)
        if (strcmp(cells[i], column_names[i]) != 0)
            return false;
    return true;
}

static bool append_row(struct loader *loader, struct event_code_table *table, size_t *capacity,
                       const struct event_code_row *row)
{
    if (table->count == EVENT_CODES_ROWS_MAX)
        return fail(loader, _("more than %d event codes"), EVENT_CODES_ROWS_MAX);
    if (table->count == *capacity) {
        size_t grown = *capacity ? *capacity * 2 : 256;
        if (grown > EVENT_CODES_ROWS_MAX)
            grown = EVENT_CODES_ROWS_MAX;
        struct event_code_row *rows = realloc(table->rows, grown * sizeof *rows);
        if (!rows)
            return fail(loader, _("out of memory"));
        table->rows = rows;
        *capacity = grown;
    }
    table->rows[table->count++] = *row;
    return true;
}

/* Handles one line; `seen_header` tells whether the column line was met. */
static bool load_line(struct loader *loader, char *line, bool *seen_header,
                      struct event_code_table *table, size_t *capacity)
{
    if (loader->line == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0)
        memmove(line, line + 3, strlen(line + 3) + 1); /* a byte-order mark */
    if (line[0] == '\0' || line[0] == '#')
        return true;
    char *cells[COLUMN_COUNT];
    size_t count = split_cells(line, cells, COLUMN_COUNT);
    if (!*seen_header) {
        if (!header_is_valid(cells, count))
            return fail(loader, _("the first line must name the columns: format, code, class, "
                                  "priority, disposition, label_en, label_fr (tab-separated)"));
        *seen_header = true;
        return true;
    }
    if (count != COLUMN_COUNT)
        return fail(loader, _("expected %d tab-separated columns, found %zu"), COLUMN_COUNT, count);
    struct event_code_row row;
    return parse_row(loader, cells, &row) && append_row(loader, table, capacity, &row);
}

static int compare_key(enum event_format format, const char *code, const struct event_code_row *row)
{
    if (format != row->format)
        return format < row->format ? -1 : 1;
    return strcmp(code, row->code);
}

static int compare_rows(const void *a, const void *b)
{
    const struct event_code_row *left = a, *right = b;
    int order = compare_key(left->format, left->code, right);
    if (order != 0)
        return order;
    return left->line < right->line ? -1 : left->line > right->line;
}

static bool sort_and_check(struct loader *loader, struct event_code_table *table)
{
    if (table->count == 0)
        return fail(loader, _("no event codes in the file"));
    qsort(table->rows, table->count, sizeof table->rows[0], compare_rows);
    for (size_t i = 1; i < table->count; i++) {
        const struct event_code_row *first = &table->rows[i - 1], *again = &table->rows[i];
        if (compare_key(first->format, first->code, again) == 0) {
            loader->line = again->line;
            return fail(loader, _("%s %s is already on line %u"), event_format_name(again->format),
                        again->code, first->line);
        }
    }
    return true;
}

static bool load_stream(struct loader *loader, FILE *file, struct event_code_table *table)
{
    char line[EVENT_CODES_LINE_MAX + 2]; /* room for "\r" and the NUL */
    bool seen_header = false;
    size_t capacity = 0;
    for (;;) {
        loader->line++;
        switch (read_line(file, line, sizeof line)) {
        case LINE_OK:
            if (!load_line(loader, line, &seen_header, table, &capacity))
                return false;
            continue;
        case LINE_TOO_LONG:
            return fail(loader, _("line longer than %d bytes"), EVENT_CODES_LINE_MAX);
        case LINE_NUL:
            return fail(loader, _("NUL byte in the line"));
        case LINE_READ_ERROR:
            return fail(loader, _("read error: %s"), strerror(errno));
        case LINE_END:
            break;
        }
        break;
    }
    if (!seen_header)
        return fail(loader, _("no column line: is this an event file?"));
    return sort_and_check(loader, table);
}

bool event_codes_load(const char *path, struct event_code_table *table, char *error,
                      size_t error_size)
{
    memset(table, 0, sizeof *table);
    struct loader loader = {.path = path, .line = 0, .error = error, .error_size = error_size};
    FILE *file = fopen(path, "r");
    if (!file) {
        snprintf(error, error_size, _("%s: cannot open the event file: %s"), path, strerror(errno));
        return false;
    }
    bool ok = load_stream(&loader, file, table);
    fclose(file);
    if (!ok)
        event_codes_free(table);
    return ok;
}

void event_codes_free(struct event_code_table *table)
{
    free(table->rows);
    table->rows = NULL;
    table->count = 0;
}

/* ---- Lookup ---- */

static const struct event_code_row *find_row(const struct event_code_table *table,
                                             enum event_format format, const char *code)
{
    if (!table || !code)
        return NULL;
    size_t low = 0, high = table->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        int order = compare_key(format, code, &table->rows[middle]);
        if (order == 0)
            return &table->rows[middle];
        if (order < 0)
            high = middle;
        else
            low = middle + 1;
    }
    return NULL;
}

/* Form 0 or 1 of a "first|second" cell; a cell with one form is both. */
static void label_form(const char *cell, int form, const char *suffix, char *out, size_t size)
{
    const char *bar = strchr(cell, '|');
    const char *start = cell;
    size_t length = strlen(cell);
    if (bar && form == 0)
        length = (size_t)(bar - cell);
    else if (bar) {
        start = bar + 1;
        length = strlen(start);
    }
    snprintf(out, size, "%.*s%s", (int)length, start, suffix);
}

static bool has_two_forms(const char *cell)
{
    return strchr(cell, '|') != NULL;
}

/* Labels are data in a fixed language, so the suffixes are not passed
 * through gettext: the English label stays English in a French session. */
static void apply_cid_qualifier(const struct event_code_row *row, int qualifier,
                                struct event_code_result *result)
{
    enum event_disposition base = row->disposition;
    bool open_close = base == EVENT_DISPOSITION_OPEN || base == EVENT_DISPOSITION_CLOSE;
    const char *suffix_en = "", *suffix_fr = "";
    int form = 0;
    if (qualifier == CONTACT_ID_QUALIFIER_STATUS) {
        bool condition = base == EVENT_DISPOSITION_ALARM;
        result->disposition = EVENT_DISPOSITION_INFO;
        suffix_en = condition ? " — still present" : " — status report";
        suffix_fr = condition ? " — toujours présent" : " — rapport d'état";
    } else if (qualifier == CONTACT_ID_QUALIFIER_RESTORE) {
        form = 1;
        if (open_close)
            result->disposition = EVENT_DISPOSITION_CLOSE;
        else if (base == EVENT_DISPOSITION_ALARM && strcmp(row->class_name, "open-close") != 0) {
            result->disposition = EVENT_DISPOSITION_RESTORE;
            if (!has_two_forms(row->label_en)) {
                suffix_en = " — restore";
                suffix_fr = " — rétablissement";
            }
        }
    } else if (open_close) {
        result->disposition = EVENT_DISPOSITION_OPEN;
    }
    label_form(row->label_en, form, suffix_en, result->label_en, sizeof result->label_en);
    label_form(row->label_fr, form, suffix_fr, result->label_fr, sizeof result->label_fr);
}

/* The code as it may be shown: printable ASCII, a few characters. */
static void printable_code(const char *code, char *out, size_t size)
{
    size_t used = 0;
    for (const char *p = code ? code : ""; *p && used + 1 < size && used < 8; p++)
        out[used++] = *p > 0x20 && *p < 0x7F ? *p : '?';
    if (used == 0 && size > 1)
        out[used++] = '?';
    out[used] = '\0';
}

static void unknown_result(const char *code, struct event_code_result *result)
{
    char shown[16];
    printable_code(code, shown, sizeof shown);
    result->known = false;
    snprintf(result->class_name, sizeof result->class_name, "unknown");
    result->priority = EVENT_UNKNOWN_PRIORITY;
    result->disposition = EVENT_DISPOSITION_ALARM;
    snprintf(result->label_en, sizeof result->label_en, "Unknown event %s", shown);
    snprintf(result->label_fr, sizeof result->label_fr, "Événement inconnu %s", shown);
}

void event_codes_lookup(const struct event_code_table *table, enum event_format format,
                        const char *code, int qualifier, struct event_code_result *result)
{
    memset(result, 0, sizeof *result);
    const struct event_code_row *row = find_row(table, format, code);
    if (!row) {
        unknown_result(code, result);
        return;
    }
    result->known = true;
    snprintf(result->class_name, sizeof result->class_name, "%s", row->class_name);
    result->priority = row->priority;
    result->disposition = row->disposition;
    if (format == EVENT_FORMAT_CID) {
        apply_cid_qualifier(row, qualifier, result);
        return;
    }
    snprintf(result->label_en, sizeof result->label_en, "%s", row->label_en);
    snprintf(result->label_fr, sizeof result->label_fr, "%s", row->label_fr);
}

const char *event_codes_default_path(void)
{
    static char path[4096];
    return data_path_find("events.tsv", "VIGIE_EVENTS_FILE", path, sizeof path);
}
