/* contact_id.h: Ademco Contact ID, the event format most alarm panels
 * speak: as the data block of a DC-09 ADM-CID message ("#1234|1130 01 003")
 * and as the classic 16-digit dialler message with its checksum. Pure
 * functions over bytes: no I/O, no allocation. */
#ifndef VIGIE_SERVER_CONTACT_ID_H
#define VIGIE_SERVER_CONTACT_ID_H

#include <stdbool.h>
#include <stddef.h>

/* A DC-09 account is 3 to 16 hex digits. */
#define CONTACT_ID_ACCOUNT_MAX 17
/* The classic message: ACCT(4) MT(2) Q(1) EEE(3) GG(2) CCC(3) S(1). */
#define CONTACT_ID_MESSAGE_LENGTH 16

struct contact_id_event {
    char account[CONTACT_ID_ACCOUNT_MAX]; /* upper case; "" when the block has none */
    int qualifier;                        /* 1 new/opening, 3 restore/closing, 6 status */
    char code[4];                         /* three digits, e.g. "130" */
    int partition;                        /* group or partition, 0..99 */
    int zone_or_user;                     /* 0..9999 */
};

/* Parses a DC-09 ADM-CID data block: "[#ACCT|QEEE GG ZZZ]", where the
 * brackets, the "#ACCT" and the "|" are optional and the spaces may be
 * left out ("1130010003"); ZZZ may have a fourth digit. Returns false with
 * a readable `error` on anything else. */
bool contact_id_parse_block(const char *data, size_t length, struct contact_id_event *event,
                            char *error, size_t error_size);

/* Parses the 16-digit message "ACCT MT Q EEE GG CCC S" (spaces optional),
 * message type 18 or 98, checked with its mod-15 checksum. */
bool contact_id_parse_message(const char *message, size_t length, struct contact_id_event *event,
                              char *error, size_t error_size);

/* The check digit that completes 15 message digits (a digit 0 counts as
 * 10; the sum of all 16 must be a multiple of 15), or '\0' when `digits`
 * holds something other than 0-9 and A-F. */
char contact_id_check_digit(const char *digits);

#endif
