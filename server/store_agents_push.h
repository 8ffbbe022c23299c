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

/* The same from the agent's own reply page: the agent of mass-alert
 * recipient `recipient_id` (the link's token is his key) sets his
 * subscription. Audited by vigied itself ("agent.push_subscription", with
 * the push service's origin, "via": "reply_page" and the recipient row);
 * nothing is written when he already has that very subscription.
 * STORE_NOT_FOUND: no such recipient. */
int store_agent_push_subscription_set_by_recipient(struct store *store, int64_t recipient_id,
                                                   const char *subscription_json,
                                                   const char *origin, struct store_error *error);

struct store_tx;
/* Inside the job that records outbox row `outbox_id`'s failure: the push
 * service said the subscription it was sent to is gone (404/410), so the
 * agent of mass-alert recipient `recipient_id` loses it (his next alerts
 * go by his other channels), unless he has subscribed again meanwhile
 * (his subscription is no longer the row's). Audited by vigied itself as
 * "agent.push_subscription" with `why`. Nothing happens for a row of
 * another channel. */
int store_tx_agent_push_subscription_gone(struct store_tx *tx, int64_t outbox_id,
                                          int64_t recipient_id, const char *why,
                                          struct store_error *error);

#endif
