/* Unit tests of the SIA DC-03 data block parser: the shapes panels send
 * (with and without "/", capital modifiers, text, time), several events in
 * one block, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "server/sia_dcs.h"

static struct sia_block parse_ok(const char *text)
{
    struct sia_block block;
    char error[160] = "";
    if (!sia_dcs_parse(text, strlen(text), &block, error, sizeof error))
        fail_msg("\"%s\" refused: %s", text, error);
    return block;
}

static void expect_event(const struct sia_event *event, const char *code, int zone, int area,
                         int user)
{
    assert_string_equal(event->code, code);
    assert_int_equal(event->zone, zone);
    assert_int_equal(event->area, area);
    assert_int_equal(event->user, user);
}

static void expect_refused(const char *text, const char *expected)
{
    struct sia_block block;
    char error[160] = "";
    if (sia_dcs_parse(text, strlen(text), &block, error, sizeof error))
        fail_msg("\"%s\" was accepted", text);
    if (!strstr(error, expected))
        fail_msg("\"%s\": expected \"%s\" in \"%s\"", text, expected, error);
}

static void test_single_event_with_area(void **state)
{
    (void)state;
    struct sia_block block = parse_ok("#1234|Nri1/BA003");
    assert_string_equal(block.account, "1234");
    assert_int_equal(block.count, 1);
    expect_event(&block.events[0], "BA", 3, 1, -1);
    assert_int_equal(block.events[0].peripheral, -1);
    assert_string_equal(block.events[0].time, "");
    block = parse_ok("#1234|NRI1/BA003");
    expect_event(&block.events[0], "BA", 3, 1, -1);
    block = parse_ok("[#00ab12|Nri01/BA003]");
    assert_string_equal(block.account, "00AB12");
    expect_event(&block.events[0], "BA", 3, 1, -1);
}

static void test_shapes_seen_from_panels(void **state)
{
    (void)state;
    struct sia_block block = parse_ok("Nri1BA01"); /* no "/" */
    expect_event(&block.events[0], "BA", 1, 1, -1);
    assert_string_equal(block.account, "");
    block = parse_ok("#123456|Nri1CL0^VX FRONTE ^"); /* text after the event */
    assert_int_equal(block.count, 1);
    expect_event(&block.events[0], "CL", 0, 1, -1);
    block = parse_ok("[|Nri1/CL501]");
    expect_event(&block.events[0], "CL", 501, 1, -1);
    block = parse_ok("|NRP");
    expect_event(&block.events[0], "RP", -1, -1, -1);
}

static void test_time_user_and_peripheral_modifiers(void **state)
{
    (void)state;
    struct sia_block block = parse_ok("Nti10:15/BA03");
    expect_event(&block.events[0], "BA", 3, -1, -1);
    assert_string_equal(block.events[0].time, "10:15");
    block = parse_ok("#1234|Nti13:30/id249/RX");
    expect_event(&block.events[0], "RX", -1, -1, 249);
    block = parse_ok("Npi5/ti23:59:59/YT");
    assert_int_equal(block.events[0].peripheral, 5);
    assert_string_equal(block.events[0].time, "23:59:59");
    block = parse_ok("Nda01-02-24/RP"); /* other modifiers are skipped */
    expect_event(&block.events[0], "RP", -1, -1, -1);
}

static void test_several_events_in_one_block(void **state)
{
    (void)state;
    struct sia_block block = parse_ok("NBA003/BA004");
    assert_int_equal(block.count, 2);
    expect_event(&block.events[0], "BA", 3, -1, -1);
    expect_event(&block.events[1], "BA", 4, -1, -1);
    block = parse_ok("#1234|Nri1/BA1/ri2/id7/OP12/FA");
    assert_int_equal(block.count, 3);
    expect_event(&block.events[0], "BA", 1, 1, -1);
    expect_event(&block.events[1], "OP", 12, 2, 7);
    expect_event(&block.events[2], "FA", -1, 2, 7);
    char many[128] = "N";
    for (int i = 0; i < SIA_EVENTS_MAX; i++)
        strcat(many, "BA1/");
    block = parse_ok(many);
    assert_int_equal(block.count, SIA_EVENTS_MAX);
    strcat(many, "BA2");
    expect_refused(many, "more than 16 events");
}

static void test_malformed_blocks(void **state)
{
    (void)state;
    expect_refused("", "function code N");
    expect_refused("#1234|", "function code N");
    expect_refused("#1234|Nri1", "no event code");
    expect_refused("#1234|Xri1/BA1", "function code N");
    expect_refused("#1234NBA1", "followed by \"|\"");
    expect_refused("#12|NBA1", "3 to 16 hex digits");
    expect_refused("#12345678901234567|NBA1", "3 to 16 hex digits");
    expect_refused("NBA12345", "longer than 4 digits");
    expect_refused("Nri/BA1", "ri modifier without a number");
    expect_refused("Nri12345/BA1", "longer than 4 digits");
    expect_refused("Nti25:00/BA1", "out of range");
    expect_refused("Nti1:5/BA1", "HH:MM");
    expect_refused("Nti10:150/BA1", "HH:MM");
    expect_refused("NBA1^text", "not closed");
    expect_refused("N1BA", "unexpected \"1\"");
    expect_refused("NBa1", "unexpected \"B\"");
    expect_refused("NBA1\x01", "byte 0x01");
    expect_refused("Nba1", "no event code");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_event_with_area),
        cmocka_unit_test(test_shapes_seen_from_panels),
        cmocka_unit_test(test_time_user_and_peripheral_modifiers),
        cmocka_unit_test(test_several_events_in_one_block),
        cmocka_unit_test(test_malformed_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
