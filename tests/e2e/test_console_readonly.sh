#!/usr/bin/env bash
# The supervisor's wall screen changes nothing. sam, a supervisor, sees
# READ-ONLY in the header; every key that would change an alarm (claim,
# acknowledge, note, close), on the queue, in the detail or typed as a
# command, says it is not allowed and sends nothing: the server shows the
# alarm exactly as it was. An operator started with --read-only, or with
# read-only = yes in her settings file, is held to the same.
. "$(dirname "$0")/lib.sh"
plan 5

server_init
server_start main || bail "vigied did not start"
token=$(api_login alice)
alarm=$(api_post_alarm "$token" '{"class":"burglary","priority":2,"site_id":3,"zone":4,"note":"Glass break, back office"}')
before=$(api "$token" GET "/v1/alarms/$alarm")
[ -n "$alarm" ] || bail "cannot record the alarm"

# refuses CONSOLE: c, a, n and x on the selected alarm each say that the
# console is read-only and open nothing.
refuses() {
  local key action
  for key in c:claim a:acknowledge n:note x:close; do
    action=${key#*:}
    keys "$1" "${key%%:*}"
    wait_for "$1" "Read-only console: $action is not allowed here; nothing was sent" 3
    expect_no_screen "$1" "Note for alarm"
    expect_no_screen "$1" "Close alarm"
  done
}

unchanged() {
  check "the server shows alarm $alarm exactly as before (state, claim, timeline, sequence)" \
    test "$(api "$token" GET "/v1/alarms/$alarm")" = "$before"
}

test_begin "sam, a supervisor, logs in: the header says READ-ONLY and the hints offer no change" 20
console_start S 80 24 -- --server "$(server_url main)" --user sam
console_login S sam
wait_for_re S "^Vigie  sam \(supervisor\)  READ-ONLY "
wait_for_re S "^2 .* burglary "
expect_no_screen S "c claim"
expect_no_screen S "x close"
expect_colours S "^#.*#\[(45|48;5;5|105|48;5;13)m[^#]*READ-ONLY" "READ-ONLY in its own colours (on magenta)"
test_end

test_begin "on the queue, sam's c, a, n and x are refused and the server's alarm is unchanged" 20
refuses S
unchanged
test_end

test_begin "in the detail and on the command line, the same keys are refused too" 20
keys S Enter
wait_for S "Alarm $alarm   priority 2   burglary   new"
refuses S
keys S :
type_text S "note written anyway"
keys S Enter
wait_for S "Read-only console: note is not allowed here; nothing was sent"
unchanged
test_end

test_begin "alice started with --read-only is held to the same, though an operator" 20
console_start A 80 24 -- --server "$(server_url main)" --user alice --read-only
console_login A alice
wait_for_re A "^Vigie  alice \(operator\)  READ-ONLY "
wait_for_re A "^2 .* burglary "
refuses A
unchanged
test_end

test_begin "read-only = yes in a settings file (--config) does the same" 20
printf 'server = %s\nuser = alice\nread-only = yes\n' "$(server_url main)" >"$WORLD/wall.conf"
console_start W 80 24 -- --config "$WORLD/wall.conf"
console_login W alice
wait_for_re W "^Vigie  alice \(operator\)  READ-ONLY "
wait_for_re W "^2 .* burglary "
refuses W
unchanged
test_end
