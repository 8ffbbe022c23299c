#!/usr/bin/env bash
# make demo: a fresh demo database, vigied serving it, a first handful of
# alarms; then, on a terminal, the vigie console logged in as alice while
# simulated panels keep reporting over DC-09; the server runs until Ctrl-C.
# The mass alert's gateways run beside it on loopback (Kannel with its fake
# SMS centre, an SMTP server, a Web Push service, baresip answering calls),
# and simulated agents answer the alerts they get (vigie-sim agents).
#   tools/demo.sh BUILD_DIR            interactive (port 8080 or $VIGIE_DEMO_PORT,
#                                      DC-09 on 12000 or $VIGIE_DEMO_DC09_PORT)
#   tools/demo.sh BUILD_DIR --smoke    seed, check, stop (used by the tests)
# Every port below may be set to 0: a free one is taken. Without a
# terminal the demo prints its message and serves until stopped (the
# tests drive its console in tmux). $VIGIE_DEMO_PUSH_AGENTS: how many
# agents get a push subscription (default 120).
set -euo pipefail
build=${1:-build/release}
mode=${2:-}
case $build in
/*) bin=$build/bin ;;
*) bin=$PWD/$build/bin ;;
esac
repo=$(cd "$(dirname "$0")/.." && pwd)
vigied="$bin/vigied"
vigie="$bin/vigie"
sim="$bin/vigie-sim"
dir=${VIGIE_DEMO_DIR:-$PWD/build/demo}
port=${VIGIE_DEMO_PORT:-8080}
dc09_port=${VIGIE_DEMO_DC09_PORT:-12000}
# The commandable panel of "Siège - Opéra" (account 1234): a simulated
# EnvisaLink TPI on this port, with the demo's password and user code.
tpi_port=${VIGIE_DEMO_TPI_PORT:-14025}
tpi_account=1234 tpi_password=demo42 tpi_code=135790
# The emergency services' alert gateways (vigie-sim gateway) on these
# ports: the police's refuses the first alert and takes the next; the
# gendarmerie's never takes one, so that a failed escalation can be seen.
police_gateway_port=${VIGIE_DEMO_POLICE_PORT:-9700}
gendarmerie_gateway_port=${VIGIE_DEMO_GENDARMERIE_PORT:-9701}
# The mass alert's gateways: Kannel's sendsms (its other ports are free
# ones), the SMTP server, the push service, the agents' SIP phone.
kannel_port=${VIGIE_DEMO_KANNEL_PORT:-13013}
smtp_port=${VIGIE_DEMO_SMTP_PORT:-2525}
push_port=${VIGIE_DEMO_PUSH_PORT:-9443}
sip_port=${VIGIE_DEMO_SIP_PORT:-5070}
push_agents=${VIGIE_DEMO_PUSH_AGENTS:-120}
extra=()
listeners=(--dc09 "127.0.0.1:$dc09_port")
if [ "$mode" = "--smoke" ]; then
  dir=$(mktemp -d /tmp/vigie-demo.XXXXXX)
  port=0
  extra=(--set argon2_memory_kib=64 --set argon2_iterations=1)
  police_gateway_port=0 gendarmerie_gateway_port=0
  kannel_port=0 smtp_port=0 push_port=0 sip_port=0 push_agents=0
  listeners=()
fi
rm -rf "$dir"
mkdir -p "$dir"
db="$dir/vigie.db"
# python3 with aiosmtpd (tools/deps.sh): the system's, not a virtualenv's.
if [ -x /usr/bin/python3 ]; then python=/usr/bin/python3; else python=python3; fi
free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
[ "$port" = 0 ] && port=$(free_port)
[ "$dc09_port" = 0 ] && dc09_port=$(free_port) && [ "$mode" != "--smoke" ] &&
  listeners=(--dc09 "127.0.0.1:$dc09_port")
[ "$tpi_port" = 0 ] && tpi_port=$(free_port)
[ "$kannel_port" = 0 ] && kannel_port=$(free_port)
[ "$smtp_port" = 0 ] && smtp_port=$(free_port)
[ "$sip_port" = 0 ] && sip_port=$(free_port)
url="http://127.0.0.1:$port"
# What the demo could not start, for its message.
notes=()

"$vigied" init --db "$db" --demo "${extra[@]}" >"$dir/accounts.txt"
printf '%s\n%s\n' "$tpi_password" "$tpi_code" |
  "$vigied" panel set "$tpi_account" --protocol tpi --address "127.0.0.1:$tpi_port" \
    --password-file - --code-file - --db "$db" "${extra[@]}" >/dev/null 2>>"$dir/panel-set.log"
gateways=()
# The mass alert's gateways and agents, stopped in the reverse order.
services=()
pid=
panels=
tpi_panel=
cleanup() {
  local gateway i
  # The agents first, so that none answers a server that is gone.
  for ((i = ${#services[@]} - 1; i >= 0; i--)); do
    kill "${services[$i]}" 2>/dev/null && wait "${services[$i]}" 2>/dev/null || true
  done
  if [ -n "$panels" ]; then kill "$panels" 2>/dev/null && wait "$panels" 2>/dev/null || true; fi
  if [ -n "$tpi_panel" ]; then kill "$tpi_panel" 2>/dev/null && wait "$tpi_panel" 2>/dev/null || true; fi
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; fi
  for gateway in "${gateways[@]}"; do
    kill "$gateway" 2>/dev/null && wait "$gateway" 2>/dev/null || true
  done
  if [ "$mode" = "--smoke" ]; then rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 0' INT TERM
# start_gateway NAME FAIL PORT: sets gateway_port to the port it took.
start_gateway() {
  mkdir -p "$dir/alerts-$1"
  "$sim" gateway --listen "127.0.0.1:$3" --fail "$2" --dir "$dir/alerts-$1" \
    >"$dir/gateway-$1.log" 2>&1 &
  gateways+=($!)
  gateway_port=
  for _ in $(seq 1 50); do
    gateway_port=$(sed -n 's/^gateway: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$dir/gateway-$1.log")
    [ -n "$gateway_port" ] && return 0
    sleep 0.1
  done
  echo "demo: the $1 gateway did not start" >&2
  cat "$dir/gateway-$1.log" >&2
  exit 1
}
start_gateway police 1 "$police_gateway_port"
escalation=(--set "escalation_police_cap_url=http://127.0.0.1:$gateway_port/alerts")
start_gateway gendarmerie 1000000 "$gendarmerie_gateway_port"
escalation+=(--set "escalation_gendarmerie_cap_url=http://127.0.0.1:$gateway_port/alerts"
  --set "escalation_gendarmerie_phone=+33 1 40 00 00 17" --set escalation_attempts_max=3)
. "$repo/tools/demo_massalert.sh"
"$vigied" --db "$db" --listen "127.0.0.1:$port" "${listeners[@]}" "${extra[@]}" \
  "${escalation[@]}" "${massalert[@]}" 2>"$dir/vigied.log" &
pid=$!

for _ in $(seq 1 100); do
  grep -q "ready: listening on" "$dir/vigied.log" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$dir/vigied.log" >&2; exit 1; }
  sleep 0.1
done
address=$(sed -n 's/.*ready: listening on \([^,]*\),.*/\1/p' "$dir/vigied.log" | head -1)
[ -n "$address" ] || { echo "demo: vigied did not start" >&2; cat "$dir/vigied.log" >&2; exit 1; }
url="http://$address"

password() { awk -v u="$1" '$1 == u && NF == 3 { print $3 }' "$dir/accounts.txt"; }
json_field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }
token=$(curl -sf -XPOST "$url/v1/sessions" \
  -d "{\"username\":\"alice\",\"password\":\"$(password alice)\"}" | json_field token)
[ -n "$token" ] || { echo "demo: cannot log in as alice" >&2; exit 1; }

post_alarm() {
  curl -sf -o /dev/null -XPOST "$url/v1/alarms" -H "Authorization: Bearer $token" -d "$1"
}
# Until the DC-09 and phone simulators arrive, the operator's first calls.
post_alarm '{"class":"burglary","priority":2,"site_id":1,"zone":2,"note":"Intrusion reported by the night guard"}'
post_alarm '{"class":"duress","priority":1,"site_id":5,"note":"Bank manager used the hold-up code"}'
post_alarm '{"class":"panic","priority":1,"victim_id":1,"note":"SOS from protection phone TGD-0001 (call back)"}'
post_alarm '{"class":"fire","priority":1,"site_id":12,"zone":1,"note":"Smoke detector, lobby"}'
post_alarm '{"class":"technical","priority":4,"site_id":20,"note":"Keyholder reports a faulty siren"}'

open=$(curl -sf "$url/v1/alarms" -H "Authorization: Bearer $token" | grep -o '"id":' | wc -l)
if [ "$mode" = "--smoke" ]; then
  [ "$open" -eq 5 ] || { echo "demo: expected 5 open alarms, found $open" >&2; exit 1; }
  curl -sf "$url/v1/sites/1/panel" -H "Authorization: Bearer $token" | grep -q '"protocol":"tpi"' ||
    { echo "demo: the panel of Siège - Opéra has no connection" >&2; exit 1; }
  # The police gateway refuses the first alert, then takes it.
  curl -sf -o /dev/null -XPOST "$url/v1/alarms/1/escalations" -H "Authorization: Bearer $token" \
    -d '{"agency":"police","text":"demo smoke"}' ||
    { echo "demo: cannot escalate alarm 1 to the police" >&2; exit 1; }
  for _ in $(seq 1 100); do
    curl -sf "$url/v1/alarms/1/escalations" -H "Authorization: Bearer $token" |
      grep -q '"state":"delivered"' && break
    sleep 0.1
  done
  ls "$dir"/alerts-police/*.xml >/dev/null 2>&1 ||
    { echo "demo: the police gateway got no alert" >&2; exit 1; }
  echo "demo smoke: vigied on $url with the demo dataset and $open open alarms"
  echo "demo smoke: mass alert by $(massalert_channels)"
  [ ${#notes[@]} -eq 0 ] || printf 'demo smoke: %s\n' "${notes[@]}"
  exit 0
fi

# The agents nearest the alarms' sites subscribe to push; simulated
# agents answer the mass alerts they get.
massalert_push_subscriptions "$token" 1 5 12 20 &
services+=($!)
massalert_agents

# The centre stays alive while the console is open: vigie-sim demo sends,
# through the real protocols, the demo panels' routine (openings and
# closings, periodic tests, power faults, all filed by the server), some
# burglaries, now and then a duress code, and every two minutes an SOS
# from a victim's protection phone that follows with its positions.
simulate_centre() {
  local args=(--server "$url" --dc09 "127.0.0.1:$dc09_port")
  local account
  for account in $("$vigied" account list --db "$db" 2>/dev/null | awk '{ print $1 }' | head -40); do
    [ "$account" = "$tpi_account" ] && continue # its state is the TPI panel's
    args+=(--account "$account")
  done
  while read -r uid kind token; do
    [ "$kind" = "protection-phone" ] && args+=(--phone "$uid:$token")
  done < <(grep -v '^#' "$dir/accounts.txt")
  exec "$sim" demo "${args[@]}" >"$dir/simulator.log" 2>&1
}

message() {
  cat <<MSG

Vigie demo: vigied serves $url on $db ($open open alarms),
DC-09 panels report to 127.0.0.1:$dc09_port.
Accounts (also in $dir/accounts.txt):
$(grep -v '^#' "$dir/accounts.txt" | awk 'NF == 3 && $2 ~ /operator|supervisor|admin/ { printf "  %-6s %-10s %s\n", $1, $2, $3 }')

In the console: an SOS from a protection phone comes within seconds: select
it and press v for the victim's file, her position and live track. On the
burglary at "Siège - Opéra", p shows the bank's procedure as a checklist
(Space ticks a step, s skips, f marks it failed); the duress shows DURESS
and its plan first, without the site's number. x closes with a resolution.
In that burglary's detail, D disarms the site's panel (a simulated
EnvisaLink, after a confirmation naming the site): pending, then confirmed
by the panel and its DC-09 report, "disarmed since"; L and H arm it again.
On any alarm, e escalates it: the dialog shows who, where and what; n adds
a line, e asks to confirm, y sends. The police gateway (a simulated one on
loopback, its alerts in $dir/alerts-police) refuses the first try: queued,
then delivered with its reference. The gendarmerie's never answers: after
three tries the detail says, in red, to phone instead.

Mass alert: on an alarm (the burglary at "Siège - Opéra": / filters the
queue), M opens the circle centred on it (c types another centre: "site N",
"alarm N", coordinates); > and < size it, through 800 m, 3 km and 30 km; the
panel counts the agents reached per channel. t picks a template and asks its
blanks; s, e, v, p switch SMS, e-mail, voice, push. Ctrl-X asks to confirm
naming the area and the people; y sends. The monitor counts queued, sent,
delivered, failed and replied as the gateways take the messages, and the
agents' answers come in (the first agent reached saw the man; one in five
others answer within 15 s): R relays the selected one into an alarm's log.
A lists the alerts, Tab their recipients, w writes the report (CSV) into
$dir.
The gateways run on loopback: $(massalert_channels).
SMS the phones got: $dir/kannel/phones.log; e-mail: $dir/mail;
push: $dir/push/messages; calls: $dir/baresip; answers: $dir/agents.log.
$([ ${#notes[@]} -eq 0 ] || printf '%s\n' "${notes[@]}")
Try:
  $build/bin/vigie --server $url --user sam    (a supervisor: read-only)
  TOKEN=\$(curl -s -XPOST $url/v1/sessions -d '{"username":"alice","password":"$(password alice)"}' | sed 's/.*"token":"\\([^"]*\\)".*/\\1/')
  curl -s -H "Authorization: Bearer \$TOKEN" $url/v1/alarms
  curl -sN -H "Authorization: Bearer \$TOKEN" $url/v1/stream
  $build/bin/vigie-sim dc09 --to 127.0.0.1:$dc09_port --account 1234 --code 1121 --zone 1

The server log is $dir/vigied.log. Ctrl-C stops the demo.
MSG
}

simulate_centre &
panels=$!
# The panel vigied arms and disarms: it answers the TPI and reports each
# change over DC-09, as a real panel behind an EnvisaLink does.
"$sim" panel --listen "127.0.0.1:$tpi_port" --to "127.0.0.1:$dc09_port" --account "$tpi_account" \
  --password "$tpi_password" --code "$tpi_code" --state armed --answer-delay 1000 \
  --seconds 86400 >"$dir/tpi-panel.log" 2>&1 &
tpi_panel=$!
if [ -t 0 ] && [ -t 1 ] && [ -x "$vigie" ]; then
  # The console, logged in as alice with the session the seeding opened.
  # Quitting it (q, then y) leaves the server running for other consoles.
  # It runs in the demo's directory: the reports it writes land there.
  (cd "$dir" && VIGIE_TOKEN=$token "$vigie" --server "$url") || true
fi
message
wait "$pid"
