/* sms.h: how long a text message is on the air: whether it fits the GSM
 * 03.38 default alphabet (7-bit, 160 per single message) or needs UCS-2
 * (16-bit, 70), and how many concatenated parts it takes (153 or 67 per
 * part, the rest of each part being the concatenation header). The mass
 * alert composer shows this as the operator types; the SMS connector
 * uses it to split and to bound what it sends. Pure functions. */
#ifndef VIGIE_SMS_H
#define VIGIE_SMS_H

#include <stdbool.h>
#include <stddef.h>

/* Networks reassemble up to 255 parts; operators refuse far fewer. A mass
 * alert must stay short: past this, the composer refuses the text. */
#define SMS_PARTS_MAX 10

enum sms_encoding { SMS_GSM7, SMS_UCS2 };

struct sms_measure {
    enum sms_encoding encoding;
    size_t units;         /* septets (GSM7, an extension character counts 2) or UTF-16 units */
    size_t parts;         /* 1 for an empty text */
    size_t per_part;      /* 160/153 (GSM7) or 70/67 (UCS-2), as applies */
    size_t left_in_part;  /* units still free in the last part */
    size_t first_non_gsm; /* byte offset of the first character that forced UCS-2 */
};

/* Measures a UTF-8 text; false (and *bad_offset set) when it is not valid
 * UTF-8. */
bool sms_measure(const char *text, size_t length, struct sms_measure *out, size_t *bad_offset);
/* "GSM 7-bit" or "UCS-2". */
const char *sms_encoding_name(enum sms_encoding encoding);

#endif
