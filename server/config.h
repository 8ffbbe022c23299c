/* config.h: vigied's settings, from defaults, then a config file of
 * "key = value" lines, then the command line. A bad line is reported with
 * the file name and line number. */
#ifndef VIGIE_SERVER_CONFIG_H
#define VIGIE_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_TEXT_MAX 512
/* Agencies an alarm can be escalated to (enum cap_agency), gateway URLs
 * per list (a main and a backup gateway, with room), digits of a phone. */
#define CONFIG_AGENCIES   4
#define CONFIG_URLS_MAX   4
#define CONFIG_PHONE_SIZE 48

struct server_config {
    char db_path[CONFIG_TEXT_MAX];
    char listen[CONFIG_TEXT_MAX]; /* HOST:PORT */
    char node_name[64];
    int http_threads;
    size_t max_body_bytes;
    int64_t session_ttl_ms;
    int64_t claim_lease_ms;
    int64_t heartbeat_ms;
    int64_t event_retention; /* events kept for stream resume */
    uint32_t argon2_memory_kib;
    uint32_t argon2_iterations;
    /* SIA DC-09 receiver (TCP and UDP on one port; empty: off). */
    char dc09_listen[CONFIG_TEXT_MAX];
    /* PEM files: with both, the HTTP listener (API, device ingest) is
     * HTTPS only. */
    char tls_cert[CONFIG_TEXT_MAX];
    char tls_key[CONFIG_TEXT_MAX];
    char events_file[CONFIG_TEXT_MAX]; /* empty: the installed events.tsv */
    char event_labels[8];              /* "en" or "fr": the language of stored labels */
    int dc09_max_connections;
    int dc09_idle_timeout_s;    /* a connection that sends nothing this long is closed */
    int dc09_partial_timeout_s; /* a frame begun and not finished this long: closed */
    int dc09_bad_frames_max;    /* consecutive bad frames before the connection is closed */
    int dc09_dedup_window_s;    /* a repeat within it is a retransmission */
    int early_open_grace_minutes;
    /* The centre's country (ISO 3166 alpha-2), in which national phone
     * numbers are read, and its time zone, for sites that name none. */
    char centre_region[8];
    char centre_timezone[64];
    /* Protection phones' technical data (positions, battery, raw message)
     * is erased this long after capture: technical_data_hours (24), or
     * technical_data_seconds for tests. */
    int64_t technical_data_ms;
    /* Escalation to the emergency services: per agency (in the order of
     * enum cap_agency: police, gendarmerie, fire, medical) the gateway
     * URLs that receive the CAP alert and those that receive the JSON
     * document (each a space-separated list), and the number the operator
     * must phone when delivery fails. */
    struct config_agency {
        char cap_urls[CONFIG_TEXT_MAX];
        char json_urls[CONFIG_TEXT_MAX];
        char phone[CONFIG_PHONE_SIZE];
    } agencies[CONFIG_AGENCIES];
    char escalation_sender[128];  /* CAP <sender>; empty: vigie@NODE_NAME */
    char escalation_contact[160]; /* CAP <contact>: whom the services call back */
    int escalation_attempts_max;  /* attempts per message before it fails */
    int escalation_deadline_s;    /* no attempt starts later than this after escalating */
    /* The outbox's delivery worker: retries wait backoff_first, doubling up
     * to backoff_max; at most `concurrency` transfers at once, each bounded
     * by timeout; gateways' certificates are checked against the system's
     * CAs, or ca_file's. */
    int outbox_backoff_first_ms;
    int outbox_backoff_max_ms;
    int outbox_concurrency;
    int outbox_timeout_s;
    char outbox_ca_file[CONFIG_TEXT_MAX];
    /* A panel command with no verdict this long after the operator asked
     * is timed out (panel_command_timeout_s; short in tests). */
    int panel_command_timeout_s;
    /* Mass alert: the base of the agents' reply links (<public_url>/r/<token>). */
    char public_url[CONFIG_TEXT_MAX];
    /* Per-channel throttles of the outbox, messages per second per gateway
     * account (0: none), and voice calls at once. */
    int sms_rate, email_rate, push_rate, voice_calls;
    /* 1: an agent's reply page offers to subscribe his phone to Web Push.
     * Off by default: the link is a bearer token, and whoever it was
     * forwarded to would then receive the agent's future alerts. */
    int push_enrol_from_reply_page;
    /* SMS through Kannel: the smsbox's sendsms URL and account, the sender
     * shown, how Kannel reaches vigied (for delivery reports), and the
     * secret that authenticates Kannel's calls (reports are signed with
     * it; the MO service passes it in its URL). */
    char sms_gateway_url[CONFIG_TEXT_MAX];
    char sms_username[128];
    char sms_password[128];
    char sms_from[32];
    char sms_callback_url[CONFIG_TEXT_MAX];
    char kannel_secret[128];
    /* Web Push (mass alerts): the centre's VAPID key (a PEM file, created
     * at first use; empty: push is off), the contact push services see
     * (mailto: or https:), and a CA file for a private push service (empty:
     * the system's CAs, which the public services need). */
    char webpush_vapid_key[CONFIG_TEXT_MAX];
    char webpush_subject[CONFIG_TEXT_MAX];
    char webpush_ca_file[CONFIG_TEXT_MAX];
    /* E-mail (mass alerts): the mail server (smtp://HOST:PORT, STARTTLS
     * required unless smtp_starttls says "try" or "off"; or smtps://), its
     * account, the sender ("Name <address>"), and the Reply-To domain that
     * brings replies back to `vigied mail-in`, with the secret whose HMAC
     * makes each agent's reply address unforgeable. */
    char smtp_url[CONFIG_TEXT_MAX];
    char smtp_username[128];
    char smtp_password[128];
    char smtp_from[256];
    char smtp_starttls[16];
    char mail_reply_domain[128];
    char mail_reply_secret[128];
    /* Voice calls (mass alerts, libre): the SIP URI dialled for a number
     * ("sip:%s@gateway", %s the E.164 number; empty: voice is off), an
     * outbound proxy, our From URI, digest credentials, the local address
     * of SIP over UDP ("IP" or "IP:PORT"), the RTP port range, how long a
     * call may ring, and how long after the message the agent may still
     * press 1. */
    char sip_uri[CONFIG_TEXT_MAX];
    char sip_proxy[CONFIG_TEXT_MAX];
    char sip_from[CONFIG_TEXT_MAX];
    char sip_username[128];
    char sip_password[128];
    char sip_listen[128];
    int sip_rtp_port_min, sip_rtp_port_max;
    int voice_ring_timeout_s;
    int voice_key_wait_s;
};

void config_defaults(struct server_config *config);
/* Reads FILE; returns false and fills `error` ("FILE:LINE: why"). */
bool config_load_file(struct server_config *config, const char *path, char *error,
                      size_t error_size);
/* Checks the settings against each other (a heartbeat slower than half a
 * claim lease would let an open console lose its claims). */
bool config_validate(const struct server_config *config, char *error, size_t error_size);
/* Applies one "key", "value" pair (also used for command-line options). */
bool config_set(struct server_config *config, const char *key, const char *value, char *error,
                size_t error_size);

#endif
