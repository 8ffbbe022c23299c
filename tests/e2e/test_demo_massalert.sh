#!/usr/bin/env bash
# Issue 7's "done when", from `make demo`: tools/demo.sh runs as a
# newcomer starts it (no terminal: it serves until stopped), with the
# mass alert's gateways on loopback (Kannel and its fake SMS centre, the
# SMTP server, the push service, baresip answering calls) and the
# simulated agents who answer. In its console alice picks the burglary at
# "Siège - Opéra", draws the 800 m circle around it (M), sends the "search
# for a person" template after the confirmation, watches the SMS counted
# delivered and the agents' answers come in live, relays a sighting into
# the alarm (its log shows it), writes the report and finds the alert in
# the list of alerts.
. "$(dirname "$0")/lib.sh"
e2e_require /usr/sbin/bearerbox /usr/sbin/smsbox /usr/lib/kannel/test/fakesmsc baresip openssl
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || { echo "1..0 # SKIP missing: python3-aiosmtpd"; exit 0; }
plan 6

# ---- the demo, started as `make demo` does, on free ports ----
demo_dir=$WORLD/demo
demo_pid=
# The demo stops its gateways itself (bearerbox takes a moment): it is
# given that time before the world's cleanup, which kills what is left.
demo_stop() {
  [ -n "$demo_pid" ] || return 0
  kill -TERM "$demo_pid" 2>/dev/null
  for _ in $(seq 1 200); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.1; done
  wait "$demo_pid" 2>/dev/null
  unset "E2E_PIDS[$demo_pid]"
  demo_pid=
  # The sanitizer build's logs, where the world's cleanup reads them.
  local log
  for log in vigied agents push simulator tpi-panel; do
    [ -f "$demo_dir/$log.log" ] && cp "$demo_dir/$log.log" "$WORLD/logs/demo-$log.log"
  done
  return 0
}
trap 'status=$?; demo_stop; (exit $status); e2e_cleanup' EXIT

# A few push subscriptions: each costs a sanitizer build's process.
VIGIE_DEMO_DIR=$demo_dir VIGIE_DEMO_PORT=0 VIGIE_DEMO_DC09_PORT=0 VIGIE_DEMO_TPI_PORT=0 \
  VIGIE_DEMO_POLICE_PORT=0 VIGIE_DEMO_GENDARMERIE_PORT=0 VIGIE_DEMO_KANNEL_PORT=0 \
  VIGIE_DEMO_SMTP_PORT=0 VIGIE_DEMO_PUSH_PORT=0 VIGIE_DEMO_SIP_PORT=0 VIGIE_DEMO_PUSH_AGENTS=12 \
  tools/demo.sh "$(dirname "$E2E_BIN")" </dev/null >"$WORLD/logs/demo.out" 2>&1 &
demo_pid=$!
E2E_PIDS[$demo_pid]=1

# counts_row NAME CHANNEL REGEX...: the monitor's row of a channel, its
# five counts each matching its pattern.
counts_row() {
  local name=$1 channel=$2
  shift 2
  screen_text "$name" | grep -qE "^$channel +$1 +$2 +$3 +$4 +$5\$"
}
# alert_field EXPR: a field of GET /v1/massalerts/1, as a Python
# expression over the alert d.
alert_field() { api "$token" GET /v1/massalerts/1 | json_query "$1"; }

test_begin "make demo starts the mass alert's gateways and the agents who answer" 60
for _ in $(seq 1 600); do
  grep -q "Ctrl-C stops the demo" "$WORLD/logs/demo.out" && break
  kill -0 "$demo_pid" 2>/dev/null || break
  sleep 0.1
done
url=$(sed -n 's/^Vigie demo: vigied serves \(http:[^ ]*\) on .*/\1/p' "$WORLD/logs/demo.out")
if [ -z "$url" ]; then
  fail "the demo did not come up:"
  while IFS= read -r line; do TEST_DIAG+=("| $line"); done < <(tail -20 "$WORLD/logs/demo.out")
  test_end
  bail "no demo"
fi
SERVER_PORT[main]=${url##*:}
cp "$demo_dir/accounts.txt" "$E2E_ACCOUNTS"
check "the demo's message names the four channels' gateways" grep -qF \
  "The gateways run on loopback: SMS (Kannel), e-mail (SMTP), push (Web Push), voice (SIP)." \
  "$WORLD/logs/demo.out"
check "the demo's message says how to send one (M, Ctrl-X)" eval \
  "grep -qF 'Mass alert: on an alarm' '$WORLD/logs/demo.out' &&
   grep -qF 'Ctrl-X asks to confirm' '$WORLD/logs/demo.out'"
eventually 20 "the simulated agents watch the gateways" grep -q "^agents: watching" \
  "$demo_dir/agents.log"
token=$(api_login alice)
check "alice logs in" test -n "$token"
test_end

test_begin "alice draws 800 m around the burglary at Siège - Opéra and sends a template, confirmed" 60
console_start A 100 30 -- --server "$url" --user alice
console_login A alice
keys A /
wait_for_re A "^/"
keys A C-u
type_text A "Siège - Opéra"
keys A Enter
wait_for A "burglary   Siège - Opéra"
keys A Enter
wait_for A "Intrusion reported by the night guard"
keys A M
wait_for A "Alarm 1: Siège - Opéra"
wait_for A "Radius 800 m"
wait_for A "[x] SMS [x] e-mail [x] voice [x] push"
wait_for_re A "Agents reached: [1-9][0-9]*" 10
keys A t
wait_for A "Search for a person"
keys A Enter
wait_for A "Description of the person (1/2):"
type_text A "man, about 30, black jacket, white trousers"
keys A Enter
wait_for A "Number to call (2/2):"
type_text A "01 23 45 67 89"
keys A Enter
wait_for A "Template: Search for a person"
keys A C-x
wait_for_re A "Send this alert to [0-9]+ people within 800 m of Alarm 1: Siège - Opéra"
keys A y
wait_for A "MASS ALERT 1  sending  800 m around Alarm 1: Siège - Opéra" 10
test_end

test_begin "the monitor counts the SMS delivered by Kannel and the e-mails taken by the mail server" 60
# The send is written in the background: the counts are read when final.
sms_of_alert() { alert_field 'sum(d["counts"]["sms"][k] for k in ("queued","sent","delivered","failed"))'; }
eventually 20 "the alert counts its SMS" test "$(sms_of_alert)" -gt 0
sms=$(sms_of_alert)
emails=$(alert_field 'sum(d["counts"]["email"][k] for k in ("queued","sent","delivered","failed"))')
eventually 40 "the SMS row reads 0 queued, 0 sent, $sms delivered, 0 failed" \
  counts_row A SMS 0 0 "$sms" 0 '[0-9]+'
eventually 30 "the e-mail row reads 0 queued, $emails sent" counts_row A e-mail 0 "$emails" 0 0 '[0-9]+'
check "the phones' SMS centre got them (a long one in parts)" \
  test "$(grep -c 'Got message' "$demo_dir/kannel/phones.log")" -ge "$sms"
check "the mail server kept the e-mails" test "$(ls "$demo_dir"/mail/*.eml | wc -l)" -ge "$emails"
test_end

test_begin "the agents' answers arrive live, with their site and distance" 60
wait_for_re A "Replies: [1-9]" 40
wait_for_re A "^[0-9:]{8} .+, .+, [0-9]+ m \((SMS|e-mail|web)\): " 10
eventually 10 "the agents say they answered through the gateways" grep -q "^answered " \
  "$demo_dir/agents.log"
test_end

test_begin "R relays a sighting into the alarm: its log shows it" 60
# The first simulated answer is a sighting; newer answers may come in
# above it, so its place is read from the server and checked on screen.
sighting=
for _ in $(seq 1 100); do
  alive || break
  place=$(alert_field 'next(("%d\t%s" % (i, r["text"]) for i, r in enumerate(d["replies"]) if r["kind"] == "seen"), "")')
  if [ -n "$place" ]; then
    keys A g
    for _ in $(seq 1 "${place%%$'\t'*}"); do keys A j; done
    # The selected answer is written in full under the list.
    if screen_text A | grep -qxF "${place#*$'\t'}"; then
      sighting=${place#*$'\t'}
      keys A R
      break
    fi
  fi
  sleep 0.3
done
check "a sighting came in and was selected" test -n "$sighting"
wait_for A "Relay the reply into alarm"
keys A Enter
wait_for A "Reply relayed into alarm 1's log"
check "the server marks the sighting relayed into alarm 1" test "$(alert_field \
  'sum(1 for r in d["replies"] if r["kind"] == "seen" and r.get("relayed_alarm_id") == 1)')" = 1
check "alarm 1's log has the sighting" \
  eval "api '$token' GET /v1/alarms/1 | grep -qF 'sighting relayed: '"
check "alarm 1's log has the agent's words" \
  eval "api '$token' GET /v1/alarms/1 | grep -qF \"\$sighting\""
test_end

test_begin "w writes the report; the recipients and the list of alerts show the alert" 45
keys A w
wait_for A "Write the CSV report to: massalert-1-report.csv"
keys A Enter
wait_for A "Report of mass alert 1 written to massalert-1-report.csv"
check "the report has a line per recipient and channel at least" \
  test "$(grep -c . "$WORLD/massalert-1-report.csv")" -gt "$sms"
keys A Tab
wait_for_re A "Recipients 1-[0-9]+ of [0-9]+"
keys A q
wait_for A "MASS ALERT"
keys A q
wait_for A "sighting relayed: " 10
keys A A
wait_for A "Mass alerts, newest first"
wait_for_re A "#1  (sending|done)  800 m around Alarm 1"
test_end
