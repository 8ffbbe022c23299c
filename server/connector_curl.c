/* connector_curl.c: see connector_curl.h. */
#include "server/connector_curl.h"

void connector_curl_defaults(CURL *easy, long timeout_ms, long connect_timeout_ms,
                             const char *ca_file)
{
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "vigied/" VIGIE_VERSION);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (ca_file && ca_file[0])
        curl_easy_setopt(easy, CURLOPT_CAINFO, ca_file);
}
