#!/usr/bin/env bash
# Remote disarm from the console. Three demo sites have a panel vigied can
# command (vigie-sim panels speaking the EnvisaLink TPI, reporting over
# DC-09): one that obeys, one that refuses, one that stays silent. alice
# opens the burglary of Siège - Opéra, presses D, reads a confirmation that
# names the site, cancels once, then confirms: the detail shows the
# command pending, then confirmed by the panel and by its DC-09 report, and
# the site "disarmed since" a time. The refusing panel's and the silent
# panel's outcomes show as refused and timed out. sam, a supervisor, cannot
# disarm: his console refuses and nothing reaches the server.
. "$(dirname "$0")/lib.sh"
plan 5

# The panel's TPI password and the centre's user code for this test.
TPI_PASSWORD=s3cr3t
USER_CODE=135790

server_init
server_start main --dc09 -- --set panel_command_timeout_s=4 || bail "vigied did not start"
token=$(api_login alice)

# panel_sim NAME ACCOUNT OPTIONS...: a vigie-sim panel answering the TPI
# on a free port and reporting as ACCOUNT; linked to its account with
# `vigied panel set` (secrets on standard input).
panel_sim() {
  local name=$1 account=$2 log=$WORLD/logs/panel-$1.out address=''
  shift 2
  "$VIGIE_SIM" panel --listen 127.0.0.1:0 --to "127.0.0.1:${SERVER_DC09[main]}" \
    --account "$account" --password "$TPI_PASSWORD" --code "$USER_CODE" --state armed \
    --seconds 140 "$@" >"$log" 2>&1 &
  E2E_PIDS[$!]=1
  for _ in $(seq 1 100); do
    address=$(sed -n 's/^tpi: listening on //p' "$log")
    [ -n "$address" ] && break
    sleep 0.05
  done
  [ -n "$address" ] || bail "the $name panel simulator did not start"
  printf '%s\n%s\n' "$TPI_PASSWORD" "$USER_CODE" |
    "$VIGIED" panel set "$account" --protocol tpi --address "$address" \
      --password-file - --code-file - --db "$E2E_DB" >>"$WORLD/logs/panel-set.log" 2>&1 ||
    bail "cannot link the $name panel"
}

# Siège - Opéra (site 1, account 1234) obeys, a second and a half later;
# Chantier Campus Créteil (site 43, 1520) refuses; Bibliothèque du Parc
# (site 31, 1A7C) says nothing.
panel_sim obeying 1234 --answer-delay 1500 --report-delay 500
panel_sim refusing 1520 --refuse --answer-delay 300
panel_sim silent 1A7C --silent
opera=$(api_post_alarm "$token" '{"class":"burglary","priority":2,"site_id":1,"zone":2}')
creteil=$(api_post_alarm "$token" '{"class":"burglary","priority":2,"site_id":43,"zone":1}')
parc=$(api_post_alarm "$token" '{"class":"burglary","priority":2,"site_id":31,"zone":4}')
[ -n "$opera" ] && [ -n "$creteil" ] && [ -n "$parc" ] || bail "cannot record the alarms"

commands_of() { api "$token" GET "/v1/sites/$1/panel" | json_query 'len(d["commands"])'; }

# open_alarm CONSOLE ROW ID: from the queue, the ROW-th alarm (1-based).
open_alarm() {
  keys "$1" g
  for _ in $(seq 2 "$2"); do keys "$1" Down; done
  keys "$1" Enter
  wait_for "$1" "Alarm $3   priority 2   burglary"
}

test_begin "D on the burglary of Siège - Opéra asks first, naming the site; Esc sends nothing" 30
console_start A 100 40 -- --server "$(server_url main)" --user alice
console_login A alice
wait_for_re A "^2 .* burglary +Siège - Opéra"
open_alarm A 1 "$opera"
wait_for A "EnvisaLink TPI (DSC) at 127.0.0.1:"
keys A D
wait_for A "Disarm the panel of site Siège - Opéra?"
wait_for A "The site is unprotected until it is armed again."
keys A Escape
wait_for A "Disarm cancelled: nothing was sent"
check "no command reached the server" test "$(commands_of 1)" = 0
test_end

test_begin "y sends it: the detail shows it pending, then confirmed by the panel and by DC-09, and the site disarmed since a time" 30
keys A D
wait_for A "Disarm the panel of site Siège - Opéra?"
keys A y
wait_for A "disarm by alice: pending" 5
wait_for A "waiting for the panel"
wait_for A "disarm by alice: confirmed" 10
wait_for A "655 partition 1 disarmed"
wait_for A "DC-09 report" 10
wait_for_re A "^Panel +disarmed since [0-9]{2}:[0-9]{2}:[0-9]{2} \("
check "the server recorded the panel's answer and the DC-09 opening" \
  test "$(api "$token" GET /v1/sites/1/panel |
    json_query 'd["commands"][0]["state"] + " " + str(d["commands"][0]["report_alarm_id"] is not None)')" = "confirmed True"
test_end

test_begin "a panel that refuses: the detail says refused, with the panel's answer" 30
keys A q
open_alarm A 2 "$creteil"
keys A D
wait_for A "Disarm the panel of site Chantier Campus Créteil?"
keys A y
wait_for A "disarm by alice: refused" 10
wait_for A "670 invalid access code"
test_end

test_begin "a panel that says nothing: pending, then timed out after the 4 s of this centre" 30
keys A q
open_alarm A 3 "$parc"
keys A D
wait_for A "Disarm the panel of site Bibliothèque du Parc?"
keys A y
wait_for A "disarm by alice: pending" 5
wait_for A "disarm by alice: timed out" 15
wait_for A "no answer from the panel within 4 s"
test_end

test_begin "sam, a supervisor, presses D on the same alarm: refused, no dialog, nothing sent" 30
console_start S 100 40 -- --server "$(server_url main)" --user sam
console_login S sam
wait_for_re S "^2 .* burglary +Siège - Opéra"
open_alarm S 1 "$opera"
keys S D
wait_for S "Read-only console: disarm is not allowed here; nothing was sent"
expect_no_screen S "Disarm the panel of site"
keys S L
wait_for S "Read-only console: arm-away is not allowed here; nothing was sent"
check "the server still has only alice's command for Siège - Opéra" test "$(commands_of 1)" = 1
test_end
