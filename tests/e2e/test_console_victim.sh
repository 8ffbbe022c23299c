#!/usr/bin/env bash
# A night at the tele-assistance desk, on an 80x24 terminal. Amélie Rocher
# presses SOS on her protection phone; alice selects the alarm and presses
# v: the victim's file shows her name, the number to call back, the
# aggressor and his plate, and below it the phone's position with its
# accuracy, the battery and the track; the server's audit has a row for
# this opening. The phone keeps reporting: the track grows on screen
# without a key. sam, a supervisor, opens the file too (audited again) and
# cannot claim the alarm from it; a burglary has no victim's file.
. "$(dirname "$0")/lib.sh"
plan 5

server_init
server_start main || bail "vigied did not start"
token=$(api_login alice)
phone_token=$(awk '$1 == "TGD-0001" && $2 == "protection-phone" { print $3 }' "$E2E_ACCOUNTS")
[ -n "$phone_token" ] || bail "the demo data has no token for TGD-0001"
# phone TRIGGER LAT LON ACCURACY BATTERY: one message of TGD-0001.
phone() {
  timeout 10 "$VIGIE_SIM" phone --server "$(server_url main)" --device TGD-0001 \
    --token "$phone_token" --trigger "$1" --lat "$2" --lon "$3" --source gps --accuracy "$4" \
    --battery "$5" >>"$WORLD/logs/phone.log" 2>&1
}

# db_int SQL: the first column of the first row, read from the world's
# database while vigied runs (read-only).
db_int() {
  "$E2E_PYTHON" -c 'import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(db.execute(sys.argv[2]).fetchone()[0])' "$E2E_DB" "$1"
}

victim=$(db_int "SELECT victim_id FROM devices WHERE device_uid = 'TGD-0001'")
[ -n "$victim" ] || bail "the demo data has no device TGD-0001"

victim_reads() {
  db_int "SELECT COUNT(*) FROM audit WHERE action = 'victim.read' AND object_id = $victim"
}

test_begin "an SOS arrives; v opens the victim's file: her name, the number to call, the aggressor's plate, the position's accuracy" 30
console_start A 80 24 -- --server "$(server_url main)" --user alice
console_login A alice
check "the phone's SOS is accepted" phone sos 48.85340 2.37890 12 54
wait_for_re A "^1 .* panic +TGD-75-2026-0001 " 5
reads_before=$(victim_reads)
keys A g v
wait_for A "Victim's file TGD-75-2026-0001  (confidential: every opening is recorded)" 5
expect_screen A "Name         Amélie Rocher, born 1988-04-12"
expect_screen A "Call back    +33612480317"
expect_screen A "Aggressor    Franck Rocher"
expect_screen A "Vehicle      Grey Peugeot 308"
expect_screen A "Plate        FR-482-KD"
wait_for A "Position     48.85340, 2.37890  +/- 12 m (gps)"
expect_screen A "Battery      54 %"
expect_screen A "Track: 1 point, newest first"
test_end

test_begin "the opening is in the server's audit, under alice, and the chain is intact" 20
eventually 5 "one more victim.read row for the file" test "$(victim_reads)" -eq $((reads_before + 1))
check "the row names alice" \
  test "$(db_int "SELECT actor FROM audit WHERE action = 'victim.read' ORDER BY id DESC LIMIT 1")" = alice
check "vigied audit verify finds the chain intact" \
  sh -c "'$VIGIED' audit verify --db '$E2E_DB' | grep -q 'audit chain intact'"
test_end

test_begin "the phone keeps reporting: the track grows and the position moves on screen, without a key" 20
check "a position follows" phone position 48.85370 2.37910 8 53
wait_for A "Track: 2 points, newest first" 3
wait_for A "Position     48.85370, 2.37910  +/- 8 m (gps)" 3
expect_screen A "48.85340, 2.37890  +/- 12 m (gps)  54%"
check "moving in the file re-read nothing: still one audit row for this opening" \
  test "$(victim_reads)" -eq $((reads_before + 1))
test_end

test_begin "sam, a supervisor, reads the file (audited) but cannot claim the alarm from it" 25
console_start B 80 24 -- --server "$(server_url main)" --user sam
console_login B sam
wait_for_re B "^1 .* panic +TGD-75-2026-0001 " 5
keys B g v
wait_for B "Plate        FR-482-KD" 5
eventually 5 "a victim.read row under sam" \
  test "$(db_int "SELECT COUNT(*) FROM audit WHERE action = 'victim.read' AND actor = 'sam'")" -ge 1
keys B c
wait_for B "Read-only console: claim is not allowed here; nothing was sent"
check "nobody holds the alarm" test "$(api_alarm_field "$token" 1 'a["claim"] is None')" = true
test_end

test_begin "a burglary has no victim's file: v says so and stays on the queue" 20
burglary=$(api_post_alarm "$token" '{"class":"burglary","priority":2,"site_id":2,"zone":2}')
keys A q
wait_for_re A "^2 .* burglary +Agence Bastille" 5
keys A G v
wait_for A "Alarm $burglary has no victim's file: it does not come from a protection phone"
expect_screen A "Handled by"
test_end
