#!/usr/bin/env bash
# A victim presses SOS on her protection phone. alice opens the alarm,
# presses e and sees what the police would get: who (the police, with the
# number to phone should it fail), where (the phone's fix and accuracy),
# what (the SOS, the victim, her aggressor and his car). She adds a line,
# presses e again, and a confirmation names the police and the place;
# once she says yes the alarm's detail shows the escalation queued, then
# delivered with the police gateway's reference, the gateway (a real HTTP
# receiver on loopback) having refused the first try. The document it
# kept is a CAP 1.2 alert the OASIS schema accepts. A burglary escalated
# to the gendarmerie, whose gateway never takes anything, ends in a red
# line telling alice to phone instead, with the number. sam, a supervisor,
# cannot escalate: the key says so and nothing is sent.
. "$(dirname "$0")/lib.sh"
e2e_require xmllint
plan 5

# gateway_start NAME FAIL: a vigie-sim gateway answering 503 FAIL times;
# its port in GATEWAY_PORT[NAME], its documents in $WORLD/NAME.
declare -A GATEWAY_PORT
gateway_start() {
  local name=$1 log=$WORLD/logs/gateway-$1.out pid
  mkdir -p "$WORLD/$name"
  "$VIGIE_SIM" gateway --listen 127.0.0.1:0 --fail "$2" --dir "$WORLD/$name" >"$log" 2>&1 &
  pid=$!
  E2E_PIDS[$pid]=1
  for _ in $(seq 1 50); do
    GATEWAY_PORT[$name]=$(sed -n 's/^gateway: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$log")
    [ -n "${GATEWAY_PORT[$name]}" ] && return 0
    sleep 0.1
  done
  return 1
}
gateway_lines() { grep -c "^$2" "$WORLD/logs/gateway-$1.out"; }
# cap_valid FILE: the OASIS CAP 1.2 schema accepts it (xmllint's report
# as diagnostics when it does not).
cap_valid() {
  local report
  report=$(xmllint --noout --nonet --schema tests/data/cap/CAP-v1.2.xsd "$1" 2>&1) && return 0
  TEST_DIAG+=("$report")
  return 1
}

server_init
gateway_start police 1 || bail "the police gateway did not start"
gateway_start gendarmerie 1000 || bail "the gendarmerie gateway did not start"
# Retries wait 2 s, so that "queued" stays on screen long enough to read.
server_start main -- \
  --set "escalation_police_cap_url=http://127.0.0.1:${GATEWAY_PORT[police]}/alerts" \
  --set "escalation_police_phone=+33 1 53 71 53 71" \
  --set "escalation_gendarmerie_cap_url=http://127.0.0.1:${GATEWAY_PORT[gendarmerie]}/alerts" \
  --set "escalation_gendarmerie_phone=+33 4 72 00 00 17" \
  --set escalation_attempts_max=2 --set outbox_backoff_first_ms=2000 ||
  bail "vigied did not start"
token=$(api_login alice)
device_token=$(awk '$1 == "TGD-0001" { print $3 }' "$E2E_ACCOUNTS")
sos=$(curl -s --max-time 10 -XPOST "$(server_url main)/v1/ingest/device" \
  -H "Authorization: Bearer $device_token" -H "Content-Type: application/json" \
  -d '{"device_id":"TGD-0001","trigger":"sos","battery":64,"position":{"lat":48.8566,"lon":2.3522,"accuracy_m":12,"source":"gps","fix_time":"2025-03-14T09:26:50Z"}}' |
  json_query 'd["alarm_id"]')
[ -n "$sos" ] || bail "the protection phone's SOS was not recorded"

test_begin "alice opens the SOS and presses e: the dialog shows who, where and what before anything is sent" 25
console_start A 80 24 -- --server "$(server_url main)" --user alice
console_login A alice
wait_for_re A "^1 .* panic .*TGD-75-2026-0001"
keys A Enter
wait_for A "Alarm $sos   priority 1   panic   new"
keys A e
wait_for A "Escalate alarm $sos to the emergency services"
expect_screen A "Who        > Police           CAP gateway            phone +33 1 53 71 53 71"
expect_screen A "             Gendarmerie      CAP gateway            phone +33 4 72 00 00 17"
expect_screen A "             Fire brigade     no gateway             phone 18"
expect_screen A "Where      48.856600, 2.352200  +/- 12 m (gps)"
expect_screen A "What       Panic / SOS (panic), priority 1"
expect_screen A "Victim     Amélie Rocher (TGD-75-2026-0001), phone +33612480317"
expect_screen A "Aggressor  Franck Rocher"
expect_screen A "plate FR-482-KD"
check "nothing was sent yet" test "$(gateway_lines police '[0-9]')" = 0
check "the alarm is not escalated yet" \
  test "$(api_alarm_field "$token" "$sos" 'a["state"]')" = new
test_end

test_begin "she adds her line, confirms the police and the place, and sees queued, then delivered with the gateway's reference" 30
keys A n
wait_for A "Your line for Police:"
type_text A "She hides in the bathroom, he is at the door"
keys A Enter
wait_for A "Your line  She hides in the bathroom, he is at the door"
keys A e
wait_for A "Escalate to Police"
expect_screen A "Send alarm $sos to Police now?"
expect_screen A "Where: TGD-75-2026-0001"
expect_screen A "48.856600, 2.352200  +/- 12 m"
expect_screen A "+33 1 53 71 53 71"
check "the confirmation sends nothing by itself" test "$(gateway_lines police '[0-9]')" = 0
keys A y
wait_for A "Alarm $sos   priority 1   panic   escalated" 5
wait_for A "Police: queued, not delivered yet" 5
wait_for_re A "^Police: delivered, reference PN-[0-9]{4}-[0-9]{6}$" 15
reference=$(screen_text A | sed -n 's/^Police: delivered, reference \(PN-[0-9-]*\)$/\1/p')
expect_colours A "#\[(32|38;5;2)m(#\[[0-9;]*m)*Police: delivered, reference" "the delivered line in the delivery-ok colour"
check "the gateway refused once, then took the alert under that reference" \
  test "$(gateway_lines police 503) $(gateway_lines police 201) $(grep -c "^201 .* $reference$" "$WORLD/logs/gateway-police.out")" = "1 1 1"
check "what the gateway kept is a CAP 1.2 alert the OASIS schema accepts" \
  cap_valid "$(echo "$WORLD"/police/*"$reference".xml)"
check "its circle is the phone's fix with 12 m as 0.012 km" \
  grep -q "<circle>48.856600,2.352200 0.012</circle>" "$WORLD"/police/*"$reference".xml
check "it carries alice's line" \
  grep -q "She hides in the bathroom, he is at the door" "$WORLD"/police/*"$reference".xml
check "the server says the same: delivered, with that reference" \
  test "$(api_alarm_field "$token" "$sos" 'a["escalations"][0]["state"] + " " + a["escalations"][0]["reference"]')" = "delivered $reference"
test_end

test_begin "a burglary escalated to the gendarmerie, whose gateway never takes it, ends in a red line: phone instead" 35
burglary=$(api_post_alarm "$token" '{"class":"burglary","priority":2,"site_id":1,"zone":2,"note":"Two men seen inside"}')
keys A q
wait_for_re A "^2 .* burglary .*Siège - Opéra"
keys A j
keys A e
wait_for A "Escalate alarm $burglary to the emergency services"
expect_screen A "Where      48.875528, 2.307712 (the site's address)"
expect_screen A "           Siège - Opéra, 12 Rue de la Roquette, 75008 Paris"
expect_screen A "What       Burglary (burglary), priority 2, zone 2"
keys A j
wait_for A "Who          Police"
wait_for A "           > Gendarmerie"
keys A e
wait_for A "Escalate to Gendarmerie"
expect_screen A "Where: Siège - Opéra, 12 Rue de la Roquette, 75008 Paris"
keys A y
wait_for A "Alarm $burglary   priority 2   burglary   escalated" 5
wait_for A "Gendarmerie NOT reached: the escalation failed. PHONE +33 4 72 00 00 17 NOW" 20
expect_colours A "#\[(91|31|38;5;9)m(#\[[0-9;]*m)*Gendarmerie NOT reached" "the failure in the delivery-failed colour"
check "the gateway was tried twice and answered 503 both times" \
  test "$(gateway_lines gendarmerie 503) $(gateway_lines gendarmerie 201)" = "2 0"
check "the server says failed, with the number to phone" \
  test "$(api_alarm_field "$token" "$burglary" 'a["escalations"][0]["state"] + " " + a["escalations"][0]["fallback_phone"]')" = "failed +33 4 72 00 00 17"
test_end

test_begin "an agency without a gateway is refused in the dialog, with its number" 20
keys A e
wait_for A "Escalate alarm $burglary to the emergency services"
keys A k
wait_for A "           > Medical (SAMU)"
keys A e
wait_for A "No gateway is configured for Medical (SAMU): phone 15 instead"
expect_no_screen A "Escalate to Medical"
keys A q
test_end

test_begin "sam, a supervisor, presses e: not allowed, no dialog, and the server refuses him too" 20
console_start S 80 24 -- --server "$(server_url main)" --user sam
console_login S sam
wait_for_re S "^1 .* panic .*TGD-75-2026-0001"
keys S e
wait_for S "Read-only console: escalate is not allowed here; nothing was sent" 3
expect_no_screen S "Escalate alarm"
keys S Enter
wait_for S "Alarm $sos   priority 1   panic   escalated"
keys S e
wait_for S "Read-only console: escalate is not allowed here; nothing was sent" 3
expect_no_screen S "Escalate alarm"
sam_token=$(api_login sam)
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -XPOST \
  "$(server_url main)/v1/alarms/$sos/escalations" -H "Authorization: Bearer $sam_token" \
  -H "Content-Type: application/json" -d '{"agency":"police"}')
check "the server answers his POST with 403" test "$code" = 403
check "the police gateway got nothing more" test "$(gateway_lines police 201)" = 1
test_end
