#!/usr/bin/env bash
# The backend freezes, then dies, under alice's console. Within seconds a
# banner says so, with the centre's fallback instructions, and nothing is
# sent in vain. Meanwhile a second node on the same database takes alarms
# and a closure. When vigied comes back on its port and alarms pour in at
# once, the banner goes and the queue is exactly the server's open list.
# A console whose first server is dead works through the second, and one
# on a running pair fails over when the node it uses dies.
. "$(dirname "$0")/lib.sh"
plan 8

server_init
server_start main || bail "vigied did not start"
url=$(server_url main)
main_port=${SERVER_PORT[main]}
token=$(api_login alice)
# post JSON [NODE]: an alarm recorded by hand, on main or another node.
post() { api_post_alarm "$token" "$1" "${2:-main}" >/dev/null; }
for body in '{"class":"duress","priority":1,"site_id":1,"zone":1,"note":"Hold-up code"}' \
  '{"class":"burglary","priority":2,"site_id":2,"zone":2}' \
  '{"class":"fire","priority":1,"site_id":12,"zone":1}' \
  '{"class":"technical","priority":4,"site_id":20}'; do
  post "$body" || bail "cannot record $body"
done
cat >"$WORLD/console.conf" <<EOF
server = $url
fallback-instructions = Call the backup centre: 01 23 45 67 89\\nUse the paper log (binder B)
EOF

test_begin "alice's console at 200x50 is live, its queue the server's open list" 20
console_start A 200 50 -- --config "$WORLD/console.conf" --user alice
console_login A alice
expect_queue_matches A "$token"
test_end

test_begin "vigied freezes (SIGSTOP): with no heartbeat for 5 s the banner shows; thawed, the console is live again" 25
kill -STOP "${SERVER_PID[main]}"
wait_for A "BACKEND LOST since" 8
kill -CONT "${SERVER_PID[main]}"
wait_gone A "BACKEND LOST" 10
wait_for_re A "^Vigie  alice \(operator\) .* LIVE  main  hb [0-9]+s\$"
expect_queue_matches A "$token"
test_end

test_begin "vigied is killed: within 6 s the banner says BACKEND LOST with the fallback instructions, the header LOST" 20
server_kill main KILL
wait_for A "BACKEND LOST since" 6
wait_for_re A "^ *BACKEND LOST since [0-9]{2}:[0-9]{2}:[0-9]{2} \([0-9]+ s\) - data may be stale - Call the backup centre: 01 23 45 67 89\$" 1
wait_for_re A "^ *Use the paper log \(binder B\)\$" 1
wait_for_re A "^Vigie  alice \(operator\) .* LOST  main  hb [0-9]+s\$" 1
expect_no_screen A " LIVE "
test_end

test_begin "while lost, a claim is not sent and the status line says so" 10
keys A g c
wait_for A "the backend is not reachable; nothing was sent"
test_end

test_begin "meanwhile a second node on the same database takes two alarms and closes one" 25
server_start second || fail "the second node did not start"
check "the second node records a panic" \
  post '{"class":"panic","priority":1,"victim_id":1,"note":"SOS from TGD-0001"}' second
check "the second node records a medical alarm" post '{"class":"medical","priority":3,"site_id":5}' second
check "the second node closes the burglary" \
  api "$token" POST /v1/alarms/2/close '{"resolution":"false-alarm"}' second >/dev/null
server_kill second TERM
expect_screen A "BACKEND LOST since" # it knows only the first node
test_end

test_begin "vigied restarts on its port and takes alarms at once: the banner goes, the queue is exactly the server's" 30
server_start main --port "$main_port" || fail "vigied did not restart on port $main_port"
for body in '{"class":"fire","priority":1,"site_id":7,"zone":3}' \
  '{"class":"burglary","priority":2,"site_id":9,"zone":1}' \
  '{"class":"low-battery","priority":5,"site_id":11}'; do
  check "the restarted vigied records $body" post "$body"
done
wait_gone A "BACKEND LOST" 10
wait_for_re A "^Vigie  alice \(operator\) .* LIVE  main  hb [0-9]+s\$"
expect_queue_matches A "$token" 5
keys A :
type_text A "save-display $WORLD/after-restart.txt"
keys A Enter
wait_for A "Screen written to $WORLD/after-restart.txt"
api_open_table "$token" >"$WORLD/server.rows"
queue_table <"$WORLD/after-restart.txt" >"$WORLD/saved.rows"
check "the saved screen holds the server's open list too" same_rows "$WORLD/server.rows" "$WORLD/saved.rows"
check "the open list has the 8 alarms expected" test "$(api_open_ids "$token" | wc -l)" -eq 8
test_end

dead_port=${SERVER_PORT[second]}
test_begin "bruno's server list starts with a dead port: he logs in and goes live through the second URL" 20
console_start B 200 50 -- --server "http://127.0.0.1:$dead_port,$url" --user bruno
console_login B bruno
wait_for_re B "^Vigie  bruno \(operator\) .* LIVE  main  hb"
expect_queue_matches B "$token"
test_end

test_begin "with two live nodes listed, killing the one in use moves chloe's console to the other, live and exact" 30
server_start second || fail "the second node did not start again"
console_start C 200 50 -- --server "$url,$(server_url second)" --user chloe
console_login C chloe
wait_for_re C " LIVE  main  hb"
server_kill main KILL
wait_for_re C " LIVE  second  hb" 15
check "the second node records a panic" post '{"class":"panic","priority":1,"victim_id":2}' second
expect_queue_matches C "$token" 5 second
test_end
