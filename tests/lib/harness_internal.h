/* harness_internal.h: what the harness's own files share; tests use
 * harness.h only. */
#ifndef VIGIE_TEST_HARNESS_INTERNAL_H
#define VIGIE_TEST_HARNESS_INTERNAL_H

#include <sys/types.h>

#include "tests/lib/harness.h"

/* Arguments of one vigied command line, with room for every setting. */
#define WORLD_ARGS_MAX (24 + 2 * WORLD_SETTINGS_MAX)

/* In a child: dies with the test, so that a crashed test leaves no
 * vigied behind. */
void harness_child_prepare(pid_t parent);
/* Waits for PID up to `timeout_ms`; returns its exit status (128+N for a
 * signal) or -1 when it is still running. */
int harness_wait_bounded(pid_t pid, int timeout_ms);

#endif
