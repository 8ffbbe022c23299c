#!/usr/bin/env bash
# A remote shift: alice works through a real SSH session (sshd on
# loopback, ssh -tt, a key made for the test). She sees the queue, claims
# the duress and notes it. The link drops: the console on the server side
# goes away, vigied keeps running and nothing she did is lost; she comes
# back over SSH and the alarm is still hers. A console that no SIGHUP
# reaches (a session of its own) leaves as well when its link drops.
. "$(dirname "$0")/lib.sh"
e2e_require ssh ssh-keygen
SSHD=/usr/sbin/sshd
[ -x "$SSHD" ] || { echo "1..0 # SKIP no $SSHD"; exit 0; }
plan 5

server_init
server_start main --dc09 || bail "vigied did not start"
url=$(server_url main)
token=$(api_login alice)

# ---- an sshd of our own, on a free loopback port ----

ssh_dir=$WORLD/ssh
mkdir -p "$ssh_dir"
chmod 700 "$ssh_dir"
ssh-keygen -q -t ed25519 -N '' -C vigie-e2e-host -f "$ssh_dir/host_key" </dev/null
ssh-keygen -q -t ed25519 -N '' -C vigie-e2e-user -f "$ssh_dir/user_key" </dev/null
cp "$ssh_dir/user_key.pub" "$ssh_dir/authorized_keys"
[ "$(id -u)" = 0 ] && mkdir -p /run/sshd # privilege separation needs it
ssh_user=$(id -un)

# start_sshd: tries random high ports until sshd listens on one.
start_sshd() {
  local attempt pid log
  for attempt in 1 2 3 4 5 6 7 8; do
    ssh_port=$((20000 + RANDOM % 40000))
    log=$ssh_dir/sshd.$attempt.log
    cat >"$ssh_dir/sshd_config" <<EOF
Port $ssh_port
ListenAddress 127.0.0.1
HostKey $ssh_dir/host_key
AuthorizedKeysFile $ssh_dir/authorized_keys
AllowUsers $ssh_user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
PidFile $ssh_dir/sshd.pid
PrintMotd no
LogLevel VERBOSE
EOF
    "$SSHD" -D -e -f "$ssh_dir/sshd_config" 2>"$log" &
    pid=$!
    E2E_PIDS[$pid]=1
    for _ in $(seq 1 50); do
      grep -q "Server listening on 127.0.0.1 port $ssh_port" "$log" && return 0
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    unset "E2E_PIDS[$pid]"
  done
  sed 's/^/# /' "$log"
  bail "sshd did not start"
}
start_sshd

# ssh_console NAME [setsid]: a tmux session running ssh -tt to loopback,
# whose remote command starts the console as alice in the world's dirs
# and writes its pid to $ssh_dir/console.pid. With setsid, the console runs
# in a session of its own, as under some wrappers: no SIGHUP reaches it
# when the terminal goes away.
ssh_console() {
  local console remote
  console="echo \$\$ >$(printf %q "$ssh_dir/console.pid") && exec $(printf '%q ' \
    env HOME="$HOME" XDG_CONFIG_HOME="$XDG_CONFIG_HOME" XDG_STATE_HOME="$XDG_STATE_HOME" \
    TZ="$TZ" TERM=xterm-256color LANG=C.UTF-8 ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
    UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" "$VIGIE" --server "$url" --user alice)"
  if [ "${2:-}" = setsid ]; then
    remote="cd $(printf %q "$WORLD") && exec setsid -w sh -c $(printf %q "$console")"
  else
    remote="cd $(printf %q "$WORLD") && $console"
  fi
  console_run "$1" 80 24 env TERM=xterm-256color ssh -tt -F /dev/null -i "$ssh_dir/user_key" \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
    -o LogLevel=ERROR -p "$ssh_port" "$ssh_user@127.0.0.1" "$remote"
}

# drop_link NAME: kills the ssh client of the session (the link drops).
drop_link() {
  local ssh_pid
  ssh_pid=$(console_pid "$1")
  check "the ssh client of $1 is found" test -n "$ssh_pid" || return 1
  kill -KILL "$ssh_pid"
  wait_for "$1" "[vigie exited with status"
}

sim_dc09 main 1234 1121 1 21 || bail "the Opera panel's duress was not acknowledged"
sim_dc09 main A1B2C 1130 2 22 || bail "the Bastille panel's burglary was not acknowledged"

test_begin "alice's console over ssh -tt to a real sshd: she types her password and sees the queue" 25
ssh_console S
console_login S alice
expect_lines S ssh-queue 1 5 <<'EOF'
Vigie  alice (operator)     P1:1 P2:1 P3:0 P4:0 P5:0           LIVE  main  hb Ns
P    Age Class      Site/person         Place        State        Handled by
1    age DURESS     Siège - Opéra       12 Rue de l… new
2    age burglary   Agence Bastille     134 Bouleva… new

EOF
check "the console runs on the far side of sshd" test -s "$ssh_dir/console.pid"
test_end

test_begin "over SSH she claims the duress and notes the call; the server has both" 15
keys S g c
wait_for S "Alarm 1 claimed: you handle it"
keys S n
wait_for S "Note for alarm 1:"
type_text S "Manager called back over SSH shift"
keys S Enter
wait_for S "Alarm 1 note added"
check "the server has the claim and the note" \
  test "$(api_alarm_field "$token" 1 'a["claim"]["username"] + ": " + a["timeline"][-1]["text"]')" = \
  "alice: Manager called back over SSH shift"
test_end

test_begin "the SSH link drops: the remote console leaves within 5 s, vigied runs on, nothing is lost" 20
remote_console=$(cat "$ssh_dir/console.pid" 2>/dev/null)
check "the remote console is running" kill -0 "$remote_console"
drop_link S
eventually 5 "the remote console ($remote_console) to leave after the hang-up" \
  process_gone "$remote_console" ||
  kill -KILL "$remote_console" 2>/dev/null # not left running
check "vigied still runs" server_alive main
check "vigied answers its health check" curl -sf --max-time 5 -o /dev/null "$url/v1/health"
check "alice still holds the duress, with her note" \
  test "$(api_alarm_field "$token" 1 'a["state"] + " " + a["claim"]["username"] + ": " + a["timeline"][-1]["text"]')" = \
  "claimed alice: Manager called back over SSH shift"
check "the Bastille panel's next burglary is acknowledged" sim_dc09 main A1B2C 1130 3 23
check "vigied still takes alarms" test "$(api_open_ids "$token" | wc -l)" -eq 3
test_end

test_begin "alice comes back over SSH, her console in a session of its own: the duress is still hers" 20
rm -f "$ssh_dir/console.pid"
ssh_console S2 setsid
console_login S2 alice
wait_for_re S2 "^1 .* DURESS .* claimed +Alice Moreau\$"
expect_queue_matches S2 "$token"
test_end

test_begin "that link drops too: with no SIGHUP to tell it, the console still leaves within 5 s" 20
remote_console=$(cat "$ssh_dir/console.pid" 2>/dev/null)
check "the remote console is running" kill -0 "$remote_console"
check "it has no controlling terminal" \
  test "$(ps -o tty= -p "$remote_console" | tr -d ' ')" = "?"
drop_link S2
eventually 5 "the remote console ($remote_console) to leave once its terminal is gone" \
  process_gone "$remote_console" ||
  kill -KILL "$remote_console" 2>/dev/null # not left running
test_end
