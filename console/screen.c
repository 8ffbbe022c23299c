/* screen.c: the table of screens. */
#include "console/screen.h"

const struct screen_ops *const screen_table[SCREEN_COUNT] = {
    [SCREEN_QUEUE] = &screen_queue_ops,
    [SCREEN_CLOSED] = &screen_closed_ops,
    [SCREEN_DETAIL] = &screen_detail_ops,
    [SCREEN_HELP] = &screen_help_ops,
    [SCREEN_VICTIM] = &screen_victim_ops,
    [SCREEN_PROCEDURES] = &screen_procedures_ops,
    [SCREEN_MAP] = &screen_map_ops,
    [SCREEN_ESCALATE] = &screen_escalate_ops, /* a comment keeps one screen a line */
    [SCREEN_MASSALERT] = &screen_massalert_ops,
    [SCREEN_MASSALERT_MONITOR] = &screen_massalert_monitor_ops,
};
