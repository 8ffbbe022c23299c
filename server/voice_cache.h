/* voice_cache.h: the spoken messages of the voice calls, synthesized once
 * per alert (the calls of one alert differ only by the reply link, which
 * is not spoken) and off the calls' thread: espeak-ng takes about a
 * second, during which the calls in progress must go on streaming. A
 * thread of its own synthesizes one message at a time (espeak-ng keeps
 * global state) and tells the calls' thread when it is ready.
 *
 * Every function but the synthesis runs in the calls' thread (libre's
 * loop), whose message queue carries the "ready" news. */
#ifndef VIGIE_VOICE_CACHE_H
#define VIGIE_VOICE_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "server/voice_speech.h"

/* Spoken messages kept: one per alert in progress; a few alerts at once
 * is already an exceptional day. Each is at most VOICE_AUDIO_MAX_S. */
#define VOICE_CACHE_MAX     4
#define VOICE_LANGUAGE_SIZE 8
#define VOICE_ERROR_SIZE    256

struct voice_spoken {
    bool ready;  /* synthesized: `audio` or `error` holds the result */
    bool failed; /* could not be spoken: `error` says why */
    struct voice_audio audio;
    char error[VOICE_ERROR_SIZE];
    /* The cache's own. */
    char language[VOICE_LANGUAGE_SIZE];
    char text[VOICE_TEXT_MAX + 1];
    int users;          /* calls and the synthesis holding it */
    bool cached;        /* still findable (else freed by its last user) */
    unsigned long used; /* for least-recently-used eviction */
    struct voice_spoken *next_job, *next_all;
};

struct voice_cache;
/* Called in the calls' thread when a message became ready (or failed). */
typedef void voice_cache_ready(void *context, struct voice_spoken *spoken);

/* In the calls' thread, with libre running there. */
struct voice_cache *voice_cache_open(voice_cache_ready *ready, void *context, char *error,
                                     size_t error_size);
/* Stops the synthesis thread and frees every message. */
void voice_cache_close(struct voice_cache *cache);

/* The spoken form of `body` in `language` (held: voice_cache_release),
 * maybe not ready yet; NULL with `error` when there is nothing to say or
 * no memory. */
struct voice_spoken *voice_cache_get(struct voice_cache *cache, const char *language,
                                     const char *body, char *error, size_t error_size);
void voice_cache_release(struct voice_cache *cache, struct voice_spoken *spoken);

#endif
