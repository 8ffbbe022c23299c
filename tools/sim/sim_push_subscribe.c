/* sim_push_subscribe.c: the user agent's side of the test push service:
 * what a browser does in PushManager.subscribe() (a fresh P-256 key pair
 * and a 16-byte auth secret, RFC 8291 2), printed as the subscription JSON
 * an agent's page would send to vigied, and kept under the service's
 * directory so that the service can decrypt what arrives for it. Also the
 * service's own TLS certificate: RFC 8030 asks for https, and a test gives
 * vigied this certificate as the CA to trust (webpush_ca_file). */
#include "tools/sim/sim_push.h"
#include "tools/sim/sim.h"
#include "server/webpush_base64url.h"
#include "server/webpush_keys.h"
#include "common/i18n.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A subscription file is a small JSON object. */
#define SIM_PUSH_FILE_MAX 4096

static char *read_file(const char *path, size_t max)
{
    FILE *file = fopen(path, "r");
    if (!file)
        return NULL;
    char *text = malloc(max + 1);
    size_t length = text ? fread(text, 1, max, file) : 0;
    fclose(file);
    if (!text || length == 0 || length == max) {
        free(text);
        return NULL;
    }
    text[length] = '\0';
    return text;
}

static bool write_file(const char *path, const char *text, mode_t mode)
{
    FILE *file = fopen(path, "w");
    if (!file)
        return false;
    chmod(path, mode);
    bool ok = fputs(text, file) >= 0;
    return fclose(file) == 0 && ok;
}

/* ---- the certificate ---- */

static bool add_extension(X509 *cert, int nid, const char *value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert, cert, NULL, NULL, 0);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(NULL, &context, nid, value);
    bool ok = extension && X509_add_ext(cert, extension, -1) == 1;
    X509_EXTENSION_free(extension);
    return ok;
}

static char *pem_of(bool certificate, void *object)
{
    BIO *bio = BIO_new(BIO_s_mem());
    bool ok =
        bio && (certificate ? PEM_write_bio_X509(bio, object)
                            : PEM_write_bio_PrivateKey(bio, object, NULL, NULL, 0, NULL, NULL));
    char *data = NULL, *text = NULL;
    long length = ok ? BIO_get_mem_data(bio, &data) : 0;
    if (length > 0 && (text = malloc((size_t)length + 1))) {
        memcpy(text, data, (size_t)length);
        text[length] = '\0';
    }
    BIO_free(bio);
    return text;
}

/* A self-signed certificate for the loopback service. */
static bool make_certificate(char **cert_pem, char **key_pem, char *why, size_t why_size)
{
    EVP_PKEY *key = webpush_key_generate(why, why_size);
    X509 *cert = X509_new();
    X509_NAME *name = cert ? X509_get_subject_name(cert) : NULL;
    bool ok =
        key && cert && X509_set_version(cert, X509_VERSION_3) &&
        ASN1_INTEGER_set(X509_get_serialNumber(cert), (long)time(NULL)) &&
        X509_gmtime_adj(X509_getm_notBefore(cert), -3600) &&
        X509_gmtime_adj(X509_getm_notAfter(cert), 86400L * SIM_PUSH_CERT_DAYS) &&
        X509_set_pubkey(cert, key) &&
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   (const unsigned char *)"vigie-sim push-service", -1, -1, 0) &&
        X509_set_issuer_name(cert, name) &&
        add_extension(cert, NID_basic_constraints, "critical,CA:TRUE") &&
        add_extension(cert, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost") &&
        X509_sign(cert, key, EVP_sha256()) > 0;
    if (ok) {
        *cert_pem = pem_of(true, cert);
        *key_pem = pem_of(false, key);
        ok = *cert_pem && *key_pem;
    }
    if (!ok)
        snprintf(why, why_size, "%s", _("cannot make the push service's certificate"));
    X509_free(cert);
    EVP_PKEY_free(key);
    return ok;
}

bool sim_push_certificate(const char *dir, char **cert_pem, char **key_pem, char *why,
                          size_t why_size)
{
    char cert_path[SIM_PUSH_PATH_MAX], key_path[SIM_PUSH_PATH_MAX];
    snprintf(cert_path, sizeof cert_path, "%s/cert.pem", dir);
    snprintf(key_path, sizeof key_path, "%s/key.pem", dir);
    *cert_pem = read_file(cert_path, SIM_PUSH_FILE_MAX);
    *key_pem = read_file(key_path, SIM_PUSH_FILE_MAX);
    if (*cert_pem && *key_pem)
        return true; /* kept across restarts: vigied already trusts it */
    free(*cert_pem);
    free(*key_pem);
    *cert_pem = *key_pem = NULL;
    if (!make_certificate(cert_pem, key_pem, why, why_size))
        return false;
    if (!write_file(key_path, *key_pem, 0600) || !write_file(cert_path, *cert_pem, 0644)) {
        snprintf(why, why_size, "%s: %s", cert_path, strerror(errno));
        return false;
    }
    return true;
}

/* ---- subscriptions ---- */

static bool valid_id(const char *id)
{
    if (strlen(id) != SIM_PUSH_ID_LEN)
        return false;
    for (const char *c = id; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
            return false;
    return true;
}

static bool decode_field(const cJSON *root, const char *name, uint8_t *out, size_t len)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, name);
    size_t got = 0;
    return cJSON_IsString(item) &&
           webpush_base64url_decode(item->valuestring, strlen(item->valuestring), out, len, &got) &&
           got == len;
}

bool sim_push_subscription_load(const char *dir, const char *id, struct sim_push_subscription *out)
{
    memset(out, 0, sizeof *out);
    if (!valid_id(id))
        return false;
    char path[SIM_PUSH_PATH_MAX], why[128];
    snprintf(path, sizeof path, "%s/subscriptions/%s.json", dir, id);
    char *text = read_file(path, SIM_PUSH_FILE_MAX);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    uint8_t scalar[WEBPUSH_PRIVATE_LEN];
    bool ok = decode_field(root, "private_key", scalar, sizeof scalar) &&
              decode_field(root, "auth", out->auth, sizeof out->auth) &&
              (out->key = webpush_key_from_private(scalar, why, sizeof why)) != NULL;
    if (ok) {
        out->gone = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "gone"));
        out->restricted =
            decode_field(root, "application_server_key", out->server_key, sizeof out->server_key);
    }
    cJSON_Delete(root);
    return ok;
}

static void subscribe_usage(void)
{
    fprintf(stderr, "%s",
            _("usage: vigie-sim push-service subscribe --dir DIR [--gone]\n"
              "                                        [--application-server-key KEY]\n"
              "  mints a subscription of the push service running with --dir DIR (a\n"
              "  browser's key pair and auth secret) and prints its JSON; --gone makes\n"
              "  the service answer 410 for it, KEY (base64url) restricts it to that\n"
              "  VAPID key\n"));
}

/* The browser's private scalar, for the subscription file. */
static bool private_scalar(EVP_PKEY *key, uint8_t scalar[WEBPUSH_PRIVATE_LEN])
{
    BIGNUM *number = NULL;
    bool ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &number) == 1 &&
              BN_bn2binpad(number, scalar, WEBPUSH_PRIVATE_LEN) == WEBPUSH_PRIVATE_LEN;
    BN_clear_free(number);
    return ok;
}

static char *encoded(const uint8_t *bytes, size_t len, char *out, size_t out_size)
{
    webpush_base64url_encode(bytes, len, out, out_size);
    return out;
}

/* Writes the subscription's file and prints its JSON. */
static int mint(const char *dir, bool gone, const char *server_key)
{
    char path[SIM_PUSH_PATH_MAX], why[256];
    snprintf(path, sizeof path, "%s/origin", dir);
    char *origin = read_file(path, SIM_PUSH_PATH_MAX);
    if (!origin) {
        fprintf(stderr, _("vigie-sim push-service: no service runs with --dir %s\n"), dir);
        return SIM_EXIT_USAGE;
    }
    origin[strcspn(origin, "\r\n")] = '\0';
    uint8_t id_bytes[SIM_PUSH_ID_LEN / 2], auth[WEBPUSH_AUTH_LEN], scalar[WEBPUSH_PRIVATE_LEN];
    uint8_t point[WEBPUSH_POINT_LEN];
    EVP_PKEY *key = webpush_key_generate(why, sizeof why);
    bool ok = key && RAND_bytes(id_bytes, sizeof id_bytes) == 1 &&
              RAND_bytes(auth, sizeof auth) == 1 && private_scalar(key, scalar) &&
              webpush_key_point(key, point);
    EVP_PKEY_free(key);
    char id[SIM_PUSH_ID_LEN + 1], text[128];
    for (size_t i = 0; ok && i < sizeof id_bytes; i++)
        snprintf(id + 2 * i, 3, "%02x", id_bytes[i]);
    cJSON *file = cJSON_CreateObject(), *subscription = cJSON_CreateObject();
    cJSON_AddStringToObject(file, "private_key", encoded(scalar, sizeof scalar, text, sizeof text));
    cJSON_AddStringToObject(file, "auth", encoded(auth, sizeof auth, text, sizeof text));
    cJSON_AddBoolToObject(file, "gone", gone);
    if (server_key)
        cJSON_AddStringToObject(file, "application_server_key", server_key);
    char endpoint[SIM_PUSH_PATH_MAX];
    snprintf(endpoint, sizeof endpoint, "%s/push/%s", origin, ok ? id : "");
    cJSON_AddStringToObject(subscription, "endpoint", endpoint);
    cJSON_AddNullToObject(subscription, "expirationTime");
    cJSON *keys = cJSON_AddObjectToObject(subscription, "keys");
    cJSON_AddStringToObject(keys, "p256dh", encoded(point, sizeof point, text, sizeof text));
    cJSON_AddStringToObject(keys, "auth", encoded(auth, sizeof auth, text, sizeof text));
    char *file_text = cJSON_PrintUnformatted(file), *json = cJSON_PrintUnformatted(subscription);
    snprintf(path, sizeof path, "%s/subscriptions", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/subscriptions/%s.json", dir, ok ? id : "none");
    ok = ok && file_text && json && write_file(path, file_text, 0600);
    if (ok)
        printf("%s\n", json);
    else
        fprintf(stderr, _("vigie-sim push-service: cannot write %s\n"), path);
    OPENSSL_cleanse(scalar, sizeof scalar);
    if (file_text)
        OPENSSL_cleanse(file_text, strlen(file_text));
    free(file_text);
    free(json);
    free(origin);
    cJSON_Delete(file);
    cJSON_Delete(subscription);
    return ok ? SIM_EXIT_OK : SIM_EXIT_NETWORK;
}

int sim_push_subscribe(int argc, char **argv)
{
    const char *dir = NULL, *server_key = NULL;
    bool gone = false;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--gone") == 0) {
            gone = true;
            continue;
        }
        if (strcmp(argv[i], "--dir") == 0 && value)
            dir = value;
        else if (strcmp(argv[i], "--application-server-key") == 0 && value)
            server_key = value;
        else {
            subscribe_usage();
            return strcmp(argv[i], "--help") == 0 ? SIM_EXIT_OK : SIM_EXIT_USAGE;
        }
        i++;
    }
    uint8_t point[WEBPUSH_POINT_LEN];
    size_t got = 0;
    if (!dir || (server_key && (!webpush_base64url_decode(server_key, strlen(server_key), point,
                                                          sizeof point, &got) ||
                                got != sizeof point))) {
        subscribe_usage();
        return SIM_EXIT_USAGE;
    }
    return mint(dir, gone, server_key);
}
