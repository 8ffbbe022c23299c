#!/usr/bin/env bash
# The mass alert composer, at 80x24. A woman presses SOS on her protection
# phone in the Presqu'île of Lyon; the security firms around have sent
# their agents' file (imported here: a few agents 300 m away, some not
# vetted, one at a site nobody validated, one off duty today, one with no
# phone nor e-mail; more 2 km east, and more 20 km south). alice opens the
# composer with M on the alarm: the circle of 800 m is drawn around the
# SOS on the braille map, and the panel says how many agents it reaches on
# each channel and who is left out and why. > widens it to 1.5 km, 3 km
# (the hit-and-run preset), ... 30 km (the attack preset): the counts
# follow. Turning SMS off changes the SMS count only. She types a centre
# in degrees, minutes and seconds as a patrol dictates it; and a
# supervisor's console shows all of it, counts included, but refuses to
# send.
. "$(dirname "$0")/lib.sh"
plan 5

server_init
server_start main || bail "vigied did not start"
url=$(server_url main)

device_token() { awk -v d="$1" '$1 == d && NF == 3 { print $3 }' "$E2E_ACCOUNTS"; }

# The SOS, at the place Bellecour (45.7578 N, 4.8320 E): no demo agent
# lives within 30 km of Lyon, so every count below is ours.
centre_lat=45.7578 centre_lon=4.8320
timeout 10 "$VIGIE_SIM" phone --server "$url" --device TGD-0001 \
  --token "$(device_token TGD-0001)" --lat $centre_lat --lon $centre_lon --source gps \
  --accuracy 8 --trigger sos >>"$WORLD/logs/phone.log" 2>&1 || bail "the SOS was not recorded"

# The agents' file: near (300 m north), mid (2 km east), far (20 km south).
# The off-duty agent works one hour on a day that is not today.
"$E2E_PYTHON" - "$WORLD/agents.csv" $centre_lat $centre_lon <<'PYTHON' || bail "no agents file"
import datetime, sys, zoneinfo
path, lat, lon = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
days = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
today = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Paris")).weekday()
other = days[(today + 3) % 7]
near, mid, far = (lat + 0.0027, lon), (lat, lon + 0.0258), (lat - 0.18, lon)
rows = [
    ("L1", "Lucie Bernard", "SL1", "Hotel Carlton Lyon", "yes", near, "+33610000001", "l1@example.org", "yes", "24/7"),
    ("L2", "Marc Petit", "SL1", "Hotel Carlton Lyon", "yes", near, "+33610000002", "l2@example.org", "yes", "24/7"),
    ("L3", "Nadia Roux", "SL2", "Galeries Bellecour", "yes", near, "+33610000003", "", "yes", "24/7"),
    ("L4", "Olivier Faure", "SL2", "Galeries Bellecour", "yes", near, "+33610000004", "l4@example.org", "no", "24/7"),
    ("L5", "Paul Girard", "SL3", "Parking Antonin Poncet", "no", near, "+33610000005", "l5@example.org", "yes", "24/7"),
    ("L6", "Quentin Morel", "SL1", "Hotel Carlton Lyon", "yes", near, "+33610000006", "l6@example.org", "yes", other + " 10:00-11:00"),
    ("L7", "Rose Lambert", "SL1", "Hotel Carlton Lyon", "yes", near, "", "", "yes", "24/7"),
]
rows += [("M%d" % i, "Mid Agent %d" % i, "SM1", "Centre commercial Part-Dieu", "yes", mid,
          "+3361000010%d" % i, "m%d@example.org" % i, "yes", "24/7") for i in range(1, 5)]
rows += [("F%d" % i, "Far Agent %d" % i, "SF1", "Usine Vienne Sud", "yes", far,
          "+336100002%02d" % i, "f%d@example.org" % i, "yes", "24/7") for i in range(1, 11)]
with open(path, "w") as f:
    f.write("agent_id,name,site_id,site_name,site_validated,lat,lon,phone,email,vetted,duty\n")
    for r in rows:
        f.write("%s,%s,%s,%s,%s,%.6f,%.6f,%s,%s,%s,%s\n" % (r[0], r[1], r[2], r[3], r[4], r[5][0], r[5][1], r[6], r[7], r[8], r[9]))
PYTHON
"$VIGIED" agents import "$WORLD/agents.csv" --db "$E2E_DB" >"$WORLD/logs/import.log" 2>&1 ||
  bail "vigied agents import failed: $(cat "$WORLD/logs/import.log")"

# on_map: the SOS marker and braille dots (the circle) are on the screen.
on_map() {
  screen_text A | "$E2E_PYTHON" -c 'import sys
t = sys.stdin.read()
sys.exit(not ("\u25c9" in t and sum(0x2800 < ord(c) <= 0x28FF for c in t) > 20))'
}

test_begin "M on the SOS opens the composer: an 800 m circle on the map, the counts and who is left out" 40
console_start A 80 24 -- --server "$url" --user alice
console_login A alice
wait_for A "TGD-"
keys A M
wait_for A "MASS ALERT"
wait_for A "Radius 800 m"
# The alarm is the centre, in degrees, minutes and seconds.
wait_for A "45°45'28.1\"N 4°49'55.2\"E"
wait_for A "Agents reached: 3"
expect_screen A "SMS 3  e-mail 2  voice 3  push 0"
expect_screen A "Left out: 4"
expect_screen A "not vetted 1"
expect_screen A "site not validated 1"
expect_screen A "off duty 1"
expect_screen A "no contact on these channels 1"
check "the SOS marker and the circle are on the map" on_map
test_end

test_begin "> widens the circle through the presets, and the counts follow" 40
keys A '>'
wait_for A "Radius 1.5 km"
keys A '>'
wait_for A "Radius 3 km"
wait_for A "Agents reached: 7"
expect_screen A "SMS 7  e-mail 6  voice 7  push 0"
for _ in 1 2 3 4; do keys A '>'; done
wait_for A "Radius 30 km"
wait_for A "Agents reached: 17"
keys A '<'
wait_for A "Radius 20 km"
keys A '>'
wait_for A "Radius 30 km"
wait_for A "Agents reached: 17"
# SMS off: nobody is lost (they all have a voice number), the SMS count is 0.
keys A s
wait_for A "[ ] SMS [x] e-mail"
wait_for A "SMS 0  e-mail 16  voice 17  push 0"
keys A s
wait_for A "SMS 17  e-mail 16  voice 17  push 0"
test_end

test_begin "a centre typed in degrees, minutes and seconds, as a patrol dictates it" 30
keys A c
wait_for A "Centre ("
type_text A "N 45 45 28.1 E 4 51 0"
keys A Enter
wait_for A "45.75781, 4.85000"
wait_for A "Radius 30 km"
keys A r
wait_for A "Radius (800 m"
type_text A "2 km"
keys A Enter
wait_for A "Radius 2 km"
# The mid agents are 0.6 km away, the near ones 1.4 km: 3 + 4.
wait_for A "Agents reached: 7"
keys A c
type_text A "N 95 45 28 E 4 51 0"
keys A Enter
wait_for A "Not a centre: latitude 95.75778 is out of range"
test_end

test_begin "sending is refused while there is no message, and the composer says why" 20
keys A C-x
wait_for A "No message yet: t chooses a template, i writes the text"
test_end

test_begin "a supervisor sees the composer and its counts but cannot send" 40
console_start B 80 24 -- --server "$url" --user sam
console_login B sam
wait_for B "READ-ONLY"
keys B M
wait_for B "read-only: cannot send"
# A dry run is a read: the supervisor sees whom the area would reach.
wait_for B "Agents reached: "
expect_no_screen B "Cannot count"
keys B i
type_text B "Test message {reply}"
keys B Enter
wait_for B "Test message {reply}"
keys B C-x
wait_for B "Read-only console: send-alert is not allowed here; nothing was sent"
test_end
