/* TEMPORARY: replaced by helper's real implementations. */
#include "server/api.h"
#include "server/demo_data.h"
int demo_data_load(struct store *store, const struct password_cost *cost, FILE *report,
                   char *error, size_t error_size)
{
    (void)store; (void)cost; (void)report;
    snprintf(error, error_size, "not yet");
    return STORE_ERROR;
}
void api_sites_get(struct api_request *q, struct api_response *r) { (void)q; api_error(r, 501, "x", "x"); }
void api_victims_get(struct api_request *q, struct api_response *r) { (void)q; api_error(r, 501, "x", "x"); }
void api_procedures_list(struct api_request *q, struct api_response *r) { (void)q; api_error(r, 501, "x", "x"); }
