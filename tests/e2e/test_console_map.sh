#!/usr/bin/env bash
# The map beside a protection phone's alarm, at 80x24. A victim presses SOS
# and her phone can only give a cell position, to
# 1500 m (in Bonneuil, away from the demo's guarded sites, so that the
# circle is not hidden under their marks). alice opens the alarm's map with m: the accuracy circle is drawn
# in braille at the right size around her, the panel gives the accuracy,
# the coordinates in decimal degrees and in degrees-minutes-seconds, and
# the nearest police station with its distance, bearing and number. Zoom
# changes the scale bar, panning moves the picture and . brings it back,
# y copies a geo: URI and an OpenStreetMap link to her clipboard (OSC 52,
# through tmux). bruno's terminal under LANG=C shows the same map in plain
# ASCII. A second victim's phone has a GPS fix of 4 m: its circle shows
# once zoomed in, and when her phone reports a new position the map
# follows it without a key.
. "$(dirname "$0")/lib.sh"
plan 9

server_init
server_start main || bail "vigied did not start"
url=$(server_url main)

device_token() { awk -v d="$1" '$1 == d && NF == 3 { print $3 }' "$E2E_ACCOUNTS"; }

# phone DEVICE LAT LON SOURCE ACCURACY [TRIGGER]: one message of a demo
# protection phone, as the real one sends it (vigie-sim phone).
phone() {
  timeout 10 "$VIGIE_SIM" phone --server "$url" --device "$1" --token "$(device_token "$1")" \
    --lat "$2" --lon "$3" --source "$4" --accuracy "$5" --trigger "${6:-sos}" \
    >>"$WORLD/logs/phone.log" 2>&1
}

# map_shape NAME CHECK...: the map part of the screen (left of the panel's
# bar), read by Python: "ring R" holds when, on the position marker's row,
# the nearest circle characters left and right are R columns away (within
# one) and there are circle characters above and below it in its column;
# "no-ring N" when no circle character is within N columns of the marker
# on its row; "marker-column C" when the marker is in column C; "ascii"
# when the whole screen is plain ASCII.
map_shape() {
  screen_text "$1" | "$E2E_PYTHON" -c '
import sys
lines = sys.stdin.read().split("\n")
bar = next((l.find(c) for l in lines[1:4] for c in "\u2502|" if l.find(c) > 0), -1)
if bar < 0:
    sys.exit("no panel bar")
rows = [l[:bar].ljust(bar) for l in lines[1:-1]]
ascii = all(ord(c) < 128 for l in lines for c in l)
marker = "+" if ascii else "\u25c9"
ring = (lambda c: c in ".:\x27") if ascii else (lambda c: 0x2800 < ord(c) <= 0x28FF)
found = [(y, r.find(marker)) for y, r in enumerate(rows) if r.find(marker) >= 0]
if len(found) != 1:
    sys.exit("the position marker is not on the map once: %r" % found)
y, x = found[0]
args = sys.argv[1:]
while args:
    check, args = args[0], args[1:]
    if check == "ascii":
        ok = ascii
    elif check == "marker-column":
        ok, args = x == int(args[0]), args[1:]
    elif check == "ring":
        r, args = int(args[0]), args[1:]
        left = next((x - i for i in range(x - 1, -1, -1) if ring(rows[y][i])), None)
        right = next((i - x for i in range(x + 1, bar) if ring(rows[y][i])), None)
        above = any(ring(rows[i][x]) for i in range(0, y))
        below = any(ring(rows[i][x]) for i in range(y + 1, len(rows) - 1))
        ok = left is not None and right is not None and abs(left - r) <= 1 and abs(right - r) <= 1 and above and below
        if not ok:
            print("ring: left %s right %s above %s below %s, wanted %d" % (left, right, above, below, r))
    elif check == "no-ring":
        n, args = int(args[0]), args[1:]
        ok = not any(ring(c) for c in rows[y][max(0, x - n):x + n + 1])
    else:
        sys.exit("unknown check " + check)
    if not ok:
        sys.exit("failed: " + check)
' "${@:2}"
}

# expect_map NAME WHAT CHECK...: until map_shape holds (bounded).
expect_map() {
  alive || return 1
  local name=$1 what=$2
  shift 2
  eventually 5 "$what" map_shape_quiet "$name" "$@" || {
    local line
    while IFS= read -r line; do TEST_DIAG+=("$line"); done < <(map_shape "$name" "$@" 2>&1)
    fail "console $name's map" "$name"
  }
}

map_shape_quiet() { map_shape "$@" >/dev/null 2>&1; }

# The nearest station as the server measures it, its distance written as
# the console writes one, and its map letter (P police, G gendarmerie):
# "NAME|DISTANCE|COMPASS|PHONE|LETTER".
nearest_station() {
  api "$token" GET "/v1/places?lat=$1&lon=$2&radius_m=20000&kinds=police&limit=1" |
    json_query '(lambda p: "|".join([p["name"], "%.0f m" % p["distance_m"] if p["distance_m"] < 1000 else "%.1f km" % (p["distance_m"] / 1000), p["compass"], p["phone"], "G" if p.get("service") == "gendarmerie" else "P"]))(d["places"][0])'
}

token=$(api_login alice)

test_begin "an SOS with a 1500 m cell position: m draws the accuracy circle in braille around the victim, with the accuracy and both forms of her coordinates" 30
console_start A 80 24 -- --server "$url" --user alice
console_login A alice
check "the victim's phone sends its SOS" phone TGD-0001 48.8000 2.5300 cell 1500
wait_for_re A "^1 .* panic "
keys A m
wait_for A "Cell position, accuracy 1.5 km"
expect_screen A "48.80000, 2.53000"
expect_screen A "48°48'00.0\"N 2°31'48.0\"E"
expect_screen A "Alarm 1  panic"
# 50 m a dot on this 46-column map: 1500 m is 30 dots, 15 columns.
expect_map A "a circle of 15 columns around the marker, in the middle of the map" \
  ring 15 marker-column 23
wait_for_re A "^⠸⠤+⠼ 1 km"
# The dark theme's colours: map-accuracy red, map-position bold bright red,
# map-police bold bright blue.
expect_colours A '#\[31m⡇' "the accuracy circle in map-accuracy's red"
expect_colours A '#\[1m#\[91m◉' "the position in map-position's bold bright red"
expect_colours A '#\[1m#\[94m[PG] ' "the nearest station in map-police's bold bright blue"
test_end

test_begin "the panel names the nearest police station, with its distance, bearing and number, as the server measures them" 20
IFS='|' read -r station distance compass number letter <<<"$(nearest_station 48.8000 2.5300)"
check "the server has a police station near the alarm" test -n "$station"
wait_for A "Nearest police station"
expect_screen A "${station:0:28}"
expect_screen A "  $distance $compass  $number"
wait_for_re A "^.{46}│$letter ${station:0:20}.* $distance $compass$"
test_end

test_begin "zoom: - widens the view and the scale bar says 2 km, + and = bring it to 200 m; the circle stays centred" 20
keys A -
wait_for_re A "^⠸⠤+⠼ 2 km"
expect_map A "a circle of 7 or 8 columns at 100 m a dot" ring 8
keys A +
wait_for_re A "^⠸⠤+⠼ 1 km"
keys A =
wait_for_re A "^⠸⠤+⠼ 200 m"
test_end

test_begin "pan: l moves the view east (the victim goes left by a quarter of the map), . recentres it" 20
keys A -
wait_for_re A "^⠸⠤+⠼ 1 km"
keys A l
expect_map A "the marker a quarter of the map to the left" marker-column 11
keys A Right
expect_map A "the marker another quarter to the left" marker-column 0
keys A .
expect_map A "the marker back in the middle, the circle around it" marker-column 23 ring 15
test_end

test_begin "y copies a geo: URI with the accuracy and an OpenStreetMap link through OSC 52; y on the alarm's detail too" 20
tmx set-option -g set-clipboard on
keys A y
wait_for A "Copied geo:48.800000,2.530000;u=1500 and an OpenStreetMap link"
expected="geo:48.800000,2.530000;u=1500
https://www.openstreetmap.org/?mlat=48.80000&mlon=2.53000#map=14/48.80000/2.53000"
eventually 5 "the terminal's clipboard (tmux's buffer) holds the URI and the link" \
  test "$(tmx show-buffer 2>/dev/null)" = "$expected"
tmx delete-buffer 2>/dev/null
keys A q Enter
wait_for A "Alarm 1   priority 1   panic"
keys A y
wait_for A "Copied geo:48.800000,2.530000;u=1500 and an OpenStreetMap link"
eventually 5 "the detail's copy is the same" test "$(tmx show-buffer 2>/dev/null)" = "$expected"
keys A q
test_end

test_begin "under LANG=C bruno's map is plain ASCII: a ring of . ' : around +, DMS with o for the degree sign" 30
console_start B 80 24 LANG=C -- --server "$url" --user bruno
console_login B bruno
wait_for_re B "^1 .* panic "
keys B m
wait_for B "Cell position, accuracy 1.5 km"
expect_screen B "48o48'00.0\"N 2o31'48.0\"E"
expect_screen B "|$letter ${station:0:20}"
expect_map B "an ASCII circle of 15 columns" ascii ring 15 marker-column 23
wait_for_re B "^:\.+: 1 km"
test_end

test_begin "a GPS fix of 4 m in Nice: no circle at first (less than a dot), one of 4 columns once zoomed to 1 m a dot" 30
check "the second victim's phone sends its SOS" phone TGD-0002 43.6985 7.2790 gps 4
wait_for_re A "^1 .* panic .*new"
keys A G m
wait_for A "GPS position, accuracy 4 m"
expect_screen A "43.69850, 7.27900"
expect_screen A "43°41'54.6\"N 7°16'44.4\"E"
IFS='|' read -r station distance compass number letter <<<"$(nearest_station 43.6985 7.2790)"
expect_screen A "  $distance $compass  $number"
expect_map A "no circle within 3 columns of the marker at 10 m a dot" no-ring 3 marker-column 23
keys A + + +
wait_for_re A "^⠸⠤+⠼ 20 m"
expect_map A "a circle of 2 columns (4 m at 1 m a dot)" ring 2
test_end

test_begin "her phone reports a new position 300 m north: the map follows it without a key" 20
keys A .
check "the phone sends a position" phone TGD-0002 43.7012 7.2790 gps 6 position
wait_for A "43.70120, 7.27900" 10
wait_for A "GPS position, accuracy 6 m"
expect_map A "the marker still in the middle: the view follows" marker-column 23
test_end

test_begin "y on the detail of an alarm the map does not show loads its location and copies it" 20
tmx delete-buffer 2>/dev/null
keys A q g Enter
wait_for A "Alarm 1   priority 1   panic"
keys A y
wait_for A "Copied geo:48.800000,2.530000;u=1500 and an OpenStreetMap link"
eventually 5 "the clipboard holds alarm 1's location" test "$(tmx show-buffer 2>/dev/null)" = "$expected"
test_end
