/* voice_uri.c: the URI a call dials (see voice_uri.h). */
#include "server/voice_uri.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* E.164: a "+" and at most 15 digits. */
#define VOICE_E164_DIGITS_MAX 15

bool voice_uri_check(const char *template, char *why, size_t why_size)
{
    if (strncmp(template, "sip:", 4) != 0 && strncmp(template, "sips:", 5) != 0) {
        snprintf(why, why_size, "sip_uri must begin with sip: or sips:, not \"%s\"", template);
        return false;
    }
    const char *mark = strchr(template, '%');
    if (!mark || mark[1] != 's' || strchr(mark + 2, '%')) {
        snprintf(why, why_size, "%s",
                 "sip_uri must hold %s once (the number called) and no other %");
        return false;
    }
    return true;
}

static bool is_e164(const char *number)
{
    if (number[0] != '+')
        return false;
    size_t digits = strlen(number + 1);
    if (digits == 0 || digits > VOICE_E164_DIGITS_MAX)
        return false;
    for (const char *p = number + 1; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    return true;
}

bool voice_uri_make(const char *template, const char *number, char *out, size_t out_size)
{
    char why[128];
    if (!voice_uri_check(template, why, sizeof why) || !is_e164(number))
        return false;
    const char *mark = strstr(template, "%s");
    int written =
        snprintf(out, out_size, "%.*s%s%s", (int)(mark - template), template, number, mark + 2);
    return written > 0 && (size_t)written < out_size;
}
