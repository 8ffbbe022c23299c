/* The CAP 1.2 writer: what the OASIS schema checks (validated with xmllint
 * against tests/data/cap/CAP-v1.2.xsd, the schema unchanged) and what it
 * cannot: a circle's radius in kilometres, times with an explicit offset
 * (UTC as "-00:00"), identifiers without spaces, commas, '<' or '&', text
 * escaped; and the JSON document that carries the same facts. Run from the
 * repository's root (the schema's path is relative to it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/cap.h"

#define CAP_SCHEMA "tests/data/cap/CAP-v1.2.xsd"

/* 2026-03-29T00:59:59Z, one second before Paris switches to summer time. */
#define BEFORE_SWITCH_MS 1774745999000LL

static void facts_of_a_protection_phone(struct cap_facts *f)
{
    memset(f, 0, sizeof *f);
    f->agency = CAP_AGENCY_POLICE;
    f->language = CAP_LANGUAGE_ENGLISH;
    snprintf(f->identifier, sizeof f->identifier, "vigie-42-7-1774745999");
    snprintf(f->sender, sizeof f->sender, "vigie@arc-paris.example");
    f->sent_ms = BEFORE_SWITCH_MS;
    f->utc_offset_minutes = 60;
    snprintf(f->contact, sizeof f->contact, "Vigie ARC Paris +33 1 23 45 67 89");
    f->alarm_id = 42;
    snprintf(f->alarm_class, sizeof f->alarm_class, "panic");
    snprintf(f->label, sizeof f->label, "SOS button");
    f->priority = 1;
    f->received_ms = BEFORE_SWITCH_MS - 60000;
    f->zone = -1;
    snprintf(f->subject, sizeof f->subject, "TGD-75-2026-0001");
    f->located = true;
    f->lat = 48.8566101;
    f->lon = 2.3522219;
    f->accuracy_m = 12;
    snprintf(f->position_source, sizeof f->position_source, "gps");
    f->fix_ms = BEFORE_SWITCH_MS - 5000;
    snprintf(f->victim_reference, sizeof f->victim_reference, "TGD-75-2026-0001");
    snprintf(f->victim_name, sizeof f->victim_name, "Amélie Rocher");
    snprintf(f->victim_phone, sizeof f->victim_phone, "+33612480317");
    snprintf(f->aggressor_name, sizeof f->aggressor_name, "Franck Rocher");
    snprintf(f->aggressor_description, sizeof f->aggressor_description,
             "Man, 41, 1.85 m, scar on the left cheek");
    snprintf(f->aggressor_vehicle, sizeof f->aggressor_vehicle, "Grey Peugeot 308");
    snprintf(f->aggressor_plate, sizeof f->aggressor_plate, "FR-482-KD");
    snprintf(f->operator_name, sizeof f->operator_name, "Alice Moreau (alice)");
    snprintf(f->operator_text, sizeof f->operator_text, "She hides in the bathroom");
}

static char *write_xml(const struct cap_facts *facts)
{
    char *xml = malloc(CAP_DOCUMENT_MAX);
    assert_non_null(xml);
    int length = cap_write_xml(facts, xml, CAP_DOCUMENT_MAX);
    assert_true(length > 0);
    assert_int_equal((size_t)length, strlen(xml));
    return xml;
}

/* xmllint's verdict on the document against the OASIS schema. */
static bool valid_by_schema(const char *xml, char *report, size_t report_size)
{
    char path[] = "/tmp/vigie-cap-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return false;
    size_t length = strlen(xml);
    bool written = write(fd, xml, length) == (ssize_t)length;
    close(fd);
    char command[512];
    snprintf(command, sizeof command, "xmllint --noout --nonet --schema %s %s 2>&1", CAP_SCHEMA,
             path);
    FILE *run = written ? popen(command, "r") : NULL;
    size_t used = 0;
    report[0] = '\0';
    while (run && used + 1 < report_size && fgets(report + used, (int)(report_size - used), run))
        used = strlen(report);
    int status = run ? pclose(run) : -1;
    unlink(path);
    return status == 0;
}

static void assert_valid(const char *xml)
{
    char report[2048];
    if (!valid_by_schema(xml, report, sizeof report))
        fail_msg("the CAP document does not validate:\n%s\n%s", report, xml);
}

/* The text between <name> and </name> (the first one), in a static buffer. */
static const char *element_text(const char *xml, const char *name)
{
    static char text[4096];
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", name);
    snprintf(close, sizeof close, "</%s>", name);
    const char *start = strstr(xml, open);
    const char *end = start ? strstr(start, close) : NULL;
    if (!start || !end)
        return NULL;
    start += strlen(open);
    snprintf(text, sizeof text, "%.*s", (int)(end - start), start);
    return text;
}

static int schema_available(void **state)
{
    (void)state;
    if (access(CAP_SCHEMA, R_OK) != 0 || system("xmllint --version >/dev/null 2>&1") != 0) {
        fprintf(stderr, "# %s or xmllint is missing (tools/deps.sh installs libxml2-utils)\n",
                CAP_SCHEMA);
        return -1;
    }
    return 0;
}

static void test_a_protection_phone_alert_validates_with_its_circle_in_km(void **state)
{
    (void)state;
    struct cap_facts facts;
    facts_of_a_protection_phone(&facts);
    char *xml = write_xml(&facts);
    assert_valid(xml);
    /* 12 m of GPS accuracy is a radius of 0.012 km around the fix. */
    assert_string_equal(element_text(xml, "circle"), "48.856610,2.352222 0.012");
    assert_string_equal(element_text(xml, "identifier"), "vigie-42-7-1774745999");
    assert_string_equal(element_text(xml, "status"), "Actual");
    assert_string_equal(element_text(xml, "msgType"), "Alert");
    assert_string_equal(element_text(xml, "scope"), "Restricted");
    assert_string_equal(element_text(xml, "category"), "Security");
    assert_string_equal(element_text(xml, "urgency"), "Immediate");
    assert_string_equal(element_text(xml, "severity"), "Extreme");
    assert_string_equal(element_text(xml, "contact"), "Vigie ARC Paris +33 1 23 45 67 89");
    const char *description = element_text(xml, "description");
    assert_non_null(strstr(description, "Victim: Amélie Rocher (TGD-75-2026-0001)"));
    assert_non_null(strstr(description, "Aggressor: Franck Rocher - Man, 41"));
    assert_non_null(strstr(description, "plate FR-482-KD"));
    assert_non_null(strstr(description, "+/- 12 m (gps"));
    assert_non_null(strstr(description, "She hides in the bathroom"));
    free(xml);
}

static void test_a_cell_position_of_several_km_keeps_its_radius(void **state)
{
    (void)state;
    struct cap_facts facts;
    facts_of_a_protection_phone(&facts);
    facts.accuracy_m = 2500;
    snprintf(facts.position_source, sizeof facts.position_source, "cell");
    facts.lat = -33.8688;
    facts.lon = 151.2093;
    char *xml = write_xml(&facts);
    assert_valid(xml);
    assert_string_equal(element_text(xml, "circle"), "-33.868800,151.209300 2.500");
    free(xml);
}

static void test_times_carry_an_explicit_offset_and_utc_is_minus_zero(void **state)
{
    (void)state;
    char text[CAP_TIME_SIZE];
    cap_format_time(BEFORE_SWITCH_MS, 60, text);
    assert_string_equal(text, "2026-03-29T01:59:59+01:00");
    cap_format_time(BEFORE_SWITCH_MS + 1000, 120, text);
    assert_string_equal(text, "2026-03-29T03:00:00+02:00");
    cap_format_time(BEFORE_SWITCH_MS, 0, text);
    assert_string_equal(text, "2026-03-29T00:59:59-00:00");
    cap_format_time(BEFORE_SWITCH_MS, -(9 * 60 + 30), text);
    assert_string_equal(text, "2026-03-28T15:29:59-09:30");
    /* Milliseconds are cut, never rounded into the next second. */
    cap_format_time(BEFORE_SWITCH_MS + 999, 60, text);
    assert_string_equal(text, "2026-03-29T01:59:59+01:00");

    struct cap_facts facts;
    facts_of_a_protection_phone(&facts);
    facts.utc_offset_minutes = 0;
    char *xml = write_xml(&facts);
    assert_valid(xml);
    assert_string_equal(element_text(xml, "sent"), "2026-03-29T00:59:59-00:00");
    free(xml);
}

static void test_markup_in_the_facts_is_escaped_and_bad_bytes_replaced(void **state)
{
    (void)state;
    struct cap_facts facts;
    facts_of_a_protection_phone(&facts);
    snprintf(facts.operator_text, sizeof facts.operator_text,
             "He said \"<b>I'll</b> come back\" & left\x01 \xff\xfe");
    snprintf(facts.subject, sizeof facts.subject, "Bijouterie <Dupond> & Fils");
    char *xml = write_xml(&facts);
    assert_valid(xml);
    const char *description = element_text(xml, "description");
    assert_non_null(strstr(description, "He said &quot;&lt;b&gt;I&apos;ll&lt;/b&gt; come back"
                                        "&quot; &amp; left  ??"));
    assert_non_null(strstr(xml, "<areaDesc>Bijouterie &lt;Dupond&gt; &amp; Fils"));
    assert_null(strstr(xml, "<b>"));
    /* The JSON carries the same text, with the bad bytes cleaned too. */
    char *json = cap_write_json(&facts);
    assert_non_null(json);
    cJSON *document = cJSON_Parse(json);
    assert_non_null(document);
    const cJSON *operator= cJSON_GetObjectItemCaseSensitive(document, "operator");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(operator, "text")->valuestring,
                        "He said \"<b>I'll</b> come back\" & left  ??");
    cJSON_Delete(document);
    free(json);
    free(xml);
}

static void test_identifiers_refuse_spaces_commas_and_markup(void **state)
{
    (void)state;
    assert_true(cap_identifier_valid("vigie-42-7-1774745999"));
    assert_true(cap_identifier_valid("KSTO1055887203"));
    assert_false(cap_identifier_valid(""));
    assert_false(cap_identifier_valid("vigie 42"));
    assert_false(cap_identifier_valid("vigie,42"));
    assert_false(cap_identifier_valid("vigie<42"));
    assert_false(cap_identifier_valid("vigie&42"));
    assert_false(cap_identifier_valid("vigie\t42"));
    char node[] = "arc paris,<main>&node";
    cap_identifier_clean(node);
    assert_string_equal(node, "arc-paris--main>-node");
    assert_true(cap_identifier_valid(node));

    /* A document with a forbidden identifier or sender is not written. */
    struct cap_facts facts;
    facts_of_a_protection_phone(&facts);
    snprintf(facts.identifier, sizeof facts.identifier, "vigie 42");
    char xml[CAP_DOCUMENT_MAX];
    assert_int_equal(cap_write_xml(&facts, xml, sizeof xml), -1);
    assert_null(cap_write_json(&facts));
    facts_of_a_protection_phone(&facts);
    snprintf(facts.sender, sizeof facts.sender, "vigie@arc,paris");
    assert_int_equal(cap_write_xml(&facts, xml, sizeof xml), -1);
}

static void test_a_site_without_position_has_an_area_without_circle(void **state)
{
    (void)state;
    struct cap_facts facts;
    memset(&facts, 0, sizeof facts);
    facts.agency = CAP_AGENCY_FIRE;
    facts.language = CAP_LANGUAGE_FRENCH;
    snprintf(facts.identifier, sizeof facts.identifier, "vigie-9-1-1774745999");
    snprintf(facts.sender, sizeof facts.sender, "vigie@arc");
    facts.sent_ms = BEFORE_SWITCH_MS;
    facts.utc_offset_minutes = 60;
    facts.alarm_id = 9;
    snprintf(facts.alarm_class, sizeof facts.alarm_class, "fire");
    facts.priority = 1;
    facts.zone = 3;
    snprintf(facts.zone_name, sizeof facts.zone_name, "Réserve");
    snprintf(facts.subject, sizeof facts.subject, "Entrepôt Nord");
    snprintf(facts.address, sizeof facts.address, "4 rue des Docks, 69002 Lyon");
    char *xml = write_xml(&facts);
    assert_valid(xml);
    assert_null(element_text(xml, "circle"));
    assert_string_equal(element_text(xml, "areaDesc"),
                        "Entrepôt Nord, 4 rue des Docks, 69002 Lyon");
    assert_string_equal(element_text(xml, "language"), "fr-FR");
    assert_string_equal(element_text(xml, "event"), "Incendie");
    /* The fire brigade: fire first, then rescue. */
    assert_non_null(strstr(xml, "<category>Fire</category>\n    <category>Rescue</category>"));
    assert_non_null(strstr(element_text(xml, "description"), "Zone 3: Réserve"));
    free(xml);

    /* A site's own coordinates are a point: radius 0. */
    facts.located = true;
    facts.lat = 45.75;
    facts.lon = 4.85;
    snprintf(facts.position_source, sizeof facts.position_source, "site");
    xml = write_xml(&facts);
    assert_valid(xml);
    assert_string_equal(element_text(xml, "circle"), "45.750000,4.850000 0.000");
    free(xml);
}

static void test_every_agency_and_field_at_its_bound_still_validates(void **state)
{
    (void)state;
    struct cap_facts facts;
    for (int agency = 0; agency < CAP_AGENCY_COUNT; agency++) {
        facts_of_a_protection_phone(&facts);
        facts.agency = (enum cap_agency)agency;
        facts.priority = agency + 1;
        memset(facts.aggressor_description, '&', sizeof facts.aggressor_description - 1);
        facts.aggressor_description[sizeof facts.aggressor_description - 1] = '\0';
        memset(facts.operator_text, '<', sizeof facts.operator_text - 1);
        facts.operator_text[sizeof facts.operator_text - 1] = '\0';
        char *xml = write_xml(&facts);
        assert_valid(xml);
        free(xml);
        enum cap_agency parsed;
        assert_true(cap_agency_parse(cap_agency_name((enum cap_agency)agency), &parsed));
        assert_int_equal(parsed, agency);
    }
    enum cap_agency parsed;
    assert_false(cap_agency_parse("army", &parsed));
    /* Too small a buffer is an error, never a cut document. */
    facts_of_a_protection_phone(&facts);
    char small[256];
    assert_int_equal(cap_write_xml(&facts, small, sizeof small), -1);
}

static void test_the_json_document_carries_the_same_facts(void **state)
{
    (void)state;
    struct cap_facts facts;
    facts_of_a_protection_phone(&facts);
    char *json = cap_write_json(&facts);
    assert_non_null(json);
    cJSON *d = cJSON_Parse(json);
    assert_non_null(d);
    assert_string_equal(cJSON_GetObjectItem(d, "identifier")->valuestring, "vigie-42-7-1774745999");
    assert_string_equal(cJSON_GetObjectItem(d, "sent")->valuestring, "2026-03-29T01:59:59+01:00");
    assert_string_equal(cJSON_GetObjectItem(d, "agency")->valuestring, "police");
    const cJSON *position = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "location"), "position");
    assert_float_equal(cJSON_GetObjectItem(position, "accuracy_m")->valuedouble, 12, 1e-9);
    assert_string_equal(cJSON_GetObjectItem(position, "circle")->valuestring,
                        "48.856610,2.352222 0.012");
    const cJSON *aggressor = cJSON_GetObjectItem(d, "aggressor");
    assert_string_equal(cJSON_GetObjectItem(aggressor, "plate")->valuestring, "FR-482-KD");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "victim"), "name")->valuestring,
                        "Amélie Rocher");
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "alarm"), "id")->valueint, 42);
    cJSON_Delete(d);
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_protection_phone_alert_validates_with_its_circle_in_km),
        cmocka_unit_test(test_a_cell_position_of_several_km_keeps_its_radius),
        cmocka_unit_test(test_times_carry_an_explicit_offset_and_utc_is_minus_zero),
        cmocka_unit_test(test_markup_in_the_facts_is_escaped_and_bad_bytes_replaced),
        cmocka_unit_test(test_identifiers_refuse_spaces_commas_and_markup),
        cmocka_unit_test(test_a_site_without_position_has_an_area_without_circle),
        cmocka_unit_test(test_every_agency_and_field_at_its_bound_still_validates),
        cmocka_unit_test(test_the_json_document_carries_the_same_facts),
    };
    return cmocka_run_group_tests(tests, schema_available, NULL);
}
