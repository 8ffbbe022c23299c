/* agents_csv.c: the agents' registry file, read with libcsv and checked
 * line by line. Nothing here touches the store. */
#include "server/agents_csv.h"
#include "server/schedule.h"
#include "common/i18n.h"

#include <csv.h>
#include <openssl/evp.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum column {
    COL_AGENT_ID,
    COL_NAME,
    COL_SITE_ID,
    COL_SITE_NAME,
    COL_SITE_VALIDATED,
    COL_LAT,
    COL_LON,
    COL_PHONE,
    COL_EMAIL,
    COL_VETTED,
    COL_DUTY,
    COL_TZ, /* optional */
    COL_COUNT
};
static const char *const column_names[COL_COUNT] = {
    "agent_id", "name",  "site_id", "site_name", "site_validated", "lat",
    "lon",      "phone", "email",   "vetted",    "duty",           "tz",
};
/* A field longer than this is refused before any other check. */
#define FIELD_MAX 1024

struct reader {
    struct agents_csv *out;
    const char *region;
    long line;     /* the line being fed */
    long newlines; /* inside the current record's quoted fields */
    char fields[COL_COUNT][FIELD_MAX];
    size_t field_count; /* of the current record */
    bool field_too_long;
    bool header_seen;
    size_t columns; /* 11 or 12, from the header */
    bool failed;    /* out of memory */
    size_t capacity;
};

static void problem(struct reader *reader, long line, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(struct reader *reader, long line, const char *format, ...)
{
    struct agents_csv *out = reader->out;
    out->problems_total++;
    if (out->problem_count == AGENTS_CSV_PROBLEMS_MAX)
        return;
    struct agents_csv_problem *p = &out->problems[out->problem_count++];
    p->line = line;
    va_list args;
    va_start(args, format);
    vsnprintf(p->message, sizeof p->message, format, args);
    va_end(args);
}

static void on_field(void *data, size_t length, void *closure)
{
    struct reader *reader = closure;
    for (size_t i = 0; i < length; i++)
        reader->newlines += ((const char *)data)[i] == '\n';
    if (reader->field_count < COL_COUNT) {
        if (length >= FIELD_MAX) {
            reader->field_too_long = true;
            length = 0;
        }
        memcpy(reader->fields[reader->field_count], data, length);
        reader->fields[reader->field_count][length] = '\0';
    }
    reader->field_count++;
}

static bool yes_no(const char *text, bool *out)
{
    if (strcasecmp(text, "yes") == 0)
        return (*out = true);
    if (strcasecmp(text, "no") == 0)
        return !(*out = false);
    return false;
}

static bool coordinate(const char *text, double limit, double *out)
{
    char *end = NULL;
    errno = 0;
    *out = strtod(text, &end);
    return text[0] && end && *end == '\0' && errno == 0 && *out >= -limit && *out <= limit;
}

/* Printable text without control characters, at most size - 1 bytes. */
static bool text_field(const char *text, size_t size)
{
    size_t length = strlen(text);
    if (length == 0 || length >= size)
        return false;
    for (size_t i = 0; i < length; i++)
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
            return false;
    return true;
}

/* A plausible address (the SMTP server has the last word): one '@', a
 * local part, a dotted domain, no spaces. */
static bool email_valid(const char *text)
{
    const char *at = strchr(text, '@');
    size_t length = strlen(text);
    if (!at || at == text || strchr(at + 1, '@') || length > AGENTS_CSV_EMAIL_MAX)
        return false;
    const char *dot = strrchr(at, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0')
        return false;
    for (size_t i = 0; i < length; i++)
        if (isspace((unsigned char)text[i]) || (unsigned char)text[i] < 0x20)
            return false;
    return true;
}

/* Copies a field already checked to fit (snprintf would warn of truncation). */
static void copy_field(char *dest, size_t size, const char *src)
{
    size_t length = strnlen(src, size - 1);
    memcpy(dest, src, length);
    dest[length] = '\0';
}

static bool header_matches(struct reader *reader)
{
    if (reader->field_count != COL_COUNT && reader->field_count != COL_COUNT - 1)
        return false;
    for (size_t i = 0; i < reader->field_count; i++)
        if (strcmp(reader->fields[i], column_names[i]) != 0)
            return false;
    reader->columns = reader->field_count;
    return true;
}

/* The text fields, identifiers first: false after reporting the first bad one. */
static bool check_texts(struct reader *reader, long line, struct agent_record *r)
{
    const char(*f)[FIELD_MAX] = reader->fields;
    if (!text_field(f[COL_AGENT_ID], sizeof r->agent_id)) {
        problem(reader, line, _("agent_id is empty or too long"));
        return false;
    }
    if (!text_field(f[COL_NAME], sizeof r->name)) {
        problem(reader, line, _("agent %s: name is empty or too long"), f[COL_AGENT_ID]);
        return false;
    }
    if (!text_field(f[COL_SITE_ID], sizeof r->site_id) ||
        !text_field(f[COL_SITE_NAME], sizeof r->site_name)) {
        problem(reader, line, _("agent %s: site_id and site_name are both needed"),
                f[COL_AGENT_ID]);
        return false;
    }
    copy_field(r->agent_id, sizeof r->agent_id, f[COL_AGENT_ID]);
    copy_field(r->name, sizeof r->name, f[COL_NAME]);
    copy_field(r->site_id, sizeof r->site_id, f[COL_SITE_ID]);
    copy_field(r->site_name, sizeof r->site_name, f[COL_SITE_NAME]);
    return true;
}

static bool check_contact(struct reader *reader, long line, struct agent_record *r)
{
    const char(*f)[FIELD_MAX] = reader->fields;
    char why[128];
    if (f[COL_PHONE][0] && !phone_number_normalise(f[COL_PHONE], reader->region, r->phone,
                                                   &r->phone_kind, why, sizeof why)) {
        problem(reader, line, _("agent %s: phone \"%s\": %s"), r->agent_id, f[COL_PHONE], why);
        return false;
    }
    if (f[COL_EMAIL][0] && !email_valid(f[COL_EMAIL])) {
        problem(reader, line, _("agent %s: \"%s\" is not an e-mail address"), r->agent_id,
                f[COL_EMAIL]);
        return false;
    }
    copy_field(r->email, sizeof r->email, f[COL_EMAIL]);
    return true;
}

static bool check_rest(struct reader *reader, long line, struct agent_record *r)
{
    const char(*f)[FIELD_MAX] = reader->fields;
    if (!yes_no(f[COL_SITE_VALIDATED], &r->site_validated) || !yes_no(f[COL_VETTED], &r->vetted)) {
        problem(reader, line, _("agent %s: site_validated and vetted are \"yes\" or \"no\""),
                r->agent_id);
        return false;
    }
    if (!coordinate(f[COL_LAT], 90, &r->lat) || !coordinate(f[COL_LON], 180, &r->lon)) {
        problem(reader, line, _("agent %s: lat and lon are decimal degrees (\"%s\", \"%s\")"),
                r->agent_id, f[COL_LAT], f[COL_LON]);
        return false;
    }
    struct schedule schedule;
    char why[SCHEDULE_ERROR_MAX];
    const char *duty = f[COL_DUTY][0] ? f[COL_DUTY] : "24/7";
    if (!schedule_parse(duty, &schedule, why, sizeof why)) {
        problem(reader, line, _("agent %s: duty \"%s\": %s"), r->agent_id, duty, why);
        return false;
    }
    schedule_format(&schedule, r->duty, sizeof r->duty);
    if (reader->columns == COL_COUNT && f[COL_TZ][0]) {
        int weekday, minute;
        if (!text_field(f[COL_TZ], sizeof r->tz) ||
            !schedule_local_time(f[COL_TZ], 0, &weekday, &minute, why, sizeof why)) {
            problem(reader, line, _("agent %s: tz \"%s\" is not a time zone"), r->agent_id,
                    f[COL_TZ]);
            return false;
        }
        copy_field(r->tz, sizeof r->tz, f[COL_TZ]);
    }
    return true;
}

static bool append_record(struct reader *reader, const struct agent_record *record)
{
    struct agents_csv *out = reader->out;
    if (out->count == reader->capacity) {
        size_t capacity = reader->capacity ? reader->capacity * 2 : 256;
        struct agent_record *grown = realloc(out->records, capacity * sizeof *grown);
        if (!grown)
            return false;
        out->records = grown;
        reader->capacity = capacity;
    }
    out->records[out->count++] = *record;
    return true;
}

static void on_record(int terminator, void *closure)
{
    (void)terminator;
    struct reader *reader = closure;
    long line = reader->line - reader->newlines;
    size_t fields = reader->field_count;
    bool too_long = reader->field_too_long;
    reader->field_count = 0;
    reader->newlines = 0;
    reader->field_too_long = false;
    if (reader->failed)
        return;
    if (!reader->header_seen) {
        reader->field_count = fields;
        reader->header_seen = true;
        if (!header_matches(reader))
            problem(reader, line,
                    _("the header must be: agent_id,name,site_id,site_name,site_validated,lat,lon,"
                      "phone,email,vetted,duty (and optionally ,tz)"));
        reader->field_count = 0;
        return;
    }
    if (reader->columns == 0)
        return; /* the header was wrong: reported once, lines not read */
    if (fields != reader->columns) {
        problem(reader, line, _("%zu fields where the header has %zu"), fields, reader->columns);
        return;
    }
    if (too_long) {
        problem(reader, line, _("a field is longer than %d bytes"), FIELD_MAX - 1);
        return;
    }
    if (reader->out->count >= AGENTS_CSV_ROWS_MAX) {
        problem(reader, line, _("more than %d agents in one file"), AGENTS_CSV_ROWS_MAX);
        return;
    }
    struct agent_record record;
    memset(&record, 0, sizeof record);
    record.line = line;
    reader->field_count = fields;
    bool good = check_texts(reader, line, &record) && check_contact(reader, line, &record) &&
                check_rest(reader, line, &record);
    reader->field_count = 0;
    if (good && !append_record(reader, &record))
        reader->failed = true;
}

/* Orders record indexes by a key, then by line, for the checks below. */
static const struct agent_record *sort_records;
static size_t sort_key_offset;

static int by_key_then_line(const void *a, const void *b)
{
    const struct agent_record *x = &sort_records[*(const size_t *)a];
    const struct agent_record *y = &sort_records[*(const size_t *)b];
    int order = strcmp((const char *)x + sort_key_offset, (const char *)y + sort_key_offset);
    return order ? order : (x->line > y->line) - (x->line < y->line);
}

/* Indexes of out->records sorted by the text field at `offset`. Not
 * reentrant (qsort has no context argument): files are read one at a time
 * by an administrator's command. */
static size_t *sorted_by(const struct agents_csv *out, size_t offset)
{
    size_t *order = malloc((out->count ? out->count : 1) * sizeof *order);
    if (!order)
        return NULL;
    for (size_t i = 0; i < out->count; i++)
        order[i] = i;
    sort_records = out->records;
    sort_key_offset = offset;
    qsort(order, out->count, sizeof *order, by_key_then_line);
    return order;
}

/* The same agent twice, or one site described two ways, are mistakes the
 * file's author must settle: each later line is reported. */
static bool check_consistency(struct reader *reader)
{
    struct agents_csv *out = reader->out;
    size_t *order = sorted_by(out, offsetof(struct agent_record, agent_id));
    if (!order)
        return false;
    for (size_t i = 1; i < out->count; i++) {
        const struct agent_record *r = &out->records[order[i]];
        const struct agent_record *first = &out->records[order[i - 1]];
        if (strcmp(r->agent_id, first->agent_id) == 0)
            problem(reader, r->line, _("agent %s is already on line %ld"), r->agent_id,
                    first->line);
    }
    free(order);
    if (!(order = sorted_by(out, offsetof(struct agent_record, site_id))))
        return false;
    for (size_t i = 1, group = 0; i < out->count; i++) {
        const struct agent_record *r = &out->records[order[i]];
        const struct agent_record *first = &out->records[order[group]];
        if (strcmp(r->site_id, first->site_id) != 0) {
            group = i;
            continue;
        }
        if (strcmp(r->site_name, first->site_name) != 0 ||
            r->site_validated != first->site_validated || strcmp(r->tz, first->tz) != 0)
            problem(reader, r->line,
                    _("site %s is described differently on line %ld (name, validation or tz)"),
                    r->site_id, first->line);
    }
    free(order);
    return true;
}

static int line_order(const void *a, const void *b)
{
    const struct agents_csv_problem *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

bool agents_csv_parse(const char *data, size_t length, const char *region, struct agents_csv *out,
                      char *why, size_t why_size)
{
    memset(out, 0, sizeof *out);
    if (length > AGENTS_CSV_BYTES_MAX) {
        snprintf(why, why_size, _("the file is larger than %d MiB"),
                 AGENTS_CSV_BYTES_MAX / (1024 * 1024));
        return false;
    }
    struct reader *reader = calloc(1, sizeof *reader);
    out->problems = calloc(AGENTS_CSV_PROBLEMS_MAX, sizeof *out->problems);
    struct csv_parser parser;
    if (!reader || !out->problems || csv_init(&parser, CSV_APPEND_NULL) != 0) {
        free(reader);
        agents_csv_free(out);
        snprintf(why, why_size, "%s", _("out of memory"));
        return false;
    }
    reader->out = out;
    reader->region = region;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned digest_length = 0;
    if (EVP_Digest(data, length, digest, &digest_length, EVP_sha256(), NULL) == 1)
        for (unsigned i = 0; i < digest_length && i < 32; i++)
            snprintf(out->sha256_hex + 2 * i, 3, "%02x", digest[i]);
    /* Fed one line at a time so that each record knows its line number. */
    for (size_t at = 0; at < length && !reader->failed;) {
        const char *newline = memchr(data + at, '\n', length - at);
        size_t chunk = newline ? (size_t)(newline - (data + at)) + 1 : length - at;
        reader->line++;
        if (csv_parse(&parser, data + at, chunk, on_field, on_record, reader) != chunk) {
            problem(reader, reader->line, _("not CSV: %s"), csv_strerror(csv_error(&parser)));
            break;
        }
        at += chunk;
    }
    csv_fini(&parser, on_field, on_record, reader);
    csv_free(&parser);
    bool failed = reader->failed || !check_consistency(reader);
    if (!reader->header_seen)
        problem(reader, 1, "%s", _("the file is empty: it needs at least its header line"));
    free(reader);
    if (failed) {
        agents_csv_free(out);
        snprintf(why, why_size, "%s", _("out of memory"));
        return false;
    }
    qsort(out->problems, out->problem_count, sizeof *out->problems, line_order);
    return true;
}

bool agents_csv_read(const char *path, const char *region, struct agents_csv *out, char *why,
                     size_t why_size)
{
    memset(out, 0, sizeof *out);
    FILE *file = fopen(path, "rb");
    if (!file) {
        snprintf(why, why_size, "%s: %s", path, strerror(errno));
        return false;
    }
    char *data = malloc(AGENTS_CSV_BYTES_MAX + 1);
    size_t length = data ? fread(data, 1, AGENTS_CSV_BYTES_MAX + 1, file) : 0;
    bool read_error = ferror(file);
    fclose(file);
    if (!data || read_error) {
        free(data);
        snprintf(why, why_size, "%s: %s", path, data ? _("read error") : _("out of memory"));
        return false;
    }
    bool done = agents_csv_parse(data, length, region, out, why, why_size);
    free(data);
    return done;
}

void agents_csv_free(struct agents_csv *csv)
{
    free(csv->records);
    free(csv->problems);
    memset(csv, 0, sizeof *csv);
}
