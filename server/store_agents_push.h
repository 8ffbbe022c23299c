/* store_agents_push.h: an agent's Web Push subscription in the registry
 * (agents.push_subscription). The CSV import does not carry it: the
 * agent's own browser makes it (PushManager.subscribe with the centre's
 * applicationServerKey) and hands it to vigied through the API. The JSON
 * kept is the checked, normalised subscription: the mass alert's outbox
 * copies it as the recipient of the agent's push messages. */
#ifndef VIGIE_STORE_AGENTS_PUSH_H
#define VIGIE_STORE_AGENTS_PUSH_H

#include <stdint.h>

#include "server/store.h"

/* Sets (or with NULL removes) agent `agent_id`'s subscription; audited as
 * "agent.push_subscription" with the push service's origin only (the
 * keys are the agent's). STORE_NOT_FOUND for an unknown agent. */
int store_agent_push_subscription_set(struct store *store, const struct actor *actor,
                                      int64_t agent_id, const char *subscription_json,
                                      const char *origin, struct store_error *error);

#endif
