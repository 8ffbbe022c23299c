/* voice_speech.h: the spoken form of a mass alert for the voice channel.
 * espeak-ng (its library, in the alert's language) speaks the message
 * twice, then "press 1 to acknowledge"; the result is resampled to the
 * 8 kHz mono 16-bit audio a telephone call carries (G.711).
 *
 * espeak-ng keeps global state: only one thread (the voice worker) may
 * call these functions. */
#ifndef VIGIE_VOICE_SPEECH_H
#define VIGIE_VOICE_SPEECH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The sample rate of a telephone call's audio (G.711). */
#define VOICE_SAMPLE_RATE 8000
/* The longest text spoken, in bytes: a mass alert is an SMS-sized
 * message; more would keep an agent on the line for minutes. */
#define VOICE_TEXT_MAX 1600
/* The longest audio produced, in seconds (the message twice and the
 * prompt): a bound on memory (8000 samples of 2 bytes a second). */
#define VOICE_AUDIO_MAX_S 300

/* 8 kHz mono signed 16-bit samples. */
struct voice_audio {
    int16_t *samples;
    size_t count;
};

/* Loads espeak-ng's data (once, in the voice worker's thread). */
bool voice_speech_open(char *error, size_t error_size);
void voice_speech_close(void);

/* The text a call speaks for `message`: the links (http://, https://)
 * it carries are dropped, since a voice cannot follow them, and the rest
 * is cut at VOICE_TEXT_MAX bytes on a character boundary. */
void voice_speech_text(const char *message, char *out, size_t out_size);

/* Speaks `text` twice, then the acknowledgement prompt, in `language`
 * ("fr", "en"; another falls back to English). `out` is filled (free it
 * with voice_audio_free). */
bool voice_speech_render(const char *language, const char *text, struct voice_audio *out,
                         char *error, size_t error_size);
void voice_audio_free(struct voice_audio *audio);

#endif
