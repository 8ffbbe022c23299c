/* panel_driver.c: the table of panel drivers by protocol name, and the
 * words for commands and arm states that the store, the API and the
 * drivers share. A new protocol is a driver file and one row below. */
#include "server/panel_driver.h"
#include "server/panel_tpi.h"

#include <string.h>

static const struct panel_driver *const drivers[] = {
    &panel_driver_tpi,
};

const struct panel_driver *panel_driver_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof drivers / sizeof drivers[0]; i++)
        if (strcmp(drivers[i]->name, name) == 0)
            return drivers[i];
    return NULL;
}

size_t panel_driver_count(void)
{
    return sizeof drivers / sizeof drivers[0];
}

const struct panel_driver *panel_driver_at(size_t index)
{
    return index < panel_driver_count() ? drivers[index] : NULL;
}

static const char *const command_names[PANEL_COMMAND_COUNT] = {
    [PANEL_COMMAND_ARM_AWAY] = "arm-away",
    [PANEL_COMMAND_ARM_STAY] = "arm-stay",
    [PANEL_COMMAND_DISARM] = "disarm",
    [PANEL_COMMAND_BYPASS_ZONE] = "bypass-zone",
};

const char *panel_command_name(enum panel_command_kind kind)
{
    return (unsigned)kind < PANEL_COMMAND_COUNT ? command_names[kind] : "?";
}

bool panel_command_parse(const char *text, enum panel_command_kind *out)
{
    for (int i = 0; text && i < PANEL_COMMAND_COUNT; i++) {
        if (strcmp(text, command_names[i]) == 0) {
            *out = (enum panel_command_kind)i;
            return true;
        }
    }
    return false;
}

/* "armed" is armed away: the word the DC-09 ingest has always stored for
 * a closing, kept so that existing databases and clients read the same. */
static const char *const state_names[] = {
    [PANEL_STATE_UNKNOWN] = "unknown",
    [PANEL_STATE_DISARMED] = "disarmed",
    [PANEL_STATE_ARMED_AWAY] = "armed",
    [PANEL_STATE_ARMED_STAY] = "armed-stay",
};

const char *panel_arm_state_name(enum panel_arm_state state)
{
    return (unsigned)state < sizeof state_names / sizeof state_names[0] ? state_names[state]
                                                                        : "unknown";
}

bool panel_arm_state_parse(const char *text, enum panel_arm_state *out)
{
    for (size_t i = 0; text && i < sizeof state_names / sizeof state_names[0]; i++) {
        if (strcmp(text, state_names[i]) == 0) {
            *out = (enum panel_arm_state)i;
            return true;
        }
    }
    return false;
}

enum panel_arm_state panel_command_target(enum panel_command_kind kind)
{
    switch (kind) {
    case PANEL_COMMAND_ARM_AWAY:
        return PANEL_STATE_ARMED_AWAY;
    case PANEL_COMMAND_ARM_STAY:
        return PANEL_STATE_ARMED_STAY;
    case PANEL_COMMAND_DISARM:
        return PANEL_STATE_DISARMED;
    default:
        return PANEL_STATE_UNKNOWN;
    }
}

bool panel_output_append(struct panel_output *out, const char *data, size_t length)
{
    if (length > sizeof out->data - out->length)
        return false;
    memcpy(out->data + out->length, data, length);
    out->length += length;
    return true;
}
