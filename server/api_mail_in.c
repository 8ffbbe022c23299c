/* api_mail_in.c: where `vigied mail-in` (run by the mail server for each
 * reply to a mass-alert e-mail) hands over what an agent wrote. No
 * session: the reply address reply+<recipient>.<token>@mail_reply_domain
 * is the key, its token an HMAC under mail_reply_secret (the same
 * strength as the reply link of the web page). A forged or unknown
 * address changes nothing and is answered 404, so that the mail server
 * bounces it as an unknown user. */
#include "server/api.h"
#include "server/mail_in.h"
#include "server/mail_reply_address.h"
#include "server/massalert_reply_text.h"
#include "server/store_massalert_replies.h"
#include "common/i18n.h"
#include "common/log.h"

void api_mail_reply(struct api_request *request, struct api_response *response)
{
    static const char *const allowed[] = {"address", "text", NULL};
    cJSON *body = api_body_object(request, response, allowed);
    if (!body)
        return;
    const char *address = NULL, *text = NULL;
    if (!api_field_string(body, "address", true, MAIL_REPLY_ADDRESS_SIZE - 1, &address, response) ||
        !api_field_string(body, "text", false, MAIL_IN_TEXT_MAX - 1, &text, response)) {
        cJSON_Delete(body);
        return;
    }
    const struct server_config *config = request->api->config;
    int64_t recipient = 0;
    if (!config->mail_reply_domain[0] ||
        mail_reply_address_check(address, config->mail_reply_secret, config->mail_reply_domain,
                                 &recipient) != MAIL_REPLY_VALID) {
        log_warn("mail", "a reply to an unknown or forged address was refused");
        api_error(response, MHD_HTTP_NOT_FOUND, "not_found", _("no such reply address"));
        cJSON_Delete(body);
        return;
    }
    const char *said = text ? text : "";
    struct store_massalert_reply_result result;
    struct store_error error = {{0}};
    int status = store_massalert_reply_by_recipient(request->api->store, recipient, "email",
                                                    massalert_reply_kind_of_text(said), said,
                                                    &result, &error);
    cJSON_Delete(body);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    cJSON *answer = cJSON_CreateObject();
    if (!answer || !cJSON_AddNumberToObject(answer, "reply_id", (double)result.reply_id) ||
        !cJSON_AddNumberToObject(answer, "alert_id", (double)result.alert_id) ||
        !cJSON_AddBoolToObject(answer, "repeated", result.repeated)) {
        cJSON_Delete(answer);
        api_error(response, MHD_HTTP_SERVICE_UNAVAILABLE, "no_memory", _("out of memory"));
        return;
    }
    api_json(response, MHD_HTTP_CREATED, answer);
}
