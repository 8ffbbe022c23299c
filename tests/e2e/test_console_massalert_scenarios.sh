#!/usr/bin/env bash
# The three mass alerts of the mission (domain.md, section 3), from the
# console at 80x24, each with its preset radius and its template:
# - an aggression in Nice: every agent within 800 m is asked to look for
#   a man (the default circle around the SOS);
# - a hit-and-run in Paris: 3 km around it (> twice), a vehicle to look
#   for; the centre is typed as "alarm N";
# - an attack in Brussels: 30 km (the attack preset), Vigipirate
#   confinement; the centre typed in degrees, minutes and seconds.
# The demo's agents live around those three cities, and a few more are
# imported here; the counts the composer shows must be those the server
# computes for the same circle, the confirmation names the area and that
# number, and the alert the server then holds reaches that many people.
. "$(dirname "$0")/lib.sh"
plan 3

server_init
server_start main || bail "vigied did not start"
url=$(server_url main)
token=$(api_login alice)
device_token() { awk -v d="$1" '$1 == d && NF == 3 { print $3 }' "$E2E_ACCOUNTS"; }

# sos DEVICE LAT LON: a protection phone's SOS there; prints the alarm id.
sos() {
  timeout 10 "$VIGIE_SIM" phone --server "$url" --device "$1" --token "$(device_token "$1")" \
    --lat "$2" --lon "$3" --source gps --accuracy 10 --trigger sos 2>>"$WORLD/logs/phone.log" |
    sed -n 's/^201 alarm \([0-9]*\)$/\1/p'
}

# A few agents of our own near each scene, on duty around the clock.
cat >"$WORLD/agents.csv" <<'CSV'
agent_id,name,site_id,site_name,site_validated,lat,lon,phone,email,vetted,duty
N1,Agent Masséna,NS1,Galeries Lafayette Masséna,yes,43.6980,7.2695,+33611000001,n1@example.org,yes,24/7
N2,Agent Jardin,NS1,Galeries Lafayette Masséna,yes,43.6980,7.2695,+33611000002,,yes,24/7
P1,Agent Bastille,PS1,Opéra Bastille,yes,48.8530,2.3690,+33611000003,p1@example.org,yes,24/7
P2,Agent Nation,PS2,Centre commercial Nation,yes,48.8480,2.3960,+33611000004,,yes,24/7
B1,Agent Zaventem,BS1,Brussels Airport,yes,50.9010,4.4844,+32470000001,b1@example.org,yes,24/7
B2,Agent Louvain,BS2,Gare de Louvain,yes,50.8812,4.7162,+32470000002,b2@example.org,yes,24/7
CSV
"$VIGIED" agents import "$WORLD/agents.csv" --db "$E2E_DB" >"$WORLD/logs/import.log" 2>&1 ||
  bail "vigied agents import failed: $(cat "$WORLD/logs/import.log")"

# dry_run LAT LON RADIUS: the server's own count for that circle, all channels.
dry_run() {
  api "$token" POST /v1/massalerts "{\"area\":{\"circle\":{\"lat\":$1,\"lon\":$2,\"radius_m\":$3}},\"channels\":[\"sms\",\"email\",\"voice\",\"push\"],\"dry_run\":true}" |
    json_query 'd["recipients"]'
}

# alert_recipients ID: how many people the server's alert ID reaches.
alert_recipients() { api "$token" GET "/v1/massalerts/$1" | json_query 'd["recipients"]'; }

# fill_template DOWNS VALUE...: chooses the template DOWNS lines down the
# list and answers its blanks in order.
fill_template() {
  local downs=$1 value
  shift
  keys A t
  wait_for A "Message template"
  for _ in $(seq 1 "$downs"); do keys A Down; done
  keys A Enter
  for value in "$@"; do
    wait_for_re A "\\([0-9]/[0-9]\\):" || return 1
    type_text A "$value"
    keys A Enter
  done
}

# The Paris SOS comes later: the Nice one is alone in the queue at first.
nice=$(sos TGD-0002 43.6975 7.2700)
[ -n "$nice" ] || bail "the SOS was not recorded"

test_begin "an aggression in Nice: 800 m around the SOS, looking for a man" 60
want=$(dry_run 43.6975 7.2700 800)
console_start A 80 24 -- --server "$url" --user alice
console_login A alice
wait_for A "TGD-"
keys A M
wait_for A "Alarm $nice:"
wait_for A "Radius 800 m"
wait_for A "Agents reached: $want"
check "our two agents at Masséna are among them" test "$want" -ge 2
fill_template 0 "man, about 30, black jacket, white trousers" "01 23 45 67 89"
wait_for A "Template: Search for a person"
keys A C-x
wait_for A "Send this alert to $want people within 800 m of Alarm $nice"
keys A y
wait_for A "MASS ALERT 1  sending  800 m around Alarm $nice"
check "the alert reaches the $want people the confirmation named" \
  test "$(alert_recipients 1)" = "$want"
test_end

paris=$(sos TGD-0003 48.8510 2.3760)
[ -n "$paris" ] || bail "the SOS was not recorded"
test_begin "a hit-and-run in Paris: 3 km around its alarm, looking for a vehicle" 60
want=$(dry_run 48.8510 2.3760 3000)
keys A q
wait_for A "MASS ALERT"
keys A c
wait_for A "Centre ("
type_text A "alarm $paris"
keys A Enter
wait_for A "Alarm $paris:"
keys A '>' '>'
wait_for A "Radius 3 km"
wait_for A "Agents reached: $want"
check "our two agents near Bastille are among them" test "$want" -ge 2
fill_template 1 "grey Peugeot 308, front bumper damaged" "AB-123-CD" "17"
wait_for A "Template: Search for a vehicle"
wait_for A "Looking for a vehicle: grey"
keys A C-x
wait_for A "Send this alert to $want people within 3 km of Alarm $paris"
keys A y
wait_for A "MASS ALERT 2  sending  3 km around Alarm $paris"
check "the alert reaches the $want people the confirmation named" \
  test "$(alert_recipients 2)" = "$want"
test_end

test_begin "an attack in Brussels: 30 km around the Grand-Place, confinement" 60
# The Grand-Place: 50°50'48.1"N 4°21'09.0"E.
want=$(dry_run 50.846694 4.352500 30000)
keys A q
wait_for A "MASS ALERT"
keys A c
type_text A "N 50 50 48.1 E 4 21 9.0"
keys A Enter
wait_for A "50.84669, 4.35250"
for _ in 1 2 3 4 5 6 7 8; do keys A '>'; done
wait_for A "Radius 200 km"
keys A r
type_text A "30 km"
keys A Enter
wait_for A "Radius 30 km"
wait_for A "Agents reached: $want"
check "our two agents at Zaventem and Leuven are among them" test "$want" -ge 2
keys A l
fill_template 2 "Grand-Place" "Attendez les consignes de la police."
wait_for A "Template: Vigipirate : confinement [fr]"
wait_for A "VIGIPIRATE - CONFINEMENT IMMÉDIAT"
wait_for A "autour de Grand-Place."
keys A C-x
wait_for A "Send this alert to $want people within 30 km of 50.84669, 4.35250"
keys A y
wait_for A "MASS ALERT 3  sending  30 km around 50.84669, 4.35250"
check "the alert reaches the $want people the confirmation named" \
  test "$(alert_recipients 3)" = "$want"
test_end
