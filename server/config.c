/* config.c: vigied settings. Defaults follow what a production centre
 * needs (OWASP's Argon2id floor, a 12-hour shift session, a 30-second
 * claim lease); tests lower the costs through a config file. */
#include "server/config.h"

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
