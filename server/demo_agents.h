/* demo_agents.h: the security agents of `vigied init --demo`: a few
 * thousand guards posted on guarded sites (malls, banks, stations,
 * hotels, office towers) around Paris, Nice and Brussels, with the shifts
 * such sites run, fictional phone numbers and e-mail addresses on
 * reserved example domains (RFC 2606's .example), most of them vetted,
 * most sites validated. A fixed seed: every run gives the same registry,
 * so tests may count on it. Generated inside the demo's one transaction. */
#ifndef VIGIE_DEMO_AGENTS_H
#define VIGIE_DEMO_AGENTS_H

#include <stddef.h>

#include "server/store.h"

struct store_tx;

/* The three scenarios of the mass alert (domain.md, section 3), each a
 * circle the demo's registry answers with agents of every kind: selected,
 * not vetted, of a site not validated, off duty, unreachable. */
#define DEMO_SCENARIO_AGGRESSION_LAT      43.6975 /* Nice, place Masséna */
#define DEMO_SCENARIO_AGGRESSION_LON      7.2700
#define DEMO_SCENARIO_AGGRESSION_RADIUS_M 800
#define DEMO_SCENARIO_HIT_AND_RUN_LAT     50.8333 /* Ixelles, Brussels */
#define DEMO_SCENARIO_HIT_AND_RUN_LON     4.3667
#define DEMO_SCENARIO_HIT_AND_RUN_RADIUS  3000
#define DEMO_SCENARIO_ATTACK_LAT          48.8584 /* Paris, Châtelet */
#define DEMO_SCENARIO_ATTACK_LON          2.3470
#define DEMO_SCENARIO_ATTACK_RADIUS_M     30000

struct demo_agents_report {
    size_t sites, sites_validated;
    size_t agents, agents_vetted;
};

/* Inside the demo's write job: adds the guarding companies, their sites
 * and agents, each audited. */
int demo_agents_add(struct store_tx *tx, const struct actor *actor,
                    struct demo_agents_report *report, struct store_error *error);

#endif
