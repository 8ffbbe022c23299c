/* dc09_decode.c: from a DC-09 frame to the events the centre records. */
#include "server/dc09_decode.h"
#include "server/contact_id.h"
#include "server/sia_dcs.h"
#include "server/text_fast.h"
#include "common/i18n.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* SHA-256 fetched once: OpenSSL 3 otherwise looks the algorithm up again
 * on every EVP_DigestInit_ex with EVP_sha256(), a cost paid per frame. */
static EVP_MD *digest_md;
static pthread_once_t digest_once = PTHREAD_ONCE_INIT;

static void digest_fetch(void)
{
    digest_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* One context per thread that digests (the receiver's), reused: a frame
 * costs a reset, not an allocation. Freed when the thread ends. */
static pthread_key_t context_key;
static pthread_once_t context_once = PTHREAD_ONCE_INIT;

static void context_free(void *context)
{
    EVP_MD_CTX_free(context);
}

static void context_key_create(void)
{
    pthread_key_create(&context_key, context_free);
}

static EVP_MD_CTX *thread_context(void)
{
    pthread_once(&context_once, context_key_create);
    EVP_MD_CTX *context = pthread_getspecific(context_key);
    if (!context) {
        context = EVP_MD_CTX_new();
        if (context && pthread_setspecific(context_key, context) != 0) {
            EVP_MD_CTX_free(context);
            context = NULL;
        }
    }
    return context;
}

void dc09_digest(const struct dc09_frame *frame, char out[INGEST_DIGEST_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    pthread_once(&digest_once, digest_fetch);
    EVP_MD_CTX *context = digest_md ? thread_context() : NULL;
    bool ok = context && EVP_DigestInit_ex2(context, digest_md, NULL) == 1 &&
              EVP_DigestUpdate(context, frame->token_text, strlen(frame->token_text)) == 1 &&
              EVP_DigestUpdate(context, "|", 1) == 1 &&
              EVP_DigestUpdate(context, frame->data, strlen(frame->data)) == 1 &&
              EVP_DigestUpdate(context, "|", 1) == 1 &&
              EVP_DigestUpdate(context, frame->extended, strlen(frame->extended)) == 1 &&
              EVP_DigestFinal_ex(context, digest, &length) == 1;
    if (!ok || 2 * length + 1 > INGEST_DIGEST_SIZE) {
        /* Without a digest every message counts as new: stored, never lost. */
        snprintf(out, INGEST_DIGEST_SIZE, "undigested");
        return;
    }
    for (unsigned int i = 0; i < length; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 0xf];
    }
    out[2 * length] = '\0';
}

static void copy_result(const struct event_code_result *result, enum label_language language,
                        struct ingest_event *event)
{
    text_copy(event->class_name, sizeof event->class_name, result->class_name);
    text_copy(event->label, sizeof event->label,
              language == LABEL_FRENCH ? result->label_fr : result->label_en);
    event->priority = result->priority;
    event->disposition = result->disposition;
}

static void unreadable_event(const char *why, struct ingest_event *event)
{
    snprintf(event->event_code, sizeof event->event_code, "?");
    snprintf(event->class_name, sizeof event->class_name, "unknown");
    snprintf(event->label, sizeof event->label, _("Unreadable event data: %s"), why);
    event->priority = EVENT_UNKNOWN_PRIORITY;
    event->zone = -1;
    event->disposition = EVENT_DISPOSITION_ALARM;
}

static int decode_contact_id(const struct dc09_frame *frame, const struct event_code_table *codes,
                             enum label_language language, struct ingest_message *message)
{
    struct contact_id_event cid;
    char why[160];
    struct ingest_event *event = &message->events[0];
    if (!contact_id_parse_block(frame->data, strlen(frame->data), &cid, why, sizeof why)) {
        unreadable_event(why, event);
        return 1;
    }
    struct event_code_result result;
    event_codes_lookup(codes, EVENT_FORMAT_CID, cid.code, cid.qualifier, &result);
    copy_result(&result, language, event);
    /* The qualifier (1, 3 or 6) and the code: "1130". */
    event->event_code[0] = (char)('0' + cid.qualifier % 10);
    text_copy(event->event_code + 1, sizeof event->event_code - 1, cid.code);
    event->zone = cid.zone_or_user;
    return 1;
}

static int decode_sia(const struct dc09_frame *frame, const struct event_code_table *codes,
                      enum label_language language, struct ingest_message *message)
{
    struct sia_block block;
    char why[160];
    if (!sia_dcs_parse(frame->data, strlen(frame->data), &block, why, sizeof why)) {
        unreadable_event(why, &message->events[0]);
        return 1;
    }
    size_t count = block.count < INGEST_EVENTS_MAX ? block.count : INGEST_EVENTS_MAX;
    for (size_t i = 0; i < count; i++) {
        struct event_code_result result;
        struct ingest_event *event = &message->events[i];
        event_codes_lookup(codes, EVENT_FORMAT_SIA, block.events[i].code, 1, &result);
        copy_result(&result, language, event);
        text_copy(event->event_code, sizeof event->event_code, block.events[i].code);
        event->zone = block.events[i].zone;
    }
    return (int)count;
}

int dc09_decode(const struct dc09_frame *frame, const uint8_t *raw, size_t raw_length,
                const struct event_code_table *codes, enum label_language language,
                struct ingest_message *message)
{
    text_copy(message->source, sizeof message->source, "dc09");
    text_copy(message->account, sizeof message->account, frame->account);
    message->seq = frame->seq;
    size_t copied = raw_length < sizeof message->raw - 1 ? raw_length : sizeof message->raw - 1;
    /* The raw frame without its LF and CR, as an administrator reads it. */
    size_t start = copied > 0 && raw[0] == '\n' ? 1 : 0;
    size_t end = copied > start && raw[copied - 1] == '\r' ? copied - 1 : copied;
    memcpy(message->raw, raw + start, end - start);
    message->raw[end - start] = '\0';
    for (size_t i = 0; i < end - start; i++)
        if ((unsigned char)message->raw[i] < 0x20 || (unsigned char)message->raw[i] == 0x7f)
            message->raw[i] = '.'; /* binary CRC bytes: keep the text readable */
    dc09_digest(frame, message->digest);
    message->supervision_only = frame->token == DC09_NULL;
    if (message->supervision_only)
        message->event_count = 0;
    else if (frame->token == DC09_ADM_CID)
        message->event_count = decode_contact_id(frame, codes, language, message);
    else
        message->event_count = decode_sia(frame, codes, language, message);
    return message->event_count;
}
