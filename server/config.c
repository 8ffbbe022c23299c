/* config.c: vigied settings. Defaults follow what a production centre
 * needs (OWASP's Argon2id floor, a 12-hour shift session, a 30-second
 * claim lease); tests lower the costs through a config file. */
#include "server/config.h"
#include "server/schedule.h"
#include "server/connector_smtp_message.h"
#include "server/mail_reply_address.h"
#include "server/webpush_vapid.h"
#include "server/voice_uri.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void config_defaults(struct server_config *config)
{
    memset(config, 0, sizeof *config);
    snprintf(config->db_path, sizeof config->db_path, "vigie.db");
    snprintf(config->listen, sizeof config->listen, "127.0.0.1:8080");
    if (gethostname(config->node_name, sizeof config->node_name) != 0)
        snprintf(config->node_name, sizeof config->node_name, "vigied");
    config->node_name[sizeof config->node_name - 1] = '\0';
    config->http_threads = 8;
    config->max_body_bytes = 64 * 1024;
    config->session_ttl_ms = 12LL * 3600 * 1000;
    config->claim_lease_ms = 30 * 1000;
    config->heartbeat_ms = 2000;
    config->event_retention = 1000000;
    /* OWASP: Argon2id with 19 MiB, 2 iterations, 1 lane. */
    config->argon2_memory_kib = 19 * 1024;
    config->argon2_iterations = 2;
    snprintf(config->event_labels, sizeof config->event_labels, "en");
    config->dc09_max_connections = 10000;
    config->dc09_idle_timeout_s = 300;
    config->dc09_partial_timeout_s = 10;
    config->dc09_bad_frames_max = 5;
    config->dc09_dedup_window_s = 600;
    config->early_open_grace_minutes = 15;
    snprintf(config->centre_region, sizeof config->centre_region, "FR");
    snprintf(config->centre_timezone, sizeof config->centre_timezone, "Europe/Paris");
    config->technical_data_ms = 24LL * 3600 * 1000;
    /* The 30 s: long enough for a panel on a slow link to log in
     * and answer, short enough that an operator is not left waiting. */
    config->panel_command_timeout_s = 30;
    /* The French emergency numbers: 17 police and gendarmerie, 18 fire
     * brigade, 15 SAMU; a centre sets its local stations' direct lines. */
    static const char *const phones[CONFIG_AGENCIES] = {"17", "17", "18", "15"};
    for (int i = 0; i < CONFIG_AGENCIES; i++)
        snprintf(config->agencies[i].phone, sizeof config->agencies[i].phone, "%s", phones[i]);
    /* Within a minute of waits (1+2+4+8+16 s) an undeliverable escalation
     * is failed and the operator told to phone. */
    config->escalation_attempts_max = 6;
    config->escalation_deadline_s = 300;
    config->outbox_backoff_first_ms = 1000;
    config->outbox_backoff_max_ms = 30000;
    config->outbox_concurrency = 8;
    config->outbox_timeout_s = 10;
    /* Mass alerts: a reply link that works on this machine; a centre sets
     * its public address. SMS at 100/s is one typical bulk account; a
     * handful of SIP calls at once fits a small trunk. */
    snprintf(config->public_url, sizeof config->public_url, "http://127.0.0.1:8080");
    config->sms_rate = 100;
    config->voice_calls = 4;
    /* Voice: the usual RTP range; 30 s of ringing is about when a
     * network's own no-answer timer would end the call anyway; 8 s after
     * the message is time to find key 1. */
    config->sip_rtp_port_min = 16384;
    config->sip_rtp_port_max = 32767;
    config->voice_ring_timeout_s = 30;
    config->voice_key_wait_s = 8;
    /* A mail server is reached over TLS unless the centre says otherwise. */
    snprintf(config->smtp_starttls, sizeof config->smtp_starttls, "required");
}

static bool parse_long(const char *value, long long min, long long max, long long *out)
{
    char *end = NULL;
    errno = 0;
    long long number = strtoll(value, &end, 10);
    if (errno || end == value || *end != '\0' || number < min || number > max)
        return false;
    *out = number;
    return true;
}

struct number_setting {
    const char *key;
    long long min, max, scale;
    size_t offset;
    size_t size;
};

#define NUMBER(key, min, max, scale, field)                                                        \
    {                                                                                              \
        key, min, max, scale, offsetof(struct server_config, field),                               \
            sizeof(((struct server_config *)0)->field)                                             \
    }

static const struct number_setting number_settings[] = {
    NUMBER("http_threads", 1, 64, 1, http_threads),
    NUMBER("max_body_bytes", 1024, 16 * 1024 * 1024, 1, max_body_bytes),
    NUMBER("session_hours", 1, 24 * 30, 3600 * 1000, session_ttl_ms),
    NUMBER("claim_lease_seconds", 1, 3600, 1000, claim_lease_ms),
    NUMBER("heartbeat_ms", 100, 60000, 1, heartbeat_ms),
    NUMBER("event_retention", 10, 100000000, 1, event_retention),
    NUMBER("argon2_memory_kib", 8, 4 * 1024 * 1024, 1, argon2_memory_kib),
    NUMBER("argon2_iterations", 1, 100, 1, argon2_iterations),
    NUMBER("dc09_max_connections", 1, 100000, 1, dc09_max_connections),
    NUMBER("dc09_idle_timeout_s", 1, 86400, 1, dc09_idle_timeout_s),
    NUMBER("dc09_partial_timeout_s", 1, 3600, 1, dc09_partial_timeout_s),
    NUMBER("dc09_bad_frames_max", 1, 1000, 1, dc09_bad_frames_max),
    NUMBER("dc09_dedup_window_s", 1, 86400, 1, dc09_dedup_window_s),
    NUMBER("early_open_grace_minutes", 0, 720, 1, early_open_grace_minutes),
    NUMBER("technical_data_hours", 1, 24 * 366, 3600 * 1000, technical_data_ms),
    NUMBER("technical_data_seconds", 1, 366 * 86400, 1000, technical_data_ms),
    NUMBER("escalation_attempts_max", 1, 100, 1, escalation_attempts_max),
    NUMBER("escalation_deadline_seconds", 10, 86400, 1, escalation_deadline_s),
    NUMBER("outbox_backoff_first_ms", 10, 600000, 1, outbox_backoff_first_ms),
    NUMBER("outbox_backoff_max_ms", 10, 3600000, 1, outbox_backoff_max_ms),
    NUMBER("outbox_concurrency", 1, 256, 1, outbox_concurrency),
    NUMBER("outbox_timeout_seconds", 1, 300, 1, outbox_timeout_s),
    NUMBER("panel_command_timeout_s", 1, 600, 1, panel_command_timeout_s),
    NUMBER("sms_rate", 0, 100000, 1, sms_rate),
    NUMBER("email_rate", 0, 100000, 1, email_rate),
    NUMBER("push_rate", 0, 100000, 1, push_rate),
    NUMBER("voice_calls", 1, 1000, 1, voice_calls),
    NUMBER("push_enrol_from_reply_page", 0, 1, 1, push_enrol_from_reply_page),
    NUMBER("sip_rtp_port_min", 1024, 65534, 1, sip_rtp_port_min),
    NUMBER("sip_rtp_port_max", 1025, 65535, 1, sip_rtp_port_max),
    NUMBER("voice_ring_timeout_seconds", 5, 300, 1, voice_ring_timeout_s),
    NUMBER("voice_key_wait_seconds", 1, 120, 1, voice_key_wait_s),
};

static void store_number(struct server_config *config, const struct number_setting *setting,
                         long long value)
{
    char *field = (char *)config + setting->offset;
    long long scaled = value * setting->scale;
    if (setting->size == sizeof(int64_t)) {
        int64_t v = scaled;
        memcpy(field, &v, sizeof v);
    } else if (setting->size == sizeof(uint32_t)) {
        uint32_t v = (uint32_t)scaled;
        memcpy(field, &v, sizeof v);
    }
}

bool config_set(struct server_config *config, const char *key, const char *value, char *error,
                size_t error_size)
{
    struct {
        const char *key;
        char *field;
        size_t size;
    } texts[] = {
        {"db", config->db_path, sizeof config->db_path},
        {"listen", config->listen, sizeof config->listen},
        {"node_name", config->node_name, sizeof config->node_name},
        {"dc09_listen", config->dc09_listen, sizeof config->dc09_listen},
        {"tls_cert", config->tls_cert, sizeof config->tls_cert},
        {"tls_key", config->tls_key, sizeof config->tls_key},
        {"events_file", config->events_file, sizeof config->events_file},
        {"event_labels", config->event_labels, sizeof config->event_labels},
        {"centre_region", config->centre_region, sizeof config->centre_region},
        {"centre_timezone", config->centre_timezone, sizeof config->centre_timezone},
        {"escalation_sender", config->escalation_sender, sizeof config->escalation_sender},
        {"escalation_contact", config->escalation_contact, sizeof config->escalation_contact},
        {"outbox_ca_file", config->outbox_ca_file, sizeof config->outbox_ca_file},
        {"public_url", config->public_url, sizeof config->public_url},
        {"sms_gateway_url", config->sms_gateway_url, sizeof config->sms_gateway_url},
        {"sms_username", config->sms_username, sizeof config->sms_username},
        {"sms_password", config->sms_password, sizeof config->sms_password},
        {"sms_from", config->sms_from, sizeof config->sms_from},
        {"sms_callback_url", config->sms_callback_url, sizeof config->sms_callback_url},
        {"kannel_secret", config->kannel_secret, sizeof config->kannel_secret},
        {"webpush_vapid_key", config->webpush_vapid_key, sizeof config->webpush_vapid_key},
        {"webpush_subject", config->webpush_subject, sizeof config->webpush_subject},
        {"webpush_ca_file", config->webpush_ca_file, sizeof config->webpush_ca_file},
        {"smtp_url", config->smtp_url, sizeof config->smtp_url},
        {"smtp_username", config->smtp_username, sizeof config->smtp_username},
        {"smtp_password", config->smtp_password, sizeof config->smtp_password},
        {"smtp_from", config->smtp_from, sizeof config->smtp_from},
        {"smtp_starttls", config->smtp_starttls, sizeof config->smtp_starttls},
        {"mail_reply_domain", config->mail_reply_domain, sizeof config->mail_reply_domain},
        {"mail_reply_secret", config->mail_reply_secret, sizeof config->mail_reply_secret},
        {"sip_uri", config->sip_uri, sizeof config->sip_uri},
        {"sip_proxy", config->sip_proxy, sizeof config->sip_proxy},
        {"sip_from", config->sip_from, sizeof config->sip_from},
        {"sip_username", config->sip_username, sizeof config->sip_username},
        {"sip_password", config->sip_password, sizeof config->sip_password},
        {"sip_listen", config->sip_listen, sizeof config->sip_listen},
#define AGENCY_TEXTS(name, index)                                                                  \
    {"escalation_" name "_cap_url", config->agencies[index].cap_urls, CONFIG_TEXT_MAX},            \
        {"escalation_" name "_json_url", config->agencies[index].json_urls, CONFIG_TEXT_MAX},      \
        {"escalation_" name "_phone", config->agencies[index].phone, CONFIG_PHONE_SIZE}
        AGENCY_TEXTS("police", 0),
        AGENCY_TEXTS("gendarmerie", 1),
        AGENCY_TEXTS("fire", 2),
        AGENCY_TEXTS("medical", 3),
#undef AGENCY_TEXTS
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        if (strcmp(key, texts[i].key) != 0)
            continue;
        if (strlen(value) >= texts[i].size || value[0] == '\0') {
            snprintf(error, error_size, "%s: value is empty or too long", key);
            return false;
        }
        snprintf(texts[i].field, texts[i].size, "%s", value);
        return true;
    }
    for (size_t i = 0; i < sizeof number_settings / sizeof number_settings[0]; i++) {
        const struct number_setting *setting = &number_settings[i];
        if (strcmp(key, setting->key) != 0)
            continue;
        long long number;
        if (!parse_long(value, setting->min, setting->max, &number)) {
            snprintf(error, error_size, "%s: expected a whole number from %lld to %lld", key,
                     setting->min, setting->max);
            return false;
        }
        store_number(config, setting, number);
        return true;
    }
    snprintf(error, error_size, "unknown setting \"%s\"", key);
    return false;
}

static char *trim(char *text)
{
    while (isspace((unsigned char)*text))
        text++;
    size_t length = strlen(text);
    while (length > 0 && isspace((unsigned char)text[length - 1]))
        text[--length] = '\0';
    return text;
}

bool config_load_file(struct server_config *config, const char *path, char *error,
                      size_t error_size)
{
    FILE *file = fopen(path, "r");
    if (!file) {
        snprintf(error, error_size, "%s: %s", path, strerror(errno));
        return false;
    }
    char line[1024], why[256];
    int number = 0;
    bool ok = true;
    while (ok && fgets(line, sizeof line, file)) {
        number++;
        char *text = trim(line);
        if (*text == '\0' || *text == '#')
            continue;
        char *equals = strchr(text, '=');
        if (!equals) {
            snprintf(error, error_size, "%s:%d: expected \"key = value\"", path, number);
            ok = false;
            break;
        }
        *equals = '\0';
        if (!config_set(config, trim(text), trim(equals + 1), why, sizeof why)) {
            snprintf(error, error_size, "%s:%d: %s", path, number, why);
            ok = false;
        }
    }
    fclose(file);
    return ok;
}

/* Gateway URLs are http(s), a handful per list; the CAP sender holds no
 * space, comma, '<' or '&' (CAP 1.2). */
static bool config_validate_escalation(const struct server_config *config, char *error,
                                       size_t error_size)
{
    static const char *const names[CONFIG_AGENCIES] = {"police", "gendarmerie", "fire", "medical"};
    for (int i = 0; i < CONFIG_AGENCIES; i++) {
        const char *lists[2] = {config->agencies[i].cap_urls, config->agencies[i].json_urls};
        for (int l = 0; l < 2; l++) {
            char copy[CONFIG_TEXT_MAX], *save = NULL;
            snprintf(copy, sizeof copy, "%s", lists[l]);
            int count = 0;
            for (char *url = strtok_r(copy, " \t", &save); url;
                 url = strtok_r(NULL, " \t", &save)) {
                if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
                    snprintf(error, error_size,
                             "escalation_%s_%s_url: \"%.200s\" is not an http:// or https:// URL",
                             names[i], l == 0 ? "cap" : "json", url);
                    return false;
                }
                if (++count > CONFIG_URLS_MAX) {
                    snprintf(error, error_size, "escalation_%s_%s_url: at most %d URLs", names[i],
                             l == 0 ? "cap" : "json", CONFIG_URLS_MAX);
                    return false;
                }
            }
        }
    }
    if (strpbrk(config->escalation_sender, " \t,<&")) {
        snprintf(error, error_size,
                 "escalation_sender may not hold a space, a comma, '<' or '&' (CAP 1.2)");
        return false;
    }
    if (config->outbox_backoff_max_ms < config->outbox_backoff_first_ms) {
        snprintf(error, error_size,
                 "outbox_backoff_max_ms must be at least outbox_backoff_first_ms");
        return false;
    }
    return true;
}

/* The e-mail connector's settings: an smtp(s):// URL, a STARTTLS policy
 * it knows, and a reply domain only with a secret long enough that the
 * agents' reply addresses cannot be forged. */
static bool config_validate_mail(const struct server_config *config, char *error, size_t error_size)
{
    if (config->smtp_url[0] && strncmp(config->smtp_url, "smtp://", 7) != 0 &&
        strncmp(config->smtp_url, "smtps://", 8) != 0) {
        snprintf(error, error_size, "smtp_url: \"%.200s\" is not an smtp:// or smtps:// URL",
                 config->smtp_url);
        return false;
    }
    if (strcmp(config->smtp_starttls, "required") != 0 &&
        strcmp(config->smtp_starttls, "try") != 0 && strcmp(config->smtp_starttls, "off") != 0) {
        snprintf(error, error_size, "smtp_starttls is \"required\", \"try\" or \"off\", not \"%s\"",
                 config->smtp_starttls);
        return false;
    }
    if (config->mail_reply_domain[0] && strlen(config->mail_reply_secret) < MAIL_REPLY_SECRET_MIN) {
        snprintf(error, error_size,
                 "mail_reply_domain needs mail_reply_secret of at least %d characters: it "
                 "signs each agent's reply address",
                 MAIL_REPLY_SECRET_MIN);
        return false;
    }
    char address[SMTP_ADDRESS_MAX + 1];
    if (config->smtp_from[0] && !smtp_address_of(config->smtp_from, address, sizeof address)) {
        snprintf(error, error_size,
                 "smtp_from is an address, or \"Name <address>\", not \"%.200s\"",
                 config->smtp_from);
        return false;
    }
    if (strpbrk(config->mail_reply_domain, " \t<>@\"")) {
        snprintf(error, error_size, "mail_reply_domain is a domain such as alerts.example.org");
        return false;
    }
    return true;
}

bool config_validate(const struct server_config *config, char *error, size_t error_size)
{
    if (config->heartbeat_ms * 2 > config->claim_lease_ms) {
        snprintf(error, error_size,
                 "heartbeat_ms (%lld) must be at most half of claim_lease_seconds (%lld ms): "
                 "each heartbeat renews the claims of an open console",
                 (long long)config->heartbeat_ms, (long long)config->claim_lease_ms);
        return false;
    }
    if (strcmp(config->event_labels, "en") != 0 && strcmp(config->event_labels, "fr") != 0) {
        snprintf(error, error_size, "event_labels is \"en\" or \"fr\", not \"%s\"",
                 config->event_labels);
        return false;
    }
    if (strlen(config->centre_region) != 2 || !isupper((unsigned char)config->centre_region[0]) ||
        !isupper((unsigned char)config->centre_region[1])) {
        snprintf(error, error_size, "centre_region is a country code such as FR or BE, not \"%s\"",
                 config->centre_region);
        return false;
    }
    char why[SCHEDULE_ERROR_MAX];
    int weekday, minute;
    if (!schedule_local_time(config->centre_timezone, 0, &weekday, &minute, why, sizeof why)) {
        snprintf(error, error_size, "centre_timezone: %s", why);
        return false;
    }
    if (config->webpush_vapid_key[0] && !config->webpush_subject[0]) {
        snprintf(error, error_size, "%s",
                 "webpush_subject is needed with webpush_vapid_key: push services ask for a "
                 "contact (mailto: or https:)");
        return false;
    }
    if (config->webpush_subject[0] &&
        !webpush_vapid_subject_check(config->webpush_subject, why, sizeof why)) {
        snprintf(error, error_size, "webpush_subject: %s", why);
        return false;
    }
    if (config->sip_uri[0] && !voice_uri_check(config->sip_uri, error, error_size))
        return false;
    if (config->sip_rtp_port_min >= config->sip_rtp_port_max) {
        snprintf(error, error_size, "%s", "sip_rtp_port_min must be below sip_rtp_port_max");
        return false;
    }
    if (!config_validate_mail(config, error, error_size))
        return false;
    return config_validate_escalation(config, error, error_size);
}
