/* Unit tests of the console's checklist lines and hold-up markers: a
 * checklist document becomes a header, the marker and its warning for a
 * duress, and each step with its box, its call list and who marked it;
 * lines are wrapped at the width and know their step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console/alarm_marker.h"
#include "console/procedure_lines.h"

static const char burglary[] =
    "{\"alarm_id\":12,\"class\":\"burglary\",\"marker\":null,\"call_site_allowed\":true,"
    "\"site\":{\"id\":1,\"name\":\"Siège - Opéra\",\"phone\":\"+33142660001\"},"
    "\"client\":{\"id\":1,\"name\":\"Banque Lutèce\",\"kind\":\"bank\",\"phone\":\"+33142660000\"},"
    "\"plans\":[{\"class\":\"burglary\",\"scope\":\"client\"}],\"hidden_steps\":0,\"steps\":["
    "{\"id\":7,\"number\":1,\"class\":\"burglary\",\"kind\":\"check-camera\","
    "\"action\":\"Check the cameras of the zone\",\"detail\":\"Live view\",\"state\":\"done\","
    "\"note\":\"Nobody on screen\",\"by\":\"alice\",\"by_name\":\"Alice Moreau\","
    "\"at\":\"2026-01-05T09:30:00.000Z\"},"
    "{\"id\":8,\"number\":2,\"class\":\"burglary\",\"kind\":\"call-keyholder\","
    "\"action\":\"Call keyholder 1, then the next ones in order\",\"detail\":null,"
    "\"state\":\"pending\",\"keyholders\":[{\"position\":1,\"name\":\"Jean Petit\","
    "\"phone\":\"+33600000001\",\"availability\":\"24/7\"},{\"position\":2,"
    "\"name\":\"Rose Grand\",\"phone\":\"+33600000002\",\"availability\":\"Mo-Fr "
    "18:00-08:00\"}]}]}";

static const char duress[] =
    "{\"alarm_id\":13,\"class\":\"duress\",\"marker\":\"duress\",\"call_site_allowed\":false,"
    "\"site\":{\"id\":1,\"name\":\"Siège - Opéra\",\"phone\":null},\"client\":null,"
    "\"plans\":[{\"class\":\"duress\",\"scope\":\"client\"}],\"hidden_steps\":1,\"steps\":["
    "{\"id\":9,\"number\":1,\"class\":\"duress\",\"kind\":\"do-not-call-site\","
    "\"action\":\"Do NOT call the site\",\"detail\":null,\"state\":\"pending\"}]}";

static struct procedure_lines build(const char *json, int width)
{
    cJSON *document = cJSON_Parse(json);
    assert_non_null(document);
    struct procedure_lines lines = {0};
    procedure_lines_build(&lines, document, NULL, width, charset_get(CHARSET_UNICODE));
    cJSON_Delete(document);
    assert_false(lines.failed);
    return lines;
}

/* The index of the first line holding `text`, or -1. */
static long find(const struct procedure_lines *lines, const char *text)
{
    for (size_t i = 0; i < lines->count; i++)
        if (strstr(lines->lines[i].text, text))
            return (long)i;
    return -1;
}

static void test_steps_boxes_call_list_and_who(void **state)
{
    (void)state;
    struct procedure_lines lines = build(burglary, 80);
    assert_int_equal(lines.steps, 2);
    long first = find(&lines, "[x] 1. Check the cameras of the zone");
    assert_true(first > 0);
    assert_true(lines.lines[first].first);
    assert_int_equal(lines.lines[first].step, 0);
    assert_int_equal(lines.lines[first].slot, THEME_SLOT_STEP_DONE);
    long who = find(&lines, "by Alice Moreau: Nobody on screen");
    assert_true(who > first);
    assert_int_equal(lines.lines[who].step, 0);
    long second = find(&lines, "[ ] 2. Call keyholder 1");
    assert_true(second > who);
    assert_int_equal(lines.lines[second].slot, THEME_SLOT_STEP_PENDING);
    long jean = find(&lines, "1. Jean Petit  +33600000001  24/7");
    long rose = find(&lines, "2. Rose Grand  +33600000002  Mo-Fr 18:00-08:00");
    assert_true(jean > second && rose == jean + 1);
    assert_int_equal(lines.lines[rose].step, 1);
    assert_true(find(&lines, "Site phone +33142660001") >= 0);
    assert_true(find(&lines, "the client's plan for burglary") >= 0);
    size_t from, to;
    assert_true(procedure_lines_span(&lines, 1, &from, &to));
    assert_int_equal(from, (size_t)second);
    assert_int_equal(to, (size_t)rose);
    assert_false(procedure_lines_span(&lines, 2, &from, &to));
    procedure_lines_free(&lines);
}

static void test_a_duress_says_so_first_and_shows_no_site_number(void **state)
{
    (void)state;
    struct procedure_lines lines = build(duress, 80);
    long marker = find(&lines, "DURESS: possible hold-up: do NOT call the site");
    assert_true(marker >= 0 && marker < 3);
    assert_int_equal(lines.lines[marker].slot, THEME_SLOT_ALARM_MARKER);
    assert_true(find(&lines, "1 step that calls the site is left out") > marker);
    assert_true(find(&lines, "Site phone") < 0);
    long step = find(&lines, "[ ] 1. Do NOT call the site");
    assert_true(step > marker);
    assert_int_equal(lines.lines[step].slot, THEME_SLOT_ALARM_MARKER);
    procedure_lines_free(&lines);
}

static void test_lines_wrap_at_the_width(void **state)
{
    (void)state;
    struct procedure_lines lines = build(burglary, 30);
    for (size_t i = 0; i < lines.count; i++)
        assert_true(strlen(lines.lines[i].text) <= 30 + 8); /* a few 2-byte letters */
    long first = find(&lines, "[ ] 2. Call keyholder 1,");
    assert_true(first >= 0);
    assert_int_equal(strncmp(lines.lines[first + 1].text, "        ", 8), 0);
    assert_int_equal(lines.lines[first + 1].step, 1);
    assert_false(lines.lines[first + 1].first);
    procedure_lines_free(&lines);
}

static void test_markers_of_queue_rows(void **state)
{
    (void)state;
    struct console_alarm alarm;
    memset(&alarm, 0, sizeof alarm);
    char cell[32];
    alarm.class_name = "duress";
    alarm_marker_class_cell(&alarm, cell, sizeof cell);
    assert_string_equal(cell, "DURESS");
    alarm.class_name = "open-close";
    alarm.flags = MODEL_FLAG_EARLY_OPEN;
    alarm_marker_class_cell(&alarm, cell, sizeof cell);
    assert_string_equal(cell, "EARLY OPEN");
    alarm.class_name = "burglary";
    alarm.flags = MODEL_FLAG_UNKNOWN_ACCOUNT;
    alarm_marker_class_cell(&alarm, cell, sizeof cell);
    assert_string_equal(cell, "burglary");
    assert_null(alarm_marker(&alarm));

    cJSON *json = cJSON_Parse("{\"class\":\"open-close\",\"flags\":[\"early-open\"]}");
    char line[256];
    assert_true(alarm_marker_detail_line(json, line, sizeof line));
    assert_int_equal(strncmp(line, "EARLY OPEN: ", 12), 0);
    assert_non_null(strstr(line, "do NOT call the site"));
    cJSON_Delete(json);
    json = cJSON_Parse("{\"class\":\"fire\",\"flags\":[]}");
    assert_false(alarm_marker_detail_line(json, line, sizeof line));
    cJSON_Delete(json);
    assert_int_equal(alarm_marker_parse("duress"), ALARM_MARKER_DURESS);
    assert_int_equal(alarm_marker_parse("early-open"), ALARM_MARKER_EARLY_OPEN);
    assert_int_equal(alarm_marker_parse(NULL), ALARM_MARKER_NONE);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steps_boxes_call_list_and_who),
        cmocka_unit_test(test_a_duress_says_so_first_and_shows_no_site_number),
        cmocka_unit_test(test_lines_wrap_at_the_width),
        cmocka_unit_test(test_markers_of_queue_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
