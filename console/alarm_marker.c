/* alarm_marker.c: the marker word of a possible hold-up. */
#include "console/alarm_marker.h"

#include <stdio.h>
#include <string.h>

#include "common/i18n.h"

enum alarm_marker_kind alarm_marker_of(const char *class_name, unsigned flags)
{
    if (class_name && strcmp(class_name, "duress") == 0)
        return ALARM_MARKER_DURESS;
    if (flags & MODEL_FLAG_EARLY_OPEN)
        return ALARM_MARKER_EARLY_OPEN;
    return ALARM_MARKER_NONE;
}

enum alarm_marker_kind alarm_marker_of_json(const cJSON *alarm)
{
    const cJSON *flag;
    unsigned flags = 0;
    cJSON_ArrayForEach(flag, cJSON_GetObjectItemCaseSensitive(alarm, "flags"))
    {
        if (cJSON_IsString(flag) && strcmp(flag->valuestring, "early-open") == 0)
            flags |= MODEL_FLAG_EARLY_OPEN;
    }
    return alarm_marker_of(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(alarm, "class")),
                           flags);
}

enum alarm_marker_kind alarm_marker_parse(const char *marker)
{
    if (marker && strcmp(marker, "duress") == 0)
        return ALARM_MARKER_DURESS;
    if (marker && strcmp(marker, "early-open") == 0)
        return ALARM_MARKER_EARLY_OPEN;
    return ALARM_MARKER_NONE;
}

const char *alarm_marker_word(enum alarm_marker_kind kind)
{
    switch (kind) {
    case ALARM_MARKER_DURESS:
        return _("DURESS");
    case ALARM_MARKER_EARLY_OPEN:
        return _("EARLY OPEN");
    case ALARM_MARKER_NONE:
        break;
    }
    return NULL;
}

const char *alarm_marker_warning(enum alarm_marker_kind kind)
{
    switch (kind) {
    case ALARM_MARKER_DURESS:
        return _("possible hold-up: do NOT call the site; follow the duress plan (p)");
    case ALARM_MARKER_EARLY_OPEN:
        return _("disarmed outside opening hours, maybe under threat: do NOT call the site; "
                 "follow the duress plan (p)");
    case ALARM_MARKER_NONE:
        break;
    }
    return "";
}

const char *alarm_marker(const struct console_alarm *alarm)
{
    return alarm ? alarm_marker_word(alarm_marker_of(alarm->class_name, alarm->flags)) : NULL;
}

void alarm_marker_class_cell(const struct console_alarm *alarm, char *out, size_t size)
{
    const char *marker = alarm_marker(alarm);
    snprintf(out, size, "%s", marker ? marker : alarm->class_name);
}

bool alarm_marker_detail_line(const cJSON *alarm, char *out, size_t size)
{
    enum alarm_marker_kind kind = alarm_marker_of_json(alarm);
    if (kind == ALARM_MARKER_NONE)
        return false;
    snprintf(out, size, "%s: %s", alarm_marker_word(kind), alarm_marker_warning(kind));
    return true;
}
