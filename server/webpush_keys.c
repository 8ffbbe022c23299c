/* webpush_keys.c: P-256 keys for Web Push through OpenSSL 3: generation,
 * import of raw scalars and points with validation, ECDH, and the VAPID
 * key's PEM file. Nothing here is hand-made cryptography: OpenSSL does
 * every curve operation, this file only moves bytes in and out. */
#include "server/webpush_keys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "common/i18n.h"

/* OpenSSL's name for P-256. */
#define CURVE_NAME "prime256v1"
/* Room for the name of any curve OpenSSL knows. */
#define CURVE_NAME_MAX 64
/* "PATH.XXXXXX" beside the key file while it is written. */
#define TEMP_PATH_MAX 4096

EVP_PKEY *webpush_key_generate(char *why, size_t why_size)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", CURVE_NAME);
    if (key == NULL)
        snprintf(why, why_size, "%s", _("cannot generate a P-256 key (OpenSSL failed)"));
    return key;
}

/* A key from OSSL_PARAMs: the public point alone, or a whole pair. */
static EVP_PKEY *key_from_params(int selection, const uint8_t point[WEBPUSH_POINT_LEN],
                                 const BIGNUM *scalar)
{
    OSSL_PARAM_BLD *build = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *key = NULL;
    if (build != NULL &&
        OSSL_PARAM_BLD_push_utf8_string(build, OSSL_PKEY_PARAM_GROUP_NAME, CURVE_NAME, 0) &&
        OSSL_PARAM_BLD_push_octet_string(build, OSSL_PKEY_PARAM_PUB_KEY, point,
                                         WEBPUSH_POINT_LEN) &&
        (scalar == NULL || OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_PRIV_KEY, scalar)) &&
        (params = OSSL_PARAM_BLD_to_param(build)) != NULL &&
        (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) != NULL &&
        EVP_PKEY_fromdata_init(ctx) == 1)
        (void)EVP_PKEY_fromdata(ctx, &key, selection, params);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(build);
    return key;
}

/* Whether OpenSSL holds `key` for a valid public key of its curve: on
 * the curve, not the point at infinity, of the right order. */
static bool public_key_valid(EVP_PKEY *key)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    bool ok = ctx != NULL && EVP_PKEY_public_check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

EVP_PKEY *webpush_key_from_point(const uint8_t point[WEBPUSH_POINT_LEN], char *why, size_t why_size)
{
    EVP_PKEY *key = point[0] == 0x04 ? key_from_params(EVP_PKEY_PUBLIC_KEY, point, NULL) : NULL;
    if (key != NULL && public_key_valid(key))
        return key;
    EVP_PKEY_free(key);
    snprintf(why, why_size, "%s", _("not a valid uncompressed P-256 public key"));
    return NULL;
}

/* The public point of `scalar`: scalar times the generator. */
static bool point_of_scalar(const BIGNUM *scalar, uint8_t point[WEBPUSH_POINT_LEN])
{
    EC_GROUP *group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    EC_POINT *public_point = group ? EC_POINT_new(group) : NULL;
    bool ok = public_point != NULL && !BN_is_zero(scalar) &&
              BN_cmp(scalar, EC_GROUP_get0_order(group)) < 0 &&
              EC_POINT_mul(group, public_point, scalar, NULL, NULL, NULL) == 1 &&
              EC_POINT_point2oct(group, public_point, POINT_CONVERSION_UNCOMPRESSED, point,
                                 WEBPUSH_POINT_LEN, NULL) == WEBPUSH_POINT_LEN;
    EC_POINT_free(public_point);
    EC_GROUP_free(group);
    return ok;
}

EVP_PKEY *webpush_key_from_private(const uint8_t scalar[WEBPUSH_PRIVATE_LEN], char *why,
                                   size_t why_size)
{
    BIGNUM *number = BN_bin2bn(scalar, WEBPUSH_PRIVATE_LEN, NULL);
    uint8_t point[WEBPUSH_POINT_LEN];
    EVP_PKEY *key = NULL;
    if (number != NULL && point_of_scalar(number, point))
        key = key_from_params(EVP_PKEY_KEYPAIR, point, number);
    BN_clear_free(number);
    if (key == NULL)
        snprintf(why, why_size, "%s", _("not a valid P-256 private key"));
    return key;
}

/* Whether `key` is an elliptic-curve key on P-256. */
static bool key_is_p256(EVP_PKEY *key)
{
    char name[CURVE_NAME_MAX];
    if (!EVP_PKEY_is_a(key, "EC") || EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME,
                                                                    name, sizeof name, NULL) != 1)
        return false;
    return OBJ_txt2nid(name) == NID_X9_62_prime256v1 ||
           EC_curve_nist2nid(name) == NID_X9_62_prime256v1;
}

bool webpush_key_point(EVP_PKEY *key, uint8_t point[WEBPUSH_POINT_LEN])
{
    /* Built from x and y rather than read as an encoded point, because
     * a key file may ask for the compressed form. */
    BIGNUM *x = NULL, *y = NULL;
    bool ok = key_is_p256(key) && EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) == 1 &&
              EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) == 1 &&
              BN_bn2binpad(x, point + 1, 32) == 32 && BN_bn2binpad(y, point + 33, 32) == 32;
    point[0] = 0x04;
    BN_free(x);
    BN_free(y);
    return ok;
}

bool webpush_key_ecdh(EVP_PKEY *own, EVP_PKEY *peer, uint8_t secret[WEBPUSH_SECRET_LEN])
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, own, NULL);
    size_t len = WEBPUSH_SECRET_LEN;
    bool ok = ctx != NULL && EVP_PKEY_derive_init(ctx) == 1 &&
              EVP_PKEY_derive_set_peer_ex(ctx, peer, 1) == 1 &&
              EVP_PKEY_derive(ctx, secret, &len) == 1 && len == WEBPUSH_SECRET_LEN;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

/* PEM's passphrase prompt, answered "none": a service must never stop
 * to ask on a terminal, so an encrypted key file simply fails to load. */
static int no_passphrase(char *buffer, int size, int rwflag, void *data)
{
    (void)buffer, (void)size, (void)rwflag, (void)data;
    return -1;
}

EVP_PKEY *webpush_key_load_pem(const char *path, char *why, size_t why_size)
{
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        snprintf(why, why_size, "%s: %s", path, strerror(errno));
        return NULL;
    }
    EVP_PKEY *key = PEM_read_PrivateKey(file, NULL, no_passphrase, NULL);
    fclose(file);
    if (key == NULL) {
        snprintf(why, why_size, _("%s: not an unencrypted private key in PEM"), path);
        return NULL;
    }
    if (!key_is_p256(key)) {
        EVP_PKEY_free(key);
        snprintf(why, why_size, _("%s: not a P-256 (prime256v1) key, which VAPID requires"), path);
        return NULL;
    }
    return key;
}

/* Writes the key into the open temporary file `fd`. */
static bool write_pem(EVP_PKEY *key, int fd)
{
    FILE *file = fdopen(fd, "w");
    if (file == NULL) {
        close(fd);
        return false;
    }
    bool ok = PEM_write_PrivateKey(file, key, NULL, NULL, 0, NULL, NULL) == 1;
    ok = fflush(file) == 0 && fsync(fileno(file)) == 0 && ok;
    return fclose(file) == 0 && ok;
}

bool webpush_key_save_pem(EVP_PKEY *key, const char *path, char *why, size_t why_size)
{
    /* Written whole beside PATH (mkstemp: mode 0600), then linked in:
     * link() never replaces a file, so two starts racing to create the
     * key cannot leave two keys or half a file. */
    char temp[TEMP_PATH_MAX];
    if ((size_t)snprintf(temp, sizeof temp, "%s.XXXXXX", path) >= sizeof temp) {
        snprintf(why, why_size, _("%s: path too long"), path);
        errno = ENAMETOOLONG;
        return false;
    }
    int fd = mkstemp(temp);
    if (fd < 0) {
        snprintf(why, why_size, "%s: %s", temp, strerror(errno));
        return false;
    }
    errno = 0;
    if (!write_pem(key, fd)) {
        int saved = errno ? errno : EIO; /* OpenSSL may fail without errno */
        unlink(temp);
        snprintf(why, why_size, _("%s: cannot write the key: %s"), temp, strerror(saved));
        errno = saved;
        return false;
    }
    int linked = link(temp, path);
    int saved = errno;
    unlink(temp);
    if (linked != 0) {
        snprintf(why, why_size, "%s: %s", path, strerror(saved));
        errno = saved;
        return false;
    }
    return true;
}

EVP_PKEY *webpush_key_load_or_create(const char *path, bool *created, char *why, size_t why_size)
{
    *created = false;
    if (access(path, F_OK) == 0 || errno != ENOENT)
        return webpush_key_load_pem(path, why, why_size);
    EVP_PKEY *key = webpush_key_generate(why, why_size);
    if (key == NULL)
        return NULL;
    if (webpush_key_save_pem(key, path, why, why_size)) {
        *created = true;
        return key;
    }
    EVP_PKEY_free(key);
    /* Another process created it first: use that one. */
    return errno == EEXIST ? webpush_key_load_pem(path, why, why_size) : NULL;
}
