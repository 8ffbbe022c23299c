/* webpush_subscription.c: an agent's Web Push subscription, read from the
 * JSON his browser produced and checked before anything is sent to it:
 * an https endpoint (RFC 8030 requires TLS to the push service), a
 * browser key that is a real point of P-256, a 16-byte auth secret.
 * URLs are parsed by libcurl's URL API, the one that will send to them. */
#include "server/webpush.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/evp.h>

#include "common/i18n.h"
#include "server/webpush_base64url.h"

/* Whether the text holds a space, a control character or non-ASCII:
 * none belongs in a URL a browser handed out, and refusing them keeps
 * the endpoint printable in logs and messages. */
static bool has_unprintable(const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        if (*c <= 0x20 || *c >= 0x7F)
            return true;
    return false;
}

/* origin = "https://" host [":" port], written into out. */
static bool write_origin(CURLU *url, char *out, size_t out_size)
{
    char *host = NULL, *port = NULL;
    bool ok = curl_url_get(url, CURLUPART_HOST, &host, 0) == CURLUE_OK && host[0] != '\0';
    if (ok && curl_url_get(url, CURLUPART_PORT, &port, CURLU_NO_DEFAULT_PORT) != CURLUE_OK)
        port = NULL; /* none, or the default 443: the origin omits it */
    if (ok) {
        for (char *c = host; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        int n = snprintf(out, out_size, "https://%s%s%s", host, port ? ":" : "", port ? port : "");
        ok = n > 0 && (size_t)n < out_size;
    }
    curl_free(host);
    curl_free(port);
    return ok;
}

bool webpush_endpoint_origin(const char *endpoint, char *origin, size_t origin_size, char *why,
                             size_t why_size)
{
    if (strlen(endpoint) > WEBPUSH_ENDPOINT_MAX) {
        snprintf(why, why_size, _("the push endpoint is longer than %d characters"),
                 WEBPUSH_ENDPOINT_MAX);
        return false;
    }
    if (has_unprintable(endpoint)) {
        snprintf(why, why_size, "%s",
                 _("the push endpoint holds spaces, control or non-ASCII characters"));
        return false;
    }
    /* Checked before libcurl, which would read "https:/h/p" or
     * "https:///h/p" as host h: an endpoint is written out in full. */
    if (strncasecmp(endpoint, "https://", 8) != 0) {
        snprintf(why, why_size, _("the push endpoint \"%s\" is not an https:// URL"), endpoint);
        return false;
    }
    size_t authority = strcspn(endpoint + 8, "/?#");
    if (memchr(endpoint + 8, '@', authority) != NULL) {
        snprintf(why, why_size, _("the push endpoint \"%s\" holds a user name or password"),
                 endpoint);
        return false;
    }
    CURLU *url = curl_url();
    bool ok = authority > 0 && url != NULL &&
              curl_url_set(url, CURLUPART_URL, endpoint, 0) == CURLUE_OK &&
              write_origin(url, origin, origin_size);
    curl_url_cleanup(url);
    if (!ok)
        snprintf(why, why_size, _("the push endpoint \"%s\" is not a URL with a host"), endpoint);
    return ok;
}

/* keys.NAME, decoded into exactly `len` bytes. */
static bool decode_key(const cJSON *keys, const char *name, uint8_t *out, size_t len, char *why,
                       size_t why_size)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(keys, name);
    /* One byte more than wanted, so that a longer key is seen as such. */
    uint8_t bytes[WEBPUSH_POINT_LEN + 1];
    size_t got = 0;
    if (!cJSON_IsString(item)) {
        snprintf(why, why_size, _("the push subscription has no keys.%s"), name);
        return false;
    }
    if (!webpush_base64url_decode(item->valuestring, strlen(item->valuestring), bytes,
                                  len + 1 < sizeof bytes ? len + 1 : sizeof bytes, &got) ||
        got != len) {
        snprintf(why, why_size, _("keys.%s of the push subscription is not %zu bytes in base64url"),
                 name, len);
        return false;
    }
    memcpy(out, bytes, len);
    return true;
}

/* The endpoint, p256dh and auth of a parsed subscription into out. */
static bool read_subscription(const cJSON *root, struct webpush_subscription *out, char *why,
                              size_t why_size)
{
    const cJSON *endpoint = cJSON_GetObjectItemCaseSensitive(root, "endpoint");
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(root, "keys");
    char origin[WEBPUSH_ORIGIN_MAX + 1];
    if (!cJSON_IsString(endpoint)) {
        snprintf(why, why_size, "%s", _("the push subscription has no \"endpoint\""));
        return false;
    }
    if (!webpush_endpoint_origin(endpoint->valuestring, origin, sizeof origin, why, why_size))
        return false;
    if (!cJSON_IsObject(keys)) {
        snprintf(why, why_size, "%s", _("the push subscription has no \"keys\""));
        return false;
    }
    if (!decode_key(keys, "p256dh", out->p256dh, WEBPUSH_POINT_LEN, why, why_size) ||
        !decode_key(keys, "auth", out->auth, WEBPUSH_AUTH_LEN, why, why_size))
        return false;
    EVP_PKEY *key = webpush_key_from_point(out->p256dh, why, why_size);
    if (key == NULL) {
        snprintf(why, why_size, "%s",
                 _("keys.p256dh of the push subscription is not a valid P-256 public key"));
        return false;
    }
    EVP_PKEY_free(key);
    snprintf(out->endpoint, sizeof out->endpoint, "%s", endpoint->valuestring);
    return true;
}

bool webpush_subscription_parse(const char *json, size_t len, struct webpush_subscription *out,
                                char *why, size_t why_size)
{
    memset(out, 0, sizeof *out);
    if (len > WEBPUSH_SUBSCRIPTION_MAX) {
        snprintf(why, why_size, _("the push subscription is longer than %d bytes"),
                 WEBPUSH_SUBSCRIPTION_MAX);
        return false;
    }
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        snprintf(why, why_size, "%s", _("the push subscription is not a JSON object"));
        return false;
    }
    bool ok = read_subscription(root, out, why, why_size);
    cJSON_Delete(root);
    if (!ok)
        memset(out, 0, sizeof *out);
    return ok;
}
