/* aml.h: the HTTPS form of Advanced Mobile Location (ETSI TS 103 625; the
 * field names and units are those handsets send, as Android's Emergency
 * Location Service documents them): an application/x-www-form-urlencoded
 * body of key=value pairs. A pure parser over bytes, and the HMAC that
 * authenticates a message, since the form carries no device token.
 *
 * The HMAC rule (the standard leaves the covered bytes to the receiving
 * centre): hmac = lower- or upper-case hex of HMAC-SHA256(key, M), where M
 * is every other pair of the body exactly as sent (still URL-encoded),
 * in their order, joined with "&". A sender builds its body, signs it,
 * and appends "&hmac=HEX". The key is the device's own (16 to 64 bytes). */
#ifndef VIGIE_AML_H
#define VIGIE_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds: an AML message is a few hundred bytes; Android's optional
 * additional data (medical notes, contacts) stays well within 8 KiB. */
#define AML_BODY_MAX  8192
#define AML_PAIRS_MAX 64
#define AML_KEY_MAX   48  /* the longest known key is 30 bytes */
#define AML_VALUE_MAX 512 /* a decoded value; longer ones are refused */
/* E.164: "+" and at most 15 digits. */
#define AML_NUMBER_SIZE 17
/* HMAC-SHA256 in hex, and the key's bounds in bytes. */
#define AML_HMAC_HEX_SIZE 65
#define AML_KEY_BYTES_MIN 16
#define AML_KEY_BYTES_MAX 64

struct aml_message {
    int version;                         /* "v"; 0 when absent */
    char emergency_number[16];           /* "112" */
    char device_number[AML_NUMBER_SIZE]; /* the caller's MSISDN, E.164 */
    int64_t call_time_ms;                /* "time": start of the call; 0 unknown */
    bool has_position;                   /* latitude and longitude both given */
    double latitude, longitude;          /* degrees, WGS 84 */
    double accuracy_m;                   /* radius; -1 when absent */
    int64_t location_time_ms;            /* time of the fix; 0 unknown */
    char location_source[8];             /* gps, wifi, cell or unknown */
    int confidence_percent;              /* -1 when absent */
    bool has_altitude;
    double altitude_m;
    char floor[16];
    char imei[17];
    char imsi[16];
    int unknown_fields; /* ignored, as the standard lets later versions add fields */
    /* Known fields whose value was malformed and left out, comma-separated:
     * an emergency message is never refused for its extras. */
    char dropped[160];
    int dropped_count;
    char hmac_hex[AML_HMAC_HEX_SIZE]; /* lower case */
    /* What the HMAC covers (see above). */
    size_t signed_length;
    char signed_bytes[AML_BODY_MAX];
};

struct aml_error {
    char field[AML_KEY_MAX]; /* the pair at fault, "" for the body as a whole */
    char message[192];
};

/* Parses a whole body. The form itself (encoding, names, bounds), a field
 * given twice, and the two fields without which the message cannot be
 * authenticated (device_number, hmac) are errors. Any other known field
 * that is malformed or out of range is left out and named in `dropped`;
 * unknown fields are skipped. A position is optional: latitude and
 * longitude both, 0,0 meaning "no fix". Times are ms or s since the epoch,
 * or yyyyMMddHHmmss UTC. */
bool aml_parse(const char *body, size_t length, struct aml_message *out, struct aml_error *error);

/* A key in hex (32 to 128 digits) as bytes; false when it is not one. */
bool aml_key_from_hex(const char *hex, uint8_t out[AML_KEY_BYTES_MAX], size_t *length_out);
/* HMAC-SHA256 of `data` in lower-case hex. */
bool aml_hmac_hex(const uint8_t *key, size_t key_length, const char *data, size_t length,
                  char out[AML_HMAC_HEX_SIZE]);
/* Whether the message's hmac is the HMAC of its signed bytes under `key`,
 * compared in constant time. */
bool aml_hmac_verify(const struct aml_message *message, const uint8_t *key, size_t key_length);

#endif
