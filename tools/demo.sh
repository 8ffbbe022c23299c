#!/usr/bin/env bash
# make demo: a fresh demo database, vigied serving it, a first handful of
# alarms; then, on a terminal, the vigie console logged in as alice while
# simulated panels keep reporting over DC-09; the server runs until Ctrl-C.
#   tools/demo.sh BUILD_DIR            interactive (port 8080 or $VIGIE_DEMO_PORT,
#                                      DC-09 on 12000 or $VIGIE_DEMO_DC09_PORT)
#   tools/demo.sh BUILD_DIR --smoke    seed, check, stop (used by the tests)
set -euo pipefail
build=${1:-build/release}
mode=${2:-}
vigied="$PWD/$build/bin/vigied"
vigie="$PWD/$build/bin/vigie"
sim="$PWD/$build/bin/vigie-sim"
dir=${VIGIE_DEMO_DIR:-$PWD/build/demo}
port=${VIGIE_DEMO_PORT:-8080}
dc09_port=${VIGIE_DEMO_DC09_PORT:-12000}
extra=()
listeners=(--dc09 "127.0.0.1:$dc09_port")
if [ "$mode" = "--smoke" ]; then
  dir=$(mktemp -d /tmp/vigie-demo.XXXXXX)
  port=0
  extra=(--set argon2_memory_kib=64 --set argon2_iterations=1)
  listeners=()
fi
rm -rf "$dir"
mkdir -p "$dir"
db="$dir/vigie.db"

"$vigied" init --db "$db" --demo "${extra[@]}" >"$dir/accounts.txt"
"$vigied" --db "$db" --listen "127.0.0.1:$port" "${listeners[@]}" "${extra[@]}" \
  2>"$dir/vigied.log" &
pid=$!
panels=
cleanup() {
  if [ -n "$panels" ]; then kill "$panels" 2>/dev/null && wait "$panels" 2>/dev/null || true; fi
  kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  if [ "$mode" = "--smoke" ]; then rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 0' INT TERM

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
  echo "demo smoke: vigied on $url with the demo dataset and $open open alarms"
  exit 0
fi

# The centre stays alive while the console is open: vigie-sim demo sends,
# through the real protocols, the demo panels' routine (openings and
# closings, periodic tests, power faults, all filed by the server), some
# burglaries, now and then a duress code, and every two minutes an SOS
# from a victim's protection phone that follows with its positions.
simulate_centre() {
  local args=(--server "$url" --dc09 "127.0.0.1:$dc09_port")
  local account
  for account in $("$vigied" account list --db "$db" 2>/dev/null | awk '{ print $1 }' | head -40); do
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
if [ -t 0 ] && [ -t 1 ] && [ -x "$vigie" ]; then
  # The console, logged in as alice with the session the seeding opened.
  # Quitting it (q, then y) leaves the server running for other consoles.
  VIGIE_TOKEN=$token "$vigie" --server "$url" || true
fi
message
wait "$pid"
