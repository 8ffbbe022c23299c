/* api_agents_push.c: POST and DELETE /v1/agents/{id}/push-subscription:
 * how an agent's browser gets his mass alerts by Web Push. His page
 * subscribes with the centre's applicationServerKey (`vigied vapid
 * public-key`) and sends what PushSubscription.toJSON() gave; it is
 * checked (an https endpoint, a P-256 point, a 16-byte secret) and kept
 * normalised, small enough to be an outbox recipient. The agent's own
 * reply page sends it the same way (POST /r/{token}/push-subscription,
 * api_reply_pages.c), read here too. */
#include "server/api_agents_push.h"
#include "server/api.h"
#include "server/store_agents_push.h"
#include "server/store_outbox.h"
#include "server/webpush.h"
#include "server/webpush_base64url.h"
#include "common/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The subscription as we keep it: endpoint and keys, nothing else. */
static char *normalised(const struct webpush_subscription *subscription)
{
    char p256dh[WEBPUSH_BASE64URL_LEN(WEBPUSH_POINT_LEN) + 1];
    char auth[WEBPUSH_BASE64URL_LEN(WEBPUSH_AUTH_LEN) + 1];
    webpush_base64url_encode(subscription->p256dh, WEBPUSH_POINT_LEN, p256dh, sizeof p256dh);
    webpush_base64url_encode(subscription->auth, WEBPUSH_AUTH_LEN, auth, sizeof auth);
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "endpoint", subscription->endpoint);
    cJSON *keys = cJSON_AddObjectToObject(root, "keys");
    cJSON_AddStringToObject(keys, "p256dh", p256dh);
    cJSON_AddStringToObject(keys, "auth", auth);
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

static void answer(struct api_response *response, int64_t agent_id, const char *origin)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddNumberToObject(body, "agent_id", (double)agent_id);
    if (origin)
        cJSON_AddStringToObject(body, "push_service", origin);
    else
        cJSON_AddNullToObject(body, "push_service");
    api_json(response, MHD_HTTP_OK, body);
}

bool api_agents_push_read(struct api_request *request, struct api_response *response,
                          char **json_out, char origin[WEBPUSH_ORIGIN_MAX + 1])
{
    *json_out = NULL;
    static const char *const allowed[] = {"endpoint", "expirationTime", "keys", NULL};
    cJSON *body = api_body_object(request, response, allowed);
    if (!body)
        return false;
    cJSON_Delete(body);
    struct webpush_subscription subscription;
    char why[256];
    if (!webpush_subscription_parse(request->body, request->body_size, &subscription, why,
                                    sizeof why) ||
        !webpush_endpoint_origin(subscription.endpoint, origin, WEBPUSH_ORIGIN_MAX + 1, why,
                                 sizeof why)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "invalid", "%s", why);
        return false;
    }
    char *json = normalised(&subscription);
    if (!json) {
        api_error(response, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "%s", _("out of memory"));
        return false;
    }
    if (strlen(json) >= OUTBOX_RECIPIENT_SIZE) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "invalid",
                  _("the push endpoint is too long: a subscription is kept in %d characters"),
                  OUTBOX_RECIPIENT_SIZE - 1);
        free(json);
        return false;
    }
    *json_out = json;
    return true;
}

void api_agents_push_subscribe(struct api_request *request, struct api_response *response)
{
    int64_t agent_id = 0;
    if (!api_param_id(request, 0, &agent_id, response))
        return;
    char *json = NULL, origin[WEBPUSH_ORIGIN_MAX + 1];
    if (!api_agents_push_read(request, response, &json, origin))
        return;
    struct store_error error = {{0}};
    int status = store_agent_push_subscription_set(request->api->store, &request->actor, agent_id,
                                                   json, origin, &error);
    free(json);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    answer(response, agent_id, origin);
}

void api_agents_push_unsubscribe(struct api_request *request, struct api_response *response)
{
    int64_t agent_id = 0;
    if (!api_param_id(request, 0, &agent_id, response))
        return;
    struct store_error error = {{0}};
    int status = store_agent_push_subscription_set(request->api->store, &request->actor, agent_id,
                                                   NULL, NULL, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    answer(response, agent_id, NULL);
}
