// phone_number.cc: the C interface of phone_number.h over libphonenumber.
// C++ only here, behind a C header; no exception crosses it.
#include "server/phone_number.h"

#include <cstdio>
#include <cstring>
#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// Longer input is no phone number; bounds the parser's work.
static const size_t phone_text_max = 64;

static bool refuse(char *why, size_t why_size, const char *reason)
{
    if (why && why_size)
        std::snprintf(why, why_size, "%s", reason);
    return false;
}

static enum phone_kind kind_of(PhoneNumberUtil::PhoneNumberType type)
{
    switch (type) {
    case PhoneNumberUtil::MOBILE:
        return PHONE_MOBILE;
    case PhoneNumberUtil::FIXED_LINE_OR_MOBILE:
        return PHONE_FIXED_OR_MOBILE;
    case PhoneNumberUtil::FIXED_LINE:
        return PHONE_FIXED;
    default:
        return PHONE_OTHER;
    }
}

extern "C" bool phone_number_normalise(const char *text, const char *region,
                                       char out[PHONE_E164_SIZE], enum phone_kind *kind,
                                       char *why, size_t why_size)
{
    if (!text || !text[0])
        return refuse(why, why_size, "no number");
    if (std::strlen(text) > phone_text_max)
        return refuse(why, why_size, "too long for a phone number");
    try {
        const PhoneNumberUtil *util = PhoneNumberUtil::GetInstance();
        PhoneNumber number;
        PhoneNumberUtil::ErrorType error = util->Parse(text, region ? region : "ZZ", &number);
        if (error == PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR)
            return refuse(why, why_size, "no country: write it as +CC... or set the region");
        if (error != PhoneNumberUtil::NO_PARSING_ERROR)
            return refuse(why, why_size, "not a phone number");
        if (!util->IsValidNumber(number))
            return refuse(why, why_size, "not a valid number of its country's plan");
        std::string e164;
        util->Format(number, PhoneNumberUtil::E164, &e164);
        if (e164.size() >= PHONE_E164_SIZE)
            return refuse(why, why_size, "too long for E.164");
        std::memcpy(out, e164.c_str(), e164.size() + 1);
        if (kind)
            *kind = kind_of(util->GetNumberType(number));
        return true;
    } catch (...) {
        return refuse(why, why_size, "the phone number library failed");
    }
}
