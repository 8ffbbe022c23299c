# shellcheck shell=bash
# lib.sh: the world of one end-to-end console test script, sourced by
# tests/e2e/test_console_*.sh. It gives each script its own temp dir (HOME
# and XDG dirs inside it), its own vigied on free loopback ports, its own
# tmux server, and removes them all however the script ends, so scripts
# can run in parallel and in any order. Consoles run in tmux panes of a
# fixed size with TERM, TZ and locale pinned; tests type keys and read the
# screen with capture-pane, and every wait has a bound.
#
# A script reads like the operator's story:
#   . tests/e2e/lib.sh
#   plan 2
#   server_init; server_start main --dc09
#   test_begin "alice logs in and sees the queue" 20
#   console_start A 80 24 -- --server "$(server_url main)" --user alice
#   console_login A alice
#   wait_for A "LIVE"
#   test_end
# Every check (wait_for, expect_*, ...) marks the current test failed with
# a "# " diagnostic (the screen it saw, a diff) and makes the later checks
# of the same test return at once. test_end prints "ok N" or "not ok N".
# Environment: VIGIED (the server binary; vigie and vigie-sim are next to
# it), E2E_KEEP=1 keeps the world directory for inspection, E2E_TIMING=1
# prints how long each test took.

set -u

E2E_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$E2E_REPO" || exit 1
VIGIED=${VIGIED:-$E2E_REPO/build/asan/bin/vigied}
E2E_BIN=$(dirname "$VIGIED")
VIGIE=$E2E_BIN/vigie
VIGIE_SIM=$E2E_BIN/vigie-sim
# A whole script never runs longer than this (seconds), whatever hangs.
E2E_SCRIPT_TIMEOUT=${E2E_SCRIPT_TIMEOUT:-150}
# Default bound of one test and of one wait (seconds).
E2E_TEST_TIMEOUT=30
E2E_WAIT_TIMEOUT=5
# Low Argon2 cost: logging in takes milliseconds, not a quarter second.
E2E_CHEAP_HASH=(--set argon2_memory_kib=8 --set argon2_iterations=1)
# python3 for JSON (tools/deps.sh installs it); the system one starts fast.
if [ -x /usr/bin/python3 ]; then E2E_PYTHON=/usr/bin/python3; else E2E_PYTHON=python3; fi

# ---- the world ----

WORLD=$(mktemp -d "${TMPDIR:-/tmp}/vigie-e2e.XXXXXX") || exit 1
mkdir -p "$WORLD/home" "$WORLD/config/vigie" "$WORLD/state" "$WORLD/screens" "$WORLD/logs"
export HOME=$WORLD/home XDG_CONFIG_HOME=$WORLD/config XDG_STATE_HOME=$WORLD/state
export TZ=Europe/Paris LANG=C.UTF-8 TERM=xterm-256color
unset LC_ALL LC_CTYPE LC_MESSAGES LANGUAGE NO_COLOR VIGIE_TOKEN VIGIE_CONFIG \
  DBUS_SESSION_BUS_ADDRESS TMUX TMUX_PANE
# One tmux server per script, its socket inside the world.
E2E_TMUX=$WORLD/tmux.socket
# Processes this script started and has not reaped (vigied, sshd), by pid:
# killed at the end. A pid is forgotten once reaped, so that a pid the
# system gave to someone else meanwhile is never signalled.
declare -A E2E_PIDS=()
TEST_NUMBER=0
TEST_RUNNING=
TEST_FAILED=0
TEST_STARTED_US=0
TEST_DEADLINE_US=0
TEST_DIAG=()

now_us() { echo "${EPOCHREALTIME//[.,]/}"; }

e2e_cleanup() {
  local status=$? pid
  trap - EXIT INT TERM HUP
  trap '' PIPE # a reader gone (| head) must not stop the cleanup
  if [ -n "$TEST_RUNNING" ]; then
    TEST_FAILED=1
    TEST_DIAG+=("the script was stopped during this test (timeout or signal)")
    test_end
  fi
  if [ -n "${E2E_WATCHDOG:-}" ]; then
    kill "$E2E_WATCHDOG" 2>/dev/null
    wait "$E2E_WATCHDOG" 2>/dev/null
  fi
  tmux -S "$E2E_TMUX" kill-server 2>/dev/null
  for pid in "${!E2E_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${!E2E_PIDS[@]}"; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  # A sanitizer report from a server stopped cleanly fails the script.
  local log sanitizer='ERROR: (Address|Leak)Sanitizer|runtime error:'
  for log in "$WORLD"/logs/*.log; do
    grep -qE "$sanitizer" "$log" 2>/dev/null || continue
    echo "# sanitizer report in $log:"
    grep -m1 -A20 -E "$sanitizer" "$log" | sed 's/^/#   /'
    status=1
  done
  if [ "${E2E_KEEP:-0}" = 1 ]; then
    echo "# world kept in $WORLD"
  else
    rm -rf "$WORLD"
  fi
  exit "$status"
}
trap e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

# The watchdog: a hung script is stopped (its cleanup still runs).
(
  trap - EXIT INT HUP PIPE # the cleanup is the script's, not the watchdog's
  trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
  sleep "$E2E_SCRIPT_TIMEOUT" >/dev/null 2>&1 &
  sleeper=$!
  wait "$sleeper" && kill -TERM $$ 2>/dev/null
) &
E2E_WATCHDOG=$!

# e2e_require TOOL...: a script whose tools this machine lacks says so in
# TAP and passes nothing (tools/deps.sh installs them).
e2e_require() {
  local missing='' tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
  done
  if [ -n "$missing" ]; then
    echo "1..0 # SKIP missing:$missing"
    exit 0
  fi
}
e2e_require tmux curl "$E2E_PYTHON"
for binary in "$VIGIED" "$VIGIE" "$VIGIE_SIM"; do
  [ -x "$binary" ] || { echo "Bail out! $binary is not built (make BUILD=asan tests)"; exit 1; }
done

# ---- TAP ----

plan() { echo "1..$1"; }

# bail MESSAGE: the world could not be built; nothing more can be tested.
bail() {
  echo "Bail out! $1"
  exit 1
}

diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

# test_begin DESCRIPTION [SECONDS]: every check after it shares the bound.
test_begin() {
  TEST_NUMBER=$((TEST_NUMBER + 1))
  TEST_RUNNING=$1
  TEST_FAILED=0
  TEST_DIAG=()
  TEST_STARTED_US=$(now_us)
  TEST_DEADLINE_US=$((TEST_STARTED_US + ${2:-$E2E_TEST_TIMEOUT} * 1000000))
}

test_end() {
  if [ "$TEST_FAILED" = 0 ]; then
    echo "ok $TEST_NUMBER - $TEST_RUNNING"
  else
    echo "not ok $TEST_NUMBER - $TEST_RUNNING"
    [ ${#TEST_DIAG[@]} -gt 0 ] && diag "${TEST_DIAG[@]}"
  fi
  if [ "${E2E_TIMING:-0}" = 1 ]; then
    local ms=$((($(now_us) - TEST_STARTED_US) / 1000))
    printf '# test %d took %d.%03d s\n' "$TEST_NUMBER" $((ms / 1000)) $((ms % 1000))
  fi
  TEST_RUNNING=
}

# fail MESSAGE [CONSOLE]: marks the test failed, with the console's screen.
fail() {
  TEST_FAILED=1
  TEST_DIAG+=("$1")
  if [ -n "${2:-}" ]; then
    TEST_DIAG+=("screen of console $2:")
    while IFS= read -r line; do TEST_DIAG+=("| $line"); done < <(screen_text "$2")
  fi
  return 1
}

# True while the current test has not failed and has time left; checks
# call it first, so a failed test does not wait again.
alive() {
  [ "$TEST_FAILED" = 0 ] || return 1
  if [ "$(now_us)" -gt "$TEST_DEADLINE_US" ]; then
    fail "the test ran out of time"
    return 1
  fi
}

# Seconds left for a wait: the wait's own bound, cut to the test's.
bound_us() {
  local wanted=$(($(now_us) + ${1:-$E2E_WAIT_TIMEOUT} * 1000000))
  [ "$wanted" -lt "$TEST_DEADLINE_US" ] && echo "$wanted" || echo "$TEST_DEADLINE_US"
}

# check DESCRIPTION COMMAND...: a plain assertion.
check() {
  alive || return 1
  local what=$1
  shift
  "$@" && return 0
  fail "failed: $what"
}

# eventually SECONDS DESCRIPTION COMMAND...: polls a command until it holds.
eventually() {
  alive || return 1
  local limit seconds=$1 what=$2
  limit=$(bound_us "$seconds")
  shift 2
  while :; do
    "$@" && return 0
    [ "$(now_us)" -lt "$limit" ] || break
    sleep 0.1
  done
  fail "waited ${seconds}s for: $what"
}

# ---- the server ----

declare -A SERVER_PID SERVER_PORT SERVER_DC09 SERVER_STARTS
E2E_DB=$WORLD/vigie.db
E2E_ACCOUNTS=$WORLD/accounts.txt

# server_init: a fresh database with the demo data and accounts.
server_init() {
  if ! "$VIGIED" init --db "$E2E_DB" --demo "${E2E_CHEAP_HASH[@]}" >"$E2E_ACCOUNTS" \
    2>"$WORLD/logs/init.log"; then
    sed 's/^/# /' "$WORLD/logs/init.log"
    bail "vigied init failed"
  fi
}

# password USER: the demo password printed by init.
password() { awk -v u="$1" '$1 == u && NF == 3 { print $3 }' "$E2E_ACCOUNTS"; }

# server_start NAME [--port N] [--dc09] [-- VIGIED ARGS...]: a vigied on
# the world's database, on a free loopback port unless --port is given (a
# restart takes its old port back). Waits for its "ready" line.
server_start() {
  local name=$1 port=0 dc09=() extra=()
  shift
  while [ $# -gt 0 ]; do
    case $1 in
    --port) port=$2; shift 2 ;;
    --dc09) dc09=(--dc09 127.0.0.1:0); shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "server_start: unknown option $1" >&2; return 2 ;;
    esac
  done
  local log pid
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    SERVER_STARTS[$name]=$((${SERVER_STARTS[$name]:-0} + 1))
    log=$WORLD/logs/$name.${SERVER_STARTS[$name]}.log
    "$VIGIED" --db "$E2E_DB" --listen "127.0.0.1:$port" "${dc09[@]}" \
      --set "node_name=$name" "${E2E_CHEAP_HASH[@]}" "${extra[@]}" 2>"$log" &
    pid=$!
    E2E_PIDS[$pid]=1
    for _ in $(seq 1 100); do
      grep -q "ready: listening on" "$log" 2>/dev/null && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if grep -q "ready: listening on" "$log"; then
      SERVER_PID[$name]=$pid
      SERVER_PORT[$name]=$(sed -n 's/.*ready: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -1)
      SERVER_DC09[$name]=$(sed -n 's/.*dc09: receiving on TCP and UDP port \([0-9]*\).*/\1/p' "$log" | head -1)
      return 0
    fi
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    unset "E2E_PIDS[$pid]"
    # A fixed port may still be held for a moment after a kill: retry.
    [ "$port" != 0 ] && grep -qi "in use" "$log" && { sleep 0.5; continue; }
    break
  done
  echo "# vigied $name did not start:"
  sed 's/^/#   /' "$log"
  return 1
}

server_url() { echo "http://127.0.0.1:${SERVER_PORT[$1]}"; }

# server_kill NAME [SIGNAL]: SIGKILL by default, as a crash.
server_kill() {
  local pid=${SERVER_PID[$1]}
  kill "-${2:-KILL}" "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  unset "E2E_PIDS[$pid]"
  return 0
}

server_alive() { kill -0 "${SERVER_PID[$1]}" 2>/dev/null; }

# ---- the API, with curl ----

# api_login USER [NAME]: prints a session token.
api_login() {
  local url
  url=$(server_url "${2:-main}")
  curl -sf --max-time 10 -XPOST "$url/v1/sessions" \
    -d "{\"username\":\"$1\",\"password\":\"$(password "$1")\"}" |
    json_query 'd["token"]'
}

# api TOKEN METHOD PATH [BODY] [NAME]: prints the body; fails unless 2xx.
api() {
  local url code body
  url=$(server_url "${5:-main}")
  body=$(curl -s --max-time 10 -X "$2" "$url$3" -H "Authorization: Bearer $1" \
    ${4:+-H "Content-Type: application/json" -d "$4"} -w '\n%{http_code}')
  code=${body##*$'\n'}
  printf '%s\n' "${body%$'\n'*}"
  [ "${code:0:1}" = 2 ]
}

# json_query EXPR: a Python expression over the JSON document d on stdin.
json_query() {
  "$E2E_PYTHON" -c 'import json, sys
try:
    d = json.load(sys.stdin)
    v = eval(sys.argv[1])
except Exception:
    sys.exit(1)
if isinstance(v, (list, tuple)):
    print("\n".join(str(x) for x in v))
elif v is not None:
    print(v if not isinstance(v, bool) else str(v).lower())' "$1"
}

# api_post_alarm TOKEN JSON [NAME]: records an alarm by hand; prints its id.
api_post_alarm() { api "$1" POST /v1/alarms "$2" "${3:-main}" | json_query 'd["id"]'; }

# api_open_ids TOKEN [NAME]: the open alarms' ids, sorted, one a line.
api_open_ids() {
  api "$1" GET "/v1/alarms?state=open&limit=5000" "" "${2:-main}" |
    json_query 'sorted(a["id"] for a in d["alarms"])'
}

# api_alarm_field TOKEN ID EXPR [NAME]: a field of GET /v1/alarms/{id}, as
# a Python expression over the alarm a, e.g. 'a["state"]'.
api_alarm_field() {
  api "$1" GET "/v1/alarms/$2" "" "${4:-main}" | json_query "(lambda a: $3)(d)"
}

# sim_dc09 NAME ACCOUNT CODE ZONE SEQ: one DC-09 frame from a simulated
# panel; true when the receiver acknowledged it.
sim_dc09() {
  timeout 10 "$VIGIE_SIM" dc09 --to "127.0.0.1:${SERVER_DC09[$1]}" --account "$2" \
    --code "$3" --zone "$4" --seq "$5" 2>&1 | grep -q '^ACK'
}

# ---- consoles in tmux ----

tmx() { timeout 10 tmux -S "$E2E_TMUX" -f /dev/null "$@"; }

# console_start NAME COLUMNS LINES [VAR=VALUE...] -- [VIGIE ARGS...]: the
# console in its own tmux session of that size, run from the world dir
# with the variables given (TERM, LANG...) on top of the world's. When it
# exits the pane says "[vigie exited with status N]".
console_start() {
  local name=$1 columns=$2 lines=$3 vars=()
  shift 3
  while [ $# -gt 0 ] && [ "$1" != -- ]; do vars+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  console_run "$name" "$columns" "$lines" env TERM="$TERM" "${vars[@]}" "$VIGIE" "$@"
}

# console_run NAME COLUMNS LINES COMMAND...: any command in a session (an
# ssh client, for instance), with the same exit line.
console_run() {
  local name=$1 columns=$2 lines=$3
  shift 3
  tmx new-session -d -s "$name" -x "$columns" -y "$lines" -c "$WORLD" \
    /bin/sh -c '"$@"; printf "\n[vigie exited with status %d]\n" $?; exec sleep 3600' \
    sh "$@" ||
    fail "cannot start a tmux session for console $name"
}

# console_login NAME USER [TEXT]: types the password at the console's
# prompt and waits until it is live (or until it shows TEXT).
console_login() {
  wait_for "$1" "Password for $2 on" 10 || return 1
  tmx send-keys -t "$1" -l "$(password "$2")" && tmx send-keys -t "$1" Enter
  wait_for "$1" "${3:-LIVE}" 10
}

# console_pid NAME: the process the pane runs (the child of its shell).
console_pid() {
  local shell
  shell=$(tmx display-message -p -t "$1" '#{pane_pid}') || return 1
  pgrep -P "$shell" | head -1
}

# screen_text NAME: the screen as text (trailing blanks dropped).
screen_text() { tmx capture-pane -p -t "$1"; }

# screen_colours NAME: the screen with its attributes as SGR sequences.
screen_colours() { tmx capture-pane -p -e -t "$1"; }

# keys NAME KEY...: tmux key names (Enter, Escape, C-l, Up...) or words.
keys() {
  alive || return 1
  tmx send-keys -t "$1" "${@:2}"
  # A lone Esc must not merge with the next key into an Alt chord.
  case " ${*:2} " in *" Escape "*) sleep 0.3 ;; esac
}

# type_text NAME TEXT: literal text, as typed.
type_text() {
  alive || return 1
  tmx send-keys -t "$1" -l "$2"
}

# console_resize NAME COLUMNS LINES
console_resize() {
  alive || return 1
  tmx resize-window -t "$1" -x "$2" -y "$3"
}

# wait_for NAME TEXT [SECONDS]: until the screen shows TEXT (fixed string).
wait_for() { wait_screen "$1" "$2" "${3:-}" -F shows; }

# wait_for_re NAME REGEX [SECONDS]: until a line matches (grep -E).
wait_for_re() { wait_screen "$1" "$2" "${3:-}" -E shows; }

# wait_gone NAME TEXT [SECONDS]: until the screen no longer shows TEXT.
wait_gone() { wait_screen "$1" "$2" "${3:-}" -F hides; }

wait_screen() {
  alive || return 1
  local name=$1 text=$2 seconds=${3:-$E2E_WAIT_TIMEOUT} mode=$4 how=$5 limit screen
  limit=$(bound_us "$seconds")
  while :; do
    screen=$(screen_text "$name")
    if printf '%s\n' "$screen" | grep -q "$mode" -- "$text"; then
      [ "$how" = shows ] && return 0
    else
      [ "$how" = hides ] && return 0
    fi
    [ "$(now_us)" -lt "$limit" ] || break
    sleep 0.1
  done
  if [ "$how" = shows ]; then
    fail "waited ${seconds}s for console $name to show '$text'" "$name"
  else
    fail "waited ${seconds}s for console $name to stop showing '$text'" "$name"
  fi
}

# expect_colours NAME REGEX WHAT [SECONDS]: until a line of the screen,
# its attributes written as SGR sequences with ESC shown as "#" (as in
# "#[1m#[97m#[44mVigie"), matches REGEX (grep -E).
expect_colours() {
  alive || return 1
  local limit
  limit=$(bound_us "${4:-$E2E_WAIT_TIMEOUT}")
  while :; do
    screen_colours "$1" | tr '\033' '#' | grep -qE -- "$2" && return 0
    [ "$(now_us)" -lt "$limit" ] || break
    sleep 0.1
  done
  fail "console $1 does not paint $3 (no line matches $2); its colours:"
  while IFS= read -r line; do TEST_DIAG+=("| $line"); done < <(screen_colours "$1" | tr '\033' '#')
  return 1
}

# expect_no_colours NAME REGEX WHAT: no line matches now (see above).
expect_no_colours() {
  alive || return 1
  screen_colours "$1" | tr '\033' '#' | grep -qE -- "$2" || return 0
  fail "console $1 paints $3 (a line matches $2):"
  while IFS= read -r line; do TEST_DIAG+=("| $line"); done < <(screen_colours "$1" | tr '\033' '#' | grep -E -- "$2")
  return 1
}

# process_gone PID: true once the process no longer exists.
process_gone() { ! kill -0 "$1" 2>/dev/null; }

# expect_screen NAME TEXT: the screen shows TEXT now (no wait).
expect_screen() {
  alive || return 1
  screen_text "$1" | grep -qF -- "$2" || fail "console $1 does not show '$2'" "$1"
}

# expect_no_screen NAME TEXT: the screen does not show TEXT now.
expect_no_screen() {
  alive || return 1
  ! screen_text "$1" | grep -qF -- "$2" || fail "console $1 shows '$2'" "$1"
}

# normalize: what changes from run to run on a screen becomes fixed text:
# the queue's Age cells (columns 3-8 of a row), the heartbeat age, dates
# and times, ages in words, and a raw DC-09 frame's CRC, length and
# timestamp.
normalize() {
  sed -E -e 's/^([1-5] )[ 0-9smhd]{6}( |$)/\1   age\2/' -e 's/hb [0-9]+s/hb Ns/' \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}/YYYY-MM-DD hh:mm:ss/g' \
    -e 's/(^|[^-0-9])[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}/\1MM-DD hh:mm:ss/g' \
    -e 's/\(([0-9]+[smhd])+ ago\)/(age ago)/g' \
    -e 's/^  [0-9A-F]{8}"/  XXXX"/' \
    -e 's/_[0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{2}-[0-9]{2}-[0-9]{4}/_hh:mm:ss,MM-DD-YYYY/'
}

# expect_lines NAME LABEL FIRST LAST [SECONDS] <<EOF: lines FIRST to LAST
# (1-based) of the normalized screen equal the text given, within SECONDS;
# the dump is saved as LABEL and a diff is shown when they differ.
expect_lines() {
  alive || return 1
  local name=$1 label=$2 first=$3 last=$4 seconds=${5:-$E2E_WAIT_TIMEOUT} limit
  local expected=$WORLD/screens/$label.expected actual=$WORLD/screens/$label.txt
  cat >"$expected"
  limit=$(bound_us "$seconds")
  while :; do
    screen_text "$name" | normalize | sed -n "${first},${last}p" >"$actual"
    cmp -s "$expected" "$actual" && return 0
    [ "$(now_us)" -lt "$limit" ] || break
    sleep 0.1
  done
  fail "screen '$label' of console $name (lines $first-$last) differs from the expected text:"
  while IFS= read -r line; do TEST_DIAG+=("$line"); done < <(diff -u "$expected" "$actual")
  return 1
}

# queue_table: the queue's rows, from a screen dump on standard input, as
# tab-separated cells P, Class, Site/person, Place, State, Handled by (the
# Age left out), cut at the columns of the header.
queue_table() {
  "$E2E_PYTHON" -c '
import sys
lines = sys.stdin.read().split("\n")
head = next((i for i, l in enumerate(lines) if l.startswith("P ") and " Class " in l), None)
if head is None:
    sys.exit(0)
titles = ("Class", "Site/person", "Place", "State", "Handled by")
starts = [lines[head].index(t) for t in titles]
for line in lines[head + 1:]:
    if not (line[:1].isdigit() and line[1:2] == " "):
        continue
    ends = starts[1:] + [len(line)]
    print("\t".join([line[0]] + [line[a:b].strip() for a, b in zip(starts, ends)]))
'
}

# api_open_table TOKEN [NAME]: the server's open alarms as queue_table
# gives them, in the queue's order (priority, the oldest, the id).
api_open_table() {
  api "$1" GET "/v1/alarms?state=open&limit=5000" "" "${2:-main}" | "$E2E_PYTHON" -c '
import json, sys
alarms = json.load(sys.stdin)["alarms"]
for a in sorted(alarms, key=lambda a: (a["priority"], a["received_at"], a["id"])):
    claim = a.get("claim") or {}
    who = claim.get("display_name") or claim.get("username") or ""
    # A possible hold-up shows its marker word in the class cell.
    cls = "DURESS" if a["class"] == "duress" else \
        "EARLY OPEN" if "early-open" in a.get("flags", []) else a["class"]
    print("\t".join(str(x) for x in (a["priority"], cls, a["subject"], a["place"], a["state"], who)))
'
}

# same_rows WANTED SHOWN: the two tables have the same rows in the same
# order; a cell the layout cut (ending in "…" or "~") matches the text it
# starts.
same_rows() {
  "$E2E_PYTHON" -c '
import sys
wanted, shown = (open(f).read().splitlines() for f in sys.argv[1:3])
def same(w, s):
    if s.endswith(("\u2026", "~")):
        return w.startswith(s[:-1]) and len(w) >= len(s)
    return w == s
ok = len(wanted) == len(shown) and all(
    len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    for a, b in ((w.split("\t"), s.split("\t")) for w, s in zip(wanted, shown)))
sys.exit(0 if ok else 1)' "$1" "$2"
}

# expect_queue_matches NAME TOKEN [SECONDS] [SERVER]: until the console's
# queue is the server's open list (not empty), row for row; a diff when it
# is not.
expect_queue_matches() {
  alive || return 1
  local name=$1 limit shown=$WORLD/screens/queue-$1.rows wanted=$WORLD/screens/server.rows
  limit=$(bound_us "${3:-$E2E_WAIT_TIMEOUT}")
  while :; do
    api_open_table "$2" "${4:-main}" >"$wanted"
    screen_text "$name" | queue_table >"$shown"
    [ -s "$wanted" ] && same_rows "$wanted" "$shown" && return 0
    [ "$(now_us)" -lt "$limit" ] || break
    sleep 0.2
  done
  fail "the queue of console $name is not the server's open list (- server, + console):" "$name"
  while IFS= read -r line; do TEST_DIAG+=("$line"); done < <(diff -u "$wanted" "$shown")
  return 1
}
