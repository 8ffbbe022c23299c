/* voice_cache.c: spoken messages, cached and synthesized off the calls'
 * thread (see voice_cache.h). The synthesis thread only reads a job's
 * language and text and writes its audio, failure and error; the calls'
 * thread reads those only after the "ready" message that follows them
 * through libre's message queue (a pipe: the writes happen before). */
#include "server/voice_cache.h"
#include "server/voice_re.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct voice_cache {
    voice_cache_ready *ready;
    void *context;
    struct mqueue *mqueue;
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t lock; /* the job queue and `stopping` */
    pthread_cond_t wake;
    bool stopping;
    struct voice_spoken *jobs, *jobs_tail;
    /* The calls' thread's own. */
    struct voice_spoken *all; /* every message alive */
    struct voice_spoken *cache[VOICE_CACHE_MAX];
    unsigned long clock;
};

static void spoken_free(struct voice_cache *cache, struct voice_spoken *spoken)
{
    for (struct voice_spoken **p = &cache->all; *p; p = &(*p)->next_all) {
        if (*p == spoken) {
            *p = spoken->next_all;
            break;
        }
    }
    voice_audio_free(&spoken->audio);
    free(spoken);
}

void voice_cache_release(struct voice_cache *cache, struct voice_spoken *spoken)
{
    if (!spoken)
        return;
    spoken->users--;
    if (spoken->users <= 0 && !spoken->cached)
        spoken_free(cache, spoken);
}

/* ---- the synthesis thread ---- */

static void *speak_main(void *argument)
{
    struct voice_cache *cache = argument;
    pthread_mutex_lock(&cache->lock);
    while (!cache->stopping) {
        struct voice_spoken *job = cache->jobs;
        if (!job) {
            pthread_cond_wait(&cache->wake, &cache->lock);
            continue;
        }
        cache->jobs = job->next_job;
        if (!cache->jobs)
            cache->jobs_tail = NULL;
        pthread_mutex_unlock(&cache->lock);
        job->failed = !voice_speech_render(job->language, job->text, &job->audio, job->error,
                                           sizeof job->error);
        mqueue_push(cache->mqueue, 0, job);
        pthread_mutex_lock(&cache->lock);
    }
    pthread_mutex_unlock(&cache->lock);
    return NULL;
}

/* In the calls' thread: a message is ready; the synthesis lets it go. */
static void on_ready(int id, void *data, void *arg)
{
    (void)id;
    struct voice_cache *cache = arg;
    struct voice_spoken *spoken = data;
    spoken->ready = true;
    cache->ready(cache->context, spoken);
    voice_cache_release(cache, spoken);
}

/* ---- the cache ---- */

/* Makes room for one more entry: forgets the least recently used one
 * (the calls playing it keep it until they end). */
static int free_index(struct voice_cache *cache)
{
    int oldest = 0;
    for (int i = 0; i < VOICE_CACHE_MAX; i++) {
        if (!cache->cache[i])
            return i;
        if (cache->cache[i]->used < cache->cache[oldest]->used)
            oldest = i;
    }
    struct voice_spoken *dropped = cache->cache[oldest];
    cache->cache[oldest] = NULL;
    dropped->cached = false;
    if (dropped->users <= 0)
        spoken_free(cache, dropped);
    return oldest;
}

struct voice_spoken *voice_cache_get(struct voice_cache *cache, const char *language,
                                     const char *body, char *error, size_t error_size)
{
    char text[VOICE_TEXT_MAX + 1];
    voice_speech_text(body, text, sizeof text);
    for (int i = 0; i < VOICE_CACHE_MAX; i++) {
        struct voice_spoken *s = cache->cache[i];
        if (s && strcmp(s->language, language) == 0 && strcmp(s->text, text) == 0) {
            s->used = ++cache->clock;
            s->users++;
            return s;
        }
    }
    if (!text[0]) {
        snprintf(error, error_size, "%s", "the message has nothing to say");
        return NULL;
    }
    struct voice_spoken *spoken = calloc(1, sizeof *spoken);
    if (!spoken) {
        snprintf(error, error_size, "%s", "out of memory");
        return NULL;
    }
    snprintf(spoken->language, sizeof spoken->language, "%s", language);
    snprintf(spoken->text, sizeof spoken->text, "%s", text);
    spoken->users = 2; /* the caller, and the synthesis until it is ready */
    spoken->cached = true;
    spoken->used = ++cache->clock;
    spoken->next_all = cache->all;
    cache->all = spoken;
    cache->cache[free_index(cache)] = spoken;
    pthread_mutex_lock(&cache->lock);
    if (cache->jobs_tail)
        cache->jobs_tail->next_job = spoken;
    else
        cache->jobs = spoken;
    cache->jobs_tail = spoken;
    pthread_cond_signal(&cache->wake);
    pthread_mutex_unlock(&cache->lock);
    return spoken;
}

struct voice_cache *voice_cache_open(voice_cache_ready *ready, void *context, char *error,
                                     size_t error_size)
{
    struct voice_cache *cache = calloc(1, sizeof *cache);
    if (!cache) {
        snprintf(error, error_size, "%s", "out of memory");
        return NULL;
    }
    cache->ready = ready;
    cache->context = context;
    pthread_mutex_init(&cache->lock, NULL);
    pthread_cond_init(&cache->wake, NULL);
    if (!voice_speech_open(error, error_size)) {
        voice_cache_close(cache);
        return NULL;
    }
    int err = mqueue_alloc(&cache->mqueue, on_ready, cache);
    if (!err)
        err = pthread_create(&cache->thread, NULL, speak_main, cache);
    if (err) {
        snprintf(error, error_size, "cannot start the speech synthesis: %s", strerror(err));
        voice_speech_close();
        voice_cache_close(cache);
        return NULL;
    }
    cache->thread_started = true;
    return cache;
}

void voice_cache_close(struct voice_cache *cache)
{
    if (!cache)
        return;
    if (cache->thread_started) {
        pthread_mutex_lock(&cache->lock);
        cache->stopping = true;
        pthread_cond_signal(&cache->wake);
        pthread_mutex_unlock(&cache->lock);
        pthread_join(cache->thread, NULL);
        voice_speech_close();
    }
    cache->mqueue = mem_deref(cache->mqueue);
    /* Nothing plays any more: every message goes, held or not. */
    while (cache->all) {
        struct voice_spoken *next = cache->all->next_all;
        voice_audio_free(&cache->all->audio);
        free(cache->all);
        cache->all = next;
    }
    pthread_cond_destroy(&cache->wake);
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}
