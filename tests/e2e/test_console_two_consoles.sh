#!/usr/bin/env bash
# Two operators on shift, alice on console A and bruno on console B. A fire
# is phoned in; alice takes it, and bruno sees at once that she handles it;
# his own attempt is refused with the server's reason. His note shows in the
# detail alice has open, without a key, once she hands it over to him.
. "$(dirname "$0")/lib.sh"
plan 5

server_init
server_start main || bail "vigied did not start"
token=$(api_login bruno)

test_begin "alice and bruno log in; alarms phoned in show on both consoles within 2 s" 25
console_start A 80 24 -- --server "$(server_url main)" --user alice
console_start B 80 24 -- --server "$(server_url main)" --user bruno
console_login A alice
console_login B bruno
fire=$(api_post_alarm "$token" '{"class":"fire","priority":1,"site_id":12,"zone":1,"note":"Smoke detector, lobby"}')
burglary=$(api_post_alarm "$token" '{"class":"burglary","priority":2,"site_id":2,"zone":2}')
check "both alarms were recorded" test "$fire:$burglary" = "1:2"
for console in A B; do
  expect_lines "$console" "queue-$console" 3 4 2 <<'EOF'
1    age fire       Agence Cagnes Cent… 112 Avenue … new
2    age burglary   Agence Bastille     134 Bouleva… new
EOF
done
test_end

test_begin "alice claims the fire on A: within 2 s B shows it handled by Alice Moreau" 15
keys A c
wait_for A "Alarm 1 claimed: you handle it"
wait_for_re B "^1 .* claimed +Alice Moreau\$" 2
wait_for B "Alarm 1 is now handled by Alice Moreau" 2
test_end

test_begin "bruno's claim on B is refused: his status line gives the server's reason" 15
keys B c
wait_for B "Cannot claim alarm 1: "
refusal=$(api "$token" POST /v1/alarms/1/claim '{}' | json_query 'd["error"]["message"]')
check "the server refuses bruno's claim with a reason" test -n "$refusal"
expect_screen B "Cannot claim alarm 1: $refusal"
check "the server still has alice holding it" \
  test "$(api_alarm_field "$token" 1 'a["claim"]["username"]')" = alice
test_end

test_begin "alice releases the fire from its detail; bruno claims it and notes: her open detail shows both without a key" 20
keys A Enter
wait_for A "Alarm 1   priority 1   fire   claimed"
keys A r
wait_for A "Alarm 1 released"
wait_for A "Alarm 1   priority 1   fire   new" 2
wait_for_re B "^1 .* new *\$" 2
keys B c
wait_for B "Alarm 1 claimed: you handle it"
wait_for_re A "^Handled by   Bruno .*\(bruno\), lease until" 2
keys B n
wait_for B "Note for alarm 1:"
type_text B "Caretaker called: smoke in lobby"
keys B Enter
wait_for B "Alarm 1 note added"
wait_for_re A "note +bruno +Caretaker called: smoke in lobby" 2
test_end

test_begin "back on her queue, alice sees Bruno holding the fire, as the server says" 15
keys A q
wait_for_re A "^1 .* claimed +Bruno" 2
check "the server has bruno holding it" \
  test "$(api_alarm_field "$token" 1 'a["claim"]["username"]')" = bruno
test_end
