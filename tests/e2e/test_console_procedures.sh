#!/usr/bin/env bash
# Two operators follow the bank's procedure for a burglary at "Siège -
# Opéra", each at an 80x24 terminal. p shows the checklist: the cameras,
# then the keyholders with the call list in order, the guard, the police.
# alice ticks the keyholder step on console A: bruno's console B shows it
# done with her name, without a key; her "failed" with a note shows too.
# Then a duress code comes from the same bank: the queue says DURESS, and
# its checklist starts with the duress plan ("Do NOT call the site"), with
# no step that calls the site and not the site's number. A supervisor
# reads the checklist and ticks nothing.
. "$(dirname "$0")/lib.sh"
plan 5

server_init
server_start main || bail "vigied did not start"
token=$(api_login alice)
site=$(api "$token" GET /v1/sites/1)
site_phone=$(printf '%s' "$site" | json_query 'd["phone"]')
first_name=$(printf '%s' "$site" | json_query 'd["keyholders"][0]["name"]')
first_phone=$(printf '%s' "$site" | json_query 'd["keyholders"][0]["phone"]')
second_name=$(printf '%s' "$site" | json_query 'd["keyholders"][1]["name"]')
[ -n "$site_phone" ] && [ -n "$first_name" ] && [ -n "$second_name" ] ||
  bail "the demo site 1 has no phone or fewer than two keyholders"

test_begin "alice and bruno open the burglary's procedure with p: the client's plan, the call list in order under the keyholder step" 30
burglary=$(api_post_alarm "$token" '{"class":"burglary","priority":2,"site_id":1,"zone":2}')
console_start A 80 24 -- --server "$(server_url main)" --user alice
console_start B 80 24 -- --server "$(server_url main)" --user bruno
console_login A alice
console_login B bruno
for console in A B; do
  wait_for_re "$console" "^2 .* burglary +Siège - Opéra" 5
  keys "$console" g p
  wait_for "$console" "Procedure of alarm $burglary (burglary): Siège - Opéra, Banque Lutèce" 5
  expect_screen "$console" "the client's plan for burglary"
  expect_screen "$console" "Site phone $site_phone"
  expect_screen "$console" "[ ] 1. Check the cameras of the zone"
  expect_screen "$console" "[ ] 2. Call keyholder 1, then the next ones in order"
  expect_screen "$console" "1. $first_name  $first_phone"
  expect_screen "$console" "2. $second_name"
done
check "the keyholders come in their order" \
  test "$(screen_text A | grep -n "$first_name" | cut -d: -f1)" -lt "$(screen_text A | grep -n "$second_name" | cut -d: -f1)"
test_end

test_begin "alice ticks the keyholder step on A: B shows it done by Alice Moreau within 2 s, without a key" 20
keys A j Space
wait_for A "Step 2 done" 5
wait_for A "[x] 2. Call keyholder 1, then the next ones in order"
wait_for B "[x] 2. Call keyholder 1, then the next ones in order" 2
wait_for_re B "^ +done at [0-9:]+ by Alice Moreau$" 2
check "the server has the step done by alice" \
  test "$(api "$token" GET "/v1/alarms/$burglary/procedure" | json_query 'd["steps"][1]["state"] + " " + d["steps"][1]["by"]')" = "done alice"
test_end

test_begin "f marks the guard step failed with a note: B shows the note; the timeline has both marks" 20
keys A j f
wait_for A "What failed in step 3? (Enter: none)"
type_text A "Guard busy on another call"
keys A Enter
wait_for A "Step 3 failed" 5
wait_for B "[!] 3. Dispatch the intervention guard" 2
wait_for_re B "failed at [0-9:]+ by Alice Moreau: Guard busy on another call" 2
check "the alarm's timeline records both steps" \
  test "$(api_alarm_field "$token" "$burglary" 'len([e for e in a["timeline"] if e["kind"] == "step"])')" = 2
test_end

test_begin "a duress code at the bank: the queue says DURESS; its checklist starts with the duress plan, never calls the site, hides its number" 30
duress=$(api_post_alarm "$token" '{"class":"duress","priority":1,"site_id":1,"zone":1}')
keys A q
wait_for_re A "^1 .* DURESS +Siège - Opéra" 5
keys A g p
wait_for A "Procedure of alarm $duress (duress)" 5
wait_for A "DURESS: possible hold-up: do NOT call the site. The duress plan comes first."
expect_screen A "[ ] 1. Do NOT call the site"
expect_screen A "[ ] 2. Call police 17 with the hold-up code"
expect_no_screen A "Site phone"
expect_no_screen A "$site_phone"
check "the server gives no step that calls the site, nor its number" \
  test "$(api "$token" GET "/v1/alarms/$duress/procedure" | json_query '[s["kind"] for s in d["steps"]].count("call-site") == 0 and d["site"]["phone"] is None and d["call_site_allowed"] is False')" = true
keys A q Enter
wait_for A "DURESS: possible hold-up: do NOT call the site; follow the duress plan (p)" 5
test_end

test_begin "sam, a supervisor, reads the duress checklist but Space ticks nothing" 20
console_start C 80 24 -- --server "$(server_url main)" --user sam
console_login C sam
wait_for_re C "^1 .* DURESS " 5
keys C g p
wait_for C "[ ] 1. Do NOT call the site" 5
keys C Space
wait_for C "Read-only console: check-step is not allowed here; nothing was sent"
check "the step is still to do on the server" \
  test "$(api "$token" GET "/v1/alarms/$duress/procedure" | json_query 'd["steps"][0]["state"]')" = pending
test_end
