/* Unit tests of the AML HTTPS form: a handset's message read field by
 * field, the HMAC over the pairs as sent (and its known answer from RFC
 * 4231), what is refused outright and what is only left out, since an
 * emergency is never refused for a malformed extra. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/aml.h"

/* A 32-byte key, as a centre would give a device. */
static const char key_hex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static const char android_body[] =
    "v=1&emergency_number=112&source=call&thunderbird_version=2800&time=1438101600123"
    "&location_latitude=48.8566135&location_longitude=2.3522219&location_time=1438102600123"
    "&location_altitude=4&location_floor=2&location_source=gps&location_accuracy=20"
    "&location_vertical_accuracy=2.5&location_confidence=0.6827&location_bearing=156.7"
    "&location_speed=1.2&device_number=%2B33612345678&device_model=Motorola+Nexus+6"
    "&device_imsi=208150579377451&device_imei=355458061005220";

static struct aml_message *message;

static int setup(void **state)
{
    (void)state;
    message = malloc(sizeof *message);
    return message ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    free(message);
    return 0;
}

/* BODY signed with `key_hex`, then "&hmac=HEX" appended. */
static char *signed_body(const char *body)
{
    uint8_t key[AML_KEY_BYTES_MAX];
    size_t key_length = 0;
    assert_true(aml_key_from_hex(key_hex, key, &key_length));
    char hmac[AML_HMAC_HEX_SIZE];
    assert_true(aml_hmac_hex(key, key_length, body, strlen(body), hmac));
    size_t size = strlen(body) + 6 + sizeof hmac;
    char *out = malloc(size);
    assert_non_null(out);
    snprintf(out, size, "%s&hmac=%s", body, hmac);
    return out;
}

static bool parse(const char *body, struct aml_error *error)
{
    return aml_parse(body, strlen(body), message, error);
}

static bool verifies(const char *hex)
{
    uint8_t key[AML_KEY_BYTES_MAX];
    size_t key_length = 0;
    assert_true(aml_key_from_hex(hex, key, &key_length));
    return aml_hmac_verify(message, key, key_length);
}

static void test_hmac_known_answer_of_rfc_4231(void **state)
{
    (void)state;
    uint8_t key[20];
    memset(key, 0x0b, sizeof key);
    char hex[AML_HMAC_HEX_SIZE];
    assert_true(aml_hmac_hex(key, sizeof key, "Hi There", 8, hex));
    assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

static void test_android_message_is_read_field_by_field(void **state)
{
    (void)state;
    char *body = signed_body(android_body);
    struct aml_error error;
    assert_true(parse(body, &error));
    assert_int_equal(message->version, 1);
    assert_string_equal(message->emergency_number, "112");
    assert_string_equal(message->device_number, "+33612345678");
    assert_true(message->has_position);
    assert_true(message->latitude > 48.8566134 && message->latitude < 48.8566136);
    assert_true(message->longitude > 2.3522218 && message->longitude < 2.3522220);
    assert_true(message->accuracy_m == 20.0);
    assert_int_equal(message->call_time_ms, 1438101600123LL);
    assert_int_equal(message->location_time_ms, 1438102600123LL);
    assert_string_equal(message->location_source, "gps");
    assert_int_equal(message->confidence_percent, 68);
    assert_true(message->has_altitude && message->altitude_m == 4.0);
    assert_string_equal(message->floor, "2");
    assert_string_equal(message->imei, "355458061005220");
    assert_string_equal(message->imsi, "208150579377451");
    /* source, thunderbird_version, vertical accuracy, bearing, speed, model */
    assert_int_equal(message->unknown_fields, 6);
    assert_int_equal(message->dropped_count, 0);
    /* The HMAC covers the pairs as sent, without the hmac pair. */
    assert_int_equal(message->signed_length, strlen(android_body));
    assert_memory_equal(message->signed_bytes, android_body, strlen(android_body));
    assert_true(verifies(key_hex));
    free(body);
}

static void test_hmac_refuses_a_changed_byte_or_another_key(void **state)
{
    (void)state;
    char *body = signed_body(android_body);
    struct aml_error error;
    char *latitude = strstr(body, "48.8566135");
    latitude[3] = '9'; /* a position moved by a tenth of a degree */
    assert_true(parse(body, &error));
    assert_false(verifies(key_hex));
    latitude[3] = '8';
    assert_true(parse(body, &error));
    assert_true(verifies(key_hex));
    assert_false(verifies("ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
    free(body);
}

static void test_hmac_anywhere_in_the_body_and_in_upper_case(void **state)
{
    (void)state;
    const char *pairs = "device_number=%2B33612345678&location_latitude=45.75";
    char *body = signed_body(pairs);
    char *hmac = strstr(body, "&hmac=") + 6;
    for (char *c = hmac; *c; c++)
        if (*c >= 'a' && *c <= 'f')
            *c = (char)(*c - 'a' + 'A');
    /* "hmac=HEX&device_number=...&location_latitude=..." */
    char moved[512];
    snprintf(moved, sizeof moved, "hmac=%s&%s", hmac, pairs);
    struct aml_error error;
    assert_true(parse(moved, &error));
    assert_memory_equal(message->signed_bytes, pairs, strlen(pairs));
    assert_true(verifies(key_hex));
    free(body);
}

static void test_unencoded_plus_of_the_number_is_taken_back(void **state)
{
    (void)state;
    char *body = signed_body("device_number=+33612345678&location_latitude=0"
                             "&location_longitude=0");
    struct aml_error error;
    assert_true(parse(body, &error));
    assert_string_equal(message->device_number, "+33612345678");
    assert_false(message->has_position); /* 0,0: the handset had no fix */
    free(body);
}

static void expect_refused(const char *body, const char *field, const char *words)
{
    struct aml_error error;
    assert_false(aml_parse(body, strlen(body), message, &error));
    assert_string_equal(error.field, field);
    if (!strstr(error.message, words))
        fail_msg("\"%s\" does not say \"%s\"", error.message, words);
}

static void test_what_is_refused_outright(void **state)
{
    (void)state;
    const char *hmac = "&hmac=0000000000000000000000000000000000000000000000000000000000000000";
    char body[256];
    expect_refused("", "", "empty");
    expect_refused("location_latitude=1&hmac=00", "hmac", "64 hexadecimal");
    snprintf(body, sizeof body, "location_latitude=45%s", hmac);
    expect_refused(body, "device_number", "no device_number");
    expect_refused("device_number=%2B33612345678", "hmac", "no hmac");
    expect_refused("device_number=0612345678", "device_number", "E.164");
    snprintf(body, sizeof body, "device_number=%%2B33612345678&device_number=%%2B33600000000%s",
             hmac);
    expect_refused(body, "device_number", "twice");
    snprintf(body, sizeof body, "device_number=%%2B33612345678&location_floor=%%4%s", hmac);
    expect_refused(body, "location_floor", "URL-encoded");
    snprintf(body, sizeof body, "device_number=%%2B33612345678&note=a%%0Ab%s", hmac);
    expect_refused(body, "note", "URL-encoded");
    snprintf(body, sizeof body, "%%ZZ=1&device_number=%%2B33612345678%s", hmac);
    expect_refused(body, "", "no valid name");
}

static void test_bounds_of_the_body(void **state)
{
    (void)state;
    char *body = malloc(AML_BODY_MAX + 2);
    memset(body, 'a', AML_BODY_MAX + 1);
    body[AML_BODY_MAX + 1] = '\0';
    expect_refused(body, "", "longer than");
    size_t used = 0;
    for (int i = 0; i <= AML_PAIRS_MAX; i++)
        used += (size_t)snprintf(body + used, AML_BODY_MAX + 2 - used, "x%d=1&", i);
    expect_refused(body, "", "more than 64 fields");
    memset(body, 0, AML_BODY_MAX + 2);
    memcpy(body, "device_number=%2B33612345678&note=", 34);
    memset(body + 34, 'v', AML_VALUE_MAX + 1);
    expect_refused(body, "note", "longer than");
    free(body);
}

static void test_malformed_extras_are_left_out_not_refused(void **state)
{
    (void)state;
    char *body = signed_body("device_number=%2B33612345678&location_latitude=91"
                             "&location_longitude=2.35&location_accuracy=-3&device_imei=12ab"
                             "&location_time=20250231120000&location_source=hybrid");
    struct aml_error error;
    assert_true(parse(body, &error));
    assert_false(message->has_position);
    assert_string_equal(message->dropped,
                        "location_latitude,location_accuracy,device_imei,location_time,"
                        "location_longitude");
    assert_true(verifies(key_hex));
    free(body);
    body = signed_body("device_number=%2B33612345678&location_latitude=45.75"
                       "&location_longitude=4.85&location_source=hybrid&location_certainty=90");
    assert_true(parse(body, &error));
    assert_true(message->has_position);
    assert_string_equal(message->location_source, "unknown");
    assert_int_equal(message->confidence_percent, 90);
    assert_true(message->accuracy_m < 0); /* not sent */
    free(body);
}

static void test_times_in_three_forms(void **state)
{
    (void)state;
    struct aml_error error;
    const char *hmac = "&hmac=0000000000000000000000000000000000000000000000000000000000000000";
    char body[256];
    snprintf(body, sizeof body, "device_number=%%2B33612345678&location_time=20150613010948%s",
             hmac);
    assert_true(parse(body, &error));
    assert_int_equal(message->location_time_ms, 1434157788000LL);
    snprintf(body, sizeof body, "device_number=%%2B33612345678&location_time=1434157788%s", hmac);
    assert_true(parse(body, &error));
    assert_int_equal(message->location_time_ms, 1434157788000LL);
    snprintf(body, sizeof body, "device_number=%%2B33612345678&time=1434157788123%s", hmac);
    assert_true(parse(body, &error));
    assert_int_equal(message->call_time_ms, 1434157788123LL);
}

/* A locale whose decimal point is a comma: installed, or compiled for
 * this test from the system's locale sources into a temporary LOCPATH. */
static bool comma_locale(void)
{
    if (setlocale(LC_NUMERIC, "fr_FR.UTF-8"))
        return true;
    char dir[] = "/tmp/vigie-locale-XXXXXX", command[256];
    if (!mkdtemp(dir))
        return false;
    snprintf(command, sizeof command, "localedef -i fr_FR -f UTF-8 %s/fr_FR.UTF-8 >/dev/null 2>&1",
             dir);
    bool made = system(command) == 0 && setenv("LOCPATH", dir, 1) == 0;
    bool set = made && setlocale(LC_NUMERIC, "fr_FR.UTF-8");
    /* The locale is mapped in memory: its files may go now. */
    snprintf(command, sizeof command, "rm -rf %s", dir);
    int removed = system(command);
    (void)removed;
    return set;
}

static void test_numbers_read_alike_in_any_locale(void **state)
{
    (void)state;
    if (!comma_locale())
        skip(); /* no locale with a decimal comma can be had here */
    char text[32];
    snprintf(text, sizeof text, "%.2f", 1.5);
    assert_string_equal(text, "1,50"); /* the locale is in force */
    char *body = signed_body("device_number=%2B33612345678&location_latitude=45.75"
                             "&location_longitude=4.85");
    struct aml_error error;
    bool parsed = parse(body, &error);
    setlocale(LC_NUMERIC, "C");
    assert_true(parsed);
    assert_true(message->latitude == 45.75 && message->longitude == 4.85);
    free(body);
}

static void test_keys_in_hex(void **state)
{
    (void)state;
    uint8_t key[AML_KEY_BYTES_MAX];
    size_t length = 0;
    assert_true(aml_key_from_hex(key_hex, key, &length));
    assert_int_equal(length, 32);
    assert_int_equal(key[31], 0x1f);
    assert_false(aml_key_from_hex("00010203", key, &length)); /* 4 bytes: too short */
    assert_false(aml_key_from_hex("000102030405060708090a0b0c0d0e0g", key, &length));
    assert_false(aml_key_from_hex("", key, &length));
    assert_false(aml_key_from_hex(NULL, key, &length));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hmac_known_answer_of_rfc_4231),
        cmocka_unit_test(test_android_message_is_read_field_by_field),
        cmocka_unit_test(test_hmac_refuses_a_changed_byte_or_another_key),
        cmocka_unit_test(test_hmac_anywhere_in_the_body_and_in_upper_case),
        cmocka_unit_test(test_unencoded_plus_of_the_number_is_taken_back),
        cmocka_unit_test(test_what_is_refused_outright),
        cmocka_unit_test(test_bounds_of_the_body),
        cmocka_unit_test(test_malformed_extras_are_left_out_not_refused),
        cmocka_unit_test(test_times_in_three_forms),
        cmocka_unit_test(test_numbers_read_alike_in_any_locale),
        cmocka_unit_test(test_keys_in_hex),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
