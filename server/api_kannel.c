/* api_kannel.c: what Kannel calls back, without a session: the delivery
 * reports of the SMS vigied sent (the dlr-url each sendsms carried,
 * signed with kannel_secret) and the SMS agents send back (an
 * sms-service whose get-url passes kannel_secret). A call that is not
 * authenticated changes nothing and is answered 403. */
#include "server/api.h"
#include "server/connector_kannel.h"
#include "server/phone_number.h"
#include "server/store_massalert_replies.h"
#include "server/store_outbox.h"
#include "common/clock.h"
#include "common/i18n.h"
#include "common/log.h"

#include <stdlib.h>
#include <string.h>

/* Kannel's report types (its dlr-mask bits). */
enum {
    KANNEL_DLR_DELIVERED = 1,      /* to the phone */
    KANNEL_DLR_UNDELIVERED = 2,    /* the phone could not be reached */
    KANNEL_DLR_BUFFERED = 4,       /* queued on the SMSC */
    KANNEL_DLR_SMSC_SUCCESS = 8,   /* the SMSC took it */
    KANNEL_DLR_SMSC_REJECTED = 16, /* the SMSC refused it */
};

/* Kannel reads only the status; a short text helps whoever reads its log. */
static void answer_text(struct api_response *response, unsigned status, const char *text)
{
    response->raw =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!response->raw) {
        api_error(response, MHD_HTTP_SERVICE_UNAVAILABLE, "no_memory", _("out of memory"));
        return;
    }
    MHD_add_response_header(response->raw, "Content-Type", "text/plain; charset=utf-8");
    response->status = status;
}

void api_kannel_dlr(struct api_request *request, struct api_response *response)
{
    const char *id_text = api_query(request, "id");
    const char *type_text = api_query(request, "type");
    char *end = NULL;
    long long id = id_text ? strtoll(id_text, &end, 10) : 0;
    if (!id_text || *end || id <= 0 ||
        !connector_kannel_verify(request->api->config->kannel_secret, id,
                                 api_query(request, "sig"))) {
        api_error(response, MHD_HTTP_FORBIDDEN, "forbidden",
                  _("this delivery report is not signed by vigied"));
        return;
    }
    int type = type_text ? atoi(type_text) : 0;
    bool final = type == KANNEL_DLR_DELIVERED || type == KANNEL_DLR_UNDELIVERED ||
                 type == KANNEL_DLR_SMSC_REJECTED;
    bool found = false;
    struct store_error error = {{0}};
    /* Buffered, or taken by the SMSC: on the way, no verdict yet; but it
     * proves Kannel has it (a message whose answer a crash lost is then
     * not sent again). */
    int status = final ? store_outbox_confirm_id(request->api->store, id, "sms",
                                                 type == KANNEL_DLR_DELIVERED, clock_now_ms(),
                                                 &found, &error)
                       : store_outbox_accepted_id(request->api->store, id, "sms", &found, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    if (!found)
        log_warn("kannel", "delivery report for unknown SMS %lld", id);
    answer_text(response, found ? MHD_HTTP_OK : MHD_HTTP_NOT_FOUND,
                found ? "recorded\n" : "unknown message\n");
}

void api_kannel_mo(struct api_request *request, struct api_response *response)
{
    const struct server_config *config = request->api->config;
    if (!connector_kannel_secret_ok(config->kannel_secret, api_query(request, "secret"))) {
        api_error(response, MHD_HTTP_FORBIDDEN, "forbidden",
                  _("this SMS service call does not carry vigied's secret"));
        return;
    }
    const char *from = api_query(request, "from");
    const char *text = api_query(request, "text");
    char e164[PHONE_E164_SIZE], why[128];
    enum phone_kind kind;
    if (!from ||
        !phone_number_normalise(from, config->centre_region, e164, &kind, why, sizeof why)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_sender",
                  _("the sender \"%s\" is not a phone number"), from ? from : "");
        return;
    }
    struct store_massalert_reply_result result = {0};
    struct store_error error = {{0}};
    int status = store_massalert_reply_by_phone(request->api->store, e164, text ? text : "",
                                                &result, &error);
    if (status == STORE_NOT_FOUND || status == STORE_CONFLICT) {
        /* Kannel would retry an error: an answer from a stranger or after
         * the alert expired is logged and dropped. */
        log_info("kannel", "SMS from %s not taken as a reply: %s", e164, error.message);
        answer_text(response, MHD_HTTP_OK, "");
        return;
    }
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    answer_text(response, MHD_HTTP_OK, "");
}
