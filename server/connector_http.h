/* connector_http.h: the HTTP(S) gateway connector of the outbox: one POST
 * of one message, as a libcurl easy handle the delivery worker runs in its
 * multi handle. TLS certificates and host names are verified (against the
 * system's CAs, or a CA file for a private gateway); redirects are not
 * followed; the transfer is bounded in time and the answer in size.
 *
 * A 2xx answer is a delivery. The gateway's reference is taken from the
 * answer's JSON body, field "reference" (a string or a number), and
 * failing that from its Location header (the whole value). Any other
 * answer is a failure: 408, 425, 429 and 5xx, and transfers that failed
 * (no connection, timeout, TLS), are worth retrying; other 4xx answers say
 * the gateway refuses the document itself, so they are permanent.
 *
 * Each request carries the message key (the CAP identifier) in an
 * "Idempotency-Key" header, so that a gateway can recognise a message sent
 * again after a crash. */
#ifndef VIGIE_CONNECTOR_HTTP_H
#define VIGIE_CONNECTOR_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

#include "server/store_outbox.h"

/* A gateway's answer is a small JSON document; more is read and dropped. */
#define CONNECTOR_HTTP_ANSWER_MAX (16 * 1024)

struct connector_http_options {
    long timeout_ms;         /* the whole transfer */
    long connect_timeout_ms; /* connecting, TLS included */
    const char *ca_file;     /* PEM bundle; NULL or "": the system's */
};

struct connector_http_outcome {
    bool delivered;
    bool permanent; /* a failure that retrying cannot mend */
    long status;    /* HTTP status, 0 when no answer came */
    char reference[OUTBOX_REFERENCE_SIZE];
    char error[OUTBOX_ERROR_SIZE];
};

struct connector_http;

/* A transfer ready to add to a multi handle; NULL when memory is short or
 * libcurl refuses an option. The message must outlive it. */
struct connector_http *connector_http_new(const struct store_outbox_message *message,
                                          const struct connector_http_options *options);
CURL *connector_http_easy(const struct connector_http *transfer);
/* What the finished transfer (libcurl's `code`) came to. */
void connector_http_outcome(const struct connector_http *transfer, CURLcode code,
                            struct connector_http_outcome *out);
void connector_http_free(struct connector_http *transfer);

/* The reference in an answer: body's "reference", else the Location
 * header's value (NULL when absent); printable ASCII only, bounded. False
 * when there is none. */
bool connector_http_reference(const char *body, size_t length, const char *location, char *out,
                              size_t size);

#endif
