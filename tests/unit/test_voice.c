/* Unit tests of the voice channel's pure parts: the SIP URI dialled for a
 * number (a template from the settings, never given to printf), what a
 * failed call's SIP status means for the message (retry or give up), the
 * text a call speaks (no links, cut on a character), and espeak-ng's
 * speech at a call's 8 kHz. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "server/voice_call.h"
#include "server/voice_speech.h"
#include "server/voice_uri.h"

static void test_the_number_goes_into_the_template(void **state)
{
    (void)state;
    char uri[VOICE_URI_SIZE], why[160];
    assert_true(voice_uri_make("sip:%s@127.0.0.1:5062", "+33612345678", uri, sizeof uri));
    assert_string_equal(uri, "sip:+33612345678@127.0.0.1:5062");
    assert_true(
        voice_uri_make("sips:%s@trunk.example.org;user=phone", "+3225550100", uri, sizeof uri));
    assert_string_equal(uri, "sips:+3225550100@trunk.example.org;user=phone");
    assert_true(voice_uri_check("sip:%s@gw", why, sizeof why));
}

static void test_bad_templates_and_numbers_are_refused(void **state)
{
    (void)state;
    char uri[VOICE_URI_SIZE], why[160];
    /* No %s, two, another conversion, not a SIP URI. */
    assert_false(voice_uri_check("sip:centre@gw", why, sizeof why));
    assert_non_null(strstr(why, "%s"));
    assert_false(voice_uri_check("sip:%s@%s", why, sizeof why));
    assert_false(voice_uri_check("sip:%s@gw%n", why, sizeof why));
    assert_false(voice_uri_check("sip:%d@gw", why, sizeof why));
    assert_false(voice_uri_check("http://%s", why, sizeof why));
    assert_non_null(strstr(why, "sip:"));
    /* Only E.164 numbers are dialled: nothing can be smuggled into the URI. */
    assert_false(voice_uri_make("sip:%s@gw", "0612345678", uri, sizeof uri));
    assert_false(voice_uri_make("sip:%s@gw", "+336;x=y", uri, sizeof uri));
    assert_false(voice_uri_make("sip:%s@gw", "+", uri, sizeof uri));
    assert_false(voice_uri_make("sip:%s@gw", "+1234567890123456", uri, sizeof uri));
    assert_false(voice_uri_make("sip:%s@gw", "+33612345678", uri, 10));
}

static void test_a_failed_call_is_retried_unless_the_number_is_wrong(void **state)
{
    (void)state;
    assert_int_equal(voice_call_classify(486), VOICE_CALL_BUSY);
    assert_int_equal(voice_call_classify(600), VOICE_CALL_BUSY);
    assert_int_equal(voice_call_classify(408), VOICE_CALL_NO_ANSWER);
    assert_int_equal(voice_call_classify(480), VOICE_CALL_NO_ANSWER);
    assert_int_equal(voice_call_classify(404), VOICE_CALL_REFUSED);
    assert_int_equal(voice_call_classify(403), VOICE_CALL_REFUSED);
    assert_int_equal(voice_call_classify(484), VOICE_CALL_REFUSED);
    assert_int_equal(voice_call_classify(503), VOICE_CALL_FAILED);
    assert_int_equal(voice_call_classify(603), VOICE_CALL_FAILED);
}

static void test_links_are_not_spoken(void **state)
{
    (void)state;
    char text[VOICE_TEXT_MAX + 1];
    voice_speech_text("NE QUITTEZ PAS VOTRE SITE https://vigie.example.org/r/abc123 merci", text,
                      sizeof text);
    assert_string_equal(text, "NE QUITTEZ PAS VOTRE SITE  merci");
    voice_speech_text("http://x.org/r/t", text, sizeof text);
    assert_string_equal(text, "");
}

static void test_a_long_text_is_cut_between_characters(void **state)
{
    (void)state;
    char text[8];
    /* "é" is two bytes: the cut falls inside the fourth one. */
    voice_speech_text("ééééé", text, sizeof text);
    assert_string_equal(text, "ééé");
    char big[VOICE_TEXT_MAX * 2 + 1];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char out[VOICE_TEXT_MAX * 2];
    voice_speech_text(big, out, sizeof out);
    assert_int_equal(strlen(out), VOICE_TEXT_MAX);
}

static double rms_of(const struct voice_audio *audio)
{
    double sum = 0;
    for (size_t i = 0; i < audio->count; i++)
        sum += (double)audio->samples[i] * audio->samples[i];
    return audio->count ? sqrt(sum / (double)audio->count) / 32768.0 : 0;
}

static void test_the_message_is_spoken_twice_then_the_prompt(void **state)
{
    (void)state;
    char error[256] = "";
    if (!voice_speech_open(error, sizeof error))
        fail_msg("%s", error);
    struct voice_audio french, english, longer;
    assert_true(
        voice_speech_render("fr", "Ne quittez pas votre site.", &french, error, sizeof error));
    assert_true(
        voice_speech_render("en", "Do not leave your site.", &english, error, sizeof error));
    assert_true(voice_speech_render("fr",
                                    "Ne quittez pas votre site. Homme d'environ trente ans, "
                                    "blouson noir, pantalon blanc.",
                                    &longer, error, sizeof error));
    /* Seconds at 8 kHz: two readings, two pauses and the prompt are more
     * than a few seconds; a longer message makes a longer call. */
    assert_true(french.count > 4 * VOICE_SAMPLE_RATE);
    assert_true(english.count > 4 * VOICE_SAMPLE_RATE);
    assert_true(longer.count > french.count + 2 * VOICE_SAMPLE_RATE);
    assert_true(rms_of(&french) > 0.01);
    /* An unknown language is spoken in English (espeak-ng's timing varies
     * by a few milliseconds from one synthesis to the next). */
    struct voice_audio other;
    assert_true(voice_speech_render("xx", "Do not leave your site.", &other, error, sizeof error));
    double ratio = (double)other.count / (double)english.count;
    assert_true(ratio > 0.97 && ratio < 1.03);
    voice_audio_free(&french);
    voice_audio_free(&english);
    voice_audio_free(&longer);
    voice_audio_free(&other);
    voice_speech_close();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_number_goes_into_the_template),
        cmocka_unit_test(test_bad_templates_and_numbers_are_refused),
        cmocka_unit_test(test_a_failed_call_is_retried_unless_the_number_is_wrong),
        cmocka_unit_test(test_links_are_not_spoken),
        cmocka_unit_test(test_a_long_text_is_cut_between_characters),
        cmocka_unit_test(test_the_message_is_spoken_twice_then_the_prompt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
