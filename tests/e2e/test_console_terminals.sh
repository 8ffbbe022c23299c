#!/usr/bin/env bash
# The console on the terminals operators really have: an old vt100 under
# LANG=C gets nothing but ASCII (borders, the cut marker, accents
# transliterated); a terminal too small says so and comes back when it
# grows; screen and tmux terminal types work; NO_COLOR takes the colours
# away but keeps the header and the selection apart; an operator's own
# theme and keymap, read from $XDG_CONFIG_HOME/vigie, are used.
. "$(dirname "$0")/lib.sh"
plan 7

server_init
server_start main || bail "vigied did not start"
token=$(api_login alice)
for body in '{"class":"duress","priority":1,"site_id":1,"zone":1}' \
  '{"class":"burglary","priority":2,"site_id":2,"zone":2}'; do
  [ -n "$(api_post_alarm "$token" "$body")" ] || bail "cannot record $body"
done

# non_ascii: how many bytes of standard input are not ASCII.
non_ascii() { LC_ALL=C tr -d '\000-\177' | wc -c; }

# An SGR sequence that sets a colour (30-38, 40-48, 90-97, 100-107), and
# one that turns reverse video on, as expect_colours writes them.
SGR_COLOUR='#\[([0-9]+;)*(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9]+)*m'
SGR_REVERSE='#\[([0-9]+;)*7(;[0-9]+)*m'

# no_line_drawing FILE: the bytes never switch to the DEC line-drawing set.
no_line_drawing() { ! grep -q $'\e(0\|\x0e' "$1"; }

test_begin "LANG=C on a vt100: only ASCII reaches the terminal; accents, the cut marker and borders are ASCII" 25
console_start V 80 24 LANG=C TERM=vt100 -- --server "$(server_url main)" --user alice
tmx pipe-pane -t V -o "cat >>'$WORLD/vt100.raw'"
console_login V alice
expect_lines V ascii-queue 1 5 <<'EOF'
Vigie  alice (operator)     P1:1 P2:1 P3:0 P4:0 P5:0           LIVE  main  hb Ns
P    Age Class      Site/person         Place        State        Handled by
1    age DURESS     Siege - Opera       12 Rue de l~ new
2    age burglary   Agence Bastille     134 Bouleva~ new

EOF
keys V Q
expect_lines V ascii-dialog 10 14 <<'EOF'
                          +- Quit ------------------+
                          | Quit the Vigie console? |
                          |                         |
                          | y Quit   n/Esc Stay     |
                          +-------------------------+
EOF
check "the screen holds only ASCII characters" test "$(screen_text V | non_ascii)" -eq 0
keys V Escape
wait_gone V "Quit the Vigie console?"
check "the bytes the console wrote are all ASCII" test "$(non_ascii <"$WORLD/vt100.raw")" -eq 0
check "the console never switched to the line-drawing character set" \
  no_line_drawing "$WORLD/vt100.raw"
check "the console wrote a screen at all" test -s "$WORLD/vt100.raw"
test_end

test_begin "at 60x20 the console says the terminal is too small; grown to 80x24, the queue is back and keys work" 20
console_start S 60 20 -- --server "$(server_url main)" --user alice
console_login S alice "Terminal too small (60x20): needs at least 80x24"
expect_no_screen S "LIVE"
console_resize S 80 24
wait_for_re S "^Vigie  alice \(operator\) .* LIVE "
wait_for_re S "^1 .* DURESS "
keys S Q
wait_for S "Quit the Vigie console?"
keys S Escape
wait_gone S "Quit the Vigie console?"
console_resize S 79 24
wait_for S "Terminal too small (79x24): needs at least 80x24"
console_resize S 80 24
wait_for_re S "^2 .* burglary "
test_end

test_begin "TERM=screen and TERM=tmux-256color start and draw the queue" 20
console_start TS 80 24 TERM=screen -- --server "$(server_url main)" --user alice
console_start TT 80 24 TERM=tmux-256color -- --server "$(server_url main)" --user alice
for console in TS TT; do
  console_login "$console" alice
  wait_for_re "$console" "^1 .* DURESS .* new"
  wait_for_re "$console" "^2 .* burglary .* new"
done
test_end

test_begin "NO_COLOR: no colour at all, yet the header and the selected row stand out (reverse video)" 20
console_start N 80 24 NO_COLOR=1 -- --server "$(server_url main)" --user alice
console_login N alice
wait_for_re N "^2 .* burglary "
expect_no_colours N "$SGR_COLOUR" "a colour"
expect_colours N "^$SGR_REVERSE""Vigie  alice" "the header in reverse video"
expect_colours N "$SGR_REVERSE(#\[[0-9;]*m)*1 +[0-9]+s DURESS" "the selected row in reverse video"
test_end

mkdir -p "$XDG_CONFIG_HOME/vigie/themes"
cat >"$XDG_CONFIG_HOME/vigie/themes/mine.theme" <<'EOF'
# alice's theme: a header nobody can miss.
color header black 201 bold
color no-such-slot red blue
EOF

test_begin "a theme from \$XDG_CONFIG_HOME/vigie/themes, chosen with --theme mine, paints the header; its bad line is logged and shown with file and line" 20
console_start T 80 24 -- --server "$(server_url main)" --user alice --theme mine
console_login T alice
wait_for_re T "^2 .* burglary "
expect_colours T "#\[30m#\[48;5;201mVigie  alice" "the header black on colour 201"
expect_colours T "#\[33m(#\[[0-9;]*m)*2 +[0-9]+s burglary" \
  "the slots the theme leaves out in the built-in colours (priority 2 in yellow)"
check "the bad line is reported as FILE:LINE in the console's log" \
  grep -q "mine.theme:3: unknown colour slot 'no-such-slot'" "$XDG_STATE_HOME/vigie/vigie.log"
wait_for_re T " LIVE  main  hb"
wait_for T "mine.theme:3: unknown colour slot" 2 # live, the status line still says it
test_end

test_begin "the settings file (VIGIE_CONFIG) naming theme = mine does the same" 20
printf 'server = %s\ntheme = mine\n' "$(server_url main)" >"$WORLD/settings"
console_start C 80 24 VIGIE_CONFIG="$WORLD/settings" -- --user alice
console_login C alice
expect_colours C "#\[30m#\[48;5;201mVigie  alice" "the header black on colour 201"
test_end

cat >"$XDG_CONFIG_HOME/vigie/keys" <<'EOF'
# alice claims with K; c does nothing on the queue any more.
bind queue K claim
unbind queue c
bind queue Z clam
EOF

test_begin "a keymap from \$XDG_CONFIG_HOME/vigie/keys: K claims, c does nothing, the help shows K; the bad line is reported" 20
console_start K 80 24 -- --server "$(server_url main)" --user alice
wait_for K "vigie: warning: $XDG_CONFIG_HOME/vigie/keys:4: unknown action 'clam'"
console_login K alice
wait_for K "K claim"
keys K g c
wait_for K "c does nothing here"
check "c sent nothing: the duress is still new" \
  test "$(api_alarm_field "$token" 1 'a["state"]')" = new
keys K K
wait_for K "Alarm 1 claimed: you handle it"
check "K claimed it on the server" \
  test "$(api_alarm_field "$token" 1 'a["state"] + " " + a["claim"]["username"]')" = "claimed alice"
keys K '?'
wait_for_re K "^│ K +claim +Claim the alarm"
test_end
