/* harness_devices.c: the demo's device tokens, device messages and signed
 * AML forms for integration tests. The HMAC is computed here with OpenSSL,
 * independently of the server's code, so that a test checks the rule and
 * not the server against itself. */
#include "tests/lib/harness_devices.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The demo has 18 devices; room to spare. */
#define DEMO_TOKENS_MAX 64
/* What `vigied init --demo` prints: a few kilobytes. */
#define DEMO_OUTPUT_MAX (64 * 1024)

struct demo_tokens {
    int count;
    char uid[DEMO_TOKENS_MAX][32];
    char token[DEMO_TOKENS_MAX][72];
};

static void release(void *pointer)
{
    free(pointer);
}

static void release_json(void *json)
{
    cJSON_Delete(json);
}

/* Reads "UID KIND TOKEN" lines: the ones whose kind is a device kind. */
static void read_tokens(const char *output, struct demo_tokens *tokens)
{
    for (const char *line = output; *line && tokens->count < DEMO_TOKENS_MAX;) {
        const char *end = strchrnul(line, '\n');
        char uid[32], kind[32], token[72];
        if (sscanf(line, "%31s %31s %71s", uid, kind, token) == 3 &&
            (strcmp(kind, "protection-phone") == 0 || strcmp(kind, "lone-worker") == 0)) {
            snprintf(tokens->uid[tokens->count], sizeof tokens->uid[0], "%s", uid);
            snprintf(tokens->token[tokens->count], sizeof tokens->token[0], "%s", token);
            tokens->count++;
        }
        line = *end ? end + 1 : end;
    }
}

struct demo_tokens *world_load_demo(struct world *world)
{
    char *output = calloc(1, DEMO_OUTPUT_MAX);
    struct demo_tokens *tokens = calloc(1, sizeof *tokens);
    if (!output || !tokens) {
        free(output);
        free(tokens);
        return NULL;
    }
    int status =
        world_run(world, NULL, output, DEMO_OUTPUT_MAX, "init", "--db", world->db, "--demo",
                  "--set", "argon2_memory_kib=8", "--set", "argon2_iterations=1", NULL);
    if (status == 0)
        read_tokens(output, tokens);
    if (status != 0 || tokens->count == 0) {
        fprintf(stderr, "# vigied init --demo failed (%d): %.500s\n", status, output);
        free(output);
        free(tokens);
        return NULL;
    }
    free(output);
    return world_keep(world, tokens, release);
}

const char *demo_token(const struct demo_tokens *tokens, const char *uid)
{
    for (int i = 0; tokens && i < tokens->count; i++)
        if (strcmp(tokens->uid[i], uid) == 0)
            return tokens->token[i];
    return NULL;
}

bool device_send(struct world *world, const char *token, const char *json, struct http_reply *reply)
{
    return http_send(world, "POST", "/v1/ingest/device", token, json, strlen(json), false, reply);
}

static size_t on_body(char *data, size_t size, size_t count, void *closure)
{
    char **text = closure;
    size_t old = *text ? strlen(*text) : 0, length = size * count;
    char *grown = realloc(*text, old + length + 1);
    if (!grown)
        return 0;
    memcpy(grown + old, data, length);
    grown[old + length] = '\0';
    *text = grown;
    return length;
}

static bool sign(const char *pairs, const char *key_hex, char out[65])
{
    unsigned char key[64], digest[32];
    size_t key_length = strlen(key_hex) / 2;
    if (key_length > sizeof key)
        return false;
    for (size_t i = 0; i < key_length; i++) {
        unsigned byte = 0;
        if (sscanf(key_hex + 2 * i, "%2x", &byte) != 1)
            return false;
        key[i] = (unsigned char)byte;
    }
    unsigned int length = 0;
    if (!HMAC(EVP_sha256(), key, (int)key_length, (const unsigned char *)pairs, strlen(pairs),
              digest, &length))
        return false;
    for (unsigned i = 0; i < length; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    return true;
}

bool aml_send(struct world *world, const char *pairs, const char *key_hex, struct http_reply *reply)
{
    memset(reply, 0, sizeof *reply);
    reply->body = "";
    size_t size = strlen(pairs) + 80;
    char *body = malloc(size), hmac[65];
    if (!body)
        return false;
    if (key_hex && !sign(pairs, key_hex, hmac)) {
        free(body);
        return false;
    }
    snprintf(body, size, "%s%s%s", pairs, key_hex ? "&hmac=" : "", key_hex ? hmac : "");
    CURL *curl = curl_easy_init();
    char url[256], *answer = NULL;
    snprintf(url, sizeof url, "%s/v1/ingest/device", world->base_url);
    struct curl_slist *headers =
        curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
    headers = curl_slist_append(headers, "Expect:");
    bool sent = false;
    if (curl) {
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)HTTP_TIMEOUT_MS);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        sent = curl_easy_perform(curl) == CURLE_OK;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);
        curl_easy_cleanup(curl);
    }
    curl_slist_free_all(headers);
    free(body);
    if (answer) {
        world_keep(world, answer, release);
        reply->body = answer;
        reply->body_size = strlen(answer);
        reply->json = cJSON_Parse(answer);
        if (reply->json)
            world_keep(world, reply->json, release_json);
    }
    return sent;
}
