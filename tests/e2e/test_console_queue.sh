#!/usr/bin/env bash
# An operator's shift at an 80x24 terminal: alice logs in, panels report a
# duress code, a burglary and a periodic test over DC-09; the alarms line
# up by priority, she opens the duress, claims it, notes the call to the
# bank and closes it as "police dispatched". A colleague's wide terminal
# shows the same queue with nothing cut, and alice leaves cleanly.
. "$(dirname "$0")/lib.sh"
plan 8

server_init
server_start main --dc09 || bail "vigied did not start"
token=$(api_login alice)

test_begin "alice logs in at 80x24: the header shows her, her role, LIVE and the node; the queue is empty" 20
console_start A 80 24 -- --server "$(server_url main)" --user alice
console_login A alice
expect_lines A login 1 3 <<'EOF'
Vigie  alice (operator)     P1:0 P2:0 P3:0 P4:0 P5:0           LIVE  main  hb Ns
P    Age Class      Site/person         Place        State        Handled by
No open alarm
EOF
test_end

test_begin "panels report over DC-09: within 2 s the duress is first, the two burglaries follow oldest first, the periodic test stays out" 20
check "the Bastille panel's burglary is acknowledged" sim_dc09 main A1B2C 1130 2 11
check "the Opera panel's duress is acknowledged" sim_dc09 main 1234 1121 1 12
check "the Opera panel's periodic test is acknowledged" sim_dc09 main 1234 1602 0 13
check "the Opera panel's burglary is acknowledged" sim_dc09 main 1234 1130 3 14
expect_lines A queue-80x24 1 6 2 <<'EOF'
Vigie  alice (operator)     P1:1 P2:2 P3:0 P4:0 P5:0           LIVE  main  hb Ns
P    Age Class      Site/person         Place        State        Handled by
1    age DURESS     Siège - Opéra       12 Rue de l… new
2    age burglary   Agence Bastille     134 Bouleva… new
2    age burglary   Siège - Opéra       12 Rue de l… new

EOF
check "the server has the same three alarms open" \
  test "$(api_open_ids "$token" | tr '\n' ' ')" = "1 2 4 "
check "the periodic test (1602) is recorded closed" \
  test "$(api_alarm_field "$token" 3 'a["event_code"] + " " + a["state"]')" = "1602 closed"
test_end

test_begin "g then Enter opens the duress: its fields, local times, timeline and raw DC-09 frame" 20
keys A g Enter
expect_lines A detail 2 17 <<'EOF'
Alarm 2   priority 1   duress   new

DURESS: possible hold-up: do NOT call the site; follow the duress plan (p)
Received     YYYY-MM-DD hh:mm:ss  (age ago)
Site/person  Siège - Opéra
Place        12 Rue de la Roquette, 75008 Paris
Label        Duress (code entered under threat)
Source       dc09   account 1234   event 1121   zone 1
Ids          site 1   device -   victim -   sequence 2
Position     none

Timeline (1)
  MM-DD hh:mm:ss  created      system

Raw message
  XXXX"ADM-CID"0012L0#1234[#1234|1121 01 001]_hh:mm:ss,MM-DD-YYYY
EOF
received=$(api_alarm_field "$token" 2 'a["received_at"]')
local_time=$(date -d "$received" '+%Y-%m-%d %H:%M:%S')
expect_screen A "Received     $local_time"
test_end

test_begin "c claims it: the detail says claimed, handled by Alice Moreau, and the status line confirms" 15
keys A c
wait_for A "Alarm 2 claimed: you handle it"
wait_for A "Alarm 2   priority 1   duress   claimed"
wait_for_re A "^Handled by   Alice Moreau \(alice\), lease until "
check "the server holds the claim for alice" \
  test "$(api_alarm_field "$token" 2 'a["state"] + " " + a["claim"]["username"]')" = "claimed alice"
test_end

note="Called the bank: code word confirmed"
test_begin "n adds a note: the text typed shows in the timeline, here and on the server" 15
keys A n
wait_for A "Note for alarm 2:"
type_text A "$note"
keys A Enter
wait_for A "Alarm 2 note added"
wait_for_re A "^  [0-9-]+ [0-9:]+  note +alice +$note\$"
check "the server's timeline has the note" \
  test "$(api_alarm_field "$token" 2 '[e["text"] for e in a["timeline"] if e["kind"] == "note"][0]')" = "$note"
test_end

test_begin "x closes it with a resolution chosen from the list: it leaves the queue and the server has it closed" 20
keys A x
wait_for A "Close alarm 2"
expect_screen A "2 Police dispatched"
keys A Down Enter
wait_for A "Closing note:"
type_text A "Police on site"
keys A Enter
wait_for A "Alarm 2 closed (police-dispatched)"
keys A q
expect_lines A queue-after-close 1 5 <<'EOF'
Vigie  alice (operator)     P1:0 P2:2 P3:0 P4:0 P5:0           LIVE  main  hb Ns
P    Age Class      Site/person         Place        State        Handled by
2    age burglary   Agence Bastille     134 Bouleva… new
2    age burglary   Siège - Opéra       12 Rue de l… new

EOF
check "the server has it closed as police-dispatched" \
  test "$(api_alarm_field "$token" 2 'a["state"] + " " + a["resolution"]')" = "closed police-dispatched"
check "the server's open list is the queue shown" test "$(api_open_ids "$token" | tr '\n' ' ')" = "1 4 "
test_end

test_begin "at 200x50 bruno sees the same queue, every column's text in full, the class widened" 20
console_start B 200 50 -- --server "$(server_url main)" --user bruno
console_login B bruno
expect_lines B queue-200x50 1 5 <<'EOF'
Vigie  bruno (operator)                                                                 P1:0 P2:2 P3:0 P4:0 P5:0                                                                       LIVE  main  hb Ns
P    Age Class                 Site/person                                                                     Place                                               State        Handled by
2    age burglary              Agence Bastille                                                                 134 Boulevard Voltaire, 75011 Paris                 new
2    age burglary              Siège - Opéra                                                                   12 Rue de la Roquette, 75008 Paris                  new

EOF
test_end

test_begin "Q asks first, y quits: the console exits with status 0 and puts the terminal back" 15
keys A Q
wait_for A "Quit the Vigie console?"
keys A y
wait_for A "[vigie exited with status 0]"
expect_no_screen A "LIVE"
test_end
