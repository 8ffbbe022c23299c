#!/usr/bin/env bash
# Sending a mass alert from the console, at 80x24, and following it. A
# woman's SOS in Lyon; alice opens the composer (M), keeps SMS only,
# chooses the "search for a person" template and fills its two blanks;
# the SMS meter says how long it is. Ctrl-X asks a confirmation naming the
# area and the number of people, and only y sends. The monitor then shows
# the SMS counts ticking as the gateway takes the messages and the network
# reports them delivered (or not), live. An agent answers by SMS: his
# reply comes up with his name, his site and its distance, and alice
# relays it to the police the alarm was escalated to: their gateway gets a
# CAP update of its alert with his words. w writes the CSV report. A second alert
# over 30 km is cancelled while it is being sent: what had not left is
# not sent.
#
# The SMS gateway is a small Kannel stand-in on loopback, written here: it
# answers sendsms as Kannel does (202, "0: Accepted for delivery") and
# calls the dlr-url back a moment later, "delivered" except for numbers
# ending in 99 ("undelivered"). The agents' SMS answer comes in through
# vigied's real Kannel sms-service route.
. "$(dirname "$0")/lib.sh"
plan 7

server_init
device_token() { awk -v d="$1" '$1 == d && NF == 3 { print $3 }' "$E2E_ACCOUNTS"; }
free_port() { "$E2E_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# ---- the SMS gateway ----
"$E2E_PYTHON" - "$WORLD/gateway.port" "$WORLD/gateway.log" <<'PYTHON' >/dev/null 2>&1 &
import http.server, os, sys, threading, time, urllib.parse, urllib.request
port_file, log_file = sys.argv[1], sys.argv[2]
class Gateway(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        to, dlr = query.get("to", [""])[0], query.get("dlr-url", [""])[0]
        with open(log_file, "a") as log:
            log.write("%s %s\n" % (to, query.get("text", [""])[0]))
        self.send_response(202)
        self.end_headers()
        self.wfile.write(b"0: Accepted for delivery")
        kind = "2" if to.endswith("99") else "1"
        def report():
            time.sleep(1.0)
            try:
                urllib.request.urlopen(dlr.replace("%d", kind), timeout=5).read()
            except Exception as e:
                print("dlr failed:", e, file=sys.stderr)
        if dlr:
            threading.Thread(target=report, daemon=True).start()
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
PYTHON
E2E_PIDS[$!]=1
for _ in $(seq 1 50); do [ -s "$WORLD/gateway.port" ] && break; sleep 0.1; done
[ -s "$WORLD/gateway.port" ] || bail "the SMS gateway did not start"
gateway="http://127.0.0.1:$(cat "$WORLD/gateway.port")/cgi-bin/sendsms"

# The police gateway (vigie-sim gateway, a real HTTP receiver) keeps each
# CAP document it takes in $WORLD/police.
mkdir -p "$WORLD/police"
"$VIGIE_SIM" gateway --listen 127.0.0.1:0 --fail 0 --dir "$WORLD/police" \
  >"$WORLD/logs/gateway-police.out" 2>&1 &
E2E_PIDS[$!]=1
police_port=
for _ in $(seq 1 50); do
  police_port=$(sed -n 's/^gateway: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' \
    "$WORLD/logs/gateway-police.out")
  [ -n "$police_port" ] && break
  sleep 0.1
done
[ -n "$police_port" ] || bail "the police gateway did not start"

port=$(free_port)
secret=0123456789abcdef0123456789abcdef
# Two SMS a second: slow enough to see the counts tick, and to cancel.
server_start main --port "$port" -- --set sms_gateway_url="$gateway" \
  --set sms_callback_url="http://127.0.0.1:$port" --set kannel_secret=$secret \
  --set sms_rate=2 --set "escalation_police_cap_url=http://127.0.0.1:$police_port/alerts" ||
  bail "vigied did not start"
url=$(server_url main)

centre_lat=45.7578 centre_lon=4.8320
timeout 10 "$VIGIE_SIM" phone --server "$url" --device TGD-0001 \
  --token "$(device_token TGD-0001)" --lat $centre_lat --lon $centre_lon --source gps \
  --accuracy 8 --trigger sos >>"$WORLD/logs/phone.log" 2>&1 || bail "the SOS was not recorded"

# Three agents 300 m away (one whose phone is off: ...99), twelve 20 km south.
"$E2E_PYTHON" - "$WORLD/agents.csv" $centre_lat $centre_lon <<'PYTHON' || bail "no agents file"
import sys
path, lat, lon = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
rows = [("L1", "Lucie Bernard", "SL1", "Hotel Carlton Lyon", lat + 0.0027, lon, "+33610000001"),
        ("L2", "Marc Petit", "SL1", "Hotel Carlton Lyon", lat + 0.0027, lon, "+33610000002"),
        ("L3", "Nadia Roux", "SL2", "Galeries Bellecour", lat + 0.0027, lon, "+33610000099")]
rows += [("F%d" % i, "Far Agent %d" % i, "SF1", "Usine Vienne Sud", lat - 0.18, lon,
          "+336100002%02d" % i) for i in range(1, 13)]
with open(path, "w") as f:
    f.write("agent_id,name,site_id,site_name,site_validated,lat,lon,phone,email,vetted,duty\n")
    for r in rows:
        f.write("%s,%s,%s,%s,yes,%.6f,%.6f,%s,,yes,24/7\n" % r)
PYTHON
"$VIGIED" agents import "$WORLD/agents.csv" --db "$E2E_DB" >"$WORLD/logs/import.log" 2>&1 ||
  bail "vigied agents import failed: $(cat "$WORLD/logs/import.log")"

# counts_row NAME CHANNEL QUEUED SENT DELIVERED FAILED REPLIED: the
# monitor's row of a channel shows these numbers.
counts_row() {
  screen_text "$1" | grep -qE "^$2 +$3 +$4 +$5 +$6 +$7\$"
}

test_begin "the template's form, the SMS meter, and a confirmation naming the area and the people" 60
console_start A 80 24 -- --server "$url" --user alice
console_login A alice
wait_for A "TGD-"
keys A M
wait_for A "Agents reached: 3"
keys A e v p
wait_for A "[x] SMS [ ] e-mail [ ] voice [ ] push"
keys A t
wait_for A "Message template"
wait_for A "Search for a person"
keys A Enter
wait_for A "Description of the person (1/2):"
type_text A "man, about 30, black jacket, white trousers"
keys A Enter
wait_for A "Number to call (2/2):"
type_text A "01 23 45 67 89"
keys A Enter
wait_for A "Template: Search for a person [en]"
wait_for A "DO NOT LEAVE YOUR SITE"
# 142 characters and the 72 of the reply link: two parts.
wait_for A "SMS: 2 parts, 214/306 GSM 7-bit"
keys A C-x
wait_for A "Send the mass alert"
wait_for A "Send this alert to 3 people within 800 m of Alarm 1"
# Anything but y keeps it unsent.
keys A n
wait_for A "Mass alert not sent"
check "nothing reached the gateway" test ! -s "$WORLD/gateway.log"
test_end

test_begin "y sends: the monitor shows the SMS counts ticking to delivered, and one failed" 60
keys A C-x
wait_for A "Send this alert to 3 people"
keys A y
wait_for A "MASS ALERT 1  sending  800 m around Alarm 1"
wait_for A "Replies: 0"
# On their way first (queued at the gateway's pace, or sent and not yet
# reported), then delivered: the counts move without a key.
on_the_way() { screen_text A | grep -qE "^SMS +([1-3] +[0-9]+|[0-9]+ +[1-3]) +[0-2] +0 +0\$"; }
eventually 10 "the SMS row shows messages on their way" on_the_way
eventually 20 "the SMS row reads 0 queued, 0 sent, 2 delivered, 1 failed" counts_row A SMS 0 0 2 1 0
check "the gateway got three messages, each with its own reply link" \
  test "$(grep -c '/r/' "$WORLD/gateway.log")" = 3
test_end

test_begin "an agent answers by SMS: the reply comes up live with his site and distance" 40
curl -sf --max-time 5 "$url/v1/connectors/kannel/mo?secret=$secret&from=%2B33610000002&text=Man+matching+at+the+bus+stop+opposite+Bellecour" \
  >/dev/null || fail "the SMS answer was refused"
wait_for A "Replies: 1"
wait_for A "Marc Petit, Hotel Carlton Lyon, 300 m (SMS): Man matching at the bus s"
# Under the list, the selected reply in full.
wait_for A "Man matching at the bus stop opposite Bellecour"
eventually 10 "the SMS row counts the reply" counts_row A SMS 0 0 2 1 1
test_end

test_begin "R relays the sighting to the police the alarm was escalated to" 40
token=$(api_login alice)
api "$token" POST /v1/alarms/1/escalations '{"agency":"police","text":"SOS, aggressor at large"}' \
  >/dev/null || fail "the escalation was refused"
eventually 10 "the police gateway took the alert" test -n "$(ls "$WORLD/police" 2>/dev/null)"
keys A R
wait_for A "Relay the reply into alarm"
wait_for A "1  TGD-"
expect_screen A ": to the services"
keys A Enter
wait_for A "Sighting sent to 1 service as an update of alarm 1's escalation"
eventually 10 "the police gateway got a second document" \
  test "$(ls "$WORLD/police" | wc -l)" = 2
update=$(ls "$WORLD/police"/0002-* 2>/dev/null)
check "it is a CAP update of their alert with the agent's words" \
  grep -q '<msgType>Update</msgType>' "$update"
check "it carries the agent's words" grep -q 'Man matching at the bus stop opposite Bellecour' "$update"
check "the alarm's timeline has the sighting" \
  eval "api '$token' GET /v1/alarms/1 | grep -q 'Man matching at the bus stop'"
wait_for A "[relayed: alarm 1]"
test_end

test_begin "w writes the CSV report to the file the operator names" 30
keys A w
wait_for A "Write the CSV report to: massalert-1-report.csv"
keys A Enter
wait_for A "Report of mass alert 1 written to massalert-1-report.csv"
check "the report lists the three agents" \
  test "$(grep -cE 'Lucie Bernard|Marc Petit|Nadia Roux' "$WORLD/massalert-1-report.csv")" -ge 3
test_end

test_begin "a 30 km alert cancelled while being sent: what had not left is not sent" 60
keys A q
wait_for A "MASS ALERT"
keys A '>' '>' '>' '>' '>' '>'
wait_for A "Radius 30 km"
wait_for A "Agents reached: 15"
keys A C-x
wait_for A "Send this alert to 15 people within 30 km of Alarm 1"
keys A y
wait_for A "MASS ALERT 2  sending  30 km around Alarm 1"
keys A X
wait_for A "Cancel mass alert 2"
keys A y
wait_for_re A "Mass alert 2 cancelled: [0-9]+ messages not sent"
wait_for A "MASS ALERT 2  cancelled"
sent=$(grep -c . "$WORLD/gateway.log")
sleep 2
check "no message left after the cancel" test "$(grep -c . "$WORLD/gateway.log")" = "$sent"
check "fewer than the 15 messages went out" test "$sent" -lt 18
test_end

test_begin "a supervisor follows the alerts and writes the report, but cannot relay nor cancel" 40
console_start B 80 24 -- --server "$url" --user sam
console_login B sam
wait_for B "READ-ONLY"
keys B A
wait_for B "Mass alerts, newest first"
wait_for B "#2  cancelled  30 km around Alarm 1"
keys B Down Enter
wait_for B "MASS ALERT 1  done  800 m around Alarm 1"
wait_for B "Marc Petit, Hotel Carlton Lyon, 300 m (SMS): [relayed: alarm 1]"
keys B R
wait_for B "Read-only console: relay-reply is not allowed here; nothing was sent"
keys B X
wait_for B "Read-only console: cancel-alert is not allowed here; nothing was sent"
keys B Tab
wait_for B "Recipients 1-3 of 3"
wait_for B "Nadia Roux"
keys B w
wait_for B "Write the CSV report to: massalert-1-report.csv"
keys B C-u
type_text B "report-by-sam.csv"
keys B Enter
wait_for B "Report of mass alert 1 written to report-by-sam.csv"
test_end
