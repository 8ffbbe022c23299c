/* voice_speech.c: the spoken message (see voice_speech.h). espeak-ng
 * synthesizes at its own rate (22050 Hz); libsamplerate brings that down
 * to the 8 kHz of a call. Every piece is synthesized in one synchronous
 * call whose callback appends to a buffer bounded by VOICE_AUDIO_MAX_S. */
#include "server/voice_speech.h"

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>
#include <samplerate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Speech a little slower than espeak-ng's 175 words a minute: the agent
 * hears it once on a phone, maybe in the street. */
#define VOICE_WORDS_PER_MINUTE 150
/* Silence between the two readings and before the prompt. */
#define VOICE_PAUSE_MS 1200

/* What the call asks for at the end, in the alert's language (not the
 * server's locale, hence not gettext: the agent hears the alert's
 * language). */
static const struct {
    const char *language, *voice, *prompt;
} prompts[] = {
    {"fr", "fr", "Pour confirmer la réception de ce message, appuyez sur la touche 1."},
    {"en", "en", "To acknowledge this message, press 1."},
};

/* Samples at espeak-ng's rate, appended by the synthesis callback. */
struct speech_buffer {
    short *samples;
    size_t count, capacity, limit;
    bool overflow;
};

static int sample_rate;

static int on_samples(short *wav, int count, espeak_EVENT *events);

bool voice_speech_open(char *error, size_t error_size)
{
    espeak_ng_InitializePath(NULL);
    espeak_ng_ERROR_CONTEXT context = NULL;
    espeak_ng_STATUS status = espeak_ng_Initialize(&context);
    if (status == ENS_OK)
        status = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, NULL);
    if (status != ENS_OK) {
        char message[256];
        espeak_ng_GetStatusCodeMessage(status, message, sizeof message);
        snprintf(error, error_size, "espeak-ng: %s", message);
        espeak_ng_ClearErrorContext(&context);
        return false;
    }
    sample_rate = espeak_ng_GetSampleRate();
    espeak_SetSynthCallback(on_samples);
    espeak_SetParameter(espeakRATE, VOICE_WORDS_PER_MINUTE, 0);
    return sample_rate > 0;
}

void voice_speech_close(void)
{
    espeak_ng_Terminate();
}

static bool starts_link(const char *p)
{
    return strncmp(p, "http://", 7) == 0 || strncmp(p, "https://", 8) == 0;
}

void voice_speech_text(const char *message, char *out, size_t out_size)
{
    size_t limit = out_size - 1 < VOICE_TEXT_MAX ? out_size - 1 : VOICE_TEXT_MAX;
    size_t n = 0;
    const char *p = message;
    while (*p && n < limit) {
        if (starts_link(p)) {
            while (*p && *p != ' ' && *p != '\n' && *p != '\t')
                p++;
            continue;
        }
        out[n++] = *p++;
    }
    /* Cut in the middle of a character: drop its first bytes too. */
    if (((unsigned char)*p & 0xC0) == 0x80) {
        while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
            n--;
        if (n > 0)
            n--;
    }
    out[n] = '\0';
}

static int on_samples(short *wav, int count, espeak_EVENT *events)
{
    struct speech_buffer *buffer = events ? events->user_data : NULL;
    if (!buffer || !wav || count <= 0)
        return 0;
    if (buffer->count + (size_t)count > buffer->limit) {
        buffer->overflow = true;
        return 1; /* stop synthesizing */
    }
    if (buffer->count + (size_t)count > buffer->capacity) {
        size_t capacity = buffer->capacity ? buffer->capacity * 2 : (size_t)sample_rate * 4;
        while (capacity < buffer->count + (size_t)count)
            capacity *= 2;
        short *grown = realloc(buffer->samples, capacity * sizeof *grown);
        if (!grown) {
            buffer->overflow = true;
            return 1;
        }
        buffer->samples = grown;
        buffer->capacity = capacity;
    }
    memcpy(buffer->samples + buffer->count, wav, (size_t)count * sizeof *wav);
    buffer->count += (size_t)count;
    return 0;
}

static bool append_silence(struct speech_buffer *buffer, int ms)
{
    size_t count = (size_t)sample_rate * (size_t)ms / 1000;
    short *zeros = calloc(count, sizeof *zeros);
    if (!zeros)
        return false;
    espeak_EVENT event = {.user_data = buffer};
    on_samples(zeros, (int)count, &event);
    free(zeros);
    return !buffer->overflow;
}

static bool speak(struct speech_buffer *buffer, const char *text, char *error, size_t error_size)
{
    espeak_ng_STATUS status = espeak_ng_Synthesize(text, strlen(text) + 1, 0, POS_CHARACTER, 0,
                                                   espeakCHARS_UTF8, NULL, buffer);
    if (status != ENS_OK) {
        char message[256];
        espeak_ng_GetStatusCodeMessage(status, message, sizeof message);
        snprintf(error, error_size, "espeak-ng: %s", message);
        return false;
    }
    if (buffer->overflow) {
        snprintf(error, error_size, "the spoken message is longer than %d s", VOICE_AUDIO_MAX_S);
        return false;
    }
    return true;
}

/* From espeak-ng's rate to the call's. */
static bool resample(const struct speech_buffer *buffer, struct voice_audio *out, char *error,
                     size_t error_size)
{
    double ratio = (double)VOICE_SAMPLE_RATE / sample_rate;
    size_t out_count = (size_t)((double)buffer->count * ratio) + 1;
    float *in = malloc(buffer->count * sizeof *in);
    float *resampled = malloc(out_count * sizeof *resampled);
    out->samples = malloc(out_count * sizeof *out->samples);
    bool ok = in && resampled && out->samples;
    if (ok) {
        src_short_to_float_array(buffer->samples, in, (int)buffer->count);
        SRC_DATA data = {.data_in = in,
                         .data_out = resampled,
                         .input_frames = (long)buffer->count,
                         .output_frames = (long)out_count,
                         .src_ratio = ratio};
        int rc = src_simple(&data, SRC_SINC_MEDIUM_QUALITY, 1);
        if (rc != 0) {
            snprintf(error, error_size, "resampling: %s", src_strerror(rc));
            ok = false;
        } else {
            src_float_to_short_array(resampled, out->samples, (int)data.output_frames_gen);
            out->count = (size_t)data.output_frames_gen;
        }
    } else {
        snprintf(error, error_size, "out of memory");
    }
    free(in);
    free(resampled);
    if (!ok)
        voice_audio_free(out);
    return ok;
}

bool voice_speech_render(const char *language, const char *text, struct voice_audio *out,
                         char *error, size_t error_size)
{
    memset(out, 0, sizeof *out);
    size_t which = 1; /* English unless the alert is in a language we speak */
    for (size_t i = 0; i < sizeof prompts / sizeof prompts[0]; i++)
        if (language && strncmp(language, prompts[i].language, 2) == 0)
            which = i;
    if (espeak_ng_SetVoiceByName(prompts[which].voice) != ENS_OK) {
        snprintf(error, error_size, "espeak-ng has no voice for \"%s\"", prompts[which].voice);
        return false;
    }
    struct speech_buffer buffer = {.limit = (size_t)sample_rate * VOICE_AUDIO_MAX_S};
    bool ok = speak(&buffer, text, error, error_size) && append_silence(&buffer, VOICE_PAUSE_MS) &&
              speak(&buffer, text, error, error_size) && append_silence(&buffer, VOICE_PAUSE_MS) &&
              speak(&buffer, prompts[which].prompt, error, error_size);
    if (ok && buffer.count == 0) {
        snprintf(error, error_size, "espeak-ng produced no audio");
        ok = false;
    }
    if (ok)
        ok = resample(&buffer, out, error, error_size);
    free(buffer.samples);
    return ok;
}

void voice_audio_free(struct voice_audio *audio)
{
    free(audio->samples);
    audio->samples = NULL;
    audio->count = 0;
}
