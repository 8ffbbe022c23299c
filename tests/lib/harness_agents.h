/* harness_agents.h: a registry of security agents for mass-alert tests,
 * written as the CSV employers send and loaded with a real `vigied agents
 * import`. */
#ifndef VIGIE_TEST_HARNESS_AGENTS_H
#define VIGIE_TEST_HARNESS_AGENTS_H

#include <stdbool.h>

#include "tests/lib/harness.h"

/* Around the Opéra in Paris; every agent is within 500 m of it. */
#define AGENTS_CENTRE_LAT 48.8708
#define AGENTS_CENTRE_LON 2.3318

/* `count` vetted agents on duty 24/7 on validated sites (ten per site),
 * agent i (from 1) with the mobile number agents_phone(i). */
bool world_import_agents(struct world *world, int count);
/* "+336100NNNNN": agent i's number in E.164. */
void agents_phone(int i, char out[16]);

#endif
