#!/usr/bin/env bash
# The operator narrows the queue with "/" and a PCRE2 pattern, as she
# types: lower case matches any case, a capital makes it exact; a pattern
# that hides every alarm says so rather than "No open alarm"; a broken
# pattern shows PCRE2's message and its offset and hides nothing; Esc
# brings every alarm back.
. "$(dirname "$0")/lib.sh"
plan 6

server_init
server_start main || bail "vigied did not start"
token=$(api_login alice)
for body in '{"class":"burglary","priority":2,"site_id":2,"zone":2}' \
  '{"class":"fire","priority":1,"site_id":12,"zone":1}' \
  '{"class":"duress","priority":1,"site_id":1,"zone":1}' \
  '{"class":"technical","priority":4,"site_id":20}' \
  '{"class":"panic","priority":1,"victim_id":1}'; do
  [ -n "$(api_post_alarm "$token" "$body")" ] || bail "cannot record $body"
done

# filter_with CONSOLE PATTERN: "/", the pattern as typed, Enter.
filter_with() {
  keys "$1" /
  wait_for_re "$1" "^/"
  keys "$1" C-u
  type_text "$1" "$2"
  keys "$1" Enter
}

test_begin "alice's queue shows the five open alarms, priority 1 first" 20
console_start A 80 24 -- --server "$(server_url main)" --user alice
console_login A alice
expect_lines A all 3 8 <<'EOF'
1    age fire       Agence Cagnes Cent… 112 Avenue … new
1    age DURESS     Siège - Opéra       12 Rue de l… new
1    age panic      TGD-75-2026-0001                 new
2    age burglary   Agence Bastille     134 Bouleva… new
4    age technical  Boutique Rue de la… 58 Rue Ober… new

EOF
test_end

test_begin "/bastille keeps the Bastille burglary only, whatever the case; the status line counts it" 15
filter_with A bastille
expect_lines A bastille 3 4 <<'EOF'
2    age burglary   Agence Bastille     134 Bouleva… new

EOF
wait_for A "1 alarm matches /bastille/ (any case)"
test_end

test_begin "a capital makes the pattern exact: /Bastille matches, /BASTILLE hides all and says so" 15
filter_with A Bastille
expect_lines A exact 3 4 <<'EOF'
2    age burglary   Agence Bastille     134 Bouleva… new

EOF
filter_with A BASTILLE
wait_for A "No alarm matches /BASTILLE/"
expect_no_screen A "No open alarm"
expect_no_screen A "burglary"
test_end

test_begin "an alternation on classes keeps both, in queue order: /fire|technical" 15
filter_with A "fire|technical"
expect_lines A alternation 3 5 <<'EOF'
1    age fire       Agence Cagnes Cent… 112 Avenue … new
4    age technical  Boutique Rue de la… 58 Rue Ober… new

EOF
test_end

test_begin "an invalid pattern, (foo, shows PCRE2's message with its offset and filters nothing" 15
keys A /
wait_for_re A "^/"
keys A C-u
type_text A "(foo"
wait_for A "Invalid pattern: missing closing parenthesis at offset 4"
expect_lines A invalid-typing 3 8 <<'EOF'
1    age fire       Agence Cagnes Cent… 112 Avenue … new
1    age DURESS     Siège - Opéra       12 Rue de l… new
1    age panic      TGD-75-2026-0001                 new
2    age burglary   Agence Bastille     134 Bouleva… new
4    age technical  Boutique Rue de la… 58 Rue Ober… new

EOF
keys A Enter
wait_for A "Invalid pattern: missing closing parenthesis at offset 4"
wait_for_re A "^4 .* technical "
test_end

test_begin "Esc clears a filter: every alarm is back" 15
filter_with A duress
expect_lines A duress 3 4 <<'EOF'
1    age DURESS     Siège - Opéra       12 Rue de l… new

EOF
keys A Escape
wait_for A "Filter cleared"
expect_lines A cleared 3 8 <<'EOF'
1    age fire       Agence Cagnes Cent… 112 Avenue … new
1    age DURESS     Siège - Opéra       12 Rue de l… new
1    age panic      TGD-75-2026-0001                 new
2    age burglary   Agence Bastille     134 Bouleva… new
4    age technical  Boutique Rue de la… 58 Rue Ober… new

EOF
test_end
