#!/usr/bin/env bash
# Closing alarms with a resolution from the server's list, at an 80x24
# terminal. A siren fault is phoned in; alice presses x: the dialog offers
# every resolution the server defines, in its order; she picks "Technical
# fault" and types a note. The alarm leaves the queue, and :closed shows it
# with that resolution, as the server has it. A burglary is closed from
# its procedure checklist after a step is ticked. sam, a supervisor,
# cannot close anything.
. "$(dirname "$0")/lib.sh"
plan 4

server_init
server_start main || bail "vigied did not start"
token=$(api_login alice)

test_begin "x offers the server's resolutions in order; alice picks Technical fault and notes why" 30
fault=$(api_post_alarm "$token" '{"class":"technical","priority":4,"site_id":20,"note":"Siren faulty"}')
fire=$(api_post_alarm "$token" '{"class":"fire","priority":1,"site_id":12,"zone":1}')
console_start A 80 24 -- --server "$(server_url main)" --user alice
console_login A alice
wait_for_re A "^4 .* technical " 5
keys A G x
wait_for A "Close alarm $fault" 5
api "$token" GET /v1/resolutions | json_query '[r["label"] for r in d["resolutions"]]' >"$WORLD/labels"
check "the server defines resolutions" test -s "$WORLD/labels"
number=0
while IFS= read -r label; do
  number=$((number + 1))
  expect_screen A "$label"
  [ "$label" = "Technical fault" ] && choice=$number
done <"$WORLD/labels"
check "Technical fault is one of them" test -n "${choice:-}"
for _ in $(seq 2 "${choice:-1}"); do keys A Down; done
keys A Enter
wait_for A "Closing note:" 5
type_text A "Siren wire cut by the storm"
keys A Enter
wait_for A "Alarm $fault closed (technical)" 5
test_end

test_begin "the alarm leaves the queue; :closed shows it with its resolution, as the server has it" 20
wait_gone A "Boutique Rue de la" 3
wait_for_re A "^1 .* fire " 2
keys A :
type_text A "closed"
keys A Enter
wait_for_re A "^4 .* technical .* technical" 5
check "the server has it closed as technical, with the note in the timeline" \
  test "$(api_alarm_field "$token" "$fault" 'a["state"] + " " + a["resolution"] + " " + [e["text"] for e in a["timeline"] if e["kind"] == "closed"][0]')" = "closed technical technical: Siren wire cut by the storm"
check "it is no longer in the server's open list" \
  test "$(api_open_ids "$token" | tr '\n' ' ')" = "$fire "
test_end

test_begin "a burglary is closed from its checklist after a step is ticked" 30
burglary=$(api_post_alarm "$token" '{"class":"burglary","priority":2,"site_id":1,"zone":2}')
keys A F2
wait_for_re A "^2 .* burglary +Siège - Opéra" 5
keys A G p
wait_for A "[ ] 1. Check the cameras of the zone" 5
keys A Space
wait_for A "[x] 1. Check the cameras of the zone" 5
keys A x
wait_for A "Close alarm $burglary" 5
keys A Enter
wait_for A "Closing note:" 5
keys A Enter
wait_for A "Alarm $burglary closed (false-alarm)" 5
check "the server has it closed as a false alarm" \
  test "$(api_alarm_field "$token" "$burglary" 'a["state"] + " " + a["resolution"]')" = "closed false-alarm"
test_end

test_begin "sam, a supervisor, cannot close: x is refused and nothing is sent" 20
console_start B 80 24 -- --server "$(server_url main)" --user sam
console_login B sam
wait_for_re B "^1 .* fire " 5
keys B g x
wait_for B "Read-only console: close is not allowed here; nothing was sent"
expect_no_screen B "Close alarm"
check "the fire is still open" test "$(api_alarm_field "$token" "$fire" 'a["state"]')" = new
test_end
