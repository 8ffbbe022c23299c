/* Unit tests of the mass alert templates: the installed file loads, every
 * message fits the GSM alphabet in both languages (so one SMS part carries
 * 153-160 characters, not 67-70), blanks are filled and checked, and a
 * broken file is refused with the template and the reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/sms.h"
#include "server/alert_templates.h"

static struct alert_templates templates;

static int load_installed(void **state)
{
    (void)state;
    char why[512];
    if (!alert_templates_load("server/alert_templates.ini", &templates, why, sizeof why)) {
        fprintf(stderr, "%s\n", why);
        return -1;
    }
    return 0;
}

static void test_the_five_templates_of_the_issue_are_there(void **state)
{
    (void)state;
    const char *ids[] = {"search-person", "search-vehicle", "confinement", "vigilance", "outage"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        assert_non_null(alert_templates_find(&templates, ids[i]));
    const struct alert_template *t = alert_templates_find(&templates, "search-person");
    assert_string_equal(t->name[ALERT_FR], "Recherche d'une personne");
    assert_int_equal(t->field_count, 2);
    assert_string_equal(t->fields[0].label[ALERT_FR], "Signalement de la personne");
    assert_null(alert_templates_find(&templates, "nope"));
}

static void test_every_message_is_gsm_7_bit_in_both_languages(void **state)
{
    (void)state;
    const char *values[ALERT_TEMPLATE_FIELDS_MAX] = {"un homme d'environ 30 ans, veste noire",
                                                     "01 23 45 67 89", "gris", "AB-123-CD"};
    for (int i = 0; i < templates.count; i++) {
        const struct alert_template *t = &templates.templates[i];
        for (int l = 0; l < ALERT_LANGUAGES; l++) {
            const char *filled[ALERT_TEMPLATE_FIELDS_MAX];
            for (int f = 0; f < t->field_count; f++)
                filled[f] = values[f % 4];
            char text[ALERT_TEMPLATE_TEXT_MAX], why[256];
            assert_true(alert_template_fill(t, (enum alert_language)l, filled, t->field_count, text,
                                            sizeof text, why, sizeof why));
            struct sms_measure m;
            assert_true(sms_measure(text, strlen(text), &m, NULL));
            if (m.encoding != SMS_GSM7)
                fail_msg("template %s (%d) needs UCS-2 from \"%s\"", t->id, l,
                         text + m.first_non_gsm);
        }
    }
}

static void test_blanks_are_filled_and_reply_is_left_for_each_agent(void **state)
{
    (void)state;
    const struct alert_template *t = alert_templates_find(&templates, "search-person");
    const char *values[] = {"homme ~30 ans, veste noire, pantalon blanc", "01 23 45 67 89"};
    char text[ALERT_TEMPLATE_TEXT_MAX], why[256];
    assert_true(alert_template_fill(t, ALERT_EN, values, 2, text, sizeof text, why, sizeof why));
    assert_string_equal(text, "DO NOT LEAVE YOUR SITE - DO NOT INTERVENE - Looking for: homme ~30 "
                              "ans, veste noire, pantalon blanc. If seen, call 01 23 45 67 89 or "
                              "answer: {reply}");
}

static void test_a_bad_value_names_its_field(void **state)
{
    (void)state;
    const struct alert_template *t = alert_templates_find(&templates, "search-vehicle");
    char text[ALERT_TEMPLATE_TEXT_MAX], why[256];
    const char *missing[] = {"Clio grise", "", "17"};
    assert_false(alert_template_fill(t, ALERT_FR, missing, 3, text, sizeof text, why, sizeof why));
    assert_non_null(strstr(why, "Immatriculation"));
    const char *braces[] = {"Clio {reply}", "AB-123-CD", "17"};
    assert_false(alert_template_fill(t, ALERT_EN, braces, 3, text, sizeof text, why, sizeof why));
    assert_non_null(strstr(why, "Vehicle"));
    char plate[40];
    memset(plate, 'X', sizeof plate - 1);
    plate[sizeof plate - 1] = '\0';
    const char *long_plate[] = {"Clio", plate, "17"};
    assert_false(
        alert_template_fill(t, ALERT_EN, long_plate, 3, text, sizeof text, why, sizeof why));
    assert_non_null(strstr(why, "at most 16"));
    assert_false(
        alert_template_fill(t, ALERT_EN, long_plate, 2, text, sizeof text, why, sizeof why));
}

/* Loads `text` written to a temporary file; the reason in `why`. */
static bool load_text(const char *text, char *why, size_t why_size)
{
    char path[] = "/tmp/vigie-templates.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    struct alert_templates *loaded = malloc(sizeof *loaded);
    bool ok = alert_templates_load(path, loaded, why, why_size);
    free(loaded);
    unlink(path);
    return ok;
}

static void test_a_broken_file_is_refused_with_the_reason(void **state)
{
    (void)state;
    char why[512];
    static const char field[] = "[field:a]\nLabel=A\nLabel[fr]=A\nMax=10\n";
    assert_false(load_text("[t]\nName=T\nName[fr]=T\nFields=a\nText={a} {b} {reply}\n"
                           "Text[fr]={a} {reply}\n" /* {b} is no field */
                           "[field:a]\nLabel=A\nLabel[fr]=A\nMax=10\n",
                           why, sizeof why));
    assert_non_null(strstr(why, "placeholder {b}"));
    assert_false(load_text("[t]\nName=T\nName[fr]=T\nFields=a;c\nText={a} {reply}\n"
                           "Text[fr]={a} {reply}\n[field:a]\nLabel=A\nLabel[fr]=A\nMax=10\n",
                           why, sizeof why));
    assert_non_null(strstr(why, "field c is not described"));
    char text[512];
    snprintf(text, sizeof text, "[t]\nName=T\nName[fr]=T\nFields=a\nText={a} {reply}\n%s", field);
    assert_false(load_text(text, why, sizeof why));
    assert_non_null(strstr(why, "missing in fr"));
    snprintf(text, sizeof text, "[t]\nName=T\nName[fr]=T\nFields=a\nText={a}\nText[fr]={a}\n%s",
             field);
    assert_false(load_text(text, why, sizeof why));
    assert_non_null(strstr(why, "{reply}"));
    snprintf(text, sizeof text,
             "[t]\nName=T\nName[fr]=T\nFields=a\nText={a} {reply}\nText[fr]={a} {reply}\n%s",
             field);
    assert_true(load_text(text, why, sizeof why));
    assert_false(load_text("not a key file", why, sizeof why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_five_templates_of_the_issue_are_there),
        cmocka_unit_test(test_every_message_is_gsm_7_bit_in_both_languages),
        cmocka_unit_test(test_blanks_are_filled_and_reply_is_left_for_each_agent),
        cmocka_unit_test(test_a_bad_value_names_its_field),
        cmocka_unit_test(test_a_broken_file_is_refused_with_the_reason),
    };
    return cmocka_run_group_tests(tests, load_installed, NULL);
}
