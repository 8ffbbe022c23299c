/* agents_csv.h: reading the registry of security agents from the CSV file
 * a centre receives from the agents' employers:
 *   agent_id,name,site_id,site_name,site_validated,lat,lon,phone,email,vetted,duty[,tz]
 * RFC 4180 (quoted fields, commas and line breaks inside quotes) through
 * libcsv. Every line is checked (identifiers, coordinates, yes/no, the
 * phone normalised to E.164, the e-mail's form, the duty hours and time
 * zone) and every bad line reported with its number and why, so that an
 * administrator fixes the file once; the store imports all or nothing. */
#ifndef VIGIE_AGENTS_CSV_H
#define VIGIE_AGENTS_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "server/phone_number.h"

/* Bounds: a national registry is tens of thousands of agents; a field
 * longer than these is a mistake, not data. */
#define AGENTS_CSV_ROWS_MAX     200000
#define AGENTS_CSV_BYTES_MAX    (64 * 1024 * 1024)
#define AGENTS_CSV_ID_MAX       64
#define AGENTS_CSV_NAME_MAX     128
#define AGENTS_CSV_EMAIL_MAX    254 /* RFC 5321's path limit */
#define AGENTS_CSV_DUTY_MAX     256
#define AGENTS_CSV_ZONE_MAX     64
#define AGENTS_CSV_PROBLEMS_MAX 1000 /* past this, "and N more" */
#define AGENTS_CSV_PROBLEM_MAX  256

struct agent_record {
    long line; /* of the file, from 1 (the header) */
    char agent_id[AGENTS_CSV_ID_MAX];
    char name[AGENTS_CSV_NAME_MAX];
    char site_id[AGENTS_CSV_ID_MAX];
    char site_name[AGENTS_CSV_NAME_MAX];
    bool site_validated;
    double lat, lon;
    char phone[PHONE_E164_SIZE]; /* E.164; "" when the line had none */
    enum phone_kind phone_kind;
    char email[AGENTS_CSV_EMAIL_MAX + 1]; /* "" when none */
    bool vetted;
    char duty[AGENTS_CSV_DUTY_MAX]; /* canonical form (schedule_format) */
    char tz[AGENTS_CSV_ZONE_MAX];   /* "" when the file has no tz column */
};

struct agents_csv_problem {
    long line;
    char message[AGENTS_CSV_PROBLEM_MAX];
};

struct agents_csv {
    struct agent_record *records;
    size_t count;
    struct agents_csv_problem *problems;
    size_t problem_count; /* kept, at most AGENTS_CSV_PROBLEMS_MAX */
    size_t problems_total;
    char sha256_hex[65]; /* of the file's bytes, for the audit trail */
};

/* Reads and checks the whole file; national numbers are read in `region`
 * (ISO 3166 alpha-2, e.g. "FR"). Returns false only when the file cannot
 * be read or memory runs out (message in `why`); bad lines are problems,
 * not failures. */
bool agents_csv_read(const char *path, const char *region, struct agents_csv *out, char *why,
                     size_t why_size);
/* The same over bytes in memory (tests, an upload through the API). */
bool agents_csv_parse(const char *data, size_t length, const char *region, struct agents_csv *out,
                      char *why, size_t why_size);
void agents_csv_free(struct agents_csv *csv);

#endif
