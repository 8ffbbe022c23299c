/* api_massalerts.h: what the mass-alert handlers (api_massalert*.c)
 * share: parsing the area, the channels and the message of a request. */
#ifndef VIGIE_API_MASSALERTS_H
#define VIGIE_API_MASSALERTS_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "server/api.h"
#include "server/store_massalert_audience.h"

/* A mass alert is a few SMS parts at most (common/sms.h bounds them);
 * this bounds the bytes of any text before it is measured. */
#define MASSALERT_MESSAGE_MAX 2048

/* Each fills a 400 naming what is wrong and returns false (NULL). */
bool api_massalerts_parse_area(cJSON *body, struct massalert_area *area,
                               struct api_response *response);
bool api_massalerts_parse_channels(cJSON *body, unsigned *channels, struct api_response *response);
/* {"encoding","units","parts","left_in_part"} of the message's SMS. */
cJSON *api_massalerts_measure(const char *message, struct api_response *response);

/* Sends the alert the body describes (already checked: area, channels,
 * message measured); answers 201 or an error. */
void api_massalerts_send(struct api_request *request, struct api_response *response, cJSON *body,
                         const struct massalert_area *area, unsigned channels, const char *message);

#endif
