/* sim_phone.c: `vigie-sim phone`: a protection phone (or a lone-worker
 * device) talking to vigied over HTTP(S) as the real one would: a JSON
 * message with the device's token, or the AML form a handset sends when it
 * calls 112, signed with the device's key. With --follow it keeps sending
 * positions a few metres apart, as a phone does while its alarm is open.
 * Prints one line per answer; exits 0 when every message was accepted. */
#include "server/aml.h"
#include "tools/sim/sim.h"
#include "common/clock.h"
#include "common/i18n.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* An answer that has not come within this long is a failure to report. */
#define PHONE_TIMEOUT_MS 10000
/* --follow sends at most this many messages: a simulator, not a flood. */
#define PHONE_COUNT_MAX 10000
/* Each step moves about 3 m north and 1.5 m east. */
#define PHONE_STEP_LAT 0.00003
#define PHONE_STEP_LON 0.00002
/* The answers are small JSON objects. */
#define PHONE_ANSWER_MAX 4096

struct phone {
    const char *server, *device, *token, *trigger, *source, *msisdn;
    const char *cacert; /* NULL: the system's trust store */
    bool aml, follow;
    bool has_lat, has_lon;
    double lat, lon, accuracy, interval_s;
    int battery; /* -1: not sent */
    long count;
    uint8_t key[AML_KEY_BYTES_MAX];
    size_t key_length;
};

struct answer {
    char text[PHONE_ANSWER_MAX];
    size_t length;
};

static void usage(void)
{
    fprintf(
        stderr, "%s",
        _("usage: vigie-sim phone --server URL --device ID --token TOKEN --lat L --lon L\n"
          "                       [--trigger sos|power-button|fall|test|position]\n"
          "                       [--source gps|cell|wifi] [--accuracy M] [--battery N]\n"
          "                       [--follow [--interval S] [--count N]]\n"
          "       vigie-sim phone --aml --server URL --msisdn +33... --key HEX --lat L --lon L\n"
          "                       [--source gps|cell|wifi] [--accuracy M] [--follow ...]\n"
          "  --follow sends position updates a few metres apart (10 by default)\n"
          "  --cacert FILE trusts the centre's certificate for an https:// server\n"));
}

static bool parse_number(const char *text, double min, double max, double *out)
{
    char *end = NULL;
    double value = strtod(text, &end);
    if (end == text || *end != '\0' || value < min || value > max)
        return false;
    *out = value;
    return true;
}

/* One option with its value; false on an unknown option or a bad value. */
static bool parse_valued(struct phone *p, const char *name, const char *value)
{
    double number = 0;
    if (strcmp(name, "--server") == 0)
        p->server = value;
    else if (strcmp(name, "--device") == 0)
        p->device = value;
    else if (strcmp(name, "--token") == 0)
        p->token = value;
    else if (strcmp(name, "--trigger") == 0)
        p->trigger = value;
    else if (strcmp(name, "--source") == 0)
        p->source = value;
    else if (strcmp(name, "--msisdn") == 0)
        p->msisdn = value;
    else if (strcmp(name, "--cacert") == 0)
        p->cacert = value;
    else if (strcmp(name, "--key") == 0)
        return aml_key_from_hex(value, p->key, &p->key_length);
    else if (strcmp(name, "--lat") == 0)
        return (p->has_lat = parse_number(value, -90, 90, &p->lat));
    else if (strcmp(name, "--lon") == 0)
        return (p->has_lon = parse_number(value, -180, 180, &p->lon));
    else if (strcmp(name, "--accuracy") == 0)
        return parse_number(value, 0, 100000, &p->accuracy);
    else if (strcmp(name, "--interval") == 0)
        return parse_number(value, 0, 3600, &p->interval_s);
    else if (strcmp(name, "--battery") == 0 && parse_number(value, 0, 100, &number))
        p->battery = (int)number;
    else if (strcmp(name, "--count") == 0 && parse_number(value, 1, PHONE_COUNT_MAX, &number))
        p->count = (long)number;
    else
        return false;
    return true;
}

static bool parse_options(int argc, char **argv, struct phone *p)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--aml") == 0)
            p->aml = true;
        else if (strcmp(argv[i], "--follow") == 0)
            p->follow = true;
        else if (i + 1 >= argc || !parse_valued(p, argv[i], argv[i + 1]))
            return false;
        else
            i++;
    }
    if (!p->server || !p->has_lat || !p->has_lon)
        return false;
    return p->aml ? p->msisdn && p->key_length > 0 : p->device && p->token;
}

static size_t on_answer(char *data, size_t size, size_t count, void *closure)
{
    struct answer *answer = closure;
    size_t length = size * count;
    size_t room = sizeof answer->text - 1 - answer->length;
    size_t take = length < room ? length : room;
    memcpy(answer->text + answer->length, data, take);
    answer->length += take;
    answer->text[answer->length] = '\0';
    return length;
}

static char *json_body(const struct phone *p, const char *trigger, double lat, double lon)
{
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "device_id", p->device);
    cJSON_AddStringToObject(body, "trigger", trigger);
    cJSON *position = cJSON_AddObjectToObject(body, "position");
    cJSON_AddNumberToObject(position, "lat", lat);
    cJSON_AddNumberToObject(position, "lon", lon);
    cJSON_AddNumberToObject(position, "accuracy_m", p->accuracy);
    cJSON_AddStringToObject(position, "source", p->source);
    char now[CLOCK_RFC3339_SIZE];
    clock_format_rfc3339(clock_now_ms(), now);
    cJSON_AddStringToObject(position, "fix_time", now);
    if (p->battery >= 0)
        cJSON_AddNumberToObject(body, "battery", p->battery);
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    return text;
}

/* The AML form, signed as vigied checks it: the pairs, then &hmac=HEX
 * over exactly those bytes. The "+" of the number is sent as %2B. */
static char *aml_body(const struct phone *p, double lat, double lon)
{
    char *body = malloc(AML_BODY_MAX);
    if (!body)
        return NULL;
    long long now = (long long)clock_now_ms();
    int length = snprintf(body, AML_BODY_MAX,
                          "v=1&emergency_number=112&device_number=%%2B%s&time=%lld"
                          "&location_latitude=%.7f&location_longitude=%.7f&location_time=%lld"
                          "&location_accuracy=%.1f&location_source=%s&location_confidence=0.68",
                          p->msisdn[0] == '+' ? p->msisdn + 1 : p->msisdn, now, lat, lon, now,
                          p->accuracy, p->source);
    char hmac[AML_HMAC_HEX_SIZE];
    if (length <= 0 || length + 6 + AML_HMAC_HEX_SIZE > AML_BODY_MAX ||
        !aml_hmac_hex(p->key, p->key_length, body, (size_t)length, hmac)) {
        free(body);
        return NULL;
    }
    snprintf(body + length, AML_BODY_MAX - (size_t)length, "&hmac=%s", hmac);
    return body;
}

/* Sends one message; its HTTP status, 0 when no answer came. */
static long send_message(CURL *curl, const struct phone *p, const char *body, struct answer *answer)
{
    char url[1024], authorization[256];
    snprintf(url, sizeof url, "%s/v1/ingest/device", p->server);
    struct curl_slist *headers = NULL;
    if (p->aml) {
        headers = curl_slist_append(headers, "Content-Type: application/x-www-form-urlencoded");
    } else {
        headers = curl_slist_append(headers, "Content-Type: application/json");
        snprintf(authorization, sizeof authorization, "Authorization: Bearer %s", p->token);
        headers = curl_slist_append(headers, authorization);
    }
    headers = curl_slist_append(headers, "Expect:");
    answer->length = 0;
    answer->text[0] = '\0';
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_answer);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)PHONE_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (p->cacert)
        curl_easy_setopt(curl, CURLOPT_CAINFO, p->cacert);
    long status = 0;
    CURLcode result = curl_easy_perform(curl);
    if (result == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    else
        fprintf(stderr, _("vigie-sim: %s: %s\n"), url, curl_easy_strerror(result));
    curl_slist_free_all(headers);
    return status;
}

/* "201 alarm 42 tracking" or "401 bad_hmac: the AML message is refused...". */
static void print_answer(long status, const struct answer *answer)
{
    cJSON *json = cJSON_Parse(answer->text);
    const cJSON *alarm = cJSON_GetObjectItemCaseSensitive(json, "alarm_id");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(json, "error");
    if (cJSON_IsObject(error)) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "code");
        const cJSON *message = cJSON_GetObjectItemCaseSensitive(error, "message");
        printf("%ld %s: %s\n", status, cJSON_IsString(code) ? code->valuestring : "?",
               cJSON_IsString(message) ? message->valuestring : "");
    } else if (cJSON_IsNumber(alarm)) {
        bool tracking = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "tracking"));
        bool duplicate = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "duplicate"));
        printf("%ld alarm %.0f%s%s\n", status, alarm->valuedouble, tracking ? " tracking" : "",
               duplicate ? " duplicate" : "");
    } else {
        printf("%ld no alarm\n", status);
    }
    fflush(stdout);
    cJSON_Delete(json);
}

static void pause_seconds(double seconds)
{
    struct timespec wait = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&wait, &wait) != 0)
        ;
}

static int run(const struct phone *p)
{
    CURL *curl = curl_easy_init();
    if (!curl)
        return SIM_EXIT_NETWORK;
    int exit_status = SIM_EXIT_OK;
    long messages = p->follow ? p->count : 1;
    for (long i = 0; i < messages && exit_status == SIM_EXIT_OK; i++) {
        if (i > 0)
            pause_seconds(p->interval_s);
        double lat = p->lat + PHONE_STEP_LAT * (double)i, lon = p->lon + PHONE_STEP_LON * (double)i;
        const char *trigger = i == 0 ? p->trigger : "position";
        char *body = p->aml ? aml_body(p, lat, lon) : json_body(p, trigger, lat, lon);
        if (!body) {
            fprintf(stderr, "%s", _("vigie-sim: cannot build the message\n"));
            exit_status = SIM_EXIT_USAGE;
            break;
        }
        struct answer answer;
        long status = send_message(curl, p, body, &answer);
        free(body);
        if (status == 0) {
            exit_status = SIM_EXIT_NETWORK;
            break;
        }
        print_answer(status, &answer);
        if (status < 200 || status > 299)
            exit_status = SIM_EXIT_REFUSED;
    }
    curl_easy_cleanup(curl);
    return exit_status;
}

int sim_command_phone(int argc, char **argv)
{
    /* Numbers go out with a decimal point whatever the user's locale. */
    locale_t numeric = newlocale(LC_NUMERIC_MASK, "C", duplocale(LC_GLOBAL_LOCALE));
    if (numeric)
        uselocale(numeric);
    struct phone phone = {.trigger = "sos",
                          .source = "gps",
                          .accuracy = 10,
                          .interval_s = 1,
                          .battery = -1,
                          .count = 10};
    int status = SIM_EXIT_USAGE;
    if (!parse_options(argc, argv, &phone))
        usage();
    else if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        status = SIM_EXIT_NETWORK;
    else {
        status = run(&phone);
        curl_global_cleanup();
    }
    if (numeric) {
        uselocale(LC_GLOBAL_LOCALE);
        freelocale(numeric);
    }
    return status;
}
