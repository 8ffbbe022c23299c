/* phone_number.h: phone numbers as people write them ("06 12 34 56 78",
 * "+32 470 12 34 56", "0033 6...") normalised to E.164 ("+33612345678")
 * with Google's libphonenumber, which knows every country's numbering
 * plan. A C interface over its C++ API, thread-safe (the library's
 * PhoneNumberUtil is). */
#ifndef VIGIE_PHONE_NUMBER_H
#define VIGIE_PHONE_NUMBER_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* '+' and at most 15 digits, plus NUL. */
#define PHONE_E164_SIZE 17

enum phone_kind {
    PHONE_MOBILE,          /* can receive an SMS */
    PHONE_FIXED_OR_MOBILE, /* the plan does not tell (USA, Canada...) */
    PHONE_FIXED,           /* a landline: voice only */
    PHONE_OTHER,           /* toll-free, VoIP, pager, unknown... */
};

/* Parses `text` (a national number is read in `region`, an ISO 3166
 * alpha-2 code such as "FR"), checks it is a valid number of its plan and
 * writes its E.164 form. False with a readable reason in `why`. */
bool phone_number_normalise(const char *text, const char *region, char out[PHONE_E164_SIZE],
                            enum phone_kind *kind, char *why, size_t why_size);

#ifdef __cplusplus
}
#endif

#endif
