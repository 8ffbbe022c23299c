/* sia_dcs.h: the SIA DC-03 data block as carried by a DC-09 SIA-DCS
 * message, e.g. "#1234|Nri1/BA003/BA004": an account, the function code N
 * (new event), then modifiers (lower case: ri area, id user, pi
 * peripheral, ti time) and events (two capital letters and an optional
 * zone or user number). Pure functions over bytes: no I/O, no allocation. */
#ifndef VIGIE_SERVER_SIA_DCS_H
#define VIGIE_SERVER_SIA_DCS_H

#include <stdbool.h>
#include <stddef.h>

/* A DC-09 account is 3 to 16 hex digits. */
#define SIA_ACCOUNT_MAX 17
/* DC-03 blocks hold a few events; more than this is not a real panel. */
#define SIA_EVENTS_MAX 16
/* Zone, user, area and peripheral numbers have at most 4 digits. */
#define SIA_NUMBER_DIGITS 4

struct sia_event {
    char code[3];   /* two capital letters, e.g. "BA" */
    int zone;       /* the number after the code: a zone, or for open/close
                       codes the user (DC-03 says which); -1 when absent */
    int area;       /* from the last "ri" before the event; -1 when none */
    int user;       /* from the last "id" before the event; -1 when none */
    int peripheral; /* from the last "pi"; -1 when none */
    char time[9];   /* from the last "ti", "HH:MM" or "HH:MM:SS"; "" when none */
};

struct sia_block {
    char account[SIA_ACCOUNT_MAX]; /* upper case; "" when the block has none */
    struct sia_event events[SIA_EVENTS_MAX];
    size_t count; /* at least 1 when parsing succeeds */
};

/* Parses "[#ACCT|Nri1/BA003]": brackets, "#ACCT" and "|" are optional;
 * "/" between items may be left out ("Nri1BA01"); "^text^" is skipped;
 * RI, ID, PI and TI in capitals are read as modifiers (no SIA event has
 * those letters). Returns false with a readable `error` on anything else,
 * including more than SIA_EVENTS_MAX events: a block is never cut. */
bool sia_dcs_parse(const char *data, size_t length, struct sia_block *block, char *error,
                   size_t error_size);

#endif
