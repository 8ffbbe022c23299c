/* api_procedures.c: an alarm's procedure as a checklist over HTTP:
 * GET /v1/alarms/{id}/procedure (the plan the server resolved for the
 * alarm, with each step's state) and POST
 * /v1/alarms/{id}/procedure/steps/{step} (mark one step done, skipped,
 * failed, or pending again, with an optional note). The server decides
 * which plan applies, so that every console shows the same one. */
#include "server/api.h"
#include "server/store_procedure_steps.h"
#include "common/i18n.h"

#include <stdint.h>
#include <string.h>

static void answer_procedure(struct api_request *request, struct api_response *response,
                             int64_t alarm_id)
{
    cJSON *procedure = NULL;
    struct store_error error = {{0}};
    int status = store_alarm_procedure_json(request->api->store, alarm_id, &procedure, &error);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    api_json(response, MHD_HTTP_OK, procedure);
}

void api_alarm_procedure_get(struct api_request *request, struct api_response *response)
{
    int64_t alarm_id;
    if (api_param_id(request, 0, &alarm_id, response))
        answer_procedure(request, response, alarm_id);
}

void api_alarm_procedure_step(struct api_request *request, struct api_response *response)
{
    static const char *const fields[] = {"state", "note", NULL};
    int64_t alarm_id, step_id;
    if (!api_param_id(request, 0, &alarm_id, response) ||
        !api_param_id(request, 1, &step_id, response))
        return;
    cJSON *body = api_body_object(request, response, fields);
    if (!body)
        return;
    const char *state_text = NULL, *note = NULL;
    enum procedure_step_state state;
    bool ok = api_field_string(body, "state", true, 16, &state_text, response) &&
              api_field_string(body, "note", false, PROCEDURE_NOTE_MAX, &note, response);
    if (ok && !procedure_step_state_parse(state_text, &state)) {
        api_error(response, MHD_HTTP_BAD_REQUEST, "bad_state",
                  _("a step's state is done, skipped, failed or pending, not \"%s\""), state_text);
        ok = false;
    }
    if (!ok) {
        cJSON_Delete(body);
        return;
    }
    struct store_error error = {{0}};
    int status = store_alarm_procedure_mark(request->api->store, &request->actor, alarm_id, step_id,
                                            state, note, &error);
    cJSON_Delete(body);
    if (status != STORE_OK) {
        api_store_error(response, status, &error);
        return;
    }
    answer_procedure(request, response, alarm_id);
}
