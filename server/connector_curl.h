/* connector_curl.h: what every HTTP connector (police gateways, Kannel,
 * Web Push) sets on its libcurl transfer, so that they cannot drift
 * apart: vigied's user agent, no signals, the transfer's timeouts, no
 * redirects (a gateway's answer is its own), and TLS verified, peer and
 * host, against the CA file given (NULL or "": the system's): a gateway
 * is who its certificate says. */
#ifndef VIGIE_CONNECTOR_CURL_H
#define VIGIE_CONNECTOR_CURL_H

#include <curl/curl.h>

void connector_curl_defaults(CURL *easy, long timeout_ms, long connect_timeout_ms,
                             const char *ca_file);

#endif
